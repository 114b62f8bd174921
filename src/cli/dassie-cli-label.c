/* dassie-cli-label.c: "dassie-cli label": the saved labels of a data set, from and to CSV
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dassie-cli-private.h"
#include "dassie-dataset.h"
#include "dassie-labels.h"
#include "dassie-scores.h"
#include "dassie-table.h"

/* The object ids that identify the data set: of --input (a scores run or scores.fits, an infer run
 * or latents.fits), else of the data set in --data, else of the newest scores run. */
static char **
find_ids (DassieCliContext  *ctx,
          guint             *n_ids,
          char             **source,
          GError           **error)
{
  g_autofree char *path = NULL;
  g_autofree char *scores = NULL;
  g_autofree float *data = NULL;
  char **ids = NULL;
  guint dim = 0;

  if (ctx->input == NULL && ctx->data_dir != NULL)
    {
      DassieDatasetOptions options;
      g_autoptr(DassieDataset) dataset = NULL;
      guint n;

      dassie_dataset_options_init (&options);
      if (!dassie_dataset_options_from_config (&options, ctx->config, error))
        return NULL;
      dataset = dassie_dataset_open (ctx->data_dir, &options, ctx->cancellable, error);
      dassie_dataset_options_clear (&options);
      if (dataset == NULL)
        return NULL;
      n = dassie_dataset_get_n_objects (dataset);
      ids = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        ids[i] = g_strdup (dassie_dataset_get_object_id (dataset, i));
      *n_ids = n;
      *source = g_strdup (ctx->data_dir);
      return ids;
    }

  scores = _dassie_cli_find_scores (ctx, error);
  if (scores == NULL)
    return NULL;
  path = g_file_test (scores, G_FILE_TEST_IS_DIR) ? g_build_filename (scores, "scores.fits", NULL) : g_strdup (scores);
  if (g_file_test (scores, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_free (path);
      path = g_build_filename (scores, "latents.fits", NULL);
    }
  if (g_str_has_suffix (path, "latents.fits"))
    {
      if (!dassie_table_read_vectors (path, "LATENT", &ids, n_ids, &data, &dim, error))
        return NULL;
    }
  else
    {
      g_autoptr(DassieScores) table = dassie_scores_read (path, error);

      if (table == NULL)
        return NULL;
      ids = g_steal_pointer (&table->ids);
      *n_ids = table->n_rows;
    }
  *source = g_steal_pointer (&path);
  return ids;
}

static int
label_list (DassieCliContext *ctx,
            DassieLabels     *labels)
{
  g_autoptr(GPtrArray) list = dassie_labels_list (labels);
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  guint counts[DASSIE_N_LABELS];

  dassie_labels_count (labels, counts);
  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "store");
  json_builder_add_string_value (summary, dassie_labels_get_path (labels));
  json_builder_set_member_name (summary, "identity");
  json_builder_add_string_value (summary, dassie_labels_get_identity (labels));
  for (guint l = DASSIE_LABEL_INTERESTING; l < DASSIE_N_LABELS; l++)
    {
      json_builder_set_member_name (summary, dassie_label_to_string (l));
      json_builder_add_int_value (summary, counts[l]);
    }
  json_builder_set_member_name (summary, "labels");
  json_builder_begin_array (summary);
  for (guint i = 0; i < list->len; i++)
    {
      const DassieLabelEntry *e = g_ptr_array_index (list, i);
      g_autofree char *tags = g_strjoinv (";", e->tags);

      json_builder_begin_object (summary);
      json_builder_set_member_name (summary, "object_id");
      json_builder_add_string_value (summary, e->object_id);
      json_builder_set_member_name (summary, "label");
      json_builder_add_string_value (summary, dassie_label_to_string (e->label));
      json_builder_set_member_name (summary, "tags");
      json_builder_add_string_value (summary, tags);
      json_builder_set_member_name (summary, "note");
      json_builder_add_string_value (summary, e->note != NULL ? e->note : "");
      json_builder_set_member_name (summary, "time");
      json_builder_add_int_value (summary, e->time);
      json_builder_end_object (summary);
      if (!ctx->json)
        g_print ("%s\t%s\t%s\t%s\n", e->object_id,
                 e->label != DASSIE_LABEL_NONE ? dassie_label_to_string (e->label) : "", tags,
                 e->note != NULL ? e->note : "");
    }
  json_builder_end_array (summary);
  json_builder_end_object (summary);
  if (!ctx->json && !ctx->quiet)
    g_printerr (_("%u interesting, %u boring, %u artifacts (%s)\n"), counts[DASSIE_LABEL_INTERESTING],
                counts[DASSIE_LABEL_BORING], counts[DASSIE_LABEL_ARTIFACT], dassie_labels_get_path (labels));
  if (ctx->json)
    _dassie_cli_print_result (ctx, NULL, summary);
  return 0;
}

