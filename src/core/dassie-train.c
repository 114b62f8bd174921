/* dassie-train.c: the train verb: HyraxAutoencoderV2 on a data set, with checkpoints and resume
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "dassie-autoencoder.h"
#include "dassie-dataset.h"
#include "dassie-fileutil.h"
#include "dassie-nn.h"
#include "dassie-optim.h"
#include "dassie-parallel.h"
#include "dassie-results.h"
#include "dassie-safetensors.h"
#include "dassie-train.h"
#include "dassie-train-recipe.h"

#define CHECKPOINT_FILE "checkpoint.safetensors"
#define BEST_WEIGHTS_FILE "weights-best.safetensors"
#define VALIDATION_CHUNK 256

typedef struct
{
  const DassieConfig      *config;
  GCancellable            *cancellable;
  DassieProgressFunc       progress;     /* gets a DassieTrainProgress */
  gpointer                 user_data;

  DassieDataset           *train_set;
  DassieDataset           *validate_set;
  GArray                  *train_indices;      /* into train_set */
  GArray                  *validate_indices;   /* into validate_set */
  float                   *train_data;         /* n_train × sample, transformed */
  float                   *validate_data;
  gsize                    sample;
  guint                    n_train;
  guint                    n_validate;

  DassieAutoencoder       *model;
  DassieOptimizer         *optimizer;
  float                   *grad;
  float                   *batch;

  guint                    n_epochs;
  guint                    batch_size;
  gboolean                 shuffle;
  guint64                  seed;
  guint                    threads;
  char                    *weights_filename;
  DassieLrSchedule         schedule;
  gboolean                 augment;
  guint                    patience;           /* train.early_stopping.patience, 0: off */
  double                   baseline_loss;      /* of the mean training image on the validation set */
  gboolean                 stopped_early;

  /* Where training stands: epoch (0-based) in progress and the next sample of its order. */
  guint                    epoch;
  guint                    next_sample;
  double                   epoch_loss_sum;
  guint                    epoch_batches;
  double                   epoch_seconds;
  double                   best_validation_loss;
  guint                    best_epoch;
  double                   last_train_loss;
  double                   last_validation_loss;
  gboolean                 have_checkpoint;

  DassieRun               *run;
} Trainer;

G_DEFINE_QUARK (dassie-train-error-quark, dassie_train_error)

void
dassie_train_result_clear (DassieTrainResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->run_dir, g_free);
  memset (result, 0, sizeof *result);
}

static void
trainer_clear (Trainer *t)
{
  g_clear_pointer (&t->train_set, dassie_dataset_unref);
  g_clear_pointer (&t->validate_set, dassie_dataset_unref);
  g_clear_pointer (&t->train_indices, g_array_unref);
  g_clear_pointer (&t->validate_indices, g_array_unref);
  g_clear_pointer (&t->train_data, g_free);
  g_clear_pointer (&t->validate_data, g_free);
  g_clear_pointer (&t->model, dassie_autoencoder_free);
  g_clear_pointer (&t->optimizer, dassie_optimizer_free);
  g_clear_pointer (&t->grad, g_free);
  g_clear_pointer (&t->batch, g_free);
  g_clear_pointer (&t->weights_filename, g_free);
  g_clear_pointer (&t->run, dassie_run_free);
}

static void
report_load (const DassieProgress *progress,
             gpointer              user_data)
{
  Trainer *t = user_data;
  DassieTrainProgress p = { 0 };

  p.base = *progress;
  p.batch_loss = p.train_loss = p.validation_loss = p.baseline_loss = NAN;
  t->progress (&p.base, t->user_data);
}

static DassieDataset *
open_dataset (Trainer     *t,
              const char  *dir,
              GError     **error)
{
  DassieDatasetOptions options;
  DassieDataset *set;

  dassie_dataset_options_init (&options);
  if (!dassie_dataset_options_from_config (&options, t->config, error))
    {
      dassie_dataset_options_clear (&options);
      return NULL;
    }
  options.n_threads = t->threads;
  set = dassie_dataset_open_with_progress (dir, &options, t->cancellable,
                                           t->progress != NULL ? report_load : NULL, t, error);
  dassie_dataset_options_clear (&options);
  return set;
}

static double
fraction_or (double fraction,
             double fallback)
{
  return fraction >= 0 ? fraction : fallback;
}

/* The train and validation sets from data_request.train and data_request.validate: one data set split
 * in two when both name the same folder, else each its own data set (its split_fraction of it). */
