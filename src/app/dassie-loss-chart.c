/* dassie-loss-chart.c: the live loss curve of a training run: per batch and per epoch
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-chart-private.h"
#include "dassie-loss-chart.h"

/* GNOME's palette: blue 3 for the batches, orange 5 for the validation. */
#define TRAIN_R (0x35 / 255.0)
#define TRAIN_G (0x84 / 255.0)
#define TRAIN_B (0xe4 / 255.0)
#define VAL_R (0xe6 / 255.0)
#define VAL_G (0x61 / 255.0)
#define VAL_B (0x00 / 255.0)

/* What one drawing needs: plain arrays, nothing per point allocated while drawing. */
typedef struct
{
  const double *train_epoch;
  const double *train_loss;
  gsize         n_train;
  const double *val_epoch;
  const double *val_loss;
  gsize         n_val;
} LossCurve;

typedef struct
{
  cairo_rectangle_t area;
  double            x_max;
  double            y_low;    /* in axis units: the value, or its log10 */
  double            y_high;
  gboolean          log;
} Frame;

struct _DassieLossChart
{
  GtkWidget  parent_instance;

  GArray    *train_epoch;
  GArray    *train_loss;
  GArray    *val_epoch;
  GArray    *val_loss;
  char      *placeholder;
};

G_DEFINE_FINAL_TYPE (DassieLossChart, dassie_loss_chart, GTK_TYPE_WIDGET)

/* Ticks 1, 2 or 5 × 10^k apart inside [low, high]; at most @max_ticks. */
static guint
nice_ticks (double  low,
            double  high,
            guint   max_ticks,
            double *first,
            double *step)
{
  double span = high - low;
  double raw, magnitude, unit;

  if (!(span > 0) || max_ticks < 2)
    {
      *first = low;
      *step = 1;
      return 1;
    }
  raw = span / (max_ticks - 1);
  magnitude = pow (10, floor (log10 (raw)));
  unit = raw / magnitude;
  *step = magnitude * (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10);
  *first = ceil (low / *step - 1e-9) * *step;
  return (guint) floor ((high - *first) / *step + 1e-9) + 1;
}

static double
to_axis (const Frame *f,
         double       loss)
{
  return f->log ? log10 (loss) : loss;
}

static double
x_to_pixel (const Frame *f,
            double       epoch)
{
  return f->area.x + f->area.width * epoch / f->x_max;
}

static double
y_to_pixel (const Frame *f,
            double       loss)
{
  double t = (to_axis (f, loss) - f->y_low) / (f->y_high - f->y_low);

  return f->area.y + f->area.height * (1 - t);
}

static gboolean
usable (const Frame *f,
        double       loss)
{
  return isfinite (loss) && (!f->log || loss > 0);
}

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

static void
set_source (cairo_t       *cr,
            const GdkRGBA *rgba,
            double         alpha)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha);
}

static void
show_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y,
           double       x_align,
           double       y_align)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - x_align * w, y - y_align * h);
  pango_cairo_show_layout (cr, layout);
}

static void
format_tick (double  value,
             double  step,
             char   *buf,
             gsize   size)
{
  if (fabs (value) < step * 1e-6)
    value = 0;
  if (value != 0 && (fabs (value) < 1e-3 || fabs (value) >= 1e5))
    g_snprintf (buf, size, "%.1e", value);
  else
    {
      int decimals = step >= 1 ? 0 : (int) ceil (-log10 (step) - 1e-9);
      g_snprintf (buf, size, "%.*f", CLAMP (decimals, 0, 6), value);
    }
}

/* The training curve with more batches than pixel columns: each column's mean as a line over its
 * min .. max band. */
static void
draw_train_columns (cairo_t         *cr,
                    const Frame     *f,
                    const LossCurve *curve,
                    const GdkRGBA   *train)
{
  guint n_columns = MAX (1, (guint) f->area.width);
  g_autofree double *lo = g_new (double, n_columns);
  g_autofree double *hi = g_new (double, n_columns);
  g_autofree double *sum = g_new0 (double, n_columns);
  g_autofree guint *count = g_new0 (guint, n_columns);
  gboolean started = FALSE;

  for (guint c = 0; c < n_columns; c++)
    {
      lo[c] = INFINITY;
      hi[c] = -INFINITY;
    }
  for (gsize i = 0; i < curve->n_train; i++)
    {
      double loss = curve->train_loss[i];
      int c = (int) ((x_to_pixel (f, curve->train_epoch[i]) - f->area.x));

      if (!usable (f, loss))
        continue;
      c = CLAMP (c, 0, (int) n_columns - 1);
      lo[c] = MIN (lo[c], loss);
      hi[c] = MAX (hi[c], loss);
      sum[c] += to_axis (f, loss);
      count[c]++;
    }

  /* The band: along the maxima, back along the minima. */
  for (guint c = 0; c < n_columns; c++)
    if (count[c] > 0)
      {
        double x = f->area.x + c + 0.5;
        if (!started)
          cairo_move_to (cr, x, y_to_pixel (f, hi[c]));
        else
          cairo_line_to (cr, x, y_to_pixel (f, hi[c]));
        started = TRUE;
      }
  for (int c = (int) n_columns - 1; c >= 0; c--)
    if (count[c] > 0)
      cairo_line_to (cr, f->area.x + c + 0.5, y_to_pixel (f, lo[c]));
  cairo_close_path (cr);
  set_source (cr, train, 0.25);
  cairo_fill (cr);

  started = FALSE;
  for (guint c = 0; c < n_columns; c++)
    if (count[c] > 0)
      {
        double mean = sum[c] / count[c];
        double y = f->area.y + f->area.height * (1 - (mean - f->y_low) / (f->y_high - f->y_low));

        if (!started)
          cairo_move_to (cr, f->area.x + c + 0.5, y);
        else
          cairo_line_to (cr, f->area.x + c + 0.5, y);
        started = TRUE;
      }
  set_source (cr, train, 1);
  cairo_stroke (cr);
}

