/* dassie-normalize.c: per-band input normalisations: Hyrax's per-pixel transform, robust scaling, arcsinh
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-dataset.h"
#include "dassie-normalize.h"

/* The scale of a normal distribution's MAD: σ = 1.4826 · MAD. */
#define MAD_TO_SIGMA 1.482602218505602

static const char * const normalization_names[] = { "tanh", "robust", "asinh", NULL };

const char * const *
dassie_normalization_names (void)
{
  return normalization_names;
}

gboolean
dassie_normalization_from_string (const char          *name,
                                  DassieNormalization *normalization)
{
  g_return_val_if_fail (normalization != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; normalization_names[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, normalization_names[i]) == 0)
      {
        *normalization = (DassieNormalization) i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "arcsinh") == 0)
    {
      *normalization = DASSIE_NORMALIZATION_ASINH;
      return TRUE;
    }
  return FALSE;
}

const char *
dassie_normalization_to_string (DassieNormalization normalization)
{
  g_return_val_if_fail (normalization <= DASSIE_NORMALIZATION_ASINH, NULL);
  return normalization_names[normalization];
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a;
  float y = *(const float *) b;

  return (x > y) - (x < y);
}

/* The median of @n sorted values (the mean of the middle two for an even count, as numpy's). */
static float
sorted_median (const float *sorted,
               gsize        n)
{
  return n % 2 == 1 ? sorted[n / 2] : (float) (0.5 * ((double) sorted[n / 2 - 1] + sorted[n / 2]));
}

void
dassie_band_noise (const float *values,
                   gsize        n,
                   float       *median,
                   float       *sigma)
{
  g_autofree float *work = g_new (float, MAX (n, 1));
  gsize m = 0;
  float med, mad;

  g_return_if_fail (values != NULL || n == 0);
  g_return_if_fail (median != NULL && sigma != NULL);

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      work[m++] = values[i];
  if (m == 0)
    {
      *median = 0;
      *sigma = 1;
      return;
    }
  /* A cutout band is a few thousand values: sorting twice is cheap beside a training step. */
  qsort (work, m, sizeof (float), compare_floats);
  med = sorted_median (work, m);
  for (gsize i = 0; i < m; i++)
    work[i] = fabsf (work[i] - med);
  qsort (work, m, sizeof (float), compare_floats);
  mad = sorted_median (work, m);
  *median = med;
  *sigma = mad > 0 && isfinite (mad) ? (float) (MAD_TO_SIGMA * mad) : 1.0f;
}

float
dassie_normalize_value (DassieNormalization normalization,
                        float               softening,
                        float               median,
                        float               sigma,
                        float               value)
{
  switch (normalization)
    {
    case DASSIE_NORMALIZATION_ROBUST:
      return (value - median) / sigma;
    case DASSIE_NORMALIZATION_ASINH:
      return asinhf ((value - median) / (softening * sigma));
    case DASSIE_NORMALIZATION_TANH:
    default:
      return value;
    }
}

float
dassie_normalize_invert (DassieNormalization normalization,
                         float               softening,
                         float               median,
                         float               sigma,
                         float               value)
{
  switch (normalization)
    {
    case DASSIE_NORMALIZATION_ROBUST:
      return value * sigma + median;
    case DASSIE_NORMALIZATION_ASINH:
      return sinhf (value) * softening * sigma + median;
    case DASSIE_NORMALIZATION_TANH:
    default:
      return value;
    }
}

void
dassie_dataset_invert_band (const DassieDatasetOptions *options,
                            const float                *raw,
                            gsize                       n,
                            float                      *values)
{
  float median = 0, sigma = 1;

  if (options->normalization != DASSIE_NORMALIZATION_TANH)
    dassie_band_noise (raw, n, &median, &sigma);
  for (gsize p = 0; p < n; p++)
    values[p] = options->normalization == DASSIE_NORMALIZATION_TANH
                ? dassie_transform_invert (options->transform, values[p])
                : dassie_normalize_invert (options->normalization, options->asinh_softening, median, sigma,
                                           values[p]);
}
