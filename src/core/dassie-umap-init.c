/* dassie-umap-init.c: UMAP's starting layouts: PCA, random and spectral (the graph Laplacian's eigenvectors)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "dassie-umap-private.h"

/* Eigenvectors of a symmetric dim × dim matrix by cyclic Jacobi rotations; @vectors gets them as
 * columns, @values the eigenvalues. */
static void
jacobi_eigen (double *a,
              guint   dim,
              double *values,
              double *vectors)
{
  for (guint i = 0; i < dim; i++)
    for (guint j = 0; j < dim; j++)
      vectors[i * dim + j] = i == j;

  for (guint sweep = 0; sweep < 100; sweep++)
    {
      double off = 0, total = 0;

      for (guint i = 0; i < dim; i++)
        for (guint j = 0; j < dim; j++)
          {
            total += a[i * dim + j] * a[i * dim + j];
            if (i != j)
              off += a[i * dim + j] * a[i * dim + j];
          }
      if (off <= 1e-30 * total || total == 0)
        break;

      for (guint p = 0; p < dim; p++)
        for (guint q = p + 1; q < dim; q++)
          {
            double apq = a[p * dim + q];
            double theta, t, c, s;

            if (fabs (apq) < 1e-300)
              continue;
            theta = (a[q * dim + q] - a[p * dim + p]) / (2 * apq);
            t = (theta >= 0 ? 1.0 : -1.0) / (fabs (theta) + sqrt (theta * theta + 1));
            c = 1 / sqrt (t * t + 1);
            s = t * c;
            for (guint r = 0; r < dim; r++)
              {
                double arp = a[r * dim + p], arq = a[r * dim + q];

                a[r * dim + p] = c * arp - s * arq;
                a[r * dim + q] = s * arp + c * arq;
              }
            for (guint r = 0; r < dim; r++)
              {
                double apr = a[p * dim + r], aqr = a[q * dim + r];

                a[p * dim + r] = c * apr - s * aqr;
                a[q * dim + r] = s * apr + c * aqr;
              }
            for (guint r = 0; r < dim; r++)
              {
                double vrp = vectors[r * dim + p], vrq = vectors[r * dim + q];

                vectors[r * dim + p] = c * vrp - s * vrq;
                vectors[r * dim + q] = s * vrp + c * vrq;
              }
          }
    }

  for (guint i = 0; i < dim; i++)
    values[i] = a[i * dim + i];
}

/* The first two principal components of the data. FALSE when they are degenerate. */
gboolean
_dassie_umap_pca_init (const float *data,
                       guint        n,
                       guint        dim,
                       float       *embedding)
{
  g_autofree double *mean = g_new0 (double, dim);
  g_autofree float *centred = g_new (float, (gsize) n * dim);
  g_autofree float *cov_f = g_new0 (float, (gsize) dim * dim);
  g_autofree double *cov = g_new (double, (gsize) dim * dim);
  g_autofree double *values = g_new (double, dim);
  g_autofree double *vectors = g_new (double, (gsize) dim * dim);
  guint best[2] = { 0, 0 };

  if (n < 3)
    return FALSE;

  for (gsize i = 0; i < (gsize) n * dim; i++)
    mean[i % dim] += data[i];
  for (guint d = 0; d < dim; d++)
    mean[d] /= n;
  for (gsize i = 0; i < (gsize) n * dim; i++)
    centred[i] = (float) (data[i] - mean[i % dim]);

  cblas_ssyrk (CblasRowMajor, CblasUpper, CblasTrans, dim, n, 1.0f, centred, dim, 0.0f, cov_f, dim);
  for (guint i = 0; i < dim; i++)
    for (guint j = 0; j < dim; j++)
      cov[i * dim + j] = cov_f[MIN (i, j) * dim + MAX (i, j)];

  jacobi_eigen (cov, dim, values, vectors);
  for (guint c = 0; c < 2 && c < dim; c++)
    {
      guint pick = G_MAXUINT;

      for (guint d = 0; d < dim; d++)
        if ((c == 0 || d != best[0]) && (pick == G_MAXUINT || values[d] > values[pick]))
          pick = d;
      best[c] = pick;
    }
  /* A second component at rounding level means the data lie on a line: no plane to start from. */
  if (dim < 2 || !(values[best[1]] > 1e-6 * values[best[0]]))
    return FALSE;

  for (guint c = 0; c < 2; c++)
    {
      double largest = 0;
      double sign = 1;

      /* Sign as scikit-learn's svd_flip fixes it: the largest loading positive. */
      for (guint d = 0; d < dim; d++)
        if (fabs (vectors[d * dim + best[c]]) > fabs (largest))
          largest = vectors[d * dim + best[c]];
      sign = largest < 0 ? -1 : 1;

      for (guint i = 0; i < n; i++)
        {
          double s = 0;

          for (guint d = 0; d < dim; d++)
            s += (double) centred[(gsize) i * dim + d] * vectors[d * dim + best[c]];
          embedding[(gsize) i * 2 + c] = (float) (sign * s);
        }
    }
  return TRUE;
}

