/* dassie-umap.c: UMAP's optimiser (umap-learn's): the fuzzy simplicial set, the SGD layout, fit and transform
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <float.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-parallel.h"
#include "dassie-results.h"
#include "dassie-table.h"
#include "dassie-umap-private.h"
#include "dassie-vectors-private.h"

/*
 * This follows umap-learn 0.5 step by step: the k nearest neighbours (the point itself counted),
 * smooth_knn_dist's bisection for each point's σ and ρ, membership strengths, the fuzzy union
 * A + Aᵀ − A∘Aᵀ, pruning of edges below max / n_epochs, epochs_per_sample, and the SGD of
 * optimize_layout_euclidean with its negative sampling, clipping at 4 and linearly decaying rate.
 *
 * Two things differ, both for reproducibility. Negative samples come from a hash of (seed, edge,
 * epoch, sample) instead of one shared generator, so they do not depend on which thread draws them.
 * And the epochs run on several threads deterministically: the points are split into contiguous
 * ranges, one per thread; each thread works on its own copy of the layout, where its points move at
 * once, as in the single-threaded SGD, and other threads' points stay as the epoch began (plus its own
 * pushes on them). At the end of the epoch each thread's points and then its pushes on others' points
 * are merged, in thread order. With one thread this is the sequential SGD, but for
 * one detail: the negative samples of one edge are computed from the same position and applied
 * together (their sum), which lets them run side by side in vector registers.
 */

#define SMOOTH_K_TOLERANCE 1e-5
#define MIN_K_DIST_SCALE 1e-3
#define SMOOTH_K_ITERATIONS 64
#define GRADIENT_CLIP 4.0f
#define NEGATIVE_BATCH 8

/* ------------------------------------------------------------------------------------------------ */
/* the fuzzy graph                                                                                   */

static void
graph_clear (DassieUmapGraph *g)
{
  g_clear_pointer (&g->rows, g_free);
  g_clear_pointer (&g->cols, g_free);
  g_clear_pointer (&g->vals, g_free);
}

/* umap-learn's smooth_knn_dist for one row of @k distances (the first is the point itself, or, in
 * transform, its nearest neighbour, which the sum skips all the same). */
static void
smooth_knn_dist_row (const float *dists,
                     guint        k,
                     double       local_connectivity,
                     double       mean_all,
                     float       *sigma_out,
                     float       *rho_out)
{
  double target = log2 ((double) k);
  double lo = 0.0, hi = DBL_MAX, mid = 1.0;
  float rho = 0.0f;
  guint n_nonzero = 0;
  double mean_row = 0;

  for (guint j = 0; j < k; j++)
    {
      mean_row += dists[j];
      if (dists[j] > 0)
        n_nonzero++;
    }
  mean_row /= k;

  if (n_nonzero >= local_connectivity)
    {
      guint index = (guint) floor (local_connectivity);
      double interpolation = local_connectivity - index;
      guint seen = 0;
      float first = 0, at_index = 0, before_index = 0;

      /* The distances are sorted, so the non-zero ones are in order. */
      for (guint j = 0; j < k; j++)
        if (dists[j] > 0)
          {
            if (seen == 0)
              first = dists[j];
            if (index > 0 && seen == index - 1)
              before_index = dists[j];
            if (seen == index)
              at_index = dists[j];
            seen++;
          }
      if (index > 0)
        {
          rho = before_index;
          if (interpolation > SMOOTH_K_TOLERANCE)
            rho += (float) (interpolation * (at_index - before_index));
        }
      else
        rho = (float) (interpolation * first);
    }
  else if (n_nonzero > 0)
    {
      for (guint j = 0; j < k; j++)
        rho = MAX (rho, dists[j]);
    }

  for (guint iter = 0; iter < SMOOTH_K_ITERATIONS; iter++)
    {
      double psum = 0.0;

      for (guint j = 1; j < k; j++)
        {
          float d = dists[j] - rho;

          psum += d > 0 ? exp (-(d / mid)) : 1.0;
        }
      if (fabs (psum - target) < SMOOTH_K_TOLERANCE)
        break;
      if (psum > target)
        {
          hi = mid;
          mid = (lo + hi) / 2.0;
        }
      else
        {
          lo = mid;
          if (hi == DBL_MAX)
            mid *= 2;
          else
            mid = (lo + hi) / 2.0;
        }
    }

  if (rho > 0.0f)
    {
      if (mid < MIN_K_DIST_SCALE * mean_row)
        mid = MIN_K_DIST_SCALE * mean_row;
    }
  else if (mid < MIN_K_DIST_SCALE * mean_all)
    mid = MIN_K_DIST_SCALE * mean_all;

  *sigma_out = (float) mid;
  *rho_out = rho;
}

/* exp (−(d − ρ) / σ), 1 inside ρ; the point itself gets 0 unless @bipartite. */
static inline float
membership (float    d,
            float    rho,
            float    sigma,
            gboolean self)
{
  if (self)
    return 0.0f;
  if (d - rho <= 0.0f || sigma == 0.0f)
    return 1.0f;
  return expf (-((d - rho) / sigma));
}

static double
mean_of (const float *values,
         gsize        n)
{
  double s = 0;

  for (gsize i = 0; i < n; i++)
    s += values[i];
  return n > 0 ? s / n : 0.0;
}

