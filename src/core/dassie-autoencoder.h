/* dassie-autoencoder.h: HyraxAutoencoderV2, its parameters, forward and backward passes
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "dassie-config.h"
#include "dassie-nn.h"

G_BEGIN_DECLS

#define DASSIE_AUTOENCODER_ERROR (dassie_autoencoder_error_quark ())

typedef enum
{
  DASSIE_AUTOENCODER_ERROR_INVALID,
  DASSIE_AUTOENCODER_ERROR_MISMATCH,
} DassieAutoencoderError;

typedef struct
{
  guint            channels;          /* C */
  guint            height;            /* H */
  guint            width;             /* W */
  guint            base_channels;     /* c, model.base_channel_size */
  guint            latent_dim;        /* L, model.latent_dim */
  DassieActivation final_activation;  /* model.final_layer */
} DassieAutoencoderConfig;

/* One named parameter tensor, a slice of the flat parameter array, in state_dict order. */
typedef struct
{
  const char *name;      /* "encoder.0.weight" */
  guint       ndim;
  gint64      shape[4];
  gsize       offset;    /* into the flat array */
  gsize       size;
  guint       fan_in;    /* PyTorch's fan_in of the layer's weight, for the default initialisation */
} DassieParamTensor;

typedef struct _DassieAutoencoder DassieAutoencoder;

GQuark             dassie_autoencoder_error_quark       (void);

/* The values model.final_layer takes, NULL-terminated, in the order the Train page offers them. */
const char * const *dassie_autoencoder_final_layer_names (void);

/* model.base_channel_size, model.latent_dim, model.final_layer; the image shape is left as it is. */
gboolean           dassie_autoencoder_config_from_config (DassieAutoencoderConfig       *config,
                                                          const DassieConfig            *settings,
                                                          GError                       **error);

DassieAutoencoder *dassie_autoencoder_new               (const DassieAutoencoderConfig  *config,
                                                         GError                        **error);
void               dassie_autoencoder_free              (DassieAutoencoder              *self);
const DassieAutoencoderConfig *
                   dassie_autoencoder_get_config        (DassieAutoencoder              *self);
/* The encoder's output grid (h, w): each stride-2 convolution maps n to ceil(n/2). */
void               dassie_autoencoder_get_bottleneck    (DassieAutoencoder              *self,
                                                         guint                          *height,
                                                         guint                          *width);

gsize              dassie_autoencoder_get_n_params      (DassieAutoencoder              *self);
/* The flat parameter array (n_params floats) that the tensors are slices of. */
float             *dassie_autoencoder_get_params        (DassieAutoencoder              *self);
guint              dassie_autoencoder_get_n_tensors     (DassieAutoencoder              *self);
const DassieParamTensor *
                   dassie_autoencoder_get_tensor        (DassieAutoencoder              *self,
                                                         guint                           index);

/* PyTorch's default initialisation (kaiming_uniform with a = √5 for weights, U(±1/√fan_in) for
 * biases) from a deterministic generator seeded with @seed. */
void               dassie_autoencoder_init_params       (DassieAutoencoder              *self,
                                                         guint64                         seed);

/* Worker threads for a batch. The batch is cut into chunks by its size alone and the chunks' sums are
 * added in a fixed order, so results are the same bits for any number of threads. */
void               dassie_autoencoder_set_threads       (DassieAutoencoder              *self,
                                                         guint                           n_threads);
guint              dassie_autoencoder_get_threads       (DassieAutoencoder              *self);

/* x: n × C × H × W. Writes the latents (n × L) and/or the reconstructions (n × C × H × W) where not
 * NULL, and returns the mean squared error of the reconstruction. */
double             dassie_autoencoder_forward           (DassieAutoencoder              *self,
                                                         const float                    *x,
                                                         guint                           n,
                                                         float                          *latent,
                                                         float                          *reconstruction);
/* The encoder alone: latents (n × L). */
void               dassie_autoencoder_encode            (DassieAutoencoder              *self,
                                                         const float                    *x,
                                                         guint                           n,
                                                         float                          *latent);
/* The decoder alone: reconstructions (n × C × H × W, cropped to the input's size) of latents (n × L). */
void               dassie_autoencoder_decode            (DassieAutoencoder              *self,
                                                         const float                    *latent,
                                                         guint                           n,
                                                         float                          *reconstruction);
/* Forward and backward of the mean squared error over the batch: writes the gradient (n_params
 * floats, same layout as the parameters) and returns the loss. */
double             dassie_autoencoder_loss_and_grad     (DassieAutoencoder              *self,
                                                         const float                    *x,
                                                         guint                           n,
                                                         float                          *grad);

/* Weights as safetensors with PyTorch's state_dict names; @metadata (string pairs) may be NULL. */
gboolean           dassie_autoencoder_save_weights      (DassieAutoencoder              *self,
                                                         const char                     *path,
                                                         GHashTable                     *metadata,
                                                         GError                        **error);
gboolean           dassie_autoencoder_load_weights      (DassieAutoencoder              *self,
                                                         const char                     *path,
                                                         GError                        **error);
/* Reads the model's sizes that a weights file determines (channels, base channels, latent size,
 * and the final activation when the file records it) into @config. */
gboolean           dassie_autoencoder_config_from_weights (DassieAutoencoderConfig      *config,
                                                           const char                   *path,
                                                           GError                      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieAutoencoder, dassie_autoencoder_free)

G_END_DECLS
