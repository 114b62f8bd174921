/* dassie-umap-run.c: the umap verb and its settings: parameters from the config, a and b, the run folder, umap.json
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-parallel.h"
#include "dassie-results.h"
#include "dassie-table.h"
#include "dassie-umap.h"
#include "dassie-vectors-private.h"

void
dassie_umap_params_init (DassieUmapParams *params)
{
  DassieKnnOptions knn;

  g_return_if_fail (params != NULL);

  dassie_knn_options_init (&knn);

  memset (params, 0, sizeof *params);
  params->n_neighbors = 15;
  params->min_dist = 0.1;
  params->spread = 1.0;
  params->n_epochs = 0;
  params->learning_rate = 1.0;
  params->negative_sample_rate = 5;
  params->init = DASSIE_UMAP_INIT_PCA;
  params->seed = 42;
  params->fit_sample_size = 200000;
  params->index = knn.index;
  params->hnsw_threshold = knn.hnsw_threshold;
  params->hnsw_m = knn.hnsw_m;
  params->hnsw_ef_construction = knn.hnsw_ef_construction;
  params->hnsw_ef = knn.hnsw_ef;
  params->progress_every = 10;
}

const char *
dassie_umap_init_to_string (DassieUmapInit init)
{
  switch (init)
    {
    case DASSIE_UMAP_INIT_RANDOM:
      return "random";
    case DASSIE_UMAP_INIT_SPECTRAL:
      return "spectral";
    case DASSIE_UMAP_INIT_PCA:
    default:
      return "pca";
    }
}

gboolean
dassie_umap_params_from_config (DassieUmapParams    *params,
                                const DassieConfig  *config,
                                GError             **error)
{
  DassieKnnOptions knn;
  const char *init;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  dassie_knn_options_init (&knn);
  params->n_neighbors = CLAMP (dassie_config_get_int (config, "umap.n_neighbors"), 0, G_MAXUINT);
  params->min_dist = dassie_config_get_double (config, "umap.min_dist");
  params->spread = dassie_config_get_double (config, "umap.spread");
  params->n_epochs = CLAMP (dassie_config_get_int (config, "umap.n_epochs"), 0, 1000000);
  params->learning_rate = dassie_config_get_double (config, "umap.learning_rate");
  params->negative_sample_rate = CLAMP (dassie_config_get_int (config, "umap.negative_sample_rate"), 0, 1000);
  params->seed = (guint64) dassie_config_get_int (config, "umap.seed");
  params->fit_sample_size = CLAMP (dassie_config_get_int (config, "umap.fit_sample_size"), 0, G_MAXUINT);
  params->n_threads = CLAMP (dassie_config_get_int (config, "general.threads"), 0, 1024);

  init = dassie_config_get_string (config, "umap.init");
  if (g_strcmp0 (init, "pca") == 0)
    params->init = DASSIE_UMAP_INIT_PCA;
  else if (g_strcmp0 (init, "random") == 0)
    params->init = DASSIE_UMAP_INIT_RANDOM;
  else if (g_strcmp0 (init, "spectral") == 0)
    params->init = DASSIE_UMAP_INIT_SPECTRAL;
  else
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown UMAP initialisation “%s” in umap.init; use pca, spectral or random"), init ? init : "");
      return FALSE;
    }

  /* The neighbours are found the way the scores find them. */
  if (!dassie_knn_options_from_config (&knn, config, error))
    return FALSE;
  params->index = knn.index;
  params->hnsw_threshold = knn.hnsw_threshold;
  params->hnsw_m = knn.hnsw_m;
  params->hnsw_ef_construction = knn.hnsw_ef_construction;
  params->hnsw_ef = knn.hnsw_ef;

  if (params->n_neighbors < 2 || !(params->min_dist >= 0) || !(params->spread > 0) ||
      !(params->learning_rate > 0) || params->min_dist > params->spread)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("The UMAP settings are out of range: umap.n_neighbors needs at least 2, umap.spread and "
                     "umap.learning_rate must be positive and umap.min_dist between 0 and umap.spread"));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------ */
