/* dassie-nn.c: the layers of the autoencoder on OpenBLAS, forward and backward, one sample at a time
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "dassie-nn.h"
#include "dassie-parallel.h"

/* The element-wise loops are compiled for AVX-512, AVX2+FMA and plain x86-64; the CPU picks one. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
# define VECTOR_CLONES __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default"), \
                                        optimize ("O3", "no-tree-loop-distribute-patterns")))
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

/* The inner loops of im2col and col2im, with restrict so that they vectorise (strided ones too). */
static inline void
copy_strided (float       *restrict dst,
              const float *restrict src,
              guint                 n,
              guint                 stride)
{
  if (stride == 1)
    for (guint i = 0; i < n; i++)
      dst[i] = src[i];
  else if (stride == 2)
    for (guint i = 0; i < n; i++)
      dst[i] = src[2 * i];
  else
    for (guint i = 0; i < n; i++)
      dst[i] = src[(gsize) i * stride];
}

static inline void
add_strided (float       *restrict dst,
             const float *restrict src,
             guint                 n,
             guint                 stride)
{
  if (stride == 1)
    for (guint i = 0; i < n; i++)
      dst[i] += src[i];
  else if (stride == 2)
    for (guint i = 0; i < n; i++)
      dst[2 * i] += src[i];
  else
    for (guint i = 0; i < n; i++)
      dst[(gsize) i * stride] += src[i];
}

static inline void
zero (float *dst,
      guint  n)
{
  for (guint i = 0; i < n; i++)
    dst[i] = 0;
}

/* im2col of the grid rows [row_begin, row_end): col is (channels·k·k) × ((row_end − row_begin)·grid_w). */
VECTOR_CLONES void
dassie_im2col_rows (const float *image,
                    guint        channels,
                    guint        height,
                    guint        width,
                    guint        kernel,
                    guint        stride,
                    guint        padding,
                    guint        grid_width,
                    guint        row_begin,
                    guint        row_end,
                    float       *col)
{
  gsize band = (gsize) (row_end - row_begin) * grid_width;

  for (guint c = 0; c < channels; c++)
    {
      const float *plane = image + (gsize) c * height * width;

      for (guint ki = 0; ki < kernel; ki++)
        for (guint kj = 0; kj < kernel; kj++)
          {
            float *row = col + ((gsize) (c * kernel + ki) * kernel + kj) * band;
            int shift_x = (int) kj - (int) padding;
            int shift_y = (int) ki - (int) padding;
            guint x0, x1;

            valid_range (grid_width, width, stride, shift_x, &x0, &x1);

            for (guint y = row_begin; y < row_end; y++)
              {
                int iy = (int) (y * stride) + shift_y;
                float *dst = row + (gsize) (y - row_begin) * grid_width;
                const float *src;

                if (iy < 0 || iy >= (int) height)
                  {
                    zero (dst, grid_width);
                    continue;
                  }
                src = plane + (gsize) iy * width;
                /* Rows are short (a few dozen pixels): inline loops beat memcpy calls here. */
                zero (dst, x0);
                copy_strided (dst + x0, src + (int) (x0 * stride) + shift_x, x1 - x0, stride);
                zero (dst + x1, grid_width - x1);
              }
          }
    }
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
  dassie_im2col_rows (image, channels, height, width, kernel, stride, padding, grid_width, 0, grid_height, col);
}

