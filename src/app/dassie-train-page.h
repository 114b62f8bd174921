/* dassie-train-page.h: the Train page: model and training settings, the live loss, reconstructions
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-config.h"
#include "dassie-error-banner.h"
#include "dassie-job.h"
#include "dassie-loss-chart.h"
#include "dassie-run-list.h"
#include "dassie-session.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_TRAIN_PAGE (dassie_train_page_get_type ())

G_DECLARE_FINAL_TYPE (DassieTrainPage, dassie_train_page, DASSIE, TRAIN_PAGE, GtkWidget)

/* The page reads the data set and the results folder from @session and sets its train-run when a
 * training finishes. It shows the session's train run when it changes. */
void               dassie_train_page_set_session        (DassieTrainPage     *self,
                                                         DassieSession       *session);

/* The configuration that Train would use: the defaults, the session's data folder and results
 * folder, and the page's settings. */
DassieConfig      *dassie_train_page_build_config       (DassieTrainPage     *self);
/* Puts a configuration's model and training settings into the page's fields. */
void               dassie_train_page_apply_config       (DassieTrainPage     *self,
                                                         const DassieConfig  *config);

/* Starts training with the page's settings, or continues the unfinished train run @resume_dir with
 * its own settings. Returns the job, or NULL (and says why on the page) when it cannot start.
 * "finished" is emitted when it stops. */
DassieJob         *dassie_train_page_start              (DassieTrainPage     *self,
                                                         const char          *resume_dir);
/* Shows a finished train run: its settings, loss curve and (when its data set is loaded)
 * reconstructions. Returns FALSE, saying why on the page, when it cannot be read. */
gboolean           dassie_train_page_open_run           (DassieTrainPage     *self,
                                                         const char          *run_dir);
/* The newest unfinished train run in the page's list of runs, or NULL. */
const char        *dassie_train_page_find_resumable     (DassieTrainPage     *self);

DassieJob         *dassie_train_page_get_job            (DassieTrainPage     *self);
/* The run whose curve is shown, or NULL. */
const char        *dassie_train_page_get_shown_run      (DassieTrainPage     *self);
DassieLossChart   *dassie_train_page_get_chart          (DassieTrainPage     *self);
DassieErrorBanner *dassie_train_page_get_banner         (DassieTrainPage     *self);
DassieRunList     *dassie_train_page_get_run_list       (DassieTrainPage     *self);
/* Validation objects shown beside their reconstruction. */
guint              dassie_train_page_get_n_reconstructions (DassieTrainPage  *self);
/* The text of the page's statistics: "epoch", "train-loss", "validation-loss", "rate" or "eta". */
const char        *dassie_train_page_get_statistic      (DassieTrainPage     *self,
                                                         const char          *name);

G_END_DECLS
