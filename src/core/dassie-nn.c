/* dassie-nn.c: the layers of the autoencoder on OpenBLAS, forward and backward, one sample at a time
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "dassie-nn.h"

/* The element-wise loops are compiled for AVX-512, AVX2+FMA and plain x86-64; the CPU picks one. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
# define VECTOR_CLONES __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default"), optimize ("O3")))
#else
# define VECTOR_CLONES
#endif

void
dassie_conv_init (DassieConv *conv,
                  gboolean    transposed,
                  guint       in_channels,
                  guint       out_channels,
                  guint       in_height,
                  guint       in_width,
                  guint       kernel,
                  guint       stride,
                  guint       padding,
                  guint       output_padding)
{
  g_return_if_fail (conv != NULL);
  g_return_if_fail (kernel > 0 && stride > 0);

  conv->transposed = transposed;
  conv->in_channels = in_channels;
  conv->out_channels = out_channels;
  conv->in_height = in_height;
  conv->in_width = in_width;
  conv->kernel = kernel;
  conv->stride = stride;
  conv->padding = padding;
  conv->output_padding = transposed ? output_padding : 0;

  if (transposed)
    {
      conv->out_height = (in_height - 1) * stride + kernel + output_padding - 2 * padding;
      conv->out_width = (in_width - 1) * stride + kernel + output_padding - 2 * padding;
    }
  else
    {
      g_return_if_fail (in_height + 2 * padding >= kernel && in_width + 2 * padding >= kernel);
      conv->out_height = (in_height + 2 * padding - kernel) / stride + 1;
      conv->out_width = (in_width + 2 * padding - kernel) / stride + 1;
    }
}

gsize
dassie_conv_weight_size (const DassieConv *conv)
{
  return (gsize) conv->in_channels * conv->out_channels * conv->kernel * conv->kernel;
}

gsize
dassie_conv_col_size (const DassieConv *conv)
{
  /* Conv2d: rows over the input channels, the grid is the output. Transposed: the reverse. */
  if (conv->transposed)
    return (gsize) conv->out_channels * conv->kernel * conv->kernel * conv->in_height * conv->in_width;
  return (gsize) conv->in_channels * conv->kernel * conv->kernel * conv->out_height * conv->out_width;
}

gsize
dassie_conv_in_size (const DassieConv *conv)
{
  return (gsize) conv->in_channels * conv->in_height * conv->in_width;
}

gsize
dassie_conv_out_size (const DassieConv *conv)
{
  return (gsize) conv->out_channels * conv->out_height * conv->out_width;
}

guint
dassie_conv_fan_in (const DassieConv *conv)
{
  /* PyTorch takes weight.size(1): in_channels for Conv2d, out_channels for ConvTranspose2d. */
  return (conv->transposed ? conv->out_channels : conv->in_channels) * conv->kernel * conv->kernel;
}

/* The grid positions x whose tap x·stride − padding + offset lands inside [0, size). */
static void
valid_range (guint  grid,
             guint  size,
             guint  stride,
             int    shift,
             guint *first,
             guint *last)
{
  /* position = x·stride + shift */
  int lo = shift >= 0 ? 0 : (-shift + (int) stride - 1) / (int) stride;
  int hi = ((int) size - 1 - shift) < 0 ? -1 : ((int) size - 1 - shift) / (int) stride;

  hi = MIN (hi, (int) grid - 1);
  lo = MIN (lo, (int) grid);
  *first = (guint) lo;
  *last = hi < lo ? (guint) lo : (guint) (hi + 1);
}

