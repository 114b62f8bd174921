/* dassie-test-scores.h: scores.fits fixtures, and a finished pipeline on a data set
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* scores.fits as the scores verb writes it: OBJECT_ID (int64 when every id is an integer, else text),
 * KNN_MEDIAN (1E), NEIGHBOR_IDS (k ids of the rows in @neighbor_rows), NEIGHBOR_DIST (kE). */
void dassie_test_write_scores   (const char          *path,
                                 const char * const  *ids,
                                 guint                n,
                                 const float         *scores,
                                 guint                k,
                                 const guint         *neighbor_rows,
                                 const float         *neighbor_dist);

/* A finished pipeline on the data set in @data_dir: a feature vector for every object (the mean and
 * spread of each band) written as the latent vectors of an infer run under @results_dir, then the
 * real scores verb (@k neighbours, Euclidean) and umap verb run on it. Returns the three run folders
 * and, in @reference_scores (optional, g_free), each object's score computed here independently: the
 * median distance to its @k nearest neighbours found by a double loop. */
void dassie_test_write_pipeline (const char          *data_dir,
                                 const char          *results_dir,
                                 guint                k,
                                 char               **infer_run,
                                 char               **scores_run,
                                 char               **umap_run,
                                 float              **reference_scores);

G_END_DECLS
