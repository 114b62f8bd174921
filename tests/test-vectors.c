/* test-vectors.c: exact neighbours against a naive double-precision loop, search, HNSW recall
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-hnsw.h"
#include "dassie-table.h"
#include "dassie-vectors.h"
#include "test-clusters.h"

/* The reference: every distance in double, sorted by (distance, row). */
static double
naive_distance (DassieMetric  metric,
                const float  *x,
                const float  *y,
                guint         dim)
{
  double xx = 0, yy = 0, xy = 0, s = 0;

  for (guint d = 0; d < dim; d++)
    {
      double a = x[d], b = y[d];

      xx += a * a;
      yy += b * b;
      xy += a * b;
      s += (a - b) * (a - b);
    }
  switch (metric)
    {
    case DASSIE_METRIC_COSINE:
      return (xx == 0 || yy == 0) ? 1.0 : 1.0 - xy / (sqrt (xx) * sqrt (yy));
    case DASSIE_METRIC_EUCLIDEAN:
      return sqrt (s);
    case DASSIE_METRIC_SQEUCLIDEAN:
    default:
      return s;
    }
}

typedef struct
{
  double d;
  guint  j;
} Pair;

static int
compare_pairs (const void *a,
               const void *b)
{
  const Pair *x = a, *y = b;

  if (x->d != y->d)
    return x->d < y->d ? -1 : 1;
  return x->j < y->j ? -1 : (x->j > y->j);
}

/* The k nearest of @query among @n rows, leaving out @exclude. */
static void
naive_knn (const float  *data,
           guint         n,
           guint         dim,
           const float  *query,
           guint         exclude,
           guint         k,
           DassieMetric  metric,
           guint        *idx,
           double       *dist)
{
  g_autofree Pair *pairs = g_new (Pair, n);
  guint m = 0;

  for (guint j = 0; j < n; j++)
    if (j != exclude)
      pairs[m++] = (Pair) { naive_distance (metric, query, data + (gsize) j * dim, dim), j };
  qsort (pairs, m, sizeof (Pair), compare_pairs);
  for (guint c = 0; c < k; c++)
    {
      idx[c] = pairs[c].j;
      dist[c] = pairs[c].d;
    }
}

static char **
make_ids (guint n)
{
  char **ids = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    ids[i] = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) 41234567890123456ull + i * 7);
  return ids;
}

static void
check_all_pairs (const float  *data,
                 guint         n,
                 guint         dim,
                 guint         k,
                 DassieMetric  metric,
                 guint         n_threads)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_autoptr(DassieNeighbors) nb = NULL;
  g_autofree guint *idx = g_new (guint, k);
  g_autofree double *dist = g_new (double, k);
  DassieKnnStats stats;

  g_assert_no_error (error);
  nb = dassie_vectors_knn_all_exact (store, k, metric, n_threads, NULL, NULL, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nb->n_rows, ==, n);
  g_assert_cmpuint (nb->k, ==, k);

  for (guint i = 0; i < n; i++)
    {
      naive_knn (data, n, dim, data + (gsize) i * dim, i, k, metric, idx, dist);
      for (guint c = 0; c < k; c++)
        {
          if (nb->indices[(gsize) i * k + c] != idx[c])
            g_error ("%s, row %u, neighbour %u: got row %u at %.9g, expected row %u at %.9g",
                     dassie_metric_to_string (metric), i, c, nb->indices[(gsize) i * k + c],
                     nb->distances[(gsize) i * k + c], idx[c], dist[c]);
          g_assert_cmpfloat (nb->distances[(gsize) i * k + c], ==, (float) dist[c]);
        }
    }
}

static void
test_exact_metrics (void)
{
  const guint n = 1000, dim = 24;
  g_autofree float *data = make_clusters (n, dim, 7, 4.0, 11, NULL);

  /* Shift everything far from the origin: the search must not lose precision there. */
  for (gsize i = 0; i < (gsize) n * dim; i++)
    data[i] += 100.0f;

  check_all_pairs (data, n, dim, 5, DASSIE_METRIC_SQEUCLIDEAN, 2);
  check_all_pairs (data, n, dim, 5, DASSIE_METRIC_EUCLIDEAN, 1);
  check_all_pairs (data, n, dim, 7, DASSIE_METRIC_COSINE, 2);
}

