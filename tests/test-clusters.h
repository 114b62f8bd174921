/* test-clusters.h: clustered synthetic vectors for the analysis tests
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <math.h>

/* @n_rows points in @dim dimensions around @n_clusters centres drawn from N(0, spread²), each point
 * N(0, 1) around its centre; @labels (or NULL) receives each point's cluster. Seeded, so every run
 * sees the same set. */
static inline float *
make_clusters (guint    n_rows,
               guint    dim,
               guint    n_clusters,
               double   spread,
               guint32  seed,
               guint   *labels)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree double *centres = g_new (double, (gsize) n_clusters * dim);
  float *data = g_new (float, (gsize) n_rows * dim);

  /* Box–Muller from GRand's uniform doubles. */
#define GAUSS() (sqrt (-2.0 * log (1.0 - g_rand_double (rand))) * cos (2 * G_PI * g_rand_double (rand)))
  for (gsize i = 0; i < (gsize) n_clusters * dim; i++)
    centres[i] = spread * GAUSS ();
  for (guint i = 0; i < n_rows; i++)
    {
      guint c = i % n_clusters;

      if (labels != NULL)
        labels[i] = c;
      for (guint d = 0; d < dim; d++)
        data[(gsize) i * dim + d] = (float) (centres[(gsize) c * dim + d] + GAUSS ());
    }
#undef GAUSS
  return data;
}

/* Clusters on low-dimensional pieces, as an autoencoder's latents are: each cluster is its centre plus a
 * random linear map of @intrinsic standard normal coordinates, plus a little isotropic noise. */
static inline float *
make_manifold_clusters (guint    n_rows,
                        guint    dim,
                        guint    n_clusters,
                        guint    intrinsic,
                        guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree double *centres = g_new (double, (gsize) n_clusters * dim);
  g_autofree double *maps = g_new (double, (gsize) n_clusters * dim * intrinsic);
  g_autofree double *z = g_new (double, intrinsic);
  float *data = g_new (float, (gsize) n_rows * dim);

#define GAUSS() (sqrt (-2.0 * log (1.0 - g_rand_double (rand))) * cos (2 * G_PI * g_rand_double (rand)))
  for (gsize i = 0; i < (gsize) n_clusters * dim; i++)
    centres[i] = 3.0 * GAUSS ();
  for (gsize i = 0; i < (gsize) n_clusters * dim * intrinsic; i++)
    maps[i] = GAUSS () / sqrt (intrinsic);
  for (guint i = 0; i < n_rows; i++)
    {
      guint c = i % n_clusters;
      const double *map = maps + (gsize) c * dim * intrinsic;

      for (guint e = 0; e < intrinsic; e++)
        z[e] = GAUSS ();
      for (guint d = 0; d < dim; d++)
        {
          double v = centres[(gsize) c * dim + d] + 0.05 * GAUSS ();

          for (guint e = 0; e < intrinsic; e++)
            v += map[(gsize) d * intrinsic + e] * z[e];
          data[(gsize) i * dim + d] = (float) v;
        }
    }
#undef GAUSS
  return data;
}
