/* dassie-plot-histogram.c: the histogram of the scores: bins as numpy counts them, selection by bins, drawing
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-plot-private.h"

/* ------------------------------------------------------------------------------------------------
 * Histogram */

#define BAR_RGB       0x3584e4
#define SELECTED_RGB  0xe66100

void
dassie_histogram_init (DassieHistogram *histogram)
{
  g_return_if_fail (histogram != NULL);

  memset (histogram, 0, sizeof *histogram);
  histogram->n_bins = DASSIE_HISTOGRAM_DEFAULT_BINS;
}

void
dassie_histogram_default_range (const float *values,
                                gsize        n,
                                double      *low,
                                double      *high)
{
  double sum = 0;
  gsize m = 0;

  g_return_if_fail (low != NULL && high != NULL);

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      {
        sum += values[i];
        m++;
      }
  *low = 0;
  *high = m > 0 && sum > 0 ? 2 * sum / m : 1;
}

void
dassie_histogram_get_range (const DassieHistogram *histogram,
                            double                *low,
                            double                *high,
                            guint                 *n_bins)
{
  g_return_if_fail (histogram != NULL);

  if (histogram->range_max > histogram->range_min)
    {
      *low = histogram->range_min;
      *high = histogram->range_max;
    }
  else
    dassie_histogram_default_range (histogram->values, histogram->n, low, high);
  if (n_bins != NULL)
    *n_bins = histogram->n_bins > 0 ? histogram->n_bins : DASSIE_HISTOGRAM_DEFAULT_BINS;
}

double
dassie_histogram_bin_edge (double low,
                           double high,
                           guint  n_bins,
                           guint  k)
{
  return low + (high - low) * k / n_bins;
}

int
dassie_histogram_bin_of (double value,
                         double low,
                         double high,
                         guint  n_bins)
{
  double t;
  int k;

  if (!isfinite (value) || value < low || value > high || n_bins == 0)
    return -1;
  if (value == high)
    return (int) n_bins - 1;

  /* The quotient can be off by one next to an edge: settle it against the edges themselves. */
  t = (value - low) / (high - low) * n_bins;
  k = CLAMP ((int) t, 0, (int) n_bins - 1);
  if (k > 0 && value < dassie_histogram_bin_edge (low, high, n_bins, k))
    k--;
  else if (k < (int) n_bins - 1 && value >= dassie_histogram_bin_edge (low, high, n_bins, k + 1))
    k++;
  return k;
}

void
dassie_histogram_compute (const DassieHistogram *histogram,
                          DassieHistogramBins   *bins)
{
  g_return_if_fail (histogram != NULL && bins != NULL);

  memset (bins, 0, sizeof *bins);
  dassie_histogram_get_range (histogram, &bins->low, &bins->high, &bins->n_bins);
  bins->counts = g_new0 (guint64, bins->n_bins);

  for (gsize i = 0; i < histogram->n; i++)
    {
      int k;

      if (!isfinite (histogram->values[i]))
        {
          bins->n_invalid++;
          continue;
        }
      k = dassie_histogram_bin_of (histogram->values[i], bins->low, bins->high, bins->n_bins);
      if (k < 0)
        bins->n_outside++;
      else
        bins->counts[k]++;
    }
  for (guint k = 0; k < bins->n_bins; k++)
    bins->max_count = MAX (bins->max_count, bins->counts[k]);
}

void
dassie_histogram_bins_clear (DassieHistogramBins *bins)
{
  g_return_if_fail (bins != NULL);

  g_clear_pointer (&bins->counts, g_free);
  memset (bins, 0, sizeof *bins);
}

gboolean
dassie_histogram_snap (const DassieHistogram *histogram,
                       double                 a,
                       double                 b,
                       guint                 *first_bin,
                       guint                 *last_bin)
{
  double low, high, lo, hi;
  guint n_bins;

  g_return_val_if_fail (histogram != NULL, FALSE);
  g_return_val_if_fail (first_bin != NULL && last_bin != NULL, FALSE);

  dassie_histogram_get_range (histogram, &low, &high, &n_bins);
  lo = MIN (a, b);
  hi = MAX (a, b);
  if (hi < low || lo > high || isnan (lo) || isnan (hi))
    return FALSE;
  *first_bin = (guint) dassie_histogram_bin_of (MAX (lo, low), low, high, n_bins);
  *last_bin = (guint) dassie_histogram_bin_of (MIN (hi, high), low, high, n_bins);
  return TRUE;
}

gsize
dassie_histogram_select_bins (const DassieHistogram *histogram,
                              guint                  first_bin,
                              guint                  last_bin,
                              DassieSelection       *selection,
                              DassieSelectMode       mode)
{
  double low, high;
  guint n_bins;

  g_return_val_if_fail (histogram != NULL, 0);
  g_return_val_if_fail (selection != NULL, 0);
  g_return_val_if_fail (dassie_selection_get_n_objects (selection) == histogram->n, 0);

  dassie_histogram_get_range (histogram, &low, &high, &n_bins);
  if (first_bin > last_bin || first_bin >= n_bins)
    {
      if (mode == DASSIE_SELECT_REPLACE)
        dassie_selection_clear (selection);
      return 0;
    }
  last_bin = MIN (last_bin, n_bins - 1);

  /* The same edges bin_of uses; the last bin includes the top of the range. */
  return dassie_selection_apply_range (selection, histogram->values,
                                       dassie_histogram_bin_edge (low, high, n_bins, first_bin),
                                       last_bin == n_bins - 1 ? high : dassie_histogram_bin_edge (low, high, n_bins, last_bin + 1),
                                       last_bin == n_bins - 1, mode);
}

