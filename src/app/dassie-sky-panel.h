/* dassie-sky-panel.h: an object's position on the sky, its catalogue columns, and where to look at it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-dataset.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_SKY_PANEL (dassie_sky_panel_get_type ())

G_DECLARE_FINAL_TYPE (DassieSkyPanel, dassie_sky_panel, DASSIE, SKY_PANEL, GtkBox)

GtkWidget  *dassie_sky_panel_new        (void);
/* Shows object @index of @dataset (or nothing, with @dataset NULL or @index < 0). */
void        dassie_sky_panel_set_object (DassieSkyPanel *self,
                                         DassieDataset  *dataset,
                                         int             index);
/* The position as it is copied: "30.591338 -6.282374", or NULL when the object has none. */
const char *dassie_sky_panel_get_text   (DassieSkyPanel *self);

G_END_DECLS
