/* dassie-export.c: object lists (ids, scores, ranks, UMAP positions, files) as CSV, FITS and VOTable
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fitsio.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dassie-export.h"
#include "dassie-fileutil.h"

static const char * const format_names[] = { "csv", "fits", "votable" };

const char *
dassie_export_format_to_string (DassieExportFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_names), NULL);
  return format_names[format];
}

gboolean
dassie_export_format_from_string (const char         *name,
                                  DassieExportFormat *format)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (name, format_names[i]) == 0)
      {
        if (format != NULL)
          *format = (DassieExportFormat) i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "vot") == 0)
    {
      if (format != NULL)
        *format = DASSIE_EXPORT_VOTABLE;
      return TRUE;
    }
  return FALSE;
}

gboolean
dassie_export_format_from_path (const char         *path,
                                DassieExportFormat *format)
{
  static const struct { const char *suffix; DassieExportFormat format; } suffixes[] = {
    { ".csv", DASSIE_EXPORT_CSV },
    { ".fits", DASSIE_EXPORT_FITS },
    { ".fit", DASSIE_EXPORT_FITS },
    { ".fts", DASSIE_EXPORT_FITS },
    { ".vot", DASSIE_EXPORT_VOTABLE },
    { ".votable", DASSIE_EXPORT_VOTABLE },
    { ".xml", DASSIE_EXPORT_VOTABLE },
  };
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (lower, suffixes[i].suffix))
      {
        if (format != NULL)
          *format = suffixes[i].format;
        return TRUE;
      }
  return FALSE;
}

char *
dassie_export_band_column (const char *band_name)
{
  GString *name = g_string_new ("path_");

  g_return_val_if_fail (band_name != NULL, NULL);

  for (const char *p = band_name; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (name, g_ascii_tolower (*p));
  return g_string_free (name, FALSE);
}

typedef struct
{
  const float *scores;
} RankData;

static int
compare_rank (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const RankData *data = user_data;
  float x = data->scores[*(const guint32 *) a];
  float y = data->scores[*(const guint32 *) b];

  if (isnan (x) || isnan (y))
    return isnan (x) - isnan (y);
  return (x < y) - (x > y);
}

void
dassie_export_rank (const float *scores,
                    gsize        n,
                    guint32     *ranks,
                    guint32     *order)
{
  g_autofree guint32 *own_order = NULL;
  RankData data = { scores };

  g_return_if_fail (scores != NULL || n == 0);
  g_return_if_fail (n <= G_MAXUINT32);

  if (order == NULL)
    order = own_order = g_new (guint32, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    order[i] = (guint32) i;
  /* GLib's sort is stable, so equal scores keep their row order. */
  g_qsort_with_data (order, (gint) n, sizeof (guint32), compare_rank, &data);
  if (ranks != NULL)
    for (gsize r = 0; r < n; r++)
      ranks[order[r]] = (guint32) (r + 1);
}

char **
dassie_export_read_id_list (const char  *path,
                            GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *comma;
      gsize len;

      if (*line == 0 || *line == '#')
        continue;
      comma = strchr (line, ',');
      if (comma != NULL)
        *comma = 0;
      line = g_strstrip (line);
      len = strlen (line);
      if (len >= 2 && line[0] == '"' && line[len - 1] == '"')
        {
          line[len - 1] = 0;
          line++;
        }
      if (*line == 0 || (ids->len == 0 && g_ascii_strcasecmp (line, "object_id") == 0))
        continue;
      g_ptr_array_add (ids, g_strdup (line));
    }

  if (ids->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” lists no object ids: write one id a line"), path);
      return NULL;
    }
  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/* Integers only when every id is exactly the decimal text of an int64, so "007" or "+5" stay text
 * and the file keeps each id as it was given. */
