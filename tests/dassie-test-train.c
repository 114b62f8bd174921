/* dassie-test-train.c: what the training tests share: a small, fast model configuration
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-demo.h"
#include "dassie-test-train.h"

DassieConfig *
dassie_test_small_config (const char *data_dir,
                          const char *results,
                          int         threads,
                          int         epochs)
{
  DassieConfig *config = dassie_config_new ();

  dassie_config_set_data_location (config, NULL, data_dir);
  dassie_config_set_string (config, "general.results_dir", results);
  dassie_config_set_int (config, "general.threads", threads);
  dassie_config_set_int (config, "model.base_channel_size", 4);
  dassie_config_set_int (config, "model.latent_dim", 8);
  dassie_config_set_string (config, "optimizer.name", "Adam");
  dassie_config_set_double (config, "optimizer.lr", 3e-3);
  dassie_config_set_int (config, "train.epochs", epochs);
  dassie_config_set_int (config, "data_loader.batch_size", 8);
  return config;
}

char *
dassie_test_make_tmp_dir (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

void
dassie_test_make_demo (const char *dir,
                       guint       n_objects,
                       guint       size,
                       guint64     seed)
{
  g_autoptr(GError) error = NULL;
  DassieDemoOptions options;

  dassie_demo_options_init (&options);
  options.n_objects = n_objects;
  options.size = size;
  options.seed = seed;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}
