/* dassie-autoencoder.c: HyraxAutoencoderV2, its parameters, forward and backward passes
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "dassie-autoencoder.h"
#include "dassie-parallel.h"
#include "dassie-safetensors.h"

/* Encoder: five convolutions with GELU, then Linear to the latent (layer 5). Decoder: Linear with GELU
 * (layer 6), three transposed and two plain convolutions, the final activation, a centre crop. */
#define N_LAYERS 12
#define ENCODER_LINEAR 5
#define DECODER_LINEAR 6
#define N_LINEAR 2

typedef struct
{
  char             name[16];     /* "encoder.0" */
  gboolean         is_conv;
  DassieConv       conv;
  guint            in_features;  /* linear */
  guint            out_features;
  gsize            in_size;
  gsize            out_size;
  gsize            weight_offset;
  gsize            bias_offset;
  DassieActivation activation;   /* applied to this layer's output */
} Layer;

/* A batch is cut into chunks of consecutive samples whose size depends on the batch size alone. The
 * threads take chunks as they come free (so a thread slowed by other work on the machine holds up no
 * one), and each chunk sums its gradient into its own accumulator; the accumulators are then added in
 * chunk order. The result is the same for any number of threads. */
#define MAX_TRAIN_CHUNK 8
#define FORWARD_CHUNK 4

/* What one thread keeps for the sample it is processing. */
typedef struct
{
  float  *a[N_LAYERS];       /* layer outputs after the activation */
  float  *d[N_LAYERS];       /* the activation's derivative there (NULL for the identity) */
  float  *col;               /* one band of an im2col matrix */
  float  *grad_in;           /* gradient ping-pong buffers */
  float  *grad_out;
  float  *recon;             /* one cropped reconstruction */
  float  *encoded;           /* the encoder's flattened outputs of a chunk (encode only) */
} Workspace;

/* The gradient sum of one chunk. */
typedef struct
{
  float  *grad;
  float  *lin_x[N_LINEAR];   /* the linear layers' inputs and output gradients of the chunk, so that */
  float  *lin_dy[N_LINEAR];  /* their weight gradients are one sgemm per chunk */
} Accumulator;

struct _DassieAutoencoder
{
  DassieAutoencoderConfig config;
  guint bottleneck_height;
  guint bottleneck_width;
  guint decoded_height;
  guint decoded_width;
  Layer layers[N_LAYERS];
  DassieParamTensor tensors[2 * N_LAYERS];
  char tensor_names[2 * N_LAYERS][24];
  gsize n_params;
  float *params;
  guint n_threads;
  Workspace *workspaces;
  guint n_workspaces;
  Accumulator *accumulators;
  guint n_accumulators;
};

G_DEFINE_QUARK (dassie-autoencoder-error-quark, dassie_autoencoder_error)

/* Every activation but GELU, which Hyrax does not offer for the last layer. */
static const char * const final_layer_names[] = { "tanh", "sigmoid", "arcsinh", "identity", NULL };

const char * const *
dassie_autoencoder_final_layer_names (void)
{
  return final_layer_names;
}

gboolean
dassie_autoencoder_config_from_config (DassieAutoencoderConfig  *config,
                                       const DassieConfig       *settings,
                                       GError                  **error)
{
  gint64 base = dassie_config_get_int (settings, "model.base_channel_size");
  gint64 latent = dassie_config_get_int (settings, "model.latent_dim");
  const char *final = dassie_config_get_string (settings, "model.final_layer");

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (settings != NULL, FALSE);

  if (base < 1 || base > 4096 || latent < 1 || latent > 65536)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("model.base_channel_size (%" PRId64 ") and model.latent_dim (%"
                     PRId64 ") must be positive."), base, latent);
      return FALSE;
    }
  if (final == NULL || !dassie_activation_from_string (final, &config->final_activation) ||
      config->final_activation == DASSIE_ACTIVATION_GELU)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown model.final_layer “%s”: use tanh, sigmoid, arcsinh or identity."),
                   final ? final : "");
      return FALSE;
    }
  config->base_channels = (guint) base;
  config->latent_dim = (guint) latent;
  return TRUE;
}