/* a and b                                                                                           */

gboolean
dassie_umap_find_ab (double  spread,
                     double  min_dist,
                     double *a,
                     double *b)
{
  const guint n = 300;
  double xv[300], yv[300];
  double p[2] = { 1.0, 1.0 };
  double lambda = 1e-3;
  double sse = 0;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  g_return_val_if_fail (spread > 0 && min_dist >= 0, FALSE);

  for (guint i = 0; i < n; i++)
    {
      xv[i] = 3.0 * spread * i / (n - 1);
      yv[i] = xv[i] < min_dist ? 1.0 : exp (-(xv[i] - min_dist) / spread);
    }

  /* Levenberg–Marquardt from (1, 1), as scipy's curve_fit starts; the analytic Jacobian converges to
   * the same least-squares minimum as its finite differences. */
  for (guint i = 0; i < n; i++)
    {
      double r = 1.0 / (1.0 + p[0] * pow (xv[i], 2 * p[1])) - yv[i];
      sse += r * r;
    }

  for (guint iter = 0; iter < 500; iter++)
    {
      double jtj[3] = { 0, 0, 0 };  /* aa, ab, bb */
      double jtr[2] = { 0, 0 };
      gboolean improved = FALSE;

      for (guint i = 0; i < n; i++)
        {
          double u = xv[i] > 0 ? pow (xv[i], 2 * p[1]) : 0.0;
          double f = 1.0 / (1.0 + p[0] * u);
          double r = f - yv[i];
          double da = -u * f * f;
          double db = xv[i] > 0 ? -p[0] * u * 2.0 * log (xv[i]) * f * f : 0.0;

          jtj[0] += da * da;
          jtj[1] += da * db;
          jtj[2] += db * db;
          jtr[0] += da * r;
          jtr[1] += db * r;
        }

      while (lambda < 1e12)
        {
          double m00 = jtj[0] * (1 + lambda), m11 = jtj[2] * (1 + lambda), m01 = jtj[1];
          double det = m00 * m11 - m01 * m01;
          double step[2], q[2], new_sse = 0;

          if (det == 0)
            break;
          step[0] = -(m11 * jtr[0] - m01 * jtr[1]) / det;
          step[1] = -(m00 * jtr[1] - m01 * jtr[0]) / det;
          q[0] = p[0] + step[0];
          q[1] = p[1] + step[1];
          for (guint i = 0; i < n; i++)
            {
              double r = 1.0 / (1.0 + q[0] * pow (xv[i], 2 * q[1])) - yv[i];
              new_sse += r * r;
            }
          if (isfinite (new_sse) && new_sse <= sse)
            {
              gboolean converged = fabs (step[0]) < 1e-13 * (1 + fabs (p[0])) &&
                                   fabs (step[1]) < 1e-13 * (1 + fabs (p[1]));

              p[0] = q[0];
              p[1] = q[1];
              improved = new_sse < sse;
              sse = new_sse;
              lambda = MAX (lambda / 10, 1e-15);
              if (converged)
                improved = FALSE;
              break;
            }
          lambda *= 10;
        }
      if (!improved)
        break;
    }

  *a = p[0];
  *b = p[1];
  return isfinite (p[0]) && isfinite (p[1]);
}


/* ------------------------------------------------------------------------------------------------ */
/* the verb                                                                                          */

