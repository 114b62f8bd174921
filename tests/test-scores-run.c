/* test-scores-run.c: the scores verb with every score method: its columns, SCORE, and latents without residuals
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-iforest.h"
#include "dassie-lof.h"
#include "dassie-residuals.h"
#include "dassie-results.h"
#include "dassie-score-methods.h"
#include "dassie-scores.h"
#include "dassie-table.h"
#include "test-clusters.h"

#define N_ROWS 240
#define DIM 6

typedef struct
{
  char   *results;
  char   *infer_run;
  char  **ids;
  float  *data;
  float  *resid;   /* N_ROWS × n_quantiles */
  float  *mse;
  double  quantiles[8];
  guint   n_quantiles;
} Fixture;

/* An infer run with latent vectors (clusters and two far points) and, unless @user_data says
 * otherwise, the residual columns that infer adds. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  g_autofree char *latents = NULL;

  f->results = g_dir_make_tmp ("dassie-scores-run-XXXXXX", &error);
  g_assert_no_error (error);
  f->infer_run = g_build_filename (f->results, "20260101-000000-infer-abcd", NULL);
  g_assert_cmpint (g_mkdir (f->infer_run, 0755), ==, 0);

  f->data = make_clusters (N_ROWS, DIM, 3, 4.0, 21, NULL);
  f->ids = g_new0 (char *, N_ROWS + 1);
  for (guint i = 0; i < N_ROWS; i++)
    f->ids[i] = g_strdup_printf ("%u", 5000 + i);
  for (guint d = 0; d < DIM; d++)
    {
      f->data[(gsize) 17 * DIM + d] = 30;
      f->data[(gsize) 100 * DIM + d] = -25;
    }
  latents = g_build_filename (f->infer_run, "latents.fits", NULL);
  g_assert_true (dassie_table_write_vectors (latents, (const char * const *) f->ids, N_ROWS, "LATENT", f->data,
                                             DIM, &error));
  g_assert_no_error (error);

  f->n_quantiles = dassie_residual_quantiles_for (0.99, f->quantiles);
  f->resid = g_new (float, N_ROWS * f->n_quantiles);
  f->mse = g_new (float, N_ROWS);
  for (guint i = 0; i < N_ROWS; i++)
    {
      for (guint q = 0; q < f->n_quantiles; q++)
        f->resid[i * f->n_quantiles + q] = (float) (g_rand_double (rand) * (q + 1));
      f->mse[i] = (float) g_rand_double (rand);
    }
  if (user_data == NULL)
    {
      g_assert_true (dassie_residuals_append (latents, N_ROWS, f->quantiles, f->n_quantiles, f->resid, f->mse,
                                              &error));
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  dassie_remove_tree (f->results, NULL);
  g_free (f->results);
  g_free (f->infer_run);
  g_strfreev (f->ids);
  g_free (f->data);
  g_free (f->resid);
  g_free (f->mse);
}

static DassieScores *
run_scores (Fixture     *f,
            const char  *method,
            const char  *threads,
            GError     **error)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  DassieScoresResult result = { 0 };
  DassieScores *scores;

  dassie_config_set_string (config, "general.results_dir", f->results);
  g_assert_true (dassie_config_set_from_string (config, "general.threads", threads, NULL));
  if (method != NULL)
    dassie_config_set_string (config, "scores.method", method);
  if (!dassie_scores_run (config, f->infer_run, NULL, NULL, NULL, &result, error))
    return NULL;
  scores = dassie_scores_read (result.run_dir, error);
  g_assert_nonnull (scores);
  dassie_scores_result_clear (&result);
  return scores;
}

/* The rank percentile of @values[i] among @values, counted here: the rows below it, and half the
 * others equal to it, over n − 1. */
static double
naive_percentile (const float *values,
                  guint        i)
{
  guint below = 0, equal = 0;

  for (guint j = 0; j < N_ROWS; j++)
    {
      below += values[j] < values[i];
      equal += j != i && values[j] == values[i];
    }
  return (below + equal / 2.0) / (N_ROWS - 1);
}

