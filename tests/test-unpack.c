/* test-unpack.c: archives unpack completely or not at all, and never outside their folder
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "dassie-fileutil.h"
#include "dassie-test-archive.h"
#include "dassie-unpack.h"

#define NO_LIMIT G_MAXUINT64

typedef struct
{
  char *root;     /* the test's own temporary folder */
  char *dest;     /* root/dest: where archives are unpacked */
  char *outside;  /* root/outside: nothing may ever appear here */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("dassie-unpack-XXXXXX", &error);
  g_assert_no_error (error);
  f->dest = g_build_filename (f->root, "dest", NULL);
  f->outside = g_build_filename (f->root, "outside", NULL);
  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->outside, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  dassie_remove_tree (f->root, &error);
  g_assert_no_error (error);
  g_free (f->root);
  g_free (f->dest);
  g_free (f->outside);
}

static char *
write_archive (Fixture                      *f,
               const char                   *name,
               const DassieTestArchiveEntry *entries,
               guint                         n_entries)
{
  char *path = g_build_filename (f->dest, name, NULL);

  dassie_test_write_archive (path, g_str_has_suffix (name, ".zip") ? "zip" : "tar.gz", entries, n_entries);
  return path;
}

static void
remove_from_dest (Fixture    *f,
                  const char *name)
{
  g_autofree char *path = g_build_filename (f->dest, name, NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
assert_nothing_outside (Fixture    *f,
                        const char *archive_name)
{
  g_autofree char *root_list = dassie_test_list_dir (f->root);
  g_autofree char *outside_list = dassie_test_list_dir (f->outside);
  g_autofree char *dest_list = dassie_test_list_dir (f->dest);

  g_assert_cmpstr (root_list, ==, "dest outside");
  g_assert_cmpstr (outside_list, ==, "");
  /* Only the archive itself: no partial folder, no hidden temporary folder. */
  g_assert_cmpstr (dest_list, ==, archive_name);
}

static void
test_zip_single_folder (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) a = dassie_test_random_bytes (100000, 1);
  g_autoptr(GBytes) b = g_bytes_new_static ("hello\n", 6);
  const DassieTestArchiveEntry entries[] = {
    { .name = "data/", .directory = TRUE },
    { .name = "data/a.fits", .contents = a },
    { .name = "data/sub/b.txt", .contents = b },
    { .name = "data/empty/", .directory = TRUE },
    { .name = "__MACOSX/data/._a.fits", .contents = b },
  };
  g_autofree char *archive = write_archive (f, "set.zip", entries, G_N_ELEMENTS (entries));
  g_autofree char *expected = g_build_filename (f->dest, "data", NULL);
  g_autofree char *a_path = g_build_filename (f->dest, "data", "a.fits", NULL);
  g_autofree char *b_path = g_build_filename (f->dest, "data", "sub", "b.txt", NULL);
  g_autofree char *empty_path = g_build_filename (f->dest, "data", "empty", NULL);
  g_autofree char *dest_list = NULL;
  g_autoptr(DassieUnpackPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  GStatBuf st;

  plan = dassie_unpack_plan_new (archive, f->dest, NO_LIMIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dassie_unpack_plan_get_target (plan), ==, expected);
  g_assert_cmpuint (dassie_unpack_plan_get_n_files (plan), ==, 2);
  g_assert_cmpuint (dassie_unpack_plan_get_total_bytes (plan), ==, 100000 + 6);

  target = dassie_unpack_plan_run (plan, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, expected);
  dassie_test_assert_file (a_path, a);
  dassie_test_assert_file (b_path, b);
  g_assert_true (g_file_test (empty_path, G_FILE_TEST_IS_DIR));
  /* The archive's modification times are kept. */
  g_assert_cmpint (g_stat (a_path, &st), ==, 0);
  g_assert_cmpint (st.st_mtime, ==, 1700000000);

  dest_list = dassie_test_list_dir (f->dest);
  g_assert_cmpstr (dest_list, ==, "data set.zip");
}

static void
test_targz_loose_files (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) x = dassie_test_random_bytes (5000, 2);
  g_autoptr(GBytes) z = dassie_test_random_bytes (7000, 3);
  const DassieTestArchiveEntry entries[] = {
    { .name = "./x.bin", .contents = x },
    { .name = "y/z.bin", .contents = z },
    { .name = "y/link", .symlink = "z.bin" },
    { .name = "y/hard", .hardlink = "y/z.bin" },
  };
  g_autofree char *archive = write_archive (f, "loose.tar.gz", entries, G_N_ELEMENTS (entries));
  g_autofree char *expected = g_build_filename (f->dest, "loose", NULL);
  g_autofree char *x_path = g_build_filename (expected, "x.bin", NULL);
  g_autofree char *z_path = g_build_filename (expected, "y", "z.bin", NULL);
  g_autofree char *link_path = g_build_filename (expected, "y", "link", NULL);
  g_autofree char *hard_path = g_build_filename (expected, "y", "hard", NULL);
  g_autofree char *link_target = NULL;
  g_autofree char *dest_list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;

  /* Two top-level names: wrapped in a folder named after the archive. */
  target = dassie_unpack_archive (archive, f->dest, NO_LIMIT, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, expected);
  dassie_test_assert_file (x_path, x);
  dassie_test_assert_file (z_path, z);
  dassie_test_assert_file (hard_path, z);
  link_target = g_file_read_link (link_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link_target, ==, "z.bin");
  dassie_test_assert_file (link_path, z);

  dest_list = dassie_test_list_dir (f->dest);
  g_assert_cmpstr (dest_list, ==, "loose loose.tar.gz");
}

static void
assert_refused (Fixture                      *f,
                const char                   *archive_name,
                const DassieTestArchiveEntry *entries,
                guint                         n_entries,
                guint64                       limit,
                int                           code,
                const char                   *named_in_message)
{
  g_autofree char *archive = write_archive (f, archive_name, entries, n_entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;

  target = dassie_unpack_archive (archive, f->dest, limit, NULL, NULL, NULL, &error);
  g_assert_error (error, DASSIE_UNPACK_ERROR, code);
  g_assert_null (target);
  g_assert_nonnull (strstr (error->message, archive));
  g_assert_nonnull (strstr (error->message, named_in_message));
  assert_nothing_outside (f, archive_name);
}

static void
test_refuses_dotdot (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) ok = g_bytes_new_static ("fine\n", 5);
  g_autoptr(GBytes) evil = g_bytes_new_static ("evil\n", 5);
  const DassieTestArchiveEntry climbs[] = {
    { .name = "data/ok.txt", .contents = ok },
    { .name = "../outside/evil.txt", .contents = evil },
  };
  const DassieTestArchiveEntry climbs_later[] = {
    { .name = "data/ok.txt", .contents = ok },
    { .name = "data/../../outside/evil.txt", .contents = evil },
  };
  const DassieTestArchiveEntry backslashes[] = {
    { .name = "data/ok.txt", .contents = ok },
    { .name = "data\\..\\..\\evil.txt", .contents = evil },
  };

  assert_refused (f, "climbs.zip", climbs, G_N_ELEMENTS (climbs), NO_LIMIT,
                  DASSIE_UNPACK_ERROR_UNSAFE_PATH, "../outside/evil.txt");
  remove_from_dest (f, "climbs.zip");
  assert_refused (f, "climbs-later.tar.gz", climbs_later, G_N_ELEMENTS (climbs_later), NO_LIMIT,
                  DASSIE_UNPACK_ERROR_UNSAFE_PATH, "data/../../outside/evil.txt");
  remove_from_dest (f, "climbs-later.tar.gz");
  assert_refused (f, "backslashes.zip", backslashes, G_N_ELEMENTS (backslashes), NO_LIMIT,
                  DASSIE_UNPACK_ERROR_UNSAFE_PATH, "..");
}

static void
test_refuses_absolute (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) evil = g_bytes_new_static ("evil\n", 5);
  g_autofree char *absolute = g_build_filename (f->outside, "evil.txt", NULL);
  const DassieTestArchiveEntry entries[] = {
    { .name = "data/", .directory = TRUE },
    { .name = absolute, .contents = evil },
  };

  g_assert_true (g_path_is_absolute (absolute));
  assert_refused (f, "absolute.zip", entries, G_N_ELEMENTS (entries), NO_LIMIT,
                  DASSIE_UNPACK_ERROR_UNSAFE_PATH, absolute);
  g_assert_false (g_file_test (absolute, G_FILE_TEST_EXISTS));
}

