/* dassie-explore-page.c: the Explore page: the map, the histogram, the grids, the inspector, exports
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-cutout-item.h"
#include "dassie-cutout-render.h"
#include "dassie-explore-page.h"

/* A selection of thousands of objects shows the most anomalous first, up to this many. */
#define MAX_SELECTION_TILES 200
#define TILE_SIZE           96
#define GRID_SAVE_COLUMNS   8

typedef enum
{
  GRID_ANOMALOUS,
  GRID_NORMAL,
  GRID_SELECTION,
  N_GRIDS
} Grid;

static const char * const grid_names[N_GRIDS] = { "anomalous", "normal", "selection" };

struct _DassieExplorePage
{
  GtkWidget             parent_instance;

  GtkStack             *state_stack;
  GtkSpinner           *loading_spinner;
  AdwStatusPage        *error_status;
  GtkLabel             *zoom_label;
  GtkLabel             *selection_label;
  GtkLabel             *selection_note;
  GtkLabel             *cutouts_note;
  GtkDropDown          *colormap_dropdown;
  GtkDropDown          *band_dropdown;
  GtkDropDown          *stretch_dropdown;
  GtkDropDown          *limits_dropdown;
  GtkStringList        *band_list;
  GtkSpinButton        *range_min_spin;
  GtkSpinButton        *range_max_spin;
  GtkAdjustment        *range_min_adjustment;
  GtkAdjustment        *range_max_adjustment;
  GtkAdjustment        *count_adjustment;
  GtkCheckButton       *log_check;
  DassieScatterView    *scatter;
  DassieHistogramView  *histogram;
  AdwViewStack         *grid_stack;
  AdwViewStackPage     *selection_page;
  GtkStack             *selection_stack;
  GtkWidget            *count_row;
  DassieCutoutGrid     *grids[N_GRIDS];

  DassieSession        *session;
  DassieExploreModel   *model;
  DassieInspector      *inspector;
  DassieDisplayOptions  options;
  const char           *state;
  char                 *error;
  char                 *tool;
  guint                 reload_source;
  GCancellable         *load_cancellable;
  GCancellable         *grid_cancellables[N_GRIDS];
  gboolean              updating_controls;
  gboolean              was_busy;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_TOOL,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (DassieExplorePage, dassie_explore_page, GTK_TYPE_WIDGET)

static DassieCatalog *
catalog_of (DassieExplorePage *self)
{
  return dassie_explore_model_get_catalog (self->model);
}

static void
toast (DassieExplorePage *self,
       const char        *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *t;

  if (overlay == NULL)
    {
      g_message ("%s", message);
      return;
    }
  t = adw_toast_new (message);
  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), t);
}

static void
set_state (DassieExplorePage *self,
           const char        *state)
{
  if (g_strcmp0 (state, self->state) == 0)
    return;
  self->state = state;
  gtk_stack_set_visible_child_name (self->state_stack, state);
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (state, "loading"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

gboolean
dassie_explore_page_get_busy (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), FALSE);

  if (self->load_cancellable != NULL || self->reload_source != 0)
    return TRUE;
  for (guint i = 0; i < N_GRIDS; i++)
    if (self->grid_cancellables[i] != NULL)
      return TRUE;
  return FALSE;
}

static void
notify_busy (DassieExplorePage *self)
{
  gboolean busy = dassie_explore_page_get_busy (self);

  if (busy == self->was_busy)
    return;
  self->was_busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static const char *shown_grid_name (DassieExplorePage *self);

/* ------------------------------------------------------------------------------------------------
 * Grids */

typedef struct
{
  Grid          grid;
  GCancellable *cancellable;   /* identifies the request: a newer one replaces it */
  guint32      *rows;
  gsize         n;
} GridRequest;

static void
grid_request_free (GridRequest *req)
{
  g_clear_object (&req->cancellable);
  g_free (req->rows);
  g_free (req);
}

static void
on_grid_rendered (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);
  GridRequest *req = user_data;
  g_autoptr(GPtrArray) textures = dassie_cutouts_render_finish (result, NULL);
  DassieCatalog *catalog = NULL;
  g_autoptr(GListStore) store = NULL;

  /* A newer request for this grid replaced this one (dispose cancels and clears them all). */
  if (req->cancellable == self->grid_cancellables[req->grid])
    catalog = catalog_of (self);
  if (req->cancellable != self->grid_cancellables[req->grid] || textures == NULL || catalog == NULL)
    {
      grid_request_free (req);
      return;
    }

  store = g_list_store_new (DASSIE_TYPE_CUTOUT_ITEM);
  for (gsize i = 0; i < req->n; i++)
    {
      guint32 row = req->rows[i];
      g_autofree char *caption = g_strdup_printf (_("%s\nscore %.4g"), catalog->ids[row], catalog->scores[row]);
      g_autoptr(DassieCutoutItem) item = dassie_cutout_item_new (row, catalog->ids[row], caption,
                                                                 g_ptr_array_index (textures, i));
      g_list_store_append (store, item);
    }
  dassie_cutout_grid_set_model (self->grids[req->grid], G_LIST_MODEL (store));
  g_clear_object (&self->grid_cancellables[req->grid]);
  grid_request_free (req);
  notify_busy (self);
}

