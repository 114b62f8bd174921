/* dassie-relevance.c: active learning: relevance from the astronomer's labels, and the most promising order
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dassie-export.h"
#include "dassie-labels.h"
#include "dassie-parallel.h"
#include "dassie-relevance.h"

/* The scale is measured on at most this many rows, spread evenly over the data. */
#define SCALE_SAMPLE 2000
#define SCALE_NEIGHBOR 5
/* Query rows and reference rows per sgemm tile (16 MB of floats). */
#define TILE_ROWS 1024
#define REF_BLOCK 4096

struct _DassieRelevance
{
  guint                  n;
  guint                  dim;
  float                 *latents;
  float                 *norms;     /* squared, per row */
  float                 *scores;
  float                 *prior;
  guint32               *anomaly_rank;   /* 0 = the most anomalous */
  guint32               *anomaly_rank_row; /* its inverse: the row of each rank */
  double                 scale;
  /* The k nearest labelled rows of every row, kept between updates so that new labels cost only
   * their own distances; rebuilt when a label is removed. */
  guint8                *in_lists;       /* n: the row is a labelled row the lists know */
  guint                  n_in_lists;
  guint                  list_k;         /* entries in each list: MIN (k, n_in_lists) */
  float                 *list_dist;      /* n × k squared distances, nearest first */
  guint32               *list_rows;      /* n × k rows */
  DassieRelevanceOptions options;
};

void
dassie_relevance_options_init (DassieRelevanceOptions *options)
{
  g_return_if_fail (options != NULL);

  options->k = 10;
  options->bandwidth = 1.0;
  options->prior_weight = 0.5;
  options->artifact_penalty = 0.5;
  options->n_threads = 0;
}

gboolean
dassie_relevance_options_from_config (DassieRelevanceOptions  *options,
                                      const DassieConfig      *config,
                                      GError                 **error)
{
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  /* The configuration checks the bounds of rank.* when a value is set. */
  dassie_relevance_options_init (options);
  options->k = (guint) dassie_config_get_int (config, "rank.k");
  options->bandwidth = dassie_config_get_double (config, "rank.bandwidth");
  options->prior_weight = dassie_config_get_double (config, "rank.prior_weight");
  options->artifact_penalty = dassie_config_get_double (config, "rank.artifact_penalty");
  options->n_threads = (guint) dassie_config_get_int (config, "general.threads");
  return TRUE;
}

static int
compare_floats (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  float x = *(const float *) a, y = *(const float *) b;

  return x < y ? -1 : x > y;
}

/* The @k nearest of @n_refs reference rows (@refs, with squared norms @ref_norms) to each of @n_queries
 * query rows, as squared Euclidean distances (nearest first) and reference indices, from tiles of
 * one sgemm each: ‖q‖² + ‖r‖² − 2 q·r. Exact enough for weights; the tiles run on all threads. */
typedef struct
{
  const float *queries;
  const float *query_norms;
  guint        n_queries;
  const float *refs;
  const float *ref_norms;
  guint        n_refs;
  const guint32 *ref_ids;  /* what the lists record of reference j (NULL: j itself) */
  guint        dim;
  guint        k;
  guint        filled;   /* entries already in every list (a merge with more references) */
  float       *dist;     /* n_queries × k */
  guint32     *index;    /* n_queries × k */
} Nearest;

static float
direct_distance (const float *a,
                 const float *b,
                 guint        dim)
{
  double sum = 0;

  for (guint t = 0; t < dim; t++)
    {
      double diff = (double) a[t] - b[t];

      sum += diff * diff;
    }
  return (float) sum;
}

