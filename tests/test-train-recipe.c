/* test-train-recipe.c: the mean-image baseline, early stopping, learning-rate schedules, augmentation,
 * presets and the input normalisations
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-test-train.h"
#include "dassie-autoencoder.h"
#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-infer.h"
#include "dassie-normalize.h"
#include "dassie-train.h"
#include "dassie-train-recipe.h"
#include "dassie-vectors.h"

#define N_OBJECTS 40
#define SIZE 16

static char *data_dir;

static DassieConfig *
small_config (const char *results)
{
  DassieConfig *config = dassie_test_small_config (data_dir, results, 2, 3);

  return config;
}

static char *
make_tmp_dir (void)
{
  return dassie_test_make_tmp_dir ("dassie-recipe");
}

/* metrics.jsonl as one JsonObject per line. */
static GPtrArray *
read_metrics (const char *run_dir)
{
  g_autofree char *path = g_build_filename (run_dir, "metrics.jsonl", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (lines[i][0] == 0)
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (records, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return records;
}

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

/* Σ (v − m)² expanded as Σ v² − 2 m Σ v + n m², with m from Σ t: not the subtraction loop of the code. */
static void
test_baseline_formula (void)
{
  const guint n_train = 7, n_validate = 5;
  const gsize sample = 11;
  g_autofree float *train = g_new (float, n_train * sample);
  g_autofree float *validate = g_new (float, n_validate * sample);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  double expected = 0;

  for (gsize i = 0; i < n_train * sample; i++)
    train[i] = (float) g_rand_double_range (rand, -1, 2);
  for (gsize i = 0; i < n_validate * sample; i++)
    validate[i] = (float) g_rand_double_range (rand, -1, 2);
  for (gsize j = 0; j < sample; j++)
    {
      double t = 0, v = 0, v2 = 0, m;

      for (guint i = 0; i < n_train; i++)
        t += train[i * sample + j];
      for (guint i = 0; i < n_validate; i++)
        {
          v += validate[i * sample + j];
          v2 += (double) validate[i * sample + j] * validate[i * sample + j];
        }
      m = t / n_train;
      expected += v2 - 2 * m * v + n_validate * m * m;
    }
  expected /= n_validate * sample;
  g_assert_cmpfloat_with_epsilon (dassie_mean_image_loss (train, n_train, validate, n_validate, sample),
                                  expected, 1e-9);
  g_assert_true (isnan (dassie_mean_image_loss (train, n_train, validate, 0, sample)));
}

/* The baseline of a training run, against the mean image computed from the split's objects. */
static void
test_baseline_of_run (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  g_autoptr(GArray) train_idx = NULL;
  g_autoptr(GArray) validate_idx = NULL;
  g_autoptr(DassieDataset) set = NULL;
  DassieDatasetOptions options;
  DassieTrainResult result = { 0 };
  g_autofree float *train = NULL;
  g_autofree float *validate = NULL;
  gsize sample = 3 * SIZE * SIZE;
  double expected = 0;

  dassie_config_set_int (config, "train.epochs", 1);
  dassie_config_set_string (config, "data_set.normalization", "asinh");
  dassie_train (config, NULL, NULL, NULL, &result, &error);
  g_assert_no_error (error);

  dassie_dataset_options_from_config (&options, config, &error);
  g_assert_no_error (error);
  set = dassie_dataset_open (data_dir, &options, NULL, &error);
  g_assert_no_error (error);
  dassie_dataset_options_clear (&options);
  train_idx = dassie_train_read_split (result.run_dir, "train", NULL, &error);
  g_assert_no_error (error);
  validate_idx = dassie_train_read_split (result.run_dir, "validate", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (validate_idx->len, >, 0);
  train = g_new (float, train_idx->len * sample);
  validate = g_new (float, validate_idx->len * sample);
  dassie_dataset_read_objects (set, (guint *) train_idx->data, train_idx->len, TRUE, train, NULL, &error);
  g_assert_no_error (error);
  dassie_dataset_read_objects (set, (guint *) validate_idx->data, validate_idx->len, TRUE, validate, NULL, &error);
  g_assert_no_error (error);
  for (gsize j = 0; j < sample; j++)
    {
      double m = 0;

      for (guint i = 0; i < train_idx->len; i++)
        m += train[i * sample + j];
      m /= train_idx->len;
      for (guint i = 0; i < validate_idx->len; i++)
        expected += (validate[i * sample + j] - m) * (validate[i * sample + j] - m);
    }
  expected /= validate_idx->len * sample;

  metrics = read_metrics (result.run_dir);
  g_assert_cmpuint (metrics->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (metrics->pdata[0], "baseline_loss"),
                                  expected, 1e-6 * expected);
  g_assert_cmpfloat_with_epsilon (result.baseline_loss, expected, 1e-6 * expected);

  dassie_train_result_clear (&result);
  dassie_remove_tree (results, NULL);
}

/* A learning rate far too high for Adam makes the validation loss stall or climb: early stopping must
 * end the run @patience epochs after its best one and keep that epoch's weights. */
static void
test_early_stopping (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  DassieTrainResult result = { 0 };
  g_autofree char *final_path = NULL;
  g_autofree char *best_path = NULL;
  g_autofree float *final = NULL;
  g_autofree float *best = NULL;
  double best_loss = INFINITY;
  guint best_epoch = 0;
  gsize n_final, n_best;
  const guint patience = 2;

  dassie_config_set_int (config, "train.epochs", 40);
  dassie_config_set_double (config, "optimizer.lr", 0.05);
  dassie_config_set_int (config, "train.early_stopping.patience", patience);
  dassie_train (config, NULL, NULL, NULL, &result, &error);
  g_assert_no_error (error);

  metrics = read_metrics (result.run_dir);
  for (guint i = 0; i < metrics->len; i++)
    {
      double loss = json_object_get_double_member (metrics->pdata[i], "validation_loss");

      g_assert_cmpint (json_object_get_int_member (metrics->pdata[i], "epoch"), ==, i + 1);
      if (loss < best_loss)
        {
          best_loss = loss;
          best_epoch = i + 1;
        }
    }
  g_assert_true (result.stopped_early);
  g_assert_cmpuint (result.epochs_done, <, 40);
  g_assert_cmpuint (metrics->len, ==, result.epochs_done);
  g_assert_cmpuint (result.best_epoch, ==, best_epoch);
  g_assert_cmpuint (result.epochs_done, ==, best_epoch + patience);
  g_assert_cmpuint (result.weights_epoch, ==, best_epoch);
  g_assert_cmpfloat (result.weights_validation_loss, ==, best_loss);

  /* The run's weights are the best epoch's, not the last epoch's. */
  final_path = g_build_filename (result.run_dir, "weights.safetensors", NULL);
  best_path = g_build_filename (result.run_dir, "weights-best.safetensors", NULL);
  final = load_params (final_path, &n_final);
  best = load_params (best_path, &n_best);
  g_assert_cmpmem (final, n_final * sizeof (float), best, n_best * sizeof (float));
  {
    g_autofree char *checkpoint = g_build_filename (result.run_dir, "checkpoint.safetensors", NULL);
    gsize n_last;
    g_autofree float *last = load_params (checkpoint, &n_last);

    g_assert_true (memcmp (last, final, n_last * sizeof (float)) != 0);
  }

  dassie_train_result_clear (&result);
  dassie_remove_tree (results, NULL);
}

static void
test_lr_schedule (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  DassieLrSchedule schedule;

  dassie_config_set_double (config, "optimizer.lr", 0.2);
  dassie_config_set_int (config, "train.epochs", 10);
  dassie_lr_schedule_from_config (&schedule, config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (schedule.kind, ==, DASSIE_LR_CONSTANT);
  for (guint e = 0; e < 12; e++)
    g_assert_cmpfloat (dassie_lr_schedule_at (&schedule, e), ==, 0.2);

  dassie_config_set_string (config, "train.lr_schedule", "cosine");
  dassie_config_set_double (config, "train.lr_min", 0.02);
  dassie_lr_schedule_from_config (&schedule, config, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (dassie_lr_schedule_at (&schedule, 0), 0.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (dassie_lr_schedule_at (&schedule, 5), 0.11, 1e-12);
  /* cos (π/10) = 0.951056516...: 0.02 + 0.18 · 1.951056516 / 2 */
  g_assert_cmpfloat_with_epsilon (dassie_lr_schedule_at (&schedule, 1), 0.195595086, 1e-8);
  g_assert_cmpfloat_with_epsilon (dassie_lr_schedule_at (&schedule, 9), 0.02 + 0.18 * (1 - 0.951056516) / 2, 1e-8);
  for (guint e = 1; e < 10; e++)
    g_assert_cmpfloat (dassie_lr_schedule_at (&schedule, e), <, dassie_lr_schedule_at (&schedule, e - 1));

  dassie_config_set_string (config, "train.lr_schedule", "step");
  dassie_config_set_int (config, "train.lr_step_size", 3);
  dassie_config_set_double (config, "train.lr_gamma", 0.5);
  dassie_lr_schedule_from_config (&schedule, config, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (dassie_lr_schedule_at (&schedule, 2), 0.2, 1e-15);
  g_assert_cmpfloat_with_epsilon (dassie_lr_schedule_at (&schedule, 3), 0.1, 1e-15);
  g_assert_cmpfloat_with_epsilon (dassie_lr_schedule_at (&schedule, 7), 0.05, 1e-15);

  dassie_config_set_string (config, "train.lr_schedule", "warmup");
  g_assert_false (dassie_lr_schedule_from_config (&schedule, config, &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "train.lr_schedule"));
}

/* Training with a cosine schedule writes the scheduled rate of every epoch into metrics.jsonl. */
static void
test_lr_schedule_in_training (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  DassieTrainResult result = { 0 };

  dassie_config_set_string (config, "train.lr_schedule", "cosine");
  dassie_train (config, NULL, NULL, NULL, &result, &error);
  g_assert_no_error (error);
  metrics = read_metrics (result.run_dir);
  g_assert_cmpuint (metrics->len, ==, 3);
  for (guint e = 0; e < 3; e++)
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (metrics->pdata[e], "lr"),
                                    3e-3 * (1 + cos (G_PI * e / 3)) / 2, 1e-9);
  dassie_train_result_clear (&result);
  dassie_remove_tree (results, NULL);
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

/* Flips and rotations: the same seed gives the same batch, another seed another; every plane keeps
 * its values; all bands of a sample move together; all 8 symmetries of a square occur. */
static void
check_augment (guint height,
               guint width)
{
  const guint n = 64, channels = 3;
  gsize plane = (gsize) height * width;
  gsize total = n * channels * plane;
  g_autofree float *original = g_new (float, total);
  g_autofree float *a = NULL;
  g_autofree float *b = NULL;
  g_autofree float *c = NULL;
  g_autofree float *d = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  /* Plane c of sample i holds i·1000 + c·100 + its pixel index: every value tells where it came from. */
  for (guint i = 0; i < n; i++)
    for (guint ch = 0; ch < channels; ch++)
      for (gsize p = 0; p < plane; p++)
        original[(i * channels + ch) * plane + p] = (float) (i * 1000 + ch * 100 + p);
  a = g_memdup2 (original, total * sizeof (float));
  b = g_memdup2 (original, total * sizeof (float));
  c = g_memdup2 (original, total * sizeof (float));
  d = g_memdup2 (original, total * sizeof (float));
  dassie_augment_batch (a, n, channels, height, width, 7, 2, 5);
  dassie_augment_batch (b, n, channels, height, width, 7, 2, 5);
  dassie_augment_batch (c, n, channels, height, width, 8, 2, 5);
  dassie_augment_batch (d, n, channels, height, width, 7, 2, 6);
  g_assert_cmpmem (a, total * sizeof (float), b, total * sizeof (float));
  g_assert_true (memcmp (a, c, total * sizeof (float)) != 0);
  g_assert_true (memcmp (a, d, total * sizeof (float)) != 0);
  g_assert_true (memcmp (a, original, total * sizeof (float)) != 0);

  for (guint i = 0; i < n; i++)
    {
      GString *key = g_string_new (NULL);

      for (guint ch = 0; ch < channels; ch++)
        {
          float *got = a + (i * channels + ch) * plane;
          g_autofree float *sorted = g_memdup2 (got, plane * sizeof (float));

          qsort (sorted, plane, sizeof (float), compare_floats);
          for (gsize p = 0; p < plane; p++)
            g_assert_cmpfloat (sorted[p], ==, (float) (i * 1000 + ch * 100 + p));
          for (gsize p = 0; p < plane; p++)
            g_assert_cmpfloat (got[p] - ch * 100, ==, a[i * channels * plane + p]);
        }
      /* Where the corners went names the symmetry. */
      g_string_append_printf (key, "%g %g %g", a[i * channels * plane] - i * 1000,
                              a[i * channels * plane + width - 1] - i * 1000,
                              a[i * channels * plane + plane - width] - i * 1000);
      if (!g_hash_table_contains (seen, key->str))
        {
          g_hash_table_add (seen, key->str);
          g_ptr_array_add (keys, g_string_free (key, FALSE));
        }
      else
        g_string_free (key, TRUE);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, height == width ? 8 : 4);
}

static void
test_augment (void)
{
  check_augment (8, 8);
  check_augment (4, 6);
}

static void
test_presets (void)
{
  g_autoptr(DassieConfig) defaults = dassie_config_new ();
  g_autoptr(DassieConfig) hyrax = dassie_config_new ();
  g_autoptr(DassieConfig) recommended = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *defaults_json = NULL;
  g_autofree char *hyrax_json = NULL;

  /* Hyrax's preset is the built-in defaults: the parity tests train on them. */
  dassie_config_apply_preset (recommended, "recommended", &error);
  g_assert_no_error (error);
  dassie_config_apply_preset (hyrax, "recommended", &error);
  dassie_config_apply_preset (hyrax, "hyrax", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dassie_config_get_string (hyrax, "train.preset"), ==, "hyrax");
  dassie_config_set_string (hyrax, "train.preset", "");
  /* ... except that it ranks as the notebook does, by the 5-NN median. */
  g_assert_cmpstr (dassie_config_get_string (hyrax, "scores.method"), ==, "knn-median");
  g_assert_cmpstr (dassie_config_get_string (recommended, "scores.method"), ==, "rank-combo");
  dassie_config_set_string (hyrax, "scores.method", dassie_config_get_string (defaults, "scores.method"));
  defaults_json = dassie_config_to_json (defaults);
  hyrax_json = dassie_config_to_json (hyrax);
  g_assert_cmpstr (hyrax_json, ==, defaults_json);
  dassie_config_set_string (defaults, "scores.method", "knn-median");
  g_assert_cmpstr (dassie_config_match_preset (defaults), ==, "hyrax");
  g_assert_cmpstr (dassie_config_get_string (defaults, "optimizer.name"), ==, "SGD");
  g_assert_cmpfloat (dassie_config_get_double (defaults, "optimizer.lr"), ==, 0.01);
  g_assert_cmpfloat (dassie_config_get_double (defaults, "optimizer.momentum"), ==, 0.9);
  g_assert_cmpint (dassie_config_get_int (defaults, "train.epochs"), ==, 20);
  g_assert_cmpint (dassie_config_get_int (defaults, "data_loader.batch_size"), ==, 32);
  g_assert_cmpstr (dassie_config_get_string (defaults, "data_set.transform"), ==, "tanh");

  g_assert_cmpstr (dassie_config_match_preset (recommended), ==, "recommended");
  g_assert_cmpstr (dassie_config_get_string (recommended, "train.preset"), ==, "recommended");
  g_assert_cmpstr (dassie_config_get_string (recommended, "optimizer.name"), !=, "SGD");
  /* An override leaves the preset's other keys and matches neither preset. */
  dassie_config_set_int (recommended, "train.epochs", 3);
  g_assert_null (dassie_config_match_preset (recommended));
  g_assert_cmpstr (dassie_config_get_string (recommended, "data_set.normalization"), ==, "asinh");

  g_assert_false (dassie_config_apply_preset (recommended, "fast", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
}

static char *
run_cli (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status;

  g_ptr_array_add (argv, (char *) g_getenv ("DASSIE_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("dassie-cli failed: %s", err);
  return out;
}

static DassieConfig *
run_config (const char *run_dir)
{
  g_autofree char *path = g_build_filename (run_dir, "config.json", NULL);
  g_autoptr(GError) error = NULL;
  DassieConfig *config = dassie_config_new ();

  dassie_config_load_file (config, path, &error);
  g_assert_no_error (error);
  return config;
}

/* train: Recommended by default, --preset hyrax the notebook's recipe; --set and the config file
 * override single keys of either, and the run's config.json records the preset. */
static void
test_cli_presets (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autofree char *file = g_build_filename (results, "settings.json", NULL);
  const char *common[] = { "--data", data_dir, "--results", results, "-q", "--set", "train.epochs=1",
                           "--set", "model.base_channel_size=4", "--set", "model.latent_dim=8" };
  g_autoptr(GError) error = NULL;

  g_file_set_contents (file, "{ \"train\": { \"preset\": \"hyrax\" }, \"optimizer\": { \"lr\": 0.02 } }", -1, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autofree char *out = NULL;
      g_autoptr(DassieConfig) config = NULL;

      g_ptr_array_add (args, "train");
      for (guint i = 0; i < G_N_ELEMENTS (common); i++)
        g_ptr_array_add (args, (char *) common[i]);
      if (k == 1)
        {
          g_ptr_array_add (args, "--preset");
          g_ptr_array_add (args, "hyrax");
          g_ptr_array_add (args, "--set");
          g_ptr_array_add (args, "data_loader.batch_size=16");
        }
      if (k == 2)
        {
          g_ptr_array_add (args, "-c");
          g_ptr_array_add (args, file);
        }
      g_ptr_array_add (args, NULL);
      out = run_cli ((const char * const *) args->pdata);
      config = run_config (g_strstrip (out));
      /* Resumed without --preset, a Hyrax run goes on with Hyrax's recipe (its input scaling too). */
      if (k == 1)
        {
          const char *resume[] = { "train", "--data", data_dir, "--results", results, "-q", "--resume", out,
                                   "--set", "train.epochs=2", "--set", "data_loader.batch_size=16",
                                   "--set", "model.base_channel_size=4", "--set", "model.latent_dim=8", NULL };
          g_autofree char *resumed_out = run_cli (resume);
          g_autoptr(DassieConfig) resumed = run_config (g_strstrip (resumed_out));

          g_assert_cmpstr (dassie_config_get_string (resumed, "train.preset"), ==, "hyrax");
          g_assert_cmpstr (dassie_config_get_string (resumed, "data_set.normalization"), ==, "tanh");
        }
      g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 1);
      if (k == 0)
        {
          g_assert_cmpstr (dassie_config_get_string (config, "train.preset"), ==, "recommended");
          g_assert_cmpstr (dassie_config_get_string (config, "optimizer.name"), ==, "Adam");
          g_assert_cmpstr (dassie_config_get_string (config, "data_set.normalization"), ==, "asinh");
        }
      else
        {
          g_assert_cmpstr (dassie_config_get_string (config, "train.preset"), ==, "hyrax");
          g_assert_cmpstr (dassie_config_get_string (config, "optimizer.name"), ==, "SGD");
          g_assert_cmpstr (dassie_config_get_string (config, "data_set.normalization"), ==, "tanh");
          g_assert_false (dassie_config_get_boolean (config, "train.augment"));
          g_assert_cmpfloat (dassie_config_get_double (config, "optimizer.lr"), ==, k == 2 ? 0.02 : 0.01);
          g_assert_cmpint (dassie_config_get_int (config, "data_loader.batch_size"), ==, k == 1 ? 16 : 32);
        }
    }
  dassie_remove_tree (results, NULL);
}

/* σ = 1.4826·MAD and the median by hand; robust and asinh against their formulas and inverses. */
static void
test_normalize_functions (void)
{
  /* sorted: -1 0 2 3 3 5 9 40, NaN ignored: median 3, |x − 3| sorted 0 0 1 2 3 3 6 37: MAD 2.5 */
  const float values[] = { 3, 40, -1, NAN, 0, 9, 2, 3, 5 };
  float median, sigma;

  dassie_band_noise (values, G_N_ELEMENTS (values), &median, &sigma);
  g_assert_cmpfloat (median, ==, 3);
  g_assert_cmpfloat_with_epsilon (sigma, 1.4826 * 2.5, 1e-4);
  for (float x = -50; x < 200; x += 7.5f)
    {
      float r = dassie_normalize_value (DASSIE_NORMALIZATION_ROBUST, 2, median, sigma, x);
      float a = dassie_normalize_value (DASSIE_NORMALIZATION_ASINH, 2, median, sigma, x);

      g_assert_cmpfloat_with_epsilon (r, (x - 3) / sigma, 1e-5);
      g_assert_cmpfloat_with_epsilon (a, log ((x - 3) / (2 * sigma) + sqrt (pow ((x - 3) / (2 * sigma), 2) + 1)), 1e-5);
      g_assert_cmpfloat_with_epsilon (dassie_normalize_invert (DASSIE_NORMALIZATION_ROBUST, 2, median, sigma, r), x, 1e-3);
      g_assert_cmpfloat_with_epsilon (dassie_normalize_invert (DASSIE_NORMALIZATION_ASINH, 2, median, sigma, a), x, 1e-3);
    }
  /* No spread: σ falls back to 1 rather than dividing by zero. */
  {
    const float flat[] = { 4, 4, 4, 4 };

    dassie_band_noise (flat, 4, &median, &sigma);
    g_assert_cmpfloat (median, ==, 4);
    g_assert_cmpfloat (sigma, ==, 1);
  }
}

/* The data set applies the normalisation per object and band, from the band's own statistics. */
static void
test_normalize_dataset (void)
{
  for (guint k = 0; k < 2; k++)
    {
      DassieNormalization normalization = k == 0 ? DASSIE_NORMALIZATION_ROBUST : DASSIE_NORMALIZATION_ASINH;
      DassieDatasetOptions options;
      g_autoptr(DassieDataset) set = NULL;
      g_autoptr(GError) error = NULL;
      gsize plane = SIZE * SIZE;
      guint indices[2] = { 3, 17 };
      float raw[2 * 3 * SIZE * SIZE];
      float normalized[2 * 3 * SIZE * SIZE];

      dassie_dataset_options_init (&options);
      options.normalization = normalization;
      options.asinh_softening = 3;
      set = dassie_dataset_open (data_dir, &options, NULL, &error);
      g_assert_no_error (error);
      dassie_dataset_read_objects (set, indices, 2, FALSE, raw, NULL, &error);
      g_assert_no_error (error);
      dassie_dataset_read_objects (set, indices, 2, TRUE, normalized, NULL, &error);
      g_assert_no_error (error);
      for (guint b = 0; b < 2 * 3; b++)
        {
          g_autofree float *sorted = g_memdup2 (raw + b * plane, plane * sizeof (float));
          double median, mad;

          qsort (sorted, plane, sizeof (float), compare_floats);
          median = 0.5 * (sorted[plane / 2 - 1] + sorted[plane / 2]);
          for (gsize p = 0; p < plane; p++)
            sorted[p] = fabs (raw[b * plane + p] - median);
          qsort (sorted, plane, sizeof (float), compare_floats);
          mad = 0.5 * (sorted[plane / 2 - 1] + sorted[plane / 2]);
          g_assert_cmpfloat (mad, >, 0);
          for (gsize p = 0; p < plane; p++)
            {
              double z = (raw[b * plane + p] - median) / (1.482602218505602 * mad);

              g_assert_cmpfloat_with_epsilon (normalized[b * plane + p], k == 0 ? z : asinh (z / 3),
                                              1e-4 * MAX (1, fabs (z)));
            }
        }
      dassie_dataset_options_clear (&options);
    }
}

/* Infer normalises as the training did, whatever its own config says. */
static void
test_infer_follows_training (void)
{
  g_autofree char *results = make_tmp_dir ();
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(GError) error = NULL;
  DassieTrainResult result = { 0 };
  g_autoptr(DassieVectors) first = NULL;
  g_autoptr(DassieVectors) second = NULL;

  dassie_config_set_int (config, "train.epochs", 1);
  dassie_config_set_string (config, "data_set.normalization", "robust");
  dassie_config_set_string (config, "model.final_layer", "identity");
  dassie_train (config, NULL, NULL, NULL, &result, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(DassieConfig) infer_config = small_config (results);
      DassieInferResult infer = { 0 };
      g_autofree char *path = NULL;
      g_autoptr(DassieConfig) saved = NULL;

      dassie_config_set_string (infer_config, "data_set.normalization", k == 0 ? "robust" : "tanh");
      dassie_infer (infer_config, result.run_dir, NULL, NULL, NULL, &infer, &error);
      g_assert_no_error (error);
      saved = run_config (infer.run_dir);
      g_assert_cmpstr (dassie_config_get_string (saved, "data_set.normalization"), ==, "robust");
      path = g_build_filename (infer.run_dir, "latents.fits", NULL);
      if (k == 0)
        first = dassie_vectors_load (path, &error);
      else
        second = dassie_vectors_load (path, &error);
      g_assert_no_error (error);
      dassie_infer_result_clear (&infer);
    }
  g_assert_cmpuint (dassie_vectors_get_n_rows (first), ==, dassie_vectors_get_n_rows (second));
  g_assert_cmpmem (dassie_vectors_get_data (first), dassie_vectors_get_n_rows (first) * dassie_vectors_get_dim (first) * sizeof (float),
                   dassie_vectors_get_data (second), dassie_vectors_get_n_rows (second) * dassie_vectors_get_dim (second) * sizeof (float));

  dassie_train_result_clear (&result);
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
  dassie_test_make_demo (data_dir, N_OBJECTS, SIZE, 5);

  g_test_add_func ("/core/train-recipe/baseline-formula", test_baseline_formula);
  g_test_add_func ("/core/train-recipe/baseline-of-run", test_baseline_of_run);
  g_test_add_func ("/core/train-recipe/early-stopping", test_early_stopping);
  g_test_add_func ("/core/train-recipe/lr-schedule", test_lr_schedule);
  g_test_add_func ("/core/train-recipe/lr-schedule-in-training", test_lr_schedule_in_training);
  g_test_add_func ("/core/train-recipe/augment", test_augment);
  g_test_add_func ("/core/train-recipe/presets", test_presets);
  g_test_add_func ("/core/train-recipe/cli-presets", test_cli_presets);
  g_test_add_func ("/core/normalize/functions", test_normalize_functions);
  g_test_add_func ("/core/normalize/dataset", test_normalize_dataset);
  g_test_add_func ("/core/normalize/infer-follows-training", test_infer_follows_training);

  status = g_test_run ();
  dassie_remove_tree (root, NULL);
  g_free (data_dir);
  return status;
}