static void
add_tensor (DassieAutoencoder *self,
            guint              index,
            const char        *layer,
            const char        *kind,
            guint              ndim,
            const gint64      *shape,
            guint              fan_in)
{
  DassieParamTensor *t = &self->tensors[index];

  g_snprintf (self->tensor_names[index], sizeof self->tensor_names[index], "%s.%s", layer, kind);
  t->name = self->tensor_names[index];
  t->ndim = ndim;
  t->size = 1;
  for (guint i = 0; i < ndim; i++)
    {
      t->shape[i] = shape[i];
      t->size *= (gsize) shape[i];
    }
  t->offset = self->n_params;
  t->fan_in = fan_in;
  self->n_params += t->size;
}

static void
add_conv (DassieAutoencoder *self,
          guint              index,
          const char        *name,
          gboolean           transposed,
          guint              in_channels,
          guint              out_channels,
          guint              height,
          guint              width,
          guint              stride,
          DassieActivation   activation)
{
  Layer *l = &self->layers[index];
  gint64 wshape[4];
  gint64 bshape[1] = { out_channels };

  g_strlcpy (l->name, name, sizeof l->name);
  l->is_conv = TRUE;
  /* Stride-2 layers use padding 1 (and output_padding 1 when transposed), stride-1 layers padding 1. */
  dassie_conv_init (&l->conv, transposed, in_channels, out_channels, height, width, 3, stride, 1,
                    transposed ? 1 : 0);
  l->in_size = dassie_conv_in_size (&l->conv);
  l->out_size = dassie_conv_out_size (&l->conv);
  l->activation = activation;

  wshape[0] = transposed ? in_channels : out_channels;
  wshape[1] = transposed ? out_channels : in_channels;
  wshape[2] = wshape[3] = 3;
  add_tensor (self, 2 * index, name, "weight", 4, wshape, dassie_conv_fan_in (&l->conv));
  add_tensor (self, 2 * index + 1, name, "bias", 1, bshape, dassie_conv_fan_in (&l->conv));
  l->weight_offset = self->tensors[2 * index].offset;
  l->bias_offset = self->tensors[2 * index + 1].offset;
}

static void
add_linear (DassieAutoencoder *self,
            guint              index,
            const char        *name,
            guint              in_features,
            guint              out_features,
            DassieActivation   activation)
{
  Layer *l = &self->layers[index];
  gint64 wshape[2] = { out_features, in_features };
  gint64 bshape[1] = { out_features };

  g_strlcpy (l->name, name, sizeof l->name);
  l->is_conv = FALSE;
  l->in_features = in_features;
  l->out_features = out_features;
  l->in_size = in_features;
  l->out_size = out_features;
  l->activation = activation;
  add_tensor (self, 2 * index, name, "weight", 2, wshape, in_features);
  add_tensor (self, 2 * index + 1, name, "bias", 1, bshape, in_features);
  l->weight_offset = self->tensors[2 * index].offset;
  l->bias_offset = self->tensors[2 * index + 1].offset;
}

