/* test-residual.c: an object's reconstruction from the model behind a scores run, against the train
 * run's own reconstructions; missing weights; the fixed and diverging stretches pixel by pixel
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-test-train.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-infer.h"
#include "dassie-reconstruction.h"
#include "dassie-residual.h"
#include "dassie-scores.h"
#include "dassie-train.h"

#define N_OBJECTS 24
#define SIZE 16
#define MAX_SHOWN 4

static char *root;
static char *data_dir;
static char *results;
static char *train_run;
static char *infer_run;
static char *scores_run;

static DassieConfig *
small_config (void)
{
  DassieConfig *config = dassie_test_small_config (data_dir, results, 1, 2);

  dassie_config_set_int (config, "scores.k", 3);
  return config;
}

/* Train, infer and score the demo set once for every test. */
static void
make_runs (void)
{
  g_autoptr(DassieConfig) config = small_config ();
  g_autoptr(GError) error = NULL;
  DassieTrainResult trained = { 0 };
  DassieInferResult inferred = { 0 };
  DassieScoresResult scored = { 0 };

  g_assert_true (dassie_train (config, NULL, NULL, NULL, &trained, &error));
  g_assert_no_error (error);
  train_run = g_strdup (trained.run_dir);
  g_assert_true (dassie_infer (config, train_run, NULL, NULL, NULL, &inferred, &error));
  g_assert_no_error (error);
  infer_run = g_strdup (inferred.run_dir);
  g_assert_true (dassie_scores_run (config, infer_run, NULL, NULL, NULL, &scored, &error));
  g_assert_no_error (error);
  scores_run = g_strdup (scored.run_dir);
  dassie_train_result_clear (&trained);
  dassie_infer_result_clear (&inferred);
  dassie_scores_result_clear (&scored);
}

static DassieDataset *
open_data (void)
{
  g_autoptr(GError) error = NULL;
  DassieDatasetOptions options;
  DassieDataset *set;

  dassie_dataset_options_init (&options);
  set = dassie_dataset_open (data_dir, &options, NULL, &error);
  dassie_dataset_options_clear (&options);
  g_assert_no_error (error);
  return set;
}

/* The objects that the train run reconstructs itself (its validation split, by another path through
 * the run folders) come out the same from the scores run. */
static void
test_matches_train_run (void)
{
  g_autoptr(DassieDataset) set = open_data ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieReconstructions) reference = dassie_reconstruct (train_run, set, MAX_SHOWN, NULL, &error);
  g_autofree char *copy = g_build_filename (infer_run, "weights.safetensors", NULL);
  g_autoptr(DassieScores) scores = dassie_scores_read (scores_run, &error);
  const float *recon_score, *mse_score;
  gsize sample = 3 * SIZE * SIZE;

  g_assert_no_error (error);
  g_assert_cmpuint (reference->n, >, 0);
  /* The scores run's reconstruction scores, which infer measured on its own decoding of the latents. */
  recon_score = dassie_scores_get_column (scores, "reconstruction");
  mse_score = dassie_scores_get_column (scores, "mse");
  g_assert_nonnull (recon_score);
  g_assert_nonnull (mse_score);
  for (guint i = 0; i < reference->n; i++)
    {
      int index = dassie_dataset_find_object (set, reference->object_ids[i]);
      g_autoptr(DassieResidual) r = NULL;
      const float *expected = dassie_reconstructions_get_output (reference, i);
      double max_residual = 0;

      g_assert_cmpint (index, >=, 0);
      r = dassie_residual_compute (scores_run, set, (guint) index, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (r->object_id, ==, reference->object_ids[i]);
      g_assert_cmpuint (r->n_bands, ==, 3);
      g_assert_cmpuint (r->width, ==, SIZE);
      g_assert_cmpuint (r->height, ==, SIZE);
      g_assert_cmpstr (r->weights_path, ==, copy);
      g_assert_cmpstr (r->infer_run, ==, infer_run);
      g_assert_cmpmem (r->input, sample * sizeof (float), dassie_reconstructions_get_input (reference, i),
                       sample * sizeof (float));
      g_assert_cmpfloat_with_epsilon (r->error, reference->errors[i], 1e-6 * reference->errors[i]);
      /* The scores' row of this object: the same residual in noise units as the score ranks by. */
      {
        guint row = 0;

        while (row < scores->n_rows && g_strcmp0 (scores->ids[row], r->object_id) != 0)
          row++;
        g_assert_cmpuint (row, <, scores->n_rows);
        g_assert_cmpfloat (r->noise_quantile, ==, 0.99);
        g_assert_cmpfloat_with_epsilon (r->noise_residual, recon_score[row], 1e-3 * MAX (1, recon_score[row]));
        g_assert_cmpfloat_with_epsilon (r->error, mse_score[row], 1e-4 * mse_score[row]);
      }
      for (gsize p = 0; p < sample; p++)
        {
          /* In the model's units (tanh), where batch sizes and kernels differ by rounding only. */
          g_assert_cmpfloat_with_epsilon (tanh (r->reconstruction[p]), tanh (expected[p]), 1e-5);
          g_assert_cmpfloat (r->residual[p], ==, r->input[p] - r->reconstruction[p]);
          max_residual = MAX (max_residual, fabs (r->residual[p]));
        }
      /* Two epochs do not make a perfect model: the residual is not all zero. */
      g_assert_cmpfloat (max_residual, >, 0);
    }
}

