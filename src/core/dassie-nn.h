/* dassie-nn.h: the layers of the autoencoder on OpenBLAS, forward and backward, one sample at a time
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every tensor is float32, row-major, PyTorch's layout: one sample is channels × height × width. */

typedef enum
{
  DASSIE_ACTIVATION_IDENTITY,
  DASSIE_ACTIVATION_GELU,      /* the exact erf form: x Φ(x) */
  DASSIE_ACTIVATION_TANH,
  DASSIE_ACTIVATION_SIGMOID,
  DASSIE_ACTIVATION_ARCSINH,
} DassieActivation;

/* A convolution (or transposed convolution) with a square kernel, for one sample. A Conv2d weight is
 * (out_channels, in_channels, k, k); a ConvTranspose2d weight is (in_channels, out_channels, k, k). */
typedef struct
{
  gboolean transposed;
  guint    in_channels;
  guint    out_channels;
  guint    in_height;
  guint    in_width;
  guint    out_height;
  guint    out_width;
  guint    kernel;
  guint    stride;
  guint    padding;
  guint    output_padding;
} DassieConv;

/* Fills in the output size as PyTorch computes it. */
void         dassie_conv_init                  (DassieConv        *conv,
                                                gboolean           transposed,
                                                guint              in_channels,
                                                guint              out_channels,
                                                guint              in_height,
                                                guint              in_width,
                                                guint              kernel,
                                                guint              stride,
                                                guint              padding,
                                                guint              output_padding);
gsize        dassie_conv_weight_size           (const DassieConv  *conv);
/* The im2col matrix: (channels·k·k) × (positions of the strided grid). For a transposed convolution
 * the grid is the input and the image is the output. */
gsize        dassie_conv_col_size              (const DassieConv  *conv);
gsize        dassie_conv_in_size               (const DassieConv  *conv);
gsize        dassie_conv_out_size              (const DassieConv  *conv);
/* PyTorch's fan_in of the weight: weight.size(1) × k × k. */
guint        dassie_conv_fan_in                (const DassieConv  *conv);

/* col[(c·k + i)·k + j][y·grid_w + x] = image[c][y·stride − padding + i][x·stride − padding + j], 0 outside. */
void         dassie_im2col                     (const float       *image,
                                                guint              channels,
                                                guint              height,
                                                guint              width,
                                                guint              kernel,
                                                guint              stride,
                                                guint              padding,
                                                guint              grid_height,
                                                guint              grid_width,
                                                float             *col);
/* The same for the grid rows [row_begin, row_end) only (a band of the grid). */
void         dassie_im2col_rows                (const float       *image,
                                                guint              channels,
                                                guint              height,
                                                guint              width,
                                                guint              kernel,
                                                guint              stride,
                                                guint              padding,
                                                guint              grid_width,
                                                guint              row_begin,
                                                guint              row_end,
                                                float             *col);
/* The adjoints: add every column entry into @image (which is not cleared); _rows for a band. */
void         dassie_col2im_rows                (const float       *col,
                                                guint              channels,
                                                guint              height,
                                                guint              width,
                                                guint              kernel,
                                                guint              stride,
                                                guint              padding,
                                                guint              grid_width,
                                                guint              row_begin,
                                                guint              row_end,
                                                float             *image);
void         dassie_col2im                     (const float       *col,
                                                guint              channels,
                                                guint              height,
                                                guint              width,
                                                guint              kernel,
                                                guint              stride,
                                                guint              padding,
                                                guint              grid_height,
                                                guint              grid_width,
                                                float             *image);

/* The workspace that the convolution functions need for @col: one band of the im2col matrix. */
gsize        dassie_conv_band_col_size         (const DassieConv  *conv);
/* Forward of one sample: y = conv(x) + b. */
void         dassie_conv_forward               (const DassieConv  *conv,
                                                const float       *weight,
                                                const float       *bias,
                                                const float       *x,
                                                float             *col,
                                                float             *y);
/* The same, also writing a = activation(z) when @a is not NULL (@a may be @z), and the activation's
 * derivative at z when @derivative is not NULL, band by band while the values are in the cache. */
void         dassie_conv_forward_activation    (const DassieConv  *conv,
                                                const float       *weight,
                                                const float       *bias,
                                                DassieActivation   activation,
                                                const float       *x,
                                                float             *col,
                                                float             *z,
                                                float             *a,
                                                float             *derivative);
/* Backward of one sample: adds into @dweight and @dbias (when not NULL); writes @dx unless it is
 * NULL. @x is the forward input. */
void         dassie_conv_backward              (const DassieConv  *conv,
                                                const float       *weight,
                                                const float       *x,
                                                const float       *dy,
                                                float             *col,
                                                float             *dweight,
                                                float             *dbias,
                                                float             *dx);

/* y (n × out) = x (n × in) · Wᵀ + b, with W (out × in). */
void         dassie_linear_forward             (guint              in_features,
                                                guint              out_features,
                                                const float       *weight,
                                                const float       *bias,
                                                const float       *x,
                                                guint              n,
                                                float             *y);
/* Adds dyᵀ·x into @dweight and the column sums of dy into @dbias (when not NULL); writes dx = dy·W
 * when @dx is not NULL. */
void         dassie_linear_backward            (guint              in_features,
                                                guint              out_features,
                                                const float       *weight,
                                                const float       *x,
                                                const float       *dy,
                                                guint              n,
                                                float             *dweight,
                                                float             *dbias,
                                                float             *dx);

void         dassie_activation_forward         (DassieActivation   activation,
                                                const float       *x,
                                                float             *y,
                                                gsize              n);
/* dx = dy · f′(x); @y = f(x) is used where it is cheaper (tanh, sigmoid). @dx may be @dy. */
void         dassie_activation_backward        (DassieActivation   activation,
                                                const float       *x,
                                                const float       *y,
                                                const float       *dy,
                                                float             *dx,
                                                gsize              n);
/* y = f(x) (@y may be @x) and f′(x) into @derivative (which must not overlap them), so that the
 * backward pass is dx = dy · f′(x): dassie_activation_backward_derivative (@dx may be @dy). */
void         dassie_activation_forward_derivative (DassieActivation   activation,
                                                   const float       *x,
                                                   float             *y,
                                                   float             *derivative,
                                                   gsize              n);
void         dassie_activation_backward_derivative (const float      *derivative,
                                                    const float      *dy,
                                                    float            *dx,
                                                    gsize             n);
gboolean     dassie_activation_from_string     (const char        *name,
                                                DassieActivation  *activation);
const char  *dassie_activation_to_string       (DassieActivation   activation);

/* torchvision's CenterCrop: the top row is round((height − out_height) / 2), halves to even. */
guint        dassie_center_crop_offset         (guint              size,
                                                guint              out_size);
void         dassie_center_crop                (const float       *x,
                                                guint              channels,
                                                guint              height,
                                                guint              width,
                                                guint              out_height,
                                                guint              out_width,
                                                float             *y);
/* Writes dx (channels × height × width): dy inside the crop, 0 outside. */
void         dassie_center_crop_backward       (const float       *dy,
                                                guint              channels,
                                                guint              height,
                                                guint              width,
                                                guint              out_height,
                                                guint              out_width,
                                                float             *dx);

/* Σ (y − target)², in double. When @dy is not NULL it receives scale · 2 (y − target); the mean
 * squared error of a batch of N elements uses scale = 1/N. */
double       dassie_squared_error              (const float       *y,
                                                const float       *target,
                                                gsize              n,
                                                float              scale,
                                                float             *dy);

G_END_DECLS
