/* dassie-explore-page.c: the Explore page: loading, the map, the histogram, the grids, the inspector
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "dassie-cutout-item.h"
#include "dassie-cutout-render.h"
#include "dassie-explore-page-private.h"
#include "dassie-score-chooser.h"

#define TILE_SIZE 96

static const char * const grid_names[N_GRIDS] = { "anomalous", "normal", "selection", "promising" };

enum {
  PROP_0,
  PROP_STATE,
  PROP_TOOL,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (DassieExplorePageState, dassie_explore_page_state,
                    G_DEFINE_ENUM_VALUE (DASSIE_EXPLORE_PAGE_STATE_EMPTY, "empty"),
                    G_DEFINE_ENUM_VALUE (DASSIE_EXPLORE_PAGE_STATE_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (DASSIE_EXPLORE_PAGE_STATE_ERROR, "error"),
                    G_DEFINE_ENUM_VALUE (DASSIE_EXPLORE_PAGE_STATE_READY, "ready"))

G_DEFINE_FINAL_TYPE (DassieExplorePage, dassie_explore_page, GTK_TYPE_WIDGET)

/* Takes @toast. */
void
_dassie_explore_page_add_toast (DassieExplorePage *self,
                                AdwToast          *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay == NULL)
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (toast);
      return;
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

void
_dassie_explore_page_toast (DassieExplorePage *self,
                            const char        *message)
{
  AdwToast *t = adw_toast_new (message);

  adw_toast_set_timeout (t, 6);
  _dassie_explore_page_add_toast (self, t);
}

static void
set_state (DassieExplorePage      *self,
           DassieExplorePageState  state)
{
  if (state == self->state)
    return;
  self->state = state;
  gtk_stack_set_visible_child_name (self->state_stack, dassie_explore_page_get_state (self));
  gtk_spinner_set_spinning (self->loading_spinner, state == DASSIE_EXPLORE_PAGE_STATE_LOADING);
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
      g_autoptr(DassieCutoutItem) item = NULL;

      if (req->grid == GRID_PROMISING && catalog->relevance != NULL)
        {
          g_free (caption);
          caption = g_strdup_printf (_("%s\nrelevance %.3f"), catalog->ids[row], catalog->relevance[row]);
        }
      item = dassie_cutout_item_new (row, catalog->ids[row], caption, g_ptr_array_index (textures, i));
      dassie_cutout_item_set_label (item, dassie_explore_model_get_row_label (self->model, row));
      g_list_store_append (store, item);
    }
  dassie_cutout_grid_set_model (self->grids[req->grid], G_LIST_MODEL (store));
  g_clear_object (&self->grid_cancellables[req->grid]);
  grid_request_free (req);
  notify_busy (self);
}

guint32 *
_dassie_explore_page_grid_rows (DassieExplorePage *self,
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
        if (isfinite (catalog->scores[catalog->order[r]]) && !dassie_explore_model_row_hidden (self->model, catalog->order[r]))
          rows[n++] = catalog->order[r];
      break;
    case GRID_PROMISING:
      /* Unlabelled objects only, so none of them is hidden. */
      rows = g_new (guint32, MAX (count, 1));
      for (guint r = 0; catalog->promising != NULL && r < catalog->n_promising && n < count; r++)
        rows[n++] = catalog->promising[r];
      break;
    case GRID_NORMAL:
      rows = g_new (guint32, MAX (count, 1));
      for (guint r = catalog->n; r > 0 && n < count; r--)
        if (isfinite (catalog->scores[catalog->order[r - 1]]) && !dassie_explore_model_row_hidden (self->model, catalog->order[r - 1]))
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
          if (dassie_selection_contains (selection, catalog->order[r]) &&
              !dassie_explore_model_row_hidden (self->model, catalog->order[r]))
            rows[n++] = catalog->order[r];
      }
      break;
    }
  *n_out = n;
  return rows;
}

