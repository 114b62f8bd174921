/* dassie-plot-node.h: a core plot drawn once into a texture node that widgets keep between frames
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-plot.h"

G_BEGIN_DECLS

/* Draws @plot with @draw at @width × @height (in widget pixels, @scale device pixels each) into a
 * texture and returns a node showing it at (0, 0). */
GskRenderNode *dassie_plot_render_node (DassiePlotDrawFunc  draw,
                                        gconstpointer       plot,
                                        int                 width,
                                        int                 height,
                                        int                 scale);

/* The text a plot widget shows before it has data, centred. */
void           dassie_plot_snapshot_placeholder (GtkWidget   *widget,
                                                 GtkSnapshot *snapshot,
                                                 const char  *text);
/* A dark rounded label holding @markup with its top-left corner at (x, y), moved inside the
 * @width × @height drawing when it would stick out. */
void           dassie_plot_draw_label           (GtkWidget   *widget,
                                                 cairo_t     *cr,
                                                 const char  *markup,
                                                 double       x,
                                                 double       y,
                                                 int          width,
                                                 int          height);
/* The size dassie_plot_draw_label gives @markup. */
void           dassie_plot_measure_label        (GtkWidget   *widget,
                                                 const char  *markup,
                                                 double      *width,
                                                 double      *height);

G_END_DECLS
