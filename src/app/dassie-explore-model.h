/* dassie-explore-model.h: what the Explore views share: the catalog, the view of the map, the
 * selection, the colours and the histogram's range
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-catalog.h"
#include "dassie-plot.h"
#include "dassie-selection.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_EXPLORE_MODEL (dassie_explore_model_get_type ())

G_DECLARE_FINAL_TYPE (DassieExploreModel, dassie_explore_model, DASSIE, EXPLORE_MODEL, GObject)

/* One model per Explore page; the scatter, the histogram and the grids bind to it, so that a lasso
 * in the map shows in the histogram and a range dragged in the histogram shows in the map. The
 * selection holds catalog rows, never pixels: panning and zooming change only the view.
 *
 * Signals: "view-changed" (the data range shown in the map), "selection-changed". Properties:
 * "catalog" (boxed, read-only), "n-selected" (uint, read-only), "colormap" (string: viridis, magma,
 * plasma, cividis, grey), "histogram-min", "histogram-max" (double), "log-counts" (boolean),
 * "score-method" (string: a dassie_score_method_names() name, NULL for the scores run's SCORE).
 *
 * Labels: with a catalog the model opens the label store of its data set (dassie_catalog_open_labels)
 * and, after every change of it (labelling, undo, import), copies the labels into catalog->labels and
 * recomputes catalog->relevance and catalog->promising (when the latents were read), then emits
 * "labels-changed". Properties "labels" (DassieLabels, read-only) and "hide-artifacts" (boolean: the
 * map, the grids and the exports leave out the objects labelled artifact). */

#define DASSIE_TYPE_CATALOG (dassie_catalog_get_type ())
GType dassie_catalog_get_type (void) G_GNUC_CONST;

DassieExploreModel    *dassie_explore_model_new                  (void);

/* Replaces the objects: the view fits them, the selection empties, the histogram takes its default
 * range (0 .. 2 × the mean score); unless @catalog was read from the same tables as the current one
 * (with another data set for the cutouts), when the rows are the same and all of that stays. */
void                   dassie_explore_model_set_catalog          (DassieExploreModel *self,
                                                                  DassieCatalog      *catalog);
DassieCatalog         *dassie_explore_model_get_catalog          (DassieExploreModel *self);
/* Reads the catalog of a scores run, the map of the same latents (@umap_dir may be NULL) and the
 * cutouts of @dataset (may be NULL) on a worker thread (dassie_catalog_load). The caller shows it with
 * dassie_explore_model_set_catalog(), so that it can compare it with the one shown before. */
