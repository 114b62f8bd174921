/* bench-knn.c: all-pairs k nearest neighbours (the anomaly scores' search), exact and HNSW
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "dassie-fileutil.h"
#include "dassie-vectors.h"
#include "../tests/test-clusters.h"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

static double
recall (const DassieNeighbors *approx,
        const DassieNeighbors *exact)
{
  guint64 hits = 0;
  guint k = exact->k;

  for (guint i = 0; i < exact->n_rows; i++)
    for (guint a = 0; a < k; a++)
      for (guint b = 0; b < k; b++)
        if (approx->indices[(gsize) i * k + a] == exact->indices[(gsize) i * k + b])
          {
            hits++;
            break;
          }
  return hits / (double) ((guint64) exact->n_rows * k);
}

static const float *sort_scores;

static int
by_score_descending (const void *a,
                     const void *b)
{
  float x = sort_scores[*(const guint *) a], y = sort_scores[*(const guint *) b];

  return x > y ? -1 : x < y;
}

/* The @top rows with the highest scores (the middle of the k distances). */
static guint *
top_rows (const DassieNeighbors *nb,
          guint                  top)
{
  g_autofree float *scores = g_new (float, nb->n_rows);
  guint *rows = g_new (guint, nb->n_rows);

  for (guint i = 0; i < nb->n_rows; i++)
    {
      scores[i] = nb->distances[(gsize) i * nb->k + nb->k / 2];
      rows[i] = i;
    }
  sort_scores = scores;
  qsort (rows, nb->n_rows, sizeof (guint), by_score_descending);
  sort_scores = NULL;
  return rows;
}

/* What the anomaly scores (the median of the k distances) lose to the approximation. */
static void
print_score_errors (const DassieNeighbors *approx,
                    const DassieNeighbors *exact)
{
  guint k = exact->k, differ = 0, off_10 = 0, off_100 = 0;

  for (guint i = 0; i < exact->n_rows; i++)
    {
      double a = approx->distances[(gsize) i * k + k / 2], e = exact->distances[(gsize) i * k + k / 2];

      differ += a != e;
      off_10 += a > 1.1 * e;
      off_100 += a > 2.0 * e;
    }
  printf ("hnsw scores:   %u of %u differ from exact; %u by more than 10 %%, %u by more than 100 %%\n",
          differ, exact->n_rows, off_10, off_100);

  /* What the user sees: the most anomalous objects. */
  for (guint top = 100; top <= 1000; top *= 10)
    {
      g_autofree guint *by_exact = top_rows (exact, top);
      g_autofree guint *by_approx = top_rows (approx, top);
      g_autoptr(GHashTable) set = g_hash_table_new (NULL, NULL);
      guint shared = 0;

      for (guint i = 0; i < top; i++)
        g_hash_table_add (set, GUINT_TO_POINTER (by_exact[i] + 1));
      for (guint i = 0; i < top; i++)
        shared += g_hash_table_contains (set, GUINT_TO_POINTER (by_approx[i] + 1));
      printf ("hnsw scores:   %u of the exact top %u anomalies are in HNSW's top %u\n", shared, top, top);
    }
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? atoi (argv[1]) : 100000;
  guint dim = argc > 2 ? atoi (argv[2]) : 64;
  guint k = argc > 3 ? atoi (argv[3]) : 5;
  guint threads = argc > 4 ? atoi (argv[4]) : 0;
  guint intrinsic = argc > 5 ? atoi (argv[5]) : 8;
  g_autoptr(GError) error = NULL;
  g_autofree float *data = intrinsic > 0 ? make_manifold_clusters (n, dim, 64, intrinsic, 1234)
                                         : make_clusters (n, dim, 64, 1.5, 1234, NULL);
  g_auto(GStrv) ids = g_new0 (char *, n + 1);
  g_autoptr(DassieVectors) store = NULL;
  g_autoptr(DassieNeighbors) exact = NULL;
  g_autoptr(DassieNeighbors) exact10 = NULL;
  g_autoptr(DassieNeighbors) approx = NULL;
  g_autoptr(DassieNeighbors) approx10 = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-bench-knn-XXXXXX", NULL);
  DassieKnnOptions options;
  DassieKnnStats stats;
  double t0, t_exact, t_build, t_reuse;

  for (guint i = 0; i < n; i++)
    ids[i] = g_strdup_printf ("%u", 40000000u + i);
  store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_assert_no_error (error);
  g_clear_pointer (&data, g_free);

  printf ("all-pairs %u-NN, %u × %u float32 vectors in 64 clusters of intrinsic dimension %u, %s threads\n",
          k, n, dim, intrinsic > 0 ? intrinsic : dim, threads ? argv[4] : "all");

  t0 = now ();
  exact = dassie_vectors_knn_all_exact (store, k, DASSIE_METRIC_SQEUCLIDEAN, threads, NULL, NULL, &stats, NULL, &error);
  g_assert_no_error (error);
  t_exact = now () - t0;
  printf ("exact:        %6.2f s  (%u rows rescanned)  peak RSS %.0f MB\n", t_exact, stats.n_fallback_rows,
          peak_rss_mb ());

  dassie_knn_options_init (&options);
  options.index = DASSIE_INDEX_HNSW;
  options.n_threads = threads;
  options.index_dir = g_strdup (dir);
  if (argc > 8)
    {
      options.hnsw_m = atoi (argv[6]);
      options.hnsw_ef_construction = atoi (argv[7]);
      options.hnsw_ef = atoi (argv[8]);
    }
  t0 = now ();
  approx = dassie_vectors_knn_all (store, k, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  t_build = now () - t0;
  t0 = now ();
  g_clear_pointer (&approx, dassie_neighbors_free);
  approx = dassie_vectors_knn_all (store, k, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  t_reuse = now () - t0;
  printf ("hnsw:         %6.2f s  building the index (M %u, ef_construction %u, ef %u), %.2f s reusing it"
          "  peak RSS %.0f MB\n", t_build, options.hnsw_m, options.hnsw_ef_construction, options.hnsw_ef,
          t_reuse, peak_rss_mb ());
  printf ("hnsw recall@%u: %.4f  (%u rows searched again exactly: the top 2 %% by score, and stranded ones)\n", k,
          recall (approx, exact), stats.n_fallback_rows);
  print_score_errors (approx, exact);

  exact10 = dassie_vectors_knn_all_exact (store, 10, DASSIE_METRIC_SQEUCLIDEAN, threads, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  approx10 = dassie_vectors_knn_all (store, 10, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  printf ("hnsw recall@10: %.4f\n", recall (approx10, exact10));

  dassie_knn_options_clear (&options);
  dassie_remove_tree (dir, NULL);
  return 0;
}
