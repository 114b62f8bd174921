/* test-export.c: object lists written as CSV, FITS and VOTable read back column by column
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "dassie-export.h"
#include "dassie-fileutil.h"

#define N_ROWS  5
#define N_BANDS 3

/* Integer ids beyond 2^53 (a double would round them), a negative one, the largest int64. */
static const char * const int_ids[N_ROWS] = {
  "36411448540270969", "36411448540270970", "-42", "9223372036854775807", "1",
};
/* Text ids: a name, a leading zero that an integer column would lose, CSV and XML specials. */
static const char * const text_ids[N_ROWS] = {
  "J0001+0002", "007", "a,\"b\"", "<x&y>", " spaced ",
};
static const float scores[N_ROWS] = { 3.25f, 0.1f, NAN, 1e-7f, 123456.789f };
static const guint32 ranks[N_ROWS] = { 1, 5, 3, 4, 2 };
static const float umap_x[N_ROWS] = { -1.5f, 0, 2.75f, 1e3f, -0.333333343f };
static const float umap_y[N_ROWS] = { 0.5f, -8, 3, 4, 5 };
static const char * const band_names[N_BANDS] = { "HSC-G", "HSC-I", "HSC-R" };
static const char * const band_paths[N_ROWS * N_BANDS] = {
  "/data/a_HSC-G.fits", "/data/a_HSC-I.fits", "/data/a_HSC-R.fits",
  "/data/b,comma.fits", "/data/b \"quoted\".fits", "/data/b<&>.fits",
  "/données/é.fits", NULL, "/data/c.fits",
  "/d/1", "/d/2", "/d/3",
  "/e/1", "/e/2", "/e/3",
};

static void
fill_list (DassieObjectList    *list,
           const char * const  *ids)
{
  memset (list, 0, sizeof *list);
  list->n_rows = N_ROWS;
  list->ids = ids;
  list->scores = scores;
  list->ranks = ranks;
  list->umap_x = umap_x;
  list->umap_y = umap_y;
  list->n_bands = N_BANDS;
  list->band_names = band_names;
  list->band_paths = band_paths;
}

static const char *
expected_path (gsize row,
               guint band)
{
  const char *p = band_paths[row * N_BANDS + band];
  return p != NULL ? p : "";
}

static void
assert_float_exact (float       got,
                    float       expected)
{
  if (isnan (expected))
    g_assert_true (isnan (got));
  else
    g_assert_true (memcmp (&got, &expected, sizeof (float)) == 0);
}

/* ------------------------------------------------------------------------------------------------
 * FITS, through cfitsio, column by column */

