/* dassie-inspector.c: one object up close: its cutout and bands, what the model misses of it, score,
 * rank, files, and the objects most like it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-compass.h"
#include "dassie-cutout-item.h"
#include "dassie-cutout-render.h"
#include "dassie-inspector.h"
#include "dassie-residual-view.h"
#include "dassie-score-methods.h"
#include "dassie-sky-panel.h"
#include "dassie-label-bar.h"

#define MAIN_SIZE 288
#define BAND_SIZE 96
#define TILE_SIZE 96

struct _DassieInspector
{
  AdwWindow             parent_instance;

  AdwWindowTitle       *window_title;
  GtkPicture           *main_picture;
  DassieCompass        *compass;
  DassieSkyPanel       *sky_panel;
  GtkBox               *bands_box;
  AdwActionRow         *score_row;
  GtkLabel             *score_label;
  GtkLabel             *rank_label;
  GtkLabel             *position_label;
  GtkLabel             *neighbors_note;
  DassieCutoutGrid     *neighbors_grid;
  GtkGrid              *files_grid;
  DassieResidualView   *residual_view;
  DassieLabelBar       *label_bar;

  DassieExploreModel   *model;
  DassieDisplayOptions  options;
  gssize                row;
  GArray               *history;      /* rows shown before, the last on top */
  GCancellable         *cancellable;
  gboolean              busy;
  char                 *scores_path;  /* of the catalog whose rows these are */
  guint                 n_rows;
};

G_DEFINE_FINAL_TYPE (DassieInspector, dassie_inspector, ADW_TYPE_WINDOW)

static DassieCatalog *
catalog_of (DassieInspector *self)
{
  return self->model != NULL ? dassie_explore_model_get_catalog (self->model) : NULL;
}

static void
remove_children (GtkWidget *parent)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (parent)) != NULL)
    {
      if (GTK_IS_BOX (parent))
        gtk_box_remove (GTK_BOX (parent), child);
      else
        gtk_grid_remove (GTK_GRID (parent), child);
    }
}

static void
on_rendered (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  DassieInspector *self = DASSIE_INSPECTOR (object);
  g_autoptr(GPtrArray) textures = dassie_cutouts_render_finish (result, NULL);
  DassieCatalog *catalog = catalog_of (self);
  g_autoptr(GListStore) store = NULL;
  GtkWidget *band;
  guint i = 1;

  /* Cancelled: a newer object is on its way. */
  if (textures == NULL || catalog == NULL || self->row < 0)
    return;
  self->busy = FALSE;

  gtk_picture_set_paintable (self->main_picture, g_ptr_array_index (textures, 0));
  for (band = gtk_widget_get_first_child (GTK_WIDGET (self->bands_box)); band != NULL;
       band = gtk_widget_get_next_sibling (band), i++)
    gtk_picture_set_paintable (GTK_PICTURE (gtk_widget_get_first_child (band)), g_ptr_array_index (textures, i));

  store = g_list_store_new (DASSIE_TYPE_CUTOUT_ITEM);
  for (guint j = 0; j < catalog->k; j++)
    {
      guint32 neighbor = catalog->neighbors[(gsize) self->row * catalog->k + j];
      g_autoptr(DassieCutoutItem) item = NULL;
      g_autofree char *caption = NULL;

      if (neighbor == DASSIE_CATALOG_NO_ROW)
        continue;
      caption = g_strdup_printf (_("%s\ndistance %.4g"), catalog->ids[neighbor],
                                 catalog->neighbor_dist[(gsize) self->row * catalog->k + j]);
      item = dassie_cutout_item_new (neighbor, catalog->ids[neighbor], caption, g_ptr_array_index (textures, i++));
      dassie_cutout_item_set_label (item, dassie_explore_model_get_row_label (self->model, neighbor));
      g_list_store_append (store, item);
    }
  dassie_cutout_grid_set_model (self->neighbors_grid, G_LIST_MODEL (store));
}

