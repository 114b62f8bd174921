/* dassie-explore-page-labels.c: the Explore page's labelling: keys and buttons, undo, the most
 * promising grid, hiding artifacts, and the review window
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cutout-item.h"
#include "dassie-explore-page-private.h"
#include "dassie-review-window.h"

gsize
_dassie_explore_page_filter_hidden (DassieExplorePage *self,
                                    guint32           *rows,
                                    gsize              n)
{
  gsize kept = 0;

  for (gsize i = 0; i < n; i++)
    if (!dassie_explore_model_row_hidden (self->model, rows[i]))
      rows[kept++] = rows[i];
  return kept;
}

/* The rows a label applies to: the selection, or else the object in the inspector. */
static guint32 *
label_targets (DassieExplorePage *self,
               gsize             *n)
{
  guint32 *rows;

  *n = 0;
  if (dassie_explore_model_get_n_selected (self->model) > 0)
    return dassie_selection_get_indices (dassie_explore_model_get_selection (self->model), n);
  if (self->inspector != NULL && gtk_widget_get_visible (GTK_WIDGET (self->inspector)) &&
      dassie_inspector_get_row (self->inspector) >= 0)
    {
      rows = g_new (guint32, 1);
      rows[0] = (guint32) dassie_inspector_get_row (self->inspector);
      *n = 1;
      return rows;
    }
  return NULL;
}

static void
on_label_toast_dismissed (DassieExplorePage *self,
                          AdwToast          *toast)
{
  if (self->label_toast == toast)
    self->label_toast = NULL;
}

static void
undo_label (DassieExplorePage *self)
{
  DassieLabels *labels = dassie_explore_model_get_labels (self->model);
  g_autoptr(GError) error = NULL;

  if (labels == NULL || !dassie_labels_can_undo (labels))
    return;
  if (!dassie_labels_undo (labels, &error))
    _dassie_explore_page_toast (self, error->message);
}

/* One toast for the last change: labelling fast replaces it rather than queueing a toast a key. */
static void
show_label_toast (DassieExplorePage *self,
                  gsize              n,
                  DassieLabel        label)
{
  g_autofree char *title = NULL;
  g_autofree char *name = g_utf8_strdown (dassie_label_get_display_name (label), -1);
  AdwToast *toast;

  if (label == DASSIE_LABEL_NONE)
    title = g_strdup_printf (ngettext ("The label of %zu object cleared", "The labels of %zu objects cleared", n), n);
  else
    /* TRANSLATORS: "3 objects labelled artifact"; the last word is the label's name, in lower case */
    title = g_strdup_printf (ngettext ("%zu object labelled %s", "%zu objects labelled %s", n), n, name);
  if (self->label_toast != NULL)
    adw_toast_dismiss (self->label_toast);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 5);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_label), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_label_toast_dismissed), self, G_CONNECT_SWAPPED);
  self->label_toast = toast;
  _dassie_explore_page_add_toast (self, toast);
}

static void
label_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  g_autofree guint32 *rows = NULL;
  g_autoptr(GError) error = NULL;
  DassieLabel label;
  gsize n;

  if (catalog_of (self) == NULL || !dassie_label_from_string (g_variant_get_string (param, NULL), &label))
    return;
  rows = label_targets (self, &n);
  if (n == 0)
    {
      _dassie_explore_page_toast (self, _("Select objects in the map or open one in the inspector to label it."));
      return;
    }
  if (!dassie_explore_model_label_rows (self->model, rows, n, label, &error))
    _dassie_explore_page_toast (self, error->message);
  else
    show_label_toast (self, n, label);
}

static void
undo_label_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  undo_label (DASSIE_EXPLORE_PAGE (widget));
}

static void
on_review_destroyed (DassieExplorePage *self)
{
  self->review = NULL;
}

static void
review_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (catalog_of (self) == NULL)
    return;
  if (self->review == NULL)
    {
      self->review = GTK_WINDOW (dassie_review_window_new (self->model, &self->options));
      if (GTK_IS_WINDOW (root))
        gtk_window_set_transient_for (self->review, GTK_WINDOW (root));
      g_signal_connect_object (self->review, "destroy", G_CALLBACK (on_review_destroyed), self, G_CONNECT_SWAPPED);
    }
  gtk_window_present (self->review);
}