static gboolean
load_data (Trainer  *t,
           GError  **error)
{
  g_autoptr(GPtrArray) train_requests = dassie_config_get_data_requests (t->config, "train");
  g_autoptr(GPtrArray) validate_requests = dassie_config_get_data_requests (t->config, "validate");
  const DassieDataRequest *train_request;
  const DassieDataRequest *validate_request = NULL;
  guint64 split_seed = (guint64) dassie_config_get_int (t->config, "data_set.seed");
  g_autofree char *train_dir = NULL;
  g_autofree char *validate_dir = NULL;

  if (train_requests->len == 0 || ((DassieDataRequest *) train_requests->pdata[0])->data_location == NULL)
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_DATA,
                   _("No training data: set data_request.train.data.data_location (or --data)."));
      return FALSE;
    }
  train_request = train_requests->pdata[0];
  if (validate_requests->len > 0 && ((DassieDataRequest *) validate_requests->pdata[0])->data_location != NULL)
    validate_request = validate_requests->pdata[0];

  train_dir = g_canonicalize_filename (train_request->data_location, NULL);
  t->train_set = open_dataset (t, train_dir, error);
  if (t->train_set == NULL)
    return FALSE;

  if (validate_request != NULL)
    validate_dir = g_canonicalize_filename (validate_request->data_location, NULL);

  if (validate_request == NULL || g_str_equal (train_dir, validate_dir))
    {
      double validate_fraction = validate_request != NULL
                                 ? fraction_or (validate_request->split_fraction,
                                                1.0 - fraction_or (train_request->split_fraction, 1.0))
                                 : 0.0;
      double fractions[2];
      g_autoptr(GPtrArray) parts = NULL;

      fractions[0] = fraction_or (train_request->split_fraction, 1.0 - validate_fraction);
      fractions[1] = validate_fraction;
      if (fractions[0] + fractions[1] > 1.0 + 1e-9)
        {
          g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_DATA,
                       _("The split fractions of data_request.train and data_request.validate add up "
                         "to more than 1 (%g + %g)."), fractions[0], fractions[1]);
          return FALSE;
        }
      parts = dassie_dataset_split (dassie_dataset_get_n_objects (t->train_set), fractions, 2, split_seed);
      t->train_indices = g_array_ref (parts->pdata[0]);
      t->validate_indices = g_array_ref (parts->pdata[1]);
      t->validate_set = dassie_dataset_ref (t->train_set);
    }
  else
    {
      double train_fraction = fraction_or (train_request->split_fraction, 1.0);
      double validate_fraction = fraction_or (validate_request->split_fraction, 1.0);
      g_autoptr(GPtrArray) train_parts = NULL;
      g_autoptr(GPtrArray) validate_parts = NULL;

      t->validate_set = open_dataset (t, validate_dir, error);
      if (t->validate_set == NULL)
        return FALSE;
      if (dassie_dataset_get_n_bands (t->validate_set) != dassie_dataset_get_n_bands (t->train_set) ||
          dassie_dataset_get_width (t->validate_set) != dassie_dataset_get_width (t->train_set) ||
          dassie_dataset_get_height (t->validate_set) != dassie_dataset_get_height (t->train_set))
        {
          g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_DATA,
                       _("The validation data in “%s” (%u bands, %u×%u) does not match the training "
                         "data in “%s” (%u bands, %u×%u)."),
                       validate_dir, dassie_dataset_get_n_bands (t->validate_set),
                       dassie_dataset_get_width (t->validate_set), dassie_dataset_get_height (t->validate_set),
                       train_dir, dassie_dataset_get_n_bands (t->train_set),
                       dassie_dataset_get_width (t->train_set), dassie_dataset_get_height (t->train_set));
          return FALSE;
        }
      train_parts = dassie_dataset_split (dassie_dataset_get_n_objects (t->train_set), &train_fraction, 1, split_seed);
      validate_parts = dassie_dataset_split (dassie_dataset_get_n_objects (t->validate_set), &validate_fraction, 1, split_seed);
      t->train_indices = g_array_ref (train_parts->pdata[0]);
      t->validate_indices = g_array_ref (validate_parts->pdata[0]);
    }

  t->n_train = t->train_indices->len;
  t->n_validate = t->validate_indices->len;
  if (t->n_train == 0)
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_DATA,
                   _("The training split of “%s” is empty: raise data_request.train split_fraction."),
                   train_dir);
      return FALSE;
    }

  t->sample = (gsize) dassie_dataset_get_n_bands (t->train_set) * dassie_dataset_get_height (t->train_set) *
              dassie_dataset_get_width (t->train_set);
  t->train_data = g_try_new (float, (gsize) t->n_train * t->sample);
  t->validate_data = g_try_new (float, MAX ((gsize) t->n_validate * t->sample, 1));
  if (t->train_data == NULL || t->validate_data == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("Not enough memory to hold %u training and %u validation objects."),
                   t->n_train, t->n_validate);
      return FALSE;
    }
  if (!dassie_dataset_read_objects (t->train_set, (guint *) t->train_indices->data, t->n_train, TRUE,
                                    t->train_data, t->cancellable, error))
    return FALSE;
  if (t->n_validate > 0 &&
      !dassie_dataset_read_objects (t->validate_set, (guint *) t->validate_indices->data, t->n_validate,
                                    TRUE, t->validate_data, t->cancellable, error))
    return FALSE;
  t->baseline_loss = dassie_mean_image_loss (t->train_data, t->n_train, t->validate_data, t->n_validate,
                                             t->sample);
  return TRUE;
}

static gboolean
build_model (Trainer  *t,
             GError  **error)
{
  DassieAutoencoderConfig model_config = { 0 };
  DassieOptimizerParams optimizer_params;

  if (!dassie_autoencoder_config_from_config (&model_config, t->config, error) ||
      !dassie_optimizer_params_from_config (&optimizer_params, t->config, error))
    return FALSE;
  model_config.channels = dassie_dataset_get_n_bands (t->train_set);
  model_config.height = dassie_dataset_get_height (t->train_set);
  model_config.width = dassie_dataset_get_width (t->train_set);

  t->model = dassie_autoencoder_new (&model_config, error);
  if (t->model == NULL)
    return FALSE;
  dassie_autoencoder_init_params (t->model, t->seed);
  dassie_autoencoder_set_threads (t->model, t->threads);
  t->optimizer = dassie_optimizer_new (&optimizer_params, dassie_autoencoder_get_n_params (t->model));
  t->grad = g_new (float, dassie_autoencoder_get_n_params (t->model));
  t->batch = g_new (float, (gsize) t->batch_size * t->sample);
  return TRUE;
}

