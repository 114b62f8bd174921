/* dassie-sky-panel.c: an object's position on the sky, its catalogue columns, and where to look at it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-sky-panel.h"

struct _DassieSkyPanel
{
  GtkBox          parent_instance;

  GtkLabel       *degrees_label;
  GtkLabel       *sexagesimal_label;
  GtkLabel       *source_label;
  GtkMenuButton  *open_in_button;
  GtkExpander    *columns_expander;
  GtkGrid        *columns_grid;

  gboolean        has_position;
  double          ra;
  double          dec;
  char           *text;
};

enum
{
  OPEN_URI,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DassieSkyPanel, dassie_sky_panel, GTK_TYPE_BOX)

/* Opens @uri in the browser unless a handler (a test) took it. */
static gboolean
dassie_sky_panel_real_open_uri (DassieSkyPanel *self,
                                const char     *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
  return TRUE;
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DassieSkyPanel *self = DASSIE_SKY_PANEL (widget);

  if (self->text != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->text);
}

static void
open_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DassieSkyPanel *self = DASSIE_SKY_PANEL (widget);
  int viewer = g_variant_get_int32 (parameter);
  g_autofree char *uri = NULL;
  gboolean handled = FALSE;

  if (!self->has_position || viewer < 0 || viewer >= DASSIE_SKY_N_VIEWERS)
    return;
  uri = dassie_sky_viewer_get_url (viewer, self->ra, self->dec);
  g_signal_emit (self, signals[OPEN_URI], 0, uri, &handled);
}

static void
clear_columns (DassieSkyPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->columns_grid))) != NULL)
    gtk_grid_remove (self->columns_grid, child);
}

static void
show_columns (DassieSkyPanel *self,
              DassieDataset  *dataset,
              guint           index)
{
  guint n = dassie_dataset_get_n_columns (dataset);
  guint row = 0;

  clear_columns (self);
  for (guint c = 0; c < n; c++)
    {
      const char *text = dassie_dataset_get_column_text (dataset, index, c);
      GtkWidget *name, *value;

      if (text == NULL || *text == '\0')
        continue;
      name = gtk_label_new (dassie_dataset_get_column_name (dataset, c));
      value = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (name, "dim-label");
      gtk_widget_add_css_class (value, "numeric");
      gtk_grid_attach (self->columns_grid, name, 0, row, 1, 1);
      gtk_grid_attach (self->columns_grid, value, 1, row, 1, 1);
      row++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->columns_expander), row > 0);
}

void
dassie_sky_panel_set_object (DassieSkyPanel *self,
                             DassieDataset  *dataset,
                             int             index)
{
  g_return_if_fail (DASSIE_IS_SKY_PANEL (self));

  g_clear_pointer (&self->text, g_free);
  self->has_position = dataset != NULL && index >= 0 &&
                       dassie_dataset_get_position (dataset, (guint) index, &self->ra, &self->dec);
  if (self->has_position)
    {
      g_autofree char *degrees = NULL;
      g_autofree char *ra_text = dassie_sky_format_ra (self->ra, FALSE);
      g_autofree char *dec_text = dassie_sky_format_dec (self->dec, FALSE);
      g_autofree char *sexagesimal = g_strdup_printf ("%s  %s", ra_text, dec_text);
      g_autofree char *source = NULL;
      char r[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (r, sizeof r, "%.6f", self->ra);
      g_ascii_formatd (d, sizeof d, "%.6f", self->dec);
      self->text = g_strdup_printf ("%s %s", r, d);
      /* TRANSLATORS: right ascension and declination in degrees, ICRS */
      degrees = g_strdup_printf (_("RA %s°  Dec %s°"), r, d);
      gtk_label_set_text (self->degrees_label, degrees);
      gtk_label_set_text (self->sexagesimal_label, sexagesimal);
      source = g_strdup_printf (_("ICRS, from %s"), dassie_sky_source_describe (dassie_dataset_get_sky_source (dataset)));
      gtk_label_set_text (self->source_label, source);
    }
  else
    {
      gtk_label_set_text (self->degrees_label, _("No position on the sky"));
      gtk_label_set_text (self->sexagesimal_label, "");
      gtk_label_set_text (self->source_label,
                          _("The data set has no catalogue with ra and dec columns and its cutouts have no WCS "
                            "in their headers."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->sexagesimal_label), self->has_position);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sky.copy", self->has_position);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sky.open-in", self->has_position);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_in_button), self->has_position);

  if (dataset != NULL && index >= 0)
    show_columns (self, dataset, (guint) index);
  else
    {
      clear_columns (self);
      gtk_widget_set_visible (GTK_WIDGET (self->columns_expander), FALSE);
    }
}

const char *
dassie_sky_panel_get_text (DassieSkyPanel *self)
{
  g_return_val_if_fail (DASSIE_IS_SKY_PANEL (self), NULL);
  return self->text;
}

static void
dassie_sky_panel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), DASSIE_TYPE_SKY_PANEL);
  G_OBJECT_CLASS (dassie_sky_panel_parent_class)->dispose (object);
}

static void
dassie_sky_panel_finalize (GObject *object)
{
  DassieSkyPanel *self = DASSIE_SKY_PANEL (object);

  g_free (self->text);
  G_OBJECT_CLASS (dassie_sky_panel_parent_class)->finalize (object);
}

static void
dassie_sky_panel_class_init (DassieSkyPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_sky_panel_dispose;
  object_class->finalize = dassie_sky_panel_finalize;

  /* Emitted with the address of a viewer; the default handler opens it in the browser. */
  signals[OPEN_URI] = g_signal_new_class_handler ("open-uri", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                  G_CALLBACK (dassie_sky_panel_real_open_uri),
                                                  g_signal_accumulator_true_handled, NULL, NULL,
                                                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-sky-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieSkyPanel, degrees_label);
  gtk_widget_class_bind_template_child (widget_class, DassieSkyPanel, sexagesimal_label);
  gtk_widget_class_bind_template_child (widget_class, DassieSkyPanel, source_label);
  gtk_widget_class_bind_template_child (widget_class, DassieSkyPanel, open_in_button);
  gtk_widget_class_bind_template_child (widget_class, DassieSkyPanel, columns_expander);
  gtk_widget_class_bind_template_child (widget_class, DassieSkyPanel, columns_grid);

  gtk_widget_class_install_action (widget_class, "sky.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "sky.open-in", "i", open_in_action);
}

static void
dassie_sky_panel_init (DassieSkyPanel *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  for (int v = 0; v < DASSIE_SKY_N_VIEWERS; v++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (dassie_sky_viewer_get_name (v), NULL);

      g_menu_item_set_action_and_target_value (item, "sky.open-in", g_variant_new_int32 (v));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->open_in_button, G_MENU_MODEL (menu));
  dassie_sky_panel_set_object (self, NULL, -1);
}

GtkWidget *
dassie_sky_panel_new (void)
{
  return g_object_new (DASSIE_TYPE_SKY_PANEL, NULL);
}
