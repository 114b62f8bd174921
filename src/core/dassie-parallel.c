/* dassie-parallel.c: split a loop over the cores, deterministically
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

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