static void
show_files (DassieInspector *self,
            DassieCatalog   *catalog,
            guint            row)
{
  remove_children (GTK_WIDGET (self->files_grid));
  if (catalog->dataset == NULL || catalog->objects[row] < 0)
    {
      GtkWidget *label = gtk_label_new (_("The data set holding this object is not open."));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->files_grid, label, 0, 0, 1, 1);
      return;
    }
  for (guint b = 0; b < dassie_dataset_get_n_bands (catalog->dataset); b++)
    {
      GtkWidget *name = gtk_label_new (dassie_dataset_get_band (catalog->dataset, b));
      GtkWidget *path = gtk_label_new (dassie_dataset_get_file (catalog->dataset, (guint) catalog->objects[row], b));

      gtk_widget_add_css_class (name, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_yalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (path), 0);
      gtk_label_set_selectable (GTK_LABEL (path), TRUE);
      gtk_label_set_wrap (GTK_LABEL (path), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (path), PANGO_WRAP_CHAR);
      gtk_widget_set_hexpand (path, TRUE);
      gtk_grid_attach (self->files_grid, name, 0, (int) b, 1, 1);
      gtk_grid_attach (self->files_grid, path, 1, (int) b, 1, 1);
    }
}

/* The bands as the data set names them, each with its own picture. */
static guint
show_bands (DassieInspector *self,
            DassieCatalog   *catalog)
{
  guint nb = catalog->dataset != NULL ? dassie_dataset_get_n_bands (catalog->dataset) : 0;

  remove_children (GTK_WIDGET (self->bands_box));
  for (guint b = 0; b < nb; b++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *picture = gtk_picture_new ();
      GtkWidget *label = gtk_label_new (dassie_dataset_get_band (catalog->dataset, b));
      g_autofree char *name = g_strdup_printf (_("Band %s"), dassie_dataset_get_band (catalog->dataset, b));

      /* Drawn as large as the composite, shown smaller. */
      gtk_widget_set_size_request (picture, BAND_SIZE, BAND_SIZE);
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
      gtk_widget_add_css_class (picture, "cutout");
      gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), picture);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (self->bands_box, box);
    }
  return nb;
}

/* The position, the catalogue's columns, and a compass from the first band's header (one header, read
 * here: a few tens of microseconds). */
static void
show_sky (DassieInspector *self,
          DassieCatalog   *catalog,
          guint            row)
{
  int index = catalog->dataset != NULL ? catalog->objects[row] : -1;
  g_autoptr(DassieSkyWcs) wcs = NULL;
  double centre[2] = { 0, 0 };

  dassie_sky_panel_set_object (self->sky_panel, catalog->dataset, index);
  if (index >= 0)
    wcs = dassie_dataset_read_wcs (catalog->dataset, (guint) index, centre, NULL);
  dassie_compass_set_wcs (self->compass, wcs, centre,
                          catalog->dataset != NULL ? dassie_dataset_get_width (catalog->dataset) : 0,
                          catalog->dataset != NULL ? dassie_dataset_get_height (catalog->dataset) : 0);
}