/* The rows a grid shows, in its order. */
static guint32 *
grid_rows (DassieExplorePage *self,
           Grid               grid,
           gsize             *n_out)
{
  DassieCatalog *catalog = catalog_of (self);
  guint count = (guint) gtk_adjustment_get_value (self->count_adjustment);
  guint32 *rows;
  gsize n = 0;

  switch (grid)
    {
    case GRID_ANOMALOUS:
      rows = g_new (guint32, MAX (count, 1));
      for (guint r = 0; r < catalog->n && n < count; r++)
        if (isfinite (catalog->scores[catalog->order[r]]))
          rows[n++] = catalog->order[r];
      break;
    case GRID_NORMAL:
      rows = g_new (guint32, MAX (count, 1));
      for (guint r = catalog->n; r > 0 && n < count; r--)
        if (isfinite (catalog->scores[catalog->order[r - 1]]))
          rows[n++] = catalog->order[r - 1];
      break;
    case GRID_SELECTION:
    case N_GRIDS:
    default:
      {
        /* In rank order, stopping at the cap: no sort of a selection of a million objects. */
        const DassieSelection *selection = dassie_explore_model_get_selection (self->model);

        rows = g_new (guint32, MAX_SELECTION_TILES);
        for (guint r = 0; r < catalog->n && n < MAX_SELECTION_TILES; r++)
          if (dassie_selection_contains (selection, catalog->order[r]))
            rows[n++] = catalog->order[r];
      }
      break;
    }
  *n_out = n;
  return rows;
}

static void
refresh_grid (DassieExplorePage *self,
              Grid               grid)
{
  DassieCatalog *catalog = catalog_of (self);
  GridRequest *req;

  if (self->grid_cancellables[grid] != NULL)
    g_cancellable_cancel (self->grid_cancellables[grid]);
  g_clear_object (&self->grid_cancellables[grid]);

  if (catalog == NULL)
    {
      dassie_cutout_grid_set_model (self->grids[grid], NULL);
      notify_busy (self);
      return;
    }

  req = g_new0 (GridRequest, 1);
  req->grid = grid;
  req->rows = grid_rows (self, grid, &req->n);
  req->cancellable = g_cancellable_new ();
  self->grid_cancellables[grid] = g_object_ref (req->cancellable);
  dassie_cutouts_render_async (self, catalog, req->rows, req->n, &self->options, 1, TILE_SIZE, req->cancellable,
                               on_grid_rendered, req);
  notify_busy (self);
}

static void
refresh_grids (DassieExplorePage *self)
{
  for (guint i = 0; i < N_GRIDS; i++)
    refresh_grid (self, i);
}

static void
update_selection_texts (DassieExplorePage *self)
{
  DassieCatalog *catalog = catalog_of (self);
  guint n = dassie_explore_model_get_n_selected (self->model);
  g_autofree char *text = NULL;

  if (catalog == NULL)
    {
      gtk_label_set_text (self->selection_label, "");
      return;
    }
  if (n == 0)
    text = g_strdup_printf (ngettext ("No selection among %u object", "No selection among %u objects", catalog->n),
                            catalog->n);
  else
    text = g_strdup_printf (ngettext ("%u of %u object selected", "%u of %u objects selected", catalog->n),
                            n, catalog->n);
  gtk_label_set_text (self->selection_label, text);
  adw_view_stack_page_set_badge_number (self->selection_page, n);
  gtk_stack_set_visible_child_name (self->selection_stack, n > 0 ? "grid" : "empty");

  g_free (text);
  if (n > MAX_SELECTION_TILES)
    text = g_strdup_printf (ngettext ("The %u most anomalous of %u selected object", "The %u most anomalous of %u selected objects", n),
                            MAX_SELECTION_TILES, n);
  else
    text = g_strdup_printf (ngettext ("%u selected object, the most anomalous first",
                                      "%u selected objects, the most anomalous first", n),
                            n);
  gtk_label_set_text (self->selection_note, text);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "explore.export-selection", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "explore.select-none", n > 0);
}

static void
on_selection_changed (DassieExplorePage *self)
{
  update_selection_texts (self);
  refresh_grid (self, GRID_SELECTION);
  /* What was just selected is what the user wants to see. */
  if (dassie_explore_model_get_n_selected (self->model) > 0)
    adw_view_stack_set_visible_child_name (self->grid_stack, grid_names[GRID_SELECTION]);
}

static void
on_view_changed (DassieExplorePage *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f %%", 100 * dassie_explore_model_get_zoom (self->model));
  gtk_label_set_text (self->zoom_label, text);
}

static void
on_grid_object_activated (DassieExplorePage *self,
                          guint              row,
                          const char        *object_id)
{
  dassie_explore_page_inspect (self, row);
}

static void
on_scatter_object_activated (DassieExplorePage *self,
                             guint              row)
{
  dassie_explore_page_inspect (self, row);
}

/* ------------------------------------------------------------------------------------------------
 * Display controls */

/* The band dropdown: the composite first when there are three bands, then each band. */
static gboolean
has_composite (DassieExplorePage *self)
{
  DassieCatalog *catalog = catalog_of (self);
  return catalog != NULL && catalog->dataset != NULL && dassie_dataset_get_n_bands (catalog->dataset) >= 3;
}

