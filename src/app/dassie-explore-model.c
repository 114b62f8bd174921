/* dassie-explore-model.c: what the Explore views share: the catalog, the view of the map, the
 * selection, the colours and the histogram's range
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-explore-model.h"

#define FIT_MARGIN 0.04

struct _DassieExploreModel
{
  GObject          parent_instance;

  DassieCatalog   *catalog;
  DassieView       view;
  double           fitted_width;   /* the x range that shows every object */
  DassieSelection *selection;
  gboolean         has_range;      /* the selection is a histogram range */
  double           range_low;
  double           range_high;
  DassieColormap   colormap;
  char            *color_column;   /* the catalogue column the map is coloured by; NULL: the score */
  float           *color_values;   /* its value per catalog row, made when first asked for */
  double           color_low;      /* their 1st and 99th percentiles: the colour range */
  double           color_high;
  char            *filter_column;  /* rows whose value of it lies outside [low, high] are hidden */
  double           filter_low;
  double           filter_high;
  float           *filter_values;  /* per catalog row, made when first asked for */
  double           histogram_min;
  double           histogram_max;
  gboolean         log_counts;
  char            *score_method;   /* the score method asked for; NULL: the scores run's own */
  DassieLabels    *labels;         /* of the catalog's data set, or NULL */
  char            *labels_error;   /* why there are none, or why there is no ranking */
  char            *latents_error;  /* why the latents of latents_error_catalog were not read */
  gconstpointer    latents_error_catalog;  /* compared, never dereferenced */
  gboolean         hide_artifacts;
};

enum {
  PROP_0,
  PROP_CATALOG,
  PROP_N_SELECTED,
  PROP_COLORMAP,
  PROP_HISTOGRAM_MIN,
  PROP_HISTOGRAM_MAX,
  PROP_LOG_COUNTS,
  PROP_COLOR_COLUMN,
  PROP_SCORE_METHOD,
  PROP_LABELS,
  PROP_HIDE_ARTIFACTS,
  N_PROPS
};

