/* dassie-cutout-item.c: one object in a grid of cutouts: its id, caption and picture
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-cutout-item.h"

struct _DassieCutoutItem
{
  GObject     parent_instance;
  guint       index;
  char       *object_id;
  char       *caption;
  GdkTexture *texture;
};

G_DEFINE_FINAL_TYPE (DassieCutoutItem, dassie_cutout_item, G_TYPE_OBJECT)

static void
dassie_cutout_item_finalize (GObject *object)
{
  DassieCutoutItem *self = DASSIE_CUTOUT_ITEM (object);

  g_clear_pointer (&self->object_id, g_free);
  g_clear_pointer (&self->caption, g_free);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (dassie_cutout_item_parent_class)->finalize (object);
}

static void
dassie_cutout_item_class_init (DassieCutoutItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dassie_cutout_item_finalize;
}

static void
dassie_cutout_item_init (DassieCutoutItem *self)
{
}

DassieCutoutItem *
dassie_cutout_item_new (guint       index,
                        const char *object_id,
                        const char *caption,
                        GdkTexture *texture)
{
  DassieCutoutItem *self = g_object_new (DASSIE_TYPE_CUTOUT_ITEM, NULL);

  self->index = index;
  self->object_id = g_strdup (object_id);
  self->caption = g_strdup (caption);
  g_set_object (&self->texture, texture);
  return self;
}

guint
dassie_cutout_item_get_index (DassieCutoutItem *self)
{
  g_return_val_if_fail (DASSIE_IS_CUTOUT_ITEM (self), 0);
  return self->index;
}

const char *
dassie_cutout_item_get_object_id (DassieCutoutItem *self)
{
  g_return_val_if_fail (DASSIE_IS_CUTOUT_ITEM (self), NULL);
  return self->object_id;
}

const char *
dassie_cutout_item_get_caption (DassieCutoutItem *self)
{
  g_return_val_if_fail (DASSIE_IS_CUTOUT_ITEM (self), NULL);
  return self->caption;
}

GdkTexture *
dassie_cutout_item_get_texture (DassieCutoutItem *self)
{
  g_return_val_if_fail (DASSIE_IS_CUTOUT_ITEM (self), NULL);
  return self->texture;
}