static char *
format_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, value));
}

static void
set_metadata_uint (DassieSafetensorsWriter *writer,
                   const char              *key,
                   guint64                  value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  dassie_safetensors_writer_set_metadata (writer, key, text);
}

static void
set_metadata_double (DassieSafetensorsWriter *writer,
                     const char              *key,
                     double                   value)
{
  g_autofree char *text = format_double (value);

  dassie_safetensors_writer_set_metadata (writer, key, text);
}

/* The objects trained and validated on, in order, as one checksum: a resumed run must see the same. */
static char *
data_checksum (Trainer *t)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  GArray *parts[2] = { t->train_indices, t->validate_indices };
  DassieDataset *sets[2] = { t->train_set, t->validate_set };

  for (guint p = 0; p < 2; p++)
    {
      for (guint i = 0; parts[p] != NULL && i < parts[p]->len; i++)
        {
          const char *id = dassie_dataset_get_object_id (sets[p], g_array_index (parts[p], guint, i));

          g_checksum_update (sum, (const guchar *) id, strlen (id) + 1);
        }
      g_checksum_update (sum, (const guchar *) "|", 1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static char *
model_shape (Trainer *t)
{
  const DassieAutoencoderConfig *mc = dassie_autoencoder_get_config (t->model);

  return g_strdup_printf ("%ux%ux%u", mc->channels, mc->height, mc->width);
}

/* Weights, optimizer state ("optimizer.<state>.<tensor>") and the position in the data, so that a
 * resumed run continues exactly where this one stopped. */
static gboolean
save_checkpoint (Trainer  *t,
                 GError  **error)
{
  g_autoptr(DassieSafetensorsWriter) writer = dassie_safetensors_writer_new ();
  const DassieAutoencoderConfig *mc = dassie_autoencoder_get_config (t->model);
  float *params = dassie_autoencoder_get_params (t->model);
  guint n_tensors = dassie_autoencoder_get_n_tensors (t->model);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = dassie_run_build_path (t->run, CHECKPOINT_FILE);

  for (guint i = 0; i < n_tensors; i++)
    {
      const DassieParamTensor *tensor = dassie_autoencoder_get_tensor (t->model, i);

      dassie_safetensors_writer_add (writer, tensor->name, tensor->ndim, tensor->shape, params + tensor->offset);
    }
  for (guint s = 0; s < dassie_optimizer_get_n_states (t->optimizer); s++)
    {
      const char *state_name;
      float *state = dassie_optimizer_get_state (t->optimizer, s, &state_name);

      for (guint i = 0; i < n_tensors; i++)
        {
          const DassieParamTensor *tensor = dassie_autoencoder_get_tensor (t->model, i);
          char *name = g_strdup_printf ("optimizer.%s.%s", state_name, tensor->name);

          g_ptr_array_add (names, name);
          dassie_safetensors_writer_add (writer, name, tensor->ndim, tensor->shape, state + tensor->offset);
        }
    }

  dassie_safetensors_writer_set_metadata (writer, "format", "pt");
  dassie_safetensors_writer_set_metadata (writer, "dassie.kind", "checkpoint");
  dassie_safetensors_writer_set_metadata (writer, "dassie.model", "HyraxAutoencoderV2");
  set_metadata_uint (writer, "dassie.base_channel_size", mc->base_channels);
  set_metadata_uint (writer, "dassie.latent_dim", mc->latent_dim);
  dassie_safetensors_writer_set_metadata (writer, "dassie.final_layer",
                                          dassie_activation_to_string (mc->final_activation));
  dassie_safetensors_writer_set_metadata (writer, "dassie.normalization",
                                          dassie_config_get_string (t->config, "data_set.normalization"));
  dassie_safetensors_writer_set_metadata (writer, "dassie.optimizer",
                                          dassie_optimizer_kind_to_string (dassie_optimizer_get_params (t->optimizer)->kind));
  set_metadata_uint (writer, "dassie.step", dassie_optimizer_get_step (t->optimizer));
  set_metadata_uint (writer, "dassie.epoch", t->epoch);
  set_metadata_uint (writer, "dassie.next_sample", t->next_sample);
  set_metadata_double (writer, "dassie.epoch_loss_sum", t->epoch_loss_sum);
  set_metadata_uint (writer, "dassie.epoch_batches", t->epoch_batches);
  set_metadata_double (writer, "dassie.epoch_seconds", t->epoch_seconds);
  set_metadata_double (writer, "dassie.best_validation_loss", t->best_validation_loss);
  set_metadata_uint (writer, "dassie.best_epoch", t->best_epoch);
  set_metadata_double (writer, "dassie.train_loss", t->last_train_loss);
  set_metadata_double (writer, "dassie.validation_loss", t->last_validation_loss);
  set_metadata_uint (writer, "dassie.n_train", t->n_train);
  set_metadata_uint (writer, "dassie.n_validate", t->n_validate);
  set_metadata_uint (writer, "dassie.seed", t->seed);
  set_metadata_uint (writer, "dassie.threads", t->threads);
  {
    g_autofree char *checksum = data_checksum (t);
    g_autofree char *shape = model_shape (t);

    dassie_safetensors_writer_set_metadata (writer, "dassie.data_checksum", checksum);
    dassie_safetensors_writer_set_metadata (writer, "dassie.input_shape", shape);
  }

  if (!dassie_safetensors_writer_write (writer, path, error))
    return FALSE;
  t->have_checkpoint = TRUE;
  return TRUE;
}

static gboolean
metadata_uint (DassieSafetensors  *file,
               const char         *key,
               guint64            *value,
               GError            **error)
{
  const char *text = dassie_safetensors_get_metadata (file, key);

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, value, NULL))
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT,
                   _("“%s” is not a Dassie training checkpoint (its metadata lacks %s): it cannot "
                     "resume training."), dassie_safetensors_get_path (file), key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
metadata_double (DassieSafetensors  *file,
                 const char         *key,
                 double             *value,
                 GError            **error)
{
  const char *text = dassie_safetensors_get_metadata (file, key);

  if (text == NULL)
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT,
                   _("“%s” is not a Dassie training checkpoint (its metadata lacks %s): it cannot "
                     "resume training."), dassie_safetensors_get_path (file), key);
      return FALSE;
    }
  *value = g_ascii_strtod (text, NULL);
  return TRUE;
}