void
_dassie_umap_random_init (guint64  seed,
                          guint    n,
                          float   *embedding)
{
  guint32 seeds[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seeds, 2);

  for (gsize i = 0; i < (gsize) n * 2; i++)
    embedding[i] = (float) g_rand_double_range (rand, -10.0, 10.0);
}

/* The spectral start's block of eigenvector estimates: the two wanted and one to guard them. */
#define SPECTRAL_BLOCK 3

/* Whether every vertex of @g can reach every other. */
static gboolean
graph_connected (const DassieUmapGraph *g)
{
  g_autofree guint *stack = g_new (guint, MAX (g->n, 1));
  g_autofree guint8 *seen = g_new0 (guint8, MAX (g->n, 1));
  guint top = 0, reached = 1;

  if (g->n == 0)
    return FALSE;
  seen[0] = 1;
  stack[top++] = 0;
  while (top > 0)
    {
      guint v = stack[--top];

      for (guint e = g->rows[v]; e < g->rows[v + 1]; e++)
        if (!seen[g->cols[e]])
          {
            seen[g->cols[e]] = 1;
            stack[top++] = g->cols[e];
            reached++;
          }
    }
  return reached == g->n;
}

/* y = D^-1/2 W D^-1/2 x for the @m columns of x (row-major n × m), with @s = D^-1/2. */
static void
normalized_adjacency (const DassieUmapGraph *g,
                      const double *s,
                      const double *x,
                      guint         m,
                      double       *y)
{
  g_assert (m <= SPECTRAL_BLOCK);
  for (guint i = 0; i < g->n; i++)
    {
      double acc[SPECTRAL_BLOCK] = { 0 };

      for (guint e = g->rows[i]; e < g->rows[i + 1]; e++)
        {
          double w = g->vals[e] * s[g->cols[e]];
          const double *xj = x + (gsize) g->cols[e] * m;

          for (guint c = 0; c < m; c++)
            acc[c] += w * xj[c];
        }
      for (guint c = 0; c < m; c++)
        y[(gsize) i * m + c] = s[i] * acc[c];
    }
}

/* Column @c of the n × @width row-major block @a, minus its part along the unit vector @u; the same
 * multiple of @u comes off @aa (A·a, or NULL), as u is an eigenvector of A with eigenvalue 1. */
static void
project_out (double       *a,
             double       *aa,
             guint         n,
             guint         width,
             guint         c,
             const double *u)
{
  double dot = 0;

  for (guint i = 0; i < n; i++)
    dot += a[(gsize) i * width + c] * u[i];
  for (guint i = 0; i < n; i++)
    {
      a[(gsize) i * width + c] -= dot * u[i];
      if (aa != NULL)
        aa[(gsize) i * width + c] -= dot * u[i];
    }
}

/* Orthonormalises the first @count columns of @s (n rows of @stride) in place by Gram–Schmidt,
 * twice over, doing the same to @as so that it stays A·s. Columns that turn out dependent are
 * dropped; returns how many are kept (moved to the front). */
static guint
orthonormalize_block (double *s,
                      double *as,
                      guint   n,
                      guint   stride,
                      guint   count)
{
  double coef[16];
  guint kept = 0;

  g_assert (count <= G_N_ELEMENTS (coef));
  for (guint c = 0; c < count; c++)
    {
      double before = cblas_ddot (n, s + c, stride, s + c, stride), norm;

      for (guint pass = 0; pass < 2 && kept > 0; pass++)
        {
          cblas_dgemv (CblasRowMajor, CblasTrans, n, kept, 1.0, s, stride, s + c, stride, 0.0, coef, 1);
          cblas_dgemv (CblasRowMajor, CblasNoTrans, n, kept, -1.0, s, stride, coef, 1, 1.0, s + c, stride);
          cblas_dgemv (CblasRowMajor, CblasNoTrans, n, kept, -1.0, as, stride, coef, 1, 1.0, as + c, stride);
        }
      norm = cblas_ddot (n, s + c, stride, s + c, stride);
      if (!(norm > 1e-20 * before) || norm == 0)
        continue;
      if (c != kept)
        {
          cblas_dcopy (n, s + c, stride, s + kept, stride);
          cblas_dcopy (n, as + c, stride, as + kept, stride);
        }
      cblas_dscal (n, 1 / sqrt (norm), s + kept, stride);
      cblas_dscal (n, 1 / sqrt (norm), as + kept, stride);
      kept++;
    }
  return kept;
}

