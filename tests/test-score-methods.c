/* test-score-methods.c: local outlier factor, isolation forest, rank combination and reconstruction
 * residuals against independent computations
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-iforest.h"
#include "dassie-lof.h"
#include "dassie-rank-combo.h"
#include "dassie-residuals.h"
#include "dassie-score-methods.h"
#include "dassie-vectors.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static float
gaussian (GRand *rand)
{
  double u = g_rand_double_range (rand, 1e-12, 1), v = g_rand_double (rand);

  return (float) (sqrt (-2 * log (u)) * cos (2 * G_PI * v));
}

static DassieNeighbors *
exact_neighbors (const float *data,
                 guint        n,
                 guint        dim,
                 guint        k)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = NULL;
  g_auto(GStrv) ids = g_new0 (char *, n + 1);
  DassieNeighbors *nb;

  for (guint i = 0; i < n; i++)
    ids[i] = g_strdup_printf ("%u", i);
  store = dassie_vectors_new ((const char * const *) ids, data, n, dim, &error);
  g_assert_no_error (error);
  nb = dassie_vectors_knn_all_exact (store, k, DASSIE_METRIC_SQEUCLIDEAN, 2, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return nb;
}

/* Four points on a line, k = 2, worked out by hand from Breunig et al.'s definitions:
 * k-distances 2, 1, 2, 9; lrd 1/1.5, 1/2, 1/1.5, 1/8.5. */
static void
test_lof_by_hand (void)
{
  const float x[] = { 0, 1, 2, 10 };
  const double expected[] = { 0.875, 4.0 / 3.0, 0.875, (0.5 + 2.0 / 3.0) / 2 * 8.5 };
  g_autoptr(DassieNeighbors) nb = exact_neighbors (x, 4, 1, 2);
  g_autofree float *lof = dassie_lof_from_neighbors (nb, DASSIE_METRIC_SQEUCLIDEAN);

  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (lof[i], expected[i], 1e-5);
}

/* On a random cloud with a few far points, against an O(n²) computation written out here. */
static void
test_lof_naive (void)
{
  const guint n = 150, dim = 5, k = 20;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree float *data = g_new (float, n * dim);
  g_autofree double *dist = g_new (double, n * n);
  g_autofree guint *nn = g_new (guint, n * k);
  g_autofree double *kdist = g_new (double, n);
  g_autofree double *lrd = g_new (double, n);
  g_autoptr(DassieNeighbors) nb = NULL;
  g_autofree float *lof = NULL;
  guint top = 0;

  for (guint i = 0; i < n * dim; i++)
    data[i] = gaussian (rand) * (i / dim < 75 ? 1.0f : 3.0f) + (i / dim == 7 ? 15.0f : 0.0f);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      {
        double s = 0;

        for (guint d = 0; d < dim; d++)
          s += ((double) data[i * dim + d] - data[j * dim + d]) * ((double) data[i * dim + d] - data[j * dim + d]);
        dist[i * n + j] = sqrt (s);
      }
  /* Neighbours by selection: the nearest unused row each time, ties by row. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree gboolean *used = g_new0 (gboolean, n);

      used[i] = TRUE;
      for (guint c = 0; c < k; c++)
        {
          guint best = G_MAXUINT;

          for (guint j = 0; j < n; j++)
            if (!used[j] && (best == G_MAXUINT || dist[i * n + j] < dist[i * n + best]))
              best = j;
          used[best] = TRUE;
          nn[i * k + c] = best;
        }
      kdist[i] = dist[i * n + nn[i * k + k - 1]];
    }
  for (guint i = 0; i < n; i++)
    {
      double s = 0;

      for (guint c = 0; c < k; c++)
        s += MAX (kdist[nn[i * k + c]], dist[i * n + nn[i * k + c]]);
      lrd[i] = 1 / (s / k + 1e-10);
    }

  nb = exact_neighbors (data, n, dim, k);
  lof = dassie_lof_from_neighbors (nb, DASSIE_METRIC_SQEUCLIDEAN);
  for (guint i = 0; i < n; i++)
    {
      double s = 0;

      for (guint c = 0; c < k; c++)
        s += lrd[nn[i * k + c]];
      g_assert_cmpfloat_with_epsilon (lof[i], s / k / lrd[i], 1e-4 * s / k / lrd[i]);
      if (lof[i] > lof[top])
        top = i;
    }
  /* The one planted far point is the most outlying. */
  g_assert_cmpuint (top, ==, 7);
  g_assert_cmpfloat (lof[7], >, 2);
}