typedef struct
{
  guint row;
  guint col;
  float val;
} Entry;

/* The fuzzy simplicial set of the neighbour graph (n × k, the point itself first): each row's
 * memberships, then their fuzzy union A + Aᵀ − A∘Aᵀ, rows sorted by column as scipy leaves them. */
static void
fuzzy_simplicial_set (const guint *knn_idx,
                      const float *knn_dist,
                      guint        n,
                      guint        k,
                      DassieUmapGraph *graph)
{
  g_autofree float *sigmas = g_new (float, n);
  g_autofree float *rhos = g_new (float, n);
  g_autofree Entry *entries = g_new (Entry, (gsize) 2 * n * k);
  g_autofree guint *counts = g_new0 (guint, n + 1);
  g_autofree Entry *sorted = NULL;
  double mean_all = mean_of (knn_dist, (gsize) n * k);
  gsize m = 0;
  gsize out = 0;

  for (guint i = 0; i < n; i++)
    smooth_knn_dist_row (knn_dist + (gsize) i * k, k, 1.0, mean_all, &sigmas[i], &rhos[i]);

  /* A and Aᵀ together; zero memberships are dropped, as scipy's eliminate_zeros does. */
  for (guint i = 0; i < n; i++)
    for (guint c = 0; c < k; c++)
      {
        guint j = knn_idx[(gsize) i * k + c];
        float v = membership (knn_dist[(gsize) i * k + c], rhos[i], sigmas[i], j == i);

        if (v == 0.0f)
          continue;
        entries[m++] = (Entry) { i, j, v };
        entries[m++] = (Entry) { j, i, v };
      }

  /* Counting sort by row, then each (short) row by column. */
  for (gsize e = 0; e < m; e++)
    counts[entries[e].row + 1]++;
  for (guint i = 0; i < n; i++)
    counts[i + 1] += counts[i];
  sorted = g_new (Entry, MAX (m, 1));
  {
    g_autofree guint *fill = g_memdup2 (counts, sizeof (guint) * (n + 1));

    for (gsize e = 0; e < m; e++)
      sorted[fill[entries[e].row]++] = entries[e];
  }

  graph->n = n;
  graph->rows = g_new (guint, n + 1);
  graph->cols = g_new (guint, MAX (m, 1));
  graph->vals = g_new (float, MAX (m, 1));
  for (guint i = 0; i < n; i++)
    {
      Entry *row = sorted + counts[i];
      guint len = counts[i + 1] - counts[i];

      for (guint a = 1; a < len; a++)
        {
          Entry e = row[a];
          guint b = a;

          while (b > 0 && (row[b - 1].col > e.col || (row[b - 1].col == e.col && row[b - 1].val > e.val)))
            {
              row[b] = row[b - 1];
              b--;
            }
          row[b] = e;
        }

      graph->rows[i] = out;
      for (guint a = 0; a < len; a++)
        {
          /* A column seen twice holds A_ij and A_ji: their union is a + b − ab. A column seen once has
           * no partner, and its union is itself. */
          if (a + 1 < len && row[a + 1].col == row[a].col)
            {
              float x = row[a].val, y = row[a + 1].val;

              graph->cols[out] = row[a].col;
              graph->vals[out] = (x + y) - x * y;
              out++;
              a++;
            }
          else
            {
              graph->cols[out] = row[a].col;
              graph->vals[out] = row[a].val;
              out++;
            }
        }
    }
  graph->rows[n] = out;
}

/* ------------------------------------------------------------------------------------------------ */
/* the layout                                                                                        */

typedef struct
{
  /* edges, sorted by head */
  guint              n_heads;
  const guint       *head_rows;       /* n_heads + 1 */
  const guint       *tails;
  double            *epochs_per_sample;
  double            *next_sample;
  double            *epochs_per_negative;
  double            *next_negative;

  float             *head_embedding;  /* moved */
  const float       *tail_embedding;  /* read (the same array as head_embedding in a fit) */
  guint              n_vertices;      /* negative samples come from [0, n_vertices) of the tails */
  gboolean           move_other;
  double             a, b, gamma;
  guint64            seed;
  guint              n_epochs;

  /* threads: [range_start[t], range_start[t + 1]) of heads are thread t's */
  guint              n_threads;
  guint             *range_start;
  float             *snapshot;        /* the embedding at the start of the epoch */
  float            **copies;          /* per thread, its own copy of the embedding during an epoch */
  guint8           **marks;           /* per thread, which other threads' points it pushed */
  guint            **touched;         /* per thread, those points in order */
  guint             *n_touched;

  guint              epoch;
  float              alpha;
} Layout;

