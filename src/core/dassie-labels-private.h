/* dassie-labels-private.h: what the label store's files share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-labels.h"

G_BEGIN_DECLS

/* Changes @entry (a copy of the object's entry, or an empty one) for the @index-th id. */
typedef void (*DassieLabelsEditFunc) (DassieLabelEntry *entry,
                                      gsize             index,
                                      gpointer          user_data);

/* Applies @edit to the entry of each of @ids as one undo step and saves; @many says that "changed"
 * reports no ids (too many to list). */
gboolean _dassie_labels_edit (DassieLabels        *self,
                              const char * const  *ids,
                              gsize                n_ids,
                              DassieLabelsEditFunc edit,
                              gpointer             user_data,
                              gboolean             many,
                              GError             **error);
/* Sorted tags of @entry from @tags (borrowed strings, already normalised). */
void     _dassie_label_entry_set_tags (DassieLabelEntry *entry,
                                       GPtrArray        *tags);
/* A tag as stored (trimmed, lower case), or NULL when @tag is not one. */
char    *_dassie_label_normalize_tag  (const char       *tag);

G_END_DECLS
