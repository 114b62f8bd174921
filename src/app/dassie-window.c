/* dassie-window.c: the main window: Data, Train, Infer and Explore, and the running job
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "dassie-demo.h"
#include "dassie-download.h"
#include "dassie-error-banner.h"
#include "dassie-infer-page.h"
#include "dassie-results.h"
#include "dassie-train-page.h"
#include "dassie-window-private.h"

G_DEFINE_FINAL_TYPE (DassieWindow, dassie_window, ADW_TYPE_APPLICATION_WINDOW)

GSettings *
dassie_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaSource) build_source = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);

  /* Not installed: the copy compiled in the build tree (running from the build folder). */
  if (schema == NULL)
    {
      build_source = g_settings_schema_source_new_from_directory (BUILD_SCHEMA_DIR, source, FALSE, NULL);
      if (build_source != NULL)
        schema = g_settings_schema_source_lookup (build_source, APPLICATION_ID, FALSE);
    }
  if (schema == NULL)
    g_error ("The settings schema %s is not installed; run “meson install” or start Dassie from its build folder",
             APPLICATION_ID);

  return g_settings_new_full (schema, NULL, NULL);
}

static void
update_job_bar (DassieWindow *self)
{
  double fraction;
  const char *message;
  double eta;

  if (self->job == NULL)
    return;

  fraction = dassie_job_get_fraction (self->job);
  message = dassie_job_get_message (self->job);
  eta = dassie_job_get_eta (self->job);

  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->job_progress, fraction);
  else
    gtk_progress_bar_pulse (self->job_progress);
  gtk_progress_bar_set_text (self->job_progress, message);

  if (eta >= 0)
    {
      g_autofree char *duration = dassie_format_duration (eta);
      g_autofree char *text = g_strdup_printf (_("%s left"), duration);
      gtk_label_set_text (self->job_eta, text);
    }
  else
    gtk_label_set_text (self->job_eta, "");
}

/* Commands that start a job wait while one runs. */
static void
update_actions (DassieWindow *self)
{
  /* A job is tracked just before it starts running. */
  gboolean busy = self->job != NULL;
  const char * const starters[] = { "win.train", "win.resume-train", "win.run-all", "win.open-demo",
                                    "win.download-hsc-demo", "win.infer", "win.run-step" };

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-job", busy);
  for (guint i = 0; i < G_N_ELEMENTS (starters); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), starters[i], !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.explore",
                                 dassie_session_get_explore_ready (self->session));
}

static void
on_job_running (DassieJob    *job,
                GParamSpec   *pspec,
                DassieWindow *self)
{
  if (dassie_job_get_running (job))
    {
      update_actions (self);
      return;
    }

  gtk_revealer_set_reveal_child (self->job_revealer, FALSE);
  g_signal_group_set_target (self->job_signals, NULL);
  g_clear_object (&self->job);
  update_actions (self);
}

gboolean
dassie_window_track_job (DassieWindow *self,
                         DassieJob    *job)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (DASSIE_IS_JOB (job), FALSE);

  if (self->job != NULL && self->job != job && dassie_job_get_running (self->job))
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is still running; wait for it or cancel it first."),
                                              dassie_job_get_title (self->job));
      dassie_window_show_error (self, msg);
      return FALSE;
    }

  g_set_object (&self->job, job);
  g_signal_group_set_target (self->job_signals, job);
  gtk_label_set_text (self->job_title, dassie_job_get_title (job));
  gtk_progress_bar_set_fraction (self->job_progress, 0);
  gtk_progress_bar_set_text (self->job_progress, NULL);
  gtk_label_set_text (self->job_eta, "");
  gtk_revealer_set_reveal_child (self->job_revealer, TRUE);
  update_actions (self);
  update_job_bar (self);
  return TRUE;
}

DassieJob *
dassie_window_get_job (DassieWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), NULL);
  return self->job;
}

