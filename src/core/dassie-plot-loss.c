/* dassie-plot-loss.c: the loss curve of a training: train and validation loss per epoch
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-plot-private.h"

/* ------------------------------------------------------------------------------------------------
 * Loss curve */

#define TRAIN_RGB 0x3584e4
#define VAL_RGB   0xe66100
#define BASELINE_RGB 0x5e5c64

typedef struct
{
  cairo_rectangle_t area;
  DassiePlotAxisScale         scale;
  double            x_max;
  double            y_low;
  double            y_high;
} LossFrame;

static inline double
loss_x (const LossFrame *f,
        double           epoch)
{
  return f->area.x + epoch / f->x_max * f->area.width;
}

static inline double
loss_y (const LossFrame *f,
        double           loss)
{
  return f->area.y + f->area.height * (1 - (_dassie_plot_axis_position (f->scale, loss) - f->y_low) / (f->y_high - f->y_low));
}

static inline gboolean
loss_drawable (const LossFrame *f,
               double           loss)
{
  return isfinite (loss) && (f->scale != DASSIE_PLOT_AXIS_LOG10 || loss > 0);
}

static void
loss_limits (const LossFrame *f,
             const double    *values,
             gsize            n,
             double          *low,
             double          *high)
{
  for (gsize i = 0; i < n; i++)
    if (loss_drawable (f, values[i]))
      {
        *low = MIN (*low, values[i]);
        *high = MAX (*high, values[i]);
      }
}

/* More batches than pixel columns: per column, either the min .. max band (@band) or the mean line. */
static void
draw_train_columns (cairo_t               *cr,
                    const LossFrame       *f,
                    const DassieLossCurve *curve,
                    gboolean               band)
{
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int column = G_MININT, m = 0;
  gboolean started = FALSE;

  for (gsize i = 0; i <= curve->n_train; i++)
    {
      int c = i < curve->n_train ? (int) floor (loss_x (f, curve->train_epoch[i]) - f->area.x) : G_MAXINT;

      if (c != column && m > 0)
        {
          double x = f->area.x + column + 0.5;

          if (band)
            cairo_rectangle (cr, x - 0.5, loss_y (f, hi), 1, loss_y (f, lo) - loss_y (f, hi) + 0.5);
          else if (started)
            cairo_line_to (cr, x, loss_y (f, sum / m));
          else
            cairo_move_to (cr, x, loss_y (f, sum / m));
          started = TRUE;
          lo = INFINITY;
          hi = -INFINITY;
          sum = 0;
          m = 0;
        }
      if (i == curve->n_train)
        break;
      column = c;
      if (loss_drawable (f, curve->train_loss[i]))
        {
          lo = MIN (lo, curve->train_loss[i]);
          hi = MAX (hi, curve->train_loss[i]);
          sum += curve->train_loss[i];
          m++;
        }
    }
}

static void
draw_loss_line (cairo_t         *cr,
                const LossFrame *f,
                const double    *epochs,
                const double    *losses,
                gsize            n,
                double           marker_radius)
{
  gboolean started = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      if (!loss_drawable (f, losses[i]))
        continue;
      if (started)
        cairo_line_to (cr, loss_x (f, epochs[i]), loss_y (f, losses[i]));
      else
        cairo_move_to (cr, loss_x (f, epochs[i]), loss_y (f, losses[i]));
      started = TRUE;
    }
  cairo_stroke (cr);

  if (marker_radius <= 0)
    return;
  for (gsize i = 0; i < n; i++)
    if (loss_drawable (f, losses[i]))
      {
        cairo_new_sub_path (cr);
        cairo_arc (cr, loss_x (f, epochs[i]), loss_y (f, losses[i]), marker_radius, 0, 2 * G_PI);
      }
  cairo_fill (cr);
}

