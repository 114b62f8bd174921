/* dassie-normalize.h: per-band input normalisations: Hyrax's per-pixel transform, robust scaling, arcsinh
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  DASSIE_NORMALIZATION_TANH,    /* Hyrax: data_set.transform per pixel (tanh by default), no scaling */
  DASSIE_NORMALIZATION_ROBUST,  /* (x − median) / σ per cutout and band, σ = 1.4826 · MAD */
  DASSIE_NORMALIZATION_ASINH,   /* asinh ((x − median) / (k · σ)), Lupton et al. (1999) with b = k · σ */
} DassieNormalization;

/* "tanh", "robust", "asinh": NULL-terminated, in DassieNormalization order. */
const char * const *dassie_normalization_names        (void);
gboolean            dassie_normalization_from_string  (const char          *name,
                                                       DassieNormalization *normalization);
const char         *dassie_normalization_to_string    (DassieNormalization  normalization);

/* The median and the noise σ = 1.4826 · MAD of the finite values of one band (@n values), the
 * statistics that the robust and asinh normalisations use. A band without spread gets σ = 1, one
 * without finite values median 0 and σ = 1. */
void                dassie_band_noise                 (const float         *values,
                                                       gsize                n,
                                                       float               *median,
                                                       float               *sigma);
/* The normalised value of @value given its band's @median and @sigma; @softening is k of asinh. */
float               dassie_normalize_value            (DassieNormalization  normalization,
                                                       float                softening,
                                                       float                median,
                                                       float                sigma,
                                                       float                value);
/* Back to the data's units (for display). */
float               dassie_normalize_invert           (DassieNormalization  normalization,
                                                       float                softening,
                                                       float                median,
                                                       float                sigma,
                                                       float                value);

G_END_DECLS