static void
test_exact_ties (void)
{
  /* Points on a coarse integer lattice: many exact duplicates and equal distances, which must come out
   * ordered by row number, as the naive loop orders them. */
  const guint n = 1100, dim = 3;
  g_autofree float *data = g_new (float, n * dim);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);

  for (guint i = 0; i < n * dim; i++)
    data[i] = (float) g_rand_int_range (rand, 0, 4);

  check_all_pairs (data, n, dim, 5, DASSIE_METRIC_SQEUCLIDEAN, 2);
  check_all_pairs (data, n, dim, 9, DASSIE_METRIC_EUCLIDEAN, 1);
  check_all_pairs (data, n, dim, 4, DASSIE_METRIC_COSINE, 2);
}

static void
test_small_sets (void)
{
  /* Fewer points than the candidate lists hold, and a zero vector for the cosine metric. */
  float data[] = { 0, 0,  1, 0,  0, 2,  3, 3,  -1, 0.5f,  2, -2 };

  check_all_pairs (data, 6, 2, 5, DASSIE_METRIC_SQEUCLIDEAN, 2);
  check_all_pairs (data, 6, 2, 3, DASSIE_METRIC_COSINE, 1);
  check_all_pairs (data, 2, 2, 1, DASSIE_METRIC_EUCLIDEAN, 1);
}

