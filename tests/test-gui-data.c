/* test-gui-data.c: the real window under Xvfb: the Data page reads folders, good and bad
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-test-gui.h"
#include "dassie-window.h"

static gboolean
page_settled (gpointer user_data)
{
  DassieDataPage *page = user_data;
  const char *state = dassie_data_page_get_state (page);

  return g_strcmp0 (state, "loaded") == 0 || g_strcmp0 (state, "error") == 0;
}

static DassieWindow *
new_window (void)
{
  DassieWindow *window = dassie_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
test_hsc_stars (void)
{
  const char *shared = g_getenv ("DASSIE_SHARED_DIR");
  g_autofree char *dir = g_build_filename (shared, "fixtures", "hsc_stars", "images", NULL);
  DassieWindow *window = new_window ();
  DassieDataPage *page = dassie_window_get_data_page (window);

  g_assert_cmpstr (dassie_data_page_get_state (page), ==, "empty");
  dassie_window_open_folder (window, dir);
  g_assert_cmpstr (dassie_data_page_get_state (page), ==, "loading");
  g_assert_true (dassie_test_wait_for (page_settled, page, 30));

  g_assert_cmpstr (dassie_data_page_get_state (page), ==, "loaded");
  g_assert_cmpstr (dassie_data_page_get_summary (page), ==, "10 objects in 1 band(s), 24 × 24 pixels, 0 skipped");
  g_assert_cmpuint (dassie_data_page_get_n_thumbnails (page), ==, 10);
  g_assert_cmpint (dassie_dataset_find_object (dassie_data_page_get_dataset (page), "36411452835238206"), >=, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_generated_with_skipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-gui-XXXXXX", &error);
  g_autofree char *junk = NULL;
  DassieDemoOptions options;
  DassieWindow *window;
  DassieDataPage *page;

  dassie_demo_options_init (&options);
  options.n_objects = 60;
  options.size = 64;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* manifest.fits lists every good file; a damaged extra file is found by a plain scan. */
  {
    g_autofree char *manifest = g_build_filename (dir, "manifest.fits", NULL);
    g_assert_cmpint (g_unlink (manifest), ==, 0);
  }
  /* Damage one object's g band: that object is skipped, with the file named. */
  {
    g_autofree char *labels = g_build_filename (dir, "labels.csv", NULL);
    g_autofree char *csv = NULL;
    g_auto(GStrv) lines = NULL;
    g_auto(GStrv) fields = NULL;

    g_assert_true (g_file_get_contents (labels, &csv, NULL, NULL));
    lines = g_strsplit (csv, "\n", 3);
    fields = g_strsplit (lines[1], ",", 2);
    junk = g_strdup_printf ("%s/%s_demo_HSC-G.fits", dir, fields[0]);
    g_assert_true (g_file_set_contents (junk, "not a FITS file", -1, NULL));
  }

  window = new_window ();
  page = dassie_window_get_data_page (window);
  dassie_window_open_folder (window, dir);
  g_assert_true (dassie_test_wait_for (page_settled, page, 60));
  g_assert_cmpstr (dassie_data_page_get_state (page), ==, "loaded");
  g_assert_cmpstr (dassie_data_page_get_summary (page), ==, "59 objects in 3 band(s), 64 × 64 pixels, 1 skipped");
  g_assert_cmpuint (dassie_data_page_get_n_thumbnails (page), ==, 59);

  dassie_test_save_screenshot (GTK_WIDGET (window), "data-page");

  gtk_window_destroy (GTK_WINDOW (window));
  dassie_remove_tree (dir, NULL);
}

/* A skipped file's row on screen: its title is the file's name and its subtitle holds @reason. */
static GtkWidget *
find_skipped_row (GtkWidget  *root,
                  const char *name,
                  const char *reason)
{
  g_autoptr(GPtrArray) rows = dassie_test_find_widgets (root, ADW_TYPE_ACTION_ROW, NULL, NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      if (gtk_widget_get_mapped (row) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name) == 0 &&
          subtitle != NULL && strstr (subtitle, reason) != NULL)
        return row;
    }
  return NULL;
}