static void
nearest_tiles (guint    begin,
               guint    end,
               gpointer user_data)
{
  const Nearest *job = user_data;
  guint block = MIN (job->n_refs, REF_BLOCK);
  g_autofree float *tile = g_new (float, (gsize) TILE_ROWS * MAX (block, 1));
  guint k = job->k;

  for (guint t = begin; t < end; t++)
    for (guint j0 = 0; j0 < job->n_refs; j0 += block)
      {
        guint q0 = t * TILE_ROWS, rows = MIN (TILE_ROWS, job->n_queries - q0);
        guint n_j = MIN (block, job->n_refs - j0);

        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, (int) n_j, (int) job->dim,
                     1.0f, job->queries + (gsize) q0 * job->dim, (int) job->dim,
                     job->refs + (gsize) j0 * job->dim, (int) job->dim, 0.0f, tile, (int) n_j);
        for (guint r = 0; r < rows; r++)
          {
            const float *dots = tile + (gsize) r * n_j;
            float *dist = job->dist + (gsize) (q0 + r) * k;
            guint32 *index = job->index + (gsize) (q0 + r) * k;
            float qn = job->query_norms[q0 + r];
            /* Every candidate enters a list that is not full: its length follows from j0. */
            guint filled = MIN (k, job->filled + j0);

            /* Insertion into a sorted list of k: after the first k, most candidates fail the first test. */
            for (guint jj = 0; jj < n_j; jj++)
              {
                guint j = j0 + jj;
                float d = MAX (qn + job->ref_norms[j] - 2.0f * dots[jj], 0.0f);
                guint at;

                if (filled == k && d >= dist[k - 1])
                  continue;
                /* The sgemm form loses digits when the distance is small against the norms: the
                 * rows that enter a list get their distance summed directly. */
                d = direct_distance (job->queries + (gsize) (q0 + r) * job->dim,
                                     job->refs + (gsize) j * job->dim, job->dim);
                if (filled == k && d >= dist[k - 1])
                  continue;
                at = filled < k ? filled++ : k - 1;
                while (at > 0 && dist[at - 1] > d)
                  {
                    dist[at] = dist[at - 1];
                    index[at] = index[at - 1];
                    at--;
                  }
                dist[at] = d;
                index[at] = job->ref_ids != NULL ? job->ref_ids[j] : j;
              }
          }
      }
}

static void
find_nearest (Nearest *job,
              guint    n_threads)
{
  guint n_tiles = (job->n_queries + TILE_ROWS - 1) / TILE_ROWS;

  g_assert (job->k > 0 && job->k <= job->n_refs + job->filled);
  dassie_blas_single_begin ();
  dassie_parallel_for (n_tiles, MIN (dassie_parallel_n_threads (n_threads), MAX (n_tiles, 1)), nearest_tiles, job);
  dassie_blas_single_end ();
}

/* Copies rows @rows of the model's latents and norms. */
static void
gather_rows (const DassieRelevance *self,
             const guint32         *rows,
             guint                  n_rows,
             float                 *matrix,
             float                 *norms)
{
  for (guint j = 0; j < n_rows; j++)
    {
      memcpy (matrix + (gsize) j * self->dim, self->latents + (gsize) rows[j] * self->dim,
              sizeof (float) * self->dim);
      norms[j] = self->norms[rows[j]];
    }
}

/* The median distance of a sample of rows to their SCALE_NEIGHBOR-th nearest other sample row: the
 * size of a neighbourhood in this latent space, whatever its units. */
static double
measure_scale (const DassieRelevance *self)
{
  guint m = MIN (self->n, SCALE_SAMPLE);
  guint k = MIN (SCALE_NEIGHBOR + 1, m);   /* the row itself is its own nearest */
  g_autofree guint32 *rows = NULL;
  g_autofree float *sample = NULL;
  g_autofree float *norms = NULL;
  g_autofree float *kth = NULL;
  g_autofree float *dist = NULL;
  g_autofree guint32 *index = NULL;
  Nearest job;
  double scale;

  if (k < 2)
    return 1.0;

  rows = g_new (guint32, m);
  for (guint s = 0; s < m; s++)
    rows[s] = (guint32) ((guint64) s * self->n / m);
  sample = g_new (float, (gsize) m * self->dim);
  norms = g_new (float, m);
  gather_rows (self, rows, m, sample, norms);
  dist = g_new (float, (gsize) m * k);
  index = g_new (guint32, (gsize) m * k);
  job = (Nearest) { sample, norms, m, sample, norms, m, NULL, self->dim, k, 0, dist, index };
  find_nearest (&job, self->options.n_threads);

  kth = g_new (float, m);
  for (guint s = 0; s < m; s++)
    kth[s] = sqrtf (dist[(gsize) s * k + k - 1]);
  g_qsort_with_data (kth, (gint) m, sizeof (float), compare_floats, NULL);
  scale = m % 2 ? kth[m / 2] : 0.5 * (kth[m / 2 - 1] + kth[m / 2]);
  /* Identical vectors (a degenerate set): any positive scale gives the same order. */
  return scale > 0 && isfinite (scale) ? scale : 1.0;
}

