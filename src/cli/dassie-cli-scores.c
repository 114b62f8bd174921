/* dassie-cli-scores.c: "dassie-cli scores": the anomaly score of every object into a scores run
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cli-private.h"
#include "dassie-score-methods.h"
#include "dassie-scores.h"

#define N_SHOWN 10

static int
compare_by_score (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const float *scores = user_data;
  float x = scores[*(const guint *) a], y = scores[*(const guint *) b];

  /* Highest first; equal scores by row. */
  if (x != y)
    return x > y ? -1 : 1;
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

int
_dassie_cli_scores (DassieCliContext  *ctx,
                    int                argc,
                    char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autoptr(DassieScores) scores = NULL;
  g_autofree guint *order = NULL;
  g_autofree char *metric = NULL;
  g_autofree char *index = NULL;
  g_autofree char *method = NULL;
  g_autofree char *methods_help = NULL;
  const float *ranked;
  DassieScoresResult result = { 0 };
  int k = 0;
  gboolean list_methods = FALSE;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("An infer run folder or its latents.fits (default: the newest infer run)"), N_("RUN_OR_FILE") },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, N_("Neighbours per object (scores.k)"), "K" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric, N_("sqeuclidean, euclidean or cosine (scores.metric)"), N_("METRIC") },
    { "index", 0, 0, G_OPTION_ARG_STRING, &index, N_("auto, exact or hnsw (scores.index)"), N_("INDEX") },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &method, N_("The score that SCORE holds and rankings use (scores.method; --list-methods shows them)"), N_("NAME") },
    { "list-methods", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &list_methods, N_("List the score methods and exit"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Score every object of an infer run and write a scores run with scores.fits: OBJECT_ID, KNN_MEDIAN "
      "(the median distance to the k nearest neighbours, itself excluded, as Hyrax scores), NEIGHBOR_IDS, "
      "NEIGHBOR_DIST, a column for each other score method (RECON_RESID, RECON_MSE, LOF, IFOREST, "
      "RANK_COMBO) and SCORE, the score of scores.method that Explore, export and the report rank by. "
      "A large score marks an unusual object."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli scores [OPTIONS…]"));
      return 2;
    }
  if (list_methods)
    {
      for (const char * const *m = dassie_score_method_names (); *m != NULL; m++)
        g_print ("%-15s %-12s %s: %s\n", *m, dassie_score_method_get_column (*m),
                 dassie_score_method_get_label (*m), dassie_score_method_get_description (*m));
      return 0;
    }
  if (method != NULL && !dassie_score_method_is_valid (method))
    {
      methods_help = g_strjoinv (", ", (char **) dassie_score_method_names ());
      g_printerr ("dassie-cli: ");
      g_printerr (_("unknown score method “%s”; use one of %s"), method, methods_help);
      g_printerr ("\n");
      return 2;
    }
  if (k < 0)
    {
      g_printerr ("dassie-cli: %s\n", _("-k must be positive"));
      return 2;
    }
  if (k > 0 && !_dassie_cli_set_number (ctx, "scores.k", k))
    return 2;
  if ((metric != NULL && !dassie_config_set_from_string (ctx->config, "scores.metric", metric, &error)) ||
      (index != NULL && !dassie_config_set_from_string (ctx->config, "scores.index", index, &error)) ||
      (method != NULL && !dassie_config_set_from_string (ctx->config, "scores.method", method, &error)))
    return _dassie_cli_fail (error);

  if (!dassie_scores_run (ctx->config, ctx->input, ctx->cancellable, _dassie_cli_progress, ctx, &result, &error))
    return _dassie_cli_fail (error);

  scores = dassie_scores_read (result.run_dir, &error);
  if (scores == NULL)
    {
      dassie_scores_result_clear (&result);
      return _dassie_cli_fail (error);
    }
  order = g_new (guint, MAX (scores->n_rows, 1));
  for (guint i = 0; i < scores->n_rows; i++)
    order[i] = i;
  ranked = scores->score != NULL ? scores->score : scores->knn_median;
  g_qsort_with_data (order, scores->n_rows, sizeof (guint), compare_by_score, (gpointer) ranked);

  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "run");
  json_builder_add_string_value (summary, result.run_dir);
  json_builder_set_member_name (summary, "input");
  json_builder_add_string_value (summary, result.input_path);
  json_builder_set_member_name (summary, "objects");
  json_builder_add_int_value (summary, result.n_objects);
  json_builder_set_member_name (summary, "k");
  json_builder_add_int_value (summary, result.k);
  json_builder_set_member_name (summary, "metric");
  json_builder_add_string_value (summary, dassie_metric_to_string (result.metric));
  json_builder_set_member_name (summary, "method");
  json_builder_add_string_value (summary, scores->method != NULL ? scores->method : "knn-median");
  json_builder_set_member_name (summary, "methods");
  json_builder_begin_array (summary);
  json_builder_add_string_value (summary, "knn-median");
  for (guint c = 0; c < scores->n_columns; c++)
    json_builder_add_string_value (summary, dassie_score_method_from_column (scores->column_names[c]));
  json_builder_end_array (summary);
  json_builder_set_member_name (summary, "index");
  json_builder_add_string_value (summary, result.used_hnsw ? "hnsw" : "exact");
  json_builder_set_member_name (summary, "index_reused");
  json_builder_add_boolean_value (summary, result.loaded_index);
  json_builder_set_member_name (summary, "seconds");
  json_builder_add_double_value (summary, result.seconds);
  json_builder_set_member_name (summary, "most_unusual");
  json_builder_begin_array (summary);
  for (guint i = 0; i < MIN (N_SHOWN, scores->n_rows); i++)
    {
      json_builder_begin_object (summary);
      json_builder_set_member_name (summary, "id");
      json_builder_add_string_value (summary, scores->ids[order[i]]);
      json_builder_set_member_name (summary, "score");
      json_builder_add_double_value (summary, ranked[order[i]]);
      json_builder_end_object (summary);
    }
  json_builder_end_array (summary);
  json_builder_end_object (summary);

  if (!ctx->json && !ctx->quiet)
    {
      _dassie_cli_progress_done (ctx);
      g_print (_("Most unusual objects (%s):"),
               dassie_score_method_get_label (scores->method != NULL ? scores->method : "knn-median"));
      g_print ("\n");
      for (guint i = 0; i < MIN (N_SHOWN, scores->n_rows); i++)
        g_print ("  %-20s %.6g\n", scores->ids[order[i]], ranked[order[i]]);
    }
  _dassie_cli_print_result (ctx, result.run_dir, summary);
  dassie_scores_result_clear (&result);
  return 0;
}