void
dassie_im2col (const float *image,
               guint        channels,
               guint        height,
               guint        width,
               guint        kernel,
               guint        stride,
               guint        padding,
               guint        grid_height,
               guint        grid_width,
               float       *col)
{
  gsize grid = (gsize) grid_height * grid_width;

  for (guint c = 0; c < channels; c++)
    {
      const float *plane = image + (gsize) c * height * width;

      for (guint ki = 0; ki < kernel; ki++)
        for (guint kj = 0; kj < kernel; kj++)
          {
            float *row = col + ((gsize) (c * kernel + ki) * kernel + kj) * grid;
            int shift_x = (int) kj - (int) padding;
            int shift_y = (int) ki - (int) padding;
            guint x0, x1;

            valid_range (grid_width, width, stride, shift_x, &x0, &x1);

            for (guint y = 0; y < grid_height; y++)
              {
                int iy = (int) (y * stride) + shift_y;
                float *dst = row + (gsize) y * grid_width;
                const float *src;

                if (iy < 0 || iy >= (int) height)
                  {
                    memset (dst, 0, grid_width * sizeof (float));
                    continue;
                  }
                src = plane + (gsize) iy * width;
                for (guint x = 0; x < x0; x++)
                  dst[x] = 0;
                if (stride == 1)
                  memcpy (dst + x0, src + (int) x0 + shift_x, (x1 - x0) * sizeof (float));
                else
                  for (guint x = x0; x < x1; x++)
                    dst[x] = src[(int) (x * stride) + shift_x];
                for (guint x = x1; x < grid_width; x++)
                  dst[x] = 0;
              }
          }
    }
}

void
dassie_col2im (const float *col,
               guint        channels,
               guint        height,
               guint        width,
               guint        kernel,
               guint        stride,
               guint        padding,
               guint        grid_height,
               guint        grid_width,
               float       *image)
{
  gsize grid = (gsize) grid_height * grid_width;

  for (guint c = 0; c < channels; c++)
    {
      float *plane = image + (gsize) c * height * width;

      for (guint ki = 0; ki < kernel; ki++)
        for (guint kj = 0; kj < kernel; kj++)
          {
            const float *row = col + ((gsize) (c * kernel + ki) * kernel + kj) * grid;
            int shift_x = (int) kj - (int) padding;
            int shift_y = (int) ki - (int) padding;
            guint x0, x1;

            valid_range (grid_width, width, stride, shift_x, &x0, &x1);

            for (guint y = 0; y < grid_height; y++)
              {
                int iy = (int) (y * stride) + shift_y;
                const float *src = row + (gsize) y * grid_width;
                float *dst;

                if (iy < 0 || iy >= (int) height)
                  continue;
                dst = plane + (gsize) iy * width;
                if (stride == 1)
                  {
                    float *d = dst + (int) x0 + shift_x;
                    for (guint x = x0; x < x1; x++)
                      d[x - x0] += src[x];
                  }
                else
                  for (guint x = x0; x < x1; x++)
                    dst[(int) (x * stride) + shift_x] += src[x];
              }
          }
    }
}

static void
fill_bias (float       *y,
           const float *bias,
           guint        channels,
           gsize        plane)
{
  for (guint c = 0; c < channels; c++)
    {
      float b = bias != NULL ? bias[c] : 0.0f;
      float *row = y + c * plane;

      for (gsize i = 0; i < plane; i++)
        row[i] = b;
    }
}

static void
add_row_sums (const float *dy,
              guint        channels,
              gsize        plane,
              float       *dbias)
{
  for (guint c = 0; c < channels; c++)
    {
      const float *row = dy + c * plane;
      float s = 0;

      for (gsize i = 0; i < plane; i++)
        s += row[i];
      dbias[c] += s;
    }
}

