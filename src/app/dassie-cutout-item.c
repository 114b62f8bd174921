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
  DassieLabel label;
};

enum {
  PROP_0,
  PROP_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DassieCutoutItem, dassie_cutout_item, G_TYPE_OBJECT)

static void
dassie_cutout_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  DassieCutoutItem *self = DASSIE_CUTOUT_ITEM (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_uint (value, self->label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

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
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dassie_cutout_item_finalize;
  object_class->get_property = dassie_cutout_item_get_property;

  /* A DassieLabel. */
  properties[PROP_LABEL] =
    g_param_spec_uint ("label", NULL, NULL, 0, DASSIE_N_LABELS - 1, DASSIE_LABEL_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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

DassieLabel
dassie_cutout_item_get_label (DassieCutoutItem *self)
{
  g_return_val_if_fail (DASSIE_IS_CUTOUT_ITEM (self), DASSIE_LABEL_NONE);
  return self->label;
}

void
dassie_cutout_item_set_label (DassieCutoutItem *self,
                              DassieLabel       label)
{
  g_return_if_fail (DASSIE_IS_CUTOUT_ITEM (self));
  g_return_if_fail ((guint) label < DASSIE_N_LABELS);

  if (label == self->label)
    return;
  self->label = label;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}