/* A checkpoint resumes only the training it was made by: the same objects and the same model. Keys
 * that an older checkpoint lacks are not checked. */
static gboolean
check_checkpoint_matches (Trainer            *t,
                          DassieSafetensors  *file,
                          GError            **error)
{
  const DassieAutoencoderConfig *mc = dassie_autoencoder_get_config (t->model);
  g_autofree char *checksum = data_checksum (t);
  g_autofree char *shape = model_shape (t);
  g_autofree char *base = g_strdup_printf ("%u", mc->base_channels);
  g_autofree char *latent = g_strdup_printf ("%u", mc->latent_dim);
  const struct { const char *key; const char *now; const char *what; } checks[] = {
    { "dassie.data_checksum", checksum, N_("the objects of the data set (data_request locations, split fractions, data_set.seed)") },
    { "dassie.input_shape", shape, N_("the cutout shape (bands × height × width)") },
    { "dassie.base_channel_size", base, "model.base_channel_size" },
    { "dassie.latent_dim", latent, "model.latent_dim" },
    { "dassie.final_layer", dassie_activation_to_string (mc->final_activation), "model.final_layer" },
    { "dassie.normalization", dassie_config_get_string (t->config, "data_set.normalization"), "data_set.normalization" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      const char *then = dassie_safetensors_get_metadata (file, checks[i].key);

      if (then != NULL && !g_str_equal (then, checks[i].now))
        {
          g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT,
                       _("The checkpoint “%s” cannot resume this training: %s differs (the checkpoint "
                         "has %s, now it is %s). Resume with the settings and data it was made with, "
                         "or train anew."),
                       dassie_safetensors_get_path (file), _(checks[i].what), then, checks[i].now);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load_checkpoint (Trainer     *t,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(DassieSafetensors) file = dassie_safetensors_open (path, error);
  const DassieOptimizerParams *op;
  const char *kind;
  guint64 step, epoch, next_sample, epoch_batches, best_epoch, n_train;

  if (file == NULL)
    return FALSE;

  kind = dassie_safetensors_get_metadata (file, "dassie.kind");
  if (kind == NULL || !g_str_equal (kind, "checkpoint"))
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT,
                   _("“%s” holds weights only, not a training checkpoint: resume from a run's "
                     "checkpoint.safetensors, or use these weights for inference."), path);
      return FALSE;
    }
  if (!metadata_uint (file, "dassie.step", &step, error) ||
      !metadata_uint (file, "dassie.epoch", &epoch, error) ||
      !metadata_uint (file, "dassie.next_sample", &next_sample, error) ||
      !metadata_uint (file, "dassie.epoch_batches", &epoch_batches, error) ||
      !metadata_uint (file, "dassie.best_epoch", &best_epoch, error) ||
      !metadata_uint (file, "dassie.n_train", &n_train, error) ||
      !metadata_double (file, "dassie.epoch_loss_sum", &t->epoch_loss_sum, error) ||
      !metadata_double (file, "dassie.epoch_seconds", &t->epoch_seconds, error) ||
      !metadata_double (file, "dassie.best_validation_loss", &t->best_validation_loss, error) ||
      !metadata_double (file, "dassie.train_loss", &t->last_train_loss, error) ||
      !metadata_double (file, "dassie.validation_loss", &t->last_validation_loss, error))
    return FALSE;

  if (n_train != t->n_train || next_sample > n_train)
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT,
                   _("The checkpoint “%s” was made on %" PRIu64 " training objects but the "
                     "data now gives %u: resuming needs the same data, split fractions and "
                     "data_set.seed."), path, n_train, t->n_train);
      return FALSE;
    }
  if (!check_checkpoint_matches (t, file, error))
    return FALSE;
  op = dassie_optimizer_get_params (t->optimizer);
  if (g_strcmp0 (dassie_safetensors_get_metadata (file, "dassie.optimizer"),
                 dassie_optimizer_kind_to_string (op->kind)) != 0)
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT,
                   _("The checkpoint “%s” was made with the %s optimizer but optimizer.name is %s: "
                     "set it back to resume."), path,
                   dassie_safetensors_get_metadata (file, "dassie.optimizer"),
                   dassie_optimizer_kind_to_string (op->kind));
      return FALSE;
    }

  if (!dassie_autoencoder_load_weights (t->model, path, error))
    return FALSE;
  for (guint s = 0; s < dassie_optimizer_get_n_states (t->optimizer); s++)
    {
      const char *state_name;
      float *state = dassie_optimizer_get_state (t->optimizer, s, &state_name);

      for (guint i = 0; i < dassie_autoencoder_get_n_tensors (t->model); i++)
        {
          const DassieParamTensor *tensor = dassie_autoencoder_get_tensor (t->model, i);
          g_autofree char *name = g_strdup_printf ("optimizer.%s.%s", state_name, tensor->name);

          if (!dassie_safetensors_read (file, name, tensor->ndim, tensor->shape, state + tensor->offset, error))
            return FALSE;
        }
    }

  dassie_optimizer_set_step (t->optimizer, step);
  t->epoch = (guint) epoch;
  t->next_sample = (guint) next_sample;
  t->epoch_batches = (guint) epoch_batches;
  t->best_epoch = (guint) best_epoch;
  return TRUE;
}