static inline guint64
mix64 (guint64 x)
{
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

static inline float
clip (float v)
{
  return v > GRADIENT_CLIP ? GRADIENT_CLIP : (v < -GRADIENT_CLIP ? -GRADIENT_CLIP : v);
}

/* The repulsion's d^(2b) for a batch of distances at once, with GCC's vector types: log2 by the atanh
 * series, 2^y by a polynomial, both good to a few parts in a million, which the SGD does not notice. */
#pragma GCC diagnostic ignored "-Wpsabi"  /* the helpers below are inlined; no call passes a vector */
typedef float v8sf __attribute__ ((vector_size (32)));
typedef gint32 v8si __attribute__ ((vector_size (32)));

G_STATIC_ASSERT (NEGATIVE_BATCH == 8);

static inline v8sf
select8 (v8si mask,
         v8sf yes,
         v8sf no)
{
  return (v8sf) (((v8si) yes & mask) | ((v8si) no & ~mask));
}

static inline v8sf
fast_log2 (v8sf x)
{
  v8si bits = (v8si) x;
  v8si e = ((bits >> 23) & 0xff) - 127;
  v8sf m = (v8sf) ((bits & 0x007fffff) | 0x3f800000);
  v8si big = m > 1.41421356f;
  v8sf t, t2;

  m = select8 (big, m * 0.5f, m);
  e -= big;  /* big is −1 where true */
  /* log2 m = 2 atanh ((m − 1) / (m + 1)) / ln 2 */
  t = (m - 1.0f) / (m + 1.0f);
  t2 = t * t;
  return __builtin_convertvector (e, v8sf) +
         t * (2.885390082f + t2 * (0.9617966939f + t2 * (0.5770780164f + t2 * (0.4121985831f + t2 * 0.3205988970f))));
}

static inline v8sf
fast_exp2 (v8sf y)
{
  v8si n;
  v8sf f, p;

  y = select8 (y < -126.0f, y * 0.0f - 126.0f, y);
  y = select8 (y > 126.0f, y * 0.0f + 126.0f, y);
  /* y + 126.5 > 0, so truncation is floor. */
  n = __builtin_convertvector (y + 126.5f, v8si) - 126;
  f = y - __builtin_convertvector (n, v8sf);
  p = 1.0f + f * (0.6931471806f + f * (0.2402265070f + f * (0.05550410866f + f * (0.009618129108f +
                                                                             f * (0.001333355815f +
                                                                                  f * 0.0001540353039f)))));
  return p * (v8sf) ((n + 127) << 23);
}

static inline v8sf
clip8 (v8sf g)
{
  g = select8 (g > GRADIENT_CLIP, g * 0.0f + GRADIENT_CLIP, g);
  return select8 (g < -GRADIENT_CLIP, g * 0.0f - GRADIENT_CLIP, g);
}

/* The repulsive (negative-sample) steps from (cx, cy) against a batch of points, each clipped. The
 * batch is computed from the same position and summed, which lets the steps run side by side. */
DASSIE_SIMD static void
repel_batch (float        cx,
             float        cy,
             const float *ox,
             const float *oy,
             float        a,
             float        b,
             float        two_gb,
             float       *bx,
             float       *by)
{
  v8sf vx, vy, dx, dy, d2, pb, coeff;

  memcpy (&vx, ox, sizeof vx);
  memcpy (&vy, oy, sizeof vy);
  dx = cx - vx;
  dy = cy - vy;
  d2 = dx * dx + dy * dy;
  pb = fast_exp2 (b * fast_log2 (select8 (d2 > 0.0f, d2, d2 * 0.0f + 1.0f)));
  coeff = two_gb / ((0.001f + d2) * (a * pb + 1.0f));
  dx = clip8 (coeff * dx);
  dy = clip8 (coeff * dy);
  memcpy (bx, &dx, sizeof dx);
  memcpy (by, &dy, sizeof dy);
}

DASSIE_SIMD static void
layout_range (Layout *lay,
              guint   thread_index)
{
  guint first = lay->range_start[thread_index];
  guint last = lay->range_start[thread_index + 1];
  /* Each thread works on its own copy: its points are live there, the others' are as the epoch began
   * plus its own pushes on them. */
  float *emb = lay->copies != NULL ? lay->copies[thread_index] : lay->head_embedding;
  const float *tails = lay->move_other ? emb : lay->tail_embedding;
  guint8 *mark = lay->marks != NULL ? lay->marks[thread_index] : NULL;
  guint *touched = lay->touched != NULL ? lay->touched[thread_index] : NULL;
  guint n_touched = 0;
  float a = (float) lay->a, b = (float) lay->b;
  float two_ab = (float) (2.0 * lay->a * lay->b);
  float two_gb = (float) (2.0 * lay->gamma * lay->b);
  float alpha = lay->alpha;
  double epoch = lay->epoch;
  guint64 epoch_key = mix64 (lay->seed ^ ((guint64) lay->epoch * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)));

  for (guint j = first; j < last; j++)
    {
      float *current = emb + (gsize) j * 2;

      for (guint e = lay->head_rows[j]; e < lay->head_rows[j + 1]; e++)
        {
          guint k;
          const float *other;
          float dx, dy, d2, coeff, gx, gy;
          guint n_neg;
          guint64 key;

          if (lay->next_sample[e] > epoch)
            continue;

          k = lay->tails[e];
          other = tails + (gsize) k * 2;
          dx = current[0] - other[0];
          dy = current[1] - other[1];
          d2 = dx * dx + dy * dy;
          if (d2 > 0.0f)
            {
              float pb = powf (d2, b);

              coeff = (-two_ab * (pb / d2)) / (a * pb + 1.0f);
            }
          else
            coeff = 0.0f;
          gx = clip (coeff * dx);
          gy = clip (coeff * dy);
          current[0] += gx * alpha;
          current[1] += gy * alpha;
          if (lay->move_other)
            {
              emb[(gsize) k * 2] -= gx * alpha;
              emb[(gsize) k * 2 + 1] -= gy * alpha;
              if (mark != NULL && (k < first || k >= last) && !mark[k])
                {
                  mark[k] = 1;
                  touched[n_touched++] = k;
                }
            }
          lay->next_sample[e] += lay->epochs_per_sample[e];

          n_neg = (guint) ((epoch - lay->next_negative[e]) / lay->epochs_per_negative[e]);
          key = mix64 (epoch_key ^ ((guint64) e * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f)));
          for (guint p0 = 0; p0 < n_neg; p0 += NEGATIVE_BATCH)
            {
              guint m = MIN (NEGATIVE_BATCH, n_neg - p0);
              float ox[NEGATIVE_BATCH], oy[NEGATIVE_BATCH], bx[NEGATIVE_BATCH], by[NEGATIVE_BATCH];
              float cx = current[0], cy = current[1];
              float sx = 0.0f, sy = 0.0f;
              guint ks[NEGATIVE_BATCH];

              for (guint p = 0; p < NEGATIVE_BATCH; p++)
                {
                  if (p < m)
                    {
                      guint64 r = mix64 (key + (p0 + p) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

                      k = (guint) (((r >> 32) * (guint64) lay->n_vertices) >> 32);
                      other = tails + (gsize) k * 2;
                      ks[p] = k;
                      ox[p] = other[0];
                      oy[p] = other[1];
                    }
                  else
                    {
                      ks[p] = G_MAXUINT;
                      ox[p] = cx + 1.0f;
                      oy[p] = cy;
                    }
                }
              repel_batch (cx, cy, ox, oy, a, b, two_gb, bx, by);
              for (guint p = 0; p < m; p++)
                {
                  if (ox[p] == cx && oy[p] == cy)
                    {
                      /* Coincident points: umap-learn skips the point itself and pushes others by the
                       * clip value. */
                      if (ks[p] == j)
                        continue;
                      bx[p] = GRADIENT_CLIP;
                      by[p] = GRADIENT_CLIP;
                    }
                  sx += bx[p] * alpha;
                  sy += by[p] * alpha;
                }
              current[0] += sx;
              current[1] += sy;
            }
          lay->next_negative[e] += n_neg * lay->epochs_per_negative[e];
        }
    }

  if (lay->n_touched != NULL)
    lay->n_touched[thread_index] = n_touched;
}