enum {
  VIEW_CHANGED,
  SELECTION_CHANGED,
  LABELS_CHANGED,
  FILTER_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_BOXED_TYPE (DassieCatalog, dassie_catalog, dassie_catalog_ref, dassie_catalog_unref)
G_DEFINE_FINAL_TYPE (DassieExploreModel, dassie_explore_model, G_TYPE_OBJECT)

static void
emit_view_changed (DassieExploreModel *self)
{
  g_signal_emit (self, signals[VIEW_CHANGED], 0);
}

/* Called after every change of the selection: says so once, with the count when it changed. */
static void
selection_changed (DassieExploreModel *self,
                   gsize               count_before)
{
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  if (dassie_explore_model_get_n_selected (self) != count_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
}

static void
fit_view (DassieExploreModel *self)
{
  DassieView fitted = self->view;

  if (self->catalog != NULL)
    dassie_view_fit (&fitted, self->catalog->x, self->catalog->y, self->catalog->n, FIT_MARGIN);
  else
    dassie_view_fit (&fitted, NULL, NULL, 0, FIT_MARGIN);
  self->view = fitted;
  self->fitted_width = self->view.x_max - self->view.x_min;
}

static void
default_histogram_range (DassieExploreModel *self,
                         double             *low,
                         double             *high)
{
  if (self->catalog != NULL)
    dassie_histogram_default_range (self->catalog->scores, self->catalog->n, low, high);
  else
    {
      *low = 0;
      *high = 1;
    }
}

static void attach_labels (DassieExploreModel *self);

void
dassie_explore_model_set_catalog (DassieExploreModel *self,
                                  DassieCatalog      *catalog)
{
  gboolean same_objects, same_scores;
  gsize before;

  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (catalog == self->catalog)
    return;

  /* The same tables read again (another data set opened for their cutouts): the same rows, so the
   * user's selection, view and range stay. */
  same_objects = self->catalog != NULL && catalog != NULL && catalog->n == self->catalog->n &&
                 g_strcmp0 (catalog->scores_path, self->catalog->scores_path) == 0 &&
                 g_strcmp0 (catalog->umap_path, self->catalog->umap_path) == 0;

  /* Ranked by another method, the same rows have scores on another scale. */
  same_scores = same_objects && g_strcmp0 (dassie_catalog_get_ranking_method (catalog),
                                           dassie_catalog_get_ranking_method (self->catalog)) == 0;

  before = dassie_explore_model_get_n_selected (self);
  if (catalog != NULL)
    dassie_catalog_ref (catalog);
  g_clear_pointer (&self->catalog, dassie_catalog_unref);
  self->catalog = catalog;
  g_clear_pointer (&self->color_values, g_free);
  g_clear_pointer (&self->filter_values, g_free);
  if (!same_objects)
    {
      g_clear_pointer (&self->selection, dassie_selection_free);
      if (catalog != NULL)
        self->selection = dassie_selection_new (catalog->n);
      self->has_range = FALSE;
    }
  else if (!same_scores)
    self->has_range = FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  attach_labels (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOG]);
  if (!same_objects)
    {
      dassie_explore_model_reset_histogram_range (self);
      fit_view (self);
    }
  else if (!same_scores)
    dassie_explore_model_reset_histogram_range (self);
  emit_view_changed (self);
  selection_changed (self, before);
  g_object_thaw_notify (G_OBJECT (self));
}

typedef struct
{
  char          *scores;
  char          *umap;
  DassieDataset *dataset;
  char          *score_method;
  char          *latents_error;  /* why the latent vectors were not read */
} LoadRequest;

static void
load_request_free (LoadRequest *req)
{
  g_free (req->scores);
  g_free (req->umap);
  g_free (req->score_method);
  g_free (req->latents_error);
  g_clear_pointer (&req->dataset, dassie_dataset_unref);
  g_free (req);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadRequest *req = task_data;
  GError *error = NULL;
  g_autoptr(GError) latents_error = NULL;
  DassieCatalog *catalog = dassie_catalog_load (req->scores, req->umap, req->dataset, cancellable, &error);

  /* Ranked by the method asked for when these scores have it, before any view shares the catalog. */
  if (catalog != NULL && req->score_method != NULL &&
      dassie_catalog_get_score_column (catalog, req->score_method) != NULL)
    dassie_catalog_set_ranking_method (catalog, req->score_method, NULL);

  /* Without the latent vectors there is no ranking by relevance, but the rest works: the reason is
   * shown where the ranking would be. */
  if (catalog != NULL && !dassie_catalog_load_latents (catalog, cancellable, &latents_error))
    req->latents_error = g_strdup (latents_error->message);
  if (catalog == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, catalog, (GDestroyNotify) dassie_catalog_unref);
}

void
dassie_explore_model_load_async (DassieExploreModel  *self,
                                 const char          *scores_dir,
                                 const char          *umap_dir,
                                 DassieDataset       *dataset,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadRequest *req;

  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  g_return_if_fail (scores_dir != NULL);

  req = g_new0 (LoadRequest, 1);
  req->scores = g_strdup (scores_dir);
  req->umap = g_strdup (umap_dir);
  req->dataset = dataset != NULL ? dassie_dataset_ref (dataset) : NULL;
  req->score_method = g_strdup (self->score_method);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dassie_explore_model_load_async);
  g_task_set_task_data (task, req, (GDestroyNotify) load_request_free);
  g_task_run_in_thread (task, load_thread);
}

DassieCatalog *
dassie_explore_model_load_finish (DassieExploreModel  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  DassieCatalog *catalog;
  LoadRequest *req;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  catalog = g_task_propagate_pointer (G_TASK (result), error);
  req = g_task_get_task_data (G_TASK (result));
  if (catalog != NULL && req->latents_error != NULL)
    {
      /* Kept for attach_labels, which tells the user why there is no ranking. */
      g_free (self->latents_error);
      self->latents_error = g_strdup (req->latents_error);
      self->latents_error_catalog = catalog;
    }
  return catalog;
}

DassieCatalog *
dassie_explore_model_get_catalog (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  return self->catalog;
}

const DassieView *
dassie_explore_model_get_view (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  return &self->view;
}

void
dassie_explore_model_set_view_area (DassieExploreModel *self,
                                    double              left,
                                    double              top,
                                    double              width,
                                    double              height)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  dassie_view_set_area (&self->view, left, top, width, height);
}

void
dassie_explore_model_pan (DassieExploreModel *self,
                          double              dx,
                          double              dy)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (dx == 0 && dy == 0)
    return;
  dassie_view_pan (&self->view, dx, dy);
  emit_view_changed (self);
}

