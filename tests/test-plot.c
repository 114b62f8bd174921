/* test-plot.c: colour maps, ticks, histogram bins and range selection, and plots saved as PNG, SVG
 * and PDF that read back with points where they were drawn
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-display.h"
#include "dassie-fileutil.h"
#include "dassie-plot.h"

/* Where the plots go: a fresh temporary folder, or $DASSIE_PLOT_OUTPUT to keep them for a look. */
static char *
output_dir (void)
{
  const char *keep = g_getenv ("DASSIE_PLOT_OUTPUT");

  if (keep != NULL)
    {
      g_mkdir_with_parents (keep, 0755);
      return g_strdup (keep);
    }
  return g_dir_make_tmp ("dassie-plot-XXXXXX", NULL);
}

static void
remove_output (const char *dir)
{
  if (g_getenv ("DASSIE_PLOT_OUTPUT") == NULL)
    dassie_remove_tree (dir, NULL);
}

static guint32
surface_pixel (cairo_surface_t *surface,
               int              x,
               int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return *(const guint32 *) (gconstpointer) (data + (gsize) y * stride + (gsize) x * 4);
}

static void
test_colormap (void)
{
  DassieColormap map;

  /* matplotlib's viridis: entries 0, 128 and 255 are #440154, #21918c and #fde725. */
  g_assert_cmphex (dassie_colormap_lookup (DASSIE_COLORMAP_VIRIDIS, 0), ==, 0xff440154);
  g_assert_cmphex (dassie_colormap_lookup (DASSIE_COLORMAP_VIRIDIS, 1), ==, 0xfffde725);
  g_assert_cmphex (dassie_colormap_lookup (DASSIE_COLORMAP_VIRIDIS, 0.5), ==, 0xff21918c);
  g_assert_cmphex (dassie_colormap_lookup (DASSIE_COLORMAP_VIRIDIS, 7), ==, 0xfffde725);
  g_assert_cmphex (dassie_colormap_lookup (DASSIE_COLORMAP_MAGMA, 0), ==, 0xff000004);
  g_assert_cmphex (dassie_colormap_lookup (DASSIE_COLORMAP_GREY, 0.5), ==, 0xff808080);
  g_assert_true (dassie_colormap_from_string ("Gray", &map));
  g_assert_cmpint (map, ==, DASSIE_COLORMAP_GREY);
  g_assert_false (dassie_colormap_from_string ("jet", &map));
}