static void
sync_display_controls (DassieExplorePage *self)
{
  guint band_item;

  self->updating_controls = TRUE;
  if (has_composite (self))
    band_item = self->options.mode == DASSIE_DISPLAY_LUPTON ? 0 : self->options.band + 1;
  else
    band_item = self->options.band;
  gtk_drop_down_set_selected (self->band_dropdown, band_item);
  gtk_drop_down_set_selected (self->stretch_dropdown, self->options.stretch);
  gtk_drop_down_set_selected (self->limits_dropdown, self->options.limits);
  /* Lupton's composite has its own asinh stretch. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->stretch_dropdown), self->options.mode == DASSIE_DISPLAY_BAND);
  self->updating_controls = FALSE;
}

static void
fill_band_list (DassieExplorePage *self)
{
  DassieCatalog *catalog = catalog_of (self);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->band_list));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (has_composite (self))
    {
      const char *r = dassie_dataset_get_band (catalog->dataset, self->options.rgb_bands[0]);
      const char *g = dassie_dataset_get_band (catalog->dataset, self->options.rgb_bands[1]);
      const char *b = dassie_dataset_get_band (catalog->dataset, self->options.rgb_bands[2]);

      g_ptr_array_add (names, g_strdup_printf (_("Colour (%s, %s, %s)"), r, g, b));
    }
  for (guint i = 0; catalog != NULL && catalog->dataset != NULL && i < dassie_dataset_get_n_bands (catalog->dataset); i++)
    g_ptr_array_add (names, g_strdup_printf (_("Band %s"), dassie_dataset_get_band (catalog->dataset, i)));
  g_ptr_array_add (names, NULL);

  self->updating_controls = TRUE;
  gtk_string_list_splice (self->band_list, 0, n_items, (const char * const *) names->pdata);
  self->updating_controls = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->band_dropdown), names->len > 1);
}

static void
display_options_changed (DassieExplorePage *self)
{
  sync_display_controls (self);
  if (self->inspector != NULL)
    dassie_inspector_set_display_options (self->inspector, &self->options);
  refresh_grids (self);
}

static void
on_display_control (DassieExplorePage *self)
{
  guint band_item = gtk_drop_down_get_selected (self->band_dropdown);

  if (self->updating_controls || band_item == GTK_INVALID_LIST_POSITION)
    return;
  if (has_composite (self) && band_item == 0)
    self->options.mode = DASSIE_DISPLAY_LUPTON;
  else
    {
      self->options.mode = DASSIE_DISPLAY_BAND;
      self->options.band = has_composite (self) ? band_item - 1 : band_item;
    }
  self->options.stretch = (DassieStretch) MIN (gtk_drop_down_get_selected (self->stretch_dropdown), DASSIE_STRETCH_ASINH);
  self->options.limits = (DassieLimits) MIN (gtk_drop_down_get_selected (self->limits_dropdown), DASSIE_LIMITS_ZSCALE);
  display_options_changed (self);
}

const DassieDisplayOptions *
dassie_explore_page_get_display_options (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  return &self->options;
}

void
dassie_explore_page_set_display_options (DassieExplorePage          *self,
                                         const DassieDisplayOptions *options)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_PAGE (self));
  g_return_if_fail (options != NULL);

  self->options = *options;
  display_options_changed (self);
}

static void
on_colormap_selected (DassieExplorePage *self)
{
  guint item = gtk_drop_down_get_selected (self->colormap_dropdown);

  if (item <= DASSIE_COLORMAP_GREY)
    dassie_explore_model_set_colormap (self->model, (DassieColormap) item);
}

/* The count applies to the grids of the most anomalous and most normal only. */
static void
on_grid_shown (DassieExplorePage *self)
{
  gtk_widget_set_visible (self->count_row, !g_str_equal (shown_grid_name (self), grid_names[GRID_SELECTION]));
}

static void
on_count_changed (DassieExplorePage *self)
{
  refresh_grid (self, GRID_ANOMALOUS);
  refresh_grid (self, GRID_NORMAL);
}

void
dassie_explore_page_set_grid_count (DassieExplorePage *self,
                                    guint              count)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_PAGE (self));
  gtk_adjustment_set_value (self->count_adjustment, count);
}

/* ------------------------------------------------------------------------------------------------
 * Loading */

typedef struct
{
  char          *scores;
  char          *umap;
  DassieDataset *dataset;
} LoadRequest;

static void
load_request_free (LoadRequest *req)
{
  g_free (req->scores);
  g_free (req->umap);
  g_clear_pointer (&req->dataset, dassie_dataset_unref);
  g_free (req);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadRequest *req = task_data;
  GError *error = NULL;
  DassieCatalog *catalog = dassie_catalog_load (req->scores, req->umap, req->dataset, cancellable, &error);

  if (catalog == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, catalog, (GDestroyNotify) dassie_catalog_unref);
}

static void
show_catalog (DassieExplorePage *self,
              DassieCatalog     *catalog)
{
  DassieDataset *old_dataset = catalog_of (self) != NULL ? catalog_of (self)->dataset : NULL;
  gboolean new_dataset = catalog == NULL || catalog->dataset != old_dataset || catalog_of (self) == NULL;

  dassie_explore_model_set_catalog (self->model, catalog);
  /* A new data set gets its own default look; the same one keeps the user's choice. */
  if (catalog != NULL && catalog->dataset != NULL && new_dataset)
    dassie_display_options_for_dataset (&self->options, catalog->dataset);
  fill_band_list (self);
  gtk_widget_set_visible (GTK_WIDGET (self->cutouts_note), catalog != NULL && catalog->dataset == NULL);
  display_options_changed (self);
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);
  GCancellable *cancellable = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieCatalog) catalog = g_task_propagate_pointer (G_TASK (result), &error);

  /* Replaced by a newer load. */
  if (cancellable != self->load_cancellable)
    {
      g_object_unref (cancellable);
      return;
    }
  g_object_unref (cancellable);
  g_clear_object (&self->load_cancellable);

  if (catalog == NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      adw_status_page_set_description (self->error_status, error->message);
      show_catalog (self, NULL);
      set_state (self, "error");
    }
  else
    {
      g_clear_pointer (&self->error, g_free);
      show_catalog (self, catalog);
      set_state (self, "ready");
    }
  notify_busy (self);
}

