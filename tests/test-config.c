/* test-config.c: defaults, overrides, Hyrax's data_request, and the errors that name the key
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "dassie-autoencoder.h"
#include "dassie-config.h"
#include "dassie-optim.h"
#include "dassie-vectors.h"

static void
test_defaults (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();

  g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 20);
  g_assert_cmpint (dassie_config_get_int (config, "data_loader.batch_size"), ==, 32);
  g_assert_cmpint (dassie_config_get_int (config, "model.latent_dim"), ==, 64);
  g_assert_cmpfloat_with_epsilon (dassie_config_get_double (config, "optimizer.lr"), 0.01, 1e-12);
  g_assert_cmpstr (dassie_config_get_string (config, "data_set.transform"), ==, "tanh");
  g_assert_cmpstr (dassie_config_get_string (config, "model.name"), ==, "HyraxAutoencoderV2");
  g_assert_true (dassie_config_get_boolean (config, "data_loader.shuffle"));
}

static void
test_overrides (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dassie_config_set_assignment (config, "train.epochs=3", &error));
  g_assert_no_error (error);
  g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 3);

  /* An integer where a number is expected is a number. */
  g_assert_true (dassie_config_set_from_string (config, "optimizer.lr", "1", &error));
  g_assert_cmpfloat (dassie_config_get_double (config, "optimizer.lr"), ==, 1.0);

  g_assert_true (dassie_config_set_from_string (config, "data_set.transform", "arcsinh", &error));
  g_assert_cmpstr (dassie_config_get_string (config, "data_set.transform"), ==, "arcsinh");

  g_assert_true (dassie_config_set_from_string (config, "data_set.crop_to", "[64, 64]", &error));
  g_assert_no_error (error);
  g_assert_true (dassie_config_set_from_string (config, "data_set.crop_to", "false", &error));
  g_assert_false (dassie_config_set_from_string (config, "data_set.crop_to", "\"big\"", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE);
  g_assert_nonnull (strstr (error->message, "data_set.crop_to"));
  g_clear_error (&error);
}