static void
display_row (DassieInspector *self,
             guint            row)
{
  DassieCatalog *catalog = catalog_of (self);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) options = g_array_new (FALSE, FALSE, sizeof (DassieDisplayOptions));
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *score = NULL;
  g_autofree char *rank = NULL;
  g_autofree char *position = NULL;
  guint nb, n_neighbors = 0;

  g_return_if_fail (catalog != NULL && row < catalog->n);

  self->row = row;
  dassie_label_bar_set_row (self->label_bar, row);
  title = g_strdup_printf (_("Object %s"), catalog->ids[row]);
  subtitle = g_strdup_printf (_("Rank %u of %u"), catalog->ranks[row], catalog->n);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), title);

  adw_action_row_set_subtitle (self->score_row, dassie_score_method_get_label (dassie_catalog_get_ranking_method (catalog)));
  score = g_strdup_printf ("%.6g", catalog->scores[row]);
  gtk_label_set_text (self->score_label, score);
  rank = g_strdup_printf (_("%u of %u"), catalog->ranks[row], catalog->n);
  gtk_label_set_text (self->rank_label, rank);
  position = isfinite (catalog->x[row]) ? g_strdup_printf ("%.4f, %.4f", catalog->x[row], catalog->y[row])
                                        : g_strdup (_("Not in the map"));
  gtk_label_set_text (self->position_label, position);

  show_files (self, catalog, row);
  show_sky (self, catalog, row);
  nb = show_bands (self, catalog);
  gtk_picture_set_paintable (self->main_picture, NULL);
  dassie_cutout_grid_set_model (self->neighbors_grid, NULL);

  /* The composite, each band alone, then the neighbours. */
  g_array_append_val (rows, row);
  g_array_append_val (options, self->options);
  for (guint b = 0; b < nb; b++)
    {
      DassieDisplayOptions band = self->options;

      band.mode = DASSIE_DISPLAY_BAND;
      band.band = b;
      g_array_append_val (rows, row);
      g_array_append_val (options, band);
    }
  for (guint j = 0; j < catalog->k; j++)
    {
      guint32 neighbor = catalog->neighbors[(gsize) row * catalog->k + j];

      if (neighbor == DASSIE_CATALOG_NO_ROW)
        continue;
      g_array_append_val (rows, neighbor);
      g_array_append_val (options, self->options);
      n_neighbors++;
    }
  if (n_neighbors > 0)
    {
      g_autofree char *note = g_strdup_printf (ngettext ("The nearest object in latent space. Click it to see it here.",
                                                         "The %u nearest objects in latent space, nearest first. Click one to see it here.",
                                                         n_neighbors),
                                               n_neighbors);
      gtk_label_set_text (self->neighbors_note, note);
    }
  else
    gtk_label_set_text (self->neighbors_note, _("These scores do not list the neighbours."));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->busy = TRUE;
  dassie_residual_view_show (self->residual_view, catalog, row, &self->options);
  dassie_cutouts_render_async (self, catalog, (const guint32 *) (gpointer) rows->data, rows->len,
                               (const DassieDisplayOptions *) (gpointer) options->data, options->len,
                               MAIN_SIZE, self->cancellable, on_rendered, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.back", self->history->len > 0);
}

void
dassie_inspector_show_row (DassieInspector *self,
                           guint            row)
{
  DassieCatalog *catalog;

  g_return_if_fail (DASSIE_IS_INSPECTOR (self));
  catalog = catalog_of (self);
  g_return_if_fail (catalog != NULL && row < catalog->n);

  if (self->row >= 0 && (guint) self->row != row)
    {
      guint previous = (guint) self->row;
      g_array_append_val (self->history, previous);
    }
  display_row (self, row);
}

gssize
dassie_inspector_get_row (DassieInspector *self)
{
  g_return_val_if_fail (DASSIE_IS_INSPECTOR (self), -1);
  return self->row;
}

void
dassie_inspector_set_display_options (DassieInspector            *self,
                                      const DassieDisplayOptions *options)
{
  g_return_if_fail (DASSIE_IS_INSPECTOR (self));
  g_return_if_fail (options != NULL);

  self->options = *options;
  if (self->row >= 0 && catalog_of (self) != NULL)
    display_row (self, (guint) self->row);
}

DassieCutoutGrid *
dassie_inspector_get_neighbors (DassieInspector *self)
{
  g_return_val_if_fail (DASSIE_IS_INSPECTOR (self), NULL);
  return self->neighbors_grid;
}

gboolean
dassie_inspector_get_busy (DassieInspector *self)
{
  g_return_val_if_fail (DASSIE_IS_INSPECTOR (self), FALSE);
  return self->busy || dassie_residual_view_get_busy (self->residual_view);
}

DassieResidualView *
dassie_inspector_get_residual_view (DassieInspector *self)
{
  g_return_val_if_fail (DASSIE_IS_INSPECTOR (self), NULL);
  return self->residual_view;
}

static void
on_neighbor_activated (DassieInspector  *self,
                       guint             row,
                       const char       *object_id,
                       DassieCutoutGrid *grid)
{
  dassie_inspector_show_row (self, row);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  DassieInspector *self = DASSIE_INSPECTOR (widget);
  guint row;

  if (self->history->len == 0)
    return;
  row = g_array_index (self->history, guint, self->history->len - 1);
  g_array_set_size (self->history, self->history->len - 1);
  display_row (self, row);
}

static void
select_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  DassieInspector *self = DASSIE_INSPECTOR (widget);
  guint32 row;

  if (self->row < 0 || catalog_of (self) == NULL)
    return;
  row = (guint32) self->row;
  dassie_explore_model_select_rows (self->model, &row, 1, DASSIE_SELECT_REPLACE);
  dassie_explore_model_centre_on (self->model, row);
}

