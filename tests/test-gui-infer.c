/* test-gui-infer.c: the real window under Xvfb: latent vectors, scores and the map through the
 * window's actions, "Run Everything", and the Explore stage becoming available
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "dassie-results.h"
#include "dassie-run-summary.h"
#include "dassie-table.h"
#include "dassie-test-gui.h"
#include "dassie-test-pages.h"

static void
train_first (DassieWindow *window)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  g_assert_true (dassie_test_wait_for (dassie_test_training_over, window, 60));
  g_assert_nonnull (dassie_session_get_run (dassie_window_get_session (window), "train"));
}

/* The latents of every object, in data set order, from the session's train run. */
static void
test_infer (void)
{
  DassieWindow *window = dassie_test_pages_new_window (dassie_test_pages_small_data (), 1);
  DassieInferPage *page = dassie_window_get_infer_page (window);
  DassieSession *session = dassie_window_get_session (window);
  DassieDataset *dataset = dassie_session_get_dataset (session);
  g_autoptr(DassieRunSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree float *latents = NULL;
  g_autofree char *table = NULL;
  guint n_rows, dim;
  const char *run;

  g_assert_nonnull (dataset);
  g_assert_cmpstr (dassie_infer_page_get_step_state (page, "infer"), ==, "todo");

  /* Without a model the page says to train one. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-step", "s", "infer");
  g_assert_null (dassie_infer_page_get_job (page));
  g_assert_true (dassie_error_banner_is_shown (dassie_infer_page_get_banner (page)));
  g_assert_cmpstr (dassie_error_banner_get_title (dassie_infer_page_get_banner (page)), ==, "No Trained Model");

  train_first (window);
  g_assert_cmpstr (dassie_infer_page_get_model_run (page), ==, dassie_session_get_run (session, "train"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-step", "s", "infer");
  g_assert_cmpstr (dassie_window_get_page (window), ==, "infer");
  g_assert_nonnull (dassie_infer_page_get_job (page));
  g_assert_cmpstr (dassie_infer_page_get_step_state (page, "infer"), ==, "running");
  g_assert_true (dassie_test_wait_for (dassie_test_inference_over, window, 60));
  g_assert_false (dassie_error_banner_is_shown (dassie_infer_page_get_banner (page)));
  g_assert_cmpstr (dassie_infer_page_get_step_state (page, "infer"), ==, "done");

  run = dassie_session_get_run (session, "infer");
  g_assert_nonnull (run);
  summary = dassie_run_summary_read (run);
  g_assert_cmpstr (summary->input_run, ==, dassie_session_get_run (session, "train"));
  table = g_build_filename (run, "latents.fits", NULL);
  g_assert_true (dassie_table_read_vectors (table, "LATENT", &ids, &n_rows, &latents, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, dassie_dataset_get_n_objects (dataset));
  g_assert_cmpuint (dim, ==, 16);
  for (guint i = 0; i < n_rows; i++)
    g_assert_cmpstr (ids[i], ==, dassie_dataset_get_object_id (dataset, i));

  /* The infer run appears in the page's list of runs. */
  g_assert_true (dassie_test_wait_for (dassie_test_runs_listed, dassie_infer_page_get_run_list (page), 10));
  g_assert_cmpuint (dassie_run_list_get_n_runs (dassie_infer_page_get_run_list (page)), >=, 1);
  g_assert_cmpstr (dassie_run_list_get_run_path (dassie_infer_page_get_run_list (page), 0), ==, run);

  dassie_test_save_screenshot (GTK_WIDGET (window), "infer-page");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int status;

  dassie_test_pages_init (&argc, &argv);
  g_test_add_func ("/gui/infer/infer", test_infer);
  status = g_test_run ();
  dassie_test_pages_cleanup ();
  return status;
}
