/* dassie-residual.c: why an object stands out: its cutout, the model's reconstruction of it and the
 * difference, from the model that made the latent vectors a scores run scored
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "dassie-autoencoder.h"
#include "dassie-residual.h"
#include "dassie-residuals.h"
#include "dassie-results.h"

void
dassie_residual_free (DassieResidual *self)
{
  if (self == NULL)
    return;
  g_free (self->object_id);
  g_free (self->input);
  g_free (self->reconstruction);
  g_free (self->residual);
  g_free (self->weights_path);
  g_free (self->infer_run);
  g_free (self);
}

const float *
dassie_residual_get_band (const DassieResidual *self,
                          const float          *cube,
                          guint                 band)
{
  g_return_val_if_fail (self != NULL && cube != NULL, NULL);
  g_return_val_if_fail (band < self->n_bands, NULL);
  return cube + (gsize) band * self->width * self->height;
}

static DassieConfig *
load_config (const char  *dir,
             GError     **error)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);

  if (!dassie_config_load_file (config, path, error))
    return NULL;
  return g_steal_pointer (&config);
}

/* The model behind @scores: the weights of its infer run, the configuration that trained them (for
 * the model's shape; the infer run's when the train run is gone) and the infer run's (for the input
 * transform, as infer read the objects). */
static gboolean
find_model (const char    *scores,
            char         **infer_run,
            char         **weights_path,
            DassieConfig **train_config,
            DassieConfig **infer_config_out,
            GError       **error)
{
  g_autofree char *latents = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *original = NULL;
  g_autofree char *train_dir = NULL;
  g_autoptr(DassieConfig) infer_config = NULL;
  g_autoptr(DassieConfig) config = NULL;
  const char *configured;

  if (!dassie_run_read_input (scores, &latents, NULL) || latents == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” does not record which latent vectors it scored, so the model that made them is "
                     "unknown. Compute the scores again to see reconstructions."), scores);
      return FALSE;
    }
  *infer_run = g_path_get_dirname (latents);
  /* A results folder moved as a whole keeps the infer run beside the scores run. */
  if (!g_file_test (*infer_run, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *scores_dir = g_file_test (scores, G_FILE_TEST_IS_DIR) ? g_strdup (scores)
                                                                            : g_path_get_dirname (scores);
      g_autofree char *results = g_path_get_dirname (scores_dir);
      g_autofree char *name = g_path_get_basename (*infer_run);
      g_autofree char *beside = g_build_filename (results, name, NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_DIR))
        {
          g_free (*infer_run);
          *infer_run = g_steal_pointer (&beside);
        }
    }
  infer_config = load_config (*infer_run, NULL);
  if (infer_config == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The infer run “%s” that made these latent vectors has no readable config.json: it was "
                     "moved or deleted. Run Infer again to see reconstructions."), *infer_run);
      return FALSE;
    }

  /* The copy is exactly what encoded the objects; the original may have moved since. */
  copy = g_build_filename (*infer_run, "weights.safetensors", NULL);
  configured = dassie_config_get_string (infer_config, "infer.model_weights_file");
  original = configured != NULL && *configured != 0 ? g_canonicalize_filename (configured, *infer_run) : NULL;
  if (g_file_test (copy, G_FILE_TEST_IS_REGULAR))
    *weights_path = g_steal_pointer (&copy);
  else if (original != NULL && g_file_test (original, G_FILE_TEST_IS_REGULAR))
    *weights_path = g_strdup (original);
  else
    {
      if (original != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("The weights that made these latent vectors are missing: neither “%s” nor “%s” exists. "
                       "Put the weights file back, or run Infer and Scores again with a trained model."),
                     copy, original);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("The weights that made these latent vectors are missing: “%s” does not exist. "
                       "Put the weights file back, or run Infer and Scores again with a trained model."),
                     copy);
      return FALSE;
    }

  /* The train run beside the original weights knows the final layer and the input transform. */
  if (original != NULL)
    {
      train_dir = g_path_get_dirname (original);
      config = load_config (train_dir, NULL);
    }
  *train_config = config != NULL ? g_steal_pointer (&config) : dassie_config_copy (infer_config);
  *infer_config_out = g_steal_pointer (&infer_config);
  return TRUE;
}

static DassieAutoencoder *
load_model (const DassieConfig  *config,
            const char          *weights,
            DassieDataset       *dataset,
            GError             **error)
{
  DassieAutoencoderConfig model_config = { 0 };
  g_autoptr(DassieAutoencoder) model = NULL;

  if (!dassie_autoencoder_config_from_config (&model_config, config, error) ||
      !dassie_autoencoder_config_from_weights (&model_config, weights, error))
    return NULL;
  if (model_config.channels != dassie_dataset_get_n_bands (dataset))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The weights in “%s” take %u bands but the data in “%s” has %u."), weights,
                   model_config.channels, dassie_dataset_get_dir (dataset), dassie_dataset_get_n_bands (dataset));
      return NULL;
    }
  model_config.width = dassie_dataset_get_width (dataset);
  model_config.height = dassie_dataset_get_height (dataset);
  if ((model = dassie_autoencoder_new (&model_config, error)) == NULL ||
      !dassie_autoencoder_load_weights (model, weights, error))
    return NULL;
  dassie_autoencoder_set_threads (model, 1);
  return g_steal_pointer (&model);
}