/* The order of the training samples in @epoch: a permutation seeded by train.seed and the epoch, so
 * that a resumed run sees the same order. */
static void
epoch_order (Trainer *t,
             guint    epoch,
             guint   *order)
{
  guint32 words[3] = { (guint32) t->seed, (guint32) (t->seed >> 32), epoch };
  g_autoptr(GRand) rand = NULL;

  for (guint i = 0; i < t->n_train; i++)
    order[i] = i;
  if (!t->shuffle)
    return;
  rand = g_rand_new_with_seed_array (words, 3);
  for (guint i = t->n_train; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      guint s = order[i - 1];

      order[i - 1] = order[j];
      order[j] = s;
    }
}

/* NAN without a validation set; FALSE when cancelled between chunks (a large set takes minutes). */
static gboolean
validation_loss (Trainer *t,
                 double  *loss)
{
  double sum = 0;

  *loss = NAN;
  if (t->n_validate == 0)
    return TRUE;
  for (guint start = 0; start < t->n_validate; start += VALIDATION_CHUNK)
    {
      guint n = MIN (VALIDATION_CHUNK, t->n_validate - start);

      if (g_cancellable_is_cancelled (t->cancellable))
        return FALSE;
      sum += n * dassie_autoencoder_forward (t->model, t->validate_data + (gsize) start * t->sample, n, NULL, NULL);
    }
  *loss = sum / t->n_validate;
  return TRUE;
}

static void
add_indices (JsonBuilder   *builder,
             const char    *member,
             GArray        *indices,
             DassieDataset *set,
             gboolean       ids)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < indices->len; i++)
    {
      guint index = g_array_index (indices, guint, i);

      if (ids)
        json_builder_add_string_value (builder, dassie_dataset_get_object_id (set, index));
      else
        json_builder_add_int_value (builder, index);
    }
  json_builder_end_array (builder);
}

static gboolean
write_json (const char  *path,
            JsonBuilder *builder,
            gboolean     pretty,
            GError     **error)
{
  gsize length;
  g_autofree char *text = dassie_json_builder_to_text (builder, pretty, &length);

  return dassie_write_file_atomic (path, text, length, error);
}

static gboolean
write_split (Trainer  *t,
             GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *path = dassie_run_build_path (t->run, "split.json");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "train_data_location");
  json_builder_add_string_value (builder, dassie_dataset_get_dir (t->train_set));
  json_builder_set_member_name (builder, "validate_data_location");
  json_builder_add_string_value (builder, dassie_dataset_get_dir (t->validate_set));
  add_indices (builder, "train_indices", t->train_indices, t->train_set, FALSE);
  add_indices (builder, "validate_indices", t->validate_indices, t->validate_set, FALSE);
  add_indices (builder, "train_object_ids", t->train_indices, t->train_set, TRUE);
  add_indices (builder, "validate_object_ids", t->validate_indices, t->validate_set, TRUE);
  json_builder_end_object (builder);
  return write_json (path, builder, TRUE, error);
}

GArray *
dassie_train_read_split (const char  *run_dir,
                         const char  *part,
                         char       **data_location,
                         GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *member = NULL;
  g_autofree char *location_member = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint));
  JsonObject *root;
  JsonArray *array;

  g_return_val_if_fail (run_dir != NULL, NULL);
  g_return_val_if_fail (part != NULL, NULL);

  if (data_location != NULL)
    *data_location = NULL;
  path = g_build_filename (run_dir, "split.json", NULL);
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("“%s” is not a split file."), path);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  location_member = g_strconcat (part, "_data_location", NULL);
  if (data_location != NULL)
    *data_location = g_strdup (json_object_get_string_member_with_default (root, location_member, NULL));
  member = g_strconcat (part, "_indices", NULL);
  array = json_object_has_member (root, member) ? json_object_get_array_member (root, member) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      guint index = (guint) json_array_get_int_element (array, i);
      g_array_append_val (indices, index);
    }
  return g_steal_pointer (&indices);
}