void
dassie_explore_model_zoom (DassieExploreModel *self,
                           double              factor,
                           double              px,
                           double              py)
{
  double zoom;

  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  g_return_if_fail (factor > 0);

  /* From a fifth of the whole map to a 100,000th of it: beyond, float coordinates run out. */
  zoom = dassie_explore_model_get_zoom (self) * factor;
  if (zoom < 0.2 || zoom > 1e5)
    return;
  dassie_view_zoom (&self->view, factor, px, py);
  emit_view_changed (self);
}

void
dassie_explore_model_zoom_centre (DassieExploreModel *self,
                                  double              factor)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  dassie_explore_model_zoom (self, factor, self->view.left + self->view.width / 2,
                             self->view.top + self->view.height / 2);
}

void
dassie_explore_model_reset_view (DassieExploreModel *self)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  fit_view (self);
  emit_view_changed (self);
}

double
dassie_explore_model_get_zoom (DassieExploreModel *self)
{
  double width;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), 1);

  width = self->view.x_max - self->view.x_min;
  return self->fitted_width > 0 && width > 0 ? self->fitted_width / width : 1;
}

void
dassie_explore_model_centre_on (DassieExploreModel *self,
                                guint               row)
{
  double cx, cy, hw, hh;

  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  g_return_if_fail (self->catalog != NULL && row < self->catalog->n);

  if (!isfinite (self->catalog->x[row]) || !isfinite (self->catalog->y[row]))
    return;
  cx = self->catalog->x[row];
  cy = self->catalog->y[row];
  hw = (self->view.x_max - self->view.x_min) / 2;
  hh = (self->view.y_max - self->view.y_min) / 2;
  self->view.x_min = cx - hw;
  self->view.x_max = cx + hw;
  self->view.y_min = cy - hh;
  self->view.y_max = cy + hh;
  emit_view_changed (self);
}

const DassieSelection *
dassie_explore_model_get_selection (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  return self->selection;
}

guint
dassie_explore_model_get_n_selected (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), 0);
  return self->selection != NULL ? (guint) dassie_selection_get_count (self->selection) : 0;
}

gsize
dassie_explore_model_select_lasso (DassieExploreModel *self,
                                   const double       *pixel_xy,
                                   gsize               n_vertices,
                                   DassieSelectMode    mode)
{
  g_autofree double *data_xy = NULL;
  gsize before, inside;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), 0);
  g_return_val_if_fail (pixel_xy != NULL || n_vertices == 0, 0);

  if (self->catalog == NULL)
    return 0;
  before = dassie_explore_model_get_n_selected (self);
  data_xy = g_new (double, 2 * MAX (n_vertices, 1));
  dassie_view_polygon_to_data (&self->view, pixel_xy, n_vertices, data_xy);
  inside = dassie_selection_apply_lasso (self->selection, self->catalog->x, self->catalog->y, data_xy,
                                         n_vertices, DASSIE_FILL_NONZERO, mode, 0);
  self->has_range = FALSE;
  selection_changed (self, before);
  return inside;
}

gsize
dassie_explore_model_select_box (DassieExploreModel *self,
                                 double              px0,
                                 double              py0,
                                 double              px1,
                                 double              py1,
                                 DassieSelectMode    mode)
{
  double x0, y0, x1, y1;
  gsize before, inside;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), 0);

  if (self->catalog == NULL)
    return 0;
  before = dassie_explore_model_get_n_selected (self);
  dassie_view_pixel_to_data (&self->view, px0, py0, &x0, &y0);
  dassie_view_pixel_to_data (&self->view, px1, py1, &x1, &y1);
  inside = dassie_selection_apply_box (self->selection, self->catalog->x, self->catalog->y, x0, y0, x1, y1, mode);
  self->has_range = FALSE;
  selection_changed (self, before);
  return inside;
}