static void
test_every_method (Fixture       *f,
                   gconstpointer  user_data)
{
  const char * const *methods = dassie_score_method_names ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new ((const char * const *) f->ids, f->data, N_ROWS, DIM, &error);
  g_autoptr(DassieScores) hyrax = NULL;
  g_autoptr(DassieNeighbors) twenty = NULL;
  g_autofree float *lof = NULL;
  g_autofree float *iforest = NULL;
  DassieKnnOptions options;
  DassieIforestOptions forest;

  /* What the Hyrax score always was, and what each method computes on its own. */
  dassie_knn_options_init (&options);
  hyrax = dassie_scores_compute (store, 5, &options, NULL, NULL, &error);
  g_assert_no_error (error);
  twenty = dassie_vectors_knn_all_exact (store, 20, DASSIE_METRIC_SQEUCLIDEAN, 1, NULL, NULL, NULL, NULL, &error);
  lof = dassie_lof_from_neighbors (twenty, DASSIE_METRIC_SQEUCLIDEAN);
  dassie_iforest_options_init (&forest, 42);
  forest.n_threads = 1;
  iforest = dassie_iforest_scores (f->data, N_ROWS, DIM, &forest, NULL, NULL);

  for (guint m = 0; methods[m] != NULL; m++)
    {
      g_autoptr(DassieScores) scores = run_scores (f, methods[m], m % 2 ? "1" : "2", &error);
      const float *combo;

      g_assert_no_error (error);
      g_assert_cmpstr (scores->method, ==, methods[m]);
      g_assert_nonnull (scores->score);
      g_assert_cmpmem (scores->score, N_ROWS * sizeof (float), dassie_scores_get_column (scores, methods[m]),
                       N_ROWS * sizeof (float));
      /* The Hyrax score is the same bits as ever, whatever else is computed beside it. */
      g_assert_cmpmem (scores->knn_median, N_ROWS * sizeof (float), hyrax->knn_median, N_ROWS * sizeof (float));
      g_assert_cmpuint (scores->n_columns, ==, 5);
      g_assert_cmpstr (scores->column_names[0], ==, "RECON_RESID");
      g_assert_cmpstr (scores->column_names[4], ==, "RANK_COMBO");
      g_assert_cmpmem (dassie_scores_get_column (scores, "lof"), N_ROWS * sizeof (float), lof, N_ROWS * sizeof (float));
      g_assert_cmpmem (dassie_scores_get_column (scores, "IFOREST"), N_ROWS * sizeof (float), iforest,
                       N_ROWS * sizeof (float));
      for (guint i = 0; i < N_ROWS; i++)
        {
          g_assert_cmpfloat (dassie_scores_get_column (scores, "reconstruction")[i], ==, f->resid[i * f->n_quantiles + 1]);
          g_assert_cmpfloat (dassie_scores_get_column (scores, "mse")[i], ==, f->mse[i]);
        }
      /* The default combination: the highest rank percentile of knn-median, reconstruction, iforest. */
      combo = dassie_scores_get_column (scores, "rank-combo");
      for (guint i = 0; i < N_ROWS; i++)
        {
          double expected = MAX (naive_percentile (hyrax->knn_median, i),
                                 MAX (naive_percentile (dassie_scores_get_column (scores, "reconstruction"), i),
                                      naive_percentile (iforest, i)));

          g_assert_cmpfloat_with_epsilon (combo[i], expected, 1e-6);
        }
    }
  /* The two far points lead the local outlier factor and the isolation forest. */
  for (guint i = 0; i < N_ROWS; i++)
    if (i != 17 && i != 100)
      {
        g_assert_cmpfloat (lof[i], <, MIN (lof[17], lof[100]));
        g_assert_cmpfloat (iforest[i], <, MIN (iforest[17], iforest[100]));
      }
}

static void
test_json_records_methods (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json_path = NULL;
  g_autoptr(DassieScores) scores = NULL;
  DassieScoresResult result = { 0 };
  JsonObject *root;

  dassie_config_set_string (config, "general.results_dir", f->results);
  dassie_config_set_string (config, "scores.combine", "mean");
  dassie_config_set_string (config, "scores.combine_methods", "lof, iforest");
  dassie_config_set_int (config, "scores.iforest_seed", 9);
  g_assert_true (dassie_scores_run (config, f->infer_run, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  json_path = g_build_filename (result.run_dir, "scores.json", NULL);
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "method"), ==, "rank-combo");
  g_assert_cmpstr (json_object_get_string_member (root, "combine"), ==, "mean");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "combined")), ==, 2);
  g_assert_cmpint (json_object_get_int_member (root, "lof_k"), ==, 20);
  g_assert_cmpfloat (json_object_get_double_member (root, "residual_quantile"), ==, 0.99);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "iforest"), "seed"), ==, 9);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "iforest"), "samples"), ==,
                   N_ROWS);

  /* The mean of the two methods' rank percentiles. */
  scores = dassie_scores_read (result.run_dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_ROWS; i++)
    g_assert_cmpfloat_with_epsilon (dassie_scores_get_column (scores, "rank-combo")[i],
                                    (naive_percentile (dassie_scores_get_column (scores, "lof"), i) +
                                     naive_percentile (dassie_scores_get_column (scores, "iforest"), i)) / 2, 1e-6);
  dassie_scores_result_clear (&result);
}