static void
test_unknown_key (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dassie_config_set_assignment (config, "train.epoch=3", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_nonnull (strstr (error->message, "train.epoch"));
  g_clear_error (&error);

  g_assert_false (dassie_config_merge_json (config, "{\"model\": {\"colour\": 3}}", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_nonnull (strstr (error->message, "model.colour"));
}

static void
test_wrong_type (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dassie_config_set_assignment (config, "train.epochs=twenty", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE);
  g_assert_nonnull (strstr (error->message, "train.epochs"));
  g_assert_nonnull (strstr (error->message, "an integer"));
  g_clear_error (&error);

  g_assert_false (dassie_config_set_assignment (config, "train.epochs=2.5", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE);
  g_clear_error (&error);

  /* A failed merge leaves the configuration as it was. */
  g_assert_false (dassie_config_merge_json (config, "{\"train\": {\"epochs\": 7, \"seed\": \"x\"}}", &error));
  g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 20);
  g_assert_nonnull (strstr (error->message, "train.seed"));
}

/* The seed notebook's data_request, as written there. */
static const char notebook_request[] =
  "{ \"data_request\": {"
  "   \"train\": { \"data\": { \"dataset_class\": \"HSCDataSet\", \"data_location\": \"./hsc_8asec_1000\","
  "                          \"primary_id_field\": \"object_id\", \"split_fraction\": 0.8 } },"
  "   \"validate\": { \"data\": { \"dataset_class\": \"HSCDataSet\", \"data_location\": \"./hsc_8asec_1000\","
  "                             \"primary_id_field\": \"object_id\", \"split_fraction\": 0.2 } },"
  "   \"infer\": { \"data\": { \"dataset_class\": \"HSCDataSet\", \"data_location\": \"./hsc_8asec_1000\","
  "                          \"primary_id_field\": \"object_id\" } } } }";

static void
test_data_request (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) train = NULL;
  g_autoptr(GPtrArray) infer = NULL;
  g_autoptr(GPtrArray) flat = NULL;
  DassieDataRequest *req;

  g_assert_true (dassie_config_merge_json (config, notebook_request, &error));
  g_assert_no_error (error);

  train = dassie_config_get_data_requests (config, "train");
  g_assert_cmpuint (train->len, ==, 1);
  req = g_ptr_array_index (train, 0);
  g_assert_cmpstr (req->name, ==, "data");
  g_assert_cmpstr (req->dataset_class, ==, "HSCDataSet");
  g_assert_cmpstr (req->data_location, ==, "./hsc_8asec_1000");
  g_assert_cmpfloat_with_epsilon (req->split_fraction, 0.8, 1e-12);

  infer = dassie_config_get_data_requests (config, "infer");
  g_assert_cmpuint (infer->len, ==, 1);
  g_assert_cmpfloat (((DassieDataRequest *) g_ptr_array_index (infer, 0))->split_fraction, <, 0);

  dassie_config_set_data_location (config, NULL, "/data/hsc");
  g_clear_pointer (&train, g_ptr_array_unref);
  train = dassie_config_get_data_requests (config, "validate");
  g_assert_cmpstr (((DassieDataRequest *) g_ptr_array_index (train, 0))->data_location, ==, "/data/hsc");

  /* A group may also be one entry without a name level. */
  g_assert_true (dassie_config_merge_json (config,
    "{\"data_request\": {\"infer\": {\"dataset_class\": \"HSCDataSet\", \"data_location\": \"/x\"}}}", &error));
  flat = dassie_config_get_data_requests (config, "infer");
  g_assert_cmpuint (flat->len, ==, 1);
  g_assert_cmpstr (((DassieDataRequest *) g_ptr_array_index (flat, 0))->data_location, ==, "/x");

  /* A bad split fraction names its key. */
  g_assert_false (dassie_config_merge_json (config,
    "{\"data_request\": {\"train\": {\"data\": {\"split_fraction\": \"most\"}}}}", &error));
  g_assert_nonnull (strstr (error->message, "data_request.train.data.split_fraction"));
}

static void
test_round_trip (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(DassieConfig) back = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-config-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (dassie_config_set_assignment (config, "train.epochs=7", &error));
  g_assert_true (dassie_config_set_assignment (config, "general.results_dir=/tmp/r", &error));
  /* json-glib alone writes small numbers in a form it cannot read back. */
  g_assert_true (dassie_config_set_assignment (config, "optimizer.lr=1e-5", &error));
  g_assert_true (dassie_config_save_file (config, path, &error));
  g_assert_no_error (error);
  g_assert_true (dassie_config_load_file (back, path, &error));
  g_assert_cmpint (dassie_config_get_int (back, "train.epochs"), ==, 7);
  g_assert_cmpstr (dassie_config_get_string (back, "general.results_dir"), ==, "/tmp/r");
  g_assert_cmpfloat_with_epsilon (dassie_config_get_double (back, "optimizer.lr"), 1e-5, 1e-15);
  a = dassie_config_to_json (config);
  b = dassie_config_to_json (back);
  g_assert_cmpstr (a, ==, b);

  /* A file that is not JSON names the file. */
  g_assert_true (g_file_set_contents (path, "{ not json", -1, &error));
  g_assert_false (dassie_config_load_file (back, path, &error));
  g_assert_nonnull (strstr (error->message, path));

  g_unlink (path);
  g_rmdir (dir);
}

/* An empty or blank -c file is an error that names the file, not a crash. */
static void
test_empty_file (void)
{
  static const char *contents[] = { "", "  \n\t\r\n" };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-config-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "empty.json", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      g_autoptr(DassieConfig) config = dassie_config_new ();

      g_assert_true (g_file_set_contents (path, contents[i], -1, &error));
      g_assert_false (dassie_config_load_file (config, path, &error));
      g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, "empty"));
      g_clear_error (&error);
      g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 20);
    }

  g_unlink (path);
  g_rmdir (dir);
}