gsize
dassie_explore_model_select_bins (DassieExploreModel *self,
                                  guint               first_bin,
                                  guint               last_bin,
                                  DassieSelectMode    mode)
{
  DassieHistogram histogram;
  double low, high;
  guint n_bins;
  gsize before, inside;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), 0);

  if (self->catalog == NULL)
    return 0;
  before = dassie_explore_model_get_n_selected (self);
  dassie_explore_model_get_histogram (self, &histogram);
  dassie_histogram_get_range (&histogram, &low, &high, &n_bins);
  first_bin = MIN (first_bin, n_bins - 1);
  last_bin = CLAMP (last_bin, first_bin, n_bins - 1);
  inside = dassie_histogram_select_bins (&histogram, first_bin, last_bin, self->selection, mode);
  /* Only a plain drag leaves the selection exactly a range. */
  self->has_range = mode == DASSIE_SELECT_REPLACE;
  self->range_low = dassie_histogram_bin_edge (low, high, n_bins, first_bin);
  self->range_high = dassie_histogram_bin_edge (low, high, n_bins, last_bin + 1);
  selection_changed (self, before);
  return inside;
}

void
dassie_explore_model_select_rows (DassieExploreModel *self,
                                  const guint32      *rows,
                                  gsize               n,
                                  DassieSelectMode    mode)
{
  gsize before;

  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  g_return_if_fail (rows != NULL || n == 0);

  if (self->catalog == NULL)
    return;
  before = dassie_explore_model_get_n_selected (self);
  dassie_selection_apply_indices (self->selection, rows, n, mode);
  self->has_range = FALSE;
  selection_changed (self, before);
}

void
dassie_explore_model_select_none (DassieExploreModel *self)
{
  gsize before;

  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (self->selection == NULL)
    return;
  before = dassie_explore_model_get_n_selected (self);
  dassie_selection_clear (self->selection);
  self->has_range = FALSE;
  selection_changed (self, before);
}

gboolean
dassie_explore_model_get_selected_range (DassieExploreModel *self,
                                         double             *low,
                                         double             *high)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), FALSE);

  if (!self->has_range)
    return FALSE;
  *low = self->range_low;
  *high = self->range_high;
  return TRUE;
}

DassieColormap
dassie_explore_model_get_colormap (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), DASSIE_COLORMAP_VIRIDIS);
  return self->colormap;
}

void
dassie_explore_model_set_colormap (DassieExploreModel *self,
                                   DassieColormap      colormap)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (colormap == self->colormap)
    return;
  self->colormap = colormap;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLORMAP]);
}

const char *
dassie_explore_model_get_color_column (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  return self->color_column;
}

void
dassie_explore_model_set_color_column (DassieExploreModel *self,
                                       const char         *column)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (column != NULL && *column == '\0')
    column = NULL;
  if (g_strcmp0 (column, self->color_column) == 0)
    return;
  g_free (self->color_column);
  self->color_column = g_strdup (column);
  g_clear_pointer (&self->color_values, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_COLUMN]);
}

/* The values of a numeric catalogue column per catalog row (NaN where an object has none), or NULL. */
static float *
column_values (DassieCatalog *catalog,
               const char    *name)
{
  float *values;
  int column;

  if (catalog == NULL || catalog->dataset == NULL || name == NULL)
    return NULL;
  column = dassie_dataset_find_column (catalog->dataset, name);
  if (column < 0 || !dassie_dataset_column_is_numeric (catalog->dataset, (guint) column))
    return NULL;
  values = g_new (float, MAX (catalog->n, 1));
  for (guint i = 0; i < catalog->n; i++)
    values[i] = catalog->objects[i] >= 0
                ? (float) dassie_dataset_get_column_value (catalog->dataset, (guint) catalog->objects[i], (guint) column)
                : NAN;
  return values;
}

void
dassie_explore_model_set_filter (DassieExploreModel *self,
                                 const char         *column,
                                 double              low,
                                 double              high)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (column != NULL && *column == '\0')
    column = NULL;
  if (g_strcmp0 (column, self->filter_column) == 0 &&
      (column == NULL || (low == self->filter_low && high == self->filter_high)))
    return;
  g_free (self->filter_column);
  self->filter_column = g_strdup (column);
  self->filter_low = low;
  self->filter_high = high;
  g_clear_pointer (&self->filter_values, g_free);
  g_signal_emit (self, signals[FILTER_CHANGED], 0);
}

const char *
dassie_explore_model_get_filter (DassieExploreModel *self,
                                 double             *low,
                                 double             *high)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);

  if (low != NULL)
    *low = self->filter_low;
  if (high != NULL)
    *high = self->filter_high;
  return self->filter_column;
}

