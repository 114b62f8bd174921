/* dassie-residual.h: why an object stands out: its cutout, the model's reconstruction of it and the
 * difference, from the model that made the latent vectors a scores run scored
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "dassie-dataset.h"
#include "dassie-display.h"

G_BEGIN_DECLS

typedef struct
{
  char  *object_id;
  guint  n_bands;
  guint  width;
  guint  height;
  float *input;           /* n_bands × height × width, raw, as the data set shows them (NaN kept) */
  float *reconstruction;  /* the same shape: the model's output taken back into the input's units */
  float *residual;        /* input − reconstruction (NaN where the input is NaN) */
  double error;           /* mean squared error in the model's input units (the training loss) */
  double noise_quantile;  /* which quantile of the residual in noise units @noise_residual is:
                           * the scores run's scores.residual_quantile */
  double noise_residual;  /* that quantile of |r − median| / σ per band in the model's input units,
                           * as the "reconstruction" score measures it (dassie_residual_stats) */
  char  *weights_path;    /* the weights that made the reconstruction */
  char  *infer_run;       /* the infer run whose latent vectors were scored */
} DassieResidual;

/* Reconstructs object @index of @dataset with the model that computed the latent vectors that
 * @scores (a scores run or its scores.fits) scored: the weights copied into that infer run (or,
 * when the copy is gone, the file it was copied from), the final layer of the train run that made
 * them (else of the infer run), the input transform of the infer run; the noise quantile is the
 * scores run's.
 * Fails with G_IO_ERROR_NOT_FOUND naming the
 * files when the weights are missing or moved. Safe on any thread. */
DassieResidual  *dassie_residual_compute          (const char                 *scores,
                                                   DassieDataset              *dataset,
                                                   guint                       index,
                                                   GCancellable               *cancellable,
                                                   GError                    **error);
void             dassie_residual_free             (DassieResidual             *self);
const float     *dassie_residual_get_band         (const DassieResidual       *self,
                                                   const float                *cube,
                                                   guint                       band);

/* The limits that @options give the input's band @band; the reconstruction is shown with the same
 * ones, so that a faint reconstruction looks faint. */
void             dassie_residual_band_limits      (const DassieResidual       *self,
                                                   guint                       band,
                                                   const DassieDisplayOptions *options,
                                                   double                     *low,
                                                   double                     *high);
/* The half-width of the residual's symmetric stretch: the @percentile-th percentile of |residual|
 * over every band, so that the bands are comparable; never 0. */
double           dassie_residual_amplitude        (const DassieResidual       *self,
                                                   double                      percentile);

/* One band in grey between fixed limits: @low black, @high white through @stretch (FITS orientation,
 * as dassie_display_render_band). */
cairo_surface_t *dassie_display_render_band_between (const float              *pixels,
                                                   guint                       width,
                                                   guint                       height,
                                                   DassieStretch               stretch,
                                                   double                      low,
                                                   double                      high,
                                                   guint32                     nan_color);
/* Signed values on a diverging map symmetric about 0: white at 0, red up to +@amplitude and blue
 * down to −@amplitude, |x| / amplitude through @stretch. */
cairo_surface_t *dassie_display_render_diverging  (const float                *pixels,
                                                   guint                       width,
                                                   guint                       height,
                                                   DassieStretch               stretch,
                                                   double                      amplitude,
                                                   guint32                     nan_color);
/* The colour (0xRRGGBB) that dassie_display_render_diverging gives @value. */
guint32          dassie_display_diverging_color   (DassieStretch               stretch,
                                                   double                      amplitude,
                                                   double                      value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieResidual, dassie_residual_free)

G_END_DECLS
