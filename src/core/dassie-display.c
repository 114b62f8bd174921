/* dassie-display.c: FITS display of float32 cutouts as 8-bit premultiplied ARGB (cairo's ARGB32)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dassie-display.h"

/* astropy's defaults for LogStretch and AsinhStretch, so pictures match what astronomers know. */
#define LOG_A   1000.0
#define ASINH_A 0.1

/* astropy's ZScaleInterval defaults besides contrast. */
#define ZSCALE_MAX_REJECT     0.5
#define ZSCALE_MIN_NPIXELS    5
#define ZSCALE_KREJ           2.5
#define ZSCALE_MAX_ITERATIONS 5

void
dassie_display_options_init (DassieDisplayOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->mode = DASSIE_DISPLAY_LUPTON;
  options->band = 0;
  /* The demo set's bands in alphabetical order are G, I, R: red = I, green = R, blue = G. */
  options->rgb_bands[0] = 1;
  options->rgb_bands[1] = 2;
  options->rgb_bands[2] = 0;
  options->stretch = DASSIE_STRETCH_ASINH;
  options->limits = DASSIE_LIMITS_ZSCALE;
  options->percentile = 99.5;
  options->zscale_contrast = 0.25;
  options->lupton_q = 8.0;
  options->lupton_minimum = 0.0;
  options->lupton_range = 0.0;
  options->nan_color = 0xffc040c0;
}

static const char * const stretch_names[] = { "linear", "log", "sqrt", "asinh" };
static const char * const limits_names[] = { "minmax", "percentile", "zscale" };

