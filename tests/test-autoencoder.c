/* test-autoencoder.c: HyraxAutoencoderV2 against PyTorch's own numbers (the parity fixture)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dassie-autoencoder.h"
#include "dassie-optim.h"
#include "dassie-safetensors.h"

static char *
fixture_path (const char *name)
{
  const char *shared = g_getenv ("DASSIE_SHARED_DIR");

  if (shared == NULL)
    shared = "../shared";
  return g_build_filename (shared, "fixtures", "autoencoder_v2_parity", name, NULL);
}

static DassieSafetensors *
open_fixture (const char *name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  DassieSafetensors *file = dassie_safetensors_open (path, &error);

  g_assert_no_error (error);
  return file;
}

/* A tensor of the fixture in a new buffer, with its element count. */
static float *
read_fixture_tensor (DassieSafetensors *file,
                     const char        *name,
                     gsize             *n)
{
  g_autoptr(GError) error = NULL;
  const gint64 *shape;
  guint ndim;
  gsize count = 1;
  float *data;

  g_assert_true (dassie_safetensors_get_shape (file, name, &ndim, &shape));
  for (guint i = 0; i < ndim; i++)
    count *= shape[i];
  data = g_new (float, count);
  dassie_safetensors_read (file, name, ndim, shape, data, &error);
  g_assert_no_error (error);
  if (n != NULL)
    *n = count;
  return data;
}

/* max |a − b| / max |b|: the error relative to the tensor's scale. */
static double
relative_error (const float *a,
                const float *b,
                gsize        n)
{
  double max_diff = 0;
  double max_ref = 0;

  for (gsize i = 0; i < n; i++)
    {
      max_diff = MAX (max_diff, fabs ((double) a[i] - b[i]));
      max_ref = MAX (max_ref, fabs ((double) b[i]));
    }
  return max_diff / MAX (max_ref, 1e-30);
}

static DassieAutoencoder *
parity_model (guint threads)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *weights = fixture_path ("weights.safetensors");
  DassieAutoencoderConfig config = { 3, 32, 32, 32, 64, DASSIE_ACTIVATION_TANH };
  DassieAutoencoder *model = dassie_autoencoder_new (&config, &error);

  g_assert_no_error (error);
  dassie_autoencoder_load_weights (model, weights, &error);
  g_assert_no_error (error);
  dassie_autoencoder_set_threads (model, threads);
  return model;
}

/* Compares every parameter tensor of @values (laid out like the model) with the file's. */
static void
assert_tensors_close (DassieAutoencoder *model,
                      const float       *values,
                      const char        *file_name,
                      double             tolerance)
{
  g_autoptr(DassieSafetensors) file = open_fixture (file_name);
  double worst = 0;

  for (guint t = 0; t < dassie_autoencoder_get_n_tensors (model); t++)
    {
      const DassieParamTensor *tensor = dassie_autoencoder_get_tensor (model, t);
      gsize n;
      g_autofree float *expected = read_fixture_tensor (file, tensor->name, &n);
      double err;

      g_assert_cmpuint (n, ==, tensor->size);
      err = relative_error (values + tensor->offset, expected, n);
      worst = MAX (worst, err);
      if (err > tolerance)
        g_error ("%s: %s differs from PyTorch by %g (relative)", file_name, tensor->name, err);
    }
  g_test_message ("%s: largest relative error %g", file_name, worst);
}

static void
test_parameter_count (void)
{
  g_autoptr(GError) error = NULL;
  DassieAutoencoderConfig config = { 3, 96, 96, 32, 64, DASSIE_ACTIVATION_TANH };
  g_autoptr(DassieAutoencoder) model = dassie_autoencoder_new (&config, &error);
  guint h, w;

  g_assert_no_error (error);
  g_assert_cmpuint (dassie_autoencoder_get_n_params (model), ==, 1393859);
  dassie_autoencoder_get_bottleneck (model, &h, &w);
  g_assert_cmpuint (h, ==, 12);
  g_assert_cmpuint (w, ==, 12);
  g_assert_cmpuint (dassie_autoencoder_get_n_tensors (model), ==, 24);
  g_assert_cmpstr (dassie_autoencoder_get_tensor (model, 10)->name, ==, "encoder.11.weight");
  g_assert_cmpint (dassie_autoencoder_get_tensor (model, 10)->shape[1], ==, 9216);
  /* ConvTranspose weights are (in, out, kh, kw) and their fan_in is out · k · k. */
  g_assert_cmpstr (dassie_autoencoder_get_tensor (model, 22)->name, ==, "decoder.8.weight");
  g_assert_cmpint (dassie_autoencoder_get_tensor (model, 22)->shape[0], ==, 32);
  g_assert_cmpint (dassie_autoencoder_get_tensor (model, 22)->shape[1], ==, 3);
  g_assert_cmpuint (dassie_autoencoder_get_tensor (model, 22)->fan_in, ==, 27);
}

