/* test-gui-desktop.c: the real application under Xvfb: its icon, About window, shortcuts and menu
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "dassie-application.h"
#include "dassie-review-window.h"
#include "dassie-test-gui.h"
#include "dassie-window.h"

/* What each key does, written down independently of the code that binds them. */
typedef struct
{
  const char *accel;
  const char *action;     /* "app.x" or "win.x"; NULL for the primary menu (F10) */
  const char *argument;   /* the string parameter of win.show-page */
} KeyBinding;

static const KeyBinding documented_keys[] = {
  { "<Control>o", "win.open-folder", NULL },
  { "<Control><Shift>d", "win.open-demo", NULL },
  { "F10", NULL, NULL },
  { "<Control>question", "win.show-help-overlay", NULL },
  { "<Control>q", "app.quit", NULL },
  { "<Alt>1", "win.show-page", "data" },
  { "<Alt>2", "win.show-page", "train" },
  { "<Alt>3", "win.show-page", "infer" },
  { "<Alt>4", "win.show-page", "explore" },
  { "Escape", "win.cancel-job", NULL },
  { "<Control>Return", "win.train", NULL },
  { "<Control><Shift>r", "win.resume-train", "" },
  { "<Control>i", "win.infer", NULL },
  { "<Control><Shift>Return", "win.run-all", NULL },
  { "F5", "win.reload-runs", NULL },
  { "<Control>plus", "explore.zoom-in", NULL },
  { "<Control>minus", "explore.zoom-out", NULL },
  { "<Control>0", "explore.zoom-reset", NULL },
  { "<Control><Shift>a", "explore.select-none", NULL },
  { "<Control>e", "explore.export-selection", NULL },
  { "<Control><Shift>e", "explore.export-top", NULL },
  { "<Control><Shift>s", "explore.save-plot", "map" },
  { "<Alt>Left", "inspector.back", NULL },
  { "1", "explore.label", "interesting" },
  { "2", "explore.label", "boring" },
  { "3", "explore.label", "artifact" },
  { "0", "explore.label", "none" },
  { "<Control>z", "explore.undo-label", NULL },
  { "r", "explore.review", NULL },
  { "1", "review.label", "interesting" },
  { "2", "review.label", "boring" },
  { "3", "review.label", "artifact" },
  { "space", "review.skip", NULL },
  { "Left", "review.back", NULL },
  { "<Control>z", "review.undo", NULL },
};

static GApplication *app;
static GtkWindow *window;

/* The named action that @accel triggers through a shortcut controller on @widget or an ancestor. */
static GtkShortcut *
find_widget_shortcut (GtkWidget  *widget,
                      const char *accel)
{
  g_autoptr(GtkShortcutTrigger) trigger = gtk_shortcut_trigger_parse_string (accel);

  g_assert_nonnull (trigger);
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    {
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;
          for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

              if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
                return shortcut;
            }
        }
    }
  return NULL;
}

static gboolean
widget_shortcut_runs (GtkWidget  *widget,
                      const char *accel,
                      const char *action,
                      const char *argument)
{
  GtkShortcut *shortcut = find_widget_shortcut (widget, accel);
  GtkShortcutAction *shortcut_action;
  GVariant *args;

  if (shortcut == NULL)
    return FALSE;
  shortcut_action = gtk_shortcut_get_action (shortcut);
  if (!GTK_IS_NAMED_ACTION (shortcut_action) ||
      g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (shortcut_action)), action) != 0)
    return FALSE;
  args = gtk_shortcut_get_arguments (shortcut);
  if (argument == NULL)
    return args == NULL;
  return args != NULL && g_variant_is_of_type (args, G_VARIANT_TYPE_STRING) &&
         g_str_equal (g_variant_get_string (args, NULL), argument);
}

static gboolean
app_accel_runs (const char *accel,
                const char *action)
{
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), accel);

  return actions != NULL && g_strv_contains ((const char * const *) actions, action);
}

