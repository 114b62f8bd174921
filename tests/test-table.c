/* test-table.c: object tables keep 17-digit ids exact and vectors bit for bit
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gstdio.h>

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/table/integer-ids", test_integer_ids);
  g_test_add_func ("/core/table/text-ids-and-errors", test_text_ids_and_errors);
  return g_test_run ();
}
