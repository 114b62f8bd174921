/* dassie-knn.c: exact k nearest neighbours on sgemm tiles: all pairs and queries, proven by a rounding bound
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>
#if defined(__GNUC__) && defined(__x86_64__)
# include <immintrin.h>
#endif
#include <float.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-parallel.h"
#include "dassie-vectors-private.h"

/*
 * Exact search runs in two passes. The first finds, for every query, a few more candidates than asked
 * (k + margin) from distances computed as ‖x‖² − 2 x·y + ‖y‖² on tiles of an sgemm, scanning each tile
 * while it is still in cache. The second recomputes the candidates' distances in double precision
 * from the original vectors and keeps the k nearest. Rounding in the first pass is bounded, so a row
 * whose excluded points could not have come closer than its k-th neighbour is proven complete; the
 * rare row that cannot be proven so is rescanned in double precision.
 *
 * The first pass works on "working" vectors: centred ones for the Euclidean metrics (centring changes
 * no distance but shrinks the norms that rounding scales with) and unit ones for the cosine metric,
 * whose squared distance is 2 (1 − cos).
 */

#define TILE_ROWS 512
#define TILE_COLS 512
#define CANDIDATE_MARGIN 8

static void pick_scan_functions (void);

/* A query's working vector, made the way the store's were. Returns ‖q‖ of the working vector. */
static double
working_query (const DassieWorking *w,
               const float         *query,
               guint                dim,
               float               *out,
               double              *query_norm)
{
  double s = 0;

  if (w->center == NULL)
    {
      double n2 = 0;

      for (guint d = 0; d < dim; d++)
        n2 += (double) query[d] * query[d];
      *query_norm = sqrt (n2);
      for (guint d = 0; d < dim; d++)
        out[d] = n2 > 0 ? (float) (query[d] / *query_norm) : 0.0f;
    }
  else
    {
      for (guint d = 0; d < dim; d++)
        out[d] = query[d] - w->center[d];
      *query_norm = 0;
    }

  for (guint d = 0; d < dim; d++)
    s += (double) out[d] * out[d];
  return s;
}

/* ------------------------------------------------------------------------------------------------ */
/* candidate heaps: a bounded max-heap per query, ordered by (distance, row)                         */

typedef struct
{
  float d;
  guint idx;
} Cand;

typedef struct
{
  guint  n;
  guint  kc;
  Cand  *c;      /* n × kc */
  guint *count;  /* entries held per query */
  float *thr;    /* the worst distance held, +inf until full */
} Heaps;

static inline gboolean
cand_less (float da, guint ia, float db, guint ib)
{
  return da < db || (da == db && ia < ib);
}

