/* dassie-reconstruction.h: a few validation objects beside a trained autoencoder's reconstruction
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-dataset.h"

G_BEGIN_DECLS

typedef struct
{
  guint       n;
  char      **object_ids;       /* n */
  GdkTexture **inputs;          /* n, as the data set shows them */
  GdkTexture **reconstructions; /* n, drawn with the input's own display limits */
  double     *errors;           /* n: mean squared error of each object, in the model's input units */
} DassieReconstructions;

/* Runs the train run's final weights on the first @max_objects of its validation split (the training
 * split when there is none) and draws them. @dataset is used when it is the run's data set (else the
 * data set is read from the run's configuration). Safe on a worker thread: touches no widget. */
DassieReconstructions *dassie_reconstruct                 (const char             *run_dir,
                                                           DassieDataset          *dataset,
                                                           guint                   max_objects,
                                                           GCancellable           *cancellable,
                                                           GError                **error);
void                   dassie_reconstructions_free        (DassieReconstructions  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieReconstructions, dassie_reconstructions_free)

G_END_DECLS