static void
test_refuses_escaping_links (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) evil = g_bytes_new_static ("evil\n", 5);
  const DassieTestArchiveEntry up[] = {
    { .name = "data/link", .symlink = "../../outside" },
    { .name = "data/link/evil.txt", .contents = evil },
  };
  const DassieTestArchiveEntry absolute[] = {
    { .name = "data/link", .symlink = "/etc" },
  };
  const DassieTestArchiveEntry hard[] = {
    { .name = "data/hard", .hardlink = "../outside/x" },
  };

  assert_refused (f, "up.tar.gz", up, G_N_ELEMENTS (up), NO_LIMIT,
                  DASSIE_UNPACK_ERROR_UNSAFE_LINK, "../../outside");
  remove_from_dest (f, "up.tar.gz");
  assert_refused (f, "absolute.tar.gz", absolute, G_N_ELEMENTS (absolute), NO_LIMIT,
                  DASSIE_UNPACK_ERROR_UNSAFE_LINK, "/etc");
  remove_from_dest (f, "absolute.tar.gz");
  assert_refused (f, "hard.tar.gz", hard, G_N_ELEMENTS (hard), NO_LIMIT,
                  DASSIE_UNPACK_ERROR_UNSAFE_PATH, "../outside/x");
}

static void
test_size_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) a = dassie_test_random_bytes (60000, 4);
  g_autoptr(GBytes) b = dassie_test_random_bytes (60000, 5);
  const DassieTestArchiveEntry entries[] = {
    { .name = "data/a.bin", .contents = a },
    { .name = "data/b.bin", .contents = b },
  };
  g_autofree char *archive = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  /* 120000 bytes against a limit of 100000: refused; at exactly 120000, accepted. */
  assert_refused (f, "big.zip", entries, G_N_ELEMENTS (entries), 100000,
                  DASSIE_UNPACK_ERROR_TOO_LARGE, "download.max_unpacked_bytes");
  archive = g_build_filename (f->dest, "big.zip", NULL);
  target = dassie_unpack_archive (archive, f->dest, 120000, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (target);
}

