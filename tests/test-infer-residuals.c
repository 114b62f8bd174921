/* test-infer-residuals.c: the reconstruction residuals that infer keeps in latents.fits, against a direct computation
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-autoencoder.h"
#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-infer.h"
#include "dassie-residuals.h"
#include "dassie-table.h"

#define N_OBJECTS 24
#define SIZE 16
#define N_BANDS 3

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* numpy's default quantile of @n doubles (sorted here). */
static double
sorted_quantile (double *v,
                 gsize   n,
                 double  q)
{
  double pos = q * (n - 1);
  gsize lo = (gsize) floor (pos);

  qsort (v, n, sizeof (double), compare_doubles);
  return lo + 1 < n ? v[lo] + (pos - lo) * (v[lo + 1] - v[lo]) : v[n - 1];
}

static char *
infer_run (const char *data_dir,
           const char *results,
           const char *weights,
           gboolean    residuals)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  DassieInferResult result = { 0 };
  char *run;

  dassie_config_set_data_location (config, NULL, data_dir);
  dassie_config_set_string (config, "general.results_dir", results);
  dassie_config_set_int (config, "general.threads", 2);
  dassie_config_set_int (config, "infer.batch_size", 10);
  dassie_config_set_boolean (config, "scores.reconstruction", residuals);
  g_assert_true (dassie_infer (config, weights, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  run = g_build_filename (result.run_dir, "latents.fits", NULL);
  dassie_infer_result_clear (&result);
  return run;
}

static void
test_residuals (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("dassie-infer-residuals-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (root, "demo", NULL);
  g_autofree char *weights = g_build_filename (root, "weights.safetensors", NULL);
  g_autofree char *with = NULL;
  g_autofree char *without = NULL;
  g_autofree float *latents_with = NULL;
  g_autofree float *latents_without = NULL;
  g_autofree float *resid = NULL;
  g_autofree float *mse = NULL;
  g_autofree float *none = NULL;
  g_autofree float *none_mse = NULL;
  g_autofree float *inputs = NULL;
  g_autofree float *recon = NULL;
  g_autofree guint *indices = NULL;
  g_auto(GStrv) ids_with = NULL;
  g_auto(GStrv) ids_without = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  g_autoptr(DassieDataset) set = NULL;
  DassieAutoencoderConfig model_config = { N_BANDS, SIZE, SIZE, 4, 8, DASSIE_ACTIVATION_TANH };
  DassieDemoOptions demo;
  DassieDatasetOptions options;
  const gsize plane = SIZE * SIZE, sample = N_BANDS * plane;
  guint n_rows, dim;

  g_assert_no_error (error);
  dassie_demo_options_init (&demo);
  demo.n_objects = N_OBJECTS;
  demo.size = SIZE;
  demo.seed = 8;
  g_assert_true (dassie_demo_generate (data_dir, &demo, NULL, NULL, NULL, &error));
  model = dassie_autoencoder_new (&model_config, &error);
  g_assert_no_error (error);
  dassie_autoencoder_init_params (model, 17);
  g_assert_true (dassie_autoencoder_save_weights (model, weights, NULL, &error));
  g_assert_no_error (error);

  with = infer_run (data_dir, root, weights, TRUE);
  without = infer_run (data_dir, root, weights, FALSE);

  /* The latent vectors are the same bits with the residuals or without them. */
  g_assert_true (dassie_table_read_vectors (with, "LATENT", &ids_with, &n_rows, &latents_with, &dim, &error));
  g_assert_true (dassie_table_read_vectors (without, "LATENT", &ids_without, &n_rows, &latents_without, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, N_OBJECTS);
  g_assert_cmpmem (latents_with, N_OBJECTS * dim * sizeof (float), latents_without, N_OBJECTS * dim * sizeof (float));

  g_assert_true (dassie_residuals_read (without, N_OBJECTS, 0.99, &none, &none_mse, &error));
  g_assert_null (none);
  g_assert_true (dassie_residuals_read (with, N_OBJECTS, 0.99, &resid, &mse, &error));
  g_assert_no_error (error);
  g_assert_nonnull (resid);

  /* Directly: the model's forward pass here, each band's median and MAD from sorted copies. */
  dassie_dataset_options_init (&options);
  set = dassie_dataset_open (data_dir, &options, NULL, &error);
  dassie_dataset_options_clear (&options);
  g_assert_no_error (error);
  indices = g_new (guint, N_OBJECTS);
  for (guint i = 0; i < N_OBJECTS; i++)
    indices[i] = i;
  inputs = g_new (float, N_OBJECTS * sample);
  recon = g_new (float, N_OBJECTS * sample);
  g_assert_true (dassie_dataset_read_objects (set, indices, N_OBJECTS, TRUE, inputs, NULL, &error));
  dassie_autoencoder_forward (model, inputs, N_OBJECTS, NULL, recon);
  for (guint i = 0; i < N_OBJECTS; i++)
    {
      double z[N_BANDS * SIZE * SIZE], r[SIZE * SIZE], a[SIZE * SIZE], squares = 0;

      g_assert_cmpstr (ids_with[i], ==, dassie_dataset_get_object_id (set, i));
      for (guint b = 0; b < N_BANDS; b++)
        {
          double median, sigma;

          for (gsize p = 0; p < plane; p++)
            {
              r[p] = (double) inputs[i * sample + b * plane + p] - recon[i * sample + b * plane + p];
              squares += r[p] * r[p];
            }
          memcpy (a, r, sizeof r);
          median = sorted_quantile (a, plane, 0.5);
          for (gsize p = 0; p < plane; p++)
            a[p] = fabs (r[p] - median);
          memcpy (z + b * plane, a, sizeof a);
          sigma = 1.4826 * sorted_quantile (a, plane, 0.5);
          for (gsize p = 0; p < plane; p++)
            z[b * plane + p] /= sigma;
        }
      g_assert_cmpfloat_with_epsilon (mse[i], squares / sample, 1e-4 * squares / sample);
      g_assert_cmpfloat_with_epsilon (resid[i], sorted_quantile (z, sample, 0.99), 1e-3 * resid[i]);
    }

  dassie_remove_tree (root, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/infer/residuals", test_residuals);
  return g_test_run ();
}