/* Updates the badges of a grid in place; FALSE when its rows are not those it should show. */
static gboolean
update_badges (DassieExplorePage *self,
               Grid               grid)
{
  GListModel *items = dassie_cutout_grid_get_model (self->grids[grid]);
  g_autofree guint32 *rows = NULL;
  gsize n;

  if (items == NULL || self->grid_cancellables[grid] != NULL)
    return FALSE;
  rows = _dassie_explore_page_grid_rows (self, grid, &n);
  if (g_list_model_get_n_items (items) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);

      if (dassie_cutout_item_get_index (item) != rows[i])
        return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);

      dassie_cutout_item_set_label (item, dassie_explore_model_get_row_label (self->model, rows[i]));
    }
  return TRUE;
}

static void
sync_promising_page (DassieExplorePage *self)
{
  DassieCatalog *catalog = catalog_of (self);
  const char *error = dassie_explore_model_get_labels_error (self->model);

  if (catalog != NULL && catalog->promising != NULL && catalog->n_promising > 0)
    {
      gtk_stack_set_visible_child_name (self->promising_stack, "grid");
      return;
    }
  if (catalog != NULL && catalog->promising != NULL)
    adw_status_page_set_description (self->promising_status, _("Every object is labelled."));
  else
    adw_status_page_set_description (self->promising_status,
                                     error != NULL ? error : _("The ranking needs scores and their latent vectors."));
  gtk_stack_set_visible_child_name (self->promising_stack, "empty");
}

/* A label changes the badges, the most promising order, and with "hide-artifacts" what the grids
 * hold: grids whose objects stay are updated in place, the others made again. */
static void
on_labels_changed (DassieExplorePage *self)
{
  sync_promising_page (self);
  if (catalog_of (self) == NULL)
    return;
  for (guint i = 0; i < N_GRIDS; i++)
    if (!update_badges (self, i))
      _dassie_explore_page_refresh_grid (self, i);
}

static void
on_hide_artifacts (DassieExplorePage *self)
{
  on_labels_changed (self);
}

void
_dassie_explore_page_labels_init (DassieExplorePage *self)
{
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  const struct { const char *key; const char *label; } keys[] = {
    { "1", "interesting" }, { "KP_1", "interesting" }, { "2", "boring" }, { "KP_2", "boring" },
    { "3", "artifact" }, { "KP_3", "artifact" }, { "0", "none" }, { "KP_0", "none" },
  };

  g_signal_connect_swapped (self->model, "labels-changed", G_CALLBACK (on_labels_changed), self);
  g_signal_connect_swapped (self->model, "notify::hide-artifacts", G_CALLBACK (on_hide_artifacts), self);
  g_signal_connect_swapped (self->model, "filter-changed", G_CALLBACK (on_hide_artifacts), self);
  g_object_bind_property (self->model, "hide-artifacts", self->hide_artifacts_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grids[GRID_PROMISING]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The most promising unlabelled objects"), -1);

  /* Managed by the window like the page's other shortcuts. The digits go to a text field that has
   * the focus first (the count, the range), since managed shortcuts run after the focus widget. */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].key),
                                                            gtk_named_action_new ("explore.label")));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GListModel *list = G_LIST_MODEL (shortcuts);
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (list, i);

      gtk_shortcut_set_arguments (shortcut, g_variant_new_string (keys[i].label));
    }
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>z"),
                                                          gtk_named_action_new ("explore.undo-label")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("r"),
                                                          gtk_named_action_new ("explore.review")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  sync_promising_page (self);
}

void
_dassie_explore_page_labels_dispose (DassieExplorePage *self)
{
  if (self->review != NULL)
    gtk_window_destroy (self->review);
  self->review = NULL;
  if (self->label_toast != NULL)
    adw_toast_dismiss (self->label_toast);
  self->label_toast = NULL;
}

void
_dassie_explore_page_class_labels_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, promising_stack);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, promising_status);
  gtk_widget_class_bind_template_child (widget_class, DassieExplorePage, hide_artifacts_button);
  gtk_widget_class_install_action (widget_class, "explore.label", "s", label_action);
  gtk_widget_class_install_action (widget_class, "explore.undo-label", NULL, undo_label_action);
  gtk_widget_class_install_action (widget_class, "explore.review", NULL, review_action);
}