/* umap-learn's spectral layout: the eigenvectors of the normalized Laplacian I − D^-1/2 W D^-1/2
 * with the smallest eigenvalues after the trivial one, that is of D^-1/2 W D^-1/2 with the largest.
 * Found by LOBPCG (Knyazev's locally optimal block conjugate gradient) on a block of three, with
 * the trivial eigenvector D^1/2·1 projected out throughout, to umap-learn's tolerance of 1e-4.
 * FALSE when the graph falls apart into pieces (umap-learn then lays out each piece apart; the
 * caller starts from PCA instead), or on cancel. */
#define SPECTRAL_TOLERANCE 1e-4
#define SPECTRAL_MAX_ITERATIONS 1000

gboolean
_dassie_umap_spectral_init (const DassieUmapGraph *g,
                            guint64                seed,
                            float                 *embedding,
                            GCancellable          *cancellable)
{
  const guint n = g->n, m = SPECTRAL_BLOCK, width = 3 * SPECTRAL_BLOCK;
  guint32 seeds[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seeds, 2);
  g_autofree double *s = g_new (double, MAX (n, 1));
  g_autofree double *u = g_new (double, MAX (n, 1));
  g_autofree double *x = g_new (double, (gsize) MAX (n, 1) * m);
  g_autofree double *ax = g_new (double, (gsize) MAX (n, 1) * m);
  g_autofree double *basis = g_new (double, (gsize) MAX (n, 1) * width);
  g_autofree double *abasis = g_new (double, (gsize) MAX (n, 1) * width);
  g_autofree double *p = g_new0 (double, (gsize) MAX (n, 1) * m);
  g_autofree double *ap = g_new0 (double, (gsize) MAX (n, 1) * m);
  g_autofree double *r = g_new (double, (gsize) MAX (n, 1) * m);
  g_autofree double *ar = g_new (double, (gsize) MAX (n, 1) * m);
  double gram[9 * SPECTRAL_BLOCK * SPECTRAL_BLOCK], values[3 * SPECTRAL_BLOCK];
  double vectors[9 * SPECTRAL_BLOCK * SPECTRAL_BLOCK], ritz[3 * SPECTRAL_BLOCK * SPECTRAL_BLOCK];
  double lambda[SPECTRAL_BLOCK];
  double u_norm = 0;
  gboolean have_p = FALSE;

  if (n < 2 * SPECTRAL_BLOCK + 2 || !graph_connected (g))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      double degree = 0;

      for (guint e = g->rows[i]; e < g->rows[i + 1]; e++)
        degree += g->vals[e];
      if (!(degree > 0))
        return FALSE;
      s[i] = 1 / sqrt (degree);
      u[i] = sqrt (degree);
      u_norm += degree;
    }
  for (guint i = 0; i < n; i++)
    u[i] /= sqrt (u_norm);

  /* A seeded random start, without the trivial direction, orthonormal. */
  for (gsize i = 0; i < (gsize) n * m; i++)
    x[i] = g_rand_double_range (rand, -1, 1);
  for (guint c = 0; c < m; c++)
    project_out (x, NULL, n, m, c, u);
  normalized_adjacency (g, s, x, m, ax);
  if (orthonormalize_block (x, ax, n, m, m) < m)
    return FALSE;

  /* Stops at the tolerance; if it is not reached, the best approximation still makes a good start. */
  for (guint iteration = 0; iteration < SPECTRAL_MAX_ITERATIONS; iteration++)
    {
      guint k;
      double worst = 0;

      /* Rounding lets the trivial direction back in, and it has the largest eigenvalue. */
      for (guint c = 0; c < m; c++)
        {
          project_out (x, ax, n, m, c, u);
          if (have_p)
            project_out (p, ap, n, m, c, u);
        }

      if (iteration % 16 == 0 && g_cancellable_is_cancelled (cancellable))
        return FALSE;

      /* Ritz values, residuals R = AX − XΛ, and whether the two wanted ones have settled. */
      for (guint c = 0; c < m; c++)
        {
          double xax = 0;

          for (guint i = 0; i < n; i++)
            xax += x[(gsize) i * m + c] * ax[(gsize) i * m + c];
          lambda[c] = xax;
        }

      /* The basis [X, R, P] and A times it. */
      for (guint i = 0; i < n; i++)
        for (guint c = 0; c < m; c++)
          {
            double residual = ax[(gsize) i * m + c] - lambda[c] * x[(gsize) i * m + c];

            basis[(gsize) i * width + c] = x[(gsize) i * m + c];
            abasis[(gsize) i * width + c] = ax[(gsize) i * m + c];
            basis[(gsize) i * width + m + c] = residual;
            basis[(gsize) i * width + 2 * m + c] = have_p ? p[(gsize) i * m + c] : 0;
            abasis[(gsize) i * width + 2 * m + c] = have_p ? ap[(gsize) i * m + c] : 0;
          }
      for (guint c = 0; c < 2; c++)
        {
          double norm = 0;

          for (guint i = 0; i < n; i++)
            norm += basis[(gsize) i * width + m + c] * basis[(gsize) i * width + m + c];
          worst = MAX (worst, sqrt (norm));
        }
      if (worst < SPECTRAL_TOLERANCE)
        break;
      for (guint c = m; c < 2 * m; c++)
        project_out (basis, NULL, n, width, c, u);

      /* A·R, computed; A·X and A·P are carried along. */
      for (guint i = 0; i < n; i++)
        for (guint c = 0; c < m; c++)
          r[(gsize) i * m + c] = basis[(gsize) i * width + m + c];
      normalized_adjacency (g, s, r, m, ar);
      for (guint i = 0; i < n; i++)
        for (guint c = 0; c < m; c++)
          abasis[(gsize) i * width + m + c] = ar[(gsize) i * m + c];

      /* X is orthonormal already and stays the first m columns. */
      k = orthonormalize_block (basis, abasis, n, width, have_p ? width : 2 * m);
      if (k <= m)
        break;

      /* Rayleigh–Ritz in the basis: the m largest eigenpairs of its k × k Gram matrix. */
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, k, k, n, 1.0, basis, width, abasis, width, 0.0,
                   gram, k);
      for (guint a = 0; a < k; a++)
        for (guint b = a + 1; b < k; b++)
          gram[a * k + b] = gram[b * k + a] = 0.5 * (gram[a * k + b] + gram[b * k + a]);
      jacobi_eigen (gram, k, values, vectors);
      {
        guint order[3 * SPECTRAL_BLOCK];

        for (guint a = 0; a < k; a++)
          order[a] = a;
        for (guint a = 1; a < k; a++)
          for (guint b = a; b > 0 && values[order[b - 1]] < values[order[b]]; b--)
            {
              guint t = order[b];

              order[b] = order[b - 1];
              order[b - 1] = t;
            }
        for (guint a = 0; a < k; a++)
          for (guint c = 0; c < m; c++)
            ritz[a * m + c] = vectors[a * k + order[c]];
      }

      /* X = basis·C, and P = (the basis past X)·(C past X); the same for A·. */
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1.0, basis, width, ritz, m, 0.0, x, m);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1.0, abasis, width, ritz, m, 0.0, ax, m);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k - m, 1.0, basis + m, width, ritz + m * m, m,
                   0.0, p, m);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k - m, 1.0, abasis + m, width, ritz + m * m,
                   m, 0.0, ap, m);
      have_p = TRUE;
    }

  /* The two leading nontrivial eigenvectors, scaled as umap-learn scales them (the caller then
   * rescales to [0, 10]); a tiny seeded jitter separates points that coincide. */
  {
    double largest = 0;

    for (guint i = 0; i < n; i++)
      for (guint c = 0; c < 2; c++)
        largest = MAX (largest, fabs (x[(gsize) i * m + c]));
    if (!(largest > 0))
      return FALSE;
    for (guint i = 0; i < n; i++)
      for (guint c = 0; c < 2; c++)
        embedding[(gsize) i * 2 + c] = (float) (10.0 * x[(gsize) i * m + c] / largest +
                                                 g_rand_double_range (rand, -1e-4, 1e-4));
  }
  return TRUE;
}

/* 10 (e − min) / (max − min) per coordinate. FALSE when a coordinate does not vary. */
gboolean
_dassie_umap_rescale_to_ten (float *embedding,
                             guint  n)
{
  for (guint c = 0; c < 2; c++)
    {
      float lo = FLT_MAX, hi = -FLT_MAX;

      for (guint i = 0; i < n; i++)
        {
          lo = MIN (lo, embedding[i * 2 + c]);
          hi = MAX (hi, embedding[i * 2 + c]);
        }
      if (!(hi > lo))
        return FALSE;
      for (guint i = 0; i < n; i++)
        embedding[i * 2 + c] = (float) (10.0 * (embedding[i * 2 + c] - lo) / ((double) hi - lo));
    }
  return TRUE;
}