static gboolean
reload (gpointer user_data)
{
  DassieExplorePage *self = user_data;
  g_autoptr(GTask) task = NULL;
  LoadRequest *req;

  self->reload_source = 0;
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  if (self->session == NULL || !dassie_session_get_explore_ready (self->session))
    {
      show_catalog (self, NULL);
      set_state (self, "empty");
      notify_busy (self);
      return G_SOURCE_REMOVE;
    }

  req = g_new0 (LoadRequest, 1);
  req->scores = g_strdup (dassie_session_get_run (self->session, "scores"));
  req->umap = g_strdup (dassie_session_get_run (self->session, "umap"));
  if (dassie_session_get_dataset (self->session) != NULL)
    req->dataset = dassie_dataset_ref (dassie_session_get_dataset (self->session));

  self->load_cancellable = g_cancellable_new ();
  if (catalog_of (self) == NULL)
    set_state (self, "loading");
  task = g_task_new (self, self->load_cancellable, on_loaded, g_object_ref (self->load_cancellable));
  g_task_set_source_tag (task, reload);
  g_task_set_task_data (task, req, (GDestroyNotify) load_request_free);
  g_task_run_in_thread (task, load_thread);
  notify_busy (self);
  return G_SOURCE_REMOVE;
}

/* Several session properties change together (a new infer run clears scores and map): load once. */
static void
schedule_reload (DassieExplorePage *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, reload, self, NULL);
  notify_busy (self);
}

void
dassie_explore_page_set_session (DassieExplorePage *self,
                                 DassieSession     *session)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_PAGE (self));
  g_return_if_fail (DASSIE_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::explore-ready", G_CALLBACK (schedule_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::scores-run", G_CALLBACK (schedule_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::umap-run", G_CALLBACK (schedule_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::dataset", G_CALLBACK (schedule_reload), self, G_CONNECT_SWAPPED);
  schedule_reload (self);
}

const char *
dassie_explore_page_get_state (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  return self->state;
}

const char *
dassie_explore_page_get_error (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  return self->error;
}

/* ------------------------------------------------------------------------------------------------
 * Inspector */

DassieInspector *
dassie_explore_page_inspect (DassieExplorePage *self,
                             guint              row)
{
  GtkRoot *root;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  g_return_val_if_fail (catalog_of (self) != NULL && row < catalog_of (self)->n, NULL);

  if (self->inspector == NULL)
    {
      self->inspector = g_object_ref_sink (dassie_inspector_new (self->model));
      root = gtk_widget_get_root (GTK_WIDGET (self));
      if (GTK_IS_WINDOW (root))
        gtk_window_set_transient_for (GTK_WINDOW (self->inspector), GTK_WINDOW (root));
    }
  dassie_inspector_set_display_options (self->inspector, &self->options);
  dassie_inspector_show_row (self->inspector, row);
  gtk_window_present (GTK_WINDOW (self->inspector));
  return self->inspector;
}

DassieInspector *
dassie_explore_page_get_inspector (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  return self->inspector;
}

/* ------------------------------------------------------------------------------------------------
 * Exports and plots */

typedef struct
{
  DassieCatalog      *catalog;
  guint32            *rows;
  gsize               n;
  char               *path;
  DassieExportFormat  format;
} ExportRequest;

static void
export_request_free (ExportRequest *req)
{
  dassie_catalog_unref (req->catalog);
  g_free (req->rows);
  g_free (req->path);
  g_free (req);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportRequest *req = task_data;
  GError *error = NULL;

  if (dassie_catalog_export (req->catalog, req->rows, req->n, req->path, req->format, &error))
    g_task_return_int (task, (gssize) req->n);
  else
    g_task_return_error (task, error);
}

void
dassie_explore_page_export_async (DassieExplorePage   *self,
                                  guint                top_n,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DassieCatalog *catalog;
  ExportRequest *req;

  g_return_if_fail (DASSIE_IS_EXPLORE_PAGE (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dassie_explore_page_export_async);
  catalog = catalog_of (self);
  if (catalog == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There are no scores to export yet."));
      return;
    }

  req = g_new0 (ExportRequest, 1);
  req->catalog = dassie_catalog_ref (catalog);
  req->path = g_strdup (path);
  if (!dassie_export_format_from_path (path, &req->format))
    req->format = DASSIE_EXPORT_CSV;
  if (top_n > 0)
    {
      req->n = MIN (top_n, catalog->n);
      req->rows = g_memdup2 (catalog->order, MAX (req->n, 1) * sizeof (guint32));
    }
  else
    /* The worker sorts them by rank. */
    req->rows = dassie_selection_get_indices (dassie_explore_model_get_selection (self->model), &req->n);
  g_task_set_task_data (task, req, (GDestroyNotify) export_request_free);
  g_task_run_in_thread (task, export_thread);
}

gssize
dassie_explore_page_export_finish (DassieExplorePage  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static void
on_exported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);
  g_autofree char *path = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_path_get_basename (path);
  gssize n = dassie_explore_page_export_finish (self, result, &error);

  if (n < 0)
    message = g_strdup_printf (_("The export failed: %s"), error->message);
  else
    message = g_strdup_printf (ngettext ("Exported %u object to “%s”", "Exported %u objects to “%s”", (gulong) n),
                               (guint) n, name);
  toast (self, message);
}

/* The extension a save dialog's filter stands for, added when the name has none of the kind. */
static char *
with_extension (const char *path,
                const char *extension)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, G_DIR_SEPARATOR);

  if (dot != NULL && (slash == NULL || dot > slash))
    return g_strdup (path);
  return g_strconcat (path, ".", extension, NULL);
}