void
dassie_plot_histogram_area (double                 width,
                            double                 height,
                            const DassieHistogram *histogram,
                            cairo_rectangle_t     *area)
{
  DassiePlotLayout layout;

  g_return_if_fail (histogram != NULL && area != NULL);

  layout = (DassiePlotLayout) { histogram->title != NULL, histogram->x_label != NULL, TRUE, 0 };
  _dassie_plot_layout_area (width, height, &layout, area);
}

double
dassie_plot_histogram_value_at (double                 width,
                                double                 height,
                                const DassieHistogram *histogram,
                                double                 px)
{
  cairo_rectangle_t area;
  double low, high;

  g_return_val_if_fail (histogram != NULL, 0);

  dassie_plot_histogram_area (width, height, histogram, &area);
  dassie_histogram_get_range (histogram, &low, &high, NULL);
  return low + (px - area.x) / area.width * (high - low);
}

void
dassie_plot_histogram (cairo_t               *cr,
                       double                 width,
                       double                 height,
                       const DassieHistogram *histogram)
{
  DassieHistogramBins bins;
  g_autofree guint64 *selected_counts = NULL;
  cairo_rectangle_t area;
  DassiePlotAxisScale scale;
  double top;
  gboolean has_selection;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (histogram != NULL);
  g_return_if_fail (histogram->n == 0 || histogram->values != NULL);

  dassie_histogram_compute (histogram, &bins);
  dassie_plot_histogram_area (width, height, histogram, &area);
  scale = histogram->log_counts ? DASSIE_PLOT_AXIS_LOG10_PLUS1 : DASSIE_PLOT_AXIS_LINEAR;
  top = _dassie_plot_axis_position (scale, MAX (bins.max_count, 1)) * 1.05;
  has_selection = histogram->selected_max > histogram->selected_min;

  cairo_save (cr);
  _dassie_plot_paint_background (cr, width, height);

  if (has_selection)
    {
      double x0 = area.x + (histogram->selected_min - bins.low) / (bins.high - bins.low) * area.width;
      double x1 = area.x + (histogram->selected_max - bins.low) / (bins.high - bins.low) * area.width;

      x0 = CLAMP (x0, area.x, area.x + area.width);
      x1 = CLAMP (x1, area.x, area.x + area.width);
      cairo_set_source_rgba (cr, 0xe6 / 255.0, 0x61 / 255.0, 0, 0.12);
      cairo_rectangle (cr, x0, area.y, x1 - x0, area.height);
      cairo_fill (cr);
    }

  if (histogram->selection != NULL && dassie_selection_get_n_objects (histogram->selection) == histogram->n &&
      dassie_selection_get_count (histogram->selection) > 0)
    {
      selected_counts = g_new0 (guint64, bins.n_bins);
      for (gsize i = 0; i < histogram->n; i++)
        if (dassie_selection_contains (histogram->selection, i))
          {
            int k = dassie_histogram_bin_of (histogram->values[i], bins.low, bins.high, bins.n_bins);
            if (k >= 0)
              selected_counts[k]++;
          }
    }

  for (guint k = 0; k < bins.n_bins; k++)
    {
      double x0 = area.x + area.width * k / bins.n_bins;
      double x1 = area.x + area.width * (k + 1) / bins.n_bins;
      double w = MAX (x1 - x0 - (x1 - x0 > 4 ? 1 : 0), 0.5);
      double centre = dassie_histogram_bin_edge (bins.low, bins.high, bins.n_bins, k) +
                      0.5 * (bins.high - bins.low) / bins.n_bins;
      double h = area.height * _dassie_plot_axis_position (scale, bins.counts[k]) / top;
      gboolean selected = has_selection && centre >= histogram->selected_min && centre <= histogram->selected_max;

      if (bins.counts[k] == 0)
        continue;
      _dassie_plot_set_rgb (cr, selected ? SELECTED_RGB : BAR_RGB);
      /* A hairline gap between bars once they are wide enough to show one. */
      cairo_rectangle (cr, x0, area.y + area.height - h, w, h);
      cairo_fill (cr);
      if (selected_counts != NULL && selected_counts[k] > 0 && !selected)
        {
          double hs = area.height * _dassie_plot_axis_position (scale, selected_counts[k]) / top;

          _dassie_plot_set_rgb (cr, SELECTED_RGB);
          cairo_rectangle (cr, x0, area.y + area.height - hs, w, hs);
          cairo_fill (cr);
        }
    }

  _dassie_plot_draw_frame (cr, &area);
  _dassie_plot_draw_ticks (cr, &area, FALSE, bins.low, bins.high, DASSIE_PLOT_AXIS_LINEAR, MAX (3, (guint) (area.width / 70)));
  _dassie_plot_draw_ticks (cr, &area, TRUE, 0, top, scale, MAX (3, (guint) (area.height / 40)));
  _dassie_plot_draw_title_and_labels (cr, &area, histogram->title, histogram->x_label,
                         histogram->log_counts ? _("Objects (log)") : _("Objects"));

  if (bins.n_outside > 0 || bins.n_invalid > 0)
    {
      g_autofree char *note = g_strdup_printf (_("%llu outside the range, %llu without a value"),
                                               (unsigned long long) bins.n_outside,
                                               (unsigned long long) bins.n_invalid);
      _dassie_plot_set_font (cr, FONT_SIZE - 1, FALSE);
      _dassie_plot_set_rgb (cr, 0x606060);
      _dassie_plot_draw_text (cr, area.x + area.width, MARGIN + (histogram->title != NULL ? 3 : 0), note, 1, 0);
    }
  cairo_restore (cr);
  dassie_histogram_bins_clear (&bins);
}

