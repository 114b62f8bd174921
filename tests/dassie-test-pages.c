/* dassie-test-pages.c: what the Train and Infer page tests share: a private home, a small data set,
 * a window on it, and waiting for jobs
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "dassie-demo.h"
#include "dassie-explore-page.h"
#include "dassie-fileutil.h"
#include "dassie-inspector.h"
#include "dassie-test-gui.h"
#include "dassie-test-pages.h"

static char *home;
static char *small_data;

void
dassie_test_pages_init (int    *argc,
                        char ***argv)
{
  g_autoptr(GError) error = NULL;

  home = g_dir_make_tmp ("dassie-gui-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", home, TRUE);

  gtk_test_init (argc, argv, NULL);
  adw_init ();

  small_data = dassie_test_pages_make_data ("small", 48, 32);
}

char *
dassie_test_pages_make_data (const char *name,
                             guint       n_objects,
                             guint       size)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_build_filename (home, name, NULL);
  DassieDemoOptions options;

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return dir;
  dassie_demo_options_init (&options);
  options.n_objects = n_objects;
  options.size = size;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return dir;
}

void
dassie_test_pages_cleanup (void)
{
  dassie_remove_tree (home, NULL);
  g_clear_pointer (&small_data, g_free);
  g_clear_pointer (&home, g_free);
}

const char *
dassie_test_pages_home (void)
{
  return home;
}

const char *
dassie_test_pages_small_data (void)
{
  return small_data;
}

static gboolean
data_settled (gpointer user_data)
{
  const char *state = dassie_data_page_get_state (dassie_window_get_data_page (user_data));

  return g_strcmp0 (state, "loaded") == 0 || g_strcmp0 (state, "error") == 0;
}

DassieWindow *
dassie_test_pages_new_window (const char *data,
                              guint       epochs)
{
  DassieWindow *window = dassie_window_new (NULL);
  g_autoptr(GSettings) settings = dassie_settings_new ();
  g_autofree char *configured = g_settings_get_string (settings, "results-folder");
  g_autofree char *name = g_strdup_printf ("results-%d", g_random_int_range (0, G_MAXINT));
  g_autofree char *results = g_build_filename (home, name, NULL);
  g_autoptr(DassieConfig) config = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  /* Each window its own results, unless the test chose the folder in the settings. */
  if (*configured == 0)
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

gboolean
dassie_test_training_over (gpointer window)
{
  return dassie_train_page_get_job (dassie_window_get_train_page (window)) == NULL;
}

gboolean
dassie_test_inference_over (gpointer window)
{
  return dassie_infer_page_get_job (dassie_window_get_infer_page (window)) == NULL;
}

gboolean
dassie_test_runs_listed (gpointer run_list)
{
  return !dassie_run_list_get_loading (run_list);
}

gboolean
dassie_test_explore_settled (gpointer explore_page)
{
  DassieExplorePage *page = explore_page;

  return g_strcmp0 (dassie_explore_page_get_state (page), "ready") == 0 && !dassie_explore_page_get_busy (page);
}

gboolean
dassie_test_inspector_settled (gpointer inspector)
{
  return !dassie_inspector_get_busy (inspector);
}

void
dassie_test_on_exported (GObject      *page,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  DassieTestExportWait *wait = user_data;

  wait->n = dassie_explore_page_export_finish (DASSIE_EXPLORE_PAGE (page), result, &wait->error);
  wait->done = TRUE;
}

gboolean
dassie_test_export_done (gpointer wait)
{
  return ((DassieTestExportWait *) wait)->done;
}