static int
find_name (const char * const *names,
           guint               n_names,
           const char         *name)
{
  for (guint i = 0; i < n_names; i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return (int) i;
  return -1;
}

const char *
dassie_stretch_to_string (DassieStretch stretch)
{
  g_return_val_if_fail ((guint) stretch < G_N_ELEMENTS (stretch_names), NULL);
  return stretch_names[stretch];
}

gboolean
dassie_stretch_from_string (const char    *name,
                            DassieStretch *stretch)
{
  int i;

  g_return_val_if_fail (name != NULL, FALSE);

  i = find_name (stretch_names, G_N_ELEMENTS (stretch_names), name);
  if (i >= 0 && stretch != NULL)
    *stretch = (DassieStretch) i;
  return i >= 0;
}

const char *
dassie_limits_to_string (DassieLimits limits)
{
  g_return_val_if_fail ((guint) limits < G_N_ELEMENTS (limits_names), NULL);
  return limits_names[limits];
}

gboolean
dassie_limits_from_string (const char   *name,
                           DassieLimits *limits)
{
  int i;

  g_return_val_if_fail (name != NULL, FALSE);

  i = find_name (limits_names, G_N_ELEMENTS (limits_names), name);
  if (i >= 0 && limits != NULL)
    *limits = (DassieLimits) i;
  return i >= 0;
}

gboolean
dassie_display_minmax (const float *values,
                       gsize        n,
                       double      *low,
                       double      *high)
{
  float lo = INFINITY;
  float hi = -INFINITY;

  g_return_val_if_fail (values != NULL || n == 0, FALSE);
  g_return_val_if_fail (low != NULL && high != NULL, FALSE);

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      {
        lo = MIN (lo, values[i]);
        hi = MAX (hi, values[i]);
      }

  if (lo > hi)
    {
      *low = *high = 0;
      return FALSE;
    }
  *low = lo;
  *high = hi;
  return TRUE;
}

/* Wirth's selection: afterwards a[k] holds the k-th smallest, no larger value before it and no
 * smaller one after it. @a holds finite values only. */
static float
select_kth (float  *a,
            gssize  n,
            gssize  k)
{
  gssize left = 0;
  gssize right = n - 1;

  while (left < right)
    {
      gssize mid = left + (right - left) / 2;
      float x = a[left], y = a[mid], z = a[right];
      /* Median of three keeps sorted input (common in sky pixels) from going quadratic. */
      float pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
      gssize i = left;
      gssize j = right;

      do
        {
          while (a[i] < pivot)
            i++;
          while (pivot < a[j])
            j--;
          if (i <= j)
            {
              float t = a[i];
              a[i] = a[j];
              a[j] = t;
              i++;
              j--;
            }
        }
      while (i <= j);

      if (j < k)
        left = i;
      if (k < i)
        right = j;
    }

  return a[k];
}

/* numpy's default (linear) percentile of the @n finite values in @a, which it reorders. */
static double
percentile_of (float  *a,
               gsize   n,
               double  q)
{
  double pos = q / 100.0 * (double) (n - 1);
  gsize k = (gsize) floor (pos);
  double frac = pos - (double) k;
  double v0, v1;

  if (k >= n - 1)
    return select_kth (a, (gssize) n, (gssize) n - 1);

  v0 = select_kth (a, (gssize) n, (gssize) k);
  if (frac == 0)
    return v0;

  /* The next order statistic is the smallest of what select_kth left after position k. */
  v1 = a[k + 1];
  for (gsize i = k + 2; i < n; i++)
    v1 = MIN (v1, (double) a[i]);
  return v0 + frac * (v1 - v0);
}

static float *
copy_finite (const float *values,
             gsize        n,
             gsize       *n_finite)
{
  float *copy = g_new (float, MAX (n, 1));
  gsize m = 0;

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      copy[m++] = values[i];
  *n_finite = m;
  return copy;
}

gboolean
dassie_display_percentile (const float *values,
                           gsize        n,
                           double       percentile,
                           double      *low,
                           double      *high)
{
  g_autofree float *finite = NULL;
  double lower_q;
  gsize m;

  g_return_val_if_fail (values != NULL || n == 0, FALSE);
  g_return_val_if_fail (low != NULL && high != NULL, FALSE);
  g_return_val_if_fail (percentile > 0 && percentile <= 100, FALSE);

  finite = copy_finite (values, n, &m);
  if (m == 0)
    {
      *low = *high = 0;
      return FALSE;
    }

  lower_q = (100.0 - percentile) * 0.5;
  *low = percentile_of (finite, m, lower_q);
  *high = percentile_of (finite, m, 100.0 - lower_q);
  return TRUE;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Least squares line through the points (i, y[i]) that are not @bad. */
static void
fit_line (const double   *y,
          const gboolean *bad,
          gsize           n,
          double         *slope,
          double         *intercept)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  gsize m = 0;
  double mx, my;

  for (gsize i = 0; i < n; i++)
    if (!bad[i])
      {
        sx += (double) i;
        sy += y[i];
        m++;
      }
  mx = sx / (double) m;
  my = sy / (double) m;
  for (gsize i = 0; i < n; i++)
    if (!bad[i])
      {
        double dx = (double) i - mx;
        sxx += dx * dx;
        sxy += dx * (y[i] - my);
      }

  *slope = sxx > 0 ? sxy / sxx : 0;
  *intercept = my - *slope * mx;
}

/* The steps and constants follow astropy's ZScaleInterval.get_limits (itself from STScI's
 * numdisplay and IRAF), down to its quirks (the "center - 1" below), so limits agree with astropy. */
gboolean
dassie_display_zscale (const float *values,
                       gsize        n,
                       double       contrast,
                       double      *low,
                       double      *high)
{
  double samples[DASSIE_ZSCALE_SAMPLES];
  gboolean bad[DASSIE_ZSCALE_SAMPLES];
  gboolean grown[DASSIE_ZSCALE_SAMPLES];
  gsize n_finite = 0;
  gsize stride, npix = 0, seen = 0;
  gsize minpix, ngrow, ngood, last_ngood;
  double vmin, vmax;
  double slope = 0, intercept = 0;

  g_return_val_if_fail (values != NULL || n == 0, FALSE);
  g_return_val_if_fail (low != NULL && high != NULL, FALSE);

  for (gsize i = 0; i < n; i++)
    n_finite += isfinite (values[i]) ? 1 : 0;
  if (n_finite == 0)
    {
      *low = *high = 0;
      return FALSE;
    }

  /* Every stride-th finite value, at most DASSIE_ZSCALE_SAMPLES of them. */
  stride = (gsize) MAX (1.0, (double) n_finite / DASSIE_ZSCALE_SAMPLES);
  for (gsize i = 0; i < n && npix < DASSIE_ZSCALE_SAMPLES; i++)
    {
      if (!isfinite (values[i]))
        continue;
      if (seen++ % stride == 0)
        samples[npix++] = values[i];
    }
  qsort (samples, npix, sizeof (double), compare_double);

  vmin = samples[0];
  vmax = samples[npix - 1];

  minpix = MAX (ZSCALE_MIN_NPIXELS, (gsize) ((double) npix * ZSCALE_MAX_REJECT));
  ngrow = MAX (1, (gsize) ((double) npix * 0.01));
  memset (bad, 0, sizeof bad);
  ngood = npix;
  last_ngood = npix + 1;

  for (guint iteration = 0; iteration < ZSCALE_MAX_ITERATIONS; iteration++)
    {
      double sum = 0, sum2 = 0, mean, threshold;
      gsize m = 0;

      if (ngood >= last_ngood || ngood < minpix)
        break;

      fit_line (samples, bad, npix, &slope, &intercept);

      for (gsize i = 0; i < npix; i++)
        if (!bad[i])
          {
            sum += samples[i] - (slope * (double) i + intercept);
            m++;
          }
      mean = sum / (double) m;
      for (gsize i = 0; i < npix; i++)
        if (!bad[i])
          {
            double d = samples[i] - (slope * (double) i + intercept) - mean;
            sum2 += d * d;
          }
      threshold = ZSCALE_KREJ * sqrt (sum2 / (double) m);

      for (gsize i = 0; i < npix; i++)
        {
          double flat = samples[i] - (slope * (double) i + intercept);
          if (flat < -threshold || flat > threshold)
            bad[i] = TRUE;
        }

      /* Grow each rejection over ngrow neighbours, placed as numpy's convolve (mode "same") does:
       * from ngrow / 2 before to ngrow - 1 - ngrow / 2 after. */
      for (gsize i = 0; i < npix; i++)
        {
          gsize from = i >= ngrow / 2 ? i - ngrow / 2 : 0;
          gsize to = MIN (npix - 1, i + ngrow - 1 - ngrow / 2);

          grown[i] = FALSE;
          for (gsize j = from; j <= to; j++)
            if (bad[j])
              {
                grown[i] = TRUE;
                break;
              }
        }
      memcpy (bad, grown, npix * sizeof (gboolean));

      last_ngood = ngood;
      ngood = 0;
      for (gsize i = 0; i < npix; i++)
        ngood += bad[i] ? 0 : 1;
    }

  if (ngood >= minpix)
    {
      gssize center = ((gssize) npix - 1) / 2;
      double median = npix % 2 ? samples[npix / 2] : 0.5 * (samples[npix / 2 - 1] + samples[npix / 2]);

      if (contrast > 0)
        slope /= contrast;
      vmin = MAX (vmin, median - (double) (center - 1) * slope);
      vmax = MIN (vmax, median + (double) ((gssize) npix - center) * slope);
    }

  *low = vmin;
  *high = vmax;
  return TRUE;
}

gboolean
dassie_display_compute_limits (const float                *values,
                               gsize                       n,
                               const DassieDisplayOptions *options,
                               double                     *low,
                               double                     *high)
{
  g_return_val_if_fail (options != NULL, FALSE);

  switch (options->limits)
    {
    case DASSIE_LIMITS_MINMAX:
      return dassie_display_minmax (values, n, low, high);
    case DASSIE_LIMITS_PERCENTILE:
      return dassie_display_percentile (values, n, options->percentile, low, high);
    case DASSIE_LIMITS_ZSCALE:
      return dassie_display_zscale (values, n, options->zscale_contrast, low, high);
    default:
      g_return_val_if_reached (FALSE);
    }
}

double
dassie_display_stretch (DassieStretch stretch,
                        double        x)
{
  x = CLAMP (x, 0.0, 1.0);

  switch (stretch)
    {
    case DASSIE_STRETCH_LINEAR:
      return x;
    case DASSIE_STRETCH_LOG:
      return log (LOG_A * x + 1.0) / log (LOG_A + 1.0);
    case DASSIE_STRETCH_SQRT:
      return sqrt (x);
    case DASSIE_STRETCH_ASINH:
      return asinh (x / ASINH_A) / asinh (1.0 / ASINH_A);
    default:
      g_return_val_if_reached (x);
    }
}

static inline guint32
pack_opaque (guint r,
             guint g,
             guint b)
{
  return 0xff000000u | (r << 16) | (g << 8) | b;
}

static guint32
premultiply (guint32 argb)
{
  guint a = argb >> 24;
  guint r = (argb >> 16) & 0xff;
  guint g = (argb >> 8) & 0xff;
  guint b = argb & 0xff;

  r = (r * a + 127) / 255;
  g = (g * a + 127) / 255;
  b = (b * a + 127) / 255;
  return (a << 24) | (r << 16) | (g << 8) | b;
}

static inline guint32 *
dest_row (guint8 *dest,
          gsize   dest_stride,
          guint   height,
          guint   fits_row)
{
  /* FITS row 0 is the bottom of the picture. */
  return (guint32 *) (gpointer) (dest + (gsize) (height - 1 - fits_row) * dest_stride);
}

void
dassie_display_render_band (const float                *pixels,
                            guint                       width,
                            guint                       height,
                            const DassieDisplayOptions *options,
                            guint8                     *dest,
                            gsize                       dest_stride)
{
  guint32 nan_pixel;
  double low, high, scale;

  g_return_if_fail (pixels != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (dest != NULL);
  g_return_if_fail (dest_stride >= (gsize) width * 4);

  nan_pixel = premultiply (options->nan_color);
  if (!dassie_display_compute_limits (pixels, (gsize) width * height, options, &low, &high))
    low = high = 0;
  scale = high > low ? 1.0 / (high - low) : 0;

  for (guint y = 0; y < height; y++)
    {
      const float *src = pixels + (gsize) y * width;
      guint32 *out = dest_row (dest, dest_stride, height, y);

      for (guint x = 0; x < width; x++)
        {
          guint v;

          if (!isfinite (src[x]))
            {
              out[x] = nan_pixel;
              continue;
            }
          v = (guint) lround (255.0 * dassie_display_stretch (options->stretch, ((double) src[x] - low) * scale));
          out[x] = pack_opaque (v, v, v);
        }
    }
}

void
dassie_display_render_lupton (const float                *red,
                              const float                *green,
                              const float                *blue,
                              guint                       width,
                              guint                       height,
                              const DassieDisplayOptions *options,
                              guint8                     *dest,
                              gsize                       dest_stride)
{
  const double pixmax = 255.0;
  double minimum, range, q, slope, soften;
  guint32 nan_pixel;

  g_return_if_fail (red != NULL && green != NULL && blue != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (dest != NULL);
  g_return_if_fail (dest_stride >= (gsize) width * 4);

  nan_pixel = premultiply (options->nan_color);

  if (options->lupton_range > 0)
    {
      minimum = options->lupton_minimum;
      range = options->lupton_range;
    }
  else
    {
      gsize n = (gsize) width * height;
      g_autofree float *intensity = g_new (float, MAX (n, 1));
      double low, high;

      /* In float32, as astropy computes it for float32 images, so limits agree to the last bit. */
      for (gsize i = 0; i < n; i++)
        intensity[i] = (red[i] + green[i] + blue[i]) / 3.0f;
      if (!dassie_display_compute_limits (intensity, n, options, &low, &high))
        low = high = 0;
      minimum = low;
      range = high > low ? high - low : 1.0;
    }

  /* Lupton's asinh mapping with astropy's constants: the slope is set so that frac · range maps to
   * frac of full scale before softening, and a vanishing Q falls back to 0.1. */
  q = options->lupton_q;
  if (fabs (q) < 1.0 / (1 << 23))
    q = 0.1;
  else if (q > 1e10)
    q = 1e10;
  slope = 0.1 * pixmax / asinh (0.1 * q);
  soften = q / range;

  for (guint y = 0; y < height; y++)
    {
      gsize row = (gsize) y * width;
      guint32 *out = dest_row (dest, dest_stride, height, y);

      for (guint x = 0; x < width; x++)
        {
          double r = red[row + x], g = green[row + x], b = blue[row + x];
          double intensity, fac, top;

          if (!isfinite (r) || !isfinite (g) || !isfinite (b))
            {
              out[x] = nan_pixel;
              continue;
            }

          r -= minimum;
          g -= minimum;
          b -= minimum;
          intensity = (r + g + b) / 3.0;
          fac = intensity <= 0 ? 0 : asinh (intensity * soften) * slope / intensity;
          r = MAX (r * fac, 0);
          g = MAX (g * fac, 0);
          b = MAX (b * fac, 0);

          /* A saturated pixel keeps its colour: scale all three by the brightest channel. */
          top = MAX (r, MAX (g, b));
          if (top >= pixmax)
            {
              r = r * pixmax / top;
              g = g * pixmax / top;
              b = b * pixmax / top;
            }

          /* Truncation, as numpy's astype (uint8) does. */
          out[x] = pack_opaque ((guint) MIN (r, pixmax), (guint) MIN (g, pixmax), (guint) MIN (b, pixmax));
        }
    }
}

void
dassie_display_render (const float                *cube,
                       guint                       n_bands,
                       guint                       width,
                       guint                       height,
                       const DassieDisplayOptions *options,
                       guint8                     *dest,
                       gsize                       dest_stride)
{
  gsize plane = (gsize) width * height;

  g_return_if_fail (cube != NULL);
  g_return_if_fail (n_bands > 0);
  g_return_if_fail (options != NULL);

  if (options->mode == DASSIE_DISPLAY_LUPTON)
    {
      guint r = MIN (options->rgb_bands[0], n_bands - 1);
      guint g = MIN (options->rgb_bands[1], n_bands - 1);
      guint b = MIN (options->rgb_bands[2], n_bands - 1);

      dassie_display_render_lupton (cube + r * plane, cube + g * plane, cube + b * plane,
                                    width, height, options, dest, dest_stride);
    }
  else
    {
      guint band = MIN (options->band, n_bands - 1);

      dassie_display_render_band (cube + band * plane, width, height, options, dest, dest_stride);
    }
}

cairo_surface_t *
dassie_display_render_surface (const float                *cube,
                               guint                       n_bands,
                               guint                       width,
                               guint                       height,
                               const DassieDisplayOptions *options)
{
  cairo_surface_t *surface;

  g_return_val_if_fail (cube != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) width, (int) height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;

  cairo_surface_flush (surface);
  dassie_display_render (cube, n_bands, width, height, options,
                         cairo_image_surface_get_data (surface),
                         (gsize) cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* The filter letter of "HSC-I", "HSC-R2", "i" or "g_band": the first letter after the last '-'. */
static char
band_letter (const char *name)
{
  const char *p = strrchr (name, '-');

  p = p != NULL ? p + 1 : name;
  return g_ascii_tolower (*p);
}

void
dassie_display_guess_rgb_bands (const char * const *band_names,
                                guint               n_bands,
                                guint               rgb_bands[3])
{
  const char wanted[3] = { 'i', 'r', 'g' };
  gboolean found_all = TRUE;

  g_return_if_fail (rgb_bands != NULL);
  g_return_if_fail (band_names != NULL || n_bands == 0);

  for (guint c = 0; c < 3; c++)
    {
      guint k;

      for (k = 0; k < n_bands; k++)
        if (band_names[k] != NULL && band_letter (band_names[k]) == wanted[c])
          break;
      if (k == n_bands)
        found_all = FALSE;
      rgb_bands[c] = k;
    }

  if (!found_all)
    {
      guint last = n_bands > 0 ? n_bands - 1 : 0;

      rgb_bands[0] = last;
      rgb_bands[1] = MIN (1, last);
      rgb_bands[2] = 0;
    }
}

void
dassie_display_options_for_dataset (DassieDisplayOptions *options,
                                    DassieDataset        *dataset)
{
  guint nb;
  g_autofree const char **band_names = NULL;

  g_return_if_fail (options != NULL);
  g_return_if_fail (dataset != NULL);

  nb = dassie_dataset_get_n_bands (dataset);
  dassie_display_options_init (options);
  band_names = g_new0 (const char *, nb + 1);
  for (guint b = 0; b < nb; b++)
    band_names[b] = dassie_dataset_get_band (dataset, b);
  if (nb >= 3)
    dassie_display_guess_rgb_bands (band_names, nb, options->rgb_bands);
  else
    {
      options->mode = DASSIE_DISPLAY_BAND;
      options->band = 0;
      options->stretch = DASSIE_STRETCH_ASINH;
      options->limits = DASSIE_LIMITS_PERCENTILE;
    }
}