DassieAutoencoder *
dassie_autoencoder_new (const DassieAutoencoderConfig  *config,
                        GError                        **error)
{
  g_autoptr(DassieAutoencoder) self = NULL;
  const DassieActivation gelu = DASSIE_ACTIVATION_GELU;
  guint C, c, L, h[4], w[4];
  guint64 flat;

  g_return_val_if_fail (config != NULL, NULL);

  C = config->channels;
  c = config->base_channels;
  L = config->latent_dim;
  if (C == 0 || c == 0 || L == 0 || config->height == 0 || config->width == 0 ||
      config->height > 16384 || config->width > 16384 || C > 4096 || c > 4096 || L > 65536 ||
      config->final_activation == DASSIE_ACTIVATION_GELU ||
      config->final_activation > DASSIE_ACTIVATION_ARCSINH)
    {
      g_set_error (error, DASSIE_AUTOENCODER_ERROR, DASSIE_AUTOENCODER_ERROR_INVALID,
                   _("The model cannot be built for %u×%u×%u inputs with %u base channels and a "
                     "latent size of %u."), C, config->height, config->width, c, L);
      return NULL;
    }

  h[0] = config->height;
  w[0] = config->width;
  for (guint i = 1; i < 4; i++)
    {
      h[i] = (h[i - 1] + 1) / 2;
      w[i] = (w[i - 1] + 1) / 2;
    }
  flat = (guint64) 2 * c * h[3] * w[3];
  if (flat > G_MAXUINT32 / 4 || flat * L > G_MAXUINT32)
    {
      g_set_error (error, DASSIE_AUTOENCODER_ERROR, DASSIE_AUTOENCODER_ERROR_INVALID,
                   _("The model for %u×%u×%u inputs would be too large."), C, config->height, config->width);
      return NULL;
    }

  self = g_new0 (DassieAutoencoder, 1);
  self->config = *config;
  self->bottleneck_height = h[3];
  self->bottleneck_width = w[3];
  self->n_threads = 1;

  add_conv (self, 0, "encoder.0", FALSE, C, c, h[0], w[0], 2, gelu);
  add_conv (self, 1, "encoder.2", FALSE, c, c, h[1], w[1], 1, gelu);
  add_conv (self, 2, "encoder.4", FALSE, c, 2 * c, h[1], w[1], 2, gelu);
  add_conv (self, 3, "encoder.6", FALSE, 2 * c, 2 * c, h[2], w[2], 1, gelu);
  add_conv (self, 4, "encoder.8", FALSE, 2 * c, 2 * c, h[2], w[2], 2, gelu);
  add_linear (self, ENCODER_LINEAR, "encoder.11", (guint) flat, L, DASSIE_ACTIVATION_IDENTITY);
  add_linear (self, DECODER_LINEAR, "dec_linear.0", L, (guint) flat, gelu);
  add_conv (self, 7, "decoder.0", TRUE, 2 * c, 2 * c, h[3], w[3], 2, gelu);
  add_conv (self, 8, "decoder.2", FALSE, 2 * c, 2 * c, 2 * h[3], 2 * w[3], 1, gelu);
  add_conv (self, 9, "decoder.4", TRUE, 2 * c, c, 2 * h[3], 2 * w[3], 2, gelu);
  add_conv (self, 10, "decoder.6", FALSE, c, c, 4 * h[3], 4 * w[3], 1, gelu);
  add_conv (self, 11, "decoder.8", TRUE, c, C, 4 * h[3], 4 * w[3], 2, config->final_activation);
  self->decoded_height = 8 * h[3];
  self->decoded_width = 8 * w[3];
  g_assert (self->layers[11].conv.out_height == self->decoded_height);

  self->params = g_new0 (float, self->n_params);
  return g_steal_pointer (&self);
}

static void
workspace_clear (Workspace *ws)
{
  for (guint l = 0; l < N_LAYERS; l++)
    {
      g_free (ws->a[l]);
      g_free (ws->d[l]);
    }
  g_free (ws->col);
  g_free (ws->grad_in);
  g_free (ws->grad_out);
  g_free (ws->recon);
  g_free (ws->encoded);
  memset (ws, 0, sizeof *ws);
}

static void
free_workspaces (DassieAutoencoder *self)
{
  for (guint i = 0; i < self->n_workspaces; i++)
    workspace_clear (&self->workspaces[i]);
  g_clear_pointer (&self->workspaces, g_free);
  self->n_workspaces = 0;

  for (guint i = 0; i < self->n_accumulators; i++)
    {
      Accumulator *acc = &self->accumulators[i];

      g_free (acc->grad);
      for (guint k = 0; k < N_LINEAR; k++)
        {
          g_free (acc->lin_x[k]);
          g_free (acc->lin_dy[k]);
        }
    }
  g_clear_pointer (&self->accumulators, g_free);
  self->n_accumulators = 0;
}

void
dassie_autoencoder_free (DassieAutoencoder *self)
{
  if (self == NULL)
    return;
  free_workspaces (self);
  g_free (self->params);
  g_free (self);
}

const DassieAutoencoderConfig *
dassie_autoencoder_get_config (DassieAutoencoder *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->config;
}

void
dassie_autoencoder_get_bottleneck (DassieAutoencoder *self,
                                   guint             *height,
                                   guint             *width)
{
  g_return_if_fail (self != NULL);
  if (height != NULL)
    *height = self->bottleneck_height;
  if (width != NULL)
    *width = self->bottleneck_width;
}