void
dassie_window_show_error (DassieWindow *self,
                          const char   *message)
{
  AdwToast *toast;

  g_return_if_fail (DASSIE_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_error_dialog_response (AdwMessageDialog *dialog,
                          const char       *response,
                          DassieWindow     *self)
{
  const char *action = g_object_get_data (G_OBJECT (dialog), "dassie-action");

  if (action != NULL && g_str_equal (response, "act"))
    gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

void
dassie_window_show_error_dialog (DassieWindow *self,
                                 const char   *title,
                                 const GError *error)
{
  g_autofree char *body = NULL;
  const char *button = NULL;
  const char *action = NULL;
  const char *advice;
  GtkWidget *dialog;

  g_return_if_fail (DASSIE_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  advice = dassie_error_advice (error, &button, &action);
  body = advice != NULL ? g_strdup_printf ("%s\n\n%s", error->message, advice) : g_strdup (error->message);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), title, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  if (action != NULL)
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "act", button);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "act", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "act");
      g_object_set_data_full (G_OBJECT (dialog), "dassie-action", g_strdup (action), g_free);
    }
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_error_dialog_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* One job at a time: says so, and returns TRUE, while one runs. */
gboolean
_dassie_window_says_busy (DassieWindow *self)
{
  g_autofree char *msg = NULL;

  if (self->job == NULL || !dassie_job_get_running (self->job))
    return FALSE;
  msg = g_strdup_printf (_("“%s” is still running; wait for it or cancel it first."), dassie_job_get_title (self->job));
  dassie_window_show_error (self, msg);
  return TRUE;
}

void
dassie_window_open_folder (DassieWindow *self,
                           const char   *folder)
{
  DassieJob *job;

  g_return_if_fail (DASSIE_IS_WINDOW (self));
  g_return_if_fail (folder != NULL);

  if (_dassie_window_says_busy (self))
    return;

  dassie_window_set_page (self, "data");
  job = dassie_data_page_open_folder (self->data_page, folder);
  dassie_window_track_job (self, job);
}

static gpointer
demo_thread (DassieJob     *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  return dassie_demo_ensure (cancellable, dassie_job_report, job, error);
}

static void
demo_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(DassieWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = dassie_job_run_finish (DASSIE_JOB (object), result, &error);

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  if (dir == NULL)
    {
      self->run_all = RUN_ALL_IDLE;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dassie_window_show_error_dialog (self, _("The Demo Data Could Not Be Made"), error);
      return;
    }
  dassie_window_open_folder (self, dir);
}

void
dassie_window_open_demo (DassieWindow *self)
{
  g_autoptr(DassieJob) job = dassie_job_new (_("Making the demo data set"));

  g_return_if_fail (DASSIE_IS_WINDOW (self));

  if (!dassie_window_track_job (self, job))
    return;
  dassie_job_run_async (job, demo_thread, NULL, NULL, g_free, demo_done, g_object_ref (self));
}

DassieSession *
dassie_window_get_session (DassieWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), NULL);
  return self->session;
}

DassieTrainPage *
dassie_window_get_train_page (DassieWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), NULL);
  return self->train_page;
}

DassieInferPage *
dassie_window_get_infer_page (DassieWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), NULL);
  return self->infer_page;
}

DassieExplorePage *
dassie_window_get_explore_page (DassieWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), NULL);
  return self->explore_page;
}

typedef struct
{
  DassieConfig *config;
  char         *source;
  char         *dest_dir;
  char         *checksum;
} DownloadRequest;

static void
download_request_free (DownloadRequest *req)
{
  dassie_config_free (req->config);
  g_free (req->source);
  g_free (req->dest_dir);
  g_free (req->checksum);
  g_free (req);
}

static void
download_progress (const DassieProgress *progress,
                   gpointer              job)
{
  dassie_job_report (progress, job);
}

