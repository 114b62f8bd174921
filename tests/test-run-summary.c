/* test-run-summary.c: run folders described for the runs list, and a train run's metrics read back
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-infer.h"
#include "dassie-run-summary.h"
#include "dassie-train.h"

static void
test_metrics_by_hand (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-summary-XXXXXX", &error);
  g_autofree char *run = g_build_filename (dir, "20260102-030405-train-abcd.incomplete", NULL);
  g_autofree char *metrics_path = g_build_filename (run, "metrics.jsonl", NULL);
  g_autofree char *config_path = g_build_filename (run, "config.json", NULL);
  g_autoptr(DassieTrainMetrics) metrics = NULL;
  g_autoptr(DassieRunSummary) summary = NULL;
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GPtrArray) list = NULL;
  const char *lines =
    "{\"epoch\":1,\"train_loss\":0.5,\"validation_loss\":0.25,\"seconds\":1.0}\n"
    "{\"epoch\":2,\"train_loss\":0.125,\"validation_loss\":null,\"seconds\":1.0}\n";

  g_assert_cmpint (g_mkdir (run, 0755), ==, 0);

  /* No metrics yet: an empty series, not an error. */
  metrics = dassie_train_metrics_read (run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metrics->n, ==, 0);
  g_clear_pointer (&metrics, dassie_train_metrics_free);

  g_assert_true (g_file_set_contents (metrics_path, lines, -1, NULL));
  metrics = dassie_train_metrics_read (run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metrics->n, ==, 2);
  g_assert_cmpfloat (metrics->epoch[1], ==, 2);
  g_assert_cmpfloat (metrics->train_loss[0], ==, 0.5);
  g_assert_cmpfloat (metrics->validation_loss[0], ==, 0.25);
  g_assert_true (isnan (metrics->validation_loss[1]));

  dassie_config_set_int (config, "train.epochs", 7);
  dassie_config_set_string (config, "optimizer.name", "Adam");
  dassie_config_set_double (config, "optimizer.lr", 0.001);
  dassie_config_set_data_location (config, NULL, "/data/galaxies");
  g_assert_true (dassie_config_save_file (config, config_path, &error));

  summary = dassie_run_summary_read (run);
  g_assert_nonnull (summary);
  g_assert_false (summary->info->complete);
  g_assert_cmpstr (summary->info->verb, ==, "train");
  g_assert_cmpstr (summary->data_location, ==, "/data/galaxies");
  g_assert_cmpuint (summary->n_epochs, ==, 7);
  g_assert_cmpuint (summary->epochs_done, ==, 2);
  g_assert_cmpfloat (summary->train_loss, ==, 0.125);
  g_assert_true (isnan (summary->validation_loss));
  g_assert_cmpstr (summary->settings, ==, "7 epochs · batch 32 · Adam lr 0.001 · 32 channels, latent 64");

  /* Unfinished runs are listed only when asked for. */
  list = dassie_run_summary_list (dir, "train", FALSE);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = dassie_run_summary_list (dir, NULL, TRUE);
  g_assert_cmpuint (list->len, ==, 1);

  /* A damaged line is an error naming the file. */
  g_assert_true (g_file_set_contents (metrics_path, "{\"epoch\":1}\n{oops\n", -1, NULL));
  g_assert_null (dassie_train_metrics_read (run, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull (strstr (error->message, metrics_path));

  /* Not a run folder. */
  g_assert_null (dassie_run_summary_read (dir));

  dassie_remove_tree (dir, NULL);
}

/* A umap run names the latents it embedded in umap.json; its summary names their infer run. */
static void
test_umap_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-summary-XXXXXX", &error);
  g_autofree char *infer = g_build_filename (dir, "20260102-030405-infer-abcd", NULL);
  g_autofree char *umap = g_build_filename (dir, "20260102-030409-umap-efgh", NULL);
  g_autofree char *json_path = g_build_filename (umap, "umap.json", NULL);
  g_autofree char *json = g_strdup_printf ("{ \"input\": \"%s/latents.fits\", \"n_neighbors\": 15 }", infer);
  g_autoptr(DassieRunSummary) summary = NULL;

  g_assert_cmpint (g_mkdir (infer, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (umap, 0755), ==, 0);

  /* Without umap.json the input is unknown. */
  summary = dassie_run_summary_read (umap);
  g_assert_null (summary->input_run);
  g_clear_pointer (&summary, dassie_run_summary_free);

  g_assert_true (g_file_set_contents (json_path, json, -1, NULL));
  summary = dassie_run_summary_read (umap);
  g_assert_cmpstr (summary->info->verb, ==, "umap");
  /* Without config.json there are no settings, but the input is read. */
  g_assert_null (summary->settings);
  g_assert_cmpstr (summary->input_run, ==, infer);

  /* A scores run records its input the same way, in scores.json. */
  {
    g_autofree char *scores = g_build_filename (dir, "20260102-030410-scores-ijkl", NULL);
    g_autofree char *scores_json = g_build_filename (scores, "scores.json", NULL);

    g_assert_cmpint (g_mkdir (scores, 0755), ==, 0);
    g_assert_true (g_file_set_contents (scores_json, json, -1, NULL));
    g_clear_pointer (&summary, dassie_run_summary_free);
    summary = dassie_run_summary_read (scores);
    g_assert_cmpstr (summary->info->verb, ==, "scores");
    g_assert_cmpstr (summary->input_run, ==, infer);
  }

  dassie_remove_tree (dir, NULL);
}

/* A real train and infer: the summary agrees with what the trainer returned. */
static void
test_train_and_infer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-summary-XXXXXX", &error);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *results = g_build_filename (dir, "results", NULL);
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(DassieRunSummary) train = NULL;
  g_autoptr(DassieRunSummary) infer = NULL;
  g_autoptr(DassieTrainMetrics) metrics = NULL;
  g_autoptr(GPtrArray) list = NULL;
  DassieTrainResult train_result = { 0 };
  DassieInferResult infer_result = { 0 };
  DassieDemoOptions demo;

  dassie_demo_options_init (&demo);
  demo.n_objects = 24;
  demo.size = 24;
  g_assert_true (dassie_demo_generate (data, &demo, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  dassie_config_set_data_location (config, NULL, data);
  dassie_config_set_string (config, "general.results_dir", results);
  dassie_config_set_int (config, "train.epochs", 3);
  dassie_config_set_int (config, "data_loader.batch_size", 8);
  dassie_config_set_int (config, "model.base_channel_size", 4);
  dassie_config_set_int (config, "model.latent_dim", 8);
  dassie_config_set_int (config, "general.threads", 1);
  g_assert_true (dassie_train (config, NULL, NULL, NULL, &train_result, &error));
  g_assert_no_error (error);
  g_assert_true (dassie_infer (config, train_result.run_dir, NULL, NULL, NULL, &infer_result, &error));
  g_assert_no_error (error);

  train = dassie_run_summary_read (train_result.run_dir);
  g_assert_true (train->info->complete);
  g_assert_cmpuint (train->epochs_done, ==, train_result.epochs_done);
  g_assert_cmpfloat_with_epsilon (train->train_loss, train_result.train_loss, 1e-9 * train_result.train_loss);
  g_assert_cmpfloat_with_epsilon (train->validation_loss, train_result.validation_loss,
                                  1e-9 * train_result.validation_loss);
  g_assert_cmpstr (train->data_location, ==, data);

  metrics = dassie_train_metrics_read (train_result.run_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metrics->n, ==, 3);
  g_assert_cmpfloat (metrics->epoch[2], ==, 3);

  infer = dassie_run_summary_read (infer_result.run_dir);
  g_assert_cmpstr (infer->info->verb, ==, "infer");
  g_assert_cmpstr (infer->input_run, ==, train_result.run_dir);
  g_assert_cmpstr (infer->data_location, ==, data);

  list = dassie_run_summary_list (results, NULL, FALSE);
  g_assert_cmpuint (list->len, ==, 2);

  dassie_train_result_clear (&train_result);
  dassie_infer_result_clear (&infer_result);
  dassie_remove_tree (dir, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/run-summary/metrics-by-hand", test_metrics_by_hand);
  g_test_add_func ("/core/run-summary/umap-input", test_umap_input);
  g_test_add_func ("/core/run-summary/train-and-infer", test_train_and_infer);
  return g_test_run ();
}
