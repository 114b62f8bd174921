/* dassie-scores.c: anomaly scores (median distance to the k nearest neighbours), scores.fits, histogram
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-results.h"
#include "dassie-scores.h"
#include "dassie-table.h"

static int
compare_floats (const void *a,
                const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

float
dassie_median (const float *values,
               guint        n)
{
  g_autofree float *sorted = NULL;

  g_return_val_if_fail (values != NULL || n == 0, NAN);

  if (n == 0)
    return NAN;
  sorted = g_memdup2 (values, sizeof (float) * n);
  qsort (sorted, n, sizeof (float), compare_floats);
  if (n % 2 == 1)
    return sorted[n / 2];
  return (float) (((double) sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2.0);
}

DassieScores *
dassie_scores_new_from_neighbors (const char * const    *ids,
                                  const DassieNeighbors *neighbors,
                                  DassieMetric           metric)
{
  DassieScores *self;
  guint n, k;

  g_return_val_if_fail (ids != NULL, NULL);
  g_return_val_if_fail (neighbors != NULL, NULL);

  n = neighbors->n_rows;
  k = neighbors->k;
  self = g_new0 (DassieScores, 1);
  self->n_rows = n;
  self->k = k;
  self->metric = metric;
  self->ids = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    self->ids[i] = g_strdup (ids[i]);
  self->knn_median = g_new (float, MAX (n, 1));
  self->neighbor_rows = g_memdup2 (neighbors->indices, sizeof (guint) * MAX ((gsize) n * k, 1));
  self->neighbor_dist = g_memdup2 (neighbors->distances, sizeof (float) * MAX ((gsize) n * k, 1));
  for (guint i = 0; i < n; i++)
    self->knn_median[i] = dassie_median (neighbors->distances + (gsize) i * k, k);
  return self;
}

DassieScores *
dassie_scores_compute (DassieVectors           *store,
                       guint                    k,
                       const DassieKnnOptions  *options,
                       DassieKnnStats          *stats,
                       GCancellable            *cancellable,
                       GError                 **error)
{
  g_autoptr(DassieNeighbors) neighbors = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (dassie_vectors_get_ids (store) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The vector store has no object ids"));
      return NULL;
    }

  neighbors = dassie_vectors_knn_all (store, k, options, stats, cancellable, error);
  if (neighbors == NULL)
    return NULL;
  return dassie_scores_new_from_neighbors (dassie_vectors_get_ids (store), neighbors, options->metric);
}

typedef struct
{
  DassieProgressFunc progress;
  gpointer           user_data;
} Forward;

static void
forward_progress (const DassieProgress *progress,
                  gpointer              user_data)
{
  Forward *forward = user_data;
  DassieProgress p = *progress;

  p.stage = "scores";
  if (p.message == NULL)
    p.message = _("finding neighbours");
  forward->progress (&p, forward->user_data);
}

/* scores.json: what the run scored (the latents' path and checksum, as umap.json records them) and how. */
static char *
scores_json (DassieVectors      *store,
             const char         *latents_path,
             const DassieScores *scores,
             double              seconds)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *checksum = dassie_vectors_get_checksum (store);

  json_builder_begin_object (b);
  dassie_run_add_input (b, latents_path, checksum);
  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, scores->k);
  json_builder_set_member_name (b, "metric");
  json_builder_add_string_value (b, dassie_metric_to_string (scores->metric));
  json_builder_set_member_name (b, "n_objects");
  json_builder_add_int_value (b, scores->n_rows);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, seconds);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