gboolean
dassie_explore_model_has_hidden_rows (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), FALSE);
  return self->filter_column != NULL || (self->hide_artifacts && self->catalog != NULL && self->catalog->labels != NULL);
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

const float *
dassie_explore_model_get_color_values (DassieExploreModel *self,
                                       double             *low,
                                       double             *high)
{
  g_autofree float *finite = NULL;
  gsize n_finite = 0;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);

  if (self->color_values == NULL)
    {
      self->color_values = column_values (self->catalog, self->color_column);
      if (self->color_values == NULL)
        return NULL;
      finite = g_new (float, MAX (self->catalog->n, 1));
      for (guint i = 0; i < self->catalog->n; i++)
        if (isfinite (self->color_values[i]))
          finite[n_finite++] = self->color_values[i];
      /* The 1st to 99th percentile, so that a sentinel (99 for "no magnitude") does not flatten the rest. */
      self->color_low = 0;
      self->color_high = 1;
      if (n_finite > 0)
        {
          qsort (finite, n_finite, sizeof (float), compare_floats);
          self->color_low = finite[(gsize) (0.01 * (n_finite - 1))];
          self->color_high = finite[(gsize) (0.99 * (n_finite - 1))];
          if (!(self->color_high > self->color_low))
            self->color_high = self->color_low + 1;
        }
    }
  *low = self->color_low;
  *high = self->color_high;
  return self->color_values;
}

void
dassie_explore_model_get_histogram (DassieExploreModel *self,
                                    DassieHistogram    *histogram)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));
  g_return_if_fail (histogram != NULL);

  dassie_histogram_init (histogram);
  if (self->catalog != NULL)
    {
      histogram->values = self->catalog->scores;
      histogram->n = self->catalog->n;
    }
  histogram->range_min = self->histogram_min;
  histogram->range_max = self->histogram_max;
  histogram->n_bins = DASSIE_HISTOGRAM_DEFAULT_BINS;
  histogram->log_counts = self->log_counts;
  if (self->has_range)
    {
      histogram->selected_min = self->range_low;
      histogram->selected_max = self->range_high;
    }
  histogram->selection = self->selection;
}

void
dassie_explore_model_set_histogram_range (DassieExploreModel *self,
                                          double              low,
                                          double              high)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (!(high > low))
    return;
  g_object_freeze_notify (G_OBJECT (self));
  if (low != self->histogram_min)
    {
      self->histogram_min = low;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTOGRAM_MIN]);
    }
  if (high != self->histogram_max)
    {
      self->histogram_max = high;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTOGRAM_MAX]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
dassie_explore_model_reset_histogram_range (DassieExploreModel *self)
{
  double low, high;

  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  default_histogram_range (self, &low, &high);
  dassie_explore_model_set_histogram_range (self, low, high);
}

gboolean
dassie_explore_model_get_log_counts (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), FALSE);
  return self->log_counts;
}

void
dassie_explore_model_set_log_counts (DassieExploreModel *self,
                                     gboolean            log_counts)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  log_counts = !!log_counts;
  if (log_counts == self->log_counts)
    return;
  self->log_counts = log_counts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_COUNTS]);
}

/* ------------------------------------------------------------------------------------------------
 * Labels: the store of the catalog's data set, copied into the catalog's column after every change
 * with the relevance and the most promising order recomputed, so that every view reads the
 * catalog alone. */

static void
refresh_labels (DassieExploreModel *self)
{
  if (self->catalog == NULL)
    return;
  dassie_catalog_set_labels (self->catalog, self->labels);
  if (self->catalog->latents != NULL)
    dassie_catalog_update_relevance (self->catalog, NULL);
  g_signal_emit (self, signals[LABELS_CHANGED], 0);
}

static void
on_store_changed (DassieExploreModel *self)
{
  refresh_labels (self);
}