static void
assert_missing (DassieDataset *set,
                const char    *name_1,
                const char    *name_2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieResidual) r = dassie_residual_compute (scores_run, set, 0, NULL, &error);

  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, name_1));
  if (name_2 != NULL)
    g_assert_nonnull (strstr (error->message, name_2));
}

/* Without the infer run's copy the original weights do; without either, an error names both. */
static void
test_missing_weights (void)
{
  g_autoptr(DassieDataset) set = open_data ();
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = g_build_filename (infer_run, "weights.safetensors", NULL);
  g_autofree char *original = g_build_filename (train_run, "weights.safetensors", NULL);
  g_autofree char *copy_moved = g_strconcat (copy, ".moved", NULL);
  g_autofree char *original_moved = g_strconcat (original, ".moved", NULL);
  g_autofree char *json = g_build_filename (scores_run, "scores.json", NULL);
  g_autofree char *json_moved = g_strconcat (json, ".moved", NULL);
  g_autoptr(DassieResidual) r = NULL;

  g_assert_cmpint (g_rename (copy, copy_moved), ==, 0);
  r = dassie_residual_compute (scores_run, set, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->weights_path, ==, original);

  g_assert_cmpint (g_rename (original, original_moved), ==, 0);
  assert_missing (set, copy, original);
  g_assert_cmpint (g_rename (original_moved, original), ==, 0);
  g_assert_cmpint (g_rename (copy_moved, copy), ==, 0);

  /* A scores run that does not say what it scored. */
  g_assert_cmpint (g_rename (json, json_moved), ==, 0);
  assert_missing (set, scores_run, NULL);
  g_assert_cmpint (g_rename (json_moved, json), ==, 0);
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);

  cairo_surface_flush (surface);
  return ((const guint32 *) (gconstpointer) (data + y * cairo_image_surface_get_stride (surface)))[x];
}

