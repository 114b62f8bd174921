/* dassie-scores-methods.c: the score methods besides the k-NN median, as the scores verb runs them
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-iforest.h"
#include "dassie-lof.h"
#include "dassie-rank-combo.h"
#include "dassie-residuals.h"
#include "dassie-score-methods.h"
#include "dassie-scores-private.h"

static gboolean
add_reconstruction (DassieScores        *scores,
                    const char          *latents_path,
                    double               quantile,
                    JsonBuilder         *json,
                    GError             **error)
{
  g_autofree float *values = NULL;
  g_autofree float *mse = NULL;

  if (!dassie_residuals_read (latents_path, scores->n_rows, quantile, &values, &mse, error))
    return FALSE;
  json_builder_set_member_name (json, "residual_quantile");
  if (values == NULL)
    {
      /* Latents inferred before the residuals, or without them: the other methods still score. */
      json_builder_add_null_value (json);
      return TRUE;
    }
  json_builder_add_double_value (json, quantile);
  dassie_scores_set_column (scores, dassie_score_method_get_column ("reconstruction"), values);
  dassie_scores_set_column (scores, dassie_score_method_get_column ("mse"), mse);
  return TRUE;
}

static gboolean
add_lof (DassieScores            *scores,
         DassieVectors           *store,
         guint                    lof_k,
         const DassieKnnOptions  *options,
         JsonBuilder             *json,
         GCancellable            *cancellable,
         GError                 **error)
{
  g_autoptr(DassieNeighbors) neighbors = NULL;
  g_autofree float *lof = NULL;
  guint n = scores->n_rows;

  /* scikit-learn too takes at most n − 1 neighbours. */
  lof_k = MIN (lof_k, n > 0 ? n - 1 : 0);
  json_builder_set_member_name (json, "lof_k");
  json_builder_add_int_value (json, lof_k);
  if (lof_k == 0)
    return TRUE;
  neighbors = dassie_vectors_knn_all (store, lof_k, options, NULL, cancellable, error);
  if (neighbors == NULL)
    return FALSE;
  lof = dassie_lof_from_neighbors (neighbors, options->metric);
  dassie_scores_set_column (scores, dassie_score_method_get_column ("lof"), lof);
  return TRUE;
}

static gboolean
add_iforest (DassieScores        *scores,
             DassieVectors       *store,
             const DassieConfig  *config,
             guint                n_threads,
             JsonBuilder         *json,
             GCancellable        *cancellable,
             GError             **error)
{
  DassieIforestOptions options;
  g_autofree float *values = NULL;

  dassie_iforest_options_init (&options, (guint64) dassie_config_get_int (config, "scores.iforest_seed"));
  options.n_trees = (guint) dassie_config_get_int (config, "scores.iforest_trees");
  options.max_samples = (guint) MIN (dassie_config_get_int (config, "scores.iforest_samples"), G_MAXUINT);
  options.n_threads = n_threads;
  json_builder_set_member_name (json, "iforest");
  json_builder_begin_object (json);
  json_builder_set_member_name (json, "trees");
  json_builder_add_int_value (json, options.n_trees);
  json_builder_set_member_name (json, "samples");
  json_builder_add_int_value (json, MIN (options.max_samples, scores->n_rows));
  json_builder_set_member_name (json, "seed");
  json_builder_add_int_value (json, (gint64) options.seed);
  json_builder_end_object (json);
  if (scores->n_rows == 0)
    return TRUE;

  values = dassie_iforest_scores (dassie_vectors_get_data (store), dassie_vectors_get_n_rows (store),
                                  dassie_vectors_get_dim (store), &options, cancellable, error);
  if (values == NULL)
    return FALSE;
  dassie_scores_set_column (scores, dassie_score_method_get_column ("iforest"), values);
  return TRUE;
}

/* RANK_COMBO of the methods in scores.combine_methods that have a column. */
static gboolean
add_combination (DassieScores        *scores,
                 const DassieConfig  *config,
                 JsonBuilder         *json,
                 GError             **error)
{
  const char *how_text = dassie_config_get_string (config, "scores.combine");
  const char *list = dassie_config_get_string (config, "scores.combine_methods");
  g_auto(GStrv) methods = g_strsplit (list != NULL ? list : "", ",", -1);
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autofree float *combined = NULL;
  DassieRankCombine how;

  if (!dassie_rank_combine_from_string (how_text, &how))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown combination “%s” in scores.combine; use mean or max"), how_text ? how_text : "");
      return FALSE;
    }
  json_builder_set_member_name (json, "combine");
  json_builder_add_string_value (json, how_text);
  json_builder_set_member_name (json, "combined");
  json_builder_begin_array (json);
  for (guint i = 0; methods[i] != NULL; i++)
    {
      const char *method = g_strstrip (methods[i]);
      const float *values;

      if (method[0] == 0)
        continue;
      if (!dassie_score_method_is_valid (method) || g_str_equal (method, "rank-combo"))
        {
          g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                       _("scores.combine_methods names “%s”, which is not a score method that can be "
                         "combined; use knn-median, reconstruction, mse, lof or iforest"), method);
          return FALSE;
        }
      values = dassie_scores_get_column (scores, method);
      if (values == NULL)
        continue;
      g_ptr_array_add (columns, (gpointer) values);
      json_builder_add_string_value (json, method);
    }
  json_builder_end_array (json);
  if (columns->len == 0)
    return TRUE;

  combined = dassie_rank_combine ((const float * const *) columns->pdata, columns->len, scores->n_rows, how);
  dassie_scores_set_column (scores, dassie_score_method_get_column ("rank-combo"), combined);
  return TRUE;
}

gboolean
_dassie_scores_add_methods (DassieScores            *scores,
                            DassieVectors           *store,
                            const char              *latents_path,
                            const DassieConfig      *config,
                            const DassieKnnOptions  *options,
                            JsonBuilder             *json,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  const char *method = dassie_config_get_string (config, "scores.method");

  g_return_val_if_fail (scores != NULL && store != NULL && config != NULL && options != NULL, FALSE);

  if (!dassie_score_method_is_valid (method))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) dassie_score_method_names ());

      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown score method “%s” in scores.method; use one of %s"), method ? method : "", known);
      return FALSE;
    }
  json_builder_set_member_name (json, "method");
  json_builder_add_string_value (json, method);
  if (!add_reconstruction (scores, latents_path, dassie_config_get_double (config, "scores.residual_quantile"),
                           json, error) ||
      !add_lof (scores, store, (guint) dassie_config_get_int (config, "scores.lof_k"), options, json,
                cancellable, error) ||
      !add_iforest (scores, store, config, options->n_threads, json, cancellable, error) ||
      !add_combination (scores, config, json, error))
    return FALSE;
  return dassie_scores_set_method (scores, method, error);
}
