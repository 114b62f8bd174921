/* dassie-cli-common.c: options, progress and output shared by the verbs of dassie-cli
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dassie-cli-private.h"
#include "dassie-results.h"

void
_dassie_cli_add_common_options (GOptionContext   *context,
                                DassieCliContext *ctx)
{
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &ctx->config_file, N_("Read the configuration from FILE (JSON)"), N_("FILE") },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ctx->sets, N_("Override a configuration key"), N_("KEY=VALUE") },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &ctx->data_dir, N_("The data set folder (data_request locations)"), N_("DIR") },
    { "results", 0, 0, G_OPTION_ARG_FILENAME, &ctx->results_dir, N_("The results folder (general.results_dir)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, N_("Print a machine-readable summary"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &ctx->quiet, N_("Print no progress"), NULL },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("common", _("Options of every verb:"), _("Show the common options"), NULL, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, group);
}

gboolean
_dassie_cli_apply_common (DassieCliContext  *ctx,
                          GError           **error)
{
  if (ctx->config_file != NULL && !dassie_config_load_file (ctx->config, ctx->config_file, error))
    return FALSE;

  for (guint i = 0; ctx->sets != NULL && ctx->sets[i] != NULL; i++)
    if (!dassie_config_set_assignment (ctx->config, ctx->sets[i], error))
      return FALSE;

  /* Stored absolute, so a run's config.json names its data wherever it is read from. */
  if (ctx->data_dir != NULL && !g_path_is_absolute (ctx->data_dir))
    {
      char *absolute = g_canonicalize_filename (ctx->data_dir, NULL);

      g_free (ctx->data_dir);
      ctx->data_dir = absolute;
    }
  if (ctx->data_dir != NULL)
    dassie_config_set_data_location (ctx->config, NULL, ctx->data_dir);
  if (ctx->results_dir != NULL)
    dassie_config_set_string (ctx->config, "general.results_dir", ctx->results_dir);

  return TRUE;
}

gboolean
_dassie_cli_parse (DassieCliContext   *ctx,
                   GOptionContext     *context,
                   int                *argc,
                   char             ***argv)
{
  g_autoptr(GError) error = NULL;

  _dassie_cli_add_common_options (context, ctx);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error) || !_dassie_cli_apply_common (ctx, &error))
    {
      g_printerr ("dassie-cli: %s\n", error->message);
      return FALSE;
    }

  return TRUE;
}

gboolean
_dassie_cli_set_number (DassieCliContext *ctx,
                        const char       *key,
                        double            value)
{
  g_autoptr(GError) error = NULL;
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == (gint64) value)
    g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, (gint64) value);
  else
    g_ascii_dtostr (text, sizeof text, value);
  if (!dassie_config_set_from_string (ctx->config, key, text, &error))
    {
      g_printerr ("dassie-cli: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gint64 last_print;
  gboolean tty;
  gboolean dirty;
} ProgressState;

static ProgressState progress_state;

void
_dassie_cli_progress (const DassieProgress *progress,
                      gpointer              user_data)
{
  DassieCliContext *ctx = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *eta = NULL;
  GString *line;

  if (ctx != NULL && ctx->quiet)
    return;

  progress_state.tty = isatty (STDERR_FILENO);
  if (now - progress_state.last_print < (progress_state.tty ? G_USEC_PER_SEC / 10 : G_USEC_PER_SEC) &&
      progress->fraction < 1.0)
    return;
  progress_state.last_print = now;

  line = g_string_new (NULL);
  g_string_append_printf (line, "%s", progress->stage ? progress->stage : "");
  if (progress->fraction >= 0)
    g_string_append_printf (line, " %5.1f%%", 100.0 * progress->fraction);
  if (progress->message)
    g_string_append_printf (line, "  %s", progress->message);
  if (progress->eta_seconds >= 0)
    {
      eta = dassie_format_duration (progress->eta_seconds);
      g_string_append_printf (line, "  ETA %s", eta);
    }

  if (progress_state.tty)
    fprintf (stderr, "\r\033[K%s", line->str);
  else
    fprintf (stderr, "%s\n", line->str);
  progress_state.dirty = progress_state.tty;
  g_string_free (line, TRUE);
}

void
_dassie_cli_progress_done (DassieCliContext *ctx)
{
  if (progress_state.dirty)
    fprintf (stderr, "\n");
  progress_state.dirty = FALSE;
}

int
_dassie_cli_fail (GError *error)
{
  _dassie_cli_progress_done (NULL);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_printerr ("dassie-cli: %s\n", _("Cancelled."));
  else
    g_printerr ("dassie-cli: %s\n", error->message);
  return 1;
}

void
_dassie_cli_print_result (DassieCliContext *ctx,
                          const char       *run_dir,
                          JsonBuilder      *summary)
{
  _dassie_cli_progress_done (ctx);

  if (ctx->json && summary != NULL)
    {
      g_autofree char *text = dassie_json_builder_to_text (summary, TRUE, NULL);

      g_print ("%s\n", text);
      return;
    }

  if (run_dir != NULL)
    g_print ("%s\n", run_dir);
}

void
_dassie_cli_say_skipped (DassieCliContext *ctx,
                         const char       *group,
                         guint             n_skipped)
{
  g_autoptr(GPtrArray) requests = dassie_config_get_data_requests (ctx->config, group);
  const char *dir = NULL;
  g_autofree char *quoted = NULL;

  if (n_skipped == 0)
    return;
  if (requests->len > 0)
    dir = ((DassieDataRequest *) g_ptr_array_index (requests, 0))->data_location;
  if (dir == NULL)
    dir = ".";
  /* Quoted only when the shell needs it, so that the command reads as typed. */
  quoted = dir[strspn (dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-,:=@%")] != 0
           ? g_shell_quote (dir) : g_strdup (dir);

  _dassie_cli_progress_done (ctx);
  g_printerr (ngettext ("%u file was skipped (run “dassie-cli scan %s” for the reason)\n",
                        "%u files were skipped (run “dassie-cli scan %s” for the reasons)\n", n_skipped),
              n_skipped, quoted);
}

char *
_dassie_cli_data_location (DassieCliContext *ctx,
                           const char       *result_path)
{
  g_autofree char *run_dir = g_path_get_dirname (result_path);
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

gboolean
_dassie_cli_list_options (const char         *format_arg,
                          const char         *output,
                          int                 top,
                          DassieExportFormat *format)
{
  if (format_arg != NULL && !dassie_export_format_from_string (format_arg, format))
    {
      g_printerr ("dassie-cli: %s “%s”; %s\n", _("Unknown format"), format_arg, _("use csv, fits, votable or reg"));
      return FALSE;
    }
  if (format_arg == NULL && output != NULL)
    dassie_export_format_from_path (output, format);
  if (top == 0 || top < -1)
    {
      g_printerr ("dassie-cli: %s\n", _("--top must be a positive number"));
      return FALSE;
    }
  return TRUE;
}
