/* dassie-data-page.c: the Data page: a data set's summary, its skipped files and its thumbnails
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "dassie-cutout-grid.h"
#include "dassie-cutout-item.h"
#include "dassie-cutout-render.h"
#include "dassie-data-page.h"
#include "dassie-display.h"

/* Thumbnails beyond this many would cost memory for little use; the page says so. */
#define MAX_THUMBNAILS 5000

struct _DassieDataPage
{
  GtkWidget         parent_instance;

  GtkStack         *stack;
  AdwStatusPage    *loading_status;
  AdwStatusPage    *error_status;
  AdwPreferencesGroup *error_skipped_group;
  GtkListBox       *error_skipped_list;
  GtkLabel         *summary_label;
  AdwActionRow     *folder_row;
  AdwActionRow     *objects_row;
  AdwActionRow     *bands_row;
  AdwActionRow     *size_row;
  AdwPreferencesGroup *skipped_group;
  GtkListBox       *skipped_list;
  DassieCutoutGrid *grid;

  DassieJob        *job;        /* the load in progress, to drop stale results */
  DassieDataset    *dataset;
  char             *folder;
  char             *error_text;
  GListStore       *thumbnails;
  DassieDataPageState state;
};

enum {
  PROP_0,
  PROP_FOLDER,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (DassieDataPageState, dassie_data_page_state,
                    G_DEFINE_ENUM_VALUE (DASSIE_DATA_PAGE_STATE_EMPTY, "empty"),
                    G_DEFINE_ENUM_VALUE (DASSIE_DATA_PAGE_STATE_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (DASSIE_DATA_PAGE_STATE_ERROR, "error"),
                    G_DEFINE_ENUM_VALUE (DASSIE_DATA_PAGE_STATE_LOADED, "loaded"))

G_DEFINE_FINAL_TYPE (DassieDataPage, dassie_data_page, GTK_TYPE_WIDGET)

typedef struct
{
  char                 *folder;
  DassieDatasetOptions  options;
} LoadRequest;

/* A data set and its thumbnails; or, when no object is usable, the error and the skipped files. */
typedef struct
{
  DassieDataset *dataset;
  GPtrArray     *textures;   /* GdkTexture*, one per thumbnail */
  GError        *error;
  GPtrArray     *skipped;    /* DassieSkippedFile* */
} LoadResult;

static void
load_request_free (LoadRequest *req)
{
  g_free (req->folder);
  dassie_dataset_options_clear (&req->options);
  g_free (req);
}

static void
load_result_free (LoadResult *res)
{
  g_clear_pointer (&res->dataset, dassie_dataset_unref);
  g_clear_pointer (&res->textures, g_ptr_array_unref);
  g_clear_error (&res->error);
  g_clear_pointer (&res->skipped, g_ptr_array_unref);
  g_free (res);
}

/* Worker thread: read every object, then draw an asinh colour thumbnail of each. */
static gpointer
load_thread (DassieJob     *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  LoadRequest *req = data;
  g_autoptr(DassieDataset) dataset = NULL;
  g_autoptr(GPtrArray) textures = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree float *cube = NULL;
  DassieDisplayOptions display;
  guint n, nb, w, h, n_thumbs;
  DassieEta eta;
  LoadResult *result;

  dataset = dassie_dataset_open_full (req->folder, &req->options, cancellable, dassie_job_report, job,
                                      &skipped, &local_error);
  if (dataset == NULL)
    {
      if (skipped == NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      /* Nothing usable: the skipped files, each with its reason, say why, so they come back too. */
      result = g_new0 (LoadResult, 1);
      result->error = g_steal_pointer (&local_error);
      result->skipped = g_steal_pointer (&skipped);
      return result;
    }

  n = dassie_dataset_get_n_objects (dataset);
  nb = dassie_dataset_get_n_bands (dataset);
  w = dassie_dataset_get_width (dataset);
  h = dassie_dataset_get_height (dataset);
  n_thumbs = MIN (n, MAX_THUMBNAILS);

  dassie_display_options_for_dataset (&display, dataset);

  cube = g_new (float, (gsize) nb * w * h);
  dassie_eta_start (&eta);
  for (guint i = 0; i < n_thumbs; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!dassie_dataset_read_objects (dataset, &i, 1, FALSE, cube, cancellable, error))
        return NULL;
      g_ptr_array_add (textures, dassie_texture_new_for_surface (dassie_display_render_surface (cube, nb, w, h, &display)));

      if (i % 50 == 0 || i + 1 == n_thumbs)
        {
          DassieProgress p = { "thumbnails", (double) (i + 1) / n_thumbs, -1, -1, NULL };
          g_autofree char *msg = g_strdup_printf (_("Drawing thumbnails: %u of %u"), i + 1, n_thumbs);

          p.message = msg;
          dassie_eta_update (&eta, i + 1, n_thumbs, &p.rate, &p.eta_seconds);
          dassie_job_report (&p, job);
        }
    }

  result = g_new0 (LoadResult, 1);
  result->dataset = g_steal_pointer (&dataset);
  result->textures = g_steal_pointer (&textures);
  return result;
}

static void
set_state (DassieDataPage      *self,
           DassieDataPageState  state)
{
  if (state == self->state)
    return;
  self->state = state;
  gtk_stack_set_visible_child_name (self->stack, dassie_data_page_get_state (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* One row per skipped file (its name, the reason, the full path as tooltip); hides @group when none. */
static void
show_skipped (AdwPreferencesGroup *group,
              GtkListBox          *list,
              GPtrArray           *skipped)
{
  GtkWidget *child;
  guint n = skipped != NULL ? skipped->len : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
  for (guint i = 0; i < n; i++)
    {
      DassieSkippedFile *s = g_ptr_array_index (skipped, i);
      g_autofree char *base = g_path_get_basename (s->path);
      GtkWidget *row = adw_action_row_new ();

      /* Names and reasons are plain text: "<object id>" or "&" must show as they are. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), s->reason);
      gtk_widget_set_tooltip_text (row, s->path);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
      gtk_list_box_append (list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (group), n > 0);
}

/* The error page. With skipped files listed below it, the error's first line is enough: the rest of
 * the message names the first of them again. */
static void
show_error (DassieDataPage *self,
            const GError   *error,
            GPtrArray      *skipped)
{
  g_autofree char *shown = NULL;
  g_autofree char *markup = NULL;

  g_free (self->error_text);
  self->error_text = g_strdup (error->message);
  if (skipped != NULL && skipped->len > 0)
    shown = g_strndup (error->message, strcspn (error->message, "\n"));
  else
    shown = g_strdup (error->message);
  /* The description is markup; messages are text ("<object id>", paths with "&"). */
  markup = g_markup_escape_text (shown, -1);
  adw_status_page_set_description (self->error_status, markup);
  show_skipped (self->error_skipped_group, self->error_skipped_list, skipped);
  set_state (self, DASSIE_DATA_PAGE_STATE_ERROR);
}

static void
show_dataset (DassieDataPage *self,
              LoadResult     *result)
{
  DassieDataset *ds = result->dataset;
  GPtrArray *skipped = dassie_dataset_get_skipped (ds);
  guint n = dassie_dataset_get_n_objects (ds);
  guint nb = dassie_dataset_get_n_bands (ds);
  g_autoptr(GString) bands = g_string_new (NULL);
  g_autofree char *objects = NULL;
  g_autofree char *size = NULL;
  g_autofree char *summary = NULL;

  g_clear_pointer (&self->dataset, dassie_dataset_unref);
  self->dataset = dassie_dataset_ref (ds);

  for (guint b = 0; b < nb; b++)
    {
      const char *name = dassie_dataset_get_band (ds, b);
      g_string_append_printf (bands, "%s%s", b ? ", " : "", *name ? name : _("one band"));
    }
  objects = g_strdup_printf ("%u", n);
  size = g_strdup_printf (_("%u × %u pixels"), dassie_dataset_get_width (ds), dassie_dataset_get_height (ds));
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u object in %u band(s), %s, %u skipped",
                                          "%u objects in %u band(s), %s, %u skipped", n),
                             n, nb, size, skipped->len);

  gtk_label_set_text (self->summary_label, summary);
  adw_action_row_set_subtitle (self->folder_row, self->folder);
  adw_action_row_set_subtitle (self->objects_row, objects);
  adw_action_row_set_subtitle (self->bands_row, bands->str);
  adw_action_row_set_subtitle (self->size_row, size);

  show_skipped (self->skipped_group, self->skipped_list, skipped);

  {
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

    /* One splice: a single items-changed for the grid instead of one per thumbnail. */
    for (guint i = 0; i < result->textures->len; i++)
      {
        const char *id = dassie_dataset_get_object_id (ds, i);
        g_ptr_array_add (items, dassie_cutout_item_new (i, id, id, g_ptr_array_index (result->textures, i)));
      }
    g_list_store_splice (self->thumbnails, 0, g_list_model_get_n_items (G_LIST_MODEL (self->thumbnails)),
                         items->pdata, items->len);
  }

  set_state (self, DASSIE_DATA_PAGE_STATE_LOADED);
}

static void
load_done (GObject      *object,
           GAsyncResult *res,
           gpointer      user_data)
{
  DassieJob *job = DASSIE_JOB (object);
  g_autoptr(DassieDataPage) self = user_data;
  g_autoptr(GError) error = NULL;
  LoadResult *result = dassie_job_run_finish (job, res, &error);

  /* A newer load started meanwhile: this result is stale. */
  if (self->job != job)
    {
      g_clear_pointer (&result, load_result_free);
      return;
    }
  g_clear_object (&self->job);

  if (result == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Back to the data set that is still shown, so that nobody trains on the cancelled folder. */
          g_free (self->folder);
          self->folder = self->dataset ? g_strdup (dassie_dataset_get_dir (self->dataset)) : NULL;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDER]);
          set_state (self, self->dataset ? DASSIE_DATA_PAGE_STATE_LOADED : DASSIE_DATA_PAGE_STATE_EMPTY);
          return;
        }
      show_error (self, error, NULL);
      return;
    }

  if (result->dataset != NULL)
    show_dataset (self, result);
  else
    show_error (self, result->error, result->skipped);
  load_result_free (result);
}

DassieJob *
dassie_data_page_open_folder (DassieDataPage *self,
                              const char     *folder)
{
  LoadRequest *req;
  g_autofree char *title = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), NULL);
  g_return_val_if_fail (folder != NULL, NULL);