static void
draw_line (cairo_t      *cr,
           const Frame  *f,
           const double *x,
           const double *y,
           gsize         n)
{
  gboolean pen_down = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      if (!usable (f, y[i]))
        {
          pen_down = FALSE;
          continue;
        }
      if (pen_down)
        cairo_line_to (cr, x_to_pixel (f, x[i]), y_to_pixel (f, y[i]));
      else
        cairo_move_to (cr, x_to_pixel (f, x[i]), y_to_pixel (f, y[i]));
      pen_down = TRUE;
    }
}

static void
draw_legend (cairo_t       *cr,
             PangoLayout   *layout,
             const Frame   *f,
             const GdkRGBA *fg,
             const GdkRGBA *train,
             const GdkRGBA *val)
{
  const char *labels[2] = { _("Training loss (per batch)"), _("Validation loss (per epoch)") };
  const GdkRGBA *colors[2] = { train, val };
  double x = f->area.x + f->area.width;
  double y = f->area.y - 14;

  for (int i = 1; i >= 0; i--)
    {
      int w, h;

      pango_layout_set_text (layout, labels[i], -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      x -= w;
      set_source (cr, fg, 0.8);
      cairo_move_to (cr, x, y - h / 2.0);
      pango_cairo_show_layout (cr, layout);
      x -= 24;
      set_source (cr, colors[i], 1);
      cairo_rectangle (cr, x, y - 1.5, 18, 3);
      cairo_fill (cr);
      if (i == 1)
        {
          cairo_arc (cr, x + 9, y, 3.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      x -= 18;
    }
}

static void
draw_loss_curve (cairo_t         *cr,
                 PangoLayout     *layout,
                 double           width,
                 double           height,
                 const LossCurve *curve,
                 const GdkRGBA   *fg)
{
  const GdkRGBA train = { TRAIN_R, TRAIN_G, TRAIN_B, 1 };
  const GdkRGBA val = { VAL_R, VAL_G, VAL_B, 1 };
  double low = INFINITY, high = -INFINITY;
  double first, step, span;
  char label[32];
  int label_w, label_h;
  guint n;
  Frame f = { 0 };

  update_limits (curve->train_loss, curve->n_train, &low, &high);
  update_limits (curve->val_loss, curve->n_val, &low, &high);
  if (!(high >= low))
    {
      low = 0;
      high = 1;
    }
  /* A loss that falls by orders of magnitude reads better on a log axis. */
  f.log = low > 0 && high / low > 50;
  f.y_low = f.log ? log10 (low) : low;
  f.y_high = f.log ? log10 (high) : high;
  span = MAX (f.y_high - f.y_low, f.log ? 0.1 : MAX (fabs (f.y_high) * 0.1, 1e-6));
  f.y_low -= 0.06 * span;
  f.y_high += 0.06 * span;
  if (!f.log && low >= 0 && f.y_low < 0)
    f.y_low = 0;

  f.x_max = 1;
  for (gsize i = 0; i < curve->n_train; i++)
    f.x_max = MAX (f.x_max, curve->train_epoch[i]);
  for (gsize i = 0; i < curve->n_val; i++)
    f.x_max = MAX (f.x_max, curve->val_epoch[i]);
  f.x_max = ceil (f.x_max - 1e-9);

  pango_layout_set_text (layout, "0.00000", -1);
  pango_layout_get_pixel_size (layout, &label_w, &label_h);
  f.area.x = 16 + label_w + 8;
  f.area.y = 16 + label_h + 10;
  f.area.width = MAX (10, width - f.area.x - 16);
  f.area.height = MAX (10, height - f.area.y - 2 * label_h - 18);

  cairo_set_line_width (cr, 1);

  /* Horizontal grid lines and the loss ticks. */
  if (f.log)
    {
      double step_decades = MAX (1, ceil ((f.y_high - f.y_low) / 6));
      for (double d = ceil (f.y_low); d <= f.y_high; d += step_decades)
        {
          double y = round (f.area.y + f.area.height * (1 - (d - f.y_low) / (f.y_high - f.y_low))) + 0.5;

          set_source (cr, fg, 0.1);
          cairo_move_to (cr, f.area.x, y);
          cairo_line_to (cr, f.area.x + f.area.width, y);
          cairo_stroke (cr);
          g_snprintf (label, sizeof label, "%g", pow (10, d));
          set_source (cr, fg, 0.6);
          show_text (cr, layout, label, f.area.x - 8, y, 1, 0.5);
        }
    }
  else
    {
      n = nice_ticks (f.y_low, f.y_high, MAX (3, (guint) (f.area.height / 45)), &first, &step);
      for (guint i = 0; i < n; i++)
        {
          double v = first + i * step;
          double y = round (f.area.y + f.area.height * (1 - (v - f.y_low) / (f.y_high - f.y_low))) + 0.5;

          set_source (cr, fg, 0.1);
          cairo_move_to (cr, f.area.x, y);
          cairo_line_to (cr, f.area.x + f.area.width, y);
          cairo_stroke (cr);
          format_tick (v, step, label, sizeof label);
          set_source (cr, fg, 0.6);
          show_text (cr, layout, label, f.area.x - 8, y, 1, 0.5);
        }
    }

  /* Epoch ticks along the bottom. */
  n = nice_ticks (0, f.x_max, MAX (2, MIN ((guint) f.x_max + 1, (guint) (f.area.width / 60))), &first, &step);
  step = MAX (step, 1);
  for (double e = 0; e <= f.x_max + 1e-9; e += step)
    {
      double x = round (x_to_pixel (&f, e)) + 0.5;

      set_source (cr, fg, 0.35);
      cairo_move_to (cr, x, f.area.y + f.area.height);
      cairo_line_to (cr, x, f.area.y + f.area.height + 4);
      cairo_stroke (cr);
      g_snprintf (label, sizeof label, "%g", e);
      set_source (cr, fg, 0.6);
      show_text (cr, layout, label, x, f.area.y + f.area.height + 6, 0.5, 0);
    }
  set_source (cr, fg, 0.8);
  show_text (cr, layout, _("Epoch"), f.area.x + f.area.width / 2, height - 6, 0.5, 1);

  /* The axes. */
  set_source (cr, fg, 0.35);
  cairo_move_to (cr, f.area.x + 0.5, f.area.y);
  cairo_line_to (cr, f.area.x + 0.5, f.area.y + f.area.height + 0.5);
  cairo_line_to (cr, f.area.x + f.area.width, f.area.y + f.area.height + 0.5);
  cairo_stroke (cr);

  set_source (cr, fg, 0.8);
  show_text (cr, layout, f.log ? _("Loss (MSE, log scale)") : _("Loss (MSE)"), 16, 16 + label_h / 2.0, 0, 0.5);
  draw_legend (cr, layout, &f, fg, &train, &val);

  cairo_save (cr);
  cairo_rectangle (cr, f.area.x, f.area.y - 4, f.area.width + 4, f.area.height + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 1.5);
  if (curve->n_train > 2 * (gsize) f.area.width)
    draw_train_columns (cr, &f, curve, &train);
  else
    {
      draw_line (cr, &f, curve->train_epoch, curve->train_loss, curve->n_train);
      set_source (cr, &train, 1);
      cairo_stroke (cr);
    }

  cairo_set_line_width (cr, 2.5);
  draw_line (cr, &f, curve->val_epoch, curve->val_loss, curve->n_val);
  set_source (cr, &val, 1);
  cairo_stroke (cr);
  for (gsize i = 0; i < curve->n_val; i++)
    if (usable (&f, curve->val_loss[i]))
      {
        cairo_arc (cr, x_to_pixel (&f, curve->val_epoch[i]), y_to_pixel (&f, curve->val_loss[i]), 4, 0, 2 * G_PI);
        cairo_fill (cr);
      }
  cairo_restore (cr);
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

  if (text == NULL || width <= 48)
    return;
  layout = gtk_widget_create_pango_layout (widget, NULL);
  pango_layout_set_width (layout, (width - 48) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  set_source (cr, fg, 0.55);
  show_text (cr, layout, text, 24, height / 2.0, 0, 0.5);
}

static void
dassie_loss_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  DassieLossChart *self = DASSIE_LOSS_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
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

  {
    LossCurve curve = {
      (double *) self->train_epoch->data, (double *) self->train_loss->data, self->train_loss->len,
      (double *) self->val_epoch->data, (double *) self->val_loss->data, self->val_loss->len,
    };

    draw_loss_curve (cr, layout, width, height, &curve, &fg);
  }
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
