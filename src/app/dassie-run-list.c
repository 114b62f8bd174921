/* dassie-run-list.c: the run folders under the results folder: verb, time, data set, settings, loss
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "dassie-run-list.h"
#include "dassie-run-summary.h"

/* Older runs stay in the folder; the list shows the newest. */
#define MAX_ROWS 40

struct _DassieRunList
{
  GtkWidget            parent_instance;

  AdwPreferencesGroup *group;
  GtkListBox          *list;

  DassieSession       *session;
  gulong               runs_changed_id;
  gulong               notify_id;
  GStrv                verbs;
  GPtrArray           *summaries;   /* DassieRunSummary*, as listed */
  guint                generation;
  gboolean             loading;
};

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DassieRunList, dassie_run_list, GTK_TYPE_WIDGET)

static const char *
verb_icon (const char *verb)
{
  if (g_str_equal (verb, "train"))
    return "system-run-symbolic";
  if (g_str_equal (verb, "infer"))
    return "media-playlist-shuffle-symbolic";
  if (g_str_equal (verb, "scores"))
    return "view-sort-descending-symbolic";
  if (g_str_equal (verb, "umap"))
    return "find-location-symbolic";
  return "folder-symbolic";
}

static const char *
verb_title (const char *verb)
{
  if (g_str_equal (verb, "train"))
    return _("Training");
  if (g_str_equal (verb, "infer"))
    return _("Latent vectors");
  if (g_str_equal (verb, "scores"))
    return _("Anomaly scores");
  if (g_str_equal (verb, "umap"))
    return _("UMAP");
  return verb;
}

static char *
describe (const DassieRunSummary *s)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (s->data_location != NULL)
    {
      g_autofree char *base = g_path_get_basename (s->data_location);
      g_string_append (text, base);
    }
  if (s->settings != NULL)
    g_string_append_printf (text, "%s%s", text->len ? " · " : "", s->settings);
  if (g_str_equal (s->info->verb, "train"))
    {
      g_autofree char *status = NULL;

      if (!s->info->complete)
        status = g_strdup_printf (_("Stopped after epoch %u of %u"), s->epochs_done, s->n_epochs);
      else if (isfinite (s->validation_loss))
        status = g_strdup_printf (_("Final loss %.4g, validation %.4g"), s->train_loss, s->validation_loss);
      else if (isfinite (s->train_loss))
        status = g_strdup_printf (_("Final loss %.4g"), s->train_loss);
      if (status != NULL)
        g_string_append_printf (text, "%s%s", text->len ? "\n" : "", status);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
is_current (DassieRunList          *self,
            const DassieRunSummary *s)
{
  const char *verbs[] = { "train", "infer", "scores", "umap" };

  if (self->session == NULL || !s->info->complete)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (s->info->verb, verbs[i]))
      return g_strcmp0 (dassie_session_get_run (self->session, verbs[i]), s->info->path) == 0;
  return FALSE;
}

static GtkWidget *
make_row (DassieRunList          *self,
          const DassieRunSummary *s)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *when = g_date_time_format (s->info->time, _("%e %b %Y, %H:%M:%S"));
  g_autofree char *title = NULL;
  g_autofree char *subtitle = describe (s);
  GtkWidget *button;

  if (s->info->complete)
    title = g_strdup_printf ("%s · %s", verb_title (s->info->verb), g_strstrip (when));
  else
    title = g_strdup_printf (_("%s · %s · unfinished"), verb_title (s->info->verb), g_strstrip (when));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_widget_set_tooltip_text (row, s->info->path);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (verb_icon (s->info->verb)));

  if (is_current (self, s))
    {
      GtkWidget *mark = gtk_image_new_from_icon_name ("object-select-symbolic");

      gtk_widget_set_tooltip_text (mark, _("In use"));
      gtk_widget_add_css_class (mark, "accent");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
    }

  if (!s->info->complete && g_str_equal (s->info->verb, "train"))
    {
      button = gtk_button_new_with_mnemonic (_("_Resume"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Continue this training from its last checkpoint"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.resume-train");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", s->info->path);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  else if (s->info->complete)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-run");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", s->info->path);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
    }

  button = gtk_button_new_from_icon_name ("folder-open-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Show the run folder"));
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-run-folder");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", s->info->path);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
rebuild (DassieRunList *self)
{
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < self->summaries->len && shown < MAX_ROWS; i++, shown++)
    gtk_list_box_append (self->list, make_row (self, g_ptr_array_index (self->summaries, i)));

  if (self->summaries->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No runs yet"));
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->list, row);
    }
  else if (self->summaries->len > MAX_ROWS)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *text = g_strdup_printf (_("%u older runs are in the results folder"),
                                               self->summaries->len - MAX_ROWS);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->list, row);
    }
}

typedef struct
{
  char  *results_dir;
  GStrv  verbs;
} ScanRequest;

static void
scan_request_free (ScanRequest *req)
{
  g_free (req->results_dir);
  g_strfreev (req->verbs);
  g_free (req);
}

/* Worker: read every run folder's config and metrics. */
static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ScanRequest *req = task_data;
  GPtrArray *all = dassie_run_summary_list (req->results_dir, NULL, TRUE);
  GPtrArray *kept = g_ptr_array_new_with_free_func ((GDestroyNotify) dassie_run_summary_free);

  for (guint i = 0; i < all->len; i++)
    {
      DassieRunSummary *s = g_ptr_array_index (all, i);

      if (req->verbs == NULL || g_strv_contains ((const char * const *) req->verbs, s->info->verb))
        g_ptr_array_add (kept, g_steal_pointer (&all->pdata[i]));
    }
  g_ptr_array_unref (all);
  g_task_return_pointer (task, kept, (GDestroyNotify) g_ptr_array_unref);
}