static gint64 *
ids_as_int64 (const DassieObjectList *list)
{
  g_autofree gint64 *values = g_new (gint64, MAX (list->n_rows, 1));

  if (list->n_rows == 0)
    return NULL;
  for (gsize i = 0; i < list->n_rows; i++)
    {
      char canonical[32];
      gint64 value;

      if (list->ids[i] == NULL ||
          !g_ascii_string_to_signed (list->ids[i], 10, G_MININT64, G_MAXINT64, &value, NULL))
        return NULL;
      values[i] = value;
      g_snprintf (canonical, sizeof canonical, "%" G_GINT64_FORMAT, values[i]);
      if (strcmp (canonical, list->ids[i]) != 0)
        return NULL;
    }
  return g_steal_pointer (&values);
}

static const char *
band_path (const DassieObjectList *list,
           gsize                   row,
           guint                   band)
{
  const char *path = list->band_paths[row * list->n_bands + band];

  return path != NULL ? path : "";
}

static gboolean
check_list (const DassieObjectList  *list,
            const char              *path,
            GError                 **error)
{
  for (gsize i = 0; i < list->n_rows; i++)
    if (list->ids[i] == NULL || list->ids[i][0] == 0)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("Object %zu has no id; nothing was written to “%s”"), i + 1, path);
        return FALSE;
      }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------
 * The columns a list has, shared by the three writers */

typedef enum
{
  COLUMN_ID,
  COLUMN_SCORE,
  COLUMN_RANK,
  COLUMN_UMAP_X,
  COLUMN_UMAP_Y,
  COLUMN_PATH,
  COLUMN_RELEVANCE,
  COLUMN_LABEL,
} ColumnKind;

typedef struct
{
  ColumnKind  kind;
  guint       band;          /* COLUMN_PATH */
  char       *name;          /* "object_id", "score", … "path_hscg" */
  const char *ucd;
  char       *description;
} Column;

static void
column_clear (gpointer data)
{
  Column *column = data;

  g_free (column->name);
  g_free (column->description);
}

static void
add_column (GArray     *columns,
            ColumnKind  kind,
            guint       band,
            char       *name,
            const char *ucd,
            char       *description)
{
  Column column = { kind, band, name, ucd, description };

  g_array_append_val (columns, column);
}

static GArray *
list_columns (const DassieObjectList *list)
{
  GArray *columns = g_array_new (FALSE, FALSE, sizeof (Column));

  g_array_set_clear_func (columns, column_clear);
  add_column (columns, COLUMN_ID, 0, g_strdup ("object_id"), "meta.id;meta.main", NULL);
  if (list->scores != NULL)
    add_column (columns, COLUMN_SCORE, 0, g_strdup ("score"), "stat.value",
                g_strdup (_("Median distance to the nearest neighbours (larger: more unusual)")));
  if (list->relevance != NULL)
    add_column (columns, COLUMN_RELEVANCE, 0, g_strdup ("relevance"), "stat.likelihood",
                g_strdup (_("How promising the object is after the labels (larger: look sooner)")));
  if (list->ranks != NULL)
    add_column (columns, COLUMN_RANK, 0, g_strdup ("rank"), "meta.number",
                g_strdup (_("1 is the most anomalous object")));
  if (list->umap_x != NULL)
    {
      add_column (columns, COLUMN_UMAP_X, 0, g_strdup ("umap_x"), NULL, g_strdup (_("First UMAP coordinate")));
      add_column (columns, COLUMN_UMAP_Y, 0, g_strdup ("umap_y"), NULL, g_strdup (_("Second UMAP coordinate")));
    }
  if (list->labels != NULL)
    add_column (columns, COLUMN_LABEL, 0, g_strdup ("label"), "meta.note",
                g_strdup (_("The astronomer's label: interesting, boring, artifact or empty")));
  for (guint b = 0; list->band_paths != NULL && list->band_names != NULL && b < list->n_bands; b++)
    add_column (columns, COLUMN_PATH, b, dassie_export_band_column (list->band_names[b]), "meta.ref.url",
                g_strdup_printf (_("Cutout file of band %s"), list->band_names[b]));
  return columns;
}

