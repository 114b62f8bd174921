/* dassie-vectors.c: the vector store (object ids and a float32 matrix) and exact k nearest neighbours
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>
#if defined(__GNUC__) && defined(__x86_64__)
# include <immintrin.h>
#endif
#include <float.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-hnsw.h"
#include "dassie-parallel.h"
#include "dassie-results.h"
#include "dassie-table.h"
#include "dassie-vectors-private.h"

/*
 * Exact search runs in two passes. The first finds, for every query, a few more candidates than asked
 * (k + margin) from distances computed as ‖x‖² − 2 x·y + ‖y‖² on tiles of an sgemm, scanning each tile
 * while it is still in cache. The second recomputes the candidates' distances in double precision
 * from the original vectors and keeps the k nearest. Rounding in the first pass is bounded, so a row
 * whose excluded points could not have come closer than its k-th neighbour is proven complete; the
 * rare row that cannot be proven so is rescanned in double precision.
 *
 * The first pass works on "working" vectors: centred ones for the Euclidean metrics (centring changes
 * no distance but shrinks the norms that rounding scales with) and unit ones for the cosine metric,
 * whose squared distance is 2 (1 − cos).
 */

#define TILE_ROWS 512
#define TILE_COLS 512
#define CANDIDATE_MARGIN 8
/* Up to this many dimensions (2-D layouts), ‖x‖² − 2x·y + ‖y‖² loses too much to cancellation between
 * close points far from the centre, and summing (x − y)² directly costs little. */
#define DIRECT_MAX_DIM 8

static void pick_scan_functions (void);

typedef struct
{
  float  *w;            /* n × dim working vectors */
  float  *sq_norms;     /* ‖w_i‖² */
  double *norms;        /* ‖x_i‖ of the original vectors (cosine only) */
  float  *center;       /* dim (Euclidean only) */
  double  max_norm;     /* the largest ‖w_i‖ */
  gboolean direct;      /* few dimensions: distances summed directly from wt, not by sgemm */
  float  *wt;           /* dim × n, the working vectors transposed (direct only) */
} Working;

struct _DassieVectors
{
  char       **ids;
  float       *data;
  gboolean     owns_data;
  guint        n_rows;
  guint        dim;
  char        *path;
  char        *checksum;
  GHashTable  *by_id;
  Working     *working[2];  /* [0] Euclidean, [1] cosine */
  GMutex       lock;
};

/* ------------------------------------------------------------------------------------------------ */
/* threads                                                                                           */

typedef struct
{
  DassieThreadFunc func;
  gpointer         user_data;
  guint            n_threads;
} ThreadRun;

static void
thread_range (guint    begin,
              guint    end,
              gpointer user_data)
{
  ThreadRun *run = user_data;

  for (guint t = begin; t < end; t++)
    run->func (t, run->n_threads, run->user_data);
}

void
_dassie_run_threads (guint            n_threads,
                     DassieThreadFunc func,
                     gpointer         user_data)
{
  ThreadRun run = { func, user_data, MAX (n_threads, 1) };

  dassie_parallel_for (run.n_threads, run.n_threads, thread_range, &run);
}

/* Only one-thread sections are asked for; they nest safely across threads (dassie-parallel). */
int
_dassie_blas_threads_push (int n_threads)
{
  g_assert (n_threads == 1);
  dassie_blas_single_begin ();
  return 1;
}

void
_dassie_blas_threads_pop (int saved)
{
  dassie_blas_single_end ();
}

/* ------------------------------------------------------------------------------------------------ */
/* metrics and options                                                                              */

static const char *metric_names[] = { "sqeuclidean", "euclidean", "cosine" };

const char *
dassie_metric_to_string (DassieMetric metric)
{
  g_return_val_if_fail (metric <= DASSIE_METRIC_COSINE, NULL);
  return metric_names[metric];
}

gboolean
dassie_metric_from_string (const char   *text,
                           DassieMetric *metric)
{
  g_return_val_if_fail (text != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (metric_names); i++)
    if (g_ascii_strcasecmp (text, metric_names[i]) == 0)
      {
        *metric = i;
        return TRUE;
      }
  /* The names other libraries use for the same metrics. */
  if (g_ascii_strcasecmp (text, "l2") == 0)
    {
      *metric = DASSIE_METRIC_EUCLIDEAN;
      return TRUE;
    }
  if (g_ascii_strcasecmp (text, "sql2") == 0 || g_ascii_strcasecmp (text, "squared_l2") == 0)
    {
      *metric = DASSIE_METRIC_SQEUCLIDEAN;
      return TRUE;
    }
  return FALSE;
}

gboolean
dassie_index_kind_from_string (const char      *text,
                               DassieIndexKind *kind)
{
  static const char *names[] = { "auto", "exact", "hnsw" };

  g_return_val_if_fail (text != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (text, names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

void
dassie_knn_options_init (DassieKnnOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->metric = DASSIE_METRIC_SQEUCLIDEAN;
  options->index = DASSIE_INDEX_AUTO;
  /* Measured with bench/knn.sh on clustered 64-d vectors: below about 60k rows the exact search is
   * quicker than building an index; at 100k these settings give recall@10 about 0.997 to 0.998. */
  options->hnsw_threshold = 60000;
  options->hnsw_m = 24;
  options->hnsw_ef_construction = 100;
  options->hnsw_ef = 40;
}

gboolean
dassie_knn_options_from_config (DassieKnnOptions    *options,
                                const DassieConfig  *config,
                                GError             **error)
{
  const char *metric;
  const char *index;

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  metric = dassie_config_get_string (config, "scores.metric");
  index = dassie_config_get_string (config, "scores.index");
  if (metric == NULL || !dassie_metric_from_string (metric, &options->metric))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown distance metric “%s” in scores.metric; use sqeuclidean, euclidean or cosine"),
                   metric ? metric : "");
      return FALSE;
    }
  if (index == NULL || !dassie_index_kind_from_string (index, &options->index))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown index “%s” in scores.index; use auto, exact or hnsw"), index ? index : "");
      return FALSE;
    }

  options->hnsw_threshold = CLAMP (dassie_config_get_int (config, "scores.hnsw_threshold"), 0, G_MAXUINT);
  options->hnsw_m = CLAMP (dassie_config_get_int (config, "scores.hnsw_m"), 2, 1024);
  options->hnsw_ef_construction = CLAMP (dassie_config_get_int (config, "scores.hnsw_ef_construction"), 1, 100000);
  options->hnsw_ef = CLAMP (dassie_config_get_int (config, "scores.hnsw_ef"), 1, 100000);
  options->n_threads = CLAMP (dassie_config_get_int (config, "general.threads"), 0, 1024);
  return TRUE;
}

void
dassie_knn_options_clear (DassieKnnOptions *options)
{
  g_return_if_fail (options != NULL);
  g_clear_pointer (&options->index_dir, g_free);
}

double
dassie_metric_distance (DassieMetric  metric,
                        const float  *x,
                        const float  *y,
                        guint         dim)
{
  double s = 0;

  g_return_val_if_fail (x != NULL && y != NULL, NAN);

  if (metric == DASSIE_METRIC_COSINE)
    {
      double xx = 0, yy = 0, xy = 0;

      for (guint d = 0; d < dim; d++)
        {
          xx += (double) x[d] * x[d];
          yy += (double) y[d] * y[d];
          xy += (double) x[d] * y[d];
        }
      if (xx == 0 || yy == 0)
        return 1.0;
      return 1.0 - xy / (sqrt (xx) * sqrt (yy));
    }

  for (guint d = 0; d < dim; d++)
    {
      double diff = (double) x[d] - (double) y[d];
      s += diff * diff;
    }
  return metric == DASSIE_METRIC_EUCLIDEAN ? sqrt (s) : s;
}

