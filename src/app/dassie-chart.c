/* dassie-chart.c: the base class of the Explore charts: the model they draw and its wiring
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-chart.h"

typedef struct
{
  DassieExploreModel *model;
} DassieChartPrivate;

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (DassieChart, dassie_chart, GTK_TYPE_WIDGET)

static void
catalog_changed (DassieChart *self)
{
  DassieChartClass *klass = DASSIE_CHART_GET_CLASS (self);

  if (klass->catalog_changed != NULL)
    klass->catalog_changed (self);
}

static void
disconnect_model (DassieChart *self)
{
  DassieChartPrivate *priv = dassie_chart_get_instance_private (self);

  if (priv->model != NULL)
    g_signal_handlers_disconnect_by_data (priv->model, self);
  g_clear_object (&priv->model);
}

void
dassie_chart_set_model (DassieChart        *self,
                        DassieExploreModel *model)
{
  DassieChartPrivate *priv = dassie_chart_get_instance_private (self);
  DassieChartClass *klass;

  g_return_if_fail (DASSIE_IS_CHART (self));
  g_return_if_fail (model == NULL || DASSIE_IS_EXPLORE_MODEL (model));

  if (model == priv->model)
    return;
  disconnect_model (self);
  klass = DASSIE_CHART_GET_CLASS (self);
  if (model != NULL)
    {
      priv->model = g_object_ref (model);
      g_signal_connect_swapped (model, "notify::catalog", G_CALLBACK (catalog_changed), self);
      if (klass->connect_model != NULL)
        klass->connect_model (self, model);
    }
  catalog_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

DassieExploreModel *
dassie_chart_get_model (DassieChart *self)
{
  DassieChartPrivate *priv = dassie_chart_get_instance_private (self);

  g_return_val_if_fail (DASSIE_IS_CHART (self), NULL);
  return priv->model;
}

DassieCatalog *
dassie_chart_get_catalog (DassieChart *self)
{
  DassieChartPrivate *priv = dassie_chart_get_instance_private (self);

  g_return_val_if_fail (DASSIE_IS_CHART (self), NULL);
  return priv->model != NULL ? dassie_explore_model_get_catalog (priv->model) : NULL;
}

static void
dassie_chart_dispose (GObject *object)
{
  /* Without calling the subclass back: it is going too. */
  disconnect_model (DASSIE_CHART (object));

  G_OBJECT_CLASS (dassie_chart_parent_class)->dispose (object);
}

static void
dassie_chart_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  DassieChart *self = DASSIE_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, dassie_chart_get_model (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_chart_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  DassieChart *self = DASSIE_CHART (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      dassie_chart_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_chart_class_init (DassieChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dassie_chart_dispose;
  object_class->get_property = dassie_chart_get_property;
  object_class->set_property = dassie_chart_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, DASSIE_TYPE_EXPLORE_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dassie_chart_init (DassieChart *self)
{
}