static void
add_number_or_null (JsonBuilder *builder,
                    const char  *member,
                    double       value)
{
  json_builder_set_member_name (builder, member);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static gboolean
append_metrics (Trainer  *t,
                double    train_loss,
                double    validate_loss,
                double    seconds,
                GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = dassie_run_build_path (t->run, "metrics.jsonl");
  g_autofree char *line = NULL;
  g_autofree char *old = NULL;
  g_autofree char *contents = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_int_value (builder, t->epoch + 1);
  add_number_or_null (builder, "train_loss", train_loss);
  add_number_or_null (builder, "validation_loss", validate_loss);
  add_number_or_null (builder, "seconds", seconds);
  add_number_or_null (builder, "samples_per_second", seconds > 0 ? t->n_train / seconds : NAN);
  add_number_or_null (builder, "baseline_loss", t->baseline_loss);
  add_number_or_null (builder, "lr", dassie_optimizer_get_params (t->optimizer)->lr);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  line = json_generator_to_data (gen, NULL);

  if (!g_file_get_contents (path, &old, NULL, NULL))
    old = g_strdup ("");
  contents = g_strconcat (old, line, "\n", NULL);
  return dassie_write_file_atomic (path, contents, strlen (contents), error);
}

static void
report (Trainer             *t,
        DassieTrainProgress *p,
        DassieEta           *eta,
        double               done,
        double               total)
{
  g_autofree char *message = NULL;

  if (t->progress == NULL)
    return;

  dassie_eta_update (eta, done, total, &p->base.rate, &p->base.eta_seconds);
  p->base.stage = "train";
  p->base.fraction = ((double) p->epoch - 1 + (double) p->batch / MAX (p->n_batches, 1)) / MAX (p->n_epochs, 1);
  if (p->epoch_done && isfinite (p->validation_loss))
    message = g_strdup_printf (_("epoch %u/%u  loss %.5g  validation %.5g"), p->epoch, p->n_epochs,
                               p->train_loss, p->validation_loss);
  else
    message = g_strdup_printf (_("epoch %u/%u  batch %u/%u  loss %.5g  %.0f samples/s"), p->epoch,
                               p->n_epochs, p->batch, p->n_batches, p->batch_loss,
                               MAX (p->base.rate, 0));
  p->base.message = message;
  t->progress (&p->base, t->user_data);
  p->base.message = NULL;
}

/* Saves the checkpoint at where training stands, so that train.resume goes on from there; @batch is
 * the one that was about to run (one past the last for the validation at the epoch's end). */
static gboolean
stop_cancelled (Trainer  *t,
                double    epoch_seconds,
                guint     batch,
                GError  **error)
{
  g_autoptr(GError) save_error = NULL;

  t->epoch_seconds = epoch_seconds;
  if (!save_checkpoint (t, &save_error))
    {
      g_propagate_error (error, g_steal_pointer (&save_error));
      return FALSE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
               _("Training was cancelled in epoch %u before batch %u; resume it from “%s” "
                 "(train.resume)."), t->epoch + 1, batch, dassie_run_get_dir (t->run));
  return FALSE;
}

static gboolean
stop_not_finite (Trainer     *t,
                 const char  *what,
                 double       value,
                 guint        batch,
                 GError     **error)
{
  g_autofree char *checkpoint = dassie_run_build_path (t->run, CHECKPOINT_FILE);

  if (t->have_checkpoint)
    g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_NOT_FINITE,
                 _("Training stopped in epoch %u, batch %u: the %s became %g. The last good "
                   "checkpoint (epoch %u) is kept in “%s”: lower optimizer.lr (now %g) and resume "
                   "from it with train.resume."),
                 t->epoch + 1, batch, what, value, t->epoch, checkpoint,
                 dassie_optimizer_get_params (t->optimizer)->lr);
  else
    g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_NOT_FINITE,
                 _("Training stopped in epoch %u, batch %u: the %s became %g before any epoch "
                   "finished, so there is no checkpoint. Lower optimizer.lr (now %g) and train again."),
                 t->epoch + 1, batch, what, value, dassie_optimizer_get_params (t->optimizer)->lr);
  return FALSE;
}

/* A run killed after an epoch's metrics line but before its checkpoint repeats that epoch when
 * resumed: metrics.jsonl keeps only the epochs the checkpoint has finished. */
