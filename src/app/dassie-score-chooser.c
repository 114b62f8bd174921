/* dassie-score-chooser.c: which anomaly score the Explore page ranks, colours and counts by
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-score-chooser.h"
#include "dassie-score-methods.h"

struct _DassieScoreChooser
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkDropDown        *dropdown;
  GtkStringList      *labels;
  GPtrArray          *methods;   /* method names, in the order of @labels */
  DassieExploreModel *model;
  gboolean            filling;
};

G_DEFINE_FINAL_TYPE (DassieScoreChooser, dassie_score_chooser, GTK_TYPE_WIDGET)

static void
update_tooltip (DassieScoreChooser *self)
{
  const char *method = dassie_score_chooser_get_method (self);
  const char *description = method != NULL ? dassie_score_method_get_description (method) : NULL;
  g_autofree char *tooltip = NULL;

  if (description != NULL)
    tooltip = g_strdup_printf (_("The anomaly score that colours the map, fills the histogram and ranks the "
                                 "grids and exports: %s"), description);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->dropdown),
                               tooltip != NULL ? tooltip : _("The anomaly score that ranks the objects"));
}

/* The catalog's score columns, with the one it is ranked by shown. */
static void
on_catalog_changed (DassieScoreChooser *self)
{
  DassieCatalog *catalog = self->model != NULL ? dassie_explore_model_get_catalog (self->model) : NULL;
  guint n = catalog != NULL ? dassie_catalog_get_n_score_columns (catalog) : 0;
  const char *ranking = catalog != NULL ? dassie_catalog_get_ranking_method (catalog) : NULL;
  guint selected = GTK_INVALID_LIST_POSITION;

  self->filling = TRUE;
  g_ptr_array_set_size (self->methods, 0);
  gtk_string_list_splice (self->labels, 0, g_list_model_get_n_items (G_LIST_MODEL (self->labels)), NULL);
  for (guint i = 0; i < n; i++)
    {
      const char *method = dassie_score_method_from_column (dassie_catalog_get_score_column_name (catalog, i));
      const char *label = method != NULL ? dassie_score_method_get_label (method) : NULL;

      if (method == NULL)
        continue;
      if (g_strcmp0 (method, ranking) == 0)
        selected = self->methods->len;
      g_ptr_array_add (self->methods, (gpointer) method);
      gtk_string_list_append (self->labels, label != NULL ? label : method);
    }
  gtk_drop_down_set_selected (self->dropdown, selected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dropdown), self->methods->len > 1);
  self->filling = FALSE;
  update_tooltip (self);
}

static void
on_selected (DassieScoreChooser *self)
{
  const char *method = dassie_score_chooser_get_method (self);

  update_tooltip (self);
  if (self->filling || self->model == NULL || method == NULL)
    return;
  dassie_explore_model_set_score_method (self->model, method);
}

void
dassie_score_chooser_set_model (DassieScoreChooser *self,
                                DassieExploreModel *model)
{
  g_return_if_fail (DASSIE_IS_SCORE_CHOOSER (self));
  g_return_if_fail (model == NULL || DASSIE_IS_EXPLORE_MODEL (model));

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_swapped (model, "notify::catalog", G_CALLBACK (on_catalog_changed), self);
  on_catalog_changed (self);
}

guint
dassie_score_chooser_get_n_methods (DassieScoreChooser *self)
{
  g_return_val_if_fail (DASSIE_IS_SCORE_CHOOSER (self), 0);
  return self->methods->len;
}

const char *
dassie_score_chooser_get_method_at (DassieScoreChooser *self,
                                    guint               index)
{
  g_return_val_if_fail (DASSIE_IS_SCORE_CHOOSER (self), NULL);
  g_return_val_if_fail (index < self->methods->len, NULL);
  return g_ptr_array_index (self->methods, index);
}

const char *
dassie_score_chooser_get_method (DassieScoreChooser *self)
{
  guint selected;

  g_return_val_if_fail (DASSIE_IS_SCORE_CHOOSER (self), NULL);
  selected = gtk_drop_down_get_selected (self->dropdown);
  return selected < self->methods->len ? g_ptr_array_index (self->methods, selected) : NULL;
}

gboolean
dassie_score_chooser_choose (DassieScoreChooser *self,
                             const char         *method)
{
  g_return_val_if_fail (DASSIE_IS_SCORE_CHOOSER (self), FALSE);
  g_return_val_if_fail (method != NULL, FALSE);

  for (guint i = 0; i < self->methods->len; i++)
    if (g_str_equal (g_ptr_array_index (self->methods, i), method))
      {
        gtk_drop_down_set_selected (self->dropdown, i);
        return TRUE;
      }
  return FALSE;
}

static void
dassie_score_chooser_dispose (GObject *object)
{
  DassieScoreChooser *self = DASSIE_SCORE_CHOOSER (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->dropdown = NULL;

  G_OBJECT_CLASS (dassie_score_chooser_parent_class)->dispose (object);
}

static void
dassie_score_chooser_finalize (GObject *object)
{
  DassieScoreChooser *self = DASSIE_SCORE_CHOOSER (object);

  g_clear_pointer (&self->methods, g_ptr_array_unref);

  G_OBJECT_CLASS (dassie_score_chooser_parent_class)->finalize (object);
}

static void
dassie_score_chooser_class_init (DassieScoreChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_score_chooser_dispose;
  object_class->finalize = dassie_score_chooser_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dassie_score_chooser_init (DassieScoreChooser *self)
{
  GtkWidget *label;

  /* The method names are static strings of dassie-score-methods. */
  self->methods = g_ptr_array_new ();
  self->labels = gtk_string_list_new (NULL);
  self->dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (self->labels), NULL));
  /* Its own mnemonic label, so that Alt+O reaches the drop-down itself. */
  label = gtk_label_new_with_mnemonic (_("Sc_ore"));
  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (self->dropdown));
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->box), label);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->dropdown));
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Anomaly Score"), -1);
  g_signal_connect_swapped (self->dropdown, "notify::selected", G_CALLBACK (on_selected), self);
  update_tooltip (self);
}

GtkWidget *
dassie_score_chooser_new (void)
{
  return g_object_new (DASSIE_TYPE_SCORE_CHOOSER, NULL);
}