static int
column (fitsfile   *fptr,
        const char *name,
        int         expected_type)
{
  int status = 0, colnum = 0, typecode = 0;
  long repeat = 0, width = 0;

  fits_get_colnum (fptr, CASEINSEN, (char *) name, &colnum, &status);
  g_assert_cmpint (status, ==, 0);
  fits_get_coltype (fptr, colnum, &typecode, &repeat, &width, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (typecode, ==, expected_type);
  return colnum;
}

static void
read_strings (fitsfile  *fptr,
              int        colnum,
              char    ***out)
{
  int status = 0, typecode = 0;
  long repeat = 0, width = 0;
  char **values = g_new0 (char *, N_ROWS + 1);

  fits_get_coltype (fptr, colnum, &typecode, &repeat, &width, &status);
  for (guint i = 0; i < N_ROWS; i++)
    values[i] = g_malloc0 (repeat + 1);
  fits_read_col (fptr, TSTRING, colnum, 1, 1, N_ROWS, NULL, values, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  *out = values;
}

static void
check_fits (const char         *path,
            const char * const *ids,
            gboolean            integer_ids)
{
  fitsfile *fptr = NULL;
  int status = 0, ncols = 0;
  long nrows = 0;
  float fvalues[N_ROWS];
  guint32 uvalues[N_ROWS];
  char extname[FLEN_VALUE] = "";

  fits_open_table (&fptr, path, READONLY, &status);
  g_assert_cmpint (status, ==, 0);
  fits_get_num_rows (fptr, &nrows, &status);
  fits_get_num_cols (fptr, &ncols, &status);
  fits_read_key (fptr, TSTRING, "EXTNAME", extname, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (nrows, ==, N_ROWS);
  g_assert_cmpint (ncols, ==, 5 + N_BANDS);
  g_assert_cmpstr (extname, ==, "OBJECTS");

  if (integer_ids)
    {
      gint64 values[N_ROWS];

      fits_read_col (fptr, TLONGLONG, column (fptr, "OBJECT_ID", TLONGLONG), 1, 1, N_ROWS, NULL, values, NULL, &status);
      g_assert_cmpint (status, ==, 0);
      for (guint i = 0; i < N_ROWS; i++)
        g_assert_cmpint (values[i], ==, g_ascii_strtoll (ids[i], NULL, 10));
    }
  else
    {
      g_auto(GStrv) values = NULL;

      read_strings (fptr, column (fptr, "OBJECT_ID", TSTRING), &values);
      for (guint i = 0; i < N_ROWS; i++)
        {
          /* FITS strings lose trailing blanks; leading ones are kept. */
          g_autofree char *expected = g_strdup (ids[i]);
          g_assert_cmpstr (values[i], ==, g_strchomp (expected));
        }
    }

  fits_read_col (fptr, TFLOAT, column (fptr, "SCORE", TFLOAT), 1, 1, N_ROWS, NULL, fvalues, NULL, &status);
  for (guint i = 0; i < N_ROWS; i++)
    assert_float_exact (fvalues[i], scores[i]);
  fits_read_col (fptr, TUINT, column (fptr, "RANK", TLONG), 1, 1, N_ROWS, NULL, uvalues, NULL, &status);
  for (guint i = 0; i < N_ROWS; i++)
    g_assert_cmpuint (uvalues[i], ==, ranks[i]);
  fits_read_col (fptr, TFLOAT, column (fptr, "UMAP_X", TFLOAT), 1, 1, N_ROWS, NULL, fvalues, NULL, &status);
  for (guint i = 0; i < N_ROWS; i++)
    assert_float_exact (fvalues[i], umap_x[i]);
  fits_read_col (fptr, TFLOAT, column (fptr, "UMAP_Y", TFLOAT), 1, 1, N_ROWS, NULL, fvalues, NULL, &status);
  for (guint i = 0; i < N_ROWS; i++)
    assert_float_exact (fvalues[i], umap_y[i]);
  g_assert_cmpint (status, ==, 0);

  for (guint b = 0; b < N_BANDS; b++)
    {
      g_autofree char *name = dassie_export_band_column (band_names[b]);
      g_auto(GStrv) values = NULL;

      read_strings (fptr, column (fptr, name, TSTRING), &values);
      /* Trailing blanks mean nothing in FITS text (cfitsio gives an empty one back as " "). */
      for (guint i = 0; i < N_ROWS; i++)
        g_assert_cmpstr (g_strchomp (values[i]), ==, expected_path (i, b));
    }

  fits_close_file (fptr, &status);
}

/* ------------------------------------------------------------------------------------------------
 * CSV: an RFC 4180 reader */

static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = text; *p; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            {
              g_string_append_c (field, '"');
              p++;
            }
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
        }
      else if (*p == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (rows, row);
          row = g_ptr_array_new_with_free_func (g_free);
        }
      else if (*p != '\r')
        g_string_append_c (field, *p);
    }
  g_assert_false (quoted);
  g_assert_cmpuint (field->len, ==, 0);   /* the file ends with a line break */
  g_ptr_array_unref (row);
  g_string_free (field, TRUE);
  return rows;
}

static void
assert_float_text (const char *text,
                   float       expected)
{
  if (isnan (expected))
    g_assert_true (*text == 0 || g_ascii_strcasecmp (text, "NaN") == 0);
  else
    assert_float_exact ((float) g_ascii_strtod (text, NULL), expected);
}

static void
check_row_texts (GPtrArray          *cells,
                 gsize               row,
                 const char * const *ids)
{
  g_assert_cmpuint (cells->len, ==, 5 + N_BANDS);
  g_assert_cmpstr (g_ptr_array_index (cells, 0), ==, ids[row]);
  assert_float_text (g_ptr_array_index (cells, 1), scores[row]);
  g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (cells, 2), NULL, 10), ==, ranks[row]);
  assert_float_text (g_ptr_array_index (cells, 3), umap_x[row]);
  assert_float_text (g_ptr_array_index (cells, 4), umap_y[row]);
  for (guint b = 0; b < N_BANDS; b++)
    g_assert_cmpstr (g_ptr_array_index (cells, 5 + b), ==, expected_path (row, b));
}