static void
test_fixture_names_and_shapes (void)
{
  g_autoptr(DassieSafetensors) file = open_fixture ("weights.safetensors");
  g_autoptr(DassieAutoencoder) model = parity_model (1);
  const char * const *names = dassie_safetensors_get_names (file);
  guint n = 0;

  /* The model has exactly PyTorch's state_dict, in the same order. */
  for (; names[n] != NULL; n++)
    {
      const DassieParamTensor *tensor = dassie_autoencoder_get_tensor (model, n);
      const gint64 *shape;
      guint ndim;

      g_assert_cmpstr (names[n], ==, tensor->name);
      g_assert_true (dassie_safetensors_get_shape (file, names[n], &ndim, &shape));
      g_assert_cmpuint (ndim, ==, tensor->ndim);
      for (guint d = 0; d < ndim; d++)
        g_assert_cmpint (shape[d], ==, tensor->shape[d]);
    }
  g_assert_cmpuint (n, ==, dassie_autoencoder_get_n_tensors (model));
}

static void
check_forward (guint threads)
{
  g_autoptr(DassieSafetensors) io = open_fixture ("io.safetensors");
  g_autoptr(DassieAutoencoder) model = parity_model (threads);
  gsize n_input, n_latent, n_recon, n_loss;
  g_autofree float *input = read_fixture_tensor (io, "input", &n_input);
  g_autofree float *latent = read_fixture_tensor (io, "latent", &n_latent);
  g_autofree float *recon = read_fixture_tensor (io, "reconstruction", &n_recon);
  g_autofree float *loss = read_fixture_tensor (io, "loss", &n_loss);
  g_autofree float *my_latent = g_new (float, n_latent);
  g_autofree float *my_recon = g_new (float, n_recon);
  g_autofree float *enc_latent = g_new (float, n_latent);
  double my_loss;

  my_loss = dassie_autoencoder_forward (model, input, 2, my_latent, my_recon);
  g_test_message ("latent %g, reconstruction %g, loss %.9g vs %.9g",
                  relative_error (my_latent, latent, n_latent),
                  relative_error (my_recon, recon, n_recon), my_loss, loss[0]);
  g_assert_cmpfloat (relative_error (my_latent, latent, n_latent), <, 1e-4);
  g_assert_cmpfloat (relative_error (my_recon, recon, n_recon), <, 1e-4);
  g_assert_cmpfloat (fabs (my_loss - loss[0]) / loss[0], <, 1e-4);

  /* The encoder alone (its linear layer batched) gives the same latent up to summation order. */
  dassie_autoencoder_encode (model, input, 2, enc_latent);
  g_assert_cmpfloat (relative_error (enc_latent, latent, n_latent), <, 1e-4);
  g_assert_cmpfloat (relative_error (enc_latent, my_latent, n_latent), <, 1e-6);
}

static void
test_forward (void)
{
  check_forward (1);
  check_forward (2);
}

static void
test_gradients (void)
{
  g_autoptr(DassieSafetensors) io = open_fixture ("io.safetensors");
  g_autoptr(DassieAutoencoder) model = parity_model (2);
  g_autofree float *input = read_fixture_tensor (io, "input", NULL);
  g_autofree float *loss = read_fixture_tensor (io, "loss", NULL);
  g_autofree float *grad = g_new (float, dassie_autoencoder_get_n_params (model));
  double my_loss;

  my_loss = dassie_autoencoder_loss_and_grad (model, input, 2, grad);
  g_assert_cmpfloat (fabs (my_loss - loss[0]) / loss[0], <, 1e-4);
  assert_tensors_close (model, grad, "grads.safetensors", 1e-3);
}

