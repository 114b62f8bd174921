/* dassie-data-page.h: the Data page: a data set's summary, its skipped files and its thumbnails
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-dataset.h"
#include "dassie-job.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_DATA_PAGE (dassie_data_page_get_type ())

G_DECLARE_FINAL_TYPE (DassieDataPage, dassie_data_page, DASSIE, DATA_PAGE, GtkWidget)

/* Reads @folder on a worker thread (the returned job reports progress); the page shows it when done. */
DassieJob     *dassie_data_page_open_folder   (DassieDataPage *self,
                                               const char     *folder);
const char    *dassie_data_page_get_folder    (DassieDataPage *self);
DassieDataset *dassie_data_page_get_dataset   (DassieDataPage *self);
/* "empty", "loading", "error" or "loaded". */
const char    *dassie_data_page_get_state     (DassieDataPage *self);
const char    *dassie_data_page_get_summary   (DassieDataPage *self);
const char    *dassie_data_page_get_error     (DassieDataPage *self);
guint          dassie_data_page_get_n_thumbnails (DassieDataPage *self);

G_END_DECLS