void
_dassie_explore_page_refresh_grid (DassieExplorePage *self,
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
  req->rows = _dassie_explore_page_grid_rows (self, grid, &req->n);
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
    _dassie_explore_page_refresh_grid (self, i);
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
  _dassie_explore_page_refresh_grid (self, GRID_SELECTION);
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

Grid
_dassie_explore_page_get_shown_grid (DassieExplorePage *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->grid_stack);

  for (guint i = 0; name != NULL && i < N_GRIDS; i++)
    if (g_str_equal (name, grid_names[i]))
      return i;
  return GRID_ANOMALOUS;
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
on_color_by_selected (DassieExplorePage *self)
{
  guint item = gtk_drop_down_get_selected (self->color_by_dropdown);

  dassie_explore_model_set_color_column (self->model,
                                         item > 0 && item != GTK_INVALID_LIST_POSITION
                                         ? gtk_string_list_get_string (self->color_by_columns, item) : NULL);
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
  gtk_widget_set_visible (self->count_row, _dassie_explore_page_get_shown_grid (self) != GRID_SELECTION);
}

static void
on_count_changed (DassieExplorePage *self)
{
  _dassie_explore_page_refresh_grid (self, GRID_ANOMALOUS);
  _dassie_explore_page_refresh_grid (self, GRID_NORMAL);
  _dassie_explore_page_refresh_grid (self, GRID_PROMISING);
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

/* A load in flight: the page it is for, and its cancellable, to tell whether a newer load replaced it. */
typedef struct
{
  DassieExplorePage *page;
  GCancellable      *cancellable;
} Load;

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Load *load = user_data;
  g_autoptr(DassieExplorePage) self = load->page;
  g_autoptr(GCancellable) cancellable = load->cancellable;
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieCatalog) catalog = dassie_explore_model_load_finish (DASSIE_EXPLORE_MODEL (object), result, &error);

  g_free (load);
  /* Replaced by a newer load. */
  if (cancellable != self->load_cancellable)
    return;
  g_clear_object (&self->load_cancellable);

  if (catalog == NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      adw_status_page_set_description (self->error_status, error->message);
      show_catalog (self, NULL);
      set_state (self, DASSIE_EXPLORE_PAGE_STATE_ERROR);
    }
  else
    {
      g_clear_pointer (&self->error, g_free);
      show_catalog (self, catalog);
      set_state (self, DASSIE_EXPLORE_PAGE_STATE_READY);
    }
  notify_busy (self);
}

static gboolean
reload (gpointer user_data)
{
  DassieExplorePage *self = user_data;
  Load *load;

  self->reload_source = 0;
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  if (self->session == NULL || !dassie_session_get_explore_ready (self->session))
    {
      show_catalog (self, NULL);
      set_state (self, DASSIE_EXPLORE_PAGE_STATE_EMPTY);
      notify_busy (self);
      return G_SOURCE_REMOVE;
    }

  self->load_cancellable = g_cancellable_new ();
  if (catalog_of (self) == NULL)
    set_state (self, DASSIE_EXPLORE_PAGE_STATE_LOADING);
  load = g_new0 (Load, 1);
  load->page = g_object_ref (self);
  load->cancellable = g_object_ref (self->load_cancellable);
  dassie_explore_model_load_async (self->model, dassie_session_get_run (self->session, "scores"),
                                   dassie_session_get_run (self->session, "umap"),
                                   dassie_session_get_dataset (self->session), self->load_cancellable,
                                   on_loaded, load);
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

DassieExplorePageState
dassie_explore_page_get_state_value (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), DASSIE_EXPLORE_PAGE_STATE_EMPTY);
  return self->state;
}

const char *
dassie_explore_page_get_state (DassieExplorePage *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), NULL);
  /* The "state" pspec holds the enum class, so its nicks live as long as the program. */
  return g_enum_get_value (g_type_class_peek (DASSIE_TYPE_EXPLORE_PAGE_STATE), self->state)->value_nick;
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

/* A bound typed in the filter: empty is open (@empty), else a number; FALSE when it is neither. */
static gboolean
parse_bound (GtkEntry *entry,
             double    empty,
             double   *value)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  char *end = NULL;

  if (*text == '\0')
    {
      *value = empty;
      return TRUE;
    }
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && !isnan (*value);
}

static void
apply_filter (DassieExplorePage *self)
{
  guint item = gtk_drop_down_get_selected (self->filter_dropdown);
  const char *column = item > 0 && item != GTK_INVALID_LIST_POSITION
                       ? gtk_string_list_get_string (self->filter_columns, item) : NULL;
  double low, high;
  gboolean ok_low = parse_bound (self->filter_low_entry, -INFINITY, &low);
  gboolean ok_high = parse_bound (self->filter_high_entry, INFINITY, &high);

  /* A bound that is not a number yet (half typed) marks its field and changes nothing. */
  if (ok_low)
    gtk_widget_remove_css_class (GTK_WIDGET (self->filter_low_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->filter_low_entry), "error");
  if (ok_high)
    gtk_widget_remove_css_class (GTK_WIDGET (self->filter_high_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->filter_high_entry), "error");
  if (!ok_low || !ok_high)
    return;
  dassie_explore_model_set_filter (self->model, column, low, high);
  if (column != NULL)
    {
      g_autofree char *label = g_strdup_printf (_("Filter: %s"), column);

      gtk_menu_button_set_label (self->filter_button, label);
      gtk_widget_add_css_class (GTK_WIDGET (self->filter_button), "accent");
    }
  else
    {
      gtk_menu_button_set_label (self->filter_button, _("_Filter"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->filter_button), "accent");
    }
}

