/* dassie-review-window.h: review mode: the most promising objects one at a time, large, in every
 * band, each labelled with one key
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "dassie-display.h"
#include "dassie-explore-model.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_REVIEW_WINDOW (dassie_review_window_get_type ())

G_DECLARE_FINAL_TYPE (DassieReviewWindow, dassie_review_window, DASSIE, REVIEW_WINDOW, AdwWindow)

/* Shows the most promising unlabelled object of @model's catalog (catalog->promising, re-ranked after
 * every label; the most anomalous when there is no ranking) with its colour composite and each band.
 * Keys: 1 interesting, 2 boring, 3 artifact (each labels and moves on), 0 clears, Space or → skips,
 * ← goes back, Ctrl+Z undoes the last label and shows its object again, Esc closes. The objects that
 * are likely next are rendered ahead, so moving on shows them at once.
 *
 * Actions: review.label ("interesting", "boring", "artifact", "none"), review.skip, review.back,
 * review.undo. */
DassieReviewWindow *dassie_review_window_new            (DassieExploreModel         *model,
                                                         const DassieDisplayOptions *options);
/* The row shown, or -1 when every candidate was reviewed. */
gssize              dassie_review_window_get_row        (DassieReviewWindow         *self);
/* Objects labelled in this window (each counted once). */
guint               dassie_review_window_get_n_reviewed (DassieReviewWindow         *self);
/* TRUE when the pictures of @row are rendered (shown or ahead). */
gboolean            dassie_review_window_is_rendered    (DassieReviewWindow         *self,
                                                         guint                       row);
/* TRUE while the object shown waits for its pictures. */
gboolean            dassie_review_window_get_busy       (DassieReviewWindow         *self);

G_END_DECLS
