/* dassie-window-actions.c: the main window's commands, and Run Everything from data to Explore
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-download.h"
#include "dassie-results.h"
#include "dassie-window-private.h"

static void
download_hsc_demo_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  dassie_window_download (DASSIE_WINDOW (widget), NULL, DASSIE_DOWNLOAD_HSC_DEMO_SOURCE,
                          DASSIE_DOWNLOAD_HSC_DEMO_MD5, NULL);
}

typedef void (*FolderChosenFunc) (DassieWindow *self,
                                  const char   *folder);

static void
on_folder_chosen (GtkNativeDialog *dialog,
                  int              response,
                  DassieWindow    *self)
{
  FolderChosenFunc chosen = g_object_get_data (G_OBJECT (dialog), "dassie-folder-chosen");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        chosen (self, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

/* Asks for a folder, starting in @current (may be NULL), and hands it to @chosen. */
static void
choose_folder (DassieWindow     *self,
               const char       *title,
               const char       *accept_label,
               const char       *current,
               FolderChosenFunc  chosen)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         accept_label, _("_Cancel"));
  if (current != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (current);
      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), dir, NULL);
    }
  g_object_set_data (G_OBJECT (chooser), "dassie-folder-chosen", chosen);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_folder_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  DassieWindow *self = DASSIE_WINDOW (widget);

  choose_folder (self, _("Open a Folder of FITS Cutouts"), _("_Open"),
                 dassie_data_page_get_folder (self->data_page), dassie_window_open_folder);
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  dassie_window_open_demo (DASSIE_WINDOW (widget));
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  dassie_window_set_page (DASSIE_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
cancel_job_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  DassieWindow *self = DASSIE_WINDOW (widget);

  if (self->job != NULL)
    dassie_job_cancel (self->job);
}

/* The Train page's job, shown in the job bar. */
static DassieJob *
start_training (DassieWindow *self,
                const char   *resume_dir)
{
  DassieJob *job;

  dassie_window_set_page (self, "train");
  if (_dassie_window_says_busy (self))
    return NULL;
  job = dassie_train_page_start (self->train_page, resume_dir);
  if (job != NULL)
    dassie_window_track_job (self, job);
  return job;
}

/* The Infer page's steps; it hands over each step's job as it starts ("job-started"). */
static DassieJob *
start_steps (DassieWindow *self,
             const char   *verb,
             gboolean      chain)
{
  dassie_window_set_page (self, "infer");
  if (_dassie_window_says_busy (self))
    return NULL;
  return dassie_infer_page_run (self->infer_page, verb, chain);
}

static void
train_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  start_training (DASSIE_WINDOW (widget), NULL);
}

static void
resume_train_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  DassieWindow *self = DASSIE_WINDOW (widget);
  const char *run_dir = g_variant_get_string (param, NULL);

  if (*run_dir == 0)
    run_dir = dassie_train_page_find_resumable (self->train_page);
  if (run_dir == NULL)
    {
      dassie_window_set_page (self, "train");
      dassie_window_show_error (self, _("There is no unfinished training to resume."));
      return;
    }
  start_training (self, run_dir);
}

static void
run_all_train (DassieWindow *self)
{
  self->run_all = RUN_ALL_TRAIN;
  if (start_training (self, NULL) == NULL)
    self->run_all = RUN_ALL_IDLE;
}

static void
run_all_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  DassieWindow *self = DASSIE_WINDOW (widget);
  DassieDataPageState state = dassie_data_page_get_state_value (self->data_page);

  if (state == DASSIE_DATA_PAGE_STATE_LOADED)
    run_all_train (self);
  else
    {
      /* No data yet: the demo data set, then everything on it. */
      self->run_all = RUN_ALL_WAIT_DATA;
      if (state != DASSIE_DATA_PAGE_STATE_LOADING)
        dassie_window_open_demo (self);
    }
}

static void
on_train_finished (DassieWindow    *self,
                   gboolean         success,
                   DassieTrainPage *page)
{
  if (self->run_all != RUN_ALL_TRAIN)
    return;
  self->run_all = RUN_ALL_IDLE;
  if (!success)
    return;
  self->run_all = RUN_ALL_INFER;
  if (start_steps (self, "infer", TRUE) == NULL)
    self->run_all = RUN_ALL_IDLE;
}

static void
on_infer_finished (DassieWindow    *self,
                   gboolean         success,
                   DassieInferPage *page)
{
  if (self->run_all != RUN_ALL_INFER)
    return;
  self->run_all = RUN_ALL_IDLE;
  if (success && dassie_session_get_explore_ready (self->session))
    dassie_window_set_page (self, "explore");
}

