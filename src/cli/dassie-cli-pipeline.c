/* dassie-cli-pipeline.c: "dassie-cli pipeline": train, infer, scores and UMAP in one command
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-cli-private.h"
#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-infer.h"
#include "dassie-report.h"
#include "dassie-scores.h"
#include "dassie-train.h"
#include "dassie-umap.h"

/* The data the verbs read: --data, else the configured location when it exists, else the demo set. */
static gboolean
choose_data (DassieCliContext  *ctx,
             char             **data_dir,
             GError           **error)
{
  g_autoptr(GPtrArray) requests = dassie_config_get_data_requests (ctx->config, "train");
  const char *location = NULL;

  if (requests->len > 0)
    location = ((DassieDataRequest *) g_ptr_array_index (requests, 0))->data_location;

  if (ctx->data_dir == NULL && (location == NULL || !g_file_test (location, G_FILE_TEST_IS_DIR)))
    {
      g_autofree char *demo = NULL;

      if (!ctx->quiet)
        g_printerr ("%s\n", _("No data set given: using the demo data set (made on first use)."));
      demo = dassie_demo_ensure (ctx->cancellable, _dassie_cli_progress, ctx, error);
      if (demo == NULL)
        return FALSE;
      _dassie_cli_progress_done (ctx);
      dassie_config_set_data_location (ctx->config, NULL, demo);
      *data_dir = g_steal_pointer (&demo);
      return TRUE;
    }

  *data_dir = g_strdup (ctx->data_dir ? ctx->data_dir : location);
  return TRUE;
}

/* Scores and the map need more objects than neighbours: said before hours of training, not after. */
static gboolean
check_data_size (DassieCliContext  *ctx,
                 const char        *data_dir,
                 GError           **error)
{
  static const char * const keys[] = { "scores.k", "umap.n_neighbors" };
  g_autoptr(DassieDataset) dataset = NULL;
  DassieDatasetOptions options;
  guint n;

  dassie_dataset_options_init (&options);
  if (dassie_dataset_options_from_config (&options, ctx->config, error))
    dataset = dassie_dataset_open (data_dir, &options, ctx->cancellable, error);
  dassie_dataset_options_clear (&options);
  if (dataset == NULL)
    return FALSE;

  n = dassie_dataset_get_n_objects (dataset);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gint64 value = dassie_config_get_int (ctx->config, keys[i]);

      if (value >= (gint64) n)
        {
          g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                       _("%s is %lld but the data set in “%s” has %u objects, and each needs that many "
                         "others; add objects or set “--set %s=%u” or less"),
                       keys[i], (long long) value, data_dir, n, keys[i], n > 1 ? n - 1 : 1);
          return FALSE;
        }
    }
  return TRUE;
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
print_step (DassieCliContext *ctx,
            const char       *run_dir)
{
  _dassie_cli_progress_done (ctx);
  if (!ctx->json)
    g_print ("%s\n", run_dir);
}

int
_dassie_cli_pipeline (DassieCliContext  *ctx,
                      int                argc,
                      char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autofree char *report_dir = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *weights = NULL;
  g_autofree char *preset = NULL;
  DassieTrainResult train = { 0 };
  DassieInferResult infer = { 0 };
  DassieScoresResult scores = { 0 };
  DassieUmapResult umap = { 0 };
  int status = 1;
  const GOptionEntry entries[] = {
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report_dir,
      N_("Also write the histogram, the UMAP map and the cutout grids as PNG files into DIR"), N_("DIR") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, N_("The training recipe: recommended (the default) or hyrax, the seed notebook's; the config file and --set override its keys"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Run the whole workflow: train the autoencoder, infer the latent vectors, score every object by "
      "its nearest neighbours and embed the latent space with UMAP. Each run folder is printed as it "
      "completes. Without --data (or a data_request location that exists) the demo data set is used."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli pipeline [--data DIR] [--report DIR]"));
      return 2;
    }
  if (!_dassie_cli_apply_preset (ctx, preset))
    return 2;

  if (!choose_data (ctx, &data_dir, &error) || !check_data_size (ctx, data_dir, &error))
    goto out;

  if (!dassie_train (ctx->config, ctx->cancellable, _dassie_cli_progress, ctx, &train, &error))
    goto out;
  _dassie_cli_warn_baseline (ctx, train.weights_validation_loss, train.baseline_loss);
  print_step (ctx, train.run_dir);
  /* Infer reads the same folder, so its skipped files are the same ones. */
  _dassie_cli_say_skipped (ctx, "train", train.n_skipped);
  _dassie_cli_say_skipped (ctx, "validate", train.n_validate_skipped);

  weights = dassie_infer_find_weights (ctx->config, train.run_dir, &error);
  if (weights == NULL ||
      !dassie_infer (ctx->config, weights, ctx->cancellable, _dassie_cli_progress, ctx, &infer, &error))
    goto out;
  print_step (ctx, infer.run_dir);

  if (!dassie_scores_run (ctx->config, infer.run_dir, ctx->cancellable, _dassie_cli_progress, ctx, &scores, &error))
    goto out;
  print_step (ctx, scores.run_dir);

  if (!dassie_umap_run (ctx->config, infer.run_dir, ctx->cancellable, _dassie_cli_progress, ctx, &umap, &error))
    goto out;
  print_step (ctx, umap.run_dir);

  if (report_dir != NULL)
    {
      DassieReportInputs inputs = { train.run_dir, scores.run_dir, umap.run_dir, data_dir, 16 };
      g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_free);

      if (!dassie_report_write (report_dir, &inputs, ctx->config, written, ctx->cancellable, &error))
        goto out;
      if (!ctx->quiet)
        for (guint i = 0; i < written->len; i++)
          g_printerr (_("wrote %s\n"), (const char *) g_ptr_array_index (written, i));
    }

  if (ctx->json)
    {
      json_builder_begin_object (summary);
      add_string (summary, "data", data_dir);
      add_string (summary, "train", train.run_dir);
      add_string (summary, "infer", infer.run_dir);
      add_string (summary, "scores", scores.run_dir);
      add_string (summary, "umap", umap.run_dir);
      if (report_dir != NULL)
        add_string (summary, "report", report_dir);
      json_builder_set_member_name (summary, "validation_loss");
      json_builder_add_double_value (summary, isfinite (train.validation_loss) ? train.validation_loss : -1);
      json_builder_set_member_name (summary, "baseline_loss");
      json_builder_add_double_value (summary, isfinite (train.baseline_loss) ? train.baseline_loss : -1);
      add_string (summary, "preset", dassie_config_get_string (ctx->config, "train.preset"));
      json_builder_end_object (summary);
      _dassie_cli_print_result (ctx, NULL, summary);
    }
  status = 0;

out:
  if (status != 0)
    status = _dassie_cli_fail (error);
  dassie_train_result_clear (&train);
  dassie_infer_result_clear (&infer);
  dassie_scores_result_clear (&scores);
  dassie_umap_result_clear (&umap);
  return status;
}