static void
layout_thread (guint    thread_index,
               guint    n_threads,
               gpointer user_data)
{
  Layout *lay = user_data;

  if (lay->copies != NULL)
    memcpy (lay->copies[thread_index], lay->snapshot, sizeof (float) * 2 * lay->n_vertices);
  layout_range (lay, thread_index);
}

/* Splits the heads into contiguous ranges of about equal work (samples per epoch). */
static void
split_heads (Layout *lay)
{
  double total = 0, acc = 0;
  guint t = 1;

  lay->range_start = g_new0 (guint, lay->n_threads + 1);
  for (guint e = 0; e < lay->head_rows[lay->n_heads]; e++)
    total += 1.0 / lay->epochs_per_sample[e];
  for (guint j = 0; j < lay->n_heads && t < lay->n_threads; j++)
    {
      for (guint e = lay->head_rows[j]; e < lay->head_rows[j + 1]; e++)
        acc += 1.0 / lay->epochs_per_sample[e];
      while (t < lay->n_threads && acc >= total * t / lay->n_threads)
        lay->range_start[t++] = j + 1;
    }
  while (t <= lay->n_threads)
    lay->range_start[t++] = lay->n_heads;
}

typedef struct
{
  DassieProgressFunc      func;
  gpointer                data;
  const char             *stage;
  double                  from;
  double                  to;
  const guint            *rows;     /* when fitting a sample: its rows among n_total */
  guint                   n_total;
} Reporter;

static void
report (const Reporter *reporter,
        double          fraction,
        const char     *message,
        const float    *embedding,
        guint           n)
{
  DassieUmapProgress p = { { reporter->stage, reporter->from + fraction * (reporter->to - reporter->from), -1, -1,
                             message }, NULL };

  if (reporter->func == NULL)
    return;
  if (embedding != NULL && reporter->rows != NULL && n < reporter->n_total)
    {
      /* Every copy has a row per object; those not placed yet are NaN. */
      float *full = g_new (float, (gsize) 2 * reporter->n_total);

      for (gsize i = 0; i < (gsize) 2 * reporter->n_total; i++)
        full[i] = NAN;
      for (guint i = 0; i < n; i++)
        {
          full[(gsize) reporter->rows[i] * 2] = embedding[(gsize) i * 2];
          full[(gsize) reporter->rows[i] * 2 + 1] = embedding[(gsize) i * 2 + 1];
        }
      p.embedding = g_bytes_new_take (full, sizeof (float) * 2 * reporter->n_total);
    }
  else if (embedding != NULL)
    p.embedding = g_bytes_new (embedding, sizeof (float) * 2 * n);
  reporter->func (&p.base, reporter->data);
  g_clear_pointer (&p.embedding, g_bytes_unref);
}

