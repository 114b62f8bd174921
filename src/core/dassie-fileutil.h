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

G_END_DECLS