static void
build_filter_popover (DassieExplorePage *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *column_label = gtk_label_new_with_mnemonic (_("_Column"));
  GtkWidget *from_label = gtk_label_new_with_mnemonic (_("F_rom"));
  GtkWidget *to_label = gtk_label_new_with_mnemonic (_("_To"));

  self->filter_columns = gtk_string_list_new (NULL);
  self->filter_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (self->filter_columns), NULL));
  self->filter_low_entry = GTK_ENTRY (gtk_entry_new ());
  self->filter_high_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->filter_low_entry, _("no lower bound"));
  gtk_entry_set_placeholder_text (self->filter_high_entry, _("no upper bound"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (column_label), GTK_WIDGET (self->filter_dropdown));
  gtk_label_set_mnemonic_widget (GTK_LABEL (from_label), GTK_WIDGET (self->filter_low_entry));
  gtk_label_set_mnemonic_widget (GTK_LABEL (to_label), GTK_WIDGET (self->filter_high_entry));
  gtk_label_set_xalign (GTK_LABEL (column_label), 1);
  gtk_label_set_xalign (GTK_LABEL (from_label), 1);
  gtk_label_set_xalign (GTK_LABEL (to_label), 1);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_attach (GTK_GRID (grid), column_label, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->filter_dropdown), 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), from_label, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->filter_low_entry), 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), to_label, 0, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->filter_high_entry), 1, 2, 1, 1);
  gtk_popover_set_child (GTK_POPOVER (popover), grid);
  gtk_menu_button_set_popover (self->filter_button, popover);

  g_signal_connect_swapped (self->filter_dropdown, "notify::selected", G_CALLBACK (apply_filter), self);
  g_signal_connect_swapped (self->filter_low_entry, "changed", G_CALLBACK (apply_filter), self);
  g_signal_connect_swapped (self->filter_high_entry, "changed", G_CALLBACK (apply_filter), self);
}

/* The map's colour choices: the score, then every numeric column of the catalogue; the chosen column
 * stays chosen while the new catalog has it. */
static void
update_color_by (DassieExplorePage *self)
{
  DassieCatalog *catalog = dassie_explore_model_get_catalog (self->model);
  g_autofree char *chosen = g_strdup (dassie_explore_model_get_color_column (self->model));
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint selected = 0;

  g_ptr_array_add (names, (gpointer) _("Anomaly Score"));
  for (guint c = 0; catalog != NULL && catalog->dataset != NULL && c < dassie_dataset_get_n_columns (catalog->dataset); c++)
    if (dassie_dataset_column_is_numeric (catalog->dataset, c))
      {
        const char *name = dassie_dataset_get_column_name (catalog->dataset, c);

        if (g_strcmp0 (name, chosen) == 0)
          selected = names->len;
        g_ptr_array_add (names, (gpointer) name);
      }
  g_ptr_array_add (names, NULL);

  /* The filter offers the same columns after "none"; a filter on a column the catalog lacks goes. */
  {
    const char *filtered = dassie_explore_model_get_filter (self->model, NULL, NULL);
    guint filter_item = 0;

    names->pdata[0] = (gpointer) _("None");
    for (guint i = 1; i + 1 < names->len; i++)
      if (g_strcmp0 (names->pdata[i], filtered) == 0)
        filter_item = i;
    g_signal_handlers_block_by_func (self->filter_dropdown, apply_filter, self);
    gtk_string_list_splice (self->filter_columns, 0, g_list_model_get_n_items (G_LIST_MODEL (self->filter_columns)),
                            (const char * const *) names->pdata);
    gtk_drop_down_set_selected (self->filter_dropdown, filter_item);
    g_signal_handlers_unblock_by_func (self->filter_dropdown, apply_filter, self);
    gtk_widget_set_sensitive (GTK_WIDGET (self->filter_button), names->len > 2);
    apply_filter (self);
    names->pdata[0] = (gpointer) _("Anomaly Score");
  }

  g_signal_handlers_block_by_func (self->color_by_dropdown, on_color_by_selected, self);
  gtk_string_list_splice (self->color_by_columns, 0, g_list_model_get_n_items (G_LIST_MODEL (self->color_by_columns)),
                          (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->color_by_dropdown, selected);
  g_signal_handlers_unblock_by_func (self->color_by_dropdown, on_color_by_selected, self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->color_by_dropdown), names->len > 2);
  dassie_explore_model_set_color_column (self->model, selected > 0 ? chosen : NULL);
}