/* The adjoint of dassie_im2col_rows: adds a band's columns into @image. */
VECTOR_CLONES void
dassie_col2im_rows (const float *col,
                    guint        channels,
                    guint        height,
                    guint        width,
                    guint        kernel,
                    guint        stride,
                    guint        padding,
                    guint        grid_width,
                    guint        row_begin,
                    guint        row_end,
                    float       *image)
{
  gsize band = (gsize) (row_end - row_begin) * grid_width;

  for (guint c = 0; c < channels; c++)
    {
      float *plane = image + (gsize) c * height * width;

      for (guint ki = 0; ki < kernel; ki++)
        for (guint kj = 0; kj < kernel; kj++)
          {
            const float *row = col + ((gsize) (c * kernel + ki) * kernel + kj) * band;
            int shift_x = (int) kj - (int) padding;
            int shift_y = (int) ki - (int) padding;
            guint x0, x1;

            valid_range (grid_width, width, stride, shift_x, &x0, &x1);

            for (guint y = row_begin; y < row_end; y++)
              {
                int iy = (int) (y * stride) + shift_y;
                const float *src = row + (gsize) (y - row_begin) * grid_width;
                float *dst;

                if (iy < 0 || iy >= (int) height)
                  continue;
                dst = plane + (gsize) iy * width;
                add_strided (dst + (int) (x0 * stride) + shift_x, src + x0, x1 - x0, stride);
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
  dassie_col2im_rows (col, channels, height, width, kernel, stride, padding, grid_width, 0, grid_height, image);
}

VECTOR_CLONES static void
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

/* Sixteen partial sums per row, so that the loop vectorises (a single float accumulator may not be
 * reordered); the order is fixed, so results do not change from run to run. */
VECTOR_CLONES static void
add_row_sums (const float *dy,
              guint        channels,
              gsize        plane,
              float       *dbias)
{
  for (guint c = 0; c < channels; c++)
    {
      const float *row = dy + c * plane;
      float partial[16] = { 0 };
      float s = 0;
      gsize i = 0;

      for (; i + 16 <= plane; i += 16)
        for (guint j = 0; j < 16; j++)
          partial[j] += row[i + j];
      for (; i < plane; i++)
        s += row[i];
      for (guint j = 0; j < 16; j++)
        s += partial[j];
      dbias[c] += s;
    }
}

/* Every convolution runs in bands of rows of its im2col grid (the output of a Conv2d, the input of a
 * transposed one), so that a band's im2col matrix stays in the L2 cache while sgemm packs it; nothing
 * is kept between forward and backward, the backward pass recomputes its bands. A band has at least
 * BAND_MIN_COLUMNS columns so that sgemm still runs at full speed. */
#define BAND_BYTES (128 * 1024)
#define BAND_MIN_COLUMNS 96

static guint
grid_rows (const DassieConv *conv)
{
  return conv->transposed ? conv->in_height : conv->out_height;
}

static guint
grid_width (const DassieConv *conv)
{
  return conv->transposed ? conv->in_width : conv->out_width;
}

/* Rows of the im2col matrix: (channels of the image side) · k · k. */
static guint
col_rows (const DassieConv *conv)
{
  return (conv->transposed ? conv->out_channels : conv->in_channels) * conv->kernel * conv->kernel;
}

static guint
band_rows (const DassieConv *conv)
{
  gsize row_bytes = (gsize) col_rows (conv) * grid_width (conv) * sizeof (float);
  gsize rows = BAND_BYTES / MAX (row_bytes, 1);

  rows = MAX (rows, (BAND_MIN_COLUMNS + grid_width (conv) - 1) / grid_width (conv));
  return (guint) CLAMP (rows, 1, grid_rows (conv));
}

gsize
dassie_conv_band_col_size (const DassieConv *conv)
{
  return (gsize) col_rows (conv) * band_rows (conv) * grid_width (conv);
}

static void
bias_activation (const DassieConv *conv,
                 const float      *bias,
                 DassieActivation  activation,
                 float            *z,
                 float            *a,
                 float            *derivative,
                 gsize             offset,
                 gsize             n)
{
  gsize plane = (gsize) conv->out_height * conv->out_width;

  for (guint c = 0; c < conv->out_channels; c++)
    {
      float *zc = z + c * plane + offset;
      float b = bias != NULL ? bias[c] : 0.0f;

      if (b != 0)
        for (gsize i = 0; i < n; i++)
          zc[i] += b;
      if (derivative != NULL)
        dassie_activation_forward_derivative (activation, zc, a + c * plane + offset,
                                              derivative + c * plane + offset, n);
      else if (a != NULL)
        dassie_activation_forward (activation, zc, a + c * plane + offset, n);
    }
}

void
dassie_conv_forward_activation (const DassieConv *conv,
                                const float      *weight,
                                const float      *bias,
                                DassieActivation  activation,
                                const float      *x,
                                float            *col,
                                float            *z,
                                float            *a,
                                float            *derivative)
{
  guint k = conv->kernel;
  guint rows = col_rows (conv);
  guint gw = grid_width (conv);
  guint band = band_rows (conv);
  gsize in_plane = (gsize) conv->in_height * conv->in_width;
  gsize out_plane = (gsize) conv->out_height * conv->out_width;

  if (!conv->transposed)
    {
      for (guint r0 = 0; r0 < conv->out_height; r0 += band)
        {
          guint r1 = MIN (r0 + band, conv->out_height);
          gsize n = (gsize) (r1 - r0) * gw;

          dassie_im2col_rows (x, conv->in_channels, conv->in_height, conv->in_width, k, conv->stride,
                              conv->padding, gw, r0, r1, col);
          /* z[:, band] (out × n) = W (out × rows) · col (rows × n) */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                       conv->out_channels, n, rows,
                       1.0f, weight, rows, col, n,
                       0.0f, z + (gsize) r0 * gw, out_plane);
          /* Bias and activation while the band is still in the cache. */
          bias_activation (conv, bias, activation, z, a, derivative, (gsize) r0 * gw, n);
        }
      return;
    }

  /* A band of input rows scatters into output rows beyond its own, so the activation comes last. */
  fill_bias (z, bias, conv->out_channels, out_plane);
  for (guint r0 = 0; r0 < conv->in_height; r0 += band)
    {
      guint r1 = MIN (r0 + band, conv->in_height);
      gsize n = (gsize) (r1 - r0) * gw;

      /* col (rows × n) = Wᵀ (rows × in) · x[:, band] (in × n), scattered onto the output. */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                   rows, n, conv->in_channels,
                   1.0f, weight, rows, x + (gsize) r0 * gw, in_plane,
                   0.0f, col, n);
      dassie_col2im_rows (col, conv->out_channels, conv->out_height, conv->out_width, k, conv->stride,
                          conv->padding, gw, r0, r1, z);
    }
  if (derivative != NULL)
    dassie_activation_forward_derivative (activation, z, a, derivative, dassie_conv_out_size (conv));
  else if (a != NULL)
    dassie_activation_forward (activation, z, a, dassie_conv_out_size (conv));
}

void
dassie_conv_forward (const DassieConv *conv,
                     const float      *weight,
                     const float      *bias,
                     const float      *x,
                     float            *col,
                     float            *y)
{
  dassie_conv_forward_activation (conv, weight, bias, DASSIE_ACTIVATION_IDENTITY, x, col, y, NULL, NULL);
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
  guint rows = col_rows (conv);
  guint gw = grid_width (conv);
  guint band = band_rows (conv);
  gsize in_plane = (gsize) conv->in_height * conv->in_width;
  gsize out_plane = (gsize) conv->out_height * conv->out_width;

  if (dbias != NULL)
    add_row_sums (dy, conv->out_channels, out_plane, dbias);

  if (!conv->transposed)
    {
      if (dx != NULL)
        memset (dx, 0, dassie_conv_in_size (conv) * sizeof (float));
      for (guint r0 = 0; r0 < conv->out_height; r0 += band)
        {
          guint r1 = MIN (r0 + band, conv->out_height);
          gsize n = (gsize) (r1 - r0) * gw;
          const float *dy_band = dy + (gsize) r0 * gw;

          dassie_im2col_rows (x, conv->in_channels, conv->in_height, conv->in_width, k, conv->stride,
                              conv->padding, gw, r0, r1, col);
          /* dW (out × rows) += dy[:, band] · colᵀ */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                       conv->out_channels, rows, n,
                       1.0f, dy_band, out_plane, col, n,
                       1.0f, dweight, rows);
          if (dx == NULL)
            continue;
          /* dcol (rows × n) = Wᵀ · dy[:, band], folded back onto the input. */
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans,
                       rows, n, conv->out_channels,
                       1.0f, weight, rows, dy_band, out_plane,
                       0.0f, col, n);
          dassie_col2im_rows (col, conv->in_channels, conv->in_height, conv->in_width, k, conv->stride,
                              conv->padding, gw, r0, r1, dx);
        }
      return;
    }

  for (guint r0 = 0; r0 < conv->in_height; r0 += band)
    {
      guint r1 = MIN (r0 + band, conv->in_height);
      gsize n = (gsize) (r1 - r0) * gw;

      dassie_im2col_rows (dy, conv->out_channels, conv->out_height, conv->out_width, k, conv->stride,
                          conv->padding, gw, r0, r1, col);
      /* dW (in × rows) += x[:, band] · colᵀ */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans,
                   conv->in_channels, rows, n,
                   1.0f, x + (gsize) r0 * gw, in_plane, col, n,
                   1.0f, dweight, rows);
      if (dx != NULL)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans,
                     conv->in_channels, n, rows,
                     1.0f, weight, rows, col, n,
                     0.0f, dx + (gsize) r0 * gw, in_plane);
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
 * error below 1e-8 before rounding). Arguments are clamped to the normal range, NaN included (the
 * callers multiply by their argument, so a NaN still comes through). */
