/* dassie-catalog.h: the scored objects joined with their UMAP position and their data set cutouts
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "dassie-dataset.h"
#include "dassie-display.h"
#include "dassie-export.h"
#include "dassie-labels.h"
#include "dassie-relevance.h"

G_BEGIN_DECLS

#define DASSIE_CATALOG_NO_ROW G_MAXUINT32

/* One row per object of a scores run, in the order of scores.fits. The arrays are plain so that plots
 * and selections read them directly; a catalog is immutable once loaded (or once a caller that built
 * it with dassie_catalog_new() has called dassie_catalog_rank()), so threads may share it. */
typedef struct
{
  guint          n;
  char         **ids;            /* n exact ids (a GStrv) */
  float         *x;              /* n UMAP coordinates; NaN where the embedding lacks the object */
  float         *y;
  float         *scores;         /* n median k-NN distances (NaN: no score) */
  guint32       *ranks;          /* n ranks, 1 = the most anomalous */
  guint32       *order;          /* n rows from the most anomalous to the most normal */
  double         score_mean;     /* of the finite scores, 0 when there are none */
  guint          k;              /* neighbours a row */
  guint32       *neighbors;      /* n × k rows, nearest first; DASSIE_CATALOG_NO_ROW when unknown */
  float         *neighbor_dist;  /* n × k distances */
  DassieDataset *dataset;        /* where the cutouts are, or NULL */
  int           *objects;        /* n indices into dataset, -1 when it lacks the object */
  guint          n_in_dataset;   /* rows whose object the data set holds */
  char          *scores_path;
  char          *umap_path;      /* NULL when the catalog has no map (x and y are NaN) */
  char          *latents_checksum; /* of the latent vectors that were scored, NULL when not recorded */
  /* Labels and active learning (dassie_catalog_set_labels, _load_latents, _update_relevance). Unlike
   * the rest these change after loading: only the thread that owns the catalog (the UI thread)
   * writes and reads them. NULL until set. */
  guint8        *labels;         /* n DassieLabel values */
  float         *latents;        /* n × latent_dim, in row order (the vectors that were scored) */
  guint          latent_dim;
  float         *relevance;      /* n relevance values (dassie-relevance.h) */
  guint32       *promising;      /* n_promising unlabelled rows, the most promising first */
  guint          n_promising;
  DassieRelevance *relevance_model;
} DassieCatalog;

/* A catalog of @n objects with ids "0" .. "n-1", NaN positions and scores and no neighbours, for
 * callers that fill the arrays themselves (synthetic data, benchmarks); call dassie_catalog_rank()
 * when the scores are in. */
DassieCatalog   *dassie_catalog_new            (guint                       n,
                                                guint                       k);
/* Reads scores.fits (dassie_scores_read) and embedding.fits (OBJECT_ID, UMAP; @embedding may be NULL
 * for a catalog without a map), each a file or the run folder holding it, matches them by id, and
 * finds each object in @dataset (may be NULL). Scores and map are joined only when they derive from
 * the same latent vectors (dassie_catalog_check_same_latents). */
DassieCatalog   *dassie_catalog_load           (const char                 *scores,
                                                const char                 *embedding,
                                                DassieDataset              *dataset,
                                                GCancellable               *cancellable,
                                                GError                    **error);
/* An error naming both runs when the scores and the map record the checksums of different latent
 * vectors. Runs that do not record their input are taken as the caller's explicit choice. */
gboolean         dassie_catalog_check_same_latents (const char             *scores,
                                                const char                 *embedding,
                                                GError                    **error);
/* The newest complete umap run under @results_dir computed from the latent vectors that @scores
 * (a scores run or its scores.fits) scored, or NULL: never a map of other vectors. */
char            *dassie_catalog_find_map       (const char                 *results_dir,
                                                const char                 *scores);
DassieCatalog   *dassie_catalog_ref            (DassieCatalog              *self);
void             dassie_catalog_unref          (DassieCatalog              *self);

/* Ranks, order and mean from the scores. */
void             dassie_catalog_rank           (DassieCatalog              *self);
/* The row of @object_id, or -1. */
int              dassie_catalog_find_row       (DassieCatalog              *self,
                                                const char                 *object_id);

/* The cutout of row @row through @options (its raw pixels; FITS orientation), or NULL with an error
 * when the data set lacks the object. Safe on any thread. */
cairo_surface_t *dassie_catalog_render_cutout  (DassieCatalog              *self,
                                                guint                       row,
                                                const DassieDisplayOptions *options,
                                                GError                    **error);

/* Writes @rows (in any order; written from the most anomalous) with id, score, rank, UMAP x and y
 * (when the catalog has a map), relevance and label (when set) and each band's file path (when it
 * has a data set), in @format. */
gboolean         dassie_catalog_export         (DassieCatalog              *self,
                                                const guint32              *rows,
                                                gsize                       n_rows,
                                                const char                 *path,
                                                DassieExportFormat          format,
                                                GError                    **error);

/* Labels and the most promising order. The catalog's data set identity (dassie_labels_identity_for_ids
 * of its ids), so that its labels are the same for every run of the same objects. */
char            *dassie_catalog_get_identity   (DassieCatalog              *self);
/* The label store of the catalog's data set under @store_dir (NULL: the default). */
DassieLabels    *dassie_catalog_open_labels    (DassieCatalog              *self,
                                                const char                 *store_dir,
                                                GError                    **error);
/* Copies the labels of every row from @labels (NULL clears the column); call again on "changed". */
void             dassie_catalog_set_labels     (DassieCatalog              *self,
                                                DassieLabels               *labels);
/* Reads the latent vectors that the scores run scored (its recorded input) into self->latents, in
 * row order; fails naming the file when they are missing or lack some of the catalog's objects. */
gboolean         dassie_catalog_load_latents   (DassieCatalog              *self,
                                                GCancellable               *cancellable,
                                                GError                    **error);
/* Copies @latents (n × dim, row order) in place of loading them (tests, synthetic catalogs). */
void             dassie_catalog_set_latents    (DassieCatalog              *self,
                                                const float                *latents,
                                                guint                       dim);
/* Recomputes relevance and promising from the labels column (none when NULL) and the latents
 * (which must be there); @options may be NULL for the defaults. The model is built on the first
 * call (and after new latents) with the options of that call, and reused: a re-rank after a few new
 * labels costs their distances only (about 40 ms of CPU at 100,000 × 64). */
void             dassie_catalog_update_relevance (DassieCatalog            *self,
                                                const DassieRelevanceOptions *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieCatalog, dassie_catalog_unref)

G_END_DECLS
