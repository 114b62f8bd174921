/* dassie-results.h: timestamped run folders, built under a temporary name and renamed when complete
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "dassie-config.h"

G_BEGIN_DECLS

/* An unfinished run folder is named "<name>.incomplete"; it becomes "<name>" on commit. */
#define DASSIE_RUN_INCOMPLETE_SUFFIX ".incomplete"

typedef struct _DassieRun DassieRun;

typedef struct
{
  char      *path;       /* the folder */
  char      *name;       /* "20261129-051200-train-a1b2" */
  char      *verb;       /* "train" */
  GDateTime *time;       /* local time from the name */
  gboolean   complete;   /* FALSE for a ".incomplete" folder (cancelled or crashed) */
} DassieRunInfo;

/* Creates "<results_dir>/<stamp>-<verb>-<4 chars>.incomplete" and writes config.json into it. */
DassieRun     *dassie_run_begin            (const char          *results_dir,
                                            const char          *verb,
                                            const DassieConfig  *config,
                                            GError             **error);
/* Reopens an incomplete run folder (to resume training in place). */
DassieRun     *dassie_run_reopen           (const char          *incomplete_dir,
                                            GError             **error);
const char    *dassie_run_get_dir          (DassieRun           *self);
const char    *dassie_run_get_final_dir    (DassieRun           *self);
const char    *dassie_run_get_name         (DassieRun           *self);
char          *dassie_run_build_path       (DassieRun           *self,
                                            const char          *file_name);
/* Renames the folder to its final name. */
gboolean       dassie_run_commit           (DassieRun           *self,
                                            GError             **error);
/* Deletes the incomplete folder (when nothing in it is worth keeping). */
void           dassie_run_discard          (DassieRun           *self);
void           dassie_run_free             (DassieRun           *self);

/* Runs under @results_dir, newest first; @verb may be NULL for all verbs. */
GPtrArray     *dassie_results_list         (const char          *results_dir,
                                            const char          *verb,
                                            gboolean             include_incomplete);
/* The newest complete run of @verb, or NULL. */
char          *dassie_results_find_latest  (const char          *results_dir,
                                            const char          *verb);
/* The latent vectors a scores or umap run derives from: members "input" (the latents.fits, made
 * absolute) and "input_checksum" (dassie_vectors_get_checksum) of its scores.json or umap.json. */
void           dassie_run_add_input        (JsonBuilder         *builder,
                                            const char          *latents_path,
                                            const char          *checksum);
/* Reads them back from the "<verb>.json" of @run_dir (a run folder, or a file in one); FALSE when
 * the run does not record its input. Either out pointer may be NULL. */
gboolean       dassie_run_read_input       (const char          *run_dir,
                                            char               **latents_path,
                                            char               **checksum);
/* The text of what @builder built (its root), indented when @pretty; @length may be NULL. */
char          *dassie_json_builder_to_text (JsonBuilder         *builder,
                                            gboolean             pretty,
                                            gsize               *length);
DassieRunInfo *dassie_run_info_parse       (const char          *path);
void           dassie_run_info_free        (DassieRunInfo       *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieRun, dassie_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieRunInfo, dassie_run_info_free)

G_END_DECLS