float
_dassie_metric_from_working (DassieMetric metric,
                             double       working)
{
  switch (metric)
    {
    case DASSIE_METRIC_EUCLIDEAN:
      return (float) sqrt (MAX (working, 0.0));
    case DASSIE_METRIC_COSINE:
      return (float) (working / 2.0);
    case DASSIE_METRIC_SQEUCLIDEAN:
    default:
      return (float) working;
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* the store                                                                                         */

static gboolean
check_finite (const float  *data,
              guint         n_rows,
              guint         dim,
              char * const *ids,
              GError      **error)
{
  for (guint i = 0; i < n_rows; i++)
    for (guint d = 0; d < dim; d++)
      if (!isfinite (data[(gsize) i * dim + d]))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The vector of object %s (row %u) has a value that is not a finite number; "
                         "run inference again or remove the object"),
                       ids != NULL ? ids[i] : "?", i);
          return FALSE;
        }
  return TRUE;
}

static GHashTable *
build_id_table (char * const *ids,
                guint         n_rows,
                GError      **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n_rows; i++)
    {
      if (g_hash_table_contains (table, ids[i]))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The object id %s appears more than once (rows %u and %u); every object needs its "
                         "own id"),
                       ids[i], GPOINTER_TO_UINT (g_hash_table_lookup (table, ids[i])), i);
          return NULL;
        }
      g_hash_table_insert (table, ids[i], GUINT_TO_POINTER (i));
    }
  return g_steal_pointer (&table);
}

DassieVectors *
dassie_vectors_new_take (char    **ids,
                         float    *data,
                         guint     n_rows,
                         guint     dim,
                         GError  **error)
{
  g_autoptr(DassieVectors) self = NULL;

  g_return_val_if_fail (ids != NULL, NULL);
  g_return_val_if_fail (data != NULL || n_rows == 0, NULL);
  g_return_val_if_fail (dim > 0, NULL);

  self = g_new0 (DassieVectors, 1);
  g_mutex_init (&self->lock);
  self->ids = ids;
  self->data = data;
  self->owns_data = TRUE;
  self->n_rows = n_rows;
  self->dim = dim;

  if (g_strv_length (ids) != n_rows)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("There are %u object ids for %u vectors"), g_strv_length (ids), n_rows);
      return NULL;
    }
  if (!check_finite (data, n_rows, dim, ids, error))
    return NULL;
  self->by_id = build_id_table (ids, n_rows, error);
  if (self->by_id == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

DassieVectors *
dassie_vectors_new (const char * const  *ids,
                    const float         *data,
                    guint                n_rows,
                    guint                dim,
                    GError             **error)
{
  char **ids_copy;

  g_return_val_if_fail (ids != NULL, NULL);
  g_return_val_if_fail (data != NULL || n_rows == 0, NULL);
  g_return_val_if_fail (dim > 0, NULL);

  ids_copy = g_new0 (char *, n_rows + 1);
  for (guint i = 0; i < n_rows; i++)
    ids_copy[i] = g_strdup (ids[i]);

  return dassie_vectors_new_take (ids_copy, g_memdup2 (data, sizeof (float) * n_rows * dim),
                                  n_rows, dim, error);
}

DassieVectors *
_dassie_vectors_new_borrowed (const float *data,
                              guint        n_rows,
                              guint        dim)
{
  DassieVectors *self;

  g_return_val_if_fail (data != NULL || n_rows == 0, NULL);
  g_return_val_if_fail (dim > 0, NULL);

  self = g_new0 (DassieVectors, 1);
  g_mutex_init (&self->lock);
  self->data = (float *) data;
  self->n_rows = n_rows;
  self->dim = dim;
  return self;
}

char *
dassie_vectors_find_latents (const DassieConfig  *config,
                             const char          *input,
                             GError             **error)
{
  g_autofree char *run = NULL;
  char *path;

  g_return_val_if_fail (config != NULL, NULL);

  if (input == NULL)
    {
      const char *results = dassie_config_get_string (config, "general.results_dir");

      run = dassie_results_find_latest (results, "infer");
      if (run == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("There is no finished infer run in “%s”; run “dassie-cli infer” first or give "
                         "--input"), results);
          return NULL;
        }
      input = run;
    }

  if (g_file_test (input, G_FILE_TEST_IS_DIR))
    path = g_build_filename (input, "latents.fits", NULL);
  else
    path = g_strdup (input);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” does not exist; give an infer run folder or its latents.fits"), path);
      g_free (path);
      return NULL;
    }
  return path;
}

DassieVectors *
dassie_vectors_load (const char  *path,
                     GError     **error)
{
  g_autofree char *file = NULL;
  char **ids = NULL;
  float *data = NULL;
  guint n_rows = 0;
  guint dim = 0;
  DassieVectors *self;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    file = g_build_filename (path, "latents.fits", NULL);
  else
    file = g_strdup (path);

  if (!dassie_table_read_vectors (file, "LATENT", &ids, &n_rows, &data, &dim, error))
    return NULL;

  self = dassie_vectors_new_take (ids, data, n_rows, dim, error);
  if (self == NULL)
    {
      g_prefix_error (error, _("In %s: "), file);
      return NULL;
    }
  self->path = g_steal_pointer (&file);
  return self;
}

static void
working_free (Working *w)
{
  if (w == NULL)
    return;
  g_free (w->w);
  g_free (w->sq_norms);
  g_free (w->norms);
  g_free (w->center);
  g_free (w->wt);
  g_free (w);
}

void
dassie_vectors_free (DassieVectors *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->ids);
  if (self->owns_data)
    g_free (self->data);
  g_free (self->path);
  g_free (self->checksum);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->working); i++)
    working_free (self->working[i]);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint
dassie_vectors_get_n_rows (const DassieVectors *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_rows;
}

guint
dassie_vectors_get_dim (const DassieVectors *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->dim;
}

const char *
dassie_vectors_get_id (const DassieVectors *self,
                       guint                row)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (row < self->n_rows, NULL);
  return self->ids != NULL ? self->ids[row] : NULL;
}

const char * const *
dassie_vectors_get_ids (const DassieVectors *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->ids;
}

const float *
dassie_vectors_get_data (const DassieVectors *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data;
}

const char *
dassie_vectors_get_path (const DassieVectors *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

gboolean
dassie_vectors_lookup (DassieVectors *self,
                       const char    *id,
                       guint         *row)
{
  gpointer value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->by_id == NULL || !g_hash_table_lookup_extended (self->by_id, id, NULL, &value))
    return FALSE;
  if (row != NULL)
    *row = GPOINTER_TO_UINT (value);
  return TRUE;
}

char *
dassie_vectors_get_checksum (DassieVectors *self)
{
  char *result;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  if (self->checksum == NULL)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      guint32 shape[2] = { GUINT32_TO_LE (self->n_rows), GUINT32_TO_LE (self->dim) };

      g_checksum_update (sum, (const guchar *) shape, sizeof shape);
      for (guint i = 0; self->ids != NULL && i < self->n_rows; i++)
        g_checksum_update (sum, (const guchar *) self->ids[i], strlen (self->ids[i]) + 1);
      g_checksum_update (sum, (const guchar *) self->data, sizeof (float) * self->n_rows * self->dim);
      self->checksum = g_strdup (g_checksum_get_string (sum));
    }
  result = g_strdup (self->checksum);
  g_mutex_unlock (&self->lock);
  return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* working vectors                                                                                  */