gboolean
dassie_scores_run (const DassieConfig  *config,
                   const char          *input,
                   GCancellable        *cancellable,
                   DassieProgressFunc   progress,
                   gpointer             user_data,
                   DassieScoresResult  *result,
                   GError             **error)
{
  g_autofree char *path = NULL;
  g_autofree char *input_dir = NULL;
  g_autofree char *scores_path = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *json = NULL;
  g_autoptr(DassieVectors) store = NULL;
  g_autoptr(DassieScores) scores = NULL;
  g_autoptr(DassieRun) run = NULL;
  DassieKnnOptions options;
  DassieKnnStats stats = { 0 };
  Forward forward = { progress, user_data };
  gint64 start = g_get_monotonic_time ();
  gint64 k;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  k = dassie_config_get_int (config, "scores.k");
  dassie_knn_options_init (&options);
  if (!dassie_knn_options_from_config (&options, config, error))
    return FALSE;
  if (k < 1)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("scores.k must be at least 1 (it is %lld)"), (long long) k);
      return FALSE;
    }

  path = dassie_vectors_find_latents (config, input, error);
  if (path == NULL)
    return FALSE;
  if (progress != NULL)
    {
      DassieProgress p = { "scores", 0.0, -1, -1, _("reading the latent vectors") };
      progress (&p, user_data);
    }
  store = dassie_vectors_load (path, error);
  if (store == NULL)
    return FALSE;

  run = dassie_run_begin (dassie_config_get_string (config, "general.results_dir"), "scores", config, error);
  if (run == NULL)
    return FALSE;

  /* Beside the latents, so that the next scores, search or umap run of the same vectors finds it. */
  input_dir = g_path_get_dirname (path);
  options.index_dir = g_strdup (g_access (input_dir, W_OK) == 0 ? input_dir : dassie_run_get_dir (run));
  if (progress != NULL)
    {
      options.progress = forward_progress;
      options.progress_data = &forward;
    }

  scores = dassie_scores_compute (store, (guint) MIN (k, G_MAXUINT), &options, &stats, cancellable, error);
  dassie_knn_options_clear (&options);
  if (scores == NULL)
    goto fail;

  scores_path = dassie_run_build_path (run, "scores.fits");
  json_path = dassie_run_build_path (run, "scores.json");
  json = scores_json (store, path, scores, (g_get_monotonic_time () - start) / 1e6);
  if (!dassie_scores_write (scores, scores_path, error) ||
      !dassie_write_file_atomic (json_path, json, strlen (json), error) ||
      !dassie_run_commit (run, error))
    goto fail;

  result->run_dir = g_strdup (dassie_run_get_dir (run));
  result->input_path = g_steal_pointer (&path);
  result->n_objects = scores->n_rows;
  result->k = scores->k;
  result->metric = scores->metric;
  result->used_hnsw = stats.used_hnsw;
  result->loaded_index = stats.loaded_index;
  result->seconds = (g_get_monotonic_time () - start) / 1e6;
  return TRUE;

fail:
  dassie_run_discard (run);
  return FALSE;
}

void
dassie_scores_result_clear (DassieScoresResult *result)
{
  g_return_if_fail (result != NULL);

  g_clear_pointer (&result->run_dir, g_free);
  g_clear_pointer (&result->input_path, g_free);
}

void
dassie_scores_free (DassieScores *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->ids);
  g_free (self->knn_median);
  g_free (self->neighbor_rows);
  g_free (self->neighbor_dist);
  g_free (self);
}

gboolean
dassie_scores_write (const DassieScores  *self,
                     const char          *path,
                     GError             **error)
{
  g_autofree char *temp = NULL;
  g_autofree char *create_name = NULL;
  g_autofree char *id_form = NULL;
  g_autofree char *neighbor_form = NULL;
  g_autofree char *dist_form = NULL;
  g_autofree char **neighbor_ids = NULL;
  char *ttype[4] = { (char *) "OBJECT_ID", (char *) "KNN_MEDIAN", (char *) "NEIGHBOR_IDS", (char *) "NEIGHBOR_DIST" };
  char *tform[4];
  gboolean integers;
  fitsfile *fptr = NULL;
  int status = 0;
  gsize n_cells;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  n_cells = (gsize) self->n_rows * self->k;
  neighbor_ids = g_new (char *, MAX (n_cells, 1));
  for (gsize c = 0; c < n_cells; c++)
    neighbor_ids[c] = self->ids[self->neighbor_rows[c]];

  id_form = _dassie_table_id_form ((const char * const *) self->ids, self->n_rows, 1, &integers);
  neighbor_form = _dassie_table_id_form ((const char * const *) self->ids, self->n_rows, self->k, &integers);
  dist_form = g_strdup_printf ("%uE", self->k);
  tform[0] = id_form;
  tform[1] = (char *) "1E";
  tform[2] = neighbor_form;
  tform[3] = dist_form;

  temp = dassie_temp_path_for (path);
  create_name = g_strconcat ("!", temp, NULL);
  fits_create_file (&fptr, create_name, &status);
  fits_create_tbl (fptr, BINARY_TBL, self->n_rows, 4, ttype, tform, NULL, "SCORES", &status);
  _dassie_table_write_ids (fptr, 1, (const char * const *) self->ids, self->n_rows, integers, &status);
  if (self->n_rows > 0)
    {
      fits_write_col (fptr, TFLOAT, 2, 1, 1, self->n_rows, self->knn_median, &status);
      _dassie_table_write_ids (fptr, 3, (const char * const *) neighbor_ids, n_cells, integers, &status);
      fits_write_col (fptr, TFLOAT, 4, 1, 1, n_cells, self->neighbor_dist, &status);
    }
  fits_write_key_str (fptr, "METRIC", dassie_metric_to_string (self->metric), "distance of the neighbours", &status);
  fits_write_key_lng (fptr, "KNN_K", self->k, "neighbours per object, itself excluded", &status);
  fits_write_key_str (fptr, "CREATOR", "Dassie " PACKAGE_VERSION, NULL, &status);
  fits_close_file (fptr, &status);

  if (status != 0)
    {
      g_unlink (temp);
      return _dassie_table_fail (status, path, _("write"), error);
    }
  return dassie_rename_into_place (temp, path, error);
}

