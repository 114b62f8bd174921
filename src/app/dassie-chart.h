/* dassie-chart.h: the base class of the Explore charts: the model they draw and its wiring
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-explore-model.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_CHART (dassie_chart_get_type ())

G_DECLARE_DERIVABLE_TYPE (DassieChart, dassie_chart, DASSIE, CHART, GtkWidget)

/* A chart of a DassieExploreModel (Sysprof's SysprofChartLayer): the "model" property, its
 * signal handlers, which go with the model, and "catalog_changed" when the model or its catalog
 * changes. */
struct _DassieChartClass
{
  GtkWidgetClass parent_class;

  /* Connects the subclass's handlers to @model's signals with @self as their data; they are
   * disconnected when the model goes. */
  void (*connect_model)   (DassieChart        *self,
                           DassieExploreModel *model);
  /* There is another model, or another catalog in it: everything drawn is stale. */
  void (*catalog_changed) (DassieChart        *self);

  gpointer padding[6];
};

void                dassie_chart_set_model   (DassieChart        *self,
                                              DassieExploreModel *model);
DassieExploreModel *dassie_chart_get_model   (DassieChart        *self);
/* The model's catalog, or NULL without a model or a catalog. */
DassieCatalog      *dassie_chart_get_catalog (DassieChart        *self);

G_END_DECLS
