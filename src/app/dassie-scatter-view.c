/* dassie-scatter-view.c: the UMAP map coloured by score: pan, zoom, hover, click, lasso and box
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-label-style.h"
#include "dassie-plot-node.h"
#include "dassie-scatter-view.h"
#include "dassie-score-methods.h"

#define PICK_RADIUS      6.0
#define CLICK_SLOP       4.0
#define LASSO_STEP       2.0
#define WHEEL_ZOOM       1.2

typedef enum
{
  DRAG_NONE,
  DRAG_PAN,
  DRAG_LASSO,
  DRAG_BOX,
} DragKind;

struct _DassieScatterView
{
  GtkWidget           parent_instance;

  DassieScatterTool   tool;
  DassieScatterCache *cache;

  /* The static part: points, axes, colour bar. */
  GskRenderNode      *static_node;
  int                 node_width;
  int                 node_height;
  int                 node_scale;
  guint               n_renders;
  double              render_ms;

  /* The gesture in progress. */
  DragKind            drag;
  DassieSelectMode    drag_mode;
  double              drag_x;
  double              drag_y;
  double              drag_dx;
  double              drag_dy;
  GArray             *lasso;        /* (x, y) pixel pairs */

  gssize              hover;
  double              pointer_x;
  double              pointer_y;
  gboolean            pointer_inside;

  /* With "hide-artifacts": the positions with NaN for the objects labelled artifact, so that they
   * are neither drawn nor picked; remade when the labels change. */
  float              *shown_x;
  float              *shown_y;
};

enum {
  PROP_0,
  PROP_TOOL,
  N_PROPS
};

