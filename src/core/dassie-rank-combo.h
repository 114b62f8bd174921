/* dassie-rank-combo.h: several anomaly scores combined through their ranks
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  DASSIE_RANK_COMBINE_MEAN,  /* the mean of an object's rank percentiles */
  DASSIE_RANK_COMBINE_MAX,   /* the highest of them */
} DassieRankCombine;

gboolean dassie_rank_combine_from_string (const char         *text,
                                          DassieRankCombine  *how);

/* The rank percentile of each of @n values: (r − 1) / (m − 1) where r is its rank among the m finite
 * values from the lowest (ties share the mean of their ranks) and 0.5 when m = 1; NaN stays NaN. */
void     dassie_rank_percentiles         (const float        *values,
                                          guint               n,
                                          float              *percentiles);

/* The combination of @n_columns scores of @n objects (each larger = more anomalous): the mean or the
 * highest of an object's rank percentiles in each column, over the columns where it has a score (NaN
 * when it has none). Returns n values in [0, 1]. */
float   *dassie_rank_combine             (const float * const *columns,
                                          guint               n_columns,
                                          guint               n,
                                          DassieRankCombine   how);

G_END_DECLS
