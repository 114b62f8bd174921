/* test-umap.c: UMAP's a/b fit, trustworthiness against brute force, clusters, determinism, transform
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-quality.h"
#include "dassie-umap.h"
#include "test-clusters.h"

static void
test_ab (void)
{
  double a, b;

  /* umap-learn's find_ab_params (1.0, 0.1), i.e. scipy's curve_fit. */
  g_assert_true (dassie_umap_find_ab (1.0, 0.1, &a, &b));
  g_test_message ("a = %.10f, b = %.10f", a, b);
  g_assert_cmpfloat_with_epsilon (a, 1.5769434603, 2e-5);
  g_assert_cmpfloat_with_epsilon (b, 0.8950608779, 2e-5);

  /* Elsewhere the fit must still be a least-squares minimum: the gradient of the squared error
   * vanishes there (checked by central differences, independently of the solver). */
  g_assert_true (dassie_umap_find_ab (2.0, 0.5, &a, &b));
  for (guint p = 0; p < 2; p++)
    {
      double h = 1e-6, sse[2];

      for (guint s = 0; s < 2; s++)
        {
          double pa = a + (p == 0 ? (s ? h : -h) : 0), pb = b + (p == 1 ? (s ? h : -h) : 0);

          sse[s] = 0;
          for (guint i = 0; i < 300; i++)
            {
              double x = 6.0 * i / 299, y = x < 0.5 ? 1.0 : exp (-(x - 0.5) / 2.0);
              double r = 1.0 / (1.0 + pa * pow (x, 2 * pb)) - y;

              sse[s] += r * r;
            }
        }
      g_assert_cmpfloat (fabs (sse[1] - sse[0]) / (2 * h), <, 1e-6);
    }
}

/* sklearn's definition, literally: full distance matrix, argsort, inverted ranks. */
static double
brute_trustworthiness (const float *x,
                       guint        n,
                       guint        dim,
                       const float *y,
                       guint        k)
{
  g_autofree double *dx = g_new (double, n * n);
  g_autofree double *dy = g_new (double, n * n);
  g_autofree guint *rank = g_new (guint, n * n);
  double t = 0;

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      {
        double s = 0;

        for (guint d = 0; d < dim; d++)
          s += ((double) x[i * dim + d] - x[j * dim + d]) * ((double) x[i * dim + d] - x[j * dim + d]);
        dx[i * n + j] = i == j ? INFINITY : s;
        dy[i * n + j] = i == j ? INFINITY : hypot ((double) y[i * 2] - y[j * 2], (double) y[i * 2 + 1] - y[j * 2 + 1]);
      }

  for (guint i = 0; i < n; i++)
    {
      /* rank[i][j] = 1 + the number of points nearer to i than j in x. */
      for (guint j = 0; j < n; j++)
        {
          guint r = 1;

          for (guint l = 0; l < n; l++)
            if (dx[i * n + l] < dx[i * n + j])
              r++;
          rank[i * n + j] = r;
        }
      /* The k nearest in y, by selection. */
      for (guint c = 0; c < k; c++)
        {
          guint best = G_MAXUINT;

          for (guint j = 0; j < n; j++)
            if (dy[i * n + j] != -1 && (best == G_MAXUINT || dy[i * n + j] < dy[i * n + best]))
              best = j;
          if (rank[i * n + best] > k)
            t += rank[i * n + best] - k;
          dy[i * n + best] = -1;
          /* -1 marks it taken; it can no longer be the smallest because of the check above. */
        }
    }
  return 1.0 - t * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)));
}

static void
test_trustworthiness (void)
{
  const guint n = 60, dim = 6;
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autofree float *x = g_new (float, n * dim);
  g_autofree float *y = g_new (float, n * 2);
  g_autofree float *good = g_new (float, n * 2);
  double mine, brute;

  for (guint i = 0; i < n * dim; i++)
    x[i] = (float) g_rand_double_range (rand, -1, 1);
  for (guint i = 0; i < n * 2; i++)
    y[i] = (float) g_rand_double_range (rand, -1, 1);
  /* A layout that keeps the first two coordinates is more trustworthy than a random one. */
  for (guint i = 0; i < n; i++)
    {
      good[i * 2] = x[i * dim];
      good[i * 2 + 1] = x[i * dim + 1];
    }

  for (guint k = 1; k <= 12; k += 5)
    {
      mine = dassie_trustworthiness (x, n, dim, y, 2, k, 2, NULL);
      brute = brute_trustworthiness (x, n, dim, y, k);
      g_assert_cmpfloat_with_epsilon (mine, brute, 1e-12);
      mine = dassie_trustworthiness (x, n, dim, good, 2, k, 1, NULL);
      brute = brute_trustworthiness (x, n, dim, good, k);
      g_assert_cmpfloat_with_epsilon (mine, brute, 1e-12);
    }

  /* The same layout scores 1. */
  g_assert_cmpfloat_with_epsilon (dassie_trustworthiness (good, n, 2, good, 2, 5, 1, NULL), 1.0, 1e-12);
  g_assert_cmpfloat (dassie_trustworthiness (x, n, dim, y, 2, 30, 1, NULL), <, 0);
}