static gboolean
is_primary_menu_button (GtkWidget *widget,
                        gpointer   user_data)
{
  return gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget));
}

static gboolean
key_is_bound (const KeyBinding *key)
{
  if (key->action == NULL)
    return dassie_test_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, is_primary_menu_button, NULL) != NULL;
  /* The Explore page's keys work while it is shown; the inspector's in its own window. */
  if (g_str_has_prefix (key->action, "explore."))
    return widget_shortcut_runs (GTK_WIDGET (dassie_window_get_explore_page (DASSIE_WINDOW (window))), key->accel,
                                 key->action, key->argument);
  if (g_str_has_prefix (key->action, "inspector."))
    {
      DassieExplorePage *page = dassie_window_get_explore_page (DASSIE_WINDOW (window));
      DassieInspector *inspector = dassie_inspector_new (dassie_explore_page_get_model (page));
      gboolean bound = widget_shortcut_runs (GTK_WIDGET (inspector), key->accel, key->action, key->argument);

      gtk_window_destroy (GTK_WINDOW (inspector));
      return bound;
    }
  /* The review window's in its own window. */
  if (g_str_has_prefix (key->action, "review."))
    {
      DassieExplorePage *page = dassie_window_get_explore_page (DASSIE_WINDOW (window));
      DassieReviewWindow *review = dassie_review_window_new (dassie_explore_page_get_model (page),
                                                             dassie_explore_page_get_display_options (page));
      gboolean bound = widget_shortcut_runs (GTK_WIDGET (review), key->accel, key->action, key->argument);

      gtk_window_destroy (GTK_WINDOW (review));
      return bound;
    }
  return app_accel_runs (key->accel, key->action) ||
         widget_shortcut_runs (GTK_WIDGET (window), key->accel, key->action, key->argument);
}

static gboolean
window_has_action (const char *detailed_name)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (window);
  const GVariantType *parameter_type;
  const char *owner_name;
  const char *property_name;
  GType owner;

  if (g_str_has_prefix (detailed_name, "app."))
    return g_action_group_has_action (G_ACTION_GROUP (app), detailed_name + 4);
  g_assert_true (g_str_has_prefix (detailed_name, "win."));
  if (g_action_group_has_action (G_ACTION_GROUP (window), detailed_name + 4))
    return TRUE;
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &owner_name, &parameter_type, &property_name); i++)
    if (g_str_equal (owner_name, detailed_name))
      return TRUE;
  return FALSE;
}

static void
test_icon (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));
  g_autoptr(GtkIconPaintable) icon = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *pixels = NULL;
  GtkSnapshot *snapshot;
  const guchar *corner, *sky, *anomaly;
  const int size = 128;

  /* Found uninstalled too: GtkApplication adds the resource's icons folder to the theme. */
  g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID));
  g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID "-symbolic"));
  g_assert_cmpstr (gtk_window_get_default_icon_name (), ==, APPLICATION_ID);

  icon = gtk_icon_theme_lookup_icon (theme, APPLICATION_ID, NULL, size, 1, GTK_TEXT_DIR_LTR, 0);
  file = gtk_icon_paintable_get_file (icon);
  g_assert_nonnull (file);
  uri = g_file_get_uri (file);
  g_assert_true (g_str_has_suffix (uri, "/apps/" APPLICATION_ID ".svg"));

  /* Draw it and look at three places whose colours the drawing fixes: the transparent corner, the
   * dark blue sky below the plate's top, and the orange anomaly at (88, 28). */
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (GDK_PAINTABLE (icon), snapshot, size, size);
  node = gtk_snapshot_free_to_node (snapshot);
  renderer = gsk_cairo_renderer_new ();
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, size, size));
  gsk_renderer_unrealize (renderer);
  pixels = g_malloc (size * size * 4);
  gdk_texture_download (texture, pixels, size * 4);

  /* gdk_texture_download gives premultiplied B, G, R, A bytes on little-endian machines. */
