/* dassie-infer-page.h: the Infer page: latent vectors, anomaly scores and the map, as one chain
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-config.h"
#include "dassie-embedding-view.h"
#include "dassie-error-banner.h"
#include "dassie-job.h"
#include "dassie-run-list.h"
#include "dassie-session.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_INFER_PAGE (dassie_infer_page_get_type ())

G_DECLARE_FINAL_TYPE (DassieInferPage, dassie_infer_page, DASSIE, INFER_PAGE, GtkWidget)

/* The page infers with one of the session's train runs (its current one by default), on the
 * session's data set, and sets the session's infer, scores and UMAP runs as its steps finish. */
void               dassie_infer_page_set_session   (DassieInferPage    *self,
                                                    DassieSession      *session);
/* The configuration the steps use: the defaults, the session's folders and the page's settings. */
DassieConfig      *dassie_infer_page_build_config  (DassieInferPage    *self);
/* The train run the model row has chosen, or NULL when there is none. */
const char        *dassie_infer_page_get_model_run (DassieInferPage    *self);

/* Runs the step @verb ("infer", "scores" or "umap") and, when @chain, the steps after it, each as a
 * job ("job-started" is emitted for each). Returns the first job, or NULL (and says why on the page)
 * when it cannot start. "finished" is emitted when the last step stops. */
DassieJob         *dassie_infer_page_run           (DassieInferPage    *self,
                                                    const char         *verb,
                                                    gboolean            chain);

DassieJob         *dassie_infer_page_get_job       (DassieInferPage    *self);
/* "todo", "running", "done" or "failed". */
const char        *dassie_infer_page_get_step_state (DassieInferPage   *self,
                                                     const char        *verb);
DassieErrorBanner *dassie_infer_page_get_banner    (DassieInferPage    *self);
DassieEmbeddingView *dassie_infer_page_get_map_view (DassieInferPage   *self);
/* The heading over the map: which UMAP run it shows, or that it is being optimised. */
const char        *dassie_infer_page_get_map_title (DassieInferPage    *self);
DassieRunList     *dassie_infer_page_get_run_list  (DassieInferPage    *self);

G_END_DECLS
