/* dassie-cli-export.c: "dassie-cli export": the top anomalies or a selection as CSV, FITS or VOTable
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-cli-private.h"
#include "dassie-dataset.h"
#include "dassie-export.h"
#include "dassie-results.h"
#include "dassie-table.h"

typedef struct
{
  char  **ids;
  guint   n_rows;
  float  *values;
  guint   dim;
} Table;

static void
table_clear (Table *table)
{
  g_strfreev (table->ids);
  g_free (table->values);
}

/* A run folder or a file; with neither, the newest complete run of @verb under general.results_dir. */
static char *
resolve_input (DassieCliContext  *ctx,
               const char        *given,
               const char        *verb,
               const char        *file_name,
               GError           **error)
{
  const char *results_dir = dassie_config_get_string (ctx->config, "general.results_dir");
  g_autofree char *run = NULL;

  if (given != NULL)
    {
      if (g_file_test (given, G_FILE_TEST_IS_DIR))
        return g_build_filename (given, file_name, NULL);
      return g_strdup (given);
    }

  run = dassie_results_find_latest (results_dir, verb);
  if (run == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No finished “%s” run under “%s”: run “dassie-cli %s” first, or name the file"),
                   verb, results_dir, verb);
      return NULL;
    }
  return g_build_filename (run, file_name, NULL);
}

static gboolean
read_table (const char  *path,
            const char  *column,
            guint        dim,
            Table       *table,
            GError     **error)
{
  if (!dassie_table_read_vectors (path, column, &table->ids, &table->n_rows, &table->values,
                                  &table->dim, error))
    return FALSE;
  if (table->dim != dim)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Column %s of “%s” has %u values a row where %u are expected"),
                   column, path, table->dim, dim);
      return FALSE;
    }
  return TRUE;
}

/* Row of each id in @ids. */
static GHashTable *
index_ids (char  **ids,
           guint   n)
{
  GHashTable *index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    g_hash_table_insert (index, ids[i], GUINT_TO_POINTER (i + 1));
  return index;
}

static guint
lookup (GHashTable *index,
        const char *id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (index, id));   /* row + 1, or 0 */
}

/* The data folder the scores came from: --data, else the scores run's own configuration, else ours. */
static char *
data_location (DassieCliContext *ctx,
               const char       *scores_path)
{
  g_autofree char *run_dir = g_path_get_dirname (scores_path);
  g_autofree char *run_config = g_build_filename (run_dir, "config.json", NULL);
  g_autoptr(DassieConfig) config = NULL;
  g_autoptr(GPtrArray) requests = NULL;

  if (ctx->data_dir != NULL)
    return g_strdup (ctx->data_dir);

  config = dassie_config_new ();
  if (!g_file_test (run_config, G_FILE_TEST_IS_REGULAR) ||
      !dassie_config_load_file (config, run_config, NULL))
    g_clear_pointer (&config, dassie_config_free);

  requests = dassie_config_get_data_requests (config != NULL ? config : ctx->config, "infer");
  for (guint i = 0; requests != NULL && i < requests->len; i++)
    {
      DassieDataRequest *request = g_ptr_array_index (requests, i);

      if (request->data_location != NULL && *request->data_location != 0 &&
          g_file_test (request->data_location, G_FILE_TEST_IS_DIR))
        return g_strdup (request->data_location);
    }
  return NULL;
}

static void
note (DassieCliContext *ctx,
      const char       *message)
{
  if (!ctx->quiet && !ctx->json)
    g_printerr ("dassie-cli: %s\n", message);
}