gsize
dassie_autoencoder_get_n_params (DassieAutoencoder *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_params;
}

float *
dassie_autoencoder_get_params (DassieAutoencoder *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->params;
}

guint
dassie_autoencoder_get_n_tensors (DassieAutoencoder *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return 2 * N_LAYERS;
}

const DassieParamTensor *
dassie_autoencoder_get_tensor (DassieAutoencoder *self,
                               guint              index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < 2 * N_LAYERS, NULL);
  return &self->tensors[index];
}

void
dassie_autoencoder_init_params (DassieAutoencoder *self,
                                guint64            seed)
{
  guint32 seed_words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seed_words, 2);

  g_return_if_fail (self != NULL);

  /* kaiming_uniform_(a=√5) gives the bound gain·√(3/fan_in) with gain = √(2/(1+5)), which is
   * 1/√fan_in: the same bound as the bias. */
  for (guint t = 0; t < 2 * N_LAYERS; t++)
    {
      const DassieParamTensor *tensor = &self->tensors[t];
      double bound = 1.0 / sqrt ((double) tensor->fan_in);
      float *p = self->params + tensor->offset;

      for (gsize i = 0; i < tensor->size; i++)
        p[i] = (float) (bound * (2.0 * g_rand_double (rand) - 1.0));
    }
}

void
dassie_autoencoder_set_threads (DassieAutoencoder *self,
                                guint              n_threads)
{
  g_return_if_fail (self != NULL);
  self->n_threads = MAX (1, n_threads);
}

guint
dassie_autoencoder_get_threads (DassieAutoencoder *self)
{
  g_return_val_if_fail (self != NULL, 1);
  return self->n_threads;
}

static void
ensure_workspaces (DassieAutoencoder *self,
                   guint              n_workers,
                   guint              n_accumulators)
{
  const guint linear[N_LINEAR] = { ENCODER_LINEAR, DECODER_LINEAR };
  gsize max_size = 0;
  gsize max_col = 0;

  if (self->n_workspaces < n_workers)
    {
      self->workspaces = g_renew (Workspace, self->workspaces, n_workers);
      memset (self->workspaces + self->n_workspaces, 0, (n_workers - self->n_workspaces) * sizeof (Workspace));
      self->n_workspaces = n_workers;
    }
  if (self->n_accumulators < n_accumulators)
    {
      self->accumulators = g_renew (Accumulator, self->accumulators, n_accumulators);
      memset (self->accumulators + self->n_accumulators, 0,
              (n_accumulators - self->n_accumulators) * sizeof (Accumulator));
      self->n_accumulators = n_accumulators;
    }

  for (guint l = 0; l < N_LAYERS; l++)
    {
      max_size = MAX (max_size, MAX (self->layers[l].in_size, self->layers[l].out_size));
      if (self->layers[l].is_conv)
        max_col = MAX (max_col, dassie_conv_band_col_size (&self->layers[l].conv));
    }

  for (guint i = 0; i < n_workers; i++)
    {
      Workspace *ws = &self->workspaces[i];

      if (ws->a[0] != NULL)
        continue;
      for (guint l = 0; l < N_LAYERS; l++)
        {
          const Layer *layer = &self->layers[l];

          ws->a[l] = g_new (float, layer->out_size);
          if (layer->activation != DASSIE_ACTIVATION_IDENTITY)
            ws->d[l] = g_new (float, layer->out_size);
        }
      ws->col = g_new (float, max_col);
      ws->grad_in = g_new (float, max_size);
      ws->grad_out = g_new (float, max_size);
      ws->recon = g_new (float, (gsize) self->config.channels * self->config.height * self->config.width);
      ws->encoded = g_new (float, (gsize) FORWARD_CHUNK * self->layers[ENCODER_LINEAR].in_size);
    }

  for (guint i = 0; i < n_accumulators; i++)
    {
      Accumulator *acc = &self->accumulators[i];

      if (acc->grad != NULL)
        continue;
      acc->grad = g_new (float, self->n_params);
      for (guint k = 0; k < N_LINEAR; k++)
        {
          acc->lin_x[k] = g_new (float, (gsize) MAX_TRAIN_CHUNK * self->layers[linear[k]].in_size);
          acc->lin_dy[k] = g_new (float, (gsize) MAX_TRAIN_CHUNK * self->layers[linear[k]].out_size);
        }
    }
}

