/* dassie-test-gui.c: what the GUI tests share: waiting on the main loop and saving screenshots
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "dassie-test-gui.h"

gboolean
dassie_test_wait_for (DassieTestCondition condition,
                      gpointer            user_data,
                      double              timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_seconds * G_USEC_PER_SEC);

  while (!condition (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

void
dassie_test_settle (double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

void
dassie_test_save_screenshot (GtkWidget  *widget,
                             const char *name)
{
  const char *dir = g_getenv ("DASSIE_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);

  dassie_test_settle (0.3);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);

  /* A window that changes all the time (a training under way) may be between a layout and its frame:
   * the paintable is empty then, and the next frames have it. */
  paintable = gtk_widget_paintable_new (widget);
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      if (attempt > 0)
        dassie_test_settle (0.02);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
find_widgets_under (GtkWidget             *widget,
                    GType                  type,
                    DassieTestWidgetMatch  match,
                    gpointer               user_data,
                    GPtrArray             *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (match == NULL || match (widget, user_data)))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_widgets_under (child, type, match, user_data, found);
}

GPtrArray *
dassie_test_find_widgets (GtkWidget             *root,
                          GType                  type,
                          DassieTestWidgetMatch  match,
                          gpointer               user_data)
{
  GPtrArray *found = g_ptr_array_new ();

  find_widgets_under (root, type, match, user_data, found);
  return found;
}

GtkWidget *
dassie_test_find_widget (GtkWidget             *root,
                         GType                  type,
                         DassieTestWidgetMatch  match,
                         gpointer               user_data)
{
  g_autoptr(GPtrArray) found = dassie_test_find_widgets (root, type, match, user_data);

  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

GtkWindow *
dassie_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
has_mapped_window (gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (user_data);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

GtkWindow *
dassie_test_start_app (GApplication *app)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_application_register (app, NULL, &error));
  g_assert_no_error (error);
  g_application_activate (app);
  g_assert_true (dassie_test_wait_for (has_mapped_window, app, 10));
  return gtk_application_get_active_window (GTK_APPLICATION (app));
}