#define PIXEL(x, y) (pixels + ((y) * size + (x)) * 4)
  corner = PIXEL (2, 2);
  sky = PIXEL (64, 12);
  anomaly = PIXEL (88, 28);
  g_assert_cmpint (corner[3], ==, 0);
  g_assert_cmpint (sky[3], ==, 255);
  g_assert_cmpint (sky[0], >, sky[2]);          /* blue over red */
  g_assert_cmpint (anomaly[3], ==, 255);
  g_assert_cmpint (anomaly[2], >, 200);         /* orange: strong red ... */
  g_assert_cmpint (anomaly[0], <, 150);         /* ... little blue */
#undef PIXEL
}

static gboolean
is_drawn (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

static gboolean
is_application_icon (GtkWidget *widget,
                     gpointer   user_data)
{
  return g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)), APPLICATION_ID) == 0;
}

static void
test_about (void)
{
  AdwAboutWindow *about;
  const char * const *developers;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = ADW_ABOUT_WINDOW (dassie_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_assert_nonnull (about);

  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APPLICATION_ID);
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Dassie");
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_website (about), ==, "https://github.com/dassie-app/dassie");
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==, "https://github.com/dassie-app/dassie/issues");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  developers = adw_about_window_get_developers (about);
  g_assert_nonnull (developers);
  g_assert_cmpuint (g_strv_length ((GStrv) developers), >=, 1);
  g_assert_nonnull (adw_about_window_get_artists (about));

  /* The icon is shown, as an image of that name, large. */
  {
    GtkWidget *image = dassie_test_find_widget (GTK_WIDGET (about), GTK_TYPE_IMAGE, is_application_icon, NULL);

    g_assert_nonnull (image);
    g_assert_true (dassie_test_wait_for (is_drawn, image, 10));
    g_assert_cmpint (gtk_widget_get_width (image), >=, 64);
  }

  dassie_test_save_screenshot (GTK_WIDGET (about), "about");
  gtk_window_destroy (GTK_WINDOW (about));
}

static void
test_shortcuts_window (void)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) titles = NULL;
  GtkWindow *overlay;
  gboolean shown[G_N_ELEMENTS (documented_keys)] = { FALSE };

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  overlay = dassie_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (overlay);

  /* Every entry names a key that is bound to what the documented table says, and every documented
   * key is in the window. */
  entries = dassie_test_find_widgets (GTK_WIDGET (overlay), GTK_TYPE_SHORTCUTS_SHORTCUT, NULL, NULL);
  titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *accelerator = NULL;
      g_autofree char *action_name = NULL;
      char *title = NULL;
      gboolean documented = FALSE;

      g_object_get (g_ptr_array_index (entries, i),
                    "accelerator", &accelerator, "action-name", &action_name, "title", &title, NULL);
      /* The window keeps a second copy of each entry for its search page. */
      if (!g_hash_table_add (titles, title))
        continue;
      if (action_name != NULL)
        {
          g_auto(GStrv) accels = NULL;

          g_assert_true (window_has_action (action_name));
          accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action_name);
          g_assert_nonnull (accels);
          if (accels[0] == NULL)
            g_error ("“%s” names %s, which has no accelerator: the shortcuts window shows no key", title, action_name);
          g_free (accelerator);
          accelerator = g_strdup (accels[0]);
        }
      for (guint k = 0; k < G_N_ELEMENTS (documented_keys); k++)
        {
          g_autoptr(GtkShortcutTrigger) a = gtk_shortcut_trigger_parse_string (documented_keys[k].accel);
          g_autoptr(GtkShortcutTrigger) b = gtk_shortcut_trigger_parse_string (accelerator);

          if (gtk_shortcut_trigger_equal (a, b))
            {
              documented = TRUE;
              shown[k] = TRUE;
              if (!key_is_bound (&documented_keys[k]))
                g_error ("the shortcuts window shows %s for “%s”, but that key does not run %s",
                         accelerator, title, documented_keys[k].action);
            }
        }
      if (!documented)
        g_error ("the shortcuts window shows %s for “%s”, which the test does not know", accelerator, title);
    }
  for (guint k = 0; k < G_N_ELEMENTS (documented_keys); k++)
    if (!shown[k])
      g_error ("the shortcuts window does not show %s", documented_keys[k].accel);
  g_assert_cmpuint (g_hash_table_size (titles), ==, G_N_ELEMENTS (documented_keys));

  dassie_test_save_screenshot (GTK_WIDGET (overlay), "shortcuts");
  gtk_window_destroy (overlay);
}