/* Nine significant digits bring a float32 back bit for bit. */
static const char *
format_float (char       *buf,
              gsize       size,
              float       value,
              const char *nan_text)
{
  if (isnan (value))
    return nan_text;
  if (isinf (value))
    return value > 0 ? "Infinity" : "-Infinity";
  return g_ascii_formatd (buf, size, "%.9g", value);
}

/* The text of one cell, in @buf or in the list itself. */
static const char *
cell_text (const DassieObjectList *list,
           const gint64           *int_ids,
           const Column           *column,
           gsize                   row,
           const char             *nan_text,
           char                   *buf,
           gsize                   size)
{
  switch (column->kind)
    {
    case COLUMN_ID:
      if (int_ids == NULL)
        return list->ids[row];
      g_snprintf (buf, size, "%" G_GINT64_FORMAT, int_ids[row]);
      return buf;
    case COLUMN_SCORE:
      return format_float (buf, size, list->scores[row], nan_text);
    case COLUMN_RANK:
      g_snprintf (buf, size, "%u", list->ranks[row]);
      return buf;
    case COLUMN_UMAP_X:
      return format_float (buf, size, list->umap_x[row], nan_text);
    case COLUMN_UMAP_Y:
      return format_float (buf, size, list->umap_y[row], nan_text);
    case COLUMN_PATH:
      return band_path (list, row, column->band);
    case COLUMN_RELEVANCE:
      return format_float (buf, size, list->relevance[row], nan_text);
    case COLUMN_LABEL:
      return list->labels[row] != NULL ? list->labels[row] : "";
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------------------------------------
 * Text files (CSV, VOTable) through stdio, then fsync and rename */

typedef struct
{
  FILE *file;
  char *temp;
  const char *path;
} TextOutput;

static gboolean
text_open (TextOutput  *out,
           const char  *path,
           GError     **error)
{
  out->path = path;
  out->temp = dassie_temp_path_for (path);
  out->file = g_fopen (out->temp, "wb");
  if (out->file == NULL)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), path, g_strerror (saved));
      g_clear_pointer (&out->temp, g_free);
      return FALSE;
    }
  return TRUE;
}

static gboolean
text_close (TextOutput  *out,
            GError     **error)
{
  gboolean ok = !ferror (out->file) && fflush (out->file) == 0 && fsync (fileno (out->file)) == 0;
  int saved = errno;

  ok = fclose (out->file) == 0 && ok;
  out->file = NULL;
  if (!ok)
    {
      g_unlink (out->temp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), out->path, g_strerror (saved));
      g_clear_pointer (&out->temp, g_free);
      return FALSE;
    }
  ok = dassie_rename_into_place (out->temp, out->path, error);
  g_clear_pointer (&out->temp, g_free);
  return ok;
}

/* RFC 4180: quote a field holding a comma, quote, line break or edge spaces; double the quotes. */
static void
csv_field (FILE       *file,
           const char *text)
{
  gsize len = strlen (text);

  if (strpbrk (text, ",\"\r\n") == NULL && (len == 0 || (text[0] != ' ' && text[len - 1] != ' ')))
    {
      fputs (text, file);
      return;
    }
  fputc ('"', file);
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        fputc ('"', file);
      fputc (*p, file);
    }
  fputc ('"', file);
}

typedef void (*TextBody) (FILE                   *file,
                          const DassieObjectList *list,
                          GArray                 *columns,
                          const gint64           *int_ids);

/* Each text format: checks @list, has @body write the table under a temporary name and renames it
 * when complete. @int_ids are the ids as integers (NULL when they are text). */
