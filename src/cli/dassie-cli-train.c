/* dassie-cli-train.c: "dassie-cli train": train HyraxAutoencoderV2 and write a train run
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-cli-private.h"
#include "dassie-train.h"
#include "dassie-train-recipe.h"

gboolean
_dassie_cli_apply_preset (DassieCliContext *ctx,
                          const char       *preset)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (preset);
  DassieConfig *config;

  /* ctx->config has the config file and --set applied: they may name the preset. */
  if (name == NULL && dassie_config_get_string (ctx->config, "train.preset")[0] != 0)
    name = g_strdup (dassie_config_get_string (ctx->config, "train.preset"));
  if (name == NULL)
    name = g_strdup (dassie_train_preset_names ()[0]);

  config = dassie_config_new ();
  if (!dassie_config_apply_preset (config, name, &error))
    {
      dassie_config_free (config);
      g_printerr ("dassie-cli: %s\n", error->message);
      return FALSE;
    }
  dassie_config_free (ctx->config);
  ctx->config = config;
  if (!_dassie_cli_apply_common (ctx, &error))
    {
      g_printerr ("dassie-cli: %s\n", error->message);
      return FALSE;
    }
  dassie_config_set_string (ctx->config, "train.preset", name);
  return TRUE;
}

void
_dassie_cli_warn_baseline (DassieCliContext *ctx,
                           double            validation_loss,
                           double            baseline_loss)
{
  if (!isfinite (validation_loss) || !isfinite (baseline_loss) || validation_loss < baseline_loss)
    return;
  _dassie_cli_progress_done (ctx);
  g_printerr (_("dassie-cli: warning: the validation loss %.6g has not beaten %.6g, the loss of "
                "predicting the mean training image: the model has learnt nothing about the individual "
                "objects. Try the Recommended preset (--preset recommended), the Adam optimizer "
                "(--set optimizer.name=Adam --set optimizer.lr=0.001) or more epochs.\n"),
              validation_loss, baseline_loss);
}

static void
train_progress (const DassieProgress *base,
                gpointer              user_data)
{
  const DassieTrainProgress *progress = (const DassieTrainProgress *) base;
  DassieCliContext *ctx = user_data;

  _dassie_cli_progress (base, ctx);
  if (progress->epoch_done && !ctx->quiet)
    {
      _dassie_cli_progress_done (ctx);
      if (isfinite (progress->validation_loss))
        g_printerr (_("epoch %u/%u: loss %.6g, validation loss %.6g (mean image %.6g)\n"), progress->epoch,
                    progress->n_epochs, progress->train_loss, progress->validation_loss,
                    progress->baseline_loss);
      else
        g_printerr (_("epoch %u/%u: loss %.6g\n"), progress->epoch, progress->n_epochs, progress->train_loss);
    }
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

int
_dassie_cli_train (DassieCliContext  *ctx,
                   int                argc,
                   char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autofree char *resume = NULL;
  g_autofree char *preset = NULL;
  DassieTrainResult result = { 0 };
  int epochs = 0;
  const GOptionEntry entries[] = {
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, N_("Number of epochs (train.epochs)"), "N" },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &resume, N_("Continue from a checkpoint or a run folder (train.resume)"), N_("RUN_OR_FILE") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, N_("The training recipe: recommended (the default) or hyrax, the seed notebook's; the config file and --set override its keys"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Train HyraxAutoencoderV2 on data_request.train, with the validation loss of "
      "data_request.validate after every epoch. Writes a train run with weights.safetensors, "
      "checkpoint.safetensors, metrics.jsonl and split.json; Ctrl+C stops between batches and "
      "leaves a run that --resume continues."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli train [OPTIONS…]"));
      return 2;
    }
  /* A run resumes on its own preset (Hyrax's for runs made before presets), not on the default. */
  if (preset == NULL && resume != NULL)
    {
      g_autofree char *run_config = g_build_filename (resume, "config.json", NULL);
      g_autoptr(DassieConfig) config = dassie_config_new ();

      if (g_file_test (run_config, G_FILE_TEST_IS_REGULAR) && dassie_config_load_file (config, run_config, NULL))
        preset = g_strdup (dassie_config_get_string (config, "train.preset")[0] != 0
                           ? dassie_config_get_string (config, "train.preset") : "hyrax");
    }
  if (!_dassie_cli_apply_preset (ctx, preset))
    return 2;
  if (epochs < 0)
    {
      g_printerr ("dassie-cli: %s\n", _("--epochs must be positive"));
      return 2;
    }
  if (epochs > 0 && !_dassie_cli_set_number (ctx, "train.epochs", epochs))
    return 2;
  if (resume != NULL)
    dassie_config_set_string (ctx->config, "train.resume", resume);

  if (!dassie_train (ctx->config, ctx->cancellable, train_progress, ctx, &result, &error))
    {
      dassie_train_result_clear (&result);
      /* A cancelled training says where to resume from, which the generic message would drop. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          _dassie_cli_progress_done (ctx);
          g_printerr ("dassie-cli: %s\n", error->message);
          return 1;
        }
      return _dassie_cli_fail (error);
    }

  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "run");
  json_builder_add_string_value (summary, result.run_dir);
  json_builder_set_member_name (summary, "epochs");
  json_builder_add_int_value (summary, result.epochs_done);
  json_builder_set_member_name (summary, "train_objects");
  json_builder_add_int_value (summary, result.n_train);
  json_builder_set_member_name (summary, "validate_objects");
  json_builder_add_int_value (summary, result.n_validate);
  add_double (summary, "train_loss", result.train_loss);
  add_double (summary, "validation_loss", result.validation_loss);
  add_double (summary, "best_validation_loss", result.best_validation_loss);
  json_builder_set_member_name (summary, "best_epoch");
  json_builder_add_int_value (summary, result.best_epoch);
  add_double (summary, "seconds", result.seconds);
  add_double (summary, "samples_per_second", result.samples_per_second);
  add_double (summary, "baseline_loss", result.baseline_loss);
  json_builder_set_member_name (summary, "stopped_early");
  json_builder_add_boolean_value (summary, result.stopped_early);
  json_builder_set_member_name (summary, "weights_epoch");
  json_builder_add_int_value (summary, result.weights_epoch);
  json_builder_set_member_name (summary, "preset");
  json_builder_add_string_value (summary, dassie_config_get_string (ctx->config, "train.preset"));
  json_builder_set_member_name (summary, "skipped_files");
  json_builder_add_int_value (summary, result.n_skipped + result.n_validate_skipped);
  json_builder_end_object (summary);
  if (result.stopped_early && !ctx->quiet)
    g_printerr (_("stopped early after epoch %u: no better validation loss for %u epochs; the weights "
                  "are those of epoch %u\n"), result.epochs_done,
                (guint) dassie_config_get_int (ctx->config, "train.early_stopping.patience"), result.weights_epoch);
  _dassie_cli_warn_baseline (ctx, result.weights_validation_loss, result.baseline_loss);
  _dassie_cli_say_skipped (ctx, "train", result.n_skipped);
  _dassie_cli_say_skipped (ctx, "validate", result.n_validate_skipped);
  _dassie_cli_print_result (ctx, result.run_dir, summary);
  dassie_train_result_clear (&result);
  return 0;
}
