/* dassie-umap-private.h: what the UMAP optimiser shares with its starting layouts
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-umap.h"

G_BEGIN_DECLS

/* A sparse symmetric graph in rows: edges of row i are cols[rows[i] .. rows[i + 1]). */
typedef struct
{
  guint   n;
  guint  *rows;
  guint  *cols;
  float  *vals;
} DassieUmapGraph;

/* Each fills @embedding (n × 2); the layout then starts from it. */
gboolean  _dassie_umap_pca_init       (const float           *data,
                                       guint                  n,
                                       guint                  dim,
                                       float                 *embedding);
void      _dassie_umap_random_init    (guint64                seed,
                                       guint                  n,
                                       float                 *embedding);
gboolean  _dassie_umap_spectral_init  (const DassieUmapGraph *g,
                                       guint64                seed,
                                       float                 *embedding,
                                       GCancellable          *cancellable);
gboolean  _dassie_umap_rescale_to_ten (float                 *embedding,
                                       guint                  n);

G_END_DECLS
