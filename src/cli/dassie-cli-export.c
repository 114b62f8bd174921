/* dassie-cli-export.c: "dassie-cli export": the top anomalies or a selection as CSV, FITS or VOTable
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "dassie-catalog.h"
#include "dassie-cli-private.h"
#include "dassie-dataset.h"
#include "dassie-export.h"
#include "dassie-results.h"

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

static void
note (DassieCliContext *ctx,
      const char       *message)
{
  if (!ctx->quiet && !ctx->json)
    g_printerr ("dassie-cli: %s\n", message);
}

/* Whether @a and @b name the same file (also through links). */
static gboolean
same_file (const char *a,
           const char *b)
{
  g_autofree char *ca = NULL;
  g_autofree char *cb = NULL;
  GStatBuf sa, sb;

  if (a == NULL || b == NULL)
    return FALSE;
  if (g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  ca = g_canonicalize_filename (a, NULL);
  cb = g_canonicalize_filename (b, NULL);
  return g_str_equal (ca, cb);
}

/* Results are never overwritten by an export: not a file of any run folder, nor one the export reads. */
static gboolean
check_output (const char          *output,
              const char * const  *inputs,
              guint                n_inputs,
              GError             **error)
{
  g_autofree char *absolute = g_canonicalize_filename (output, NULL);
  g_autofree char *parent = g_path_get_dirname (absolute);
  g_autoptr(DassieRunInfo) info = dassie_run_info_parse (parent);
  g_autofree char *real_parent = realpath (parent, NULL);
  g_autoptr(DassieRunInfo) real_info = real_parent != NULL ? dassie_run_info_parse (real_parent) : NULL;

  for (guint i = 0; i < n_inputs; i++)
    if (same_file (output, inputs[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                     _("“%s” is a file this export reads; write the list to another file with -o"), output);
        return FALSE;
      }
  if (info != NULL || real_info != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” is in the run folder “%s”, whose results an export never overwrites; "
                     "write the list elsewhere with -o, or leave -o out to make an export run"),
                   output, parent);
      return FALSE;
    }
  return TRUE;
}

/* The map to join: --umap (refused when it is of other latent vectors), else the newest umap run of
 * the scored vectors, never simply the newest umap run. */
static gboolean
choose_map (DassieCliContext  *ctx,
            const char        *umap_arg,
            const char        *scores_path,
            char             **umap_path,
            GError           **error)
{
  const char *results_dir = dassie_config_get_string (ctx->config, "general.results_dir");
  g_autofree char *run = NULL;

  *umap_path = NULL;
  if (umap_arg != NULL)
    {
      g_autofree char *path = resolve_input (ctx, umap_arg, "umap", "embedding.fits", error);

      if (path == NULL || !dassie_catalog_check_same_latents (scores_path, path, error))
        return FALSE;
      *umap_path = g_steal_pointer (&path);
      return TRUE;
    }

  run = dassie_catalog_find_map (results_dir, scores_path);
  if (run == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("No umap run of the latent vectors scored in “%s”: the list has no UMAP coordinates."),
                                                  scores_path);
      note (ctx, message);
      return TRUE;
    }
  *umap_path = g_build_filename (run, "embedding.fits", NULL);
  return TRUE;
}

/* The data set of the scored objects, or NULL (noted) when it is not known or cannot be opened. */
static DassieDataset *
open_dataset (DassieCliContext *ctx,
              const char       *scores_path,
              char            **data_dir)
{
  DassieDatasetOptions options;
  g_autoptr(GError) open_error = NULL;
  DassieDataset *dataset = NULL;

  *data_dir = _dassie_cli_data_location (ctx, scores_path);
  if (*data_dir == NULL)
    {
      note (ctx, _("The data folder of these scores is not known (give --data DIR): the list has no file paths."));
      return NULL;
    }

  dassie_dataset_options_init (&options);
  if (dassie_dataset_options_from_config (&options, ctx->config, NULL))
    dataset = dassie_dataset_open (*data_dir, &options, ctx->cancellable, &open_error);
  dassie_dataset_options_clear (&options);
  if (dataset == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the data set in “%s” (%s): the list has no file paths."),
                                                  *data_dir, open_error != NULL ? open_error->message : "");
      note (ctx, message);
    }
  return dataset;
}

/* The rows to write, in rank order: all, or those of the id list; at most @top. */
static guint32 *
select_rows (DassieCatalog  *catalog,
             const char     *ids_file,
             int             top,
             gsize          *n_rows,
             GError        **error)
{
  g_autofree guint32 *rows = g_new (guint32, MAX (catalog->n, 1));

  *n_rows = 0;
  if (ids_file != NULL)
    {
      g_auto(GStrv) wanted = dassie_export_read_id_list (ids_file, error);
      g_autoptr(GHashTable) index = NULL;
      g_autofree gboolean *selected = NULL;
      guint missing = 0;
      const char *first_missing = NULL;

      if (wanted == NULL)
        return NULL;
      index = index_ids (catalog->ids, catalog->n);
      selected = g_new0 (gboolean, MAX (catalog->n, 1));
      for (guint i = 0; wanted[i] != NULL; i++)
        {
          guint row = lookup (index, wanted[i]);

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
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       ngettext ("%u id in “%s” is not in “%s” (“%s”); remove it or pick the matching scores run with --input",
                                 "%u ids in “%s” are not in “%s” (the first: “%s”); remove them or pick the matching scores run with --input",
                                 missing),
                       missing, ids_file, catalog->scores_path, first_missing);
          return NULL;
        }
      for (guint r = 0; r < catalog->n; r++)
        if (selected[catalog->order[r]])
          rows[(*n_rows)++] = catalog->order[r];
    }
  else
    {
      memcpy (rows, catalog->order, catalog->n * sizeof (guint32));
      *n_rows = catalog->n;
    }
  if (top > 0)
    *n_rows = MIN (*n_rows, (gsize) top);
  return g_steal_pointer (&rows);
}

