/* test-gui-download.c: the Data page downloads a data set from a (local) server and opens it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-test-archive.h"
#include "dassie-test-gui.h"
#include "dassie-test-http-server.h"
#include "dassie-window.h"

static gboolean
page_loaded (gpointer user_data)
{
  return g_strcmp0 (dassie_data_page_get_state (user_data), "loaded") == 0;
}

static gboolean
job_finished (gpointer user_data)
{
  return dassie_window_get_job (user_data) == NULL;
}

/* Zips a small generated data set as "hsc_mini/…" and returns the zip's bytes. */
static GBytes *
make_zip (const char *work)
{
  g_autofree char *src = g_build_filename (work, "src", NULL);
  g_autofree char *zip = g_build_filename (work, "hsc_mini.zip", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) list = g_array_new (FALSE, TRUE, sizeof (DassieTestArchiveEntry));
  DassieDemoOptions options;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gchar *contents = NULL;
  gsize length = 0;

  dassie_demo_options_init (&options);
  options.n_objects = 12;
  options.size = 32;
  g_assert_true (dassie_demo_generate (src, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  dir = g_dir_open (src, 0, &error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (src, name, NULL);
      DassieTestArchiveEntry e = { 0 };
      char *stored = g_strdup_printf ("hsc_mini/%s", name);

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      e.name = stored;
      e.contents = g_bytes_new_take (contents, length);
      g_ptr_array_add (keep, stored);
      g_ptr_array_add (bytes, e.contents);
      g_array_append_val (list, e);
    }
  dassie_test_write_archive (zip, "zip", (DassieTestArchiveEntry *) list->data, list->len);
  g_assert_true (g_file_get_contents (zip, &contents, &length, NULL));
  return g_bytes_new_take (contents, length);
}

static void
test_download_and_open (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("dassie-gui-dl-XXXXXX", &error);
  g_autofree char *dest = g_build_filename (work, "downloads", NULL);
  g_autoptr(GBytes) zip = make_zip (work);
  g_autoptr(DassieTestHttpServer) server = dassie_test_http_server_new ();
  g_autofree char *md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, zip);
  g_autofree char *checksum = g_strconcat ("md5:", md5, NULL);
  g_autofree char *url = g_strconcat (dassie_test_http_server_get_url (server), "/files/hsc_mini.zip", NULL);
  g_autofree char *expected = g_build_filename (dest, "hsc_mini", NULL);
  DassieTestHttpResponse *response = dassie_test_http_response_new_bytes (zip, "application/zip");
  DassieWindow *window;
  DassieDataPage *page;

  /* Slow enough that the progress bar shows, fast enough for a test. */
  response->chunk_size = 64 * 1024;
  response->chunk_delay_ms = 5;
  dassie_test_http_server_set (server, "/files/hsc_mini.zip", response);

  window = dassie_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  page = dassie_window_get_data_page (window);

  dassie_window_download (window, NULL, url, checksum, dest);
  g_assert_nonnull (dassie_window_get_job (window));
  g_assert_true (dassie_test_wait_for (page_loaded, page, 60));

  g_assert_cmpstr (dassie_data_page_get_folder (page), ==, expected);
  g_assert_cmpuint (dassie_dataset_get_n_objects (dassie_data_page_get_dataset (page)), ==, 12);
  g_assert_cmpuint (dassie_test_http_server_count (server, "/files/hsc_mini.zip"), >=, 1);
  /* Verified before it was kept: no partial file is left. */
  {
    g_autofree char *part = g_build_filename (dest, "hsc_mini.zip.part", NULL);
    g_autofree char *kept = g_build_filename (dest, "hsc_mini.zip", NULL);
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  dassie_remove_tree (work, NULL);
}

static void
test_wrong_checksum_shows_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("dassie-gui-dl-XXXXXX", &error);
  g_autofree char *dest = g_build_filename (work, "downloads", NULL);
  g_autoptr(DassieTestHttpServer) server = dassie_test_http_server_new ();
  g_autoptr(GBytes) body = g_bytes_new_static ("not the data", 12);
  g_autofree char *url = g_strconcat (dassie_test_http_server_get_url (server), "/files/x.zip", NULL);
  DassieWindow *window;
  GtkWidget *dialog = NULL;
  GListModel *toplevels;

  dassie_test_http_server_set (server, "/files/x.zip", dassie_test_http_response_new_bytes (body, "application/zip"));
  window = dassie_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));

  dassie_window_download (window, NULL, url, "md5:00000000000000000000000000000000", dest);
  g_assert_true (dassie_test_wait_for (job_finished, window, 30));
  dassie_test_settle (0.2);

  /* The error is in a dialog on the window, not only on a terminal; the bad file is gone. */
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (w))
        dialog = w;
    }
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "md5"));
  dassie_test_save_screenshot (dialog, "download-error");
  {
    g_autofree char *kept = g_build_filename (dest, "x.zip", NULL);
    g_assert_false (g_file_test (kept, G_FILE_TEST_EXISTS));
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  dassie_remove_tree (work, NULL);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/gui/download/download-and-open", test_download_and_open);
  g_test_add_func ("/gui/download/wrong-checksum", test_wrong_checksum_shows_error);
  return g_test_run ();
}
