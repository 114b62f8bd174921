/* dassie-explore-page.h: the Explore page: the map, the histogram, the grids, the inspector, exports
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-cutout-grid.h"
#include "dassie-display.h"
#include "dassie-explore-model.h"
#include "dassie-histogram-view.h"
#include "dassie-inspector.h"
#include "dassie-scatter-view.h"
#include "dassie-session.h"

G_BEGIN_DECLS

/* What the page shows; the nicks ("empty", ...) name the pages of its stack. */
typedef enum
{
  DASSIE_EXPLORE_PAGE_STATE_EMPTY,
  DASSIE_EXPLORE_PAGE_STATE_LOADING,
  DASSIE_EXPLORE_PAGE_STATE_ERROR,
  DASSIE_EXPLORE_PAGE_STATE_READY,
} DassieExplorePageState;

#define DASSIE_TYPE_EXPLORE_PAGE_STATE (dassie_explore_page_state_get_type ())
GType dassie_explore_page_state_get_type (void);

#define DASSIE_TYPE_EXPLORE_PAGE (dassie_explore_page_get_type ())

G_DECLARE_FINAL_TYPE (DassieExplorePage, dassie_explore_page, DASSIE, EXPLORE_PAGE, GtkWidget)

/* When the session is explore-ready the page reads the scores, the map and the open data set on a
 * worker thread and shows them. Its commands are actions of the "explore" group, with shortcuts
 * while the page is shown: explore.zoom-in (Ctrl++), explore.zoom-out (Ctrl+−), explore.zoom-reset
 * (Ctrl+0), explore.select-none (Ctrl+Shift+A), explore.export-selection (Ctrl+E),
 * explore.export-top (Ctrl+Shift+E), explore.save-plot ("map", "histogram" or "grid"; Ctrl+Shift+S
 * saves the map), explore.tool (the nick of a DassieScatterTool: "pan", "lasso", "box"),
 * explore.reset-range; and for labels (dassie-explore-page-labels.c) explore.label ("interesting",
 * "boring", "artifact" or "none": the selection, or else the object in the inspector; keys 1, 2, 3
 * and 0; a toast offers to undo it), explore.undo-label (Ctrl+Z), explore.review (R: the review
 * window). The "promising" grid shows catalog->promising; the model's "hide-artifacts" (the Hide
 * Artifacts button) leaves the artifacts out of the map, the grids and the exports.
 *
 * Properties: "state" (DassieExplorePageState, read-only), "tool" (DassieScatterTool),
 * "busy" (boolean, read-only: the catalog or some thumbnails are being made). */

void                 dassie_explore_page_set_session      (DassieExplorePage          *self,
                                                           DassieSession              *session);
DassieExplorePageState dassie_explore_page_get_state_value (DassieExplorePage        *self);
/* The nick of the state: "empty", "loading", "error" or "ready". */
const char          *dassie_explore_page_get_state        (DassieExplorePage          *self);
/* The error shown in the "error" state, or NULL. */
const char          *dassie_explore_page_get_error        (DassieExplorePage          *self);
gboolean             dassie_explore_page_get_busy         (DassieExplorePage          *self);

DassieExploreModel  *dassie_explore_page_get_model        (DassieExplorePage          *self);
DassieScatterView   *dassie_explore_page_get_scatter      (DassieExplorePage          *self);
DassieHistogramView *dassie_explore_page_get_histogram    (DassieExplorePage          *self);
/* @name: "anomalous", "normal", "selection" or "promising". */
DassieCutoutGrid    *dassie_explore_page_get_grid         (DassieExplorePage          *self,
                                                           const char                 *name);
void                 dassie_explore_page_show_grid        (DassieExplorePage          *self,
                                                           const char                 *name);
/* How many of the most anomalous, most promising and most normal objects the grids show (16). */
void                 dassie_explore_page_set_grid_count   (DassieExplorePage          *self,
                                                           guint                       count);
const DassieDisplayOptions *dassie_explore_page_get_display_options (DassieExplorePage *self);
/* Shows the cutouts as @options say (the dropdowns follow). */
void                 dassie_explore_page_set_display_options (DassieExplorePage       *self,
                                                           const DassieDisplayOptions *options);

/* Opens row @row of the catalog in the inspector (one per page) and returns it. */
DassieInspector     *dassie_explore_page_inspect          (DassieExplorePage          *self,
                                                           guint                       row);
DassieInspector     *dassie_explore_page_get_inspector    (DassieExplorePage          *self);

/* Writes the selection (@top_n == 0) or the @top_n most anomalous objects to @path, in the format
 * its extension names (.csv, .fits, .vot/.xml), on a worker thread. */
void                 dassie_explore_page_export_async     (DassieExplorePage          *self,
                                                           guint                       top_n,
                                                           const char                 *path,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
/* Returns how many objects were written, or -1 with @error set. */
gssize               dassie_explore_page_export_finish    (DassieExplorePage          *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);
/* Saves @plot ("map", "histogram" or "grid", the grid shown) as PNG, SVG or PDF by @path's
 * extension, at the size it has on screen. */
gboolean             dassie_explore_page_save_plot        (DassieExplorePage          *self,
                                                           const char                 *plot,
                                                           const char                 *path,
                                                           GError                    **error);

G_END_DECLS
