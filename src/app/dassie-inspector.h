/* dassie-inspector.h: one object up close: its cutout and bands, score, rank, files, and the
 * objects most like it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "dassie-cutout-grid.h"
#include "dassie-display.h"
#include "dassie-explore-model.h"
#include "dassie-residual-view.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_INSPECTOR (dassie_inspector_get_type ())

G_DECLARE_FINAL_TYPE (DassieInspector, dassie_inspector, DASSIE, INSPECTOR, AdwWindow)

/* Shows rows of @model's catalog. Clicking a neighbour shows it (inspector.back returns, Alt+Left);
 * inspector.select selects the object in the model and centres the map on it. */
DassieInspector  *dassie_inspector_new                 (DassieExploreModel         *model);
void              dassie_inspector_show_row            (DassieInspector            *self,
                                                        guint                       row);
/* The row shown, or -1. */
gssize            dassie_inspector_get_row             (DassieInspector            *self);
void              dassie_inspector_set_display_options (DassieInspector            *self,
                                                        const DassieDisplayOptions *options);
DassieCutoutGrid *dassie_inspector_get_neighbors       (DassieInspector            *self);
/* TRUE while its pictures are being made (the reconstruction included). */
gboolean          dassie_inspector_get_busy            (DassieInspector            *self);
/* The input, reconstruction and residual of the object shown. */
DassieResidualView *dassie_inspector_get_residual_view (DassieInspector            *self);

G_END_DECLS
