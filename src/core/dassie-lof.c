/* dassie-lof.c: the local outlier factor of every object from its nearest neighbours
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-lof.h"

float *
dassie_lof_from_neighbors (const DassieNeighbors *neighbors,
                           DassieMetric           metric)
{
  guint n, k;
  g_autofree double *dist = NULL;
  g_autofree double *lrd = NULL;
  float *lof;

  g_return_val_if_fail (neighbors != NULL, NULL);

  n = neighbors->n_rows;
  k = neighbors->k;
  lof = g_new (float, MAX (n, 1));
  if (k == 0)
    {
      for (guint i = 0; i < n; i++)
        lof[i] = NAN;
      return lof;
    }

  dist = g_new (double, MAX ((gsize) n * k, 1));
  for (gsize c = 0; c < (gsize) n * k; c++)
    {
      double d = MAX (0.0, neighbors->distances[c]);

      dist[c] = metric == DASSIE_METRIC_SQEUCLIDEAN ? sqrt (d) : d;
    }

  lrd = g_new (double, MAX (n, 1));
  for (guint p = 0; p < n; p++)
    {
      double sum = 0;

      for (guint c = 0; c < k; c++)
        {
          guint o = neighbors->indices[(gsize) p * k + c];

          sum += MAX (dist[(gsize) o * k + k - 1], dist[(gsize) p * k + c]);
        }
      /* scikit-learn's 1e-10 keeps duplicates (all reach distances 0) finite. */
      lrd[p] = 1.0 / (sum / k + 1e-10);
    }

  for (guint p = 0; p < n; p++)
    {
      double sum = 0;

      for (guint c = 0; c < k; c++)
        sum += lrd[neighbors->indices[(gsize) p * k + c]];
      lof[p] = (float) (sum / k / lrd[p]);
    }
  return lof;
}
