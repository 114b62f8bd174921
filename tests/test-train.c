/* test-train.c: training on a small generated data set, checkpoints, resume, NaN stops, inference
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-test-train.h"
#include "dassie-autoencoder.h"
#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-infer.h"
#include "dassie-results.h"
#include "dassie-safetensors.h"
#include "dassie-table.h"
#include "dassie-train.h"

#define N_OBJECTS 40
#define SIZE 16

static char *data_dir;
static char *other_data_dir;

static DassieConfig *
small_config (const char *results)
{
  DassieConfig *config = dassie_test_small_config (data_dir, results, 2, 4);

  return config;
}

static char *
make_tmp_dir (void)
{
  return dassie_test_make_tmp_dir ("dassie-train");
}

static char *
read_text (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* The parameters of a weights file, through a model of the test's size. */
static float *
load_params (const char *path,
             gsize      *n)
{
  DassieAutoencoderConfig config = { 3, SIZE, SIZE, 4, 8, DASSIE_ACTIVATION_TANH };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieAutoencoder) model = dassie_autoencoder_new (&config, &error);

  g_assert_no_error (error);
  dassie_autoencoder_load_weights (model, path, &error);
  g_assert_no_error (error);
  *n = dassie_autoencoder_get_n_params (model);
  return g_memdup2 (dassie_autoencoder_get_params (model), *n * sizeof (float));
}

static void
assert_same_weights (const char *run_a,
                     const char *run_b)
{
  g_autofree char *path_a = g_build_filename (run_a, "weights.safetensors", NULL);
  g_autofree char *path_b = g_build_filename (run_b, "weights.safetensors", NULL);
  gsize n_a, n_b;
  g_autofree float *a = load_params (path_a, &n_a);
  g_autofree float *b = load_params (path_b, &n_b);

  g_assert_cmpuint (n_a, ==, n_b);
  g_assert_cmpmem (a, n_a * sizeof (float), b, n_b * sizeof (float));
}

typedef struct
{
  guint reports;
  guint epochs_done;
  guint n_batches;
  double first_validation;
  double last_validation;
  guint cancel_epoch;    /* cancel after this epoch's cancel_batch, when not 0 */
  guint cancel_batch;
  GCancellable *cancellable;
} Watch;

static void
watch_progress (const DassieProgress *progress,
                gpointer              user_data)
{
  const DassieTrainProgress *p = (const DassieTrainProgress *) progress;
  Watch *w = user_data;

  if (g_strcmp0 (p->base.stage, "train") != 0)
    return;
  w->reports++;
  g_assert_cmpuint (p->epoch, >=, 1);
  g_assert_cmpuint (p->epoch, <=, p->n_epochs);
  g_assert_cmpuint (p->batch, <=, p->n_batches);
  g_assert_true (p->base.fraction >= 0 && p->base.fraction <= 1.0 + 1e-9);
  w->n_batches = p->n_batches;
  if (p->epoch_done)
    {
      w->epochs_done++;
      if (w->epochs_done == 1)
        w->first_validation = p->validation_loss;
      w->last_validation = p->validation_loss;
    }
  else
    g_assert_true (isfinite (p->batch_loss));
  if (w->cancel_epoch != 0 && p->epoch == w->cancel_epoch && p->batch == w->cancel_batch && !p->epoch_done)
    g_cancellable_cancel (w->cancellable);
}

static char *
train_ok (DassieConfig *config,
          Watch        *watch)
{
  DassieTrainResult result = { 0 };
  g_autoptr(GError) error = NULL;
  char *dir;

  dassie_train (config, NULL, watch_progress, watch, &result, &error);
  g_assert_no_error (error);
  g_assert_true (result.complete);
  dir = g_steal_pointer (&result.run_dir);
  dassie_train_result_clear (&result);
  return dir;
}

/* Trains until the progress report of @epoch, @batch, cancels there, and returns the unfinished
 * run folder, which holds a checkpoint. */
