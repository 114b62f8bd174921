/* bench-model.c: training and inference throughput of HyraxAutoencoderV2 at 3×96×96
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "dassie-autoencoder.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-infer.h"
#include "dassie-nn.h"
#include "dassie-optim.h"
#include "dassie-parallel.h"
#include "dassie-train.h"

/* FLOPs per sample (multiply-adds count 2), from the layer shapes at 3×96×96, c = 32, L = 64. */
#define TRAIN_GFLOP_PER_SAMPLE 0.73
#define INFER_GFLOP_PER_SAMPLE 0.12

static double
seconds_now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* CPU time of the process: with other jobs on the machine the wall-clock rate drops, but the CPU
 * milliseconds per sample stay an honest measure of the code. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* The real verbs on the 1000-object demo set (generated into @dir when missing): what a user waits
 * for, data loading included, and the peak memory of the whole process. */
static int
bench_demo (const char *dir,
            guint       epochs,
            guint       threads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autofree char *results = g_dir_make_tmp ("dassie-bench-XXXXXX", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.fits", NULL);
  DassieTrainResult train = { 0 };
  DassieInferResult infer = { 0 };
  struct rusage usage;

  if (!g_file_test (manifest, G_FILE_TEST_EXISTS))
    {
      DassieDemoOptions options;

      dassie_demo_options_init (&options);
      if (!dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error))
        g_error ("%s", error->message);
    }

  dassie_config_set_data_location (config, NULL, dir);
  dassie_config_set_string (config, "general.results_dir", results);
  dassie_config_set_int (config, "general.threads", threads);
  dassie_config_set_int (config, "train.epochs", epochs);
  if (!dassie_train (config, NULL, NULL, NULL, &train, &error))
    g_error ("%s", error->message);
  if (!dassie_infer (config, NULL, NULL, NULL, NULL, &infer, &error))
    g_error ("%s", error->message);
  getrusage (RUSAGE_SELF, &usage);

  printf ("demo set: train %u objects, validate %u, %u epochs in %.1f s (data loading included): "
          "%.1f training samples/s; validation loss %.5f\n",
          train.n_train, train.n_validate, train.epochs_done, train.seconds, train.samples_per_second,
          train.validation_loss);
  printf ("demo set: infer %u objects in %.2f s: %.1f samples/s\n",
          infer.n_objects, infer.seconds, infer.samples_per_second);
  printf ("demo set: peak RSS of training and inference on 1000 objects: %.0f MB\n", usage.ru_maxrss / 1024.0);

  dassie_train_result_clear (&train);
  dassie_infer_result_clear (&infer);
  dassie_remove_tree (results, NULL);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  guint threads = argc > 1 ? (guint) atoi (argv[1]) : 0;

  if (argc > 2 && g_str_equal (argv[1], "demo"))
    return bench_demo (argv[2], argc > 3 ? (guint) atoi (argv[3]) : 2, argc > 4 ? (guint) atoi (argv[4]) : 0);

  guint n_objects = 1000;
  guint train_batch = 32;
  guint infer_batch = 512;
  double budget = argc > 2 ? atof (argv[2]) : 6.0;
  double infer_budget = argc > 3 ? atof (argv[3]) : budget / 2;
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
  double t0, c0, elapsed, train_rate, infer_rate, train_cpu, infer_cpu;
  double best_train = G_MAXDOUBLE, best_infer = G_MAXDOUBLE;
  struct rusage usage;
  g_autofree char *load_average = NULL;

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

  dassie_blas_single_begin ();

  /* Training: forward, backward and an SGD step per batch of 32. */
  dassie_autoencoder_loss_and_grad (model, data, train_batch, grad);
  t0 = seconds_now ();
  c0 = cpu_seconds ();
  do
    {
      if (offset + train_batch > n_objects)
        offset = 0;
      double b0 = seconds_now ();

      dassie_autoencoder_loss_and_grad (model, data + offset * sample, train_batch, grad);
      dassie_optimizer_step (optimizer, dassie_autoencoder_get_params (model), grad);
      offset += train_batch;
      done += train_batch;
      elapsed = seconds_now () - t0;
      best_train = MIN (best_train, seconds_now () - b0);
    }
  while (elapsed < budget);
  train_rate = done / elapsed;
  train_cpu = (cpu_seconds () - c0) / done;

  /* Inference: the encoder on batches of 512. */
  done = 0;
  dassie_autoencoder_encode (model, data, infer_batch, latent);
  t0 = seconds_now ();
  c0 = cpu_seconds ();
  do
    {
      double b0 = seconds_now ();

      dassie_autoencoder_encode (model, data + (done % 2) * infer_batch * sample, infer_batch, latent);
      done += infer_batch;
      elapsed = seconds_now () - t0;
      best_infer = MIN (best_infer, seconds_now () - b0);
    }
  while (elapsed < infer_budget);
  infer_rate = done / elapsed;
  infer_cpu = (cpu_seconds () - c0) / done;

  dassie_blas_single_end ();
  getrusage (RUSAGE_SELF, &usage);
  if (!g_file_get_contents ("/proc/loadavg", &load_average, NULL, NULL))
    load_average = g_strdup ("unknown\n");

  printf ("threads: %u\n", threads);
  printf ("training (3x96x96, batch %u, SGD): %.1f samples/s, %.1f GFLOP/s; %.2f CPU ms per sample\n",
          train_batch, train_rate, train_rate * TRAIN_GFLOP_PER_SAMPLE, 1e3 * train_cpu);
  printf ("inference (encoder, batch %u): %.1f samples/s, %.1f GFLOP/s; %.2f CPU ms per sample\n",
          infer_batch, infer_rate, infer_rate * INFER_GFLOP_PER_SAMPLE, 1e3 * infer_cpu);
  printf ("fastest batch (least disturbed by other jobs): training %.1f samples/s, inference %.1f samples/s\n",
          train_batch / best_train, infer_batch / best_infer);
  printf ("load average while measuring: %s", load_average);
  printf ("peak RSS (1000 objects in memory): %.0f MB\n", usage.ru_maxrss / 1024.0);
  return 0;
}