/* The neighbours' badges follow the labels. */
static void
on_labels_changed (DassieInspector *self)
{
  GListModel *items = dassie_cutout_grid_get_model (self->neighbors_grid);

  for (guint i = 0; items != NULL && i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);

      dassie_cutout_item_set_label (item, dassie_explore_model_get_row_label (self->model,
                                                                              dassie_cutout_item_get_index (item)));
    }
}

static void
on_catalog_changed (DassieInspector *self)
{
  DassieCatalog *catalog = catalog_of (self);
  gboolean same_rows = catalog != NULL && catalog->n == self->n_rows &&
                       g_strcmp0 (catalog->scores_path, self->scores_path) == 0;

  g_free (self->scores_path);
  self->scores_path = catalog != NULL ? g_strdup (catalog->scores_path) : NULL;
  self->n_rows = catalog != NULL ? catalog->n : 0;

  /* The same tables read again (ranked by another score, say): the same object, its new score. */
  if (same_rows && self->row >= 0 && gtk_widget_get_visible (GTK_WIDGET (self)))
    {
      display_row (self, (guint) self->row);
      return;
    }

  /* Rows of another catalog mean other objects. */
  self->row = -1;
  dassie_label_bar_set_row (self->label_bar, -1);
  g_array_set_size (self->history, 0);
  dassie_residual_view_clear (self->residual_view);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
dassie_inspector_dispose (GObject *object)
{
  DassieInspector *self = DASSIE_INSPECTOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  gtk_widget_dispose_template (GTK_WIDGET (self), DASSIE_TYPE_INSPECTOR);

  G_OBJECT_CLASS (dassie_inspector_parent_class)->dispose (object);
}

static void
dassie_inspector_finalize (GObject *object)
{
  DassieInspector *self = DASSIE_INSPECTOR (object);

  g_clear_pointer (&self->history, g_array_unref);
  g_free (self->scores_path);

  G_OBJECT_CLASS (dassie_inspector_parent_class)->finalize (object);
}

static void
dassie_inspector_class_init (DassieInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_inspector_dispose;
  object_class->finalize = dassie_inspector_finalize;

  g_type_ensure (DASSIE_TYPE_CUTOUT_GRID);
  g_type_ensure (DASSIE_TYPE_RESIDUAL_VIEW);
  g_type_ensure (DASSIE_TYPE_COMPASS);
  g_type_ensure (DASSIE_TYPE_SKY_PANEL);
  g_type_ensure (DASSIE_TYPE_LABEL_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, window_title);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, main_picture);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, compass);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, sky_panel);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, bands_box);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, score_row);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, score_label);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, rank_label);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, position_label);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, neighbors_note);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, neighbors_grid);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, files_grid);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, residual_view);
  gtk_widget_class_bind_template_child (widget_class, DassieInspector, label_bar);

  gtk_widget_class_install_action (widget_class, "inspector.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "inspector.select", NULL, select_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "inspector.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
dassie_inspector_init (DassieInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->row = -1;
  self->history = g_array_new (FALSE, FALSE, sizeof (guint));
  dassie_display_options_init (&self->options);
  dassie_cutout_grid_set_tile_size (self->neighbors_grid, TILE_SIZE);
  g_signal_connect_object (self->neighbors_grid, "object-activated", G_CALLBACK (on_neighbor_activated), self,
                           G_CONNECT_SWAPPED);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->neighbors_grid), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("More like this: the nearest neighbours"), -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.back", FALSE);
}

DassieInspector *
dassie_inspector_new (DassieExploreModel *model)
{
  DassieInspector *self;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (model), NULL);

  self = g_object_new (DASSIE_TYPE_INSPECTOR, NULL);
  self->model = g_object_ref (model);
  if (dassie_explore_model_get_catalog (model) != NULL)
    {
      self->scores_path = g_strdup (dassie_explore_model_get_catalog (model)->scores_path);
      self->n_rows = dassie_explore_model_get_catalog (model)->n;
    }
  dassie_label_bar_set_model (self->label_bar, model);
  g_signal_connect_swapped (model, "notify::catalog", G_CALLBACK (on_catalog_changed), self);
  g_signal_connect_swapped (model, "labels-changed", G_CALLBACK (on_labels_changed), self);
  return self;
}