/* Fixed limits: low black, high white, clipped outside, FITS row 0 at the bottom. */
static void
test_render_between (void)
{
  const float pixels[] = { 2, 4, 6, 10,     /* FITS row 0 */
                           0, NAN, 12, 3 }; /* FITS row 1 */
  cairo_surface_t *surface = dassie_display_render_band_between (pixels, 4, 2, DASSIE_STRETCH_LINEAR, 2, 10,
                                                                 0xff00ff00);

  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 4);
  g_assert_cmphex (pixel_at (surface, 0, 1), ==, 0xff000000);
  /* (4 − 2) / 8 = 0.25 → 63.75 */
  g_assert_cmphex (pixel_at (surface, 1, 1), ==, 0xff404040);
  g_assert_cmphex (pixel_at (surface, 2, 1), ==, 0xff808080);
  g_assert_cmphex (pixel_at (surface, 3, 1), ==, 0xffffffff);
  g_assert_cmphex (pixel_at (surface, 0, 0), ==, 0xff000000);
  g_assert_cmphex (pixel_at (surface, 1, 0), ==, 0xff00ff00);
  g_assert_cmphex (pixel_at (surface, 2, 0), ==, 0xffffffff);
  /* (3 − 2) / 8 = 0.125 → 31.875 */
  g_assert_cmphex (pixel_at (surface, 3, 0), ==, 0xff202020);
  cairo_surface_destroy (surface);
}

/* White at 0, RdBu's red and blue at ±amplitude and beyond, halfway between at half (linear). */
static void
test_render_diverging (void)
{
  const float pixels[] = { 0, 2, -2, 5, 1, -1 };
  cairo_surface_t *surface = dassie_display_render_diverging (pixels, 6, 1, DASSIE_STRETCH_LINEAR, 2, 0);

  g_assert_cmphex (pixel_at (surface, 0, 0), ==, 0xffffffff);
  g_assert_cmphex (pixel_at (surface, 1, 0), ==, 0xffb2182b);
  g_assert_cmphex (pixel_at (surface, 2, 0), ==, 0xff2166ac);
  g_assert_cmphex (pixel_at (surface, 3, 0), ==, 0xffb2182b);
  /* (255 + 0xb2) / 2 = 216.5, (255 + 0x18) / 2 = 139.5, (255 + 0x2b) / 2 = 149 */
  g_assert_cmphex (pixel_at (surface, 4, 0), ==, 0xffd98c95);
  g_assert_cmphex (pixel_at (surface, 5, 0), ==, 0xff90b3d6);
  g_assert_cmphex (dassie_display_diverging_color (DASSIE_STRETCH_LINEAR, 2, -1), ==, 0x90b3d6);
  cairo_surface_destroy (surface);
}

/* The amplitude is numpy.percentile of |residual| over every band. */
static void
test_amplitude (void)
{
  float residual[] = { -4, 1, NAN, 2, 3, 0 };
  DassieResidual r = { .n_bands = 2, .width = 3, .height = 1, .residual = residual };

  /* |r| sorted: 0 1 2 3 4; position 0.5 × 4 = 2 → 2; 90 %: 3.6 → 3.6 */
  g_assert_cmpfloat_with_epsilon (dassie_residual_amplitude (&r, 50), 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (dassie_residual_amplitude (&r, 90), 3.6, 1e-6);
  g_assert_cmpfloat_with_epsilon (dassie_residual_amplitude (&r, 100), 4, 1e-6);
  /* A perfect reconstruction still gets a usable stretch. */
  memset (residual, 0, sizeof residual);
  g_assert_cmpfloat (dassie_residual_amplitude (&r, 99), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  root = g_dir_make_tmp ("dassie-residual-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (root, "demo", NULL);
  results = g_build_filename (root, "results", NULL);
  dassie_test_make_demo (data_dir, N_OBJECTS, SIZE, 5);
  make_runs ();

  g_test_add_func ("/core/residual/matches-train-run", test_matches_train_run);
  g_test_add_func ("/core/residual/missing-weights", test_missing_weights);
  g_test_add_func ("/core/residual/render-between", test_render_between);
  g_test_add_func ("/core/residual/render-diverging", test_render_diverging);
  g_test_add_func ("/core/residual/amplitude", test_amplitude);

  status = g_test_run ();
  dassie_remove_tree (root, NULL);
  g_free (root);
  g_free (data_dir);
  g_free (results);
  g_free (train_run);
  g_free (infer_run);
  g_free (scores_run);
  return status;
}
