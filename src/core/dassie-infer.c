/* dassie-infer.c: the infer verb: a latent vector for every object of a data set
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "dassie-autoencoder.h"
#include "dassie-dataset.h"
#include "dassie-fileutil.h"
#include "dassie-infer.h"
#include "dassie-nn.h"
#include "dassie-parallel.h"
#include "dassie-residuals.h"
#include "dassie-results.h"
#include "dassie-safetensors.h"
#include "dassie-table.h"

/* Objects encoded between two looks at the cancellable: a multiple of the encoder's chunk of 4. */
#define ENCODE_SLICE 64

G_DEFINE_QUARK (dassie-infer-error-quark, dassie_infer_error)

/* The reconstruction residuals of a slice of objects, one object at a time on each thread. */
typedef struct
{
  const float  *inputs;
  const float  *reconstructions;
  guint         n_bands;
  gsize         plane;
  const double *quantiles;
  guint         n_quantiles;
  float        *values;   /* count × n_quantiles */
  float        *mse;      /* count */
} ResidualJob;

static void
residual_range (guint    begin,
                guint    end,
                gpointer user_data)
{
  ResidualJob *job = user_data;
  gsize sample = job->n_bands * job->plane;
  g_autofree float *scratch = g_new (float, MAX (sample, 1));

  for (guint i = begin; i < end; i++)
    job->mse[i] = (float) dassie_residual_stats (job->inputs + i * sample, job->reconstructions + i * sample,
                                                 job->n_bands, job->plane, job->quantiles, job->n_quantiles,
                                                 scratch, job->values + (gsize) i * job->n_quantiles);
}

/* Encodes @count objects of @batch into @latents and, when @residuals is not NULL, decodes those
 * latents too and keeps the residual statistics. The latents come from the encoder alone, as they
 * always have, so that they (and the scores of them) are the same bits with or without the residuals. */
static void
encode_slice (DassieAutoencoder *model,
              const float       *batch,
              guint              count,
              float             *latents,
              ResidualJob       *residuals,
              float             *reconstruction,
              guint              n_threads)
{
  dassie_autoencoder_encode (model, batch, count, latents);
  if (residuals == NULL)
    return;
  dassie_autoencoder_decode (model, latents, count, reconstruction);
  residuals->inputs = batch;
  residuals->reconstructions = reconstruction;
  dassie_parallel_for (count, n_threads, residual_range, residuals);
}

/* @config with the input settings that the weights were trained with (data_set.normalization,
 * .transform, .asinh_softening, in their metadata since training wrote them), which win: a model fed
 * other inputs than it learnt on gives meaningless latents. Older weights leave @config's. */
static DassieConfig *
config_with_training_input (const DassieConfig  *config,
                            const char          *weights_path,
                            GError             **error)
{
  static const char * const keys[] = { "data_set.normalization", "data_set.transform", "data_set.asinh_softening" };
  g_autoptr(DassieSafetensors) file = dassie_safetensors_open (weights_path, error);
  g_autoptr(DassieConfig) copy = dassie_config_copy (config);

  if (file == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *name = g_strconcat ("dassie.", strchr (keys[i], '.') + 1, NULL);
      const char *value = dassie_safetensors_get_metadata (file, name);

      if (value != NULL && !dassie_config_set_from_string (copy, keys[i], value, error))
        {
          g_prefix_error (error, _("The weights “%s” name input settings that this version does not know: "),
                          weights_path);
          return NULL;
        }
    }
  return g_steal_pointer (&copy);
}

void
dassie_infer_result_clear (DassieInferResult *result)
{
  if (result == NULL)
    return;
  g_free (result->run_dir);
  g_free (result->weights_path);
  memset (result, 0, sizeof *result);
}

/* A train run folder stands for its final weights. */
static char *
weights_in (const DassieConfig *config,
            const char         *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *name = g_path_get_basename (dassie_config_get_string (config, "train.weights_filename"));
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&file);
      return g_build_filename (path, "weights.safetensors", NULL);
    }
  return g_strdup (path);
}

