/* dassie-plot-private.h: the text, axis and layout primitives that the plots of dassie-plot-*.c share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-plot.h"

G_BEGIN_DECLS

#define FONT_SIZE   11.0
#define TITLE_SIZE  13.0
#define MARGIN      10.0
#define TICK_LENGTH 4.0

/* What a plot puts around its data area. */
typedef struct
{
  gboolean title;
  gboolean x_label;
  gboolean y_label;
  double   extra_right;
} DassiePlotLayout;

typedef enum
{
  DASSIE_PLOT_AXIS_LINEAR,
  DASSIE_PLOT_AXIS_LOG10,        /* the axis runs over log10 (value), ticks at decades */
  DASSIE_PLOT_AXIS_LOG10_PLUS1,  /* over log10 (1 + value): counts, where 0 sits at the origin */
} DassiePlotAxisScale;

void     _dassie_plot_set_rgb               (cairo_t                 *cr,
                                             guint32                  rgb);
void     _dassie_plot_set_font              (cairo_t                 *cr,
                                             double                   size,
                                             gboolean                 bold);
/* Draws @text with its anchor at (x, y): @halign 0 left, 0.5 centre, 1 right; @valign the same for
 * top, middle and baseline of the capitals. */
void     _dassie_plot_draw_text             (cairo_t                 *cr,
                                             double                   x,
                                             double                   y,
                                             const char              *text,
                                             double                   halign,
                                             double                   valign);
double   _dassie_plot_text_width            (cairo_t                 *cr,
                                             const char              *text);
/* A tick label of @value with as many decimals as @step needs. */
void     _dassie_plot_format_tick           (char                    *buf,
                                             gsize                    size,
                                             double                   value,
                                             double                   step);
/* The data area of a @width × @height plot with @layout's title, labels and space on the right. */
void     _dassie_plot_layout_area           (double                   width,
                                             double                   height,
                                             const DassiePlotLayout  *layout,
                                             cairo_rectangle_t       *area);
void     _dassie_plot_paint_background      (cairo_t                 *cr,
                                             double                   width,
                                             double                   height);
void     _dassie_plot_draw_title_and_labels (cairo_t                 *cr,
                                             const cairo_rectangle_t *area,
                                             const char              *title,
                                             const char              *x_label,
                                             const char              *y_label);
/* Where @value sits on an axis of @scale. */
double   _dassie_plot_axis_position         (DassiePlotAxisScale      scale,
                                             double                   value);
/* Ticks along one side of @area for the axis range [low, high] (in axis positions). */
void     _dassie_plot_draw_ticks            (cairo_t                 *cr,
                                             const cairo_rectangle_t *area,
                                             gboolean                 vertical,
                                             double                   low,
                                             double                   high,
                                             DassiePlotAxisScale      scale,
                                             guint                    max_ticks);
void     _dassie_plot_draw_frame            (cairo_t                 *cr,
                                             const cairo_rectangle_t *area);

G_END_DECLS
