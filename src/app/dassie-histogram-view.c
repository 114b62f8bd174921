/* dassie-histogram-view.c: the histogram of the anomaly scores; a drag across it selects a range
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-histogram-view.h"
#include "dassie-score-methods.h"
#include "dassie-plot-node.h"

struct _DassieHistogramView
{
  GtkWidget            parent_instance;

  char                *x_label;

  GskRenderNode       *static_node;
  int                  node_width;
  int                  node_height;
  int                  node_scale;
  DassieHistogramBins  bins;          /* of the drawn histogram, for the hover label */

  gboolean             dragging;
  DassieSelectMode     drag_mode;
  double               drag_x;
  double               drag_dx;
  int                  hover_bin;
};

G_DEFINE_FINAL_TYPE (DassieHistogramView, dassie_histogram_view, DASSIE_TYPE_CHART)

/* The base class holds the model; short names for what every drawing function asks of it. */
static inline DassieExploreModel *
model_of (DassieHistogramView *self)
{
  return dassie_chart_get_model (DASSIE_CHART (self));
}

static inline DassieCatalog *
catalog_of (DassieHistogramView *self)
{
  return dassie_chart_get_catalog (DASSIE_CHART (self));
}

void
dassie_histogram_view_describe (DassieHistogramView *self,
                                DassieHistogram     *histogram)
{
  g_return_if_fail (DASSIE_IS_HISTOGRAM_VIEW (self));
  g_return_if_fail (histogram != NULL);

  if (model_of (self) != NULL)
    dassie_explore_model_get_histogram (model_of (self), histogram);
  else
    dassie_histogram_init (histogram);
  histogram->title = _("Anomaly scores");
  histogram->x_label = self->x_label;
}

