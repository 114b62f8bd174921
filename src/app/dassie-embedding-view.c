/* dassie-embedding-view.c: a 2-D embedding as a scatter coloured by score, redrawn as it changes
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-chart-private.h"
#include "dassie-embedding-view.h"

#define MARGIN 16
#define LEGEND_HEIGHT 30

struct _DassieEmbeddingView
{
  GtkWidget  parent_instance;

  float     *xy;
  gsize      n;
  float     *values;      /* n, or NULL */
  guint     *order;       /* the points by increasing value: high scores are drawn last, on top */
  guint      n_updates;
  char      *placeholder;
};

G_DEFINE_FINAL_TYPE (DassieEmbeddingView, dassie_embedding_view, GTK_TYPE_WIDGET)

/* Viridis, sampled at five stops (matplotlib's colour map, as the seed notebook uses). */
static const double viridis[5][3] = {
  { 0.267, 0.005, 0.329 },
  { 0.230, 0.322, 0.546 },
  { 0.128, 0.567, 0.551 },
  { 0.369, 0.789, 0.383 },
  { 0.993, 0.906, 0.144 },
};

static guint32
colormap (double t)
{
  double pos = CLAMP (t, 0, 1) * 4;
  int i = MIN ((int) pos, 3);
  double f = pos - i;
  guint32 rgb = 0xff000000;

  for (int c = 0; c < 3; c++)
    {
      double v = viridis[i][c] * (1 - f) + viridis[i + 1][c] * f;
      rgb |= (guint32) (CLAMP (v, 0, 1) * 255 + 0.5) << (16 - 8 * c);
    }
  return rgb;
}

static int
compare_by_value (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const float *values = user_data;
  float va = values[*(const guint *) a];
  float vb = values[*(const guint *) b];

  /* NaN first, so that it never hides a real score. */
  if (isnan (va) || isnan (vb))
    return isnan (vb) - isnan (va);
  return (va > vb) - (va < vb);
}

static void
update_order (DassieEmbeddingView *self)
{
  g_clear_pointer (&self->order, g_free);
  if (self->values == NULL)
    return;
  self->order = g_new (guint, self->n);
  for (guint i = 0; i < self->n; i++)
    self->order[i] = i;
  g_qsort_with_data (self->order, (int) self->n, sizeof (guint), compare_by_value, self->values);
}

/* The points as square dots in an image: a few writes per point, whatever the number of points. */
static cairo_surface_t *
rasterize (DassieEmbeddingView *self,
           int                  width,
           int                  height,
           int                  scale)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  int w = width * scale, h = height * scale;
  float x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  double span, cx, cy, k;
  int dot = (self->n > 20000 ? 1 : self->n > 2000 ? 2 : 3) * scale;

  cairo_surface_flush (surface);
  for (gsize i = 0; i < self->n; i++)
    {
      float x = self->xy[2 * i], y = self->xy[2 * i + 1];
      if (!isfinite (x) || !isfinite (y))
        continue;
      x_min = MIN (x_min, x);
      x_max = MAX (x_max, x);
      y_min = MIN (y_min, y);
      y_max = MAX (y_max, y);
    }
  if (!(x_max >= x_min))
    {
      cairo_surface_mark_dirty (surface);
      return surface;
    }

  /* One scale on both axes: distances in the plane mean the same in x and y. */
  span = MAX (MAX (x_max - x_min, y_max - y_min), 1e-6);
  k = MIN (w - 2 * dot, h - 2 * dot) / span;
  cx = (x_min + x_max) / 2;
  cy = (y_min + y_max) / 2;

  for (gsize j = 0; j < self->n; j++)
    {
      gsize i = self->order != NULL ? self->order[j] : j;
      float x = self->xy[2 * i], y = self->xy[2 * i + 1];
      guint32 color;
      int px, py;

      if (!isfinite (x) || !isfinite (y))
        continue;
      if (self->values != NULL)
        color = colormap ((double) j / MAX (self->n - 1, 1));
      else
        color = 0xff3584e4;
      px = (int) (w / 2.0 + (x - cx) * k) - dot / 2;
      py = (int) (h / 2.0 - (y - cy) * k) - dot / 2;
      for (int yy = MAX (py, 0); yy < MIN (py + dot, h); yy++)
        {
          guint32 *row = (guint32 *) (data + (gsize) yy * stride);
          for (int xx = MAX (px, 0); xx < MIN (px + dot, w); xx++)
            row[xx] = color;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
draw_legend (DassieEmbeddingView *self,
             cairo_t             *cr,
             PangoLayout         *layout,
             const GdkRGBA       *fg,
             int                  width,
             int                  height)
{
  cairo_pattern_t *gradient;
  double x = MARGIN, y = height - LEGEND_HEIGHT + 8;
  int tw, th;

  pango_layout_set_text (layout, _("Anomaly score: low"), -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.7);
  cairo_move_to (cr, x, y + 5 - th / 2.0);
  pango_cairo_show_layout (cr, layout);
  x += tw + 8;

  gradient = cairo_pattern_create_linear (x, 0, x + 120, 0);
  for (int i = 0; i < 5; i++)
    cairo_pattern_add_color_stop_rgb (gradient, i / 4.0, viridis[i][0], viridis[i][1], viridis[i][2]);
  cairo_rectangle (cr, x, y, 120, 10);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);
  x += 128;

  pango_layout_set_text (layout, _("high"), -1);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.7);
  cairo_move_to (cr, x, y + 5 - th / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
dassie_embedding_view_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  DassieEmbeddingView *self = DASSIE_EMBEDDING_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  int plot_h = height - (self->values != NULL ? LEGEND_HEIGHT : 0);
  int scale = gtk_widget_get_scale_factor (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (width <= 2 * MARGIN || plot_h <= 2 * MARGIN)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->n == 0)
    {
      _dassie_chart_draw_placeholder (widget, cr, self->placeholder, &fg, width, height);
      cairo_destroy (cr);
      return;
    }

  {
    cairo_surface_t *dots = rasterize (self, width - 2 * MARGIN, plot_h - 2 * MARGIN, scale);

    cairo_save (cr);
    cairo_translate (cr, MARGIN, MARGIN);
    cairo_scale (cr, 1.0 / scale, 1.0 / scale);
    cairo_set_source_surface (cr, dots, 0, 0);
    cairo_paint (cr);
    cairo_restore (cr);
    cairo_surface_destroy (dots);
  }

  if (self->values != NULL)
    draw_legend (self, cr, layout, &fg, width, height);
  cairo_destroy (cr);
}

static void
dassie_embedding_view_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  *minimum = 160;
  *natural = 360;
}

