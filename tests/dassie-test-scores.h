/* dassie-test-scores.h: scores.fits and embedding.fits fixtures, and a finished pipeline on a data set
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

/* A finished pipeline on the data set in @data_dir, computed here without the verbs: a feature vector
 * for every object (the mean and spread of each band) as its latent vector, each object's exact
 * @k nearest neighbours by a naive double loop and its median distance as the score, and a map of the
 * first two principal components of the standardised features. Writes infer, scores and umap run folders
 * under @results_dir and returns their paths. */
void dassie_test_write_pipeline (const char          *data_dir,
                                 const char          *results_dir,
                                 guint                k,
                                 char               **infer_run,
                                 char               **scores_run,
                                 char               **umap_run);

G_END_DECLS
