/* test-display.c: zscale, percentile and the Lupton composite against numpy; orientation and NaN
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-display.h"

/* The same images as make_image() in tests/reference/display-reference.py, which printed the
 * reference numbers below (numpy 1.24, Debian 12): sky near 10 with noise, a galaxy-like peak in the
 * middle, a "cosmic ray" every 211th pixel, a NaN every nan_every-th pixel. */
static float *
make_image (guint   width,
            guint   height,
            guint32 seed,
            double  peak,
            guint   nan_every)
{
  float *img = g_new (float, width * height);
  guint32 state = seed;

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        guint i = y * width + x;
        double u[3], dx, dy, v;

        for (guint k = 0; k < 3; k++)
          {
            state = 1664525u * state + 1013904223u;
            u[k] = (state >> 8) / 16777216.0;
          }
        dx = x - width / 2.0;
        dy = y - height / 2.0;
        v = 10.0 + 2.0 * (u[0] + u[1] + u[2] - 1.5) + peak / (1.0 + (dx * dx + dy * dy) / 16.0);
        if (i % 211 == 7)
          v += 500.0;
        if (nan_every != 0 && i % nan_every == 5)
          v = NAN;
        img[i] = (float) v;
      }
  return img;
}

static void
test_zscale_matches_numpy (void)
{
  g_autofree float *big = make_image (64, 48, 12345, 200.0, 97);
  g_autofree float *small = make_image (20, 15, 777, 50.0, 0);
  double lo, hi;

  /* 3072 pixels (some NaN): stride 3, the first 1000 samples. */
  g_assert_true (dassie_display_zscale (big, 64 * 48, 0.25, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 10.1404104, 1e-5);
  g_assert_cmpfloat_with_epsilon (hi, 52.485141, 1e-4);

  g_assert_true (dassie_display_zscale (big, 64 * 48, 0.5, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 10.1404104, 1e-5);
  g_assert_cmpfloat_with_epsilon (hi, 34.485088, 1e-4);

  /* Fewer pixels than samples: every pixel is a sample. */
  g_assert_true (dassie_display_zscale (small, 20 * 15, 0.25, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 13.6466494, 1e-4);
  g_assert_cmpfloat_with_epsilon (hi, 67.7177353, 1e-4);
}

static void
test_zscale_hand_computed (void)
{
  /* A perfect ramp 0 .. 99: the fit is exact (slope 1), nothing is rejected, the median is 49.5,
   * center pixel 49, so low = max (0, 49.5 - 48 × 4) = 0 and high = min (99, 49.5 + 51 × 4) = 99.
   * With contrast 100 the slope is 0.01: low = 49.5 - 0.48 = 49.02, high = 49.5 + 0.51 = 50.01. */
  float ramp[100];
  float few[3] = { 3, NAN, 1 };
  float none[2] = { NAN, INFINITY };
  double lo, hi;

  for (guint i = 0; i < 100; i++)
    ramp[99 - i] = (float) i;   /* unsorted on purpose */

  g_assert_true (dassie_display_zscale (ramp, 100, 0.25, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, 99.0, 1e-9);
  g_assert_true (dassie_display_zscale (ramp, 100, 100.0, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 49.02, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, 50.01, 1e-9);

  /* Under five pixels zscale gives up fitting and returns the extremes. */
  g_assert_true (dassie_display_zscale (few, 3, 0.25, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 1.0);
  g_assert_cmpfloat (hi, ==, 3.0);

  g_assert_false (dassie_display_zscale (none, 2, 0.25, &lo, &hi));
}

static void
test_percentile_and_minmax (void)
{
  g_autofree float *big = make_image (64, 48, 12345, 200.0, 97);
  double lo, hi, naive_lo = INFINITY, naive_hi = -INFINITY;

  g_assert_true (dassie_display_percentile (big, 64 * 48, 99.5, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 10.6701946, 1e-5);
  g_assert_cmpfloat_with_epsilon (hi, 516.545355, 1e-4);
  g_assert_true (dassie_display_percentile (big, 64 * 48, 90, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 12.1954941, 1e-5);
  g_assert_cmpfloat_with_epsilon (hi, 63.2620607, 1e-4);

  for (guint i = 0; i < 64 * 48; i++)
    if (isfinite (big[i]))
      {
        naive_lo = MIN (naive_lo, big[i]);
        naive_hi = MAX (naive_hi, big[i]);
      }
  g_assert_true (dassie_display_minmax (big, 64 * 48, &lo, &hi));
  g_assert_cmpfloat (lo, ==, naive_lo);
  g_assert_cmpfloat (hi, ==, naive_hi);

  /* A hand-made case: 1 .. 5, the 25th and 75th percentiles are 2 and 4; 2.5 and 97.5 interpolate. */
  {
    float v[5] = { 5, 1, 4, 2, 3 };

    g_assert_true (dassie_display_percentile (v, 5, 50, &lo, &hi));
    g_assert_cmpfloat_with_epsilon (lo, 2.0, 1e-12);
    g_assert_cmpfloat_with_epsilon (hi, 4.0, 1e-12);
    g_assert_true (dassie_display_percentile (v, 5, 95, &lo, &hi));
    g_assert_cmpfloat_with_epsilon (lo, 1.1, 1e-12);
    g_assert_cmpfloat_with_epsilon (hi, 4.9, 1e-12);
  }
}

static void
unpack (guint32  pixel,
        guint   *r,
        guint   *g,
        guint   *b)
{
  g_assert_cmphex (pixel >> 24, ==, 0xff);
  *r = (pixel >> 16) & 0xff;
  *g = (pixel >> 8) & 0xff;
  *b = pixel & 0xff;
}

/* @dest is the picture (top row first); @fits_index a FITS pixel (row 0 at the bottom). */
static guint32
pixel_at (const guint32 *dest,
          guint          width,
          guint          height,
          guint          fits_index)
{
  guint x = fits_index % width;
  guint y = fits_index / width;

  return dest[(height - 1 - y) * width + x];
}

static void
check_lupton (const float   *r,
              const float   *g,
              const float   *b,
              double         minimum,
              double         range,
              const guint8   expected[3][9])
{
  const guint pick[9] = { 0, 17, 50, 88, 100, 103, 120, 150, 191 };
  DassieDisplayOptions options;
  guint32 dest[16 * 12];

  dassie_display_options_init (&options);
  options.lupton_q = 8;
  options.lupton_minimum = minimum;
  options.lupton_range = range;
  if (range <= 0)
    options.limits = DASSIE_LIMITS_ZSCALE;
  dassie_display_render_lupton (r, g, b, 16, 12, &options, (guint8 *) dest, 16 * 4);

  for (guint k = 0; k < 9; k++)
    {
      guint cr, cg, cb;

      unpack (pixel_at (dest, 16, 12, pick[k]), &cr, &cg, &cb);
      /* numpy truncates to uint8 after float64 arithmetic: allow one level for the last bit. */
      g_assert_cmpint (ABS ((int) cr - expected[0][k]), <=, 1);
      g_assert_cmpint (ABS ((int) cg - expected[1][k]), <=, 1);
      g_assert_cmpint (ABS ((int) cb - expected[2][k]), <=, 1);
    }
}

static void
test_lupton_matches_numpy (void)
{
  g_autofree float *r = make_image (16, 12, 1, 80.0, 0);
  g_autofree float *g = make_image (16, 12, 2, 40.0, 0);
  g_autofree float *b = make_image (16, 12, 3, 20.0, 0);
  const guint8 fixed_0_5[3][9] = {
    { 174, 187, 199, 255, 239, 255, 255, 250, 187 },
    { 123, 125, 142, 147, 148, 143, 139, 151, 131 },
    { 112, 108, 105, 83, 103, 81, 94, 93, 102 },
  };
  const guint8 fixed_9_30[3][9] = {
    { 77, 92, 109, 187, 148, 189, 185, 157, 92 },
    { 36, 43, 64, 99, 79, 97, 91, 82, 47 },
    { 28, 29, 36, 46, 45, 45, 54, 39, 25 },
  };
  /* astropy's AsinhZScaleMapping: minimum and range from zscale of the mean of the bands. */
  const guint8 auto_zscale[3][9] = {
    { 0, 34, 59, 145, 104, 147, 143, 113, 34 },
    { 0, 0, 23, 70, 46, 68, 63, 50, 3 },
    { 0, 0, 0, 25, 17, 24, 32, 13, 0 },
  };

  check_lupton (r, g, b, 0.0, 5.0, fixed_0_5);
  check_lupton (r, g, b, 9.0, 30.0, fixed_9_30);
  check_lupton (r, g, b, 0.0, 0.0, auto_zscale);
}

static void
test_lupton_hand_computed (void)
{
  /* Grey input r = g = b = 5 with minimum 0, range 5, Q 8: each channel is
   * asinh (8) × 25.5 / asinh (0.8) = 2.776472 × 34.80420 = 96.63, truncated to 96. A colour whose
   * brightest channel would exceed 255 is scaled down so that channel is exactly 255. */
  float r[2] = { 5, 100 }, g[2] = { 5, 21 }, b[2] = { 5, 0 };
  DassieDisplayOptions options;
  guint32 dest[2];
  guint cr, cg, cb;

  dassie_display_options_init (&options);
  options.lupton_minimum = 0;
  options.lupton_range = 5;
  dassie_display_render_lupton (r, g, b, 2, 1, &options, (guint8 *) dest, 8);

  unpack (dest[0], &cr, &cg, &cb);
  g_assert_cmpuint (cr, ==, 96);
  g_assert_cmpuint (cg, ==, 96);
  g_assert_cmpuint (cb, ==, 96);

  /* I = 40.33, fac = asinh (64.53) × 34.8042 / 40.33 = 4.19: r = 419 > 255, so r = 255 and
   * g = 21 × 255 / 100 = 53.55 -> 53, b = 0. */
  unpack (dest[1], &cr, &cg, &cb);
  g_assert_cmpuint (cr, ==, 255);
  g_assert_cmpuint (cg, ==, 53);
  g_assert_cmpuint (cb, ==, 0);
}

static void
test_band_orientation_stretch_nan (void)
{
  /* 3 × 2 FITS image: row 0 (bottom) = 0, 1, NaN; row 1 (top) = 2, 3, 4. */
  const float pixels[6] = { 0, 1, NAN, 2, 3, 4 };
  DassieDisplayOptions options;
  guint32 dest[2 * 4];   /* a stride wider than the picture */
  guint r, g, b;

  dassie_display_options_init (&options);
  options.mode = DASSIE_DISPLAY_BAND;
  options.limits = DASSIE_LIMITS_MINMAX;
  options.stretch = DASSIE_STRETCH_LINEAR;
  options.nan_color = 0xff102030;
  dassie_display_render_band (pixels, 3, 2, &options, (guint8 *) dest, 16);

  /* The picture's top row is FITS row 1: 2, 3, 4 of 0 .. 4 -> 128, 191, 255 (rounded). */
  unpack (dest[0], &r, &g, &b);
  g_assert_cmpuint (r, ==, 128);
  g_assert_cmpuint (g, ==, 128);
  unpack (dest[1], &r, &g, &b);
  g_assert_cmpuint (r, ==, 191);
  unpack (dest[2], &r, &g, &b);
  g_assert_cmpuint (r, ==, 255);
  unpack (dest[4], &r, &g, &b);
  g_assert_cmpuint (r, ==, 0);
  unpack (dest[5], &r, &g, &b);
  g_assert_cmpuint (r, ==, 64);
  g_assert_cmphex (dest[6], ==, 0xff102030);

  /* sqrt: 1/4 -> 0.5 -> 128; log (1000 x + 1) / log (1001) at x = 1/4: 0.79978 -> 204;
   * asinh (x / 0.1) / asinh (10) at x = 1/4: 1.64723 / 2.99822 = 0.54940 -> 140. */
  options.stretch = DASSIE_STRETCH_SQRT;
  dassie_display_render_band (pixels, 3, 2, &options, (guint8 *) dest, 16);
  unpack (dest[5], &r, &g, &b);
  g_assert_cmpuint (r, ==, 128);
  options.stretch = DASSIE_STRETCH_LOG;
  dassie_display_render_band (pixels, 3, 2, &options, (guint8 *) dest, 16);
  unpack (dest[5], &r, &g, &b);
  g_assert_cmpuint (r, ==, 204);
  options.stretch = DASSIE_STRETCH_ASINH;
  dassie_display_render_band (pixels, 3, 2, &options, (guint8 *) dest, 16);
  unpack (dest[5], &r, &g, &b);
  g_assert_cmpuint (r, ==, 140);

  /* A translucent NaN colour is stored premultiplied, as cairo expects. */
  options.nan_color = 0x80ff0000;
  dassie_display_render_band (pixels, 3, 2, &options, (guint8 *) dest, 16);
  g_assert_cmphex (dest[6], ==, 0x80800000);
}

static void
test_surface_and_bands (void)
{
  g_autofree float *cube = g_new0 (float, 3 * 4 * 4);
  const char *names[] = { "HSC-G", "HSC-I2", "HSC-R" };
  const char *odd[] = { "u", "v" };
  DassieDisplayOptions options;
  cairo_surface_t *surface;
  guint rgb[3];
  guint32 *data;

  dassie_display_guess_rgb_bands (names, 3, rgb);
  g_assert_cmpuint (rgb[0], ==, 1);
  g_assert_cmpuint (rgb[1], ==, 2);
  g_assert_cmpuint (rgb[2], ==, 0);
  dassie_display_guess_rgb_bands (odd, 2, rgb);
  g_assert_cmpuint (rgb[0], ==, 1);
  g_assert_cmpuint (rgb[1], ==, 1);
  g_assert_cmpuint (rgb[2], ==, 0);

  /* Only the red band (index 1) is lit in the top-left picture pixel (FITS row 3, column 0). */
  cube[1 * 16 + 3 * 4 + 0] = 100;
  dassie_display_options_init (&options);
  options.lupton_minimum = 0;
  options.lupton_range = 10;
  surface = dassie_display_render_surface (cube, 3, 4, 4, &options);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 4);
  data = (guint32 *) (gpointer) cairo_image_surface_get_data (surface);
  g_assert_cmphex (data[0], ==, 0xffff0000);
  g_assert_cmphex (data[1], ==, 0xff000000);
  cairo_surface_destroy (surface);

  g_assert_cmpstr (dassie_stretch_to_string (DASSIE_STRETCH_ASINH), ==, "asinh");
  {
    DassieLimits limits;
    g_assert_true (dassie_limits_from_string ("ZScale", &limits));
    g_assert_cmpint (limits, ==, DASSIE_LIMITS_ZSCALE);
    g_assert_false (dassie_limits_from_string ("median", &limits));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/display/zscale-numpy", test_zscale_matches_numpy);
  g_test_add_func ("/core/display/zscale-hand", test_zscale_hand_computed);
  g_test_add_func ("/core/display/percentile-minmax", test_percentile_and_minmax);
  g_test_add_func ("/core/display/lupton-numpy", test_lupton_matches_numpy);
  g_test_add_func ("/core/display/lupton-hand", test_lupton_hand_computed);
  g_test_add_func ("/core/display/band-orientation-stretch-nan", test_band_orientation_stretch_nan);
  g_test_add_func ("/core/display/surface-and-bands", test_surface_and_bands);

  return g_test_run ();
}
