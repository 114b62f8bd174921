/* dassie-residuals.h: how far each cutout's reconstruction misses it, in units of its noise
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The columns that infer adds to latents.fits: RESID_Q (one value per quantile of the header keys
 * RESQ1, RESQ2, ...) and RECON_MSE. */
#define DASSIE_RESIDUAL_COLUMN "RESID_Q"
#define DASSIE_RECON_MSE_COLUMN "RECON_MSE"

/* The quantiles that infer keeps: 0.9, 0.99, 0.999 and 1 (the largest), and @wanted (scores.residual_quantile)
 * when it is none of them, in increasing order. Returns how many (at most 5) are in @quantiles. */
guint    dassie_residual_quantiles_for   (double        wanted,
                                          double       *quantiles);

/* The quantile @q of @values (@n of them, reordered) as numpy computes it by default: linear
 * between the two nearest order statistics. */
double   dassie_quantile_select          (float        *values,
                                          gsize         n,
                                          double        q);

/* One object's residual statistics. The residual r = @input − @reconstruction (n_bands planes of
 * @plane pixels, the model's input units); each band's noise is σ_b = 1.4826 · MAD (r_b) (the
 * median absolute deviation of r_b from its median m_b); z = |r − m_b| / σ_b over all pixels of
 * every band. Writes the @n_quantiles quantiles (increasing) of z to @out and returns the mean of r².
 * A band whose MAD is 0 uses 1.2533 times its mean absolute deviation, or 1 when that is 0 too.
 * @scratch holds n_bands × plane floats. */
double   dassie_residual_stats           (const float  *input,
                                          const float  *reconstruction,
                                          guint         n_bands,
                                          gsize         plane,
                                          const double *quantiles,
                                          guint         n_quantiles,
                                          float        *scratch,
                                          float        *out);

/* Adds RESID_Q (n_quantiles values a row, n_rows × n_quantiles in @values), RECON_MSE and the header
 * keys RESQ<i> (the quantiles) and RESNOISE (how the noise was measured) to the latents.fits @path
 * in place: call it before the run folder is committed. */
gboolean dassie_residuals_append         (const char   *path,
                                          guint         n_rows,
                                          const double *quantiles,
                                          guint         n_quantiles,
                                          const float  *values,
                                          const float  *mse,
                                          GError      **error);

/* Reads the residual quantile @quantile and RECON_MSE of the @n_rows objects of latents.fits @path
 * (in its row order) into @values and @mse (n_rows, g_free). TRUE with @values NULL when the file
 * has no residual statistics (latent vectors inferred before them, or without them); FALSE with an
 * error when it has them but not at @quantile, or cannot be read. */
gboolean dassie_residuals_read           (const char   *path,
                                          guint         n_rows,
                                          double        quantile,
                                          float       **values,
                                          float       **mse,
                                          GError      **error);

G_END_DECLS
