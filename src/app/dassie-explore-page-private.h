/* dassie-explore-page-private.h: the Explore page's struct and what its two source files share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "dassie-explore-page.h"

G_BEGIN_DECLS

/* A selection of thousands of objects shows the most anomalous first, up to this many. */
#define MAX_SELECTION_TILES 200

typedef enum
{
  GRID_ANOMALOUS,
  GRID_NORMAL,
  GRID_SELECTION,
  GRID_PROMISING,
  N_GRIDS
} Grid;

struct _DassieExplorePage
{
  GtkWidget               parent_instance;

  GtkStack               *state_stack;
  GtkSpinner             *loading_spinner;
  AdwStatusPage          *error_status;
  GtkLabel               *zoom_label;
  GtkLabel               *selection_label;
  GtkLabel               *selection_note;
  GtkLabel               *cutouts_note;
  GtkDropDown            *colormap_dropdown;
  GtkDropDown            *color_by_dropdown;
  GtkStringList          *color_by_columns;   /* "score" first, then the catalogue's numeric columns */
  GtkMenuButton          *filter_button;
  GtkDropDown            *filter_dropdown;
  GtkStringList          *filter_columns;     /* "none" first, then the catalogue's numeric columns */
  GtkEntry               *filter_low_entry;
  GtkEntry               *filter_high_entry;
  GtkDropDown            *band_dropdown;
  GtkDropDown            *stretch_dropdown;
  GtkDropDown            *limits_dropdown;
  GtkStringList          *band_list;
  GtkSpinButton          *range_min_spin;
  GtkSpinButton          *range_max_spin;
  GtkAdjustment          *range_min_adjustment;
  GtkAdjustment          *range_max_adjustment;
  GtkAdjustment          *count_adjustment;
  GtkCheckButton         *log_check;
  DassieScatterView      *scatter;
  DassieHistogramView    *histogram;
  AdwViewStack           *grid_stack;
  AdwViewStackPage       *selection_page;
  GtkStack               *selection_stack;
  GtkWidget              *count_row;
  DassieCutoutGrid       *grids[N_GRIDS];

  DassieSession          *session;
  DassieExploreModel     *model;
  DassieInspector        *inspector;
  DassieDisplayOptions    options;
  DassieExplorePageState  state;
  char                   *error;
  DassieScatterTool       tool;
  guint                   reload_source;
  GCancellable           *load_cancellable;
  GCancellable           *grid_cancellables[N_GRIDS];
  gboolean                updating_controls;
  gboolean                was_busy;

  /* Labels (dassie-explore-page-labels.c) */
  GtkStack               *promising_stack;
  AdwStatusPage          *promising_status;
  GtkToggleButton        *hide_artifacts_button;
  AdwToast               *label_toast;    /* the last "… labelled …" toast while it shows */
  GtkWindow              *review;         /* the review window while it is open */
};

static inline DassieCatalog *
catalog_of (DassieExplorePage *self)
{
  return dassie_explore_model_get_catalog (self->model);
}

/* dassie-explore-page.c */
void      _dassie_explore_page_toast           (DassieExplorePage *self,
                                                const char        *message);
/* The rows @grid shows, in its order. */
guint32  *_dassie_explore_page_grid_rows       (DassieExplorePage *self,
                                                Grid               grid,
                                                gsize             *n_out);
Grid      _dassie_explore_page_get_shown_grid  (DassieExplorePage *self);

void      _dassie_explore_page_add_toast       (DassieExplorePage *self,
                                                AdwToast          *toast);
void      _dassie_explore_page_refresh_grid    (DassieExplorePage *self,
                                                Grid               grid);

/* dassie-explore-page-labels.c: labelling, the most promising, hiding artifacts, review */
void      _dassie_explore_page_class_labels_init (GtkWidgetClass    *widget_class);
void      _dassie_explore_page_labels_init     (DassieExplorePage *self);
void      _dassie_explore_page_labels_dispose  (DassieExplorePage *self);
/* Drops the rows that "hide-artifacts" hides; returns how many are left (in their order). */
gsize     _dassie_explore_page_filter_hidden   (DassieExplorePage *self,
                                                guint32           *rows,
                                                gsize              n);

/* dassie-explore-page-actions.c: the exports and the saving of plots */
void      _dassie_explore_page_class_actions_init (GtkWidgetClass *widget_class);

G_END_DECLS
