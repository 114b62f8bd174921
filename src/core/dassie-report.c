/* dassie-report.c: the pictures of a finished workflow as files (histogram, map, cutout grids, loss)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <math.h>

#include "dassie-catalog.h"
#include "dassie-dataset.h"
#include "dassie-display.h"
#include "dassie-plot.h"
#include "dassie-report.h"
#include "dassie-run-summary.h"
#include "dassie-score-methods.h"

/* The size in pixels (points for .svg and .pdf) of each report picture. */
#define REPORT_GRID_WIDTH        1000
#define REPORT_GRID_HEIGHT       1100
#define REPORT_MAP_WIDTH         1000
#define REPORT_MAP_HEIGHT         800
#define REPORT_HISTOGRAM_WIDTH   1000
#define REPORT_HISTOGRAM_HEIGHT   600
#define REPORT_LOSS_WIDTH        1000
#define REPORT_LOSS_HEIGHT        600

static void
note_written (GPtrArray  *written,
              const char *path)
{
  if (written != NULL)
    g_ptr_array_add (written, g_strdup (path));
}

static int
compare_by_score (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  const float *scores = data;
  float sa = scores[*(const guint *) a], sb = scores[*(const guint *) b];

  if (isnan (sa) != isnan (sb))
    return isnan (sa) ? 1 : -1;
  return (sa > sb) - (sa < sb);
}

static gboolean
write_grid (const char          *path,
            const char          *title,
            DassieCatalog       *catalog,
            const guint         *rows,
            guint                n,
            GError             **error)
{
  DassieDataset *dataset = catalog->dataset;
  g_autofree cairo_surface_t **images = g_new0 (cairo_surface_t *, n);
  g_autofree const char **ids = g_new0 (const char *, n);
  g_autofree double *values = g_new0 (double, n);
  DassieDisplayOptions display;
  DassieCutoutGridPlot grid = { 0 };
  gboolean ok = TRUE;

  dassie_display_options_for_dataset (&display, dataset);

  for (guint i = 0; i < n && ok; i++)
    {
      ids[i] = catalog->ids[rows[i]];
      values[i] = catalog->scores[rows[i]];
      if (catalog->objects[rows[i]] < 0)
        continue;
      images[i] = dassie_catalog_render_cutout (catalog, rows[i], &display, error);
      ok = images[i] != NULL;
    }

  grid.images = (cairo_surface_t * const *) images;
  grid.ids = ids;
  grid.scores = values;
  grid.n = n;
  grid.title = title;
  if (ok)
    ok = dassie_plot_save_cutout_grid (path, REPORT_GRID_WIDTH, REPORT_GRID_HEIGHT, &grid, error);

  for (guint i = 0; i < n; i++)
    g_clear_pointer (&images[i], cairo_surface_destroy);
  return ok;
}

/* The UMAP plane coloured by score: the catalog's rows that the map places. */
static gboolean
write_map (const char     *path,
           DassieCatalog  *catalog,
           GError        **error)
{
  g_autofree float *x = g_new (float, MAX (catalog->n, 1));
  g_autofree float *y = g_new (float, MAX (catalog->n, 1));
  g_autofree float *colour = g_new (float, MAX (catalog->n, 1));
  DassieScatter scatter = { 0 };
  guint n = 0;

  for (guint i = 0; i < catalog->n; i++)
    if (isfinite (catalog->x[i]) && isfinite (catalog->y[i]))
      {
        x[n] = catalog->x[i];
        y[n] = catalog->y[i];
        colour[n] = catalog->scores[i];
        n++;
      }

  scatter.x = x;
  scatter.y = y;
  scatter.values = colour;
  scatter.n = n;
  scatter.colormap = DASSIE_COLORMAP_VIRIDIS;
  scatter.point_radius = -1;
  scatter.title = _("UMAP of the latent space");
  scatter.x_label = _("UMAP 1");
  scatter.y_label = _("UMAP 2");
  scatter.value_label = _("Anomaly score");
  return dassie_plot_save_scatter (path, REPORT_MAP_WIDTH, REPORT_MAP_HEIGHT, &scatter, error);
}