void
dassie_conv_forward (const DassieConv *conv,
                     const float      *weight,
                     const float      *bias,
                     const float      *x,
                     float            *col,
                     float            *y)
{
  guint k = conv->kernel;
  gsize in_plane = (gsize) conv->in_height * conv->in_width;
  gsize out_plane = (gsize) conv->out_height * conv->out_width;

  fill_bias (y, bias, conv->out_channels, out_plane);

  if (!conv->transposed)
    {
      guint rows = conv->in_channels * k * k;

      dassie_im2col (x, conv->in_channels, conv->in_height, conv->in_width, k, conv->stride,
                     conv->padding, conv->out_height, conv->out_width, col);
      /* y (out × P) += W (out × rows) · col (rows × P) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                   conv->out_channels, out_plane, rows,
                   1.0f, weight, rows, col, out_plane,
                   1.0f, y, out_plane);
    }
  else
    {
      guint rows = conv->out_channels * k * k;

      /* col (rows × P_in) = Wᵀ (rows × in) · x (in × P_in), scattered onto the output grid. */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                   rows, in_plane, conv->in_channels,
                   1.0f, weight, rows, x, in_plane,
                   0.0f, col, in_plane);
      dassie_col2im (col, conv->out_channels, conv->out_height, conv->out_width, k, conv->stride,
                     conv->padding, conv->in_height, conv->in_width, y);
    }
}

void
dassie_conv_backward (const DassieConv *conv,
                      const float      *weight,
                      const float      *x,
                      const float      *dy,
                      float            *col,
                      float            *dweight,
                      float            *dbias,
                      float            *dx)
{
  guint k = conv->kernel;
  gsize in_plane = (gsize) conv->in_height * conv->in_width;
  gsize out_plane = (gsize) conv->out_height * conv->out_width;

  if (dbias != NULL)
    add_row_sums (dy, conv->out_channels, out_plane, dbias);

  if (!conv->transposed)
    {
      guint rows = conv->in_channels * k * k;

      /* dW (out × rows) += dy (out × P) · colᵀ */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                   conv->out_channels, rows, out_plane,
                   1.0f, dy, out_plane, col, out_plane,
                   1.0f, dweight, rows);
      if (dx != NULL)
        {
          /* dcol (rows × P) = Wᵀ · dy, folded back onto the input. */
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                       rows, out_plane, conv->out_channels,
                       1.0f, weight, rows, dy, out_plane,
                       0.0f, col, out_plane);
          memset (dx, 0, dassie_conv_in_size (conv) * sizeof (float));
          dassie_col2im (col, conv->in_channels, conv->in_height, conv->in_width, k, conv->stride,
                         conv->padding, conv->out_height, conv->out_width, dx);
        }
    }
  else
    {
      guint rows = conv->out_channels * k * k;

      dassie_im2col (dy, conv->out_channels, conv->out_height, conv->out_width, k, conv->stride,
                     conv->padding, conv->in_height, conv->in_width, col);
      /* dW (in × rows) += x (in × P_in) · colᵀ */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                   conv->in_channels, rows, in_plane,
                   1.0f, x, in_plane, col, in_plane,
                   1.0f, dweight, rows);
      if (dx != NULL)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                     conv->in_channels, in_plane, rows,
                     1.0f, weight, rows, col, in_plane,
                     0.0f, dx, in_plane);
    }
}

void
dassie_linear_forward (guint        in_features,
                       guint        out_features,
                       const float *weight,
                       const float *bias,
                       const float *x,
                       guint        n,
                       float       *y)
{
  for (guint i = 0; i < n; i++)
    {
      if (bias != NULL)
        memcpy (y + (gsize) i * out_features, bias, out_features * sizeof (float));
      else
        memset (y + (gsize) i * out_features, 0, out_features * sizeof (float));
    }

  if (n == 1)
    cblas_sgemv (CblasRowMajor, CblasNoTrans, out_features, in_features,
                 1.0f, weight, in_features, x, 1, 1.0f, y, 1);
  else
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                 n, out_features, in_features,
                 1.0f, x, in_features, weight, in_features,
                 1.0f, y, out_features);
}