/* Chunks of the batch, not threads, fix the order of every sum, and OpenBLAS runs on one thread
 * inside the model: any thread count of ours or of OpenBLAS gives the same bits. */
static void
test_threads_same_bits_here (void)
{
  g_autoptr(DassieSafetensors) io = open_fixture ("io.safetensors");
  g_autofree float *input = read_fixture_tensor (io, "input", NULL);
  g_autofree float *batch = g_new (float, 12 * 3 * 32 * 32);
  g_autofree float *grad_1 = NULL;
  double loss_1 = 0;

  /* Twelve samples: the two of the fixture, shifted and scaled. */
  for (guint i = 0; i < 12 * 3 * 32 * 32; i++)
    batch[i] = input[(i + 37 * (i / (3 * 32 * 32))) % (2 * 3 * 32 * 32)] * (1.0f - 0.05f * (i / (3 * 32 * 32)));

  for (guint threads = 1; threads <= 4; threads++)
    {
      g_autoptr(DassieAutoencoder) model = parity_model (threads);
      gsize size = dassie_autoencoder_get_n_params (model) * sizeof (float);
      g_autofree float *grad = g_new (float, dassie_autoencoder_get_n_params (model));
      double loss = dassie_autoencoder_loss_and_grad (model, batch, 12, grad);

      if (threads == 1)
        {
          grad_1 = g_steal_pointer (&grad);
          loss_1 = loss;
          continue;
        }
      g_test_message ("%u threads against 1", threads);
      g_assert_cmpmem (grad_1, size, grad, size);
      g_assert_cmpfloat (loss_1, ==, loss);
    }
}

/* The same on every OpenBLAS kernel this processor can run (OPENBLAS_CORETYPE picks one; Debian's
 * OpenBLAS has them all) and with OpenBLAS's own pool at one thread or at four: the kernels that split
 * a product unevenly by thread are exactly the ones that once broke this on AVX-512 machines. */