/* Reads NEIGHBOR_IDS and turns each id into its row. */
static gboolean
read_neighbor_rows (fitsfile      *fptr,
                    const char    *path,
                    DassieScores  *self,
                    int           *status,
                    GError       **error)
{
  g_autoptr(GHashTable) rows = g_hash_table_new (g_str_hash, g_str_equal);
  gsize n_cells = (gsize) self->n_rows * self->k;
  g_auto(GStrv) texts = g_new0 (char *, n_cells + 1);
  int colnum = 0, typecode = 0;
  long repeat = 0, width = 0;

  for (guint i = 0; i < self->n_rows; i++)
    g_hash_table_insert (rows, self->ids[i], GUINT_TO_POINTER (i));

  fits_get_colnum (fptr, CASEINSEN, (char *) "NEIGHBOR_IDS", &colnum, status);
  fits_get_eqcoltype (fptr, colnum, &typecode, &repeat, &width, status);
  if (*status != 0)
    return _dassie_table_fail (*status, path, _("read the NEIGHBOR_IDS column of"), error);

  if (typecode == TSTRING)
    {
      g_autofree char *block = g_malloc0 (n_cells * (width + 1) + 1);
      g_autofree char **buffers = g_new (char *, MAX (n_cells, 1));

      for (gsize c = 0; c < n_cells; c++)
        buffers[c] = block + c * (width + 1);
      fits_read_col (fptr, TSTRING, colnum, 1, 1, n_cells, NULL, buffers, NULL, status);
      for (gsize c = 0; c < n_cells; c++)
        texts[c] = g_strstrip (g_strdup (buffers[c]));
    }
  else
    {
      g_autofree gint64 *values = g_new (gint64, MAX (n_cells, 1));

      fits_read_col (fptr, TLONGLONG, colnum, 1, 1, n_cells, NULL, values, NULL, status);
      for (gsize c = 0; c < n_cells; c++)
        texts[c] = g_strdup_printf ("%" G_GINT64_FORMAT, values[c]);
    }
  if (*status != 0)
    return _dassie_table_fail (*status, path, _("read the NEIGHBOR_IDS column of"), error);

  for (gsize c = 0; c < n_cells; c++)
    {
      gpointer row;

      if (!g_hash_table_lookup_extended (rows, texts[c], NULL, &row))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” names a neighbour %s that is not one of its objects; compute the scores again"),
                       path, texts[c]);
          return FALSE;
        }
      self->neighbor_rows[c] = GPOINTER_TO_UINT (row);
    }
  return TRUE;
}

