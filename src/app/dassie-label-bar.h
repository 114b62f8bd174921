/* dassie-label-bar.h: the label of one object, and buttons and keys to change it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-explore-model.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_LABEL_BAR (dassie_label_bar_get_type ())

G_DECLARE_FINAL_TYPE (DassieLabelBar, dassie_label_bar, DASSIE, LABEL_BAR, GtkWidget)

/* A badge with the label of row @row of the model's catalog and buttons Interesting, Boring,
 * Artifact and Clear; in the window that holds it the keys 1, 2, 3 and 0 do the same, and Ctrl+Z
 * undoes the last change of the labels (actions labelbar.label with "interesting", "boring",
 * "artifact" or "none", and labelbar.undo). */
GtkWidget   *dassie_label_bar_new       (void);
void         dassie_label_bar_set_model (DassieLabelBar     *self,
                                         DassieExploreModel *model);
/* -1 for none. */
void         dassie_label_bar_set_row   (DassieLabelBar     *self,
                                         gssize              row);
/* The badge, which shows the row's label. */
GtkWidget   *dassie_label_bar_get_badge (DassieLabelBar     *self);

G_END_DECLS