static void
test_page_keys (void)
{
  static const char *pages[] = { "data", "train", "infer", "explore" };

  /* Alt+N runs the shortcut the window binds, which shows the page. */
  for (int round = 0; round < 2; round++)
    for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
      {
        guint n = round == 0 ? i : G_N_ELEMENTS (pages) - 1 - i;
        g_autofree char *accel = g_strdup_printf ("<Alt>%u", n + 1);
        GtkShortcut *shortcut = find_widget_shortcut (GTK_WIDGET (window), accel);

        g_assert_nonnull (shortcut);
        g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, GTK_WIDGET (window),
                                                     gtk_shortcut_get_arguments (shortcut)));
        g_assert_cmpstr (dassie_window_get_page (DASSIE_WINDOW (window)), ==, pages[n]);
      }
}

static void
test_primary_menu (void)
{
  GtkWidget *button = dassie_test_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, is_primary_menu_button, NULL);
  GMenuModel *menu;
  guint n_items = 0;

  g_assert_nonnull (button);
  g_assert_nonnull (gtk_widget_get_tooltip_text (button));
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  g_assert_nonnull (menu);

  /* Sections hold the items; each item runs an action that exists and has a mnemonic. */
  for (int s = 0; s < g_menu_model_get_n_items (menu); s++)
    {
      GMenuModel *section = g_menu_model_get_item_link (menu, s, G_MENU_LINK_SECTION);

      g_assert_nonnull (section);
      for (int i = 0; i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *label = NULL;
          g_autofree char *action = NULL;

          g_assert_true (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &label));
          g_assert_true (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action));
          if (!window_has_action (action))
            g_error ("the menu item “%s” runs %s, which does not exist", label, action);
          if (strchr (label, '_') == NULL)
            g_error ("the menu item “%s” has no mnemonic", label);
          n_items++;
        }
      g_object_unref (section);
    }
  g_assert_cmpuint (n_items, >=, 4);
  g_assert_true (window_has_action ("app.about"));
}

static gboolean
is_inside (GtkWidget *widget,
           GType      type)
{
  return gtk_widget_get_ancestor (widget, type) != NULL;
}

static gboolean
is_mnemonic_for (GtkWidget *label,
                 gpointer   target)
{
  return gtk_label_get_use_underline (GTK_LABEL (label)) && gtk_label_get_mnemonic_widget (GTK_LABEL (label)) == target;
}