DassieRelevance *
dassie_relevance_new (const float                  *latents,
                      guint                         n,
                      guint                         dim,
                      const float                  *scores,
                      const DassieRelevanceOptions *options)
{
  DassieRelevance *self;
  g_autofree guint32 *ranks = NULL;
  guint n_finite = 0;

  g_return_val_if_fail (latents != NULL || n == 0, NULL);
  g_return_val_if_fail (scores != NULL || n == 0, NULL);
  g_return_val_if_fail (dim > 0, NULL);

  self = g_new0 (DassieRelevance, 1);
  self->n = n;
  self->dim = dim;
  if (options != NULL)
    self->options = *options;
  else
    dassie_relevance_options_init (&self->options);
  self->options.k = MAX (self->options.k, 1);

  /* Centred, so that the norms in the sgemm form of the distances are as small as they can be; an
   * unusable (non-finite) value is taken as the mean. */
  self->latents = g_new (float, MAX ((gsize) n * dim, 1));
  {
    g_autofree double *mean = g_new0 (double, dim);
    g_autofree guint *count = g_new0 (guint, dim);

    for (gsize c = 0; c < (gsize) n * dim; c++)
      if (isfinite (latents[c]))
        {
          mean[c % dim] += latents[c];
          count[c % dim]++;
        }
    for (guint j = 0; j < dim; j++)
      mean[j] = count[j] > 0 ? mean[j] / count[j] : 0;
    for (gsize c = 0; c < (gsize) n * dim; c++)
      self->latents[c] = isfinite (latents[c]) ? (float) (latents[c] - mean[c % dim]) : 0.0f;
  }
  self->norms = g_new (float, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      double sum = 0;

      for (guint j = 0; j < dim; j++)
        sum += (double) self->latents[(gsize) i * dim + j] * self->latents[(gsize) i * dim + j];
      self->norms[i] = (float) sum;
    }
  self->scores = g_new (float, MAX (n, 1));
  if (n > 0)
    memcpy (self->scores, scores, sizeof (float) * n);

  /* The prior is the score's percentile: 1 for the most anomalous, 0 for the most normal and the
   * unscored (dassie_export_rank puts NaN last). */
  ranks = g_new (guint32, MAX (n, 1));
  dassie_export_rank (self->scores, n, ranks, NULL);
  for (guint i = 0; i < n; i++)
    n_finite += !isnan (self->scores[i]);
  self->prior = g_new (float, MAX (n, 1));
  self->anomaly_rank = g_new (guint32, MAX (n, 1));
  self->anomaly_rank_row = g_new (guint32, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      self->anomaly_rank[i] = ranks[i] - 1;
      self->anomaly_rank_row[ranks[i] - 1] = i;
    }
  self->in_lists = g_new0 (guint8, MAX (n, 1));
  self->list_dist = g_new (float, MAX ((gsize) n * self->options.k, 1));
  self->list_rows = g_new (guint32, MAX ((gsize) n * self->options.k, 1));
  for (guint i = 0; i < n; i++)
    self->prior[i] = isnan (self->scores[i]) ? 0.0f
                     : n_finite > 1 ? (float) (1.0 - (double) (ranks[i] - 1) / (n_finite - 1)) : 1.0f;

  self->scale = measure_scale (self);
  return self;
}

void
dassie_relevance_free (DassieRelevance *self)
{
  if (self == NULL)
    return;
  g_free (self->latents);
  g_free (self->norms);
  g_free (self->anomaly_rank);
  g_free (self->anomaly_rank_row);
  g_free (self->in_lists);
  g_free (self->list_dist);
  g_free (self->list_rows);
  g_free (self->scores);
  g_free (self->prior);
  g_free (self);
}

guint
dassie_relevance_get_n (DassieRelevance *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n;
}

double
dassie_relevance_get_scale (DassieRelevance *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->scale;
}

const float *
dassie_relevance_get_prior (DassieRelevance *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->prior;
}

/* The order key of a row: relevance descending, then the anomaly rank (unique), in one integer. */
static guint64
order_key (float   relevance,
           guint32 anomaly_rank)
{
  guint32 bits;

  memcpy (&bits, &relevance, sizeof bits);
  /* Floats compare as sign-magnitude: flip to an unsigned order, then invert for descending. */
  bits = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;
  return ((guint64) ~bits << 32) | anomaly_rank;
}

