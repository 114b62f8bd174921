/* dassie-window.h: the main window: Data, Train, Infer and Explore, and the running job
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "dassie-data-page.h"
#include "dassie-explore-page.h"
#include "dassie-infer-page.h"
#include "dassie-job.h"
#include "dassie-session.h"
#include "dassie-train-page.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_WINDOW (dassie_window_get_type ())

G_DECLARE_FINAL_TYPE (DassieWindow, dassie_window, DASSIE, WINDOW, AdwApplicationWindow)

DassieWindow   *dassie_window_new            (AdwApplication *application);
void            dassie_window_open_folder    (DassieWindow   *self,
                                              const char     *folder);
/* Makes the demo data set on first use (a job with progress), then opens it. */
void            dassie_window_open_demo      (DassieWindow   *self);
/* Fetches @source (a DOI or https URL) into @dest_dir (NULL: <user data dir>/dassie/downloads) with
 * progress in the job bar, verifies it, unpacks it and opens the folder; errors show in a dialog. */
void            dassie_window_download       (DassieWindow       *self,
                                              const DassieConfig *config,
                                              const char         *source,
                                              const char         *checksum,
                                              const char         *dest_dir);
DassieDataPage *dassie_window_get_data_page  (DassieWindow   *self);
DassieTrainPage *dassie_window_get_train_page (DassieWindow  *self);
DassieInferPage *dassie_window_get_infer_page (DassieWindow  *self);
DassieExplorePage *dassie_window_get_explore_page (DassieWindow *self);
/* What the window works on: the data set and the current train, infer, scores and UMAP runs (see
 * dassie-session.h). The Explore page binds to it. */
DassieSession  *dassie_window_get_session    (DassieWindow   *self);
/* Shows @job in the progress bar at the bottom until it stops; one job runs at a time. */
gboolean        dassie_window_track_job      (DassieWindow   *self,
                                              DassieJob      *job);
DassieJob      *dassie_window_get_job        (DassieWindow   *self);
void            dassie_window_show_error     (DassieWindow   *self,
                                              const char     *message);
/* A dialog with @error's message, what to do about it, and a button that does it when there is one. */
void            dassie_window_show_error_dialog (DassieWindow *self,
                                              const char     *title,
                                              const GError   *error);
void            dassie_window_set_page       (DassieWindow   *self,
                                              const char     *name);
const char     *dassie_window_get_page       (DassieWindow   *self);

GSettings      *dassie_settings_new          (void);

G_END_DECLS