typedef void (*SaveChosenFunc) (DassieExplorePage *self,
                                const char        *path,
                                gpointer           data);

typedef struct
{
  DassieExplorePage *page;
  SaveChosenFunc     chosen;
  gpointer           data;
  GDestroyNotify     data_free;
  GPtrArray         *extensions;   /* one per filter */
} SaveDialog;

static void
save_dialog_free (SaveDialog *dialog)
{
  g_object_unref (dialog->page);
  if (dialog->data_free != NULL)
    dialog->data_free (dialog->data);
  g_ptr_array_unref (dialog->extensions);
  g_free (dialog);
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  SaveDialog      *dialog)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GListModel) filters = gtk_file_chooser_get_filters (GTK_FILE_CHOOSER (chooser));
      const char *extension = g_ptr_array_index (dialog->extensions, 0);

      for (guint i = 0; i < g_list_model_get_n_items (filters); i++)
        {
          g_autoptr(GtkFileFilter) f = g_list_model_get_item (filters, i);
          if (f == filter)
            extension = g_ptr_array_index (dialog->extensions, i);
        }
      if (path != NULL)
        {
          g_autofree char *full = with_extension (path, extension);
          dialog->chosen (dialog->page, full, dialog->data);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  save_dialog_free (dialog);
}

/* Asks where to save; @filters is a NULL-terminated list of (name, extension) pairs. */
static void
choose_save_path (DassieExplorePage  *self,
                  const char         *title,
                  const char         *file_name,
                  const char * const *filters,
                  SaveChosenFunc      chosen,
                  gpointer            data,
                  GDestroyNotify      data_free)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  SaveDialog *dialog = g_new0 (SaveDialog, 1);

  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  dialog->page = g_object_ref (self);
  dialog->chosen = chosen;
  dialog->data = data;
  dialog->data_free = data_free;
  dialog->extensions = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; filters[i] != NULL; i += 2)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      g_autofree char *pattern = g_strconcat ("*.", filters[i + 1], NULL);

      gtk_file_filter_set_name (filter, filters[i]);
      gtk_file_filter_add_pattern (filter, pattern);
      if (g_str_equal (filters[i + 1], "vot"))
        gtk_file_filter_add_pattern (filter, "*.xml");
      if (g_str_equal (filters[i + 1], "fits"))
        gtk_file_filter_add_pattern (filter, "*.fit");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      g_ptr_array_add (dialog->extensions, g_strdup (filters[i + 1]));
      g_object_unref (filter);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), dialog);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const char *
list_filters[] = { N_("CSV table"), "csv", N_("FITS binary table"), "fits", N_("VOTable"), "vot", NULL };

static const char * const *
translated_filters (const char **filters,
                    const char  *translated[7])
{
  for (guint i = 0; filters[i] != NULL; i += 2)
    {
      translated[i] = _(filters[i]);
      translated[i + 1] = filters[i + 1];
    }
  translated[6] = NULL;
  return translated;
}

static void
export_to (DassieExplorePage *self,
           const char        *path,
           gpointer           data)
{
  dassie_explore_page_export_async (self, GPOINTER_TO_UINT (data), path, NULL, on_exported, g_strdup (path));
}

static void
export_selection_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  const char *filters[7];

  if (dassie_explore_model_get_n_selected (self->model) == 0)
    {
      toast (self, _("Select some objects first: draw a lasso in the map or drag across the histogram."));
      return;
    }
  choose_save_path (self, _("Export the Selected Objects"), _("selection.csv"),
                    translated_filters (list_filters, filters), export_to, GUINT_TO_POINTER (0), NULL);
}

static void
on_top_response (AdwMessageDialog *dialog,
                 const char       *response,
                 DassieExplorePage *self)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (adw_message_dialog_get_extra_child (dialog));
  const char *filters[7];
  guint n;

  if (!g_str_equal (response, "export"))
    return;
  n = (guint) gtk_spin_button_get_value_as_int (spin);
  choose_save_path (self, _("Export the Most Anomalous Objects"), _("most-anomalous.csv"),
                    translated_filters (list_filters, filters), export_to, GUINT_TO_POINTER (n), NULL);
}

static void
export_top_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  DassieCatalog *catalog = catalog_of (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  GtkWidget *spin;

  if (catalog == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Export the Most Anomalous Objects"),
                                   _("How many objects, from the highest score down?"));
  spin = gtk_spin_button_new_with_range (1, MAX (catalog->n, 1), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), MIN (100, catalog->n));
  gtk_widget_set_halign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Number of Objects"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), spin);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "export", _("_Export…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "export", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "export");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_top_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static const char *
shown_grid_name (DassieExplorePage *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->grid_stack);
  return name != NULL ? name : grid_names[GRID_ANOMALOUS];
}

/* Everything a plot needs to be drawn away from the widgets: taken on the main thread (the catalog is
 * immutable and referenced, the selection and view are copies), drawn on a worker. */
typedef struct
{
  char                 *plot;
  char                 *path;
  double                width;
  double                height;
  DassieCatalog        *catalog;
  DassieSelection      *selection;
  DassieView            view;
  DassieScatter         scatter;
  DassieHistogram       histogram;
  char                 *x_label;
  guint32              *rows;
  gsize                 n_rows;
  DassieDisplayOptions  options;
  Grid                  grid;
} SaveRequest;

static void
save_request_free (SaveRequest *req)
{
  g_free (req->plot);
  g_free (req->path);
  g_clear_pointer (&req->catalog, dassie_catalog_unref);
  g_clear_pointer (&req->selection, dassie_selection_free);
  g_free (req->x_label);
  g_free (req->rows);
  g_free (req);
}