/* Latent vectors inferred before the residuals (or with scores.reconstruction false) still score by
 * every other method; asking for the reconstruction score says what to do. */
static void
test_without_residuals (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieScores) scores = run_scores (f, "iforest", "2", &error);
  g_autoptr(DassieScores) none = NULL;
  g_autoptr(GPtrArray) runs = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (scores->n_columns, ==, 3);
  g_assert_null (dassie_scores_get_column (scores, "reconstruction"));
  g_assert_null (dassie_scores_get_column (scores, "mse"));
  g_assert_nonnull (dassie_scores_get_column (scores, "rank-combo"));

  none = run_scores (f, "reconstruction", "2", &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "scores.reconstruction"));
  /* The failed run left no folder that looks finished: only the first one is there. */
  runs = dassie_results_list (f->results, "scores", FALSE);
  g_assert_cmpuint (runs->len, ==, 1);
}

static void
test_bad_settings (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  DassieScoresResult result = { 0 };

  dassie_config_set_string (config, "general.results_dir", f->results);
  dassie_config_set_string (config, "scores.method", "median");
  g_assert_false (dassie_scores_run (config, f->infer_run, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "rank-combo"));
  g_clear_error (&error);

  /* Residuals kept at 0.9, 0.99, 0.999 and 1, not at 0.95: the message lists them. */
  dassie_config_set_string (config, "scores.method", "knn-median");
  dassie_config_set_double (config, "scores.residual_quantile", 0.95);
  g_assert_false (dassie_scores_run (config, f->infer_run, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "0.95"));
  g_assert_nonnull (strstr (error->message, "0.999"));
  g_clear_error (&error);

  dassie_config_set_double (config, "scores.residual_quantile", 0.99);
  dassie_config_set_string (config, "scores.combine_methods", "lof,rank-combo");
  g_assert_false (dassie_scores_run (config, f->infer_run, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  g_assert_false (dassie_config_set_from_string (config, "scores.residual_quantile", "1.5", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
}

/* Method columns and SCORE survive a write and a read; a missing method is refused. */
static void
test_round_trip (void)
{
  const float line[] = { 0, 1, 3, 6, 10, 20 };
  const char *ids[] = { "a", "b", "c", "d", "e", "f", NULL };
  const float lof[] = { 1, 0.9f, 1.1f, 1.3f, 2, NAN };
  const float forest[] = { 0.4f, 0.41f, 0.42f, 0.5f, 0.6f, 0.7f };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieVectors) store = dassie_vectors_new (ids, line, 6, 1, &error);
  g_autofree char *dir = g_dir_make_tmp ("dassie-scores-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "scores.fits", NULL);
  g_autoptr(DassieScores) scores = NULL;
  g_autoptr(DassieScores) back = NULL;
  DassieKnnOptions options;

  dassie_knn_options_init (&options);
  scores = dassie_scores_compute (store, 2, &options, NULL, NULL, &error);
  /* Added out of order; kept in the order of the method names. */
  dassie_scores_set_column (scores, "IFOREST", forest);
  dassie_scores_set_column (scores, "LOF", lof);
  g_assert_false (dassie_scores_set_method (scores, "mse", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (dassie_scores_set_method (scores, "lof", &error));
  g_assert_true (dassie_scores_write (scores, path, &error));
  g_assert_no_error (error);

  back = dassie_scores_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_columns, ==, 2);
  g_assert_cmpstr (back->column_names[0], ==, "LOF");
  g_assert_cmpstr (back->column_names[1], ==, "IFOREST");
  g_assert_cmpstr (back->method, ==, "lof");
  g_assert_cmpmem (back->knn_median, sizeof line, scores->knn_median, sizeof line);
  g_assert_cmpmem (back->columns[1], sizeof forest, forest, sizeof forest);
  for (guint i = 0; i < 6; i++)
    if (isnan (lof[i]))
      g_assert_true (isnan (back->score[i]) && isnan (back->columns[0][i]));
    else
      g_assert_cmpfloat (back->score[i], ==, lof[i]);
  dassie_remove_tree (dir, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/scores-run/every-method", Fixture, NULL, fixture_set_up, test_every_method, fixture_tear_down);
  g_test_add ("/scores-run/json", Fixture, NULL, fixture_set_up, test_json_records_methods, fixture_tear_down);
  g_test_add ("/scores-run/without-residuals", Fixture, "no residuals", fixture_set_up, test_without_residuals,
              fixture_tear_down);
  g_test_add ("/scores-run/bad-settings", Fixture, NULL, fixture_set_up, test_bad_settings, fixture_tear_down);
  g_test_add_func ("/scores-run/round-trip", test_round_trip);

  return g_test_run ();
}