static void
test_iforest_path_length (void)
{
  /* c(n) = 2 (ln (n − 1) + γ) − 2 (n − 1) / n, worked out with Python's math module. */
  g_assert_cmpfloat (dassie_iforest_average_path (1), ==, 0);
  g_assert_cmpfloat (dassie_iforest_average_path (2), ==, 1);
  g_assert_cmpfloat_with_epsilon (dassie_iforest_average_path (3), 1.207392357589623, 1e-12);
  g_assert_cmpfloat_with_epsilon (dassie_iforest_average_path (10), 3.748880484475505, 1e-12);
  g_assert_cmpfloat_with_epsilon (dassie_iforest_average_path (256), 10.244770920119917, 1e-12);
}

/* Two objects: every tree cuts once and isolates both at depth 1, so both score 2^(−1/c(2)) = 0.5. */
static void
test_iforest_two (void)
{
  const float x[] = { 3, -1, 5, 2 };
  DassieIforestOptions options;
  g_autofree float *s = NULL;

  dassie_iforest_options_init (&options, 1);
  s = dassie_iforest_scores (x, 2, 2, &options, NULL, NULL);
  g_assert_cmpfloat (s[0], ==, 0.5f);
  g_assert_cmpfloat (s[1], ==, 0.5f);
}

/* Three points 0, 1, 10 on a line, ψ = 3, depth limit 2. The first cut is uniform in [0, 10): above 1
 * (p = 0.9) it isolates 10 at depth 1 and leaves {0, 1} to be cut at depth 2; below 1 it isolates 0.
 * So E[h] is 1.9 for 0, 2 for 1 and 1.1 for 10, and the scores are 2^(−E[h] / c(3)). */
static void
test_iforest_expected (void)
{
  const float x[] = { 0, 1, 10 };
  const double depth[] = { 1.9, 2.0, 1.1 };
  DassieIforestOptions options;
  g_autofree float *s = NULL;

  dassie_iforest_options_init (&options, 42);
  options.n_trees = 20000;
  s = dassie_iforest_scores (x, 3, 1, &options, NULL, NULL);
  for (guint i = 0; i < 3; i++)
    {
      /* 20000 trees: the mean depth is within ±0.01 (five standard errors of 0.3 / √20000). */
      g_test_message ("point %u: score %.5f, expected %.5f", i, s[i], pow (2, -depth[i] / 1.207392357589623));
      g_assert_cmpfloat (s[i], >, pow (2, -(depth[i] + 0.011) / 1.207392357589623));
      g_assert_cmpfloat (s[i], <, pow (2, -(depth[i] - 0.011) / 1.207392357589623));
    }
}

static float *
cloud_with_outlier (guint n,
                    guint dim)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  float *data = g_new (float, (gsize) n * dim);

  for (gsize i = 0; i < (gsize) n * dim; i++)
    data[i] = gaussian (rand);
  for (guint d = 0; d < dim; d++)
    data[(gsize) 123 * dim + d] = 6;
  return data;
}

static void
test_iforest_deterministic (void)
{
  const guint n = 1000, dim = 16;
  g_autofree float *data = cloud_with_outlier (n, dim);
  g_autofree float *one = NULL;
  g_autofree float *two = NULL;
  g_autofree float *three = NULL;
  g_autofree float *again = NULL;
  g_autofree float *other = NULL;
  DassieIforestOptions options;
  guint top = 0, differ = 0;

  dassie_iforest_options_init (&options, 5);
  options.n_threads = 1;
  one = dassie_iforest_scores (data, n, dim, &options, NULL, NULL);
  options.n_threads = 2;
  two = dassie_iforest_scores (data, n, dim, &options, NULL, NULL);
  options.n_threads = 3;
  three = dassie_iforest_scores (data, n, dim, &options, NULL, NULL);
  again = dassie_iforest_scores (data, n, dim, &options, NULL, NULL);
  g_assert_cmpmem (one, n * sizeof (float), two, n * sizeof (float));
  g_assert_cmpmem (one, n * sizeof (float), three, n * sizeof (float));
  g_assert_cmpmem (one, n * sizeof (float), again, n * sizeof (float));

  options.seed = 6;
  other = dassie_iforest_scores (data, n, dim, &options, NULL, NULL);
  for (guint i = 0; i < n; i++)
    {
      differ += other[i] != one[i];
      g_assert_cmpfloat (one[i], >, 0);
      g_assert_cmpfloat (one[i], <, 1);
      if (one[i] > one[top])
        top = i;
    }
  g_assert_cmpuint (differ, >, n / 2);
  g_assert_cmpuint (top, ==, 123);
  g_assert_cmpfloat (one[123], >, 0.6);
}