/* The share of points whose @k nearest points in the layout all come from their own cluster. */
static double
label_purity (const float *embedding,
              const guint *labels,
              guint        n,
              guint        k)
{
  guint pure = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree double *d = g_new (double, n);
      gboolean ok = TRUE;

      for (guint j = 0; j < n; j++)
        d[j] = j == i ? INFINITY : hypot (embedding[i * 2] - embedding[j * 2], embedding[i * 2 + 1] - embedding[j * 2 + 1]);
      for (guint c = 0; c < k; c++)
        {
          guint best = 0;

          for (guint j = 1; j < n; j++)
            if (d[j] < d[best])
              best = j;
          ok = ok && labels[best] == labels[i];
          d[best] = INFINITY;
        }
      pure += ok;
    }
  return pure / (double) n;
}

static DassieUmapParams
test_params (guint threads)
{
  DassieUmapParams params;

  dassie_umap_params_init (&params);
  params.n_threads = threads;
  params.n_epochs = 200;
  params.index = DASSIE_INDEX_EXACT;
  return params;
}

static void
test_clusters (void)
{
  const guint n = 1000, dim = 32;
  g_autofree guint *labels = g_new (guint, n);
  /* Clusters of intrinsic dimension 3 in 32, as latents are; isotropic 32-d blobs cannot be drawn
   * trustworthily in 2-D by any method. */
  g_autofree float *data = make_manifold_clusters (n, dim, 6, 3, 17);
  DassieUmapParams params = test_params (2);
  DassieUmapInfo info;
  g_autoptr(GError) error = NULL;
  g_autofree float *embedding = NULL;
  double trust, purity;

  params.n_epochs = 0;  /* umap-learn's 500 at this size */
  for (guint i = 0; i < n; i++)
    labels[i] = i % 6;
  embedding = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_epochs, ==, 500);
  g_assert_cmpuint (info.n_neighbors, ==, 15);
  g_assert_cmpint (info.init, ==, DASSIE_UMAP_INIT_PCA);
  for (guint i = 0; i < n * 2; i++)
    g_assert_true (isfinite (embedding[i]));

  trust = dassie_trustworthiness (data, n, dim, embedding, 2, 15, 2, NULL);
  purity = label_purity (embedding, labels, n, 10);
  g_test_message ("trustworthiness(15) %.4f, 10-NN label purity %.4f, %.2f s", trust, purity,
                  info.seconds_neighbors + info.seconds_layout);
  g_assert_cmpfloat (trust, >=, 0.97);
  g_assert_cmpfloat (purity, >=, 0.99);
}

