/* dassie-test-scores.c: scores.fits and embedding.fits fixtures, and a finished pipeline on a data set
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dassie-dataset.h"
#include "dassie-results.h"
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
  gboolean integers = dassie_ids_are_integers (ids, n);
  g_autofree char *id_form = NULL;
  g_autofree char *neighbor_form = NULL;
  g_autofree char *dist_form = g_strdup_printf ("%uE", k);
  g_autofree char *create = g_strconcat ("!", path, NULL);
  char *ttype[4] = { (char *) "OBJECT_ID", (char *) "KNN_MEDIAN", (char *) "NEIGHBOR_IDS", (char *) "NEIGHBOR_DIST" };
  char *tform[4];
  fitsfile *fptr = NULL;
  gsize width = 1;
  int status = 0;

  for (guint i = 0; i < n; i++)
    width = MAX (width, strlen (ids[i]));
  id_form = integers ? g_strdup ("1K") : g_strdup_printf ("%zuA", width);
  neighbor_form = integers ? g_strdup_printf ("%uK", k) : g_strdup_printf ("%zuA%zu", k * width, width);
  tform[0] = id_form;
  tform[1] = (char *) "1E";
  tform[2] = neighbor_form;
  tform[3] = dist_form;

  fits_create_file (&fptr, create, &status);
  fits_create_tbl (fptr, BINARY_TBL, n, 4, ttype, tform, NULL, "SCORES", &status);
  if (integers)
    {
      g_autofree gint64 *values = g_new (gint64, MAX (n, 1));
      g_autofree gint64 *neighbors = g_new (gint64, MAX ((gsize) n * k, 1));

      for (guint i = 0; i < n; i++)
        values[i] = g_ascii_strtoll (ids[i], NULL, 10);
      for (gsize c = 0; c < (gsize) n * k; c++)
        neighbors[c] = values[neighbor_rows[c]];
      fits_write_col (fptr, TLONGLONG, 1, 1, 1, n, values, &status);
      fits_write_col (fptr, TLONGLONG, 3, 1, 1, (LONGLONG) n * k, neighbors, &status);
    }
  else
    {
      g_autofree char **neighbors = g_new (char *, MAX ((gsize) n * k, 1));

      for (gsize c = 0; c < (gsize) n * k; c++)
        neighbors[c] = (char *) ids[neighbor_rows[c]];
      fits_write_col (fptr, TSTRING, 1, 1, 1, n, (char **) ids, &status);
      fits_write_col (fptr, TSTRING, 3, 1, 1, (LONGLONG) n * k, neighbors, &status);
    }
  fits_write_col (fptr, TFLOAT, 2, 1, 1, n, (float *) scores, &status);
  fits_write_col (fptr, TFLOAT, 4, 1, 1, (LONGLONG) n * k, (float *) neighbor_dist, &status);
  fits_write_key_str (fptr, "METRIC", "euclidean", NULL, &status);
  fits_write_key_lng (fptr, "KNN_K", k, NULL, &status);
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
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
                            char       **umap_run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) dataset = NULL;
  g_autofree float *pixels = NULL;
  g_autofree guint *indices = NULL;
  g_autofree float *features = NULL;
  g_autofree float *scores = NULL;
  g_autofree float *map = NULL;
  g_autofree guint *neighbors = NULL;
  g_autofree float *neighbor_dist = NULL;
  g_autofree const char **ids = NULL;
  g_autofree char *path = NULL;
  DassieDatasetOptions options;
  guint n, nb, dim, plane;

  dassie_dataset_options_init (&options);
  dataset = dassie_dataset_open (data_dir, &options, NULL, &error);
  g_assert_no_error (error);
  n = dassie_dataset_get_n_objects (dataset);
  nb = dassie_dataset_get_n_bands (dataset);
  dim = 2 * nb;
  g_assert_cmpuint (dim, <=, 16);
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

  /* Exact neighbours by a double loop; the score is the median of the k distances. */
  scores = g_new (float, n);
  neighbors = g_new (guint, (gsize) n * k);
  neighbor_dist = g_new (float, (gsize) n * k);
  for (guint i = 0; i < n; i++)
    {
      g_autofree float *dist = g_new (float, n);
      g_autofree float *sorted = NULL;

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
      for (guint r = 0; r < k; r++)
        {
          guint best = 0;

          for (guint j = 1; j < n; j++)
            if (dist[j] < dist[best])
              best = j;
          neighbors[(gsize) i * k + r] = best;
          neighbor_dist[(gsize) i * k + r] = dist[best];
          dist[best] = INFINITY;
        }
      sorted = g_memdup2 (neighbor_dist + (gsize) i * k, k * sizeof (float));
      qsort (sorted, k, sizeof (float), compare_float);
      scores[i] = k % 2 == 1 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
    }

  /* The map: the first two principal components of the standardised features (power iteration,
   * the second after removing the first), so that the points spread like a UMAP's would. */
  {
    double mean[16] = { 0 }, sd[16] = { 0 }, cov[16][16] = { { 0 } }, axes[2][16];

    for (guint c = 0; c < dim; c++)
      {
        for (guint i = 0; i < n; i++)
          mean[c] += features[(gsize) i * dim + c] / n;
        for (guint i = 0; i < n; i++)
          sd[c] += pow (features[(gsize) i * dim + c] - mean[c], 2) / n;
        sd[c] = sqrt (MAX (sd[c], 1e-12));
      }
    for (guint i = 0; i < n; i++)
      for (guint a = 0; a < dim; a++)
        for (guint b = 0; b < dim; b++)
          cov[a][b] += (features[(gsize) i * dim + a] - mean[a]) / sd[a] *
                       (features[(gsize) i * dim + b] - mean[b]) / sd[b] / n;
    for (guint p = 0; p < 2; p++)
      {
        double lambda = 0;

        for (guint c = 0; c < dim; c++)
          axes[p][c] = 1.0 / (c + 1 + p);
        for (guint iter = 0; iter < 200; iter++)
          {
            double next[16] = { 0 }, norm = 0;

            for (guint a = 0; a < dim; a++)
              for (guint b = 0; b < dim; b++)
                next[a] += cov[a][b] * axes[p][b];
            for (guint c = 0; c < dim; c++)
              norm += next[c] * next[c];
            norm = sqrt (MAX (norm, 1e-300));
            for (guint c = 0; c < dim; c++)
              axes[p][c] = next[c] / norm;
            lambda = norm;
          }
        for (guint a = 0; a < dim; a++)
          for (guint b = 0; b < dim; b++)
            cov[a][b] -= lambda * axes[p][a] * axes[p][b];
      }
    map = g_new (float, (gsize) n * 2);
    for (guint i = 0; i < n; i++)
      for (guint p = 0; p < 2; p++)
        {
          double v = 0;

          for (guint c = 0; c < dim; c++)
            v += (features[(gsize) i * dim + c] - mean[c]) / sd[c] * axes[p][c];
          map[2 * i + p] = (float) v;
        }
  }

  ids = g_new (const char *, n);
  for (guint i = 0; i < n; i++)
    ids[i] = dassie_dataset_get_object_id (dataset, i);

  {
    g_autoptr(DassieConfig) config = dassie_config_new ();
    const char *verbs[3] = { "infer", "scores", "umap" };
    const char *files[3] = { "latents.fits", "scores.fits", "embedding.fits" };
    char **runs[3] = { infer_run, scores_run, umap_run };

    for (guint v = 0; v < 3; v++)
      {
        g_autoptr(DassieRun) run = dassie_run_begin (results_dir, verbs[v], config, &error);

        g_assert_no_error (error);
        g_free (path);
        path = dassie_run_build_path (run, files[v]);
        if (v == 0)
          g_assert_true (dassie_table_write_vectors (path, ids, n, "LATENT", features, dim, &error));
        else if (v == 1)
          dassie_test_write_scores (path, ids, n, scores, k, neighbors, neighbor_dist);
        else
          g_assert_true (dassie_table_write_vectors (path, ids, n, "UMAP", map, 2, &error));
        g_assert_no_error (error);
        g_assert_true (dassie_run_commit (run, &error));
        g_assert_no_error (error);
        *runs[v] = g_strdup (dassie_run_get_final_dir (run));
      }
  }
}
