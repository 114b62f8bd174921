/* dassie-table.c: object tables as FITS binary tables (latents, scores, embeddings)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fitsio.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "dassie-fileutil.h"
#include "dassie-table.h"

static gboolean
parse_int64 (const char *text,
             gint64     *value)
{
  char *end = NULL;
  gint64 v;

  if (text == NULL || *text == 0)
    return FALSE;
  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || end == NULL || *end != 0)
    return FALSE;
  if (value)
    *value = v;
  return TRUE;
}

gboolean
dassie_ids_are_integers (const char * const *ids,
                         guint               n)
{
  for (guint i = 0; i < n; i++)
    if (!parse_int64 (ids[i], NULL))
      return FALSE;
  return n > 0;
}

gboolean
dassie_table_write_vectors (const char          *path,
                            const char * const  *ids,
                            guint                n_rows,
                            const char          *column,
                            const float         *data,
                            guint                dim,
                            GError             **error)
{
  g_autofree char *temp = NULL;
  g_autofree char *create_name = NULL;
  g_autofree char *id_form = NULL;
  g_autofree char *vec_form = NULL;
  gboolean integers;
  fitsfile *fptr = NULL;
  int status = 0;
  char *ttype[2];
  char *tform[2];

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (ids != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (column != NULL, FALSE);
  g_return_val_if_fail (data != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (dim > 0, FALSE);

  id_form = _dassie_table_id_form (ids, n_rows, 1, &integers);
  vec_form = g_strdup_printf ("%uE", dim);

  temp = dassie_temp_path_for (path);
  create_name = g_strconcat ("!", temp, NULL);
  ttype[0] = (char *) "OBJECT_ID";
  ttype[1] = (char *) column;
  tform[0] = id_form;
  tform[1] = vec_form;

  fits_create_file (&fptr, create_name, &status);
  fits_create_tbl (fptr, BINARY_TBL, n_rows, 2, ttype, tform, NULL, "OBJECTS", &status);
  if (status != 0)
    goto fail;

  _dassie_table_write_ids (fptr, 1, ids, n_rows, integers, &status);

  if (n_rows > 0)
    fits_write_col (fptr, TFLOAT, 2, 1, 1, (LONGLONG) n_rows * dim, (float *) data, &status);
  fits_write_key_str (fptr, "CREATOR", "Dassie " PACKAGE_VERSION, NULL, &status);
  fits_close_file (fptr, &status);
  fptr = NULL;
  if (status != 0)
    goto fail;

  return dassie_rename_into_place (temp, path, error);

fail:
  /* The error first: errno still says why the write failed. */
  dassie_fits_fail (status, path, _("write"), error);
  if (fptr != NULL)
    {
      int ignored = 0;
      fits_close_file (fptr, &ignored);
    }
  g_unlink (temp);
  return FALSE;
}

char *
_dassie_table_id_form (const char * const *ids,
                       guint               n_ids,
                       guint               repeat,
                       gboolean           *integers)
{
  gsize width = 1;

  *integers = dassie_ids_are_integers (ids, n_ids);
  if (*integers)
    return g_strdup_printf ("%uK", repeat);

  for (guint i = 0; i < n_ids; i++)
    width = MAX (width, strlen (ids[i]));
  if (repeat == 1)
    return g_strdup_printf ("%zuA", width);
  /* "rAw": @repeat strings of @width characters in one cell. */
  return g_strdup_printf ("%zuA%zu", width * repeat, width);
}

void
_dassie_table_write_ids (void                *fits,
                         int                  colnum,
                         const char * const  *ids,
                         guint                n_ids,
                         gboolean             integers,
                         int                 *status)
{
  fitsfile *fptr = fits;

  if (n_ids == 0)
    return;
  if (integers)
    {
      g_autofree gint64 *values = g_new (gint64, n_ids);

      for (guint i = 0; i < n_ids; i++)
        parse_int64 (ids[i], &values[i]);
      fits_write_col (fptr, TLONGLONG, colnum, 1, 1, n_ids, values, status);
    }
  else
    fits_write_col (fptr, TSTRING, colnum, 1, 1, n_ids, (char **) ids, status);
}

gboolean
_dassie_table_fail (int          status,
                    const char  *path,
                    const char  *what,
                    GError     **error)
{
  return dassie_fits_fail (status, path, what, error);
}

