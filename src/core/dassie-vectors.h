/* dassie-vectors.h: the vector store (object ids and a float32 matrix) and exact k nearest neighbours
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"
#include "dassie-progress.h"

G_BEGIN_DECLS

typedef enum
{
  DASSIE_METRIC_SQEUCLIDEAN,  /* ‖x − y‖², what Hyrax and LanceDB report */
  DASSIE_METRIC_EUCLIDEAN,    /* ‖x − y‖ */
  DASSIE_METRIC_COSINE,       /* 1 − x·y / (‖x‖ ‖y‖); 1 when either vector is zero */
} DassieMetric;

typedef enum
{
  DASSIE_INDEX_AUTO,   /* exact below the HNSW threshold, HNSW from it on */
  DASSIE_INDEX_EXACT,
  DASSIE_INDEX_HNSW,
} DassieIndexKind;

typedef struct _DassieVectors DassieVectors;

/* The k nearest neighbours of n_rows queries: row-major n_rows × k arrays, nearest first; equal
 * distances are ordered by row number. */
typedef struct
{
  guint  n_rows;
  guint  k;
  guint *indices;    /* rows of the store */
  float *distances;  /* in the metric's own units */
} DassieNeighbors;

/* How all-pairs neighbours are found; dassie_knn_options_init() fills in the defaults. */
typedef struct
{
  DassieMetric        metric;
  DassieIndexKind     index;
  guint               hnsw_threshold;       /* AUTO uses HNSW from this many rows on */
  guint               hnsw_m;
  guint               hnsw_ef_construction;
  guint               hnsw_ef;              /* search breadth; raised to k when smaller */
  char               *index_dir;            /* HNSW indexes are kept in this folder and reused, or NULL */
  guint               n_threads;            /* 0: every processor */
  DassieProgressFunc  progress;
  gpointer            progress_data;
} DassieKnnOptions;

/* What a search did, for tests and benchmarks. */
typedef struct
{
  /* rows searched again by a full scan: for the exact search, rows whose candidates could not be
   * proven complete; for HNSW, rows too few neighbours were found for, and stranded or outlying rows */
  guint   n_fallback_rows;
  gboolean used_hnsw;
  gboolean loaded_index;
} DassieKnnStats;

/* The metrics' names in config files, NULL-terminated and in DassieMetric order. */
const char * const *dassie_metric_names         (void);
const char      *dassie_metric_to_string       (DassieMetric             metric);
/* The metric's name for people, translated ("Squared Euclidean"). */
const char      *dassie_metric_get_label       (DassieMetric             metric);
gboolean         dassie_metric_from_string     (const char              *text,
                                                DassieMetric            *metric);
gboolean         dassie_index_kind_from_string (const char              *text,
                                                DassieIndexKind         *kind);

void             dassie_knn_options_init       (DassieKnnOptions        *options);
/* Reads scores.metric, scores.index, scores.hnsw_* and general.threads. */
gboolean         dassie_knn_options_from_config (DassieKnnOptions       *options,
                                                 const DassieConfig     *config,
                                                 GError                **error);
void             dassie_knn_options_clear      (DassieKnnOptions        *options);

/* Copies @ids and @data (n_rows × dim). Fails on duplicate ids or non-finite values. */
DassieVectors   *dassie_vectors_new            (const char * const      *ids,
                                                const float             *data,
                                                guint                    n_rows,
                                                guint                    dim,
                                                GError                 **error);
/* Takes @ids (a GStrv of n_rows) and @data (g_malloc'd). */
DassieVectors   *dassie_vectors_new_take       (char                   **ids,
                                                float                   *data,
                                                guint                    n_rows,
                                                guint                    dim,
                                                GError                 **error);
/* The latents.fits to analyse: @input (the file, or an infer run folder), else the newest complete infer
 * run under general.results_dir. */
char            *dassie_vectors_find_latents   (const DassieConfig      *config,
                                                const char              *input,
                                                GError                 **error);
/* Loads the LATENT column of an infer run's latents.fits, or a run folder holding one. */
DassieVectors   *dassie_vectors_load           (const char              *path,
                                                GError                 **error);
void             dassie_vectors_free           (DassieVectors           *self);

guint            dassie_vectors_get_n_rows     (const DassieVectors     *self);
guint            dassie_vectors_get_dim        (const DassieVectors     *self);
const char      *dassie_vectors_get_id         (const DassieVectors     *self,
                                                guint                    row);
const char * const *dassie_vectors_get_ids     (const DassieVectors     *self);
const float     *dassie_vectors_get_data       (const DassieVectors     *self);
/* The path it was loaded from, or NULL. */
const char      *dassie_vectors_get_path       (const DassieVectors     *self);
gboolean         dassie_vectors_lookup         (DassieVectors           *self,
                                                const char              *id,
                                                guint                   *row);
/* A SHA-256 of the ids and the matrix, to know whether a saved index belongs to this store. */
char            *dassie_vectors_get_checksum   (DassieVectors           *self);

/* Exact k nearest neighbours of every row among the other rows (the row itself excluded). */
DassieNeighbors *dassie_vectors_knn_all_exact  (DassieVectors           *self,
                                                guint                    k,
                                                DassieMetric             metric,
                                                guint                    n_threads,
                                                DassieProgressFunc       progress,
                                                gpointer                 progress_data,
                                                DassieKnnStats          *stats,
                                                GCancellable            *cancellable,
                                                GError                 **error);
/* All-pairs neighbours by the method @options choose (exact, or HNSW above the threshold). */
DassieNeighbors *dassie_vectors_knn_all        (DassieVectors           *self,
                                                guint                    k,
                                                const DassieKnnOptions  *options,
                                                DassieKnnStats          *stats,
                                                GCancellable            *cancellable,
                                                GError                 **error);
/* Exact neighbours of @n_queries vectors of the store's dimension. @exclude (or NULL) names a row to
 * leave out for each query (G_MAXUINT for none). */
DassieNeighbors *dassie_vectors_search         (DassieVectors           *self,
                                                const float             *queries,
                                                guint                    n_queries,
                                                const guint             *exclude,
                                                guint                    k,
                                                DassieMetric             metric,
                                                guint                    n_threads,
                                                DassieKnnStats          *stats,
                                                GCancellable            *cancellable,
                                                GError                 **error);
/* The nearest objects to the object @id, itself excluded. */
DassieNeighbors *dassie_vectors_search_id      (DassieVectors           *self,
                                                const char              *id,
                                                guint                    k,
                                                DassieMetric             metric,
                                                GError                 **error);

DassieNeighbors *dassie_neighbors_new          (guint                    n_rows,
                                                guint                    k);
void             dassie_neighbors_free         (DassieNeighbors         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieVectors, dassie_vectors_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieNeighbors, dassie_neighbors_free)

G_END_DECLS
