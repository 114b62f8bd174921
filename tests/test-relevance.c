/* test-relevance.c: the active-learning relevance and the most promising order
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-labels.h"
#include "dassie-relevance.h"

#define DIM 4
#define PER_CLUSTER 12
/* Clusters A (to be labelled interesting), B (artifact), C (boring), and one outlier O. */
#define N_KNOWN (3 * PER_CLUSTER + 1)

static guint64
next (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static double
uniform (guint64 *state)
{
  return (next (state) >> 11) * (1.0 / 9007199254740992.0);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The formula of dassie-relevance.h computed here with plain loops in double precision. */
static void
naive_relevance (const float                  *latents,
                 guint                         n,
                 guint                         dim,
                 const float                  *scores,
                 const guint8                 *labels,
                 const DassieRelevanceOptions *o,
                 double                        scale,
                 double                       *out)
{
  g_autofree double *d2 = g_new (double, n);
  g_autofree guint *near = g_new (guint, n);
  double h = o->bandwidth * scale;

  for (guint i = 0; i < n; i++)
    {
      guint better = 0, finite = 0, n_near = 0;
      double w_sum = 0, w_int = 0, w_art = 0, c, prior;

      /* Prior: the percentile of the score, NaN at 0. */
      for (guint j = 0; j < n; j++)
        {
          if (isnan (scores[j]))
            continue;
          finite++;
          if (j != i && (scores[j] > scores[i] || (scores[j] == scores[i] && j < i)))
            better++;
        }
      prior = isnan (scores[i]) ? 0 : finite > 1 ? 1.0 - (double) better / (finite - 1) : 1.0;

      if (labels[i] != DASSIE_LABEL_NONE)
        {
          out[i] = labels[i] == DASSIE_LABEL_INTERESTING ? 1.0 : 0.0;
          continue;
        }
      for (guint j = 0; j < n; j++)
        if (labels[j] != DASSIE_LABEL_NONE)
          {
            double s = 0;

            for (guint t = 0; t < dim; t++)
              s += ((double) latents[i * dim + t] - latents[j * dim + t]) * ((double) latents[i * dim + t] - latents[j * dim + t]);
            d2[n_near] = s;
            near[n_near++] = j;
          }
      /* The k nearest labelled rows, by a selection loop. */
      for (guint q = 0; q < MIN (o->k, n_near); q++)
        {
          guint best = q;
          double w;

          for (guint m = q + 1; m < n_near; m++)
            if (d2[m] < d2[best])
              best = m;
          {
            double td = d2[q];
            guint tn = near[q];

            d2[q] = d2[best], near[q] = near[best];
            d2[best] = td, near[best] = tn;
          }
          w = exp (-d2[q] / (2 * h * h));
          w_sum += w;
          w_int += labels[near[q]] == DASSIE_LABEL_INTERESTING ? w : 0;
          w_art += labels[near[q]] == DASSIE_LABEL_ARTIFACT ? w : 0;
        }
      c = w_sum / (w_sum + o->prior_weight);
      out[i] = w_sum > 0 ? c * w_int / w_sum + (1 - c) * prior - o->artifact_penalty * c * w_art / w_sum : prior;
    }
}

/* The scale as documented, by a double loop: the median distance to the 5th nearest other row. */
static double
naive_scale (const float *latents,
             guint        n,
             guint        dim)
{
  g_autofree double *kth = g_new (double, n);
  g_autofree double *d = g_new (double, n);

  for (guint i = 0; i < n; i++)
    {
      guint m = 0;

      for (guint j = 0; j < n; j++)
        {
          double s = 0;

          if (j == i)
            continue;
          for (guint t = 0; t < dim; t++)
            s += ((double) latents[i * dim + t] - latents[j * dim + t]) * ((double) latents[i * dim + t] - latents[j * dim + t]);
          d[m++] = sqrt (s);
        }
      g_qsort_with_data (d, (gint) m, sizeof (double), compare_doubles, NULL);
      kth[i] = d[4];
    }
  g_qsort_with_data (kth, (gint) n, sizeof (double), compare_doubles, NULL);
  return n % 2 ? kth[n / 2] : 0.5 * (kth[n / 2 - 1] + kth[n / 2]);
}

static void
test_known_answer (void)
{
  float latents[N_KNOWN * DIM] = { 0 };
  float scores[N_KNOWN];
  guint8 labels[N_KNOWN] = { 0 };
  float relevance[N_KNOWN];
  double expected[N_KNOWN];
  guint32 order[N_KNOWN];
  DassieRelevanceOptions options;
  g_autoptr(DassieRelevance) model = NULL;
  guint64 state = 7;
  guint n_order, outlier = N_KNOWN - 1;

  /* Three tight clusters far apart; their scores interleave, so only the labels tell them apart. */
  for (guint c = 0; c < 3; c++)
    for (guint j = 0; j < PER_CLUSTER; j++)
      {
        guint i = c * PER_CLUSTER + j;

        latents[i * DIM + c] = 10.0f;
        for (guint t = 0; t < DIM; t++)
          latents[i * DIM + t] += (float) (0.02 * (uniform (&state) - 0.5));
        scores[i] = (float) (0.3 + 0.01 * j + 0.001 * c);
      }
  /* Far from everything and the most unusual: exploration keeps it first. */
  latents[outlier * DIM + 3] = 40.0f;
  scores[outlier] = 2.0f;
  labels[0] = DASSIE_LABEL_INTERESTING;
  labels[PER_CLUSTER] = DASSIE_LABEL_ARTIFACT;
  labels[2 * PER_CLUSTER] = DASSIE_LABEL_BORING;

  dassie_relevance_options_init (&options);
  /* Wide enough to cover a cluster, far too narrow to reach another one. */
  options.bandwidth = 20;
  options.prior_weight = 0.05;
  model = dassie_relevance_new (latents, N_KNOWN, DIM, scores, &options);
  g_assert_cmpfloat_with_epsilon (dassie_relevance_get_scale (model), naive_scale (latents, N_KNOWN, DIM), 1e-5);
  n_order = dassie_relevance_update (model, labels, relevance, order);
  g_assert_cmpuint (n_order, ==, N_KNOWN - 3);

  naive_relevance (latents, N_KNOWN, DIM, scores, labels, &options, dassie_relevance_get_scale (model), expected);
  for (guint i = 0; i < N_KNOWN; i++)
    g_assert_cmpfloat_with_epsilon (relevance[i], expected[i], 1e-4);

  /* The outlier, then the interesting cluster, then the boring one; the artifacts' neighbours last. */
  g_assert_cmpuint (order[0], ==, outlier);
  for (guint r = 1; r < n_order; r++)
    {
      guint cluster = order[r] / PER_CLUSTER;
      guint expected_cluster = r <= PER_CLUSTER - 1 ? 0 : r <= 2 * (PER_CLUSTER - 1) ? 2 : 1;

      g_assert_cmpuint (cluster, ==, expected_cluster);
      g_assert_cmpint (labels[order[r]], ==, DASSIE_LABEL_NONE);
      /* Most relevant first; equal relevance by score. */
      g_assert_cmpfloat (relevance[order[r - 1]], >=, relevance[order[r]]);
    }
  /* Near an artifact an object sinks below what its anomaly alone would give. */
  for (guint j = 1; j < PER_CLUSTER; j++)
    g_assert_cmpfloat (relevance[PER_CLUSTER + j], <, 0);
}

static void
random_set (guint    n,
            guint    dim,
            guint64  seed,
            float  **latents,
            float  **scores)
{
  guint64 state = seed;

  *latents = g_new (float, (gsize) n * dim);
  *scores = g_new (float, n);
  for (guint i = 0; i < n; i++)
    {
      guint cluster = (guint) (next (&state) % 8);

      for (guint t = 0; t < dim; t++)
        (*latents)[(gsize) i * dim + t] = (float) (((cluster * 3 + t) % 5) + uniform (&state));
      (*scores)[i] = i % 97 == 5 ? NAN : (float) uniform (&state);
    }
}

/* Orders may differ only where the relevance is equal within rounding. */
static void
assert_same_ranking (const float   *rel_a,
                     const guint32 *order_a,
                     const float   *rel_b,
                     const guint32 *order_b,
                     guint          n,
                     guint          n_order)
{
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (rel_a[i], rel_b[i], 1e-5);
  for (guint r = 0; r < n_order; r++)
    if (order_a[r] != order_b[r])
      g_assert_cmpfloat_with_epsilon (rel_a[order_a[r]], rel_a[order_b[r]], 2e-5);
}

/* Updates reuse the nearest-label lists; the result must be what a fresh model computes. */
static void
test_incremental (void)
{
  const guint n = 3000, dim = 16;
  g_autofree float *latents = NULL;
  g_autofree float *scores = NULL;
  g_autofree guint8 *labels = g_new0 (guint8, n);
  g_autofree float *rel_a = g_new (float, n);
  g_autofree float *rel_b = g_new (float, n);
  g_autofree guint32 *order_a = g_new (guint32, n);
  g_autofree guint32 *order_b = g_new (guint32, n);
  g_autoptr(DassieRelevance) model = NULL;
  guint64 state = 99;
  guint n_labelled = 0;

  random_set (n, dim, 3, &latents, &scores);
  model = dassie_relevance_new (latents, n, dim, scores, NULL);
  for (guint round = 0; round < 6; round++)
    {
      guint n_a, n_b;

      /* Batches of 7 (fewer than k at first, then more); in round 3 labels change value; in round
       * 4 some are taken away (a rebuild). */
      for (guint l = 0; l < 7; l++)
        {
          guint row = (guint) (next (&state) % n);

          n_labelled += labels[row] == DASSIE_LABEL_NONE;
          labels[row] = (guint8) (1 + next (&state) % 3);
        }
      if (round == 3)
        for (guint i = 0; i < n; i++)
          if (labels[i] == DASSIE_LABEL_BORING)
            labels[i] = DASSIE_LABEL_INTERESTING;
      if (round == 4)
        for (guint i = 0, removed = 0; i < n && removed < 5; i++)
          if (labels[i] != DASSIE_LABEL_NONE)
            {
              labels[i] = DASSIE_LABEL_NONE;
              removed++;
              n_labelled--;
            }
      n_a = dassie_relevance_update (model, labels, rel_a, order_a);
      n_b = dassie_relevance_rank (latents, n, dim, scores, labels, NULL, rel_b, order_b);
      g_assert_cmpuint (n_a, ==, n - n_labelled);
      g_assert_cmpuint (n_a, ==, n_b);
      assert_same_ranking (rel_a, order_a, rel_b, order_b, n, n_a);
    }
}

/* The same input gives the same relevance and order, bit for bit, whatever the thread count. */
static void
test_deterministic (void)
{
  const guint n = 2500, dim = 8;
  g_autofree float *latents = NULL;
  g_autofree float *scores = NULL;
  g_autofree guint8 *labels = g_new0 (guint8, n);
  g_autofree float *rel_a = g_new (float, n);
  g_autofree float *rel_b = g_new (float, n);
  g_autofree guint32 *order_a = g_new (guint32, n);
  g_autofree guint32 *order_b = g_new (guint32, n);
  DassieRelevanceOptions one, all;
  guint n_a, n_b;

  random_set (n, dim, 11, &latents, &scores);
  for (guint i = 0; i < n; i += 37)
    labels[i] = (guint8) (1 + i % 3);
  dassie_relevance_options_init (&one);
  one.n_threads = 1;
  dassie_relevance_options_init (&all);
  n_a = dassie_relevance_rank (latents, n, dim, scores, labels, &one, rel_a, order_a);
  n_b = dassie_relevance_rank (latents, n, dim, scores, labels, &all, rel_b, order_b);
  g_assert_cmpuint (n_a, ==, n_b);
  g_assert_cmpmem (rel_a, n * sizeof (float), rel_b, n * sizeof (float));
  g_assert_cmpmem (order_a, n_a * sizeof (guint32), order_b, n_b * sizeof (guint32));
}

/* Without labels the order is the anomaly ranking: by score, ties by row, unscored last. */
static void
test_no_labels (void)
{
  const float latents[6 * 2] = { 0, 0, 1, 0, 0, 1, 1, 1, 2, 2, 3, 3 };
  const float scores[6] = { 0.5f, NAN, 2.0f, 0.5f, 1.0f, 0.1f };
  const guint32 expected[6] = { 2, 4, 0, 3, 5, 1 };
  guint8 labels[6] = { 0 };
  float relevance[6];
  guint32 order[6];

  g_assert_cmpuint (dassie_relevance_rank (latents, 6, 2, scores, NULL, NULL, relevance, order), ==, 6);
  g_assert_cmpmem (order, sizeof order, expected, sizeof expected);
  g_assert_cmpfloat (relevance[2], ==, 1.0f);
  g_assert_cmpfloat (relevance[1], ==, 0.0f);
  /* Labelled objects leave the order. */
  labels[2] = DASSIE_LABEL_BORING;
  labels[5] = DASSIE_LABEL_INTERESTING;
  g_assert_cmpuint (dassie_relevance_rank (latents, 6, 2, scores, labels, NULL, relevance, order), ==, 4);
  for (guint r = 0; r < 4; r++)
    g_assert_true (order[r] != 2 && order[r] != 5);
  g_assert_cmpfloat (relevance[2], ==, 0.0f);
  g_assert_cmpfloat (relevance[5], ==, 1.0f);
}

/* More labelled rows than one sgemm block holds (4096): the blocks merge into the same lists. */
static void
test_many_labels (void)
{
  const guint n = 5000, dim = 3;
  g_autofree float *latents = NULL;
  g_autofree float *scores = NULL;
  g_autofree guint8 *labels = g_new0 (guint8, n);
  g_autofree float *relevance = g_new (float, n);
  g_autofree double *expected = g_new (double, n);
  g_autoptr(DassieRelevance) model = NULL;
  DassieRelevanceOptions options;
  guint64 state = 5;

  dassie_relevance_options_init (&options);
  random_set (n, dim, 17, &latents, &scores);
  for (guint i = 0; i < n; i++)
    if (next (&state) % 6 != 0)
      labels[i] = (guint8) (1 + next (&state) % 3);
  model = dassie_relevance_new (latents, n, dim, scores, &options);
  dassie_relevance_update (model, labels, relevance, NULL);
  naive_relevance (latents, n, dim, scores, labels, &options, dassie_relevance_get_scale (model), expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (relevance[i], expected[i], 1e-4);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/relevance/known-answer", test_known_answer);
  g_test_add_func ("/core/relevance/incremental", test_incremental);
  g_test_add_func ("/core/relevance/deterministic", test_deterministic);
  g_test_add_func ("/core/relevance/no-labels", test_no_labels);
  g_test_add_func ("/core/relevance/many-labels", test_many_labels);
  return g_test_run ();
}