static gpointer
download_thread (DassieJob     *job,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  DownloadRequest *req = data;
  g_autoptr(DassieDownloadResult) result = NULL;

  if (g_mkdir_with_parents (req->dest_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the download folder “%s”: %s"), req->dest_dir, g_strerror (saved));
      return NULL;
    }
  result = dassie_download_run (req->config, req->source, req->dest_dir, req->checksum, 0,
                                download_progress, job, cancellable, error);
  if (result == NULL)
    return NULL;
  return g_strdup (result->unpacked_dir ? result->unpacked_dir : result->file_path);
}

static void
download_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DassieWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = dassie_job_run_finish (DASSIE_JOB (object), result, &error);

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  if (dir == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dassie_window_show_error_dialog (self, _("The Download Failed"), error);
      return;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *msg = g_strdup_printf (_("Downloaded “%s”, which is not a folder of cutouts. Unpack it into a folder of FITS cutouts and open that folder (Ctrl+O)."), dir);
      dassie_window_show_error (self, msg);
      return;
    }
  dassie_window_open_folder (self, dir);
}

void
dassie_window_download (DassieWindow       *self,
                        const DassieConfig *config,
                        const char         *source,
                        const char         *checksum,
                        const char         *dest_dir)
{
  g_autoptr(DassieJob) job = NULL;
  DownloadRequest *req;

  g_return_if_fail (DASSIE_IS_WINDOW (self));
  g_return_if_fail (source != NULL);

  job = dassie_job_new (_("Downloading the data set"));
  if (!dassie_window_track_job (self, job))
    return;

  req = g_new0 (DownloadRequest, 1);
  req->config = config ? dassie_config_copy (config) : dassie_config_new ();
  req->source = g_strdup (source);
  req->checksum = g_strdup (checksum);
  req->dest_dir = dest_dir ? g_strdup (dest_dir)
                           : g_build_filename (g_get_user_data_dir (), "dassie", "downloads", NULL);
  dassie_job_run_async (job, download_thread, req, (GDestroyNotify) download_request_free, g_free,
                        download_done, g_object_ref (self));
}

DassieDataPage *
dassie_window_get_data_page (DassieWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), NULL);
  return self->data_page;
}

