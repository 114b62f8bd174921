/* bench-plot.c: pan/zoom frames of a 1,000,000-point scatter, a lasso over them, and cutout
 * thumbnails per second
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dassie-display.h"
#include "dassie-parallel.h"
#include "dassie-plot.h"
#include "dassie-selection.h"

#define N_POINTS 1000000
#define WIDTH    1200
#define HEIGHT   800

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* CPU time of the whole process (all its threads), in microseconds: on a shared machine the wall
 * clock also counts the time other programs held the cores, so both are printed. */
static gint64
cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

typedef struct
{
  gint64 wall;
  gint64 cpu;
} Stamp;

static Stamp
stamp (void)
{
  Stamp s = { g_get_monotonic_time (), cpu_usec () };
  return s;
}

static void
elapsed_ms (Stamp   since,
            double *wall_ms,
            double *cpu_ms)
{
  Stamp now = stamp ();

  *wall_ms = (now.wall - since.wall) / 1000.0;
  *cpu_ms = (now.cpu - since.cpu) / 1000.0;
}

static void
report (const char *what,
        double     *ms,
        double     *cpu_ms,
        guint       n,
        double      target)
{
  qsort (ms, n, sizeof (double), compare_double);
  qsort (cpu_ms, n, sizeof (double), compare_double);
  printf ("%-44s best %6.2f  median %6.2f  p90 %6.2f ms  (CPU median %6.2f ms)  target < %g ms\n",
          what, ms[0], ms[n / 2], ms[(n * 9) / 10], cpu_ms[n / 2], target);
}

/* UMAP-like clumps with a score that grows away from each clump's centre. */
static void
make_points (float *x,
             float *y,
             float *score)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  double cx[40], cy[40], sd[40];

  for (guint c = 0; c < 40; c++)
    {
      cx[c] = g_rand_double_range (rand, -10, 10);
      cy[c] = g_rand_double_range (rand, -8, 8);
      sd[c] = g_rand_double_range (rand, 0.2, 1.2);
    }
  for (guint i = 0; i < N_POINTS; i++)
    {
      guint c = g_rand_int_range (rand, 0, 40);
      double u1 = g_rand_double_range (rand, 1e-12, 1), u2 = g_rand_double (rand);
      double r = sqrt (-2 * log (u1));
      double dx = r * cos (2 * G_PI * u2), dy = r * sin (2 * G_PI * u2);

      x[i] = (float) (cx[c] + sd[c] * dx);
      y[i] = (float) (cy[c] + sd[c] * dy);
      score[i] = (float) (0.8 + 0.15 * r * r + (g_rand_double (rand) < 0.001 ? 3 : 0));
    }
}

static void
bench_scatter (const float *x,
               const float *y,
               const float *score,
               double       seconds,
               const char  *output)
{
  g_autoptr(DassieScatterCache) cache = dassie_scatter_cache_new ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  DassieScatter scatter;
  DassieView view;
  cairo_rectangle_t area;
  g_autofree double *ms = g_new (double, 1000);
  g_autofree double *cpu = g_new (double, 1000);
  guint frames = 0;
  gint64 start;

  dassie_scatter_init (&scatter);
  scatter.x = x;
  scatter.y = y;
  scatter.values = score;
  scatter.n = N_POINTS;
  scatter.title = "UMAP of 1,000,000 objects";
  scatter.x_label = "UMAP 1";
  scatter.y_label = "UMAP 2";
  scatter.value_label = "median k-NN distance";
  scatter.cache = cache;
  dassie_plot_scatter_area (WIDTH, HEIGHT, &scatter, &area);
  dassie_view_init (&view, area.x, area.y, area.width, area.height);
  dassie_view_fit (&view, x, y, N_POINTS, 0.04);
  scatter.view = &view;

  /* The first frame sizes the cache; it is not counted. */
  dassie_plot_scatter (cr, WIDTH, HEIGHT, &scatter);

  /* Every point in view: the heaviest frame there is. */
  start = g_get_monotonic_time ();
  while (frames < 1000 && (g_get_monotonic_time () - start) < seconds * G_USEC_PER_SEC / 2)
    {
      Stamp t0 = stamp ();

      /* Pan right and back, so every frame shows (nearly) all points. */
      dassie_view_pan (&view, frames % 2 ? -9 : 9, frames % 2 ? 4 : -4);
      dassie_plot_scatter (cr, WIDTH, HEIGHT, &scatter);
      cairo_surface_flush (surface);
      elapsed_ms (t0, &ms[frames], &cpu[frames]);
      frames++;
    }
  report ("scatter 1M points, pan frame (all in view)", ms, cpu, frames, 16);

  frames = 0;
  start = g_get_monotonic_time ();
  while (frames < 1000 && (g_get_monotonic_time () - start) < seconds * G_USEC_PER_SEC / 2)
    {
      Stamp t0 = stamp ();
      double factor = frames % 20 < 10 ? 1.15 : 1 / 1.15;

      dassie_view_zoom (&view, factor, area.x + area.width * 0.4, area.y + area.height * 0.6);
      dassie_plot_scatter (cr, WIDTH, HEIGHT, &scatter);
      cairo_surface_flush (surface);
      elapsed_ms (t0, &ms[frames], &cpu[frames]);
      frames++;
    }
  report ("scatter 1M points, zoom frame (1x .. 4x)", ms, cpu, frames, 16);

  if (output != NULL)
    {
      g_autofree char *path = g_build_filename (output, "scatter-1M.png", NULL);
      g_autoptr(GError) error = NULL;

      dassie_view_fit (&view, x, y, N_POINTS, 0.04);
      if (!dassie_plot_save_scatter (path, WIDTH, HEIGHT, &scatter, &error))
        fprintf (stderr, "%s\n", error->message);
    }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
bench_lasso (const float *x,
             const float *y,
             double       seconds)
{
  g_autoptr(DassieSelection) sel = dassie_selection_new (N_POINTS);
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);
  const guint vertex_counts[] = { 300, 3000 };

  for (guint v = 0; v < G_N_ELEMENTS (vertex_counts); v++)
    {
      guint n_vertices = vertex_counts[v];
      g_autofree double *poly = g_new (double, 2 * n_vertices);

      /* A hand-drawn loop around about half of the points: wavy, a little shaky (jitter of about a
       * step between samples), and crossing itself where its end overlaps its start. */
      for (guint k = 0; k < n_vertices; k++)
        {
          double t = 2 * G_PI * 1.15 * k / n_vertices;
          double r = 7 + 2 * sin (5 * t) + 0.3 * sin (23 * t) + g_rand_double_range (rand, -20.0, 20.0) / n_vertices;

          poly[2 * k] = 1 + r * cos (t);
          poly[2 * k + 1] = r * 0.8 * sin (t);
        }

      for (guint threads = 1; threads <= 2; threads++)
        {
          g_autofree double *ms = g_new (double, 200);
          g_autofree double *cpu = g_new (double, 200);
          g_autofree char *what = NULL;
          guint runs = 0;
          gsize held = 0;
          gint64 start = g_get_monotonic_time ();

          while (runs < 200 && (g_get_monotonic_time () - start) < seconds * G_USEC_PER_SEC / 4)
            {
              Stamp t0 = stamp ();

              held = dassie_selection_apply_lasso (sel, x, y, poly, n_vertices, DASSIE_FILL_NONZERO,
                                                   DASSIE_SELECT_REPLACE, threads);
              elapsed_ms (t0, &ms[runs], &cpu[runs]);
              runs++;
            }
          what = g_strdup_printf ("lasso 1M points, %u vertices, %u thread%s", n_vertices, threads,
                                  threads > 1 ? "s" : "");
          report (what, ms, cpu, runs, 100);
          if (threads == 2)
            printf ("%-44s %zu points selected\n", "", held);
        }
    }
}

