/* dassie-cutout-item.h: one object in a grid of cutouts: its id, caption and picture
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-labels.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_CUTOUT_ITEM (dassie_cutout_item_get_type ())

G_DECLARE_FINAL_TYPE (DassieCutoutItem, dassie_cutout_item, DASSIE, CUTOUT_ITEM, GObject)

DassieCutoutItem *dassie_cutout_item_new         (guint              index,
                                                  const char        *object_id,
                                                  const char        *caption,
                                                  GdkTexture        *texture);
guint             dassie_cutout_item_get_index    (DassieCutoutItem *self);
const char       *dassie_cutout_item_get_object_id (DassieCutoutItem *self);
const char       *dassie_cutout_item_get_caption  (DassieCutoutItem *self);
GdkTexture       *dassie_cutout_item_get_texture  (DassieCutoutItem *self);
/* The astronomer's label, shown as a badge on the tile; property "label" (uint) notifies. */
DassieLabel       dassie_cutout_item_get_label    (DassieCutoutItem *self);
void              dassie_cutout_item_set_label    (DassieCutoutItem *self,
                                                   DassieLabel       label);

G_END_DECLS
