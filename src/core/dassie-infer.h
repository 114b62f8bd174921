/* dassie-infer.h: the infer verb: a latent vector for every object of a data set
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"
#include "dassie-progress.h"

G_BEGIN_DECLS

#define DASSIE_INFER_ERROR (dassie_infer_error_quark ())

typedef enum
{
  DASSIE_INFER_ERROR_NO_WEIGHTS,
  DASSIE_INFER_ERROR_MISMATCH,
} DassieInferError;

typedef struct
{
  char   *run_dir;            /* the infer run folder */
  char   *weights_path;       /* the weights that were used (the original file) */
  guint   n_objects;
  guint   n_skipped;          /* files of the data set that were skipped (unreadable, ...) */
  guint   latent_dim;
  double  seconds;
  double  samples_per_second;
} DassieInferResult;

GQuark    dassie_infer_error_quark  (void);

/* The weights file to use: @weights (a file, or a train run folder), else infer.model_weights_file,
 * else the newest complete train run under general.results_dir. */
char     *dassie_infer_find_weights (const DassieConfig  *config,
                                     const char          *weights,
                                     GError             **error);

/* Encodes every object of data_request.infer (in data set order, infer.batch_size at a time) and
 * writes an infer run: config.json, weights.safetensors (a copy of the weights used) and
 * latents.fits (OBJECT_ID exact, LATENT as <latent_dim>E). Progress has the stage "infer"; a
 * cancelled run leaves nothing behind. */
gboolean  dassie_infer              (const DassieConfig  *config,
                                     const char          *weights,
                                     GCancellable        *cancellable,
                                     DassieProgressFunc   progress,
                                     gpointer             user_data,
                                     DassieInferResult   *result,
                                     GError             **error);
void      dassie_infer_result_clear (DassieInferResult   *result);

G_END_DECLS
