/* dassie-error-banner.c: a banner at the top of a page saying what went wrong and what to do
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "dassie-dataset.h"
#include "dassie-error-banner.h"
#include "dassie-infer.h"
#include "dassie-safetensors.h"
#include "dassie-train.h"

struct _DassieErrorBanner
{
  GtkWidget         parent_instance;

  GtkRevealer      *revealer;
  GtkWidget        *box;
  GtkImage         *icon;
  GtkLabel         *title;
  GtkLabel         *message;
  GtkButton        *button;
  DassieBannerKind  kind;
};

G_DEFINE_FINAL_TYPE (DassieErrorBanner, dassie_error_banner, GTK_TYPE_WIDGET)

static void
dassie_error_banner_dispose (GObject *object)
{
  DassieErrorBanner *self = DASSIE_ERROR_BANNER (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (dassie_error_banner_parent_class)->dispose (object);
}

static void
dassie_error_banner_class_init (DassieErrorBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_error_banner_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "errorbanner");
}

static void
dassie_error_banner_init (DassieErrorBanner *self)
{
  GtkWidget *text;

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_widget_set_parent (GTK_WIDGET (self->revealer), GTK_WIDGET (self));

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (self->box, "dassie-banner");
  gtk_revealer_set_child (self->revealer, self->box);

  self->icon = GTK_IMAGE (gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (self->icon), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->icon));

  text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_hexpand (text, TRUE);
  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title, 0);
  gtk_label_set_wrap (self->title, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->message, 0);
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_wrap_mode (self->message, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->message, TRUE);
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (text), GTK_WIDGET (self->message));
  gtk_box_append (GTK_BOX (self->box), text);



  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

void
dassie_error_banner_show (DassieErrorBanner *self,
                          DassieBannerKind   kind,
                          const char        *title,
                          const char        *message,
                          const char        *button_label,
                          const char        *action_name,
                          GVariant          *target)
{
  g_return_if_fail (DASSIE_IS_ERROR_BANNER (self));

  if (target != NULL)
    g_variant_ref_sink (target);

  self->kind = kind;
  gtk_widget_remove_css_class (self->box, "banner-error");
  gtk_widget_remove_css_class (self->box, "banner-info");
  gtk_widget_add_css_class (self->box, kind == DASSIE_BANNER_ERROR ? "banner-error" : "banner-info");
  gtk_image_set_from_icon_name (self->icon, kind == DASSIE_BANNER_ERROR ? "dialog-warning-symbolic"
                                                                        : "dialog-information-symbolic");
  gtk_label_set_text (self->title, title);
  gtk_label_set_text (self->message, message);
  gtk_widget_set_visible (GTK_WIDGET (self->message), message != NULL && *message != 0);

  /* A button only while there is something to do. */
  if (self->button != NULL)
    gtk_box_remove (GTK_BOX (self->box), GTK_WIDGET (self->button));
  self->button = NULL;
  if (button_label != NULL)
    {
      self->button = GTK_BUTTON (gtk_button_new_with_mnemonic (button_label));
      gtk_widget_set_valign (GTK_WIDGET (self->button), GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (GTK_WIDGET (self->button), "pill");
      /* The target first: the action may take a parameter. */
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->button), target);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->button), action_name);
      gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->button));
    }

  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);

  if (target != NULL)
    g_variant_unref (target);
}

static gboolean
is_no_space (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ||
         g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC) ||
         strstr (error->message, g_strerror (ENOSPC)) != NULL;
}

static gboolean
is_not_writable (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
         g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ACCES) ||
         g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ROFS) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
}

const char *
dassie_error_advice (const GError  *error,
                     const char   **button_label,
                     const char   **action_name)
{
  const char *advice = NULL;
  const char *button = NULL;
  const char *action = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (is_no_space (error))
    {
      advice = _("The disk is full. Free some space, or choose a results folder on another disk, then "
                 "try again; an unfinished training run can be resumed.");
      button = _("Choose _Results Folder…");
      action = "win.choose-results-folder";
    }
  else if (is_not_writable (error))
    {
      advice = _("Dassie cannot write there. Choose a results folder you can write to.");
      button = _("Choose _Results Folder…");
      action = "win.choose-results-folder";
    }
  else if (error->domain == DASSIE_DATASET_ERROR ||
           g_error_matches (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_DATA))
    {
      advice = _("Check the data folder on the Data page, or open another one.");
      button = _("_Open Folder…");
      action = "win.open-folder";
    }
  else if (g_error_matches (error, DASSIE_INFER_ERROR, DASSIE_INFER_ERROR_NO_WEIGHTS))
    {
      advice = _("Train a model on the Train page first.");
      button = _("_Train a Model");
      action = "win.train";
    }
  else if (g_error_matches (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_NOT_FINITE))
    advice = _("A smaller learning rate usually keeps the loss finite: lower it under Training.");
  else if (error->domain == DASSIE_SAFETENSORS_ERROR)
    advice = _("The model file is damaged or does not fit this data set: train a new model.");

  if (button_label != NULL)
    *button_label = button;
  if (action_name != NULL)
    *action_name = action;
  return advice;
}

void
dassie_error_banner_show_error (DassieErrorBanner *self,
                                const char        *title,
                                const GError      *error)
{
  g_autofree char *message = NULL;
  const char *button = NULL;
  const char *action = NULL;
  const char *advice;

  g_return_if_fail (DASSIE_IS_ERROR_BANNER (self));
  g_return_if_fail (error != NULL);

  advice = dassie_error_advice (error, &button, &action);
  message = advice != NULL ? g_strdup_printf ("%s\n%s", error->message, advice) : g_strdup (error->message);
  dassie_error_banner_show (self, DASSIE_BANNER_ERROR, title, message, button, action, NULL);
}

void
dassie_error_banner_dismiss (DassieErrorBanner *self)
{
  g_return_if_fail (DASSIE_IS_ERROR_BANNER (self));

  gtk_revealer_set_reveal_child (self->revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

gboolean
dassie_error_banner_is_shown (DassieErrorBanner *self)
{
  g_return_val_if_fail (DASSIE_IS_ERROR_BANNER (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self));
}

DassieBannerKind
dassie_error_banner_get_kind (DassieErrorBanner *self)
{
  g_return_val_if_fail (DASSIE_IS_ERROR_BANNER (self), DASSIE_BANNER_ERROR);
  return self->kind;
}

const char *
dassie_error_banner_get_title (DassieErrorBanner *self)
{
  g_return_val_if_fail (DASSIE_IS_ERROR_BANNER (self), NULL);
  return gtk_label_get_text (self->title);
}

const char *
dassie_error_banner_get_message (DassieErrorBanner *self)
{
  g_return_val_if_fail (DASSIE_IS_ERROR_BANNER (self), NULL);
  return gtk_label_get_text (self->message);
}