/* The model's output back in the data's units, band by band, as the data set's normalisation maps
 * them: the per-pixel transform (Hyrax's tanh by default). A per-band normalisation that takes its
 * statistics from each cutout inverts with those of @input, as dassie_reconstruct() does. */
static void
to_data_units (const DassieDatasetOptions *options,
               const float                *input,
               guint                       n_bands,
               gsize                       plane,
               float                      *values)
{
  for (guint b = 0; b < n_bands; b++)
    dassie_dataset_invert_band (options, input + b * plane, plane, values + b * plane);
}

static DassieResidual *
reconstruct_object (const char                 *scores,
                    DassieDataset              *dataset,
                    guint                       index,
                    DassieAutoencoder          *model,
                    const DassieDatasetOptions *options,
                    GCancellable               *cancellable,
                    GError                    **error)
{
  g_autoptr(DassieResidual) self = g_new0 (DassieResidual, 1);
  g_autoptr(DassieConfig) scores_config = NULL;
  g_autofree char *scores_dir = NULL;
  g_autofree float *x = NULL;
  g_autofree float *scratch = NULL;
  gsize sample, plane;
  double sum = 0;
  float z;

  self->object_id = g_strdup (dassie_dataset_get_object_id (dataset, index));
  self->n_bands = dassie_dataset_get_n_bands (dataset);
  self->width = dassie_dataset_get_width (dataset);
  self->height = dassie_dataset_get_height (dataset);
  plane = (gsize) self->width * self->height;
  sample = self->n_bands * plane;
  self->input = g_new (float, sample);
  self->reconstruction = g_new (float, sample);
  self->residual = g_new (float, sample);
  x = g_new (float, sample);

  /* The model's input exactly as infer read it; the picture as the grids show it. */
  if (!dassie_dataset_read_objects (dataset, &index, 1, FALSE, self->input, cancellable, error) ||
      !dassie_dataset_read_objects (dataset, &index, 1, TRUE, x, cancellable, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  dassie_autoencoder_forward (model, x, 1, NULL, self->reconstruction);

  /* The residual in noise units as the scores run measured it (its quantile, else the default). */
  scores_dir = g_file_test (scores, G_FILE_TEST_IS_DIR) ? g_strdup (scores) : g_path_get_dirname (scores);
  scores_config = load_config (scores_dir, NULL);
  if (scores_config == NULL)
    scores_config = dassie_config_new ();
  self->noise_quantile = dassie_config_get_double (scores_config, "scores.residual_quantile");
  scratch = g_new (float, sample);
  dassie_residual_stats (x, self->reconstruction, self->n_bands, plane, &self->noise_quantile, 1, scratch, &z);
  self->noise_residual = z;

  for (gsize p = 0; p < sample; p++)
    {
      double d = (double) self->reconstruction[p] - x[p];

      sum += d * d;
    }
  self->error = sum / sample;
  to_data_units (options, self->input, self->n_bands, plane, self->reconstruction);
  for (gsize p = 0; p < sample; p++)
    self->residual[p] = self->input[p] - self->reconstruction[p];
  return g_steal_pointer (&self);
}

DassieResidual *
dassie_residual_compute (const char     *scores,
                         DassieDataset  *dataset,
                         guint           index,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(DassieConfig) config = NULL;
  g_autoptr(DassieConfig) infer_config = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  g_autofree char *infer_run = NULL;
  g_autofree char *weights = NULL;
  DassieResidual *self = NULL;
  DassieDatasetOptions options;

  g_return_val_if_fail (scores != NULL, NULL);
  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (index < dassie_dataset_get_n_objects (dataset), NULL);

  if (!find_model (scores, &infer_run, &weights, &config, &infer_config, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  dassie_dataset_options_init (&options);
  if (dassie_dataset_options_from_config (&options, infer_config, error) &&
      (model = load_model (config, weights, dataset, error)) != NULL)
    self = reconstruct_object (scores, dataset, index, model, &options, cancellable, error);
  dassie_dataset_options_clear (&options);
  if (self != NULL)
    {
      self->weights_path = g_steal_pointer (&weights);
      self->infer_run = g_steal_pointer (&infer_run);
    }
  return self;
}

void
dassie_residual_band_limits (const DassieResidual       *self,
                             guint                       band,
                             const DassieDisplayOptions *options,
                             double                     *low,
                             double                     *high)
{
  const float *input;
  gsize plane;

  g_return_if_fail (self != NULL && band < self->n_bands);
  g_return_if_fail (options != NULL && low != NULL && high != NULL);

  input = dassie_residual_get_band (self, self->input, band);
  plane = (gsize) self->width * self->height;
  if (!dassie_display_compute_limits (input, plane, options, low, high))
    *low = *high = 0;
}

static int
compare_float (const void *a,
               const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

double
dassie_residual_amplitude (const DassieResidual *self,
                           double                percentile)
{
  gsize sample, m = 0;
  g_autofree float *magnitude = NULL;
  double position, amplitude;
  gsize below;

  g_return_val_if_fail (self != NULL, 1);

  sample = (gsize) self->n_bands * self->width * self->height;
  magnitude = g_new (float, MAX (sample, 1));
  for (gsize p = 0; p < sample; p++)
    if (isfinite (self->residual[p]))
      magnitude[m++] = fabsf (self->residual[p]);
  if (m == 0)
    return 1;
  qsort (magnitude, m, sizeof (float), compare_float);
  /* Linear interpolation between the closest ranks, as numpy's percentile. */
  position = CLAMP (percentile, 0, 100) / 100 * (m - 1);
  below = (gsize) floor (position);
  amplitude = magnitude[below];
  if (below + 1 < m)
    amplitude += (position - below) * (magnitude[below + 1] - magnitude[below]);
  if (!(amplitude > 0))
    amplitude = magnitude[m - 1] > 0 ? magnitude[m - 1] : 1;
  return amplitude;
}

static guint32
premultiplied (guint32 argb)
{
  guint a = argb >> 24;
  guint r = ((argb >> 16) & 0xff) * a / 255;
  guint g = ((argb >> 8) & 0xff) * a / 255;
  guint b = (argb & 0xff) * a / 255;

  return (guint32) a << 24 | r << 16 | g << 8 | b;
}

typedef guint32 (*PixelFunc) (double value, gconstpointer data);

/* Every pixel through @func into a new surface, the last FITS row on top. */
static cairo_surface_t *
render_pixels (const float   *pixels,
               guint          width,
               guint          height,
               guint32        nan_color,
               PixelFunc      func,
               gconstpointer  data)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) width, (int) height);
  guint32 nan_pixel = premultiplied (nan_color);
  guint8 *dest;
  int stride;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  dest = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (guint y = 0; y < height; y++)
    {
      const float *src = pixels + (gsize) y * width;
      guint32 *out = (guint32 *) (gpointer) (dest + (gsize) (height - 1 - y) * stride);

      for (guint x = 0; x < width; x++)
        out[x] = isfinite (src[x]) ? 0xff000000u | func (src[x], data) : nan_pixel;
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

typedef struct
{
  DassieStretch stretch;
  double        low;
  double        scale;
} GreyMap;

static guint32
grey_pixel (double        value,
            gconstpointer data)
{
  const GreyMap *map = data;
  guint v = (guint) lround (255.0 * dassie_display_stretch (map->stretch, (value - map->low) * map->scale));

  return v << 16 | v << 8 | v;
}

cairo_surface_t *
dassie_display_render_band_between (const float   *pixels,
                                    guint          width,
                                    guint          height,
                                    DassieStretch  stretch,
                                    double         low,
                                    double         high,
                                    guint32        nan_color)
{
  GreyMap map = { stretch, low, high > low ? 1.0 / (high - low) : 0 };

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  return render_pixels (pixels, width, height, nan_color, grey_pixel, &map);
}

typedef struct
{
  DassieStretch stretch;
  double        amplitude;
} DivergingMap;

/* ColorBrewer's RdBu ends; white in the middle. */
static const guint8 positive_end[3] = { 0xb2, 0x18, 0x2b };
static const guint8 negative_end[3] = { 0x21, 0x66, 0xac };

guint32
dassie_display_diverging_color (DassieStretch stretch,
                                double        amplitude,
                                double        value)
{
  const guint8 *end = value >= 0 ? positive_end : negative_end;
  double t = amplitude > 0 ? dassie_display_stretch (stretch, fabs (value) / amplitude) : 0;
  guint32 color = 0;

  for (guint c = 0; c < 3; c++)
    color = color << 8 | (guint32) lround (255.0 + t * (end[c] - 255.0));
  return color;
}

static guint32
diverging_pixel (double        value,
                 gconstpointer data)
{
  const DivergingMap *map = data;

  return dassie_display_diverging_color (map->stretch, map->amplitude, value);
}

cairo_surface_t *
dassie_display_render_diverging (const float   *pixels,
                                 guint          width,
                                 guint          height,
                                 DassieStretch  stretch,
                                 double         amplitude,
                                 guint32        nan_color)
{
  DivergingMap map = { stretch, amplitude };

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  return render_pixels (pixels, width, height, nan_color, diverging_pixel, &map);
}