/* Opens the labels of a new catalog's data set; the same data set keeps its store (and its undo). */
static void
attach_labels (DassieExploreModel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieLabels) labels = NULL;

  g_clear_pointer (&self->labels_error, g_free);
  if (self->catalog != NULL)
    {
      g_autofree char *identity = dassie_catalog_get_identity (self->catalog);

      if (self->labels != NULL && g_strcmp0 (identity, dassie_labels_get_identity (self->labels)) == 0)
        labels = g_object_ref (self->labels);
      else
        labels = dassie_catalog_open_labels (self->catalog, NULL, &error);
    }
  if (labels != self->labels)
    {
      if (self->labels != NULL)
        g_signal_handlers_disconnect_by_data (self->labels, self);
      g_set_object (&self->labels, labels);
      if (labels != NULL)
        g_signal_connect_swapped (labels, "changed", G_CALLBACK (on_store_changed), self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABELS]);
    }
  if (error != NULL)
    self->labels_error = g_strdup (error->message);
  else if (self->catalog != NULL && self->catalog->latents == NULL)
    self->labels_error = g_strdup (self->latents_error != NULL && self->latents_error_catalog == self->catalog
                                   ? self->latents_error
                                   : _("The latent vectors of these scores could not be read, so there is no ranking by relevance."));
  refresh_labels (self);
}

DassieLabels *
dassie_explore_model_get_labels (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  return self->labels;
}

const char *
dassie_explore_model_get_labels_error (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  return self->labels_error;
}

DassieLabel
dassie_explore_model_get_row_label (DassieExploreModel *self,
                                    guint               row)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), DASSIE_LABEL_NONE);

  if (self->catalog == NULL || self->catalog->labels == NULL || row >= self->catalog->n)
    return DASSIE_LABEL_NONE;
  return (DassieLabel) self->catalog->labels[row];
}

gboolean
dassie_explore_model_label_rows (DassieExploreModel *self,
                                 const guint32      *rows,
                                 gsize               n,
                                 DassieLabel         label,
                                 GError            **error)
{
  g_autofree const char **ids = NULL;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), FALSE);
  g_return_val_if_fail (rows != NULL || n == 0, FALSE);

  if (self->labels == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "%s",
                   self->labels_error != NULL ? self->labels_error : _("There are no objects to label."));
      return FALSE;
    }
  ids = g_new (const char *, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      g_return_val_if_fail (rows[i] < self->catalog->n, FALSE);
      ids[i] = self->catalog->ids[rows[i]];
    }
  return dassie_labels_set_many (self->labels, ids, n, label, error);
}

gboolean
dassie_explore_model_get_hide_artifacts (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), FALSE);
  return self->hide_artifacts;
}

void
dassie_explore_model_set_hide_artifacts (DassieExploreModel *self,
                                         gboolean            hide)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  hide = !!hide;
  if (hide == self->hide_artifacts)
    return;
  self->hide_artifacts = hide;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDE_ARTIFACTS]);
}

gboolean
dassie_explore_model_row_hidden (DassieExploreModel *self,
                                 guint               row)
{
  if (self->hide_artifacts && dassie_explore_model_get_row_label (self, row) == DASSIE_LABEL_ARTIFACT)
    return TRUE;
  if (self->filter_column == NULL)
    return FALSE;
  if (self->filter_values == NULL)
    self->filter_values = column_values (self->catalog, self->filter_column);
  /* A column this catalog lacks filters nothing; an object without a value is left out. */
  return self->filter_values != NULL && row < self->catalog->n &&
         !(self->filter_values[row] >= self->filter_low && self->filter_values[row] <= self->filter_high);
}

static void
dassie_explore_model_finalize (GObject *object)
{
  DassieExploreModel *self = DASSIE_EXPLORE_MODEL (object);

  g_clear_pointer (&self->catalog, dassie_catalog_unref);
  g_clear_pointer (&self->selection, dassie_selection_free);
  g_free (self->score_method);
  g_free (self->color_column);
  g_free (self->color_values);
  g_free (self->filter_column);
  g_free (self->filter_values);
  if (self->labels != NULL)
    g_signal_handlers_disconnect_by_data (self->labels, self);
  g_clear_object (&self->labels);
  g_clear_pointer (&self->labels_error, g_free);
  g_clear_pointer (&self->latents_error, g_free);

  G_OBJECT_CLASS (dassie_explore_model_parent_class)->finalize (object);
}

