/* dassie-application.c: the application: its actions, shortcuts and windows
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-application.h"
#include "dassie-window.h"

struct _DassieApplication
{
  AdwApplication parent_instance;
  gboolean       open_demo;
  char          *open_folder;
};

G_DEFINE_FINAL_TYPE (DassieApplication, dassie_application, ADW_TYPE_APPLICATION)

static int
dassie_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  DassieApplication *self = DASSIE_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("dassie %s\n", PACKAGE_VERSION);
      return 0;
    }
  self->open_demo = g_variant_dict_contains (options, "demo");
  g_variant_dict_lookup (options, "folder", "^ay", &self->open_folder);
  return -1;
}

static void
dassie_application_activate (GApplication *app)
{
  DassieApplication *self = DASSIE_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *last = NULL;

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  window = GTK_WINDOW (dassie_window_new (ADW_APPLICATION (app)));
  gtk_window_present (window);

  settings = dassie_settings_new ();
  last = g_settings_get_string (settings, "last-data-folder");

  /* Start where the user left off: the folder given, the demo, or the last folder. */
  if (self->open_folder != NULL)
    dassie_window_open_folder (DASSIE_WINDOW (window), self->open_folder);
  else if (self->open_demo)
    dassie_window_open_demo (DASSIE_WINDOW (window));
  else if (*last != 0 && g_file_test (last, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *page = g_settings_get_string (settings, "last-page");

      /* The folder opens in the background; the page stays the one the user left. */
      dassie_window_open_folder (DASSIE_WINDOW (window), last);
      dassie_window_set_page (DASSIE_WINDOW (window), page);
    }
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  /* A copy: closing a window without a job destroys it and removes it from the application's list. */
  g_autolist(GtkWindow) windows = g_list_copy (gtk_application_get_windows (app));

  for (GList *l = windows; l != NULL; l = l->next)
    g_object_ref (l->data);

  /* Closing the windows lets a running job ask before it is stopped. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _("The Dassie developers"), NULL };
  const char *artists[] = { _("The Dassie developers (application icon)"), NULL };
  const char *science[] = {
    "Hyrax, LINCC Frameworks https://github.com/lincc-frameworks/hyrax",
    "UMAP, Leland McInnes et al. https://github.com/lmcinnes/umap",
    NULL
  };
  const char *libraries[] = {
    "CFITSIO https://heasarc.gsfc.nasa.gov/fitsio/",
    "OpenBLAS https://www.openblas.net/",
    "hnswlib https://github.com/nmslib/hnswlib",
    "GTK https://www.gtk.org/",
    "libadwaita https://gnome.pages.gitlab.gnome.org/libadwaita/",
    NULL
  };
  AdwAboutWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Dassie"),
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Find unusual galaxies in astronomical image cutouts: train an autoencoder, "
                                      "score every object by its nearest neighbours in latent space, and explore "
                                      "the map of the data set."),
                        "developer-name", _("The Dassie developers"),
                        "developers", developers,
                        "artists", artists,
                        /* Translators: your names, one per line, as "Name <email>" or "Name https://…". */
                        "translator-credits", _("translator-credits"),
                        "copyright", _("© 2026 The Dassie developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", PACKAGE_WEBSITE,
                        "issue-url", PACKAGE_WEBSITE "/issues",
                        NULL);
  adw_about_window_add_acknowledgement_section (about, _("The Science Behind It"), science);
  adw_about_window_add_acknowledgement_section (about, _("Built With"), libraries);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
dassie_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (dassie_application_parent_class)->startup (app);

  /* The window manager's icon for every window; GtkApplication found it in the resource's icons. */
  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open-folder", (const char *[]) { "<Control>o", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open-demo", (const char *[]) { "<Control><Shift>d", NULL });
}

static void
dassie_application_finalize (GObject *object)
{
  DassieApplication *self = DASSIE_APPLICATION (object);

  g_clear_pointer (&self->open_folder, g_free);

  G_OBJECT_CLASS (dassie_application_parent_class)->finalize (object);
}

static void
dassie_application_class_init (DassieApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = dassie_application_finalize;
  app_class->activate = dassie_application_activate;
  app_class->startup = dassie_application_startup;
  app_class->handle_local_options = dassie_application_handle_local_options;
}

static void
dassie_application_init (DassieApplication *self)
{
  const GOptionEntry entries[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the demo data set (made on first use)"), NULL },
    { "folder", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Open this data folder"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and quit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

DassieApplication *
dassie_application_new (void)
{
  return g_object_new (DASSIE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/dassie/Dassie",
                       NULL);
}
