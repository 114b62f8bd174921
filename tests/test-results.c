/* test-results.c: run folders appear only when complete, and the newest of a verb is found
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "dassie-fileutil.h"
#include "dassie-results.h"

static void
test_begin_commit (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-results-XXXXXX", &error);
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(DassieRun) run = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *base = NULL;
  g_autofree char *latest = NULL;

  run = dassie_run_begin (dir, "train", config, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (dassie_run_get_dir (run), ".incomplete"));
  config_path = dassie_run_build_path (run, "config.json");
  g_assert_true (g_file_test (config_path, G_FILE_TEST_IS_REGULAR));

  /* Not finished: not listed, not the latest. */
  runs = dassie_results_list (dir, "train", FALSE);
  g_assert_cmpuint (runs->len, ==, 0);
  g_clear_pointer (&runs, g_ptr_array_unref);
  g_assert_null (dassie_results_find_latest (dir, "train"));
  runs = dassie_results_list (dir, "train", TRUE);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_false (((DassieRunInfo *) g_ptr_array_index (runs, 0))->complete);
  g_clear_pointer (&runs, g_ptr_array_unref);

  g_assert_true (dassie_run_commit (run, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dassie_run_get_final_dir (run), G_FILE_TEST_IS_DIR));
  base = g_path_get_basename (dassie_run_get_final_dir (run));
  g_assert_true (g_regex_match_simple ("^[0-9]{8}-[0-9]{6}-train-[a-z0-9]{4}$", base, 0, 0));

  latest = dassie_results_find_latest (dir, "train");
  g_assert_cmpstr (latest, ==, dassie_run_get_final_dir (run));
  g_assert_null (dassie_results_find_latest (dir, "infer"));

  dassie_remove_tree (dir, &error);
  g_assert_no_error (error);
}

static void
test_newest_first (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-results-XXXXXX", &error);
  const char *names[] = {
    "20250101-120000-train-aaaa",
    "20260301-080000-train-bbbb",
    "20260201-090000-infer-cccc",
    "20260401-090000-train-dddd.incomplete",
    "not-a-run",
  };
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *latest = NULL;
  DassieRunInfo *info;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_assert_cmpint (g_mkdir (p, 0755), ==, 0);
    }

  runs = dassie_results_list (dir, NULL, FALSE);
  g_assert_cmpuint (runs->len, ==, 3);
  info = g_ptr_array_index (runs, 0);
  g_assert_cmpstr (info->name, ==, "20260301-080000-train-bbbb");
  g_assert_cmpstr (info->verb, ==, "train");
  g_assert_cmpint (g_date_time_get_month (info->time), ==, 3);
  g_assert_cmpstr (((DassieRunInfo *) g_ptr_array_index (runs, 2))->name, ==, "20250101-120000-train-aaaa");

  latest = dassie_results_find_latest (dir, "train");
  g_assert_true (g_str_has_suffix (latest, "20260301-080000-train-bbbb"));

  dassie_remove_tree (dir, &error);
  g_assert_no_error (error);
}

static void
test_discard_and_reopen (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-results-XXXXXX", &error);
  g_autoptr(DassieRun) run = dassie_run_begin (dir, "umap", NULL, &error);
  g_autoptr(DassieRun) again = NULL;
  g_autofree char *incomplete = g_strdup (dassie_run_get_dir (run));

  again = dassie_run_reopen (incomplete, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dassie_run_get_final_dir (again), ==, dassie_run_get_final_dir (run));
  g_assert_null (dassie_run_reopen (dir, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_clear_error (&error);

  dassie_run_discard (run);
  g_assert_false (g_file_test (incomplete, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

static void
test_atomic_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-results-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "a.txt", NULL);
  g_autofree char *contents = NULL;

  g_assert_true (dassie_write_file_atomic (path, "hello", 5, &error));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "hello");

  g_assert_false (dassie_write_file_atomic (missing, "x", 1, &error));
  g_assert_nonnull (strstr (error->message, missing));

  dassie_remove_tree (dir, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/results/begin-commit", test_begin_commit);
  g_test_add_func ("/core/results/newest-first", test_newest_first);
  g_test_add_func ("/core/results/discard-reopen", test_discard_and_reopen);
  g_test_add_func ("/core/results/atomic-write", test_atomic_write);
  return g_test_run ();
}