void
dassie_linear_backward (guint        in_features,
                        guint        out_features,
                        const float *weight,
                        const float *x,
                        const float *dy,
                        guint        n,
                        float       *dweight,
                        float       *dbias,
                        float       *dx)
{
  if (dweight != NULL)
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                 out_features, in_features, n,
                 1.0f, dy, out_features, x, in_features,
                 1.0f, dweight, in_features);
  if (dbias != NULL)
    for (guint i = 0; i < n; i++)
      for (guint o = 0; o < out_features; o++)
        dbias[o] += dy[(gsize) i * out_features + o];
  if (dx == NULL)
    return;
  if (n == 1)
    cblas_sgemv (CblasRowMajor, CblasTrans, out_features, in_features,
                 1.0f, weight, in_features, dy, 1, 0.0f, dx, 1);
  else
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                 n, in_features, out_features,
                 1.0f, dy, out_features, weight, in_features,
                 0.0f, dx, in_features);
}

/* exp for the vector loops: 2^n · e^r with |r| ≤ ln2/2 and a degree-7 Taylor polynomial (relative
 * error below 1e-8 before rounding). Arguments are clamped to the normal range; NaN stays NaN. */
static inline float
vexpf (float a)
{
  const float round_magic = 12582912.0f;  /* 1.5 · 2^23: adding it rounds to an integer */
  float n, r, p, scale;
  gint32 bits;

  a = a < -87.0f ? -87.0f : a;
  a = a > 88.0f ? 88.0f : a;
  n = (a * 1.44269504088896341f + round_magic) - round_magic;
  r = a - n * 0.693145751953125f;
  r = r - n * 1.428606765330187e-06f;
  p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  bits = ((gint32) n + 127) << 23;
  memcpy (&scale, &bits, sizeof scale);
  return p * scale;
}

/* The standard normal CDF Φ(x) = erfc(−x/√2)/2, with erfc from the Chebyshev fit in Numerical Recipes
 * (relative error below 1.2e-7 for every argument), so the tails keep their relative precision. */
static inline float
normal_cdf (float x)
{
  float z = fabsf (x) * (float) M_SQRT1_2;
  float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  float half_erfc;

  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  half_erfc = 0.5f * t * vexpf (p - z * z);
  return x < 0 ? half_erfc : 1.0f - half_erfc;
}

VECTOR_CLONES static void
gelu_forward (const float *x,
              float       *y,
              gsize        n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = x[i] * normal_cdf (x[i]);
}

VECTOR_CLONES static void
gelu_backward (const float *x,
               const float *dy,
               float       *dx,
               gsize        n)
{
  const float inv_sqrt_2pi = 0.398942280401432678f;

  for (gsize i = 0; i < n; i++)
    {
      float v = x[i];
      float density = inv_sqrt_2pi * vexpf (-0.5f * v * v);

      dx[i] = dy[i] * (normal_cdf (v) + v * density);
    }
}

