/* dassie-selection.h: selections of objects (lasso, box, score range) and the data ↔ pixel view
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The part of the data plane shown in a rectangle of pixels. Pixel y grows downwards, data y
 * upwards. Zooming and panning change only the view: a selection holds object indices, never pixels,
 * so no view change alters it. */
typedef struct
{
  double x_min, x_max;      /* data range shown, left to right */
  double y_min, y_max;      /* data range shown, bottom to top */
  double left, top;         /* the plot area in pixels */
  double width, height;
} DassieView;

void      dassie_view_init              (DassieView        *view,
                                         double             left,
                                         double             top,
                                         double             width,
                                         double             height);
/* Moves the plot area, keeping the data range. */
void      dassie_view_set_area          (DassieView        *view,
                                         double             left,
                                         double             top,
                                         double             width,
                                         double             height);
/* Shows every finite point with @margin (a fraction of the range, e.g. 0.05) around them. */
void      dassie_view_fit               (DassieView        *view,
                                         const float       *x,
                                         const float       *y,
                                         gsize              n,
                                         double             margin);
void      dassie_view_data_to_pixel     (const DassieView  *view,
                                         double             x,
                                         double             y,
                                         double            *px,
                                         double            *py);
void      dassie_view_pixel_to_data     (const DassieView  *view,
                                         double             px,
                                         double             py,
                                         double            *x,
                                         double            *y);
/* Moves the picture by (dx, dy) pixels, as a drag does. */
void      dassie_view_pan               (DassieView        *view,
                                         double             dx,
                                         double             dy);
/* Magnifies by @factor (> 1 zooms in) keeping the data point under pixel (px, py) in place. */
void      dassie_view_zoom              (DassieView        *view,
                                         double             factor,
                                         double             px,
                                         double             py);
/* Converts @n_vertices pixel vertices (x, y pairs) to data coordinates in @data_xy. */
void      dassie_view_polygon_to_data   (const DassieView  *view,
                                         const double      *pixel_xy,
                                         gsize              n_vertices,
                                         double            *data_xy);

typedef enum
{
  DASSIE_SELECT_REPLACE,    /* plain drag */
  DASSIE_SELECT_ADD,        /* Shift */
  DASSIE_SELECT_SUBTRACT,   /* Ctrl */
} DassieSelectMode;

/* Inside a self-intersecting polygon: non-zero counts a point inside when the outline winds around
 * it at all (a lasso drawn twice round still selects), even-odd when it winds an odd number of
 * times (cairo's and SVG's two fill rules). Both handle concave outlines exactly. */
typedef enum
{
  DASSIE_FILL_NONZERO,
  DASSIE_FILL_EVEN_ODD,
} DassieFillRule;

/* TRUE when (x, y) lies inside the closed polygon of @n_vertices (x, y) pairs; a point exactly on
 * a left or bottom edge counts as inside, on a right or top edge as outside, so polygons that share
 * an edge never both claim a point. */
gboolean  dassie_point_in_polygon       (const double      *polygon_xy,
                                         gsize              n_vertices,
                                         DassieFillRule     rule,
                                         double             x,
                                         double             y);

typedef struct _DassieSelection DassieSelection;

/* A set of object indices 0 .. n_objects - 1. */
DassieSelection *dassie_selection_new            (gsize                   n_objects);
DassieSelection *dassie_selection_copy           (const DassieSelection  *self);
void             dassie_selection_free           (DassieSelection        *self);
gsize            dassie_selection_get_n_objects  (const DassieSelection  *self);
gsize            dassie_selection_get_count      (const DassieSelection  *self);
gboolean         dassie_selection_contains       (const DassieSelection  *self,
                                                  gsize                   index);
gboolean         dassie_selection_equal          (const DassieSelection  *a,
                                                  const DassieSelection  *b);
void             dassie_selection_clear          (DassieSelection        *self);
/* The selected indices in increasing order; @n_out receives how many. */
guint32         *dassie_selection_get_indices    (const DassieSelection  *self,
                                                  gsize                  *n_out);
/* Selects these indices (out-of-range ones are ignored). */
void             dassie_selection_apply_indices  (DassieSelection        *self,
                                                  const guint32          *indices,
                                                  gsize                   n,
                                                  DassieSelectMode        mode);

/* The points (x[i], y[i]) inside a polygon given in data coordinates. NaN points never match.
 * Returns how many points the polygon holds. Uses up to @n_threads threads (0: one per core). */
gsize            dassie_selection_apply_lasso    (DassieSelection        *self,
                                                  const float            *x,
                                                  const float            *y,
                                                  const double           *polygon_xy,
                                                  gsize                   n_vertices,
                                                  DassieFillRule          rule,
                                                  DassieSelectMode        mode,
                                                  guint                   n_threads);
/* The points with x0 <= x <= x1 and y0 <= y <= y1 (corners in any order). */
gsize            dassie_selection_apply_box      (DassieSelection        *self,
                                                  const float            *x,
                                                  const float            *y,
                                                  double                  x0,
                                                  double                  y0,
                                                  double                  x1,
                                                  double                  y1,
                                                  DassieSelectMode        mode);
/* The objects whose @values fall in [low, high), or [low, high] when @include_high. */
gsize            dassie_selection_apply_range    (DassieSelection        *self,
                                                  const float            *values,
                                                  double                  low,
                                                  double                  high,
                                                  gboolean                include_high,
                                                  DassieSelectMode        mode);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieSelection, dassie_selection_free)

G_END_DECLS