static Working *
working_new (const DassieVectors *self,
             gboolean             cosine)
{
  Working *w = g_new0 (Working, 1);
  guint n = self->n_rows, dim = self->dim;

  w->w = g_new (float, (gsize) n * dim);
  w->sq_norms = g_new (float, MAX (n, 1));

  if (cosine)
    {
      w->norms = g_new (double, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        {
          const float *x = self->data + (gsize) i * dim;
          double s = 0;

          for (guint d = 0; d < dim; d++)
            s += (double) x[d] * x[d];
          w->norms[i] = sqrt (s);
          for (guint d = 0; d < dim; d++)
            w->w[(gsize) i * dim + d] = s > 0 ? (float) (x[d] / w->norms[i]) : 0.0f;
        }
    }
  else
    {
      g_autofree double *mean = g_new0 (double, dim);

      w->center = g_new0 (float, dim);
      w->direct = dim <= DIRECT_MAX_DIM;
      if (!w->direct)
        {
          for (guint i = 0; i < n; i++)
            for (guint d = 0; d < dim; d++)
              mean[d] += self->data[(gsize) i * dim + d];
          for (guint d = 0; d < dim; d++)
            w->center[d] = n > 0 ? (float) (mean[d] / n) : 0.0f;
        }
      /* Direct sums use the vectors as they are: centring would round differences of close points. */
      for (gsize i = 0; i < (gsize) n * dim; i++)
        w->w[i] = self->data[i] - w->center[i % dim];
      if (w->direct)
        {
          w->wt = g_new (float, MAX ((gsize) n * dim, 1));
          for (guint i = 0; i < n; i++)
            for (guint d = 0; d < dim; d++)
              w->wt[(gsize) d * n + i] = w->w[(gsize) i * dim + d];
        }
    }

  w->max_norm = 0;
  for (guint i = 0; i < n; i++)
    {
      const float *x = w->w + (gsize) i * dim;
      double s = 0;

      for (guint d = 0; d < dim; d++)
        s += (double) x[d] * x[d];
      w->sq_norms[i] = (float) s;
      w->max_norm = MAX (w->max_norm, sqrt (s));
    }

  return w;
}

static const Working *
get_working (DassieVectors *self,
             DassieMetric   metric)
{
  guint slot = metric == DASSIE_METRIC_COSINE ? 1 : 0;
  const Working *w;

  pick_scan_functions ();
  g_mutex_lock (&self->lock);
  if (self->working[slot] == NULL)
    self->working[slot] = working_new (self, slot == 1);
  w = self->working[slot];
  g_mutex_unlock (&self->lock);
  return w;
}

/* A query's working vector, made the way the store's were. Returns ‖q‖ of the working vector. */
static double
working_query (const Working *w,
               const float   *query,
               guint          dim,
               float         *out,
               double        *query_norm)
{
  double s = 0;

  if (w->center == NULL)
    {
      double n2 = 0;

      for (guint d = 0; d < dim; d++)
        n2 += (double) query[d] * query[d];
      *query_norm = sqrt (n2);
      for (guint d = 0; d < dim; d++)
        out[d] = n2 > 0 ? (float) (query[d] / *query_norm) : 0.0f;
    }
  else
    {
      for (guint d = 0; d < dim; d++)
        out[d] = query[d] - w->center[d];
      *query_norm = 0;
    }

  for (guint d = 0; d < dim; d++)
    s += (double) out[d] * out[d];
  return s;
}

/* The working (squared) distance in double precision, from the original vectors. */
static inline double
exact_working (const DassieVectors *self,
               const Working       *w,
               const float         *x,
               double               x_norm,
               guint                j)
{
  const float *y = self->data + (gsize) j * self->dim;

  if (w->center == NULL)
    {
      double xy = 0;

      if (x_norm == 0 || w->norms[j] == 0)
        return 2.0;
      for (guint d = 0; d < self->dim; d++)
        xy += (double) x[d] * y[d];
      return 2.0 * (1.0 - xy / (x_norm * w->norms[j]));
    }
  else
    {
      double s = 0;

      for (guint d = 0; d < self->dim; d++)
        {
          double diff = (double) x[d] - (double) y[d];
          s += diff * diff;
        }
      return s;
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* shared checks                                                                                     */

static gboolean
check_k (guint    k,
         guint    available,
         GError **error)
{
  if (k > 0 && k <= available)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Cannot find %u neighbours among %u objects; k must be between 1 and %u"),
               k, available, available);
  return FALSE;
}

/* After the threads of a search: the cancellation error, or the statistics. */
static gboolean
finish_search (gboolean         cancelled,
               guint            n_fallback,
               gboolean         used_hnsw,
               gboolean         loaded_index,
               GCancellable    *cancellable,
               DassieKnnStats  *stats,
               GError         **error)
{
  if (cancelled)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }
  if (stats != NULL)
    {
      stats->n_fallback_rows = n_fallback;
      stats->used_hnsw = used_hnsw;
      stats->loaded_index = loaded_index;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------ */
/* candidate heaps: a bounded max-heap per query, ordered by (distance, row)                         */

typedef struct
{
  float d;
  guint idx;
} Cand;

typedef struct
{
  guint  n;
  guint  kc;
  Cand  *c;      /* n × kc */
  guint *count;  /* entries held per query */
  float *thr;    /* the worst distance held, +inf until full */
} Heaps;

static inline gboolean
cand_less (float da, guint ia, float db, guint ib)
{
  return da < db || (da == db && ia < ib);
}

static void
heaps_init (Heaps *h,
            guint  n,
            guint  kc)
{
  h->n = n;
  h->kc = kc;
  h->c = g_new (Cand, (gsize) n * kc);
  h->count = g_new0 (guint, MAX (n, 1));
  h->thr = g_new (float, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    h->thr[i] = INFINITY;
}

static void
heaps_clear (Heaps *h)
{
  g_clear_pointer (&h->c, g_free);
  g_clear_pointer (&h->count, g_free);
  g_clear_pointer (&h->thr, g_free);
}

static inline void
heap_push (Heaps *h,
           guint  row,
           float  d,
           guint  idx)
{
  Cand *hp = h->c + (gsize) row * h->kc;
  guint kc = h->kc;
  guint cnt = h->count[row];
  guint pos;

  if (cnt < kc)
    {
      /* Sift up. */
      pos = cnt;
      while (pos > 0)
        {
          guint parent = (pos - 1) / 2;

          if (!cand_less (hp[parent].d, hp[parent].idx, d, idx))
            break;
          hp[pos] = hp[parent];
          pos = parent;
        }
      hp[pos] = (Cand) { d, idx };
      h->count[row] = cnt + 1;
      if (cnt + 1 == kc)
        h->thr[row] = hp[0].d;
      return;
    }

  if (!cand_less (d, idx, hp[0].d, hp[0].idx))
    return;

  /* Replace the root and sift down. */
  pos = 0;
  for (;;)
    {
      guint child = 2 * pos + 1;

      if (child >= kc)
        break;
      if (child + 1 < kc && cand_less (hp[child].d, hp[child].idx, hp[child + 1].d, hp[child + 1].idx))
        child++;
      if (!cand_less (d, idx, hp[child].d, hp[child].idx))
        break;
      hp[pos] = hp[child];
      pos = child;
    }
  hp[pos] = (Cand) { d, idx };
  h->thr[row] = hp[0].d;
}

/* ------------------------------------------------------------------------------------------------ */
/* tile scans                                                                                        */

/* Tiles are scanned in chunks of 16 columns (one AVX-512 register); a bit per chunk says whether any
 * distance in it could enter a heap, so the scalar pass visits only those chunks. */
#define CHUNK 16
G_STATIC_ASSERT (TILE_COLS % CHUNK == 0 && TILE_COLS / CHUNK <= 64);

/* d = (−2 x·y + ‖y‖²) + ‖x‖², in place; returns the chunks holding a d ≤ thr. The vector versions add
 * in the same order, so every version gives the same distances. */
static guint64
finish_row_scalar (float       *restrict row,
                   const float *restrict sq_norms_j,
                   float                 sq_norm_i,
                   float                 thr,
                   guint                 n)
{
  guint64 mask = 0;

  for (guint c = 0; c < n; c++)
    {
      float d = (row[c] + sq_norms_j[c]) + sq_norm_i;

      row[c] = d;
      if (d <= thr)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  return mask;
}

/* The chunks holding a row[c] ≤ thr[c]. */
static guint64
chunks_at_most_scalar (const float *restrict row,
                       const float *restrict thr,
                       guint                 n)
{
  guint64 mask = 0;

  for (guint c = 0; c < n; c++)
    if (row[c] <= thr[c])
      mask |= (guint64) 1 << (c / CHUNK);
  return mask;
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target ("avx512f"))) static guint64
finish_row_avx512 (float       *restrict row,
                   const float *restrict sq_norms_j,
                   float                 sq_norm_i,
                   float                 thr,
                   guint                 n)
{
  __m512 vi = _mm512_set1_ps (sq_norm_i);
  __m512 vt = _mm512_set1_ps (thr);
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    {
      __m512 d = _mm512_add_ps (_mm512_add_ps (_mm512_loadu_ps (row + c), _mm512_loadu_ps (sq_norms_j + c)), vi);

      _mm512_storeu_ps (row + c, d);
      if (_mm512_cmp_ps_mask (d, vt, _CMP_LE_OQ) != 0)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  if (c < n)
    mask |= finish_row_scalar (row + c, sq_norms_j + c, sq_norm_i, thr, n - c) << (c / CHUNK);
  return mask;
}

__attribute__((target ("avx512f"))) static guint64
chunks_at_most_avx512 (const float *restrict row,
                       const float *restrict thr,
                       guint                 n)
{
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    if (_mm512_cmp_ps_mask (_mm512_loadu_ps (row + c), _mm512_loadu_ps (thr + c), _CMP_LE_OQ) != 0)
      mask |= (guint64) 1 << (c / CHUNK);
  if (c < n)
    mask |= chunks_at_most_scalar (row + c, thr + c, n - c) << (c / CHUNK);
  return mask;
}

__attribute__((target ("avx"))) static guint64
finish_row_avx (float       *restrict row,
                const float *restrict sq_norms_j,
                float                 sq_norm_i,
                float                 thr,
                guint                 n)
{
  __m256 vi = _mm256_set1_ps (sq_norm_i);
  __m256 vt = _mm256_set1_ps (thr);
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    {
      __m256 d0 = _mm256_add_ps (_mm256_add_ps (_mm256_loadu_ps (row + c), _mm256_loadu_ps (sq_norms_j + c)), vi);
      __m256 d1 = _mm256_add_ps (_mm256_add_ps (_mm256_loadu_ps (row + c + 8), _mm256_loadu_ps (sq_norms_j + c + 8)), vi);

      _mm256_storeu_ps (row + c, d0);
      _mm256_storeu_ps (row + c + 8, d1);
      if (_mm256_movemask_ps (_mm256_or_ps (_mm256_cmp_ps (d0, vt, _CMP_LE_OQ), _mm256_cmp_ps (d1, vt, _CMP_LE_OQ))) != 0)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  if (c < n)
    mask |= finish_row_scalar (row + c, sq_norms_j + c, sq_norm_i, thr, n - c) << (c / CHUNK);
  return mask;
}

__attribute__((target ("avx"))) static guint64
chunks_at_most_avx (const float *restrict row,
                    const float *restrict thr,
                    guint                 n)
{
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    {
      __m256 m0 = _mm256_cmp_ps (_mm256_loadu_ps (row + c), _mm256_loadu_ps (thr + c), _CMP_LE_OQ);
      __m256 m1 = _mm256_cmp_ps (_mm256_loadu_ps (row + c + 8), _mm256_loadu_ps (thr + c + 8), _CMP_LE_OQ);

      if (_mm256_movemask_ps (_mm256_or_ps (m0, m1)) != 0)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  if (c < n)
    mask |= chunks_at_most_scalar (row + c, thr + c, n - c) << (c / CHUNK);
  return mask;
}
#endif

typedef guint64 (*FinishRowFunc)   (float *restrict, const float *restrict, float, float, guint);
typedef guint64 (*ChunksAtMostFunc) (const float *restrict, const float *restrict, guint);

static FinishRowFunc finish_row = finish_row_scalar;
static ChunksAtMostFunc chunks_at_most = chunks_at_most_scalar;

static void
pick_scan_functions (void)
{
  static gsize picked;

  if (!g_once_init_enter (&picked))
    return;
#if defined(__GNUC__) && defined(__x86_64__)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    {
      finish_row = finish_row_avx512;
      chunks_at_most = chunks_at_most_avx512;
    }
  else if (__builtin_cpu_supports ("avx"))
    {
      finish_row = finish_row_avx;
      chunks_at_most = chunks_at_most_avx;
    }
#endif
  g_once_init_leave (&picked, 1);
}

/* Pushes the entries of the chunks in @mask into the heap of row @i (skipping column @skip). */
static inline void
push_row_chunks (Heaps       *h,
                 guint        i,
                 const float *row,
                 guint        n,
                 guint64      mask,
                 guint        j0,
                 guint        skip)
{
  while (mask != 0)
    {
      guint chunk = __builtin_ctzll (mask);
      guint end = MIN (n, (chunk + 1) * CHUNK);

      mask &= mask - 1;
      for (guint c = chunk * CHUNK; c < end; c++)
        if (row[c] <= h->thr[i] && j0 + c != skip)
          heap_push (h, i, row[c], j0 + c);
    }
}

/* Σ (x − y)² for @bi vectors @x (row-major) against columns j0 .. j0+bj of the transposed @wt. */
DASSIE_SIMD static void
direct_tile (const float *restrict x,
             guint                 bi,
             const float *restrict wt,
             guint                 n,
             guint                 dim,
             guint                 j0,
             guint                 bj,
             float       *restrict tile)
{
  for (guint r = 0; r < bi; r++)
    {
      float *row = tile + (gsize) r * bj;

      for (guint c = 0; c < bj; c++)
        row[c] = 0.0f;
      for (guint d = 0; d < dim; d++)
        {
          const float *col = wt + (gsize) d * n + j0;
          float q = x[(gsize) r * dim + d];

          for (guint c = 0; c < bj; c++)
            {
              float t = q - col[c];

              row[c] += t * t;
            }
        }
    }
}

/* Adding these zeros leaves direct distances as they are, so both kinds of tile share the scan. */
static const float zeros[TILE_COLS];

/* The tile of distances (less the row's own squared norm when not direct) of rows @x against
 * store rows j0 .. j0+bj; returns the squared norms to add to its columns. */
static const float *
fill_tile (const Working *w,
           guint          n,
           guint          dim,
           const float   *x,
           guint          bi,
           guint          j0,
           guint          bj,
           float         *tile)
{
  if (w->direct)
    {
      direct_tile (x, bi, w->wt, n, dim, j0, bj, tile);
      return zeros;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, bi, bj, dim,
               -2.0f, x, dim, w->w + (gsize) j0 * dim, dim, 0.0f, tile, bj);
  return w->sq_norms + j0;
}

/* Rows i0 .. i0+bi against columns j0 .. j0+bj of one matrix. On the diagonal (i0 == j0) a point skips
 * itself; off it, each distance also feeds the column point's heap, so each pair is computed once. */
static void
scan_symmetric_tile (Heaps         *h,
                     const Working *w,
                     guint          dim,
                     guint          i0,
                     guint          bi,
                     guint          j0,
                     guint          bj,
                     float         *tile)
{
  gboolean diagonal = i0 == j0;
  const float *col_norms = fill_tile (w, h->n, dim, w->w + (gsize) i0 * dim, bi, j0, bj, tile);

  for (guint r = 0; r < bi; r++)
    {
      guint i = i0 + r;
      float *row = tile + (gsize) r * bj;
      guint64 mask = finish_row (row, col_norms, w->direct ? 0.0f : w->sq_norms[i], h->thr[i], bj);

      push_row_chunks (h, i, row, bj, mask, j0, diagonal ? i : G_MAXUINT);
      if (diagonal)
        continue;

      mask = chunks_at_most (row, h->thr + j0, bj);
      while (mask != 0)
        {
          guint chunk = __builtin_ctzll (mask);
          guint end = MIN (bj, (chunk + 1) * CHUNK);

          mask &= mask - 1;
          for (guint c = chunk * CHUNK; c < end; c++)
            if (row[c] <= h->thr[j0 + c])
              heap_push (h, j0 + c, row[c], i);
        }
    }
}

/* Queries q0 .. q0+bq (working vectors @qw, squared norms @qn) against store rows j0 .. j0+bj. */
static void
scan_query_tile (Heaps         *h,
                 const Working *w,
                 guint          n_store,
                 guint          dim,
                 const float   *qw,
                 const float   *qn,
                 const guint   *exclude,
                 guint          q0,
                 guint          bq,
                 guint          j0,
                 guint          bj,
                 float         *tile)
{
  const float *col_norms = fill_tile (w, n_store, dim, qw + (gsize) q0 * dim, bq, j0, bj, tile);

  for (guint r = 0; r < bq; r++)
    {
      guint q = q0 + r;
      float *row = tile + (gsize) r * bj;
      guint64 mask = finish_row (row, col_norms, w->direct ? 0.0f : qn[q], h->thr[q], bj);

      push_row_chunks (h, q, row, bj, mask, j0, exclude != NULL ? exclude[q] : G_MAXUINT);
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* exact refinement                                                                                  */

typedef struct
{
  double d;
  guint  idx;
} ExactCand;

static int
compare_exact_cand (const void *a,
                    const void *b)
{
  const ExactCand *x = a, *y = b;

  if (x->d != y->d)
    return x->d < y->d ? -1 : 1;
  return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* The k nearest by a full scan in double precision, for rows the bound could not settle. */
static void
exact_scan_row (const DassieVectors *self,
                const Working       *w,
                const float         *x,
                double               x_norm,
                guint                exclude,
                guint                k,
                ExactCand           *best)
{
  guint held = 0;

  for (guint j = 0; j < self->n_rows; j++)
    {
      double d;
      guint pos;

      if (j == exclude)
        continue;
      d = exact_working (self, w, x, x_norm, j);
      if (held == k && (d > best[k - 1].d || (d == best[k - 1].d && j > best[k - 1].idx)))
        continue;
      /* Insertion into the sorted list; k is small. */
      pos = held < k ? held++ : k - 1;
      while (pos > 0 && (best[pos - 1].d > d || (best[pos - 1].d == d && best[pos - 1].idx > j)))
        {
          best[pos] = best[pos - 1];
          pos--;
        }
      best[pos] = (ExactCand) { d, j };
    }
}

/* Unit roundoff of float; the bound below is generous, so that no ordering of the sgemm's sums can
 * break it. */
#define FLOAT_UNIT_ROUNDOFF (1.0 / 16777216.0)

/* Turns the candidates of query @q into its k exact nearest neighbours. Returns TRUE when the row had
 * to be rescanned. */
static gboolean
refine_row (const DassieVectors *self,
            const Working       *w,
            const Heaps         *h,
            guint                q,
            const float         *x,
            double               x_norm,
            double               x_working_norm,
            guint                exclude,
            guint                k,
            DassieMetric         metric,
            guint               *out_idx,
            float               *out_dist,
            ExactCand           *scratch)
{
  const Cand *cands = h->c + (gsize) q * h->kc;
  guint count = h->count[q];
  gboolean rescanned = FALSE;

  for (guint c = 0; c < count; c++)
    scratch[c] = (ExactCand) { exact_working (self, w, x, x_norm, cands[c].idx), cands[c].idx };
  qsort (scratch, count, sizeof (ExactCand), compare_exact_cand);

  /* A heap that is not full saw every point. When it is full, a point left out had an approximate
   * distance of at least the heap's worst, so its true distance is at least that minus the rounding
   * bound. */
  if (count == h->kc && count >= k)
    {
      double gamma = (2.0 * self->dim + 32.0) * FLOAT_UNIT_ROUNDOFF;
      double reach = x_working_norm + w->max_norm;
      /* Direct sums of squares err relatively, the sgemm form by the norms. */
      double lower = w->direct ? h->thr[q] * (1.0 - gamma) : h->thr[q] - gamma * reach * reach;
      double kth = scratch[k - 1].d;

      if (!(lower > kth + 1e-12 * fabs (kth) + 1e-300))
        {
          exact_scan_row (self, w, x, x_norm, exclude, k, scratch);
          rescanned = TRUE;
        }
    }
  else if (count < k)
    {
      exact_scan_row (self, w, x, x_norm, exclude, k, scratch);
      rescanned = TRUE;
    }

  for (guint c = 0; c < k; c++)
    {
      out_idx[c] = scratch[c].idx;
      out_dist[c] = _dassie_metric_from_working (metric, scratch[c].d);
    }
  return rescanned;
}

/* ------------------------------------------------------------------------------------------------ */
/* all pairs                                                                                         */

typedef struct
{
  DassieVectors      *self;
  const Working      *w;
  guint               k;
  guint               kc;
  DassieMetric        metric;
  guint               n_blocks;
  guint               n_tasks;
  guint              *task_i;
  guint              *task_j;
  gint                next_task;
  gint                done_tasks;
  Heaps              *heaps;       /* one per thread */
  DassieNeighbors    *result;
  gint                next_row_block;
  gint                n_fallback;
  GCancellable       *cancellable;
  gint                cancelled;
  DassieProgressFunc  progress;
  gpointer            progress_data;
  DassieEta           eta;
  gint64              last_report;
} AllPairs;

static void
report (AllPairs   *ap,
        double      fraction,
        gboolean    force)
{
  DassieProgress p = { "neighbours", fraction, -1, -1, NULL };
  gint64 now = g_get_monotonic_time ();

  if (ap->progress == NULL || (!force && now - ap->last_report < G_USEC_PER_SEC / 10))
    return;
  ap->last_report = now;
  dassie_eta_update (&ap->eta, fraction, 1.0, NULL, &p.eta_seconds);
  ap->progress (&p, ap->progress_data);
}

static gboolean
all_pairs_cancelled (AllPairs *ap)
{
  if (g_atomic_int_get (&ap->cancelled))
    return TRUE;
  if (ap->cancellable != NULL && g_cancellable_is_cancelled (ap->cancellable))
    {
      g_atomic_int_set (&ap->cancelled, 1);
      return TRUE;
    }
  return FALSE;
}

static void
all_pairs_scan_thread (guint    thread_index,
                       guint    n_threads,
                       gpointer user_data)
{
  AllPairs *ap = user_data;
  guint n = ap->self->n_rows;
  g_autofree float *tile = g_new (float, (gsize) TILE_ROWS * TILE_COLS);
  Heaps *h = &ap->heaps[thread_index];

  heaps_init (h, n, ap->kc);

  for (;;)
    {
      gint t = g_atomic_int_add (&ap->next_task, 1);
      guint bi, bj;

      if (t >= (gint) ap->n_tasks || all_pairs_cancelled (ap))
        break;

      bi = MIN (TILE_ROWS, n - ap->task_i[t] * TILE_ROWS);
      bj = MIN (TILE_COLS, n - ap->task_j[t] * TILE_COLS);
      scan_symmetric_tile (h, ap->w, ap->self->dim, ap->task_i[t] * TILE_ROWS, bi,
                           ap->task_j[t] * TILE_COLS, bj, tile);
      g_atomic_int_inc (&ap->done_tasks);
      if (thread_index == 0)
        report (ap, 0.95 * g_atomic_int_get (&ap->done_tasks) / ap->n_tasks, FALSE);
    }
}

/* Merges the threads' heaps into heap 0, keeping the kc best of every row. */
static void
merge_heaps (Heaps *heaps,
             guint  n_heaps,
             guint  row)
{
  for (guint t = 1; t < n_heaps; t++)
    {
      const Cand *c = heaps[t].c + (gsize) row * heaps[t].kc;

      for (guint e = 0; e < heaps[t].count[row]; e++)
        heap_push (&heaps[0], row, c[e].d, c[e].idx);
    }
}

static void
all_pairs_refine_thread (guint    thread_index,
                         guint    n_threads,
                         gpointer user_data)
{
  AllPairs *ap = user_data;
  DassieVectors *self = ap->self;
  const Working *w = ap->w;
  g_autofree ExactCand *scratch = g_new (ExactCand, MAX (ap->kc, ap->k) + 1);
  guint n = self->n_rows;
  const guint block = 256;

  for (;;)
    {
      gint b = g_atomic_int_add (&ap->next_row_block, 1);
      guint start = (guint) b * block;

      if (start >= n || all_pairs_cancelled (ap))
        break;

      for (guint i = start; i < MIN (n, start + block); i++)
        {
          merge_heaps (ap->heaps, n_threads, i);
          if (refine_row (self, w, &ap->heaps[0], i, self->data + (gsize) i * self->dim,
                          w->norms != NULL ? w->norms[i] : 0, sqrt (w->sq_norms[i]), i, ap->k,
                          ap->metric, ap->result->indices + (gsize) i * ap->k,
                          ap->result->distances + (gsize) i * ap->k, scratch))
            g_atomic_int_inc (&ap->n_fallback);
        }
    }
}

DassieNeighbors *
dassie_vectors_knn_all_exact (DassieVectors       *self,
                              guint                k,
                              DassieMetric         metric,
                              guint                n_threads,
                              DassieProgressFunc   progress,
                              gpointer             progress_data,
                              DassieKnnStats      *stats,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_autoptr(DassieNeighbors) result = NULL;
  AllPairs ap = { 0 };
  guint n;
  guint t = 0;
  int saved_blas;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (metric <= DASSIE_METRIC_COSINE, NULL);

  n = self->n_rows;
  if (!check_k (k, n > 0 ? n - 1 : 0, error))
    return NULL;

  n_threads = dassie_parallel_n_threads (n_threads);
  result = dassie_neighbors_new (n, k);

  ap.self = self;
  ap.w = get_working (self, metric);
  ap.k = k;
  ap.kc = k + MAX (CANDIDATE_MARGIN, k / 2);
  ap.metric = metric;
  ap.n_blocks = (n + TILE_ROWS - 1) / TILE_ROWS;
  ap.n_tasks = ap.n_blocks * (ap.n_blocks + 1) / 2;
  ap.task_i = g_new (guint, ap.n_tasks);
  ap.task_j = g_new (guint, ap.n_tasks);
  for (guint bi = 0; bi < ap.n_blocks; bi++)
    for (guint bj = bi; bj < ap.n_blocks; bj++)
      {
        ap.task_i[t] = bi;
        ap.task_j[t] = bj;
        t++;
      }
  ap.heaps = g_new0 (Heaps, n_threads);
  ap.result = result;
  ap.cancellable = cancellable;
  ap.progress = progress;
  ap.progress_data = progress_data;
  dassie_eta_start (&ap.eta);

  saved_blas = _dassie_blas_threads_push (1);
  _dassie_run_threads (n_threads, all_pairs_scan_thread, &ap);
  if (!ap.cancelled)
    _dassie_run_threads (n_threads, all_pairs_refine_thread, &ap);
  _dassie_blas_threads_pop (saved_blas);

  for (guint i = 0; i < n_threads; i++)
    heaps_clear (&ap.heaps[i]);
  g_free (ap.heaps);
  g_free (ap.task_i);
  g_free (ap.task_j);

  if (!finish_search (ap.cancelled, ap.n_fallback, FALSE, FALSE, cancellable, stats, error))
    return NULL;
  report (&ap, 1.0, TRUE);
  return g_steal_pointer (&result);
}

/* ------------------------------------------------------------------------------------------------ */
/* queries                                                                                           */

typedef struct
{
  DassieVectors   *self;
  const Working   *w;
  const float     *queries;
  guint            n_queries;
  const guint     *exclude;
  guint            k;
  DassieMetric     metric;
  float           *qw;
  float           *qn;
  double          *q_norm;
  Heaps            heaps;
  DassieNeighbors *result;
  gint             next_block;
  gint             n_fallback;
  GCancellable    *cancellable;
  gint             cancelled;
} Search;

static void
search_thread (guint    thread_index,
               guint    n_threads,
               gpointer user_data)
{
  Search *s = user_data;
  DassieVectors *self = s->self;
  guint dim = self->dim;
  g_autofree float *tile = g_new (float, (gsize) TILE_ROWS * TILE_COLS);
  g_autofree ExactCand *scratch = g_new (ExactCand, s->heaps.kc + s->k + 1);

  for (;;)
    {
      gint b = g_atomic_int_add (&s->next_block, 1);
      guint q0 = (guint) b * TILE_ROWS;
      guint bq;

      if (q0 >= s->n_queries)
        break;
      if (s->cancellable != NULL && g_cancellable_is_cancelled (s->cancellable))
        {
          g_atomic_int_set (&s->cancelled, 1);
          break;
        }

      bq = MIN (TILE_ROWS, s->n_queries - q0);
      for (guint q = q0; q < q0 + bq; q++)
        s->qn[q] = working_query (s->w, s->queries + (gsize) q * dim, dim, s->qw + (gsize) q * dim,
                                  &s->q_norm[q]);
      for (guint j0 = 0; j0 < self->n_rows; j0 += TILE_COLS)
        scan_query_tile (&s->heaps, s->w, self->n_rows, dim, s->qw, s->qn, s->exclude, q0, bq, j0,
                         MIN (TILE_COLS, self->n_rows - j0), tile);
      for (guint q = q0; q < q0 + bq; q++)
        if (refine_row (self, s->w, &s->heaps, q, s->queries + (gsize) q * dim, s->q_norm[q],
                        sqrt (s->qn[q]), s->exclude != NULL ? s->exclude[q] : G_MAXUINT, s->k, s->metric,
                        s->result->indices + (gsize) q * s->k, s->result->distances + (gsize) q * s->k,
                        scratch))
          g_atomic_int_inc (&s->n_fallback);
    }
}

DassieNeighbors *
dassie_vectors_search (DassieVectors   *self,
                       const float     *queries,
                       guint            n_queries,
                       const guint     *exclude,
                       guint            k,
                       DassieMetric     metric,
                       guint            n_threads,
                       DassieKnnStats  *stats,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr(DassieNeighbors) result = NULL;
  Search s = { 0 };
  guint available;
  guint n_blocks;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (queries != NULL || n_queries == 0, NULL);
  g_return_val_if_fail (metric <= DASSIE_METRIC_COSINE, NULL);

  available = self->n_rows;
  if (exclude != NULL && available > 0)
    available--;
  if (!check_k (k, available, error))
    return NULL;

  result = dassie_neighbors_new (n_queries, k);
  s.self = self;
  s.w = get_working (self, metric);
  s.queries = queries;
  s.n_queries = n_queries;
  s.exclude = exclude;
  s.k = k;
  s.metric = metric;
  s.qw = g_new (float, (gsize) MAX (n_queries, 1) * self->dim);
  s.qn = g_new (float, MAX (n_queries, 1));
  s.q_norm = g_new (double, MAX (n_queries, 1));
  s.result = result;
  s.cancellable = cancellable;
  heaps_init (&s.heaps, n_queries, k + MAX (CANDIDATE_MARGIN, k / 2));

  n_blocks = (n_queries + TILE_ROWS - 1) / TILE_ROWS;
  n_threads = MIN (dassie_parallel_n_threads (n_threads), MAX (n_blocks, 1));
  if (n_threads > 1)
    {
      int saved_blas = _dassie_blas_threads_push (1);

      _dassie_run_threads (n_threads, search_thread, &s);
      _dassie_blas_threads_pop (saved_blas);
    }
  else
    search_thread (0, 1, &s);

  heaps_clear (&s.heaps);
  g_free (s.qw);
  g_free (s.qn);
  g_free (s.q_norm);

  if (!finish_search (s.cancelled, s.n_fallback, FALSE, FALSE, cancellable, stats, error))
    return NULL;
  return g_steal_pointer (&result);
}

DassieNeighbors *
dassie_vectors_search_id (DassieVectors  *self,
                          const char     *id,
                          guint           k,
                          DassieMetric    metric,
                          GError        **error)
{
  guint row;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!dassie_vectors_lookup (self, id, &row))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no object with id %s in %s"), id,
                   self->path != NULL ? self->path : _("the vector store"));
      return NULL;
    }

  return dassie_vectors_search (self, self->data + (gsize) row * self->dim, 1, &row, k, metric, 1,
                                NULL, NULL, error);
}

/* ------------------------------------------------------------------------------------------------ */
/* all pairs through HNSW                                                                            */

typedef struct
{
  DassieVectors   *self;
  const Working   *w;
  DassieHnsw      *index;
  guint           *order;      /* rows in an order that keeps the graph's reads in cache */
  guint            k;
  DassieMetric     metric;
  DassieNeighbors *result;
  gint             next_block;
  gint             done_rows;
  gint             n_fallback;
  GCancellable    *cancellable;
  gint             cancelled;
  DassieProgressFunc progress;
  gpointer         progress_data;
  double           from;        /* where the queries start in the job's progress */
  DassieEta        eta;
  gint64           last_report;
} HnswQuery;

static void
hnsw_query_thread (guint    thread_index,
                   guint    n_threads,
                   gpointer user_data)
{
  HnswQuery *hq = user_data;
  DassieVectors *self = hq->self;
  const Working *w = hq->w;
  guint kq = hq->k + 1;
  g_autofree guint *rows = g_new (guint, kq);
  g_autofree ExactCand *scratch = g_new (ExactCand, kq + 1);
  const guint block = 256;

  for (;;)
    {
      gint b = g_atomic_int_add (&hq->next_block, 1);
      guint start = (guint) b * block;

      if (start >= self->n_rows)
        break;
      if (hq->cancellable != NULL && g_cancellable_is_cancelled (hq->cancellable))
        {
          g_atomic_int_set (&hq->cancelled, 1);
          break;
        }

      for (guint o = start; o < MIN (self->n_rows, start + block); o++)
        {
          guint i = hq->order[o];
          const float *x = self->data + (gsize) i * self->dim;
          double x_norm = w->norms != NULL ? w->norms[i] : 0;
          guint found = dassie_hnsw_neighbours_of (hq->index, i, kq, rows);
          guint m = 0;

          for (guint c = 0; c < found; c++)
            if (rows[c] != i)
              scratch[m++] = (ExactCand) { exact_working (self, w, x, x_norm, rows[c]), rows[c] };
          qsort (scratch, m, sizeof (ExactCand), compare_exact_cand);
          if (m < hq->k)
            {
              exact_scan_row (self, w, x, x_norm, i, hq->k, scratch);
              g_atomic_int_inc (&hq->n_fallback);
            }
          for (guint c = 0; c < hq->k; c++)
            {
              hq->result->indices[(gsize) i * hq->k + c] = scratch[c].idx;
              hq->result->distances[(gsize) i * hq->k + c] = _dassie_metric_from_working (hq->metric, scratch[c].d);
            }
        }

      g_atomic_int_add (&hq->done_rows, MIN (block, self->n_rows - start));
      if (thread_index == 0 && hq->progress != NULL &&
          g_get_monotonic_time () - hq->last_report > G_USEC_PER_SEC / 10)
        {
          double fraction = hq->from + (1.0 - hq->from) * g_atomic_int_get (&hq->done_rows) / (double) self->n_rows;
          DassieProgress p = { "neighbours", fraction, -1, -1, NULL };

          hq->last_report = g_get_monotonic_time ();
          dassie_eta_update (&hq->eta, fraction, 1.0, NULL, &p.eta_seconds);
          hq->progress (&p, hq->progress_data);
        }
    }
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

/* The median of @n values (sorted in place; n is k, small). */
static double
median_of_few (double *values,
               guint   n)
{
  for (guint a = 1; a < n; a++)
    for (guint b = a; b > 0 && values[b - 1] > values[b]; b--)
      {
        double t = values[b];

        values[b] = values[b - 1];
        values[b - 1] = t;
      }
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
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
  guint k = nb->k;
  g_autofree float *middle = g_new (float, MAX (nb->n_rows, 1));
  g_autofree guint *order = g_new (guint, MAX (nb->n_rows, 1));

  for (guint i = 0; i < nb->n_rows; i++)
    {
      const float *d = nb->distances + (gsize) i * k;

      middle[i] = k % 2 ? d[k / 2] : 0.5f * (d[k / 2 - 1] + d[k / 2]);
      order[i] = i;
    }
  g_qsort_with_data (order, (gint) nb->n_rows, sizeof (guint), compare_keys_descending, middle);
  for (guint r = 0; r < MIN (n_top, nb->n_rows); r++)
    marked[order[r]] = TRUE;
}

/* Returns the number of rows searched again, or -1 with @error set. */
static gint
recheck_rows (DassieVectors    *self,
              DassieNeighbors  *result,
              DassieMetric      metric,
              guint             n_threads,
              GCancellable     *cancellable,
              GError          **error)
{
  guint k = result->k;
  g_autofree double *kth = g_new (double, MAX (self->n_rows, 1));
  g_autofree double *around = g_new (double, k);
  g_autofree gboolean *marked = g_new0 (gboolean, MAX (self->n_rows, 1));
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(DassieNeighbors) exact = NULL;
  g_autofree float *queries = NULL;

  mark_top_rows (result, MAX (TOP_RECHECKED_MIN, (guint) (TOP_RECHECKED_FRACTION * self->n_rows)), marked);
  for (guint i = 0; i < self->n_rows; i++)
    kth[i] = squared_scale (metric, result->distances[(gsize) i * k + k - 1]);
  for (guint i = 0; i < self->n_rows; i++)
    {
      for (guint c = 0; c < k; c++)
        around[c] = kth[result->indices[(gsize) i * k + c]];
      if (marked[i] || kth[i] > STRANDED_RATIO * STRANDED_RATIO * median_of_few (around, k))
        g_array_append_val (rows, i);
    }
  if (rows->len == 0)
    return 0;

  queries = g_new (float, (gsize) rows->len * self->dim);
  for (guint r = 0; r < rows->len; r++)
    memcpy (queries + (gsize) r * self->dim, self->data + (gsize) g_array_index (rows, guint, r) * self->dim,
            self->dim * sizeof (float));
  exact = dassie_vectors_search (self, queries, rows->len, (const guint *) rows->data, k, metric, n_threads,
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

/* Progress of one phase of a job, mapped into [from, to] of the whole. */
typedef struct
{
  DassieProgressFunc func;
  gpointer           data;
  double             from;
  double             to;
} Phase;

static void
phase_progress (const DassieProgress *progress,
                gpointer              user_data)
{
  const Phase *phase = user_data;
  DassieProgress p = *progress;

  if (p.fraction >= 0)
    p.fraction = phase->from + p.fraction * (phase->to - phase->from);
  p.eta_seconds = -1;
  phase->func (&p, phase->data);
}

/* "<dir>/vectors-euclidean-m16-efc200.hnsw" and its ".json" beside it, which names the store. */
static char *
hnsw_index_path (const DassieKnnOptions *options)
{
  g_autofree char *name = g_strdup_printf ("vectors-%s-m%u-efc%u.hnsw",
                                           options->metric == DASSIE_METRIC_COSINE ? "cosine" : "euclidean",
                                           options->hnsw_m, options->hnsw_ef_construction);

  return g_build_filename (options->index_dir, name, NULL);
}

static DassieHnsw *
hnsw_load_matching (DassieVectors *self,
                    const char    *path)
{
  g_autofree char *meta_path = g_strconcat (path, ".json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *checksum = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(DassieHnsw) index = NULL;
  JsonObject *obj;

  if (!g_file_get_contents (meta_path, &contents, NULL, NULL) ||
      !json_parser_load_from_data (parser, contents, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  obj = json_node_get_object (json_parser_get_root (parser));
  checksum = dassie_vectors_get_checksum (self);
  if (g_strcmp0 (json_object_get_string_member_with_default (obj, "checksum", ""), checksum) != 0)
    return NULL;

  index = dassie_hnsw_load (path, self->dim, NULL);
  if (index == NULL || dassie_hnsw_get_n_rows (index) != self->n_rows)
    return NULL;
  return g_steal_pointer (&index);
}

static void
hnsw_save_with_meta (DassieVectors *self,
                     DassieHnsw    *index,
                     const char    *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *meta_path = g_strconcat (path, ".json", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *checksum = dassie_vectors_get_checksum (self);
  g_autofree char *meta = g_strdup_printf ("{ \"checksum\": \"%s\", \"rows\": %u, \"dim\": %u }\n",
                                           checksum, self->n_rows, self->dim);

  /* An index that cannot be kept is rebuilt next time; that is slower, not wrong. */
  if (g_mkdir_with_parents (dir, 0755) != 0 ||
      !dassie_hnsw_save (index, path, &error) ||
      !dassie_write_file_atomic (meta_path, meta, strlen (meta), &error))
    g_warning ("%s", error != NULL ? error->message : path);
}

static DassieNeighbors *
hnsw_knn_all (DassieVectors           *self,
              guint                    k,
              const DassieKnnOptions  *options,
              DassieKnnStats          *stats,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(DassieNeighbors) result = NULL;
  g_autoptr(DassieHnsw) index = NULL;
  g_autofree char *path = NULL;
  HnswQuery hq = { 0 };
  guint n_threads = dassie_parallel_n_threads (options->n_threads);
  gboolean loaded = FALSE;

  if (!check_k (k, self->n_rows > 0 ? self->n_rows - 1 : 0, error))
    return NULL;

  hq.w = get_working (self, options->metric);
  if (options->index_dir != NULL)
    {
      path = hnsw_index_path (options);
      index = hnsw_load_matching (self, path);
      loaded = index != NULL;
    }
  if (index == NULL)
    {
      Phase build = { options->progress, options->progress_data, 0.0, 0.7 };

      /* Building takes most of the time; the queries come after it. */
      index = dassie_hnsw_build (hq.w->w, self->n_rows, self->dim, options->hnsw_m,
                                 options->hnsw_ef_construction, 100, n_threads,
                                 options->progress != NULL ? phase_progress : NULL, &build, cancellable, error);
      if (index == NULL)
        return NULL;
      if (path != NULL)
        hnsw_save_with_meta (self, index, path);
    }
  dassie_hnsw_set_ef (index, MAX (options->hnsw_ef, k + 1));

  result = dassie_neighbors_new (self->n_rows, k);
  hq.self = self;
  hq.index = index;
  hq.order = dassie_hnsw_locality_order (index);
  hq.k = k;
  hq.metric = options->metric;
  hq.result = result;
  hq.cancellable = cancellable;
  hq.progress = options->progress;
  hq.progress_data = options->progress_data;
  hq.from = loaded ? 0.0 : 0.7;
  dassie_eta_start (&hq.eta);
  _dassie_run_threads (n_threads, hnsw_query_thread, &hq);
  g_free (hq.order);
  if (!hq.cancelled)
    {
      gint rechecked = recheck_rows (self, result, options->metric, n_threads, cancellable, error);

      if (rechecked < 0)
        return NULL;
      hq.n_fallback += rechecked;
    }

  if (!finish_search (hq.cancelled, hq.n_fallback, TRUE, loaded, cancellable, stats, error))
    return NULL;
  return g_steal_pointer (&result);
}

/* ------------------------------------------------------------------------------------------------ */

DassieNeighbors *
dassie_vectors_knn_all (DassieVectors           *self,
                        guint                    k,
                        const DassieKnnOptions  *options,
                        DassieKnnStats          *stats,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  gboolean use_hnsw;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  switch (options->index)
    {
    case DASSIE_INDEX_EXACT:
      use_hnsw = FALSE;
      break;
    case DASSIE_INDEX_HNSW:
      use_hnsw = TRUE;
      break;
    case DASSIE_INDEX_AUTO:
    default:
      use_hnsw = self->n_rows >= options->hnsw_threshold;
      break;
    }

  if (!use_hnsw)
    return dassie_vectors_knn_all_exact (self, k, options->metric, options->n_threads, options->progress,
                                         options->progress_data, stats, cancellable, error);

  return hnsw_knn_all (self, k, options, stats, cancellable, error);
}

DassieNeighbors *
dassie_neighbors_new (guint n_rows,
                      guint k)
{
  DassieNeighbors *self = g_new0 (DassieNeighbors, 1);

  self->n_rows = n_rows;
  self->k = k;
  self->indices = g_new0 (guint, MAX ((gsize) n_rows * k, 1));
  self->distances = g_new0 (float, MAX ((gsize) n_rows * k, 1));
  return self;
}

void
dassie_neighbors_free (DassieNeighbors *self)
{
  if (self == NULL)
    return;
  g_free (self->indices);
  g_free (self->distances);
  g_free (self);
}
