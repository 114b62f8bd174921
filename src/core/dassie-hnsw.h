/* dassie-hnsw.h: a C interface to hnswlib's approximate nearest-neighbour graph (squared L2)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-progress.h"

G_BEGIN_DECLS

typedef struct _DassieHnsw DassieHnsw;

/* Builds an index over @n_rows rows of @data (squared Euclidean distance). Rows are inserted in order
 * on one thread when @n_threads is 1, which makes the graph the same on every run; more threads build
 * faster but the graph then depends on timing. @progress (stage "index") is called from the calling
 * thread. */
DassieHnsw *dassie_hnsw_build       (const float    *data,
                                     guint           n_rows,
                                     guint           dim,
                                     guint           m,
                                     guint           ef_construction,
                                     guint           seed,
                                     guint           n_threads,
                                     DassieProgressFunc progress,
                                     gpointer        user_data,
                                     GCancellable   *cancellable,
                                     GError        **error);
DassieHnsw *dassie_hnsw_load        (const char     *path,
                                     guint           dim,
                                     GError        **error);
/* Writes under a temporary name and renames. */
gboolean    dassie_hnsw_save        (DassieHnsw     *self,
                                     const char     *path,
                                     GError        **error);
void        dassie_hnsw_free        (DassieHnsw     *self);

guint       dassie_hnsw_get_n_rows  (DassieHnsw     *self);
void        dassie_hnsw_set_ef      (DassieHnsw     *self,
                                     guint           ef);
/* Up to @k approximate neighbours of @query, nearest first; returns how many were found. Safe to call
 * from several threads at once. */
/* Up to @k rows of the index nearest to its row @row, nearest first, found from the row's place in
 * the graph. The order is by the index's own distances, which may be rounded (rows are kept in half
 * precision where the processor converts them quickly): rank the candidates exactly if that matters.
 * The row itself is usually the first. Safe to call from several threads at once. */
guint       dassie_hnsw_neighbours_of (DassieHnsw   *self,
                                       guint         row,
                                       guint         k,
                                       guint        *rows);

guint      *dassie_hnsw_locality_order (DassieHnsw  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieHnsw, dassie_hnsw_free)

G_END_DECLS
