/* test-gui-infer.c: the real window under Xvfb: latent vectors, scores and the map through the
 * window's actions, "Run Everything", and the Explore stage becoming available
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "dassie-results.h"
#include "dassie-run-summary.h"
#include "dassie-scores.h"
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

static gboolean
chain_over (gpointer window)
{
  return dassie_infer_page_get_job (dassie_window_get_infer_page (window)) == NULL &&
         g_strcmp0 (dassie_infer_page_get_step_state (dassie_window_get_infer_page (window), "umap"), "running") != 0;
}

static gboolean
final_map_shown (gpointer window)
{
  DassieInferPage *page = dassie_window_get_infer_page (window);
  g_autofree char *base = g_path_get_basename (dassie_session_get_run (dassie_window_get_session (window), "umap"));

  /* The map read back from the finished run, titled with its name. */
  return strstr (dassie_infer_page_get_map_title (page), base) != NULL &&
         dassie_embedding_view_get_n_points (dassie_infer_page_get_map_view (page)) > 0;
}

/* The finished map is coloured by each object's own score: embedding.fits and scores.fits matched
 * by id with a plain loop (in the chain both list the latents in the same order). */
static void
check_map_colours (DassieEmbeddingView *map,
                   const char          *scores_run,
                   const char          *umap_run)
{
  g_autofree char *path = g_build_filename (umap_run, "embedding.fits", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieScores) scores = dassie_scores_read (scores_run, &error);
  g_auto(GStrv) ids = NULL;
  g_autofree float *xy = NULL;
  guint n = 0, dim = 0;
  const float *values = dassie_embedding_view_get_values (map);

  g_assert_no_error (error);
  g_assert_true (dassie_table_read_vectors (path, "UMAP", &ids, &n, &xy, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_embedding_view_get_n_points (map), ==, n);
  g_assert_nonnull (values);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < scores->n_rows; j++)
      if (g_str_equal (ids[i], scores->ids[j]))
        g_assert_cmpfloat (values[i], ==, scores->score != NULL ? scores->score[j] : scores->knn_median[j]);
  /* The map is coloured by SCORE, the score every view ranks by. */
  g_assert_nonnull (scores->score);
}

/* The median of the 5 smallest squared distances to the other objects, by a plain double loop. */
static void
check_scores (const char *infer_run,
              const char *scores_run)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *table = g_build_filename (infer_run, "latents.fits", NULL);
  g_auto(GStrv) ids = NULL;
  g_autofree float *latents = NULL;
  g_autoptr(DassieScores) scores = NULL;
  guint n, dim;

  g_assert_true (dassie_table_read_vectors (table, "LATENT", &ids, &n, &latents, &dim, &error));
  g_assert_no_error (error);
  scores = dassie_scores_read (scores_run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scores->n_rows, ==, n);
  g_assert_cmpuint (scores->k, ==, 5);

  for (guint i = 0; i < n; i++)
    {
      double nearest[5] = { INFINITY, INFINITY, INFINITY, INFINITY, INFINITY };

      g_assert_cmpstr (scores->ids[i], ==, ids[i]);
      for (guint j = 0; j < n; j++)
        {
          double d = 0;

          if (j == i)
            continue;
          for (guint c = 0; c < dim; c++)
            {
              double e = (double) latents[i * dim + c] - latents[j * dim + c];
              d += e * e;
            }
          /* Insert into the sorted five. */
          for (int k = 4; k >= 0 && d < nearest[k]; k--)
            {
              if (k < 4)
                nearest[k + 1] = nearest[k];
              nearest[k] = d;
            }
        }
      g_assert_cmpfloat_with_epsilon (scores->knn_median[i], nearest[2], 1e-4 * MAX (nearest[2], 1e-3));
    }
}

/* Infer, score and map as one chain: each step's run in the session, the map animated, and the
 * Explore stage available at the end. A step re-run alone keeps the others. */
