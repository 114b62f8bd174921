/* dassie-iforest.h: isolation forest anomaly scores (Liu, Ting and Zhou 2008)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint   n_trees;      /* scikit-learn's n_estimators: 100 */
  guint   max_samples;  /* objects drawn (without replacement) for each tree: min (256, n) */
  guint64 seed;
  guint   n_threads;    /* for the scoring; 0: every processor. The scores do not depend on it. */
} DassieIforestOptions;

/* scikit-learn's IsolationForest defaults (100 trees of 256 objects) with @seed. */
void    dassie_iforest_options_init (DassieIforestOptions       *options,
                                     guint64                     seed);

/* c(n): the mean path length of an unsuccessful search in a binary search tree of n objects,
 * 2 H(n − 1) − 2 (n − 1) / n, with c(1) = 0 and c(2) = 1. */
double  dassie_iforest_average_path (guint                       n);

/* The anomaly score 2^(−E[h(x)] / c(ψ)) of each of the @n rows of @data (n × dim): h(x) is the depth
 * of the leaf that x falls into in a tree grown on ψ = min (max_samples, n) objects by random cuts
 * (a random feature that varies among the node's objects, a threshold uniform between their minimum
 * and maximum, the node's objects at or below it to the left) down to depth ceil (log2 ψ), plus c of
 * the number of training objects in that leaf; E is the mean over the trees. Near 1: isolated at once;
 * 0.5 or less: ordinary. scikit-learn's score_samples() is its negative. Each tree draws from its own
 * generator seeded by @seed and its number, and every object sums its trees in order, so the scores
 * are the same bits for any thread count. NULL only when cancelled. */
float  *dassie_iforest_scores       (const float                *data,
                                     guint                       n,
                                     guint                       dim,
                                     const DassieIforestOptions *options,
                                     GCancellable               *cancellable,
                                     GError                    **error);

G_END_DECLS