static gboolean
export_text (const DassieObjectList  *list,
             const char              *path,
             TextBody                 body,
             GError                 **error)
{
  g_autoptr(GArray) columns = NULL;
  g_autofree gint64 *int_ids = NULL;
  TextOutput out = { 0 };

  if (!check_list (list, path, error) || !text_open (&out, path, error))
    return FALSE;
  columns = list_columns (list);
  int_ids = ids_as_int64 (list);
  body (out.file, list, columns, int_ids);
  return text_close (&out, error);
}

static void
csv_body (FILE                   *file,
          const DassieObjectList *list,
          GArray                 *columns,
          const gint64           *int_ids)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint c = 0; c < columns->len; c++)
    {
      if (c > 0)
        fputc (',', file);
      csv_field (file, g_array_index (columns, Column, c).name);
    }
  fputc ('\n', file);

  for (gsize i = 0; i < list->n_rows; i++)
    {
      for (guint c = 0; c < columns->len; c++)
        {
          if (c > 0)
            fputc (',', file);
          csv_field (file, cell_text (list, int_ids, &g_array_index (columns, Column, c), i, "", buf, sizeof buf));
        }
      fputc ('\n', file);
    }
}

gboolean
dassie_export_csv (const DassieObjectList  *list,
                   const char              *path,
                   GError                 **error)
{
  g_return_val_if_fail (list != NULL, FALSE);
  g_return_val_if_fail (list->ids != NULL || list->n_rows == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return export_text (list, path, csv_body, error);
}

/* XML needs valid UTF-8: file names in another encoding are shown as GLib displays them. */
static void
xml_text (FILE       *file,
          const char *text)
{
  g_autofree char *utf8 = g_utf8_validate (text, -1, NULL) ? NULL : g_filename_display_name (text);
  g_autofree char *escaped = g_markup_escape_text (utf8 != NULL ? utf8 : text, -1);

  fputs (escaped, file);
}

static const char *
votable_datatype (ColumnKind kind,
                  gboolean   integer_ids)
{
  switch (kind)
    {
    /* Text ids and file names may be non-ASCII: "char" is ASCII only (astropy warns W55). */
    case COLUMN_ID:
      return integer_ids ? "long" : "unicodeChar";
    case COLUMN_RANK:
      return "int";
    case COLUMN_SCORE:
    case COLUMN_UMAP_X:
    case COLUMN_UMAP_Y:
    case COLUMN_RELEVANCE:
      return "float";
    case COLUMN_PATH:
    default:
      return "unicodeChar";
    }
}

static void
votable_body (FILE                   *file,
              const DassieObjectList *list,
              GArray                 *columns,
              const gint64           *int_ids)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  fputs ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<VOTABLE version=\"1.4\" xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\"\n"
         "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
         "         xsi:schemaLocation=\"http://www.ivoa.net/xml/VOTable/v1.3 http://www.ivoa.net/xml/VOTable/v1.4\">\n"
         "  <RESOURCE name=\"dassie\">\n"
         "    <INFO name=\"creator\" value=\"Dassie " PACKAGE_VERSION "\"/>\n", file);
  fprintf (file, "    <TABLE name=\"objects\" nrows=\"%zu\">\n", list->n_rows);
  fputs ("      <DESCRIPTION>", file);
  xml_text (file, _("Objects ranked by anomaly score"));
  fputs ("</DESCRIPTION>\n", file);

  for (guint c = 0; c < columns->len; c++)
    {
      const Column *column = &g_array_index (columns, Column, c);
      const char *datatype = votable_datatype (column->kind, int_ids != NULL);

      fputs ("      <FIELD name=\"", file);
      xml_text (file, column->name);
      fprintf (file, "\" datatype=\"%s\"%s", datatype, g_str_equal (datatype, "unicodeChar") ? " arraysize=\"*\"" : "");
      if (column->ucd != NULL)
        fprintf (file, " ucd=\"%s\"", column->ucd);
      if (column->description == NULL)
        fputs ("/>\n", file);
      else
        {
          fputs (">\n        <DESCRIPTION>", file);
          xml_text (file, column->description);
          fputs ("</DESCRIPTION>\n      </FIELD>\n", file);
        }
    }

  fputs ("      <DATA>\n        <TABLEDATA>\n", file);
  for (gsize i = 0; i < list->n_rows; i++)
    {
      fputs ("          <TR>", file);
      for (guint c = 0; c < columns->len; c++)
        {
          fputs ("<TD>", file);
          xml_text (file, cell_text (list, int_ids, &g_array_index (columns, Column, c), i, "NaN", buf, sizeof buf));
          fputs ("</TD>", file);
        }
      fputs ("</TR>\n", file);
    }
  fputs ("        </TABLEDATA>\n      </DATA>\n    </TABLE>\n  </RESOURCE>\n</VOTABLE>\n", file);
}

