/* dassie-scores.c: anomaly scores (median distance to the k nearest neighbours), scores.fits, the top searched exactly
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-results.h"
#include "dassie-score-methods.h"
#include "dassie-scores.h"
#include "dassie-scores-private.h"
#include "dassie-table.h"
#include "dassie-vectors-private.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
dassie_median (const double *values,
               guint         n)
{
  double few[64];
  g_autofree double *many = NULL;
  double *sorted;

  g_return_val_if_fail (values != NULL || n == 0, NAN);

  if (n == 0)
    return NAN;
  /* Called once per row with n = k: no allocation for the usual k. */
  sorted = n <= G_N_ELEMENTS (few) ? few : (many = g_new (double, n));
  memcpy (sorted, values, sizeof (double) * n);
  qsort (sorted, n, sizeof (double), compare_doubles);
  if (n % 2 == 1)
    return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

/* The median of row @i of @neighbors' distances. @scratch holds k values. */
static float
row_median (const DassieNeighbors *neighbors,
            guint                  i,
            double                *scratch)
{
  const float *d = neighbors->distances + (gsize) i * neighbors->k;

  for (guint c = 0; c < neighbors->k; c++)
    scratch[c] = d[c];
  return (float) dassie_median (scratch, neighbors->k);
}

DassieScores *
dassie_scores_new_from_neighbors (const char * const    *ids,
                                  const DassieNeighbors *neighbors,
                                  DassieMetric           metric)
{
  DassieScores *self;
  g_autofree double *scratch = NULL;
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
  scratch = g_new (double, MAX (k, 1));
  for (guint i = 0; i < n; i++)
    self->knn_median[i] = row_median (neighbors, i, scratch);
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

/* scores.json: what the run scored (the latents' path and checksum, as umap.json records them) and how;
 * @b holds the other methods' parameters already. */
static char *
scores_json (JsonBuilder        *b,
             DassieVectors      *store,
             const char         *latents_path,
             const DassieScores *scores,
             double              seconds)
{
  g_autofree char *checksum = dassie_vectors_get_checksum (store);

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
  return dassie_json_builder_to_text (b, TRUE, NULL);
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
  g_autoptr(JsonBuilder) builder = json_builder_new ();
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
  json_builder_begin_object (builder);
  if (scores == NULL ||
      !_dassie_scores_add_methods (scores, store, path, config, &options, builder, cancellable, error))
    {
      dassie_knn_options_clear (&options);
      goto fail;
    }
  dassie_knn_options_clear (&options);

  scores_path = dassie_run_build_path (run, "scores.fits");
  json_path = dassie_run_build_path (run, "scores.json");
  json = scores_json (builder, store, path, scores, (g_get_monotonic_time () - start) / 1e6);
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
  for (guint c = 0; c < self->n_columns; c++)
    g_free (self->columns[c]);
  g_free (self->columns);
  g_strfreev (self->column_names);
  g_free (self->method);
  g_free (self->score);
  g_free (self);
}

/* The index of @column_name among the method columns, in the order of the method names. */
static guint
column_position (const char *column_name)
{
  const char *method = dassie_score_method_from_column (column_name);
  const char * const *names = dassie_score_method_names ();

  for (guint i = 0; method != NULL && names[i] != NULL; i++)
    if (g_str_equal (names[i], method))
      return i;
  return G_MAXUINT;
}

void
dassie_scores_set_column (DassieScores *self,
                          const char   *column_name,
                          const float  *values)
{
  guint at;

  g_return_if_fail (self != NULL);
  g_return_if_fail (column_name != NULL);
  g_return_if_fail (values != NULL || self->n_rows == 0);
  g_return_if_fail (column_position (column_name) != G_MAXUINT);
  g_return_if_fail (g_ascii_strcasecmp (column_name, "KNN_MEDIAN") != 0);

  for (guint c = 0; c < self->n_columns; c++)
    if (g_ascii_strcasecmp (self->column_names[c], column_name) == 0)
      {
        memcpy (self->columns[c], values, sizeof (float) * self->n_rows);
        return;
      }

  /* Kept in the order of the method names, whatever order they are computed in. */
  for (at = 0; at < self->n_columns; at++)
    if (column_position (self->column_names[at]) > column_position (column_name))
      break;
  self->column_names = g_renew (char *, self->column_names, self->n_columns + 2);
  self->columns = g_renew (float *, self->columns, self->n_columns + 1);
  memmove (self->column_names + at + 1, self->column_names + at, sizeof (char *) * (self->n_columns - at));
  memmove (self->columns + at + 1, self->columns + at, sizeof (float *) * (self->n_columns - at));
  self->column_names[at] = g_strdup (dassie_score_method_get_column (dassie_score_method_from_column (column_name)));
  self->columns[at] = g_memdup2 (values, sizeof (float) * MAX (self->n_rows, 1));
  self->n_columns++;
  self->column_names[self->n_columns] = NULL;
}

const float *
dassie_scores_get_column (const DassieScores *self,
                          const char         *name)
{
  const char *column;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  column = dassie_score_method_is_valid (name) ? dassie_score_method_get_column (name) : name;
  if (g_ascii_strcasecmp (column, "KNN_MEDIAN") == 0)
    return self->knn_median;
  for (guint c = 0; c < self->n_columns; c++)
    if (g_ascii_strcasecmp (self->column_names[c], column) == 0)
      return self->columns[c];
  return NULL;
}

gboolean
dassie_scores_set_method (DassieScores  *self,
                          const char    *method,
                          GError       **error)
{
  const float *values;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);

  if (!dassie_score_method_is_valid (method))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) dassie_score_method_names ());

      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown score method “%s”; use one of %s"), method, known);
      return FALSE;
    }
  values = dassie_scores_get_column (self, method);
  if (values == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no “%s” score: %s"), method,
                   g_str_equal (method, "reconstruction") || g_str_equal (method, "mse")
                   ? _("the latent vectors were inferred without the reconstruction statistics "
                       "(infer again with scores.reconstruction true)")
                   : _("compute the scores again"));
      return FALSE;
    }
  g_free (self->score);
  self->score = g_memdup2 (values, sizeof (float) * MAX (self->n_rows, 1));
  g_free (self->method);
  self->method = g_strdup (method);
  return TRUE;
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
  g_autofree char **ttype = NULL;
  g_autofree char **tform = NULL;
  gboolean integers;
  fitsfile *fptr = NULL;
  int status = 0;
  int n_cols, n_neighbor_cols;
  gsize n_cells;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (self->score == NULL || self->method != NULL, FALSE);

  n_cells = (gsize) self->n_rows * self->k;
  neighbor_ids = g_new (char *, MAX (n_cells, 1));
  for (gsize c = 0; c < n_cells; c++)
    neighbor_ids[c] = self->ids[self->neighbor_rows[c]];

  id_form = _dassie_table_id_form ((const char * const *) self->ids, self->n_rows, 1, &integers);
  neighbor_form = _dassie_table_id_form ((const char * const *) self->ids, self->n_rows, self->k, &integers);
  dist_form = g_strdup_printf ("%uE", self->k);
  /* A table of scores alone (k = 0, as dassie_scores_read() reads one) has no neighbour columns. */
  n_neighbor_cols = self->k > 0 ? 2 : 0;
  n_cols = 2 + n_neighbor_cols + (int) self->n_columns + (self->score != NULL ? 1 : 0);
  ttype = g_new (char *, n_cols);
  tform = g_new (char *, n_cols);
  ttype[0] = (char *) "OBJECT_ID";
  ttype[1] = (char *) "KNN_MEDIAN";
  tform[0] = id_form;
  tform[1] = (char *) "1E";
  if (n_neighbor_cols > 0)
    {
      ttype[2] = (char *) "NEIGHBOR_IDS";
      ttype[3] = (char *) "NEIGHBOR_DIST";
      tform[2] = neighbor_form;
      tform[3] = dist_form;
    }
  for (guint c = 0; c < self->n_columns; c++)
    {
      ttype[2 + n_neighbor_cols + c] = self->column_names[c];
      tform[2 + n_neighbor_cols + c] = (char *) "1E";
    }
  if (self->score != NULL)
    {
      ttype[n_cols - 1] = (char *) DASSIE_SCORE_COLUMN;
      tform[n_cols - 1] = (char *) "1E";
    }

  temp = dassie_temp_path_for (path);
  create_name = g_strconcat ("!", temp, NULL);
  fits_create_file (&fptr, create_name, &status);
  fits_create_tbl (fptr, BINARY_TBL, self->n_rows, n_cols, ttype, tform, NULL, "SCORES", &status);
  _dassie_table_write_ids (fptr, 1, (const char * const *) self->ids, self->n_rows, integers, &status);
  if (self->n_rows > 0)
    {
      fits_write_col (fptr, TFLOAT, 2, 1, 1, self->n_rows, self->knn_median, &status);
      if (n_neighbor_cols > 0)
        {
          _dassie_table_write_ids (fptr, 3, (const char * const *) neighbor_ids, n_cells, integers, &status);
          fits_write_col (fptr, TFLOAT, 4, 1, 1, n_cells, self->neighbor_dist, &status);
        }
      for (guint c = 0; c < self->n_columns; c++)
        fits_write_col (fptr, TFLOAT, 3 + n_neighbor_cols + (int) c, 1, 1, self->n_rows, self->columns[c], &status);
      if (self->score != NULL)
        fits_write_col (fptr, TFLOAT, n_cols, 1, 1, self->n_rows, self->score, &status);
    }
  fits_write_key_str (fptr, "METRIC", dassie_metric_to_string (self->metric), "distance of the neighbours", &status);
  fits_write_key_lng (fptr, "KNN_K", self->k, "neighbours per object, itself excluded", &status);
  if (self->score != NULL)
    fits_write_key_str (fptr, "SCOREMTH", self->method, "the method whose score SCORE holds", &status);
  fits_write_key_str (fptr, "CREATOR", "Dassie " PACKAGE_VERSION, NULL, &status);
  fits_close_file (fptr, &status);

  if (status != 0)
    {
      g_unlink (temp);
      return _dassie_table_fail (status, path, _("write"), error);
    }
  return dassie_rename_into_place (temp, path, error);
}

