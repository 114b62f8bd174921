/* dassie-unpack.h: safe zip and tar.gz extraction into a folder that appears only when complete
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-progress.h"

G_BEGIN_DECLS

#define DASSIE_UNPACK_ERROR (dassie_unpack_error_quark ())

typedef enum
{
  DASSIE_UNPACK_ERROR_FORMAT,             /* not a readable zip or tar archive */
  DASSIE_UNPACK_ERROR_UNSAFE_PATH,        /* an absolute path or a ".." component */
  DASSIE_UNPACK_ERROR_UNSAFE_LINK,        /* a link that could point outside the folder */
  DASSIE_UNPACK_ERROR_UNSUPPORTED_ENTRY,  /* a device, a pipe or a socket */
  DASSIE_UNPACK_ERROR_TOO_LARGE,          /* more than the size limit once unpacked */
  DASSIE_UNPACK_ERROR_EXISTS,             /* the folder it would create is already there */
  DASSIE_UNPACK_ERROR_EMPTY,              /* no files at all */
  DASSIE_UNPACK_ERROR_NO_SPACE,           /* the destination has less free space than the files need */
} DassieUnpackError;

/* What an archive would create, found by reading every entry's header (nothing is written). */
typedef struct _DassieUnpackPlan DassieUnpackPlan;

GQuark            dassie_unpack_error_quark          (void);

/* TRUE for the names Dassie unpacks: .zip, .tar, .tar.gz, .tgz (any case). */
gboolean          dassie_unpack_is_archive           (const char          *file_name);

/* Checks every entry of @archive_path (paths, links, entry types, declared sizes against
 * @max_bytes; it stops reading once they outgrow the free space below @dest_dir, which the run
 * then refuses) and works out the folder it unpacks into below @dest_dir: the archive's single
 * top-level folder, or else a folder named after the archive without its extension. */
DassieUnpackPlan *dassie_unpack_plan_new             (const char          *archive_path,
                                                      const char          *dest_dir,
                                                      guint64              max_bytes,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
void              dassie_unpack_plan_free            (DassieUnpackPlan    *plan);
const char       *dassie_unpack_plan_get_target      (const DassieUnpackPlan *plan);
guint64           dassie_unpack_plan_get_total_bytes (const DassieUnpackPlan *plan);
guint             dassie_unpack_plan_get_n_files     (const DassieUnpackPlan *plan);

/* Extracts into a hidden temporary folder beside the target and renames it into place when every
 * entry is written; on any failure or cancel the temporary folder is removed. Refuses when the
 * target exists or the free space is short of the declared sizes, and stops when the entries write
 * more than they declared (plus a small margin) or @max_bytes. Returns the target folder. @progress gets stage "unpack" with archive bytes read. */
char             *dassie_unpack_plan_run             (DassieUnpackPlan    *plan,
                                                      DassieProgressFunc   progress,
                                                      gpointer             progress_data,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

/* Plan and run in one call. */
char             *dassie_unpack_archive              (const char          *archive_path,
                                                      const char          *dest_dir,
                                                      guint64              max_bytes,
                                                      DassieProgressFunc   progress,
                                                      gpointer             progress_data,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieUnpackPlan, dassie_unpack_plan_free)

G_END_DECLS