static char *
train_cancelled (DassieConfig *config,
                 guint         epoch,
                 guint         batch)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *checkpoint = NULL;
  DassieTrainResult result = { 0 };
  Watch watch = { .cancel_epoch = epoch, .cancel_batch = batch, .cancellable = cancellable };
  char *dir;

  g_assert_false (dassie_train (config, cancellable, watch_progress, &watch, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (result.complete);
  g_assert_true (g_str_has_suffix (result.run_dir, DASSIE_RUN_INCOMPLETE_SUFFIX));
  checkpoint = g_build_filename (result.run_dir, "checkpoint.safetensors", NULL);
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
  dir = g_steal_pointer (&result.run_dir);
  dassie_train_result_clear (&result);
  return dir;
}

static void
test_loss_falls (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autofree char *run = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *split = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(DassieRunInfo) info = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Watch watch = { 0 };
  JsonObject *split_obj;

  run = train_ok (config, &watch);
  info = dassie_run_info_parse (run);
  g_assert_nonnull (info);
  g_assert_true (info->complete);
  g_assert_cmpstr (info->verb, ==, "train");

  /* 40 objects, 0.8 / 0.2: 32 to train in 4 batches of 8, 8 to validate. */
  g_assert_cmpuint (watch.n_batches, ==, 4);
  g_assert_cmpuint (watch.epochs_done, ==, 4);
  g_assert_cmpuint (watch.reports, ==, 4 * (4 + 1));
  g_test_message ("validation loss %g -> %g", watch.first_validation, watch.last_validation);
  g_assert_cmpfloat (watch.last_validation, <, 0.9 * watch.first_validation);

  metrics = read_text (run, "metrics.jsonl");
  lines = g_strsplit (g_strstrip (metrics), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *obj;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      obj = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (obj, "epoch"), ==, i + 1);
      g_assert_true (json_object_get_double_member (obj, "train_loss") > 0);
      if (i == 3)
        g_assert_cmpfloat (fabs (json_object_get_double_member (obj, "validation_loss") - watch.last_validation), <, 1e-12);
    }

  split = read_text (run, "split.json");
  json_parser_load_from_data (parser, split, -1, &error);
  g_assert_no_error (error);
  split_obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (split_obj, "train_indices")), ==, 32);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (split_obj, "validate_object_ids")), ==, 8);

  for (guint i = 0; i < 4; i++)
    {
      const char *names[] = { "config.json", "weights.safetensors", "weights-best.safetensors", "checkpoint.safetensors" };
      g_autofree char *path = g_build_filename (run, names[i], NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }

  dassie_remove_tree (results, NULL);
}

static void
test_deterministic (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autofree char *run_a = NULL;
  g_autofree char *run_b = NULL;
  Watch watch = { 0 };

  dassie_config_set_int (config, "train.epochs", 4);
  run_a = train_ok (config, &watch);
  /* The same seed gives the same weights, whatever the number of threads. */
  dassie_config_set_int (config, "general.threads", 1);
  run_b = train_ok (config, &watch);
  g_assert_cmpstr (run_a, !=, run_b);
  assert_same_weights (run_a, run_b);

  dassie_remove_tree (results, NULL);
}