/* The method columns besides KNN_MEDIAN, and SCORE with its method, when the file has them. */
static gboolean
read_method_columns (fitsfile      *fptr,
                     const char    *path,
                     DassieScores  *self,
                     GError       **error)
{
  g_autofree float *values = g_new (float, MAX (self->n_rows, 1));
  char method[FLEN_VALUE] = "";
  int n_cols = 0, status = 0;

  fits_get_num_cols (fptr, &n_cols, &status);
  for (int col = 1; col <= n_cols && status == 0; col++)
    {
      char key[FLEN_KEYWORD], name[FLEN_VALUE] = "";
      gboolean is_score;

      fits_make_keyn ("TTYPE", col, key, &status);
      fits_read_key_str (fptr, key, name, NULL, &status);
      if (status != 0)
        break;
      is_score = g_ascii_strcasecmp (name, DASSIE_SCORE_COLUMN) == 0;
      if (!is_score && (column_position (name) == G_MAXUINT || g_ascii_strcasecmp (name, "KNN_MEDIAN") == 0))
        continue;
      if (self->n_rows > 0)
        fits_read_col (fptr, TFLOAT, col, 1, 1, self->n_rows, NULL, values, NULL, &status);
      if (status != 0)
        break;
      if (is_score)
        self->score = g_memdup2 (values, sizeof (float) * MAX (self->n_rows, 1));
      else
        dassie_scores_set_column (self, name, values);
    }
  if (status != 0)
    return _dassie_table_fail (status, path, _("read the score columns of"), error);
  if (self->score == NULL)
    return TRUE;

  fits_read_key_str (fptr, "SCOREMTH", method, NULL, &status);
  if (status != 0 || !dassie_score_method_is_valid (method))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” has a SCORE column but no known score method in its header key SCOREMTH (“%s”); "
                     "compute the scores again"), path, method);
      return FALSE;
    }
  self->method = g_strdup (method);
  return TRUE;
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
  if (!read_method_columns (fptr, file, self, error))
    goto out;
  ok = TRUE;

