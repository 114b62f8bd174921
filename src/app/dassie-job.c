/* dassie-job.c: one long computation on its own thread, with progress the UI can bind to
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "dassie-job.h"

/* How much a job's threads yield to the main thread (nice, 0 .. 19). */
#define JOB_NICE 10

struct _DassieJob
{
  GObject       parent_instance;

  char         *title;
  GCancellable *cancellable;

  /* What the UI sees; main thread only. */
  double        fraction;
  char         *message;
  double        eta;
  gboolean      running;

  /* What the worker wrote last; under the lock. */
  GMutex        lock;
  double        pending_fraction;
  char         *pending_message;
  double        pending_eta;
  gpointer      pending_payload;
  GDestroyNotify pending_payload_free;
  guint         idle_id;

  DassieJobFunc func;
  gpointer      data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_FRACTION,
  PROP_MESSAGE,
  PROP_ETA,
  PROP_RUNNING,
  N_PROPS
};

enum {
  PAYLOAD,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DassieJob, dassie_job, G_TYPE_OBJECT)

static void
dassie_job_finalize (GObject *object)
{
  DassieJob *self = DASSIE_JOB (object);

  g_assert (self->idle_id == 0);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->pending_message, g_free);
  if (self->pending_payload != NULL && self->pending_payload_free != NULL)
    self->pending_payload_free (self->pending_payload);
  g_clear_object (&self->cancellable);
  if (self->data != NULL && self->data_free != NULL)
    self->data_free (self->data);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (dassie_job_parent_class)->finalize (object);
}