static void
test_threads_agree (void)
{
  const guint n = 2100, dim = 16;
  g_autofree float *data = make_clusters (n, dim, 5, 3.0, 3, NULL);
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_autoptr(DassieNeighbors) one = NULL;
  g_autoptr(DassieNeighbors) three = NULL;

  one = dassie_vectors_knn_all_exact (store, 6, DASSIE_METRIC_SQEUCLIDEAN, 1, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  three = dassie_vectors_knn_all_exact (store, 6, DASSIE_METRIC_SQEUCLIDEAN, 3, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (one->indices, n * 6 * sizeof (guint), three->indices, n * 6 * sizeof (guint));
  g_assert_cmpmem (one->distances, n * 6 * sizeof (float), three->distances, n * 6 * sizeof (float));
}

static void
test_search (void)
{
  const guint n = 700, dim = 8, k = 6;
  g_autofree float *data = make_clusters (n, dim, 4, 3.0, 21, NULL);
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_autoptr(DassieNeighbors) by_id = NULL;
  g_autoptr(DassieNeighbors) by_vector = NULL;
  g_autoptr(DassieNeighbors) missing = NULL;
  float query[8] = { 1, -2, 0.5f, 3, 0, 0, -1, 2 };
  guint idx[6];
  double dist[6];
  guint row;

  g_assert_no_error (error);
  g_assert_true (dassie_vectors_lookup (store, ids[123], &row));
  g_assert_cmpuint (row, ==, 123);
  g_assert_false (dassie_vectors_lookup (store, "no-such-object", NULL));

  /* By id: the object itself is left out. */
  by_id = dassie_vectors_search_id (store, ids[123], k, DASSIE_METRIC_EUCLIDEAN, &error);
  g_assert_no_error (error);
  naive_knn (data, n, dim, data + 123 * dim, 123, k, DASSIE_METRIC_EUCLIDEAN, idx, dist);
  for (guint c = 0; c < k; c++)
    {
      g_assert_cmpuint (by_id->indices[c], ==, idx[c]);
      g_assert_cmpfloat (by_id->distances[c], ==, (float) dist[c]);
      g_assert_cmpuint (by_id->indices[c], !=, 123);
    }

  /* By vector: nothing is left out. */
  by_vector = dassie_vectors_search (store, query, 1, NULL, k, DASSIE_METRIC_SQEUCLIDEAN, 1, NULL, NULL, &error);
  g_assert_no_error (error);
  naive_knn (data, n, dim, query, G_MAXUINT, k, DASSIE_METRIC_SQEUCLIDEAN, idx, dist);
  for (guint c = 0; c < k; c++)
    {
      g_assert_cmpuint (by_vector->indices[c], ==, idx[c]);
      g_assert_cmpfloat (by_vector->distances[c], ==, (float) dist[c]);
    }

  missing = dassie_vectors_search_id (store, "12", k, DASSIE_METRIC_EUCLIDEAN, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

static void
test_bad_input (void)
{
  const char *ids[] = { "1", "2", "1" };
  float data[] = { 0, 1, 2 };
  float nan_data[] = { 0, NAN, 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) dup = dassie_vectors_new (ids, data, 3, 1, &error);
  g_autoptr(DassieVectors) nan_store = NULL;
  g_autoptr(DassieVectors) ok = NULL;
  g_autoptr(DassieNeighbors) nb = NULL;
  const char *good_ids[] = { "1", "2", "3" };

  g_assert_null (dup);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "1"));
  g_clear_error (&error);

  nan_store = dassie_vectors_new (good_ids, nan_data, 3, 1, &error);
  g_assert_null (nan_store);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  ok = dassie_vectors_new (good_ids, data, 3, 1, &error);
  g_assert_no_error (error);
  nb = dassie_vectors_knn_all_exact (ok, 3, DASSIE_METRIC_SQEUCLIDEAN, 1, NULL, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (nb);
}

static void
test_load (void)
{
  const guint n = 50, dim = 4;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-vectors-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "latents.fits", NULL);
  g_autofree float *data = make_clusters (n, dim, 2, 2.0, 1, NULL);
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(DassieVectors) store = NULL;

  g_assert_true (dassie_table_write_vectors (path, (const char * const *) ids, n, "LATENT", data, dim, &error));
  g_assert_no_error (error);

  /* A run folder works as well as the file. */
  store = dassie_vectors_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_vectors_get_n_rows (store), ==, n);
  g_assert_cmpuint (dassie_vectors_get_dim (store), ==, dim);
  g_assert_cmpstr (dassie_vectors_get_id (store, 17), ==, ids[17]);
  g_assert_cmpmem (dassie_vectors_get_data (store), n * dim * sizeof (float), data, n * dim * sizeof (float));
  g_assert_cmpstr (dassie_vectors_get_path (store), ==, path);

  g_clear_pointer (&store, dassie_vectors_free);
  store = dassie_vectors_load ("/nonexistent/latents.fits", &error);
  g_assert_null (store);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/latents.fits"));

  dassie_remove_tree (dir, NULL);
}

/* The share of @exact's neighbours that @approx found too. */
static double
recall (const DassieNeighbors *approx,
        const DassieNeighbors *exact)
{
  guint k = exact->k, hits = 0;

  for (guint i = 0; i < exact->n_rows; i++)
    for (guint a = 0; a < k; a++)
      for (guint b = 0; b < k; b++)
        if (approx->indices[(gsize) i * k + a] == exact->indices[(gsize) i * k + b])
          {
            hits++;
            break;
          }
  return hits / (double) (exact->n_rows * k);
}

/* HNSW's all-pairs neighbours of @data against the exact ones: recall@k at least 0.99, exact sorted
 * distances, and the saved index reused with the same answers. Returns the index folder (to be
 * removed by the caller). */
static char *
check_hnsw (const float *data,
            guint        n,
            guint        dim,
            guint        k)
{
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_autoptr(DassieNeighbors) exact = NULL;
  g_autoptr(DassieNeighbors) approx = NULL;
  g_autoptr(DassieNeighbors) again = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-hnsw-XXXXXX", &error);
  DassieKnnOptions options;
  DassieKnnStats stats;

  g_assert_no_error (error);
  exact = dassie_vectors_knn_all_exact (store, k, DASSIE_METRIC_SQEUCLIDEAN, 2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  dassie_knn_options_init (&options);
  options.index = DASSIE_INDEX_HNSW;
  options.n_threads = 2;
  options.index_dir = g_strdup (dir);
  approx = dassie_vectors_knn_all (store, k, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (stats.used_hnsw);
  g_assert_false (stats.loaded_index);

  g_test_message ("HNSW recall@%u %.4f", k, recall (approx, exact));
  g_assert_cmpfloat (recall (approx, exact), >=, 0.99);

  /* Distances of what it found are exact, and sorted. */
  for (guint i = 0; i < n; i++)
    for (guint a = 0; a < k; a++)
      {
        guint j = approx->indices[i * k + a];
        double d = naive_distance (DASSIE_METRIC_SQEUCLIDEAN, data + i * dim, data + j * dim, dim);

        g_assert_cmpuint (j, !=, i);
        g_assert_cmpfloat (approx->distances[i * k + a], ==, (float) d);
        if (a > 0)
          g_assert_cmpfloat (approx->distances[i * k + a - 1], <=, approx->distances[i * k + a]);
      }

  /* The saved index is found and reused, with the same answers. */
  again = dassie_vectors_knn_all (store, k, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (stats.loaded_index);
  g_assert_cmpmem (again->indices, n * k * sizeof (guint), approx->indices, n * k * sizeof (guint));

  dassie_knn_options_clear (&options);
  return g_steal_pointer (&dir);
}

static void
test_hnsw_recall (void)
{
  const guint n = 2000, dim = 12;
  g_autofree float *data = make_clusters (n, dim, 10, 1.0, 7, NULL);
  g_autofree char *dir = check_hnsw (data, n, dim, 10);

  dassie_remove_tree (dir, NULL);
}

/* The index keeps rows in half precision where it can; that must not cost recall when the data sit
 * far from zero, in a spread a thousand times finer than half precision's steps there, nor in a
 * dimension that is no multiple of 8. */
static void
test_hnsw_offset (void)
{
  const guint n = 3000, dim = 37;
  g_autofree float *data = make_clusters (n, dim, 12, 1.0, 11, NULL);
  g_autofree char *dir = NULL;

  for (gsize i = 0; i < (gsize) n * dim; i++)
    data[i] = 4000.0f + 0.01f * data[i];
  dir = check_hnsw (data, n, dim, 5);
  dassie_remove_tree (dir, NULL);

  /* The index on its own, without the store moving the data to the centre first: its candidates, in
   * its own (rounded) order, still hold nearly all of the true five. */
  {
    g_auto(GStrv) ids = make_ids (n);
    g_autoptr(GError) error = NULL;
    g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
    g_autoptr(DassieNeighbors) exact = NULL;
    g_autoptr(DassieHnsw) index = NULL;
    guint hits = 0;

    exact = dassie_vectors_knn_all_exact (store, 5, DASSIE_METRIC_SQEUCLIDEAN, 2, NULL, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    index = dassie_hnsw_build (data, n, dim, 16, 100, 1, 2, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    dassie_hnsw_set_ef (index, 40);
    for (guint i = 0; i < n; i++)
      {
        guint rows[8];
        guint found = dassie_hnsw_neighbours_of (index, i, G_N_ELEMENTS (rows), rows);

        for (guint b = 0; b < 5; b++)
          for (guint a = 0; a < found; a++)
            if (rows[a] == exact->indices[i * 5 + b])
              {
                hits++;
                break;
              }
      }
    g_test_message ("HNSW's own candidates hold %.4f of the true 5", hits / (double) (n * 5));
    g_assert_cmpfloat (hits / (double) (n * 5), >=, 0.98);
  }
}

/* The rows with the highest scores (outliers), and rows whose k-th neighbour lies far beyond their
 * neighbours' own, are searched again exactly: the top of the ranking is the exact one. */
static int
compare_float_descending (const void *a,
                          const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return x > y ? -1 : x < y;
}

static void
test_hnsw_outliers_exact (void)
{
  const guint n_inliers = 1800, n_outliers = 12, n = n_inliers + n_outliers, dim = 10, k = 5;
  g_autofree float *data = g_new (float, (gsize) n * dim);
  g_autofree float *inliers = make_clusters (n_inliers, dim, 3, 4.0, 17, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = NULL;
  g_autoptr(DassieNeighbors) exact = NULL;
  g_autoptr(DassieNeighbors) approx = NULL;
  DassieKnnOptions options;
  DassieKnnStats stats;

  /* The outliers lie on a wide shell, each alone. */
  memcpy (data, inliers, (gsize) n_inliers * dim * sizeof (float));
  for (guint i = n_inliers; i < n; i++)
    for (guint d = 0; d < dim; d++)
      data[(gsize) i * dim + d] = (float) g_rand_double_range (rand, -60, 60);
  store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_assert_no_error (error);
  exact = dassie_vectors_knn_all_exact (store, k, DASSIE_METRIC_EUCLIDEAN, 2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  dassie_knn_options_init (&options);
  options.index = DASSIE_INDEX_HNSW;
  options.metric = DASSIE_METRIC_EUCLIDEAN;
  approx = dassie_vectors_knn_all (store, k, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (stats.used_hnsw);
  g_assert_cmpuint (stats.n_fallback_rows, >=, n_outliers);
  for (guint i = n_inliers; i < n; i++)
    {
      g_assert_cmpmem (approx->indices + (gsize) i * k, k * sizeof (guint), exact->indices + (gsize) i * k,
                       k * sizeof (guint));
      g_assert_cmpmem (approx->distances + (gsize) i * k, k * sizeof (float), exact->distances + (gsize) i * k,
                       k * sizeof (float));
    }

  /* Even a poor graph, that misses many neighbours, gives the exact top of the ranking: every row it
   * puts among the 100 highest scores has exact neighbours. */
  g_clear_pointer (&approx, dassie_neighbors_free);
  dassie_knn_options_clear (&options);
  dassie_knn_options_init (&options);
  options.index = DASSIE_INDEX_HNSW;
  options.metric = DASSIE_METRIC_EUCLIDEAN;
  options.hnsw_m = 3;
  options.hnsw_ef_construction = 6;
  options.hnsw_ef = 1;
  approx = dassie_vectors_knn_all (store, k, &options, &stats, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree float *middle = g_new (float, n);
    guint wrong = 0;
    float bar;

    for (guint i = 0; i < n; i++)
      {
        middle[i] = approx->distances[(gsize) i * k + k / 2];
        wrong += approx->distances[(gsize) i * k + k / 2] != exact->distances[(gsize) i * k + k / 2];
      }
    g_test_message ("the poor graph's scores are wrong for %u of %u rows", wrong, n);
    g_assert_cmpuint (wrong, >, 0);
    qsort (middle, n, sizeof (float), compare_float_descending);
    bar = middle[99];
    for (guint i = 0; i < n; i++)
      if (approx->distances[(gsize) i * k + k / 2] >= bar)
        g_assert_cmpmem (approx->distances + (gsize) i * k, k * sizeof (float),
                         exact->distances + (gsize) i * k, k * sizeof (float));
  }
  dassie_knn_options_clear (&options);
}

/* A damaged or foreign index file is not trusted: it is built again and the answers stay right. */
static void
test_hnsw_damaged_index (void)
{
  const guint n = 1500, dim = 16, k = 5;
  g_autofree float *data = make_clusters (n, dim, 6, 1.0, 5, NULL);
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_autoptr(DassieNeighbors) exact = NULL;
  g_autofree char *dir = check_hnsw (data, n, dim, k);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, &error);
  g_autofree char *index_path = NULL;
  const char *name;
  DassieKnnOptions options;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".hnsw"))
      index_path = g_build_filename (dir, name, NULL);
  g_assert_nonnull (index_path);

  exact = dassie_vectors_knn_all_exact (store, k, DASSIE_METRIC_SQEUCLIDEAN, 2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  dassie_knn_options_init (&options);
  options.index = DASSIE_INDEX_HNSW;
  options.index_dir = g_strdup (dir);

  for (guint damage = 0; damage < 3; damage++)
    {
      g_autoptr(DassieNeighbors) nb = NULL;
      g_autofree char *contents = NULL;
      gsize length;
      DassieKnnStats stats;

      g_assert_true (g_file_get_contents (index_path, &contents, &length, &error));
      if (damage == 0)
        length = 20;                         /* cut inside the header */
      else if (damage == 1)
        length /= 2;                         /* cut inside the rows */
      else
        ((guint64 *) contents)[4] += 8;      /* rows of another width */
      g_assert_true (g_file_set_contents (index_path, contents, length, &error));

      nb = dassie_vectors_knn_all (store, k, &options, &stats, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (stats.used_hnsw);
      g_assert_false (stats.loaded_index);
      g_assert_cmpfloat (recall (nb, exact), >=, 0.99);
    }

  dassie_knn_options_clear (&options);
  dassie_remove_tree (dir, NULL);
}

static void
test_cancel (void)
{
  const guint n = 3000, dim = 8;
  g_autofree float *data = make_clusters (n, dim, 3, 2.0, 2, NULL);
  g_auto(GStrv) ids = make_ids (n);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DassieNeighbors) nb = NULL;

  g_cancellable_cancel (cancellable);
  nb = dassie_vectors_knn_all_exact (store, 5, DASSIE_METRIC_SQEUCLIDEAN, 2, NULL, NULL, NULL, cancellable, &error);
  g_assert_null (nb);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/vectors/exact-metrics", test_exact_metrics);
  g_test_add_func ("/core/vectors/exact-ties", test_exact_ties);
  g_test_add_func ("/core/vectors/small-sets", test_small_sets);
  g_test_add_func ("/core/vectors/threads-agree", test_threads_agree);
  g_test_add_func ("/core/vectors/search", test_search);
  g_test_add_func ("/core/vectors/bad-input", test_bad_input);
  g_test_add_func ("/core/vectors/load", test_load);
  g_test_add_func ("/core/vectors/hnsw-recall", test_hnsw_recall);
  g_test_add_func ("/core/vectors/hnsw-offset", test_hnsw_offset);
  g_test_add_func ("/core/vectors/hnsw-damaged-index", test_hnsw_damaged_index);
  g_test_add_func ("/core/vectors/hnsw-outliers-exact", test_hnsw_outliers_exact);
  g_test_add_func ("/core/vectors/cancel", test_cancel);

  return g_test_run ();
}