static void
dassie_embedding_view_finalize (GObject *object)
{
  DassieEmbeddingView *self = DASSIE_EMBEDDING_VIEW (object);

  g_clear_pointer (&self->xy, g_free);
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->order, g_free);
  g_clear_pointer (&self->placeholder, g_free);

  G_OBJECT_CLASS (dassie_embedding_view_parent_class)->finalize (object);
}

static void
dassie_embedding_view_class_init (DassieEmbeddingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = dassie_embedding_view_finalize;
  widget_class->snapshot = dassie_embedding_view_snapshot;
  widget_class->measure = dassie_embedding_view_measure;
  gtk_widget_class_set_css_name (widget_class, "embeddingview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
dassie_embedding_view_init (DassieEmbeddingView *self)
{
}

GtkWidget *
dassie_embedding_view_new (void)
{
  return g_object_new (DASSIE_TYPE_EMBEDDING_VIEW, NULL);
}

void
dassie_embedding_view_set_points (DassieEmbeddingView *self,
                                  const float         *xy,
                                  gsize                n)
{
  g_return_if_fail (DASSIE_IS_EMBEDDING_VIEW (self));
  g_return_if_fail (n == 0 || xy != NULL);

  if (n != self->n)
    {
      g_clear_pointer (&self->values, g_free);
      g_clear_pointer (&self->order, g_free);
    }
  g_free (self->xy);
  self->xy = n > 0 ? g_memdup2 (xy, n * 2 * sizeof (float)) : NULL;
  self->n = n;
  self->n_updates++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dassie_embedding_view_set_values (DassieEmbeddingView *self,
                                  const float         *values,
                                  gsize                n)
{
  g_return_if_fail (DASSIE_IS_EMBEDDING_VIEW (self));

  g_clear_pointer (&self->values, g_free);
  if (values != NULL && n == self->n && n > 0)
    self->values = g_memdup2 (values, n * sizeof (float));
  update_order (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
dassie_embedding_view_clear (DassieEmbeddingView *self)
{
  g_return_if_fail (DASSIE_IS_EMBEDDING_VIEW (self));

  dassie_embedding_view_set_points (self, NULL, 0);
  self->n_updates = 0;
}

gsize
dassie_embedding_view_get_n_points (DassieEmbeddingView *self)
{
  g_return_val_if_fail (DASSIE_IS_EMBEDDING_VIEW (self), 0);
  return self->n;
}

guint
dassie_embedding_view_get_n_updates (DassieEmbeddingView *self)
{
  g_return_val_if_fail (DASSIE_IS_EMBEDDING_VIEW (self), 0);
  return self->n_updates;
}

void
dassie_embedding_view_set_placeholder (DassieEmbeddingView *self,
                                       const char          *text)
{
  g_return_if_fail (DASSIE_IS_EMBEDDING_VIEW (self));

  g_free (self->placeholder);
  self->placeholder = g_strdup (text);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
