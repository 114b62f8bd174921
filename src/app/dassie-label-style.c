/* dassie-label-style.c: how the astronomer's labels look everywhere in the app: colours, badges, keys
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-label-style.h"

/* GNOME's palette: green for what is worth a look, grey for the rest, red for what is broken. */
const guint32 dassie_label_rgb[DASSIE_N_LABELS - 1] = { 0x26a269, 0x77767b, 0xe01b24 };

static const char * const css_classes[DASSIE_N_LABELS] = {
  NULL, "label-interesting", "label-boring", "label-artifact",
};

const char *
dassie_label_get_css_class (DassieLabel label)
{
  g_return_val_if_fail ((guint) label < DASSIE_N_LABELS, NULL);
  return css_classes[label];
}

/* The badges' style, made from the same colours as the map's rings, for the display of the first
 * badge: they look the same wherever they are (the app's style.css, or a test's bare window). */
static void
ensure_badge_style (GtkWidget *badge)
{
  static GdkDisplay *styled;
  g_autoptr(GtkCssProvider) provider = NULL;
  g_autoptr(GString) css = NULL;
  GdkDisplay *display = gtk_widget_get_display (badge);

  if (display == styled)
    return;
  styled = display;
  css = g_string_new (".label-badge { font-size: smaller; font-weight: bold; padding: 1px 6px; margin: 3px;"
                      " border-radius: 999px; color: white; }\n");
  for (guint i = 1; i < DASSIE_N_LABELS; i++)
    g_string_append_printf (css, ".label-badge.%s { background-color: #%06x; }\n", css_classes[i],
                            dassie_label_rgb[i - 1]);
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, css->str, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

GtkWidget *
dassie_label_badge_new (void)
{
  GtkWidget *badge = gtk_label_new (NULL);

  ensure_badge_style (badge);

  gtk_widget_add_css_class (badge, "label-badge");
  gtk_widget_set_halign (badge, GTK_ALIGN_END);
  gtk_widget_set_valign (badge, GTK_ALIGN_START);
  gtk_widget_set_can_target (badge, FALSE);
  gtk_widget_set_visible (badge, FALSE);
  g_object_set_data (G_OBJECT (badge), "dassie-label", GUINT_TO_POINTER (DASSIE_LABEL_NONE));
  return badge;
}

void
dassie_label_badge_set (GtkWidget   *badge,
                        DassieLabel  label)
{
  g_return_if_fail (GTK_IS_LABEL (badge));
  g_return_if_fail ((guint) label < DASSIE_N_LABELS);

  for (guint i = 1; i < DASSIE_N_LABELS; i++)
    gtk_widget_remove_css_class (badge, css_classes[i]);
  g_object_set_data (G_OBJECT (badge), "dassie-label", GUINT_TO_POINTER (label));
  gtk_widget_set_visible (badge, label != DASSIE_LABEL_NONE);
  if (label == DASSIE_LABEL_NONE)
    return;
  gtk_widget_add_css_class (badge, css_classes[label]);
  gtk_label_set_text (GTK_LABEL (badge), dassie_label_get_display_name (label));
}

DassieLabel
dassie_label_badge_get (GtkWidget *badge)
{
  g_return_val_if_fail (GTK_IS_LABEL (badge), DASSIE_LABEL_NONE);
  return (DassieLabel) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (badge), "dassie-label"));
}