/* json-glib reads 99999999999999999999 as -1: such integers are refused, by the key's bound. */
static void
test_integer_overflow (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dassie_config_set_assignment (config, "train.epochs=99999999999999999999", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "“train.epochs” must be at most 100000"));
  g_assert_nonnull (strstr (error->message, "99999999999999999999"));
  g_clear_error (&error);
  g_assert_false (dassie_config_set_assignment (config, "scores.k=-99999999999999999999", &error));
  g_assert_nonnull (strstr (error->message, "at least 1"));
  g_clear_error (&error);
  /* A seed has no bound of its own, only the integers'. */
  g_assert_false (dassie_config_set_assignment (config, "umap.seed=18446744073709551616", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "umap.seed"));
  g_assert_nonnull (strstr (error->message, "9223372036854775807"));
  g_clear_error (&error);
  g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 20);
  g_assert_cmpint (dassie_config_get_int (config, "umap.seed"), ==, 42);
  /* Where a number belongs, such digits are a (large) number. */
  g_assert_true (dassie_config_set_assignment (config, "optimizer.weight_decay=99999999999999999999", &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (dassie_config_get_double (config, "optimizer.weight_decay"), ==, 1e20);

  /* The same in a file; digits inside a string are a string's business. */
  g_assert_false (dassie_config_merge_json (config, "{\"train\": {\n\"epochs\": 99999999999999999999}}", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "99999999999999999999"));
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 20);
  g_assert_true (dassie_config_merge_json (config, "{\"general\": {\"results_dir\": \"/r/99999999999999999999\"},"
                                                   " \"train\": {\"epochs\": 9}}", &error));
  g_assert_no_error (error);
  g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 9);
  g_assert_true (dassie_config_set_assignment (config, "data_request.infer.data.data_location=/d/99999999999999999999", &error));
  g_assert_no_error (error);
}

/* Values that would make a loop endless or a size meaningless are refused with the key and its range. */
static void
test_bounds (void)
{
  static const struct { const char *assignment; const char *says; } refused[] = {
    { "umap.negative_sample_rate=0", "at least 1" },
    { "umap.n_neighbors=1", "at least 2" },
    { "umap.n_epochs=-1", "at least 0" },
    { "umap.learning_rate=0", "greater than 0" },
    { "umap.spread=0", "greater than 0" },
    { "umap.min_dist=-0.5", "at least 0" },
    { "train.epochs=0", "at least 1" },
    { "train.epochs=100001", "at most 100000" },
    { "data_loader.batch_size=0", "at least 1" },
    { "infer.batch_size=0", "at least 1" },
    { "scores.k=0", "at least 1" },
    { "scores.hnsw_ef=0", "at least 1" },
    { "model.latent_dim=0", "at least 1" },
    { "model.base_channel_size=0", "at least 1" },
    { "optimizer.lr=0", "greater than 0" },
    { "optimizer.lr=-0.01", "greater than 0" },
    { "optimizer.momentum=1", "less than 1" },
    { "optimizer.eps=0", "greater than 0" },
    { "general.threads=-1", "at least 0" },
    { "download.stall_timeout=0", "at least 1" },
    { "download.retries=-1", "at least 0" },
    { "download.max_unpacked_bytes=0", "at least 1" },
  };
  static const char *accepted[] = {
    "umap.negative_sample_rate=1", "umap.n_epochs=0", "train.epochs=100000", "general.threads=0",
    "optimizer.momentum=0.99", "umap.min_dist=0", "download.retries=0", "train.seed=-7",
  };
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *key = g_strndup (refused[i].assignment, strchr (refused[i].assignment, '=') - refused[i].assignment);
      g_autofree char *before = dassie_config_get_as_string (config, key);
      g_autofree char *after = NULL;

      g_test_message ("%s", refused[i].assignment);
      g_assert_false (dassie_config_set_assignment (config, refused[i].assignment, &error));
      g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, key));
      g_assert_nonnull (strstr (error->message, refused[i].says));
      g_clear_error (&error);
      after = dassie_config_get_as_string (config, key);
      g_assert_cmpstr (after, ==, before);
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_assert_true (dassie_config_set_assignment (config, accepted[i], &error));
      g_assert_no_error (error);
    }

  /* The same rules for a file, and for a number too large for a double. */
  g_assert_false (dassie_config_merge_json (config, "{\"umap\": {\"negative_sample_rate\": 0}}", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "umap.negative_sample_rate"));
  g_clear_error (&error);
  g_assert_false (dassie_config_merge_json (config, "{\"umap\": {\"learning_rate\": 1e999}}", &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "umap.learning_rate"));
  g_clear_error (&error);
  g_assert_cmpint (dassie_config_get_int (config, "umap.negative_sample_rate"), ==, 1);
}