int
_dassie_cli_label (DassieCliContext  *ctx,
                   int                argc,
                   char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("import FILE | export FILE | list | set LABEL ID… | clear ID…"));
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieLabels) labels = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) unknown = NULL;
  g_autofree char *source = NULL;
  g_autofree char *store_dir = NULL;
  const char *action;
  guint n_ids = 0, n_changed = 0;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("The data set by a run of it: a scores run or scores.fits, an infer run or latents.fits (default: --data, else the newest scores run)"), "RUN_OR_FILE" },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("The labels (interesting, boring, artifact, with tags and notes) are kept per data set, under the "
      "user data folder (labels.dir, or $DASSIE_LABELS_DIR), by the identity of its objects: the same "
      "for every run of the same objects and wherever the folder is. “import” reads a CSV "
      "object_id,label[,note] (a header may add tags; unknown ids are reported and skipped), “export” "
      "writes one, “list” prints them, “set” and “clear” change the given objects."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  action = argc >= 2 ? argv[1] : "";
  if (!((g_str_equal (action, "import") && argc == 3) || (g_str_equal (action, "export") && argc == 3) ||
        (g_str_equal (action, "list") && argc == 2) || (g_str_equal (action, "set") && argc >= 4) ||
        (g_str_equal (action, "clear") && argc >= 3)))
    {
      g_printerr ("dassie-cli: %s\n",
                  _("usage: dassie-cli label import FILE | export FILE | list | set LABEL ID… | clear ID…"));
      return 2;
    }

  ids = find_ids (ctx, &n_ids, &source, &error);
  if (ids == NULL)
    return _dassie_cli_fail (error);
  store_dir = dassie_labels_get_store_dir (ctx->config);
  labels = dassie_labels_open (store_dir, (const char * const *) ids, n_ids, &error);
  if (labels == NULL)
    return _dassie_cli_fail (error);

  if (g_str_equal (action, "list"))
    return label_list (ctx, labels);

  if (g_str_equal (action, "import"))
    {
      if (!dassie_labels_import_csv (labels, argv[2], &n_changed, &unknown, &error))
        return _dassie_cli_fail (error);
      _dassie_cli_say_unknown_ids (ctx, argv[2], (const char * const *) unknown);
    }
  else if (g_str_equal (action, "export"))
    {
      if (!dassie_labels_export_csv (labels, argv[2], &error))
        return _dassie_cli_fail (error);
      n_changed = dassie_labels_get_n_entries (labels);
    }
  else if (g_str_equal (action, "set"))
    {
      DassieLabel label;

      if (!dassie_label_from_string (argv[2], &label))
        {
          g_printerr ("dassie-cli: “%s” %s\n", argv[2], _("is not a label; use interesting, boring, artifact or none"));
          return 2;
        }
      if (!dassie_labels_set_many (labels, (const char * const *) argv + 3, argc - 3, label, &error))
        return _dassie_cli_fail (error);
      n_changed = argc - 3;
    }
  else
    {
      if (!dassie_labels_clear (labels, (const char * const *) argv + 2, argc - 2, &error))
        return _dassie_cli_fail (error);
      n_changed = argc - 2;
    }

  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "store");
  json_builder_add_string_value (summary, dassie_labels_get_path (labels));
  json_builder_set_member_name (summary, "identity");
  json_builder_add_string_value (summary, dassie_labels_get_identity (labels));
  json_builder_set_member_name (summary, "data");
  json_builder_add_string_value (summary, source);
  json_builder_set_member_name (summary, "objects");
  json_builder_add_int_value (summary, n_changed);
  json_builder_set_member_name (summary, "unknown_ids");
  json_builder_begin_array (summary);
  for (guint i = 0; unknown != NULL && unknown[i] != NULL; i++)
    json_builder_add_string_value (summary, unknown[i]);
  json_builder_end_array (summary);
  json_builder_set_member_name (summary, "entries");
  json_builder_add_int_value (summary, dassie_labels_get_n_entries (labels));
  json_builder_end_object (summary);
  _dassie_cli_print_result (ctx, g_str_equal (action, "export") ? argv[2] : dassie_labels_get_path (labels), summary);
  return 0;
}