/* Every layer's output goes to a[l]; with @keep, d[l] receives the activation's derivative there for
 * the backward pass. */
static void
forward_layers (DassieAutoencoder *self,
                Workspace         *ws,
                const float       *x,
                guint              first,
                guint              n_layers,
                gboolean           keep)
{
  const float *in = x;

  for (guint l = first; l < n_layers; l++)
    {
      const Layer *layer = &self->layers[l];
      const float *weight = self->params + layer->weight_offset;
      const float *bias = self->params + layer->bias_offset;

      float *derivative = keep ? ws->d[l] : NULL;

      if (layer->is_conv)
        dassie_conv_forward_activation (&layer->conv, weight, bias, layer->activation, in, ws->col,
                                        ws->a[l], ws->a[l], derivative);
      else
        {
          dassie_linear_forward (layer->in_features, layer->out_features, weight, bias, in, 1, ws->a[l]);
          if (derivative != NULL)
            dassie_activation_forward_derivative (layer->activation, ws->a[l], ws->a[l], derivative,
                                                  layer->out_size);
          else
            dassie_activation_forward (layer->activation, ws->a[l], ws->a[l], layer->out_size);
        }
      in = ws->a[l];
    }
}

static void
forward_sample (DassieAutoencoder *self,
                Workspace         *ws,
                const float       *x,
                guint              n_layers,
                gboolean           keep)
{
  forward_layers (self, ws, x, 0, n_layers, keep);
}

/* Backward of one sample whose loss gradient with respect to the decoder's output is in grad_in.
 * The linear layers' weight gradients are left for one sgemm over the share (row @row). */
static void
backward_sample (DassieAutoencoder *self,
                 Workspace         *ws,
                 Accumulator       *acc,
                 const float       *x,
                 guint              row)
{
  float *g = ws->grad_in;
  float *gx = ws->grad_out;
  const Layer *last = &self->layers[N_LAYERS - 1];

  if (last->activation != DASSIE_ACTIVATION_IDENTITY)
    dassie_activation_backward_derivative (ws->d[N_LAYERS - 1], g, g, last->out_size);

  for (int l = N_LAYERS - 1; l >= 0; l--)
    {
      const Layer *layer = &self->layers[l];
      const float *weight = self->params + layer->weight_offset;
      const float *in = l == 0 ? x : ws->a[l - 1];
      float *dx = l == 0 ? NULL : gx;

      if (layer->is_conv)
        dassie_conv_backward (&layer->conv, weight, in, g, ws->col,
                              acc->grad + layer->weight_offset, acc->grad + layer->bias_offset, dx);
      else
        {
          guint k = l == ENCODER_LINEAR ? 0 : 1;

          memcpy (acc->lin_x[k] + (gsize) row * layer->in_size, in, layer->in_size * sizeof (float));
          memcpy (acc->lin_dy[k] + (gsize) row * layer->out_size, g, layer->out_size * sizeof (float));
          dassie_linear_backward (layer->in_features, layer->out_features, weight, in, g, 1,
                                  NULL, NULL, dx);
        }

      if (l > 0)
        {
          const Layer *prev = &self->layers[l - 1];
          float *swap;

          if (prev->activation != DASSIE_ACTIVATION_IDENTITY)
            dassie_activation_backward_derivative (ws->d[l - 1], dx, dx, prev->out_size);
          swap = g;
          g = gx;
          gx = swap;
        }
    }
}

typedef struct
{
  DassieAutoencoder *self;
  const float *x;
  guint n;
  guint n_layers;       /* N_LAYERS, or up to the latent */
  gboolean want_grad;
  float scale;          /* 1 / (n · C · H · W) */
  float *latent;
  const float *decode;  /* latents to decode (the decoder alone), or NULL */
  float *reconstruction;
  float *grad;          /* the sum, for the reduction pass */
  guint chunk;          /* samples per chunk */
  guint n_chunks;
  gint next_chunk;      /* the next chunk to take (atomic) */
  double *chunk_loss;
} Job;