/* Path columns of objects the data set lacks would be empty: none found is an error, some a warning. */
static gboolean
check_dataset (DassieCliContext  *ctx,
               DassieCatalog     *catalog,
               const guint32     *rows,
               gsize              n_rows,
               const char        *data_dir,
               GError           **error)
{
  gsize missing = 0;

  for (gsize i = 0; i < n_rows; i++)
    if (catalog->objects[rows[i]] < 0)
      missing++;
  if (missing == 0)
    return TRUE;
  if (catalog->n_in_dataset == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("None of the %u objects of “%s” is in the data set in “%s”; give --data the folder that "
                     "was scored, or leave the paths out with --no-paths"),
                   catalog->n, catalog->scores_path, data_dir);
      return FALSE;
    }
  {
    g_autofree char *message = g_strdup_printf (_("%u of the %u objects are not in the data set in “%s”: their path columns are empty."),
                                                (guint) missing, (guint) n_rows, data_dir);
    if (!ctx->json)
      g_printerr ("dassie-cli: %s\n", message);
  }
  return TRUE;
}

int
_dassie_cli_export (DassieCliContext  *ctx,
                    int                argc,
                    char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autoptr(DassieDataset) dataset = NULL;
  g_autoptr(DassieCatalog) catalog = NULL;
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
  g_autofree guint32 *rows = NULL;
  g_autofree char *method = NULL;
  gboolean no_umap = FALSE, no_paths = FALSE;
  DassieExportFormat format = DASSIE_EXPORT_CSV;
  guint n_bands = 0;
  gsize n_rows = 0;
  int top = -1;
  int status = 1;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("A scores run folder or scores.fits (default: the newest scores run)"), "RUN_OR_FILE" },
    { "umap", 0, 0, G_OPTION_ARG_FILENAME, &umap_arg, N_("A umap run folder or embedding.fits of the same latent vectors (default: the newest such umap run, if any)"), "RUN_OR_FILE" },
    { "no-umap", 0, 0, G_OPTION_ARG_NONE, &no_umap, N_("Leave out the UMAP coordinates"), NULL },
    { "top", 'n', 0, G_OPTION_ARG_INT, &top, N_("Only the N most anomalous objects (of the selection, with --ids)"), "N" },
    { "ids", 0, 0, G_OPTION_ARG_FILENAME, &ids_file, N_("Only the objects listed in FILE (one id a line, or a CSV with object_id first)"), "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_arg, N_("csv, fits, votable or reg (a DS9 region file; default: from the output's name, else csv)"), "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the list here instead of into a new export run"), "FILE" },
    { "no-paths", 0, 0, G_OPTION_ARG_NONE, &no_paths, N_("Leave out the cutout file paths (no need to open the data set)"), NULL },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &method, N_("Rank by this score method's column instead of SCORE (dassie-cli scores --list-methods)"), N_("NAME") },
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
  if (!_dassie_cli_list_options (format_arg, output, top, &format))
    return 2;

  /* The one join of scores, map and data set (the catalog Explore shows), of the same latents only. */
  scores_path = resolve_input (ctx, ctx->input, "scores", "scores.fits", &error);
  if (scores_path == NULL)
    goto fail;
  if (!no_umap && !choose_map (ctx, umap_arg, scores_path, &umap_path, &error))
    goto fail;
  if (output != NULL)
    {
      g_autofree char *scores_config = NULL;
      g_autofree char *scores_dir = g_path_get_dirname (scores_path);
      const char *inputs[4] = { scores_path, umap_path, ids_file, NULL };

      scores_config = g_build_filename (scores_dir, "config.json", NULL);
      inputs[3] = scores_config;
      if (!check_output (output, inputs, G_N_ELEMENTS (inputs), &error))
        goto fail;
    }
  if (!no_paths)
    dataset = open_dataset (ctx, scores_path, &data_dir);
  catalog = dassie_catalog_load (scores_path, umap_path, dataset, ctx->cancellable, &error);
  if (catalog == NULL || (method != NULL && !dassie_catalog_set_ranking_method (catalog, method, &error)))
    goto fail;
  rows = select_rows (catalog, ids_file, top, &n_rows, &error);
  if (rows == NULL)
    goto fail;
  if (dataset != NULL)
    {
      n_bands = dassie_dataset_get_n_bands (dataset);
      if (!check_dataset (ctx, catalog, rows, n_rows, data_dir, &error))
        goto fail;
    }

  if (output != NULL)
    out_path = g_strdup (output);
  else
    {
      file_name = g_strconcat ("objects.", dassie_export_format_suffix (format), NULL);
      run = dassie_run_begin (dassie_config_get_string (ctx->config, "general.results_dir"), "export",
                              ctx->config, &error);
      if (run == NULL)
        goto fail;
      out_path = dassie_run_build_path (run, file_name);
    }

  if (!dassie_catalog_export (catalog, rows, n_rows, out_path, format, &error))
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
  json_builder_set_member_name (summary, "method");
  json_builder_add_string_value (summary, dassie_catalog_get_ranking_method (catalog));
  json_builder_set_member_name (summary, "umap");
  if (umap_path != NULL)
    json_builder_add_string_value (summary, umap_path);
  else
    json_builder_add_null_value (summary);
  json_builder_set_member_name (summary, "bands");
  json_builder_add_int_value (summary, n_bands);
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