static char *
umap_json (const DassieUmapParams *params,
           const DassieUmapInfo   *info,
           const char             *input,
           const char             *input_checksum,
           double                  seconds)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  dassie_run_add_input (b, input, input_checksum);
  json_builder_set_member_name (b, "n_neighbors");
  json_builder_add_int_value (b, info->n_neighbors);
  json_builder_set_member_name (b, "min_dist");
  json_builder_add_double_value (b, params->min_dist);
  json_builder_set_member_name (b, "spread");
  json_builder_add_double_value (b, params->spread);
  json_builder_set_member_name (b, "a");
  json_builder_add_double_value (b, info->a);
  json_builder_set_member_name (b, "b");
  json_builder_add_double_value (b, info->b);
  json_builder_set_member_name (b, "n_epochs");
  json_builder_add_int_value (b, info->n_epochs);
  json_builder_set_member_name (b, "learning_rate");
  json_builder_add_double_value (b, params->learning_rate);
  json_builder_set_member_name (b, "negative_sample_rate");
  json_builder_add_int_value (b, params->negative_sample_rate);
  json_builder_set_member_name (b, "init");
  json_builder_add_string_value (b, dassie_umap_init_to_string (info->init));
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) params->seed);
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, dassie_parallel_n_threads (params->n_threads));
  json_builder_set_member_name (b, "fit_sample_size");
  json_builder_add_int_value (b, params->fit_sample_size);
  json_builder_set_member_name (b, "n_fit");
  json_builder_add_int_value (b, info->n_fit);
  json_builder_set_member_name (b, "n_transformed");
  json_builder_add_int_value (b, info->n_transformed);
  json_builder_set_member_name (b, "n_edges");
  json_builder_add_int_value (b, info->n_edges);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, seconds);
  json_builder_end_object (b);
  return dassie_json_builder_to_text (b, TRUE, NULL);
}

gboolean
dassie_umap_run (const DassieConfig      *config,
                 const char              *input,
                 GCancellable            *cancellable,
                 DassieProgressFunc       progress,
                 gpointer                 user_data,
                 DassieUmapResult        *result,
                 GError                 **error)
{
  g_autofree char *path = NULL;
  g_autofree char *table_path = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *checksum = NULL;
  g_autofree float *embedding = NULL;
  g_autoptr(DassieVectors) store = NULL;
  g_autoptr(DassieRun) run = NULL;
  DassieUmapParams params;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  dassie_umap_params_init (&params);
  if (!dassie_umap_params_from_config (&params, config, error))
    return FALSE;
  params.progress = progress;
  params.progress_data = user_data;

  path = dassie_vectors_find_latents (config, input, error);
  if (path == NULL)
    return FALSE;
  store = dassie_vectors_load (path, error);
  if (store == NULL)
    return FALSE;

  run = dassie_run_begin (dassie_config_get_string (config, "general.results_dir"), "umap", config, error);
  if (run == NULL)
    return FALSE;

  embedding = dassie_umap_fit (dassie_vectors_get_data (store), dassie_vectors_get_n_rows (store),
                               dassie_vectors_get_dim (store), &params, &result->info, cancellable, error);
  if (embedding == NULL)
    goto fail;
  seconds = (g_get_monotonic_time () - start) / 1e6;

  table_path = dassie_run_build_path (run, "embedding.fits");
  json_path = dassie_run_build_path (run, "umap.json");
  checksum = dassie_vectors_get_checksum (store);
  json = umap_json (&params, &result->info, path, checksum, seconds);
  if (!dassie_table_write_vectors (table_path, dassie_vectors_get_ids (store), dassie_vectors_get_n_rows (store),
                                   "UMAP", embedding, 2, error) ||
      !dassie_write_file_atomic (json_path, json, strlen (json), error) ||
      !dassie_run_commit (run, error))
    goto fail;

  result->run_dir = g_strdup (dassie_run_get_dir (run));
  result->input_path = g_steal_pointer (&path);
  result->n_objects = dassie_vectors_get_n_rows (store);
  result->seconds = seconds;
  return TRUE;

fail:
  dassie_run_discard (run);
  return FALSE;
}

void
dassie_umap_result_clear (DassieUmapResult *result)
{
  g_return_if_fail (result != NULL);

  g_clear_pointer (&result->run_dir, g_free);
  g_clear_pointer (&result->input_path, g_free);
}