out:
  status = 0;
  fits_close_file (fptr, &status);
  return ok ? g_steal_pointer (&self) : NULL;
}

/* What the user of the scores looks at are the most anomalous objects, and there an approximate
 * search must not decide. Found neighbours are never nearer than the true ones, so no row's score
 * (the middle of its k distances) comes out lower than the exact one, only higher, and a rare miss
 * can lift an ordinary row among the top (bench/knn.sh: recall 0.997 still changed 20-30 of the top
 * 100). So the rows with the highest scores are searched again exactly: then every row whose exact
 * score is above the lowest approximate score among them is exact, and the top of the ranking is
 * the exact one.
 *
 * Also searched again: rows whose k-th neighbour lies far beyond their neighbours' own. An HNSW build
 * on well separated groups now and then links a row only into another group, from where its search
 * never finds its own group; its score is then too high, though not always high enough to be among
 * the top. */
#define TOP_RECHECKED_FRACTION 0.02
#define TOP_RECHECKED_MIN 500
#define STRANDED_RATIO 2.0   /* in distance; squared below */

static double
squared_scale (DassieMetric metric,
               float        d)
{
  /* sqeuclidean and cosine (1 - cos, half the squared chord) already grow as a squared distance. */
  return metric == DASSIE_METRIC_EUCLIDEAN ? (double) d * d : d;
}

