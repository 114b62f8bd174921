/* dassie-quality.h: how faithfully a 2-D layout keeps the neighbourhoods of the original vectors
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Trustworthiness of an embedding, as sklearn.manifold.trustworthiness computes it (Euclidean in both
 * spaces): 1 − 2 / (n k (2n − 3k − 1)) Σ_i Σ_{j ∈ k-NN of i in @y} max (0, r(i, j) − k), where r(i, j) is
 * j's rank among i's neighbours in @x (equal distances ranked by row). Returns a negative number when
 * k ≥ n / 2 or when cancelled. */
double dassie_trustworthiness (const float  *x,
                               guint         n_rows,
                               guint         dim,
                               const float  *y,
                               guint         y_dim,
                               guint         k,
                               guint         n_threads,
                               GCancellable *cancellable);

G_END_DECLS
