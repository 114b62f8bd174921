/* dassie-score-chooser.h: which anomaly score the Explore page ranks, colours and counts by
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-explore-model.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_SCORE_CHOOSER (dassie_score_chooser_get_type ())

G_DECLARE_FINAL_TYPE (DassieScoreChooser, dassie_score_chooser, DASSIE, SCORE_CHOOSER, GtkWidget)

/* A drop-down of the score methods that the model's catalog holds, showing the one it is ranked by;
 * choosing one sets the model's "score-method". Insensitive with fewer than two. */
GtkWidget  *dassie_score_chooser_new        (void);
void        dassie_score_chooser_set_model  (DassieScoreChooser *self,
                                             DassieExploreModel *model);
/* The methods offered, in order (dassie_score_method_names() names), and the one shown. */
guint       dassie_score_chooser_get_n_methods (DassieScoreChooser *self);
const char *dassie_score_chooser_get_method_at (DassieScoreChooser *self,
                                                guint               index);
const char *dassie_score_chooser_get_method (DassieScoreChooser *self);
/* As the user does: selects @method in the drop-down. FALSE when it is not offered. */
gboolean    dassie_score_chooser_choose     (DassieScoreChooser *self,
                                             const char         *method);

G_END_DECLS