/* A tar header for @name that declares @size bytes (in base 256, as GNU tar writes sizes beyond
 * 8 GiB), with no data after it. */
static GBytes *
tar_header_declaring (const char *name,
                      guint64     size)
{
  guint8 *h = g_malloc0 (512);
  guint sum = 0;

  g_strlcpy ((char *) h, name, 100);
  memcpy (h + 100, "0000644", 8);
  memcpy (h + 108, "0000000", 8);
  memcpy (h + 116, "0000000", 8);
  h[124] = 0x80;
  for (guint i = 0; i < 8; i++)
    h[135 - i] = (size >> (8 * i)) & 0xff;
  memcpy (h + 136, "14521221000", 12);
  h[156] = '0';
  memcpy (h + 257, "ustar", 6);
  memcpy (h + 263, "00", 2);
  memset (h + 148, ' ', 8);
  for (guint i = 0; i < 512; i++)
    sum += h[i];
  g_snprintf ((char *) h + 148, 8, "%06o", sum);
  h[155] = ' ';
  return g_bytes_new_take (h, 512);
}

/* An archive that declares more than the file system holds is refused before anything is written,
 * with the folder and both sizes. */
static void
test_no_space (Fixture       *f,
               gconstpointer  data)
{
  const guint64 huge = G_GUINT64_CONSTANT (1) << 50;
  g_autoptr(GBytes) tar = tar_header_declaring ("data/huge.bin", huge);
  g_autofree char *path = g_build_filename (f->dest, "huge.tar", NULL);
  g_autofree char *needed = g_format_size (huge);
  g_autofree char *expected_target = g_build_filename (f->dest, "data", NULL);
  g_autoptr(DassieUnpackPlan) plan = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  /* The plan is made (a folder already unpacked from it needs no space); the run is refused. */
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (tar, NULL), 512, &error));
  plan = dassie_unpack_plan_new (path, f->dest, NO_LIMIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dassie_unpack_plan_get_target (plan), ==, expected_target);
  target = dassie_unpack_plan_run (plan, NULL, NULL, NULL, &error);
  g_assert_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_NO_SPACE);
  g_assert_null (target);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, f->dest));
  g_assert_nonnull (strstr (error->message, needed));
  g_assert_nonnull (strstr (error->message, "free"));
  assert_nothing_outside (f, "huge.tar");
}