void
dassie_window_set_page (DassieWindow *self,
                        const char   *name)
{
  g_return_if_fail (DASSIE_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

const char *
dassie_window_get_page (DassieWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

static void
on_data_state (DassieWindow   *self,
               GParamSpec     *pspec,
               DassieDataPage *page)
{
  gboolean loaded = dassie_data_page_get_state_value (page) == DASSIE_DATA_PAGE_STATE_LOADED;

  dassie_session_set_dataset (self->session, dassie_data_page_get_folder (page),
                              loaded ? dassie_data_page_get_dataset (page) : NULL);
  /* Only a folder that opened is the one to reopen at the next start. */
  if (loaded && dassie_data_page_get_folder (page) != NULL)
    g_settings_set_string (self->settings, "last-data-folder", dassie_data_page_get_folder (page));
}

static void
on_explore_ready (DassieWindow  *self,
                  GParamSpec    *pspec,
                  DassieSession *session)
{
  gboolean ready = dassie_session_get_explore_ready (session);

  update_actions (self);
  /* The Explore tab says when there is something new to see. */
  if (ready && !g_str_equal (dassie_window_get_page (self), "explore"))
    adw_view_stack_page_set_needs_attention (self->explore_stack_page, TRUE);
}

static void
on_page_changed (DassieWindow *self)
{
  if (g_strcmp0 (dassie_window_get_page (self), "explore") == 0)
    adw_view_stack_page_set_needs_attention (self->explore_stack_page, FALSE);
}

static void
on_results_folder_changed (DassieWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "results-folder");

  dassie_session_set_results_dir (self->session, folder);
  dassie_session_restore (self->session);
}

static gboolean
close_idle (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   DassieWindow     *self)
{
  if (g_str_equal (response, "cancel-job"))
    {
      if (self->job != NULL)
        dassie_job_cancel (self->job);
      self->close_confirmed = TRUE;
      /* Not while the dialog, which goes with the window, is still answering. */
      g_idle_add_full (G_PRIORITY_DEFAULT, close_idle, g_object_ref (self), g_object_unref);
    }
}

static gboolean
dassie_window_close_request (GtkWindow *window)
{
  DassieWindow *self = DASSIE_WINDOW (window);
  int width, height;

  if (self->job != NULL && dassie_job_get_running (self->job) && !self->close_confirmed)
    {
      g_autofree char *body = g_strdup_printf (_("“%s” is still running. If you quit now it stops, and its "
                                                 "run folder is left marked unfinished."),
                                               dassie_job_get_title (self->job));
      GtkWidget *dialog = adw_message_dialog_new (window, _("Stop the Running Job?"), body);

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "keep", _("_Keep Running"),
                                        "cancel-job", _("_Stop and Quit"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-job",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
      g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_set_string (self->settings, "last-page", dassie_window_get_page (self));

  return GTK_WINDOW_CLASS (dassie_window_parent_class)->close_request (window);
}

static void
dassie_window_dispose (GObject *object)
{
  DassieWindow *self = DASSIE_WINDOW (object);

  if (self->job != NULL)
    dassie_job_cancel (self->job);
  g_clear_object (&self->job);
  g_clear_object (&self->job_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), DASSIE_TYPE_WINDOW);

  G_OBJECT_CLASS (dassie_window_parent_class)->dispose (object);
}

static void
dassie_window_finalize (GObject *object)
{
  DassieWindow *self = DASSIE_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (dassie_window_parent_class)->finalize (object);
}

static void
dassie_window_class_init (DassieWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = dassie_window_dispose;
  object_class->finalize = dassie_window_finalize;
  window_class->close_request = dassie_window_close_request;

  g_type_ensure (DASSIE_TYPE_DATA_PAGE);
  g_type_ensure (DASSIE_TYPE_TRAIN_PAGE);
  g_type_ensure (DASSIE_TYPE_INFER_PAGE);
  g_type_ensure (DASSIE_TYPE_EXPLORE_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, data_page);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, train_page);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, infer_page);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, explore_page);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, explore_stack_page);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, job_revealer);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, job_title);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, job_progress);
  gtk_widget_class_bind_template_child (widget_class, DassieWindow, job_eta);


  _dassie_window_class_actions_init (widget_class);
}

static void
dassie_window_init (DassieWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = dassie_settings_new ();
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* Start where the user left off: the newest runs, and the page shown last. */
  {
    g_autofree char *results = g_settings_get_string (self->settings, "results-folder");
    g_autofree char *page = g_settings_get_string (self->settings, "last-page");

    self->session = dassie_session_new (results);
    dassie_session_restore (self->session);
    dassie_window_set_page (self, page);
  }
  g_signal_connect_object (self->settings, "changed::results-folder", G_CALLBACK (on_results_folder_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::explore-ready", G_CALLBACK (on_explore_ready), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->data_page, "notify::state", G_CALLBACK (on_data_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (on_page_changed), self,
                           G_CONNECT_SWAPPED);
  _dassie_window_actions_init (self);
  dassie_train_page_set_session (self->train_page, self->session);
  dassie_infer_page_set_session (self->infer_page, self->session);
  dassie_explore_page_set_session (self->explore_page, self->session);

  self->job_signals = g_signal_group_new (DASSIE_TYPE_JOB);
  g_signal_group_connect_swapped (self->job_signals, "notify::fraction", G_CALLBACK (update_job_bar), self);
  g_signal_group_connect_swapped (self->job_signals, "notify::message", G_CALLBACK (update_job_bar), self);
  g_signal_group_connect_swapped (self->job_signals, "notify::eta", G_CALLBACK (update_job_bar), self);
  g_signal_group_connect (self->job_signals, "notify::running", G_CALLBACK (on_job_running), self);
  update_actions (self);
}

DassieWindow *
dassie_window_new (AdwApplication *application)
{
  return g_object_new (DASSIE_TYPE_WINDOW, "application", application, NULL);
}
