/* dassie-report.c: the pictures of a finished workflow as files (histogram, map, cutout grids, loss)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <math.h>

#include "dassie-dataset.h"
#include "dassie-display.h"
#include "dassie-plot.h"
#include "dassie-report.h"
#include "dassie-run-summary.h"
#include "dassie-scores.h"
#include "dassie-table.h"

/* A run folder stands for the table inside it. */
static char *
table_path (const char *path,
            const char *file_name)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_build_filename (path, file_name, NULL);
  return g_strdup (path);
}

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
            DassieDataset       *dataset,
            const DassieScores  *scores,
            const guint         *rows,
            guint                n,
            GCancellable        *cancellable,
            GError             **error)
{
  guint nb = dassie_dataset_get_n_bands (dataset);
  guint w = dassie_dataset_get_width (dataset), h = dassie_dataset_get_height (dataset);
  g_autofree float *cube = g_new (float, (gsize) nb * w * h);
  g_autofree cairo_surface_t **images = g_new0 (cairo_surface_t *, n);
  g_autofree const char **ids = g_new0 (const char *, n);
  g_autofree double *values = g_new0 (double, n);
  DassieDisplayOptions display;
  DassieCutoutGridPlot grid = { 0 };
  gboolean ok = TRUE;

  dassie_display_options_for_dataset (&display, dataset);

  for (guint i = 0; i < n && ok; i++)
    {
      int index = dassie_dataset_find_object (dataset, scores->ids[rows[i]]);

      ids[i] = scores->ids[rows[i]];
      values[i] = scores->knn_median[rows[i]];
      if (index < 0)
        continue;
      ok = dassie_dataset_read_objects (dataset, (guint *) &index, 1, FALSE, cube, cancellable, error);
      if (ok)
        images[i] = dassie_display_render_surface (cube, nb, w, h, &display);
    }

  grid.images = (cairo_surface_t * const *) images;
  grid.ids = ids;
  grid.scores = values;
  grid.n = n;
  grid.title = title;
  if (ok)
    ok = dassie_plot_save_cutout_grid (path, 1000, 1100, &grid, error);

  for (guint i = 0; i < n; i++)
    g_clear_pointer (&images[i], cairo_surface_destroy);
  return ok;
}

gboolean
dassie_report_write (const char                *dir,
                     const DassieReportInputs  *inputs,
                     const DassieConfig        *config,
                     GPtrArray                 *written,
                     GCancellable              *cancellable,
                     GError                   **error)
{
  g_autofree char *scores_file = NULL;
  g_autoptr(DassieScores) scores = NULL;
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

  scores_file = table_path (inputs->scores_path, "scores.fits");
  scores = dassie_scores_read (scores_file, error);
  if (scores == NULL)
    return FALSE;

  /* The seed notebook's histogram: 100 bins over 0 .. 2 × the mean. */
  histogram.values = scores->knn_median;
  histogram.n = scores->n_rows;
  histogram.title = _("Anomaly scores");
  histogram.x_label = _("Median distance to the nearest neighbours");
  path = g_build_filename (dir, "histogram.png", NULL);
  if (!dassie_plot_save_histogram (path, 1000, 600, &histogram, error))
    return FALSE;
  note_written (written, path);

  if (inputs->umap_path != NULL)
    {
      g_autofree char *umap_file = table_path (inputs->umap_path, "embedding.fits");
      g_auto(GStrv) ids = NULL;
      g_autofree float *xy = NULL;
      g_autofree float *x = NULL;
      g_autofree float *y = NULL;
      g_autofree float *colour = NULL;
      g_autoptr(GHashTable) row_of = g_hash_table_new (g_str_hash, g_str_equal);
      guint n = 0, dim = 0;
      DassieScatter scatter = { 0 };

      if (!dassie_table_read_vectors (umap_file, "UMAP", &ids, &n, &xy, &dim, error))
        return FALSE;
      if (dim != 2)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The UMAP column of “%s” has %u values per object, not 2"), umap_file, dim);
          return FALSE;
        }

      /* The embedding and the scores may list objects in different orders: match them by id. */
      for (guint i = 0; i < scores->n_rows; i++)
        g_hash_table_insert (row_of, scores->ids[i], GUINT_TO_POINTER (i + 1));
      x = g_new (float, MAX (n, 1));
      y = g_new (float, MAX (n, 1));
      colour = g_new (float, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        {
          guint row = GPOINTER_TO_UINT (g_hash_table_lookup (row_of, ids[i]));

          x[i] = xy[2 * i];
          y[i] = xy[2 * i + 1];
          colour[i] = row ? scores->knn_median[row - 1] : NAN;
        }

      scatter.x = x;
      scatter.y = y;
      scatter.values = colour;
      scatter.n = n;
      scatter.colormap = DASSIE_COLORMAP_VIRIDIS;
      scatter.point_radius = -1;
      scatter.title = _("UMAP of the latent space");
      scatter.x_label = "UMAP 1";
      scatter.y_label = "UMAP 2";
      scatter.value_label = _("Anomaly score");
      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "umap.png", NULL);
      if (!dassie_plot_save_scatter (path, 1000, 800, &scatter, error))
        return FALSE;
      note_written (written, path);
    }

  if (inputs->data_dir != NULL)
    {
      g_autoptr(DassieDataset) dataset = NULL;
      DassieDatasetOptions options;
      g_autofree guint *order = g_new (guint, MAX (scores->n_rows, 1));
      g_autofree guint *top = NULL;
      guint n = MIN (inputs->n_cutouts ? inputs->n_cutouts : 16, scores->n_rows);

      if (!dassie_dataset_options_from_config (&options, config, error))
        return FALSE;
      dataset = dassie_dataset_open (inputs->data_dir, &options, cancellable, error);
      dassie_dataset_options_clear (&options);
      if (dataset == NULL)
        return FALSE;

      for (guint i = 0; i < scores->n_rows; i++)
        order[i] = i;
      g_qsort_with_data (order, scores->n_rows, sizeof (guint), compare_by_score, scores->knn_median);

      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "normal.png", NULL);
      if (!write_grid (path, _("The most normal objects"), dataset, scores, order, n, cancellable, error))
        return FALSE;
      note_written (written, path);

      /* Most anomalous first; NaN scores sort last and are left out. */
      top = g_new (guint, MAX (n, 1));
      {
        guint k = 0;
        for (guint i = scores->n_rows; i > 0 && k < n; i--)
          if (!isnan (scores->knn_median[order[i - 1]]))
            top[k++] = order[i - 1];
        n = k;
      }
      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "anomalous.png", NULL);
      if (!write_grid (path, _("The most anomalous objects"), dataset, scores, top, n, cancellable, error))
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
      curve.title = _("Training");
      g_clear_pointer (&path, g_free);
      path = g_build_filename (dir, "loss.png", NULL);
      if (!dassie_plot_save_loss (path, 1000, 600, &curve, error))
        return FALSE;
      note_written (written, path);
    }

  return TRUE;
}
