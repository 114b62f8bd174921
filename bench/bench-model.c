/* bench-model.c: training and inference throughput of HyraxAutoencoderV2 at 3×96×96
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "dassie-autoencoder.h"
#include "dassie-nn.h"
#include "dassie-optim.h"
#include "dassie-parallel.h"

/* FLOPs per sample (multiply-adds count 2), from the layer shapes at 3×96×96, c = 32, L = 64. */
#define TRAIN_GFLOP_PER_SAMPLE 0.73
#define INFER_GFLOP_PER_SAMPLE 0.12

static double
seconds_now (void)
{
  return g_get_monotonic_time () / 1e6;
}

int
main (int    argc,
      char **argv)
{
  guint threads = argc > 1 ? (guint) atoi (argv[1]) : 0;
  guint n_objects = 1000;
  guint train_batch = 32;
  guint infer_batch = 512;
  double budget = argc > 2 ? atof (argv[2]) : 6.0;
  DassieAutoencoderConfig config = { 3, 96, 96, 32, 64, DASSIE_ACTIVATION_TANH };
  DassieOptimizerParams sgd = { DASSIE_OPTIMIZER_SGD, 0.01, 0.9, 0.9, 0.999, 1e-8, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieAutoencoder) model = NULL;
  g_autoptr(DassieOptimizer) optimizer = NULL;
  g_autofree float *data = NULL;
  g_autofree float *grad = NULL;
  g_autofree float *latent = NULL;
  gsize sample = 3 * 96 * 96;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint done = 0;
  guint offset = 0;
  double t0, elapsed, train_rate, infer_rate;
  struct rusage usage;
  int blas;

  threads = dassie_parallel_n_threads (threads);
  model = dassie_autoencoder_new (&config, &error);
  g_assert_no_error (error);
  dassie_autoencoder_init_params (model, 42);
  dassie_autoencoder_set_threads (model, threads);
  optimizer = dassie_optimizer_new (&sgd, dassie_autoencoder_get_n_params (model));
  grad = g_new (float, dassie_autoencoder_get_n_params (model));
  latent = g_new (float, (gsize) infer_batch * 64);

  /* A data set of 1000 objects in memory, as training holds it. */
  data = g_new (float, (gsize) n_objects * sample);
  for (gsize i = 0; i < (gsize) n_objects * sample; i++)
    data[i] = (float) g_rand_double_range (rand, -1, 1);

  blas = dassie_nn_blas_threads_single ();

  /* Training: forward, backward and an SGD step per batch of 32. */
  dassie_autoencoder_loss_and_grad (model, data, train_batch, grad);
  t0 = seconds_now ();
  do
    {
      if (offset + train_batch > n_objects)
        offset = 0;
      dassie_autoencoder_loss_and_grad (model, data + offset * sample, train_batch, grad);
      dassie_optimizer_step (optimizer, dassie_autoencoder_get_params (model), grad);
      offset += train_batch;
      done += train_batch;
      elapsed = seconds_now () - t0;
    }
  while (elapsed < budget);
  train_rate = done / elapsed;

  /* Inference: the encoder on batches of 512. */
  done = 0;
  dassie_autoencoder_encode (model, data, infer_batch, latent);
  t0 = seconds_now ();
  do
    {
      dassie_autoencoder_encode (model, data + (done % 2) * infer_batch * sample, infer_batch, latent);
      done += infer_batch;
      elapsed = seconds_now () - t0;
    }
  while (elapsed < budget / 2);
  infer_rate = done / elapsed;

  dassie_nn_blas_threads_restore (blas);
  getrusage (RUSAGE_SELF, &usage);

  printf ("threads: %u\n", threads);
  printf ("training (3x96x96, batch %u, SGD): %.1f samples/s, %.1f GFLOP/s\n",
          train_batch, train_rate, train_rate * TRAIN_GFLOP_PER_SAMPLE);
  printf ("inference (encoder, batch %u): %.1f samples/s, %.1f GFLOP/s\n",
          infer_batch, infer_rate, infer_rate * INFER_GFLOP_PER_SAMPLE);
  printf ("peak RSS (1000 objects in memory): %.0f MB\n", usage.ru_maxrss / 1024.0);
  return 0;
}
