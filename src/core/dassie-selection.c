/* dassie-selection.c: selections of objects (lasso, box, score range) and the data ↔ pixel view
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-parallel.h"
#include "dassie-selection.h"

/* ------------------------------------------------------------------------------------------------
 * The view */

void
dassie_view_init (DassieView *view,
                  double      left,
                  double      top,
                  double      width,
                  double      height)
{
  g_return_if_fail (view != NULL);

  view->x_min = 0;
  view->x_max = 1;
  view->y_min = 0;
  view->y_max = 1;
  dassie_view_set_area (view, left, top, width, height);
}

void
dassie_view_set_area (DassieView *view,
                      double      left,
                      double      top,
                      double      width,
                      double      height)
{
  g_return_if_fail (view != NULL);

  view->left = left;
  view->top = top;
  view->width = MAX (width, 1);
  view->height = MAX (height, 1);
}

void
dassie_view_fit (DassieView  *view,
                 const float *x,
                 const float *y,
                 gsize        n,
                 double       margin)
{
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  double dx, dy;

  g_return_if_fail (view != NULL);
  g_return_if_fail (n == 0 || (x != NULL && y != NULL));

  for (gsize i = 0; i < n; i++)
    if (isfinite (x[i]) && isfinite (y[i]))
      {
        x0 = MIN (x0, x[i]);
        x1 = MAX (x1, x[i]);
        y0 = MIN (y0, y[i]);
        y1 = MAX (y1, y[i]);
      }

  if (x0 > x1)
    {
      x0 = y0 = 0;
      x1 = y1 = 1;
    }
  /* A single point or a line still gets a range to look at. */
  if (x1 - x0 <= 0)
    {
      x0 -= 0.5;
      x1 += 0.5;
    }
  if (y1 - y0 <= 0)
    {
      y0 -= 0.5;
      y1 += 0.5;
    }

  dx = (x1 - x0) * margin;
  dy = (y1 - y0) * margin;
  view->x_min = x0 - dx;
  view->x_max = x1 + dx;
  view->y_min = y0 - dy;
  view->y_max = y1 + dy;
}

void
dassie_view_data_to_pixel (const DassieView *view,
                           double            x,
                           double            y,
                           double           *px,
                           double           *py)
{
  *px = view->left + (x - view->x_min) * view->width / (view->x_max - view->x_min);
  *py = view->top + (view->y_max - y) * view->height / (view->y_max - view->y_min);
}

void
dassie_view_pixel_to_data (const DassieView *view,
                           double            px,
                           double            py,
                           double           *x,
                           double           *y)
{
  *x = view->x_min + (px - view->left) * (view->x_max - view->x_min) / view->width;
  *y = view->y_max - (py - view->top) * (view->y_max - view->y_min) / view->height;
}

void
dassie_view_pan (DassieView *view,
                 double      dx,
                 double      dy)
{
  double sx, sy;

  g_return_if_fail (view != NULL);

  sx = dx * (view->x_max - view->x_min) / view->width;
  sy = dy * (view->y_max - view->y_min) / view->height;
  view->x_min -= sx;
  view->x_max -= sx;
  view->y_min += sy;
  view->y_max += sy;
}

void
dassie_view_zoom (DassieView *view,
                  double      factor,
                  double      px,
                  double      py)
{
  double x, y, fx, fy, rx, ry;

  g_return_if_fail (view != NULL);
  g_return_if_fail (factor > 0);

  dassie_view_pixel_to_data (view, px, py, &x, &y);
  fx = (px - view->left) / view->width;
  fy = (py - view->top) / view->height;
  rx = (view->x_max - view->x_min) / factor;
  ry = (view->y_max - view->y_min) / factor;
  view->x_min = x - fx * rx;
  view->x_max = view->x_min + rx;
  view->y_max = y + fy * ry;
  view->y_min = view->y_max - ry;
}

void
dassie_view_polygon_to_data (const DassieView *view,
                             const double     *pixel_xy,
                             gsize             n_vertices,
                             double           *data_xy)
{
  g_return_if_fail (view != NULL);
  g_return_if_fail (n_vertices == 0 || (pixel_xy != NULL && data_xy != NULL));

  for (gsize i = 0; i < n_vertices; i++)
    dassie_view_pixel_to_data (view, pixel_xy[2 * i], pixel_xy[2 * i + 1],
                               &data_xy[2 * i], &data_xy[2 * i + 1]);
}

/* ------------------------------------------------------------------------------------------------
 * Point in polygon */