static void
test_deterministic (void)
{
  const guint n = 400, dim = 16;
  g_autofree float *data = make_clusters (n, dim, 4, 3.0, 23, NULL);
  g_autoptr(GError) error = NULL;
  DassieUmapParams two = test_params (2);
  DassieUmapParams one = test_params (1);
  g_autofree float *a = dassie_umap_fit (data, n, dim, &two, NULL, NULL, &error);
  g_autofree float *b = dassie_umap_fit (data, n, dim, &two, NULL, NULL, &error);
  g_autofree float *c = dassie_umap_fit (data, n, dim, &one, NULL, NULL, &error);
  g_autofree float *d = dassie_umap_fit (data, n, dim, &one, NULL, NULL, &error);
  g_autofree float *e = NULL;

  g_assert_no_error (error);
  g_assert_cmpmem (a, n * 2 * sizeof (float), b, n * 2 * sizeof (float));
  g_assert_cmpmem (c, n * 2 * sizeof (float), d, n * 2 * sizeof (float));

  two.seed = 7;
  e = dassie_umap_fit (data, n, dim, &two, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (memcmp (a, e, n * 2 * sizeof (float)) != 0);
}

static void
test_transform (void)
{
  const guint n = 1000, n_train = 800, dim = 24;
  g_autofree guint *labels = g_new (guint, n);
  g_autofree float *data = make_clusters (n, dim, 5, 3.0, 31, labels);
  DassieUmapParams params = test_params (2);
  g_autoptr(GError) error = NULL;
  g_autofree float *fitted = dassie_umap_fit (data, n_train, dim, &params, NULL, NULL, &error);
  g_autofree float *placed = NULL;
  double extent = 0;
  guint near = 0, same = 0;
  const guint n_new = n - n_train;

  g_assert_no_error (error);
  placed = dassie_umap_transform (data, n_train, dim, fitted, data + (gsize) n_train * dim, n_new, &params,
                                  NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n_train; i++)
    extent = MAX (extent, hypot (fitted[i * 2] - fitted[0], fitted[i * 2 + 1] - fitted[1]));

  for (guint q = 0; q < n_new; q++)
    {
      const float *x = data + (gsize) (n_train + q) * dim;
      guint nearest_input = 0, nearest_layout = 0;
      double best_input = INFINITY, best_layout = INFINITY;

      /* Its nearest training point in the input, and in the layout. */
      for (guint j = 0; j < n_train; j++)
        {
          double s = 0, l;

          for (guint d = 0; d < dim; d++)
            s += ((double) x[d] - data[j * dim + d]) * ((double) x[d] - data[j * dim + d]);
          if (s < best_input)
            {
              best_input = s;
              nearest_input = j;
            }
          l = hypot (placed[q * 2] - fitted[j * 2], placed[q * 2 + 1] - fitted[j * 2 + 1]);
          if (l < best_layout)
            {
              best_layout = l;
              nearest_layout = j;
            }
        }
      if (hypot (placed[q * 2] - fitted[nearest_input * 2], placed[q * 2 + 1] - fitted[nearest_input * 2 + 1]) <
          0.1 * extent)
        near++;
      if (labels[nearest_layout] == labels[n_train + q])
        same++;
    }
  g_test_message ("held out: %u of %u within 10%% of the layout of their nearest neighbour, %u in their own "
                  "cluster", near, n_new, same);
  g_assert_cmpuint (near, >=, n_new * 95 / 100);
  g_assert_cmpuint (same, >=, n_new * 99 / 100);
}

static void
test_fit_sample (void)
{
  const guint n = 900, dim = 16;
  g_autofree guint *labels = g_new (guint, n);
  g_autofree float *data = make_clusters (n, dim, 5, 3.0, 41, labels);
  DassieUmapParams params = test_params (2);
  DassieUmapInfo info;
  g_autoptr(GError) error = NULL;
  g_autofree float *embedding = NULL;
  g_autofree float *full = NULL;
  double trust, trust_full;

  params.fit_sample_size = 600;
  embedding = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_fit, ==, 600);
  g_assert_cmpuint (info.n_transformed, ==, 300);
  trust = dassie_trustworthiness (data, n, dim, embedding, 2, 15, 2, NULL);

  /* Placing a third of the points by transform costs little against fitting them all. */
  params.fit_sample_size = 0;
  full = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info.n_fit, ==, n);
  trust_full = dassie_trustworthiness (data, n, dim, full, 2, 15, 2, NULL);
  g_test_message ("trustworthiness(15): fit on 600 and 300 transformed %.4f, all fitted %.4f", trust, trust_full);
  g_assert_cmpfloat (trust, >=, trust_full - 0.02);
  g_assert_cmpfloat (label_purity (embedding, labels, n, 5), >=, 0.98);
}

typedef struct
{
  GCancellable *cancellable;
  guint         n_embeddings;
  guint         n_calls;
  gsize         size;
  double        last_fraction;
  gboolean      monotonic;
  guint         most_nan;   /* NaN coordinates in the copies: at most … */
  guint         last_nan;   /* … and in the last one */
} ProgressLog;

static void
on_progress (const DassieProgress *progress,
             gpointer              user_data)
{
  ProgressLog *log = user_data;
  GBytes *embedding = ((const DassieUmapProgress *) progress)->embedding;

  log->n_calls++;
  if (progress->fraction >= 0)
    {
      log->monotonic = log->monotonic && progress->fraction >= log->last_fraction - 1e-12;
      log->last_fraction = progress->fraction;
    }
  if (embedding != NULL)
    {
      gsize size;
      const float *xy = g_bytes_get_data (embedding, &size);
      guint nan = 0;

      for (gsize i = 0; i < size / sizeof (float); i++)
        nan += isnan (xy[i]);
      log->most_nan = MAX (log->most_nan, nan);
      log->last_nan = nan;
      log->n_embeddings++;
      log->size = g_bytes_get_size (embedding);
      if (log->cancellable != NULL && log->n_embeddings == 3)
        g_cancellable_cancel (log->cancellable);
    }
}

