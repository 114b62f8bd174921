/* dassie-label-bar.c: the label of one object, and buttons and keys to change it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-label-bar.h"
#include "dassie-label-style.h"

struct _DassieLabelBar
{
  GtkWidget           parent_instance;

  GtkWidget          *badge;
  GtkWidget          *error_label;
  DassieExploreModel *model;
  gssize              row;
};

G_DEFINE_FINAL_TYPE (DassieLabelBar, dassie_label_bar, GTK_TYPE_WIDGET)

static void
sync_badge (DassieLabelBar *self)
{
  gboolean ok = self->model != NULL && self->row >= 0 && dassie_explore_model_get_labels (self->model) != NULL;

  dassie_label_badge_set (self->badge, ok ? dassie_explore_model_get_row_label (self->model, (guint) self->row)
                                          : DASSIE_LABEL_NONE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "labelbar.label", ok);
}

static void
label_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  DassieLabelBar *self = DASSIE_LABEL_BAR (widget);
  g_autoptr(GError) error = NULL;
  DassieLabel label;
  guint32 row;

  if (self->model == NULL || self->row < 0 || !dassie_label_from_string (g_variant_get_string (param, NULL), &label))
    return;
  row = (guint32) self->row;
  if (!dassie_explore_model_label_rows (self->model, &row, 1, label, &error))
    {
      gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  DassieLabelBar *self = DASSIE_LABEL_BAR (widget);
  DassieLabels *labels = self->model != NULL ? dassie_explore_model_get_labels (self->model) : NULL;
  g_autoptr(GError) error = NULL;

  if (labels != NULL && dassie_labels_can_undo (labels) && !dassie_labels_undo (labels, &error))
    {
      gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
}

static void
dassie_label_bar_dispose (GObject *object)
{
  DassieLabelBar *self = DASSIE_LABEL_BAR (object);
  GtkWidget *child;

  dassie_label_bar_set_model (self, NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (dassie_label_bar_parent_class)->dispose (object);
}

static void
dassie_label_bar_class_init (DassieLabelBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_label_bar_dispose;
  gtk_widget_class_install_action (widget_class, "labelbar.label", "s", label_action);
  gtk_widget_class_install_action (widget_class, "labelbar.undo", NULL, undo_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "labelbar");
}

static void
add_button (GtkWidget  *box,
            const char *text,
            const char *tooltip,
            const char *label)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (text);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "labelbar.label");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", label);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_box_append (GTK_BOX (box), button);
}

static void
dassie_label_bar_init (DassieLabelBar *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  const struct { const char *key; const char *label; } keys[] = {
    { "1", "interesting" }, { "KP_1", "interesting" }, { "2", "boring" }, { "KP_2", "boring" },
    { "3", "artifact" }, { "KP_3", "artifact" }, { "0", "none" }, { "KP_0", "none" },
  };

  self->row = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_widget_add_css_class (buttons, "linked");
  add_button (buttons, _("_Interesting"), _("Label this object interesting (1)"), "interesting");
  add_button (buttons, _("_Boring"), _("Label this object boring (2)"), "boring");
  add_button (buttons, _("_Artifact"), _("Label this object an artifact (3)"), "artifact");
  add_button (buttons, _("_Clear"), _("Clear the label of this object (0)"), "none");
  gtk_box_append (GTK_BOX (row), buttons);
  self->badge = dassie_label_badge_new ();
  gtk_widget_set_valign (self->badge, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), self->badge);
  gtk_widget_set_parent (row, GTK_WIDGET (self));

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_widget_set_parent (self->error_label, GTK_WIDGET (self));

  /* Keys for the whole window that holds the bar. */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].key),
                                                gtk_named_action_new ("labelbar.label"));

      gtk_shortcut_set_arguments (shortcut, g_variant_new_string (keys[i].label));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), shortcut);
    }
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>z"),
                                                          gtk_named_action_new ("labelbar.undo")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  sync_badge (self);
}

GtkWidget *
dassie_label_bar_new (void)
{
  return g_object_new (DASSIE_TYPE_LABEL_BAR, NULL);
}

void
dassie_label_bar_set_model (DassieLabelBar     *self,
                            DassieExploreModel *model)
{
  g_return_if_fail (DASSIE_IS_LABEL_BAR (self));
  g_return_if_fail (model == NULL || DASSIE_IS_EXPLORE_MODEL (model));

  if (model == self->model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_swapped (model, "labels-changed", G_CALLBACK (sync_badge), self);
  sync_badge (self);
}

void
dassie_label_bar_set_row (DassieLabelBar *self,
                          gssize          row)
{
  g_return_if_fail (DASSIE_IS_LABEL_BAR (self));

  self->row = row;
  gtk_widget_set_visible (self->error_label, FALSE);
  sync_badge (self);
}

GtkWidget *
dassie_label_bar_get_badge (DassieLabelBar *self)
{
  g_return_val_if_fail (DASSIE_IS_LABEL_BAR (self), NULL);
  return self->badge;
}
