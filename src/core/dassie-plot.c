/* dassie-plot.c: what the plots share: colour maps, text, ticks, axes and layout, drawn with cairo
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-plot-private.h"

/* ------------------------------------------------------------------------------------------------
 * Colour maps: 33 samples of matplotlib's viridis, magma, plasma and cividis (whose data is CC0),
 * taken at entries round (k × 255 / 32) and interpolated linearly, within three levels of the
 * original 256-entry tables. */

#define COLORMAP_SAMPLES 33

static const guint32 colormap_samples[][COLORMAP_SAMPLES] = {
  [DASSIE_COLORMAP_VIRIDIS] = {
    0x440154, 0x470d60, 0x48186a, 0x482374, 0x472d7b, 0x453781, 0x424086, 0x3e4989,
    0x3b528b, 0x375b8d, 0x33638d, 0x2f6b8e, 0x2c728e, 0x297a8e, 0x26828e, 0x23898e,
    0x21918c, 0x1f978b, 0x1f9f88, 0x21a685, 0x27ad81, 0x31b57b, 0x3dbc74, 0x4cc26c,
    0x5cc863, 0x6ece58, 0x81d34d, 0x95d840, 0xaadc32, 0xc0df25, 0xd5e21a, 0xeae51a,
    0xfde725,
  },
  [DASSIE_COLORMAP_MAGMA] = {
    0x000004, 0x030312, 0x0a0822, 0x130d34, 0x1d1147, 0x29115a, 0x36106b, 0x440f76,
    0x51127c, 0x5d177f, 0x6a1c81, 0x762181, 0x832681, 0x902a81, 0x9c2e7f, 0xaa337d,
    0xb73779, 0xc23b75, 0xcf4070, 0xdb476a, 0xe55064, 0xee5b5e, 0xf4695c, 0xf9785d,
    0xfb8761, 0xfd9668, 0xfea571, 0xfeb47b, 0xfec287, 0xfed194, 0xfde0a1, 0xfceeb0,
    0xfcfdbf,
  },
  [DASSIE_COLORMAP_PLASMA] = {
    0x0d0887, 0x220690, 0x310597, 0x3f049c, 0x4c02a1, 0x5901a5, 0x6600a7, 0x7201a8,
    0x7e03a8, 0x8a09a5, 0x9511a1, 0xa01a9c, 0xaa2395, 0xb32c8e, 0xbc3587, 0xc43e7f,
    0xcc4778, 0xd24f71, 0xd9586a, 0xdf6263, 0xe56b5d, 0xeb7556, 0xf07f4f, 0xf48948,
    0xf89441, 0xfb9f3a, 0xfdab33, 0xfeb72d, 0xfdc328, 0xfcd025, 0xf9dd25, 0xf5eb27,
    0xf0f921,
  },
  [DASSIE_COLORMAP_CIVIDIS] = {
    0x00224e, 0x00285b, 0x002e6a, 0x053371, 0x1a386f, 0x273e6e, 0x32436d, 0x3b496c,
    0x434e6c, 0x4b546c, 0x535a6d, 0x5a5f6e, 0x61656f, 0x686a71, 0x6f7073, 0x767676,
    0x7d7c78, 0x838179, 0x8b8778, 0x928d78, 0x9a9376, 0xa29975, 0xaaa073, 0xb3a670,
    0xbbad6d, 0xc3b369, 0xccba64, 0xd4c15f, 0xddc858, 0xe6d051, 0xefd748, 0xf8df3c,
    0xfee838,
  },
};

static const char * const colormap_names[] = { "viridis", "magma", "plasma", "cividis", "grey" };

guint32
dassie_colormap_lookup (DassieColormap colormap,
                        double         t)
{
  const guint32 *samples;
  double pos, frac;
  guint k;
  guint32 out = 0xff000000u;

  g_return_val_if_fail ((guint) colormap < G_N_ELEMENTS (colormap_names), 0xff000000u);

  t = isnan (t) ? 0 : CLAMP (t, 0.0, 1.0);
  if (colormap == DASSIE_COLORMAP_GREY)
    {
      guint v = (guint) lround (t * 255);
      return out | (v << 16) | (v << 8) | v;
    }

  samples = colormap_samples[colormap];
  pos = t * (COLORMAP_SAMPLES - 1);
  k = MIN ((guint) pos, COLORMAP_SAMPLES - 2);
  frac = pos - k;
  for (int shift = 0; shift <= 16; shift += 8)
    {
      double a = (samples[k] >> shift) & 0xff;
      double b = (samples[k + 1] >> shift) & 0xff;
      out |= (guint32) lround (a + frac * (b - a)) << shift;
    }
  return out;
}

const char *
dassie_colormap_to_string (DassieColormap colormap)
{
  g_return_val_if_fail ((guint) colormap < G_N_ELEMENTS (colormap_names), NULL);
  return colormap_names[colormap];
}