static void
dassie_job_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  DassieJob *self = DASSIE_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_ETA:
      g_value_set_double (value, self->eta);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_job_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  DassieJob *self = DASSIE_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_free (self->title);
      self->title = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_job_class_init (DassieJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dassie_job_finalize;
  object_class->get_property = dassie_job_get_property;
  object_class->set_property = dassie_job_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, -1, 1, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ETA] =
    g_param_spec_double ("eta", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted on the main thread with the newest payload posted by the worker. */
  signals[PAYLOAD] =
    g_signal_new ("payload", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
dassie_job_init (DassieJob *self)
{
  g_mutex_init (&self->lock);
  self->cancellable = g_cancellable_new ();
  self->fraction = -1;
  self->eta = -1;
  self->pending_fraction = -1;
  self->pending_eta = -1;
}

DassieJob *
dassie_job_new (const char *title)
{
  return g_object_new (DASSIE_TYPE_JOB, "title", title, NULL);
}

const char *
dassie_job_get_title (DassieJob *self)
{
  g_return_val_if_fail (DASSIE_IS_JOB (self), NULL);
  return self->title;
}

double
dassie_job_get_fraction (DassieJob *self)
{
  g_return_val_if_fail (DASSIE_IS_JOB (self), -1);
  return self->fraction;
}

const char *
dassie_job_get_message (DassieJob *self)
{
  g_return_val_if_fail (DASSIE_IS_JOB (self), NULL);
  return self->message;
}

double
dassie_job_get_eta (DassieJob *self)
{
  g_return_val_if_fail (DASSIE_IS_JOB (self), -1);
  return self->eta;
}

gboolean
dassie_job_get_running (DassieJob *self)
{
  g_return_val_if_fail (DASSIE_IS_JOB (self), FALSE);
  return self->running;
}

GCancellable *
dassie_job_get_cancellable (DassieJob *self)
{
  g_return_val_if_fail (DASSIE_IS_JOB (self), NULL);
  return self->cancellable;
}

static void
set_running (DassieJob *self,
             gboolean   running)
{
  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
}

/* Main thread: publishes what the worker wrote last. */
static gboolean
flush_progress (gpointer user_data)
{
  DassieJob *self = user_data;
  double fraction, eta;
  g_autofree char *message = NULL;
  gpointer payload;
  GDestroyNotify payload_free;

  g_mutex_lock (&self->lock);
  self->idle_id = 0;
  fraction = self->pending_fraction;
  eta = self->pending_eta;
  message = g_steal_pointer (&self->pending_message);
  payload = g_steal_pointer (&self->pending_payload);
  payload_free = self->pending_payload_free;
  self->pending_payload_free = NULL;
  g_mutex_unlock (&self->lock);

  g_object_freeze_notify (G_OBJECT (self));
  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (eta != self->eta)
    {
      self->eta = eta;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA]);
    }
  if (message != NULL && g_strcmp0 (message, self->message) != 0)
    {
      g_free (self->message);
      self->message = g_steal_pointer (&message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  if (payload != NULL)
    {
      g_signal_emit (self, signals[PAYLOAD], 0, payload);
      if (payload_free != NULL)
        payload_free (payload);
    }

  return G_SOURCE_REMOVE;
}

static void
schedule_flush_locked (DassieJob *self)
{
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_progress, g_object_ref (self), g_object_unref);
}

void
dassie_job_report (const DassieProgress *progress,
                   gpointer              job)
{
  DassieJob *self = job;

  g_return_if_fail (DASSIE_IS_JOB (self));
  g_return_if_fail (progress != NULL);

  g_mutex_lock (&self->lock);
  self->pending_fraction = CLAMP (progress->fraction, -1, 1);
  self->pending_eta = progress->eta_seconds;
  if (progress->message != NULL)
    {
      g_free (self->pending_message);
      self->pending_message = g_strdup (progress->message);
    }
  schedule_flush_locked (self);
  g_mutex_unlock (&self->lock);
}

void
dassie_job_post (DassieJob      *self,
                 gpointer        payload,
                 GDestroyNotify  payload_free)
{
  g_return_if_fail (DASSIE_IS_JOB (self));

  g_mutex_lock (&self->lock);
  if (self->pending_payload != NULL && self->pending_payload_free != NULL)
    self->pending_payload_free (self->pending_payload);
  self->pending_payload = payload;
  self->pending_payload_free = payload_free;
  schedule_flush_locked (self);
  g_mutex_unlock (&self->lock);
}

/* One run of the job's function, handed from the worker back to the main context. */
typedef struct
{
  DassieJob *job;
  GTask     *outer;
  gpointer   result;
  GError    *error;
  GApplication *application;   /* held while the worker runs, so quitting waits for a cancel */
} JobRun;

/* Main thread: the worker has returned. */
static gboolean
job_done (gpointer user_data)
{
  JobRun *run = user_data;
  DassieJob *self = run->job;

  /* Publish the last progress before the result, then stop the idle. */
  g_mutex_lock (&self->lock);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_mutex_unlock (&self->lock);
  flush_progress (self);
  set_running (self, FALSE);

  /* The worker's own result or error stands: a cancel that came too late keeps a finished result, and
   * a cancelled verb's message (where to resume from) is not replaced by a generic one. */
  if (run->error != NULL)
    g_task_return_error (run->outer, g_steal_pointer (&run->error));
  else
    g_task_return_pointer (run->outer, g_steal_pointer (&run->result), self->result_free);

  g_object_unref (run->outer);
  g_object_unref (run->job);
  if (run->application != NULL)
    {
      g_application_release (run->application);
      g_object_unref (run->application);
    }
  g_free (run);
  return G_SOURCE_REMOVE;
}

/* A job yields the processors to the main thread (and to the rest of the desktop): on Linux the
 * nice value is per thread, and the threads the job starts inherit it. */
static void
lower_thread_priority (void)
{
#ifdef __linux__
  errno = 0;
  if (setpriority (PRIO_PROCESS, (id_t) gettid (), JOB_NICE) != 0)
    g_debug ("Could not lower the priority of a job thread: %s", g_strerror (errno));
#endif
}

static gpointer
job_thread (gpointer user_data)
{
  JobRun *run = user_data;
  DassieJob *self = run->job;
  GSource *source;

  lower_thread_priority ();
  run->result = self->func (self, self->data, self->cancellable, &run->error);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, job_done, run, NULL);
  g_source_set_static_name (source, "[dassie] job done");
  g_source_attach (source, g_task_get_context (run->outer));
  g_source_unref (source);
  return NULL;
}

void
dassie_job_run_async (DassieJob           *self,
                      DassieJobFunc        func,
                      gpointer             data,
                      GDestroyNotify       data_free,
                      GDestroyNotify       result_free,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  JobRun *run;

  g_return_if_fail (DASSIE_IS_JOB (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (!self->running);

  self->func = func;
  self->data = data;
  self->data_free = data_free;
  self->result_free = result_free;
  set_running (self, TRUE);

  run = g_new0 (JobRun, 1);
  run->job = g_object_ref (self);
  run->outer = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (run->outer, dassie_job_run_async);
  /* The process must not exit under a worker that is still inside OpenBLAS or cfitsio: the closed
   * window's job cancels, and the application quits when the worker has returned. */
  run->application = g_application_get_default ();
  if (run->application != NULL)
    {
      g_object_ref (run->application);
      g_application_hold (run->application);
    }

  /* Its own thread, not GLib's shared pool: the job lowers the thread's priority. */
  g_thread_unref (g_thread_new ("dassie-job", job_thread, run));
}

gpointer
dassie_job_run_finish (DassieJob     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (DASSIE_IS_JOB (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
dassie_job_cancel (DassieJob *self)
{
  g_return_if_fail (DASSIE_IS_JOB (self));

  g_cancellable_cancel (self->cancellable);
}
