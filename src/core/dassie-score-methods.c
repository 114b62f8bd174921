/* dassie-score-methods.c: the anomaly score methods, their columns of scores.fits and their names for people
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-score-methods.h"

typedef struct
{
  const char *column;
  const char *label;
  const char *description;
} Method;

static const char * const names[] = {
  "knn-median", "reconstruction", "mse", "lof", "iforest", "rank-combo", NULL
};

static const Method methods[] = {
  { "KNN_MEDIAN", N_("Neighbour distance (Hyrax)"),
    N_("Median distance to the nearest neighbours in the latent space, as Hyrax scores") },
  { "RECON_RESID", N_("Reconstruction residual"),
    N_("A high quantile of the difference between the cutout and its reconstruction, in units of the "
       "noise: finds trails, cosmic rays and bad columns that the latent vector smooths away") },
  { "RECON_MSE", N_("Reconstruction error"),
    N_("Mean squared difference between the cutout and its reconstruction") },
  { "LOF", N_("Local outlier factor"),
    N_("How much sparser an object’s neighbourhood in the latent space is than its neighbours’ own") },
  { "IFOREST", N_("Isolation forest"),
    N_("How quickly random cuts of the latent space isolate the object") },
  { "RANK_COMBO", N_("Combined rank"),
    N_("The ranks of the other scores combined, so that an object unusual by any of them rises") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (names) == G_N_ELEMENTS (methods) + 1);

static int
find (const char *method)
{
  if (method == NULL)
    return -1;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], method))
      return (int) i;
  return -1;
}

const char * const *
dassie_score_method_names (void)
{
  return names;
}

gboolean
dassie_score_method_is_valid (const char *method)
{
  return find (method) >= 0;
}

const char *
dassie_score_method_get_column (const char *method)
{
  int i = find (method);

  return i >= 0 ? methods[i].column : NULL;
}

const char *
dassie_score_method_from_column (const char *column)
{
  if (column == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_ascii_strcasecmp (methods[i].column, column) == 0)
      return names[i];
  return NULL;
}

const char *
dassie_score_method_get_label (const char *method)
{
  int i = find (method);

  return i >= 0 ? _(methods[i].label) : NULL;
}

const char *
dassie_score_method_get_description (const char *method)
{
  int i = find (method);

  return i >= 0 ? _(methods[i].description) : NULL;
}
