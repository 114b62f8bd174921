/* dassie-loss-chart.c: the live loss curve of a training run: per batch and per epoch
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-chart-private.h"
#include "dassie-loss-chart.h"
#include "dassie-plot.h"

struct _DassieLossChart
{
  GtkWidget  parent_instance;

  GArray    *train_epoch;
  GArray    *train_loss;
  GArray    *val_epoch;
  GArray    *val_loss;
  double     baseline_loss;   /* NAN: none */
  char      *placeholder;
};

G_DEFINE_FINAL_TYPE (DassieLossChart, dassie_loss_chart, GTK_TYPE_WIDGET)

static void
update_limits (const double *values,
               gsize         n,
               double       *low,
               double       *high)
{
  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      {
        *low = MIN (*low, values[i]);
        *high = MAX (*high, values[i]);
      }
}

void
_dassie_chart_draw_placeholder (GtkWidget     *widget,
                                cairo_t       *cr,
                                const char    *text,
                                const GdkRGBA *fg,
                                int            width,
                                int            height)
{
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  if (text == NULL || width <= 48)
    return;
  layout = gtk_widget_create_pango_layout (widget, text);
  pango_layout_set_width (layout, (width - 48) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, fg->alpha * 0.55);
  cairo_move_to (cr, 24, (height - h) / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
dassie_loss_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  DassieLossChart *self = DASSIE_LOSS_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  DassieLossCurve curve = { 0 };
  double low = INFINITY, high = -INFINITY;
  GdkRGBA fg;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->train_loss->len == 0 && self->val_loss->len == 0)
    {
      _dassie_chart_draw_placeholder (widget, cr, self->placeholder, &fg, width, height);
      cairo_destroy (cr);
      return;
    }

  curve.train_epoch = (const double *) self->train_epoch->data;
  curve.train_loss = (const double *) self->train_loss->data;
  curve.n_train = self->train_loss->len;
  curve.val_epoch = (const double *) self->val_epoch->data;
  curve.val_loss = (const double *) self->val_loss->data;
  curve.n_val = self->val_loss->len;
  curve.has_baseline = isfinite (self->baseline_loss);
  curve.baseline_loss = self->baseline_loss;
  /* A loss that falls by orders of magnitude reads better on a log axis. */
  update_limits (curve.train_loss, curve.n_train, &low, &high);
  update_limits (curve.val_loss, curve.n_val, &low, &high);
  update_limits (&self->baseline_loss, 1, &low, &high);
  curve.log_loss = low > 0 && high / low > 50;
  dassie_plot_loss (cr, width, height, &curve);
  cairo_destroy (cr);
}

static void
dassie_loss_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 600 : 320;
}

static void
dassie_loss_chart_finalize (GObject *object)
{
  DassieLossChart *self = DASSIE_LOSS_CHART (object);

  g_clear_pointer (&self->train_epoch, g_array_unref);
  g_clear_pointer (&self->train_loss, g_array_unref);
  g_clear_pointer (&self->val_epoch, g_array_unref);
  g_clear_pointer (&self->val_loss, g_array_unref);
  g_clear_pointer (&self->placeholder, g_free);

  G_OBJECT_CLASS (dassie_loss_chart_parent_class)->finalize (object);
}

static void
dassie_loss_chart_class_init (DassieLossChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = dassie_loss_chart_finalize;
  widget_class->snapshot = dassie_loss_chart_snapshot;
  widget_class->measure = dassie_loss_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "losschart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
dassie_loss_chart_init (DassieLossChart *self)
{
  self->train_epoch = g_array_new (FALSE, FALSE, sizeof (double));
  self->train_loss = g_array_new (FALSE, FALSE, sizeof (double));
  self->val_epoch = g_array_new (FALSE, FALSE, sizeof (double));
  self->val_loss = g_array_new (FALSE, FALSE, sizeof (double));
  self->baseline_loss = NAN;
}

GtkWidget *
dassie_loss_chart_new (void)
{
  return g_object_new (DASSIE_TYPE_LOSS_CHART, NULL);
}

void
dassie_loss_chart_clear (DassieLossChart *self)
{
  g_return_if_fail (DASSIE_IS_LOSS_CHART (self));
  dassie_loss_chart_set_data (self, NULL, NULL, 0, NULL, NULL, 0);
  dassie_loss_chart_set_baseline (self, NAN);
}

void
dassie_loss_chart_set_baseline (DassieLossChart *self,
                                double           loss)
{
  g_return_if_fail (DASSIE_IS_LOSS_CHART (self));

  if (self->baseline_loss == loss || (isnan (self->baseline_loss) && isnan (loss)))
    return;
  self->baseline_loss = loss;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
dassie_loss_chart_get_baseline (DassieLossChart *self)
{
  g_return_val_if_fail (DASSIE_IS_LOSS_CHART (self), NAN);
  return self->baseline_loss;
}

static void
replace (GArray       *array,
         const double *values,
         gsize         n)
{
  g_array_set_size (array, 0);
  if (n > 0)
    g_array_append_vals (array, values, (guint) n);
}

void
dassie_loss_chart_set_data (DassieLossChart *self,
                            const double    *train_epoch,
                            const double    *train_loss,
                            gsize            n_train,
                            const double    *val_epoch,
                            const double    *val_loss,
                            gsize            n_val)
{
  g_return_if_fail (DASSIE_IS_LOSS_CHART (self));
  g_return_if_fail (n_train == 0 || (train_epoch != NULL && train_loss != NULL));
  g_return_if_fail (n_val == 0 || (val_epoch != NULL && val_loss != NULL));

  replace (self->train_epoch, train_epoch, n_train);
  replace (self->train_loss, train_loss, n_train);
  replace (self->val_epoch, val_epoch, n_val);
  replace (self->val_loss, val_loss, n_val);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gsize
dassie_loss_chart_get_n_train (DassieLossChart *self)
{
  g_return_val_if_fail (DASSIE_IS_LOSS_CHART (self), 0);
  return self->train_loss->len;
}

gsize
dassie_loss_chart_get_n_validation (DassieLossChart *self)
{
  g_return_val_if_fail (DASSIE_IS_LOSS_CHART (self), 0);
  return self->val_loss->len;
}

void
dassie_loss_chart_set_placeholder (DassieLossChart *self,
                                   const char      *text)
{
  g_return_if_fail (DASSIE_IS_LOSS_CHART (self));

  g_free (self->placeholder);
  self->placeholder = g_strdup (text);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