static void
test_nice_ticks (void)
{
  double first, step;

  g_assert_cmpuint (dassie_plot_nice_ticks (0, 1, 6, &first, &step), ==, 6);
  g_assert_cmpfloat_with_epsilon (first, 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (step, 0.2, 1e-12);

  /* 15.8 over 4 intervals is 3.95: the step rounds up to 5; ticks 0, 5, 10. */
  g_assert_cmpuint (dassie_plot_nice_ticks (-3.7, 12.1, 5, &first, &step), ==, 3);
  g_assert_cmpfloat_with_epsilon (first, 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (step, 5, 1e-12);

  /* 0.0008 / 4 is 0.0002 up to rounding: the step stays 0.0002; ticks 0.0014 .. 0.0020. */
  g_assert_cmpuint (dassie_plot_nice_ticks (0.0013, 0.0021, 5, &first, &step), ==, 4);
  g_assert_cmpfloat_with_epsilon (first, 0.0014, 1e-12);
  g_assert_cmpfloat_with_epsilon (step, 0.0002, 1e-12);
}

/* Scores shaped like k-NN distances: mostly near 1, a tail, a few NaN. */
static float *
make_scores (gsize n,
             guint seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float *scores = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    {
      double u = g_rand_double (rand);
      scores[i] = (float) (0.5 + u + (u > 0.97 ? 10 * (u - 0.97) * 20 : 0));
    }
  scores[3] = NAN;
  scores[4] = INFINITY;
  return scores;
}

static void
test_histogram_bins (void)
{
  const gsize n = 5000;
  g_autofree float *scores = make_scores (n, 3);
  DassieHistogram hist;
  DassieHistogramBins bins;
  g_autofree guint64 *naive = g_new0 (guint64, 100);
  double sum = 0, low, high;
  guint64 total = 0, outside = 0;
  gsize m = 0;

  for (gsize i = 0; i < n; i++)
    if (isfinite (scores[i]))
      {
        sum += scores[i];
        m++;
      }

  dassie_histogram_init (&hist);
  hist.values = scores;
  hist.n = n;
  dassie_histogram_compute (&hist, &bins);
  g_assert_cmpuint (bins.n_bins, ==, 100);
  g_assert_cmpfloat (bins.low, ==, 0);
  g_assert_cmpfloat_with_epsilon (bins.high, 2 * sum / m, 1e-9);
  low = bins.low;
  high = bins.high;

  /* Naive: compare each value with every edge. */
  for (gsize i = 0; i < n; i++)
    {
      gboolean placed = FALSE;

      if (!isfinite (scores[i]))
        continue;
      for (guint k = 0; k < 100; k++)
        {
          double e0 = low + (high - low) * k / 100;
          double e1 = low + (high - low) * (k + 1) / 100;

          if (scores[i] >= e0 && (scores[i] < e1 || (k == 99 && scores[i] <= e1)))
            {
              naive[k]++;
              placed = TRUE;
              break;
            }
        }
      outside += !placed;
    }
  for (guint k = 0; k < 100; k++)
    {
      g_assert_cmpuint (bins.counts[k], ==, naive[k]);
      total += bins.counts[k];
    }
  g_assert_cmpuint (bins.n_outside, ==, outside);
  g_assert_cmpuint (bins.n_invalid, ==, 2);
  g_assert_cmpuint (total + bins.n_outside + bins.n_invalid, ==, n);
  g_assert_cmpuint (bins.n_outside, >, 0);   /* the tail reaches past 2 × mean */
  dassie_histogram_bins_clear (&bins);

  /* An explicit range and bin count. */
  hist.range_min = 1;
  hist.range_max = 1.5;
  hist.n_bins = 5;
  dassie_histogram_compute (&hist, &bins);
  g_assert_cmpuint (bins.n_bins, ==, 5);
  g_assert_cmpfloat (bins.low, ==, 1);
  g_assert_cmpfloat (bins.high, ==, 1.5);
  dassie_histogram_bins_clear (&bins);

  /* The top edge belongs to the last bin, like numpy's histogram. */
  g_assert_cmpint (dassie_histogram_bin_of (1.5, 1, 1.5, 5), ==, 4);
  g_assert_cmpint (dassie_histogram_bin_of (1.1, 1, 1.5, 5), ==, 1);
  g_assert_cmpint (dassie_histogram_bin_of (1.0999999, 1, 1.5, 5), ==, 0);
  g_assert_cmpint (dassie_histogram_bin_of (1.5000001, 1, 1.5, 5), ==, -1);
  g_assert_cmpint (dassie_histogram_bin_of (NAN, 1, 1.5, 5), ==, -1);
}

static void
test_histogram_range_selection (void)
{
  const gsize n = 5000;
  g_autofree float *scores = make_scores (n, 11);
  g_autoptr(DassieSelection) sel = dassie_selection_new (n);
  DassieHistogram hist;
  DassieHistogramBins bins;
  cairo_rectangle_t area;
  guint first, last;
  guint64 in_bins = 0;
  double low, high, a, b, e0, e1;
  gsize selected, naive = 0;

  dassie_histogram_init (&hist);
  hist.values = scores;
  hist.n = n;
  dassie_histogram_compute (&hist, &bins);
  low = bins.low;
  high = bins.high;

  /* A drag across the plot from x = 30.4 % to x = 61.7 % of the axis, right to left. */
  dassie_plot_histogram_area (600, 300, &hist, &area);
  g_assert_cmpfloat_with_epsilon (dassie_plot_histogram_value_at (600, 300, &hist, area.x), low, 1e-9);
  g_assert_cmpfloat_with_epsilon (dassie_plot_histogram_value_at (600, 300, &hist, area.x + area.width), high, 1e-9);
  b = dassie_plot_histogram_value_at (600, 300, &hist, area.x + 0.304 * area.width);
  a = dassie_plot_histogram_value_at (600, 300, &hist, area.x + 0.617 * area.width);
  g_assert_true (dassie_histogram_snap (&hist, a, b, &first, &last));
  /* 30.4 % lies inside bin 30 and 61.7 % inside bin 61: both bins are taken whole. */
  g_assert_cmpuint (first, ==, 30);
  g_assert_cmpuint (last, ==, 61);

  selected = dassie_histogram_select_bins (&hist, first, last, sel, DASSIE_SELECT_REPLACE);
  for (guint k = first; k <= last; k++)
    in_bins += bins.counts[k];
  g_assert_cmpuint (selected, ==, in_bins);
  g_assert_cmpuint (dassie_selection_get_count (sel), ==, in_bins);

  e0 = low + (high - low) * first / 100;
  e1 = low + (high - low) * (last + 1) / 100;
  for (gsize i = 0; i < n; i++)
    {
      gboolean expected = scores[i] >= e0 && scores[i] < e1;
      g_assert_cmpint (expected, ==, dassie_selection_contains (sel, i));
      naive += expected;
    }
  g_assert_cmpuint (naive, ==, in_bins);

  /* A drag past the right end takes the last bin, its closed top edge included; Shift adds. */
  scores[0] = (float) high;
  g_assert_true (dassie_histogram_snap (&hist, high * 0.995, high * 3, &first, &last));
  g_assert_cmpuint (first, ==, 99);
  g_assert_cmpuint (last, ==, 99);
  dassie_histogram_select_bins (&hist, first, last, sel, DASSIE_SELECT_ADD);
  g_assert_true (dassie_selection_contains (sel, 0));
  g_assert_cmpuint (dassie_selection_get_count (sel), >, in_bins);

  /* A drag entirely outside the range selects nothing. */
  g_assert_false (dassie_histogram_snap (&hist, -5, -1, &first, &last));
  dassie_histogram_bins_clear (&bins);
}

/* A selection's share of each bar is drawn in the highlight colour from the bottom up. */
static void
test_histogram_selection_share (void)
{
  g_autoptr(DassieSelection) sel = dassie_selection_new (40);
  DassieHistogram hist;
  cairo_rectangle_t area;
  cairo_surface_t *surface;
  cairo_t *cr;
  float values[40];
  double bar, share, bottom;
  int x0, x1;

  /* Four bins over [0, 4) with ten values each; half of bin 1 selected. */
  for (guint i = 0; i < 40; i++)
    values[i] = (float) (i / 10) + 0.05f * (i % 10);
  for (guint i = 10; i < 15; i++)
    {
      guint32 index = i;
      dassie_selection_apply_indices (sel, &index, 1, DASSIE_SELECT_ADD);
    }
  dassie_histogram_init (&hist);
  hist.values = values;
  hist.n = 40;
  hist.range_min = 0;
  hist.range_max = 4;
  hist.n_bins = 4;
  hist.selection = sel;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cr = cairo_create (surface);
  dassie_plot_histogram (cr, 400, 300, &hist);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  dassie_plot_histogram_area (400, 300, &hist, &area);

  /* Every bar holds 10 of a top of 10.5; the share of bin 1 is half its bar. */
  bar = area.height * 10 / 10.5;
  share = bar / 2;
  bottom = area.y + area.height;
  x0 = (int) (area.x + area.width * 0.125);
  x1 = (int) (area.x + area.width * 0.375);
  g_assert_cmphex (surface_pixel (surface, x0, (int) (bottom - 3)), ==, 0xff3584e4);
  g_assert_cmphex (surface_pixel (surface, x1, (int) (bottom - 3)), ==, 0xffe66100);
  g_assert_cmphex (surface_pixel (surface, x1, (int) (bottom - share + 3)), ==, 0xffe66100);
  g_assert_cmphex (surface_pixel (surface, x1, (int) (bottom - share - 3)), ==, 0xff3584e4);
  g_assert_cmphex (surface_pixel (surface, x1, (int) (bottom - bar - 3)), ==, 0xffffffff);
  cairo_surface_destroy (surface);
}

static void
check_file_starts_with (const char *path,
                        const char *magic)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, strlen (magic));
  g_assert_true (memcmp (contents, magic, strlen (magic)) == 0);
}