static void
check_csv (const char         *path,
           const char * const *ids)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *header;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  rows = parse_csv (text);
  g_assert_cmpuint (rows->len, ==, N_ROWS + 1);
  header = g_ptr_array_index (rows, 0);
  g_assert_cmpuint (header->len, ==, 8);
  g_assert_cmpstr (g_ptr_array_index (header, 0), ==, "object_id");
  g_assert_cmpstr (g_ptr_array_index (header, 1), ==, "score");
  g_assert_cmpstr (g_ptr_array_index (header, 2), ==, "rank");
  g_assert_cmpstr (g_ptr_array_index (header, 3), ==, "umap_x");
  g_assert_cmpstr (g_ptr_array_index (header, 4), ==, "umap_y");
  g_assert_cmpstr (g_ptr_array_index (header, 5), ==, "path_hscg");
  g_assert_cmpstr (g_ptr_array_index (header, 7), ==, "path_hscr");
  for (gsize i = 0; i < N_ROWS; i++)
    check_row_texts (g_ptr_array_index (rows, i + 1), i, ids);
}

/* ------------------------------------------------------------------------------------------------
 * VOTable: well-formed XML (GMarkup), the FIELD types, and the TABLEDATA cells */

typedef struct
{
  GPtrArray *fields;       /* "name:datatype:arraysize" */
  GPtrArray *rows;         /* of GPtrArray of cell texts */
  GString   *cell;
  gboolean   in_cell;
  gboolean   root_ok;
  char      *nrows;
} VoState;

static void
vo_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  VoState *st = user_data;

  if (g_str_equal (element, "VOTABLE"))
    for (guint i = 0; names[i]; i++)
      st->root_ok |= g_str_equal (names[i], "version") && g_str_equal (values[i], "1.4");
  if (g_str_equal (element, "TABLE"))
    for (guint i = 0; names[i]; i++)
      if (g_str_equal (names[i], "nrows"))
        st->nrows = g_strdup (values[i]);
  if (g_str_equal (element, "FIELD"))
    {
      const char *name = "", *datatype = "", *arraysize = "";

      for (guint i = 0; names[i]; i++)
        {
          if (g_str_equal (names[i], "name"))
            name = values[i];
          else if (g_str_equal (names[i], "datatype"))
            datatype = values[i];
          else if (g_str_equal (names[i], "arraysize"))
            arraysize = values[i];
        }
      g_ptr_array_add (st->fields, g_strdup_printf ("%s:%s:%s", name, datatype, arraysize));
    }
  if (g_str_equal (element, "TR"))
    g_ptr_array_add (st->rows, g_ptr_array_new_with_free_func (g_free));
  if (g_str_equal (element, "TD"))
    {
      st->in_cell = TRUE;
      g_string_truncate (st->cell, 0);
    }
}

static void
vo_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  VoState *st = user_data;

  if (g_str_equal (element, "TD"))
    {
      GPtrArray *row = g_ptr_array_index (st->rows, st->rows->len - 1);
      g_ptr_array_add (row, g_strdup (st->cell->str));
      st->in_cell = FALSE;
    }
}

static void
vo_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  VoState *st = user_data;

  if (st->in_cell)
    g_string_append_len (st->cell, text, (gssize) len);
}

