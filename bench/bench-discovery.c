/* bench-discovery.c: a simulated astronomer labelling the most promising objects, against the plain ranking
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-discovery SCORES_RUN LABELS_CSV [BATCH [SEEN]]
 *   Looks at the BATCH (10) most promising unlabelled objects, labels them from the truth in LABELS_CSV
 *   (object_id,label[,kind]; objects it lacks are boring), re-ranks, and repeats until SEEN (100)
 *   objects were seen; prints the interesting objects found in the first 50 and SEEN, with active
 *   learning and with the plain anomaly ranking.
 * bench-discovery --synthetic N DIM [LABELLED]
 *   The seconds to build the model and to re-rank N objects of DIM dimensions with LABELLED labels.
 * Environment: RANK_K, RANK_BANDWIDTH, RANK_PRIOR_WEIGHT, RANK_ARTIFACT_PENALTY set the model; SHOW=1
 * prints the kinds seen in each batch; DIAGNOSE=1 (with STANDARDIZE=1: on z-scored latents) prints
 * per kind the mean anomaly percentile and the share of interesting objects among the 10 nearest. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dassie-catalog.h"
#include "dassie-labels.h"
#include "dassie-parallel.h"
#include "dassie-relevance.h"

/* Per kind: the mean anomaly percentile, and the share of the 10 nearest objects in the latent
 * space that are interesting: whether the latent space can separate what the astronomer wants. */
static void
diagnose (DassieCatalog *catalog,
          DassieLabels  *truth)
{
  g_autoptr(GHashTable) kinds = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  guint d = catalog->latent_dim;
  GHashTableIter iter;
  gpointer key, value;

  if (g_getenv ("STANDARDIZE") != NULL)
    for (guint t = 0; t < d; t++)
      {
        double m = 0, v = 0;

        for (guint i = 0; i < catalog->n; i++)
          m += catalog->latents[i * d + t];
        m /= catalog->n;
        for (guint i = 0; i < catalog->n; i++)
          v += (catalog->latents[i * d + t] - m) * (catalog->latents[i * d + t] - m);
        v = sqrt (v / catalog->n) + 1e-12;
        for (guint i = 0; i < catalog->n; i++)
          catalog->latents[i * d + t] = (float) ((catalog->latents[i * d + t] - m) / v);
      }
  for (guint i = 0; i < catalog->n; i++)
    {
      const DassieLabelEntry *e = dassie_labels_lookup (truth, catalog->ids[i]);
      const char *kind = e != NULL && e->tags[0] != NULL ? e->tags[0] : "?";
      double *acc = g_hash_table_lookup (kinds, kind);
      float best[10];
      guint best_row[10], n_int = 0;

      if (acc == NULL)
        {
          acc = g_new0 (double, 3);
          g_hash_table_insert (kinds, (gpointer) kind, acc);
        }
      for (guint q = 0; q < 10; q++)
        best[q] = INFINITY, best_row[q] = 0;
      for (guint j = 0; j < catalog->n; j++)
        {
          double s = 0;
          guint at;

          if (j == i)
            continue;
          for (guint t = 0; t < d; t++)
            s += (catalog->latents[i * d + t] - catalog->latents[j * d + t]) * (catalog->latents[i * d + t] - catalog->latents[j * d + t]);
          if (s >= best[9])
            continue;
          for (at = 9; at > 0 && best[at - 1] > s; at--)
            best[at] = best[at - 1], best_row[at] = best_row[at - 1];
          best[at] = (float) s, best_row[at] = j;
        }
      for (guint q = 0; q < 10; q++)
        n_int += dassie_labels_get (truth, catalog->ids[best_row[q]]) == DASSIE_LABEL_INTERESTING;
      acc[0] += 1;
      acc[1] += 1.0 - (catalog->ranks[i] - 1.0) / catalog->n;
      acc[2] += n_int / 10.0;
    }
  g_hash_table_iter_init (&iter, kinds);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double *acc = value;

      printf ("  %-16s %4.0f objects, mean anomaly percentile %.2f, interesting among 10 nearest %.2f\n",
              (const char *) key, acc[0], acc[1] / acc[0], acc[2] / acc[0]);
    }
}

