/* dassie-chart-private.h: what the app's chart widgets share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Draws @text centred and wrapped in a @width × @height chart that has nothing to show yet. */
void _dassie_chart_draw_placeholder (GtkWidget     *widget,
                                     cairo_t       *cr,
                                     const char    *text,
                                     const GdkRGBA *fg,
                                     int            width,
                                     int            height);

G_END_DECLS
