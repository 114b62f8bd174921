/* dassie-plot.c: the scatter, histogram, loss curve and cutout grid, drawn with cairo on any target
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <float.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-parallel.h"
#include "dassie-plot.h"

#define FONT_SIZE   11.0
#define TITLE_SIZE  13.0
#define MARGIN      10.0
#define TICK_LENGTH 4.0

/* Points beyond this count are rasterised even on vector targets, so an SVG stays small. */
#define VECTOR_POINT_LIMIT 20000

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

static void
set_rgb (cairo_t *cr,
         guint32  rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static void
set_font (cairo_t  *cr,
          double    size,
          gboolean  bold)
{
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
}

/* Draws @text with its anchor at (x, y): @halign 0 left, 0.5 centre, 1 right; @valign the same for
 * top, middle and baseline of the capitals. */
static void
draw_text (cairo_t    *cr,
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

static double
text_width (cairo_t    *cr,
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

static void
format_tick (char   *buf,
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

typedef struct
{
  gboolean title;
  gboolean x_label;
  gboolean y_label;
  double   extra_right;
} Layout;

static void
layout_area (double             width,
             double             height,
             const Layout      *layout,
             cairo_rectangle_t *area)
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

static void
paint_background (cairo_t *cr,
                  double   width,
                  double   height)
{
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

static void
draw_title_and_labels (cairo_t                 *cr,
                       const cairo_rectangle_t *area,
                       const char              *title,
                       const char              *x_label,
                       const char              *y_label)
{
  set_rgb (cr, 0x202020);
  if (title != NULL)
    {
      set_font (cr, TITLE_SIZE, TRUE);
      draw_text (cr, area->x, MARGIN, title, 0, 0);
    }
  set_font (cr, FONT_SIZE, FALSE);
  if (x_label != NULL)
    draw_text (cr, area->x + area->width / 2, area->y + area->height + 22 + 16, x_label, 0.5, 1);
  if (y_label != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, MARGIN, area->y + area->height / 2);
      cairo_rotate (cr, -G_PI / 2);
      draw_text (cr, 0, 0, y_label, 0.5, 0);
      cairo_restore (cr);
    }
}

typedef enum
{
  AXIS_LINEAR,
  AXIS_LOG10,       /* the axis runs over log10 (value), ticks at decades */
  AXIS_LOG10_PLUS1, /* over log10 (1 + value): counts, where 0 sits at the origin */
} AxisScale;

static double
axis_position (AxisScale scale,
               double    value)
{
  switch (scale)
    {
    case AXIS_LOG10:
      return log10 (value);
    case AXIS_LOG10_PLUS1:
      return log10 (1 + value);
    case AXIS_LINEAR:
    default:
      return value;
    }
}

#define MAX_TICKS 32

/* Tick values for a logarithmic axis over positions [low, high]: decades, or 1-2-5 or every digit
 * when the range spans too few decades for decade ticks alone to read. */
static guint
log_ticks (double     low,
           double     high,
           AxisScale  scale,
           guint      max_ticks,
           double    *values)
{
  static const double mantissas[3][10] = {
    { 1 }, { 1, 2, 5 }, { 1, 2, 3, 4, 5, 6, 7, 8, 9 },
  };
  static const guint n_mantissas[3] = { 1, 3, 9 };
  guint count = 0;

  max_ticks = MIN (max_ticks, MAX_TICKS);
  for (guint set = 0; set < 3; set++)
    {
      int k0 = (int) floor (scale == AXIS_LOG10_PLUS1 ? 0 : low) - 1;
      int k1 = (int) ceil (high) + 1;
      int every = 1;

      /* Too many decades: keep every second, fifth … */
      while ((k1 - k0) / every > (int) max_ticks)
        every++;

      count = 0;
      if (scale == AXIS_LOG10_PLUS1 && low <= 0)
        values[count++] = 0;
      for (int k = k0; k <= k1 && count < max_ticks; k += every)
        for (guint m = 0; m < n_mantissas[set] && count < max_ticks; m++)
          {
            double v = mantissas[set][m] * pow (10, k);
            double pos = axis_position (scale, v);

            if (pos >= low - 1e-9 && pos <= high + 1e-9 && (scale != AXIS_LOG10_PLUS1 || v >= 1))
              values[count++] = v;
          }
      if (count >= 3 || set == 2)
        break;
    }
  return count;
}

/* Ticks along one side of @area for the axis range [low, high] (in axis positions). */
static void
draw_ticks (cairo_t                 *cr,
            const cairo_rectangle_t *area,
            gboolean                 vertical,
            double                   low,
            double                   high,
            AxisScale                scale,
            guint                    max_ticks)
{
  double values[MAX_TICKS];
  char label[64];
  double first = 0, step = 1;
  guint count;

  set_font (cr, FONT_SIZE, FALSE);
  set_rgb (cr, 0x303030);
  cairo_set_line_width (cr, 1);

  if (scale == AXIS_LINEAR)
    {
      count = MIN (dassie_plot_nice_ticks (low, high, MIN (max_ticks, MAX_TICKS), &first, &step), MAX_TICKS);
      for (guint i = 0; i < count; i++)
        values[i] = first + i * step;
    }
  else
    count = log_ticks (low, high, scale, max_ticks, values);

  for (guint i = 0; i < count; i++)
    {
      double t = (axis_position (scale, values[i]) - low) / (high - low);

      if (scale == AXIS_LINEAR)
        format_tick (label, sizeof label, values[i], step);
      else
        g_snprintf (label, sizeof label, "%g", values[i]);

      if (vertical)
        {
          double y = round (area->y + area->height * (1 - t)) + 0.5;
          cairo_move_to (cr, area->x, y);
          cairo_line_to (cr, area->x - TICK_LENGTH, y);
          cairo_stroke (cr);
          draw_text (cr, area->x - TICK_LENGTH - 3, y, label, 1, 0.5);
        }
      else
        {
          double x = round (area->x + area->width * t) + 0.5;
          cairo_move_to (cr, x, area->y + area->height);
          cairo_line_to (cr, x, area->y + area->height + TICK_LENGTH);
          cairo_stroke (cr);
          draw_text (cr, x, area->y + area->height + TICK_LENGTH + 3, label, 0.5, 0);
        }
    }
}

static void
draw_frame (cairo_t                 *cr,
            const cairo_rectangle_t *area)
{
  set_rgb (cr, 0x303030);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, round (area->x) + 0.5, round (area->y) + 0.5,
                   round (area->width) - 1, round (area->height) - 1);
  cairo_stroke (cr);
}

static gboolean
target_is_vector (cairo_t *cr)
{
  switch (cairo_surface_get_type (cairo_get_target (cr)))
    {
    case CAIRO_SURFACE_TYPE_PDF:
    case CAIRO_SURFACE_TYPE_PS:
    case CAIRO_SURFACE_TYPE_SVG:
      return TRUE;
    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------------------------------------
 * Scatter */

#define COLORBAR_WIDTH 14.0
#define COLORBAR_SPACE (COLORBAR_WIDTH + 12 + 48 + 18)
#define FADE_TO_WHITE  0.78
#define NO_SCORE_RGB   0xa0a0a0

/* One byte per raster pixel: the highest colour level that landed there (0 empty, 1 a point without
 * a score, 2 .. 255 the colour map) or, without scores, the number of points (saturating at 255);
 * and, while a selection is shown, one bit per pixel for "a selected point landed here". A byte
 * keeps a full-screen raster within a core's L2 cache, where the random writes of a million points
 * cost least. */
#define LEVEL_NO_SCORE  1
#define LEVEL_FIRST     2
#define N_LEVELS        254
#define MAX_RASTER_THREADS 8

/* Sets this large are drawn from a copy sorted by position (see DassieScatterCache). */
#define SORTED_COPY_MIN_POINTS 100000
#define PARALLEL_MIN_POINTS    4000000
#define SORT_GRID              128

struct _DassieScatterCache
{
  guint8          *cells;      /* one raster per thread, one after the other */
  guint64         *selected;   /* one bitmap per thread */
  gsize            capacity;   /* in cells */
  cairo_surface_t *surface;

  /* The sorted copy and what it was made from. */
  const float     *source_x;
  const float     *source_y;
  const float     *source_values;
  gsize            source_n;
  gsize            n_sorted;   /* points with finite coordinates */
  float            value_min;  /* of the finite values, +inf when there are none */
  float            value_max;
  float           *x;
  float           *y;
  float           *values;
  guint32         *order;      /* the original index of each sorted point */
};

DassieScatterCache *
dassie_scatter_cache_new (void)
{
  return g_new0 (DassieScatterCache, 1);
}

void
dassie_scatter_cache_invalidate (DassieScatterCache *cache)
{
  g_return_if_fail (cache != NULL);

  g_clear_pointer (&cache->x, g_free);
  g_clear_pointer (&cache->y, g_free);
  g_clear_pointer (&cache->values, g_free);
  g_clear_pointer (&cache->order, g_free);
  cache->source_x = cache->source_y = cache->source_values = NULL;
  cache->source_n = cache->n_sorted = 0;
}

void
dassie_scatter_cache_free (DassieScatterCache *cache)
{
  if (cache == NULL)
    return;
  dassie_scatter_cache_invalidate (cache);
  g_free (cache->cells);
  g_free (cache->selected);
  g_clear_pointer (&cache->surface, cairo_surface_destroy);
  g_free (cache);
}

void
dassie_scatter_init (DassieScatter *scatter)
{
  g_return_if_fail (scatter != NULL);

  memset (scatter, 0, sizeof *scatter);
  scatter->colormap = DASSIE_COLORMAP_VIRIDIS;
  scatter->point_radius = -1;
}

static Layout
scatter_layout (const DassieScatter *scatter)
{
  Layout layout = { scatter->title != NULL, scatter->x_label != NULL, scatter->y_label != NULL, COLORBAR_SPACE };
  return layout;
}

void
dassie_plot_scatter_area (double               width,
                          double               height,
                          const DassieScatter *scatter,
                          cairo_rectangle_t   *area)
{
  Layout layout;

  g_return_if_fail (scatter != NULL && area != NULL);

  layout = scatter_layout (scatter);
  layout_area (width, height, &layout, area);
}

static void
scatter_view (double               width,
              double               height,
              const DassieScatter *scatter,
              DassieView          *view)
{
  cairo_rectangle_t area;

  dassie_plot_scatter_area (width, height, scatter, &area);
  if (scatter->view != NULL)
    *view = *scatter->view;
  else
    {
      dassie_view_init (view, 0, 0, 1, 1);
      dassie_view_fit (view, scatter->x, scatter->y, scatter->n, 0.04);
    }
  dassie_view_set_area (view, area.x, area.y, area.width, area.height);
}

static void ensure_sorted_copy (DassieScatterCache  *cache,
                                const DassieScatter *scatter);

static inline gboolean
uses_sorted_copy (const DassieScatter *scatter)
{
  return scatter->cache != NULL && scatter->n >= SORTED_COPY_MIN_POINTS;
}

static void
value_range (const DassieScatter *scatter,
             double              *low,
             double              *high)
{
  float lo = INFINITY, hi = -INFINITY;

  if (scatter->value_max > scatter->value_min)
    {
      *low = scatter->value_min;
      *high = scatter->value_max;
      return;
    }

  if (uses_sorted_copy (scatter))
    {
      ensure_sorted_copy (scatter->cache, scatter);
      lo = scatter->cache->value_min;
      hi = scatter->cache->value_max;
    }
  else
    {
      for (gsize i = 0; i < scatter->n; i++)
        if (isfinite (scatter->values[i]))
          {
            lo = MIN (lo, scatter->values[i]);
            hi = MAX (hi, scatter->values[i]);
          }
    }
  if (!(hi > lo))
    {
      lo = isfinite (lo) ? lo - 0.5f : 0;
      hi = lo + 1;
    }
  *low = lo;
  *high = hi;
}

static double
auto_radius (const DassieScatter *scatter)
{
  if (scatter->point_radius >= 0)
    return scatter->point_radius;
  if (scatter->n <= 5000)
    return 3;
  if (scatter->n <= 50000)
    return 2;
  if (scatter->n <= 300000)
    return 1;
  return 0;
}

/* A disc of radius @r as pixel offsets; 0 is a single pixel. */
static guint
disc_offsets (double r,
              int    offsets[][2],
              guint  max_offsets)
{
  int ri = (int) ceil (r);
  guint n = 0;

  for (int dy = -ri; dy <= ri; dy++)
    for (int dx = -ri; dx <= ri; dx++)
      if (dx * dx + dy * dy <= r * r + 0.5 && n < max_offsets)
        {
          offsets[n][0] = dx;
          offsets[n][1] = dy;
          n++;
        }
  return n;
}

static void
ensure_cache (DassieScatterCache *cache,
              int                 w,
              int                 h,
              int                 n_rasters)
{
  gsize pixels = (gsize) w * h * n_rasters;

  if (pixels > cache->capacity)
    {
      g_free (cache->cells);
      g_free (cache->selected);
      cache->cells = g_new (guint8, pixels);
      cache->selected = g_new (guint64, pixels / 64 + n_rasters);
      cache->capacity = pixels;
    }
  if (cache->surface == NULL ||
      cairo_image_surface_get_width (cache->surface) != w ||
      cairo_image_surface_get_height (cache->surface) != h)
    {
      g_clear_pointer (&cache->surface, cairo_surface_destroy);
      cache->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
    }
}

static inline guint32
fade (guint32 rgb)
{
  guint32 out = 0xff000000u;

  for (int shift = 0; shift <= 16; shift += 8)
    {
      double c = (rgb >> shift) & 0xff;
      out |= (guint32) lround (c + FADE_TO_WHITE * (255 - c)) << shift;
    }
  return out;
}

static inline gboolean
has_selection (const DassieScatter *scatter)
{
  return scatter->selection != NULL &&
         dassie_selection_get_count (scatter->selection) > 0 &&
         dassie_selection_get_n_objects (scatter->selection) == scatter->n;
}

/* Counting sort of the points into a SORT_GRID × SORT_GRID grid over their bounds, row by row:
 * consecutive points then land near each other on screen at any zoom. */
static void
ensure_sorted_copy (DassieScatterCache  *cache,
                    const DassieScatter *scatter)
{
  const gsize n = scatter->n;
  g_autofree guint32 *cell_of = NULL;
  g_autofree guint32 *start = NULL;
  float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  double gx, gy;
  gsize m = 0;

  if (cache->x != NULL && cache->source_x == scatter->x && cache->source_y == scatter->y &&
      cache->source_values == scatter->values && cache->source_n == n)
    return;

  dassie_scatter_cache_invalidate (cache);
  for (gsize i = 0; i < n; i++)
    if (isfinite (scatter->x[i]) && isfinite (scatter->y[i]))
      {
        x0 = MIN (x0, scatter->x[i]);
        x1 = MAX (x1, scatter->x[i]);
        y0 = MIN (y0, scatter->y[i]);
        y1 = MAX (y1, scatter->y[i]);
      }
  gx = x1 > x0 ? (SORT_GRID - 1e-6) / (x1 - x0) : 0;
  gy = y1 > y0 ? (SORT_GRID - 1e-6) / (y1 - y0) : 0;

  cache->value_min = INFINITY;
  cache->value_max = -INFINITY;
  for (gsize i = 0; scatter->values != NULL && i < n; i++)
    if (isfinite (scatter->values[i]))
      {
        cache->value_min = MIN (cache->value_min, scatter->values[i]);
        cache->value_max = MAX (cache->value_max, scatter->values[i]);
      }

  cell_of = g_new (guint32, MAX (n, 1));
  start = g_new0 (guint32, SORT_GRID * SORT_GRID + 1);
  for (gsize i = 0; i < n; i++)
    {
      if (!(isfinite (scatter->x[i]) && isfinite (scatter->y[i])))
        {
          cell_of[i] = G_MAXUINT32;
          continue;
        }
      cell_of[i] = (guint32) ((scatter->y[i] - y0) * gy) * SORT_GRID + (guint32) ((scatter->x[i] - x0) * gx);
      start[cell_of[i] + 1]++;
      m++;
    }
  for (guint c = 0; c < SORT_GRID * SORT_GRID; c++)
    start[c + 1] += start[c];

  cache->x = g_new (float, MAX (m, 1));
  cache->y = g_new (float, MAX (m, 1));
  cache->values = scatter->values != NULL ? g_new (float, MAX (m, 1)) : NULL;
  cache->order = g_new (guint32, MAX (m, 1));
  for (gsize i = 0; i < n; i++)
    {
      guint32 k;

      if (cell_of[i] == G_MAXUINT32)
        continue;
      k = start[cell_of[i]]++;
      cache->x[k] = scatter->x[i];
      cache->y[k] = scatter->y[i];
      if (cache->values != NULL)
        cache->values[k] = scatter->values[i];
      cache->order[k] = (guint32) i;
    }
  cache->n_sorted = m;
  cache->source_x = scatter->x;
  cache->source_y = scatter->y;
  cache->source_values = scatter->values;
  cache->source_n = n;
}

typedef struct
{
  DassieScatterCache  *cache;
  const DassieScatter *scatter;
  const DassieView    *view;
  int                  w, h;
  guint                n_chunks;
  double               value_low;
  double               level_scale;   /* score -> colour level */
  int                  offsets[64][2];
  guint                n_offsets;
  gboolean             selection;
  /* The points drawn: the caller's arrays or the sorted copy (then order maps back). */
  const float         *x;
  const float         *y;
  const float         *values;
  const guint32       *order;
  gsize                n;
} Raster;

static inline gsize
bitmap_words (gsize pixels)
{
  return pixels / 64 + 1;
}

/* The loop over one chunk of points. Always inlined with constant flags, so that each combination
 * compiles to a loop without their branches; the max is written so that it becomes a conditional
 * move, as which level wins a pixel is unpredictable. */
static inline G_ALWAYS_INLINE void
rasterise_range (const Raster *r,
                 guint8       *cells,
                 guint64      *selected,
                 gsize         first,
                 gsize         last,
                 gboolean      by_density,
                 gboolean      single_pixel,
                 gboolean      with_selection)
{
  const double sx = r->w / (r->view->x_max - r->view->x_min);
  const double sy = r->h / (r->view->y_max - r->view->y_min);
  /* Shifted by 4 pixels so that truncation is floor for every point that can touch the raster. */
  const double x0 = r->view->x_min - 4 / sx, y1 = r->view->y_max + 4 / sy;
  const double limit_x = r->w + 7, limit_y = r->h + 7;
  const int w = r->w, h = r->h;

  for (gsize i = first; i < last; i++)
    {
      double fx = (r->x[i] - x0) * sx;
      double fy = (y1 - r->y[i]) * sy;
      guint level = LEVEL_FIRST;
      gboolean is_selected = FALSE;
      int ix, iy;

      /* Written so that NaN coordinates fail too; 3 pixels of slack for the disc. */
      if (!(fx >= 1 && fx < limit_x && fy >= 1 && fy < limit_y))
        continue;
      ix = (int) fx - 4;
      iy = (int) fy - 4;
      if (!by_density)
        {
          float v = r->values[i];
          double t = (v - r->value_low) * r->level_scale;

          t = t < 0 ? 0 : t > N_LEVELS - 1 ? N_LEVELS - 1 : t;
          level = isnan (v) ? LEVEL_NO_SCORE : LEVEL_FIRST + (guint) t;
        }
      if (with_selection)
        is_selected = dassie_selection_contains (r->scatter->selection, r->order != NULL ? r->order[i] : i);

      for (guint k = 0; k < (single_pixel ? 1 : r->n_offsets); k++)
        {
          int px = single_pixel ? ix : ix + r->offsets[k][0];
          int py = single_pixel ? iy : iy + r->offsets[k][1];
          gsize p;

          if ((guint) px >= (guint) w || (guint) py >= (guint) h)
            continue;
          p = (gsize) py * w + px;
          if (by_density)
            cells[p] = (guint8) MIN (cells[p] + 1u, 255u);
          else
            {
              guint c = cells[p];
              cells[p] = (guint8) (level > c ? level : c);
            }
          if (with_selection && is_selected)
            selected[p / 64] |= G_GUINT64_CONSTANT (1) << (p % 64);
        }
    }
}

/* Each chunk of points goes into its own raster, so threads never write the same cell; the
 * rasters are merged while colouring. */
static void
rasterise_points (guint    begin,
                  guint    end,
                  gpointer user_data)
{
  const Raster *r = user_data;
  const gboolean by_density = r->values == NULL;
  const gboolean single_pixel = r->n_offsets == 1;
  const gsize pixels = (gsize) r->w * r->h;

  for (guint chunk = begin; chunk < end; chunk++)
    {
      guint8 *cells = r->cache->cells + chunk * pixels;
      guint64 *selected = r->cache->selected + chunk * bitmap_words (pixels);
      gsize first = (gsize) ((guint64) r->n * chunk / r->n_chunks);
      gsize last = (gsize) ((guint64) r->n * (chunk + 1) / r->n_chunks);

      memset (cells, 0, pixels);
      if (r->selection)
        memset (selected, 0, bitmap_words (pixels) * sizeof (guint64));

      if (r->selection)
        rasterise_range (r, cells, selected, first, last, by_density, FALSE, TRUE);
      else if (by_density)
        rasterise_range (r, cells, selected, first, last, TRUE, FALSE, FALSE);
      else if (single_pixel)
        rasterise_range (r, cells, selected, first, last, FALSE, TRUE, FALSE);
      else
        rasterise_range (r, cells, selected, first, last, FALSE, FALSE, FALSE);
    }
}

static void
rasterise_scatter (DassieScatterCache  *cache,
                   const DassieScatter *scatter,
                   const DassieView    *view,
                   int                  w,
                   int                  h,
                   double               value_low,
                   double               value_high)
{
  const gboolean by_density = scatter->values == NULL;
  const gsize pixels = (gsize) w * h;
  Raster r = { 0 };
  guint32 lut[256], faded[256];
  guint32 *data;
  int stride;

  r.cache = cache;
  r.scatter = scatter;
  r.view = view;
  r.w = w;
  r.h = h;
  r.value_low = value_low;
  r.level_scale = N_LEVELS / (value_high - value_low);
  r.selection = has_selection (scatter);
  if (uses_sorted_copy (scatter))
    {
      ensure_sorted_copy (cache, scatter);
      r.x = cache->x;
      r.y = cache->y;
      r.values = cache->values;
      r.order = cache->order;
      r.n = cache->n_sorted;
    }
  else
    {
      r.x = scatter->x;
      r.y = scatter->y;
      r.values = scatter->values;
      r.n = scatter->n;
    }
  /* Radii are in drawing units; the raster may be finer (HiDPI), so scale the disc. */
  r.n_offsets = disc_offsets (auto_radius (scatter) * w / view->width, r.offsets, G_N_ELEMENTS (r.offsets));
  /* Big sets use every core, each on its share of the points. */
  /* One core draws a million points in about 5 ms; only far larger sets are worth threads. */
  r.n_chunks = scatter->n >= PARALLEL_MIN_POINTS ? MIN (dassie_parallel_n_threads (0), MAX_RASTER_THREADS) : 1;
  ensure_cache (cache, w, h, (int) r.n_chunks);
  dassie_parallel_for (r.n_chunks, r.n_chunks, rasterise_points, &r);

  /* Merge the rasters into the first: the highest level (or the sum of counts) and any selection. */
  for (guint c = 1; c < r.n_chunks; c++)
    {
      const guint8 *other = cache->cells + c * pixels;
      const guint64 *other_selected = cache->selected + c * bitmap_words (pixels);

      if (by_density)
        for (gsize p = 0; p < pixels; p++)
          cache->cells[p] = (guint8) MIN (cache->cells[p] + (guint) other[p], 255u);
      else
        for (gsize p = 0; p < pixels; p++)
          cache->cells[p] = MAX (cache->cells[p], other[p]);
      if (r.selection)
        for (gsize k = 0; k < bitmap_words (pixels); k++)
          cache->selected[k] |= other_selected[k];
    }

  /* Empty cells are the white background, so the raster is painted opaque, without blending. */
  lut[0] = 0xffffffffu;
  lut[LEVEL_NO_SCORE] = 0xff000000u | NO_SCORE_RGB;
  for (guint k = 0; k < N_LEVELS; k++)
    lut[LEVEL_FIRST + k] = dassie_colormap_lookup (scatter->colormap, (k + 0.5) / N_LEVELS);
  if (by_density)
    {
      /* Counts on a log scale: one point is the bottom of the map, the densest pixel the top. */
      guint max_count = 1;

      for (gsize p = 0; p < pixels; p++)
        max_count = MAX (max_count, cache->cells[p]);
      for (guint count = 1; count < 256; count++)
        lut[count] = dassie_colormap_lookup (scatter->colormap,
                                             max_count > 1 ? log (MIN (count, max_count)) / log (max_count) : 0);
    }
  for (guint k = 0; k < 256; k++)
    faded[k] = k == 0 ? lut[0] : fade (lut[k]);

  cairo_surface_flush (cache->surface);
  data = (guint32 *) (gpointer) cairo_image_surface_get_data (cache->surface);
  stride = cairo_image_surface_get_stride (cache->surface) / 4;
  for (int y = 0; y < h; y++)
    {
      const guint8 *row = cache->cells + (gsize) y * w;
      guint32 *out = data + (gsize) y * stride;

      if (!r.selection)
        for (int x = 0; x < w; x++)
          out[x] = lut[row[x]];
      else
        for (int x = 0; x < w; x++)
          {
            gsize p = (gsize) y * w + x;
            gboolean sel = (cache->selected[p / 64] >> (p % 64)) & 1;

            out[x] = sel ? lut[row[x]] : faded[row[x]];
          }
    }
  cairo_surface_mark_dirty (cache->surface);
}

static void
draw_points_vector (cairo_t             *cr,
                    const DassieScatter *scatter,
                    const DassieView    *view,
                    double               value_low,
                    double               value_high)
{
  const gboolean selection = has_selection (scatter);
  double r = MAX (auto_radius (scatter), 0.7);

  for (gsize i = 0; i < scatter->n; i++)
    {
      double px, py;
      guint32 rgb;

      if (!isfinite (scatter->x[i]) || !isfinite (scatter->y[i]))
        continue;
      dassie_view_data_to_pixel (view, scatter->x[i], scatter->y[i], &px, &py);
      if (px < view->left - r || px > view->left + view->width + r ||
          py < view->top - r || py > view->top + view->height + r)
        continue;

      if (scatter->values == NULL)
        rgb = dassie_colormap_lookup (scatter->colormap, 0.5);
      else if (isnan (scatter->values[i]))
        rgb = NO_SCORE_RGB;
      else
        rgb = dassie_colormap_lookup (scatter->colormap,
                                      (scatter->values[i] - value_low) / (value_high - value_low));
      if (selection && !dassie_selection_contains (scatter->selection, i))
        rgb = fade (rgb);
      set_rgb (cr, rgb);
      cairo_new_sub_path (cr);
      cairo_arc (cr, px, py, r, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
draw_colorbar (cairo_t                 *cr,
               const cairo_rectangle_t *area,
               const DassieScatter     *scatter,
               double                   low,
               double                   high)
{
  cairo_rectangle_t bar = { area->x + area->width + 12, area->y, COLORBAR_WIDTH, area->height };
  const guint steps = 128;

  for (guint k = 0; k < steps; k++)
    {
      double y0 = bar.y + bar.height * (1 - (k + 1.0) / steps);
      set_rgb (cr, dassie_colormap_lookup (scatter->colormap, (k + 0.5) / steps));
      /* Overlap by a hair so no seams show between the bands. */
      cairo_rectangle (cr, bar.x, y0, bar.width, bar.height / steps + 0.5);
      cairo_fill (cr);
    }
  draw_frame (cr, &bar);

  /* Ticks and labels on the right of the bar. */
  {
    char label[64];
    double first, step;
    guint count = dassie_plot_nice_ticks (low, high, 6, &first, &step);

    set_font (cr, FONT_SIZE, FALSE);
    set_rgb (cr, 0x303030);
    for (guint i = 0; i < count; i++)
      {
        double v = first + i * step;
        double y = round (bar.y + bar.height * (1 - (v - low) / (high - low))) + 0.5;

        cairo_move_to (cr, bar.x + bar.width, y);
        cairo_line_to (cr, bar.x + bar.width + TICK_LENGTH, y);
        cairo_stroke (cr);
        format_tick (label, sizeof label, v, step);
        draw_text (cr, bar.x + bar.width + TICK_LENGTH + 3, y, label, 0, 0.5);
      }
  }

  if (scatter->value_label != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, bar.x + bar.width + TICK_LENGTH + 3 + 48 + 4, bar.y + bar.height / 2);
      cairo_rotate (cr, G_PI / 2);
      draw_text (cr, 0, 0, scatter->value_label, 0.5, 0);
      cairo_restore (cr);
    }
}

void
dassie_plot_scatter (cairo_t             *cr,
                     double               width,
                     double               height,
                     const DassieScatter *scatter)
{
  DassieView view;
  cairo_rectangle_t area;
  double value_low = 0, value_high = 1;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (scatter != NULL);
  g_return_if_fail (scatter->n == 0 || (scatter->x != NULL && scatter->y != NULL));

  scatter_view (width, height, scatter, &view);
  area.x = view.left;
  area.y = view.top;
  area.width = view.width;
  area.height = view.height;
  if (scatter->values != NULL)
    value_range (scatter, &value_low, &value_high);

  cairo_save (cr);
  paint_background (cr, width, height);

  cairo_save (cr);
  cairo_rectangle (cr, area.x, area.y, area.width, area.height);
  cairo_clip (cr);
  if (target_is_vector (cr) && scatter->n <= VECTOR_POINT_LIMIT)
    draw_points_vector (cr, scatter, &view, value_low, value_high);
  else
    {
      g_autoptr(DassieScatterCache) own_cache = NULL;
      DassieScatterCache *cache = scatter->cache;
      double ux = 1, uy = 1;
      int w, h;

      /* One raster pixel per device pixel, so HiDPI screens and scaled PNGs stay sharp. */
      cairo_user_to_device_distance (cr, &ux, &uy);
      ux = fabs (ux);
      uy = fabs (uy);
      w = MAX (1, (int) ceil (area.width * ux));
      h = MAX (1, (int) ceil (area.height * uy));
      if (cache == NULL)
        cache = own_cache = dassie_scatter_cache_new ();
      rasterise_scatter (cache, scatter, &view, w, h, value_low, value_high);

      cairo_translate (cr, area.x, area.y);
      cairo_scale (cr, area.width / w, area.height / h);
      cairo_set_source_surface (cr, cache->surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
      cairo_paint (cr);
    }
  cairo_restore (cr);

  draw_frame (cr, &area);
  draw_ticks (cr, &area, FALSE, view.x_min, view.x_max, AXIS_LINEAR, MAX (3, (guint) (area.width / 70)));
  draw_ticks (cr, &area, TRUE, view.y_min, view.y_max, AXIS_LINEAR, MAX (3, (guint) (area.height / 45)));
  draw_title_and_labels (cr, &area, scatter->title, scatter->x_label, scatter->y_label);
  if (scatter->values != NULL)
    draw_colorbar (cr, &area, scatter, value_low, value_high);
  cairo_restore (cr);
}

gssize
dassie_plot_scatter_pick (double               width,
                          double               height,
                          const DassieScatter *scatter,
                          double               px,
                          double               py,
                          double               radius)
{
  DassieView view;
  double best = radius * radius;
  double x0, y0, x1, y1;
  gssize found = -1;

  g_return_val_if_fail (scatter != NULL, -1);

  scatter_view (width, height, scatter, &view);
  if (px < view.left || px > view.left + view.width || py < view.top || py > view.top + view.height)
    return -1;

  /* A data-space box around the pointer rejects almost every point before any arithmetic. */
  dassie_view_pixel_to_data (&view, px - radius, py + radius, &x0, &y0);
  dassie_view_pixel_to_data (&view, px + radius, py - radius, &x1, &y1);
  for (gsize i = 0; i < scatter->n; i++)
    {
      double qx, qy, d;

      if (!(scatter->x[i] >= x0 && scatter->x[i] <= x1 && scatter->y[i] >= y0 && scatter->y[i] <= y1))
        continue;
      dassie_view_data_to_pixel (&view, scatter->x[i], scatter->y[i], &qx, &qy);
      d = (qx - px) * (qx - px) + (qy - py) * (qy - py);
      if (d <= best)
        {
          best = d;
          found = (gssize) i;
        }
    }
  return found;
}

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

static Layout
histogram_layout (const DassieHistogram *histogram)
{
  Layout layout = { histogram->title != NULL, histogram->x_label != NULL, TRUE, 0 };
  return layout;
}

void
dassie_plot_histogram_area (double                 width,
                            double                 height,
                            const DassieHistogram *histogram,
                            cairo_rectangle_t     *area)
{
  Layout layout;

  g_return_if_fail (histogram != NULL && area != NULL);

  layout = histogram_layout (histogram);
  layout_area (width, height, &layout, area);
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
  AxisScale scale;
  double top;
  gboolean has_selection;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (histogram != NULL);
  g_return_if_fail (histogram->n == 0 || histogram->values != NULL);

  dassie_histogram_compute (histogram, &bins);
  dassie_plot_histogram_area (width, height, histogram, &area);
  scale = histogram->log_counts ? AXIS_LOG10_PLUS1 : AXIS_LINEAR;
  top = axis_position (scale, MAX (bins.max_count, 1)) * 1.05;
  has_selection = histogram->selected_max > histogram->selected_min;

  cairo_save (cr);
  paint_background (cr, width, height);

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
      double h = area.height * axis_position (scale, bins.counts[k]) / top;
      gboolean selected = has_selection && centre >= histogram->selected_min && centre <= histogram->selected_max;

      if (bins.counts[k] == 0)
        continue;
      set_rgb (cr, selected ? SELECTED_RGB : BAR_RGB);
      /* A hairline gap between bars once they are wide enough to show one. */
      cairo_rectangle (cr, x0, area.y + area.height - h, w, h);
      cairo_fill (cr);
      if (selected_counts != NULL && selected_counts[k] > 0 && !selected)
        {
          double hs = area.height * axis_position (scale, selected_counts[k]) / top;

          set_rgb (cr, SELECTED_RGB);
          cairo_rectangle (cr, x0, area.y + area.height - hs, w, hs);
          cairo_fill (cr);
        }
    }

  draw_frame (cr, &area);
  draw_ticks (cr, &area, FALSE, bins.low, bins.high, AXIS_LINEAR, MAX (3, (guint) (area.width / 70)));
  draw_ticks (cr, &area, TRUE, 0, top, scale, MAX (3, (guint) (area.height / 40)));
  draw_title_and_labels (cr, &area, histogram->title, histogram->x_label,
                         histogram->log_counts ? _("Objects (log)") : _("Objects"));

  if (bins.n_outside > 0 || bins.n_invalid > 0)
    {
      g_autofree char *note = g_strdup_printf (_("%llu outside the range, %llu without a value"),
                                               (unsigned long long) bins.n_outside,
                                               (unsigned long long) bins.n_invalid);
      set_font (cr, FONT_SIZE - 1, FALSE);
      set_rgb (cr, 0x606060);
      draw_text (cr, area.x + area.width, MARGIN + (histogram->title != NULL ? 3 : 0), note, 1, 0);
    }
  cairo_restore (cr);
  dassie_histogram_bins_clear (&bins);
}

/* ------------------------------------------------------------------------------------------------
 * Loss curve */

#define TRAIN_RGB 0x3584e4
#define VAL_RGB   0xe66100

typedef struct
{
  cairo_rectangle_t area;
  AxisScale         scale;
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
  return f->area.y + f->area.height * (1 - (axis_position (f->scale, loss) - f->y_low) / (f->y_high - f->y_low));
}

static inline gboolean
loss_drawable (const LossFrame *f,
               double           loss)
{
  return isfinite (loss) && (f->scale != AXIS_LOG10 || loss > 0);
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
  Layout layout = { curve != NULL && curve->title != NULL, TRUE, TRUE, 0 };
  LossFrame f;
  double y_low = INFINITY, y_high = -INFINITY;
  double span;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (curve != NULL);

  f.scale = curve->log_loss ? AXIS_LOG10 : AXIS_LINEAR;
  layout_area (width, height, &layout, &f.area);
  f.x_max = 1;
  for (gsize i = 0; i < curve->n_train; i++)
    f.x_max = MAX (f.x_max, curve->train_epoch[i]);
  for (gsize i = 0; i < curve->n_val; i++)
    f.x_max = MAX (f.x_max, curve->val_epoch[i]);
  loss_limits (&f, curve->train_loss, curve->n_train, &y_low, &y_high);
  loss_limits (&f, curve->val_loss, curve->n_val, &y_low, &y_high);
  if (!(y_high >= y_low))
    {
      y_low = curve->log_loss ? 0.1 : 0;
      y_high = 1;
    }
  f.y_low = axis_position (f.scale, y_low);
  f.y_high = axis_position (f.scale, y_high);
  span = MAX (f.y_high - f.y_low, 1e-9);
  f.y_low -= 0.05 * span;
  f.y_high += 0.05 * span;

  cairo_save (cr);
  paint_background (cr, width, height);
  cairo_save (cr);
  cairo_rectangle (cr, f.area.x, f.area.y, f.area.width, f.area.height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  set_rgb (cr, TRAIN_RGB);
  cairo_set_line_width (cr, 1.5);
  if (curve->n_train > 2 * (gsize) MAX (f.area.width, 1))
    {
      cairo_set_source_rgba (cr, 0x35 / 255.0, 0x84 / 255.0, 0xe4 / 255.0, 0.25);
      draw_train_columns (cr, &f, curve, TRUE);
      cairo_fill (cr);
      set_rgb (cr, TRAIN_RGB);
      draw_train_columns (cr, &f, curve, FALSE);
      cairo_stroke (cr);
    }
  else
    draw_loss_line (cr, &f, curve->train_epoch, curve->train_loss, curve->n_train, 0);

  set_rgb (cr, VAL_RGB);
  cairo_set_line_width (cr, 2);
  draw_loss_line (cr, &f, curve->val_epoch, curve->val_loss, curve->n_val, 3);
  cairo_restore (cr);

  draw_frame (cr, &f.area);
  draw_ticks (cr, &f.area, FALSE, 0, f.x_max, AXIS_LINEAR, MAX (3, (guint) (f.area.width / 70)));
  draw_ticks (cr, &f.area, TRUE, f.y_low, f.y_high, f.scale, MAX (3, (guint) (f.area.height / 40)));
  draw_title_and_labels (cr, &f.area, curve->title, _("Epoch"), _("Loss"));

  /* The legend, top right inside the frame. */
  {
    const char *train = _("Training (per batch)");
    const char *val = _("Validation (per epoch)");
    double x, y = f.area.y + 12;

    set_font (cr, FONT_SIZE, FALSE);
    x = f.area.x + f.area.width - MAX (text_width (cr, train), text_width (cr, val)) - 34;
    set_rgb (cr, TRAIN_RGB);
    cairo_rectangle (cr, x, y - 1, 18, 2);
    cairo_fill (cr);
    set_rgb (cr, VAL_RGB);
    cairo_rectangle (cr, x, y + 15, 18, 2);
    cairo_fill (cr);
    set_rgb (cr, 0x202020);
    draw_text (cr, x + 24, y, train, 0, 0.5);
    draw_text (cr, x + 24, y + 16, val, 0, 0.5);
  }
  cairo_restore (cr);
}

/* ------------------------------------------------------------------------------------------------
 * Cutout grid */

#define GRID_GAP     8.0
#define CAPTION_SIZE 10.0

typedef struct
{
  double   x0, y0;
  double   cell;      /* the image's side */
  double   pitch_x;
  double   pitch_y;
  guint    columns;
} GridLayout;

static void
grid_layout (double                      width,
             double                      height,
             const DassieCutoutGridPlot *grid,
             GridLayout                 *gl)
{
  double top = MARGIN + (grid->title != NULL ? 22 : 0);
  double avail_w = MAX (1, width - 2 * MARGIN);
  double avail_h = MAX (1, height - top - MARGIN);
  double caption = (grid->ids != NULL ? 13 : 0) + (grid->scores != NULL ? 13 : 0);
  guint best_columns = 1;
  double best_cell = 0;

  if (grid->columns > 0)
    {
      guint rows = (guint) ((grid->n + grid->columns - 1) / grid->columns);
      best_columns = grid->columns;
      best_cell = MIN ((avail_w - GRID_GAP * (best_columns - 1)) / best_columns,
                       (avail_h - rows * (caption + GRID_GAP)) / MAX (rows, 1));
    }
  else
    for (guint c = 1; c <= MAX (grid->n, 1); c++)
      {
        guint rows = (guint) ((grid->n + c - 1) / c);
        double cell = MIN ((avail_w - GRID_GAP * (c - 1)) / c,
                           (avail_h - rows * (caption + GRID_GAP)) / MAX (rows, 1));
        if (cell > best_cell)
          {
            best_cell = cell;
            best_columns = c;
          }
      }

  gl->cell = MAX (best_cell, 1);
  gl->columns = best_columns;
  gl->pitch_x = gl->cell + GRID_GAP;
  gl->pitch_y = gl->cell + caption + GRID_GAP;
  gl->x0 = MARGIN + MAX (0, (avail_w - (gl->pitch_x * best_columns - GRID_GAP)) / 2);
  gl->y0 = top;
}

/* Draws @text centred under a cell, shrinking the font until it fits the cell's width. */
static void
draw_caption (cairo_t    *cr,
              double      x,
              double      y,
              double      max_width,
              const char *text)
{
  double size = CAPTION_SIZE;

  set_font (cr, size, FALSE);
  while (size > 5 && text_width (cr, text) > max_width)
    {
      size -= 0.5;
      set_font (cr, size, FALSE);
    }
  draw_text (cr, x, y, text, 0.5, 0);
}

void
dassie_plot_cutout_grid (cairo_t                    *cr,
                         double                      width,
                         double                      height,
                         const DassieCutoutGridPlot *grid)
{
  GridLayout gl;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (grid != NULL);
  g_return_if_fail (grid->n == 0 || grid->images != NULL);

  grid_layout (width, height, grid, &gl);

  cairo_save (cr);
  paint_background (cr, width, height);
  if (grid->title != NULL)
    {
      set_rgb (cr, 0x202020);
      set_font (cr, TITLE_SIZE, TRUE);
      draw_text (cr, MARGIN, MARGIN, grid->title, 0, 0);
    }

  for (gsize i = 0; i < grid->n; i++)
    {
      double x = gl.x0 + (i % gl.columns) * gl.pitch_x;
      double y = gl.y0 + (i / gl.columns) * gl.pitch_y;
      double caption_y = y + gl.cell + 3;
      cairo_surface_t *image = grid->images[i];

      if (image != NULL && cairo_surface_status (image) == CAIRO_STATUS_SUCCESS)
        {
          int iw = cairo_image_surface_get_width (image);
          int ih = cairo_image_surface_get_height (image);
          double s = gl.cell / MAX (iw, ih);

          cairo_save (cr);
          cairo_rectangle (cr, x, y, gl.cell, gl.cell);
          cairo_clip (cr);
          cairo_set_source_rgb (cr, 0, 0, 0);
          cairo_paint (cr);
          cairo_translate (cr, x + (gl.cell - iw * s) / 2, y + (gl.cell - ih * s) / 2);
          cairo_scale (cr, s, s);
          cairo_set_source_surface (cr, image, 0, 0);
          /* Enlarged cutouts keep their pixels square; reduced ones are smoothed. */
          cairo_pattern_set_filter (cairo_get_source (cr), s >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
          cairo_paint (cr);
          cairo_restore (cr);
        }
      else
        {
          cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
          cairo_rectangle (cr, x, y, gl.cell, gl.cell);
          cairo_fill (cr);
        }

      set_rgb (cr, 0x202020);
      if (grid->ids != NULL && grid->ids[i] != NULL)
        {
          draw_caption (cr, x + gl.cell / 2, caption_y, gl.cell + GRID_GAP - 2, grid->ids[i]);
          caption_y += 13;
        }
      if (grid->scores != NULL)
        {
          char text[64];

          g_snprintf (text, sizeof text, "%.4g", grid->scores[i]);
          set_rgb (cr, 0x505050);
          draw_caption (cr, x + gl.cell / 2, caption_y, gl.cell + GRID_GAP - 2, text);
        }
    }
  cairo_restore (cr);
}

gssize
dassie_plot_cutout_grid_pick (double                      width,
                              double                      height,
                              const DassieCutoutGridPlot *grid,
                              double                      px,
                              double                      py)
{
  GridLayout gl;
  double cx, cy;
  gsize column, row, i;

  g_return_val_if_fail (grid != NULL, -1);

  grid_layout (width, height, grid, &gl);
  cx = (px - gl.x0) / gl.pitch_x;
  cy = (py - gl.y0) / gl.pitch_y;
  if (cx < 0 || cy < 0)
    return -1;
  column = (gsize) cx;
  row = (gsize) cy;
  /* Gaps between cells belong to no cutout. */
  if (column >= gl.columns || px - gl.x0 - column * gl.pitch_x > gl.cell ||
      py - gl.y0 - row * gl.pitch_y > gl.pitch_y - GRID_GAP)
    return -1;
  i = row * gl.columns + column;
  return i < grid->n ? (gssize) i : -1;
}

/* ------------------------------------------------------------------------------------------------
 * Files */

static gboolean
cairo_fail (cairo_status_t   status,
            const char      *path,
            GError         **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Could not draw the plot into “%s”: %s"), path, cairo_status_to_string (status));
  return FALSE;
}

gboolean
dassie_plot_save (const char          *path,
                  double               width,
                  double               height,
                  DassiePlotDrawFunc   draw,
                  gconstpointer        plot,
                  GError             **error)
{
  g_autofree char *lower = NULL;
  g_autofree char *temp = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean png;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width >= 1 && height >= 1, FALSE);
  g_return_val_if_fail (draw != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  temp = dassie_temp_path_for (path);
  png = g_str_has_suffix (lower, ".png");
  if (png)
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width), (int) ceil (height));
  else if (g_str_has_suffix (lower, ".svg"))
    surface = cairo_svg_surface_create (temp, width, height);
  else if (g_str_has_suffix (lower, ".pdf"))
    surface = cairo_pdf_surface_create (temp, width, height);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot tell which kind of picture to write to “%s”: name it .png, .svg or .pdf"), path);
      return FALSE;
    }

  cr = cairo_create (surface);
  draw (cr, width, height, plot);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && png)
    status = cairo_surface_write_to_png (surface, temp);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (temp);
      return cairo_fail (status, path, error);
    }
  return dassie_rename_into_place (temp, path, error);
}

static void
draw_scatter_func (cairo_t       *cr,
                   double         width,
                   double         height,
                   gconstpointer  plot)
{
  dassie_plot_scatter (cr, width, height, plot);
}

static void
draw_histogram_func (cairo_t       *cr,
                     double         width,
                     double         height,
                     gconstpointer  plot)
{
  dassie_plot_histogram (cr, width, height, plot);
}

static void
draw_loss_func (cairo_t       *cr,
                double         width,
                double         height,
                gconstpointer  plot)
{
  dassie_plot_loss (cr, width, height, plot);
}

static void
draw_cutout_grid_func (cairo_t       *cr,
                       double         width,
                       double         height,
                       gconstpointer  plot)
{
  dassie_plot_cutout_grid (cr, width, height, plot);
}

gboolean
dassie_plot_save_scatter (const char           *path,
                          double                width,
                          double                height,
                          const DassieScatter  *scatter,
                          GError              **error)
{
  return dassie_plot_save (path, width, height, draw_scatter_func, scatter, error);
}

gboolean
dassie_plot_save_histogram (const char             *path,
                            double                  width,
                            double                  height,
                            const DassieHistogram  *histogram,
                            GError                **error)
{
  return dassie_plot_save (path, width, height, draw_histogram_func, histogram, error);
}

gboolean
dassie_plot_save_loss (const char             *path,
                       double                  width,
                       double                  height,
                       const DassieLossCurve  *curve,
                       GError                **error)
{
  return dassie_plot_save (path, width, height, draw_loss_func, curve, error);
}

gboolean
dassie_plot_save_cutout_grid (const char                  *path,
                              double                       width,
                              double                       height,
                              const DassieCutoutGridPlot  *grid,
                              GError                     **error)
{
  return dassie_plot_save (path, width, height, draw_cutout_grid_func, grid, error);
}