enum {
  OBJECT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (DassieScatterTool, dassie_scatter_tool,
                    G_DEFINE_ENUM_VALUE (DASSIE_SCATTER_TOOL_PAN, "pan"),
                    G_DEFINE_ENUM_VALUE (DASSIE_SCATTER_TOOL_LASSO, "lasso"),
                    G_DEFINE_ENUM_VALUE (DASSIE_SCATTER_TOOL_BOX, "box"))

G_DEFINE_FINAL_TYPE (DassieScatterView, dassie_scatter_view, DASSIE_TYPE_CHART)

/* The base class holds the model; short names for what every drawing function asks of it. */
static inline DassieExploreModel *
model_of (DassieScatterView *self)
{
  return dassie_chart_get_model (DASSIE_CHART (self));
}

static inline DassieCatalog *
catalog_of (DassieScatterView *self)
{
  return dassie_chart_get_catalog (DASSIE_CHART (self));
}

void
dassie_scatter_view_describe (DassieScatterView *self,
                              DassieScatter     *scatter)
{
  DassieCatalog *catalog;
  DassieHistogram histogram;

  g_return_if_fail (DASSIE_IS_SCATTER_VIEW (self));
  g_return_if_fail (scatter != NULL);

  dassie_scatter_init (scatter);
  scatter->title = _("Latent space (UMAP)");
  scatter->x_label = _("UMAP 1");
  scatter->y_label = _("UMAP 2");
  scatter->value_label = _("Anomaly score (median k-NN distance)");
  scatter->cache = self->cache;
  catalog = catalog_of (self);
  if (catalog == NULL)
    return;
  if (g_strcmp0 (dassie_catalog_get_ranking_method (catalog), "knn-median") != 0)
    scatter->value_label = dassie_score_method_get_label (dassie_catalog_get_ranking_method (catalog));

  scatter->x = catalog->x;
  scatter->y = catalog->y;
  if (dassie_explore_model_has_hidden_rows (model_of (self)))
    {
      if (self->shown_x == NULL)
        {
          self->shown_x = g_memdup2 (catalog->x, sizeof (float) * catalog->n);
          self->shown_y = g_memdup2 (catalog->y, sizeof (float) * catalog->n);
          for (guint i = 0; i < catalog->n; i++)
            if (dassie_explore_model_row_hidden (model_of (self), i))
              self->shown_x[i] = self->shown_y[i] = NAN;
        }
      scatter->x = self->shown_x;
      scatter->y = self->shown_y;
    }
  scatter->marks = catalog->labels;
  scatter->mark_rgb = dassie_label_rgb;
  scatter->n_mark_colors = G_N_ELEMENTS (dassie_label_rgb);
  scatter->values = catalog->scores;
  scatter->n = catalog->n;
  scatter->colormap = dassie_explore_model_get_colormap (model_of (self));
  scatter->selection = dassie_explore_model_get_selection (model_of (self));
  scatter->view = dassie_explore_model_get_view (model_of (self));
  /* The colours span the histogram's range, so both plots read the same scale. */
  dassie_explore_model_get_histogram (model_of (self), &histogram);
  scatter->value_min = histogram.range_min;
  scatter->value_max = histogram.range_max;
  {
    double low, high;
    const float *colors = dassie_explore_model_get_color_values (model_of (self), &low, &high);

    if (colors != NULL)
      {
        scatter->values = colors;
        scatter->value_min = low;
        scatter->value_max = high;
        scatter->value_label = dassie_explore_model_get_color_column (model_of (self));
      }
  }
}

static void
invalidate (DassieScatterView *self)
{
  g_clear_pointer (&self->static_node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_accessible (DassieScatterView *self)
{
  DassieCatalog *catalog = catalog_of (self);
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;

  if (catalog == NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Map of the latent space: nothing to show yet"), -1);
      return;
    }
  label = g_strdup_printf (ngettext ("Map of the latent space (UMAP) of %u object, coloured by anomaly score",
                                     "Map of the latent space (UMAP) of %u objects, coloured by anomaly score",
                                     catalog->n),
                           catalog->n);
  description = g_strdup_printf (ngettext ("%u object selected; zoomed %.1f times",
                                           "%u objects selected; zoomed %.1f times",
                                           dassie_explore_model_get_n_selected (model_of (self))),
                                 dassie_explore_model_get_n_selected (model_of (self)),
                                 dassie_explore_model_get_zoom (model_of (self)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
sync_view_area (DassieScatterView *self)
{
  DassieScatter scatter;
  cairo_rectangle_t area;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (model_of (self) == NULL || width <= 0 || height <= 0)
    return;
  dassie_scatter_view_describe (self, &scatter);
  dassie_plot_scatter_area (width, height, &scatter, &area);
  dassie_explore_model_set_view_area (model_of (self), area.x, area.y, area.width, area.height);
}

static void
on_labels_changed (DassieScatterView *self)
{
  g_clear_pointer (&self->shown_x, g_free);
  g_clear_pointer (&self->shown_y, g_free);
  self->hover = -1;
  invalidate (self);
}

static void
on_catalog_changed (DassieScatterView *self)
{
  g_clear_pointer (&self->shown_x, g_free);
  g_clear_pointer (&self->shown_y, g_free);
  self->hover = -1;
  if (self->cache != NULL)
    dassie_scatter_cache_invalidate (self->cache);
  sync_view_area (self);
  update_accessible (self);
  invalidate (self);
}

static void
on_selection_changed (DassieScatterView *self)
{
  update_accessible (self);
  invalidate (self);
}

static void
on_view_changed (DassieScatterView *self)
{
  invalidate (self);
}

static void
draw_scatter (cairo_t       *cr,
              double         width,
              double         height,
              gconstpointer  plot)
{
  dassie_plot_scatter (cr, width, height, plot);
}

static void
ensure_static_node (DassieScatterView *self,
                    int                width,
                    int                height,
                    int                scale)
{
  DassieScatter scatter;
  gint64 start;

  if (self->static_node != NULL && self->node_width == width && self->node_height == height &&
      self->node_scale == scale)
    return;
  g_clear_pointer (&self->static_node, gsk_render_node_unref);

  start = g_get_monotonic_time ();
  dassie_scatter_view_describe (self, &scatter);
  self->static_node = dassie_plot_render_node (draw_scatter, &scatter, width, height, scale);
  self->node_width = width;
  self->node_height = height;
  self->node_scale = scale;
  self->n_renders++;
  self->render_ms = (g_get_monotonic_time () - start) / 1000.0;
}

/* Id, score and rank beside the point, above it unless that leaves the drawing. */
static void
draw_hover_label (DassieScatterView *self,
                  cairo_t           *cr,
                  DassieCatalog     *catalog,
                  double             x,
                  double             y,
                  int                width,
                  int                height)
{
  g_autofree char *id = g_markup_escape_text (catalog->ids[self->hover], -1);
  g_autofree char *markup = g_strdup_printf (_("<b>%s</b>\nScore %.4g · rank %u of %u"), id,
                                             catalog->scores[self->hover], catalog->ranks[self->hover], catalog->n);
  double bw, bh, bx, by;

  dassie_plot_measure_label (GTK_WIDGET (self), markup, &bw, &bh);
  bx = x + 14 + bw > width - 4 ? x - 14 - bw : x + 14;
  by = y - bh - 10 < 4 ? y + 14 : y - bh - 10;
  dassie_plot_draw_label (GTK_WIDGET (self), cr, markup, bx, by, width, height);
}

static void
draw_overlays (DassieScatterView *self,
               GtkSnapshot       *snapshot,
               int                width,
               int                height)
{
  DassieCatalog *catalog = catalog_of (self);
  const DassieView *view = dassie_explore_model_get_view (model_of (self));
  gboolean lasso = self->drag == DRAG_LASSO && self->lasso->len >= 2;
  gboolean box = self->drag == DRAG_BOX;
  gboolean hover = self->hover >= 0 && self->drag == DRAG_NONE;
  cairo_t *cr;

  if (!lasso && !box && !hover)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_save (cr);
  cairo_rectangle (cr, view->left, view->top, view->width, view->height);
  cairo_clip (cr);

  if (lasso || box)
    {
      if (lasso)
        {
          const double *xy = (const double *) (gpointer) self->lasso->data;

          cairo_move_to (cr, xy[0], xy[1]);
          for (guint i = 1; i < self->lasso->len / 2; i++)
            cairo_line_to (cr, xy[2 * i], xy[2 * i + 1]);
          cairo_close_path (cr);
        }
      else
        cairo_rectangle (cr, MIN (self->drag_x, self->drag_x + self->drag_dx),
                         MIN (self->drag_y, self->drag_y + self->drag_dy),
                         fabs (self->drag_dx), fabs (self->drag_dy));
      cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);
      cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, self->drag_mode == DASSIE_SELECT_SUBTRACT ? 0.06 : 0.14);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 1.5);
      if (self->drag_mode == DASSIE_SELECT_SUBTRACT)
        {
          const double dash[] = { 5, 3 };
          cairo_set_dash (cr, dash, 2, 0);
          cairo_set_source_rgb (cr, 0.75, 0.11, 0.16);
        }
      else
        cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
      cairo_stroke (cr);
    }

  if (hover && catalog != NULL && (gsize) self->hover < catalog->n)
    {
      double px, py;

      dassie_view_data_to_pixel (view, catalog->x[self->hover], catalog->y[self->hover], &px, &py);
      cairo_arc (cr, px, py, 6, 0, 2 * G_PI);
      cairo_set_line_width (cr, 3);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_stroke_preserve (cr);
      cairo_set_line_width (cr, 1.5);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_stroke (cr);
      cairo_restore (cr);
      cairo_save (cr);
      draw_hover_label (self, cr, catalog, px, py, width, height);
    }
  cairo_restore (cr);
  cairo_destroy (cr);
}

static void
dassie_scatter_view_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  DassieScatterView *self = DASSIE_SCATTER_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (width <= 0 || height <= 0)
    return;

  if (catalog_of (self) == NULL)
    {
      dassie_plot_snapshot_placeholder (widget, snapshot, _("The map of the latent space appears here."));
      return;
    }

  ensure_static_node (self, width, height, gtk_widget_get_scale_factor (widget));
  gtk_snapshot_append_node (snapshot, self->static_node);
  draw_overlays (self, snapshot, width, height);
}

static void
dassie_scatter_view_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  /* The data range stays; a new size redraws the points (see ensure_static_node). */
  sync_view_area (DASSIE_SCATTER_VIEW (widget));
}

static void
dassie_scatter_view_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 280 : 220;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 480;
}

