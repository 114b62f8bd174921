/* dassie-label-style.h: how the astronomer's labels look everywhere in the app: colours, badges, keys
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-labels.h"

G_BEGIN_DECLS

/* The map's ring colours of DASSIE_LABEL_INTERESTING .. DASSIE_LABEL_ARTIFACT (0xRRGGBB), in that
 * order: DassieScatter.mark_rgb with catalog->labels as the marks. */
extern const guint32 dassie_label_rgb[DASSIE_N_LABELS - 1];

/* The CSS class of a badge of @label ("label-interesting", …), NULL for DASSIE_LABEL_NONE. */
const char *dassie_label_get_css_class (DassieLabel label);
/* A badge: a small pill with the label's name in its colour (style.css "label-badge"); hidden for
 * DASSIE_LABEL_NONE. */
GtkWidget  *dassie_label_badge_new     (void);
void        dassie_label_badge_set     (GtkWidget  *badge,
                                        DassieLabel label);
/* The label a badge shows (DASSIE_LABEL_NONE when hidden). */
DassieLabel dassie_label_badge_get     (GtkWidget  *badge);

G_END_DECLS