/* Nine points on a 3 × 3 lattice, scores 0 .. 8; one more point hides under (0, 0) with score 100. */
static void
lattice (float x[10],
         float y[10],
         float v[10])
{
  for (guint i = 0; i < 9; i++)
    {
      x[i] = (float) (i % 3);
      y[i] = (float) (i / 3);
      v[i] = (float) i;
    }
  x[9] = 0;
  y[9] = 0;
  v[9] = 8;   /* the same pixel as point 0: the higher score must win */
}

static void
test_scatter_png (void)
{
  g_autofree char *dir = output_dir ();
  g_autofree char *path = g_build_filename (dir, "scatter.png", NULL);
  g_autoptr(GError) error = NULL;
  float x[10], y[10], v[10];
  DassieScatter scatter;
  DassieView view;
  cairo_rectangle_t area;
  cairo_surface_t *png;

  lattice (x, y, v);
  dassie_scatter_init (&scatter);
  scatter.x = x;
  scatter.y = y;
  scatter.values = v;
  scatter.n = 10;
  scatter.point_radius = 3;
  scatter.title = "UMAP";
  scatter.x_label = "UMAP 1";
  scatter.y_label = "UMAP 2";
  scatter.value_label = "k-NN median distance";
  dassie_plot_scatter_area (400, 300, &scatter, &area);
  dassie_view_init (&view, area.x, area.y, area.width, area.height);
  view.x_min = -0.5;
  view.x_max = 2.5;
  view.y_min = -0.5;
  view.y_max = 2.5;
  scatter.view = &view;

  g_assert_true (dassie_plot_save_scatter (path, 400, 300, &scatter, &error));
  g_assert_no_error (error);
  check_file_starts_with (path, "\x89PNG\r\n\x1a\n");

  png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 400);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 300);

  for (guint i = 0; i < 9; i++)
    {
      double px, py;
      guint32 pixel, expected;

      dassie_view_data_to_pixel (&view, x[i], y[i], &px, &py);
      pixel = surface_pixel (png, (int) floor (px), (int) floor (py)) & 0xffffff;
      /* Point 0 shares its pixel with point 9: the score 8 wins over 0. */
      expected = dassie_colormap_lookup (DASSIE_COLORMAP_VIRIDIS, (i == 0 ? 8 : v[i]) / 8.0) & 0xffffff;
      for (int shift = 0; shift <= 16; shift += 8)
        g_assert_cmpint (ABS ((int) ((pixel >> shift) & 0xff) - (int) ((expected >> shift) & 0xff)), <=, 2);
      g_assert_cmphex (pixel, !=, 0xffffff);
    }

  /* Halfway between points the plot is background. */
  {
    double px, py;

    dassie_view_data_to_pixel (&view, 0.5, 0.5, &px, &py);
    g_assert_cmphex (surface_pixel (png, (int) px, (int) py) & 0xffffff, ==, 0xffffff);
  }
  cairo_surface_destroy (png);
  remove_output (dir);
}