typedef struct
{
  double y_low, y_high;  /* the edge covers y_low <= y < y_high */
  double x_at_low;       /* x where y = y_low */
  double dxdy;
  int    direction;      /* +1 upwards, -1 downwards */
} Edge;

static gboolean
make_edge (const double *polygon_xy,
           gsize         n_vertices,
           gsize         i,
           Edge         *edge)
{
  gsize j = (i + 1) % n_vertices;
  double x0 = polygon_xy[2 * i], y0 = polygon_xy[2 * i + 1];
  double x1 = polygon_xy[2 * j], y1 = polygon_xy[2 * j + 1];

  /* Horizontal edges never cross a horizontal ray; non-finite vertices are ignored. */
  if (y0 == y1 || !isfinite (x0) || !isfinite (y0) || !isfinite (x1) || !isfinite (y1))
    return FALSE;

  if (y0 < y1)
    {
      edge->y_low = y0;
      edge->y_high = y1;
      edge->x_at_low = x0;
      edge->direction = 1;
    }
  else
    {
      edge->y_low = y1;
      edge->y_high = y0;
      edge->x_at_low = x1;
      edge->direction = -1;
    }
  edge->dxdy = (x1 - x0) / (y1 - y0);
  return TRUE;
}

/* The winding contribution of @edge for a ray from (x, y) towards +x. Branch-free: whether a
 * lasso's edge is crossed is as unpredictable as a coin toss, and mispredictions would cost more
 * than computing the intersection for every edge tested. */
static inline int
edge_crossing (const Edge *edge,
               double      x,
               double      y)
{
  int in_span = (y >= edge->y_low) & (y < edge->y_high);
  int left = x < edge->x_at_low + (y - edge->y_low) * edge->dxdy;

  return edge->direction * (in_span & left);
}

static inline gboolean
winding_inside (int            winding,
                DassieFillRule rule)
{
  return rule == DASSIE_FILL_EVEN_ODD ? (winding & 1) != 0 : winding != 0;
}

gboolean
dassie_point_in_polygon (const double   *polygon_xy,
                         gsize           n_vertices,
                         DassieFillRule  rule,
                         double          x,
                         double          y)
{
  int winding = 0;

  g_return_val_if_fail (polygon_xy != NULL || n_vertices == 0, FALSE);

  if (n_vertices < 3 || !isfinite (x) || !isfinite (y))
    return FALSE;

  for (gsize i = 0; i < n_vertices; i++)
    {
      Edge edge;

      if (make_edge (polygon_xy, n_vertices, i, &edge))
        winding += edge_crossing (&edge, x, y);
    }
  return winding_inside (winding, rule);
}

/* ------------------------------------------------------------------------------------------------
 * Selections: one bit per object */

struct _DassieSelection
{
  guint64 *words;
  gsize    n_words;
  gsize    n_objects;
  gsize    count;
};

static void
recount (DassieSelection *self)
{
  gsize count = 0;

  for (gsize w = 0; w < self->n_words; w++)
    count += (gsize) __builtin_popcountll (self->words[w]);
  self->count = count;
}

DassieSelection *
dassie_selection_new (gsize n_objects)
{
  DassieSelection *self = g_new0 (DassieSelection, 1);

  self->n_objects = n_objects;
  self->n_words = (n_objects + 63) / 64;
  self->words = g_new0 (guint64, MAX (self->n_words, 1));
  return self;
}

DassieSelection *
dassie_selection_copy (const DassieSelection *self)
{
  DassieSelection *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = dassie_selection_new (self->n_objects);
  memcpy (copy->words, self->words, self->n_words * sizeof (guint64));
  copy->count = self->count;
  return copy;
}

void
dassie_selection_free (DassieSelection *self)
{
  if (self == NULL)
    return;
  g_free (self->words);
  g_free (self);
}

gsize
dassie_selection_get_n_objects (const DassieSelection *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_objects;
}

gsize
dassie_selection_get_count (const DassieSelection *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->count;
}

gboolean
dassie_selection_contains (const DassieSelection *self,
                           gsize                  index)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (index >= self->n_objects)
    return FALSE;
  return (self->words[index / 64] >> (index % 64)) & 1;
}

gboolean
dassie_selection_equal (const DassieSelection *a,
                        const DassieSelection *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->n_objects == b->n_objects &&
         memcmp (a->words, b->words, a->n_words * sizeof (guint64)) == 0;
}

void
dassie_selection_clear (DassieSelection *self)
{
  g_return_if_fail (self != NULL);

  memset (self->words, 0, self->n_words * sizeof (guint64));
  self->count = 0;
}

