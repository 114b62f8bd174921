/* dassie-test-scores.c: scores.fits fixtures, and a finished pipeline on a data set
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dassie-dataset.h"
#include "dassie-results.h"
#include "dassie-scores.h"
#include "dassie-umap.h"
#include "dassie-table.h"
#include "dassie-test-scores.h"

void
dassie_test_write_scores (const char         *path,
                          const char * const *ids,
                          guint               n,
                          const float        *scores,
                          guint               k,
                          const guint        *neighbor_rows,
                          const float        *neighbor_dist)
{
  g_autoptr(GError) error = NULL;
  DassieScores *table = g_new0 (DassieScores, 1);

  table->n_rows = n;
  table->k = k;
  table->metric = DASSIE_METRIC_EUCLIDEAN;
  table->ids = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    table->ids[i] = g_strdup (ids[i]);
  table->knn_median = g_memdup2 (scores, MAX (n, 1) * sizeof (float));
  table->neighbor_rows = g_memdup2 (neighbor_rows, MAX ((gsize) n * k, 1) * sizeof (guint));
  table->neighbor_dist = g_memdup2 (neighbor_dist, MAX ((gsize) n * k, 1) * sizeof (float));
  g_assert_true (dassie_scores_write (table, path, &error));
  g_assert_no_error (error);
  dassie_scores_free (table);
}

static int
compare_float (const void *a,
               const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

void
dassie_test_write_pipeline (const char  *data_dir,
                            const char  *results_dir,
                            guint        k,
                            char       **infer_run,
                            char       **scores_run,
                            char       **umap_run,
                            float      **reference_scores)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) dataset = NULL;
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(DassieRun) run = NULL;
  g_autofree float *pixels = NULL;
  g_autofree guint *indices = NULL;
  g_autofree float *features = NULL;
  g_autofree const char **ids = NULL;
  g_autofree char *latents = NULL;
  DassieScoresResult scores_result = { 0 };
  DassieUmapResult umap_result = { 0 };
  DassieDatasetOptions options;
  float *reference;
  guint n, nb, dim, plane;

  dassie_dataset_options_init (&options);
  dataset = dassie_dataset_open (data_dir, &options, NULL, &error);
  g_assert_no_error (error);
  n = dassie_dataset_get_n_objects (dataset);
  nb = dassie_dataset_get_n_bands (dataset);
  dim = 2 * nb;
  plane = dassie_dataset_get_width (dataset) * dassie_dataset_get_height (dataset);

  indices = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    indices[i] = i;
  pixels = g_new (float, (gsize) n * nb * plane);
  g_assert_true (dassie_dataset_read_objects (dataset, indices, n, TRUE, pixels, NULL, &error));
  g_assert_no_error (error);

  /* Features: mean and standard deviation of each band, ignoring NaN. */
  features = g_new0 (float, (gsize) n * dim);
  for (guint i = 0; i < n; i++)
    for (guint b = 0; b < nb; b++)
      {
        const float *p = pixels + ((gsize) i * nb + b) * plane;
        double sum = 0, sum2 = 0;
        guint m = 0;

        for (guint q = 0; q < plane; q++)
          if (isfinite (p[q]))
            {
              sum += p[q];
              sum2 += (double) p[q] * p[q];
              m++;
            }
        features[(gsize) i * dim + 2 * b] = m > 0 ? sum / m : 0;
        features[(gsize) i * dim + 2 * b + 1] = m > 0 ? sqrt (MAX (sum2 / m - (sum / m) * (sum / m), 0)) : 0;
      }

  /* The reference scores: exact neighbours by a double loop, the median of the k distances. */
  reference = g_new (float, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      g_autofree float *dist = g_new (float, n);
      g_autofree float *nearest = g_new (float, k);

      for (guint j = 0; j < n; j++)
        {
          double d = 0;

          for (guint c = 0; c < dim; c++)
            {
              double diff = features[(gsize) i * dim + c] - features[(gsize) j * dim + c];
              d += diff * diff;
            }
          dist[j] = j == i ? INFINITY : (float) sqrt (d);
        }
      qsort (dist, n, sizeof (float), compare_float);
      memcpy (nearest, dist, k * sizeof (float));
      reference[i] = k % 2 == 1 ? nearest[k / 2] : (nearest[k / 2 - 1] + nearest[k / 2]) / 2;
    }
  if (reference_scores != NULL)
    *reference_scores = reference;
  else
    g_free (reference);

  /* The features stand for the latent vectors of an infer run ... */
  ids = g_new (const char *, n);
  for (guint i = 0; i < n; i++)
    ids[i] = dassie_dataset_get_object_id (dataset, i);
  run = dassie_run_begin (results_dir, "infer", config, &error);
  g_assert_no_error (error);
  latents = dassie_run_build_path (run, "latents.fits");
  g_assert_true (dassie_table_write_vectors (latents, ids, n, "LATENT", features, dim, &error));
  g_assert_true (dassie_run_commit (run, &error));
  g_assert_no_error (error);
  *infer_run = g_strdup (dassie_run_get_final_dir (run));

  /* ... which the real scores and umap verbs take from there. */
  dassie_config_set_string (config, "general.results_dir", results_dir);
  dassie_config_set_int (config, "scores.k", k);
  dassie_config_set_string (config, "scores.metric", "euclidean");
  /* The reference scores are Hyrax's: SCORE holds them. */
  dassie_config_set_string (config, "scores.method", "knn-median");
  g_assert_true (dassie_scores_run (config, *infer_run, NULL, NULL, NULL, &scores_result, &error));
  g_assert_no_error (error);
  *scores_run = g_strdup (scores_result.run_dir);
  g_assert_true (dassie_umap_run (config, *infer_run, NULL, NULL, NULL, &umap_result, &error));
  g_assert_no_error (error);
  *umap_run = g_strdup (umap_result.run_dir);
  dassie_scores_result_clear (&scores_result);
  dassie_umap_result_clear (&umap_result);
}