static void
on_catalog_changed (DassieExplorePage *self)
{
  update_color_by (self);
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
          DassieScatterTool  tool)
{
  if (tool == self->tool)
    return;
  self->tool = tool;
  dassie_scatter_view_set_tool (self->scatter, tool);
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
  _dassie_explore_page_labels_dispose (self);
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
      g_value_set_enum (value, self->state);
      break;
    case PROP_TOOL:
      g_value_set_enum (value, self->tool);
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
      set_tool (self, g_value_get_enum (value));
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
    g_param_spec_enum ("state", NULL, NULL, DASSIE_TYPE_EXPLORE_PAGE_STATE, DASSIE_EXPLORE_PAGE_STATE_EMPTY,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOOL] =
    g_param_spec_enum ("tool", NULL, NULL, DASSIE_TYPE_SCATTER_TOOL, DASSIE_SCATTER_TOOL_PAN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DASSIE_TYPE_SCATTER_VIEW);
  g_type_ensure (DASSIE_TYPE_HISTOGRAM_VIEW);
  g_type_ensure (DASSIE_TYPE_CUTOUT_GRID);
  g_type_ensure (DASSIE_TYPE_SCORE_CHOOSER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-explore-page.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "score_chooser", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, error_status);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, selection_label);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, selection_note);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, cutouts_note);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, colormap_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, color_by_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, filter_button);
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
  gtk_widget_class_bind_template_child_full (widget_class, "promising_grid", FALSE,
                                             G_STRUCT_OFFSET (DassieExplorePage, grids[GRID_PROMISING]));
  _dassie_explore_page_class_labels_init (widget_class);

  gtk_widget_class_install_action (widget_class, "explore.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "explore.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "explore.zoom-reset", NULL, zoom_reset_action);
  gtk_widget_class_install_action (widget_class, "explore.select-none", NULL, select_none_action);
  gtk_widget_class_install_action (widget_class, "explore.reset-range", NULL, reset_range_action);
  _dassie_explore_page_class_actions_init (widget_class);
  gtk_widget_class_install_property_action (widget_class, "explore.tool", "tool");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dassie_explore_page_init (DassieExplorePage *self)
{
  GtkEventController *shortcuts;

  self->tool = DASSIE_SCATTER_TOOL_PAN;
  self->state = DASSIE_EXPLORE_PAGE_STATE_EMPTY;
  gtk_widget_init_template (GTK_WIDGET (self));
  dassie_display_options_init (&self->options);

  self->model = dassie_explore_model_new ();
  dassie_chart_set_model (DASSIE_CHART (self->scatter), self->model);
  dassie_chart_set_model (DASSIE_CHART (self->histogram), self->model);
  g_signal_connect_swapped (self->model, "notify::catalog", G_CALLBACK (on_catalog_changed), self);
  g_signal_connect_swapped (self->model, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->model, "view-changed", G_CALLBACK (on_view_changed), self);
  /* Another score method: the same tables read again, ranked by it. */
  dassie_score_chooser_set_model (DASSIE_SCORE_CHOOSER (gtk_widget_get_template_child (
                                    GTK_WIDGET (self), DASSIE_TYPE_EXPLORE_PAGE, "score_chooser")), self->model);
  g_signal_connect_swapped (self->model, "notify::score-method", G_CALLBACK (schedule_reload), self);
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
  build_filter_popover (self);
  self->color_by_columns = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->color_by_dropdown, G_LIST_MODEL (self->color_by_columns));
  g_object_unref (self->color_by_columns);   /* the drop-down holds it */
  g_signal_connect_swapped (self->color_by_dropdown, "notify::selected", G_CALLBACK (on_color_by_selected), self);
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

  _dassie_explore_page_labels_init (self);
  on_catalog_changed (self);
  gtk_stack_set_visible_child_name (self->state_stack, dassie_explore_page_get_state (self));
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