/* umap-learn's optimize_layout_euclidean over the edges of @lay. */
static gboolean
run_layout (Layout          *lay,
            double           initial_alpha,
            guint            n_embedded,
            const Reporter  *reporter,
            guint            report_every,
            GCancellable    *cancellable,
            GError         **error)
{
  gboolean fit = lay->move_other && lay->n_threads > 1;
  DassieEta eta;

  split_heads (lay);
  if (fit)
    {
      lay->snapshot = g_new (float, (gsize) 2 * lay->n_vertices);
      lay->copies = g_new0 (float *, lay->n_threads);
      lay->marks = g_new0 (guint8 *, lay->n_threads);
      lay->touched = g_new0 (guint *, lay->n_threads);
      lay->n_touched = g_new0 (guint, lay->n_threads);
      for (guint t = 0; t < lay->n_threads; t++)
        {
          lay->copies[t] = g_new (float, (gsize) 2 * lay->n_vertices);
          lay->marks[t] = g_new0 (guint8, lay->n_vertices);
          lay->touched[t] = g_new (guint, lay->n_vertices);
        }
    }

  dassie_eta_start (&eta);
  lay->alpha = (float) initial_alpha;
  for (guint n = 0; n < lay->n_epochs; n++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      lay->epoch = n;
      if (fit)
        memcpy (lay->snapshot, lay->head_embedding, sizeof (float) * 2 * lay->n_vertices);
      if (lay->n_threads > 1)
        _dassie_run_threads (lay->n_threads, layout_thread, lay);
      else
        layout_range (lay, 0);

      /* Each thread's own points come from its copy; then its pushes on other threads' points land,
       * in thread order. */
      for (guint t = 0; fit && t < lay->n_threads; t++)
        memcpy (lay->head_embedding + (gsize) 2 * lay->range_start[t], lay->copies[t] + (gsize) 2 * lay->range_start[t],
                sizeof (float) * 2 * (lay->range_start[t + 1] - lay->range_start[t]));
      for (guint t = 0; fit && t < lay->n_threads; t++)
        for (guint i = 0; i < lay->n_touched[t]; i++)
          {
            guint k = lay->touched[t][i];

            lay->head_embedding[(gsize) k * 2] += lay->copies[t][(gsize) k * 2] - lay->snapshot[(gsize) k * 2];
            lay->head_embedding[(gsize) k * 2 + 1] += lay->copies[t][(gsize) k * 2 + 1] - lay->snapshot[(gsize) k * 2 + 1];
            lay->marks[t][k] = 0;
          }

      lay->alpha = (float) (initial_alpha * (1.0 - (double) n / lay->n_epochs));

      if (reporter != NULL && ((n + 1) % report_every == 0 || n + 1 == lay->n_epochs))
        {
          g_autofree char *message = g_strdup_printf (_("epoch %u of %u"), n + 1, lay->n_epochs);

          report (reporter, (n + 1) / (double) lay->n_epochs, message, lay->head_embedding, n_embedded);
        }
    }
  return TRUE;
}

static void
layout_clear (Layout *lay)
{
  g_clear_pointer (&lay->range_start, g_free);
  g_clear_pointer (&lay->snapshot, g_free);
  for (guint t = 0; lay->copies != NULL && t < lay->n_threads; t++)
    {
      g_free (lay->copies[t]);
      g_free (lay->marks[t]);
      g_free (lay->touched[t]);
    }
  g_clear_pointer (&lay->copies, g_free);
  g_clear_pointer (&lay->marks, g_free);
  g_clear_pointer (&lay->touched, g_free);
  g_clear_pointer (&lay->n_touched, g_free);
  g_clear_pointer (&lay->epochs_per_sample, g_free);
  g_clear_pointer (&lay->next_sample, g_free);
  g_clear_pointer (&lay->epochs_per_negative, g_free);
  g_clear_pointer (&lay->next_negative, g_free);
}

/* Drops edges below max / n_epochs and sets up epochs_per_sample for the rest (umap-learn's
 * make_epochs_per_sample). Compacts @graph in place. */