static SaveRequest *
save_request_new (DassieExplorePage  *self,
                  const char         *plot,
                  const char         *path,
                  GError            **error)
{
  DassieCatalog *catalog = catalog_of (self);
  SaveRequest *req;

  if (catalog == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no plot to save yet."));
      return NULL;
    }
  if (!g_str_equal (plot, "map") && !g_str_equal (plot, "histogram") && !g_str_equal (plot, "grid"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("There is no plot called “%s”."), plot);
      return NULL;
    }

  req = g_new0 (SaveRequest, 1);
  req->plot = g_strdup (plot);
  req->path = g_strdup (path);
  req->catalog = dassie_catalog_ref (catalog);
  req->selection = dassie_selection_copy (dassie_explore_model_get_selection (self->model));

  if (g_str_equal (plot, "map"))
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self->scatter));
      int height = gtk_widget_get_height (GTK_WIDGET (self->scatter));

      dassie_scatter_view_describe (self->scatter, &req->scatter);
      req->view = *req->scatter.view;
      req->scatter.view = &req->view;
      req->scatter.selection = req->selection;
      req->scatter.cache = NULL;   /* the widget's own */
      req->width = width > 100 ? width : 900;
      req->height = height > 100 ? height : 700;
    }
  else if (g_str_equal (plot, "histogram"))
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self->histogram));
      int height = gtk_widget_get_height (GTK_WIDGET (self->histogram));

      dassie_histogram_view_describe (self->histogram, &req->histogram);
      req->x_label = g_strdup (req->histogram.x_label);
      req->histogram.x_label = req->x_label;
      req->histogram.selection = req->selection;
      req->width = width > 100 ? width : 900;
      req->height = height > 100 ? height : 400;
    }
  else
    {
      const char *name = shown_grid_name (self);
      g_autofree guint32 *rows = NULL;

      req->grid = GRID_ANOMALOUS;
      for (guint i = 0; i < N_GRIDS; i++)
        if (g_str_equal (name, grid_names[i]))
          req->grid = i;
      rows = grid_rows (self, req->grid, &req->n_rows);
      req->rows = g_steal_pointer (&rows);
      req->options = self->options;
    }

  return req;
}

static gboolean
save_grid (SaveRequest  *req,
           GError      **error)
{
  DassieCatalog *catalog = req->catalog;
  g_autoptr(GPtrArray) surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) cairo_surface_destroy);
  g_autofree const char **ids = g_new (const char *, MAX (req->n_rows, 1));
  g_autofree double *scores = g_new (double, MAX (req->n_rows, 1));
  DassieCutoutGridPlot grid = { 0 };
  gsize n = req->n_rows;
  guint columns, n_rows;

  for (gsize i = 0; i < n; i++)
    {
      g_ptr_array_add (surfaces, dassie_catalog_render_cutout (catalog, req->rows[i], &req->options, NULL));
      ids[i] = catalog->ids[req->rows[i]];
      scores[i] = catalog->scores[req->rows[i]];
    }
  grid.images = (cairo_surface_t * const *) surfaces->pdata;
  grid.ids = ids;
  grid.scores = scores;
  grid.n = n;
  columns = (guint) MIN (MAX (n, 1), GRID_SAVE_COLUMNS);
  grid.columns = columns;
  grid.title = req->grid == GRID_ANOMALOUS ? _("The most anomalous objects")
             : req->grid == GRID_NORMAL ? _("The most normal objects") : _("Selected objects");
  n_rows = (guint) ((MAX (n, 1) + columns - 1) / columns);
  return dassie_plot_save_cutout_grid (req->path, 150.0 * columns + 40, 190.0 * n_rows + 60, &grid, error);
}

/* Any thread: draws the plot into its file (reads FITS files for a grid). */
static gboolean
save_request_run (SaveRequest  *req,
                  GError      **error)
{
  if (g_str_equal (req->plot, "map"))
    return dassie_plot_save_scatter (req->path, req->width, req->height, &req->scatter, error);
  if (g_str_equal (req->plot, "histogram"))
    return dassie_plot_save_histogram (req->path, req->width, req->height, &req->histogram, error);
  return save_grid (req, error);
}

gboolean
dassie_explore_page_save_plot (DassieExplorePage  *self,
                               const char         *plot,
                               const char         *path,
                               GError            **error)
{
  SaveRequest *req;
  gboolean ok;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), FALSE);
  g_return_val_if_fail (plot != NULL && path != NULL, FALSE);

  req = save_request_new (self, plot, path, error);
  if (req == NULL)
    return FALSE;
  ok = save_request_run (req, error);
  save_request_free (req);
  return ok;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (save_request_run (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (((SaveRequest *) g_task_get_task_data (G_TASK (result)))->path);
  g_autofree char *message = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    message = g_strdup_printf (_("Saved “%s”"), name);
  else
    message = g_strdup_printf (_("The plot could not be saved: %s"), error->message);
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    toast (self, message);
}

static void
save_plot_to (DassieExplorePage *self,
              const char        *path,
              gpointer           data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  SaveRequest *req = save_request_new (self, data, path, &error);

  if (req == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The plot could not be saved: %s"), error->message);
      toast (self, message);
      return;
    }

  /* A million points as SVG, or a grid read from FITS files, takes long: not on the main thread. */
  task = g_task_new (self, NULL, save_done, NULL);
  g_task_set_source_tag (task, save_plot_to);
  g_task_set_task_data (task, req, (GDestroyNotify) save_request_free);
  g_task_run_in_thread (task, save_thread);
}

static void
save_plot_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  const char *plot = g_variant_get_string (param, NULL);
  const char *filters[] = { _("PNG image"), "png", _("SVG drawing"), "svg", _("PDF document"), "pdf", NULL };
  const char *file_name;

  if (catalog_of (self) == NULL)
    return;
  if (g_str_equal (plot, "map"))
    file_name = _("map.png");
  else if (g_str_equal (plot, "histogram"))
    file_name = _("histogram.png");
  else
    file_name = g_str_equal (shown_grid_name (self), "normal") ? _("most-normal.png")
              : g_str_equal (shown_grid_name (self), "selection") ? _("selection.png") : _("most-anomalous.png");
  choose_save_path (self, _("Save the Plot"), file_name, filters, save_plot_to, g_strdup (plot), g_free);
}

