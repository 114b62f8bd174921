/* dassie-data-page.h: the Data page: a data set's summary, its skipped files and its thumbnails
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-dataset.h"
#include "dassie-job.h"

G_BEGIN_DECLS

/* What the page shows; the nicks ("empty", ...) name the pages of its stack. */
typedef enum
{
  DASSIE_DATA_PAGE_STATE_EMPTY,
  DASSIE_DATA_PAGE_STATE_LOADING,
  DASSIE_DATA_PAGE_STATE_ERROR,
  DASSIE_DATA_PAGE_STATE_LOADED,
} DassieDataPageState;

#define DASSIE_TYPE_DATA_PAGE_STATE (dassie_data_page_state_get_type ())
GType dassie_data_page_state_get_type (void);

#define DASSIE_TYPE_DATA_PAGE (dassie_data_page_get_type ())

G_DECLARE_FINAL_TYPE (DassieDataPage, dassie_data_page, DASSIE, DATA_PAGE, GtkWidget)

/* Reads @folder on a worker thread (the returned job reports progress); the page shows it when done. */
DassieJob     *dassie_data_page_open_folder   (DassieDataPage *self,
                                               const char     *folder);
const char    *dassie_data_page_get_folder    (DassieDataPage *self);
DassieDataset *dassie_data_page_get_dataset   (DassieDataPage *self);
/* The "state" property (a DassieDataPageState). */
DassieDataPageState dassie_data_page_get_state_value (DassieDataPage *self);
/* The nick of the state: "empty", "loading", "error" or "loaded". */
const char    *dassie_data_page_get_state     (DassieDataPage *self);
const char    *dassie_data_page_get_summary   (DassieDataPage *self);
const char    *dassie_data_page_get_error     (DassieDataPage *self);
guint          dassie_data_page_get_n_thumbnails (DassieDataPage *self);

G_END_DECLS
