/* dassie-reconstruction.h: a few validation objects beside a trained autoencoder's reconstruction
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-dataset.h"
#include "dassie-display.h"

G_BEGIN_DECLS

typedef struct
{
  guint                 n;
  guint                 n_bands;
  guint                 width;
  guint                 height;
  char                **object_ids;       /* n, NULL-terminated */
  float                *inputs;           /* n × n_bands × height × width, raw, as the data set shows them */
  float                *reconstructions;  /* the same shape: the model's output taken back through the
                                           * data set's transform into the inputs' units */
  double               *errors;           /* n: mean squared error of each object, in the model's input units */
  DassieDisplayOptions *display;          /* n: how to show both pictures of an object, with the input's
                                           * own limits, so that a faint reconstruction looks faint */
} DassieReconstructions;

/* Runs the train run's final weights on the first @max_objects of its validation split (the training
 * split when there is none). @dataset is used when it is the run's data set (else the data set is
 * read from the run's configuration). */
DassieReconstructions *dassie_reconstruct                 (const char             *run_dir,
                                                           DassieDataset          *dataset,
                                                           guint                   max_objects,
                                                           GCancellable           *cancellable,
                                                           GError                **error);
/* The pixels of object @i's input or reconstruction, n_bands × height × width. */
const float           *dassie_reconstructions_get_input   (const DassieReconstructions *self,
                                                           guint                        i);
const float           *dassie_reconstructions_get_output  (const DassieReconstructions *self,
                                                           guint                        i);
void                   dassie_reconstructions_free        (DassieReconstructions  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieReconstructions, dassie_reconstructions_free)

G_END_DECLS