static void
run_chunk (Job       *job,
           Workspace *ws,
           guint      c)
{
  DassieAutoencoder *self = job->self;
  const DassieAutoencoderConfig *cfg = &self->config;
  Accumulator *acc = job->want_grad ? &self->accumulators[c] : NULL;
  guint begin = c * job->chunk;
  guint end = MIN (begin + job->chunk, job->n);
  gsize sample = (gsize) cfg->channels * cfg->height * cfg->width;
  double loss = 0;

  if (acc != NULL)
    memset (acc->grad, 0, self->n_params * sizeof (float));

  if (job->decode != NULL)
    {
      for (guint i = begin; i < end; i++)
        {
          forward_layers (self, ws, job->decode + (gsize) i * cfg->latent_dim, DECODER_LINEAR, N_LAYERS, FALSE);
          dassie_center_crop (ws->a[N_LAYERS - 1], cfg->channels, self->decoded_height, self->decoded_width,
                              cfg->height, cfg->width, job->reconstruction + i * sample);
        }
      job->chunk_loss[c] = 0;
      return;
    }

  /* The encoder alone: its linear layer once for the chunk, so that its weights (2.4 MB at 3×96×96)
   * are read once per chunk rather than once per sample. */
  if (job->n_layers == ENCODER_LINEAR + 1)
    {
      const Layer *linear = &self->layers[ENCODER_LINEAR];

      for (guint i = begin; i < end; i++)
        {
          forward_sample (self, ws, job->x + i * sample, ENCODER_LINEAR, FALSE);
          memcpy (ws->encoded + (gsize) (i - begin) * linear->in_size, ws->a[ENCODER_LINEAR - 1],
                  linear->in_size * sizeof (float));
        }
      dassie_linear_forward (linear->in_features, linear->out_features, self->params + linear->weight_offset,
                             self->params + linear->bias_offset, ws->encoded, end - begin,
                             job->latent + (gsize) begin * cfg->latent_dim);
      job->chunk_loss[c] = 0;
      return;
    }

  for (guint i = begin; i < end; i++)
    {
      const float *x = job->x + i * sample;

      forward_sample (self, ws, x, job->n_layers, job->want_grad);
      if (job->latent != NULL)
        memcpy (job->latent + (gsize) i * cfg->latent_dim, ws->a[ENCODER_LINEAR],
                cfg->latent_dim * sizeof (float));
      if (job->n_layers < N_LAYERS)
        continue;

      dassie_center_crop (ws->a[N_LAYERS - 1], cfg->channels, self->decoded_height, self->decoded_width,
                          cfg->height, cfg->width, ws->recon);
      if (job->reconstruction != NULL)
        memcpy (job->reconstruction + i * sample, ws->recon, sample * sizeof (float));
      /* With a gradient wanted, recon becomes ∂loss/∂recon in place. */
      loss += dassie_squared_error (ws->recon, x, sample, job->scale, acc != NULL ? ws->recon : NULL);
      if (acc == NULL)
        continue;
      dassie_center_crop_backward (ws->recon, cfg->channels, self->decoded_height, self->decoded_width,
                                   cfg->height, cfg->width, ws->grad_in);
      backward_sample (self, ws, acc, x, i - begin);
    }
  job->chunk_loss[c] = loss;

  if (acc != NULL)
    {
      const guint linear[N_LINEAR] = { ENCODER_LINEAR, DECODER_LINEAR };

      for (guint k = 0; k < N_LINEAR; k++)
        {
          const Layer *layer = &self->layers[linear[k]];

          dassie_linear_backward (layer->in_features, layer->out_features, self->params + layer->weight_offset,
                                  acc->lin_x[k], acc->lin_dy[k], end - begin,
                                  acc->grad + layer->weight_offset, acc->grad + layer->bias_offset, NULL);
        }
    }
}

/* Worker @index takes chunks until none is left. */
static void
run_worker (guint    index,
            guint    index_end,
            gpointer data)
{
  Job *job = data;
  Workspace *ws = &job->self->workspaces[index];

  for (;;)
    {
      gint c = g_atomic_int_add (&job->next_chunk, 1);

      if (c >= (gint) job->n_chunks)
        break;
      run_chunk (job, ws, (guint) c);
    }
}