char *
dassie_infer_find_weights (const DassieConfig  *config,
                           const char          *weights,
                           GError             **error)
{
  const char *configured;
  g_autofree char *latest = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  configured = dassie_config_get_string (config, "infer.model_weights_file");
  if (weights != NULL && weights[0] != 0)
    path = weights_in (config, weights);
  else if (configured != NULL && configured[0] != 0)
    path = weights_in (config, configured);
  else
    {
      const char *results = dassie_config_get_string (config, "general.results_dir");

      latest = dassie_results_find_latest (results, "train");
      if (latest == NULL)
        {
          g_set_error (error, DASSIE_INFER_ERROR, DASSIE_INFER_ERROR_NO_WEIGHTS,
                       _("No trained model to infer with: there is no finished train run in “%s”. "
                         "Train one first, or give a weights file (--weights or "
                         "infer.model_weights_file)."), results);
          return NULL;
        }
      path = weights_in (config, latest);
    }

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, DASSIE_INFER_ERROR, DASSIE_INFER_ERROR_NO_WEIGHTS,
                   _("The weights file “%s” does not exist."), path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

gboolean
dassie_infer (const DassieConfig  *config,
              const char          *weights,
              GCancellable        *cancellable,
              DassieProgressFunc   progress,
              gpointer             user_data,
              DassieInferResult   *result,
              GError             **error)
{
  g_autofree char *weights_path = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(DassieDataset) set = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  g_autoptr(DassieConfig) run_config = NULL;
  g_autoptr(DassieConfig) input_config = NULL;
  g_autoptr(DassieRun) run = NULL;
  g_autofree float *batch = NULL;
  g_autofree float *latents = NULL;
  g_autofree guint *indices = NULL;
  g_autofree const char **ids = NULL;
  g_autofree char *copy_path = NULL;
  g_autofree char *table_path = NULL;
  g_autofree float *reconstruction = NULL;
  g_autofree float *residual_values = NULL;
  g_autofree float *residual_mse = NULL;
  double quantiles[8];
  ResidualJob residuals = { 0 };
  gboolean keep_residuals;
  DassieAutoencoderConfig model_config = { 0 };
  DassieDatasetOptions options;
  const DassieDataRequest *request;
  gint64 batch_size;
  guint n, threads;
  gsize sample;
  gint64 start;
  DassieEta eta;
  gboolean opened;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  batch_size = dassie_config_get_int (config, "infer.batch_size");
  if (batch_size < 1 || batch_size > 1 << 20)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("infer.batch_size must be positive (it is %" PRId64 ")."), batch_size);
      return FALSE;
    }
  threads = dassie_parallel_n_threads ((guint) MAX (0, dassie_config_get_int (config, "general.threads")));

  weights_path = dassie_infer_find_weights (config, weights, error);
  if (weights_path == NULL)
    return FALSE;

  /* The model's sizes come from the weights themselves; the final activation does not matter here. */
  if (!dassie_autoencoder_config_from_config (&model_config, config, error) ||
      !dassie_autoencoder_config_from_weights (&model_config, weights_path, error))
    return FALSE;

  requests = dassie_config_get_data_requests (config, "infer");
  if (requests->len == 0 || ((DassieDataRequest *) requests->pdata[0])->data_location == NULL)
    {
      g_set_error (error, DASSIE_INFER_ERROR, DASSIE_INFER_ERROR_MISMATCH,
                   _("No data to infer on: set data_request.infer.data.data_location (or --data)."));
      return FALSE;
    }
  request = requests->pdata[0];

  input_config = config_with_training_input (config, weights_path, error);
  if (input_config == NULL)
    return FALSE;
  dassie_dataset_options_init (&options);
  opened = dassie_dataset_options_from_config (&options, input_config, error);
  options.n_threads = threads;
  if (opened)
    set = dassie_dataset_open_with_progress (request->data_location, &options, cancellable,
                                             progress, user_data, error);
  dassie_dataset_options_clear (&options);
  if (set == NULL)
    return FALSE;

  if (dassie_dataset_get_n_bands (set) != model_config.channels)
    {
      g_set_error (error, DASSIE_INFER_ERROR, DASSIE_INFER_ERROR_MISMATCH,
                   _("The weights in “%s” take %u bands but the data in “%s” has %u."),
                   weights_path, model_config.channels, request->data_location, dassie_dataset_get_n_bands (set));
      return FALSE;
    }
  model_config.height = dassie_dataset_get_height (set);
  model_config.width = dassie_dataset_get_width (set);
  model = dassie_autoencoder_new (&model_config, error);
  if (model == NULL || !dassie_autoencoder_load_weights (model, weights_path, error))
    return FALSE;
  dassie_autoencoder_set_threads (model, threads);

  run_config = dassie_config_copy (input_config);
  dassie_config_set_string (run_config, "infer.model_weights_file", weights_path);
  run = dassie_run_begin (dassie_config_get_string (config, "general.results_dir"), "infer", run_config, error);
  if (run == NULL)
    return FALSE;

  copy_path = dassie_run_build_path (run, "weights.safetensors");
  if (!dassie_copy_file (weights_path, copy_path, error))
    goto fail;

  n = dassie_dataset_get_n_objects (set);
  sample = (gsize) model_config.channels * model_config.height * model_config.width;
  batch_size = MIN ((guint) batch_size, n);
  batch = g_new (float, (gsize) batch_size * sample);
  latents = g_new (float, (gsize) n * model_config.latent_dim);
  indices = g_new (guint, n);
  ids = g_new0 (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      indices[i] = i;
      ids[i] = dassie_dataset_get_object_id (set, i);
    }
  /* What the reconstruction score (scores.method reconstruction) needs, so that scores never runs the model. */
  keep_residuals = dassie_config_get_boolean (config, "scores.reconstruction");
  if (keep_residuals)
    {
      residuals.n_bands = model_config.channels;
      residuals.plane = (gsize) model_config.height * model_config.width;
      residuals.quantiles = quantiles;
      residuals.n_quantiles = dassie_residual_quantiles_for (dassie_config_get_double (config, "scores.residual_quantile"),
                                                             quantiles);
      reconstruction = g_new (float, (gsize) MIN (ENCODE_SLICE, batch_size) * sample);
      residual_values = g_new (float, MAX ((gsize) n * residuals.n_quantiles, 1));
      residual_mse = g_new (float, MAX (n, 1));
    }

  start = g_get_monotonic_time ();
  dassie_eta_start (&eta);
  for (guint done = 0; done < n; done += (guint) batch_size)
    {
      guint count = MIN ((guint) batch_size, n - done);

      if (!dassie_dataset_read_objects (set, indices + done, count, TRUE, batch, cancellable, error))
        goto fail;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      /* In slices, so that a cancel is seen within a fraction of a second even at batch size 512;
       * a slice is a whole number of the encoder's own chunks, so the latents are the same. */
      dassie_blas_single_begin ();
      for (guint slice = 0; slice < count; slice += ENCODE_SLICE)
        {
          if (g_cancellable_is_cancelled (cancellable))
            break;
          residuals.values = residual_values + (gsize) (done + slice) * residuals.n_quantiles;
          residuals.mse = residual_mse + done + slice;
          encode_slice (model, batch + (gsize) slice * sample, MIN (ENCODE_SLICE, count - slice),
                        latents + (gsize) (done + slice) * model_config.latent_dim,
                        keep_residuals ? &residuals : NULL, reconstruction, threads);
        }
      dassie_blas_single_end ();
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;

      if (progress != NULL)
        {
          DassieProgress p = { "infer", (double) (done + count) / n, -1, -1, NULL };
          g_autofree char *message = NULL;

          dassie_eta_update (&eta, done + count, n, &p.rate, &p.eta_seconds);
          message = g_strdup_printf (_("%u of %u objects"), done + count, n);
          p.message = message;
          progress (&p, user_data);
        }
    }

  result->seconds = (g_get_monotonic_time () - start) / 1e6;
  table_path = dassie_run_build_path (run, "latents.fits");
  if (!dassie_table_write_vectors (table_path, ids, n, "LATENT", latents, model_config.latent_dim, error) ||
      (keep_residuals &&
       !dassie_residuals_append (table_path, n, quantiles, residuals.n_quantiles, residual_values, residual_mse, error)) ||
      !dassie_run_commit (run, error))
    goto fail;

  result->run_dir = g_strdup (dassie_run_get_dir (run));
  result->weights_path = g_steal_pointer (&weights_path);
  result->n_objects = n;
  result->n_skipped = dassie_dataset_get_skipped (set)->len;
  result->latent_dim = model_config.latent_dim;
  result->samples_per_second = result->seconds > 0 ? n / result->seconds : 0;
  return TRUE;

fail:
  dassie_run_discard (run);
  return FALSE;
}
