/* test-gui-sky.c: the inspector's sky panel (position, copy, Open In addresses) and the compass
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "dassie-compass.h"
#include "dassie-dataset.h"
#include "dassie-sky-panel.h"
#include "dassie-test-gui.h"

static char *
shared_path (const char *rel)
{
  const char *shared = g_getenv ("DASSIE_SHARED_DIR");

  return g_build_filename (shared ? shared : "../shared", rel, NULL);
}

static gboolean
capture_uri (DassieSkyPanel *panel,
             const char     *uri,
             GPtrArray      *seen)
{
  g_ptr_array_add (seen, g_strdup (uri));
  return TRUE;   /* handled: no browser in a test */
}

typedef struct
{
  GdkClipboard *clipboard;
  char         *text;
  gboolean      done;
} ClipboardRead;

static void
on_clipboard_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  ClipboardRead *read = data;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  read->done = TRUE;
}

static gboolean
clipboard_done (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

static DassieDataset *
open_stars (void)
{
  g_autofree char *images = shared_path ("fixtures/hsc_stars/images");
  DassieDatasetOptions options;
  g_autoptr(GError) error = NULL;
  DassieDataset *ds;

  dassie_dataset_options_init (&options);
  ds = dassie_dataset_open (images, &options, NULL, &error);
  g_assert_no_error (error);
  return ds;
}

/* A real HSC star: its catalogue position in degrees and sexagesimal, copied as "ra dec", and each
 * Open In item asks for an address that holds the position. */
static void
test_sky_panel (void)
{
  g_autoptr(DassieDataset) ds = open_stars ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *panel = dassie_sky_panel_new ();
  ClipboardRead read = { NULL, NULL, FALSE };
  int index = dassie_dataset_find_object (ds, "36411452835238206");
  double ra, dec;

  g_assert_cmpint (index, >=, 0);
  g_assert_true (dassie_dataset_get_position (ds, index, &ra, &dec));
  gtk_window_set_child (GTK_WINDOW (window), panel);
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 300);
  g_signal_connect (panel, "open-uri", G_CALLBACK (capture_uri), seen);
  dassie_sky_panel_set_object (DASSIE_SKY_PANEL (panel), ds, index);
  gtk_window_present (GTK_WINDOW (window));
  dassie_test_settle (0.3);

  g_assert_cmpstr (dassie_sky_panel_get_text (DASSIE_SKY_PANEL (panel)), ==, "30.591338 -6.282374");

  /* Every label the panel shows, joined: the degrees and the sexagesimal form are there. */
  {
    GtkWidget *expander = dassie_test_find_widget (panel, GTK_TYPE_EXPANDER, NULL, NULL);
    g_autoptr(GPtrArray) labels = NULL;
    g_autoptr(GString) all = g_string_new (NULL);

    g_assert_nonnull (expander);
    g_assert_true (gtk_widget_get_visible (expander));
    gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
    dassie_test_settle (0.2);
    labels = dassie_test_find_widgets (panel, GTK_TYPE_LABEL, NULL, NULL);

    for (guint i = 0; i < labels->len; i++)
      g_string_append_printf (all, "%s\n", gtk_label_get_text (g_ptr_array_index (labels, i)));
    g_assert_nonnull (strstr (all->str, "RA 30.591338°"));
    g_assert_nonnull (strstr (all->str, "Dec -6.282374°"));
    g_assert_nonnull (strstr (all->str, "02h02m21.92s"));
    g_assert_nonnull (strstr (all->str, "-06°16′56.5″"));
    g_assert_nonnull (strstr (all->str, "imag_psf"));
  }

  for (int v = 0; v < DASSIE_SKY_N_VIEWERS; v++)
    g_assert_true (gtk_widget_activate_action (panel, "sky.open-in", "i", v));
  g_assert_cmpuint (seen->len, ==, DASSIE_SKY_N_VIEWERS);
  for (int v = 0; v < DASSIE_SKY_N_VIEWERS; v++)
    {
      g_autofree char *expected = dassie_sky_viewer_get_url (v, ra, dec);

      g_assert_cmpstr (g_ptr_array_index (seen, v), ==, expected);
    }
  g_assert_nonnull (strstr (g_ptr_array_index (seen, DASSIE_SKY_VIEWER_SIMBAD), "30.591338"));

  g_assert_true (gtk_widget_activate_action (panel, "sky.copy", NULL));
  read.clipboard = gtk_widget_get_clipboard (panel);
  gdk_clipboard_read_text_async (read.clipboard, NULL, on_clipboard_read, &read);
  g_assert_true (dassie_test_wait_for (clipboard_done, &read, 5));
  g_assert_cmpstr (read.text, ==, "30.591338 -6.282374");
  g_free (read.text);

  dassie_test_save_screenshot (window, "sky-panel");

  /* An object without a position: nothing to copy or open. */
  dassie_sky_panel_set_object (DASSIE_SKY_PANEL (panel), NULL, -1);
  g_assert_null (dassie_sky_panel_get_text (DASSIE_SKY_PANEL (panel)));
  g_assert_false (gtk_widget_activate_action (panel, "sky.open-in", "i", 0) && seen->len > DASSIE_SKY_N_VIEWERS);
  g_assert_cmpuint (seen->len, ==, DASSIE_SKY_N_VIEWERS);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The compass of a north-up, east-left HSC cutout points up and left on screen; its bar is a round
 * length near a fifth of the cutout. */
static void
test_compass (void)
{
  g_autoptr(DassieDataset) ds = open_stars ();
  g_autoptr(GError) error = NULL;
  double centre[2], north[2], east[2], bar;
  g_autoptr(DassieSkyWcs) wcs = dassie_dataset_read_wcs (ds, 0, centre, &error);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *backdrop = gtk_drawing_area_new ();
  GtkWidget *compass = dassie_compass_new ();

  g_assert_no_error (error);
  gtk_widget_set_size_request (backdrop, 240, 240);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), backdrop);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), compass);
  gtk_window_set_child (GTK_WINDOW (window), overlay);

  g_assert_false (dassie_compass_get_geometry (DASSIE_COMPASS (compass), north, east, &bar));
  dassie_compass_set_wcs (DASSIE_COMPASS (compass), wcs, centre, 24, 24);
  g_assert_true (dassie_compass_get_geometry (DASSIE_COMPASS (compass), north, east, &bar));
  g_assert_cmpfloat_with_epsilon (north[0], 0, 1e-2);
  g_assert_cmpfloat_with_epsilon (north[1], -1, 1e-4);
  g_assert_cmpfloat_with_epsilon (east[0], -1, 1e-4);
  /* 24 pixels of 0.168″ are 4.0″: a fifth is 0.8″, so the bar is 0.5″. */
  g_assert_cmpfloat (bar, ==, 0.5);
  gtk_window_present (GTK_WINDOW (window));
  dassie_test_settle (0.3);
  dassie_test_save_screenshot (window, "sky-compass");

  dassie_compass_set_wcs (DASSIE_COMPASS (compass), NULL, centre, 24, 24);
  g_assert_false (gtk_widget_get_visible (compass));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/gui/sky/panel", test_sky_panel);
  g_test_add_func ("/gui/sky/compass", test_compass);
  return g_test_run ();
}