static void
test_chain (void)
{
  /* Enough objects for UMAP to take a few frames. */
  g_autofree char *data = dassie_test_pages_make_data ("medium", 300, 24);
  DassieWindow *window = dassie_test_pages_new_window (data, 1);
  DassieInferPage *page = dassie_window_get_infer_page (window);
  DassieSession *session = dassie_window_get_session (window);
  DassieEmbeddingView *map = dassie_infer_page_get_map_view (page);
  g_autoptr(DassieRunSummary) umap_summary = NULL;
  g_autofree char *first_scores = NULL;
  g_autofree char *umap = NULL;

  train_first (window);
  g_assert_false (dassie_session_get_explore_ready (session));
  /* Not yet: the Explore stage is not available. */
  dassie_window_set_page (window, "infer");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.explore", NULL);
  g_assert_cmpstr (dassie_window_get_page (window), ==, "infer");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.infer", NULL);
  g_assert_cmpstr (dassie_window_get_page (window), ==, "infer");
  g_assert_true (dassie_test_wait_for (chain_over, window, 120));
  g_assert_false (dassie_error_banner_is_shown (dassie_infer_page_get_banner (page)));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (dassie_infer_page_get_step_state (page, (const char *[]) { "infer", "scores", "umap" }[i]), ==, "done");

  /* The chain's runs: scores and map of these latents, and the Explore stage is available. */
  g_assert_nonnull (dassie_session_get_run (session, "infer"));
  g_assert_nonnull (dassie_session_get_run (session, "scores"));
  g_assert_nonnull (dassie_session_get_run (session, "umap"));
  umap_summary = dassie_run_summary_read (dassie_session_get_run (session, "umap"));
  g_assert_cmpstr (umap_summary->input_run, ==, dassie_session_get_run (session, "infer"));
  check_scores (dassie_session_get_run (session, "infer"), dassie_session_get_run (session, "scores"));
  g_assert_true (dassie_session_get_explore_ready (session));

  /* The map moved while UMAP optimised it, and shows every object. */
  g_assert_true (dassie_test_wait_for (final_map_shown, window, 10));
  g_assert_cmpuint (dassie_embedding_view_get_n_points (map), ==, 300);
  /* Frames while it was optimised, then the finished map. */
  g_test_message ("the map was drawn %u times", dassie_embedding_view_get_n_updates (map));
  g_assert_cmpuint (dassie_embedding_view_get_n_updates (map), >=, 3);
  dassie_test_save_screenshot (GTK_WIDGET (window), "infer-page-done");
  check_map_colours (map, dassie_session_get_run (session, "scores"), dassie_session_get_run (session, "umap"));

  /* Scores again, alone: a new scores run; the map and the latents stay. */
  first_scores = g_strdup (dassie_session_get_run (session, "scores"));
  umap = g_strdup (dassie_session_get_run (session, "umap"));
  g_usleep (G_USEC_PER_SEC);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-step", "s", "scores");
  g_assert_nonnull (dassie_infer_page_get_job (page));
  g_assert_true (dassie_test_wait_for (dassie_test_inference_over, window, 60));
  g_assert_nonnull (dassie_session_get_run (session, "scores"));
  g_assert_cmpstr (dassie_session_get_run (session, "scores"), !=, first_scores);
  g_assert_cmpstr (dassie_session_get_run (session, "umap"), ==, umap);
  g_assert_true (dassie_session_get_explore_ready (session));

  g_assert_true (dassie_test_wait_for (dassie_test_runs_listed, dassie_infer_page_get_run_list (page), 10));
  dassie_test_save_screenshot (GTK_WIDGET (dassie_infer_page_get_run_list (page)), "infer-runs");

  /* Now the Explore stage opens. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.explore", NULL);
  g_assert_cmpstr (dassie_window_get_page (window), ==, "explore");

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  DassieWindow *window;
  guint         n_jobs;
  guint         n_in_job_bar;
} JobWatch;

/* Runs after the window's own handler. */
static void
on_job_started (DassieInferPage *page,
                DassieJob       *job,
                JobWatch        *watch)
{
  watch->n_jobs++;
  if (dassie_window_get_job (watch->window) == job)
    watch->n_in_job_bar++;
}

/* The pages hand their jobs to the window, which shows each one in its job bar: the training, and
 * every step of a chain, the ones the Infer page starts on its own included. */
static void
test_job_bar (void)
{
  DassieWindow *window = dassie_test_pages_new_window (dassie_test_pages_small_data (), 1);
  DassieInferPage *page = dassie_window_get_infer_page (window);
  JobWatch watch = { window, 0, 0 };

  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  g_assert_nonnull (dassie_train_page_get_job (dassie_window_get_train_page (window)));
  g_assert_true (dassie_window_get_job (window) == dassie_train_page_get_job (dassie_window_get_train_page (window)));
  g_assert_true (dassie_test_wait_for (dassie_test_training_over, window, 60));

  g_signal_connect (page, "job-started", G_CALLBACK (on_job_started), &watch);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.infer", NULL);
  g_assert_true (dassie_window_get_job (window) == dassie_infer_page_get_job (page));
  g_assert_true (dassie_test_wait_for (chain_over, window, 120));
  g_signal_handlers_disconnect_by_data (page, &watch);
  g_assert_cmpstr (dassie_infer_page_get_step_state (page, "umap"), ==, "done");
  g_assert_cmpuint (watch.n_jobs, ==, 3);
  g_assert_cmpuint (watch.n_in_job_bar, ==, 3);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
on_explore_page (gpointer window)
{
  return g_strcmp0 (dassie_window_get_page (window), "explore") == 0 ||
         (dassie_train_page_get_job (dassie_window_get_train_page (window)) == NULL &&
          dassie_infer_page_get_job (dassie_window_get_infer_page (window)) == NULL &&
          dassie_error_banner_is_shown (dassie_infer_page_get_banner (dassie_window_get_infer_page (window))));
}

/* One action from a loaded data set to the Explore page. */
static void
test_run_all (void)
{
  DassieWindow *window = dassie_test_pages_new_window (dassie_test_pages_small_data (), 2);
  DassieSession *session = dassie_window_get_session (window);

  g_assert_false (dassie_session_get_explore_ready (session));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-all", NULL);
  g_assert_cmpstr (dassie_window_get_page (window), ==, "train");
  g_assert_true (dassie_test_wait_for (on_explore_page, window, 180));
  g_assert_cmpstr (dassie_window_get_page (window), ==, "explore");
  g_assert_true (dassie_session_get_explore_ready (session));
  g_assert_nonnull (dassie_session_get_run (session, "train"));
  g_assert_nonnull (dassie_session_get_run (session, "infer"));
  {
    g_autoptr(DassieRunSummary) infer = dassie_run_summary_read (dassie_session_get_run (session, "infer"));
    g_assert_cmpstr (infer->input_run, ==, dassie_session_get_run (session, "train"));
  }

  dassie_window_set_page (window, "train");
  dassie_test_save_screenshot (GTK_WIDGET (window), "train-page-after-run-all");
  dassie_window_set_page (window, "infer");
  dassie_test_save_screenshot (GTK_WIDGET (window), "infer-page-after-run-all");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* With no data set open, Run Everything starts from the demo data (here a small one made beforehand
 * where Dassie keeps the demo) and ends on the Explore page. */
static void
test_run_all_from_nothing (void)
{
  g_autofree char *demo_parent = g_build_filename (dassie_test_pages_home (), "dassie", NULL);
  g_autofree char *demo = NULL;
  g_autofree char *results = g_build_filename (dassie_test_pages_home (), "from-nothing", NULL);
  g_autoptr(DassieConfig) config = NULL;
  DassieWindow *window;
  DassieSession *session;

  g_assert_cmpint (g_mkdir_with_parents (demo_parent, 0755), ==, 0);
  demo = dassie_test_pages_make_data ("dassie/demo", 48, 32);

  window = dassie_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  session = dassie_window_get_session (window);
  dassie_session_set_results_dir (session, results);
  config = dassie_train_page_build_config (dassie_window_get_train_page (window));
  dassie_config_set_int (config, "train.epochs", 1);
  dassie_config_set_int (config, "model.base_channel_size", 8);
  dassie_config_set_int (config, "model.latent_dim", 16);
  dassie_train_page_apply_config (dassie_window_get_train_page (window), config);
  g_assert_cmpstr (dassie_data_page_get_state (dassie_window_get_data_page (window)), ==, "empty");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-all", NULL);
  g_assert_true (dassie_test_wait_for (on_explore_page, window, 180));
  g_assert_cmpstr (dassie_window_get_page (window), ==, "explore");
  g_assert_cmpstr (dassie_session_get_data_folder (session), ==, demo);
  g_assert_true (dassie_session_get_explore_ready (session));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int status;

  dassie_test_pages_init (&argc, &argv);
  g_test_add_func ("/gui/infer/infer", test_infer);
  g_test_add_func ("/gui/infer/chain", test_chain);
  g_test_add_func ("/gui/infer/job-bar", test_job_bar);
  g_test_add_func ("/gui/infer/run-all", test_run_all);
  g_test_add_func ("/gui/infer/run-all-from-nothing", test_run_all_from_nothing);
  status = g_test_run ();
  dassie_test_pages_cleanup ();
  return status;
}