static void
test_progress_and_cancel (void)
{
  const guint n = 400, dim = 8;
  g_autofree float *data = make_clusters (n, dim, 3, 3.0, 5, NULL);
  DassieUmapParams params = test_params (2);
  ProgressLog log = { NULL, 0, 0, 0, 0, TRUE, 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autofree float *embedding = NULL;
  g_autofree float *none = NULL;

  params.progress = on_progress;
  params.progress_data = &log;
  params.progress_every = 20;
  embedding = dassie_umap_fit (data, n, dim, &params, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log.n_embeddings, ==, 10);
  g_assert_cmpuint (log.size, ==, n * 2 * sizeof (float));
  g_assert_true (log.monotonic);
  g_assert_cmpfloat (log.last_fraction, ==, 1.0);

  /* Fitting a sample: every copy still has a row per object, NaN until placed. */
  g_clear_pointer (&embedding, g_free);
  log = (ProgressLog) { NULL, 0, 0, 0, 0, TRUE, 0, 0 };
  params.fit_sample_size = 300;
  embedding = dassie_umap_fit (data, n, dim, &params, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log.size, ==, n * 2 * sizeof (float));
  g_assert_cmpuint (log.most_nan, ==, (n - 300) * 2);
  g_assert_cmpuint (log.last_nan, ==, 0);
  params.fit_sample_size = 0;

  log = (ProgressLog) { g_cancellable_new (), 0, 0, 0, 0, TRUE, 0, 0 };
  none = dassie_umap_fit (data, n, dim, &params, NULL, log.cancellable, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (log.n_embeddings, ==, 3);
  g_object_unref (log.cancellable);
}

static void
test_random_fallback (void)
{
  /* Points on a line: the second principal component is zero, so the start falls back to random. */
  const guint n = 300, dim = 4;
  g_autofree float *data = g_new (float, n * dim);
  DassieUmapParams params = test_params (1);
  DassieUmapInfo info;
  g_autoptr(GError) error = NULL;
  g_autofree float *embedding = NULL;

  for (guint i = 0; i < n; i++)
    for (guint d = 0; d < dim; d++)
      data[i * dim + d] = (float) (i % 50) * (d + 1);
  embedding = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.init, ==, DASSIE_UMAP_INIT_RANDOM);
  for (guint i = 0; i < n * 2; i++)
    g_assert_true (isfinite (embedding[i]));

  g_clear_pointer (&embedding, g_free);
  embedding = dassie_umap_fit (data, 3, dim, &params, &info, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (embedding);
}

static void
test_config (void)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  DassieUmapParams params;

  dassie_umap_params_init (&params);
  g_assert_true (dassie_umap_params_from_config (&params, config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (params.n_neighbors, ==, 15);
  g_assert_cmpfloat (params.min_dist, ==, 0.1);
  g_assert_cmpuint (params.negative_sample_rate, ==, 5);
  g_assert_cmpint (params.init, ==, DASSIE_UMAP_INIT_PCA);

  g_assert_true (dassie_config_set_assignment (config, "umap.init=random", &error));
  g_assert_true (dassie_config_set_assignment (config, "umap.n_epochs=77", &error));
  g_assert_true (dassie_config_set_assignment (config, "scores.index=exact", &error));
  g_assert_true (dassie_umap_params_from_config (&params, config, &error));
  g_assert_cmpint (params.init, ==, DASSIE_UMAP_INIT_RANDOM);
  g_assert_cmpuint (params.n_epochs, ==, 77);
  g_assert_cmpint (params.index, ==, DASSIE_INDEX_EXACT);

  g_assert_true (dassie_config_set_assignment (config, "umap.init=spectral", &error));
  g_assert_true (dassie_umap_params_from_config (&params, config, &error));
  g_assert_cmpint (params.init, ==, DASSIE_UMAP_INIT_SPECTRAL);
  g_assert_true (dassie_config_set_assignment (config, "umap.init=tsne", &error));
  g_assert_false (dassie_umap_params_from_config (&params, config, &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  g_assert_true (dassie_config_set_assignment (config, "umap.init=pca", &error));
  g_assert_true (dassie_config_set_assignment (config, "umap.min_dist=2.5", &error));
  g_assert_false (dassie_umap_params_from_config (&params, config, &error));
  g_assert_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE);
}

/* Spearman's rank correlation of @x and @t (n values each). */
static double
rank_correlation (const float *x,
                  const float *t,
                  guint        n,
                  guint        stride)
{
  g_autofree double *rx = g_new (double, n);
  g_autofree double *rt = g_new (double, n);
  double mean = (n - 1) / 2.0, sxy = 0, sxx = 0, syy = 0;

  for (guint i = 0; i < n; i++)
    {
      guint below_x = 0, below_t = 0;

      for (guint j = 0; j < n; j++)
        {
          below_x += x[(gsize) j * stride] < x[(gsize) i * stride];
          below_t += t[j] < t[i];
        }
      rx[i] = below_x;
      rt[i] = below_t;
    }
  for (guint i = 0; i < n; i++)
    {
      sxy += (rx[i] - mean) * (rt[i] - mean);
      sxx += (rx[i] - mean) * (rx[i] - mean);
      syy += (rt[i] - mean) * (rt[i] - mean);
    }
  return sxy / sqrt (sxx * syy);
}

/* The spectral start follows the data's manifold, where PCA sees only its shadow: points along a
 * two-turn spiral in a plane of 10-d space. The first Laplacian eigenvector runs along the curve,
 * so it orders the points as the curve does; the first principal component cannot. */
static void
test_spectral_init (void)
{
  const guint n = 800, dim = 10;
  g_autofree float *data = g_new0 (float, (gsize) n * dim);
  g_autofree float *t = g_new (float, n);
  g_autofree float *first = NULL;
  g_autofree float *again = NULL;
  g_autofree float *pca = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  DassieUmapParams params = test_params (2);
  DassieUmapInfo info;
  g_autoptr(GError) error = NULL;
  double along, along_pca;

  for (guint i = 0; i < n; i++)
    {
      double u = i / (double) (n - 1), r = 1 + 2 * u, angle = 4 * G_PI * u;

      t[i] = (float) u;
      /* The plane is spanned by (1, 1, 0, …)/√2 and (0, 0, 1, 1, 0, …)/√2. */
      data[(gsize) i * dim + 0] = data[(gsize) i * dim + 1] = (float) (r * cos (angle) / G_SQRT2);
      data[(gsize) i * dim + 2] = data[(gsize) i * dim + 3] = (float) (r * sin (angle) / G_SQRT2);
      for (guint d = 0; d < dim; d++)
        data[(gsize) i * dim + d] += (float) g_rand_double_range (rand, -1e-3, 1e-3);
    }

  /* Layout steps too small to move anything: what comes back is the start. (The epochs still
   * count: edges weaker than 1/n_epochs of the strongest are pruned before the start.) */
  params.init = DASSIE_UMAP_INIT_SPECTRAL;
  params.learning_rate = 1e-9;
  first = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.init, ==, DASSIE_UMAP_INIT_SPECTRAL);
  along = fabs (rank_correlation (first, t, n, 2));
  g_test_message ("rank correlation with the position along the spiral: spectral %.4f", along);
  g_assert_cmpfloat (along, >, 0.99);

  /* Seeded: the same start again. */
  again = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (first, n * 2 * sizeof (float), again, n * 2 * sizeof (float));

  params.init = DASSIE_UMAP_INIT_PCA;
  pca = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  along_pca = MAX (fabs (rank_correlation (pca, t, n, 2)), fabs (rank_correlation (pca + 1, t, n, 2)));
  g_test_message ("and PCA %.4f", along_pca);
  g_assert_cmpfloat (along_pca, <, 0.9);
}

/* A graph in pieces has no single spectral layout; the start falls back to PCA. */
static void
test_spectral_pieces (void)
{
  const guint n = 600, dim = 8;
  g_autofree float *data = make_clusters (n, dim, 2, 50.0, 5, NULL);
  DassieUmapParams params = test_params (2);
  DassieUmapInfo info;
  g_autoptr(GError) error = NULL;
  g_autofree float *embedding = NULL;

  params.init = DASSIE_UMAP_INIT_SPECTRAL;
  params.n_epochs = 20;
  embedding = dassie_umap_fit (data, n, dim, &params, &info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.init, ==, DASSIE_UMAP_INIT_PCA);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/umap/ab", test_ab);
  g_test_add_func ("/core/umap/trustworthiness", test_trustworthiness);
  g_test_add_func ("/core/umap/clusters", test_clusters);
  g_test_add_func ("/core/umap/deterministic", test_deterministic);
  g_test_add_func ("/core/umap/transform", test_transform);
  g_test_add_func ("/core/umap/fit-sample", test_fit_sample);
  g_test_add_func ("/core/umap/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/core/umap/random-fallback", test_random_fallback);
  g_test_add_func ("/core/umap/config", test_config);
  g_test_add_func ("/core/umap/spectral-init", test_spectral_init);
  g_test_add_func ("/core/umap/spectral-pieces", test_spectral_pieces);

  return g_test_run ();
}