/* grad = Σ of the chunks' sums in chunk order, each worker adding up its own range of parameters. */
static void
reduce_worker (guint    index,
               guint    index_end,
               gpointer data)
{
  Job *job = data;
  DassieAutoencoder *self = job->self;
  guint n_workers = MIN (self->n_threads, job->n_chunks);
  gsize begin = (gsize) ((guint64) self->n_params * index / n_workers);
  gsize end = (gsize) ((guint64) self->n_params * (index + 1) / n_workers);

  memcpy (job->grad + begin, self->accumulators[0].grad + begin, (end - begin) * sizeof (float));
  for (guint c = 1; c < job->n_chunks; c++)
    {
      const float *src = self->accumulators[c].grad;

      for (gsize i = begin; i < end; i++)
        job->grad[i] += src[i];
    }
}

static double
run (DassieAutoencoder *self,
     Job               *job)
{
  const DassieAutoencoderConfig *cfg = &self->config;
  g_autofree double *chunk_loss = NULL;
  guint n_workers;
  double total = 0;

  /* Up to four chunks for batches up to 32, chunks of eight samples above. */
  job->chunk = job->want_grad ? CLAMP ((job->n + 3) / 4, 1, MAX_TRAIN_CHUNK) : FORWARD_CHUNK;
  job->n_chunks = (job->n + job->chunk - 1) / job->chunk;
  job->next_chunk = 0;
  job->self = self;
  job->scale = (float) (1.0 / ((double) job->n * cfg->channels * cfg->height * cfg->width));
  chunk_loss = g_new0 (double, job->n_chunks);
  job->chunk_loss = chunk_loss;
  n_workers = MAX (1, MIN (self->n_threads, job->n_chunks));
  ensure_workspaces (self, n_workers, job->want_grad ? job->n_chunks : 0);

  /* OpenBLAS stays on one thread even when we run on one: its threads split a product by the size of
   * each share, and on some processors (Haswell and SkylakeX kernels) the edge of a share is computed
   * by another micro-kernel that sums in another order, so its thread count would change the bits. */
  dassie_blas_single_begin ();
  /* One range per worker, so that each index owns one workspace. */
  dassie_parallel_for (n_workers, n_workers, run_worker, job);
  if (job->want_grad)
    dassie_parallel_for (n_workers, n_workers, reduce_worker, job);
  dassie_blas_single_end ();

  for (guint c = 0; c < job->n_chunks; c++)
    total += chunk_loss[c];
  return total / ((double) job->n * cfg->channels * cfg->height * cfg->width);
}

double
dassie_autoencoder_forward (DassieAutoencoder *self,
                            const float       *x,
                            guint              n,
                            float             *latent,
                            float             *reconstruction)
{
  Job job = { 0 };

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (x != NULL || n == 0, NAN);

  if (n == 0)
    return 0;
  job.x = x;
  job.n = n;
  job.n_layers = N_LAYERS;
  job.latent = latent;
  job.reconstruction = reconstruction;
  return run (self, &job);
}

void
dassie_autoencoder_encode (DassieAutoencoder *self,
                           const float       *x,
                           guint              n,
                           float             *latent)
{
  Job job = { 0 };

  g_return_if_fail (self != NULL);
  g_return_if_fail (latent != NULL);

  if (n == 0)
    return;
  job.x = x;
  job.n = n;
  job.n_layers = ENCODER_LINEAR + 1;
  job.latent = latent;
  run (self, &job);
}

void
dassie_autoencoder_decode (DassieAutoencoder *self,
                           const float       *latent,
                           guint              n,
                           float             *reconstruction)
{
  Job job = { 0 };

  g_return_if_fail (self != NULL);
  g_return_if_fail ((latent != NULL && reconstruction != NULL) || n == 0);

  if (n == 0)
    return;
  job.decode = latent;
  job.n = n;
  job.n_layers = N_LAYERS;
  job.reconstruction = reconstruction;
  run (self, &job);
}

double
dassie_autoencoder_loss_and_grad (DassieAutoencoder *self,
                                  const float       *x,
                                  guint              n,
                                  float             *grad)
{
  Job job = { 0 };

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (x != NULL && grad != NULL, NAN);

  if (n == 0)
    {
      memset (grad, 0, self->n_params * sizeof (float));
      return 0;
    }
  job.x = x;
  job.n = n;
  job.n_layers = N_LAYERS;
  job.want_grad = TRUE;
  job.grad = grad;
  return run (self, &job);
}