static gpointer
make_configs (gpointer data)
{
  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr(DassieConfig) config = dassie_config_new ();
      g_autoptr(DassieConfig) copy = dassie_config_copy (config);

      dassie_config_set_int (copy, "train.epochs", i + 1);
    }
  return NULL;
}

/* Every thread makes configurations from the same defaults (the app's workers do): none may share
 * reference-counted parts of the defaults, whose counts are not atomic. */
static void
test_threads (void)
{
  GThread *threads[4];
  g_autoptr(DassieConfig) config = NULL;

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("config", make_configs, NULL);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);

  config = dassie_config_new ();
  g_assert_cmpint (dassie_config_get_int (config, "train.epochs"), ==, 20);
  g_assert_cmpfloat (dassie_config_get_double (config, "optimizer.lr"), ==, 0.01);
  g_assert_cmpstr (dassie_config_get_string (config, "model.final_layer"), ==, "tanh");
}

/* The name lists the pages offer are the names the core reads back, in the core's order. */
static void
test_name_lists (void)
{
  const char *metrics[] = { "sqeuclidean", "euclidean", "cosine", NULL };
  const char *finals[] = { "tanh", "sigmoid", "arcsinh", "identity", NULL };
  const char *optimizers[] = { "SGD", "Adam", NULL };
  const char * const *names;
  guint i;

  names = dassie_metric_names ();
  g_assert_cmpstrv (names, metrics);
  for (i = 0; names[i] != NULL; i++)
    {
      DassieMetric metric = 99;

      g_assert_true (dassie_metric_from_string (names[i], &metric));
      g_assert_cmpint (metric, ==, i);
      g_assert_cmpstr (dassie_metric_to_string (metric), ==, names[i]);
      g_assert_nonnull (dassie_metric_get_label (metric));
      g_assert_cmpstr (dassie_metric_get_label (metric), !=, names[i]);
    }
  g_assert_cmpstr (dassie_metric_get_label (DASSIE_METRIC_SQEUCLIDEAN), ==, "Squared Euclidean");

  names = dassie_autoencoder_final_layer_names ();
  g_assert_cmpstrv (names, finals);
  for (i = 0; names[i] != NULL; i++)
    {
      g_autoptr(DassieConfig) config = dassie_config_new ();
      DassieAutoencoderConfig model = { 0 };
      g_autoptr(GError) error = NULL;

      dassie_config_set_string (config, "model.final_layer", names[i]);
      g_assert_true (dassie_autoencoder_config_from_config (&model, config, &error));
      g_assert_no_error (error);
    }

  names = dassie_optimizer_names ();
  g_assert_cmpstrv (names, optimizers);
  for (i = 0; names[i] != NULL; i++)
    {
      g_autoptr(DassieConfig) config = dassie_config_new ();
      DassieOptimizerParams params = { 0 };
      g_autoptr(GError) error = NULL;

      dassie_config_set_string (config, "optimizer.name", names[i]);
      g_assert_true (dassie_optimizer_params_from_config (&params, config, &error));
      g_assert_no_error (error);
      g_assert_cmpint (params.kind, ==, i);
      g_assert_cmpstr (dassie_optimizer_kind_to_string (params.kind), ==, names[i]);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/config/defaults", test_defaults);
  g_test_add_func ("/core/config/overrides", test_overrides);
  g_test_add_func ("/core/config/unknown-key", test_unknown_key);
  g_test_add_func ("/core/config/wrong-type", test_wrong_type);
  g_test_add_func ("/core/config/data-request", test_data_request);
  g_test_add_func ("/core/config/round-trip", test_round_trip);
  g_test_add_func ("/core/config/threads", test_threads);
  g_test_add_func ("/core/config/empty-file", test_empty_file);
  g_test_add_func ("/core/config/integer-overflow", test_integer_overflow);
  g_test_add_func ("/core/config/name-lists", test_name_lists);
  g_test_add_func ("/core/config/bounds", test_bounds);
  return g_test_run ();
}