void
dassie_plot_loss (cairo_t               *cr,
                  double                 width,
                  double                 height,
                  const DassieLossCurve *curve)
{
  DassiePlotLayout layout = { curve != NULL && curve->title != NULL, TRUE, TRUE, 0 };
  LossFrame f;
  double y_low = INFINITY, y_high = -INFINITY;
  double span;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (curve != NULL);

  f.scale = curve->log_loss ? DASSIE_PLOT_AXIS_LOG10 : DASSIE_PLOT_AXIS_LINEAR;
  _dassie_plot_layout_area (width, height, &layout, &f.area);
  f.x_max = 1;
  for (gsize i = 0; i < curve->n_train; i++)
    f.x_max = MAX (f.x_max, curve->train_epoch[i]);
  for (gsize i = 0; i < curve->n_val; i++)
    f.x_max = MAX (f.x_max, curve->val_epoch[i]);
  loss_limits (&f, curve->train_loss, curve->n_train, &y_low, &y_high);
  loss_limits (&f, curve->val_loss, curve->n_val, &y_low, &y_high);
  if (curve->has_baseline)
    loss_limits (&f, &curve->baseline_loss, 1, &y_low, &y_high);
  if (!(y_high >= y_low))
    {
      y_low = curve->log_loss ? 0.1 : 0;
      y_high = 1;
    }
  f.y_low = _dassie_plot_axis_position (f.scale, y_low);
  f.y_high = _dassie_plot_axis_position (f.scale, y_high);
  span = MAX (f.y_high - f.y_low, 1e-9);
  f.y_low -= 0.05 * span;
  f.y_high += 0.05 * span;

  cairo_save (cr);
  _dassie_plot_paint_background (cr, width, height);
  cairo_save (cr);
  cairo_rectangle (cr, f.area.x, f.area.y, f.area.width, f.area.height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  _dassie_plot_set_rgb (cr, TRAIN_RGB);
  cairo_set_line_width (cr, 1.5);
  if (curve->n_train > 2 * (gsize) MAX (f.area.width, 1))
    {
      cairo_set_source_rgba (cr, 0x35 / 255.0, 0x84 / 255.0, 0xe4 / 255.0, 0.25);
      draw_train_columns (cr, &f, curve, TRUE);
      cairo_fill (cr);
      _dassie_plot_set_rgb (cr, TRAIN_RGB);
      draw_train_columns (cr, &f, curve, FALSE);
      cairo_stroke (cr);
    }
  else
    draw_loss_line (cr, &f, curve->train_epoch, curve->train_loss, curve->n_train, 0);

  _dassie_plot_set_rgb (cr, VAL_RGB);
  cairo_set_line_width (cr, 2);
  draw_loss_line (cr, &f, curve->val_epoch, curve->val_loss, curve->n_val, 3);

  /* What a model that learnt nothing reaches: the validation curve should end below it. */
  if (curve->has_baseline && loss_drawable (&f, curve->baseline_loss))
    {
      const double dash[] = { 6, 4 };
      double y = loss_y (&f, curve->baseline_loss);

      _dassie_plot_set_rgb (cr, BASELINE_RGB);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_move_to (cr, f.area.x, y);
      cairo_line_to (cr, f.area.x + f.area.width, y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      _dassie_plot_set_font (cr, FONT_SIZE, FALSE);
      _dassie_plot_draw_text (cr, f.area.x + 6, y - 8, _("mean image"), 0, 0.5);
    }
  cairo_restore (cr);

  _dassie_plot_draw_frame (cr, &f.area);
  _dassie_plot_draw_ticks (cr, &f.area, FALSE, 0, f.x_max, DASSIE_PLOT_AXIS_LINEAR, MAX (3, (guint) (f.area.width / 70)));
  _dassie_plot_draw_ticks (cr, &f.area, TRUE, f.y_low, f.y_high, f.scale, MAX (3, (guint) (f.area.height / 40)));
  _dassie_plot_draw_title_and_labels (cr, &f.area, curve->title, _("Epoch"), _("Loss"));

  /* The legend, top right inside the frame. */
  {
    const char *train = _("Training (per batch)");
    const char *val = _("Validation (per epoch)");
    double x, y = f.area.y + 12;

    _dassie_plot_set_font (cr, FONT_SIZE, FALSE);
    x = f.area.x + f.area.width - MAX (_dassie_plot_text_width (cr, train), _dassie_plot_text_width (cr, val)) - 34;
    _dassie_plot_set_rgb (cr, TRAIN_RGB);
    cairo_rectangle (cr, x, y - 1, 18, 2);
    cairo_fill (cr);
    _dassie_plot_set_rgb (cr, VAL_RGB);
    cairo_rectangle (cr, x, y + 15, 18, 2);
    cairo_fill (cr);
    _dassie_plot_set_rgb (cr, 0x202020);
    _dassie_plot_draw_text (cr, x + 24, y, train, 0, 0.5);
    _dassie_plot_draw_text (cr, x + 24, y + 16, val, 0, 0.5);
  }
  cairo_restore (cr);
}

