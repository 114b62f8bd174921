/* dassie-display.h: FITS display of float32 cutouts as 8-bit premultiplied ARGB (cairo's ARGB32)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "dassie-dataset.h"

G_BEGIN_DECLS

typedef enum
{
  DASSIE_STRETCH_LINEAR,
  DASSIE_STRETCH_LOG,    /* log (a x + 1) / log (a + 1), a = 1000 (astropy's LogStretch) */
  DASSIE_STRETCH_SQRT,
  DASSIE_STRETCH_ASINH,  /* asinh (x / a) / asinh (1 / a), a = 0.1 (astropy's AsinhStretch) */
} DassieStretch;

typedef enum
{
  DASSIE_LIMITS_MINMAX,
  DASSIE_LIMITS_PERCENTILE,  /* keeps the central `percentile` % (astropy's PercentileInterval) */
  DASSIE_LIMITS_ZSCALE,      /* IRAF's zscale as astropy's ZScaleInterval computes it */
} DassieLimits;

typedef enum
{
  DASSIE_DISPLAY_BAND,    /* one band through limits and stretch, in grey */
  DASSIE_DISPLAY_LUPTON,  /* Lupton et al. (2004) asinh colour composite of three bands */
} DassieDisplayMode;

#define DASSIE_ZSCALE_SAMPLES 1000

typedef struct
{
  DassieDisplayMode mode;
  guint             band;             /* the band shown in DASSIE_DISPLAY_BAND */
  guint             rgb_bands[3];     /* the bands shown as red, green, blue (i, r, g) */
  DassieStretch     stretch;          /* one band only: Lupton's stretch is always asinh */
  DassieLimits      limits;
  double            percentile;       /* 99.5 */
  double            zscale_contrast;  /* 0.25 */
  double            lupton_q;         /* the softening Q, 8 */
  /* When lupton_range > 0 the composite maps lupton_minimum to black and lupton_minimum +
   * lupton_range to the knee (astropy's make_lupton_rgb minimum and stretch); otherwise both come
   * from `limits` applied to the mean of the three bands (astropy's AsinhZScaleMapping). */
  double            lupton_minimum;
  double            lupton_range;
  guint32           nan_color;        /* 0xAARRGGBB, straight alpha; NaN and ±inf pixels */
} DassieDisplayOptions;

void             dassie_display_options_init     (DassieDisplayOptions       *options);

const char      *dassie_stretch_to_string        (DassieStretch               stretch);
gboolean         dassie_stretch_from_string      (const char                 *name,
                                                  DassieStretch              *stretch);
const char      *dassie_limits_to_string         (DassieLimits                limits);
gboolean         dassie_limits_from_string       (const char                 *name,
                                                  DassieLimits               *limits);

/* Each returns FALSE (and 0, 0) when @values holds no finite number. */
gboolean         dassie_display_minmax           (const float                *values,
                                                  gsize                       n,
                                                  double                     *low,
                                                  double                     *high);
gboolean         dassie_display_percentile       (const float                *values,
                                                  gsize                       n,
                                                  double                      percentile,
                                                  double                     *low,
                                                  double                     *high);
gboolean         dassie_display_zscale           (const float                *values,
                                                  gsize                       n,
                                                  double                      contrast,
                                                  double                     *low,
                                                  double                     *high);
gboolean         dassie_display_compute_limits   (const float                *values,
                                                  gsize                       n,
                                                  const DassieDisplayOptions *options,
                                                  double                     *low,
                                                  double                     *high);

/* Maps 0 .. 1 onto 0 .. 1; @x is clipped first. */
double           dassie_display_stretch          (DassieStretch               stretch,
                                                  double                      x);

/* The renderers write @width × @height pixels of CAIRO_FORMAT_ARGB32 (native-endian 32-bit words,
 * premultiplied alpha) into @dest, rows @dest_stride bytes apart. FITS row 0 is the bottom row of
 * the picture, so the last FITS row lands in @dest's first row. Pixels are row-major, x fastest. */
void             dassie_display_render_band      (const float                *pixels,
                                                  guint                       width,
                                                  guint                       height,
                                                  const DassieDisplayOptions *options,
                                                  guint8                     *dest,
                                                  gsize                       dest_stride);
void             dassie_display_render_lupton    (const float                *red,
                                                  const float                *green,
                                                  const float                *blue,
                                                  guint                       width,
                                                  guint                       height,
                                                  const DassieDisplayOptions *options,
                                                  guint8                     *dest,
                                                  gsize                       dest_stride);
/* A band-major cube (n_bands × height × width) as @options->mode asks; band indices out of range
 * are clamped to the last band. */
void             dassie_display_render           (const float                *cube,
                                                  guint                       n_bands,
                                                  guint                       width,
                                                  guint                       height,
                                                  const DassieDisplayOptions *options,
                                                  guint8                     *dest,
                                                  gsize                       dest_stride);
cairo_surface_t *dassie_display_render_surface   (const float                *cube,
                                                  guint                       n_bands,
                                                  guint                       width,
                                                  guint                       height,
                                                  const DassieDisplayOptions *options);

/* Picks the red, green and blue bands (i, r, g) from band names such as "HSC-I", "HSC-R2" or "g".
 * Without all three it falls back to the order of @band_names: the last band red, the first blue. */
void             dassie_display_guess_rgb_bands  (const char * const         *band_names,
                                                  guint                       n_bands,
                                                  guint                       rgb_bands[3]);

/* How Dassie shows a data set's cutouts: a Lupton colour composite of the i, r and g bands when there
 * are three bands or more, else the first band with an asinh stretch. */
void             dassie_display_options_for_dataset (DassieDisplayOptions     *options,
                                                     DassieDataset            *dataset);

G_END_DECLS
