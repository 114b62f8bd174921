/* test-cli-pipeline.c: "dassie-cli pipeline" runs every verb in order and writes its report
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "dassie-config.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-results.h"
#include "dassie-scores.h"
#include "dassie-table.h"

static void
assert_png (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
}

/* Every data location in @config_path is @data, absolute. */
static void
assert_data_absolute (const char *config_path,
                      const char *data)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  guint found = 0;

  g_assert_true (dassie_config_load_file (config, config_path, &error));
  g_assert_no_error (error);
  for (guint g = 0; g < 2; g++)
    {
      g_autoptr(GPtrArray) requests = dassie_config_get_data_requests (config, g == 0 ? "train" : "infer");

      for (guint i = 0; i < requests->len; i++)
        {
          const char *location = ((DassieDataRequest *) g_ptr_array_index (requests, i))->data_location;

          g_assert_true (g_path_is_absolute (location));
          g_assert_cmpstr (location, ==, data);
          found++;
        }
    }
  g_assert_cmpuint (found, >, 0);
}

static void
test_pipeline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("dassie-pipeline-XXXXXX", &error);
  g_autofree char *data = g_build_filename (work, "data", NULL);
  g_autofree char *results = g_build_filename (work, "results", NULL);
  g_autofree char *report = g_build_filename (work, "report", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(DassieScores) scores = NULL;
  g_auto(GStrv) umap_ids = NULL;
  g_autofree float *xy = NULL;
  g_autofree char *scores_file = NULL;
  g_autofree char *umap_file = NULL;
  g_autofree char *latest = NULL;
  DassieDemoOptions options;
  JsonObject *obj;
  guint n = 0, dim = 0;
  int status = 0;
  /* --data relative to the working folder. */
  const char *argv[] = {
    g_getenv ("DASSIE_CLI"), "pipeline", "--data", "data", "--results", results, "--report", report, "--json",
    "--quiet", "--set", "train.epochs=2", "--set", "data_loader.batch_size=8", "--set", "umap.n_epochs=50", NULL
  };

  dassie_demo_options_init (&options);
  options.n_objects = 48;
  options.size = 32;
  g_assert_true (dassie_demo_generate (data, &options, NULL, NULL, NULL, &error));

  g_assert_true (g_spawn_sync (work, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("pipeline failed: %s", err);

  root = json_from_string (out, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (root);

  /* Each verb wrote a complete run folder of its own, with its files. */
  for (guint i = 0; i < 4; i++)
    {
      const char *verb = (const char *[]) { "train", "infer", "scores", "umap" }[i];
      const char *dir = json_object_get_string_member (obj, verb);
      g_autoptr(DassieRunInfo) info = dassie_run_info_parse (dir);
      g_autofree char *config = g_build_filename (dir, "config.json", NULL);

      g_assert_nonnull (info);
      g_assert_cmpstr (info->verb, ==, verb);
      g_assert_true (info->complete);
      g_assert_true (g_file_test (config, G_FILE_TEST_IS_REGULAR));
      assert_data_absolute (config, data);
    }
  /* Recommended by default, with the mean image's loss to compare the model with. */
  g_assert_cmpstr (json_object_get_string_member (obj, "preset"), ==, "recommended");
  g_assert_cmpfloat (json_object_get_double_member (obj, "baseline_loss"), >, 0);
  /* Scores and map record the same latent vectors, those of the infer run. */
  {
    g_autofree char *scores_input = NULL, *scores_sum = NULL, *umap_input = NULL, *umap_sum = NULL;
    g_autofree char *latents = g_build_filename (json_object_get_string_member (obj, "infer"), "latents.fits", NULL);

    g_assert_true (dassie_run_read_input (json_object_get_string_member (obj, "scores"), &scores_input, &scores_sum));
    g_assert_true (dassie_run_read_input (json_object_get_string_member (obj, "umap"), &umap_input, &umap_sum));
    g_assert_cmpstr (scores_input, ==, latents);
    g_assert_cmpstr (umap_input, ==, latents);
    g_assert_nonnull (scores_sum);
    g_assert_cmpuint (strlen (scores_sum), ==, 64);
    g_assert_cmpstr (scores_sum, ==, umap_sum);
  }
  latest = dassie_results_find_latest (results, "umap");
  g_assert_cmpstr (latest, ==, json_object_get_string_member (obj, "umap"));

  /* Scores and the map cover the same 48 objects. */
  scores_file = g_build_filename (json_object_get_string_member (obj, "scores"), "scores.fits", NULL);
  scores = dassie_scores_read (scores_file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scores->n_rows, ==, 48);
  umap_file = g_build_filename (json_object_get_string_member (obj, "umap"), "embedding.fits", NULL);
  g_assert_true (dassie_table_read_vectors (umap_file, "UMAP", &umap_ids, &n, &xy, &dim, &error));
  g_assert_cmpuint (n, ==, 48);
  g_assert_cmpuint (dim, ==, 2);

  assert_png (report, "histogram.png");
  assert_png (report, "umap.png");
  assert_png (report, "normal.png");
  assert_png (report, "anomalous.png");
  assert_png (report, "loss.png");

  dassie_remove_tree (work, NULL);
}

static void
test_bad_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("dassie-pipeline-XXXXXX", &error);
  g_autofree char *results = g_build_filename (work, "results", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { g_getenv ("DASSIE_CLI"), "pipeline", "--data", work, "--results", results, "--quiet", NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  /* The error names the folder, and no run folder looks finished. */
  g_assert_nonnull (strstr (err, work));
  g_assert_null (dassie_results_find_latest (results, "train"));

  dassie_remove_tree (work, NULL);
}

/* Too few objects for scores.k or umap.n_neighbors is said before training, naming the key and the size. */
static void
test_too_few_objects (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("dassie-pipeline-XXXXXX", &error);
  g_autofree char *data = g_build_filename (work, "data", NULL);
  g_autofree char *results = g_build_filename (work, "results", NULL);
  DassieDemoOptions options;

  dassie_demo_options_init (&options);
  options.n_objects = 8;
  options.size = 16;
  g_assert_true (dassie_demo_generate (data, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 2; i++)
    {
      const char *key = i == 0 ? "scores.k" : "umap.n_neighbors";
      g_autofree char *set_k = g_strdup (i == 0 ? "scores.k=8" : "scores.k=3");
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = 0;
      const char *argv[] = { g_getenv ("DASSIE_CLI"), "pipeline", "--data", data, "--results", results, "--quiet",
                             "--set", set_k, "--set", "umap.n_neighbors=15", NULL };

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error));
      g_assert_false (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (err, key));
      g_assert_nonnull (strstr (err, " 8 objects"));
      g_assert_nonnull (strstr (err, data));
      {
        g_autoptr(GPtrArray) runs = dassie_results_list (results, "train", TRUE);

        g_assert_cmpuint (runs->len, ==, 0);
      }
    }

  dassie_remove_tree (work, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/cli/pipeline", test_pipeline);
  g_test_add_func ("/core/cli/pipeline-bad-data", test_bad_data);
  g_test_add_func ("/core/cli/pipeline-too-few-objects", test_too_few_objects);
  return g_test_run ();
}
