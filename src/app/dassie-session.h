/* dassie-session.h: what the user works on: the data set and the current run of each verb
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-dataset.h"

G_BEGIN_DECLS

/* The data set as a boxed type (a reference is taken and dropped), so that it can be a property. */
#define DASSIE_TYPE_DATASET (dassie_dataset_get_type ())
GType dassie_dataset_get_type (void) G_GNUC_CONST;

#define DASSIE_TYPE_SESSION (dassie_session_get_type ())

G_DECLARE_FINAL_TYPE (DassieSession, dassie_session, DASSIE, SESSION, GObject)

/* One DassieSession per window (dassie_window_get_session()). The Data, Train and Infer pages write
 * it as their jobs finish; any page reads it and binds to it. Main thread only. Properties (each
 * notifies only when its value changes):
 *
 *   "results-dir"   string   where runs are written and listed; never NULL
 *   "data-folder"   string   the data set folder the Data page has loaded, or NULL
 *   "dataset"       boxed    that data set (DassieDataset, DASSIE_TYPE_DATASET), or NULL
 *   "train-run"     string   the current train run folder (complete), or NULL
 *   "infer-run"     string   the current infer run folder: latents.fits, or NULL
 *   "scores-run"    string   the k-NN anomaly scores of infer-run: scores.fits, or NULL
 *   "umap-run"      string   the UMAP of infer-run: embedding.fits, or NULL
 *   "explore-ready" boolean  read-only: infer-run, scores-run and umap-run are all set, so the
 *                            Explore page has latents, scores and a map of the same objects
 *
 * The runs form a chain: scores and UMAP are computed from the latents of infer-run. Setting
 * infer-run to another folder therefore clears scores-run and umap-run; set the new scores and UMAP
 * runs after it. The "runs-changed" signal says that run folders were added or removed under
 * results-dir, so lists of runs can reload. */

DassieSession *dassie_session_new               (const char     *results_dir);

const char    *dassie_session_get_results_dir   (DassieSession  *self);
void           dassie_session_set_results_dir   (DassieSession  *self,
                                                 const char     *results_dir);
const char    *dassie_session_get_data_folder   (DassieSession  *self);
DassieDataset *dassie_session_get_dataset       (DassieSession  *self);
/* Sets both the folder and the data set read from it (either may be NULL). */
void           dassie_session_set_dataset       (DassieSession  *self,
                                                 const char     *folder,
                                                 DassieDataset  *dataset);

/* @verb: "train", "infer", "scores" or "umap". */
const char    *dassie_session_get_run           (DassieSession  *self,
                                                 const char     *verb);
void           dassie_session_set_run           (DassieSession  *self,
                                                 const char     *verb,
                                                 const char     *run_dir);
gboolean       dassie_session_get_explore_ready (DassieSession  *self);

/* Emits "runs-changed". */
void           dassie_session_runs_changed      (DassieSession  *self);

/* The newest complete runs under results-dir, keeping scores and UMAP runs only when they were
 * computed from the chosen infer run. Reads a few small files; call it at start-up. */
void           dassie_session_restore           (DassieSession  *self);

/* The results folder a GSettings "results-folder" value names: itself, or when empty
 * <user data dir>/dassie/results. */
char          *dassie_session_resolve_results_dir (const char   *setting);

G_END_DECLS
