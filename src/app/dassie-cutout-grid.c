/* dassie-cutout-grid.c: a scrolling grid of cutouts with captions; activating one names its object
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cutout-grid.h"
#include "dassie-cutout-item.h"
#include "dassie-label-style.h"

struct _DassieCutoutGrid
{
  GtkWidget          parent_instance;
  GtkScrolledWindow *scroller;
  GtkGridView       *grid_view;
  GtkNoSelection    *selection;
  int                tile_size;
};

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

enum {
  OBJECT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DassieCutoutGrid, dassie_cutout_grid, GTK_TYPE_WIDGET)

static void
setup_tile (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            DassieCutoutGrid         *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_size_request (picture, self->tile_size, self->tile_size);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  /* Room for a 17-digit HSC id on one line. */
  gtk_label_set_width_chars (GTK_LABEL (label), 17);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 18);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "thumbnail-caption");
  gtk_widget_add_css_class (label, "dim-label");
  /* The picture is the overlay's child, the label badge floats over its top right corner. */
  gtk_overlay_set_child (GTK_OVERLAY (overlay), picture);
  gtk_widget_set_halign (overlay, GTK_ALIGN_CENTER);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), dassie_label_badge_new ());
  gtk_box_append (GTK_BOX (box), overlay);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_list_item_set_child (list_item, box);
}

/* The badge is the overlay's last child. */
static void
update_badge (DassieCutoutItem *item,
              GParamSpec       *pspec,
              GtkListItem      *list_item)
{
  GtkWidget *overlay = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));

  dassie_label_badge_set (gtk_widget_get_last_child (overlay), dassie_cutout_item_get_label (item));
}

static void
unbind_tile (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             DassieCutoutGrid         *self)
{
  DassieCutoutItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, update_badge, list_item);
}

static void
bind_tile (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           DassieCutoutGrid         *self)
{
  DassieCutoutItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *overlay = gtk_widget_get_first_child (box);
  GtkWidget *picture = gtk_overlay_get_child (GTK_OVERLAY (overlay));
  GtkWidget *label = gtk_widget_get_next_sibling (overlay);

  update_badge (item, NULL, list_item);
  g_signal_connect_object (item, "notify::label", G_CALLBACK (update_badge), list_item, 0);
  gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (dassie_cutout_item_get_texture (item)));
  gtk_label_set_text (GTK_LABEL (label), dassie_cutout_item_get_caption (item));
  gtk_widget_set_tooltip_text (box, dassie_cutout_item_get_caption (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  dassie_cutout_item_get_caption (item), -1);
}

static void
on_activate (GtkGridView      *view,
             guint             position,
             DassieCutoutGrid *self)
{
  g_autoptr(DassieCutoutItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (item != NULL)
    g_signal_emit (self, signals[OBJECT_ACTIVATED], 0, dassie_cutout_item_get_index (item),
                   dassie_cutout_item_get_object_id (item));
}

static void
dassie_cutout_grid_dispose (GObject *object)
{
  DassieCutoutGrid *self = DASSIE_CUTOUT_GRID (object);

  if (self->scroller != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->scroller)));
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (dassie_cutout_grid_parent_class)->dispose (object);
}

static void
dassie_cutout_grid_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  DassieCutoutGrid *self = DASSIE_CUTOUT_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, dassie_cutout_grid_get_model (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_cutout_grid_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  DassieCutoutGrid *self = DASSIE_CUTOUT_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      dassie_cutout_grid_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_cutout_grid_class_init (DassieCutoutGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_cutout_grid_dispose;
  object_class->get_property = dassie_cutout_grid_get_property;
  object_class->set_property = dassie_cutout_grid_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (index in the data set, object id) of the cutout the user activated. */
  signals[OBJECT_ACTIVATED] =
    g_signal_new ("object-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cutoutgrid");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dassie_cutout_grid_init (DassieCutoutGrid *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->tile_size = 96;
  self->selection = gtk_no_selection_new (NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_tile), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_tile), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_tile), self);

  self->grid_view = GTK_GRID_VIEW (gtk_grid_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)), factory));
  gtk_grid_view_set_max_columns (self->grid_view, 64);
  gtk_grid_view_set_single_click_activate (self->grid_view, TRUE);
  g_signal_connect (self->grid_view, "activate", G_CALLBACK (on_activate), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cutouts"), -1);

  self->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (self->scroller, GTK_WIDGET (self->grid_view));
  gtk_widget_set_parent (GTK_WIDGET (self->scroller), GTK_WIDGET (self));
}

GtkWidget *
dassie_cutout_grid_new (void)
{
  return g_object_new (DASSIE_TYPE_CUTOUT_GRID, NULL);
}

void
dassie_cutout_grid_set_model (DassieCutoutGrid *self,
                              GListModel       *model)
{
  g_return_if_fail (DASSIE_IS_CUTOUT_GRID (self));

  if (model == gtk_no_selection_get_model (self->selection))
    return;
  gtk_no_selection_set_model (self->selection, model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

GListModel *
dassie_cutout_grid_get_model (DassieCutoutGrid *self)
{
  g_return_val_if_fail (DASSIE_IS_CUTOUT_GRID (self), NULL);
  return gtk_no_selection_get_model (self->selection);
}

void
dassie_cutout_grid_set_tile_size (DassieCutoutGrid *self,
                                  int               pixels)
{
  g_return_if_fail (DASSIE_IS_CUTOUT_GRID (self));
  self->tile_size = pixels;
}
