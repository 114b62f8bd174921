/* dassie-train.h: the train verb: HyraxAutoencoderV2 on a data set, with checkpoints and resume
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"
#include "dassie-progress.h"

G_BEGIN_DECLS

#define DASSIE_TRAIN_ERROR (dassie_train_error_quark ())

typedef enum
{
  DASSIE_TRAIN_ERROR_NOT_FINITE,   /* the loss became NaN or infinite */
  DASSIE_TRAIN_ERROR_DATA,         /* the data sets do not fit together or are empty */
  DASSIE_TRAIN_ERROR_CHECKPOINT,   /* a checkpoint to resume from does not fit */
} DassieTrainError;

/* A training report: sent after every batch and at the end of every epoch (epoch_done, with the
 * validation loss); dassie_train's DassieProgressFunc casts its DassieProgress to this. While the
 * data set loads, only base (stage "load") is filled in. */
typedef struct
{
  DassieProgress base;              /* stage "train" (or "load"), fraction, rate (samples per second),
                                     * eta, message */
  guint          epoch;             /* 1-based */
  guint          n_epochs;
  guint          batch;             /* 1-based, the batch just done */
  guint          n_batches;
  double         batch_loss;
  double         train_loss;        /* mean batch loss of the epoch so far */
  double         validation_loss;   /* when epoch_done (NAN without a validation set) */
  double         baseline_loss;     /* of predicting the mean training image (NAN without validation) */
  gboolean       epoch_done;
} DassieTrainProgress;

typedef struct
{
  char    *run_dir;                 /* the final folder; the ".incomplete" one when stopped early */
  gboolean complete;
  guint    epochs_done;
  guint    n_train;
  guint    n_validate;
  guint    n_skipped;               /* files of the training data set that were skipped (unreadable, ...) */
  guint    n_validate_skipped;      /* the same for a validation data set of its own, else 0 */
  double   train_loss;              /* of the last finished epoch */
  double   validation_loss;
  double   best_validation_loss;
  guint    best_epoch;
  double   baseline_loss;           /* the validation loss of the mean training image (NAN without) */
  gboolean stopped_early;           /* by train.early_stopping.patience */
  guint    weights_epoch;           /* the epoch whose weights train.weights_filename holds */
  double   weights_validation_loss; /* and their validation loss */
  double   seconds;                 /* everything, data loading included */
  double   samples_per_second;      /* training samples per second of the epochs (with validation) */
} DassieTrainResult;

GQuark    dassie_train_error_quark  (void);

/* Trains as @config says (data_request.train / validate, model.*, optimizer.*, train.*,
 * data_loader.*, general.*) and writes a train run: config.json, split.json, metrics.jsonl,
 * checkpoint.safetensors (after every epoch), weights-best.safetensors (the epoch with the lowest
 * validation loss) and train.weights_filename (the final weights; with train.early_stopping.patience
 * > 0 those of the best epoch, and training stops after that many epochs without a better validation
 * loss). Every line of metrics.jsonl holds baseline_loss, the validation loss of predicting the mean
 * training image, which a model that has learnt something beats.
 *
 * train.resume names a checkpoint file or a run folder; an unfinished (".incomplete") folder is
 * continued in place. When @cancellable fires (checked between batches) the state is saved to
 * checkpoint.safetensors and the folder stays ".incomplete"; the call fails with
 * G_IO_ERROR_CANCELLED and @result->run_dir names the folder to resume from. A NaN loss stops
 * training with DASSIE_TRAIN_ERROR_NOT_FINITE and keeps the last good checkpoint.
 * The same seed gives the same weights, whatever general.threads is. */
gboolean  dassie_train              (const DassieConfig      *config,
                                     GCancellable            *cancellable,
                                     DassieProgressFunc       progress,
                                     gpointer                 user_data,
                                     DassieTrainResult       *result,
                                     GError                 **error);
void      dassie_train_result_clear (DassieTrainResult       *result);

/* The indices that a train run's split.json gives @part ("train" or "validate"): a GArray of guint,
 * empty when the file has no such part, into the data set that @data_location (when not NULL) is
 * set to, or NULL when the file does not name it. */
GArray   *dassie_train_read_split   (const char              *run_dir,
                                     const char              *part,
                                     char                   **data_location,
                                     GError                 **error);

G_END_DECLS