  if (self->job != NULL)
    dassie_job_cancel (self->job);
  g_clear_object (&self->job);

  g_free (self->folder);
  self->folder = g_strdup (folder);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDER]);
  g_clear_pointer (&self->error_text, g_free);

  base = g_path_get_basename (folder);
  title = g_strdup_printf (_("Reading “%s”"), base);
  self->job = dassie_job_new (title);

  req = g_new0 (LoadRequest, 1);
  req->folder = g_strdup (folder);
  dassie_dataset_options_init (&req->options);

  adw_status_page_set_description (self->loading_status, folder);
  set_state (self, DASSIE_DATA_PAGE_STATE_LOADING);
  dassie_job_run_async (self->job, load_thread, req, (GDestroyNotify) load_request_free,
                        (GDestroyNotify) load_result_free, load_done, g_object_ref (self));
  return self->job;
}

const char *
dassie_data_page_get_folder (DassieDataPage *self)
{
  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), NULL);
  return self->folder;
}

DassieDataset *
dassie_data_page_get_dataset (DassieDataPage *self)
{
  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), NULL);
  return self->dataset;
}

DassieDataPageState
dassie_data_page_get_state_value (DassieDataPage *self)
{
  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), DASSIE_DATA_PAGE_STATE_EMPTY);
  return self->state;
}

