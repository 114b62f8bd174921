/* test-scores.c: anomaly scores of a hand-made set, scores.fits round trips, the histogram
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "dassie-fileutil.h"
#include "dassie-plot.h"
#include "dassie-scores.h"

/* Six points on a line; their neighbours and squared distances worked out by hand below. */
static const float line[] = { 0, 1, 3, 6, 10, 20 };
static const char *line_ids[] = { "101", "102", "103", "104", "105", "106", NULL };

static DassieScores *
score_line (guint        k,
            const char **ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new (ids, line, 6, 1, &error);
  DassieKnnOptions options;
  DassieScores *scores;

  g_assert_no_error (error);
  dassie_knn_options_init (&options);
  options.index = DASSIE_INDEX_EXACT;
  scores = dassie_scores_compute (store, k, &options, NULL, NULL, &error);
  g_assert_no_error (error);
  return scores;
}

static void
test_hand_made (void)
{
  g_autoptr(DassieScores) three = score_line (3, line_ids);
  g_autoptr(DassieScores) two = score_line (2, line_ids);
  /* k = 3, squared distances: 0 → {1, 9, 36}; 1 → {1, 4, 25}; 3 → {4, 9 (to 0), 9 (to 6)};
   * 6 → {9, 16, 25}; 10 → {16, 49, 81}; 20 → {100, 196, 289}. */
  const float median3[] = { 9, 4, 9, 16, 49, 196 };
  const guint rows_of_3[] = { 1, 0, 3 };
  /* k = 2: the mean of the two nearest. */
  const float median2[] = { 5, 2.5f, 6.5f, 12.5f, 32.5f, 148 };

  g_assert_cmpuint (three->n_rows, ==, 6);
  g_assert_cmpuint (three->k, ==, 3);
  for (guint i = 0; i < 6; i++)
    {
      g_assert_cmpfloat (three->knn_median[i], ==, median3[i]);
      g_assert_cmpfloat (two->knn_median[i], ==, median2[i]);
    }
  /* The tie at 9 for the point at 3 goes to the lower row. */
  for (guint c = 0; c < 3; c++)
    g_assert_cmpuint (three->neighbor_rows[2 * 3 + c], ==, rows_of_3[c]);
  g_assert_cmpfloat (three->neighbor_dist[2 * 3 + 0], ==, 4);
  g_assert_cmpfloat (three->neighbor_dist[2 * 3 + 2], ==, 9);
  g_assert_cmpstr (three->ids[5], ==, "106");
}

static void
test_median (void)
{
  const double odd[] = { 5, 1, 3 };
  const double even[] = { 4, 1, 3, 2 };

  g_assert_cmpfloat (dassie_median (odd, 3), ==, 3);
  g_assert_cmpfloat (dassie_median (even, 4), ==, 2.5f);
  g_assert_cmpfloat (dassie_median (odd, 1), ==, 5);
}

/* More values than dassie_median() sorts on the stack: 0 .. n-1 in a scrambled order. */
static void
test_median_many (void)
{
  double values[201];

  for (guint n = 200; n <= 201; n++)
    {
      for (guint i = 0; i < n; i++)
        values[i] = (i * 37) % n;
      g_assert_cmpfloat (dassie_median (values, n), ==, (n - 1) / 2.0);
      /* The input is left as it was. */
      g_assert_cmpfloat (values[1], ==, 37 % n);
    }
}

