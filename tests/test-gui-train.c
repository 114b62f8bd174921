/* test-gui-train.c: the real window under Xvfb: training through the window's actions, live loss,
 * runs, cancel and resume, errors, and a main loop that keeps turning
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-results.h"
#include "dassie-run-summary.h"
#include "dassie-test-gui.h"
#include "dassie-window.h"

static char *data_home;
static char *small_data;

static gboolean
data_settled (gpointer user_data)
{
  const char *state = dassie_data_page_get_state (dassie_window_get_data_page (user_data));

  return g_strcmp0 (state, "loaded") == 0 || g_strcmp0 (state, "error") == 0;
}

static gboolean
training_over (gpointer user_data)
{
  return dassie_train_page_get_job (dassie_window_get_train_page (user_data)) == NULL;
}

static gboolean
runs_listed (gpointer user_data)
{
  return !dassie_run_list_get_loading (dassie_train_page_get_run_list (dassie_window_get_train_page (user_data)));
}

static gboolean
has_validation_point (gpointer user_data)
{
  DassieTrainPage *page = dassie_window_get_train_page (user_data);

  return dassie_loss_chart_get_n_validation (dassie_train_page_get_chart (page)) >= 1 ||
         dassie_train_page_get_job (page) == NULL;
}

static char *
new_results_dir (void)
{
  g_autofree char *name = g_strdup_printf ("results-%d", g_random_int_range (0, G_MAXINT));

  return g_build_filename (data_home, name, NULL);
}

/* A window on @data with its results in a fresh folder, and the given number of epochs. */
static DassieWindow *
new_window (const char *data,
            guint       epochs)
{
  DassieWindow *window = dassie_window_new (NULL);
  g_autofree char *results = new_results_dir ();
  g_autoptr(DassieConfig) config = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  dassie_session_set_results_dir (dassie_window_get_session (window), results);
  dassie_window_open_folder (window, data);
  g_assert_true (dassie_test_wait_for (data_settled, window, 30));

  config = dassie_train_page_build_config (dassie_window_get_train_page (window));
  dassie_config_set_int (config, "train.epochs", epochs);
  dassie_config_set_int (config, "model.base_channel_size", 8);
  dassie_config_set_int (config, "model.latent_dim", 16);
  dassie_train_page_apply_config (dassie_window_get_train_page (window), config);
  return window;
}

static guint
json_array_length_of (const char *path,
                      const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  return json_array_get_length (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                              member));
}

