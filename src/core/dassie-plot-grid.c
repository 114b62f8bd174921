/* dassie-plot-grid.c: the grid of cutouts with their captions
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-plot-private.h"

/* ------------------------------------------------------------------------------------------------
 * Cutout grid */

#define GRID_GAP     8.0
#define CAPTION_SIZE 10.0

typedef struct
{
  double   x0, y0;
  double   cell;      /* the image's side */
  double   pitch_x;
  double   pitch_y;
  guint    columns;
} GridLayout;

static void
grid_layout (double                      width,
             double                      height,
             const DassieCutoutGridPlot *grid,
             GridLayout                 *gl)
{
  double top = MARGIN + (grid->title != NULL ? 22 : 0);
  double avail_w = MAX (1, width - 2 * MARGIN);
  double avail_h = MAX (1, height - top - MARGIN);
  double caption = (grid->ids != NULL ? 13 : 0) + (grid->scores != NULL ? 13 : 0);
  guint best_columns = 1;
  double best_cell = 0;

  if (grid->columns > 0)
    {
      guint rows = (guint) ((grid->n + grid->columns - 1) / grid->columns);
      best_columns = grid->columns;
      best_cell = MIN ((avail_w - GRID_GAP * (best_columns - 1)) / best_columns,
                       (avail_h - rows * (caption + GRID_GAP)) / MAX (rows, 1));
    }
  else
    for (guint c = 1; c <= MAX (grid->n, 1); c++)
      {
        guint rows = (guint) ((grid->n + c - 1) / c);
        double cell = MIN ((avail_w - GRID_GAP * (c - 1)) / c,
                           (avail_h - rows * (caption + GRID_GAP)) / MAX (rows, 1));
        if (cell > best_cell)
          {
            best_cell = cell;
            best_columns = c;
          }
      }

  gl->cell = MAX (best_cell, 1);
  gl->columns = best_columns;
  gl->pitch_x = gl->cell + GRID_GAP;
  gl->pitch_y = gl->cell + caption + GRID_GAP;
  gl->x0 = MARGIN + MAX (0, (avail_w - (gl->pitch_x * best_columns - GRID_GAP)) / 2);
  gl->y0 = top;
}

/* Draws @text centred under a cell, shrinking the font until it fits the cell's width. */
static void
draw_caption (cairo_t    *cr,
              double      x,
              double      y,
              double      max_width,
              const char *text)
{
  double size = CAPTION_SIZE;

  _dassie_plot_set_font (cr, size, FALSE);
  while (size > 5 && _dassie_plot_text_width (cr, text) > max_width)
    {
      size -= 0.5;
      _dassie_plot_set_font (cr, size, FALSE);
    }
  _dassie_plot_draw_text (cr, x, y, text, 0.5, 0);
}

void
dassie_plot_cutout_grid (cairo_t                    *cr,
                         double                      width,
                         double                      height,
                         const DassieCutoutGridPlot *grid)
{
  GridLayout gl;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (grid != NULL);
  g_return_if_fail (grid->n == 0 || grid->images != NULL);

  grid_layout (width, height, grid, &gl);

  cairo_save (cr);
  _dassie_plot_paint_background (cr, width, height);
  if (grid->title != NULL)
    {
      _dassie_plot_set_rgb (cr, 0x202020);
      _dassie_plot_set_font (cr, TITLE_SIZE, TRUE);
      _dassie_plot_draw_text (cr, MARGIN, MARGIN, grid->title, 0, 0);
    }

  for (gsize i = 0; i < grid->n; i++)
    {
      double x = gl.x0 + (i % gl.columns) * gl.pitch_x;
      double y = gl.y0 + (i / gl.columns) * gl.pitch_y;
      double caption_y = y + gl.cell + 3;
      cairo_surface_t *image = grid->images[i];

      if (image != NULL && cairo_surface_status (image) == CAIRO_STATUS_SUCCESS)
        {
          int iw = cairo_image_surface_get_width (image);
          int ih = cairo_image_surface_get_height (image);
          double s = gl.cell / MAX (iw, ih);

          cairo_save (cr);
          cairo_rectangle (cr, x, y, gl.cell, gl.cell);
          cairo_clip (cr);
          cairo_set_source_rgb (cr, 0, 0, 0);
          cairo_paint (cr);
          cairo_translate (cr, x + (gl.cell - iw * s) / 2, y + (gl.cell - ih * s) / 2);
          cairo_scale (cr, s, s);
          cairo_set_source_surface (cr, image, 0, 0);
          /* Enlarged cutouts keep their pixels square; reduced ones are smoothed. */
          cairo_pattern_set_filter (cairo_get_source (cr), s >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
          cairo_paint (cr);
          cairo_restore (cr);
        }
      else
        {
          cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
          cairo_rectangle (cr, x, y, gl.cell, gl.cell);
          cairo_fill (cr);
        }

      _dassie_plot_set_rgb (cr, 0x202020);
      if (grid->ids != NULL && grid->ids[i] != NULL)
        {
          draw_caption (cr, x + gl.cell / 2, caption_y, gl.cell + GRID_GAP - 2, grid->ids[i]);
          caption_y += 13;
        }
      if (grid->scores != NULL)
        {
          char text[64];

          g_snprintf (text, sizeof text, "%.4g", grid->scores[i]);
          _dassie_plot_set_rgb (cr, 0x505050);
          draw_caption (cr, x + gl.cell / 2, caption_y, gl.cell + GRID_GAP - 2, text);
        }
    }
  cairo_restore (cr);
}

gssize
dassie_plot_cutout_grid_pick (double                      width,
                              double                      height,
                              const DassieCutoutGridPlot *grid,
                              double                      px,
                              double                      py)
{
  GridLayout gl;
  double cx, cy;
  gsize column, row, i;

  g_return_val_if_fail (grid != NULL, -1);

  grid_layout (width, height, grid, &gl);
  cx = (px - gl.x0) / gl.pitch_x;
  cy = (py - gl.y0) / gl.pitch_y;
  if (cx < 0 || cy < 0)
    return -1;
  column = (gsize) cx;
  row = (gsize) cy;
  /* Gaps between cells belong to no cutout. */
  if (column >= gl.columns || px - gl.x0 - column * gl.pitch_x > gl.cell ||
      py - gl.y0 - row * gl.pitch_y > gl.pitch_y - GRID_GAP)
    return -1;
  i = row * gl.columns + column;
  return i < grid->n ? (gssize) i : -1;
}

