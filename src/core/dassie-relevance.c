/* dassie-relevance.c: active learning: relevance from the astronomer's labels, and the most promising order
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-export.h"
#include "dassie-labels.h"
#include "dassie-relevance.h"
#include "dassie-vectors.h"

/* The scale is measured on at most this many rows, spread evenly over the data. */
#define SCALE_SAMPLE 2000
#define SCALE_NEIGHBOR 5

struct _DassieRelevance
{
  guint                  n;
  guint                  dim;
  float                 *latents;
  float                 *scores;
  float                 *prior;
  double                 scale;
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

/* The median distance of the sample's rows to their SCALE_NEIGHBOR-th nearest other sample row: the
 * size of a neighbourhood in this latent space, whatever its units. */
static double
measure_scale (const DassieRelevance *self)
{
  guint m = MIN (self->n, SCALE_SAMPLE);
  guint k = MIN (SCALE_NEIGHBOR, m > 0 ? m - 1 : 0);
  g_autofree float *sample = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DassieVectors) vectors = NULL;
  g_autoptr(DassieNeighbors) nb = NULL;
  g_autofree float *kth = NULL;
  double scale;

  if (k == 0)
    return 1.0;

  sample = g_new (float, (gsize) m * self->dim);
  for (guint s = 0; s < m; s++)
    {
      guint row = (guint) ((guint64) s * self->n / m);

      memcpy (sample + (gsize) s * self->dim, self->latents + (gsize) row * self->dim,
              sizeof (float) * self->dim);
      g_ptr_array_add (ids, g_strdup_printf ("%u", s));
    }
  g_ptr_array_add (ids, NULL);
  vectors = dassie_vectors_new ((const char * const *) ids->pdata, sample, m, self->dim, NULL);
  if (vectors != NULL)
    nb = dassie_vectors_knn_all_exact (vectors, k, DASSIE_METRIC_EUCLIDEAN, self->options.n_threads,
                                       NULL, NULL, NULL, NULL, NULL);
  if (nb == NULL)
    return 1.0;

  kth = g_new (float, m);
  for (guint s = 0; s < m; s++)
    kth[s] = nb->distances[(gsize) s * k + k - 1];
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

  /* The vector store refuses non-finite values; an unusable vector is taken as the origin. */
  self->latents = g_new (float, MAX ((gsize) n * dim, 1));
  for (gsize c = 0; c < (gsize) n * dim; c++)
    self->latents[c] = isfinite (latents[c]) ? latents[c] : 0.0f;
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

typedef struct
{
  const float *relevance;
  const float *prior;
} OrderData;

/* Most relevant first; then the more anomalous; then the lower row: a total order. */
static int
compare_promising (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const OrderData *d = user_data;
  guint32 i = *(const guint32 *) a, j = *(const guint32 *) b;

  if (d->relevance[i] != d->relevance[j])
    return d->relevance[i] > d->relevance[j] ? -1 : 1;
  if (d->prior[i] != d->prior[j])
    return d->prior[i] > d->prior[j] ? -1 : 1;
  return i < j ? -1 : i > j;
}

/* The relevance of every row from its nearest labelled rows (see the header for the formula). */
static gboolean
apply_neighbors (DassieRelevance *self,
                 const guint8    *labels,
                 const guint32   *labelled,
                 guint            n_labelled,
                 float           *relevance)
{
  const DassieRelevanceOptions *o = &self->options;
  guint k = MIN (o->k, n_labelled);
  g_autofree float *matrix = g_new (float, (gsize) n_labelled * self->dim);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(DassieVectors) store = NULL;
  g_autoptr(DassieNeighbors) nb = NULL;
  double h = o->bandwidth * self->scale;
  double inv_two_h2 = 1.0 / (2.0 * h * h);

  for (guint j = 0; j < n_labelled; j++)
    {
      memcpy (matrix + (gsize) j * self->dim, self->latents + (gsize) labelled[j] * self->dim,
              sizeof (float) * self->dim);
      g_ptr_array_add (ids, g_strdup_printf ("%u", j));
    }
  g_ptr_array_add (ids, NULL);
  store = dassie_vectors_new ((const char * const *) ids->pdata, matrix, n_labelled, self->dim, NULL);
  if (store == NULL)
    return FALSE;
  nb = dassie_vectors_search (store, self->latents, self->n, NULL, k, DASSIE_METRIC_SQEUCLIDEAN,
                              o->n_threads, NULL, NULL, NULL);
  if (nb == NULL)
    return FALSE;

  for (guint i = 0; i < self->n; i++)
    {
      double w_sum = 0, w_interesting = 0, w_artifact = 0, c;

      for (guint q = 0; q < k; q++)
        {
          double d2 = MAX (nb->distances[(gsize) i * k + q], 0.0f);
          double w = exp (-d2 * inv_two_h2);
          guint8 label = labels[labelled[nb->indices[(gsize) i * k + q]]];

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
  return TRUE;
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

  if (n_labelled == 0 || !apply_neighbors (self, labels, labelled, n_labelled, relevance))
    memcpy (relevance, self->prior, sizeof (float) * self->n);

  for (guint j = 0; j < n_labelled; j++)
    relevance[labelled[j]] = labels[labelled[j]] == DASSIE_LABEL_INTERESTING ? 1.0f : 0.0f;

  for (guint i = 0; i < self->n; i++)
    if (labels == NULL || labels[i] == DASSIE_LABEL_NONE)
      {
        if (order != NULL)
          order[n_order] = i;
        n_order++;
      }
  if (order != NULL)
    {
      OrderData data = { relevance, self->prior };

      g_qsort_with_data (order, (gint) n_order, sizeof (guint32), compare_promising, &data);
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