/* Reads the OBJECT_ID column as exact text, whether it is stored as 64-bit integers or as text. */
gboolean
_dassie_table_read_ids (void        *fits,
                        const char  *path,
                        guint        n_rows,
                        char      ***ids_out,
                        GError     **error)
{
  fitsfile *fptr = fits;
  int status = 0;
  int colnum = 0;
  int typecode = 0;
  long repeat = 0;
  long width = 0;
  char **ids;

  fits_get_colnum (fptr, CASEINSEN, (char *) "OBJECT_ID", &colnum, &status);
  fits_get_eqcoltype (fptr, colnum, &typecode, &repeat, &width, &status);
  if (status != 0)
    return dassie_fits_fail (status, path, _("read the OBJECT_ID column of"), error);

  ids = g_new0 (char *, n_rows + 1);
  if (typecode == TSTRING)
    {
      char **buffers = g_new0 (char *, MAX (n_rows, 1));
      char *block = g_malloc0 ((gsize) MAX (n_rows, 1) * (repeat + 1));

      for (guint i = 0; i < n_rows; i++)
        buffers[i] = block + (gsize) i * (repeat + 1);
      if (n_rows > 0)
        fits_read_col (fptr, TSTRING, colnum, 1, 1, n_rows, NULL, buffers, NULL, &status);
      for (guint i = 0; i < n_rows; i++)
        ids[i] = g_strstrip (g_strdup (buffers[i]));
      g_free (block);
      g_free (buffers);
    }
  else
    {
      g_autofree gint64 *values = g_new0 (gint64, MAX (n_rows, 1));

      if (typecode == TFLOAT || typecode == TDOUBLE)
        {
          g_strfreev (ids);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The OBJECT_ID column of “%s” holds floating-point numbers, which cannot keep "
                         "17-digit ids exact; write the ids as 64-bit integers or text"), path);
          return FALSE;
        }
      if (n_rows > 0)
        fits_read_col (fptr, TLONGLONG, colnum, 1, 1, n_rows, NULL, values, NULL, &status);
      for (guint i = 0; i < n_rows; i++)
        ids[i] = g_strdup_printf ("%" G_GINT64_FORMAT, values[i]);
    }

  if (status != 0)
    {
      g_strfreev (ids);
      return dassie_fits_fail (status, path, _("read the OBJECT_ID column of"), error);
    }

  *ids_out = ids;
  return TRUE;
}

gboolean
dassie_table_read_vectors (const char   *path,
                           const char   *column,
                           char       ***ids,
                           guint        *n_rows,
                           float       **data,
                           guint        *dim,
                           GError      **error)
{
  fitsfile *fptr = NULL;
  int status = 0;
  int hdutype = 0;
  int colnum = 0;
  int typecode = 0;
  long repeat = 0;
  long width = 0;
  LONGLONG nrows = 0;
  g_auto(GStrv) read_ids = NULL;
  g_autofree float *values = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (column != NULL, FALSE);
  g_return_val_if_fail (ids != NULL && n_rows != NULL && data != NULL && dim != NULL, FALSE);

  fits_open_table (&fptr, path, READONLY, &status);
  if (status != 0)
    return dassie_fits_fail (status, path, _("open the table"), error);

  fits_get_hdu_type (fptr, &hdutype, &status);
  fits_get_num_rowsll (fptr, &nrows, &status);
  if (status != 0 || hdutype != BINARY_TBL)
    {
      int ignored = 0;
      fits_close_file (fptr, &ignored);
      if (status == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” does not hold a FITS binary table"), path);
          return FALSE;
        }
      return dassie_fits_fail (status, path, _("read"), error);
    }

  fits_get_colnum (fptr, CASEINSEN, (char *) column, &colnum, &status);
  fits_get_eqcoltype (fptr, colnum, &typecode, &repeat, &width, &status);
  if (status != 0)
    {
      int ignored = 0;
      fits_close_file (fptr, &ignored);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” has no column %s; is it the right kind of table?"), path, column);
      return FALSE;
    }
  if (typecode == TSTRING || repeat < 1)
    {
      int ignored = 0;
      fits_close_file (fptr, &ignored);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Column %s of “%s” is not numeric"), column, path);
      return FALSE;
    }

  if (!_dassie_table_read_ids (fptr, path, (guint) nrows, &read_ids, error))
    {
      int ignored = 0;
      fits_close_file (fptr, &ignored);
      return FALSE;
    }

  values = g_new (float, MAX ((gsize) nrows * repeat, 1));
  if (nrows > 0)
    fits_read_col (fptr, TFLOAT, colnum, 1, 1, nrows * repeat, NULL, values, NULL, &status);
  fits_close_file (fptr, &status);
  if (status != 0)
    return dassie_fits_fail (status, path, _("read"), error);

  *ids = g_steal_pointer (&read_ids);
  *n_rows = (guint) nrows;
  *data = g_steal_pointer (&values);
  *dim = (guint) repeat;
  return TRUE;
}
