/* dassie-parallel.h: split a loop over the cores, deterministically
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*DassieRangeFunc) (guint    begin,
                                 guint    end,
                                 gpointer user_data);

/* Runs @func over [0, n) in contiguous chunks, one per thread (0 threads: one per core). The chunks
 * depend only on n and the thread count, so results are reproducible for a given thread count. */
void   dassie_parallel_for        (guint           n,
                                   guint           n_threads,
                                   DassieRangeFunc func,
                                   gpointer        user_data);
guint  dassie_parallel_n_threads  (guint           requested);

/* Brackets work that threads itself and wants OpenBLAS on one thread; nests across threads. */
void   dassie_blas_single_begin   (void);
void   dassie_blas_single_end     (void);

G_END_DECLS
