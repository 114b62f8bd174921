/* dassie-test-archive.h: zip and tar.gz files written with libarchive for the tests, and test data
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;       /* the path stored in the archive, exactly as given */
  GBytes     *contents;   /* a regular file with these bytes */
  const char *symlink;    /* or a symbolic link to this target */
  const char *hardlink;   /* or a hard link to this stored path */
  gboolean    directory;  /* or a folder */
} DassieTestArchiveEntry;

/* @format is "zip" or "tar.gz". Aborts the test on failure. */
void    dassie_test_write_archive (const char                   *path,
                                   const char                   *format,
                                   const DassieTestArchiveEntry *entries,
                                   guint                         n_entries);
/* Deterministic bytes that do not compress. */
GBytes *dassie_test_random_bytes  (gsize                         size,
                                   guint32                       seed);
/* The names in @dir, sorted, joined by spaces ("" for an empty folder). */
char   *dassie_test_list_dir      (const char                   *dir);
/* Asserts that the file at @path holds exactly @expected. */
void    dassie_test_assert_file   (const char                   *path,
                                   GBytes                       *expected);

G_END_DECLS
