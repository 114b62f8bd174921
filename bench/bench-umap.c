/* bench-umap.c: UMAP end to end on clustered 64-d vectors, with trustworthiness(15) and peak memory
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-umap make N DIM FILE            writes clustered float32 vectors (raw, row-major)
 *   bench-umap fit FILE N DIM OUT [T [S]] fits (T threads, fit_sample_size S), writes the N × 2 float32
 *                                          layout, prints figures
 *   bench-umap trust FILE N DIM LAYOUT    trustworthiness(15) of any layout of FILE (a random 20,000
 *                                          points of it when there are more, sklearn-style)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "dassie-quality.h"
#include "dassie-umap.h"
#include "../tests/test-clusters.h"

#define TRUST_ROWS 20000

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

static float *
read_floats (const char *path,
             gsize       expected)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  if (length != expected * sizeof (float))
    g_error ("%s holds %zu bytes, not %zu", path, length, expected * sizeof (float));
  return (float *) contents;
}

/* Trustworthiness on all points, or on the same random subset of TRUST_ROWS whatever the layout. */
static double
trust (const float *x,
       guint        n,
       guint        dim,
       const float *y)
{
  g_autoptr(GRand) rand = NULL;
  g_autofree float *xs = NULL;
  g_autofree float *ys = NULL;
  g_autofree guint *perm = NULL;

  if (n <= TRUST_ROWS)
    return dassie_trustworthiness (x, n, dim, y, 2, 15, 0, NULL);

  rand = g_rand_new_with_seed (2024);
  perm = g_new (guint, n);
  xs = g_new (float, (gsize) TRUST_ROWS * dim);
  ys = g_new (float, (gsize) TRUST_ROWS * 2);
  for (guint i = 0; i < n; i++)
    perm[i] = i;
  for (guint i = 0; i < TRUST_ROWS; i++)
    {
      guint j = i + g_rand_int_range (rand, 0, n - i), t = perm[i];

      perm[i] = perm[j];
      perm[j] = t;
      memcpy (xs + (gsize) i * dim, x + (gsize) perm[i] * dim, sizeof (float) * dim);
      memcpy (ys + (gsize) i * 2, y + (gsize) perm[i] * 2, sizeof (float) * 2);
    }
  return dassie_trustworthiness (xs, TRUST_ROWS, dim, ys, 2, 15, 0, NULL);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 5 && g_str_equal (argv[1], "make"))
    {
      guint n = atoi (argv[2]), dim = atoi (argv[3]);
      g_autofree float *data = make_manifold_clusters (n, dim, 64, 8, 1234);
      g_autoptr(GError) error = NULL;

      if (!g_file_set_contents (argv[4], (const char *) data, sizeof (float) * n * dim, &error))
        g_error ("%s", error->message);
      return 0;
    }

  if (argc >= 6 && argc <= 8 && g_str_equal (argv[1], "fit"))
    {
      guint n = atoi (argv[3]), dim = atoi (argv[4]);
      g_autofree float *data = read_floats (argv[2], (gsize) n * dim);
      g_autofree float *layout = NULL;
      g_autoptr(GError) error = NULL;
      DassieUmapParams params;
      DassieUmapInfo info;
      gint64 t0;
      double seconds;

      dassie_umap_params_init (&params);
      params.n_threads = argc >= 7 ? atoi (argv[6]) : 0;
      if (argc == 8)
        params.fit_sample_size = atoi (argv[7]);
      t0 = g_get_monotonic_time ();
      layout = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
      seconds = (g_get_monotonic_time () - t0) / 1e6;
      if (layout == NULL)
        g_error ("%s", error->message);
      if (!g_file_set_contents (argv[5], (const char *) layout, sizeof (float) * n * 2, &error))
        g_error ("%s", error->message);

      printf ("dassie UMAP %u × %u: %.2f s end to end (neighbours %.2f s, layout %.2f s, transform %.2f s); "
              "%u epochs, %u edges, fitted on %u, peak RSS %.0f MB\n",
              n, dim, seconds, info.seconds_neighbors, info.seconds_layout, info.seconds_transform,
              info.n_epochs, info.n_edges, info.n_fit, peak_rss_mb ());
      printf ("dassie trustworthiness(15)%s: %.4f\n", n > TRUST_ROWS ? " on 20,000 random points" : "",
              trust (data, n, dim, layout));
      return 0;
    }

  if (argc == 6 && g_str_equal (argv[1], "trust"))
    {
      guint n = atoi (argv[3]), dim = atoi (argv[4]);
      g_autofree float *data = read_floats (argv[2], (gsize) n * dim);
      g_autofree float *layout = read_floats (argv[5], (gsize) n * 2);

      printf ("trustworthiness(15)%s of %s: %.4f\n", n > TRUST_ROWS ? " on 20,000 random points" : "", argv[5],
              trust (data, n, dim, layout));
      return 0;
    }

  fprintf (stderr, "usage: bench-umap make N DIM FILE | fit FILE N DIM OUT [THREADS [FIT_SAMPLE_SIZE]] | "
                   "trust FILE N DIM LAYOUT\n");
  return 2;
}