static gint
compare_keys_descending (gconstpointer a,
                         gconstpointer b,
                         gpointer      user_data)
{
  const float *keys = user_data;
  float x = keys[*(const guint *) a], y = keys[*(const guint *) b];

  if (x != y)
    return x > y ? -1 : 1;
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

/* Marks the @n_top rows with the highest middle distance. */
static void
mark_top_rows (const DassieNeighbors *nb,
               guint                  n_top,
               gboolean              *marked)
{
  g_autofree float *middle = g_new (float, MAX (nb->n_rows, 1));
  g_autofree guint *order = g_new (guint, MAX (nb->n_rows, 1));
  g_autofree double *scratch = g_new (double, MAX (nb->k, 1));

  for (guint i = 0; i < nb->n_rows; i++)
    {
      middle[i] = row_median (nb, i, scratch);
      order[i] = i;
    }
  g_qsort_with_data (order, (gint) nb->n_rows, sizeof (guint), compare_keys_descending, middle);
  for (guint r = 0; r < MIN (n_top, nb->n_rows); r++)
    marked[order[r]] = TRUE;
}

gint
_dassie_scores_recheck_top (DassieVectors    *store,
                            DassieNeighbors  *result,
                            DassieMetric      metric,
                            guint             n_threads,
                            GCancellable     *cancellable,
                            GError          **error)
{
  guint n_rows = dassie_vectors_get_n_rows (store);
  guint dim = dassie_vectors_get_dim (store);
  const float *data = dassie_vectors_get_data (store);
  guint k = result->k;
  g_autofree double *kth = g_new (double, MAX (n_rows, 1));
  g_autofree double *around = g_new (double, k);
  g_autofree gboolean *marked = g_new0 (gboolean, MAX (n_rows, 1));
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(DassieNeighbors) exact = NULL;
  g_autofree float *queries = NULL;

  mark_top_rows (result, MAX (TOP_RECHECKED_MIN, (guint) (TOP_RECHECKED_FRACTION * n_rows)), marked);
  for (guint i = 0; i < n_rows; i++)
    kth[i] = squared_scale (metric, result->distances[(gsize) i * k + k - 1]);
  for (guint i = 0; i < n_rows; i++)
    {
      for (guint c = 0; c < k; c++)
        around[c] = kth[result->indices[(gsize) i * k + c]];
      if (marked[i] || kth[i] > STRANDED_RATIO * STRANDED_RATIO * dassie_median (around, k))
        g_array_append_val (rows, i);
    }
  if (rows->len == 0)
    return 0;

  queries = g_new (float, (gsize) rows->len * dim);
  for (guint r = 0; r < rows->len; r++)
    memcpy (queries + (gsize) r * dim, data + (gsize) g_array_index (rows, guint, r) * dim,
            dim * sizeof (float));
  exact = dassie_vectors_search (store, queries, rows->len, (const guint *) rows->data, k, metric, n_threads,
                                 NULL, cancellable, error);
  if (exact == NULL)
    return -1;
  for (guint r = 0; r < rows->len; r++)
    {
      gsize i = g_array_index (rows, guint, r);

      memcpy (result->indices + i * k, exact->indices + (gsize) r * k, k * sizeof (guint));
      memcpy (result->distances + i * k, exact->distances + (gsize) r * k, k * sizeof (float));
    }
  return (gint) rows->len;
}
