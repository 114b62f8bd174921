/* dassie-vectors-private.h: what the neighbour search shares with HNSW, scores, UMAP and quality
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-vectors.h"

G_BEGIN_DECLS

/* Hot loops get AVX-512 and AVX2 versions picked at run time; the rest of the build stays portable. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
# define DASSIE_SIMD __attribute__((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default"), \
                                    optimize ("O3")))
#else
# define DASSIE_SIMD
#endif

/* Runs @func once on each of @n_threads threads (the caller's own thread is thread 0). */
typedef void (*DassieThreadFunc) (guint    thread_index,
                                  guint    n_threads,
                                  gpointer user_data);
void           _dassie_run_threads          (guint            n_threads,
                                             DassieThreadFunc func,
                                             gpointer         user_data);

/* A store over someone else's matrix, without ids: for UMAP's samples and embeddings. The matrix must
 * outlive the store. */
DassieVectors *_dassie_vectors_new_borrowed (const float *data,
                                             guint        n_rows,
                                             guint        dim);

/* Metric distance from the internal "working" distance (squared, on centred or unit vectors). */
float          _dassie_metric_from_working  (DassieMetric metric,
                                             double       working);

/* The store's internals, for the exact search (dassie-knn.c) and the HNSW one (dassie-knn-hnsw.c). */
typedef struct
{
  float  *w;            /* n × dim working vectors */
  float  *sq_norms;     /* ‖w_i‖² */
  double *norms;        /* ‖x_i‖ of the original vectors (cosine only) */
  float  *center;       /* dim (Euclidean only) */
  double  max_norm;     /* the largest ‖w_i‖ */
  gboolean direct;      /* few dimensions: distances summed directly from wt, not by sgemm */
  float  *wt;           /* dim × n, the working vectors transposed (direct only) */
} DassieWorking;

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
  DassieWorking     *working[2];  /* [0] Euclidean, [1] cosine */
  GMutex       lock;
};

/* The working vectors of @metric, made on first use and kept with the store. */
const DassieWorking *_dassie_vectors_get_working (DassieVectors *self,
                                                  DassieMetric   metric);

/* The working (squared) distance in double precision, from the original vectors. */
static inline double
_dassie_exact_working (const DassieVectors *self,
                       const DassieWorking *w,
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


/* A candidate neighbour at its exact working distance. */
typedef struct
{
  double d;
  guint  idx;
} DassieExactCand;

/* Orders by distance, then row. */
int            _dassie_exact_cand_compare   (const void          *a,
                                             const void          *b);
/* The k nearest of @x by a full scan in double precision into @best (k entries, sorted). */
void           _dassie_exact_scan_row       (const DassieVectors *self,
                                             const DassieWorking *w,
                                             const float         *x,
                                             double               x_norm,
                                             guint                exclude,
                                             guint                k,
                                             DassieExactCand     *best);

/* A @k that is not between 1 and @available is an error. */
gboolean       _dassie_knn_check_k          (guint            k,
                                             guint            available,
                                             GError         **error);
/* After the threads of a search: the cancellation error, or the statistics. */
gboolean       _dassie_knn_finish_search    (gboolean         cancelled,
                                             guint            n_fallback,
                                             gboolean         used_hnsw,
                                             gboolean         loaded_index,
                                             GCancellable    *cancellable,
                                             DassieKnnStats  *stats,
                                             GError         **error);

/* The scores policy (dassie-scores.c): searches again exactly the rows of an approximate @result whose
 * scores are the highest, and those stranded far from their neighbours. Returns the number of rows
 * searched again, or -1 with @error set. */
gint           _dassie_scores_recheck_top   (DassieVectors    *store,
                                             DassieNeighbors  *result,
                                             DassieMetric      metric,
                                             guint            n_threads,
                                             GCancellable     *cancellable,
                                             GError          **error);

G_END_DECLS
