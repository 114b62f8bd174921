/* dassie-job.h: one long computation on its own thread, with progress the UI can bind to
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-progress.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_JOB (dassie_job_get_type ())

G_DECLARE_FINAL_TYPE (DassieJob, dassie_job, DASSIE, JOB, GObject)

/* Runs on the worker thread. Returns the result (freed with the run's result_free) or NULL and an
 * error. It must poll @cancellable between steps and must not touch widgets. */
typedef gpointer (*DassieJobFunc) (DassieJob     *job,
                                   gpointer       data,
                                   GCancellable  *cancellable,
                                   GError       **error);

DassieJob    *dassie_job_new            (const char           *title);
const char   *dassie_job_get_title      (DassieJob            *self);
double        dassie_job_get_fraction   (DassieJob            *self);
const char   *dassie_job_get_message    (DassieJob            *self);
double        dassie_job_get_eta        (DassieJob            *self);
gboolean      dassie_job_get_running    (DassieJob            *self);
GCancellable *dassie_job_get_cancellable (DassieJob           *self);

void          dassie_job_run_async      (DassieJob            *self,
                                         DassieJobFunc         func,
                                         gpointer              data,
                                         GDestroyNotify        data_free,
                                         GDestroyNotify        result_free,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gpointer      dassie_job_run_finish     (DassieJob            *self,
                                         GAsyncResult         *result,
                                         GError              **error);
void          dassie_job_cancel         (DassieJob            *self);

/* A DassieProgressFunc: pass the job as user_data from the worker thread. Thread-safe; at most one
 * idle is pending at a time, so a fast worker never floods the main loop. */
void          dassie_job_report         (const DassieProgress *progress,
                                         gpointer              job);

/* Hands an arbitrary payload (a copy of an embedding, a loss value) to the main thread, coalesced
 * like progress: only the newest payload is delivered. The job takes ownership. */
void          dassie_job_post           (DassieJob            *self,
                                         gpointer              payload,
                                         GDestroyNotify        payload_free);

G_END_DECLS