static void
test_iforest_cancel (void)
{
  g_autofree float *data = cloud_with_outlier (300, 4);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  DassieIforestOptions options;
  float *s;

  dassie_iforest_options_init (&options, 5);
  g_cancellable_cancel (cancellable);
  s = dassie_iforest_scores (data, 300, 4, &options, cancellable, &error);
  g_assert_null (s);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_rank_percentiles (void)
{
  /* Sorted: 1 (rank 1), 2 2 (ranks 2 and 3: 2.5 each), 7 (4), 9 (5); NaN is left out. */
  const float values[] = { 7, 2, NAN, 9, 1, 2 };
  const float expected[] = { 3.0f / 4, 1.5f / 4, NAN, 1, 0, 1.5f / 4 };
  float p[6];

  dassie_rank_percentiles (values, 6, p);
  for (guint i = 0; i < 6; i++)
    if (isnan (expected[i]))
      g_assert_true (isnan (p[i]));
    else
      g_assert_cmpfloat_with_epsilon (p[i], expected[i], 1e-7);

  dassie_rank_percentiles (values + 3, 1, p);
  g_assert_cmpfloat (p[0], ==, 0.5f);
}

static void
test_rank_combine (void)
{
  /* Percentiles a: 0, 1/3, 2/3, 1; b: 1, 2/3, NaN → (b has 3 values) 1, 1/2, NaN, 0. */
  const float a[] = { 10, 20, 30, 40 };
  const float b[] = { 5, 3, NAN, 1 };
  const float *columns[] = { a, b };
  g_autofree float *mean = dassie_rank_combine (columns, 2, 4, DASSIE_RANK_COMBINE_MEAN);
  g_autofree float *high = dassie_rank_combine (columns, 2, 4, DASSIE_RANK_COMBINE_MAX);
  const float expected_mean[] = { 0.5f, (1.0f / 3 + 0.5f) / 2, 2.0f / 3, 0.5f };
  const float expected_max[] = { 1, 0.5f, 2.0f / 3, 1 };
  DassieRankCombine how;

  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpfloat_with_epsilon (mean[i], expected_mean[i], 1e-6);
      g_assert_cmpfloat_with_epsilon (high[i], expected_max[i], 1e-6);
    }
  g_assert_true (dassie_rank_combine_from_string ("max", &how));
  g_assert_cmpint (how, ==, DASSIE_RANK_COMBINE_MAX);
  g_assert_false (dassie_rank_combine_from_string ("median", &how));
}

/* numpy's default quantile, from a sorted copy. */
static double
direct_quantile (const float *values,
                 gsize        n,
                 double       q)
{
  g_autofree double *s = g_new (double, n);
  double pos;
  gsize lo;

  for (gsize i = 0; i < n; i++)
    s[i] = values[i];
  qsort (s, n, sizeof (double), compare_doubles);
  pos = q * (n - 1);
  lo = (gsize) floor (pos);
  if (lo + 1 >= n)
    return s[n - 1];
  return s[lo] + (pos - lo) * (s[lo + 1] - s[lo]);
}

static void
test_quantile_select (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const double qs[] = { 0, 0.1, 0.5, 0.9, 0.99, 0.999, 1 };

  for (guint trial = 0; trial < 60; trial++)
    {
      gsize n = 1 + g_rand_int_range (rand, 0, trial < 30 ? 20 : 5000);
      g_autofree float *values = g_new (float, n);
      g_autofree float *work = g_new (float, n);

      for (gsize i = 0; i < n; i++)
        /* Many repeats in half the trials, as a saturated or flat cutout has. */
        values[i] = trial % 2 ? (float) g_rand_int_range (rand, 0, 5) : gaussian (rand);
      for (guint q = 0; q < G_N_ELEMENTS (qs); q++)
        {
          memcpy (work, values, n * sizeof (float));
          g_assert_cmpfloat_with_epsilon (dassie_quantile_select (work, n, qs[q]), direct_quantile (values, n, qs[q]),
                                          1e-6);
        }
    }
}

static void
test_residual_quantiles_for (void)
{
  double q[8];
  guint n;

  n = dassie_residual_quantiles_for (0.99, q);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (q[0], ==, 0.9);
  g_assert_cmpfloat (q[1], ==, 0.99);
  g_assert_cmpfloat (q[3], ==, 1.0);
  n = dassie_residual_quantiles_for (0.95, q);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpfloat (q[1], ==, 0.95);
  g_assert_cmpfloat (q[2], ==, 0.99);
  n = dassie_residual_quantiles_for (0.5, q);
  g_assert_cmpfloat (q[0], ==, 0.5);
  g_assert_cmpuint (n, ==, 5);
}

/* The residual statistics against a direct computation from sorted copies, and what they are for:
 * a thin trail that hardly moves the mean squared error moves the 99th percentile by far. */