static void
dassie_explore_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  DassieExploreModel *self = DASSIE_EXPLORE_MODEL (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      g_value_set_boxed (value, self->catalog);
      break;
    case PROP_N_SELECTED:
      g_value_set_uint (value, dassie_explore_model_get_n_selected (self));
      break;
    case PROP_COLORMAP:
      g_value_set_string (value, dassie_colormap_to_string (self->colormap));
      break;
    case PROP_HISTOGRAM_MIN:
      g_value_set_double (value, self->histogram_min);
      break;
    case PROP_HISTOGRAM_MAX:
      g_value_set_double (value, self->histogram_max);
      break;
    case PROP_LOG_COUNTS:
      g_value_set_boolean (value, self->log_counts);
      break;
    case PROP_SCORE_METHOD:
      g_value_set_string (value, self->score_method);
      break;
    case PROP_LABELS:
      g_value_set_object (value, self->labels);
      break;
    case PROP_COLOR_COLUMN:
      g_value_set_string (value, self->color_column);
      break;
    case PROP_HIDE_ARTIFACTS:
      g_value_set_boolean (value, self->hide_artifacts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_explore_model_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  DassieExploreModel *self = DASSIE_EXPLORE_MODEL (object);

  switch (prop_id)
    {
    case PROP_COLORMAP:
      {
        DassieColormap colormap;

        if (dassie_colormap_from_string (g_value_get_string (value), &colormap))
          dassie_explore_model_set_colormap (self, colormap);
      }
      break;
    case PROP_HISTOGRAM_MIN:
      dassie_explore_model_set_histogram_range (self, g_value_get_double (value), self->histogram_max);
      break;
    case PROP_HISTOGRAM_MAX:
      dassie_explore_model_set_histogram_range (self, self->histogram_min, g_value_get_double (value));
      break;
    case PROP_LOG_COUNTS:
      dassie_explore_model_set_log_counts (self, g_value_get_boolean (value));
      break;
    case PROP_SCORE_METHOD:
      dassie_explore_model_set_score_method (self, g_value_get_string (value));
      break;
    case PROP_HIDE_ARTIFACTS:
      dassie_explore_model_set_hide_artifacts (self, g_value_get_boolean (value));
      break;
    case PROP_COLOR_COLUMN:
      dassie_explore_model_set_color_column (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_explore_model_class_init (DassieExploreModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = dassie_explore_model_finalize;
  object_class->get_property = dassie_explore_model_get_property;
  object_class->set_property = dassie_explore_model_set_property;

  properties[PROP_CATALOG] = g_param_spec_boxed ("catalog", NULL, NULL, DASSIE_TYPE_CATALOG, ro);
  properties[PROP_N_SELECTED] = g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_COLORMAP] = g_param_spec_string ("colormap", NULL, NULL, "viridis", rw);
  properties[PROP_HISTOGRAM_MIN] = g_param_spec_double ("histogram-min", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  properties[PROP_HISTOGRAM_MAX] = g_param_spec_double ("histogram-max", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1, rw);
  properties[PROP_LOG_COUNTS] = g_param_spec_boolean ("log-counts", NULL, NULL, FALSE, rw);
  properties[PROP_COLOR_COLUMN] = g_param_spec_string ("color-column", NULL, NULL, NULL, rw);
  properties[PROP_SCORE_METHOD] = g_param_spec_string ("score-method", NULL, NULL, NULL, rw);
  properties[PROP_LABELS] = g_param_spec_object ("labels", NULL, NULL, DASSIE_TYPE_LABELS, ro);
  properties[PROP_HIDE_ARTIFACTS] = g_param_spec_boolean ("hide-artifacts", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[VIEW_CHANGED] =
    g_signal_new ("view-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[FILTER_CHANGED] =
    g_signal_new ("filter-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[LABELS_CHANGED] =
    g_signal_new ("labels-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
dassie_explore_model_init (DassieExploreModel *self)
{
  self->colormap = DASSIE_COLORMAP_VIRIDIS;
  self->histogram_min = 0;
  self->histogram_max = 1;
  dassie_view_init (&self->view, 0, 0, 1, 1);
  self->fitted_width = 1;
}

DassieExploreModel *
dassie_explore_model_new (void)
{
  return g_object_new (DASSIE_TYPE_EXPLORE_MODEL, NULL);
}

const char *
dassie_explore_model_get_score_method (DassieExploreModel *self)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (self), NULL);
  return self->score_method;
}

void
dassie_explore_model_set_score_method (DassieExploreModel *self,
                                       const char         *method)
{
  g_return_if_fail (DASSIE_IS_EXPLORE_MODEL (self));

  if (g_strcmp0 (method, self->score_method) == 0)
    return;
  g_free (self->score_method);
  self->score_method = g_strdup (method);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCORE_METHOD]);
}