gboolean
dassie_report_write (const char                *dir,
                     const DassieReportInputs  *inputs,
                     const DassieConfig        *config,
                     GPtrArray                 *written,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  g_autoptr(DassieDataset) dataset = NULL;
  g_autoptr(DassieCatalog) catalog = NULL;
  g_autofree char *path = NULL;
  DassieHistogram histogram = { 0 };

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (inputs != NULL && inputs->scores_path != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the report folder “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  if (inputs->data_dir != NULL)
    {
      DassieDatasetOptions options;

      if (!dassie_dataset_options_from_config (&options, config, error))
        return FALSE;
      dataset = dassie_dataset_open (inputs->data_dir, &options, cancellable, error);
      dassie_dataset_options_clear (&options);
      if (dataset == NULL)
        return FALSE;
    }

  /* The one join of scores, map and data set, as Explore and export read it. */
  catalog = dassie_catalog_load (inputs->scores_path, inputs->umap_path, dataset, cancellable, error);
  if (catalog == NULL)
    return FALSE;

  /* The seed notebook's histogram: 100 bins over 0 .. 2 × the mean. */
  histogram.values = catalog->scores;
  histogram.n = catalog->n;
  histogram.title = _("Anomaly scores");
  /* The score that ranks everything (SCORE): Hyrax's median neighbour distance in older runs. */
  histogram.x_label = dassie_score_method_get_label (dassie_catalog_get_ranking_method (catalog));
  path = g_build_filename (dir, "histogram.png", NULL);
  if (!dassie_plot_save_histogram (path, REPORT_HISTOGRAM_WIDTH, REPORT_HISTOGRAM_HEIGHT, &histogram, error))
    return FALSE;
  note_written (written, path);

  if (catalog->umap_path != NULL)
    {
      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "umap.png", NULL);
      if (!write_map (path, catalog, error))
        return FALSE;
      note_written (written, path);
    }

  if (catalog->dataset != NULL)
    {
      g_autofree guint *order = g_new (guint, MAX (catalog->n, 1));
      g_autofree guint *top = NULL;
      guint n = MIN (inputs->n_cutouts ? inputs->n_cutouts : 16, catalog->n);

      for (guint i = 0; i < catalog->n; i++)
        order[i] = i;
      g_qsort_with_data (order, catalog->n, sizeof (guint), compare_by_score, catalog->scores);

      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "normal.png", NULL);
      if (!write_grid (path, _("The most normal objects"), catalog, order, n, error))
        return FALSE;
      note_written (written, path);

      /* Most anomalous first; NaN scores sort last and are left out. */
      top = g_new (guint, MAX (n, 1));
      {
        guint k = 0;
        for (guint i = catalog->n; i > 0 && k < n; i--)
          if (!isnan (catalog->scores[order[i - 1]]))
            top[k++] = order[i - 1];
        n = k;
      }
      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "anomalous.png", NULL);
      if (!write_grid (path, _("The most anomalous objects"), catalog, top, n, error))
        return FALSE;
      note_written (written, path);
    }

  if (inputs->train_run != NULL)
    {
      g_autoptr(DassieTrainMetrics) metrics = dassie_train_metrics_read (inputs->train_run, error);
      DassieLossCurve curve = { 0 };

      if (metrics == NULL)
        return FALSE;
      curve.train_epoch = metrics->epoch;
      curve.train_loss = metrics->train_loss;
      curve.n_train = metrics->n;
      curve.val_epoch = metrics->epoch;
      curve.val_loss = metrics->validation_loss;
      curve.n_val = metrics->n;
      curve.has_baseline = isfinite (metrics->baseline_loss);
      curve.baseline_loss = metrics->baseline_loss;
      curve.title = _("Training");
      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "loss.png", NULL);
      if (!dassie_plot_save_loss (path, REPORT_LOSS_WIDTH, REPORT_LOSS_HEIGHT, &curve, error))
        return FALSE;
      note_written (written, path);
    }

  return TRUE;
}
