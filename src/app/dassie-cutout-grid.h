/* dassie-cutout-grid.h: a scrolling grid of cutouts with captions; activating one names its object
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DASSIE_TYPE_CUTOUT_GRID (dassie_cutout_grid_get_type ())

G_DECLARE_FINAL_TYPE (DassieCutoutGrid, dassie_cutout_grid, DASSIE, CUTOUT_GRID, GtkWidget)

GtkWidget  *dassie_cutout_grid_new            (void);
/* A model of DassieCutoutItem. */
void        dassie_cutout_grid_set_model      (DassieCutoutGrid *self,
                                               GListModel       *model);
GListModel *dassie_cutout_grid_get_model      (DassieCutoutGrid *self);
void        dassie_cutout_grid_set_tile_size  (DassieCutoutGrid *self,
                                               int               pixels);

G_END_DECLS
