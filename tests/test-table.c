/* test-table.c: object tables keep 17-digit ids exact and vectors bit for bit
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dassie-fileutil.h"
#include "dassie-table.h"

static void
test_integer_ids (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-table-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "latents.fits", NULL);
  /* 2^53 + 1 and friends: a double would round these. */
  const char *ids[] = { "36411452835238206", "9007199254740993", "43158176442374224" };
  float data[3 * 4];
  g_auto(GStrv) back_ids = NULL;
  g_autofree float *back = NULL;
  guint n = 0, dim = 0;
  fitsfile *fptr = NULL;
  int status = 0, typecode = 0;
  long repeat = 0, width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    data[i] = (float) i * 0.37f - 1.0f;

  g_assert_true (dassie_table_write_vectors (path, ids, 3, "LATENT", data, 4, &error));
  g_assert_no_error (error);

  /* Independently of our reader: the id column is 64-bit integer, the vector 4E. */
  fits_open_table (&fptr, path, READONLY, &status);
  fits_get_eqcoltype (fptr, 1, &typecode, &repeat, &width, &status);
  g_assert_cmpint (typecode, ==, TLONGLONG);
  fits_get_eqcoltype (fptr, 2, &typecode, &repeat, &width, &status);
  g_assert_cmpint (typecode, ==, TFLOAT);
  g_assert_cmpint (repeat, ==, 4);
  {
    LONGLONG v[3];
    fits_read_col (fptr, TLONGLONG, 1, 1, 1, 3, NULL, v, NULL, &status);
    g_assert_cmpint (v[1], ==, G_GINT64_CONSTANT (9007199254740993));
  }
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);

  g_assert_true (dassie_table_read_vectors (path, "LATENT", &back_ids, &n, &back, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (dim, ==, 4);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (back_ids[i], ==, ids[i]);
  g_assert_cmpmem (back, sizeof data, data, sizeof data);

  dassie_remove_tree (dir, NULL);
}

static void
test_text_ids_and_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-table-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "emb.fits", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.fits", NULL);
  const char *ids[] = { "star-1", "galaxy_22" };
  const float data[] = { 1, 2, 3, 4 };
  g_auto(GStrv) back_ids = NULL;
  g_autofree float *back = NULL;
  guint n = 0, dim = 0;

  g_assert_true (dassie_table_write_vectors (path, ids, 2, "UMAP", data, 2, &error));
  g_assert_true (dassie_table_read_vectors (path, "UMAP", &back_ids, &n, &back, &dim, &error));
  g_assert_cmpstr (back_ids[1], ==, "galaxy_22");
  g_assert_cmpfloat (back[3], ==, 4);

  g_assert_false (dassie_table_read_vectors (path, "LATENT", &back_ids, &n, &back, &dim, &error));
  g_assert_nonnull (strstr (error->message, "LATENT"));
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (junk, "SIMPLE = nonsense", -1, NULL));
  g_assert_false (dassie_table_read_vectors (junk, "UMAP", &back_ids, &n, &back, &dim, &error));
  g_assert_nonnull (strstr (error->message, junk));

  dassie_remove_tree (dir, NULL);
}

/* A full disk, for real: cfitsio writes its "-" (standard output) to /dev/full, which answers ENOSPC.
 * The error says so in the system's words, names the file, and is G_IO_ERROR_NO_SPACE for the app. */
static void
test_disk_full (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      float pixels[64 * 64] = { 0 };
      long naxes[2] = { 64, 64 };
      fitsfile *fptr = NULL;
      int status = 0;
      int full = open ("/dev/full", O_WRONLY);
      int saved_stdout = dup (1);

      g_assert_cmpint (full, >=, 0);
      g_assert_cmpint (dup2 (full, 1), ==, 1);
      fits_create_file (&fptr, "-", &status);
      fits_create_img (fptr, FLOAT_IMG, 2, naxes, &status);
      fits_write_img (fptr, TFLOAT, 1, 64 * 64, pixels, &status);
      fits_close_file (fptr, &status);
      g_assert_cmpint (status, !=, 0);
      _dassie_table_fail (status, "/results/scores.fits", "write", &error);
      dup2 (saved_stdout, 1);

      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
      g_assert_nonnull (strstr (error->message, "/results/scores.fits"));
      return;
    }

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The table writer's own failure (a file size limit: EFBIG) says why in the system's words, names the
 * file, and leaves no temporary file behind. */
static void
test_write_error_says_why (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("dassie-table-XXXXXX", &error);
      g_autofree char *path = g_build_filename (dir, "latents.fits", NULL);
      g_autofree float *data = g_new0 (float, 2000 * 64);
      g_auto(GStrv) ids = g_new0 (char *, 2001);
      struct rlimit limit = { 16384, 16384 };
      g_autoptr(GDir) d = NULL;

      for (guint i = 0; i < 2000; i++)
        ids[i] = g_strdup_printf ("%u", i);
      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

      g_assert_false (dassie_table_write_vectors (path, (const char * const *) ids, 2000, "LATENT", data, 64, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
      d = g_dir_open (dir, 0, NULL);
      g_assert_null (g_dir_read_name (d));

      dassie_remove_tree (dir, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/table/integer-ids", test_integer_ids);
  g_test_add_func ("/core/table/text-ids-and-errors", test_text_ids_and_errors);
  g_test_add_func ("/core/table/disk-full", test_disk_full);
  g_test_add_func ("/core/table/write-error-says-why", test_write_error_says_why);
  return g_test_run ();
}