/* Run Everything waits for the data set it asked for. */
static void
on_data_state (DassieWindow   *self,
               GParamSpec     *pspec,
               DassieDataPage *page)
{
  DassieDataPageState state = dassie_data_page_get_state_value (page);

  if (self->run_all != RUN_ALL_WAIT_DATA || state == DASSIE_DATA_PAGE_STATE_LOADING)
    return;
  if (state == DASSIE_DATA_PAGE_STATE_LOADED)
    run_all_train (self);
  else
    self->run_all = RUN_ALL_IDLE;
}

static void
infer_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  start_steps (DASSIE_WINDOW (widget), "infer", TRUE);
}

static void
run_step_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  DassieWindow *self = DASSIE_WINDOW (widget);
  const char *verb = g_variant_get_string (param, NULL);

  if (!g_str_equal (verb, "infer") && !g_str_equal (verb, "scores") && !g_str_equal (verb, "umap"))
    return;
  start_steps (self, verb, FALSE);
}

static void
open_run_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  DassieWindow *self = DASSIE_WINDOW (widget);
  const char *run_dir = g_variant_get_string (param, NULL);
  g_autoptr(DassieRunInfo) info = dassie_run_info_parse (run_dir);

  if (info == NULL || !info->complete)
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is not a finished run folder."), run_dir);
      dassie_window_show_error (self, msg);
      return;
    }
  if (g_str_equal (info->verb, "train"))
    {
      dassie_window_set_page (self, "train");
      if (dassie_train_page_open_run (self->train_page, run_dir))
        dassie_session_set_run (self->session, "train", run_dir);
    }
  else
    {
      dassie_window_set_page (self, "infer");
      dassie_session_set_run (self->session, info->verb, run_dir);
    }
}

static void
show_run_folder_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));
  g_autofree char *uri = g_file_get_uri (file);

  gtk_show_uri (GTK_WINDOW (widget), uri, GDK_CURRENT_TIME);
}

static void
set_results_folder (DassieWindow *self,
                    const char   *folder)
{
  g_settings_set_string (self->settings, "results-folder", folder);
}

static void
choose_results_folder_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  DassieWindow *self = DASSIE_WINDOW (widget);

  choose_folder (self, _("Choose Where Runs Are Saved"), _("_Select"),
                 dassie_session_get_results_dir (self->session), set_results_folder);
}

static void
reload_runs_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  dassie_session_runs_changed (DASSIE_WINDOW (widget)->session);
}

static void
explore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  dassie_window_set_page (DASSIE_WINDOW (widget), "explore");
}

void
_dassie_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.open-demo", NULL, open_demo_action);
  gtk_widget_class_install_action (widget_class, "win.download-hsc-demo", NULL, download_hsc_demo_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-job", NULL, cancel_job_action);
  gtk_widget_class_install_action (widget_class, "win.train", NULL, train_action);
  gtk_widget_class_install_action (widget_class, "win.resume-train", "s", resume_train_action);
  gtk_widget_class_install_action (widget_class, "win.run-all", NULL, run_all_action);
  gtk_widget_class_install_action (widget_class, "win.infer", NULL, infer_action);
  gtk_widget_class_install_action (widget_class, "win.run-step", "s", run_step_action);
  gtk_widget_class_install_action (widget_class, "win.open-run", "s", open_run_action);
  gtk_widget_class_install_action (widget_class, "win.show-run-folder", "s", show_run_folder_action);
  gtk_widget_class_install_action (widget_class, "win.choose-results-folder", NULL, choose_results_folder_action);
  gtk_widget_class_install_action (widget_class, "win.explore", NULL, explore_action);
  gtk_widget_class_install_action (widget_class, "win.reload-runs", NULL, reload_runs_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel-job", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.train", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.train", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.run-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.resume-train", "s", "");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.infer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload-runs", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page", "s", "data");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page", "s", "train");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-page", "s", "infer");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-page", "s", "explore");
}

/* After the window's own handlers, so that the session already holds the data set Run Everything trains on. */
void
_dassie_window_actions_init (DassieWindow *self)
{
  g_signal_connect_object (self->data_page, "notify::state", G_CALLBACK (on_data_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->train_page, "finished", G_CALLBACK (on_train_finished), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->infer_page, "finished", G_CALLBACK (on_infer_finished), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->infer_page, "job-started", G_CALLBACK (dassie_window_track_job), self,
                           G_CONNECT_SWAPPED);
}
