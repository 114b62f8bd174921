/* dassie-progress.c: rate and time-left estimates for progress reports
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-progress.h"

void
dassie_eta_start (DassieEta *eta)
{
  g_return_if_fail (eta != NULL);

  eta->start_usec = g_get_monotonic_time ();
  eta->smoothed_rate = -1;
}

void
dassie_eta_update (DassieEta *eta,
                   double     done,
                   double     total,
                   double    *rate,
                   double    *eta_seconds)
{
  double elapsed;
  double r;

  g_return_if_fail (eta != NULL);

  elapsed = (g_get_monotonic_time () - eta->start_usec) / (double) G_USEC_PER_SEC;
  r = elapsed > 0 ? done / elapsed : -1;

  /* The mean rate since the start is steady enough once a second has passed; before that, say nothing. */
  if (elapsed < 0.5 || done <= 0)
    r = -1;
  eta->smoothed_rate = r;

  if (rate != NULL)
    *rate = r;
  if (eta_seconds != NULL)
    *eta_seconds = (r > 0 && total >= done) ? (total - done) / r : -1;
}

char *
dassie_format_duration (double seconds)
{
  guint s;

  if (seconds < 0 || !isfinite (seconds))
    return g_strdup ("–");

  s = (guint) (seconds + 0.5);
  if (s < 60)
    return g_strdup_printf ("%u s", s);
  if (s < 3600)
    return g_strdup_printf ("%u min %02u s", s / 60, s % 60);
  return g_strdup_printf ("%u h %02u min", s / 3600, (s % 3600) / 60);
}
