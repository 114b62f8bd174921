/* dassie-test-archive.c: zip and tar.gz files written with libarchive for the tests, and test data
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>

#include "dassie-test-archive.h"

void
dassie_test_write_archive (const char                   *path,
                           const char                   *format,
                           const DassieTestArchiveEntry *entries,
                           guint                         n_entries)
{
  struct archive *a = archive_write_new ();

  if (g_str_equal (format, "zip"))
    g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  else
    {
      g_assert_cmpstr (format, ==, "tar.gz");
      g_assert_cmpint (archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_add_filter_gzip (a), ==, ARCHIVE_OK);
    }
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);

  for (guint i = 0; i < n_entries; i++)
    {
      struct archive_entry *entry = archive_entry_new ();
      gsize size = 0;
      const void *data = entries[i].contents ? g_bytes_get_data (entries[i].contents, &size) : NULL;

      archive_entry_set_pathname (entry, entries[i].name);
      archive_entry_set_mtime (entry, 1700000000, 0);
      if (entries[i].directory)
        {
          archive_entry_set_filetype (entry, AE_IFDIR);
          archive_entry_set_perm (entry, 0755);
        }
      else if (entries[i].symlink != NULL)
        {
          archive_entry_set_filetype (entry, AE_IFLNK);
          archive_entry_set_symlink (entry, entries[i].symlink);
          archive_entry_set_perm (entry, 0777);
        }
      else if (entries[i].hardlink != NULL)
        {
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_hardlink (entry, entries[i].hardlink);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_size (entry, 0);
        }
      else
        {
          archive_entry_set_filetype (entry, AE_IFREG);
          archive_entry_set_perm (entry, 0644);
          archive_entry_set_size (entry, size);
        }
      g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
      if (size > 0)
        g_assert_cmpint (archive_write_data (a, data, size), ==, (la_ssize_t) size);
      archive_entry_free (entry);
    }

  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

GBytes *
dassie_test_random_bytes (gsize   size,
                          guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;
  return g_bytes_new_take (data, size);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
dassie_test_list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

void
dassie_test_assert_file (const char *path,
                         GBytes     *expected)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  gsize expected_length;
  const void *expected_data = g_bytes_get_data (expected, &expected_length);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, expected_data, expected_length);
}
