/* dassie-reconstruction.c: a few validation objects beside a trained autoencoder's reconstruction
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-autoencoder.h"
#include "dassie-reconstruction.h"
#include "dassie-train.h"

void
dassie_reconstructions_free (DassieReconstructions *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->object_ids);
  g_free (self->inputs);
  g_free (self->reconstructions);
  g_free (self->errors);
  g_free (self->display);
  g_free (self);
}

const float *
dassie_reconstructions_get_input (const DassieReconstructions *self,
                                  guint                        i)
{
  g_return_val_if_fail (self != NULL && i < self->n, NULL);
  return self->inputs + (gsize) i * self->n_bands * self->width * self->height;
}

const float *
dassie_reconstructions_get_output (const DassieReconstructions *self,
                                   guint                        i)
{
  g_return_val_if_fail (self != NULL && i < self->n, NULL);
  return self->reconstructions + (gsize) i * self->n_bands * self->width * self->height;
}

/* The first @max indices of the run's validation split, else of its training split, and the data
 * set they index when split.json names it. */
static GArray *
read_split (const char  *run_dir,
            guint        max,
            char       **data_location,
            GError     **error)
{
  g_autoptr(GArray) indices = dassie_train_read_split (run_dir, "validate", data_location, error);

  if (indices != NULL && indices->len == 0)
    {
      g_clear_pointer (&indices, g_array_unref);
      g_clear_pointer (data_location, g_free);
      indices = dassie_train_read_split (run_dir, "train", data_location, error);
    }
  if (indices != NULL && indices->len > max)
    g_array_set_size (indices, max);
  return g_steal_pointer (&indices);
}

/* The input's limits for both pictures, so that a faint reconstruction looks faint. */
static void
fix_limits (DassieDisplayOptions *options,
            const float          *cube,
            guint                 n_bands,
            gsize                 plane)
{
  g_autofree float *mean = NULL;
  double low, high;

  if (options->mode != DASSIE_DISPLAY_LUPTON)
    return;
  mean = g_new (float, plane);
  for (gsize p = 0; p < plane; p++)
    {
      double sum = 0;
      for (guint c = 0; c < 3; c++)
        sum += cube[(gsize) MIN (options->rgb_bands[c], n_bands - 1) * plane + p];
      mean[p] = (float) (sum / 3);
    }
  if (dassie_display_compute_limits (mean, plane, options, &low, &high) && high > low)
    {
      options->lupton_minimum = low;
      options->lupton_range = high - low;
    }
}

/* The run's final weights in a model of the data set's shape. */
static DassieAutoencoder *
load_model (const DassieConfig  *config,
            const char          *run_dir,
            DassieDataset       *set,
            GError             **error)
{
  g_autofree char *weights_name = g_path_get_basename (dassie_config_get_string (config, "train.weights_filename"));
  g_autofree char *weights = g_build_filename (run_dir, weights_name, NULL);
  DassieAutoencoderConfig model_config = { 0 };
  g_autoptr(DassieAutoencoder) model = NULL;

  if (!dassie_autoencoder_config_from_config (&model_config, config, error))
    return NULL;
  model_config.channels = dassie_dataset_get_n_bands (set);
  model_config.width = dassie_dataset_get_width (set);
  model_config.height = dassie_dataset_get_height (set);
  if (!dassie_autoencoder_config_from_weights (&model_config, weights, error) ||
      (model = dassie_autoencoder_new (&model_config, error)) == NULL ||
      !dassie_autoencoder_load_weights (model, weights, error))
    return NULL;
  dassie_autoencoder_set_threads (model, 1);
  return g_steal_pointer (&model);
}