static void
test_resume_after_cancel (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autofree char *straight = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *metrics = NULL;
  g_auto(GStrv) lines = NULL;
  Watch watch = { 0 };

  straight = train_ok (config, &watch);

  /* Stop in the middle of epoch 2: the folder stays unfinished with a checkpoint in it. */
  stopped = train_cancelled (config, 2, 2);
  {
    /* The unfinished folder is never taken for a finished run. */
    g_autofree char *latest = dassie_results_find_latest (results, "train");

    g_assert_cmpstr (latest, ==, straight);
  }

  /* Continue in place: the result is the uninterrupted run's, weight for weight. */
  dassie_config_set_string (config, "train.resume", stopped);
  resumed = train_ok (config, &watch);
  g_assert_false (g_str_has_suffix (resumed, DASSIE_RUN_INCOMPLETE_SUFFIX));
  assert_same_weights (straight, resumed);

  metrics = read_text (resumed, "metrics.jsonl");
  lines = g_strsplit (g_strstrip (metrics), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (strstr (lines[1], "\"epoch\":2") != NULL);

  dassie_remove_tree (results, NULL);
}

/* Augmentation, the learning-rate schedule and early stopping depend on the epoch and batch only: a
 * resumed run still ends with the uninterrupted run's weights. */
static void
test_resume_with_recipe (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autofree char *straight = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *resumed = NULL;
  Watch watch = { 0 };

  dassie_config_set_boolean (config, "train.augment", TRUE);
  dassie_config_set_string (config, "train.lr_schedule", "cosine");
  dassie_config_set_string (config, "data_set.normalization", "asinh");
  dassie_config_set_int (config, "train.early_stopping.patience", 2);
  straight = train_ok (config, &watch);
  stopped = train_cancelled (config, 3, 2);
  dassie_config_set_string (config, "train.resume", stopped);
  resumed = train_ok (config, &watch);
  assert_same_weights (straight, resumed);
  dassie_remove_tree (results, NULL);
}

/* A cancel that arrives after an epoch's last batch stops its validation (minutes on a large set)
 * instead of finishing the epoch, and a resume still ends with the uninterrupted run's weights. */
static void
test_cancel_in_validation (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *straight = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *stopped_metrics = NULL;
  g_auto(GStrv) lines = NULL;
  DassieTrainResult result = { 0 };
  Watch watch = { 0 };
  Watch cancel_watch = { .cancel_epoch = 2, .cancel_batch = 4, .cancellable = cancellable };

  straight = train_ok (config, &watch);
  g_assert_cmpuint (watch.n_batches, ==, 4);

  g_assert_false (dassie_train (config, cancellable, watch_progress, &cancel_watch, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "epoch 2 before batch 5"));
  g_assert_cmpuint (cancel_watch.epochs_done, ==, 1);
  stopped_metrics = read_text (result.run_dir, "metrics.jsonl");
  g_assert_cmpuint (g_strv_length (lines = g_strsplit (g_strstrip (stopped_metrics), "\n", -1)), ==, 1);
  g_clear_pointer (&lines, g_strfreev);

  dassie_config_set_string (config, "train.resume", result.run_dir);
  resumed = train_ok (config, &watch);
  assert_same_weights (straight, resumed);
  metrics = read_text (resumed, "metrics.jsonl");
  lines = g_strsplit (g_strstrip (metrics), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);

  dassie_train_result_clear (&result);
  dassie_remove_tree (results, NULL);
}

/* A checkpoint resumes only its own training: another data set of the same size, or another model
 * shape, is refused by name, and the run folder's config.json and split.json are left as they were. */
static void
test_resume_refuses_other_training (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autofree char *same_size = g_build_filename (results, "same-size-data", NULL);
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *config_before = NULL;
  g_autofree char *split_before = NULL;
  g_autofree char *config_after = NULL;
  g_autofree char *split_after = NULL;
  DassieTrainResult result = { 0 };
  DassieDemoOptions options;

  dassie_demo_options_init (&options);
  options.n_objects = N_OBJECTS;
  options.size = SIZE;
  options.seed = 77;
  g_assert_true (dassie_demo_generate (same_size, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  stopped = train_cancelled (config, 2, 1);
  config_before = read_text (stopped, "config.json");
  split_before = read_text (stopped, "split.json");

  /* The same number of objects, other objects. */
  dassie_config_set_string (config, "train.resume", stopped);
  dassie_config_set_data_location (config, NULL, same_size);
  g_assert_false (dassie_train (config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT);
  g_assert_nonnull (strstr (error->message, "data set"));
  g_assert_nonnull (strstr (error->message, stopped));
  g_clear_error (&error);
  dassie_train_result_clear (&result);

  /* The data back, another latent size. */
  dassie_config_set_data_location (config, NULL, data_dir);
  dassie_config_set_int (config, "model.latent_dim", 6);
  g_assert_false (dassie_train (config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT);
  g_assert_nonnull (strstr (error->message, "model.latent_dim"));
  g_clear_error (&error);
  dassie_train_result_clear (&result);

  /* Resumed with a smaller step (allowed): the run's own records stay as they were written. */
  dassie_config_set_int (config, "model.latent_dim", 8);
  dassie_config_set_double (config, "optimizer.lr", 1e-3);
  g_assert_true (dassie_train (config, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  config_after = read_text (result.run_dir, "config.json");
  split_after = read_text (result.run_dir, "split.json");
  g_assert_cmpstr (config_after, ==, config_before);
  g_assert_cmpstr (split_after, ==, split_before);
  dassie_train_result_clear (&result);

  dassie_remove_tree (results, NULL);
}

/* Killed after an epoch's metrics line but before its checkpoint: resuming repeats that epoch, and
 * metrics.jsonl still has each epoch once. */
static void
test_resume_no_duplicate_epoch (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autofree char *stopped = NULL;
  g_autofree char *metrics_path = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *with_line = NULL;
  g_auto(GStrv) lines = NULL;
  Watch watch = { 0 };

  /* The checkpoint has finished epoch 1; the line of epoch 2 is there, as if written just before a kill. */
  stopped = train_cancelled (config, 2, 2);
  metrics = read_text (stopped, "metrics.jsonl");
  with_line = g_strconcat (metrics, "{\"epoch\":2,\"train_loss\":999,\"validation_loss\":999}\n", NULL);
  metrics_path = g_build_filename (stopped, "metrics.jsonl", NULL);
  g_assert_true (g_file_set_contents (metrics_path, with_line, -1, NULL));
  g_clear_pointer (&metrics, g_free);

  dassie_config_set_string (config, "train.resume", stopped);
  resumed = train_ok (config, &watch);
  metrics = read_text (resumed, "metrics.jsonl");
  g_assert_null (strstr (metrics, "\"train_loss\":999,"));
  lines = g_strsplit (g_strstrip (metrics), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *epoch = g_strdup_printf ("\"epoch\":%u,", i + 1);

      g_assert_nonnull (strstr (lines[i], epoch));
    }

  dassie_remove_tree (results, NULL);
}

static void
test_nan_stops (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  g_autofree char *stopped = NULL;
  g_autofree char *checkpoint = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_length, after_length;
  DassieTrainResult result = { 0 };

  /* A good first epoch, stopped early in the second. */
  stopped = train_cancelled (config, 2, 1);
  checkpoint = g_build_filename (stopped, "checkpoint.safetensors", NULL);
  g_file_get_contents (checkpoint, &before, &before_length, &error);
  g_assert_no_error (error);

  /* Resumed with an absurd step size the loss overflows: training stops and the checkpoint stays. */
  dassie_config_set_string (config, "train.resume", stopped);
  dassie_config_set_double (config, "optimizer.lr", 1e30);
  g_assert_false (dassie_train (config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "optimizer.lr"));
  g_assert_nonnull (strstr (error->message, "checkpoint"));
  g_clear_error (&error);
  g_assert_false (result.complete);

  g_file_get_contents (checkpoint, &after, &after_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (after, after_length, before, before_length);

  dassie_train_result_clear (&result);
  dassie_remove_tree (results, NULL);
}

static void
test_bad_resume (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  g_autofree char *run = NULL;
  g_autofree char *weights = NULL;
  DassieTrainResult result = { 0 };
  Watch watch = { 0 };

  dassie_config_set_int (config, "train.epochs", 1);
  run = train_ok (config, &watch);
  weights = g_build_filename (run, "weights.safetensors", NULL);

  /* Weights alone cannot resume training. */
  dassie_config_set_string (config, "train.resume", weights);
  g_assert_false (dassie_train (config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT);
  g_assert_nonnull (strstr (error->message, weights));
  g_clear_error (&error);
  dassie_train_result_clear (&result);

  dassie_config_set_string (config, "train.resume", "/nonexistent/run");
  g_assert_false (dassie_train (config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT);
  g_clear_error (&error);
  dassie_train_result_clear (&result);

  dassie_remove_tree (results, NULL);
}

static void
test_infer (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  g_autofree char *run = NULL;
  g_autofree char *weights = NULL;
  g_autofree char *table = NULL;
  g_autofree char *copy = NULL;
  g_autofree float *latents = NULL;
  g_autofree float *inputs = NULL;
  g_autofree float *expected = NULL;
  g_autofree guint *indices = NULL;
  g_auto(GStrv) ids = NULL;
  g_autoptr(DassieDataset) set = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  DassieAutoencoderConfig model_config = { 3, SIZE, SIZE, 4, 8, DASSIE_ACTIVATION_TANH };
  DassieDatasetOptions options;
  DassieInferResult result = { 0 };
  Watch watch = { 0 };
  guint n_rows, dim;

  /* Nothing trained yet: a clear error. */
  g_assert_false (dassie_infer (config, NULL, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, DASSIE_INFER_ERROR, DASSIE_INFER_ERROR_NO_WEIGHTS);
  g_clear_error (&error);

  dassie_config_set_int (config, "train.epochs", 1);
  run = train_ok (config, &watch);
  weights = g_build_filename (run, "weights.safetensors", NULL);

  /* The newest train run's weights, in batches smaller than the data set. */
  dassie_config_set_int (config, "infer.batch_size", 16);
  dassie_infer (config, NULL, NULL, NULL, NULL, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result.weights_path, ==, weights);
  g_assert_cmpuint (result.n_objects, ==, N_OBJECTS);
  g_assert_cmpuint (result.latent_dim, ==, 8);

  table = g_build_filename (result.run_dir, "latents.fits", NULL);
  dassie_table_read_vectors (table, "LATENT", &ids, &n_rows, &latents, &dim, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, N_OBJECTS);
  g_assert_cmpuint (dim, ==, 8);
  copy = g_build_filename (result.run_dir, "weights.safetensors", NULL);
  g_assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));

  /* Data set order and ids, and the latents of a model loaded here from the same weights. */
  dassie_dataset_options_init (&options);
  set = dassie_dataset_open (data_dir, &options, NULL, &error);
  dassie_dataset_options_clear (&options);
  g_assert_no_error (error);
  indices = g_new (guint, N_OBJECTS);
  for (guint i = 0; i < N_OBJECTS; i++)
    {
      indices[i] = i;
      g_assert_cmpstr (ids[i], ==, dassie_dataset_get_object_id (set, i));
    }
  inputs = g_new (float, (gsize) N_OBJECTS * 3 * SIZE * SIZE);
  dassie_dataset_read_objects (set, indices, N_OBJECTS, TRUE, inputs, NULL, &error);
  g_assert_no_error (error);
  model = dassie_autoencoder_new (&model_config, &error);
  dassie_autoencoder_load_weights (model, weights, &error);
  g_assert_no_error (error);
  expected = g_new (float, N_OBJECTS * 8);
  dassie_autoencoder_forward (model, inputs, N_OBJECTS, expected, NULL);
  for (guint i = 0; i < N_OBJECTS * 8; i++)
    g_assert_cmpfloat (fabs (latents[i] - expected[i]), <=, 1e-5 * (1 + fabs (expected[i])));
  dassie_infer_result_clear (&result);

  /* Weights for other images: the error names the file. */
  dassie_config_set_data_location (config, "infer", other_data_dir);
  g_assert_false (dassie_infer (config, weights, NULL, NULL, NULL, &result, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, weights));
  g_clear_error (&error);

  dassie_remove_tree (results, NULL);
}

/* The command line: the last line of standard output is the run folder; --json is a summary. */
static void
test_cli (void)
{
  const char *cli = g_getenv ("DASSIE_CLI");
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *latents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) lines = NULL;
  const char *run;
  int status;
  guint n;

  if (cli == NULL)
    {
      g_test_skip ("DASSIE_CLI is not set");
      return;
    }

  {
    const char *argv[] = { cli, "train", "--data", data_dir, "--results", results, "--epochs", "1", "-q",
                           "--set", "model.base_channel_size=4", "--set", "model.latent_dim=8", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("dassie-cli train failed: %s", err);
  }
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 1);
  run = lines[n - 1];
  g_assert_true (g_str_has_prefix (run, results));
  g_assert_true (g_file_test (run, G_FILE_TEST_IS_DIR));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *weights = g_build_filename (run, "weights.safetensors", NULL);
    const char *argv[] = { cli, "infer", "--data", data_dir, "--results", results, "--weights", weights,
                           "--json", "-q", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("dassie-cli infer failed: %s", err);
  }
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "objects"), ==, N_OBJECTS);
  latents = g_build_filename (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "run"),
                              "latents.fits", NULL);
  g_assert_true (g_file_test (latents, G_FILE_TEST_IS_REGULAR));

  dassie_remove_tree (results, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  root = make_tmp_dir ();
  data_dir = g_build_filename (root, "demo", NULL);
  other_data_dir = g_build_filename (root, "demo-32", NULL);
  dassie_test_make_demo (data_dir, N_OBJECTS, SIZE, 5);
  dassie_test_make_demo (other_data_dir, 4, 32, 5);

  g_test_add_func ("/core/train/loss-falls", test_loss_falls);
  g_test_add_func ("/core/train/deterministic", test_deterministic);
  g_test_add_func ("/core/train/resume-after-cancel", test_resume_after_cancel);
  g_test_add_func ("/core/train/resume-with-recipe", test_resume_with_recipe);
  g_test_add_func ("/core/train/cancel-in-validation", test_cancel_in_validation);
  g_test_add_func ("/core/train/resume-refuses-other-training", test_resume_refuses_other_training);
  g_test_add_func ("/core/train/resume-no-duplicate-epoch", test_resume_no_duplicate_epoch);
  g_test_add_func ("/core/train/nan-stops", test_nan_stops);
  g_test_add_func ("/core/train/bad-resume", test_bad_resume);
  g_test_add_func ("/core/infer/latents", test_infer);
  g_test_add_func ("/core/cli/train-infer", test_cli);

  status = g_test_run ();
  dassie_remove_tree (root, NULL);
  g_free (data_dir);
  g_free (other_data_dir);
  return status;
}