gboolean
dassie_autoencoder_save_weights (DassieAutoencoder  *self,
                                 const char         *path,
                                 GHashTable         *metadata,
                                 GError            **error)
{
  g_autoptr(DassieSafetensorsWriter) writer = dassie_safetensors_writer_new ();
  g_autofree char *base = NULL;
  g_autofree char *latent = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  for (guint t = 0; t < 2 * N_LAYERS; t++)
    dassie_safetensors_writer_add (writer, self->tensors[t].name, self->tensors[t].ndim,
                                   self->tensors[t].shape, self->params + self->tensors[t].offset);

  base = g_strdup_printf ("%u", self->config.base_channels);
  latent = g_strdup_printf ("%u", self->config.latent_dim);
  dassie_safetensors_writer_set_metadata (writer, "format", "pt");
  dassie_safetensors_writer_set_metadata (writer, "dassie.model", "HyraxAutoencoderV2");
  dassie_safetensors_writer_set_metadata (writer, "dassie.base_channel_size", base);
  dassie_safetensors_writer_set_metadata (writer, "dassie.latent_dim", latent);
  dassie_safetensors_writer_set_metadata (writer, "dassie.final_layer",
                                          dassie_activation_to_string (self->config.final_activation));
  if (metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        dassie_safetensors_writer_set_metadata (writer, key, value);
    }

  return dassie_safetensors_writer_write (writer, path, error);
}

gboolean
dassie_autoencoder_load_weights (DassieAutoencoder  *self,
                                 const char         *path,
                                 GError            **error)
{
  g_autoptr(DassieSafetensors) file = NULL;
  g_autofree float *staged = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  file = dassie_safetensors_open (path, error);
  if (file == NULL)
    return FALSE;

  /* All or nothing: a file that fails half-way leaves the model as it was. */
  staged = g_new (float, self->n_params);
  for (guint t = 0; t < 2 * N_LAYERS; t++)
    {
      const DassieParamTensor *tensor = &self->tensors[t];

      if (!dassie_safetensors_read (file, tensor->name, tensor->ndim, tensor->shape,
                                    staged + tensor->offset, error))
        return FALSE;
    }
  memcpy (self->params, staged, self->n_params * sizeof (float));
  return TRUE;
}

gboolean
dassie_autoencoder_config_from_weights (DassieAutoencoderConfig  *config,
                                        const char               *path,
                                        GError                  **error)
{
  g_autoptr(DassieSafetensors) file = NULL;
  const gint64 *first = NULL;
  const gint64 *latent = NULL;
  guint first_ndim = 0;
  guint latent_ndim = 0;
  const char *final;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  file = dassie_safetensors_open (path, error);
  if (file == NULL)
    return FALSE;

  if (!dassie_safetensors_get_shape (file, "encoder.0.weight", &first_ndim, &first) ||
      !dassie_safetensors_get_shape (file, "encoder.11.weight", &latent_ndim, &latent) ||
      first_ndim != 4 || latent_ndim != 2 || first[0] < 1 || first[1] < 1 || latent[0] < 1 ||
      first[0] > 4096 || first[1] > 4096 || latent[0] > 65536)
    {
      g_set_error (error, DASSIE_AUTOENCODER_ERROR, DASSIE_AUTOENCODER_ERROR_MISMATCH,
                   _("“%s” does not hold HyraxAutoencoderV2 weights (encoder.0.weight and "
                     "encoder.11.weight are missing or have the wrong rank)."), path);
      return FALSE;
    }

  config->base_channels = (guint) first[0];
  config->channels = (guint) first[1];
  config->latent_dim = (guint) latent[0];
  final = dassie_safetensors_get_metadata (file, "dassie.final_layer");
  if (final != NULL && !dassie_activation_from_string (final, &config->final_activation))
    {
      g_set_error (error, DASSIE_AUTOENCODER_ERROR, DASSIE_AUTOENCODER_ERROR_MISMATCH,
                   _("“%s” names an unknown final layer “%s”."), path, final);
      return FALSE;
    }
  return TRUE;
}
