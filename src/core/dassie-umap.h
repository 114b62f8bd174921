/* dassie-umap.h: UMAP fit and transform (umap-learn's algorithm), and trustworthiness
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"
#include "dassie-progress.h"
#include "dassie-vectors.h"

G_BEGIN_DECLS

typedef enum
{
  DASSIE_UMAP_INIT_PCA,     /* the first two principal components, rescaled to [0, 10] */
  DASSIE_UMAP_INIT_RANDOM,  /* uniform in [−10, 10], rescaled the same way */
  DASSIE_UMAP_INIT_SPECTRAL, /* umap-learn's default: the graph Laplacian's first nontrivial
                              * eigenvectors; PCA where the graph falls apart into pieces */
} DassieUmapInit;

/* What UMAP's DassieProgressFunc gets, every few epochs on the worker thread: cast the
 * DassieProgress to this. @embedding is a copy of the current n_rows × 2 float32 layout (ref it to
 * keep it), or NULL for reports without one (neighbour search, transform). While a sample is
 * fitted, the objects outside it are NaN until transform places them. */
typedef struct
{
  DassieProgress  base;       /* stage "umap" */
  GBytes         *embedding;
} DassieUmapProgress;

typedef struct
{
  guint                   n_neighbors;           /* 15, counting the point itself */
  double                  min_dist;              /* 0.1 */
  double                  spread;                /* 1.0 */
  guint                   n_epochs;              /* 0: 500 up to 10,000 points, 200 above */
  double                  learning_rate;         /* 1.0, decaying linearly to 0 */
  guint                   negative_sample_rate;  /* 5 */
  DassieUmapInit          init;
  guint64                 seed;
  guint                   fit_sample_size;       /* above this many points, fit on a sample and transform
                                                  * the rest; 0: always fit on everything */
  guint                   n_threads;             /* 0: every processor; the layout depends on it */
  DassieIndexKind         index;                 /* how the neighbours are found (scores.index) */
  guint                   hnsw_threshold;        /* and the HNSW settings (scores.hnsw_*) */
  guint                   hnsw_m;
  guint                   hnsw_ef_construction;
  guint                   hnsw_ef;
  DassieProgressFunc      progress;              /* gets a DassieUmapProgress */
  gpointer                progress_data;
  guint                   progress_every;        /* epochs between embedding copies; 0: 10 */
} DassieUmapParams;

/* What a fit did. */
typedef struct
{
  double   a;
  double   b;
  guint    n_neighbors;      /* after clamping to the number of points */
  guint    n_epochs;
  guint    n_fit;            /* points the layout was fitted on */
  guint    n_transformed;    /* points placed by transform */
  guint    n_edges;          /* directed edges left after pruning */
  DassieUmapInit init;       /* the start used: the one asked for, or what it fell back to */
  double   seconds_neighbors;
  double   seconds_layout;
  double   seconds_transform;
} DassieUmapInfo;

typedef struct
{
  char           *run_dir;     /* the umap run folder */
  char           *input_path;  /* the latents.fits that was embedded */
  guint           n_objects;
  DassieUmapInfo  info;
  double          seconds;
} DassieUmapResult;

void      dassie_umap_params_init        (DassieUmapParams        *params);
/* Reads umap.* and general.threads (and scores.index / scores.hnsw_threshold for the neighbours). */
gboolean  dassie_umap_params_from_config (DassieUmapParams        *params,
                                          const DassieConfig      *config,
                                          GError                 **error);
const char *dassie_umap_init_to_string   (DassieUmapInit           init);

/* Fits a and b of 1 / (1 + a x^(2b)) to the target curve by least squares, as umap-learn's
 * find_ab_params does (300 points on [0, 3 spread]). */
gboolean  dassie_umap_find_ab            (double                   spread,
                                          double                   min_dist,
                                          double                  *a,
                                          double                  *b);

/* Embeds @n_rows × @dim vectors in 2-D. Returns an n_rows × 2 float32 array (g_free it). */
float    *dassie_umap_fit                (const float             *data,
                                          guint                    n_rows,
                                          guint                    dim,
                                          const DassieUmapParams  *params,
                                          DassieUmapInfo          *info,
                                          GCancellable            *cancellable,
                                          GError                 **error);
/* Places @n_new new vectors into an existing layout of @n_train vectors (umap-learn's transform). */
float    *dassie_umap_transform          (const float             *train_data,
                                          guint                    n_train,
                                          guint                    dim,
                                          const float             *train_embedding,
                                          const float             *new_data,
                                          guint                    n_new,
                                          const DassieUmapParams  *params,
                                          GCancellable            *cancellable,
                                          GError                 **error);

/* The umap verb: embeds @input (a latents.fits or an infer run; NULL: the newest infer run) with the
 * umap.* settings and writes a umap run: config.json, embedding.fits (OBJECT_ID exact, UMAP as 2E) and
 * umap.json (the parameters used, a and b, what was fitted and how long it took). A cancelled run
 * leaves nothing behind. */
gboolean  dassie_umap_run                (const DassieConfig      *config,
                                          const char              *input,
                                          GCancellable            *cancellable,
                                          DassieProgressFunc       progress,
                                          gpointer                 user_data,
                                          DassieUmapResult        *result,
                                          GError                 **error);
void      dassie_umap_result_clear       (DassieUmapResult        *result);

G_END_DECLS