static void
update_accessible (DassieHistogramView *self)
{
  DassieCatalog *catalog = catalog_of (self);
  DassieHistogram histogram;
  g_autofree char *label = NULL;
  double low, high, sel_low, sel_high;
  guint n_bins;

  if (catalog == NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Histogram of the anomaly scores: nothing to show yet"), -1);
      return;
    }
  dassie_histogram_view_describe (self, &histogram);
  dassie_histogram_get_range (&histogram, &low, &high, &n_bins);
  label = g_strdup_printf (ngettext ("Histogram of the anomaly scores of %u object: %u bins from %.3g to %.3g",
                                     "Histogram of the anomaly scores of %u objects: %u bins from %.3g to %.3g",
                                     catalog->n),
                           catalog->n, n_bins, low, high);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (dassie_explore_model_get_selected_range (model_of (self), &sel_low, &sel_high))
    {
      g_autofree char *description = g_strdup_printf (_("Scores from %.3g to %.3g selected"), sel_low, sel_high);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
    }
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
invalidate (DassieHistogramView *self)
{
  g_clear_pointer (&self->static_node, gsk_render_node_unref);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_catalog_changed (DassieHistogramView *self)
{
  DassieCatalog *catalog = catalog_of (self);

  g_clear_pointer (&self->x_label, g_free);
  /* Scores of another method than Hyrax's are named by it. */
  if (catalog != NULL && g_strcmp0 (dassie_catalog_get_ranking_method (catalog), "knn-median") != 0)
    self->x_label = g_strdup (dassie_score_method_get_label (dassie_catalog_get_ranking_method (catalog)));
  else if (catalog != NULL && catalog->k > 0)
    self->x_label = g_strdup_printf (ngettext ("Median distance to the nearest neighbour in latent space",
                                               "Median distance to the %u nearest neighbours in latent space",
                                               catalog->k),
                                     catalog->k);
  else
    self->x_label = g_strdup (_("Median distance to the nearest neighbours in latent space"));
  self->hover_bin = -1;
  invalidate (self);
}

static void
draw_histogram (cairo_t       *cr,
                double         width,
                double         height,
                gconstpointer  plot)
{
  dassie_plot_histogram (cr, width, height, plot);
}

static void
ensure_static_node (DassieHistogramView *self,
                    int                  width,
                    int                  height,
                    int                  scale)
{
  DassieHistogram histogram;

  if (self->static_node != NULL && self->node_width == width && self->node_height == height &&
      self->node_scale == scale)
    return;
  g_clear_pointer (&self->static_node, gsk_render_node_unref);

  dassie_histogram_view_describe (self, &histogram);
  dassie_histogram_bins_clear (&self->bins);
  dassie_histogram_compute (&histogram, &self->bins);
  self->static_node = dassie_plot_render_node (draw_histogram, &histogram, width, height, scale);
  self->node_width = width;
  self->node_height = height;
  self->node_scale = scale;
}

int
dassie_histogram_view_bin_at (DassieHistogramView *self,
                              double               x)
{
  DassieHistogram histogram;
  double low, high, value;
  guint n_bins;

  g_return_val_if_fail (DASSIE_IS_HISTOGRAM_VIEW (self), -1);

  if (catalog_of (self) == NULL)
    return -1;
  dassie_histogram_view_describe (self, &histogram);
  dassie_histogram_get_range (&histogram, &low, &high, &n_bins);
  value = dassie_plot_histogram_value_at (gtk_widget_get_width (GTK_WIDGET (self)),
                                          gtk_widget_get_height (GTK_WIDGET (self)), &histogram, x);
  return dassie_histogram_bin_of (value, low, high, n_bins);
}

/* The bins a drag from pixel column @x0 to @x1 covers. */
static gboolean
drag_bins (DassieHistogramView *self,
           double               x0,
           double               x1,
           guint               *first,
           guint               *last)
{
  DassieHistogram histogram;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  dassie_histogram_view_describe (self, &histogram);
  return dassie_histogram_snap (&histogram,
                                dassie_plot_histogram_value_at (width, height, &histogram, x0),
                                dassie_plot_histogram_value_at (width, height, &histogram, x1),
                                first, last);
}

/* Centred above the bars at @x. */
static void
draw_label (DassieHistogramView *self,
            cairo_t             *cr,
            const char          *text,
            double               x,
            double               y,
            int                  width,
            int                  height)
{
  double bw, bh;

  dassie_plot_measure_label (GTK_WIDGET (self), text, &bw, &bh);
  dassie_plot_draw_label (GTK_WIDGET (self), cr, text, x - bw / 2, y, width, height);
}

static void
draw_overlays (DassieHistogramView *self,
               GtkSnapshot         *snapshot,
               int                  width,
               int                  height)
{
  DassieHistogram histogram;
  cairo_rectangle_t area;
  guint first, last;
  cairo_t *cr;

  if (!self->dragging && self->hover_bin < 0)
    return;
  if (self->bins.n_bins == 0)
    return;

  dassie_histogram_view_describe (self, &histogram);
  dassie_plot_histogram_area (width, height, &histogram, &area);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->dragging && drag_bins (self, self->drag_x, self->drag_x + self->drag_dx, &first, &last))
    {
      double x0 = area.x + area.width * first / self->bins.n_bins;
      double x1 = area.x + area.width * (last + 1) / self->bins.n_bins;
      guint64 count = 0;
      g_autofree char *text = NULL;

      for (guint k = first; k <= last; k++)
        count += self->bins.counts[k];
      cairo_rectangle (cr, x0, area.y, x1 - x0, area.height);
      cairo_set_source_rgba (cr, 0.90, 0.38, 0, self->drag_mode == DASSIE_SELECT_SUBTRACT ? 0.10 : 0.22);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 1);
      cairo_set_source_rgb (cr, 0.90, 0.38, 0);
      cairo_stroke (cr);
      text = g_strdup_printf (ngettext ("%.4g – %.4g: %llu object", "%.4g – %.4g: %llu objects", (gulong) count),
                              dassie_histogram_bin_edge (self->bins.low, self->bins.high, self->bins.n_bins, first),
                              dassie_histogram_bin_edge (self->bins.low, self->bins.high, self->bins.n_bins, last + 1),
                              (unsigned long long) count);
      draw_label (self, cr, text, (x0 + x1) / 2, area.y + 4, width, height);
    }
  else if (!self->dragging && self->hover_bin >= 0 && (guint) self->hover_bin < self->bins.n_bins)
    {
      guint k = (guint) self->hover_bin;
      double x0 = area.x + area.width * k / self->bins.n_bins;
      double x1 = area.x + area.width * (k + 1) / self->bins.n_bins;
      g_autofree char *text = NULL;

      cairo_rectangle (cr, x0, area.y, x1 - x0, area.height);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.06);
      cairo_fill (cr);
      text = g_strdup_printf (ngettext ("%.4g – %.4g: %llu object", "%.4g – %.4g: %llu objects",
                                        (gulong) self->bins.counts[k]),
                              dassie_histogram_bin_edge (self->bins.low, self->bins.high, self->bins.n_bins, k),
                              dassie_histogram_bin_edge (self->bins.low, self->bins.high, self->bins.n_bins, k + 1),
                              (unsigned long long) self->bins.counts[k]);
      draw_label (self, cr, text, (x0 + x1) / 2, area.y + 4, width, height);
    }
  cairo_destroy (cr);
}