/* ------------------------------------------------------------------------------------------------
 * Map commands */

static void
zoom_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  dassie_explore_model_zoom_centre (DASSIE_EXPLORE_PAGE (widget)->model, 1.5);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  dassie_explore_model_zoom_centre (DASSIE_EXPLORE_PAGE (widget)->model, 1 / 1.5);
}

static void
zoom_reset_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  dassie_explore_model_reset_view (DASSIE_EXPLORE_PAGE (widget)->model);
}

static void
select_none_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  dassie_explore_model_select_none (DASSIE_EXPLORE_PAGE (widget)->model);
}

static void
reset_range_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  dassie_explore_model_reset_histogram_range (DASSIE_EXPLORE_PAGE (widget)->model);
}

static void
on_catalog_changed (DassieExplorePage *self)
{
  DassieCatalog *catalog = catalog_of (self);
  const char * const actions[] = { "explore.zoom-in", "explore.zoom-out", "explore.zoom-reset", "explore.export-top",
                                   "explore.save-plot", "explore.reset-range" };
  double low, high;

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], catalog != NULL);

  /* Spin steps of a hundredth of the default range suit any scale of scores. */
  g_object_get (self->model, "histogram-min", &low, "histogram-max", &high, NULL);
  gtk_adjustment_set_step_increment (self->range_min_adjustment, (high - low) / 100);
  gtk_adjustment_set_step_increment (self->range_max_adjustment, (high - low) / 100);
  gtk_adjustment_set_page_increment (self->range_min_adjustment, (high - low) / 10);
  gtk_adjustment_set_page_increment (self->range_max_adjustment, (high - low) / 10);
  /* Enough decimals to show a step: squared latent distances can be 1e-6 or 1e+3. */
  if (high > low)
    {
      guint digits = (guint) CLAMP (ceil (-log10 ((high - low) / 100)) + 1, 2, 12);

      gtk_spin_button_set_digits (self->range_min_spin, digits);
      gtk_spin_button_set_digits (self->range_max_spin, digits);
      gtk_editable_set_width_chars (GTK_EDITABLE (self->range_min_spin), (int) digits + 3);
      gtk_editable_set_width_chars (GTK_EDITABLE (self->range_max_spin), (int) digits + 3);
    }
  update_selection_texts (self);
  on_view_changed (self);
}

/* ------------------------------------------------------------------------------------------------
 * GObject */

static void
set_tool (DassieExplorePage *self,
          const char        *tool)
{
  DassieScatterTool value = g_strcmp0 (tool, "lasso") == 0 ? DASSIE_SCATTER_TOOL_LASSO
                          : g_strcmp0 (tool, "box") == 0 ? DASSIE_SCATTER_TOOL_BOX : DASSIE_SCATTER_TOOL_PAN;
  const char *names[] = { "pan", "lasso", "box" };

  if (g_strcmp0 (names[value], self->tool) == 0)
    return;
  g_free (self->tool);
  self->tool = g_strdup (names[value]);
  dassie_scatter_view_set_tool (self->scatter, value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
}

static void
dassie_explore_page_dispose (GObject *object)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);
  GtkWidget *child;

  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  for (guint i = 0; i < N_GRIDS; i++)
    {
      if (self->grid_cancellables[i] != NULL)
        g_cancellable_cancel (self->grid_cancellables[i]);
      g_clear_object (&self->grid_cancellables[i]);
    }
  if (self->inspector != NULL)
    gtk_window_destroy (GTK_WINDOW (self->inspector));
  g_clear_object (&self->inspector);
  gtk_widget_dispose_template (GTK_WIDGET (self), DASSIE_TYPE_EXPLORE_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (dassie_explore_page_parent_class)->dispose (object);
}

static void
dassie_explore_page_finalize (GObject *object)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);

  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->tool, g_free);

  G_OBJECT_CLASS (dassie_explore_page_parent_class)->finalize (object);
}