typedef struct
{
  const float                *cubes;
  guint                       n_cubes;
  const DassieDisplayOptions *options;
  guint                       repeats;
} ThumbJob;

static void
thumb_range (guint    begin,
             guint    end,
             gpointer user_data)
{
  const ThumbJob *job = user_data;
  g_autofree guint8 *pixels = g_new (guint8, 96 * 96 * 4);

  for (guint r = begin; r < end; r++)
    for (guint i = 0; i < job->n_cubes; i++)
      dassie_display_render (job->cubes + (gsize) i * 3 * 96 * 96, 3, 96, 96, job->options, pixels, 96 * 4);
}

static void
bench_thumbnails (double seconds)
{
  const guint n_cubes = 64;
  g_autofree float *cubes = g_new (float, (gsize) n_cubes * 3 * 96 * 96);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  DassieDisplayOptions lupton, band;

  /* HSC-like cutouts: sky noise, a galaxy, some NaN. */
  for (guint i = 0; i < n_cubes; i++)
    for (guint b = 0; b < 3; b++)
      for (guint p = 0; p < 96 * 96; p++)
        {
          double dx = p % 96 - 48.0, dy = p / 96 - 48.0;
          float v = (float) (g_rand_double_range (rand, -0.05, 0.05) +
                             (b + 1) * 2.0 * exp (-(dx * dx + dy * dy) / (30.0 + i)));
          cubes[((gsize) i * 3 + b) * 96 * 96 + p] = p % 997 == 0 ? NAN : v;
        }

  dassie_display_options_init (&lupton);
  dassie_display_options_init (&band);
  band.mode = DASSIE_DISPLAY_BAND;
  band.band = 2;

  for (guint mode = 0; mode < 2; mode++)
    for (guint threads = 1; threads <= 2; threads++)
      {
        ThumbJob job = { cubes, n_cubes, mode == 0 ? &lupton : &band, 0 };
        guint rounds = 0;
        gint64 start = g_get_monotonic_time ();
        double elapsed;

        do
          {
            dassie_parallel_for (threads * 4, threads, thumb_range, &job);
            rounds += threads * 4;
            elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
          }
        while (elapsed < seconds / 8);

        printf ("%-44s %8.0f thumbnails/s\n",
                mode == 0 ? (threads == 1 ? "96x96 Lupton RGB + zscale, 1 thread" : "96x96 Lupton RGB + zscale, 2 threads")
                          : (threads == 1 ? "96x96 one band asinh + zscale, 1 thread" : "96x96 one band asinh + zscale, 2 threads"),
                rounds * (double) n_cubes / elapsed);
      }
}

int
main (int    argc,
      char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 4;
  const char *output = argc > 2 ? argv[2] : NULL;
  g_autofree float *x = g_new (float, N_POINTS);
  g_autofree float *y = g_new (float, N_POINTS);
  g_autofree float *score = g_new (float, N_POINTS);

  if (seconds <= 0)
    seconds = 4;
  printf ("bench-plot: %d points, %dx%d drawing, %u cores\n", N_POINTS, WIDTH, HEIGHT, g_get_num_processors ());
  make_points (x, y, score);
  bench_scatter (x, y, score, seconds, output);
  bench_lasso (x, y, seconds);
  bench_thumbnails (seconds);
  return 0;
}
