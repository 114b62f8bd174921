/* dassie-plot-scatter.c: the scatter of a map, coloured by score, rasterised per pixel or drawn as vectors
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-parallel.h"

#include "dassie-plot-private.h"

/* Points beyond this count are rasterised even on vector targets, so an SVG stays small. */
#define VECTOR_POINT_LIMIT 20000

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

void
dassie_plot_scatter_area (double               width,
                          double               height,
                          const DassieScatter *scatter,
                          cairo_rectangle_t   *area)
{
  DassiePlotLayout layout;

  g_return_if_fail (scatter != NULL && area != NULL);

  layout = (DassiePlotLayout) { scatter->title != NULL, scatter->x_label != NULL, scatter->y_label != NULL, COLORBAR_SPACE };
  _dassie_plot_layout_area (width, height, &layout, area);
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
      _dassie_plot_set_rgb (cr, rgb);
      cairo_new_sub_path (cr);
      cairo_arc (cr, px, py, r, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

/* Rings around the marked points (the astronomer's labels), drawn as vectors over the raster: they
 * are few, and a ring must stay visible where the raster's pixel went to a higher score. */
static void
draw_marks (cairo_t             *cr,
            const DassieScatter *scatter,
            const DassieView    *view)
{
  double r = MAX (2 * auto_radius (scatter), 3.5);

  cairo_save (cr);
  cairo_set_line_width (cr, 1.5);
  for (guint c = 1; c <= scatter->n_mark_colors; c++)
    {
      gboolean any = FALSE;

      for (gsize i = 0; i < scatter->n; i++)
        {
          double px, py;

          if (scatter->marks[i] != c || !isfinite (scatter->x[i]) || !isfinite (scatter->y[i]))
            continue;
          dassie_view_data_to_pixel (view, scatter->x[i], scatter->y[i], &px, &py);
          if (px < view->left - r || px > view->left + view->width + r ||
              py < view->top - r || py > view->top + view->height + r)
            continue;
          cairo_new_sub_path (cr);
          cairo_arc (cr, px, py, r, 0, 2 * G_PI);
          any = TRUE;
        }
      if (any)
        {
          _dassie_plot_set_rgb (cr, scatter->mark_rgb[c - 1]);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
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
      _dassie_plot_set_rgb (cr, dassie_colormap_lookup (scatter->colormap, (k + 0.5) / steps));
      /* Overlap by a hair so no seams show between the bands. */
      cairo_rectangle (cr, bar.x, y0, bar.width, bar.height / steps + 0.5);
      cairo_fill (cr);
    }
  _dassie_plot_draw_frame (cr, &bar);

  /* Ticks and labels on the right of the bar. */
  {
    char label[64];
    double first, step;
    guint count = dassie_plot_nice_ticks (low, high, 6, &first, &step);

    _dassie_plot_set_font (cr, FONT_SIZE, FALSE);
    _dassie_plot_set_rgb (cr, 0x303030);
    for (guint i = 0; i < count; i++)
      {
        double v = first + i * step;
        double y = round (bar.y + bar.height * (1 - (v - low) / (high - low))) + 0.5;

        cairo_move_to (cr, bar.x + bar.width, y);
        cairo_line_to (cr, bar.x + bar.width + TICK_LENGTH, y);
        cairo_stroke (cr);
        _dassie_plot_format_tick (label, sizeof label, v, step);
        _dassie_plot_draw_text (cr, bar.x + bar.width + TICK_LENGTH + 3, y, label, 0, 0.5);
      }
  }

  if (scatter->value_label != NULL)
    {
      cairo_save (cr);
      cairo_translate (cr, bar.x + bar.width + TICK_LENGTH + 3 + 48 + 4, bar.y + bar.height / 2);
      cairo_rotate (cr, G_PI / 2);
      _dassie_plot_draw_text (cr, 0, 0, scatter->value_label, 0.5, 0);
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
  _dassie_plot_paint_background (cr, width, height);

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
  if (scatter->marks != NULL && scatter->mark_rgb != NULL)
    {
      cairo_save (cr);
      cairo_rectangle (cr, area.x, area.y, area.width, area.height);
      cairo_clip (cr);
      draw_marks (cr, scatter, &view);
      cairo_restore (cr);
    }

  _dassie_plot_draw_frame (cr, &area);
  _dassie_plot_draw_ticks (cr, &area, FALSE, view.x_min, view.x_max, DASSIE_PLOT_AXIS_LINEAR, MAX (3, (guint) (area.width / 70)));
  _dassie_plot_draw_ticks (cr, &area, TRUE, view.y_min, view.y_max, DASSIE_PLOT_AXIS_LINEAR, MAX (3, (guint) (area.height / 45)));
  _dassie_plot_draw_title_and_labels (cr, &area, scatter->title, scatter->x_label, scatter->y_label);
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