static int
simulate (const char *scores,
          const char *truth_csv,
          guint       batch,
          guint       seen_max)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieCatalog) catalog = dassie_catalog_load (scores, NULL, NULL, NULL, &error);
  g_autoptr(DassieLabels) truth = NULL;
  g_autoptr(DassieLabels) labels = NULL;
  g_auto(GStrv) unknown = NULL;
  DassieRelevanceOptions options;
  guint n_interesting = 0, seen = 0, found = 0, found_50 = 0, plain = 0, plain_50 = 0;
  guint n_artifacts_seen = 0, plain_artifacts = 0;
  double rerank_seconds = 0;
  guint n_reranks = 0;

  if (catalog == NULL || !dassie_catalog_load_latents (catalog, NULL, &error))
    {
      g_printerr ("bench-discovery: %s\n", error->message);
      return 1;
    }
  truth = dassie_labels_new_in_memory ((const char * const *) catalog->ids, catalog->n);
  if (!dassie_labels_import_csv (truth, truth_csv, NULL, &unknown, &error))
    {
      g_printerr ("bench-discovery: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < catalog->n; i++)
    n_interesting += dassie_labels_get (truth, catalog->ids[i]) == DASSIE_LABEL_INTERESTING;

  dassie_relevance_options_init (&options);
  if (g_getenv ("RANK_K") != NULL)
    options.k = (guint) atoi (g_getenv ("RANK_K"));
  if (g_getenv ("RANK_BANDWIDTH") != NULL)
    options.bandwidth = g_ascii_strtod (g_getenv ("RANK_BANDWIDTH"), NULL);
  if (g_getenv ("RANK_PRIOR_WEIGHT") != NULL)
    options.prior_weight = g_ascii_strtod (g_getenv ("RANK_PRIOR_WEIGHT"), NULL);
  if (g_getenv ("RANK_ARTIFACT_PENALTY") != NULL)
    options.artifact_penalty = g_ascii_strtod (g_getenv ("RANK_ARTIFACT_PENALTY"), NULL);

  labels = dassie_labels_new_in_memory ((const char * const *) catalog->ids, catalog->n);
  while (seen < seen_max)
    {
      gint64 t0 = g_get_monotonic_time ();
      guint take;

      dassie_catalog_set_labels (catalog, labels);
      dassie_catalog_update_relevance (catalog, &options);
      rerank_seconds += (g_get_monotonic_time () - t0) / 1e6;
      n_reranks++;
      take = MIN (MIN (batch, seen_max - seen), catalog->n_promising);
      if (take == 0)
        break;
      for (guint r = 0; r < take; r++)
        {
          const char *id = catalog->ids[catalog->promising[r]];
          DassieLabel verdict = dassie_labels_get (truth, id);

          if (verdict == DASSIE_LABEL_NONE)
            verdict = DASSIE_LABEL_BORING;
          if (!dassie_labels_set (labels, id, verdict, &error))
            {
              g_printerr ("bench-discovery: %s\n", error->message);
              return 1;
            }
          seen++;
          if (g_getenv ("SHOW") != NULL)
            {
              const DassieLabelEntry *e = dassie_labels_lookup (truth, id);

              printf ("%s%s", e != NULL && e->tags[0] != NULL ? e->tags[0] : "?", r + 1 == take ? "\n" : " ");
            }
          found += verdict == DASSIE_LABEL_INTERESTING;
          n_artifacts_seen += verdict == DASSIE_LABEL_ARTIFACT;
          if (seen == 50)
            found_50 = found;
        }
    }
  if (seen < 50)
    found_50 = found;

  for (guint r = 0; r < MIN (seen_max, catalog->n); r++)
    {
      DassieLabel verdict = dassie_labels_get (truth, catalog->ids[catalog->order[r]]);

      plain += verdict == DASSIE_LABEL_INTERESTING;
      plain_artifacts += verdict == DASSIE_LABEL_ARTIFACT;
      if (r + 1 == 50)
        plain_50 = plain;
    }

  printf ("objects %u, interesting %u (%.1f %%), looked at %u in batches of %u\n", catalog->n, n_interesting,
          100.0 * n_interesting / MAX (catalog->n, 1), seen, batch);
  printf ("plain anomaly ranking:  interesting in the first 50: %2u, in the first %u: %2u (%.0f %% of all); artifacts seen %u\n",
          plain_50, seen_max, plain, 100.0 * plain / MAX (n_interesting, 1), plain_artifacts);
  printf ("active learning:        interesting in the first 50: %2u, in the first %u: %2u (%.0f %% of all); artifacts seen %u\n",
          found_50, seen_max, found, 100.0 * found / MAX (n_interesting, 1), n_artifacts_seen);
  printf ("gain in the first 50: %.2f× (goal ≥ 2×); share of all interesting in the first %u: %.0f %% (goal ≥ 80 %%)\n",
          plain_50 > 0 ? (double) found_50 / plain_50 : INFINITY, seen_max, 100.0 * found / MAX (n_interesting, 1));
  printf ("re-rank at %u objects: %.4f s on average over %u\n", catalog->n, rerank_seconds / MAX (n_reranks, 1),
          n_reranks);
  if (g_getenv ("DIAGNOSE") != NULL)
    diagnose (catalog, truth);
  return 0;
}

/* splitmix64, as the demo uses: the same on every machine. */
static guint64
next (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static double
uniform (guint64 *state)
{
  return (next (state) >> 11) * (1.0 / 9007199254740992.0);
}

/* CPU seconds of every thread of the process: what the work costs on an idle machine. */
static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *
load_average (void)
{
  static char text[64];
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return "?";
  g_strlcpy (text, contents, sizeof text);
  *strchrnul (text, ' ') = 0;
  return text;
}

static int
synthetic (guint n,
           guint dim,
           guint n_labelled)
{
  g_autofree float *latents = g_new (float, (gsize) n * dim);
  g_autofree float *scores = g_new (float, n);
  g_autofree guint8 *labels = g_new0 (guint8, n);
  g_autofree float *relevance = g_new (float, n);
  g_autofree guint32 *order = g_new (guint32, n);
  g_autoptr(DassieRelevance) model = NULL;
  guint64 state = 42;
  gint64 t0;
  double c0, build, build_cpu, full, full_cpu, update = 0, update_cpu = 0;
  const guint repeats = 10;

  /* Gaussian clusters, as latent spaces look. */
  for (guint i = 0; i < n; i++)
    {
      guint cluster = (guint) (next (&state) % 20);

      for (guint j = 0; j < dim; j++)
        {
          double g = sqrt (-2 * log (1 - uniform (&state))) * cos (2 * G_PI * uniform (&state));

          latents[(gsize) i * dim + j] = (float) (((cluster * 7 + j) % 11) * 0.5 + g);
        }
      scores[i] = (float) uniform (&state);
    }
  for (guint l = 0; l < n_labelled; l++)
    labels[next (&state) % n] = (guint8) (1 + l % 3);

  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  model = dassie_relevance_new (latents, n, dim, scores, NULL);
  build = (g_get_monotonic_time () - t0) / 1e6;
  build_cpu = cpu_seconds () - c0;

  /* The first update computes every distance to the labelled rows; */
  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  dassie_relevance_update (model, labels, relevance, order);
  full = (g_get_monotonic_time () - t0) / 1e6;
  full_cpu = cpu_seconds () - c0;
  /* the next ones, after a batch of 10 new labels each, only those to the new ones. */
  for (guint r = 0; r < repeats; r++)
    {
      for (guint l = 0; l < 10; l++)
        labels[next (&state) % n] = (guint8) (1 + l % 3);
      t0 = g_get_monotonic_time ();
      c0 = cpu_seconds ();
      dassie_relevance_update (model, labels, relevance, order);
      update += (g_get_monotonic_time () - t0) / 1e6;
      update_cpu += cpu_seconds () - c0;
    }
  printf ("%u objects × %u dimensions, %u labelled, %u threads, load average %s\n", n, dim, n_labelled,
          dassie_parallel_n_threads (0), load_average ());
  printf ("  model built:                      %.4f s (%.4f s of CPU)\n", build, build_cpu);
  printf ("  first ranking (all distances):    %.4f s (%.4f s of CPU)\n", full, full_cpu);
  printf ("  re-rank after 10 more labels:     %.4f s (%.4f s of CPU), mean of %u\n", update / repeats,
          update_cpu / repeats, repeats);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc >= 4 && g_str_equal (argv[1], "--synthetic"))
    return synthetic ((guint) atoi (argv[2]), (guint) atoi (argv[3]), argc > 4 ? (guint) atoi (argv[4]) : 100);
  if (argc >= 3)
    return simulate (argv[1], argv[2], argc > 3 ? (guint) atoi (argv[3]) : 10, argc > 4 ? (guint) atoi (argv[4]) : 100);
  g_printerr ("usage: bench-discovery SCORES_RUN LABELS_CSV [BATCH [SEEN]] | --synthetic N DIM [LABELLED]\n");
  return 2;
}
