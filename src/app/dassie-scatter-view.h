/* dassie-scatter-view.h: the UMAP map coloured by score: pan, zoom, hover, click, lasso and box
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-chart.h"

G_BEGIN_DECLS

typedef enum
{
  DASSIE_SCATTER_TOOL_PAN,    /* a drag moves the map */
  DASSIE_SCATTER_TOOL_LASSO,  /* a drag draws a free-hand region */
  DASSIE_SCATTER_TOOL_BOX,    /* a drag spans a rectangle */
} DassieScatterTool;

/* Nicks "pan", "lasso" and "box": the states of the explore.tool action. */
#define DASSIE_TYPE_SCATTER_TOOL (dassie_scatter_tool_get_type ())
GType dassie_scatter_tool_get_type (void);

#define DASSIE_TYPE_SCATTER_VIEW (dassie_scatter_view_get_type ())

G_DECLARE_FINAL_TYPE (DassieScatterView, dassie_scatter_view, DASSIE, SCATTER_VIEW, DassieChart)

/* The points, the axes and the colour bar are drawn once into a texture and kept while neither the
 * view, the selection, the colours nor the size change; hover, lasso and box are drawn over it each
 * frame. In every tool the middle button pans and the wheel zooms around the pointer; a click on a
 * point emits "object-activated" (guint row). Shift adds to the selection, Ctrl subtracts. */

GtkWidget          *dassie_scatter_view_new              (void);
void                dassie_scatter_view_set_tool         (DassieScatterView  *self,
                                                          DassieScatterTool   tool);
DassieScatterTool   dassie_scatter_view_get_tool         (DassieScatterView  *self);
/* The row under the pointer, or -1. */
gssize              dassie_scatter_view_get_hover        (DassieScatterView  *self);
/* The row nearest to pixel (x, y) of the widget within a few pixels, or -1. */
gssize              dassie_scatter_view_pick             (DassieScatterView  *self,
                                                          double              x,
                                                          double              y);
/* Fills @scatter as the widget draws it at @width × @height (for saving the plot as a file). */
void                dassie_scatter_view_describe         (DassieScatterView  *self,
                                                          DassieScatter      *scatter);
/* How many times the static part was drawn, and how long the last drawing took (ms). */
guint               dassie_scatter_view_get_n_renders    (DassieScatterView  *self);
double              dassie_scatter_view_get_render_ms    (DassieScatterView  *self);

G_END_DECLS