static void
count_element (GMarkupParseContext  *context,
               const char           *element,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  (*(guint *) user_data)++;
}

static void
test_save_formats (void)
{
  g_autofree char *dir = output_dir ();
  g_autofree char *svg = g_build_filename (dir, "scatter.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "scatter.PDF", NULL);
  g_autofree char *bad = g_build_filename (dir, "scatter.bmp", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  float x[10], y[10], v[10];
  DassieScatter scatter;
  const GMarkupParser parser = { count_element, NULL, NULL, NULL, NULL };
  GMarkupParseContext *context;
  guint elements = 0;
  gsize length;
  GDir *listing;
  const char *name;

  lattice (x, y, v);
  dassie_scatter_init (&scatter);
  scatter.x = x;
  scatter.y = y;
  scatter.values = v;
  scatter.n = 10;
  scatter.title = "UMAP & scores <test>";

  g_assert_true (dassie_plot_save_scatter (svg, 400, 300, &scatter, &error));
  g_assert_no_error (error);
  g_assert_true (dassie_plot_save_scatter (pdf, 400, 300, &scatter, &error));
  g_assert_no_error (error);
  check_file_starts_with (pdf, "%PDF-");
  check_file_starts_with (svg, "<?xml");

  /* The SVG is well-formed XML with an <svg> root and many elements (a circle per point at least). */
  g_assert_true (g_file_get_contents (svg, &contents, &length, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));
  context = g_markup_parse_context_new (&parser, 0, &elements, NULL);
  g_assert_true (g_markup_parse_context_parse (context, contents, (gssize) length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_markup_parse_context_free (context);
  g_assert_cmpuint (elements, >, 10);

  g_assert_false (dassie_plot_save_scatter (bad, 400, 300, &scatter, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  /* Nothing half-written is left behind. */
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_null (strstr (name, ".tmp-"));
  g_dir_close (listing);
  remove_output (dir);
}

static void
test_scatter_selection_density_pick (void)
{
  const int w = 300, h = 200;
  float x[10], y[10], v[10];
  g_autoptr(DassieSelection) sel = dassie_selection_new (10);
  g_autoptr(DassieScatterCache) cache = dassie_scatter_cache_new ();
  const guint32 picked[] = { 4 };
  DassieScatter scatter;
  DassieView view;
  cairo_rectangle_t area;
  cairo_surface_t *surface;
  cairo_t *cr;
  double px, py;
  guint32 selected_pixel, faded_pixel, expected;

  lattice (x, y, v);
  dassie_scatter_init (&scatter);
  scatter.x = x;
  scatter.y = y;
  scatter.values = v;
  scatter.n = 10;
  scatter.point_radius = 0;
  scatter.selection = sel;
  scatter.cache = cache;
  dassie_plot_scatter_area (w, h, &scatter, &area);
  dassie_view_init (&view, area.x, area.y, area.width, area.height);
  view.x_min = view.y_min = -0.5;
  view.x_max = view.y_max = 2.5;
  scatter.view = &view;
  dassie_selection_apply_indices (sel, picked, 1, DASSIE_SELECT_REPLACE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cr = cairo_create (surface);
  for (guint frame = 0; frame < 2; frame++)   /* the second frame reuses the cache */
    dassie_plot_scatter (cr, w, h, &scatter);
  cairo_surface_flush (surface);

  /* The selected point keeps its colour; another is faded towards white. */
  dassie_view_data_to_pixel (&view, x[4], y[4], &px, &py);
  selected_pixel = surface_pixel (surface, (int) px, (int) py) & 0xffffff;
  expected = dassie_colormap_lookup (DASSIE_COLORMAP_VIRIDIS, 4 / 8.0) & 0xffffff;
  g_assert_cmpint (ABS ((int) (selected_pixel & 0xff) - (int) (expected & 0xff)), <=, 2);
  dassie_view_data_to_pixel (&view, x[1], y[1], &px, &py);
  faded_pixel = surface_pixel (surface, (int) px, (int) py) & 0xffffff;
  g_assert_cmpuint ((faded_pixel >> 8) & 0xff, >, 0xd0);
  g_assert_cmphex (faded_pixel, !=, 0xffffff);

  /* Hover: the point nearest the pointer within 6 pixels. */
  dassie_view_data_to_pixel (&view, x[5], y[5], &px, &py);
  g_assert_cmpint (dassie_plot_scatter_pick (w, h, &scatter, px + 2, py - 3, 6), ==, 5);
  g_assert_cmpint (dassie_plot_scatter_pick (w, h, &scatter, px + 20, py, 6), ==, -1);

  /* Without scores the colour is the density: the doubled pixel at (0, 0) is the brightest. */
  scatter.values = NULL;
  scatter.selection = NULL;
  dassie_plot_scatter (cr, w, h, &scatter);
  cairo_surface_flush (surface);
  dassie_view_data_to_pixel (&view, 0, 0, &px, &py);
  g_assert_cmphex (surface_pixel (surface, (int) px, (int) py) & 0xffffff, ==,
                   dassie_colormap_lookup (DASSIE_COLORMAP_VIRIDIS, 1) & 0xffffff);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Renders @scatter into a fresh surface and returns it. */
static cairo_surface_t *
render_scatter (const DassieScatter *scatter,
                int                  w,
                int                  h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);

  dassie_plot_scatter (cr, w, h, scatter);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static gboolean
surfaces_equal (cairo_surface_t *a,
                cairo_surface_t *b)
{
  int h = cairo_image_surface_get_height (a);
  int stride = cairo_image_surface_get_stride (a);

  return memcmp (cairo_image_surface_get_data (a), cairo_image_surface_get_data (b), (gsize) h * stride) == 0;
}

/* Large sets are drawn from a cached copy sorted by position: the picture must be the very same as
 * drawing the caller's arrays directly, with scores, a selection, or density, and after the caller
 * changes the values in place and invalidates the cache. */
static void
test_scatter_sorted_copy (void)
{
  const gsize n = 150000;
  const int w = 420, h = 300;
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autofree float *x = g_new (float, n);
  g_autofree float *y = g_new (float, n);
  g_autofree float *v = g_new (float, n);
  g_autoptr(DassieSelection) sel = dassie_selection_new (n);
  g_autoptr(DassieScatterCache) cache = dassie_scatter_cache_new ();
  DassieScatter direct, cached;
  DassieView view;
  cairo_rectangle_t area;
  double box[8] = { -1, -1, 0.5, -1, 0.5, 0.7, -1, 0.7 };

  for (gsize i = 0; i < n; i++)
    {
      x[i] = (float) g_rand_double_range (rand, -2, 2);
      y[i] = (float) (g_rand_double_range (rand, -1, 1) * x[i]);
      v[i] = (float) g_rand_double (rand);
    }
  x[17] = NAN;
  v[18] = NAN;
  dassie_selection_apply_lasso (sel, x, y, box, 4, DASSIE_FILL_NONZERO, DASSIE_SELECT_REPLACE, 1);

  dassie_scatter_init (&direct);
  direct.x = x;
  direct.y = y;
  direct.values = v;
  direct.n = n;
  direct.point_radius = 1;
  dassie_plot_scatter_area (w, h, &direct, &area);
  dassie_view_init (&view, area.x, area.y, area.width, area.height);
  dassie_view_fit (&view, x, y, n, 0.02);
  dassie_view_zoom (&view, 1.7, area.x + 100, area.y + 80);   /* some points out of view */
  direct.view = &view;
  cached = direct;
  cached.cache = cache;

  for (guint round = 0; round < 4; round++)
    {
      cairo_surface_t *a, *b;

      if (round == 1)
        direct.selection = cached.selection = sel;
      if (round == 2)
        {
          direct.values = cached.values = NULL;   /* density */
          direct.selection = cached.selection = NULL;
        }
      if (round == 3)
        {
          direct.values = cached.values = v;
          for (gsize i = 0; i < n; i += 3)
            v[i] = 1 - v[i];
          dassie_scatter_cache_invalidate (cache);
        }
      a = render_scatter (&direct, w, h);
      b = render_scatter (&cached, w, h);
      g_assert_true (surfaces_equal (a, b));
      /* And something was drawn: the centre of the view is not background. */
      {
        guint32 *data = (guint32 *) (gpointer) cairo_image_surface_get_data (b);
        int stride = cairo_image_surface_get_stride (b) / 4;
        guint drawn = 0;

        for (int yy = (int) area.y; yy < (int) (area.y + area.height); yy++)
          for (int xx = (int) area.x + 2; xx < (int) (area.x + area.width) - 2; xx++)
            drawn += (data[yy * stride + xx] & 0xffffff) != 0xffffff;
        g_assert_cmpuint (drawn, >, 1000);
      }
      cairo_surface_destroy (a);
      cairo_surface_destroy (b);
    }
}

static void
test_loss_and_grid (void)
{
  g_autofree char *dir = output_dir ();
  g_autofree char *loss_path = g_build_filename (dir, "loss.png", NULL);
  g_autofree char *grid_path = g_build_filename (dir, "grid.png", NULL);
  g_autofree char *hist_path = g_build_filename (dir, "histogram.svg", NULL);
  g_autoptr(GError) error = NULL;
  const gsize n_batches = 4000;
  g_autofree double *epoch = g_new (double, n_batches);
  g_autofree double *loss = g_new (double, n_batches);
  double val_epoch[10], val_loss[10];
  g_autofree float *scores = make_scores (3000, 5);
  DassieLossCurve curve = { 0 };
  DassieHistogram hist;
  cairo_surface_t *images[16];
  char *ids[16];
  double grid_scores[16];
  DassieCutoutGridPlot grid = { 0 };
  DassieDisplayOptions options;
  cairo_surface_t *png;

  for (gsize i = 0; i < n_batches; i++)
    {
      epoch[i] = (i + 1) * 10.0 / n_batches;
      loss[i] = 0.05 + 0.5 * exp (-epoch[i]) + 0.01 * sin (i * 0.7);
    }
  for (guint e = 0; e < 10; e++)
    {
      val_epoch[e] = e + 1;
      val_loss[e] = 0.06 + 0.5 * exp (-(e + 1.0));
    }
  curve.train_epoch = epoch;
  curve.train_loss = loss;
  curve.n_train = n_batches;
  curve.val_epoch = val_epoch;
  curve.val_loss = val_loss;
  curve.n_val = 10;
  curve.title = "Training";
  g_assert_true (dassie_plot_save_loss (loss_path, 500, 300, &curve, &error));
  g_assert_no_error (error);
  png = cairo_image_surface_create_from_png (loss_path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 500);
  cairo_surface_destroy (png);

  curve.log_loss = TRUE;
  g_assert_true (dassie_plot_save_loss (loss_path, 500, 300, &curve, &error));

  dassie_histogram_init (&hist);
  hist.values = scores;
  hist.n = 3000;
  hist.log_counts = TRUE;
  hist.selected_min = 1.2;
  hist.selected_max = 1.5;
  hist.title = "Anomaly scores";
  hist.x_label = "median distance to the 5 nearest neighbours";
  g_assert_true (dassie_plot_save_histogram (hist_path, 500, 300, &hist, &error));
  g_assert_no_error (error);
  check_file_starts_with (hist_path, "<?xml");

  /* Sixteen synthetic cutouts: a bright blob whose position moves with the index. */
  dassie_display_options_init (&options);
  for (guint i = 0; i < 16; i++)
    {
      float cube[3 * 24 * 24];

      for (guint b = 0; b < 3; b++)
        for (guint p = 0; p < 24 * 24; p++)
          {
            double dx = p % 24 - (4.0 + i), dy = p / 24.0 - 12;
            cube[b * 576 + p] = (float) (0.1 * ((p * 7 + b) % 5) + (b + 1) * 30 * exp (-(dx * dx + dy * dy) / 8));
          }
      images[i] = dassie_display_render_surface (cube, 3, 24, 24, &options);
      ids[i] = g_strdup_printf ("%" G_GINT64_FORMAT, G_GINT64_CONSTANT (36411448540270969) + i);
      grid_scores[i] = 3.5 - i * 0.1;
    }
  grid.images = images;
  grid.ids = (const char * const *) ids;
  grid.scores = grid_scores;
  grid.n = 16;
  grid.title = "Most anomalous";
  g_assert_true (dassie_plot_save_cutout_grid (grid_path, 640, 520, &grid, &error));
  g_assert_no_error (error);
  png = cairo_image_surface_create_from_png (grid_path);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 520);
  cairo_surface_destroy (png);

  /* Four columns asked for: cells of 85.5 pixels (the height limits them), 93.5 apart across,
   * 119.5 down (with two caption lines), the block centred from x = 137, starting at y = 32. */
  grid.columns = 4;
  g_assert_cmpint (dassie_plot_cutout_grid_pick (640, 520, &grid, 5, 5), ==, -1);
  g_assert_cmpint (dassie_plot_cutout_grid_pick (640, 520, &grid, 140, 90), ==, 0);
  g_assert_cmpint (dassie_plot_cutout_grid_pick (640, 520, &grid, 140, 220), ==, 4);
  g_assert_cmpint (dassie_plot_cutout_grid_pick (640, 520, &grid, 137 + 3 * 93.5 + 80, 32 + 3 * 119.5 + 10), ==, 15);
  g_assert_cmpint (dassie_plot_cutout_grid_pick (640, 520, &grid, 137 + 85.5 + 4, 90), ==, -1);   /* a gap */
  g_assert_cmpint (dassie_plot_cutout_grid_pick (640, 520, &grid, 137 + 3 * 93.5 + 80, 32 + 4 * 119.5 + 10), ==, -1);

  for (guint i = 0; i < 16; i++)
    {
      cairo_surface_destroy (images[i]);
      g_free (ids[i]);
    }
  remove_output (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/plot/colormap", test_colormap);
  g_test_add_func ("/core/plot/nice-ticks", test_nice_ticks);
  g_test_add_func ("/core/plot/histogram-bins", test_histogram_bins);
  g_test_add_func ("/core/plot/histogram-range-selection", test_histogram_range_selection);
  g_test_add_func ("/core/plot/histogram-selection-share", test_histogram_selection_share);
  g_test_add_func ("/core/plot/scatter-png", test_scatter_png);
  g_test_add_func ("/core/plot/save-formats", test_save_formats);
  g_test_add_func ("/core/plot/scatter-selection-density-pick", test_scatter_selection_density_pick);
  g_test_add_func ("/core/plot/scatter-sorted-copy", test_scatter_sorted_copy);
  g_test_add_func ("/core/plot/loss-and-grid", test_loss_and_grid);

  return g_test_run ();
}