static inline float
vexpf (float a)
{
  const float round_magic = 12582912.0f;  /* 1.5 · 2^23: adding it rounds to an integer */
  float n, r, p, scale;
  guint32 bits;

  a = a > -87.0f ? a : -87.0f;
  a = a < 88.0f ? a : 88.0f;
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
  bits = (guint32) ((gint32) n + 127) << 23;
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

/* y = x Φ(x) and d = Φ(x) + x φ(x) in one pass, so that the backward pass is a multiplication. */
VECTOR_CLONES static void
gelu_forward_derivative (const float          *x,
                         float                *y,
                         float       *restrict d,
                         gsize                 n)
{
  const float inv_sqrt_2pi = 0.398942280401432678f;

  for (gsize i = 0; i < n; i++)
    {
      float v = x[i];
      float cdf = normal_cdf (v);
      float density = inv_sqrt_2pi * vexpf (-0.5f * v * v);

      y[i] = v * cdf;
      d[i] = cdf + v * density;
    }
}

VECTOR_CLONES static void
multiply (const float *a,
          const float *b,
          float       *out,
          gsize        n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = a[i] * b[i];
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

void
dassie_activation_forward_derivative (DassieActivation  activation,
                                      const float      *x,
                                      float            *y,
                                      float            *derivative,
                                      gsize             n)
{
  switch (activation)
    {
    case DASSIE_ACTIVATION_GELU:
      gelu_forward_derivative (x, y, derivative, n);
      break;
    case DASSIE_ACTIVATION_ARCSINH:
      for (gsize i = 0; i < n; i++)
        {
          float v = x[i];

          derivative[i] = 1.0f / sqrtf (v * v + 1.0f);
          y[i] = asinhf (v);
        }
      break;
    default:
      /* The others' derivatives follow from y alone. */
      dassie_activation_forward (activation, x, y, n);
      for (gsize i = 0; i < n; i++)
        derivative[i] = 1.0f;
      dassie_activation_backward (activation, x, y, derivative, derivative, n);
      break;
    }
}

void
dassie_activation_backward_derivative (const float *derivative,
                                       const float *dy,
                                       float       *dx,
                                       gsize        n)
{
  multiply (derivative, dy, dx, n);
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
