/* dassie-lof.h: the local outlier factor of every object from its nearest neighbours
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-vectors.h"

G_BEGIN_DECLS

/* The local outlier factor (Breunig et al. 2000) as scikit-learn's LocalOutlierFactor computes it,
 * from every object's k nearest neighbours (itself excluded, nearest first, as
 * dassie_vectors_knn_all() finds them): the k-distance of o is its distance to its k-th neighbour,
 * reach(p, o) = max (k-distance (o), d (p, o)), lrd (p) = 1 / (mean reach (p, ·) + 1e-10) and
 * LOF (p) = mean lrd (neighbours) / lrd (p). Distances in @metric's units; squared Euclidean ones are
 * taken to Euclidean first, as scikit-learn measures. n values, about 1 inside a cluster and larger
 * the more isolated an object is (scikit-learn's negative_outlier_factor_ is −LOF). */
float *dassie_lof_from_neighbors (const DassieNeighbors *neighbors,
                                  DassieMetric           metric);

G_END_DECLS
