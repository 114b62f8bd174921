/* dassie-residuals.c: how far each cutout's reconstruction misses it, in units of its noise
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gi18n.h>
#include <math.h>

#include "dassie-residuals.h"
#include "dassie-table.h"

#define MAD_TO_SIGMA 1.4826
#define MEAN_ABS_TO_SIGMA 1.2533
#define MAX_QUANTILES 5

static const double kept_quantiles[] = { 0.9, 0.99, 0.999, 1.0 };

guint
dassie_residual_quantiles_for (double  wanted,
                               double *quantiles)
{
  guint n = 0;
  gboolean placed = !(wanted >= 0 && wanted <= 1);

  g_return_val_if_fail (quantiles != NULL, 0);

  for (guint i = 0; i < G_N_ELEMENTS (kept_quantiles); i++)
    {
      if (!placed && wanted <= kept_quantiles[i])
        {
          if (wanted < kept_quantiles[i])
            quantiles[n++] = wanted;
          placed = TRUE;
        }
      quantiles[n++] = kept_quantiles[i];
    }
  return n;
}

static inline void
swap (float *a,
      float *b)
{
  float t = *a;

  *a = *b;
  *b = t;
}

/* Reorders @a so that a[k] is the k-th smallest, nothing larger before it and nothing smaller after. */
static void
select_nth (float   *a,
            gssize   n,
            gssize   k)
{
  gssize lo = 0, hi = n - 1;

  while (hi > lo)
    {
      gssize mid = lo + (hi - lo) / 2, i = lo, j = hi;
      float pivot;

      /* The median of three, which also stops the scans below at the ends. */
      if (a[mid] < a[lo])
        swap (&a[mid], &a[lo]);
      if (a[hi] < a[lo])
        swap (&a[hi], &a[lo]);
      if (a[hi] < a[mid])
        swap (&a[hi], &a[mid]);
      pivot = a[mid];
      while (i <= j)
        {
          while (a[i] < pivot)
            i++;
          while (a[j] > pivot)
            j--;
          if (i <= j)
            {
              swap (&a[i], &a[j]);
              i++;
              j--;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        return;
    }
}

double
dassie_quantile_select (float  *values,
                        gsize   n,
                        double  q)
{
  double pos, frac, low, next;
  gsize at;

  g_return_val_if_fail (values != NULL || n == 0, NAN);

  if (n == 0)
    return NAN;
  pos = CLAMP (q, 0.0, 1.0) * (n - 1);
  at = MIN ((gsize) floor (pos), n - 1);
  frac = pos - at;
  select_nth (values, (gssize) n, (gssize) at);
  low = values[at];
  if (frac <= 0 || at + 1 >= n)
    return low;
  next = values[at + 1];
  for (gsize i = at + 2; i < n; i++)
    next = MIN (next, values[i]);
  return low + frac * (next - low);
}

double
dassie_residual_stats (const float  *input,
                       const float  *reconstruction,
                       guint         n_bands,
                       gsize         plane,
                       const double *quantiles,
                       guint         n_quantiles,
                       float        *scratch,
                       float        *out)
{
  double squares = 0;

  g_return_val_if_fail (input != NULL && reconstruction != NULL && scratch != NULL, NAN);
  g_return_val_if_fail (quantiles != NULL || n_quantiles == 0, NAN);

  for (guint b = 0; b < n_bands; b++)
    {
      const float *x = input + b * plane, *y = reconstruction + b * plane;
      float *s = scratch + b * plane;
      double median, sigma, sum_abs = 0;

      for (gsize p = 0; p < plane; p++)
        {
          double r = (double) x[p] - y[p];

          s[p] = (float) r;
          squares += r * r;
        }
      median = dassie_quantile_select (s, plane, 0.5);
      for (gsize p = 0; p < plane; p++)
        {
          s[p] = (float) fabs ((double) x[p] - y[p] - median);
          sum_abs += s[p];
        }
      sigma = MAD_TO_SIGMA * dassie_quantile_select (s, plane, 0.5);
      if (!(sigma > 0))
        sigma = MEAN_ABS_TO_SIGMA * sum_abs / MAX (plane, 1);
      if (!(sigma > 0))
        sigma = 1;
      for (gsize p = 0; p < plane; p++)
        s[p] = (float) (s[p] / sigma);
    }
  for (guint q = 0; q < n_quantiles; q++)
    out[q] = (float) dassie_quantile_select (scratch, (gsize) n_bands * plane, quantiles[q]);
  return n_bands * plane > 0 ? squares / ((double) n_bands * plane) : NAN;
}

gboolean
dassie_residuals_append (const char   *path,
                         guint         n_rows,
                         const double *quantiles,
                         guint         n_quantiles,
                         const float  *values,
                         const float  *mse,
                         GError      **error)
{
  g_autofree char *form = NULL;
  fitsfile *fptr = NULL;
  int status = 0, n_cols = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (n_quantiles > 0 && n_quantiles <= MAX_QUANTILES, FALSE);
  g_return_val_if_fail ((values != NULL && mse != NULL) || n_rows == 0, FALSE);

  form = g_strdup_printf ("%uE", n_quantiles);
  fits_open_table (&fptr, path, READWRITE, &status);
  fits_get_num_cols (fptr, &n_cols, &status);
  fits_insert_col (fptr, n_cols + 1, (char *) DASSIE_RESIDUAL_COLUMN, form, &status);
  fits_insert_col (fptr, n_cols + 2, (char *) DASSIE_RECON_MSE_COLUMN, (char *) "1E", &status);
  if (n_rows > 0)
    {
      fits_write_col (fptr, TFLOAT, n_cols + 1, 1, 1, (LONGLONG) n_rows * n_quantiles, (void *) values, &status);
      fits_write_col (fptr, TFLOAT, n_cols + 2, 1, 1, n_rows, (void *) mse, &status);
    }
  for (guint q = 0; q < n_quantiles; q++)
    {
      char key[FLEN_KEYWORD];

      g_snprintf (key, sizeof key, "RESQ%u", q + 1);
      fits_write_key_dbl (fptr, key, quantiles[q], 10, "quantile of |residual| / noise in RESID_Q", &status);
    }
  fits_write_key_str (fptr, "RESNOISE", "1.4826 MAD of each band's residual",
                      "noise unit of RESID_Q; residual = input - reconstruction", &status);
  fits_close_file (fptr, &status);
  if (status != 0)
    return _dassie_table_fail (status, path, _("add the reconstruction residuals to"), error);
  return TRUE;
}

gboolean
dassie_residuals_read (const char   *path,
                       guint         n_rows,
                       double        quantile,
                       float       **values,
                       float       **mse,
                       GError      **error)
{
  g_autofree float *all = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  fitsfile *fptr = NULL;
  int status = 0, colnum = 0, mse_col = 0, typecode = 0;
  long repeat = 0, width = 0;
  LONGLONG file_rows = 0;
  int found = -1;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (values != NULL && mse != NULL, FALSE);

  *values = NULL;
  *mse = NULL;
  fits_open_table (&fptr, path, READONLY, &status);
  if (status != 0)
    return _dassie_table_fail (status, path, _("open the table"), error);
  fits_get_colnum (fptr, CASEINSEN, (char *) DASSIE_RESIDUAL_COLUMN, &colnum, &status);
  if (status == COL_NOT_FOUND)
    {
      ok = TRUE;
      goto out;
    }
  fits_get_colnum (fptr, CASEINSEN, (char *) DASSIE_RECON_MSE_COLUMN, &mse_col, &status);
  fits_get_coltype (fptr, colnum, &typecode, &repeat, &width, &status);
  fits_get_num_rowsll (fptr, &file_rows, &status);
  if (status != 0 || file_rows != n_rows || repeat < 1 || repeat > MAX_QUANTILES)
    {
      if (status != 0)
        _dassie_table_fail (status, path, _("read the reconstruction residuals of"), error);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("The reconstruction residuals of “%s” do not fit its latent vectors; infer again"), path);
      goto out;
    }
  for (long q = 0; q < repeat; q++)
    {
      char key[FLEN_KEYWORD];
      double kept_q = NAN;

      g_snprintf (key, sizeof key, "RESQ%ld", q + 1);
      fits_read_key_dbl (fptr, key, &kept_q, NULL, &status);
      if (status != 0)
        break;
      g_string_append_printf (kept, "%s%g", q > 0 ? ", " : "", kept_q);
      if (fabs (kept_q - quantile) < 1e-9)
        found = (int) q;
    }
  if (status != 0)
    {
      _dassie_table_fail (status, path, _("read the residual quantiles (RESQ1, …) of"), error);
      goto out;
    }
  if (found < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” keeps the reconstruction residual at the quantiles %s, not at %g "
                     "(scores.residual_quantile); choose one of those, or infer again with %g"),
                   path, kept->str, quantile, quantile);
      goto out;
    }

  all = g_new (float, MAX ((gsize) n_rows * repeat, 1));
  *values = g_new (float, MAX (n_rows, 1));
  *mse = g_new (float, MAX (n_rows, 1));
  if (n_rows > 0)
    {
      fits_read_col (fptr, TFLOAT, colnum, 1, 1, (LONGLONG) n_rows * repeat, NULL, all, NULL, &status);
      fits_read_col (fptr, TFLOAT, mse_col, 1, 1, n_rows, NULL, *mse, NULL, &status);
    }
  if (status != 0)
    {
      _dassie_table_fail (status, path, _("read the reconstruction residuals of"), error);
      g_clear_pointer (values, g_free);
      g_clear_pointer (mse, g_free);
      goto out;
    }
  for (guint i = 0; i < n_rows; i++)
    (*values)[i] = all[(gsize) i * repeat + found];
  ok = TRUE;

out:
  status = 0;
  fits_close_file (fptr, &status);
  return ok;
}
