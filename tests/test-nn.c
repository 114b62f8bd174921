/* test-nn.c: every layer's forward and backward against naive loops and finite differences
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-nn.h"

static void
fill_random (GRand *rand,
             float *data,
             gsize  n)
{
  for (gsize i = 0; i < n; i++)
    data[i] = (float) g_rand_double_range (rand, -1, 1);
}

static void
assert_close (const float *a,
              const float *b,
              gsize        n,
              double       tolerance)
{
  for (gsize i = 0; i < n; i++)
    if (fabs ((double) a[i] - b[i]) > tolerance * (1.0 + fabs ((double) b[i])))
      g_error ("element %" G_GSIZE_FORMAT ": %.9g vs %.9g", i, a[i], b[i]);
}

/* The convolution as a list of multiply-adds y[o] += W[w] · x[i], in the most literal form: a plain
 * convolution reads x at y·stride − padding + k, a transposed one writes y there. */
typedef void (*TermFunc) (gsize o, gsize w, gsize i, gpointer data);

static void
for_each_term (const DassieConv *conv,
               TermFunc          func,
               gpointer          data)
{
  guint k = conv->kernel;

  if (!conv->transposed)
    {
      for (guint co = 0; co < conv->out_channels; co++)
        for (guint oy = 0; oy < conv->out_height; oy++)
          for (guint ox = 0; ox < conv->out_width; ox++)
            for (guint ci = 0; ci < conv->in_channels; ci++)
              for (guint ki = 0; ki < k; ki++)
                for (guint kj = 0; kj < k; kj++)
                  {
                    int iy = (int) (oy * conv->stride + ki) - (int) conv->padding;
                    int ix = (int) (ox * conv->stride + kj) - (int) conv->padding;

                    if (iy < 0 || ix < 0 || iy >= (int) conv->in_height || ix >= (int) conv->in_width)
                      continue;
                    func (((gsize) co * conv->out_height + oy) * conv->out_width + ox,
                          (((gsize) co * conv->in_channels + ci) * k + ki) * k + kj,
                          ((gsize) ci * conv->in_height + iy) * conv->in_width + ix, data);
                  }
    }
  else
    {
      for (guint ci = 0; ci < conv->in_channels; ci++)
        for (guint iy = 0; iy < conv->in_height; iy++)
          for (guint ix = 0; ix < conv->in_width; ix++)
            for (guint co = 0; co < conv->out_channels; co++)
              for (guint ki = 0; ki < k; ki++)
                for (guint kj = 0; kj < k; kj++)
                  {
                    int oy = (int) (iy * conv->stride + ki) - (int) conv->padding;
                    int ox = (int) (ix * conv->stride + kj) - (int) conv->padding;

                    if (oy < 0 || ox < 0 || oy >= (int) conv->out_height || ox >= (int) conv->out_width)
                      continue;
                    func (((gsize) co * conv->out_height + oy) * conv->out_width + ox,
                          (((gsize) ci * conv->out_channels + co) * k + ki) * k + kj,
                          ((gsize) ci * conv->in_height + iy) * conv->in_width + ix, data);
                  }
    }
}

typedef struct
{
  const float *weight;
  const float *x;
  const float *dy;
  double *y;
  double *dweight;
  double *dx;
} Naive;

static void
naive_forward_term (gsize o, gsize w, gsize i, gpointer data)
{
  Naive *n = data;

  n->y[o] += (double) n->weight[w] * n->x[i];
}

static void
naive_backward_term (gsize o, gsize w, gsize i, gpointer data)
{
  Naive *n = data;

  n->dweight[w] += (double) n->dy[o] * n->x[i];
  n->dx[i] += (double) n->dy[o] * n->weight[w];
}