int
_dassie_cli_export (DassieCliContext  *ctx,
                    int                argc,
                    char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autoptr(GHashTable) score_index = NULL;
  g_autoptr(DassieDataset) dataset = NULL;
  g_autoptr(DassieRun) run = NULL;
  g_autofree char *umap_arg = NULL;
  g_autofree char *ids_file = NULL;
  g_autofree char *format_arg = NULL;
  g_autofree char *output = NULL;
  g_autofree char *scores_path = NULL;
  g_autofree char *umap_path = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *file_name = NULL;
  g_autofree guint32 *ranks = NULL;
  g_autofree guint32 *order = NULL;
  g_autofree guint32 *rows = NULL;
  g_autofree const char **out_ids = NULL;
  g_autofree float *out_scores = NULL;
  g_autofree guint32 *out_ranks = NULL;
  g_autofree float *out_x = NULL;
  g_autofree float *out_y = NULL;
  g_autofree const char **band_names = NULL;
  g_autofree const char **band_paths = NULL;
  Table scores = { 0 };
  Table umap = { 0 };
  gboolean no_umap = FALSE, no_paths = FALSE;
  gboolean have_umap = FALSE;
  DassieExportFormat format = DASSIE_EXPORT_CSV;
  DassieObjectList list = { 0 };
  guint n_bands = 0;
  gsize n_rows = 0;
  int top = -1;
  int status = 1;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("A scores run folder or scores.fits (default: the newest scores run)"), "RUN_OR_FILE" },
    { "umap", 0, 0, G_OPTION_ARG_FILENAME, &umap_arg, N_("A umap run folder or embedding.fits (default: the newest umap run, if any)"), "RUN_OR_FILE" },
    { "no-umap", 0, 0, G_OPTION_ARG_NONE, &no_umap, N_("Leave out the UMAP coordinates"), NULL },
    { "top", 'n', 0, G_OPTION_ARG_INT, &top, N_("Only the N most anomalous objects (of the selection, with --ids)"), "N" },
    { "ids", 0, 0, G_OPTION_ARG_FILENAME, &ids_file, N_("Only the objects listed in FILE (one id a line, or a CSV with object_id first)"), "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_arg, N_("csv, fits or votable (default: from the output's name, else csv)"), "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the list here instead of into a new export run"), "FILE" },
    { "no-paths", 0, 0, G_OPTION_ARG_NONE, &no_paths, N_("Leave out the cutout file paths (no need to open the data set)"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Write the objects of a scores run, ranked from the most anomalous, with their score, rank, "
      "UMAP coordinates and cutout files, as CSV, a FITS binary table or a VOTable. Object ids are "
      "written exactly (64-bit integers or text)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli export [OPTIONS…]"));
      return 2;
    }
  if (format_arg != NULL && !dassie_export_format_from_string (format_arg, &format))
    {
      g_printerr ("dassie-cli: %s “%s”; %s\n", _("Unknown format"), format_arg, _("use csv, fits or votable"));
      return 2;
    }
  if (format_arg == NULL && output != NULL)
    dassie_export_format_from_path (output, &format);
  if (top == 0 || top < -1)
    {
      g_printerr ("dassie-cli: %s\n", _("--top must be a positive number"));
      return 2;
    }

  /* Scores, ranked over every object. */
  scores_path = resolve_input (ctx, ctx->input, "scores", "scores.fits", &error);
  if (scores_path == NULL || !read_table (scores_path, "KNN_MEDIAN", 1, &scores, &error))
    goto fail;
  score_index = index_ids (scores.ids, scores.n_rows);
  ranks = g_new (guint32, MAX (scores.n_rows, 1));
  order = g_new (guint32, MAX (scores.n_rows, 1));
  dassie_export_rank (scores.values, scores.n_rows, ranks, order);

  /* The rows to write, in rank order: all, or those of the id list. */
  rows = g_new (guint32, MAX (scores.n_rows, 1));
  if (ids_file != NULL)
    {
      g_auto(GStrv) wanted = dassie_export_read_id_list (ids_file, &error);
      g_autofree gboolean *selected = NULL;
      guint missing = 0;
      const char *first_missing = NULL;

      if (wanted == NULL)
        goto fail;
      selected = g_new0 (gboolean, MAX (scores.n_rows, 1));
      for (guint i = 0; wanted[i] != NULL; i++)
        {
          guint row = lookup (score_index, wanted[i]);

          if (row == 0)
            {
              if (missing++ == 0)
                first_missing = wanted[i];
              continue;
            }
          selected[row - 1] = TRUE;
        }
      if (missing > 0)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       ngettext ("%u id in “%s” is not in “%s” (“%s”); remove it or pick the matching scores run with --input",
                                 "%u ids in “%s” are not in “%s” (the first: “%s”); remove them or pick the matching scores run with --input",
                                 missing),
                       missing, ids_file, scores_path, first_missing);
          goto fail;
        }
      for (guint r = 0; r < scores.n_rows; r++)
        if (selected[order[r]])
          rows[n_rows++] = order[r];
    }
  else
    {
      memcpy (rows, order, scores.n_rows * sizeof (guint32));
      n_rows = scores.n_rows;
    }
  if (top > 0)
    n_rows = MIN (n_rows, (gsize) top);

  /* UMAP coordinates, matched by id; objects the embedding lacks get NaN. */
  if (!no_umap)
    {
      umap_path = resolve_input (ctx, umap_arg, "umap", "embedding.fits", umap_arg != NULL ? &error : NULL);
      if (umap_path == NULL && umap_arg != NULL)
        goto fail;
      if (umap_path == NULL)
        note (ctx, _("No umap run found: the list has no UMAP coordinates."));
      else if (!read_table (umap_path, "UMAP", 2, &umap, &error))
        goto fail;
      else
        have_umap = TRUE;
    }

  /* Cutout files from the data set that was scored. */
  if (!no_paths)
    {
      data_dir = data_location (ctx, scores_path);
      if (data_dir == NULL)
        note (ctx, _("The data folder of these scores is not known (give --data DIR): the list has no file paths."));
      else
        {
          DassieDatasetOptions options;
          g_autoptr(GError) open_error = NULL;

          dassie_dataset_options_init (&options);
          if (dassie_dataset_options_from_config (&options, ctx->config, NULL))
            dataset = dassie_dataset_open (data_dir, &options, ctx->cancellable, &open_error);
          dassie_dataset_options_clear (&options);
          if (dataset == NULL)
            {
              g_autofree char *message = g_strdup_printf (_("Could not open the data set in “%s” (%s): the list has no file paths."),
                                                          data_dir, open_error != NULL ? open_error->message : "");
              note (ctx, message);
            }
        }
    }

  out_ids = g_new (const char *, MAX (n_rows, 1));
  out_scores = g_new (float, MAX (n_rows, 1));
  out_ranks = g_new (guint32, MAX (n_rows, 1));
  for (gsize i = 0; i < n_rows; i++)
    {
      out_ids[i] = scores.ids[rows[i]];
      out_scores[i] = scores.values[rows[i]];
      out_ranks[i] = ranks[rows[i]];
    }
  if (have_umap)
    {
      g_autoptr(GHashTable) umap_index = index_ids (umap.ids, umap.n_rows);

      out_x = g_new (float, MAX (n_rows, 1));
      out_y = g_new (float, MAX (n_rows, 1));
      for (gsize i = 0; i < n_rows; i++)
        {
          guint row = lookup (umap_index, out_ids[i]);

          out_x[i] = row > 0 ? umap.values[2 * (row - 1)] : NAN;
          out_y[i] = row > 0 ? umap.values[2 * (row - 1) + 1] : NAN;
        }
    }
  if (dataset != NULL)
    {
      n_bands = dassie_dataset_get_n_bands (dataset);
      band_names = g_new (const char *, n_bands);
      band_paths = g_new0 (const char *, MAX (n_rows * n_bands, 1));
      for (guint b = 0; b < n_bands; b++)
        band_names[b] = dassie_dataset_get_band (dataset, b);
      for (gsize i = 0; i < n_rows; i++)
        {
          int object = dassie_dataset_find_object (dataset, out_ids[i]);

          for (guint b = 0; object >= 0 && b < n_bands; b++)
            band_paths[i * n_bands + b] = dassie_dataset_get_file (dataset, (guint) object, b);
        }
    }

  list.n_rows = n_rows;
  list.ids = out_ids;
  list.scores = out_scores;
  list.ranks = out_ranks;
  list.umap_x = out_x;
  list.umap_y = out_y;
  list.n_bands = n_bands;
  list.band_names = band_names;
  list.band_paths = band_paths;

  if (output != NULL)
    out_path = g_strdup (output);
  else
    {
      file_name = g_strconcat ("objects.", format == DASSIE_EXPORT_FITS ? "fits" :
                               format == DASSIE_EXPORT_VOTABLE ? "vot" : "csv", NULL);
      run = dassie_run_begin (dassie_config_get_string (ctx->config, "general.results_dir"), "export",
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

  json_builder_begin_object (summary);
  if (run != NULL)
    {
      json_builder_set_member_name (summary, "run");
      json_builder_add_string_value (summary, dassie_run_get_final_dir (run));
    }
  json_builder_set_member_name (summary, "output");
  json_builder_add_string_value (summary, out_path);
  json_builder_set_member_name (summary, "format");
  json_builder_add_string_value (summary, dassie_export_format_to_string (format));
  json_builder_set_member_name (summary, "objects");
  json_builder_add_int_value (summary, (gint64) n_rows);
  json_builder_set_member_name (summary, "scores");
  json_builder_add_string_value (summary, scores_path);
  json_builder_set_member_name (summary, "umap");
  if (have_umap)
    json_builder_add_string_value (summary, umap_path);
  else
    json_builder_add_null_value (summary);
  json_builder_set_member_name (summary, "bands");
  json_builder_add_int_value (summary, n_bands);
  json_builder_end_object (summary);
  _dassie_cli_print_result (ctx, run != NULL ? dassie_run_get_final_dir (run) : out_path, summary);
  status = 0;

fail:
  table_clear (&scores);
  table_clear (&umap);
  if (status != 0)
    {
      if (run != NULL)
        dassie_run_discard (run);
      return _dassie_cli_fail (error);
    }
  return status;
}
