/* dassie-knn-hnsw.c: every row's k nearest neighbours through an HNSW index kept beside the latents, or exactly
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-hnsw.h"
#include "dassie-parallel.h"
#include "dassie-vectors-private.h"

/* ------------------------------------------------------------------------------------------------ */
/* all pairs through HNSW                                                                            */

typedef struct
{
  DassieVectors       *self;
  const DassieWorking *w;
  DassieHnsw          *index;
  guint               *order; /* rows in an order that keeps the graph's reads in cache */
  guint                k;
  DassieMetric         metric;
  DassieNeighbors     *result;
  gint                 next_block;
  gint                 done_rows;
  gint                 n_fallback;
  GCancellable        *cancellable;
  gint                 cancelled;
  DassieProgressFunc   progress;
  gpointer             progress_data;
  double               from;  /* where the queries start in the job's progress */
  DassieEta            eta;
  gint64               last_report;
} HnswQuery;

static void
hnsw_query_thread (guint    thread_index,
                   guint    n_threads,
                   gpointer user_data)
{
  HnswQuery *hq = user_data;
  DassieVectors *self = hq->self;
  const DassieWorking *w = hq->w;
  guint kq = hq->k + 1;
  g_autofree guint *rows = g_new (guint, kq);
  g_autofree DassieExactCand *scratch = g_new (DassieExactCand, kq + 1);
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
              scratch[m++] = (DassieExactCand) { _dassie_exact_working (self, w, x, x_norm, rows[c]), rows[c] };
          qsort (scratch, m, sizeof (DassieExactCand), _dassie_exact_cand_compare);
          if (m < hq->k)
            {
              _dassie_exact_scan_row (self, w, x, x_norm, i, hq->k, scratch);
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

  if (!_dassie_knn_check_k (k, self->n_rows > 0 ? self->n_rows - 1 : 0, error))
    return NULL;

  hq.w = _dassie_vectors_get_working (self, options->metric);
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
      gint rechecked = _dassie_scores_recheck_top (self, result, options->metric, n_threads, cancellable, error);

      if (rechecked < 0)
        return NULL;
      hq.n_fallback += rechecked;
    }

  if (!_dassie_knn_finish_search (hq.cancelled, hq.n_fallback, TRUE, loaded, cancellable, stats, error))
    return NULL;
  return g_steal_pointer (&result);
}

/* ------------------------------------------------------------------------------------------------ */
/* which search runs                                                                                 */

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