static DassieReconstructions *
reconstruct (const char          *run_dir,
             const DassieConfig  *config,
             DassieDataset       *set,
             const DassieDatasetOptions *options,
             GArray              *indices,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(DassieAutoencoder) model = NULL;
  g_autofree float *x = NULL;
  DassieReconstructions *self;
  guint n = indices->len;
  gsize plane, sample;

  for (guint i = 0; i < n; i++)
    if (g_array_index (indices, guint, i) >= dassie_dataset_get_n_objects (set))
      {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     _("The split of “%s” does not fit the data set in “%s”: it has changed since training."),
                     run_dir, dassie_dataset_get_dir (set));
        return NULL;
      }

  model = load_model (config, run_dir, set, error);
  if (model == NULL)
    return NULL;

  self = g_new0 (DassieReconstructions, 1);
  self->n = n;
  self->n_bands = dassie_dataset_get_n_bands (set);
  self->width = dassie_dataset_get_width (set);
  self->height = dassie_dataset_get_height (set);
  plane = (gsize) self->width * self->height;
  sample = self->n_bands * plane;
  self->object_ids = g_new0 (char *, n + 1);
  self->inputs = g_new (float, MAX (n, 1) * sample);
  self->reconstructions = g_new (float, MAX (n, 1) * sample);
  self->errors = g_new0 (double, MAX (n, 1));
  self->display = g_new0 (DassieDisplayOptions, MAX (n, 1));
  x = g_new (float, MAX (n, 1) * sample);

  if (!dassie_dataset_read_objects (set, (guint *) indices->data, n, FALSE, self->inputs, cancellable, error) ||
      !dassie_dataset_read_objects (set, (guint *) indices->data, n, TRUE, x, cancellable, error))
    {
      dassie_reconstructions_free (self);
      return NULL;
    }
  if (n > 0)
    dassie_autoencoder_forward (model, x, n, NULL, self->reconstructions);

  for (guint i = 0; i < n; i++)
    {
      float *out = self->reconstructions + i * sample;
      double sum = 0;

      for (gsize p = 0; p < sample; p++)
        {
          double d = (double) out[p] - x[i * sample + p];
          sum += d * d;
        }
      /* Back to the data's units with the statistics that the normalisation took from the input. */
      for (guint b = 0; b < self->n_bands; b++)
        dassie_dataset_invert_band (options, self->inputs + i * sample + b * plane, plane, out + b * plane);
      self->errors[i] = sum / sample;
      self->object_ids[i] = g_strdup (dassie_dataset_get_object_id (set, g_array_index (indices, guint, i)));
      dassie_display_options_for_dataset (&self->display[i], set);
      fix_limits (&self->display[i], self->inputs + i * sample, self->n_bands, plane);
    }
  return self;
}

DassieReconstructions *
dassie_reconstruct (const char     *run_dir,
                    DassieDataset  *dataset,
                    guint           max_objects,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(DassieDataset) set = NULL;
  g_autoptr(GArray) indices = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *location = NULL;
  g_autofree char *split_location = NULL;
  DassieDatasetOptions options;
  DassieReconstructions *self = NULL;

  g_return_val_if_fail (run_dir != NULL, NULL);

  config_path = g_build_filename (run_dir, "config.json", NULL);
  if (!dassie_config_load_file (config, config_path, error))
    return NULL;

  requests = dassie_config_get_data_requests (config, "train");
  if (requests->len == 0 || ((DassieDataRequest *) g_ptr_array_index (requests, 0))->data_location == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("“%s” names no training data."), config_path);
      return NULL;
    }
  location = g_canonicalize_filename (((DassieDataRequest *) g_ptr_array_index (requests, 0))->data_location, NULL);

  /* The validation objects may come from a data set of their own. */
  indices = read_split (run_dir, max_objects, &split_location, error);
  if (indices == NULL)
    return NULL;
  if (split_location != NULL)
    {
      g_free (location);
      location = g_canonicalize_filename (split_location, NULL);
    }

  dassie_dataset_options_init (&options);
  if (!dassie_dataset_options_from_config (&options, config, error))
    goto out;

  if (dataset != NULL && g_strcmp0 (dassie_dataset_get_dir (dataset), location) == 0)
    set = dassie_dataset_ref (dataset);
  else
    set = dassie_dataset_open (location, &options, cancellable, error);
  if (set != NULL)
    self = reconstruct (run_dir, config, set, &options, indices, cancellable, error);

out:
  dassie_dataset_options_clear (&options);
  return self;
}