static void
check_votable (const char         *path,
               const char * const *ids,
               gboolean            integer_ids)
{
  const GMarkupParser parser = { vo_start, vo_end, vo_text, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  VoState st = { 0 };
  GMarkupParseContext *context;
  gsize length;

  st.fields = g_ptr_array_new_with_free_func (g_free);
  st.rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  st.cell = g_string_new (NULL);

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  g_assert_true (g_str_has_prefix (text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  context = g_markup_parse_context_new (&parser, 0, &st, NULL);
  g_assert_true (g_markup_parse_context_parse (context, text, (gssize) length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (context);

  g_assert_true (st.root_ok);
  g_assert_cmpstr (st.nrows, ==, "5");
  g_assert_cmpuint (st.fields->len, ==, 8);
  g_assert_cmpstr (g_ptr_array_index (st.fields, 0), ==, integer_ids ? "object_id:long:" : "object_id:unicodeChar:*");
  g_assert_cmpstr (g_ptr_array_index (st.fields, 1), ==, "score:float:");
  g_assert_cmpstr (g_ptr_array_index (st.fields, 2), ==, "rank:int:");
  g_assert_cmpstr (g_ptr_array_index (st.fields, 3), ==, "umap_x:float:");
  g_assert_cmpstr (g_ptr_array_index (st.fields, 5), ==, "path_hscg:unicodeChar:*");

  g_assert_cmpuint (st.rows->len, ==, N_ROWS);
  for (gsize i = 0; i < N_ROWS; i++)
    check_row_texts (g_ptr_array_index (st.rows, i), i, ids);

  g_ptr_array_unref (st.fields);
  g_ptr_array_unref (st.rows);
  g_string_free (st.cell, TRUE);
  g_free (st.nrows);
}

static void
test_integer_ids (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dassie-export-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "objects.csv", NULL);
  g_autofree char *fits = g_build_filename (dir, "objects.fits", NULL);
  g_autofree char *vot = g_build_filename (dir, "objects.vot", NULL);
  g_autoptr(GError) error = NULL;
  DassieObjectList list;
  DassieExportFormat format;

  fill_list (&list, int_ids);
  g_assert_true (dassie_export_format_from_path (csv, &format));
  g_assert_true (dassie_export_write (&list, csv, format, &error));
  g_assert_no_error (error);
  g_assert_true (dassie_export_format_from_path (fits, &format));
  g_assert_cmpint (format, ==, DASSIE_EXPORT_FITS);
  g_assert_true (dassie_export_write (&list, fits, format, &error));
  g_assert_no_error (error);
  g_assert_true (dassie_export_format_from_path (vot, &format));
  g_assert_cmpint (format, ==, DASSIE_EXPORT_VOTABLE);
  g_assert_true (dassie_export_write (&list, vot, format, &error));
  g_assert_no_error (error);

  check_csv (csv, int_ids);
  check_fits (fits, int_ids, TRUE);
  check_votable (vot, int_ids, TRUE);

  /* Writing again replaces the file whole. */
  g_assert_true (dassie_export_fits (&list, fits, &error));
  check_fits (fits, int_ids, TRUE);

  dassie_remove_tree (dir, NULL);
}

static void
test_text_ids (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dassie-export-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "objects.csv", NULL);
  g_autofree char *fits = g_build_filename (dir, "objects.fits", NULL);
  g_autofree char *vot = g_build_filename (dir, "objects.xml", NULL);
  g_autoptr(GError) error = NULL;
  DassieObjectList list;

  fill_list (&list, text_ids);
  g_assert_true (dassie_export_csv (&list, csv, &error));
  g_assert_true (dassie_export_fits (&list, fits, &error));
  g_assert_true (dassie_export_votable (&list, vot, &error));
  g_assert_no_error (error);

  check_csv (csv, text_ids);
  check_fits (fits, text_ids, FALSE);
  check_votable (vot, text_ids, FALSE);

  dassie_remove_tree (dir, NULL);
}

static void
test_optional_columns_and_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dassie-export-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "ids.csv", NULL);
  g_autofree char *fits = g_build_filename (dir, "empty.fits", NULL);
  g_autofree char *nowhere = g_build_filename (dir, "missing", "objects.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  DassieObjectList list = { 0 };
  const char *bad_ids[2] = { "1", "" };
  DassieExportFormat format;
  fitsfile *fptr = NULL;
  int status = 0, ncols = 0;
  long nrows = -1;

  /* Ids only. */
  list.n_rows = 2;
  list.ids = int_ids;
  g_assert_true (dassie_export_csv (&list, csv, &error));
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "object_id\n36411448540270969\n36411448540270970\n");

  /* No rows at all still makes a valid table. */
  list.n_rows = 0;
  list.scores = scores;
  g_assert_true (dassie_export_fits (&list, fits, &error));
  g_assert_no_error (error);
  fits_open_table (&fptr, fits, READONLY, &status);
  fits_get_num_rows (fptr, &nrows, &status);
  fits_get_num_cols (fptr, &ncols, &status);
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (nrows, ==, 0);
  g_assert_cmpint (ncols, ==, 2);

  /* A folder that does not exist: the error names the file. */
  list.n_rows = 1;
  g_assert_false (dassie_export_csv (&list, nowhere, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);

  /* An empty id is refused before anything is written. */
  list.n_rows = 2;
  list.ids = bad_ids;
  g_assert_false (dassie_export_votable (&list, csv, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  g_assert_true (dassie_export_format_from_string ("VOTable", &format));
  g_assert_cmpint (format, ==, DASSIE_EXPORT_VOTABLE);
  g_assert_false (dassie_export_format_from_path ("x.parquet", &format));

  dassie_remove_tree (dir, NULL);
}

/* Non-ASCII text is declared: VOTable "unicodeChar" (not "char", which is ASCII), and the FITS header
 * says which string columns hold UTF-8. */
static void
test_utf8_declared (void)
{
  static const char * const utf8_ids[N_ROWS] = { "Galaxie é", "Ωmega", "a", "b", "c" };
  g_autofree char *dir = g_dir_make_tmp ("dassie-export-XXXXXX", NULL);
  g_autofree char *fits = g_build_filename (dir, "objects.fits", NULL);
  g_autofree char *vot = g_build_filename (dir, "objects.vot", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  DassieObjectList list;
  fitsfile *fptr = NULL;
  int status = 0, n_cols = 0;
  char id[32] = "";
  char *cells[1] = { id };
  gboolean saw_note = FALSE;
  int n_keys = 0;

  fill_list (&list, utf8_ids);
  g_assert_true (dassie_export_fits (&list, fits, &error));
  g_assert_true (dassie_export_votable (&list, vot, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (vot, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<FIELD name=\"object_id\" datatype=\"unicodeChar\" arraysize=\"*\""));
  g_assert_nonnull (strstr (text, "<FIELD name=\"path_hscr\" datatype=\"unicodeChar\" arraysize=\"*\""));
  g_assert_null (strstr (text, "datatype=\"char\""));
  g_assert_nonnull (strstr (text, "<TD>Ωmega</TD>"));

  fits_open_table (&fptr, fits, READONLY, &status);
  fits_get_num_cols (fptr, &n_cols, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (n_cols, ==, 8);
  for (int c = 1; c <= n_cols; c++)
    {
      g_autofree char *key = g_strdup_printf ("TFORM%d", c);
      char value[FLEN_VALUE] = "", comment[FLEN_COMMENT] = "";
      gboolean is_text;

      fits_read_key_str (fptr, key, value, comment, &status);
      g_assert_cmpint (status, ==, 0);
      is_text = g_str_has_suffix (value, "A");
      /* object_id (text here) and the three path columns. */
      g_assert_cmpint (is_text, ==, c == 1 || c >= 6);
      if (is_text)
        g_assert_cmpstr (comment, ==, "UTF-8 text");
      else
        g_assert_cmpstr (comment, !=, "UTF-8 text");
    }
  fits_get_hdrspace (fptr, &n_keys, NULL, &status);
  for (int k = 1; k <= n_keys; k++)
    {
      char card[FLEN_CARD] = "";

      fits_read_record (fptr, k, card, &status);
      if (g_str_has_prefix (card, "COMMENT") && strstr (card, "UTF-8") != NULL)
        saw_note = TRUE;
    }
  g_assert_true (saw_note);
  /* The bytes themselves come back unchanged. */
  fits_read_col (fptr, TSTRING, 1, 2, 1, 1, NULL, cells, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (id, ==, "Ωmega");
  fits_close_file (fptr, &status);

  dassie_remove_tree (dir, NULL);
}

/* Positions: RA/DEC in degrees right after the id, with TUNIT deg in FITS and the UCDs, unit and
 * COOSYS that TOPCAT needs in VOTable; the catalogue's columns follow (numbers as numbers, its own
 * ra/dec not repeated); a DS9 region file has one fk5 circle per placed object. */
static void
test_positions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dassie-export-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "sky.csv", NULL);
  g_autofree char *fits = g_build_filename (dir, "sky.fits", NULL);
  g_autofree char *vot = g_build_filename (dir, "sky.vot", NULL);
  g_autofree char *reg = g_build_filename (dir, "sky.reg", NULL);
  static const double ra[N_ROWS] = { 30.5913380009, 150.1, NAN, 0.000001, 359.9999999 };
  static const double dec[N_ROWS] = { -6.2823738479, 2.2, NAN, -89.5, 45 };
  static const char * const extra_names[3] = { "tract", "patch", "RA" };
  static const gboolean extra_numeric[3] = { TRUE, FALSE, TRUE };
  static const char * const extra_texts[N_ROWS * 3] = {
    "9813", "5,7", "30.59", "9813", "1,1", "150.1", "", "", "", "8279", "0,0", "0", "8279", "2,2", "360",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  DassieObjectList list = { 0 };
  DassieExportFormat format;
  fitsfile *fptr = NULL;
  char unit[FLEN_VALUE] = "", ttype[FLEN_VALUE] = "";
  double values[N_ROWS];
  int status = 0, ncols = 0, anynul = 0;

  list.n_rows = N_ROWS;
  list.ids = int_ids;
  list.scores = scores;
  list.ra = ra;
  list.dec = dec;
  list.n_extra = 3;
  list.extra_names = extra_names;
  list.extra_numeric = extra_numeric;
  list.extra_texts = extra_texts;

  g_assert_true (dassie_export_csv (&list, csv, &error));
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "object_id,ra,dec,score,tract,patch");
  g_assert_cmpstr (lines[1], ==, "36411448540270969,30.5913380009,-6.2823738479,3.25,9813,\"5,7\"");
  g_assert_cmpstr (lines[3], ==, "-42,,,,,");
  g_clear_pointer (&text, g_free);

  g_assert_true (dassie_export_fits (&list, fits, &error));
  fits_open_table (&fptr, fits, READONLY, &status);
  fits_get_num_cols (fptr, &ncols, &status);
  g_assert_cmpint (ncols, ==, 6);
  fits_read_key (fptr, TSTRING, "TTYPE2", ttype, NULL, &status);
  fits_read_key (fptr, TSTRING, "TUNIT2", unit, NULL, &status);
  g_assert_cmpstr (ttype, ==, "RA");
  g_assert_cmpstr (unit, ==, "deg");
  fits_read_key (fptr, TSTRING, "TUNIT3", unit, NULL, &status);
  g_assert_cmpstr (unit, ==, "deg");
  fits_read_col (fptr, TDOUBLE, 2, 1, 1, N_ROWS, NULL, values, &anynul, &status);
  for (guint i = 0; i < N_ROWS; i++)
    g_assert_true (isnan (ra[i]) ? isnan (values[i]) : values[i] == ra[i]);
  fits_read_col (fptr, TDOUBLE, 5, 1, 1, N_ROWS, NULL, values, &anynul, &status);
  g_assert_cmpfloat (values[0], ==, 9813);
  g_assert_true (isnan (values[2]));
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);

  g_assert_true (dassie_export_votable (&list, vot, &error));
  g_assert_true (g_file_get_contents (vot, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<COOSYS ID=\"icrs\" system=\"ICRS\"/>"));
  g_assert_nonnull (strstr (text, "<FIELD name=\"ra\" datatype=\"double\" ucd=\"pos.eq.ra;meta.main\" unit=\"deg\" ref=\"icrs\""));
  g_assert_nonnull (strstr (text, "<FIELD name=\"dec\" datatype=\"double\" ucd=\"pos.eq.dec;meta.main\" unit=\"deg\" ref=\"icrs\""));
  g_assert_nonnull (strstr (text, "<FIELD name=\"tract\" datatype=\"double\""));
  g_assert_nonnull (strstr (text, "<FIELD name=\"patch\" datatype=\"unicodeChar\""));
  g_clear_pointer (&text, g_free);

  g_assert_true (dassie_export_format_from_path (reg, &format));
  g_assert_cmpint (format, ==, DASSIE_EXPORT_DS9_REGION);
  g_assert_true (dassie_export_write (&list, reg, format, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (reg, &text, NULL, NULL));
  g_strfreev (lines);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "# Region file format: DS9 version 4.1");
  g_assert_nonnull (strstr (lines[1], "4 objects (1 more have no position)"));
  g_assert_true (g_str_has_prefix (lines[2], "global "));
  g_assert_cmpstr (lines[3], ==, "fk5");
  g_assert_cmpstr (lines[4], ==, "circle(30.59133800,-6.28237385,2\") # text={36411448540270969 3.25}");
  g_assert_cmpstr (lines[5], ==, "circle(150.10000000,2.20000000,2\") # text={36411448540270970 0.1}");
  g_assert_cmpstr (lines[6], ==, "circle(0.00000100,-89.50000000,2\") # text={9223372036854775807 1e-07}");
  g_assert_cmpuint (g_strv_length (lines), ==, 9);

  /* No positions at all: refused, nothing written. */
  list.ra = list.dec = NULL;
  g_assert_false (dassie_export_ds9_region (&list, reg, 2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, reg));

  dassie_remove_tree (dir, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/export/integer-ids", test_integer_ids);
  g_test_add_func ("/core/export/positions", test_positions);
  g_test_add_func ("/core/export/text-ids", test_text_ids);
  g_test_add_func ("/core/export/utf8-declared", test_utf8_declared);
  g_test_add_func ("/core/export/optional-columns-and-errors", test_optional_columns_and_errors);

  return g_test_run ();
}
