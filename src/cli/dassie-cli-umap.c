/* dassie-cli-umap.c: "dassie-cli umap": a 2-D embedding of the latent vectors into a umap run
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cli-private.h"
#include "dassie-umap.h"

int
_dassie_cli_umap (DassieCliContext  *ctx,
                  int                argc,
                  char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autofree char *init = NULL;
  DassieUmapResult result = { 0 };
  int n_neighbors = 0, epochs = 0, seed = -1;
  double min_dist = -1;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("An infer run folder or its latents.fits (default: the newest infer run)"), N_("RUN_OR_FILE") },
    { "n-neighbors", 'n', 0, G_OPTION_ARG_INT, &n_neighbors, N_("Neighbours, the point itself counted (umap.n_neighbors)"), "N" },
    { "min-dist", 0, 0, G_OPTION_ARG_DOUBLE, &min_dist, N_("Smallest distance between embedded points (umap.min_dist)"), "D" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, N_("Epochs; 0 picks 500 up to 10,000 objects and 200 above (umap.n_epochs)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Random seed (umap.seed)"), "N" },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init, N_("pca, spectral or random (umap.init)"), N_("INIT") },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("Embed the latent vectors of an infer run in two dimensions with UMAP and write a umap run with "
      "embedding.fits (OBJECT_ID, UMAP) and umap.json (the parameters used). Above umap.fit_sample_size "
      "objects, UMAP is fitted on a sample and the others are placed by transform."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1)
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli umap [OPTIONS…]"));
      return 2;
    }
  if (n_neighbors < 0 || epochs < 0)
    {
      g_printerr ("dassie-cli: %s\n", _("--n-neighbors and --epochs must be positive"));
      return 2;
    }
  if ((n_neighbors > 0 && !_dassie_cli_set_number (ctx, "umap.n_neighbors", n_neighbors)) ||
      (epochs > 0 && !_dassie_cli_set_number (ctx, "umap.n_epochs", epochs)) ||
      (seed >= 0 && !_dassie_cli_set_number (ctx, "umap.seed", seed)) ||
      (min_dist >= 0 && !_dassie_cli_set_number (ctx, "umap.min_dist", min_dist)))
    return 2;
  if (init != NULL && !dassie_config_set_from_string (ctx->config, "umap.init", init, &error))
    return _dassie_cli_fail (error);

  if (!dassie_umap_run (ctx->config, ctx->input, ctx->cancellable, _dassie_cli_progress, ctx, &result, &error))
    return _dassie_cli_fail (error);

  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "run");
  json_builder_add_string_value (summary, result.run_dir);
  json_builder_set_member_name (summary, "input");
  json_builder_add_string_value (summary, result.input_path);
  json_builder_set_member_name (summary, "objects");
  json_builder_add_int_value (summary, result.n_objects);
  json_builder_set_member_name (summary, "fitted");
  json_builder_add_int_value (summary, result.info.n_fit);
  json_builder_set_member_name (summary, "transformed");
  json_builder_add_int_value (summary, result.info.n_transformed);
  json_builder_set_member_name (summary, "epochs");
  json_builder_add_int_value (summary, result.info.n_epochs);
  json_builder_set_member_name (summary, "a");
  json_builder_add_double_value (summary, result.info.a);
  json_builder_set_member_name (summary, "b");
  json_builder_add_double_value (summary, result.info.b);
  json_builder_set_member_name (summary, "seconds");
  json_builder_add_double_value (summary, result.seconds);
  json_builder_end_object (summary);
  _dassie_cli_print_result (ctx, result.run_dir, summary);
  dassie_umap_result_clear (&result);
  return 0;
}
