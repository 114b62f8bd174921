/* dassie-iforest.c: isolation forest anomaly scores (Liu, Ting and Zhou 2008)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-iforest.h"
#include "dassie-parallel.h"

#define EULER_GAMMA 0.5772156649015329

/* One node of a tree: a cut (feature, threshold, children) or a leaf (feature = -1) of @size objects. */
typedef struct
{
  int    feature;
  float  threshold;
  guint  left;
  guint  right;
  guint  size;
} Node;

typedef struct
{
  GArray *nodes;  /* of Node, the root first */
} Tree;

typedef struct
{
  const float *data;
  guint        dim;
  guint        max_depth;
  GRand       *rand;
  guint       *features;  /* dim feature numbers, shuffled at every node */
  Tree        *tree;
} Grower;

void
dassie_iforest_options_init (DassieIforestOptions *options,
                             guint64               seed)
{
  g_return_if_fail (options != NULL);

  options->n_trees = 100;
  options->max_samples = 256;
  options->seed = seed;
  options->n_threads = 0;
}

double
dassie_iforest_average_path (guint n)
{
  if (n <= 1)
    return 0;
  if (n == 2)
    return 1;
  return 2.0 * (log (n - 1.0) + EULER_GAMMA) - 2.0 * (n - 1.0) / n;
}

/* Grows the subtree of @rows (@n_rows of them) at @depth and returns its node. */
static guint
grow (Grower *g,
      guint  *rows,
      guint   n_rows,
      guint   depth)
{
  Node node = { -1, 0, 0, 0, n_rows };
  guint at = g->tree->nodes->len;

  g_array_append_val (g->tree->nodes, node);
  if (n_rows <= 1 || depth >= g->max_depth)
    return at;

  /* The features in random order; the first that varies among these objects is cut. */
  for (guint f = 0; f < g->dim; f++)
    {
      guint j = f + (guint) g_rand_int_range (g->rand, 0, (gint32) (g->dim - f));
      guint feature = g->features[j];
      float low = INFINITY, high = -INFINITY;
      double threshold;
      guint n_left = 0;

      g->features[j] = g->features[f];
      g->features[f] = feature;
      for (guint r = 0; r < n_rows; r++)
        {
          float v = g->data[(gsize) rows[r] * g->dim + feature];

          low = MIN (low, v);
          high = MAX (high, v);
        }
      if (!(high > low))
        continue;

      threshold = low + g_rand_double (g->rand) * ((double) high - low);
      if ((float) threshold >= high)
        threshold = low;
      for (guint r = 0; r < n_rows; r++)
        if (g->data[(gsize) rows[r] * g->dim + feature] <= (float) threshold)
          {
            guint t = rows[n_left];

            rows[n_left++] = rows[r];
            rows[r] = t;
          }

      node.feature = (int) feature;
      node.threshold = (float) threshold;
      node.left = grow (g, rows, n_left, depth + 1);
      node.right = grow (g, rows + n_left, n_rows - n_left, depth + 1);
      g_array_index (g->tree->nodes, Node, at) = node;
      return at;
    }
  return at;
}

/* Tree @t: its own generator, ψ objects drawn without replacement (a partial Fisher-Yates shuffle of
 * @perm, undone afterwards so that @perm is the identity again), grown to ceil (log2 ψ). */
static void
grow_tree (Tree        *tree,
           const float *data,
           guint        n,
           guint        dim,
           guint        psi,
           guint64      seed,
           guint        t,
           guint       *perm,
           guint       *swapped,
           guint       *features)
{
  guint32 seeds[3] = { (guint32) seed, (guint32) (seed >> 32), t };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seeds, G_N_ELEMENTS (seeds));
  g_autofree guint *rows = g_new (guint, psi);
  Grower g = { data, dim, 0, rand, features, tree };

  while ((1u << g.max_depth) < psi)
    g.max_depth++;
  for (guint i = 0; i < psi; i++)
    {
      guint j = i + (guint) g_rand_int_range (rand, 0, (gint32) (n - i));
      guint v = perm[j];

      swapped[i] = j;
      perm[j] = perm[i];
      perm[i] = v;
      rows[i] = v;
    }
  for (guint i = psi; i-- > 0;)
    {
      guint j = swapped[i], v = perm[j];

      perm[j] = perm[i];
      perm[i] = v;
    }
  for (guint f = 0; f < dim; f++)
    features[f] = f;
  tree->nodes = g_array_new (FALSE, FALSE, sizeof (Node));
  grow (&g, rows, psi, 0);
}

typedef struct
{
  const float *data;
  guint        dim;
  Tree        *trees;
  guint        n_trees;
  double       normaliser;  /* c (ψ) */
  float       *scores;
} ScoreJob;

static void
score_range (guint    begin,
             guint    end,
             gpointer user_data)
{
  ScoreJob *job = user_data;

  for (guint i = begin; i < end; i++)
    {
      const float *x = job->data + (gsize) i * job->dim;
      double sum = 0;

      for (guint t = 0; t < job->n_trees; t++)
        {
          const Node *nodes = (const Node *) job->trees[t].nodes->data;
          guint at = 0, depth = 0;

          while (nodes[at].feature >= 0)
            {
              at = x[nodes[at].feature] <= nodes[at].threshold ? nodes[at].left : nodes[at].right;
              depth++;
            }
          sum += depth + dassie_iforest_average_path (nodes[at].size);
        }
      job->scores[i] = (float) pow (2.0, -(sum / job->n_trees) / job->normaliser);
    }
}

float *
dassie_iforest_scores (const float                *data,
                       guint                       n,
                       guint                       dim,
                       const DassieIforestOptions *options,
                       GCancellable               *cancellable,
                       GError                    **error)
{
  g_autofree guint *perm = NULL;
  g_autofree guint *swapped = NULL;
  g_autofree guint *features = NULL;
  Tree *trees;
  ScoreJob job;
  float *scores;
  guint psi;

  g_return_val_if_fail (data != NULL || n == 0, NULL);
  g_return_val_if_fail (dim > 0, NULL);
  g_return_val_if_fail (options != NULL && options->n_trees > 0 && options->max_samples > 0, NULL);

  scores = g_new (float, MAX (n, 1));
  if (n == 0)
    return scores;

  psi = MIN (options->max_samples, n);
  perm = g_new (guint, n);
  swapped = g_new (guint, psi);
  features = g_new (guint, dim);
  for (guint i = 0; i < n; i++)
    perm[i] = i;
  trees = g_new0 (Tree, options->n_trees);
  for (guint t = 0; t < options->n_trees; t++)
    grow_tree (&trees[t], data, n, dim, psi, options->seed, t, perm, swapped, features);

  job.data = data;
  job.dim = dim;
  job.trees = trees;
  job.n_trees = options->n_trees;
  /* With ψ = 1 every path is 0 long: every object is as (un)usual as any other. */
  job.normaliser = psi > 1 ? dassie_iforest_average_path (psi) : 1;
  job.scores = scores;
  if (!g_cancellable_is_cancelled (cancellable))
    dassie_parallel_for (n, options->n_threads, score_range, &job);

  for (guint t = 0; t < options->n_trees; t++)
    g_array_unref (trees[t].nodes);
  g_free (trees);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_free (scores);
      return NULL;
    }
  return scores;
}