static void
test_keyboard_access (void)
{
  g_autoptr(GPtrArray) buttons = dassie_test_find_widgets (GTK_WIDGET (window), GTK_TYPE_BUTTON, NULL, NULL);
  guint checked = 0;

  /* Every button can be reached from the keyboard without Tab: a mnemonic in its label, or an
   * action with a key. The view switcher (Alt+1…4), the menu button (F10), the window
   * controls (the window manager's keys) and the arrows of spin buttons (Up and Down in their
   * entry) are covered elsewhere. */
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);
      const char *label = gtk_button_get_label (GTK_BUTTON (button));
      const char *action = gtk_actionable_get_action_name (GTK_ACTIONABLE (button));
      gboolean mnemonic = label != NULL && gtk_button_get_use_underline (GTK_BUTTON (button)) &&
                          strchr (label, '_') != NULL;
      gboolean keyed = FALSE;

      if (is_inside (button, ADW_TYPE_VIEW_SWITCHER) || is_inside (button, GTK_TYPE_MENU_BUTTON) ||
          is_inside (button, GTK_TYPE_WINDOW_CONTROLS) || is_inside (button, GTK_TYPE_SPIN_BUTTON))
        continue;
      /* A drop-down's button is reached through the label that names the drop-down. */
      if (is_inside (button, GTK_TYPE_DROP_DOWN))
        {
          GtkWidget *drop_down = gtk_widget_get_ancestor (button, GTK_TYPE_DROP_DOWN);

          keyed = dassie_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, is_mnemonic_for, drop_down) != NULL;
          if (!keyed)
            g_error ("the drop-down %s has no label with a mnemonic", gtk_widget_get_tooltip_text (drop_down));
        }
      if (action != NULL)
        {
          g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

          keyed = accels != NULL && accels[0] != NULL;
          for (guint k = 0; !keyed && k < G_N_ELEMENTS (documented_keys); k++)
            keyed = g_strcmp0 (documented_keys[k].action, action) == 0 &&
                    widget_shortcut_runs (button, documented_keys[k].accel, action, documented_keys[k].argument);
        }
      if (!mnemonic && !keyed)
        g_error ("the button “%s” (%s) has neither a mnemonic nor a keyboard shortcut",
                 label != NULL ? label : gtk_widget_get_tooltip_text (button), action != NULL ? action : "no action");
      checked++;
    }
  g_assert_cmpuint (checked, >=, 4);
}

static void
test_documented_keys (void)
{
  for (guint k = 0; k < G_N_ELEMENTS (documented_keys); k++)
    if (!key_is_bound (&documented_keys[k]))
      g_error ("%s does not run %s", documented_keys[k].accel, documented_keys[k].action);
}

/* Whether the window's class binds @accel to @action (gtk_widget_class_add_binding_action), apart
 * from the application's accelerators, which GtkWindow runs through a controller of its own. */
static gboolean
window_shortcut_runs (const char *accel,
                      const char *action)
{
  g_autoptr(GtkShortcutTrigger) trigger = gtk_shortcut_trigger_parse_string (accel);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          g_strcmp0 (gtk_event_controller_get_name (GTK_EVENT_CONTROLLER (controller)), "gtk-widget-class-shortcuts") != 0)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *named = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger) && GTK_IS_NAMED_ACTION (named) &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (named)), action) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* One way to each command: a key is an application accelerator or a window shortcut, not both. */
static void
test_keys_bound_once (void)
{
  guint n_app = 0;

  /* The class's own bindings are found where the check below looks for them. */
  g_assert_true (window_shortcut_runs ("Escape", "win.cancel-job"));
  for (guint k = 0; k < G_N_ELEMENTS (documented_keys); k++)
    {
      const KeyBinding *key = &documented_keys[k];

      if (key->action == NULL || !app_accel_runs (key->accel, key->action))
        continue;
      n_app++;
      if (window_shortcut_runs (key->accel, key->action))
        g_error ("%s is bound to %s twice: as an application accelerator and as a window shortcut",
                 key->accel, key->action);
    }
  /* Ctrl+O, Ctrl+Shift+D and Ctrl+Q at least were checked. */
  g_assert_cmpuint (n_app, >=, 3);
}

int
main (int    argc,
      char **argv)
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  app = G_APPLICATION (dassie_application_new ());
  window = dassie_test_start_app (app);

  g_test_add_func ("/gui/desktop/icon", test_icon);
  g_test_add_func ("/gui/desktop/about", test_about);
  g_test_add_func ("/gui/desktop/documented-keys", test_documented_keys);
  g_test_add_func ("/gui/desktop/keys-bound-once", test_keys_bound_once);
  g_test_add_func ("/gui/desktop/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/gui/desktop/page-keys", test_page_keys);
  g_test_add_func ("/gui/desktop/primary-menu", test_primary_menu);
  g_test_add_func ("/gui/desktop/keyboard-access", test_keyboard_access);
  status = g_test_run ();

  gtk_window_destroy (window);
  g_object_unref (app);
  return status;
}