static void
heaps_init (Heaps *h,
            guint  n,
            guint  kc)
{
  h->n = n;
  h->kc = kc;
  h->c = g_new (Cand, (gsize) n * kc);
  h->count = g_new0 (guint, MAX (n, 1));
  h->thr = g_new (float, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    h->thr[i] = INFINITY;
}

static void
heaps_clear (Heaps *h)
{
  g_clear_pointer (&h->c, g_free);
  g_clear_pointer (&h->count, g_free);
  g_clear_pointer (&h->thr, g_free);
}

static inline void
heap_push (Heaps *h,
           guint  row,
           float  d,
           guint  idx)
{
  Cand *hp = h->c + (gsize) row * h->kc;
  guint kc = h->kc;
  guint cnt = h->count[row];
  guint pos;

  if (cnt < kc)
    {
      /* Sift up. */
      pos = cnt;
      while (pos > 0)
        {
          guint parent = (pos - 1) / 2;

          if (!cand_less (hp[parent].d, hp[parent].idx, d, idx))
            break;
          hp[pos] = hp[parent];
          pos = parent;
        }
      hp[pos] = (Cand) { d, idx };
      h->count[row] = cnt + 1;
      if (cnt + 1 == kc)
        h->thr[row] = hp[0].d;
      return;
    }

  if (!cand_less (d, idx, hp[0].d, hp[0].idx))
    return;

  /* Replace the root and sift down. */
  pos = 0;
  for (;;)
    {
      guint child = 2 * pos + 1;

      if (child >= kc)
        break;
      if (child + 1 < kc && cand_less (hp[child].d, hp[child].idx, hp[child + 1].d, hp[child + 1].idx))
        child++;
      if (!cand_less (d, idx, hp[child].d, hp[child].idx))
        break;
      hp[pos] = hp[child];
      pos = child;
    }
  hp[pos] = (Cand) { d, idx };
  h->thr[row] = hp[0].d;
}

/* ------------------------------------------------------------------------------------------------ */
/* tile scans                                                                                        */

/* Tiles are scanned in chunks of 16 columns (one AVX-512 register); a bit per chunk says whether any
 * distance in it could enter a heap, so the scalar pass visits only those chunks. */
#define CHUNK 16
G_STATIC_ASSERT (TILE_COLS % CHUNK == 0 && TILE_COLS / CHUNK <= 64);

/* d = (−2 x·y + ‖y‖²) + ‖x‖², in place; returns the chunks holding a d ≤ thr. The vector versions add
 * in the same order, so every version gives the same distances. */
static guint64
finish_row_scalar (float       *restrict row,
                   const float *restrict sq_norms_j,
                   float                 sq_norm_i,
                   float                 thr,
                   guint                 n)
{
  guint64 mask = 0;

  for (guint c = 0; c < n; c++)
    {
      float d = (row[c] + sq_norms_j[c]) + sq_norm_i;

      row[c] = d;
      if (d <= thr)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  return mask;
}

/* The chunks holding a row[c] ≤ thr[c]. */
static guint64
chunks_at_most_scalar (const float *restrict row,
                       const float *restrict thr,
                       guint                 n)
{
  guint64 mask = 0;

  for (guint c = 0; c < n; c++)
    if (row[c] <= thr[c])
      mask |= (guint64) 1 << (c / CHUNK);
  return mask;
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target ("avx512f"))) static guint64
finish_row_avx512 (float       *restrict row,
                   const float *restrict sq_norms_j,
                   float                 sq_norm_i,
                   float                 thr,
                   guint                 n)
{
  __m512 vi = _mm512_set1_ps (sq_norm_i);
  __m512 vt = _mm512_set1_ps (thr);
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    {
      __m512 d = _mm512_add_ps (_mm512_add_ps (_mm512_loadu_ps (row + c), _mm512_loadu_ps (sq_norms_j + c)), vi);

      _mm512_storeu_ps (row + c, d);
      if (_mm512_cmp_ps_mask (d, vt, _CMP_LE_OQ) != 0)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  if (c < n)
    mask |= finish_row_scalar (row + c, sq_norms_j + c, sq_norm_i, thr, n - c) << (c / CHUNK);
  return mask;
}

__attribute__((target ("avx512f"))) static guint64
chunks_at_most_avx512 (const float *restrict row,
                       const float *restrict thr,
                       guint                 n)
{
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    if (_mm512_cmp_ps_mask (_mm512_loadu_ps (row + c), _mm512_loadu_ps (thr + c), _CMP_LE_OQ) != 0)
      mask |= (guint64) 1 << (c / CHUNK);
  if (c < n)
    mask |= chunks_at_most_scalar (row + c, thr + c, n - c) << (c / CHUNK);
  return mask;
}

__attribute__((target ("avx"))) static guint64
finish_row_avx (float       *restrict row,
                const float *restrict sq_norms_j,
                float                 sq_norm_i,
                float                 thr,
                guint                 n)
{
  __m256 vi = _mm256_set1_ps (sq_norm_i);
  __m256 vt = _mm256_set1_ps (thr);
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    {
      __m256 d0 = _mm256_add_ps (_mm256_add_ps (_mm256_loadu_ps (row + c), _mm256_loadu_ps (sq_norms_j + c)), vi);
      __m256 d1 = _mm256_add_ps (_mm256_add_ps (_mm256_loadu_ps (row + c + 8), _mm256_loadu_ps (sq_norms_j + c + 8)), vi);

      _mm256_storeu_ps (row + c, d0);
      _mm256_storeu_ps (row + c + 8, d1);
      if (_mm256_movemask_ps (_mm256_or_ps (_mm256_cmp_ps (d0, vt, _CMP_LE_OQ), _mm256_cmp_ps (d1, vt, _CMP_LE_OQ))) != 0)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  if (c < n)
    mask |= finish_row_scalar (row + c, sq_norms_j + c, sq_norm_i, thr, n - c) << (c / CHUNK);
  return mask;
}

__attribute__((target ("avx"))) static guint64
chunks_at_most_avx (const float *restrict row,
                    const float *restrict thr,
                    guint                 n)
{
  guint64 mask = 0;
  guint c = 0;

  for (; c + CHUNK <= n; c += CHUNK)
    {
      __m256 m0 = _mm256_cmp_ps (_mm256_loadu_ps (row + c), _mm256_loadu_ps (thr + c), _CMP_LE_OQ);
      __m256 m1 = _mm256_cmp_ps (_mm256_loadu_ps (row + c + 8), _mm256_loadu_ps (thr + c + 8), _CMP_LE_OQ);

      if (_mm256_movemask_ps (_mm256_or_ps (m0, m1)) != 0)
        mask |= (guint64) 1 << (c / CHUNK);
    }
  if (c < n)
    mask |= chunks_at_most_scalar (row + c, thr + c, n - c) << (c / CHUNK);
  return mask;
}
#endif

typedef guint64 (*FinishRowFunc)   (float *restrict, const float *restrict, float, float, guint);
typedef guint64 (*ChunksAtMostFunc) (const float *restrict, const float *restrict, guint);

static FinishRowFunc finish_row = finish_row_scalar;
static ChunksAtMostFunc chunks_at_most = chunks_at_most_scalar;

static void
pick_scan_functions (void)
{
  static gsize picked;

  if (!g_once_init_enter (&picked))
    return;
#if defined(__GNUC__) && defined(__x86_64__)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    {
      finish_row = finish_row_avx512;
      chunks_at_most = chunks_at_most_avx512;
    }
  else if (__builtin_cpu_supports ("avx"))
    {
      finish_row = finish_row_avx;
      chunks_at_most = chunks_at_most_avx;
    }
#endif
  g_once_init_leave (&picked, 1);
}

/* Pushes the entries of the chunks in @mask into the heap of row @i (skipping column @skip). */
static inline void
push_row_chunks (Heaps       *h,
                 guint        i,
                 const float *row,
                 guint        n,
                 guint64      mask,
                 guint        j0,
                 guint        skip)
{
  while (mask != 0)
    {
      guint chunk = __builtin_ctzll (mask);
      guint end = MIN (n, (chunk + 1) * CHUNK);

      mask &= mask - 1;
      for (guint c = chunk * CHUNK; c < end; c++)
        if (row[c] <= h->thr[i] && j0 + c != skip)
          heap_push (h, i, row[c], j0 + c);
    }
}

/* Σ (x − y)² for @bi vectors @x (row-major) against columns j0 .. j0+bj of the transposed @wt. */
DASSIE_SIMD static void
direct_tile (const float *restrict x,
             guint                 bi,
             const float *restrict wt,
             guint                 n,
             guint                 dim,
             guint                 j0,
             guint                 bj,
             float       *restrict tile)
{
  for (guint r = 0; r < bi; r++)
    {
      float *row = tile + (gsize) r * bj;

      for (guint c = 0; c < bj; c++)
        row[c] = 0.0f;
      for (guint d = 0; d < dim; d++)
        {
          const float *col = wt + (gsize) d * n + j0;
          float q = x[(gsize) r * dim + d];

          for (guint c = 0; c < bj; c++)
            {
              float t = q - col[c];

              row[c] += t * t;
            }
        }
    }
}

/* Adding these zeros leaves direct distances as they are, so both kinds of tile share the scan. */
static const float zeros[TILE_COLS];

/* The tile of distances (less the row's own squared norm when not direct) of rows @x against
 * store rows j0 .. j0+bj; returns the squared norms to add to its columns. */
static const float *
fill_tile (const DassieWorking *w,
           guint                n,
           guint                dim,
           const float         *x,
           guint                bi,
           guint                j0,
           guint                bj,
           float               *tile)
{
  if (w->direct)
    {
      direct_tile (x, bi, w->wt, n, dim, j0, bj, tile);
      return zeros;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, bi, bj, dim,
               -2.0f, x, dim, w->w + (gsize) j0 * dim, dim, 0.0f, tile, bj);
  return w->sq_norms + j0;
}

/* Rows i0 .. i0+bi against columns j0 .. j0+bj of one matrix. On the diagonal (i0 == j0) a point skips
 * itself; off it, each distance also feeds the column point's heap, so each pair is computed once. */
static void
scan_symmetric_tile (Heaps               *h,
                     const DassieWorking *w,
                     guint                dim,
                     guint                i0,
                     guint                bi,
                     guint                j0,
                     guint                bj,
                     float               *tile)
{
  gboolean diagonal = i0 == j0;
  const float *col_norms = fill_tile (w, h->n, dim, w->w + (gsize) i0 * dim, bi, j0, bj, tile);

  for (guint r = 0; r < bi; r++)
    {
      guint i = i0 + r;
      float *row = tile + (gsize) r * bj;
      guint64 mask = finish_row (row, col_norms, w->direct ? 0.0f : w->sq_norms[i], h->thr[i], bj);

      push_row_chunks (h, i, row, bj, mask, j0, diagonal ? i : G_MAXUINT);
      if (diagonal)
        continue;

      mask = chunks_at_most (row, h->thr + j0, bj);
      while (mask != 0)
        {
          guint chunk = __builtin_ctzll (mask);
          guint end = MIN (bj, (chunk + 1) * CHUNK);

          mask &= mask - 1;
          for (guint c = chunk * CHUNK; c < end; c++)
            if (row[c] <= h->thr[j0 + c])
              heap_push (h, j0 + c, row[c], i);
        }
    }
}

/* Queries q0 .. q0+bq (working vectors @qw, squared norms @qn) against store rows j0 .. j0+bj. */
static void
scan_query_tile (Heaps               *h,
                 const DassieWorking *w,
                 guint                n_store,
                 guint                dim,
                 const float         *qw,
                 const float         *qn,
                 const guint         *exclude,
                 guint                q0,
                 guint                bq,
                 guint                j0,
                 guint                bj,
                 float               *tile)
{
  const float *col_norms = fill_tile (w, n_store, dim, qw + (gsize) q0 * dim, bq, j0, bj, tile);

  for (guint r = 0; r < bq; r++)
    {
      guint q = q0 + r;
      float *row = tile + (gsize) r * bj;
      guint64 mask = finish_row (row, col_norms, w->direct ? 0.0f : qn[q], h->thr[q], bj);

      push_row_chunks (h, q, row, bj, mask, j0, exclude != NULL ? exclude[q] : G_MAXUINT);
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* exact refinement                                                                                  */

int
_dassie_exact_cand_compare (const void *a,
                            const void *b)
{
  const DassieExactCand *x = a, *y = b;

  if (x->d != y->d)
    return x->d < y->d ? -1 : 1;
  return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* The k nearest by a full scan in double precision, for rows the bound could not settle. */
void
_dassie_exact_scan_row (const DassieVectors *self,
                        const DassieWorking *w,
                        const float         *x,
                        double               x_norm,
                        guint                exclude,
                        guint                k,
                        DassieExactCand     *best)
{
  guint held = 0;

  for (guint j = 0; j < self->n_rows; j++)
    {
      double d;
      guint pos;

      if (j == exclude)
        continue;
      d = _dassie_exact_working (self, w, x, x_norm, j);
      if (held == k && (d > best[k - 1].d || (d == best[k - 1].d && j > best[k - 1].idx)))
        continue;
      /* Insertion into the sorted list; k is small. */
      pos = held < k ? held++ : k - 1;
      while (pos > 0 && (best[pos - 1].d > d || (best[pos - 1].d == d && best[pos - 1].idx > j)))
        {
          best[pos] = best[pos - 1];
          pos--;
        }
      best[pos] = (DassieExactCand) { d, j };
    }
}

/* Unit roundoff of float; the bound below is generous, so that no ordering of the sgemm's sums can
 * break it. */
#define FLOAT_UNIT_ROUNDOFF (1.0 / 16777216.0)

/* Turns the candidates of query @q into its k exact nearest neighbours. Returns TRUE when the row had
 * to be rescanned. */
static gboolean
refine_row (const DassieVectors *self,
            const DassieWorking *w,
            const Heaps         *h,
            guint                q,
            const float         *x,
            double               x_norm,
            double               x_working_norm,
            guint                exclude,
            guint                k,
            DassieMetric         metric,
            guint               *out_idx,
            float               *out_dist,
            DassieExactCand     *scratch)
{
  const Cand *cands = h->c + (gsize) q * h->kc;
  guint count = h->count[q];
  gboolean rescanned = FALSE;

  for (guint c = 0; c < count; c++)
    scratch[c] = (DassieExactCand) { _dassie_exact_working (self, w, x, x_norm, cands[c].idx), cands[c].idx };
  qsort (scratch, count, sizeof (DassieExactCand), _dassie_exact_cand_compare);

  /* A heap that is not full saw every point. When it is full, a point left out had an approximate
   * distance of at least the heap's worst, so its true distance is at least that minus the rounding
   * bound. */
  if (count == h->kc && count >= k)
    {
      double gamma = (2.0 * self->dim + 32.0) * FLOAT_UNIT_ROUNDOFF;
      double reach = x_working_norm + w->max_norm;
      /* Direct sums of squares err relatively, the sgemm form by the norms. */
      double lower = w->direct ? h->thr[q] * (1.0 - gamma) : h->thr[q] - gamma * reach * reach;
      double kth = scratch[k - 1].d;

      if (!(lower > kth + 1e-12 * fabs (kth) + 1e-300))
        {
          _dassie_exact_scan_row (self, w, x, x_norm, exclude, k, scratch);
          rescanned = TRUE;
        }
    }
  else if (count < k)
    {
      _dassie_exact_scan_row (self, w, x, x_norm, exclude, k, scratch);
      rescanned = TRUE;
    }

  for (guint c = 0; c < k; c++)
    {
      out_idx[c] = scratch[c].idx;
      out_dist[c] = _dassie_metric_from_working (metric, scratch[c].d);
    }
  return rescanned;
}

/* ------------------------------------------------------------------------------------------------ */
/* all pairs                                                                                         */

typedef struct
{
  DassieVectors       *self;
  const DassieWorking *w;
  guint                k;
  guint                kc;
  DassieMetric         metric;
  guint                n_blocks;
  guint                n_tasks;
  guint               *task_i;
  guint               *task_j;
  gint                 next_task;
  gint                 done_tasks;
  Heaps               *heaps; /* one per thread */
  DassieNeighbors     *result;
  gint                 next_row_block;
  gint                 n_fallback;
  GCancellable        *cancellable;
  gint                 cancelled;
  DassieProgressFunc   progress;
  gpointer             progress_data;
  DassieEta            eta;
  gint64               last_report;
} AllPairs;

static void
report (AllPairs   *ap,
        double      fraction,
        gboolean    force)
{
  DassieProgress p = { "neighbours", fraction, -1, -1, NULL };
  gint64 now = g_get_monotonic_time ();

  if (ap->progress == NULL || (!force && now - ap->last_report < G_USEC_PER_SEC / 10))
    return;
  ap->last_report = now;
  dassie_eta_update (&ap->eta, fraction, 1.0, NULL, &p.eta_seconds);
  ap->progress (&p, ap->progress_data);
}

static gboolean
all_pairs_cancelled (AllPairs *ap)
{
  if (g_atomic_int_get (&ap->cancelled))
    return TRUE;
  if (ap->cancellable != NULL && g_cancellable_is_cancelled (ap->cancellable))
    {
      g_atomic_int_set (&ap->cancelled, 1);
      return TRUE;
    }
  return FALSE;
}

static void
all_pairs_scan_thread (guint    thread_index,
                       guint    n_threads,
                       gpointer user_data)
{
  AllPairs *ap = user_data;
  guint n = ap->self->n_rows;
  g_autofree float *tile = g_new (float, (gsize) TILE_ROWS * TILE_COLS);
  Heaps *h = &ap->heaps[thread_index];

  heaps_init (h, n, ap->kc);

  for (;;)
    {
      gint t = g_atomic_int_add (&ap->next_task, 1);
      guint bi, bj;

      if (t >= (gint) ap->n_tasks || all_pairs_cancelled (ap))
        break;

      bi = MIN (TILE_ROWS, n - ap->task_i[t] * TILE_ROWS);
      bj = MIN (TILE_COLS, n - ap->task_j[t] * TILE_COLS);
      scan_symmetric_tile (                h, ap->w, ap->self->dim, ap->task_i[t] * TILE_ROWS, bi,
                           ap->task_j[t] * TILE_COLS, bj, tile);
      g_atomic_int_inc (&ap->done_tasks);
      if (thread_index == 0)
        report (ap, 0.95 * g_atomic_int_get (&ap->done_tasks) / ap->n_tasks, FALSE);
    }
}

/* Merges the threads' heaps into heap 0, keeping the kc best of every row. */
static void
merge_heaps (Heaps *heaps,
             guint  n_heaps,
             guint  row)
{
  for (guint t = 1; t < n_heaps; t++)
    {
      const Cand *c = heaps[t].c + (gsize) row * heaps[t].kc;

      for (guint e = 0; e < heaps[t].count[row]; e++)
        heap_push (&heaps[0], row, c[e].d, c[e].idx);
    }
}

static void
all_pairs_refine_thread (guint    thread_index,
                         guint    n_threads,
                         gpointer user_data)
{
  AllPairs *ap = user_data;
  DassieVectors *self = ap->self;
  const DassieWorking *w = ap->w;
  g_autofree DassieExactCand *scratch = g_new (DassieExactCand, MAX (ap->kc, ap->k) + 1);
  guint n = self->n_rows;
  const guint block = 256;

  for (;;)
    {
      gint b = g_atomic_int_add (&ap->next_row_block, 1);
      guint start = (guint) b * block;

      if (start >= n || all_pairs_cancelled (ap))
        break;

      for (guint i = start; i < MIN (n, start + block); i++)
        {
          merge_heaps (ap->heaps, n_threads, i);
          if (refine_row (                                 self, w, &ap->heaps[0], i, self->data + (gsize) i * self->dim,
                          w->norms != NULL ? w->norms[i] : 0, sqrt (w->sq_norms[i]), i, ap->k,
                          ap->                             metric, ap->result->indices + (gsize) i * ap->k,
                          ap->result->distances + (        gsize) i * ap->k, scratch))
            g_atomic_int_inc (&ap->n_fallback);
        }
    }
}

DassieNeighbors *
dassie_vectors_knn_all_exact (DassieVectors       *self,
                              guint                k,
                              DassieMetric         metric,
                              guint                n_threads,
                              DassieProgressFunc   progress,
                              gpointer             progress_data,
                              DassieKnnStats      *stats,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_autoptr(DassieNeighbors) result = NULL;
  AllPairs ap = { 0 };
  guint n;
  guint t = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (metric <= DASSIE_METRIC_COSINE, NULL);

  n = self->n_rows;
  if (!_dassie_knn_check_k (k, n > 0 ? n - 1 : 0, error))
    return NULL;

  n_threads = dassie_parallel_n_threads (n_threads);
  result = dassie_neighbors_new (n, k);

  pick_scan_functions ();
  ap.self = self;
  ap.w = _dassie_vectors_get_working (self, metric);
  ap.k = k;
  ap.kc = k + MAX (CANDIDATE_MARGIN, k / 2);
  ap.metric = metric;
  ap.n_blocks = (n + TILE_ROWS - 1) / TILE_ROWS;
  ap.n_tasks = ap.n_blocks * (ap.n_blocks + 1) / 2;
  ap.task_i = g_new (guint, ap.n_tasks);
  ap.task_j = g_new (guint, ap.n_tasks);
  for (guint bi = 0; bi < ap.n_blocks; bi++)
    for (guint bj = bi; bj < ap.n_blocks; bj++)
      {
        ap.task_i[t] = bi;
        ap.task_j[t] = bj;
        t++;
      }
  ap.heaps = g_new0 (Heaps, n_threads);
  ap.result = result;
  ap.cancellable = cancellable;
  ap.progress = progress;
  ap.progress_data = progress_data;
  dassie_eta_start (&ap.eta);

  dassie_blas_single_begin ();
  _dassie_run_threads (n_threads, all_pairs_scan_thread, &ap);
  if (!ap.cancelled)
    _dassie_run_threads (n_threads, all_pairs_refine_thread, &ap);
  dassie_blas_single_end ();

  for (guint i = 0; i < n_threads; i++)
    heaps_clear (&ap.heaps[i]);
  g_free (ap.heaps);
  g_free (ap.task_i);
  g_free (ap.task_j);

  if (!_dassie_knn_finish_search (ap.cancelled, ap.n_fallback, FALSE, FALSE, cancellable, stats, error))
    return NULL;
  report (&ap, 1.0, TRUE);
  return g_steal_pointer (&result);
}

/* ------------------------------------------------------------------------------------------------ */
/* queries                                                                                           */

typedef struct
{
  DassieVectors       *self;
  const DassieWorking *w;
  const float         *queries;
  guint                n_queries;
  const guint         *exclude;
  guint                k;
  DassieMetric         metric;
  float               *qw;
  float               *qn;
  double              *q_norm;
  Heaps                heaps;
  DassieNeighbors     *result;
  gint                 next_block;
  gint                 n_fallback;
  GCancellable        *cancellable;
  gint                 cancelled;
} Search;

static void
search_thread (guint    thread_index,
               guint    n_threads,
               gpointer user_data)
{
  Search *s = user_data;
  DassieVectors *self = s->self;
  guint dim = self->dim;
  g_autofree float *tile = g_new (float, (gsize) TILE_ROWS * TILE_COLS);
  g_autofree DassieExactCand *scratch = g_new (DassieExactCand, s->heaps.kc + s->k + 1);

  for (;;)
    {
      gint b = g_atomic_int_add (&s->next_block, 1);
      guint q0 = (guint) b * TILE_ROWS;
      guint bq;

      if (q0 >= s->n_queries)
        break;
      if (s->cancellable != NULL && g_cancellable_is_cancelled (s->cancellable))
        {
          g_atomic_int_set (&s->cancelled, 1);
          break;
        }

      bq = MIN (TILE_ROWS, s->n_queries - q0);
      for (guint q = q0; q < q0 + bq; q++)
        s->qn[q] = working_query (s->  w, s->queries + (gsize) q * dim, dim, s->qw + (gsize) q * dim,
                                  &s-> q_norm[q]);
      for (guint j0 = 0; j0 < self->n_rows; j0 += TILE_COLS)
        scan_query_tile (&s->  heaps, s->w, self->n_rows, dim, s->qw, s->qn, s->exclude, q0, bq, j0,
                         MIN ( TILE_COLS, self->n_rows - j0), tile);
      for (guint q = q0; q < q0 + bq; q++)
        if (refine_row (                       self, s->w, &s->heaps, q, s->queries + (gsize) q * dim, s->q_norm[q],
                        sqrt (s->              qn[q]), s->exclude != NULL ? s->exclude[q] : G_MAXUINT, s->k, s->metric,
                        s->result->indices + ( gsize) q * s->k, s->result->distances + (gsize) q * s->k,
                                               scratch))
          g_atomic_int_inc (&s->n_fallback);
    }
}

DassieNeighbors *
dassie_vectors_search (DassieVectors   *self,
                       const float     *queries,
                       guint            n_queries,
                       const guint     *exclude,
                       guint            k,
                       DassieMetric     metric,
                       guint            n_threads,
                       DassieKnnStats  *stats,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr(DassieNeighbors) result = NULL;
  Search s = { 0 };
  guint available;
  guint n_blocks;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (queries != NULL || n_queries == 0, NULL);
  g_return_val_if_fail (metric <= DASSIE_METRIC_COSINE, NULL);

  available = self->n_rows;
  if (exclude != NULL && available > 0)
    available--;
  if (!_dassie_knn_check_k (k, available, error))
    return NULL;

  result = dassie_neighbors_new (n_queries, k);
  pick_scan_functions ();
  s.self = self;
  s.w = _dassie_vectors_get_working (self, metric);
  s.queries = queries;
  s.n_queries = n_queries;
  s.exclude = exclude;
  s.k = k;
  s.metric = metric;
  s.qw = g_new (float, (gsize) MAX (n_queries, 1) * self->dim);
  s.qn = g_new (float, MAX (n_queries, 1));
  s.q_norm = g_new (double, MAX (n_queries, 1));
  s.result = result;
  s.cancellable = cancellable;
  heaps_init (&s.heaps, n_queries, k + MAX (CANDIDATE_MARGIN, k / 2));

  n_blocks = (n_queries + TILE_ROWS - 1) / TILE_ROWS;
  n_threads = MIN (dassie_parallel_n_threads (n_threads), MAX (n_blocks, 1));
  if (n_threads > 1)
    {
      dassie_blas_single_begin ();
      _dassie_run_threads (n_threads, search_thread, &s);
      dassie_blas_single_end ();
    }
  else
    search_thread (0, 1, &s);

  heaps_clear (&s.heaps);
  g_free (s.qw);
  g_free (s.qn);
  g_free (s.q_norm);

  if (!_dassie_knn_finish_search (s.cancelled, s.n_fallback, FALSE, FALSE, cancellable, stats, error))
    return NULL;
  return g_steal_pointer (&result);
}

DassieNeighbors *
dassie_vectors_search_id (DassieVectors  *self,
                          const char     *id,
                          guint           k,
                          DassieMetric    metric,
                          GError        **error)
{
  guint row;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!dassie_vectors_lookup (self, id, &row))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no object with id %s in %s"), id,
                   self->path != NULL ? self->path : _("the vector store"));
      return NULL;
    }

  return dassie_vectors_search (self, self->data + (gsize) row * self->dim, 1, &row, k, metric, 1,
                                NULL, NULL, error);
}

