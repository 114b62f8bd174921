/* dassie-cutout-item.h: one object in a grid of cutouts: its id, caption and picture
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-dataset.h"
#include "dassie-display.h"

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

/* A texture from cairo ARGB32 pixels (premultiplied, native-endian); safe on a worker thread. */
GdkTexture       *dassie_texture_new_from_argb32  (guint8           *pixels,
                                                   guint             width,
                                                   guint             height,
                                                   gsize             stride);

/* How Dassie shows a data set's cutouts: a Lupton colour composite of the i, r and g bands when there
 * are three bands or more, else the first band with an asinh stretch. */
void              dassie_display_options_for_dataset (DassieDisplayOptions *options,
                                                      DassieDataset        *dataset);

G_END_DECLS
