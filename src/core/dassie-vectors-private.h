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
/* Sets OpenBLAS's thread count and returns the previous one, so that threads which each call sgemm do
 * not also start OpenBLAS's threads; give the result back to _dassie_blas_threads_pop(). */
int            _dassie_blas_threads_push    (int              n_threads);
void           _dassie_blas_threads_pop     (int              saved);

/* A store over someone else's matrix, without ids: for UMAP's samples and embeddings. The matrix must
 * outlive the store. */
DassieVectors *_dassie_vectors_new_borrowed (const float *data,
                                             guint        n_rows,
                                             guint        dim);

/* Metric distance from the internal "working" distance (squared, on centred or unit vectors). */
float          _dassie_metric_from_working  (DassieMetric metric,
                                             double       working);

G_END_DECLS
