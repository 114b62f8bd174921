/* test-gui-german.c: the real application in German (LANGUAGE=de) under Xvfb, from the build tree's catalogue
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "dassie-application.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-i18n.h"
#include "dassie-test-gui.h"
#include "dassie-window.h"

static GApplication *app;
static DassieWindow *window;

static gboolean
has_title (GtkWidget *widget,
           gpointer   title)
{
  return g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0;
}

static gboolean
has_label (GtkWidget *widget,
           gpointer   label)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
has_row_title (GtkWidget *widget,
               gpointer   title)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
page_settled (gpointer user_data)
{
  const char *state = dassie_data_page_get_state (user_data);

  return g_strcmp0 (state, "loaded") == 0 || g_strcmp0 (state, "error") == 0;
}

static void
test_start_page (void)
{
  static const struct { const char *name, *title; } pages[] = {
    { "data", "_Daten" }, { "train", "_Training" }, { "infer", "_Inferenz" }, { "explore", "_Erkunden" },
  };
  GtkWidget *root = GTK_WIDGET (window);
  AdwViewStack *stack = ADW_VIEW_STACK (dassie_test_find_widget (root, ADW_TYPE_VIEW_STACK, NULL, NULL));
  GtkWidget *status;

  g_assert_nonnull (stack);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *child = adw_view_stack_get_child_by_name (stack, pages[i].name);

      g_assert_nonnull (child);
      g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, child)), ==, pages[i].title);
    }

  /* The Data page's empty state, from its template, is German and on screen; the English is gone. */
  status = dassie_test_find_widget (root, ADW_TYPE_STATUS_PAGE, has_title, "Einen Datensatz öffnen");
  g_assert_nonnull (status);
  g_assert_true (gtk_widget_get_mapped (status));
  g_assert_null (dassie_test_find_widget (root, ADW_TYPE_STATUS_PAGE, has_title, "Open a Data Set"));
  g_assert_nonnull (dassie_test_find_widget (root, GTK_TYPE_BUTTON, has_label, "Ordner _öffnen …"));
  g_assert_nonnull (dassie_test_find_widget (root, GTK_TYPE_BUTTON, has_label, "_Demo-Daten verwenden"));

  dassie_test_save_screenshot (root, "german-start");
}

static void
test_loaded_data_set (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-gui-de-XXXXXX", &error);
  DassieDataPage *page = dassie_window_get_data_page (window);
  DassieDemoOptions options;

  dassie_demo_options_init (&options);
  options.n_objects = 60;
  options.size = 64;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  dassie_window_open_folder (window, dir);
  g_assert_true (dassie_test_wait_for (page_settled, page, 60));
  g_assert_cmpstr (dassie_data_page_get_state (page), ==, "loaded");

  /* A plural from C (g_dngettext) and the rows of the template. */
  g_assert_cmpstr (dassie_data_page_get_summary (page), ==, "60 Objekte in 3 Band/Bändern, 64 × 64 Pixel, 0 übersprungen");
  g_assert_nonnull (dassie_test_find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, has_row_title, "Bildgröße"));
  g_assert_nonnull (dassie_test_find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, has_row_title, "Bänder"));

  dassie_test_save_screenshot (GTK_WIDGET (window), "german");
  dassie_remove_tree (dir, NULL);
}

static void
test_core_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-gui-de-XXXXXX", &error);
  g_autofree char *junk = g_build_filename (dir, "image.fits", NULL);
  g_autofree char *expected = NULL;
  DassieDataPage *page = dassie_window_get_data_page (window);

  /* The message comes from the core library, through the same catalogue. */
  g_assert_true (g_file_set_contents (junk, "", 0, NULL));
  dassie_window_open_folder (window, dir);
  g_assert_true (dassie_test_wait_for (page_settled, page, 30));
  g_assert_cmpstr (dassie_data_page_get_state (page), ==, "error");
  expected = g_strdup_printf ("Kein verwendbares Objekt in „%s“", dir);
  g_assert_true (g_str_has_prefix (dassie_data_page_get_error (page), expected));

  dassie_remove_tree (dir, NULL);
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("DASSIE_LOCALEDIR");
  g_autofree char *catalogue = NULL;
  int status;

  g_setenv ("LANGUAGE", "de", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  /* gtk_test_init asks for en_US.UTF-8, which a fresh system may lack, leaving the "C" locale in
   * which gettext ignores LANGUAGE; C.UTF-8 exists everywhere on glibc. */
  if (setlocale (LC_ALL, "C.UTF-8") == NULL)
    g_assert_nonnull (setlocale (LC_ALL, ""));
  g_assert_nonnull (localedir);
  catalogue = g_build_filename (localedir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (catalogue, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: build the translations (meson compile) first", catalogue);
  dassie_i18n_init ();

  app = G_APPLICATION (dassie_application_new ());
  window = DASSIE_WINDOW (dassie_test_start_app (app));

  g_test_add_func ("/gui/german/start-page", test_start_page);
  g_test_add_func ("/gui/german/loaded-data-set", test_loaded_data_set);
  g_test_add_func ("/gui/german/core-error", test_core_error);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (app);
  return status;
}
