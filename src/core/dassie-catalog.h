/* dassie-catalog.h: the scored objects joined with their UMAP position and their data set cutouts
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "dassie-dataset.h"
#include "dassie-display.h"
#include "dassie-export.h"

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
  float         *scores;         /* n scores of the ranking method (scores.fits' SCORE; KNN_MEDIAN in runs
                                  * older than SCORE); NaN: no score */
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
  guint          n_score_columns;  /* the score methods' columns of scores.fits, KNN_MEDIAN first */
  char         **score_columns;    /* n_score_columns column names (a GStrv): "KNN_MEDIAN", "LOF", ... */
  float        **score_values;     /* n_score_columns arrays of n values */
  char          *ranking_method;   /* the method (dassie_score_method_names()) whose scores are in @scores */
} DassieCatalog;

/* A catalog of @n objects with ids "0" .. "n-1", NaN positions and scores, no neighbours and no score
 * columns (its ranking method is "knn-median"), for callers that fill the arrays themselves (synthetic
 * data, benchmarks); call dassie_catalog_rank() when the scores are in. */
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
/* The score columns that the catalog holds: one per score method that the scores run computed
 * (KNN_MEDIAN first; SCORE, a copy of one of them, is not counted). */
guint            dassie_catalog_get_n_score_columns   (DassieCatalog       *self);
/* The column name of score column @index ("KNN_MEDIAN", "LOF", ...); the method's name is
 * dassie_score_method_from_column() of it, its label dassie_score_method_get_label(). */
const char      *dassie_catalog_get_score_column_name (DassieCatalog       *self,
                                                       guint                index);
/* The n values of a score column, by column name ("LOF") or by method name ("lof"); NULL when the
 * catalog does not hold it. */
const float     *dassie_catalog_get_score_column      (DassieCatalog       *self,
                                                       const char          *name);
/* The method whose scores rank the catalog (@scores, @ranks, @order): "knn-median" for runs older
 * than the SCORE column. */
const char      *dassie_catalog_get_ranking_method    (DassieCatalog       *self);
/* Ranks the catalog by another method's column (a method or a column name): @scores, @ranks, @order
 * and @score_mean change. A catalog is shared with worker threads: call it only on the thread that
 * owns the catalog while no job reads it (or rank a copy). Fails, leaving the ranking, when the
 * catalog has no such column. */
gboolean         dassie_catalog_set_ranking_method    (DassieCatalog       *self,
                                                       const char          *method,
                                                       GError             **error);

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
 * (when the catalog has a map) and each band's file path (when it has a data set), in @format. */
gboolean         dassie_catalog_export         (DassieCatalog              *self,
                                                const guint32              *rows,
                                                gsize                       n_rows,
                                                const char                 *path,
                                                DassieExportFormat          format,
                                                GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieCatalog, dassie_catalog_unref)

G_END_DECLS
