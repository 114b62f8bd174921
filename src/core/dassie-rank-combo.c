/* dassie-rank-combo.c: several anomaly scores combined through their ranks
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-rank-combo.h"

gboolean
dassie_rank_combine_from_string (const char        *text,
                                 DassieRankCombine *how)
{
  g_return_val_if_fail (how != NULL, FALSE);

  if (g_strcmp0 (text, "mean") == 0)
    *how = DASSIE_RANK_COMBINE_MEAN;
  else if (g_strcmp0 (text, "max") == 0)
    *how = DASSIE_RANK_COMBINE_MAX;
  else
    return FALSE;
  return TRUE;
}

static int
compare_values (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const float *values = user_data;
  float x = values[*(const guint *) a], y = values[*(const guint *) b];

  return (x > y) - (x < y);
}

void
dassie_rank_percentiles (const float *values,
                         guint        n,
                         float       *percentiles)
{
  g_autofree guint *order = g_new (guint, MAX (n, 1));
  guint m = 0;

  g_return_if_fail (values != NULL || n == 0);
  g_return_if_fail (percentiles != NULL || n == 0);

  for (guint i = 0; i < n; i++)
    {
      percentiles[i] = NAN;
      if (isfinite (values[i]))
        order[m++] = i;
    }
  g_qsort_with_data (order, (gint) m, sizeof (guint), compare_values, (gpointer) values);
  for (guint r = 0; r < m;)
    {
      guint end = r + 1;
      double rank;

      while (end < m && values[order[end]] == values[order[r]])
        end++;
      /* Ranks r + 1 .. end, 1-based: their mean, less one, over m − 1. */
      rank = (r + end - 1) / 2.0;
      for (guint t = r; t < end; t++)
        percentiles[order[t]] = m > 1 ? (float) (rank / (m - 1)) : 0.5f;
      r = end;
    }
}

float *
dassie_rank_combine (const float * const *columns,
                     guint                n_columns,
                     guint                n,
                     DassieRankCombine    how)
{
  g_autofree float *percentiles = g_new (float, MAX ((gsize) n * n_columns, 1));
  float *combined = g_new (float, MAX (n, 1));

  g_return_val_if_fail (columns != NULL || n_columns == 0, combined);

  for (guint c = 0; c < n_columns; c++)
    dassie_rank_percentiles (columns[c], n, percentiles + (gsize) c * n);
  for (guint i = 0; i < n; i++)
    {
      double sum = 0, high = -INFINITY;
      guint used = 0;

      for (guint c = 0; c < n_columns; c++)
        {
          float p = percentiles[(gsize) c * n + i];

          if (isnan (p))
            continue;
          sum += p;
          high = MAX (high, p);
          used++;
        }
      if (used == 0)
        combined[i] = NAN;
      else
        combined[i] = (float) (how == DASSIE_RANK_COMBINE_MAX ? high : sum / used);
    }
  return combined;
}
