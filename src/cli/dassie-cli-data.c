/* dassie-cli-data.c: "dassie-cli make-demo DIR" and "dassie-cli scan DIR"
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cli-private.h"
#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-results.h"

int
_dassie_cli_make_demo (DassieCliContext  *ctx,
                       int                argc,
                       char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("DIR"));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  DassieDemoOptions options;
  int n_objects = 1000, size = 96;
  gint64 seed = 42;
  const GOptionEntry entries[] = {
    { "objects", 'n', 0, G_OPTION_ARG_INT, &n_objects, N_("Number of objects (default 1000)"), "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, N_("Cutout size in pixels (default 96)"), N_("PIXELS") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (default 42)"), N_("SEED") },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Write the synthetic demo data set: HSC-like g, r, i cutouts of galaxies and stars with a few percent "
      "of labelled anomalies, a manifest.fits, and labels.csv with the truth."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli make-demo DIR"));
      return 2;
    }
  if (n_objects < 1 || size < 16)
    {
      g_printerr ("dassie-cli: %s\n", _("--objects must be at least 1 and --size at least 16"));
      return 2;
    }

  dassie_demo_options_init (&options);
  options.n_objects = n_objects;
  options.size = size;
  options.seed = (guint64) seed;
  if (!dassie_demo_generate (argv[1], &options, ctx->cancellable, _dassie_cli_progress, ctx, &error))
    return _dassie_cli_fail (error);

  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "path");
  json_builder_add_string_value (summary, argv[1]);
  json_builder_set_member_name (summary, "objects");
  json_builder_add_int_value (summary, n_objects);
  json_builder_end_object (summary);
  _dassie_cli_print_result (ctx, argv[1], summary);
  return 0;
}

static void
add_skipped_json (JsonBuilder *b,
                  const char  *member,
                  GPtrArray   *skipped)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < skipped->len; i++)
    {
      DassieSkippedFile *s = g_ptr_array_index (skipped, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, s->path);
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, s->reason);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* The names --json gives a DassieSkySource. */
static const char * const sky_source_names[] = { "none", "catalogue", "wcs" };

/* The summary with --json; without a data set (nothing usable) it still lists every skipped file. */
static void
print_scan_json (const char    *dir,
                 DassieDataset *dataset,
                 GPtrArray     *skipped,
                 const GError  *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, dir);
  json_builder_set_member_name (b, "objects");
  json_builder_add_int_value (b, dataset ? dassie_dataset_get_n_objects (dataset) : 0);
  if (dataset != NULL)
    {
      guint n_bands = dassie_dataset_get_n_bands (dataset);

      json_builder_set_member_name (b, "bands");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_bands; i++)
        json_builder_add_string_value (b, dassie_dataset_get_band (dataset, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, dassie_dataset_get_width (dataset));
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, dassie_dataset_get_height (dataset));
      json_builder_set_member_name (b, "ids_are_integers");
      json_builder_add_boolean_value (b, dassie_dataset_ids_are_integers (dataset));
      json_builder_set_member_name (b, "positions");
      json_builder_add_string_value (b, sky_source_names[dassie_dataset_get_sky_source (dataset)]);
      json_builder_set_member_name (b, "columns");
      json_builder_begin_array (b);
      for (guint c = 0; c < dassie_dataset_get_n_columns (dataset); c++)
        json_builder_add_string_value (b, dassie_dataset_get_column_name (dataset, c));
      json_builder_end_array (b);
      add_skipped_json (b, "warnings", dassie_dataset_get_warnings (dataset));
    }
  else
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
    }
  add_skipped_json (b, "skipped", skipped);
  json_builder_end_object (b);

  text = dassie_json_builder_to_text (b, TRUE, NULL);
  g_print ("%s\n", text);
}

static void
print_skipped_text (GPtrArray *skipped)
{
  g_print (_("Skipped:   %u files\n"), skipped->len);
  for (guint i = 0; i < skipped->len; i++)
    {
      DassieSkippedFile *s = g_ptr_array_index (skipped, i);
      g_print ("  %s: %s\n", s->path, s->reason);
    }
}

int
_dassie_cli_scan (DassieCliContext  *ctx,
                  int                argc,
                  char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("DIR"));
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) dataset = NULL;
  g_autoptr(GPtrArray) skipped = NULL;
  DassieDatasetOptions options;
  guint n_bands;

  g_option_context_set_summary (context,
    _("Summarise a data set: objects, bands, image size, and every skipped file with the reason. "
      "Honours data_set.crop_to, data_set.filters and the other data_set keys."));
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli scan DIR"));
      return 2;
    }

  if (!dassie_dataset_options_from_config (&options, ctx->config, &error))
    return _dassie_cli_fail (error);
  dataset = dassie_dataset_open_full (argv[1], &options, ctx->cancellable, _dassie_cli_progress, ctx,
                                      &skipped, &error);
  dassie_dataset_options_clear (&options);
  _dassie_cli_progress_done (ctx);

  /* When nothing is usable the list of skipped files is the answer, so it is printed all the same. */
  if (dataset == NULL)
    {
      if (skipped != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (ctx->json)
            print_scan_json (argv[1], NULL, skipped, error);
          else
            print_skipped_text (skipped);
        }
      return _dassie_cli_fail (error);
    }

  if (ctx->json)
    {
      print_scan_json (argv[1], dataset, skipped, NULL);
      return 0;
    }

  n_bands = dassie_dataset_get_n_bands (dataset);
  g_print (_("Data set:  %s\n"), argv[1]);
  g_print (_("Objects:   %u\n"), dassie_dataset_get_n_objects (dataset));
  g_print (_("Bands:     "));
  for (guint i = 0; i < n_bands; i++)
    g_print ("%s%s", i ? ", " : "", *dassie_dataset_get_band (dataset, i) ? dassie_dataset_get_band (dataset, i) : _("one band"));
  g_print ("\n");
  g_print (_("Size:      %u × %u pixels\n"), dassie_dataset_get_width (dataset), dassie_dataset_get_height (dataset));
  g_print (_("Positions: %s\n"), dassie_sky_source_describe (dassie_dataset_get_sky_source (dataset)));
  if (dassie_dataset_get_n_columns (dataset) > 0)
    {
      g_print (_("Columns:   "));
      for (guint c = 0; c < dassie_dataset_get_n_columns (dataset); c++)
        g_print ("%s%s", c ? ", " : "", dassie_dataset_get_column_name (dataset, c));
      g_print ("\n");
    }
  {
    GPtrArray *warnings = dassie_dataset_get_warnings (dataset);

    if (warnings->len > 0)
      g_print (ngettext ("Warning:   %u object to check\n", "Warnings:  %u objects to check\n", warnings->len),
               warnings->len);
    for (guint i = 0; i < warnings->len; i++)
      {
        DassieSkippedFile *w = g_ptr_array_index (warnings, i);

        g_print ("  %s: %s\n", w->path, w->reason);
      }
  }
  print_skipped_text (skipped);
  return 0;
}