static void
test_residual_stats (void)
{
  const guint nb = 3, w = 40;
  const gsize plane = (gsize) w * w;
  const double qs[] = { 0.9, 0.99, 1.0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autofree float *x = g_new (float, nb * plane);
  g_autofree float *y = g_new (float, nb * plane);
  g_autofree float *scratch = g_new (float, nb * plane);
  g_autofree float *z = g_new (float, nb * plane);
  g_autofree float *r = g_new (float, plane);
  float out[3], trail_out[3];
  double mse, trail_mse, squares = 0;

  for (gsize p = 0; p < nb * plane; p++)
    {
      y[p] = 0.3f * sinf (p * 0.01f);
      /* Each band its own noise level, which the statistic divides out. */
      x[p] = y[p] + 0.2f + (0.01f + 0.02f * (p / plane)) * gaussian (rand);
    }
  for (guint b = 0; b < nb; b++)
    {
      double median, mad;

      for (gsize p = 0; p < plane; p++)
        {
          r[p] = x[b * plane + p] - y[b * plane + p];
          squares += (double) r[p] * r[p];
        }
      median = direct_quantile (r, plane, 0.5);
      for (gsize p = 0; p < plane; p++)
        r[p] = (float) fabs (r[p] - median);
      mad = direct_quantile (r, plane, 0.5);
      for (gsize p = 0; p < plane; p++)
        z[b * plane + p] = (float) (r[p] / (1.4826 * mad));
    }

  mse = dassie_residual_stats (x, y, nb, plane, qs, 3, scratch, out);
  g_assert_cmpfloat_with_epsilon (mse, squares / (nb * plane), 1e-9);
  for (guint q = 0; q < 3; q++)
    g_assert_cmpfloat_with_epsilon (out[q], direct_quantile (z, nb * plane, qs[q]), 1e-4);
  /* Gaussian noise in its own units: the 99th percentile of |z| is about 2.58. */
  g_assert_cmpfloat (out[1], >, 2.3);
  g_assert_cmpfloat (out[1], <, 2.9);

  /* A two-pixel-wide diagonal trail in one band, 10 noise units bright: 80 of 4800 pixels. */
  for (guint i = 0; i < w; i++)
    for (guint t = 0; t < 2; t++)
      x[plane + (gsize) i * w + (i + t) % w] += 10 * 0.03f;
  trail_mse = dassie_residual_stats (x, y, nb, plane, qs, 3, scratch, trail_out);
  g_assert_cmpfloat (trail_mse, <, 1.2 * mse);
  g_assert_cmpfloat (trail_out[1], >, 2 * out[1]);
}

static void
test_methods (void)
{
  const char * const *names = dassie_score_method_names ();
  g_autoptr(GHashTable) columns = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (names[0], ==, "knn-median");
  g_assert_cmpstr (dassie_score_method_get_column ("knn-median"), ==, "KNN_MEDIAN");
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *column = dassie_score_method_get_column (names[i]);

      g_assert_true (dassie_score_method_is_valid (names[i]));
      g_assert_nonnull (column);
      g_assert_false (g_hash_table_contains (columns, column));
      g_hash_table_add (columns, (gpointer) column);
      g_assert_cmpstr (dassie_score_method_from_column (column), ==, names[i]);
      g_assert_true (strlen (dassie_score_method_get_label (names[i])) > 0);
      g_assert_true (strlen (dassie_score_method_get_description (names[i])) > 0);
    }
  g_assert_cmpuint (g_hash_table_size (columns), ==, 6);
  g_assert_false (dassie_score_method_is_valid ("knn"));
  g_assert_null (dassie_score_method_get_column ("SCORE"));
  g_assert_null (dassie_score_method_from_column ("SCORE"));
  g_assert_null (dassie_score_method_get_label (NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/score-methods/names", test_methods);
  g_test_add_func ("/score-methods/lof/by-hand", test_lof_by_hand);
  g_test_add_func ("/score-methods/lof/naive", test_lof_naive);
  g_test_add_func ("/score-methods/iforest/path-length", test_iforest_path_length);
  g_test_add_func ("/score-methods/iforest/two", test_iforest_two);
  g_test_add_func ("/score-methods/iforest/expected-depth", test_iforest_expected);
  g_test_add_func ("/score-methods/iforest/deterministic", test_iforest_deterministic);
  g_test_add_func ("/score-methods/iforest/cancel", test_iforest_cancel);
  g_test_add_func ("/score-methods/rank/percentiles", test_rank_percentiles);
  g_test_add_func ("/score-methods/rank/combine", test_rank_combine);
  g_test_add_func ("/score-methods/residuals/quantile", test_quantile_select);
  g_test_add_func ("/score-methods/residuals/quantiles-kept", test_residual_quantiles_for);
  g_test_add_func ("/score-methods/residuals/stats", test_residual_stats);

  return g_test_run ();
}
