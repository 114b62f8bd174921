/* dassie-run-summary.h: what a run folder holds, in a line a person can read, and a train run's metrics
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "dassie-results.h"

G_BEGIN_DECLS

/* One run folder as a list of runs shows it. Everything but @info may be missing (NULL or NAN) when
 * the folder's files are absent or unreadable; a summary is still made so the run can be listed. */
typedef struct
{
  DassieRunInfo *info;             /* path, name, verb, time, complete */
  char          *data_location;    /* the data set the run read, or NULL */
  char          *settings;         /* the key settings, e.g. "20 epochs · batch 32 · SGD lr 0.01" */
  char          *input_run;        /* the run it was computed from (infer: the train run), or NULL */
  guint          n_epochs;         /* train: train.epochs */
  guint          epochs_done;      /* train: epochs in metrics.jsonl */
  double         train_loss;       /* train: the last finished epoch's, else NAN */
  double         validation_loss;  /* train: the last finished epoch's, else NAN */
} DassieRunSummary;

/* A train run's metrics.jsonl as arrays of equal length (one entry per finished epoch): the 1-based
 * epoch, the mean training loss and the validation loss (NAN without a validation set). */
typedef struct
{
  guint   n;
  double *epoch;
  double *train_loss;
  double *validation_loss;
  double  baseline_loss;   /* the validation loss of the mean training image (NAN in older runs) */
} DassieTrainMetrics;

/* Reads config.json and, for train runs, metrics.jsonl. Returns NULL only when @run_dir is not a
 * run folder (its name is not "<stamp>-<verb>-<4 chars>[.incomplete]"). */
DassieRunSummary   *dassie_run_summary_read      (const char        *run_dir);
void                dassie_run_summary_free      (DassieRunSummary  *self);
/* Summaries of the runs under @results_dir, newest first; @verb may be NULL for every verb. */
GPtrArray          *dassie_run_summary_list      (const char        *results_dir,
                                                  const char        *verb,
                                                  gboolean           include_incomplete);

/* An empty result (n = 0) when the run has no metrics.jsonl yet; an error when a line is broken. */
DassieTrainMetrics *dassie_train_metrics_read    (const char        *run_dir,
                                                  GError           **error);
void                dassie_train_metrics_free    (DassieTrainMetrics *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieRunSummary, dassie_run_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieTrainMetrics, dassie_train_metrics_free)

G_END_DECLS