static void
dassie_explore_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_TOOL:
      g_value_set_string (value, self->tool);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, dassie_explore_page_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_explore_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);

  switch (prop_id)
    {
    case PROP_TOOL:
      set_tool (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* One shortcut for each of the "|"-separated @triggers, so that each key reads as itself. */
static void
add_shortcut (GtkShortcutController *controller,
              const char            *triggers,
              const char            *action,
              GVariant              *target)
{
  g_auto(GStrv) each = g_strsplit (triggers, "|", -1);

  if (target != NULL)
    g_variant_ref_sink (target);
  for (guint i = 0; each[i] != NULL; i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (each[i]),
                                                gtk_named_action_new (action));

      if (target != NULL)
        gtk_shortcut_set_arguments (shortcut, target);
      gtk_shortcut_controller_add_shortcut (controller, shortcut);
    }
  g_clear_pointer (&target, g_variant_unref);
}

static void
dassie_explore_page_class_init (DassieExplorePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_explore_page_dispose;
  object_class->finalize = dassie_explore_page_finalize;
  object_class->get_property = dassie_explore_page_get_property;
  object_class->set_property = dassie_explore_page_set_property;

  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "empty", G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOOL] =
    g_param_spec_string ("tool", NULL, NULL, "pan", G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DASSIE_TYPE_SCATTER_VIEW);
  g_type_ensure (DASSIE_TYPE_HISTOGRAM_VIEW);
  g_type_ensure (DASSIE_TYPE_CUTOUT_GRID);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-explore-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, error_status);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, selection_label);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, selection_note);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, cutouts_note);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, colormap_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, band_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, stretch_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, limits_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, band_list);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, range_min_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, range_max_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, range_min_adjustment);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, range_max_adjustment);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, count_adjustment);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, log_check);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, scatter);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, histogram);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, grid_stack);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, selection_page);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, selection_stack);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, count_row);
  gtk_widget_class_bind_template_child_full (widget_class, "anomalous_grid", FALSE,
                                             G_STRUCT_OFFSET (DassieExplorePage, grids[GRID_ANOMALOUS]));
  gtk_widget_class_bind_template_child_full (widget_class, "normal_grid", FALSE,
                                             G_STRUCT_OFFSET (DassieExplorePage, grids[GRID_NORMAL]));
  gtk_widget_class_bind_template_child_full (widget_class, "selection_grid", FALSE,
                                             G_STRUCT_OFFSET (DassieExplorePage, grids[GRID_SELECTION]));

  gtk_widget_class_install_action (widget_class, "explore.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "explore.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "explore.zoom-reset", NULL, zoom_reset_action);
  gtk_widget_class_install_action (widget_class, "explore.select-none", NULL, select_none_action);
  gtk_widget_class_install_action (widget_class, "explore.reset-range", NULL, reset_range_action);
  gtk_widget_class_install_action (widget_class, "explore.export-selection", NULL, export_selection_action);
  gtk_widget_class_install_action (widget_class, "explore.export-top", NULL, export_top_action);
  gtk_widget_class_install_action (widget_class, "explore.save-plot", "s", save_plot_action);
  gtk_widget_class_install_property_action (widget_class, "explore.tool", "tool");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dassie_explore_page_init (DassieExplorePage *self)
{
  GtkEventController *shortcuts;

  self->tool = g_strdup ("pan");
  self->state = "empty";
  gtk_widget_init_template (GTK_WIDGET (self));
  dassie_display_options_init (&self->options);

  self->model = dassie_explore_model_new ();
  dassie_scatter_view_set_model (self->scatter, self->model);
  dassie_histogram_view_set_model (self->histogram, self->model);
  g_signal_connect_swapped (self->model, "notify::catalog", G_CALLBACK (on_catalog_changed), self);
  g_signal_connect_swapped (self->model, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->model, "view-changed", G_CALLBACK (on_view_changed), self);
  g_object_bind_property (self->model, "histogram-min", self->range_min_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->model, "histogram-max", self->range_max_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->model, "log-counts", self->log_check, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  g_signal_connect_swapped (self->scatter, "object-activated", G_CALLBACK (on_scatter_object_activated), self);
  for (guint i = 0; i < N_GRIDS; i++)
    g_signal_connect_swapped (self->grids[i], "object-activated", G_CALLBACK (on_grid_object_activated), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grids[GRID_ANOMALOUS]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The most anomalous objects"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grids[GRID_NORMAL]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The most normal objects"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grids[GRID_SELECTION]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The selected objects"), -1);

  g_signal_connect_swapped (self->colormap_dropdown, "notify::selected", G_CALLBACK (on_colormap_selected), self);
  g_signal_connect_swapped (self->band_dropdown, "notify::selected", G_CALLBACK (on_display_control), self);
  g_signal_connect_swapped (self->stretch_dropdown, "notify::selected", G_CALLBACK (on_display_control), self);
  g_signal_connect_swapped (self->limits_dropdown, "notify::selected", G_CALLBACK (on_display_control), self);
  g_signal_connect_swapped (self->count_adjustment, "value-changed", G_CALLBACK (on_count_changed), self);
  g_signal_connect_swapped (self->grid_stack, "notify::visible-child", G_CALLBACK (on_grid_shown), self);

  /* Managed by the window, active while the page is shown, whatever has the focus. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_MANAGED);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control>plus|<Control>equal|<Control>KP_Add", "explore.zoom-in", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control>minus|<Control>KP_Subtract", "explore.zoom-out", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control>0|<Control>KP_0", "explore.zoom-reset", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control><Shift>a", "explore.select-none", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control>e", "explore.export-selection", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control><Shift>e", "explore.export-top", NULL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control><Shift>s", "explore.save-plot", g_variant_new_string ("map"));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  on_catalog_changed (self);
  gtk_stack_set_visible_child_name (self->state_stack, "empty");
}

DassieScatterView *
dassie_explore_page_get_scatter (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  return self->scatter;
}

DassieHistogramView *
dassie_explore_page_get_histogram (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  return self->histogram;
}

DassieExploreModel *
dassie_explore_page_get_model (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  return self->model;
}

DassieCutoutGrid *
dassie_explore_page_get_grid (DassieExplorePage *self,
                              const char        *name)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);

  for (guint i = 0; i < N_GRIDS; i++)
    if (g_strcmp0 (name, grid_names[i]) == 0)
      return self->grids[i];
  g_return_val_if_reached (NULL);
}

void
dassie_explore_page_show_grid (DassieExplorePage *self,
                               const char        *name)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_PAGE (self));
  adw_view_stack_set_visible_child_name (self->grid_stack, name);
}