static void
dassie_histogram_view_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  DassieHistogramView *self = DASSIE_HISTOGRAM_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (width <= 0 || height <= 0)
    return;

  if (catalog_of (self) == NULL)
    {
      dassie_plot_snapshot_placeholder (widget, snapshot, _("The histogram of the anomaly scores appears here."));
      return;
    }

  ensure_static_node (self, width, height, gtk_widget_get_scale_factor (widget));
  gtk_snapshot_append_node (snapshot, self->static_node);
  draw_overlays (self, snapshot, width, height);
}

static void
dassie_histogram_view_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 280 : 150;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 220;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           DassieHistogramView      *self)
{
  int bin = dassie_histogram_view_bin_at (self, x);

  if (bin != self->hover_bin)
    {
      self->hover_bin = bin;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *controller,
          DassieHistogramView      *self)
{
  self->hover_bin = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_begin (GtkGestureDrag      *gesture,
               double               x,
               double               y,
               DassieHistogramView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  if (catalog_of (self) == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->dragging = TRUE;
  self->drag_x = x;
  self->drag_dx = 0;
  self->drag_mode = state & GDK_CONTROL_MASK ? DASSIE_SELECT_SUBTRACT
                  : state & GDK_SHIFT_MASK ? DASSIE_SELECT_ADD : DASSIE_SELECT_REPLACE;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag      *gesture,
                double               dx,
                double               dy,
                DassieHistogramView *self)
{
  self->drag_dx = dx;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag      *gesture,
             double               dx,
             double               dy,
             DassieHistogramView *self)
{
  guint first, last;

  if (!self->dragging)
    return;
  self->dragging = FALSE;
  /* A click selects the bar under it; a drag the bars it spans. */
  if (drag_bins (self, self->drag_x, self->drag_x + dx, &first, &last))
    dassie_explore_model_select_bins (model_of (self), first, last, self->drag_mode);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
dassie_histogram_view_dispose (GObject *object)
{
  DassieHistogramView *self = DASSIE_HISTOGRAM_VIEW (object);

  g_clear_pointer (&self->static_node, gsk_render_node_unref);

  G_OBJECT_CLASS (dassie_histogram_view_parent_class)->dispose (object);
}

static void
dassie_histogram_view_finalize (GObject *object)
{
  DassieHistogramView *self = DASSIE_HISTOGRAM_VIEW (object);

  dassie_histogram_bins_clear (&self->bins);
  g_clear_pointer (&self->x_label, g_free);

  G_OBJECT_CLASS (dassie_histogram_view_parent_class)->finalize (object);
}

static void
dassie_histogram_view_connect_model (DassieChart        *chart,
                                     DassieExploreModel *model)
{
  g_signal_connect_swapped (model, "selection-changed", G_CALLBACK (invalidate), chart);
  g_signal_connect_swapped (model, "notify::histogram-min", G_CALLBACK (invalidate), chart);
  g_signal_connect_swapped (model, "notify::histogram-max", G_CALLBACK (invalidate), chart);
  g_signal_connect_swapped (model, "notify::log-counts", G_CALLBACK (invalidate), chart);
}

static void
dassie_histogram_view_catalog_changed (DassieChart *chart)
{
  on_catalog_changed (DASSIE_HISTOGRAM_VIEW (chart));
}

static void
dassie_histogram_view_class_init (DassieHistogramViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DassieChartClass *chart_class = DASSIE_CHART_CLASS (klass);

  chart_class->connect_model = dassie_histogram_view_connect_model;
  chart_class->catalog_changed = dassie_histogram_view_catalog_changed;
  object_class->dispose = dassie_histogram_view_dispose;
  object_class->finalize = dassie_histogram_view_finalize;
  widget_class->snapshot = dassie_histogram_view_snapshot;
  widget_class->measure = dassie_histogram_view_measure;


  gtk_widget_class_set_css_name (widget_class, "histogramview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
dassie_histogram_view_init (DassieHistogramView *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->hover_bin = -1;
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (invalidate), NULL);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "col-resize");
  on_catalog_changed (self);
}

GtkWidget *
dassie_histogram_view_new (void)
{
  return g_object_new (DASSIE_TYPE_HISTOGRAM_VIEW, NULL);
}