static int
compare_keys (const void *a,
              const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* Brings the lists of nearest labelled rows up to date with @labelled: only the distances to rows
 * labelled since the last update are computed, unless a label was taken away. */
static void
update_lists (DassieRelevance *self,
              const guint32   *labelled,
              guint            n_labelled)
{
  g_autofree guint32 *added = g_new (guint32, MAX (n_labelled, 1));
  g_autofree float *matrix = NULL;
  g_autofree float *norms = NULL;
  guint n_added = 0, n_kept = 0, k = self->options.k;
  Nearest job;

  for (guint j = 0; j < n_labelled; j++)
    {
      if (self->in_lists[labelled[j]])
        n_kept++;
      else
        added[n_added++] = labelled[j];
    }
  if (n_kept < self->n_in_lists)
    {
      /* Something was unlabelled: start again from every labelled row. */
      memset (self->in_lists, 0, self->n);
      self->n_in_lists = self->list_k = 0;
      memcpy (added, labelled, sizeof (guint32) * n_labelled);
      n_added = n_labelled;
    }
  if (n_added == 0)
    return;

  matrix = g_new (float, (gsize) n_added * self->dim);
  norms = g_new (float, n_added);
  gather_rows (self, added, n_added, matrix, norms);
  /* The lists keep k entries a row with the list's own stride: widen nothing, fill the rest. */
  job = (Nearest) { self->latents, self->norms, self->n, matrix, norms, n_added, added, self->dim, k,
                    self->list_k, self->list_dist, self->list_rows };
  if (self->list_k < k)
    {
      /* Until there are k labelled rows the lists are shorter; the scan fills them in place. */
      job.k = MIN (k, self->n_in_lists + n_added);
      if (self->list_k > 0 && job.k != self->list_k)
        for (guint i = self->n; i-- > 0;)
          {
            memmove (self->list_dist + (gsize) i * job.k, self->list_dist + (gsize) i * self->list_k,
                     sizeof (float) * self->list_k);
            memmove (self->list_rows + (gsize) i * job.k, self->list_rows + (gsize) i * self->list_k,
                     sizeof (guint32) * self->list_k);
          }
    }
  find_nearest (&job, self->options.n_threads);
  self->list_k = job.k;
  for (guint j = 0; j < n_added; j++)
    self->in_lists[added[j]] = 1;
  self->n_in_lists += n_added;
}

/* The relevance of every row from its nearest labelled rows (see the header for the formula). */
static void
apply_neighbors (DassieRelevance *self,
                 const guint8    *labels,
                 const guint32   *labelled,
                 guint            n_labelled,
                 float           *relevance)
{
  const DassieRelevanceOptions *o = &self->options;
  double h = o->bandwidth * self->scale;
  double inv_two_h2 = 1.0 / (2.0 * h * h);
  guint k;

  update_lists (self, labelled, n_labelled);
  k = self->list_k;
  for (guint i = 0; i < self->n; i++)
    {
      double w_sum = 0, w_interesting = 0, w_artifact = 0, c;

      for (guint q = 0; q < k; q++)
        {
          double w = exp (-self->list_dist[(gsize) i * k + q] * inv_two_h2);
          guint8 label = labels[self->list_rows[(gsize) i * k + q]];

          w_sum += w;
          if (label == DASSIE_LABEL_INTERESTING)
            w_interesting += w;
          else if (label == DASSIE_LABEL_ARTIFACT)
            w_artifact += w;
        }
      c = w_sum / (w_sum + o->prior_weight);
      if (w_sum > 0)
        relevance[i] = (float) (c * (w_interesting / w_sum) + (1 - c) * self->prior[i] -
                                o->artifact_penalty * c * (w_artifact / w_sum));
      else
        relevance[i] = self->prior[i];
    }
}

guint
dassie_relevance_update (DassieRelevance *self,
                         const guint8    *labels,
                         float           *relevance,
                         guint32         *order)
{
  g_autofree guint32 *labelled = NULL;
  guint n_labelled = 0, n_order = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (relevance != NULL || self->n == 0, 0);

  labelled = g_new (guint32, MAX (self->n, 1));
  for (guint i = 0; labels != NULL && i < self->n; i++)
    if (labels[i] != DASSIE_LABEL_NONE)
      labelled[n_labelled++] = i;

  if (n_labelled > 0)
    apply_neighbors (self, labels, labelled, n_labelled, relevance);
  else
    {
      memcpy (relevance, self->prior, sizeof (float) * self->n);
      memset (self->in_lists, 0, self->n);
      self->n_in_lists = self->list_k = 0;
    }

  for (guint j = 0; j < n_labelled; j++)
    relevance[labelled[j]] = labels[labelled[j]] == DASSIE_LABEL_INTERESTING ? 1.0f : 0.0f;

  n_order = self->n - n_labelled;
  if (order != NULL)
    {
      g_autofree guint64 *keys = g_new (guint64, MAX (n_order, 1));
      guint u = 0;

      for (guint i = 0; i < self->n; i++)
        if (labels == NULL || labels[i] == DASSIE_LABEL_NONE)
          keys[u++] = order_key (relevance[i], self->anomaly_rank[i]);
      qsort (keys, n_order, sizeof (guint64), compare_keys);
      for (guint r = 0; r < n_order; r++)
        order[r] = self->anomaly_rank_row[(guint32) keys[r]];
    }
  return n_order;
}

guint
dassie_relevance_rank (const float                  *latents,
                       guint                         n,
                       guint                         dim,
                       const float                  *scores,
                       const guint8                 *labels,
                       const DassieRelevanceOptions *options,
                       float                        *relevance,
                       guint32                      *order)
{
  g_autoptr(DassieRelevance) model = dassie_relevance_new (latents, n, dim, scores, options);

  g_return_val_if_fail (model != NULL, 0);
  return dassie_relevance_update (model, labels, relevance, order);
}