gssize
dassie_scatter_view_pick (DassieScatterView *self,
                          double             x,
                          double             y)
{
  DassieScatter scatter;

  g_return_val_if_fail (DASSIE_IS_SCATTER_VIEW (self), -1);

  if (catalog_of (self) == NULL)
    return -1;
  dassie_scatter_view_describe (self, &scatter);
  return dassie_plot_scatter_pick (gtk_widget_get_width (GTK_WIDGET (self)),
                                   gtk_widget_get_height (GTK_WIDGET (self)),
                                   &scatter, x, y, PICK_RADIUS);
}

static void
set_hover (DassieScatterView *self,
           gssize             row)
{
  if (row == self->hover)
    return;
  self->hover = row;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   row >= 0 ? "pointer"
                                            : self->tool == DASSIE_SCATTER_TOOL_PAN ? "grab" : "crosshair");
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           DassieScatterView        *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  if (self->drag != DRAG_NONE)
    return;
  set_hover (self, dassie_scatter_view_pick (self, x, y));
}

static void
on_leave (GtkEventControllerMotion *controller,
          DassieScatterView        *self)
{
  self->pointer_inside = FALSE;
  set_hover (self, -1);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           DassieScatterView        *self)
{
  double x = self->pointer_x, y = self->pointer_y;

  if (model_of (self) == NULL || catalog_of (self) == NULL || dy == 0)
    return FALSE;
  if (!self->pointer_inside)
    {
      const DassieView *view = dassie_explore_model_get_view (model_of (self));
      x = view->left + view->width / 2;
      y = view->top + view->height / 2;
    }
  dassie_explore_model_zoom (model_of (self), pow (WHEEL_ZOOM, -dy), x, y);
  set_hover (self, dassie_scatter_view_pick (self, x, y));
  return TRUE;
}

