/* dassie-cli-rank.c: "dassie-cli rank": the unlabelled objects, the most promising first
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dassie-catalog.h"
#include "dassie-cli-private.h"
#include "dassie-export.h"
#include "dassie-labels.h"
#include "dassie-relevance.h"
#include "dassie-results.h"

char *
_dassie_cli_find_scores (DassieCliContext  *ctx,
                         GError           **error)
{
  const char *results_dir = dassie_config_get_string (ctx->config, "general.results_dir");
  g_autofree char *run = NULL;

  if (ctx->input != NULL)
    return g_strdup (ctx->input);
  run = dassie_results_find_latest (results_dir, "scores");
  if (run == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("No finished “scores” run under “%s”: run “dassie-cli scores” first, or give --input"),
                 results_dir);
  return g_steal_pointer (&run);
}

void
_dassie_cli_say_unknown_ids (DassieCliContext    *ctx,
                             const char          *path,
                             const char * const  *unknown)
{
  guint n = unknown != NULL ? g_strv_length ((char **) unknown) : 0;
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *message = NULL;

  if (n == 0 || ctx->json)
    return;
  for (guint i = 0; i < MIN (n, 5); i++)
    g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", unknown[i]);
  if (n > 5)
    g_string_append (list, ", …");
  message = g_strdup_printf (ngettext ("%u object of “%s” is not in this data set and was skipped: %s",
                                       "%u objects of “%s” are not in this data set and were skipped: %s", n),
                             n, path, list->str);
  g_printerr ("dassie-cli: %s\n", message);
}

/* The labels to rank by: the CSV when given (in memory only), else the data set's label store. */
static DassieLabels *
open_labels (DassieCliContext  *ctx,
             DassieCatalog     *catalog,
             const char        *csv,
             GError           **error)
{
  g_autoptr(DassieLabels) labels = NULL;
  g_auto(GStrv) unknown = NULL;
  g_autofree char *store_dir = NULL;

  if (csv == NULL)
    {
      store_dir = dassie_labels_get_store_dir (ctx->config);
      return dassie_catalog_open_labels (catalog, store_dir, error);
    }
  labels = dassie_labels_new_in_memory ((const char * const *) catalog->ids, catalog->n);
  if (!dassie_labels_import_csv (labels, csv, NULL, &unknown, error))
    return NULL;
  _dassie_cli_say_unknown_ids (ctx, csv, (const char * const *) unknown);
  return g_steal_pointer (&labels);
}

int
_dassie_cli_rank (DassieCliContext  *ctx,
                  int                argc,
                  char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autoptr(DassieCatalog) catalog = NULL;
  g_autoptr(DassieLabels) labels = NULL;
  g_autoptr(DassieRun) run = NULL;
  g_autofree char *labels_csv = NULL;
  g_autofree char *format_arg = NULL;
  g_autofree char *output = NULL;
  g_autofree char *scores = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *file_name = NULL;
  g_autofree const char **ids = NULL;
  g_autofree float *score = NULL;
  g_autofree float *relevance = NULL;
  g_autofree guint32 *rank = NULL;
  DassieRelevanceOptions options;
  DassieExportFormat format = DASSIE_EXPORT_CSV;
  DassieObjectList list = { 0 };
  guint counts[DASSIE_N_LABELS];
  guint n_rows;
  int top = -1;
  int status = 1;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("A scores run folder or scores.fits (default: the newest scores run)"), "RUN_OR_FILE" },
    { "labels", 'l', 0, G_OPTION_ARG_FILENAME, &labels_csv, N_("Rank by the labels of this CSV (object_id,label[,note]) instead of the data set's saved labels"), "FILE" },
    { "top", 'n', 0, G_OPTION_ARG_INT, &top, N_("Only the N most promising objects"), "N" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_arg, N_("csv, fits, votable or reg (a DS9 region file; default: from the output's name, else csv)"), "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the list here instead of into a new rank run"), "FILE" },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Write the objects nobody has labelled yet, the most promising first: a relevance learnt from the "
      "labels (interesting, boring, artifact) in the latent space, combined with the anomaly score. "
      "Columns object_id, score, relevance and rank (1 = look at it first). The keys rank.k, "
      "rank.bandwidth, rank.prior_weight and rank.artifact_penalty tune the model."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli rank [OPTIONS…]"));
      return 2;
    }
  if (!_dassie_cli_list_options (format_arg, output, top, &format))
    return 2;

  scores = _dassie_cli_find_scores (ctx, &error);
  if (scores == NULL)
    goto fail;
  catalog = dassie_catalog_load (scores, NULL, NULL, ctx->cancellable, &error);
  if (catalog == NULL || !dassie_catalog_load_latents (catalog, ctx->cancellable, &error))
    goto fail;
  labels = open_labels (ctx, catalog, labels_csv, &error);
  if (labels == NULL)
    goto fail;
  if (!dassie_relevance_options_from_config (&options, ctx->config, &error))
    goto fail;
  dassie_catalog_set_labels (catalog, labels);
  dassie_catalog_update_relevance (catalog, &options);

  n_rows = top > 0 ? MIN ((guint) top, catalog->n_promising) : catalog->n_promising;
  ids = g_new (const char *, MAX (n_rows, 1));
  score = g_new (float, MAX (n_rows, 1));
  relevance = g_new (float, MAX (n_rows, 1));
  rank = g_new (guint32, MAX (n_rows, 1));
  for (guint r = 0; r < n_rows; r++)
    {
      guint32 row = catalog->promising[r];

      ids[r] = catalog->ids[row];
      score[r] = catalog->scores[row];
      relevance[r] = catalog->relevance[row];
      rank[r] = r + 1;
    }
  list.n_rows = n_rows;
  list.ids = ids;
  list.scores = score;
  list.relevance = relevance;
  list.ranks = rank;

  if (output != NULL)
    out_path = g_strdup (output);
  else
    {
      file_name = g_strconcat ("ranked.", dassie_export_format_suffix (format), NULL);
      run = dassie_run_begin (dassie_config_get_string (ctx->config, "general.results_dir"), "rank",
                              ctx->config, &error);
      if (run == NULL)
        goto fail;
      out_path = dassie_run_build_path (run, file_name);
    }
  if (!dassie_export_write (&list, out_path, format, &error))
    goto fail;
  if (run != NULL)
    {
      if (!dassie_run_commit (run, &error))
        goto fail;
      g_free (out_path);
      out_path = g_build_filename (dassie_run_get_final_dir (run), file_name, NULL);
    }

  dassie_labels_count (labels, counts);
  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "output");
  json_builder_add_string_value (summary, out_path);
  json_builder_set_member_name (summary, "scores");
  json_builder_add_string_value (summary, catalog->scores_path);
  json_builder_set_member_name (summary, "identity");
  json_builder_add_string_value (summary, dassie_labels_get_identity (labels));
  json_builder_set_member_name (summary, "objects");
  json_builder_add_int_value (summary, catalog->n);
  json_builder_set_member_name (summary, "ranked");
  json_builder_add_int_value (summary, n_rows);
  for (guint l = DASSIE_LABEL_INTERESTING; l < DASSIE_N_LABELS; l++)
    {
      json_builder_set_member_name (summary, dassie_label_to_string (l));
      json_builder_add_int_value (summary, counts[l]);
    }
  json_builder_end_object (summary);
  _dassie_cli_print_result (ctx, run != NULL ? dassie_run_get_final_dir (run) : out_path, summary);
  status = 0;

fail:
  if (status != 0)
    {
      if (run != NULL)
        dassie_run_discard (run);
      return _dassie_cli_fail (error);
    }
  return status;
}
