/* dassie-reconstruction.c: a few validation objects beside a trained autoencoder's reconstruction
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "dassie-autoencoder.h"
#include "dassie-cutout-item.h"
#include "dassie-reconstruction.h"

void
dassie_reconstructions_free (DassieReconstructions *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->n; i++)
    {
      g_clear_object (&self->inputs[i]);
      g_clear_object (&self->reconstructions[i]);
    }
  g_strfreev (self->object_ids);
  g_free (self->inputs);
  g_free (self->reconstructions);
  g_free (self->errors);
  g_free (self);
}

/* The first @max indices of split.json's validation part, else of its training part. */
static GArray *
read_split (const char  *run_dir,
            guint        max,
            GError     **error)
{
  g_autofree char *path = g_build_filename (run_dir, "split.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GArray *indices = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *members[] = { "validate_indices", "train_indices" };
  JsonObject *root;

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_array_unref (indices);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("“%s” is not a split file."), path);
      g_array_unref (indices);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));

  for (guint m = 0; m < G_N_ELEMENTS (members) && indices->len == 0; m++)
    {
      JsonArray *array = json_object_has_member (root, members[m])
                         ? json_object_get_array_member (root, members[m]) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array) && indices->len < max; i++)
        {
          guint index = (guint) json_array_get_int_element (array, i);
          g_array_append_val (indices, index);
        }
    }
  return indices;
}

static float
untransform (DassieTransform transform,
             float           value)
{
  switch (transform)
    {
    case DASSIE_TRANSFORM_TANH:
      return atanhf (CLAMP (value, -0.999999f, 0.999999f));
    case DASSIE_TRANSFORM_ARCSINH:
      return sinhf (value);
    case DASSIE_TRANSFORM_NONE:
    default:
      return value;
    }
}

static GdkTexture *
render (const float                *cube,
        guint                       n_bands,
        guint                       width,
        guint                       height,
        const DassieDisplayOptions *options)
{
  gsize stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, width);
  g_autofree guint8 *pixels = g_malloc0 (stride * height);

  dassie_display_render (cube, n_bands, width, height, options, pixels, stride);
  return dassie_texture_new_from_argb32 (pixels, width, height, stride);
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

DassieReconstructions *
dassie_reconstruct (const char     *run_dir,
                    DassieDataset  *dataset,
                    guint           max_objects,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(DassieDataset) set = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  g_autoptr(GArray) indices = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *weights_name = NULL;
  g_autofree char *weights = NULL;
  g_autofree char *location = NULL;
  g_autofree float *raw = NULL;
  g_autofree float *x = NULL;
  g_autofree float *y = NULL;
  DassieAutoencoderConfig model_config = { 0 };
  DassieDatasetOptions options;
  DassieDisplayOptions display;
  DassieReconstructions *self;
  guint nb, w, h, n;
  gsize sample;

  g_return_val_if_fail (run_dir != NULL, NULL);

  config_path = g_build_filename (run_dir, "config.json", NULL);
  if (!dassie_config_load_file (config, config_path, error))
    return NULL;
  weights_name = g_path_get_basename (dassie_config_get_string (config, "train.weights_filename"));
  weights = g_build_filename (run_dir, weights_name, NULL);

  requests = dassie_config_get_data_requests (config, "train");
  if (requests->len == 0 || ((DassieDataRequest *) g_ptr_array_index (requests, 0))->data_location == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("“%s” names no training data."), config_path);
      return NULL;
    }
  location = g_canonicalize_filename (((DassieDataRequest *) g_ptr_array_index (requests, 0))->data_location, NULL);

  dassie_dataset_options_init (&options);
  if (!dassie_dataset_options_from_config (&options, config, error))
    return NULL;

  if (dataset != NULL && g_strcmp0 (dassie_dataset_get_dir (dataset), location) == 0)
    set = dassie_dataset_ref (dataset);
  else
    set = dassie_dataset_open (location, &options, cancellable, error);
  if (set == NULL)
    {
      dassie_dataset_options_clear (&options);
      return NULL;
    }

  indices = read_split (run_dir, max_objects, error);
  if (indices == NULL)
    {
      dassie_dataset_options_clear (&options);
      return NULL;
    }
  n = indices->len;
  for (guint i = 0; i < n; i++)
    if (g_array_index (indices, guint, i) >= dassie_dataset_get_n_objects (set))
      {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     _("The split of “%s” does not fit the data set in “%s”: it has changed since training."),
                     run_dir, location);
        dassie_dataset_options_clear (&options);
        return NULL;
      }

  nb = dassie_dataset_get_n_bands (set);
  w = dassie_dataset_get_width (set);
  h = dassie_dataset_get_height (set);
  sample = (gsize) nb * w * h;

  if (!dassie_autoencoder_config_from_config (&model_config, config, error))
    {
      dassie_dataset_options_clear (&options);
      return NULL;
    }
  model_config.channels = nb;
  model_config.width = w;
  model_config.height = h;
  if (!dassie_autoencoder_config_from_weights (&model_config, weights, error) ||
      (model = dassie_autoencoder_new (&model_config, error)) == NULL ||
      !dassie_autoencoder_load_weights (model, weights, error))
    {
      dassie_dataset_options_clear (&options);
      return NULL;
    }
  dassie_autoencoder_set_threads (model, 1);

  raw = g_new (float, MAX (n, 1) * sample);
  x = g_new (float, MAX (n, 1) * sample);
  y = g_new (float, MAX (n, 1) * sample);
  if (!dassie_dataset_read_objects (set, (guint *) indices->data, n, FALSE, raw, cancellable, error) ||
      !dassie_dataset_read_objects (set, (guint *) indices->data, n, TRUE, x, cancellable, error))
    {
      dassie_dataset_options_clear (&options);
      return NULL;
    }
  if (n > 0)
    dassie_autoencoder_forward (model, x, n, NULL, y);

  self = g_new0 (DassieReconstructions, 1);
  self->n = n;
  self->object_ids = g_new0 (char *, n + 1);
  self->inputs = g_new0 (GdkTexture *, MAX (n, 1));
  self->reconstructions = g_new0 (GdkTexture *, MAX (n, 1));
  self->errors = g_new0 (double, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const float *in = raw + i * sample;
      float *out = y + i * sample;
      double sum = 0;

      for (gsize p = 0; p < sample; p++)
        {
          double d = (double) out[p] - x[i * sample + p];
          sum += d * d;
          out[p] = untransform (options.transform, out[p]);
        }
      self->errors[i] = sum / sample;
      self->object_ids[i] = g_strdup (dassie_dataset_get_object_id (set, g_array_index (indices, guint, i)));

      dassie_display_options_for_dataset (&display, set);
      fix_limits (&display, in, nb, (gsize) w * h);
      self->inputs[i] = render (in, nb, w, h, &display);
      self->reconstructions[i] = render (out, nb, w, h, &display);
    }

  dassie_dataset_options_clear (&options);
  return self;
}