const char *
dassie_data_page_get_state (DassieDataPage *self)
{
  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), NULL);
  /* The "state" pspec holds the enum class, so its nicks live as long as the program. */
  return g_enum_get_value (g_type_class_peek (DASSIE_TYPE_DATA_PAGE_STATE), self->state)->value_nick;
}

const char *
dassie_data_page_get_summary (DassieDataPage *self)
{
  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), NULL);
  return gtk_label_get_text (self->summary_label);
}

const char *
dassie_data_page_get_error (DassieDataPage *self)
{
  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), NULL);
  return self->error_text;
}

guint
dassie_data_page_get_n_thumbnails (DassieDataPage *self)
{
  g_return_val_if_fail (DASSIE_IS_DATA_PAGE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->thumbnails));
}

static void
dassie_data_page_dispose (GObject *object)
{
  DassieDataPage *self = DASSIE_DATA_PAGE (object);

  if (self->job != NULL)
    dassie_job_cancel (self->job);
  g_clear_object (&self->job);
  gtk_widget_dispose_template (GTK_WIDGET (self), DASSIE_TYPE_DATA_PAGE);
  g_clear_object (&self->thumbnails);

  G_OBJECT_CLASS (dassie_data_page_parent_class)->dispose (object);
}

static void
dassie_data_page_finalize (GObject *object)
{
  DassieDataPage *self = DASSIE_DATA_PAGE (object);

  g_clear_pointer (&self->dataset, dassie_dataset_unref);
  g_clear_pointer (&self->folder, g_free);
  g_clear_pointer (&self->error_text, g_free);

  G_OBJECT_CLASS (dassie_data_page_parent_class)->finalize (object);
}

static void
dassie_data_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  DassieDataPage *self = DASSIE_DATA_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDER:
      g_value_set_string (value, self->folder);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_data_page_class_init (DassieDataPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_data_page_dispose;
  object_class->finalize = dassie_data_page_finalize;
  object_class->get_property = dassie_data_page_get_property;

  properties[PROP_FOLDER] =
    g_param_spec_string ("folder", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, DASSIE_TYPE_DATA_PAGE_STATE, DASSIE_DATA_PAGE_STATE_EMPTY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DASSIE_TYPE_CUTOUT_GRID);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-data-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, stack);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, loading_status);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, error_skipped_group);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, error_skipped_list);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, folder_row);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, objects_row);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, bands_row);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, size_row);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, skipped_group);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, skipped_list);
  gtk_widget_class_bind_template_child (widget_class, DassieDataPage, grid);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dassie_data_page_init (DassieDataPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->thumbnails = g_list_store_new (DASSIE_TYPE_CUTOUT_ITEM);
  dassie_cutout_grid_set_model (self->grid, G_LIST_MODEL (self->thumbnails));
  gtk_stack_set_visible_child_name (self->stack, dassie_data_page_get_state (self));
}