static void
prune_and_schedule (DassieUmapGraph *graph,
                    guint            n_epochs,
                    double           negative_sample_rate,
                    Layout          *lay)
{
  float max = 0;
  guint m = graph->rows[graph->n];
  guint out = 0;

  for (guint e = 0; e < m; e++)
    max = MAX (max, graph->vals[e]);

  for (guint i = 0; i < graph->n; i++)
    {
      guint start = graph->rows[i];

      graph->rows[i] = out;
      for (guint e = start; e < graph->rows[i + 1]; e++)
        if (!(graph->vals[e] < max / (float) n_epochs))
          {
            graph->cols[out] = graph->cols[e];
            graph->vals[out] = graph->vals[e];
            out++;
          }
    }
  graph->rows[graph->n] = out;

  lay->epochs_per_sample = g_new (double, MAX (out, 1));
  lay->next_sample = g_new (double, MAX (out, 1));
  lay->epochs_per_negative = g_new (double, MAX (out, 1));
  lay->next_negative = g_new (double, MAX (out, 1));
  for (guint e = 0; e < out; e++)
    {
      double n_samples = n_epochs * (double) (graph->vals[e] / max);

      lay->epochs_per_sample[e] = n_samples > 0 ? n_epochs / n_samples : -1.0;
      lay->next_sample[e] = lay->epochs_per_sample[e];
      lay->epochs_per_negative[e] = lay->epochs_per_sample[e] / negative_sample_rate;
      lay->next_negative[e] = lay->epochs_per_negative[e];
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* fit                                                                                               */

static void
forward_knn_progress (const DassieProgress *progress,
                      gpointer              user_data)
{
  const Reporter *reporter = user_data;
  DassieUmapProgress p = { *progress, NULL };

  p.base.fraction = progress->fraction >= 0 ?
                    reporter->from + progress->fraction * (reporter->to - reporter->from) : -1;
  p.base.stage = reporter->stage;
  p.base.message = _("finding neighbours");
  reporter->func (&p.base, reporter->data);
}

static guint
default_epochs (const DassieUmapParams *params,
                guint                   n)
{
  if (params->n_epochs > 0)
    return params->n_epochs;
  return n <= 10000 ? 500 : 200;
}

/* Neighbours of every point, the point itself first at distance 0 (umap-learn's convention). */
static gboolean
knn_with_self (const float             *data,
               guint                    n,
               guint                    dim,
               guint                    n_neighbors,
               const DassieUmapParams  *params,
               const Reporter          *reporter,
               guint                  **idx_out,
               float                  **dist_out,
               GCancellable            *cancellable,
               GError                 **error)
{
  g_autoptr(DassieVectors) store = _dassie_vectors_new_borrowed (data, n, dim);
  g_autoptr(DassieNeighbors) nb = NULL;
  DassieKnnOptions options;
  guint k = n_neighbors - 1;
  guint *idx;
  float *dist;

  dassie_knn_options_init (&options);
  options.metric = DASSIE_METRIC_EUCLIDEAN;
  options.index = params->index;
  options.hnsw_threshold = params->hnsw_threshold;
  options.hnsw_m = params->hnsw_m;
  options.hnsw_ef_construction = params->hnsw_ef_construction;
  options.hnsw_ef = params->hnsw_ef;
  options.n_threads = params->n_threads;
  if (reporter->func != NULL)
    {
      options.progress = forward_knn_progress;
      options.progress_data = (gpointer) reporter;
    }
  nb = dassie_vectors_knn_all (store, k, &options, NULL, cancellable, error);
  if (nb == NULL)
    return FALSE;

  idx = g_new (guint, (gsize) n * n_neighbors);
  dist = g_new (float, (gsize) n * n_neighbors);
  for (guint i = 0; i < n; i++)
    {
      idx[(gsize) i * n_neighbors] = i;
      dist[(gsize) i * n_neighbors] = 0.0f;
      memcpy (idx + (gsize) i * n_neighbors + 1, nb->indices + (gsize) i * k, sizeof (guint) * k);
      memcpy (dist + (gsize) i * n_neighbors + 1, nb->distances + (gsize) i * k, sizeof (float) * k);
    }
  *idx_out = idx;
  *dist_out = dist;
  return TRUE;
}

static float *
fit_all (const float             *data,
         guint                    n,
         guint                    dim,
         const DassieUmapParams  *params,
         double                   a,
         double                   b,
         DassieUmapInfo          *info,
         Reporter                *reporter,
         GCancellable            *cancellable,
         GError                 **error)
{
  g_autofree guint *knn_idx = NULL;
  g_autofree float *knn_dist = NULL;
  g_autofree float *embedding = NULL;
  DassieUmapGraph graph = { 0 };
  Layout lay = { 0 };
  guint n_neighbors = MIN (params->n_neighbors, n - 1);
  guint n_epochs = default_epochs (params, n);
  gint64 t0 = g_get_monotonic_time ();
  double end = reporter->to;
  gboolean ok;

  reporter->to = reporter->from + 0.2 * (end - reporter->from);
  if (!knn_with_self (data, n, dim, n_neighbors, params, reporter, &knn_idx, &knn_dist, cancellable, error))
    return NULL;
  info->seconds_neighbors += (g_get_monotonic_time () - t0) / 1e6;
  t0 = g_get_monotonic_time ();

  fuzzy_simplicial_set (knn_idx, knn_dist, n, n_neighbors, &graph);
  g_clear_pointer (&knn_idx, g_free);
  g_clear_pointer (&knn_dist, g_free);

  /* umap-learn prunes the weak edges before it starts the layout, spectral start included. */
  prune_and_schedule (&graph, n_epochs, params->negative_sample_rate, &lay);

  embedding = g_new (float, (gsize) n * 2);
  info->init = params->init;
  if (info->init == DASSIE_UMAP_INIT_SPECTRAL)
    {
      gboolean found;

      /* Seconds at 100k points: say so, at the end of the neighbours' share of the bar. */
      report (reporter, 1.0, _("finding the spectral start"), NULL, 0);

      /* Its BLAS calls are thin (n × 9); threads only wait on each other there. */
      dassie_blas_single_begin ();
      found = _dassie_umap_spectral_init (&graph, params->seed, embedding, cancellable) &&
              _dassie_umap_rescale_to_ten (embedding, n);
      dassie_blas_single_end ();
      if (!found)
        info->init = DASSIE_UMAP_INIT_PCA;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      layout_clear (&lay);
      graph_clear (&graph);
      return NULL;
    }
  if (info->init == DASSIE_UMAP_INIT_PCA &&
      !(_dassie_umap_pca_init (data, n, dim, embedding) && _dassie_umap_rescale_to_ten (embedding, n)))
    info->init = DASSIE_UMAP_INIT_RANDOM;
  if (info->init == DASSIE_UMAP_INIT_RANDOM)
    {
      _dassie_umap_random_init (params->seed, n, embedding);
      _dassie_umap_rescale_to_ten (embedding, n);
    }

  lay.n_heads = n;
  lay.head_rows = graph.rows;
  lay.tails = graph.cols;
  lay.head_embedding = embedding;
  lay.tail_embedding = embedding;
  lay.n_vertices = n;
  lay.move_other = TRUE;
  lay.a = a;
  lay.b = b;
  lay.gamma = 1.0;
  lay.seed = params->seed;
  lay.n_epochs = n_epochs;
  lay.n_threads = MIN (dassie_parallel_n_threads (params->n_threads), MAX (1, n / 256));

  info->n_neighbors = n_neighbors;
  info->n_epochs = n_epochs;
  info->n_fit = n;
  info->n_edges = graph.rows[n];

  reporter->from = reporter->to;
  reporter->to = end;
  ok = run_layout (&lay, params->learning_rate, n, reporter,
                   params->progress_every > 0 ? params->progress_every : 10, cancellable, error);
  layout_clear (&lay);
  graph_clear (&graph);
  info->seconds_layout += (g_get_monotonic_time () - t0) / 1e6;
  return ok ? g_steal_pointer (&embedding) : NULL;
}

/* ------------------------------------------------------------------------------------------------ */
/* transform                                                                                         */

static float *
transform_points (const float             *train_data,
                  guint                    n_train,
                  guint                    dim,
                  const float             *train_embedding,
                  const float             *new_data,
                  guint                    n_new,
                  const DassieUmapParams  *params,
                  double                   a,
                  double                   b,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autoptr(DassieVectors) store = _dassie_vectors_new_borrowed (train_data, n_train, dim);
  g_autoptr(DassieNeighbors) nb = NULL;
  g_autofree float *sigmas = NULL;
  g_autofree float *rhos = NULL;
  g_autofree float *embedding = NULL;
  DassieUmapGraph graph = { 0 };
  Layout lay = { 0 };
  guint k = MIN (params->n_neighbors, n_train);
  guint n_epochs;
  double mean_all;
  gboolean ok;

  if (n_new == 0)
    return g_new (float, 2);

  nb = dassie_vectors_search (store, new_data, n_new, NULL, k, DASSIE_METRIC_EUCLIDEAN, params->n_threads,
                              NULL, cancellable, error);
  if (nb == NULL)
    return NULL;

  /* umap-learn: local connectivity one less than the fit's (so ρ = 0), the nearest neighbour still
   * skipped by the sum, and no special case for the point itself (the graph is bipartite). */
  sigmas = g_new (float, n_new);
  rhos = g_new (float, n_new);
  mean_all = mean_of (nb->distances, (gsize) n_new * k);
  for (guint i = 0; i < n_new; i++)
    smooth_knn_dist_row (nb->distances + (gsize) i * k, k, 0.0, mean_all, &sigmas[i], &rhos[i]);

  graph.n = n_new;
  graph.rows = g_new (guint, n_new + 1);
  graph.cols = g_new (guint, (gsize) n_new * k);
  graph.vals = g_new (float, (gsize) n_new * k);
  embedding = g_new0 (float, (gsize) n_new * 2);
  for (guint i = 0; i < n_new; i++)
    {
      double sum = 0;

      graph.rows[i] = i * k;
      for (guint c = 0; c < k; c++)
        {
          gsize e = (gsize) i * k + c;

          graph.cols[e] = nb->indices[e];
          graph.vals[e] = membership (nb->distances[e], rhos[i], sigmas[i], FALSE);
          sum += graph.vals[e];
        }
      /* The start: the average of the neighbours' places, weighted by the l1-normalised memberships. */
      for (guint c = 0; c < k; c++)
        {
          gsize e = (gsize) i * k + c;
          double w = sum > 0 ? graph.vals[e] / sum : 1.0 / k;

          embedding[i * 2] += (float) (w * train_embedding[(gsize) graph.cols[e] * 2]);
          embedding[i * 2 + 1] += (float) (w * train_embedding[(gsize) graph.cols[e] * 2 + 1]);
        }
    }
  graph.rows[n_new] = n_new * k;

  if (params->n_epochs > 0)
    n_epochs = MAX (params->n_epochs / 3, 1);
  else
    n_epochs = n_new <= 10000 ? 100 : 30;

  prune_and_schedule (&graph, n_epochs, params->negative_sample_rate, &lay);
  lay.n_heads = n_new;
  lay.head_rows = graph.rows;
  lay.tails = graph.cols;
  lay.head_embedding = embedding;
  lay.tail_embedding = train_embedding;
  lay.n_vertices = n_train;
  lay.move_other = FALSE;
  lay.a = a;
  lay.b = b;
  lay.gamma = 1.0;
  lay.seed = params->seed ^ G_GUINT64_CONSTANT (0x5bd1e9955bd1e995);
  lay.n_epochs = n_epochs;
  lay.n_threads = MIN (dassie_parallel_n_threads (params->n_threads), MAX (1, n_new / 256));

  ok = run_layout (&lay, params->learning_rate / 4.0, n_new, NULL, 1, cancellable, error);
  layout_clear (&lay);
  graph_clear (&graph);
  return ok ? g_steal_pointer (&embedding) : NULL;
}

float *
dassie_umap_transform (const float             *train_data,
                       guint                    n_train,
                       guint                    dim,
                       const float             *train_embedding,
                       const float             *new_data,
                       guint                    n_new,
                       const DassieUmapParams  *params,
                       GCancellable            *cancellable,
                       GError                 **error)
{
  double a, b;

  g_return_val_if_fail (train_data != NULL && train_embedding != NULL, NULL);
  g_return_val_if_fail (new_data != NULL || n_new == 0, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (n_train < 2 || params->n_neighbors < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("UMAP transform needs a layout of at least 2 points and 2 neighbours"));
      return NULL;
    }
  dassie_umap_find_ab (params->spread, params->min_dist, &a, &b);
  return transform_points (train_data, n_train, dim, train_embedding, new_data, n_new, params, a, b,
                           cancellable, error);
}

/* ------------------------------------------------------------------------------------------------ */

/* A seeded sample of @m of @n rows, in row order. */
static guint *
sample_rows (guint   n,
             guint   m,
             guint64 seed)
{
  guint32 seeds[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seeds, 2);
  g_autofree guint *perm = g_new (guint, n);
  g_autofree guint8 *chosen = g_new0 (guint8, n);
  guint *rows = g_new (guint, m);
  guint out = 0;

  for (guint i = 0; i < n; i++)
    perm[i] = i;
  for (guint i = 0; i < m; i++)
    {
      guint j = i + g_rand_int_range (rand, 0, n - i);
      guint t = perm[i];

      perm[i] = perm[j];
      perm[j] = t;
      chosen[perm[i]] = 1;
    }
  for (guint i = 0; i < n; i++)
    if (chosen[i])
      rows[out++] = i;
  return rows;
}

float *
dassie_umap_fit (const float             *data,
                 guint                    n_rows,
                 guint                    dim,
                 const DassieUmapParams  *params,
                 DassieUmapInfo          *info,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  DassieUmapInfo local_info = { 0 };
  Reporter reporter = { 0 };
  double a, b;

  g_return_val_if_fail (data != NULL || n_rows == 0, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (info == NULL)
    info = &local_info;
  memset (info, 0, sizeof *info);

  if (n_rows < 4 || dim == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("UMAP needs at least 4 objects (there are %u)"), n_rows);
      return NULL;
    }
  if (params->n_neighbors < 2 || !(params->spread > 0) || !(params->min_dist >= 0) ||
      !dassie_umap_find_ab (params->spread, params->min_dist, &a, &b))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The UMAP settings are out of range (n_neighbors %u, min_dist %g, spread %g)"),
                   params->n_neighbors, params->min_dist, params->spread);
      return NULL;
    }
  info->a = a;
  info->b = b;

  reporter.func = params->progress;
  reporter.data = params->progress_data;
  reporter.stage = "umap";

  if (params->fit_sample_size == 0 || n_rows <= params->fit_sample_size || params->fit_sample_size < 4)
    {
      reporter.from = 0;
      reporter.to = 1;
      return fit_all (data, n_rows, dim, params, a, b, info, &reporter, cancellable, error);
    }
  else
    {
      guint m = params->fit_sample_size;
      g_autofree guint *sample = sample_rows (n_rows, m, params->seed);
      g_autofree guint8 *in_sample = g_new0 (guint8, n_rows);
      g_autofree float *fit_data = g_new (float, (gsize) m * dim);
      g_autofree float *rest_data = g_new (float, (gsize) (n_rows - m) * dim);
      g_autofree float *fitted = NULL;
      g_autofree float *placed = NULL;
      float *embedding;
      guint r = 0;
      gint64 t0;

      for (guint i = 0; i < m; i++)
        {
          in_sample[sample[i]] = 1;
          memcpy (fit_data + (gsize) i * dim, data + (gsize) sample[i] * dim, sizeof (float) * dim);
        }
      for (guint i = 0; i < n_rows; i++)
        if (!in_sample[i])
          memcpy (rest_data + (gsize) r++ * dim, data + (gsize) i * dim, sizeof (float) * dim);

      reporter.from = 0;
      reporter.to = 0.85;
      reporter.rows = sample;
      reporter.n_total = n_rows;
      fitted = fit_all (fit_data, m, dim, params, a, b, info, &reporter, cancellable, error);
      if (fitted == NULL)
        return NULL;

      t0 = g_get_monotonic_time ();
      reporter.from = 0.85;
      reporter.to = 1.0;
      report (&reporter, 0.0, _("placing the other objects"), NULL, 0);
      placed = transform_points (fit_data, m, dim, fitted, rest_data, n_rows - m, params, a, b,
                                 cancellable, error);
      if (placed == NULL)
        return NULL;
      info->n_transformed = n_rows - m;
      info->seconds_transform = (g_get_monotonic_time () - t0) / 1e6;

      embedding = g_new (float, (gsize) n_rows * 2);
      r = 0;
      for (guint i = 0, s = 0; i < n_rows; i++)
        {
          const float *src = in_sample[i] ? fitted + (gsize) s++ * 2 : placed + (gsize) r++ * 2;

          embedding[(gsize) i * 2] = src[0];
          embedding[(gsize) i * 2 + 1] = src[1];
        }
      report (&reporter, 1.0, NULL, embedding, n_rows);
      return embedding;
    }
}
