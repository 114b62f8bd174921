/* dassie-run-list.h: the run folders under the results folder: verb, time, data set, settings, loss
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-session.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_RUN_LIST (dassie_run_list_get_type ())

G_DECLARE_FINAL_TYPE (DassieRunList, dassie_run_list, DASSIE, RUN_LIST, GtkWidget)

/* Lists the runs of @verbs (e.g. { "train", NULL }) under the session's results folder, newest first,
 * unfinished ones included, and reloads when the session says runs changed. Each row opens its run
 * (win.open-run), shows its folder (win.show-run-folder) and, for an unfinished training, resumes
 * it (win.resume-train). The session's current runs are marked. The folders are read on a worker. */
void        dassie_run_list_set_session   (DassieRunList      *self,
                                           DassieSession      *session);
void        dassie_run_list_set_verbs     (DassieRunList      *self,
                                           const char * const *verbs);
void        dassie_run_list_reload        (DassieRunList      *self);
/* Whether a reload is under way. */
gboolean    dassie_run_list_get_loading   (DassieRunList      *self);
guint       dassie_run_list_get_n_runs    (DassieRunList      *self);
const char *dassie_run_list_get_run_path  (DassieRunList      *self,
                                           guint               index);
/* The newest unfinished run of @verb in the list, or NULL. */
const char *dassie_run_list_find_incomplete (DassieRunList    *self,
                                             const char       *verb);

G_END_DECLS
