/* dassie-embedding-view.c: a 2-D embedding as a scatter coloured by score, redrawn as it changes
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-chart-private.h"
#include "dassie-embedding-view.h"
#include "dassie-plot.h"

struct _DassieEmbeddingView
{
  GtkWidget           parent_instance;

  float              *x;
  float              *y;
  gsize               n;
  float              *values;      /* n, or NULL */
  guint               n_updates;
  char               *placeholder;
  DassieScatterCache *cache;       /* the raster, kept between frames */
};

G_DEFINE_FINAL_TYPE (DassieEmbeddingView, dassie_embedding_view, GTK_TYPE_WIDGET)

static void
dassie_embedding_view_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  DassieEmbeddingView *self = DASSIE_EMBEDDING_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  DassieScatter scatter;
  GdkRGBA fg;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->n == 0)
    {
      _dassie_chart_draw_placeholder (widget, cr, self->placeholder, &fg, width, height);
      cairo_destroy (cr);
      return;
    }

  dassie_scatter_init (&scatter);
  scatter.x = self->x;
  scatter.y = self->y;
  scatter.values = self->values;
  scatter.n = self->n;
  scatter.colormap = DASSIE_COLORMAP_VIRIDIS;
  scatter.x_label = _("UMAP 1");
  scatter.y_label = _("UMAP 2");
  scatter.value_label = _("Anomaly score");
  scatter.cache = self->cache;
  dassie_plot_scatter (cr, width, height, &scatter);
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

  g_clear_pointer (&self->x, g_free);
  g_clear_pointer (&self->y, g_free);
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->placeholder, g_free);
  g_clear_pointer (&self->cache, dassie_scatter_cache_free);

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
  self->cache = dassie_scatter_cache_new ();
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
    g_clear_pointer (&self->values, g_free);
  g_free (self->x);
  g_free (self->y);
  self->x = g_new (float, MAX (n, 1));
  self->y = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      self->x[i] = xy[2 * i];
      self->y[i] = xy[2 * i + 1];
    }
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

const float *
dassie_embedding_view_get_values (DassieEmbeddingView *self)
{
  g_return_val_if_fail (DASSIE_IS_EMBEDDING_VIEW (self), NULL);
  return self->values;
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
