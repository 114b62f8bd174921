/* dassie-scores-private.h: the score methods besides the k-NN median, as the scores verb runs them
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "dassie-scores.h"

G_BEGIN_DECLS

/* Adds to @scores (the k-NN medians of @store) the columns of every other method that the
 * configuration and the latents at @latents_path allow: RECON_RESID and RECON_MSE (when infer kept
 * the residuals), LOF, IFOREST and RANK_COMBO, and makes SCORE the column of scores.method. Records
 * the methods' parameters in @json (an object being built). */
gboolean _dassie_scores_add_methods (DassieScores            *scores,
                                     DassieVectors           *store,
                                     const char              *latents_path,
                                     const DassieConfig      *config,
                                     const DassieKnnOptions  *options,
                                     JsonBuilder             *json,
                                     GCancellable            *cancellable,
                                     GError                 **error);

G_END_DECLS
