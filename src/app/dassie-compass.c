/* dassie-compass.c: north and east arrows and a scale bar, drawn over a cutout from its WCS
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-compass.h"

struct _DassieCompass
{
  GtkWidget parent_instance;

  gboolean  valid;
  double    north[2];     /* on screen: x right, y down */
  double    east[2];
  double    scale;        /* arcseconds per cutout pixel */
  guint     width;        /* the cutout's pixels */
  guint     height;
};

G_DEFINE_FINAL_TYPE (DassieCompass, dassie_compass, GTK_TYPE_WIDGET)

/* A bar of a round length near a fifth of the cutout's width. */
static double
bar_arcsec (DassieCompass *self)
{
  static const double lengths[] = { 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600 };
  double want = self->scale * self->width / 5.0;
  double best = lengths[0];

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    if (lengths[i] <= want)
      best = lengths[i];
  return best;
}

static void
draw_arrow (cairo_t     *cr,
            double       x,
            double       y,
            const double dir[2],
            double       length,
            const char  *letter)
{
  double tx = x + dir[0] * length, ty = y + dir[1] * length;
  double head = 5;
  cairo_text_extents_t extents;

  cairo_move_to (cr, x, y);
  cairo_line_to (cr, tx, ty);
  cairo_move_to (cr, tx, ty);
  cairo_line_to (cr, tx - head * (dir[0] - 0.5 * dir[1]), ty - head * (dir[1] + 0.5 * dir[0]));
  cairo_move_to (cr, tx, ty);
  cairo_line_to (cr, tx - head * (dir[0] + 0.5 * dir[1]), ty - head * (dir[1] - 0.5 * dir[0]));
  cairo_stroke (cr);

  cairo_text_extents (cr, letter, &extents);
  cairo_move_to (cr, tx + dir[0] * 9 - extents.width / 2 - extents.x_bearing,
                 ty + dir[1] * 9 - extents.height / 2 - extents.y_bearing);
  cairo_show_text (cr, letter);
}

/* Dark outline under light strokes, so the marks read on any stretch. */
static void
draw_marks (DassieCompass *self,
            cairo_t       *cr,
            double         left,
            double         top,
            double         side_w,
            double         side_h,
            double         zoom)
{
  double cx = left + side_w - 26, cy = top + side_h - 26;
  double bar = bar_arcsec (self);
  double bar_px = bar / self->scale * zoom;
  g_autofree char *bar_text = bar < 1 ? g_strdup_printf ("%.1f″", bar) : g_strdup_printf ("%.0f″", bar);

  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 10);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint pass = 0; pass < 2; pass++)
    {
      if (pass == 0)
        {
          cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
          cairo_set_line_width (cr, 3.5);
        }
      else
        {
          cairo_set_source_rgba (cr, 1, 1, 1, 0.95);
          cairo_set_line_width (cr, 1.5);
        }
      draw_arrow (cr, cx, cy, self->north, 16, C_("compass", "N"));
      draw_arrow (cr, cx, cy, self->east, 16, C_("compass", "E"));

      cairo_move_to (cr, left + 10, top + side_h - 10);
      cairo_line_to (cr, left + 10 + bar_px, top + side_h - 10);
      cairo_stroke (cr);
      cairo_move_to (cr, left + 10, top + side_h - 15);
      cairo_show_text (cr, bar_text);
    }
}

static void
dassie_compass_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  DassieCompass *self = DASSIE_COMPASS (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double zoom, side_w, side_h;
  cairo_t *cr;

  if (!self->valid || self->width == 0 || self->height == 0 || w < 40 || h < 40)
    return;
  /* The cutout is drawn to fit, centred (GtkPicture's "contain"). */
  zoom = MIN (w / self->width, h / self->height);
  side_w = self->width * zoom;
  side_h = self->height * zoom;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  draw_marks (self, cr, (w - side_w) / 2, (h - side_h) / 2, side_w, side_h, zoom);
  cairo_destroy (cr);
}

static void
dassie_compass_class_init (DassieCompassClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = dassie_compass_snapshot;
}

static void
dassie_compass_init (DassieCompass *self)
{
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
}

GtkWidget *
dassie_compass_new (void)
{
  return g_object_new (DASSIE_TYPE_COMPASS, NULL);
}

void
dassie_compass_set_wcs (DassieCompass *self,
                        DassieSkyWcs  *wcs,
                        const double   centre[2],
                        guint          width,
                        guint          height)
{
  double north[2], east[2];

  g_return_if_fail (DASSIE_IS_COMPASS (self));

  self->valid = wcs != NULL && dassie_sky_wcs_north_east (wcs, centre[0], centre[1], north, east);
  if (self->valid)
    {
      /* FITS rows go up and the picture's row 0 is at the bottom: flip y for the screen. */
      self->north[0] = north[0];
      self->north[1] = -north[1];
      self->east[0] = east[0];
      self->east[1] = -east[1];
      self->scale = dassie_sky_wcs_pixel_scale (wcs, centre[0], centre[1]);
      self->valid = isfinite (self->scale) && self->scale > 0;
    }
  self->width = width;
  self->height = height;
  gtk_widget_set_visible (GTK_WIDGET (self), self->valid);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
dassie_compass_get_geometry (DassieCompass *self,
                             double         north[2],
                             double         east[2],
                             double        *bar_length)
{
  g_return_val_if_fail (DASSIE_IS_COMPASS (self), FALSE);

  if (!self->valid)
    return FALSE;
  north[0] = self->north[0];
  north[1] = self->north[1];
  east[0] = self->east[0];
  east[1] = self->east[1];
  *bar_length = bar_arcsec (self);
  return TRUE;
}