static void
round_trip (const char **ids)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-scores-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "scores.fits", NULL);
  g_autoptr(DassieScores) scores = score_line (3, ids);
  g_autoptr(DassieScores) back = NULL;

  g_assert_true (dassie_scores_write (scores, path, &error));
  g_assert_no_error (error);

  back = dassie_scores_read (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_rows, ==, 6);
  g_assert_cmpuint (back->k, ==, 3);
  g_assert_cmpint (back->metric, ==, DASSIE_METRIC_SQEUCLIDEAN);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpstr (back->ids[i], ==, ids[i]);
  g_assert_cmpmem (back->knn_median, 6 * sizeof (float), scores->knn_median, 6 * sizeof (float));
  g_assert_cmpmem (back->neighbor_rows, 18 * sizeof (guint), scores->neighbor_rows, 18 * sizeof (guint));
  g_assert_cmpmem (back->neighbor_dist, 18 * sizeof (float), scores->neighbor_dist, 18 * sizeof (float));

  dassie_remove_tree (dir, NULL);
}

static void
test_round_trip (void)
{
  /* 17-digit HSC ids must survive exactly (they would not as doubles), and so must text ids. */
  const char *hsc[] = { "36411448540270969", "36411448540270970", "36411448540270971",
                        "36411448540270972", "36411448540270973", "36411448540270974", NULL };
  const char *text[] = { "a", "galaxy-b", "c", "dd", "e e", "f", NULL };

  round_trip (line_ids);
  round_trip (hsc);
  round_trip (text);
}

static void
test_read_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieScores) none = dassie_scores_read ("/nonexistent/scores.fits", &error);

  g_assert_null (none);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/scores.fits"));
}

static void
test_histogram (void)
{
  const float values[] = { 0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 4, -1 };
  DassieHistogram three, scored;
  DassieHistogramBins three_bins, scored_bins;
  const guint64 *counts;
  const guint64 *hundred;
  double edges[101];
  float scores[50];
  guint total = 0;

  /* Bins [0, 1), [1, 2), [2, 3]: the right edge is in the last bin; 4 and −1 are out. */
  dassie_histogram_init (&three);
  three.values = values;
  three.n = G_N_ELEMENTS (values);
  three.range_min = 0;
  three.range_max = 3;
  three.n_bins = 3;
  dassie_histogram_compute (&three, &three_bins);
  counts = three_bins.counts;
  g_assert_cmpuint (counts[0], ==, 2);
  g_assert_cmpuint (counts[1], ==, 2);
  g_assert_cmpuint (counts[2], ==, 3);

  /* Scores 1 .. 50: mean 25.5, so 100 bins over [0, 51] of width 0.51. */
  for (guint i = 0; i < 50; i++)
    scores[i] = i + 1;
  dassie_histogram_init (&scored);
  scored.values = scores;
  scored.n = 50;
  scored.n_bins = 100;
  dassie_histogram_compute (&scored, &scored_bins);
  hundred = scored_bins.counts;
  for (guint b = 0; b <= 100; b++)
    edges[b] = dassie_histogram_bin_edge (scored_bins.low, scored_bins.high, scored_bins.n_bins, b);
  g_assert_cmpfloat_with_epsilon (edges[0], 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (edges[100], 51.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (edges[1], 0.51, 1e-12);
  for (guint b = 0; b < 100; b++)
    {
      guint expected = 0;

      for (guint i = 0; i < 50; i++)
        if (scores[i] >= edges[b] && (scores[i] < edges[b + 1] || (b == 99 && scores[i] <= edges[b + 1])))
          expected++;
      g_assert_cmpuint (hundred[b], ==, expected);
      total += hundred[b];
    }
  g_assert_cmpuint (total, ==, 50);
  /* 1.0 lies in [0.51, 1.02). */
  g_assert_cmpuint (hundred[1], ==, 1);

  dassie_histogram_bins_clear (&three_bins);
  dassie_histogram_bins_clear (&scored_bins);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/scores/hand-made", test_hand_made);
  g_test_add_func ("/core/scores/median", test_median);
  g_test_add_func ("/core/scores/median-many", test_median_many);
  g_test_add_func ("/core/scores/round-trip", test_round_trip);
  g_test_add_func ("/core/scores/read-errors", test_read_errors);
  g_test_add_func ("/core/scores/histogram", test_histogram);

  return g_test_run ();
}
