/* test-reconstruction.c: a trained model's reconstructions against the model's own forward pass
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "dassie-test-train.h"
#include "dassie-autoencoder.h"
#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-reconstruction.h"
#include "dassie-train.h"

#define N_OBJECTS 24
#define SIZE 16
#define MAX_SHOWN 4

static char *root;
static char *data_dir;
static char *other_data_dir;

static DassieConfig *
small_config (const char *results)
{
  DassieConfig *config = dassie_test_small_config (data_dir, results, 1, 2);

  return config;
}

static char *
train (DassieConfig *config)
{
  DassieTrainResult result = { 0 };
  g_autoptr(GError) error = NULL;
  char *dir;

  dassie_train (config, NULL, NULL, NULL, &result, &error);
  g_assert_no_error (error);
  g_assert_true (result.complete);
  dir = g_steal_pointer (&result.run_dir);
  dassie_train_result_clear (&result);
  return dir;
}

/* Checks @r against split.json's @part, read here with json-glib, and against the model run object
 * by object: the same objects, the same pixels, each one's MSE as the model's forward computes it,
 * and a reconstruction that the data set's tanh takes back to the model's output. */
static void
assert_matches_forward (const char                  *run_dir,
                        const char                  *part,
                        const DassieReconstructions *r)
{
  g_autofree char *split_path = g_build_filename (run_dir, "split.json", NULL);
  g_autofree char *weights = g_build_filename (run_dir, "weights.safetensors", NULL);
  g_autofree char *location_member = g_strconcat (part, "_data_location", NULL);
  g_autofree char *indices_member = g_strconcat (part, "_indices", NULL);
  g_autofree char *ids_member = g_strconcat (part, "_object_ids", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) set = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  DassieAutoencoderConfig model_config = { 3, SIZE, SIZE, 4, 8, DASSIE_ACTIVATION_TANH };
  DassieDatasetOptions options;
  JsonObject *split;
  JsonArray *indices, *ids;
  gsize sample = 3 * SIZE * SIZE;
  g_autofree float *raw = g_new (float, sample);
  g_autofree float *x = g_new (float, sample);
  g_autofree float *y = g_new (float, sample);

  json_parser_load_from_file (parser, split_path, &error);
  g_assert_no_error (error);
  split = json_node_get_object (json_parser_get_root (parser));
  indices = json_object_get_array_member (split, indices_member);
  ids = json_object_get_array_member (split, ids_member);
  g_assert_cmpuint (r->n, ==, MIN (MAX_SHOWN, json_array_get_length (indices)));
  g_assert_cmpuint (r->n, >, 0);
  g_assert_cmpuint (r->n_bands, ==, 3);
  g_assert_cmpuint (r->width, ==, SIZE);
  g_assert_cmpuint (r->height, ==, SIZE);

  dassie_dataset_options_init (&options);
  set = dassie_dataset_open (json_object_get_string_member (split, location_member), &options, NULL, &error);
  dassie_dataset_options_clear (&options);
  g_assert_no_error (error);
  model = dassie_autoencoder_new (&model_config, &error);
  g_assert_no_error (error);
  dassie_autoencoder_load_weights (model, weights, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < r->n; i++)
    {
      guint index = (guint) json_array_get_int_element (indices, i);
      const float *output = dassie_reconstructions_get_output (r, i);
      double mse;

      g_assert_cmpstr (r->object_ids[i], ==, json_array_get_string_element (ids, i));
      dassie_dataset_read_objects (set, &index, 1, FALSE, raw, NULL, &error);
      g_assert_no_error (error);
      dassie_dataset_read_objects (set, &index, 1, TRUE, x, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (dassie_reconstructions_get_input (r, i), sample * sizeof (float), raw, sample * sizeof (float));

      mse = dassie_autoencoder_forward (model, x, 1, NULL, y);
      g_assert_true (mse > 0);
      g_assert_cmpfloat_with_epsilon (r->errors[i], mse, 1e-6 * mse);
      for (gsize p = 0; p < sample; p++)
        g_assert_cmpfloat_with_epsilon (tanh (output[p]), y[p], 1e-5);
    }
}

/* Trains with the training and validation fractions of one data set and checks the objects shown. */
static void
check_split (const char *name,
             double      train_fraction,
             double      validate_fraction,
             const char *part)
{
  g_autofree char *results = g_build_filename (root, name, NULL);
  g_autoptr(DassieConfig) config = small_config (results);
  g_autofree char *run_dir = NULL;
  g_autoptr(DassieReconstructions) r = NULL;
  g_autoptr(GError) error = NULL;

  dassie_config_set_double (config, "data_request.train.data.split_fraction", train_fraction);
  dassie_config_set_double (config, "data_request.validate.data.split_fraction", validate_fraction);
  run_dir = train (config);

  r = dassie_reconstruct (run_dir, NULL, MAX_SHOWN, NULL, &error);
  g_assert_no_error (error);
  assert_matches_forward (run_dir, part, r);
  dassie_remove_tree (results, NULL);
}

static void
test_validation_split (void)
{
  check_split ("results-validation", 0.75, 0.25, "validate");
}

/* Without a validation part the training objects are shown. */
static void
test_train_split (void)
{
  check_split ("results-train", 1.0, 0.0, "train");
}

/* Validation data in a folder of its own: its indices are into that data set, not the training
 * one, even when the caller hands over the training data set. */
static void
test_separate_validation_set (void)
{
  g_autofree char *results = g_build_filename (root, "results-separate", NULL);
  g_autoptr(DassieConfig) config = small_config (results);
  g_autoptr(DassieDataset) train_set = NULL;
  g_autofree char *run_dir = NULL;
  g_autoptr(DassieReconstructions) r = NULL;
  g_autoptr(GError) error = NULL;
  DassieDatasetOptions options;

  dassie_config_set_data_location (config, "validate", other_data_dir);
  dassie_config_set_double (config, "data_request.train.data.split_fraction", 1.0);
  dassie_config_set_double (config, "data_request.validate.data.split_fraction", 1.0);
  run_dir = train (config);

  dassie_dataset_options_init (&options);
  train_set = dassie_dataset_open (data_dir, &options, NULL, &error);
  dassie_dataset_options_clear (&options);
  g_assert_no_error (error);

  r = dassie_reconstruct (run_dir, train_set, MAX_SHOWN, NULL, &error);
  g_assert_no_error (error);
  assert_matches_forward (run_dir, "validate", r);
  dassie_remove_tree (results, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  root = g_dir_make_tmp ("dassie-reconstruction-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (root, "demo", NULL);
  other_data_dir = g_build_filename (root, "demo-other", NULL);
  dassie_test_make_demo (data_dir, N_OBJECTS, SIZE, 5);
  dassie_test_make_demo (other_data_dir, 8, SIZE, 11);

  g_test_add_func ("/core/reconstruction/validation-split", test_validation_split);
  g_test_add_func ("/core/reconstruction/train-split", test_train_split);
  g_test_add_func ("/core/reconstruction/separate-validation-set", test_separate_validation_set);

  status = g_test_run ();
  dassie_remove_tree (root, NULL);
  g_free (root);
  g_free (data_dir);
  g_free (other_data_dir);
  return status;
}
