/* dassie-score-methods.h: the anomaly score methods, their columns of scores.fits and their names for people
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The column of scores.fits that holds the score every consumer ranks by: a copy of the column of the
 * method named by the header key SCOREMTH (scores.method when the run was made). */
#define DASSIE_SCORE_COLUMN "SCORE"

/* The method names of scores.method and `dassie-cli scores --method`, NULL-terminated, in the order
 * of their columns in scores.fits: "knn-median" (Hyrax's score), "reconstruction", "mse", "lof",
 * "iforest", "rank-combo". */
const char * const *dassie_score_method_names       (void);
/* TRUE when @method is one of the names. */
gboolean            dassie_score_method_is_valid    (const char *method);
/* The column of scores.fits that holds @method's score ("KNN_MEDIAN", "RECON_RESID", "RECON_MSE",
 * "LOF", "IFOREST", "RANK_COMBO"), or NULL for an unknown method. */
const char         *dassie_score_method_get_column  (const char *method);
/* The method whose column is @column, or NULL. */
const char         *dassie_score_method_from_column (const char *column);
/* The method's name for people and a one-line explanation, both translated; NULL for an unknown method. */
const char         *dassie_score_method_get_label   (const char *method);
const char         *dassie_score_method_get_description (const char *method);

G_END_DECLS
