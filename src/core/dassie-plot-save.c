/* dassie-plot-save.c: plots saved as PNG, SVG or PDF, under a temporary name
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>

#include "dassie-fileutil.h"

#include "dassie-plot-private.h"

/* ------------------------------------------------------------------------------------------------
 * Files */

static gboolean
cairo_fail (cairo_status_t   status,
            const char      *path,
            GError         **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Could not draw the plot into “%s”: %s"), path, cairo_status_to_string (status));
  return FALSE;
}

gboolean
dassie_plot_save (const char          *path,
                  double               width,
                  double               height,
                  DassiePlotDrawFunc   draw,
                  gconstpointer        plot,
                  GError             **error)
{
  g_autofree char *lower = NULL;
  g_autofree char *temp = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean png;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width >= 1 && height >= 1, FALSE);
  g_return_val_if_fail (draw != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  temp = dassie_temp_path_for (path);
  png = g_str_has_suffix (lower, ".png");
  if (png)
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width), (int) ceil (height));
  else if (g_str_has_suffix (lower, ".svg"))
    surface = cairo_svg_surface_create (temp, width, height);
  else if (g_str_has_suffix (lower, ".pdf"))
    surface = cairo_pdf_surface_create (temp, width, height);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot tell which kind of picture to write to “%s”: name it .png, .svg or .pdf"), path);
      return FALSE;
    }

  cr = cairo_create (surface);
  draw (cr, width, height, plot);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && png)
    status = cairo_surface_write_to_png (surface, temp);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (temp);
      return cairo_fail (status, path, error);
    }
  return dassie_rename_into_place (temp, path, error);
}

/* Each kind of plot saved through dassie_plot_save() with a draw function of its own. */
#define DEFINE_PLOT_SAVE(kind, Type)                                                    \
  static void                                                                           \
  draw_##kind##_func (cairo_t       *cr,                                                \
                      double         width,                                             \
                      double         height,                                            \
                      gconstpointer  plot)                                              \
  {                                                                                     \
    dassie_plot_##kind (cr, width, height, plot);                                       \
  }                                                                                     \
                                                                                        \
  gboolean                                                                              \
  dassie_plot_save_##kind (const char  *path,                                           \
                           double       width,                                          \
                           double       height,                                         \
                           const Type  *plot,                                           \
                           GError     **error)                                          \
  {                                                                                     \
    return dassie_plot_save (path, width, height, draw_##kind##_func, plot, error);     \
  }

DEFINE_PLOT_SAVE (scatter, DassieScatter)
DEFINE_PLOT_SAVE (histogram, DassieHistogram)
DEFINE_PLOT_SAVE (loss, DassieLossCurve)
DEFINE_PLOT_SAVE (cutout_grid, DassieCutoutGridPlot)
