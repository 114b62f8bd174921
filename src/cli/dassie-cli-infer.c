/* dassie-cli-infer.c: "dassie-cli infer": latent vectors of a data set into an infer run
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cli-private.h"
#include "dassie-infer.h"

int
_dassie_cli_infer (DassieCliContext  *ctx,
                   int                argc,
                   char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  DassieInferResult result = { 0 };
  int batch_size = 0;
  const GOptionEntry entries[] = {
    { "weights", 'w', 0, G_OPTION_ARG_FILENAME, &ctx->weights, N_("The weights file (default: the newest train run)"), N_("FILE") },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("A train run folder or a weights file"), N_("RUN_OR_FILE") },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch_size, N_("Objects per batch (infer.batch_size)"), "N" },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Encode every object of data_request.infer into a latent vector with a trained model and "
      "write an infer run with latents.fits (OBJECT_ID, LATENT), the configuration and a copy of "
      "the weights."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli infer [OPTIONS…]"));
      return 2;
    }
  if (batch_size < 0)
    {
      g_printerr ("dassie-cli: %s\n", _("--batch-size must be positive"));
      return 2;
    }
  if (batch_size > 0 && !_dassie_cli_set_number (ctx, "infer.batch_size", batch_size))
    return 2;

  if (!dassie_infer (ctx->config, ctx->weights != NULL ? ctx->weights : ctx->input, ctx->cancellable,
                     _dassie_cli_progress, ctx, &result, &error))
    return _dassie_cli_fail (error);

  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "run");
  json_builder_add_string_value (summary, result.run_dir);
  json_builder_set_member_name (summary, "weights");
  json_builder_add_string_value (summary, result.weights_path);
  json_builder_set_member_name (summary, "objects");
  json_builder_add_int_value (summary, result.n_objects);
  json_builder_set_member_name (summary, "latent_dim");
  json_builder_add_int_value (summary, result.latent_dim);
  json_builder_set_member_name (summary, "seconds");
  json_builder_add_double_value (summary, result.seconds);
  json_builder_set_member_name (summary, "samples_per_second");
  json_builder_add_double_value (summary, result.samples_per_second);
  json_builder_set_member_name (summary, "skipped_files");
  json_builder_add_int_value (summary, result.n_skipped);
  json_builder_end_object (summary);
  _dassie_cli_say_skipped (ctx, "infer", result.n_skipped);
  _dassie_cli_print_result (ctx, result.run_dir, summary);
  dassie_infer_result_clear (&result);
  return 0;
}
