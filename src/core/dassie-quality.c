/* dassie-quality.c: how faithfully a 2-D layout keeps the neighbourhoods of the original vectors
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>
#include <math.h>

#include "dassie-parallel.h"
#include "dassie-quality.h"
#include "dassie-vectors-private.h"

#define ROW_BLOCK 64

typedef struct
{
  const float            *centred;
  const float            *sq_norms;
  guint                   n;
  guint                   dim;
  guint                   k;
  const DassieNeighbors  *embedded;
  double                 *penalty;   /* per thread */
  gint                    next_block;
  GCancellable           *cancellable;
} Trust;

/* How many of @n distances are below @t. */
DASSIE_SIMD static guint
count_below (const float *d,
             guint        n,
             float        t)
{
  guint count = 0;

  for (guint l = 0; l < n; l++)
    count += d[l] < t;
  return count;
}

DASSIE_SIMD static guint
count_equal (const float *d,
             guint        n,
             float        t)
{
  guint count = 0;

  for (guint l = 0; l < n; l++)
    count += d[l] == t;
  return count;
}

static void
trust_thread (guint    thread_index,
              guint    n_threads,
              gpointer user_data)
{
  Trust *tr = user_data;
  g_autofree float *tile = g_new (float, (gsize) ROW_BLOCK * tr->n);
  double penalty = 0;

  for (;;)
    {
      gint b = g_atomic_int_add (&tr->next_block, 1);
      guint i0 = (guint) b * ROW_BLOCK;
      guint bi;

      if (i0 >= tr->n || (tr->cancellable != NULL && g_cancellable_is_cancelled (tr->cancellable)))
        break;

      bi = MIN (ROW_BLOCK, tr->n - i0);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, bi, tr->n, tr->dim, -2.0f,
                   tr->centred + (gsize) i0 * tr->dim, tr->dim, tr->centred, tr->dim, 0.0f, tile, tr->n);

      for (guint r = 0; r < bi; r++)
        {
          guint i = i0 + r;
          float *d = tile + (gsize) r * tr->n;

          for (guint l = 0; l < tr->n; l++)
            d[l] = (d[l] + tr->sq_norms[l]) + tr->sq_norms[i];
          /* The point itself ranks last, as sklearn's infinite diagonal puts it. */
          d[i] = INFINITY;

          for (guint c = 0; c < tr->k; c++)
            {
              guint j = tr->embedded->indices[(gsize) i * tr->k + c];
              float t = d[j];
              /* Rank of j: the points nearer than it, and the equally near ones before it, plus one. */
              guint rank = count_below (d, tr->n, t) + count_equal (d, j, t) + 1;

              if (rank > tr->k)
                penalty += rank - tr->k;
            }
        }
    }

  tr->penalty[thread_index] = penalty;
}

double
dassie_trustworthiness (const float  *x,
                        guint         n_rows,
                        guint         dim,
                        const float  *y,
                        guint         y_dim,
                        guint         k,
                        guint         n_threads,
                        GCancellable *cancellable)
{
  g_autoptr(DassieVectors) store = NULL;
  g_autoptr(DassieNeighbors) embedded = NULL;
  g_autofree double *mean = NULL;
  g_autofree float *centred = NULL;
  g_autofree float *sq_norms = NULL;
  g_autofree double *penalty = NULL;
  Trust tr = { 0 };
  double total = 0;
  double n = n_rows;

  g_return_val_if_fail (x != NULL && y != NULL, -1);
  g_return_val_if_fail (dim > 0 && y_dim > 0, -1);

  if (k == 0 || 2 * (guint64) k >= n_rows)
    return -1;

  /* Neighbours in the layout. */
  store = _dassie_vectors_new_borrowed (y, n_rows, y_dim);
  embedded = dassie_vectors_knn_all_exact (store, k, DASSIE_METRIC_SQEUCLIDEAN, n_threads, NULL, NULL, NULL,
                                           cancellable, NULL);
  if (embedded == NULL)
    return -1;

  /* Ranks in the original space, from distances on centred vectors. */
  mean = g_new0 (double, dim);
  centred = g_new (float, (gsize) n_rows * dim);
  sq_norms = g_new (float, n_rows);
  for (gsize i = 0; i < (gsize) n_rows * dim; i++)
    mean[i % dim] += x[i];
  for (guint d = 0; d < dim; d++)
    mean[d] /= n_rows;
  for (guint i = 0; i < n_rows; i++)
    {
      double s = 0;

      for (guint d = 0; d < dim; d++)
        {
          float v = (float) (x[(gsize) i * dim + d] - mean[d]);

          centred[(gsize) i * dim + d] = v;
          s += (double) v * v;
        }
      sq_norms[i] = (float) s;
    }

  n_threads = dassie_parallel_n_threads (n_threads);
  penalty = g_new0 (double, n_threads);
  tr.centred = centred;
  tr.sq_norms = sq_norms;
  tr.n = n_rows;
  tr.dim = dim;
  tr.k = k;
  tr.embedded = embedded;
  tr.penalty = penalty;
  tr.cancellable = cancellable;

  dassie_blas_single_begin ();
  _dassie_run_threads (n_threads, trust_thread, &tr);
  dassie_blas_single_end ();

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    return -1;

  for (guint t = 0; t < n_threads; t++)
    total += penalty[t];
  return 1.0 - total * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)));
}