static guint32
crc32_of (const guint8 *data,
          gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (guint b = 0; b < 8; b++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  return ~crc;
}

static void
append_le (GByteArray *out,
           guint64     value,
           guint       n_bytes)
{
  for (guint i = 0; i < n_bytes; i++)
    {
      guint8 byte = (value >> (8 * i)) & 0xff;
      g_byte_array_append (out, &byte, 1);
    }
}

/* The fields a zip's local and central headers share: flags, method 0 (stored), time and date,
 * crc, compressed and uncompressed sizes, name and extra lengths. */
static void
append_entry_fields (GByteArray *out,
                     guint32     crc,
                     guint32     length,
                     guint32     declared,
                     guint16     name_length)
{
  append_le (out, 0, 2);
  append_le (out, 0, 2);
  append_le (out, 0, 4);
  append_le (out, crc, 4);
  append_le (out, length, 4);
  append_le (out, declared, 4);
  append_le (out, name_length, 2);
  append_le (out, 0, 2);
}

/* A zip with one stored entry whose headers declare @declared bytes but which holds @contents. */
static GBytes *
zip_declaring (const char *name,
               GBytes     *contents,
               guint32     declared)
{
  GByteArray *out = g_byte_array_new ();
  gsize length;
  const guint8 *data = g_bytes_get_data (contents, &length);
  guint32 crc = crc32_of (data, length);
  guint16 name_length = strlen (name);
  guint32 central_start;

  append_le (out, 0x04034b50, 4);
  append_le (out, 20, 2);
  append_entry_fields (out, crc, length, declared, name_length);
  g_byte_array_append (out, (const guint8 *) name, name_length);
  g_byte_array_append (out, data, length);

  central_start = out->len;
  append_le (out, 0x02014b50, 4);
  append_le (out, 20, 2);
  append_le (out, 20, 2);
  append_entry_fields (out, crc, length, declared, name_length);
  append_le (out, 0, 2);
  append_le (out, 0, 2);
  append_le (out, 0, 2);
  append_le (out, 0, 4);
  append_le (out, 0, 4);
  g_byte_array_append (out, (const guint8 *) name, name_length);

  append_le (out, 0x06054b50, 4);
  append_le (out, 0, 2);
  append_le (out, 0, 2);
  append_le (out, 1, 2);
  append_le (out, 1, 2);
  append_le (out, out->len - 12 - central_start, 4);
  append_le (out, central_start, 4);
  append_le (out, 0, 2);
  return g_byte_array_free_to_bytes (out);
}

/* An entry that writes far more than its header declares is stopped near what was declared, even
 * below download.max_unpacked_bytes, and nothing is left. */
static void
test_beyond_listing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) contents = dassie_test_random_bytes (3 * 1024 * 1024, 9);
  g_autoptr(GBytes) zip = zip_declaring ("data/a.bin", contents, 10);
  g_autofree char *path = g_build_filename (f->dest, "liar.zip", NULL);
  g_autoptr(DassieUnpackPlan) plan = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (zip, NULL), g_bytes_get_size (zip), &error));
  plan = dassie_unpack_plan_new (path, f->dest, NO_LIMIT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_unpack_plan_get_total_bytes (plan), ==, 10);
  target = dassie_unpack_plan_run (plan, NULL, NULL, NULL, &error);
  g_assert_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "declare"));
  g_assert_null (target);
  assert_nothing_outside (f, "liar.zip");
}