guint32 *
dassie_selection_get_indices (const DassieSelection *self,
                              gsize                 *n_out)
{
  guint32 *indices;
  gsize k = 0;

  g_return_val_if_fail (self != NULL, NULL);

  indices = g_new (guint32, MAX (self->count, 1));
  for (gsize w = 0; w < self->n_words; w++)
    {
      guint64 bits = self->words[w];

      while (bits != 0)
        {
          indices[k++] = (guint32) (w * 64 + (gsize) __builtin_ctzll (bits));
          bits &= bits - 1;
        }
    }
  if (n_out != NULL)
    *n_out = k;
  return indices;
}

static inline void
combine_word (guint64          *word,
              guint64           hits,
              DassieSelectMode  mode)
{
  switch (mode)
    {
    case DASSIE_SELECT_REPLACE:
      *word = hits;
      break;
    case DASSIE_SELECT_ADD:
      *word |= hits;
      break;
    case DASSIE_SELECT_SUBTRACT:
      *word &= ~hits;
      break;
    default:
      g_assert_not_reached ();
    }
}

void
dassie_selection_apply_indices (DassieSelection  *self,
                                const guint32    *indices,
                                gsize             n,
                                DassieSelectMode  mode)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (indices != NULL || n == 0);

  if (mode == DASSIE_SELECT_REPLACE)
    dassie_selection_clear (self);
  for (gsize i = 0; i < n; i++)
    {
      guint64 bit;

      if (indices[i] >= self->n_objects)
        continue;
      bit = G_GUINT64_CONSTANT (1) << (indices[i] % 64);
      combine_word (&self->words[indices[i] / 64], bit,
                    mode == DASSIE_SELECT_SUBTRACT ? DASSIE_SELECT_SUBTRACT : DASSIE_SELECT_ADD);
    }
  recount (self);
}

/* The lasso test against a polygon cut into horizontal bands: each band lists the edges that reach
 * into it, so a point meets only the few edges near its own y instead of all of them. */
typedef struct
{
  DassieSelection *self;
  const float     *x;
  const float     *y;
  DassieFillRule   rule;
  DassieSelectMode mode;
  double           x_min, x_max, y_min, y_max;
  double           band_scale;
  guint            n_bands;
  Edge            *edges;
  guint           *band_start;  /* n_bands + 1 offsets into band_edges */
  guint           *band_edges;
  gint             hits;        /* atomic */
} Lasso;

static inline guint
band_of (const Lasso *lasso,
         double       y)
{
  double b = (y - lasso->y_min) * lasso->band_scale;

  if (b <= 0)
    return 0;
  return MIN ((guint) b, lasso->n_bands - 1);
}

static void
lasso_range (guint    begin,
             guint    end,
             gpointer user_data)
{
  Lasso *lasso = user_data;
  DassieSelection *self = lasso->self;
  gint hits_total = 0;

  for (gsize w = begin; w < end; w++)
    {
      gsize first = w * 64;
      gsize last = MIN (first + 64, self->n_objects);
      guint64 hits = 0;

      for (gsize i = first; i < last; i++)
        {
          double px = lasso->x[i], py = lasso->y[i];
          guint band;
          int winding = 0;

          /* The bounding box rejects most points (and every NaN) with four comparisons. */
          if (!(px >= lasso->x_min && px <= lasso->x_max && py >= lasso->y_min && py <= lasso->y_max))
            continue;

          band = band_of (lasso, py);
          for (guint k = lasso->band_start[band]; k < lasso->band_start[band + 1]; k++)
            winding += edge_crossing (&lasso->edges[lasso->band_edges[k]], px, py);
          if (winding_inside (winding, lasso->rule))
            hits |= G_GUINT64_CONSTANT (1) << (i - first);
        }

      hits_total += __builtin_popcountll (hits);
      combine_word (&self->words[w], hits, lasso->mode);
    }

  g_atomic_int_add (&lasso->hits, hits_total);
}

