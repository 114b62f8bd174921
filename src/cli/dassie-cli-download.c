/* dassie-cli-download.c: "dassie-cli download [URL_OR_DOI] --dest DIR [--md5 H | --sha256 H]"
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cli-private.h"
#include "dassie-download.h"

static JsonBuilder *
build_summary (const char                 *source,
               const DassieDownloadResult *result)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, "url");
  if (result->url != NULL)
    json_builder_add_string_value (b, result->url);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, result->file_path);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, result->size);
  json_builder_set_member_name (b, "checksum");
  json_builder_add_string_value (b, result->checksum);
  json_builder_set_member_name (b, "verified");
  json_builder_add_boolean_value (b, result->verified);
  json_builder_set_member_name (b, "reused");
  json_builder_add_boolean_value (b, result->reused);
  json_builder_set_member_name (b, "unpacked_dir");
  if (result->unpacked_dir != NULL)
    json_builder_add_string_value (b, result->unpacked_dir);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "unpacked_reused");
  json_builder_add_boolean_value (b, result->unpacked_reused);
  json_builder_end_object (b);
  return b;
}

int
_dassie_cli_download (DassieCliContext  *ctx,
                      int                argc,
                      char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("[URL_OR_DOI]"));
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(JsonBuilder) summary = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *md5 = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *description = NULL;
  g_autofree char *prefixed = NULL;
  gboolean no_unpack = FALSE;
  gboolean hsc_demo = FALSE;
  const char *source;
  const char *checksum;
  const GOptionEntry entries[] = {
    { "dest", 0, 0, G_OPTION_ARG_FILENAME, &dest, N_("Put the file (and its unpacked folder) in DIR (default: the current folder)"), "DIR" },
    { "md5", 0, 0, G_OPTION_ARG_STRING, &md5, N_("The expected MD5 checksum of the file"), "HEX" },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &sha256, N_("The expected SHA-256 checksum of the file"), "HEX" },
    { "no-unpack", 0, 0, G_OPTION_ARG_NONE, &no_unpack, N_("Keep a zip or tar.gz file packed"), NULL },
    { "hsc-demo", 0, 0, G_OPTION_ARG_NONE, &hsc_demo, N_("Download the HSC demo data set (the default)"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Download a file by its DOI (doi:PREFIX/SUFFIX/FILE, resolved through Zenodo as pooch does) "
      "or its https:// address, check its checksum (from --md5/--sha256 or the Zenodo record), "
      "and unpack a zip or tar.gz next to it. A file already there with the right checksum is not "
      "fetched again; an interrupted download resumes."));
  description = g_strdup_printf (
    _("Without URL_OR_DOI, downloads the HSC demo data set:\n"
      "  %s (%s)\n"
      "which unpacks into DIR/%s.\n\n"
      "Configuration keys: download.doi_resolver, download.zenodo_api, download.retries,\n"
      "download.retry_backoff, download.retry_backoff_max, download.stall_timeout,\n"
      "download.max_redirects, download.max_unpacked_bytes.\n\n"
      "The last line of output is the unpacked folder (or the file when nothing was unpacked)."),
    DASSIE_DOWNLOAD_HSC_DEMO_SOURCE, DASSIE_DOWNLOAD_HSC_DEMO_MD5, DASSIE_DOWNLOAD_HSC_DEMO_FOLDER);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;

  if (argc > 2 || (argc == 2 && hsc_demo))
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli download [URL_OR_DOI | --hsc-demo] --dest DIR"));
      return 2;
    }
  if (md5 != NULL && sha256 != NULL)
    {
      g_printerr ("dassie-cli: %s\n", _("give --md5 or --sha256, not both"));
      return 2;
    }

  if (argc == 2)
    {
      source = argv[1];
      checksum = md5 ? md5 : sha256;
    }
  else
    {
      source = DASSIE_DOWNLOAD_HSC_DEMO_SOURCE;
      checksum = md5 ? md5 : sha256 ? sha256 : DASSIE_DOWNLOAD_HSC_DEMO_MD5;
    }
  /* A bare hex value counts as the kind of the option it came with. */
  if (md5 != NULL && strchr (md5, ':') == NULL)
    checksum = prefixed = g_strconcat ("md5:", md5, NULL);
  else if (sha256 != NULL && strchr (sha256, ':') == NULL)
    checksum = prefixed = g_strconcat ("sha256:", sha256, NULL);

  result = dassie_download_run (ctx->config, source, dest ? dest : ".", checksum,
                                no_unpack ? DASSIE_DOWNLOAD_FLAGS_NO_UNPACK : DASSIE_DOWNLOAD_FLAGS_NONE,
                                _dassie_cli_progress, ctx, ctx->cancellable, &error);
  if (result == NULL)
    return _dassie_cli_fail (error);

  if (!ctx->quiet && !ctx->json)
    {
      _dassie_cli_progress_done (ctx);
      if (result->reused)
        g_printerr ("%s\n", _("The file was already there with the right checksum; nothing was fetched."));
      if (result->verified)
        g_printerr ("%s %s (%s)\n", _("Verified"), result->file_path, result->checksum);
      else
        g_printerr (_("Downloaded %s (%s); no checksum given, nothing was verified. Give --md5 or "
                      "--sha256 to check it.\n"), result->file_path, result->checksum);
      if (result->unpacked_dir != NULL)
        g_printerr (_("Use it with: dassie-cli train --data %s\n"), result->unpacked_dir);
    }

  summary = build_summary (source, result);
  _dassie_cli_print_result (ctx, result->unpacked_dir ? result->unpacked_dir : result->file_path, summary);
  return 0;
}