static void
test_existing_target_kept (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) a = dassie_test_random_bytes (1000, 6);
  g_autoptr(GBytes) other = g_bytes_new_static ("mine\n", 5);
  const DassieTestArchiveEntry entries[] = {
    { .name = "data/a.bin", .contents = a },
  };
  g_autofree char *archive = write_archive (f, "set.zip", entries, G_N_ELEMENTS (entries));
  g_autofree char *mine = g_build_filename (f->dest, "data", "a.bin", NULL);
  g_autofree char *data_dir = g_build_filename (f->dest, "data", NULL);
  g_autofree char *target = NULL;
  g_autofree char *dest_list = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (data_dir, 0755), ==, 0);
  g_file_set_contents (mine, "mine\n", 5, &error);
  g_assert_no_error (error);

  target = dassie_unpack_archive (archive, f->dest, NO_LIMIT, NULL, NULL, NULL, &error);
  g_assert_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_EXISTS);
  g_assert_null (target);
  dassie_test_assert_file (mine, other);
  dest_list = dassie_test_list_dir (f->dest);
  g_assert_cmpstr (dest_list, ==, "data set.zip");
}

static void
test_failure_removes_partial (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) a = dassie_test_random_bytes (30000, 7);
  /* The hard link passes the checks (its path is inside) but its target is missing, so the
   * extraction fails after data/a.bin has been written. */
  const DassieTestArchiveEntry entries[] = {
    { .name = "data/a.bin", .contents = a },
    { .name = "data/hard", .hardlink = "data/missing" },
  };
  g_autofree char *archive = write_archive (f, "broken.tar.gz", entries, G_N_ELEMENTS (entries));
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  target = dassie_unpack_archive (archive, f->dest, NO_LIMIT, NULL, NULL, NULL, &error);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "hard"));
  g_assert_null (target);
  assert_nothing_outside (f, "broken.tar.gz");
}

static void
cancel_on_first_report (const DassieProgress *progress,
                        gpointer              user_data)
{
  g_assert_cmpstr (progress->stage, ==, "unpack");
  g_cancellable_cancel (user_data);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) a = dassie_test_random_bytes (300000, 8);
  const DassieTestArchiveEntry entries[] = {
    { .name = "data/a.bin", .contents = a },
  };
  g_autofree char *archive = write_archive (f, "set.zip", entries, G_N_ELEMENTS (entries));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  target = dassie_unpack_archive (archive, f->dest, NO_LIMIT, cancel_on_first_report, cancellable,
                                  cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (target);
  assert_nothing_outside (f, "set.zip");
}

static void
test_not_an_archive (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dest, "fake.zip", NULL);
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "this is not a zip file at all", -1, &error);
  g_assert_no_error (error);
  target = dassie_unpack_archive (path, f->dest, NO_LIMIT, NULL, NULL, NULL, &error);
  g_assert_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, path));
  assert_nothing_outside (f, "fake.zip");

  g_assert_true (dassie_unpack_is_archive ("a.ZIP"));
  g_assert_true (dassie_unpack_is_archive ("a.tar.gz"));
  g_assert_true (dassie_unpack_is_archive ("a.tgz"));
  g_assert_false (dassie_unpack_is_archive ("a.fits"));
  g_assert_false (dassie_unpack_is_archive ("zip"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/unpack/zip-single-folder", test_zip_single_folder);
  ADD ("/core/unpack/targz-loose-files", test_targz_loose_files);
  ADD ("/core/unpack/refuses-dotdot", test_refuses_dotdot);
  ADD ("/core/unpack/refuses-absolute", test_refuses_absolute);
  ADD ("/core/unpack/refuses-escaping-links", test_refuses_escaping_links);
  ADD ("/core/unpack/size-limit", test_size_limit);
  ADD ("/core/unpack/existing-target-kept", test_existing_target_kept);
  ADD ("/core/unpack/failure-removes-partial", test_failure_removes_partial);
  ADD ("/core/unpack/cancel", test_cancel);
  ADD ("/core/unpack/not-an-archive", test_not_an_archive);
  ADD ("/core/unpack/no-space", test_no_space);
  ADD ("/core/unpack/beyond-listing", test_beyond_listing);
#undef ADD

  return g_test_run ();
}