void
dassie_activation_forward (DassieActivation  activation,
                           const float      *x,
                           float            *y,
                           gsize             n)
{
  switch (activation)
    {
    case DASSIE_ACTIVATION_IDENTITY:
      if (y != x)
        memmove (y, x, n * sizeof (float));
      break;
    case DASSIE_ACTIVATION_GELU:
      gelu_forward (x, y, n);
      break;
    case DASSIE_ACTIVATION_TANH:
      for (gsize i = 0; i < n; i++)
        y[i] = tanhf (x[i]);
      break;
    case DASSIE_ACTIVATION_SIGMOID:
      for (gsize i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + expf (-x[i]));
      break;
    case DASSIE_ACTIVATION_ARCSINH:
      for (gsize i = 0; i < n; i++)
        y[i] = asinhf (x[i]);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
dassie_activation_backward (DassieActivation  activation,
                            const float      *x,
                            const float      *y,
                            const float      *dy,
                            float            *dx,
                            gsize             n)
{
  switch (activation)
    {
    case DASSIE_ACTIVATION_IDENTITY:
      if (dx != dy)
        memmove (dx, dy, n * sizeof (float));
      break;
    case DASSIE_ACTIVATION_GELU:
      gelu_backward (x, dy, dx, n);
      break;
    case DASSIE_ACTIVATION_TANH:
      for (gsize i = 0; i < n; i++)
        dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;
    case DASSIE_ACTIVATION_SIGMOID:
      for (gsize i = 0; i < n; i++)
        dx[i] = dy[i] * y[i] * (1.0f - y[i]);
      break;
    case DASSIE_ACTIVATION_ARCSINH:
      for (gsize i = 0; i < n; i++)
        dx[i] = dy[i] / sqrtf (x[i] * x[i] + 1.0f);
      break;
    default:
      g_assert_not_reached ();
    }
}

static const char * const activation_names[] = {
  [DASSIE_ACTIVATION_IDENTITY] = "identity",
  [DASSIE_ACTIVATION_GELU] = "gelu",
  [DASSIE_ACTIVATION_TANH] = "tanh",
  [DASSIE_ACTIVATION_SIGMOID] = "sigmoid",
  [DASSIE_ACTIVATION_ARCSINH] = "arcsinh",
};

gboolean
dassie_activation_from_string (const char       *name,
                               DassieActivation *activation)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (activation != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (activation_names); i++)
    if (g_ascii_strcasecmp (name, activation_names[i]) == 0)
      {
        *activation = i;
        return TRUE;
      }
  /* Hyrax spells "no activation" as "none". */
  if (g_ascii_strcasecmp (name, "none") == 0)
    {
      *activation = DASSIE_ACTIVATION_IDENTITY;
      return TRUE;
    }
  return FALSE;
}

const char *
dassie_activation_to_string (DassieActivation activation)
{
  g_return_val_if_fail (activation < G_N_ELEMENTS (activation_names), NULL);
  return activation_names[activation];
}

guint
dassie_center_crop_offset (guint size,
                           guint out_size)
{
  g_return_val_if_fail (size >= out_size, 0);
  /* Python's round(): halves go to the even neighbour, as rint() does in the default mode. */
  return (guint) rint ((size - out_size) / 2.0);
}

void
dassie_center_crop (const float *x,
                    guint        channels,
                    guint        height,
                    guint        width,
                    guint        out_height,
                    guint        out_width,
                    float       *y)
{
  guint top = dassie_center_crop_offset (height, out_height);
  guint left = dassie_center_crop_offset (width, out_width);

  for (guint c = 0; c < channels; c++)
    for (guint r = 0; r < out_height; r++)
      memcpy (y + ((gsize) c * out_height + r) * out_width,
              x + ((gsize) c * height + top + r) * width + left,
              out_width * sizeof (float));
}

void
dassie_center_crop_backward (const float *dy,
                             guint        channels,
                             guint        height,
                             guint        width,
                             guint        out_height,
                             guint        out_width,
                             float       *dx)
{
  guint top = dassie_center_crop_offset (height, out_height);
  guint left = dassie_center_crop_offset (width, out_width);

  memset (dx, 0, (gsize) channels * height * width * sizeof (float));
  for (guint c = 0; c < channels; c++)
    for (guint r = 0; r < out_height; r++)
      memcpy (dx + ((gsize) c * height + top + r) * width + left,
              dy + ((gsize) c * out_height + r) * out_width,
              out_width * sizeof (float));
}

double
dassie_squared_error (const float *y,
                      const float *target,
                      gsize        n,
                      float        scale,
                      float       *dy)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      float d = y[i] - target[i];

      sum += (double) d * d;
      if (dy != NULL)
        dy[i] = 2.0f * scale * d;
    }
  return sum;
}

int
dassie_nn_blas_threads_single (void)
{
  int previous = openblas_get_num_threads ();

  openblas_set_num_threads (1);
  return previous;
}

void
dassie_nn_blas_threads_restore (int previous)
{
  if (previous > 0)
    openblas_set_num_threads (previous);
}
