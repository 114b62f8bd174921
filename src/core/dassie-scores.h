/* dassie-scores.h: anomaly scores (median distance to the k nearest neighbours), scores.fits
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-vectors.h"

G_BEGIN_DECLS

typedef struct
{
  guint         n_rows;
  guint         k;
  DassieMetric  metric;
  char        **ids;            /* n_rows ids (a GStrv) */
  float        *knn_median;     /* the score: median distance to the k nearest other objects */
  guint        *neighbor_rows;  /* n_rows × k rows of ids, nearest first */
  float        *neighbor_dist;  /* n_rows × k distances */
  /* The other methods' scores (dassie-score-methods.h), in the order of dassie_score_method_names(). */
  guint         n_columns;
  char        **column_names;   /* n_columns names of scores.fits' columns (a GStrv): "LOF", ... */
  float       **columns;        /* n_columns arrays of n_rows values; NaN where a method has no score */
  char         *method;         /* the method whose score SCORE holds; NULL: no SCORE (older runs) */
  float        *score;          /* n_rows: SCORE, or NULL */
} DassieScores;

typedef struct
{
  char         *run_dir;      /* the scores run folder */
  char         *input_path;   /* the latents.fits that was scored */
  guint         n_objects;
  guint         k;
  DassieMetric  metric;
  gboolean      used_hnsw;
  gboolean      loaded_index; /* an HNSW index saved by an earlier run was reused */
  double        seconds;
} DassieScoresResult;

/* The scores verb: loads @input (a latents.fits or an infer run; NULL: the newest infer run), scores
 * every object with scores.k, scores.metric and scores.index, and writes a scores run: config.json and
 * scores.fits. An HNSW index is kept in the infer run folder (or, when that cannot be written, in the
 * scores run) and reused. Progress has the stage "scores"; a cancelled run leaves nothing behind. */
gboolean      dassie_scores_run             (const DassieConfig      *config,
                                             const char              *input,
                                             GCancellable            *cancellable,
                                             DassieProgressFunc       progress,
                                             gpointer                 user_data,
                                             DassieScoresResult      *result,
                                             GError                 **error);
void          dassie_scores_result_clear    (DassieScoresResult      *result);

/* Finds every object's k nearest neighbours (itself excluded) as @options say and scores it. */
DassieScores *dassie_scores_compute         (DassieVectors           *store,
                                             guint                    k,
                                             const DassieKnnOptions  *options,
                                             DassieKnnStats          *stats,
                                             GCancellable            *cancellable,
                                             GError                 **error);
/* Scores from neighbours already found; copies @ids and the neighbours. */
DassieScores *dassie_scores_new_from_neighbors (const char * const   *ids,
                                                const DassieNeighbors *neighbors,
                                                DassieMetric           metric);
void          dassie_scores_free            (DassieScores            *self);

/* Adds (or replaces) the column @column_name (a method's column) of @values (n_rows, copied). */
void          dassie_scores_set_column      (DassieScores            *self,
                                             const char              *column_name,
                                             const float             *values);
/* The n_rows values of a method's column by column or method name (KNN_MEDIAN included), or NULL. */
const float  *dassie_scores_get_column      (const DassieScores      *self,
                                             const char              *name);
/* Makes SCORE a copy of @method's column. FALSE with an error naming the method when it has none. */
gboolean      dassie_scores_set_method      (DassieScores            *self,
                                             const char              *method,
                                             GError                 **error);

/* The median as numpy computes it (the mean of the two middle values when @n is even). */
double        dassie_median                 (const double            *values,
                                             guint                    n);

/* scores.fits: OBJECT_ID (int64 when every id is an integer, else text), KNN_MEDIAN (1E), NEIGHBOR_IDS
 * (k ids), NEIGHBOR_DIST (kE), then the other methods' columns (1E each) and SCORE (1E) with the
 * header key SCOREMTH naming its method; header keys METRIC and KNN_K. Written under a temporary name. */
gboolean      dassie_scores_write           (const DassieScores      *self,
                                             const char              *path,
                                             GError                 **error);
/* Reads scores.fits, or the one in a scores run folder. */
DassieScores *dassie_scores_read            (const char              *path,
                                             GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieScores, dassie_scores_free)

G_END_DECLS