static gboolean
label_shows (GtkWidget *widget,
             gpointer   user_data)
{
  return gtk_widget_get_mapped (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), user_data) != NULL;
}

static void
test_bad_folder (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-gui-XXXXXX", &error);
  g_autofree char *junk = g_build_filename (dir, "image.fits", NULL);
  g_autofree char *empty = g_build_filename (dir, "36411452835238206_x_HSC-G.fits", NULL);
  DassieWindow *window = new_window ();
  DassieDataPage *page = dassie_window_get_data_page (window);

  /* An empty cutout, and a file whose name does not follow the HSC names of the rest. */
  g_assert_true (g_file_set_contents (junk, "", 0, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  dassie_window_open_folder (window, dir);
  g_assert_true (dassie_test_wait_for (page_settled, page, 30));
  g_assert_cmpstr (dassie_data_page_get_state (page), ==, "error");
  g_assert_nonnull (strstr (dassie_data_page_get_error (page), dir));

  /* Nothing is usable, and the page lists every file with its reason, as text (the reason has "<"). */
  dassie_test_settle (0.2);
  g_assert_nonnull (find_skipped_row (GTK_WIDGET (window), "36411452835238206_x_HSC-G.fits", "the file is empty"));
  g_assert_nonnull (find_skipped_row (GTK_WIDGET (window), "image.fits", "<object id>"));
  g_assert_nonnull (dassie_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, label_shows,
                                             "<object id>_…_HSC-<band>.fits like the rest"));
  g_assert_nonnull (dassie_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, label_shows, "No usable object"));

  dassie_test_save_screenshot (GTK_WIDGET (window), "data-page-error");

  gtk_window_destroy (GTK_WINDOW (window));
  dassie_remove_tree (dir, NULL);
}

/* The state is a registered enum; its nicks name the pages of the page's stack. */
static void
test_state_enum (void)
{
  static const struct { DassieDataPageState state; const char *nick; } states[] = {
    { DASSIE_DATA_PAGE_STATE_EMPTY, "empty" },
    { DASSIE_DATA_PAGE_STATE_LOADING, "loading" },
    { DASSIE_DATA_PAGE_STATE_ERROR, "error" },
    { DASSIE_DATA_PAGE_STATE_LOADED, "loaded" },
  };
  const char *shared = g_getenv ("DASSIE_SHARED_DIR");
  g_autofree char *dir = g_build_filename (shared, "fixtures", "hsc_stars", "images", NULL);
  DassieWindow *window = new_window ();
  DassieDataPage *page = dassie_window_get_data_page (window);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (page), "state");
  GtkStack *stack = GTK_STACK (dassie_test_find_widget (GTK_WIDGET (page), GTK_TYPE_STACK, NULL, NULL));
  g_autoptr(GEnumClass) klass = g_type_class_ref (DASSIE_TYPE_DATA_PAGE_STATE);
  DassieDataPageState state = -1;

  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == DASSIE_TYPE_DATA_PAGE_STATE);
  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (states));
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_assert_cmpstr (g_enum_get_value (klass, states[i].state)->value_nick, ==, states[i].nick);
      g_assert_nonnull (gtk_stack_get_child_by_name (stack, states[i].nick));
    }

  dassie_window_open_folder (window, dir);
  g_object_get (page, "state", &state, NULL);
  g_assert_cmpint (state, ==, DASSIE_DATA_PAGE_STATE_LOADING);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "loading");
  g_assert_true (dassie_test_wait_for (page_settled, page, 30));
  g_assert_cmpint (dassie_data_page_get_state_value (page), ==, DASSIE_DATA_PAGE_STATE_LOADED);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "loaded");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/gui/data/hsc-stars", test_hsc_stars);
  g_test_add_func ("/gui/data/generated-with-skipped", test_generated_with_skipped);
  g_test_add_func ("/gui/data/bad-folder", test_bad_folder);
  g_test_add_func ("/gui/data/state-enum", test_state_enum);
  return g_test_run ();
}
