/* dassie-fileutil.h: writing files so that a crash or a full disk never leaves half a result
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes to "<path>.tmp-XXXXXX", syncs, then renames over @path. The error names @path. */
gboolean  dassie_write_file_atomic  (const char  *path,
                                     const char  *contents,
                                     gsize        length,
                                     GError     **error);
/* A temporary name beside @path for writers that need a file name (cfitsio): rename it when done. */
char     *dassie_temp_path_for      (const char  *path);
gboolean  dassie_rename_into_place  (const char  *temp_path,
                                     const char  *path,
                                     GError     **error);
/* Removes a folder and everything in it; quietly does nothing when it is not there. */
gboolean  dassie_remove_tree        (const char  *path,
                                     GError     **error);
gboolean  dassie_copy_file          (const char  *source,
                                     const char  *dest,
                                     GError     **error);
/* Sets @error from a cfitsio @status: "Could not @what “@path”: …". When the system refused a write or
 * a create (a full disk, a read-only folder) the error says so in the system's words and carries the
 * matching GIOErrorEnum, so call it before anything that may change errno. Returns FALSE. */
gboolean  dassie_fits_fail          (int          status,
                                     const char  *path,
                                     const char  *what,
                                     GError     **error);

G_END_DECLS