gboolean
dassie_colormap_from_string (const char     *name,
                             DassieColormap *colormap)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (colormap_names); i++)
    if (g_ascii_strcasecmp (name, colormap_names[i]) == 0 ||
        (i == DASSIE_COLORMAP_GREY && g_ascii_strcasecmp (name, "gray") == 0))
      {
        if (colormap != NULL)
          *colormap = (DassieColormap) i;
        return TRUE;
      }
  return FALSE;
}

/* ------------------------------------------------------------------------------------------------
 * Drawing helpers: text, axes, layout */

void
_dassie_plot_set_rgb (cairo_t *cr,
                      guint32  rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

void
_dassie_plot_set_font (cairo_t  *cr,
                       double    size,
                       gboolean  bold)
{
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

/* Draws @text with its anchor at (x, y): @halign 0 left, 0.5 centre, 1 right; @valign the same for
 * top, middle and baseline of the capitals. */
void
_dassie_plot_draw_text (cairo_t    *cr,
                        double      x,
                        double      y,
                        const char *text,
                        double      halign,
                        double      valign)
{
  cairo_text_extents_t ext;
  cairo_matrix_t font_matrix;
  double cap;

  cairo_get_font_matrix (cr, &font_matrix);
  cap = 0.72 * font_matrix.yy;
  cairo_text_extents (cr, text, &ext);
  cairo_move_to (cr, x - ext.x_advance * halign, y + cap * (1 - valign));
  cairo_show_text (cr, text);
}

double
_dassie_plot_text_width (cairo_t    *cr,
                         const char *text)
{
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  return ext.x_advance;
}

guint
dassie_plot_nice_ticks (double  low,
                        double  high,
                        guint   max_ticks,
                        double *first,
                        double *step)
{
  static const double steps[] = { 1, 2, 5, 10 };
  double raw, magnitude, s = 1;
  guint count;

  g_return_val_if_fail (first != NULL && step != NULL, 0);

  if (!(high > low) || !isfinite (low) || !isfinite (high) || max_ticks < 2)
    {
      *first = low;
      *step = 1;
      return isfinite (low) ? 1 : 0;
    }

  raw = (high - low) / (max_ticks - 1);
  magnitude = pow (10, floor (log10 (raw)));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      s = steps[i] * magnitude;
      if (s >= raw * (1 - 1e-9))
        break;
    }

  *first = ceil (low / s - 1e-9) * s;
  *step = s;
  count = (guint) floor ((high - *first) / s + 1e-9) + 1;
  return MIN (count, max_ticks);
}

void
_dassie_plot_format_tick (char   *buf,
                          gsize   size,
                          double  value,
                          double  step)
{
  int decimals;

  if (fabs (value) < step * 1e-9)
    value = 0;
  if (fabs (value) >= 1e6 || (fabs (value) > 0 && fabs (value) < 1e-4))
    {
      g_snprintf (buf, size, "%.3g", value);
      return;
    }
  decimals = step >= 1 ? 0 : (int) ceil (-log10 (step) - 1e-9);
  g_snprintf (buf, size, "%.*f", CLAMP (decimals, 0, 10), value);
}

void
_dassie_plot_layout_area (double                  width,
                          double                  height,
                          const DassiePlotLayout *layout,
                          cairo_rectangle_t      *area)
{
  double left = MARGIN + 46 + (layout->y_label ? 18 : 0);
  double top = MARGIN + (layout->title ? 22 : 4);
  double right = MARGIN + 8 + layout->extra_right;
  double bottom = MARGIN + 20 + (layout->x_label ? 18 : 0);

  area->x = left;
  area->y = top;
  area->width = MAX (1, width - left - right);
  area->height = MAX (1, height - top - bottom);
}

void
_dassie_plot_paint_background (cairo_t *cr,
                               double   width,
                               double   height)
{
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

void
_dassie_plot_draw_title_and_labels (cairo_t                 *cr,
                                    const cairo_rectangle_t *area,
                                    const char              *title,
                                    const char              *x_label,
                                    const char              *y_label)
{
  _dassie_plot_set_rgb (cr, 0x202020);
  if (title != NULL)
    {
      _dassie_plot_set_font (cr, TITLE_SIZE, TRUE);
      _dassie_plot_draw_text (cr, area->x, MARGIN, title, 0, 0);
    }
  _dassie_plot_set_font (cr, FONT_SIZE, FALSE);
  if (x_label != NULL)
    _dassie_plot_draw_text (cr, area->x + area->width / 2, area->y + area->height + 22 + 16, x_label, 0.5, 1);
  if (y_label != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, MARGIN, area->y + area->height / 2);
      cairo_rotate (cr, -G_PI / 2);
      _dassie_plot_draw_text (cr, 0, 0, y_label, 0.5, 0);
      cairo_restore (cr);
    }
}

double
_dassie_plot_axis_position (DassiePlotAxisScale scale,
                            double              value)
{
  switch (scale)
    {
    case DASSIE_PLOT_AXIS_LOG10:
      return log10 (value);
    case DASSIE_PLOT_AXIS_LOG10_PLUS1:
      return log10 (1 + value);
    case DASSIE_PLOT_AXIS_LINEAR:
    default:
      return value;
    }
}

#define MAX_TICKS 32

/* Tick values for a logarithmic axis over positions [low, high]: decades, or 1-2-5 or every digit
 * when the range spans too few decades for decade ticks alone to read. */
static guint
log_ticks (double               low,
           double               high,
           DassiePlotAxisScale  scale,
           guint                max_ticks,
           double              *values)
{
  static const double mantissas[3][10] = {
    { 1 }, { 1, 2, 5 }, { 1, 2, 3, 4, 5, 6, 7, 8, 9 },
  };
  static const guint n_mantissas[3] = { 1, 3, 9 };
  guint count = 0;

  max_ticks = MIN (max_ticks, MAX_TICKS);
  for (guint set = 0; set < 3; set++)
    {
      int k0 = (int) floor (scale == DASSIE_PLOT_AXIS_LOG10_PLUS1 ? 0 : low) - 1;
      int k1 = (int) ceil (high) + 1;
      int every = 1;

      /* Too many decades: keep every second, fifth … */
      while ((k1 - k0) / every > (int) max_ticks)
        every++;

      count = 0;
      if (scale == DASSIE_PLOT_AXIS_LOG10_PLUS1 && low <= 0)
        values[count++] = 0;
      for (int k = k0; k <= k1 && count < max_ticks; k += every)
        for (guint m = 0; m < n_mantissas[set] && count < max_ticks; m++)
          {
            double v = mantissas[set][m] * pow (10, k);
            double pos = _dassie_plot_axis_position (scale, v);

            if (pos >= low - 1e-9 && pos <= high + 1e-9 && (scale != DASSIE_PLOT_AXIS_LOG10_PLUS1 || v >= 1))
              values[count++] = v;
          }
      if (count >= 3 || set == 2)
        break;
    }
  return count;
}

/* Ticks along one side of @area for the axis range [low, high] (in axis positions). */
void
_dassie_plot_draw_ticks (cairo_t                 *cr,
                         const cairo_rectangle_t *area,
                         gboolean                 vertical,
                         double                   low,
                         double                   high,
                         DassiePlotAxisScale      scale,
                         guint                    max_ticks)
{
  double values[MAX_TICKS];
  char label[64];
  double first = 0, step = 1;
  guint count;

  _dassie_plot_set_font (cr, FONT_SIZE, FALSE);
  _dassie_plot_set_rgb (cr, 0x303030);
  cairo_set_line_width (cr, 1);

  if (scale == DASSIE_PLOT_AXIS_LINEAR)
    {
      count = MIN (dassie_plot_nice_ticks (low, high, MIN (max_ticks, MAX_TICKS), &first, &step), MAX_TICKS);
      for (guint i = 0; i < count; i++)
        values[i] = first + i * step;
    }
  else
    count = log_ticks (low, high, scale, max_ticks, values);

  for (guint i = 0; i < count; i++)
    {
      double t = (_dassie_plot_axis_position (scale, values[i]) - low) / (high - low);

      if (scale == DASSIE_PLOT_AXIS_LINEAR)
        _dassie_plot_format_tick (label, sizeof label, values[i], step);
      else
        g_snprintf (label, sizeof label, "%g", values[i]);

      if (vertical)
        {
          double y = round (area->y + area->height * (1 - t)) + 0.5;
          cairo_move_to (cr, area->x, y);
          cairo_line_to (cr, area->x - TICK_LENGTH, y);
          cairo_stroke (cr);
          _dassie_plot_draw_text (cr, area->x - TICK_LENGTH - 3, y, label, 1, 0.5);
        }
      else
        {
          double x = round (area->x + area->width * t) + 0.5;
          cairo_move_to (cr, x, area->y + area->height);
          cairo_line_to (cr, x, area->y + area->height + TICK_LENGTH);
          cairo_stroke (cr);
          _dassie_plot_draw_text (cr, x, area->y + area->height + TICK_LENGTH + 3, label, 0.5, 0);
        }
    }
}

void
_dassie_plot_draw_frame (cairo_t                 *cr,
                         const cairo_rectangle_t *area)
{
  _dassie_plot_set_rgb (cr, 0x303030);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, round (area->x) + 0.5, round (area->y) + 0.5,
                   round (area->width) - 1, round (area->height) - 1);
  cairo_stroke (cr);
}