gboolean
dassie_export_votable (const DassieObjectList  *list,
                       const char              *path,
                       GError                 **error)
{
  g_return_val_if_fail (list != NULL, FALSE);
  g_return_val_if_fail (list->ids != NULL || list->n_rows == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return export_text (list, path, votable_body, error);
}

/* ------------------------------------------------------------------------------------------------
 * FITS binary table */

static char *
fits_form (const DassieObjectList *list,
           const Column           *column,
           gboolean                integer_ids)
{
  gsize width = 1;

  switch (column->kind)
    {
    case COLUMN_ID:
      if (integer_ids)
        return g_strdup ("1K");
      for (gsize i = 0; i < list->n_rows; i++)
        width = MAX (width, strlen (list->ids[i]));
      return g_strdup_printf ("%zuA", width);
    case COLUMN_RANK:
      return g_strdup ("1J");
    case COLUMN_SCORE:
    case COLUMN_UMAP_X:
    case COLUMN_UMAP_Y:
    case COLUMN_RELEVANCE:
      return g_strdup ("1E");
    case COLUMN_LABEL:
      for (gsize i = 0; i < list->n_rows; i++)
        width = MAX (width, strlen (list->labels[i] != NULL ? list->labels[i] : ""));
      return g_strdup_printf ("%zuA", width);
    case COLUMN_PATH:
    default:
      for (gsize i = 0; i < list->n_rows; i++)
        width = MAX (width, strlen (band_path (list, i, column->band)));
      return g_strdup_printf ("%zuA", width);
    }
}

static void
fits_write_column (fitsfile               *fptr,
                   const DassieObjectList *list,
                   const gint64           *int_ids,
                   const Column           *column,
                   int                     colnum,
                   int                    *status)
{
  LONGLONG rows = (LONGLONG) list->n_rows;

  switch (column->kind)
    {
    case COLUMN_ID:
      if (int_ids != NULL)
        fits_write_col (fptr, TLONGLONG, colnum, 1, 1, rows, (gint64 *) int_ids, status);
      else
        fits_write_col (fptr, TSTRING, colnum, 1, 1, rows, (char **) list->ids, status);
      break;
    case COLUMN_SCORE:
      fits_write_col (fptr, TFLOAT, colnum, 1, 1, rows, (float *) list->scores, status);
      break;
    case COLUMN_RANK:
      fits_write_col (fptr, TUINT, colnum, 1, 1, rows, (guint32 *) list->ranks, status);
      break;
    case COLUMN_UMAP_X:
      fits_write_col (fptr, TFLOAT, colnum, 1, 1, rows, (float *) list->umap_x, status);
      break;
    case COLUMN_UMAP_Y:
      fits_write_col (fptr, TFLOAT, colnum, 1, 1, rows, (float *) list->umap_y, status);
      break;
    case COLUMN_RELEVANCE:
      fits_write_col (fptr, TFLOAT, colnum, 1, 1, rows, (float *) list->relevance, status);
      break;
    case COLUMN_LABEL:
      {
        g_autofree const char **labels = g_new (const char *, list->n_rows);

        for (gsize i = 0; i < list->n_rows; i++)
          labels[i] = list->labels[i] != NULL ? list->labels[i] : "";
        fits_write_col (fptr, TSTRING, colnum, 1, 1, rows, (char **) labels, status);
      }
      break;
    case COLUMN_PATH:
    default:
      {
        g_autofree const char **paths = g_new (const char *, list->n_rows);

        for (gsize i = 0; i < list->n_rows; i++)
          paths[i] = band_path (list, i, column->band);
        fits_write_col (fptr, TSTRING, colnum, 1, 1, rows, (char **) paths, status);
      }
      break;
    }
}

gboolean
dassie_export_fits (const DassieObjectList  *list,
                    const char              *path,
                    GError                 **error)
{
  g_autoptr(GArray) columns = NULL;
  g_autofree gint64 *int_ids = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *create_name = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) forms = g_ptr_array_new_with_free_func (g_free);
  fitsfile *fptr = NULL;
  gboolean has_text = FALSE;
  int status = 0;

  g_return_val_if_fail (list != NULL, FALSE);
  g_return_val_if_fail (list->ids != NULL || list->n_rows == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!check_list (list, path, error))
    return FALSE;
  columns = list_columns (list);
  int_ids = ids_as_int64 (list);
  for (guint c = 0; c < columns->len; c++)
    {
      const Column *column = &g_array_index (columns, Column, c);

      g_ptr_array_add (names, g_ascii_strup (column->name, -1));
      g_ptr_array_add (forms, fits_form (list, column, int_ids != NULL));
    }

  temp = dassie_temp_path_for (path);
  create_name = g_strconcat ("!", temp, NULL);
  fits_create_file (&fptr, create_name, &status);
  fits_create_tbl (fptr, BINARY_TBL, (LONGLONG) list->n_rows, (int) names->len, (char **) names->pdata,
                   (char **) forms->pdata, NULL, "OBJECTS", &status);
  for (guint c = 0; c < columns->len && status == 0; c++)
    {
      const Column *column = &g_array_index (columns, Column, c);
      g_autofree char *key = g_strdup_printf ("TCOMM%u", c + 1);

      if (list->n_rows > 0)
        fits_write_column (fptr, list, int_ids, column, (int) c + 1, &status);
      if (column->description != NULL)
        fits_write_key_str (fptr, key, column->description, NULL, &status);
      /* FITS strings are ASCII by the standard; ours are the UTF-8 bytes of ids and file names. */
      if (g_str_has_suffix (g_ptr_array_index (forms, c), "A"))
        {
          g_autofree char *form_key = g_strdup_printf ("TFORM%u", c + 1);

          fits_modify_comment (fptr, form_key, "UTF-8 text", &status);
          has_text = TRUE;
        }
    }
  if (has_text)
    fits_write_comment (fptr, "Text columns (TFORMn nA) hold UTF-8 bytes.", &status);
  fits_write_key_str (fptr, "CREATOR", "Dassie " PACKAGE_VERSION, NULL, &status);
  if (fptr != NULL)
    fits_close_file (fptr, &status);
  fptr = NULL;

  if (status != 0)
    {
      dassie_fits_fail (status, path, _("write"), error);
      g_unlink (temp);
      return FALSE;
    }
  return dassie_rename_into_place (temp, path, error);
}

gboolean
dassie_export_write (const DassieObjectList  *list,
                     const char              *path,
                     DassieExportFormat       format,
                     GError                 **error)
{
  switch (format)
    {
    case DASSIE_EXPORT_CSV:
      return dassie_export_csv (list, path, error);
    case DASSIE_EXPORT_FITS:
      return dassie_export_fits (list, path, error);
    case DASSIE_EXPORT_VOTABLE:
      return dassie_export_votable (list, path, error);
    default:
      g_return_val_if_reached (FALSE);
    }
}