static DassieSelectMode
mode_for_state (GdkModifierType state)
{
  if (state & GDK_CONTROL_MASK)
    return DASSIE_SELECT_SUBTRACT;
  if (state & GDK_SHIFT_MASK)
    return DASSIE_SELECT_ADD;
  return DASSIE_SELECT_REPLACE;
}

static void
lasso_append (DassieScatterView *self,
              double             x,
              double             y)
{
  double xy[2] = { x, y };
  g_array_append_vals (self->lasso, xy, 2);
}

static void
on_drag_begin (GtkGestureDrag    *gesture,
               double             x,
               double             y,
               DassieScatterView *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  if (catalog_of (self) == NULL || button == GDK_BUTTON_SECONDARY)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
  self->drag_mode = mode_for_state (state);
  g_array_set_size (self->lasso, 0);

  if (button == GDK_BUTTON_MIDDLE)
    self->drag = DRAG_PAN;
  else if (self->tool == DASSIE_SCATTER_TOOL_BOX)
    self->drag = DRAG_BOX;
  /* Shift or Ctrl in the pan tool draw a lasso too: adding and subtracting never need a tool change. */
  else if (self->tool == DASSIE_SCATTER_TOOL_LASSO || self->drag_mode != DASSIE_SELECT_REPLACE)
    self->drag = DRAG_LASSO;
  else
    self->drag = DRAG_PAN;

  if (self->drag == DRAG_LASSO)
    lasso_append (self, x, y);
  if (self->drag == DRAG_PAN)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_drag_update (GtkGestureDrag    *gesture,
                double             dx,
                double             dy,
                DassieScatterView *self)
{
  switch (self->drag)
    {
    case DRAG_PAN:
      dassie_explore_model_pan (model_of (self), dx - self->drag_dx, dy - self->drag_dy);
      break;
    case DRAG_LASSO:
      {
        const double *last = &g_array_index (self->lasso, double, self->lasso->len - 2);
        double x = self->drag_x + dx, y = self->drag_y + dy;

        if (hypot (x - last[0], y - last[1]) >= LASSO_STEP)
          lasso_append (self, x, y);
        gtk_widget_queue_draw (GTK_WIDGET (self));
      }
      break;
    case DRAG_BOX:
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DRAG_NONE:
    default:
      break;
    }
  self->drag_dx = dx;
  self->drag_dy = dy;
}

static void
on_drag_end (GtkGestureDrag    *gesture,
             double             dx,
             double             dy,
             DassieScatterView *self)
{
  DragKind drag = self->drag;

  if (drag == DRAG_NONE)
    return;
  self->drag = DRAG_NONE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), self->tool == DASSIE_SCATTER_TOOL_PAN ? "grab" : "crosshair");

  /* Hardly moved: a click, which opens the object under the pointer. */
  if (hypot (dx, dy) < CLICK_SLOP)
    {
      gssize row = dassie_scatter_view_pick (self, self->drag_x, self->drag_y);

      g_array_set_size (self->lasso, 0);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      if (row >= 0)
        g_signal_emit (self, signals[OBJECT_ACTIVATED], 0, (guint) row);
      return;
    }

  if (drag == DRAG_LASSO && self->lasso->len >= 6)
    dassie_explore_model_select_lasso (model_of (self), (const double *) (gpointer) self->lasso->data,
                                       self->lasso->len / 2, self->drag_mode);
  else if (drag == DRAG_BOX)
    dassie_explore_model_select_box (model_of (self), self->drag_x, self->drag_y, self->drag_x + dx,
                                     self->drag_y + dy, self->drag_mode);
  g_array_set_size (self->lasso, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_cancel (GtkGesture        *gesture,
                GdkEventSequence  *sequence,
                DassieScatterView *self)
{
  self->drag = DRAG_NONE;
  g_array_set_size (self->lasso, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_scale_factor (DassieScatterView *self)
{
  invalidate (self);
}

static void
dassie_scatter_view_dispose (GObject *object)
{
  DassieScatterView *self = DASSIE_SCATTER_VIEW (object);

  g_clear_pointer (&self->static_node, gsk_render_node_unref);

  G_OBJECT_CLASS (dassie_scatter_view_parent_class)->dispose (object);
}

static void
dassie_scatter_view_finalize (GObject *object)
{
  DassieScatterView *self = DASSIE_SCATTER_VIEW (object);

  g_clear_pointer (&self->cache, dassie_scatter_cache_free);
  g_clear_pointer (&self->lasso, g_array_unref);
  g_clear_pointer (&self->shown_x, g_free);
  g_clear_pointer (&self->shown_y, g_free);

  G_OBJECT_CLASS (dassie_scatter_view_parent_class)->finalize (object);
}

static void
dassie_scatter_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  DassieScatterView *self = DASSIE_SCATTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_TOOL:
      g_value_set_enum (value, self->tool);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_scatter_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  DassieScatterView *self = DASSIE_SCATTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_TOOL:
      dassie_scatter_view_set_tool (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_scatter_view_connect_model (DassieChart        *chart,
                                   DassieExploreModel *model)
{
  DassieScatterView *self = DASSIE_SCATTER_VIEW (chart);

  g_signal_connect_swapped (model, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (model, "view-changed", G_CALLBACK (on_view_changed), self);
  g_signal_connect_swapped (model, "notify::colormap", G_CALLBACK (invalidate), self);
  g_signal_connect_swapped (model, "notify::color-column", G_CALLBACK (invalidate), self);
  g_signal_connect_swapped (model, "notify::histogram-min", G_CALLBACK (invalidate), self);
  g_signal_connect_swapped (model, "notify::histogram-max", G_CALLBACK (invalidate), self);
  g_signal_connect_swapped (model, "labels-changed", G_CALLBACK (on_labels_changed), self);
  g_signal_connect_swapped (model, "notify::hide-artifacts", G_CALLBACK (on_labels_changed), self);
  g_signal_connect_swapped (model, "filter-changed", G_CALLBACK (on_labels_changed), self);
}

static void
dassie_scatter_view_catalog_changed (DassieChart *chart)
{
  on_catalog_changed (DASSIE_SCATTER_VIEW (chart));
}

static void
dassie_scatter_view_class_init (DassieScatterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  DassieChartClass *chart_class = DASSIE_CHART_CLASS (klass);

  chart_class->connect_model = dassie_scatter_view_connect_model;
  chart_class->catalog_changed = dassie_scatter_view_catalog_changed;
  object_class->dispose = dassie_scatter_view_dispose;
  object_class->finalize = dassie_scatter_view_finalize;
  object_class->get_property = dassie_scatter_view_get_property;
  object_class->set_property = dassie_scatter_view_set_property;
  widget_class->snapshot = dassie_scatter_view_snapshot;
  widget_class->measure = dassie_scatter_view_measure;
  widget_class->size_allocate = dassie_scatter_view_size_allocate;

  properties[PROP_TOOL] =
    g_param_spec_enum ("tool", NULL, NULL, DASSIE_TYPE_SCATTER_TOOL, DASSIE_SCATTER_TOOL_PAN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The catalog row of the point the user clicked. */
  signals[OBJECT_ACTIVATED] =
    g_signal_new ("object-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "scatterview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
dassie_scatter_view_init (DassieScatterView *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  self->cache = dassie_scatter_cache_new ();
  self->lasso = g_array_new (FALSE, FALSE, sizeof (double));
  self->hover = -1;

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_scale_factor), NULL);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  update_accessible (self);
}

GtkWidget *
dassie_scatter_view_new (void)
{
  return g_object_new (DASSIE_TYPE_SCATTER_VIEW, NULL);
}

void
dassie_scatter_view_set_tool (DassieScatterView *self,
                              DassieScatterTool  tool)
{
  g_return_if_fail (DASSIE_IS_SCATTER_VIEW (self));

  if (tool == self->tool)
    return;
  self->tool = tool;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), tool == DASSIE_SCATTER_TOOL_PAN ? "grab" : "crosshair");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
}

DassieScatterTool
dassie_scatter_view_get_tool (DassieScatterView *self)
{
  g_return_val_if_fail (DASSIE_IS_SCATTER_VIEW (self), DASSIE_SCATTER_TOOL_PAN);
  return self->tool;
}

gssize
dassie_scatter_view_get_hover (DassieScatterView *self)
{
  g_return_val_if_fail (DASSIE_IS_SCATTER_VIEW (self), -1);
  return self->hover;
}

guint
dassie_scatter_view_get_n_renders (DassieScatterView *self)
{
  g_return_val_if_fail (DASSIE_IS_SCATTER_VIEW (self), 0);
  return self->n_renders;
}

double
dassie_scatter_view_get_render_ms (DassieScatterView *self)
{
  g_return_val_if_fail (DASSIE_IS_SCATTER_VIEW (self), 0);
  return self->render_ms;
}