static double
dot (const float *a,
     const float *b,
     gsize        n)
{
  double s = 0;

  for (gsize i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

static void
check_conv (gboolean transposed,
            guint    in_channels,
            guint    out_channels,
            guint    height,
            guint    width,
            guint    stride,
            guint    padding,
            guint    output_padding)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (height * 131 + width * 7 + stride + transposed);
  DassieConv conv;
  gsize nw, nx, ny;
  g_autofree float *weight = NULL, *bias = NULL, *x = NULL, *y = NULL, *col = NULL, *dy = NULL;
  g_autofree float *dweight = NULL, *dbias = NULL, *dx = NULL, *expected = NULL, *y2 = NULL;
  g_autofree double *ny_d = NULL, *ndw = NULL, *ndx = NULL;
  Naive naive;

  dassie_conv_init (&conv, transposed, in_channels, out_channels, height, width, 3, stride, padding,
                    output_padding);
  if (transposed)
    {
      g_assert_cmpuint (conv.out_height, ==, (height - 1) * stride - 2 * padding + 3 + output_padding);
      g_assert_cmpuint (conv.out_width, ==, (width - 1) * stride - 2 * padding + 3 + output_padding);
    }
  else
    g_assert_cmpuint (conv.out_height, ==, (height + 2 * padding - 3) / stride + 1);

  nw = dassie_conv_weight_size (&conv);
  nx = dassie_conv_in_size (&conv);
  ny = dassie_conv_out_size (&conv);
  weight = g_new (float, nw);
  bias = g_new (float, out_channels);
  x = g_new (float, nx);
  y = g_new (float, ny);
  y2 = g_new (float, ny);
  dy = g_new (float, ny);
  /* Several bands when the im2col matrix is large. */
  if (dassie_conv_col_size (&conv) > 200000)
    g_assert_cmpuint (dassie_conv_band_col_size (&conv), <, dassie_conv_col_size (&conv) / 2);
  col = g_new (float, dassie_conv_band_col_size (&conv));
  fill_random (rand, weight, nw);
  fill_random (rand, bias, out_channels);
  fill_random (rand, x, nx);
  fill_random (rand, dy, ny);

  /* Forward against the literal sum. */
  dassie_conv_forward (&conv, weight, bias, x, col, y);
  ny_d = g_new0 (double, ny);
  naive = (Naive) { weight, x, dy, ny_d, NULL, NULL };
  for_each_term (&conv, naive_forward_term, &naive);
  expected = g_new (float, ny);
  for (gsize o = 0; o < ny; o++)
    expected[o] = (float) (ny_d[o] + bias[o / ((gsize) conv.out_height * conv.out_width)]);
  assert_close (y, expected, ny, 1e-5);

  /* Backward against the same sum differentiated term by term; gradients accumulate into dW. */
  dweight = g_new (float, nw);
  dbias = g_new0 (float, out_channels);
  dx = g_new (float, nx);
  for (gsize i = 0; i < nw; i++)
    dweight[i] = 0.5f;
  dassie_conv_backward (&conv, weight, x, dy, col, dweight, dbias, dx);
  ndw = g_new0 (double, nw);
  ndx = g_new0 (double, nx);
  naive = (Naive) { weight, x, dy, NULL, ndw, ndx };
  for_each_term (&conv, naive_backward_term, &naive);
  g_clear_pointer (&expected, g_free);
  expected = g_new (float, MAX (nw, nx));
  for (gsize i = 0; i < nw; i++)
    expected[i] = (float) (ndw[i] + 0.5);
  assert_close (dweight, expected, nw, 1e-5);
  for (gsize i = 0; i < nx; i++)
    expected[i] = (float) ndx[i];
  assert_close (dx, expected, nx, 1e-5);
  for (guint c = 0; c < out_channels; c++)
    {
      double s = 0;

      for (gsize p = 0; p < (gsize) conv.out_height * conv.out_width; p++)
        s += dy[c * conv.out_height * conv.out_width + p];
      g_assert_cmpfloat (fabs (dbias[c] - s), <, 1e-4);
    }

  /* Finite differences of L = Σ dy · y on a few inputs and weights (L is linear in each). */
  for (guint trial = 0; trial < 6; trial++)
    {
      gsize i = g_rand_int_range (rand, 0, nx);
      gsize w = g_rand_int_range (rand, 0, nw);
      float saved = x[i];
      double up, down;

      x[i] = saved + 0.5f;
      dassie_conv_forward (&conv, weight, bias, x, col, y2);
      up = dot (dy, y2, ny);
      x[i] = saved - 0.5f;
      dassie_conv_forward (&conv, weight, bias, x, col, y2);
      down = dot (dy, y2, ny);
      x[i] = saved;
      g_assert_cmpfloat (fabs ((up - down) / 1.0 - dx[i]), <, 1e-3 * (1 + fabs (dx[i])));

      saved = weight[w];
      weight[w] = saved + 0.5f;
      dassie_conv_forward (&conv, weight, bias, x, col, y2);
      up = dot (dy, y2, ny);
      weight[w] = saved - 0.5f;
      dassie_conv_forward (&conv, weight, bias, x, col, y2);
      down = dot (dy, y2, ny);
      weight[w] = saved;
      g_assert_cmpfloat (fabs ((up - down) - (dweight[w] - 0.5f)), <, 1e-3 * (1 + fabs (dweight[w])));
    }
}

static void
test_conv2d (void)
{
  check_conv (FALSE, 3, 4, 7, 6, 2, 1, 0);
  check_conv (FALSE, 3, 4, 8, 8, 2, 1, 0);
  check_conv (FALSE, 2, 5, 7, 9, 1, 1, 0);
  check_conv (FALSE, 2, 3, 6, 5, 1, 0, 0);
  /* Large enough to run in several bands of output rows. */
  check_conv (FALSE, 64, 3, 40, 36, 1, 1, 0);
  check_conv (FALSE, 64, 2, 41, 40, 2, 1, 0);
}

static void
test_conv_transpose2d (void)
{
  check_conv (TRUE, 4, 3, 4, 3, 2, 1, 1);
  check_conv (TRUE, 3, 2, 5, 5, 2, 1, 0);
  check_conv (TRUE, 2, 3, 3, 4, 1, 1, 0);
  check_conv (TRUE, 3, 64, 20, 19, 2, 1, 1);
}

static void
test_im2col_adjoint (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const guint c = 2, h = 7, w = 5, grid_h = 4, grid_w = 3;
  gsize n_image = c * h * w, n_col = (gsize) c * 9 * grid_h * grid_w;
  g_autofree float *image = g_new (float, n_image);
  g_autofree float *col = g_new (float, n_col);
  g_autofree float *other = g_new (float, n_col);
  g_autofree float *back = g_new0 (float, n_image);

  /* <im2col(x), v> = <x, col2im(v)> */
  fill_random (rand, image, n_image);
  fill_random (rand, other, n_col);
  dassie_im2col (image, c, h, w, 3, 2, 1, grid_h, grid_w, col);
  dassie_col2im (other, c, h, w, 3, 2, 1, grid_h, grid_w, back);
  g_assert_cmpfloat (fabs (dot (col, other, n_col) - dot (image, back, n_image)), <, 1e-4);

  /* One entry by hand: channel 1, tap (0, 2), grid (1, 1) reads image[1][1·2−1+0][1·2−1+2]. */
  g_assert_cmpfloat (col[((gsize) (1 * 3 + 0) * 3 + 2) * grid_h * grid_w + 1 * grid_w + 1], ==,
                     image[(1 * h + 1) * w + 3]);
  /* Grid (0, 0), tap (0, 0) reads the padding. */
  g_assert_cmpfloat (col[0], ==, 0.0f);
}

static void
test_linear (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  const guint n = 3, in = 5, out = 4;
  float weight[4 * 5], bias[4], x[3 * 5], y[3 * 4], dy[3 * 4];
  float dweight[4 * 5] = { 0 }, dbias[4] = { 0 }, dx[3 * 5];

  fill_random (rand, weight, G_N_ELEMENTS (weight));
  fill_random (rand, bias, out);
  fill_random (rand, x, G_N_ELEMENTS (x));
  fill_random (rand, dy, G_N_ELEMENTS (dy));

  for (guint rows = 1; rows <= n; rows += n - 1)
    {
      dassie_linear_forward (in, out, weight, bias, x, rows, y);
      for (guint r = 0; r < rows; r++)
        for (guint o = 0; o < out; o++)
          {
            double s = bias[o];

            for (guint i = 0; i < in; i++)
              s += (double) weight[o * in + i] * x[r * in + i];
            g_assert_cmpfloat (fabs (y[r * out + o] - s), <, 1e-5);
          }

      memset (dweight, 0, sizeof dweight);
      memset (dbias, 0, sizeof dbias);
      dassie_linear_backward (in, out, weight, x, dy, rows, dweight, dbias, dx);
      for (guint o = 0; o < out; o++)
        {
          double sb = 0;

          for (guint r = 0; r < rows; r++)
            sb += dy[r * out + o];
          g_assert_cmpfloat (fabs (dbias[o] - sb), <, 1e-5);
          for (guint i = 0; i < in; i++)
            {
              double s = 0;

              for (guint r = 0; r < rows; r++)
                s += (double) dy[r * out + o] * x[r * in + i];
              g_assert_cmpfloat (fabs (dweight[o * in + i] - s), <, 1e-5);
            }
        }
      for (guint r = 0; r < rows; r++)
        for (guint i = 0; i < in; i++)
          {
            double s = 0;

            for (guint o = 0; o < out; o++)
              s += (double) dy[r * out + o] * weight[o * in + i];
            g_assert_cmpfloat (fabs (dx[r * in + i] - s), <, 1e-5);
          }
    }
}

static double
reference_activation (DassieActivation activation,
                      double           x)
{
  switch (activation)
    {
    case DASSIE_ACTIVATION_IDENTITY: return x;
    case DASSIE_ACTIVATION_GELU: return 0.5 * x * (1 + erf (x / G_SQRT2));
    case DASSIE_ACTIVATION_TANH: return tanh (x);
    case DASSIE_ACTIVATION_SIGMOID: return 1 / (1 + exp (-x));
    case DASSIE_ACTIVATION_ARCSINH: return asinh (x);
    default: g_assert_not_reached ();
    }
}

static void
test_activations (void)
{
  const guint n = 2001;
  g_autofree float *x = g_new (float, n);
  g_autofree float *y = g_new (float, n);
  g_autofree float *ones = g_new (float, n);
  g_autofree float *dx = g_new (float, n);
  g_autofree float *y2 = g_new (float, n);
  g_autofree float *derivative = g_new (float, n);

  /* −10 … 10, and beyond float's erf range at the ends. */
  for (guint i = 0; i < n; i++)
    {
      x[i] = -10.0f + 20.0f * i / (n - 1);
      ones[i] = 1;
    }
  x[0] = -40;
  x[n - 1] = 40;

  for (DassieActivation a = DASSIE_ACTIVATION_IDENTITY; a <= DASSIE_ACTIVATION_ARCSINH; a++)
    {
      dassie_activation_forward (a, x, y, n);
      dassie_activation_backward (a, x, y, ones, dx, n);
      for (guint i = 0; i < n; i++)
        {
          double ref = reference_activation (a, x[i]);
          double h = 1e-4 * MAX (1.0, fabs (x[i]));
          double slope = (reference_activation (a, (double) x[i] + h) - reference_activation (a, (double) x[i] - h)) / (2 * h);

          if (fabs (y[i] - ref) > 2e-6 * (1 + fabs (ref)))
            g_error ("%s (%g) = %.9g, expected %.9g", dassie_activation_to_string (a), x[i], y[i], ref);
          if (fabs (dx[i] - slope) > 2e-5 * (1 + fabs (slope)))
            g_error ("%s′(%g) = %.9g, expected %.9g", dassie_activation_to_string (a), x[i], dx[i], slope);
        }

      /* The fused pass, in place as the model runs it, gives the same values and derivatives. */
      memcpy (y2, x, n * sizeof (float));
      dassie_activation_forward_derivative (a, y2, y2, derivative, n);
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpfloat (fabs (y2[i] - y[i]), <=, 1e-6 * (1 + fabs (y[i])));
          g_assert_cmpfloat (fabs (derivative[i] - dx[i]), <=, 1e-6 * (1 + fabs (dx[i])));
        }
      dassie_activation_backward_derivative (derivative, x, y2, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpfloat (y2[i], ==, x[i] * derivative[i]);
    }

  /* GELU keeps its relative precision in the negative tail, where x·Φ(x) is tiny. */
  x[0] = -5;
  dassie_activation_forward (DASSIE_ACTIVATION_GELU, x, y, 1);
  g_assert_cmpfloat (fabs (y[0] / reference_activation (DASSIE_ACTIVATION_GELU, -5) - 1), <, 1e-5);

  /* NaN stays NaN, so that training notices it. */
  x[0] = NAN;
  dassie_activation_forward (DASSIE_ACTIVATION_GELU, x, y, 1);
  g_assert_true (isnan (y[0]));
}

static void
test_activation_names (void)
{
  DassieActivation a;

  g_assert_true (dassie_activation_from_string ("TanH", &a));
  g_assert_cmpint (a, ==, DASSIE_ACTIVATION_TANH);
  g_assert_true (dassie_activation_from_string ("none", &a));
  g_assert_cmpint (a, ==, DASSIE_ACTIVATION_IDENTITY);
  g_assert_false (dassie_activation_from_string ("relu6", &a));
  g_assert_cmpstr (dassie_activation_to_string (DASSIE_ACTIVATION_ARCSINH), ==, "arcsinh");
}

static void
test_center_crop (void)
{
  float x[2 * 5 * 6], y[2 * 2 * 3], dx[2 * 5 * 6];

  /* Python's round(): halves to even, as torchvision computes the top row. */
  g_assert_cmpuint (dassie_center_crop_offset (40, 33), ==, 4);   /* round(3.5) */
  g_assert_cmpuint (dassie_center_crop_offset (10, 5), ==, 2);    /* round(2.5) */
  g_assert_cmpuint (dassie_center_crop_offset (8, 5), ==, 2);     /* round(1.5) */
  g_assert_cmpuint (dassie_center_crop_offset (96, 96), ==, 0);
  g_assert_cmpuint (dassie_center_crop_offset (7, 4), ==, 2);     /* round(1.5) */

  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = i;
  /* 5 × 6 → 2 × 3: top = round(1.5) = 2, left = round(1.5) = 2. */
  dassie_center_crop (x, 2, 5, 6, 2, 3, y);
  g_assert_cmpfloat (y[0], ==, 2 * 6 + 2);
  g_assert_cmpfloat (y[5], ==, 3 * 6 + 4);
  g_assert_cmpfloat (y[6], ==, 30 + 2 * 6 + 2);

  dassie_center_crop_backward (y, 2, 5, 6, 2, 3, dx);
  for (guint c = 0; c < 2; c++)
    for (guint r = 0; r < 5; r++)
      for (guint q = 0; q < 6; q++)
        {
          gboolean inside = r >= 2 && r < 4 && q >= 2 && q < 5;
          float v = dx[(c * 5 + r) * 6 + q];

          g_assert_cmpfloat (v, ==, inside ? x[(c * 5 + r) * 6 + q] : 0.0f);
        }
}

static void
test_squared_error (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  float y[50], t[50], dy[50];
  double expected = 0;
  double sum;

  fill_random (rand, y, 50);
  fill_random (rand, t, 50);
  for (guint i = 0; i < 50; i++)
    expected += ((double) y[i] - t[i]) * ((double) y[i] - t[i]);
  sum = dassie_squared_error (y, t, 50, 1.0f / 50, dy);
  g_assert_cmpfloat (fabs (sum - expected), <, 1e-6 * expected);

  /* ∂(mean)/∂y by central differences (the mean is quadratic, so they are exact up to rounding). */
  for (guint i = 0; i < 50; i += 7)
    {
      float saved = y[i];
      double up, down;

      y[i] = saved + 0.01f;
      up = dassie_squared_error (y, t, 50, 1, NULL) / 50;
      y[i] = saved - 0.01f;
      down = dassie_squared_error (y, t, 50, 1, NULL) / 50;
      y[i] = saved;
      g_assert_cmpfloat (fabs ((up - down) / (2 * 0.01) - dy[i]), <, 1e-4);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/nn/im2col-adjoint", test_im2col_adjoint);
  g_test_add_func ("/core/nn/conv2d", test_conv2d);
  g_test_add_func ("/core/nn/conv-transpose2d", test_conv_transpose2d);
  g_test_add_func ("/core/nn/linear", test_linear);
  g_test_add_func ("/core/nn/activations", test_activations);
  g_test_add_func ("/core/nn/activation-names", test_activation_names);
  g_test_add_func ("/core/nn/center-crop", test_center_crop);
  g_test_add_func ("/core/nn/squared-error", test_squared_error);

  return g_test_run ();
}