static void
set_loading (DassieRunList *self,
             gboolean       loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
scan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  DassieRunList *self = DASSIE_RUN_LIST (object);
  guint generation = GPOINTER_TO_UINT (user_data);
  GPtrArray *summaries = g_task_propagate_pointer (G_TASK (result), NULL);

  /* A newer reload started meanwhile. */
  if (generation != self->generation || summaries == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      g_clear_pointer (&summaries, g_ptr_array_unref);
      return;
    }
  g_clear_pointer (&self->summaries, g_ptr_array_unref);
  self->summaries = summaries;
  rebuild (self);
  set_loading (self, FALSE);
}

void
dassie_run_list_reload (DassieRunList *self)
{
  g_autoptr(GTask) task = NULL;
  ScanRequest *req;

  g_return_if_fail (DASSIE_IS_RUN_LIST (self));

  if (self->session == NULL)
    return;

  {
    g_autofree char *description = g_strdup_printf (_("In %s"), dassie_session_get_results_dir (self->session));
    adw_preferences_group_set_description (self->group, description);
  }

  req = g_new0 (ScanRequest, 1);
  req->results_dir = g_strdup (dassie_session_get_results_dir (self->session));
  req->verbs = g_strdupv (self->verbs);
  self->generation++;
  set_loading (self, TRUE);

  /* The task holds the widget until the scan returns; a disposed list ignores the result. */
  task = g_task_new (self, NULL, scan_done, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (task, dassie_run_list_reload);
  g_task_set_task_data (task, req, (GDestroyNotify) scan_request_free);
  g_task_run_in_thread (task, scan_thread);
}

static void
on_session_run (DassieRunList *self)
{
  /* The mark of the current run moved: redraw the rows without reading the folders again. */
  if (self->summaries != NULL && !self->loading)
    rebuild (self);
}

void
dassie_run_list_set_session (DassieRunList *self,
                             DassieSession *session)
{
  g_return_if_fail (DASSIE_IS_RUN_LIST (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->runs_changed_id, self->session);
      g_clear_signal_handler (&self->notify_id, self->session);
    }
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      self->runs_changed_id = g_signal_connect_swapped (session, "runs-changed",
                                                        G_CALLBACK (dassie_run_list_reload), self);
      self->notify_id = g_signal_connect_swapped (session, "notify", G_CALLBACK (on_session_run), self);
      dassie_run_list_reload (self);
    }
}

void
dassie_run_list_set_verbs (DassieRunList      *self,
                           const char * const *verbs)
{
  g_return_if_fail (DASSIE_IS_RUN_LIST (self));

  g_strfreev (self->verbs);
  self->verbs = g_strdupv ((char **) verbs);
  dassie_run_list_reload (self);
}

gboolean
dassie_run_list_get_loading (DassieRunList *self)
{
  g_return_val_if_fail (DASSIE_IS_RUN_LIST (self), FALSE);
  return self->loading;
}

guint
dassie_run_list_get_n_runs (DassieRunList *self)
{
  g_return_val_if_fail (DASSIE_IS_RUN_LIST (self), 0);
  return self->summaries != NULL ? self->summaries->len : 0;
}

const char *
dassie_run_list_get_run_path (DassieRunList *self,
                              guint          index)
{
  g_return_val_if_fail (DASSIE_IS_RUN_LIST (self), NULL);
  g_return_val_if_fail (index < dassie_run_list_get_n_runs (self), NULL);

  return ((DassieRunSummary *) g_ptr_array_index (self->summaries, index))->info->path;
}

const char *
dassie_run_list_find_incomplete (DassieRunList *self,
                                 const char    *verb)
{
  g_return_val_if_fail (DASSIE_IS_RUN_LIST (self), NULL);

  for (guint i = 0; i < dassie_run_list_get_n_runs (self); i++)
    {
      DassieRunSummary *s = g_ptr_array_index (self->summaries, i);

      if (!s->info->complete && g_strcmp0 (s->info->verb, verb) == 0)
        return s->info->path;
    }
  return NULL;
}

static void
dassie_run_list_dispose (GObject *object)
{
  DassieRunList *self = DASSIE_RUN_LIST (object);
  GtkWidget *child;

  /* A scan still running finds its result stale. */
  self->generation++;
  dassie_run_list_set_session (self, NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (dassie_run_list_parent_class)->dispose (object);
}

static void
dassie_run_list_finalize (GObject *object)
{
  DassieRunList *self = DASSIE_RUN_LIST (object);

  g_clear_pointer (&self->verbs, g_strfreev);
  g_clear_pointer (&self->summaries, g_ptr_array_unref);

  G_OBJECT_CLASS (dassie_run_list_parent_class)->finalize (object);
}

static void
dassie_run_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DassieRunList *self = DASSIE_RUN_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_run_list_class_init (DassieRunListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_run_list_dispose;
  object_class->finalize = dassie_run_list_finalize;
  object_class->get_property = dassie_run_list_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dassie_run_list_init (DassieRunList *self)
{
  GtkWidget *refresh;

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Runs"));
  gtk_widget_set_parent (GTK_WIDGET (self->group), GTK_WIDGET (self));

  refresh = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  gtk_widget_set_valign (refresh, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (refresh, _("Read the results folder again (F5)"));
  gtk_widget_add_css_class (refresh, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (refresh), "win.reload-runs");
  adw_preferences_group_set_header_suffix (self->group, refresh);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  adw_preferences_group_add (self->group, GTK_WIDGET (self->list));
}