void                   dassie_explore_model_load_async           (DassieExploreModel  *self,
                                                                  const char          *scores_dir,
                                                                  const char          *umap_dir,
                                                                  DassieDataset       *dataset,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
DassieCatalog         *dassie_explore_model_load_finish          (DassieExploreModel  *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);

/* The map's view. The scatter widget sets the pixel area it draws the points in; the rest of the
 * view (the data range) is shared state. */
const DassieView      *dassie_explore_model_get_view             (DassieExploreModel *self);
void                   dassie_explore_model_set_view_area        (DassieExploreModel *self,
                                                                  double              left,
                                                                  double              top,
                                                                  double              width,
                                                                  double              height);
void                   dassie_explore_model_pan                  (DassieExploreModel *self,
                                                                  double              dx,
                                                                  double              dy);
/* Magnifies by @factor keeping the data under pixel (px, py) in place. */
void                   dassie_explore_model_zoom                 (DassieExploreModel *self,
                                                                  double              factor,
                                                                  double              px,
                                                                  double              py);
/* Around the centre of the view. */
void                   dassie_explore_model_zoom_centre          (DassieExploreModel *self,
                                                                  double              factor);
/* Shows every object again. */
void                   dassie_explore_model_reset_view           (DassieExploreModel *self);
/* How much the view is magnified relative to showing every object (1 = fitted). */
double                 dassie_explore_model_get_zoom             (DassieExploreModel *self);
/* Centres the view on row @row, keeping the magnification. */
void                   dassie_explore_model_centre_on            (DassieExploreModel *self,
                                                                  guint               row);

/* The selection, rows of the catalog (NULL without a catalog). */
const DassieSelection *dassie_explore_model_get_selection        (DassieExploreModel *self);
guint                  dassie_explore_model_get_n_selected       (DassieExploreModel *self);
/* A lasso of @n_vertices (x, y) pixel vertices in the map's view; the points inside by the
 * non-zero rule. Returns how many points the lasso holds. */
gsize                  dassie_explore_model_select_lasso         (DassieExploreModel *self,
                                                                  const double       *pixel_xy,
                                                                  gsize               n_vertices,
                                                                  DassieSelectMode    mode);
/* A box between two pixel corners of the map's view. */
gsize                  dassie_explore_model_select_box           (DassieExploreModel *self,
                                                                  double              px0,
                                                                  double              py0,
                                                                  double              px1,
                                                                  double              py1,
                                                                  DassieSelectMode    mode);
/* The objects in histogram bins @first_bin .. @last_bin (of the model's histogram range); the
 * range is remembered so the histogram can highlight it until another kind of selection. */
gsize                  dassie_explore_model_select_bins          (DassieExploreModel *self,
                                                                  guint               first_bin,
                                                                  guint               last_bin,
                                                                  DassieSelectMode    mode);
void                   dassie_explore_model_select_rows          (DassieExploreModel *self,
                                                                  const guint32      *rows,
                                                                  gsize               n,
                                                                  DassieSelectMode    mode);
void                   dassie_explore_model_select_none          (DassieExploreModel *self);
/* The score range of the last histogram selection (FALSE when the selection came from elsewhere). */
gboolean               dassie_explore_model_get_selected_range   (DassieExploreModel *self,
                                                                  double             *low,
                                                                  double             *high);

DassieColormap         dassie_explore_model_get_colormap         (DassieExploreModel *self);
void                   dassie_explore_model_set_colormap         (DassieExploreModel *self,
                                                                  DassieColormap      colormap);

/* The histogram of the scores as the model's settings draw it (values, range, bins, log counts and
 * the highlighted range); the arrays belong to the catalog. */
void                   dassie_explore_model_get_histogram        (DassieExploreModel *self,
                                                                  DassieHistogram    *histogram);
void                   dassie_explore_model_set_histogram_range  (DassieExploreModel *self,
                                                                  double              low,
                                                                  double              high);
void                   dassie_explore_model_reset_histogram_range (DassieExploreModel *self);
gboolean               dassie_explore_model_get_log_counts       (DassieExploreModel *self);
void                   dassie_explore_model_set_log_counts       (DassieExploreModel *self,
                                                                  gboolean            log_counts);
/* Hyrax's visualize color_column: a numeric column of the catalogue (tract, a magnitude) that colours
 * the map instead of the score ("color-column", NULL for the score). The values are per catalog row
 * (NaN where an object has none), the range their 1st to 99th percentile; NULL without such a column. */
const char            *dassie_explore_model_get_color_column     (DassieExploreModel *self);
void                   dassie_explore_model_set_color_column     (DassieExploreModel *self,
                                                                  const char         *column);
const float           *dassie_explore_model_get_color_values     (DassieExploreModel *self,
                                                                  double             *low,
                                                                  double             *high);
/* Shows only the objects whose value of a numeric catalogue column lies in [@low, @high] (infinities
 * for an open end; @column NULL for all): the others leave the map, the grids and the exports, as
 * hidden artifacts do. Emits "filter-changed". */
void                   dassie_explore_model_set_filter           (DassieExploreModel *self,
                                                                  const char         *column,
                                                                  double              low,
                                                                  double              high);
const char            *dassie_explore_model_get_filter           (DassieExploreModel *self,
                                                                  double             *low,
                                                                  double             *high);
/* Whether dassie_explore_model_row_hidden() may hide any row (artifacts hidden, or a filter). */
gboolean               dassie_explore_model_has_hidden_rows      (DassieExploreModel *self);

/* The score method that loads rank catalogs by (dassie_catalog_set_ranking_method) when their scores
 * have it; NULL: the scores run's own SCORE. Setting it does not load: whoever loads (the Explore
 * page) listens to notify::score-method and loads the same tables again, ranked the new way, which
 * dassie_explore_model_set_catalog() takes as the same rows with a new histogram range. */
const char            *dassie_explore_model_get_score_method     (DassieExploreModel *self);
void                   dassie_explore_model_set_score_method     (DassieExploreModel *self,
                                                                  const char         *method);
DassieLabels          *dassie_explore_model_get_labels           (DassieExploreModel *self);
/* Why there is no label store or no ranking by relevance (a message for the user), or NULL. */
const char            *dassie_explore_model_get_labels_error     (DassieExploreModel *self);
DassieLabel            dassie_explore_model_get_row_label        (DassieExploreModel *self,
                                                                  guint               row);
/* Gives @rows @label (DASSIE_LABEL_NONE clears it) as one undo step of the store. */
gboolean               dassie_explore_model_label_rows           (DassieExploreModel *self,
                                                                  const guint32      *rows,
                                                                  gsize               n,
                                                                  DassieLabel         label,
                                                                  GError            **error);
gboolean               dassie_explore_model_get_hide_artifacts   (DassieExploreModel *self);
void                   dassie_explore_model_set_hide_artifacts   (DassieExploreModel *self,
                                                                  gboolean            hide);
/* TRUE when "hide-artifacts" is on and @row is labelled artifact, or the filter leaves it out. */
gboolean               dassie_explore_model_row_hidden           (DassieExploreModel *self,
                                                                  guint               row);

G_END_DECLS