static gboolean
truncate_metrics (Trainer  *t,
                  GError  **error)
{
  g_autofree char *path = dassie_run_build_path (t->run, "metrics.jsonl");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gboolean dropped = FALSE;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return TRUE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      JsonNode *root;
      gint64 epoch = -1;

      if (lines[i][0] == 0)
        continue;
      if (json_parser_load_from_data (parser, lines[i], -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
        epoch = json_object_get_int_member_with_default (json_node_get_object (root), "epoch", -1);
      if (epoch < 1 || epoch > (gint64) t->epoch)
        {
          dropped = TRUE;
          continue;
        }
      g_string_append (kept, lines[i]);
      g_string_append_c (kept, '\n');
    }
  if (!dropped)
    return TRUE;
  return dassie_write_file_atomic (path, kept->str, kept->len, error);
}

/* Resolves train.resume to a checkpoint file; @in_place_dir is the unfinished run to continue. */
static gboolean
resolve_resume (const char  *resume,
                char       **checkpoint,
                char       **in_place_dir,
                GError     **error)
{
  if (g_file_test (resume, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *dir = g_canonicalize_filename (resume, NULL);

      *checkpoint = g_build_filename (dir, CHECKPOINT_FILE, NULL);
      if (g_str_has_suffix (dir, DASSIE_RUN_INCOMPLETE_SUFFIX))
        *in_place_dir = g_steal_pointer (&dir);
    }
  else
    *checkpoint = g_strdup (resume);

  if (!g_file_test (*checkpoint, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, DASSIE_TRAIN_ERROR, DASSIE_TRAIN_ERROR_CHECKPOINT,
                   _("Cannot resume from “%s”: there is no checkpoint file “%s”."), resume, *checkpoint);
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_weights (Trainer     *t,
              const char  *file_name,
              guint        epoch,
              GError     **error)
{
  g_autoptr(GHashTable) metadata = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *path = dassie_run_build_path (t->run, file_name);

  g_hash_table_insert (metadata, "dassie.epoch", g_strdup_printf ("%u", epoch));
  /* What infer must do to its input to match the training's. */
  g_hash_table_insert (metadata, "dassie.normalization",
                       g_strdup (dassie_config_get_string (t->config, "data_set.normalization")));
  g_hash_table_insert (metadata, "dassie.transform",
                       g_strdup (dassie_config_get_string (t->config, "data_set.transform")));
  g_hash_table_insert (metadata, "dassie.asinh_softening",
                       format_double (dassie_config_get_double (t->config, "data_set.asinh_softening")));
  g_hash_table_insert (metadata, "dassie.preset", g_strdup (dassie_config_get_string (t->config, "train.preset")));
  return dassie_autoencoder_save_weights (t->model, path, metadata, error);
}

static gboolean
train_loop (Trainer  *t,
            GError  **error)
{
  g_autofree guint *order = g_new (guint, t->n_train);
  guint n_batches = (t->n_train + t->batch_size - 1) / t->batch_size;
  double total = ((double) t->n_epochs - t->epoch) * t->n_train - t->next_sample;
  double done = 0;
  DassieEta eta;

  dassie_eta_start (&eta);

  for (; t->epoch < t->n_epochs; t->epoch++)
    {
      gint64 epoch_start = g_get_monotonic_time ();
      double seconds_before = t->epoch_seconds;
      DassieTrainProgress p = { 0 };
      double validate_loss;
      double train_loss;

      epoch_order (t, t->epoch, order);
      /* Set at every epoch's start, so a resumed run has the same rate; constant leaves Hyrax's alone. */
      if (t->schedule.kind != DASSIE_LR_CONSTANT)
        dassie_optimizer_set_lr (t->optimizer, dassie_lr_schedule_at (&t->schedule, t->epoch));
      p.epoch = t->epoch + 1;
      p.baseline_loss = t->baseline_loss;
      p.n_epochs = t->n_epochs;
      p.n_batches = n_batches;
      p.validation_loss = NAN;

      while (t->next_sample < t->n_train)
        {
          guint n = MIN (t->batch_size, t->n_train - t->next_sample);
          guint batch = t->next_sample / t->batch_size + 1;
          double loss;

          if (g_cancellable_is_cancelled (t->cancellable))
            return stop_cancelled (t, seconds_before + (g_get_monotonic_time () - epoch_start) / 1e6,
                                   batch, error);

          for (guint i = 0; i < n; i++)
            memcpy (t->batch + (gsize) i * t->sample,
                    t->train_data + (gsize) order[t->next_sample + i] * t->sample,
                    t->sample * sizeof (float));
          if (t->augment)
            {
              const DassieAutoencoderConfig *mc = dassie_autoencoder_get_config (t->model);

              dassie_augment_batch (t->batch, n, mc->channels, mc->height, mc->width, t->seed, t->epoch, batch);
            }

          loss = dassie_autoencoder_loss_and_grad (t->model, t->batch, n, t->grad);
          if (!isfinite (loss))
            return stop_not_finite (t, _("loss"), loss, batch, error);
          dassie_optimizer_step (t->optimizer, dassie_autoencoder_get_params (t->model), t->grad);

          t->next_sample += n;
          t->epoch_loss_sum += loss;
          t->epoch_batches++;
          done += n;

          p.batch = batch;
          p.batch_loss = loss;
          p.train_loss = t->epoch_loss_sum / t->epoch_batches;
          report (t, &p, &eta, done, total);
        }

      train_loss = t->epoch_loss_sum / MAX (t->epoch_batches, 1);
      if (!validation_loss (t, &validate_loss))
        return stop_cancelled (t, seconds_before + (g_get_monotonic_time () - epoch_start) / 1e6,
                               n_batches + 1, error);
      if (t->n_validate > 0 && !isfinite (validate_loss))
        return stop_not_finite (t, _("validation loss"), validate_loss, n_batches, error);
      t->epoch_seconds = seconds_before + (g_get_monotonic_time () - epoch_start) / 1e6;
      t->last_train_loss = train_loss;
      t->last_validation_loss = validate_loss;

      if (!append_metrics (t, train_loss, validate_loss, t->epoch_seconds, error))
        return FALSE;

      /* Without a validation set the training loss decides which epoch is best. */
      if ((isfinite (validate_loss) ? validate_loss : train_loss) < t->best_validation_loss)
        {
          t->best_validation_loss = isfinite (validate_loss) ? validate_loss : train_loss;
          t->best_epoch = t->epoch + 1;
          if (!save_weights (t, BEST_WEIGHTS_FILE, t->epoch + 1, error))
            return FALSE;
        }

      /* The checkpoint names the next epoch's start. */
      {
        guint finished = t->epoch;

        t->epoch = finished + 1;
        t->next_sample = 0;
        t->epoch_loss_sum = 0;
        t->epoch_batches = 0;
        t->epoch_seconds = 0;
        if (!save_checkpoint (t, error))
          return FALSE;
        t->epoch = finished;
      }

      p.epoch_done = TRUE;
      p.batch = n_batches;
      p.train_loss = train_loss;
      p.validation_loss = validate_loss;
      report (t, &p, &eta, done, total);

      /* Early stopping: @patience epochs without a better validation loss. */
      if (t->patience > 0 && t->n_validate > 0 && t->epoch + 1 < t->n_epochs &&
          t->epoch + 1 - t->best_epoch >= t->patience)
        {
          t->stopped_early = TRUE;
          t->epoch++;
          break;
        }
    }

  return TRUE;
}

/* With early stopping the run's weights are those of the best epoch, which weights-best holds. */
static gboolean
restore_best (Trainer  *t,
              guint    *weights_epoch,
              GError  **error)
{
  g_autofree char *path = NULL;

  *weights_epoch = t->epoch;
  if (t->patience == 0 || t->n_validate == 0 || t->best_epoch == 0 || t->best_epoch == t->epoch)
    return TRUE;
  path = dassie_run_build_path (t->run, BEST_WEIGHTS_FILE);
  if (!dassie_autoencoder_load_weights (t->model, path, error))
    return FALSE;
  *weights_epoch = t->best_epoch;
  return TRUE;
}

gboolean
dassie_train (const DassieConfig       *config,
              GCancellable             *cancellable,
              DassieProgressFunc        progress,
              gpointer                  user_data,
              DassieTrainResult        *result,
              GError                  **error)
{
  Trainer t = { 0 };
  g_autofree char *checkpoint = NULL;
  g_autofree char *in_place_dir = NULL;
  const char *resume;
  gint64 epochs, batch_size;
  gint64 start = g_get_monotonic_time ();
  guint start_epoch;
  guint start_sample;
  guint weights_epoch = 0;
  gint64 loop_start;
  double loop_seconds;
  gboolean ok = FALSE;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  t.config = config;
  t.cancellable = cancellable;
  t.progress = progress;
  t.user_data = user_data;
  t.best_validation_loss = INFINITY;
  t.last_train_loss = t.last_validation_loss = NAN;

  epochs = dassie_config_get_int (config, "train.epochs");
  batch_size = dassie_config_get_int (config, "data_loader.batch_size");
  if (epochs < 1 || epochs > 1000000 || batch_size < 1 || batch_size > 65536)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("train.epochs (%" PRId64 ") and data_loader.batch_size (%" PRId64
                     ") must be positive."), epochs, batch_size);
      return FALSE;
    }
  t.n_epochs = (guint) epochs;
  t.batch_size = (guint) batch_size;
  t.shuffle = dassie_config_get_boolean (config, "data_loader.shuffle");
  t.seed = (guint64) dassie_config_get_int (config, "train.seed");
  t.threads = dassie_parallel_n_threads ((guint) MAX (0, dassie_config_get_int (config, "general.threads")));
  t.weights_filename = g_path_get_basename (dassie_config_get_string (config, "train.weights_filename"));
  t.augment = dassie_config_get_boolean (config, "train.augment");
  t.patience = (guint) MAX (0, dassie_config_get_int (config, "train.early_stopping.patience"));
  t.baseline_loss = NAN;
  if (!dassie_lr_schedule_from_config (&t.schedule, config, error))
    goto out;
  if (t.weights_filename[0] == '.' || t.weights_filename[0] == G_DIR_SEPARATOR)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("train.weights_filename must be a file name such as weights.safetensors."));
      goto out;
    }

  resume = dassie_config_get_string (config, "train.resume");
  if (resume != NULL && resume[0] != 0 && !resolve_resume (resume, &checkpoint, &in_place_dir, error))
    goto out;

  if (!load_data (&t, error) || !build_model (&t, error))
    goto out;
  if (checkpoint != NULL && !load_checkpoint (&t, checkpoint, error))
    goto out;

  /* A run continued in place keeps the config.json and split.json it was started with (the
   * checkpoint has checked that the data and the model are the same). */
  if (in_place_dir != NULL)
    {
      t.run = dassie_run_reopen (in_place_dir, error);
      if (t.run == NULL || !truncate_metrics (&t, error))
        goto out;
      t.have_checkpoint = TRUE;
    }
  else
    {
      t.run = dassie_run_begin (dassie_config_get_string (config, "general.results_dir"), "train", config, error);
      if (t.run == NULL || !write_split (&t, error))
        goto out;
    }
  result->run_dir = g_strdup (dassie_run_get_dir (t.run));
  result->n_train = t.n_train;
  result->n_validate = t.n_validate;
  result->n_skipped = dassie_dataset_get_skipped (t.train_set)->len;
  result->n_validate_skipped = t.validate_set != t.train_set ? dassie_dataset_get_skipped (t.validate_set)->len : 0;

  start_epoch = t.epoch;
  start_sample = t.next_sample;
  loop_start = g_get_monotonic_time ();
  dassie_blas_single_begin ();
  ok = train_loop (&t, error);
  dassie_blas_single_end ();
  loop_seconds = (g_get_monotonic_time () - loop_start) / 1e6;

  result->epochs_done = t.epoch;
  result->train_loss = t.last_train_loss;
  result->validation_loss = t.last_validation_loss;
  result->best_validation_loss = t.best_validation_loss;
  result->best_epoch = t.best_epoch;
  result->baseline_loss = t.baseline_loss;
  result->stopped_early = t.stopped_early;
  result->seconds = (g_get_monotonic_time () - start) / 1e6;
  /* Training samples (validation passes included in the time, data loading not). */
  result->samples_per_second = loop_seconds > 0
    ? (((double) t.epoch - start_epoch) * t.n_train + t.next_sample - start_sample) / loop_seconds : 0;
  if (!ok)
    goto out;

  if (!restore_best (&t, &weights_epoch, error) ||
      !save_weights (&t, t.weights_filename, weights_epoch, error) || !dassie_run_commit (t.run, error))
    {
      ok = FALSE;
      goto out;
    }
  g_free (result->run_dir);
  result->run_dir = g_strdup (dassie_run_get_dir (t.run));
  result->complete = TRUE;
  result->weights_epoch = weights_epoch;
  result->weights_validation_loss = weights_epoch == t.best_epoch && isfinite (t.best_validation_loss) &&
                                    t.n_validate > 0 ? t.best_validation_loss : t.last_validation_loss;

out:
  trainer_clear (&t);
  return ok;
}
