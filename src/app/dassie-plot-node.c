/* dassie-plot-node.c: a core plot drawn once into a texture node that widgets keep between frames
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-chart-private.h"
#include "dassie-cutout-render.h"
#include "dassie-plot-node.h"

GskRenderNode *
dassie_plot_render_node (DassiePlotDrawFunc  draw,
                         gconstpointer       plot,
                         int                 width,
                         int                 height,
                         int                 scale)
{
  cairo_surface_t *surface;
  GskRenderNode *node;
  cairo_t *cr;

  g_return_val_if_fail (draw != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0 && scale > 0, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  draw (cr, width, height, plot);
  cairo_destroy (cr);
  cairo_surface_set_device_scale (surface, scale, scale);

  /* A cairo node that paints the finished image: each frame only copies pixels, on any renderer. */
  node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (0, 0, width, height));
  cr = gsk_cairo_node_get_draw_context (node);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return node;
}

void
dassie_plot_snapshot_placeholder (GtkWidget   *widget,
                                  GtkSnapshot *snapshot,
                                  const char  *text)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  GdkRGBA fg;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  _dassie_chart_draw_placeholder (widget, cr, text, &fg, width, height);
  cairo_destroy (cr);
}

#define LABEL_PAD_X  7
#define LABEL_PAD_Y  4
#define LABEL_RADIUS 5

static PangoLayout *
label_layout (GtkWidget  *widget,
              const char *markup)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, NULL);

  pango_layout_set_markup (layout, markup, -1);
  return layout;
}

void
dassie_plot_measure_label (GtkWidget  *widget,
                           const char *markup,
                           double     *width,
                           double     *height)
{
  g_autoptr(PangoLayout) layout = label_layout (widget, markup);
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  *width = logical.width + 2 * LABEL_PAD_X;
  *height = logical.height + 2 * LABEL_PAD_Y;
}

void
dassie_plot_draw_label (GtkWidget  *widget,
                        cairo_t    *cr,
                        const char *markup,
                        double      x,
                        double      y,
                        int         width,
                        int         height)
{
  g_autoptr(PangoLayout) layout = label_layout (widget, markup);
  double bw, bh, r = LABEL_RADIUS;

  dassie_plot_measure_label (widget, markup, &bw, &bh);
  x = CLAMP (x, 4, MAX (4, width - bw - 4));
  y = CLAMP (y, 4, MAX (4, height - bh - 4));

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + bw - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + bw - r, y + bh - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + bh - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, 0.12, 0.12, 0.14, 0.88);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_move_to (cr, x + LABEL_PAD_X, y + LABEL_PAD_Y);
  pango_cairo_show_layout (cr, layout);
}