gsize
dassie_selection_apply_lasso (DassieSelection  *self,
                              const float      *x,
                              const float      *y,
                              const double     *polygon_xy,
                              gsize             n_vertices,
                              DassieFillRule    rule,
                              DassieSelectMode  mode,
                              guint             n_threads)
{
  g_autofree Edge *edges = NULL;
  g_autofree guint *band_start = NULL;
  g_autofree guint *band_edges = NULL;
  g_autofree guint *fill = NULL;
  Lasso lasso = { 0 };
  guint n_edges = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (self->n_objects == 0 || (x != NULL && y != NULL), 0);
  g_return_val_if_fail (polygon_xy != NULL || n_vertices == 0, 0);

  edges = g_new (Edge, MAX (n_vertices, 1));
  lasso.x_min = lasso.y_min = INFINITY;
  lasso.x_max = lasso.y_max = -INFINITY;
  for (gsize i = 0; n_vertices >= 3 && i < n_vertices; i++)
    {
      if (!make_edge (polygon_xy, n_vertices, i, &edges[n_edges]))
        continue;
      lasso.x_min = MIN (lasso.x_min, MIN (polygon_xy[2 * i], polygon_xy[2 * ((i + 1) % n_vertices)]));
      lasso.x_max = MAX (lasso.x_max, MAX (polygon_xy[2 * i], polygon_xy[2 * ((i + 1) % n_vertices)]));
      lasso.y_min = MIN (lasso.y_min, edges[n_edges].y_low);
      lasso.y_max = MAX (lasso.y_max, edges[n_edges].y_high);
      n_edges++;
    }

  if (n_edges == 0)
    {
      /* An empty lasso selects nothing: replace clears, add and subtract change nothing. */
      if (mode == DASSIE_SELECT_REPLACE)
        dassie_selection_clear (self);
      return 0;
    }

  /* About one band per edge keeps both the lists and the per-point work short. */
  lasso.n_bands = CLAMP (n_edges, 1, 4096);
  lasso.band_scale = lasso.n_bands / (lasso.y_max - lasso.y_min);
  band_start = g_new0 (guint, lasso.n_bands + 1);
  for (guint e = 0; e < n_edges; e++)
    for (guint b = band_of (&lasso, edges[e].y_low); b <= band_of (&lasso, edges[e].y_high); b++)
      band_start[b + 1]++;
  for (guint b = 0; b < lasso.n_bands; b++)
    band_start[b + 1] += band_start[b];
  band_edges = g_new (guint, MAX (band_start[lasso.n_bands], 1));
  fill = g_memdup2 (band_start, sizeof (guint) * lasso.n_bands);
  for (guint e = 0; e < n_edges; e++)
    for (guint b = band_of (&lasso, edges[e].y_low); b <= band_of (&lasso, edges[e].y_high); b++)
      band_edges[fill[b]++] = e;

  lasso.self = self;
  lasso.x = x;
  lasso.y = y;
  lasso.rule = rule;
  lasso.mode = mode;
  lasso.edges = edges;
  lasso.band_start = band_start;
  lasso.band_edges = band_edges;
  /* Small sets are not worth a thread. */
  /* Threads own whole 64-object words, so they never write the same word; small sets stay on one. */
  dassie_parallel_for ((guint) self->n_words, self->n_objects < 65536 ? 1 : n_threads, lasso_range, &lasso);

  recount (self);
  return (gsize) g_atomic_int_get (&lasso.hits);
}

/* Applies a per-object test word by word; @test returns TRUE for the objects that match. */
#define APPLY_TEST(self, mode, matches, test)                                      \
  G_STMT_START {                                                                    \
    for (gsize w = 0; w < (self)->n_words; w++)                                     \
      {                                                                             \
        gsize first = w * 64, last = MIN (first + 64, (self)->n_objects);           \
        guint64 hits = 0;                                                           \
        for (gsize i = first; i < last; i++)                                        \
          if (test)                                                                 \
            hits |= G_GUINT64_CONSTANT (1) << (i - first);                          \
        (matches) += (gsize) __builtin_popcountll (hits);                           \
        combine_word (&(self)->words[w], hits, (mode));                             \
      }                                                                             \
    recount (self);                                                                 \
  } G_STMT_END

gsize
dassie_selection_apply_box (DassieSelection  *self,
                            const float      *x,
                            const float      *y,
                            double            x0,
                            double            y0,
                            double            x1,
                            double            y1,
                            DassieSelectMode  mode)
{
  double left = MIN (x0, x1), right = MAX (x0, x1);
  double bottom = MIN (y0, y1), top = MAX (y0, y1);
  gsize matches = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (self->n_objects == 0 || (x != NULL && y != NULL), 0);

  APPLY_TEST (self, mode, matches,
              x[i] >= left && x[i] <= right && y[i] >= bottom && y[i] <= top);
  return matches;
}

gsize
dassie_selection_apply_range (DassieSelection  *self,
                              const float      *values,
                              double            low,
                              double            high,
                              gboolean          include_high,
                              DassieSelectMode  mode)
{
  gsize matches = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (self->n_objects == 0 || values != NULL, 0);

  APPLY_TEST (self, mode, matches,
              values[i] >= low && (values[i] < high || (include_high && values[i] == high)));
  return matches;
}