DassieScores *
dassie_scores_read (const char  *path,
                    GError     **error)
{
  g_autoptr(DassieScores) self = NULL;
  g_autofree char *file = NULL;
  fitsfile *fptr = NULL;
  int status = 0;
  int colnum = 0, typecode = 0;
  long repeat = 0, width = 0;
  LONGLONG n_rows = 0;
  char metric[FLEN_VALUE] = "";
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_test (path, G_FILE_TEST_IS_DIR) ? g_build_filename (path, "scores.fits", NULL) : g_strdup (path);

  fits_open_table (&fptr, file, READONLY, &status);
  if (status != 0)
    {
      _dassie_table_fail (status, file, _("open the table"), error);
      return NULL;
    }

  self = g_new0 (DassieScores, 1);
  fits_get_num_rowsll (fptr, &n_rows, &status);
  /* A table of scores alone (another program's, or a trimmed copy) has no neighbours: k = 0. */
  fits_get_colnum (fptr, CASEINSEN, (char *) "NEIGHBOR_DIST", &colnum, &status);
  if (status == COL_NOT_FOUND)
    {
      status = 0;
      colnum = 0;
    }
  else
    fits_get_eqcoltype (fptr, colnum, &typecode, &repeat, &width, &status);
  if (status != 0)
    {
      _dassie_table_fail (status, file, _("read the NEIGHBOR_DIST column of"), error);
      goto out;
    }
  self->n_rows = (guint) n_rows;
  self->k = (guint) repeat;
  self->metric = DASSIE_METRIC_SQEUCLIDEAN;
  fits_read_key_str (fptr, "METRIC", metric, NULL, &status);
  if (status == 0 && !dassie_metric_from_string (metric, &self->metric))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” names an unknown metric “%s”"), file, metric);
      goto out;
    }
  status = 0;

  if (!_dassie_table_read_ids (fptr, file, self->n_rows, &self->ids, error))
    goto out;

  self->knn_median = g_new (float, MAX (self->n_rows, 1));
  self->neighbor_dist = g_new (float, MAX ((gsize) self->n_rows * self->k, 1));
  self->neighbor_rows = g_new (guint, MAX ((gsize) self->n_rows * self->k, 1));
  if (self->n_rows > 0)
    {
      if (self->k > 0)
        fits_read_col (fptr, TFLOAT, colnum, 1, 1, (LONGLONG) self->n_rows * self->k, NULL, self->neighbor_dist,
                       NULL, &status);
      fits_get_colnum (fptr, CASEINSEN, (char *) "KNN_MEDIAN", &colnum, &status);
      fits_read_col (fptr, TFLOAT, colnum, 1, 1, self->n_rows, NULL, self->knn_median, NULL, &status);
      if (status != 0)
        {
          _dassie_table_fail (status, file, _("read"), error);
          goto out;
        }
      if (self->k > 0 && !read_neighbor_rows (fptr, file, self, &status, error))
        goto out;
    }
  ok = TRUE;

out:
  status = 0;
  fits_close_file (fptr, &status);
  return ok ? g_steal_pointer (&self) : NULL;
}

void
dassie_histogram (const float *values,
                  guint        n,
                  double       lo,
                  double       hi,
                  guint        n_bins,
                  guint       *counts)
{
  double norm;

  g_return_if_fail (values != NULL || n == 0);
  g_return_if_fail (counts != NULL);
  g_return_if_fail (n_bins > 0);

  memset (counts, 0, sizeof (guint) * n_bins);
  if (lo == hi)
    {
      lo -= 0.5;
      hi += 0.5;
    }
  norm = n_bins / (hi - lo);

  for (guint i = 0; i < n; i++)
    {
      double v = values[i];
      gint64 b;

      if (!(v >= lo && v <= hi))
        continue;
      b = (gint64) ((v - lo) * norm);
      /* As numpy does: correct the rounding against the edges themselves, and put hi in the last bin. */
      if (b >= n_bins)
        b = n_bins - 1;
      if (b > 0 && v < lo + b * (hi - lo) / n_bins)
        b--;
      else if (b + 1 < n_bins && v >= lo + (b + 1) * (hi - lo) / n_bins)
        b++;
      counts[b]++;
    }
}

void
dassie_scores_histogram (const float *scores,
                         guint        n,
                         guint        n_bins,
                         guint       *counts,
                         double      *edges)
{
  double sum = 0;
  double lo = 0, hi;

  g_return_if_fail (scores != NULL || n == 0);
  g_return_if_fail (counts != NULL);
  g_return_if_fail (n_bins > 0);

  for (guint i = 0; i < n; i++)
    sum += scores[i];
  hi = n > 0 ? 2.0 * sum / n : 0.0;

  dassie_histogram (scores, n, lo, hi, n_bins, counts);
  if (edges != NULL)
    {
      if (lo == hi)
        {
          lo -= 0.5;
          hi += 0.5;
        }
      for (guint b = 0; b < n_bins; b++)
        edges[b] = lo + b * (hi - lo) / n_bins;
      edges[n_bins] = hi;
    }
}