static void
test_train_two_epochs (void)
{
  DassieWindow *window = new_window (small_data, 2);
  DassieTrainPage *page = dassie_window_get_train_page (window);
  DassieSession *session = dassie_window_get_session (window);
  DassieLossChart *chart = dassie_train_page_get_chart (page);
  g_autoptr(DassieTrainMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *split = NULL;
  DassieRunList *list;
  const char *run;
  guint n_train, n_validate, batches_per_epoch;

  g_assert_null (dassie_session_get_run (session, "train"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  g_assert_cmpstr (dassie_window_get_page (window), ==, "train");
  g_assert_nonnull (dassie_train_page_get_job (page));
  g_assert_true (dassie_test_wait_for (training_over, window, 60));
  g_assert_false (dassie_error_banner_is_shown (dassie_train_page_get_banner (page)));

  /* The run is finished, in the session and shown. */
  run = dassie_session_get_run (session, "train");
  g_assert_nonnull (run);
  g_assert_true (g_str_has_prefix (run, dassie_session_get_results_dir (session)));
  g_assert_false (g_str_has_suffix (run, DASSIE_RUN_INCOMPLETE_SUFFIX));
  g_assert_cmpstr (dassie_train_page_get_shown_run (page), ==, run);

  /* The chart holds one point per batch and one per epoch, as the run's own files count them. */
  split = g_build_filename (run, "split.json", NULL);
  n_train = json_array_length_of (split, "train_indices");
  n_validate = json_array_length_of (split, "validate_indices");
  g_assert_cmpuint (n_train + n_validate, ==, 48);
  g_assert_cmpuint (n_validate, ==, 10);
  batches_per_epoch = (n_train + 31) / 32;
  g_assert_cmpuint (dassie_loss_chart_get_n_train (chart), ==, 2 * batches_per_epoch);
  metrics = dassie_train_metrics_read (run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metrics->n, ==, 2);
  g_assert_cmpuint (dassie_loss_chart_get_n_validation (chart), ==, metrics->n);
  g_assert_cmpstr (dassie_train_page_get_statistic (page, "epoch"), ==, "2 / 2");
  {
    g_autofree char *expected = g_strdup_printf ("%.5f", metrics->validation_loss[1]);
    g_assert_cmpstr (dassie_train_page_get_statistic (page, "validation-loss"), ==, expected);
  }

  /* Validation objects beside their reconstructions. */
  g_assert_cmpuint (dassie_train_page_get_n_reconstructions (page), ==, 8);

  /* The run appears in the list of runs. */
  list = dassie_train_page_get_run_list (page);
  g_assert_true (dassie_test_wait_for (runs_listed, window, 10));
  g_assert_cmpuint (dassie_run_list_get_n_runs (list), ==, 1);
  g_assert_cmpstr (dassie_run_list_get_run_path (list, 0), ==, run);

  dassie_test_save_screenshot (GTK_WIDGET (window), "train-page");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_cancel_and_resume (void)
{
  DassieWindow *window = new_window (small_data, 40);
  DassieTrainPage *page = dassie_window_get_train_page (window);
  DassieSession *session = dassie_window_get_session (window);
  DassieErrorBanner *banner = dassie_train_page_get_banner (page);
  g_autoptr(DassieTrainMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unfinished = NULL;
  g_autofree char *checkpoint = NULL;
  const char *run;
  guint stopped_after;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  g_assert_true (dassie_test_wait_for (has_validation_point, window, 60));
  g_assert_nonnull (dassie_train_page_get_job (page));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-job", NULL);
  g_assert_true (dassie_test_wait_for (training_over, window, 30));

  /* Stopped: the folder is unfinished, with a checkpoint, and the banner offers to resume. */
  g_test_message ("train run %s, banner %s", dassie_session_get_run (session, "train"), dassie_error_banner_get_message (banner));
  g_assert_null (dassie_session_get_run (session, "train"));
  g_assert_true (dassie_error_banner_is_shown (banner));
  g_assert_cmpint (dassie_error_banner_get_kind (banner), ==, DASSIE_BANNER_INFO);
  g_assert_true (dassie_test_wait_for (runs_listed, window, 10));
  unfinished = g_strdup (dassie_train_page_find_resumable (page));
  g_assert_nonnull (unfinished);
  g_assert_true (g_str_has_suffix (unfinished, DASSIE_RUN_INCOMPLETE_SUFFIX));
  checkpoint = g_build_filename (unfinished, "checkpoint.safetensors", NULL);
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
  g_assert_null (dassie_results_find_latest (dassie_session_get_results_dir (session), "train"));
  metrics = dassie_train_metrics_read (unfinished, &error);
  g_assert_no_error (error);
  stopped_after = metrics->n;
  g_assert_cmpuint (stopped_after, >=, 1);
  g_assert_cmpuint (stopped_after, <, 40);
  g_clear_pointer (&metrics, dassie_train_metrics_free);
  dassie_test_save_screenshot (GTK_WIDGET (window), "train-page-stopped");

  /* Resume the newest unfinished run: it continues in place and completes all 40 epochs once each. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.resume-train", "s", "");
  g_assert_nonnull (dassie_train_page_get_job (page));
  g_assert_false (dassie_error_banner_is_shown (banner));
  g_assert_true (dassie_test_wait_for (training_over, window, 90));
  g_assert_false (dassie_error_banner_is_shown (banner));

  run = dassie_session_get_run (session, "train");
  g_assert_nonnull (run);
  g_assert_true (g_str_has_prefix (unfinished, run));
  g_assert_cmpuint (strlen (unfinished), ==, strlen (run) + strlen (DASSIE_RUN_INCOMPLETE_SUFFIX));
  g_assert_false (g_file_test (unfinished, G_FILE_TEST_EXISTS));
  metrics = dassie_train_metrics_read (run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metrics->n, ==, 40);
  for (guint i = 0; i < metrics->n; i++)
    g_assert_cmpfloat (metrics->epoch[i], ==, i + 1);
  /* The curve kept the epochs from before the stop. */
  g_assert_cmpuint (dassie_loss_chart_get_n_validation (dassie_train_page_get_chart (page)), ==, 40);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  gint64 last;
  gint64 worst;
  guint  ticks;
} Heartbeat;

static gboolean
heartbeat (gpointer user_data)
{
  Heartbeat *h = user_data;
  gint64 now = g_get_monotonic_time ();

  if (h->last != 0)
    h->worst = MAX (h->worst, now - h->last);
  h->last = now;
  h->ticks++;
  return G_SOURCE_CONTINUE;
}

/* While a training runs and its chart fills, the main loop never waits more than 100 ms. */
static void
test_main_loop_keeps_turning (void)
{
  DassieWindow *window = new_window (small_data, 25);
  DassieTrainPage *page = dassie_window_get_train_page (window);
  Heartbeat h = { 0 };
  guint source;

  dassie_test_settle (0.3);
  source = g_timeout_add (10, heartbeat, &h);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  g_assert_true (dassie_test_wait_for (training_over, window, 90));
  g_source_remove (source);

  g_test_message ("%u heartbeats, longest gap %.1f ms", h.ticks, h.worst / 1000.0);
  g_assert_cmpuint (dassie_loss_chart_get_n_validation (dassie_train_page_get_chart (page)), ==, 25);
  g_assert_cmpuint (h.ticks, >, 20);
  g_assert_cmpint (h.worst, <, 100 * 1000);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bad_data_folder (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-gui-XXXXXX", &error);
  g_autofree char *junk = g_build_filename (dir, "image.fits", NULL);
  DassieWindow *window;
  DassieTrainPage *page;
  DassieErrorBanner *banner;

  g_assert_true (g_file_set_contents (junk, "", 0, NULL));
  window = new_window (dir, 2);
  page = dassie_window_get_train_page (window);
  banner = dassie_train_page_get_banner (page);
  g_assert_cmpstr (dassie_data_page_get_state (dassie_window_get_data_page (window)), ==, "error");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  g_assert_true (dassie_test_wait_for (training_over, window, 30));
  g_assert_true (dassie_error_banner_is_shown (banner));
  g_assert_cmpint (dassie_error_banner_get_kind (banner), ==, DASSIE_BANNER_ERROR);
  g_assert_cmpstr (dassie_error_banner_get_title (banner), ==, "Training Failed");
  /* It names the folder and says what to do. */
  g_assert_nonnull (strstr (dassie_error_banner_get_message (banner), dir));
  g_assert_nonnull (strstr (dassie_error_banner_get_message (banner), "open another one"));
  g_assert_null (dassie_session_get_run (dassie_window_get_session (window), "train"));

  dassie_test_save_screenshot (GTK_WIDGET (window), "train-page-error");
  gtk_window_destroy (GTK_WINDOW (window));
  dassie_remove_tree (dir, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  DassieDemoOptions options;
  int status;

  /* Keep the default results and demo folders out of the user's home. */
  data_home = g_dir_make_tmp ("dassie-gui-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  small_data = g_build_filename (data_home, "small", NULL);
  dassie_demo_options_init (&options);
  options.n_objects = 48;
  options.size = 32;
  g_assert_true (dassie_demo_generate (small_data, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/gui/train/two-epochs", test_train_two_epochs);
  g_test_add_func ("/gui/train/cancel-and-resume", test_cancel_and_resume);
  g_test_add_func ("/gui/train/main-loop-keeps-turning", test_main_loop_keeps_turning);
  g_test_add_func ("/gui/train/bad-data-folder", test_bad_data_folder);
  status = g_test_run ();

  dassie_remove_tree (data_home, NULL);
  g_free (small_data);
  g_free (data_home);
  return status;
}
