/* dassie-embedding-view.h: a 2-D embedding as a scatter coloured by score, redrawn as it changes
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DASSIE_TYPE_EMBEDDING_VIEW (dassie_embedding_view_get_type ())

G_DECLARE_FINAL_TYPE (DassieEmbeddingView, dassie_embedding_view, DASSIE, EMBEDDING_VIEW, GtkWidget)

GtkWidget *dassie_embedding_view_new            (void);
/* @xy: n × 2 floats (x, y of each point), copied. Replacing the points keeps the colours when the
 * number of points is the same, so an optimisation in progress can be shown frame by frame. */
void       dassie_embedding_view_set_points     (DassieEmbeddingView *self,
                                                 const float         *xy,
                                                 gsize                n);
/* One value per point (the anomaly score), copied; NULL draws every point alike. */
void       dassie_embedding_view_set_values     (DassieEmbeddingView *self,
                                                 const float         *values,
                                                 gsize                n);
void       dassie_embedding_view_clear          (DassieEmbeddingView *self);
gsize      dassie_embedding_view_get_n_points   (DassieEmbeddingView *self);
/* The n values the points are coloured by, or NULL. */
const float *dassie_embedding_view_get_values   (DassieEmbeddingView *self);
/* How many times the points were replaced since the last clear (frames of an animation). */
guint      dassie_embedding_view_get_n_updates  (DassieEmbeddingView *self);
void       dassie_embedding_view_set_placeholder (DassieEmbeddingView *self,
                                                  const char          *text);

G_END_DECLS
