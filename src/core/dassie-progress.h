/* dassie-progress.h: the progress report that every long core job sends to its caller
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *stage;       /* "train", "infer", "scores", "umap", "download", "scan", ... */
  double      fraction;    /* 0 .. 1, or < 0 when the total is unknown */
  double      rate;        /* items per second (samples/s, bytes/s), or < 0 */
  double      eta_seconds; /* seconds left, or < 0 when unknown */
  const char *message;     /* one line a person can read, or NULL */
} DassieProgress;

/* Called on the worker thread; must be cheap and must not touch widgets. */
typedef void (*DassieProgressFunc) (const DassieProgress *progress,
                                    gpointer              user_data);

/* Estimates rate and time left from elapsed time, with light smoothing. */
typedef struct
{
  gint64 start_usec;
  double smoothed_rate;
} DassieEta;

void   dassie_eta_start  (DassieEta *eta);
void   dassie_eta_update (DassieEta *eta,
                          double     done,
                          double     total,
                          double    *rate,
                          double    *eta_seconds);
char  *dassie_format_duration (double seconds);

G_END_DECLS