static void
test_threads_same_bits (void)
{
  struct { const char *name; gboolean runs; } cores[] = {
    { NULL, TRUE },                   /* whatever OpenBLAS picks here */
    { "Prescott", TRUE },             /* SSE3: every x86-64 processor */
#if defined(__x86_64__) || defined(__i386__)
    { "Sandybridge", __builtin_cpu_supports ("avx") },
    { "Haswell", __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma") },
    { "Zen", __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma") },
    { "SkylakeX", __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
                  && __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx512vl") },
#endif
  };
  const char *pools[] = { "1", "4" };
  g_autofree char *saved_core = g_strdup (g_getenv ("OPENBLAS_CORETYPE"));
  g_autofree char *saved_pool = g_strdup (g_getenv ("OPENBLAS_NUM_THREADS"));

  for (guint c = 0; c < G_N_ELEMENTS (cores); c++)
    for (guint p = 0; p < G_N_ELEMENTS (pools); p++)
      {
        if (!cores[c].runs)
          continue;
        /* The child inherits the environment: OpenBLAS reads both when it loads. */
        if (cores[c].name != NULL)
          g_setenv ("OPENBLAS_CORETYPE", cores[c].name, TRUE);
        else if (saved_core != NULL)
          g_setenv ("OPENBLAS_CORETYPE", saved_core, TRUE);
        else
          g_unsetenv ("OPENBLAS_CORETYPE");
        g_setenv ("OPENBLAS_NUM_THREADS", pools[p], TRUE);
        g_test_message ("OPENBLAS_CORETYPE=%s OPENBLAS_NUM_THREADS=%s",
                        cores[c].name ? cores[c].name : "(as set)", pools[p]);
        g_test_trap_subprocess ("/core/autoencoder/threads-same-bits/here", 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed ();
      }

  if (saved_core != NULL)
    g_setenv ("OPENBLAS_CORETYPE", saved_core, TRUE);
  else
    g_unsetenv ("OPENBLAS_CORETYPE");
  if (saved_pool != NULL)
    g_setenv ("OPENBLAS_NUM_THREADS", saved_pool, TRUE);
  else
    g_unsetenv ("OPENBLAS_NUM_THREADS");
}

static void
check_two_steps (const DassieOptimizerParams *params,
                 const char                  *file_name)
{
  g_autoptr(DassieSafetensors) io = open_fixture ("io.safetensors");
  g_autoptr(DassieAutoencoder) model = parity_model (2);
  g_autofree float *input = read_fixture_tensor (io, "input", NULL);
  gsize n = dassie_autoencoder_get_n_params (model);
  g_autofree float *grad = g_new (float, n);
  g_autoptr(DassieOptimizer) optimizer = dassie_optimizer_new (params, n);

  for (guint step = 0; step < 2; step++)
    {
      dassie_autoencoder_loss_and_grad (model, input, 2, grad);
      dassie_optimizer_step (optimizer, dassie_autoencoder_get_params (model), grad);
    }
  g_assert_cmpuint (dassie_optimizer_get_step (optimizer), ==, 2);
  assert_tensors_close (model, dassie_autoencoder_get_params (model), file_name, 1e-3);
}

static void
test_sgd_steps (void)
{
  DassieOptimizerParams params = { DASSIE_OPTIMIZER_SGD, 0.01, 0.9, 0.9, 0.999, 1e-8, 0 };

  check_two_steps (&params, "after_2_sgd_steps.safetensors");
}

static void
test_adam_steps (void)
{
  DassieOptimizerParams params = { DASSIE_OPTIMIZER_ADAM, 1e-3, 0.9, 0.9, 0.999, 1e-8, 0 };

  check_two_steps (&params, "after_2_adam_steps.safetensors");
}

/* The decoder alone gives the forward pass's reconstruction of the same latents, bit for bit, on any
 * number of threads. */
static void
test_decode (void)
{
  DassieAutoencoderConfig config = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  const guint n = 7;
  const gsize sample = 3 * 20 * 18;
  g_autofree float *x = g_new (float, n * sample);
  g_autofree float *latent = g_new (float, n * 8);
  g_autofree float *forward = g_new (float, n * sample);
  g_autofree float *decoded = g_new (float, n * sample);
  g_autofree float *decoded3 = g_new (float, n * sample);
  double mse = 0;

  config.channels = 3;
  config.height = 20;
  config.width = 18;
  config.base_channels = 4;
  config.latent_dim = 8;
  config.final_activation = DASSIE_ACTIVATION_TANH;
  model = dassie_autoencoder_new (&config, &error);
  g_assert_no_error (error);
  dassie_autoencoder_init_params (model, 3);
  for (gsize i = 0; i < n * sample; i++)
    x[i] = sinf (i * 0.37f);

  dassie_autoencoder_set_threads (model, 1);
  mse = dassie_autoencoder_forward (model, x, n, latent, forward);
  dassie_autoencoder_decode (model, latent, n, decoded);
  g_assert_cmpmem (forward, n * sample * sizeof (float), decoded, n * sample * sizeof (float));
  dassie_autoencoder_set_threads (model, 3);
  dassie_autoencoder_decode (model, latent, n, decoded3);
  g_assert_cmpmem (decoded, n * sample * sizeof (float), decoded3, n * sample * sizeof (float));
  g_assert_cmpfloat (mse, >, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/autoencoder/parameter-count", test_parameter_count);
  g_test_add_func ("/core/autoencoder/parity/names-and-shapes", test_fixture_names_and_shapes);
  g_test_add_func ("/core/autoencoder/parity/forward", test_forward);
  g_test_add_func ("/core/autoencoder/parity/gradients", test_gradients);
  g_test_add_func ("/core/autoencoder/threads-same-bits", test_threads_same_bits);
  g_test_add_func ("/core/autoencoder/decode", test_decode);
  g_test_add_func ("/core/autoencoder/threads-same-bits/here", test_threads_same_bits_here);
  g_test_add_func ("/core/autoencoder/parity/sgd-steps", test_sgd_steps);
  g_test_add_func ("/core/autoencoder/parity/adam-steps", test_adam_steps);

  return g_test_run ();
}
