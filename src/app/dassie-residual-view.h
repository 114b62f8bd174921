/* dassie-residual-view.h: an object's input, its reconstruction and the residual, band by band
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-catalog.h"
#include "dassie-display.h"
#include "dassie-residual.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_RESIDUAL_VIEW (dassie_residual_view_get_type ())

G_DECLARE_FINAL_TYPE (DassieResidualView, dassie_residual_view, DASSIE, RESIDUAL_VIEW, GtkWidget)

typedef enum
{
  DASSIE_RESIDUAL_ROW_INPUT,
  DASSIE_RESIDUAL_ROW_RECONSTRUCTION,
  DASSIE_RESIDUAL_ROW_RESIDUAL,
  DASSIE_RESIDUAL_N_ROWS,
} DassieResidualRow;

GtkWidget            *dassie_residual_view_new         (void);
/* Reconstructs row @row of @catalog on a worker thread (dassie_residual_compute) with a spinner
 * meanwhile, then shows one column per band: the input and the reconstruction through the input's
 * limits and @options' stretch, the residual on a diverging scale about 0. A newer call wins. */
void                  dassie_residual_view_show        (DassieResidualView         *self,
                                                        DassieCatalog              *catalog,
                                                        guint                       row,
                                                        const DassieDisplayOptions *options);
void                  dassie_residual_view_clear       (DassieResidualView         *self);
/* "empty", "working", "ready" or "error". */
const char           *dassie_residual_view_get_state   (DassieResidualView         *self);
gboolean              dassie_residual_view_get_busy    (DassieResidualView         *self);
/* What went wrong, in the "error" state. */
const char           *dassie_residual_view_get_message (DassieResidualView         *self);
/* The pixels shown, in the "ready" state. */
const DassieResidual *dassie_residual_view_get_residual (DassieResidualView        *self);
/* The half-width of the residual's colour scale. */
double                dassie_residual_view_get_amplitude (DassieResidualView       *self);
/* The picture of @kind for @band, in the "ready" state. */
GtkPicture           *dassie_residual_view_get_picture (DassieResidualView         *self,
                                                        DassieResidualRow           kind,
                                                        guint                       band);

G_END_DECLS
