/* dassie-parallel.c: split a loop over the cores, deterministically
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cblas.h>

#include "dassie-parallel.h"

typedef struct
{
  DassieRangeFunc func;
  gpointer        data;
  guint           begin;
  guint           end;
} RangeJob;

static gpointer
range_thread (gpointer p)
{
  RangeJob *job = p;

  job->func (job->begin, job->end, job->data);
  return NULL;
}

guint
dassie_parallel_n_threads (guint requested)
{
  return requested > 0 ? requested : MAX (1, g_get_num_processors ());
}

void
dassie_parallel_for (guint           n,
                     guint           n_threads,
                     DassieRangeFunc func,
                     gpointer        user_data)
{
  g_autofree RangeJob *jobs = NULL;
  g_autofree GThread **threads = NULL;

  g_return_if_fail (func != NULL);

  n_threads = MAX (1, MIN (dassie_parallel_n_threads (n_threads), n));
  if (n_threads <= 1)
    {
      func (0, n, user_data);
      return;
    }

  jobs = g_new0 (RangeJob, n_threads);
  threads = g_new0 (GThread *, n_threads);
  for (guint t = 0; t < n_threads; t++)
    {
      jobs[t].func = func;
      jobs[t].data = user_data;
      jobs[t].begin = (guint) ((guint64) n * t / n_threads);
      jobs[t].end = (guint) ((guint64) n * (t + 1) / n_threads);
      if (t > 0)
        threads[t] = g_thread_new ("dassie-worker", range_thread, &jobs[t]);
    }
  range_thread (&jobs[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}

/* OpenBLAS's thread count is process-wide: jobs on different threads (training beside a map
 * preview) must not save and restore it over each other, so sections nest under one lock. */
static GMutex blas_lock;
static int blas_depth;
static int blas_saved;

void
dassie_blas_single_begin (void)
{
  g_mutex_lock (&blas_lock);
  if (blas_depth++ == 0)
    {
      blas_saved = openblas_get_num_threads ();
      openblas_set_num_threads (1);
    }
  g_mutex_unlock (&blas_lock);
}

void
dassie_blas_single_end (void)
{
  g_mutex_lock (&blas_lock);
  g_assert (blas_depth > 0);
  if (--blas_depth == 0 && blas_saved > 0)
    openblas_set_num_threads (blas_saved);
  g_mutex_unlock (&blas_lock);
}
