/* dassie-dataset-sky.c: each object's position on the sky and the catalogue's other columns
 *
 * Positions come, in this order, from the ra/dec columns of manifest.fits or of a catalogue CSV beside
 * the images (Hyrax's names and the usual others, see dassie_sky_is_ra_column), else from the WCS of
 * the object's first band at the cutout centre (wcslib), else there are none. The catalogue's other
 * columns are kept per object for the catalog, the inspector and the exports.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "dassie-dataset-private.h"
#include "dassie-sky.h"
#include "dassie-table.h"

typedef struct
{
  char     *name;
  gboolean  numeric;
  double   *values;   /* per object; NaN where the catalogue has none */
  char    **texts;    /* per object, "" where the catalogue has none */
} Column;

struct _DassieDatasetSky
{
  DassieSkySource  source;
  guint            n_objects;
  double          *ra;
  double          *dec;
  GPtrArray       *columns;   /* Column* */
};

/* A catalogue read from a file: its column names and, per object id, that object's row of texts. */
typedef struct
{
  GPtrArray  *names;  /* char* */
  GHashTable *rows;   /* id -> GPtrArray of char*, one per name */
} Catalogue;

static void
column_free (Column *column)
{
  if (column->texts != NULL)
    for (guint i = 0; column->texts[i] != NULL; i++)
      g_free (column->texts[i]);
  g_free (column->texts);
  g_free (column->values);
  g_free (column->name);
  g_free (column);
}

void
_dassie_dataset_sky_free (DassieDatasetSky *sky)
{
  if (sky == NULL)
    return;
  g_free (sky->ra);
  g_free (sky->dec);
  g_ptr_array_unref (sky->columns);
  g_free (sky);
}

static void
catalogue_clear (Catalogue *catalogue)
{
  g_clear_pointer (&catalogue->names, g_ptr_array_unref);
  g_clear_pointer (&catalogue->rows, g_hash_table_unref);
}

static void
catalogue_init (Catalogue *catalogue)
{
  catalogue->names = g_ptr_array_new_with_free_func (g_free);
  catalogue->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}

/* The header's position (centre of the image) and pixel scale of one band's file, opened by
 * _dassie_dataset_probe_image at its image HDU. NaN when the header has no usable WCS. */
void
_dassie_dataset_probe_position (fitsfile *fptr,
                                guint     width,
                                guint     height,
                                double    position[3])
{
  g_autoptr(DassieSkyWcs) wcs = dassie_sky_wcs_new_from_fits (fptr, NULL);

  position[0] = position[1] = position[2] = NAN;
  if (wcs == NULL || !dassie_sky_wcs_image_centre (wcs, width, height, &position[0], &position[1]))
    return;
  position[2] = dassie_sky_wcs_pixel_scale (wcs, (width + 1) / 2.0, (height + 1) / 2.0);
}

/* A reason when the bands of one object point at places more than a pixel apart, else NULL. */
char *
_dassie_dataset_check_band_positions (const char        *id,
                                      const char * const *bands,
                                      const double       *positions,
                                      guint               n_bands)
{
  const double *first = positions;

  if (!isfinite (first[0]) || !(first[2] > 0))
    return NULL;
  for (guint b = 1; b < n_bands; b++)
    {
      const double *other = positions + 3 * b;
      double pixels;

      if (!isfinite (other[0]))
        continue;
      pixels = dassie_sky_separation (first[0], first[1], other[0], other[1]) * 3600.0 / first[2];
      if (pixels > 1.0)
        return g_strdup_printf (_("object %s: the centres of bands %s and %s are %.1f pixels apart on the sky; "
                                  "the cutouts may not show the same place"),
                                id, bands[0], bands[b], pixels);
    }
  return NULL;
}

static gboolean
is_structural_column (const char *name)
{
  return g_ascii_strcasecmp (name, "object_id") == 0 || g_ascii_strcasecmp (name, "# object_id") == 0 ||
         g_ascii_strcasecmp (name, "filter") == 0 || g_ascii_strcasecmp (name, "filename") == 0 ||
         name[0] == '\0';
}

/* The scalar columns of manifest.fits; one row per object (its first, as Hyrax lists a row per band). */
static gboolean
read_manifest_catalogue (const char *path,
                         Catalogue  *catalogue)
{
  fitsfile *fptr = NULL;
  int status = 0, n_cols = 0;
  LONGLONG n_rows = 0;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GArray) used = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  if (fits_open_table (&fptr, path, READONLY, &status) != 0)
    return FALSE;
  fits_get_num_rowsll (fptr, &n_rows, &status);
  fits_get_num_cols (fptr, &n_cols, &status);
  if (status != 0 || n_rows <= 0 || !_dassie_table_read_ids (fptr, path, (guint) n_rows, &ids, NULL))
    {
      fits_close_file (fptr, &status);
      return FALSE;
    }

  for (int c = 1; c <= n_cols && status == 0; c++)
    {
      char key[FLEN_KEYWORD], name[FLEN_VALUE] = "";
      int typecode = 0, display = 0;
      long repeat = 0, width = 0;
      char **texts;

      fits_make_keyn ("TTYPE", c, key, &status);
      fits_read_key (fptr, TSTRING, key, name, NULL, &status);
      fits_get_eqcoltype (fptr, c, &typecode, &repeat, &width, &status);
      if (status != 0 || is_structural_column (name) || (typecode != TSTRING && repeat != 1) ||
          typecode == TBIT || typecode < 0)
        {
          status = 0;
          continue;
        }
      fits_get_col_display_width (fptr, c, &display, &status);
      texts = g_new0 (char *, n_rows + 1);
      for (LONGLONG r = 0; r < n_rows; r++)
        texts[r] = g_malloc0 (MAX (display, (int) width) + 32);
      if (typecode == TSTRING)
        fits_read_col (fptr, TSTRING, c, 1, 1, n_rows, NULL, texts, NULL, &status);
      else
        {
          g_autofree double *numbers = g_new (double, n_rows);
          g_autofree char *nulls = g_new0 (char, n_rows);
          int any_null = 0;

          fits_read_colnull (fptr, TDOUBLE, c, 1, 1, n_rows, numbers, nulls, &any_null, &status);
          for (LONGLONG r = 0; r < n_rows && status == 0; r++)
            if (!nulls[r] && isfinite (numbers[r]))
              g_ascii_formatd (texts[r], MAX (display, (int) width) + 32, "%.17g", numbers[r]);
        }
      if (status != 0)
        {
          g_strfreev (texts);
          status = 0;
          continue;
        }
      g_ptr_array_add (catalogue->names, g_strdup (name));
      g_ptr_array_add (values, texts);
    }
  fits_close_file (fptr, &status);

  for (LONGLONG r = 0; r < n_rows; r++)
    {
      GPtrArray *row;

      if (ids[r][0] == '\0' || g_hash_table_contains (catalogue->rows, ids[r]))
        continue;
      row = g_ptr_array_new_with_free_func (g_free);
      for (guint c = 0; c < values->len; c++)
        g_ptr_array_add (row, g_strdup (g_strstrip (((char **) g_ptr_array_index (values, c))[r])));
      g_hash_table_insert (catalogue->rows, g_strdup (ids[r]), row);
    }
  return catalogue->names->len > 0;
}

/* A CSV catalogue: its header names and its rows by object id. Returns how many rows name one of
 * the data set's objects. */
static guint
read_csv_catalogue (const char *path,
                    GHashTable *wanted,
                    Catalogue  *catalogue)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) header = NULL;
  int id_col = -1;
  guint matches = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  lines = g_strsplit (contents, "\n", -1);
  if (lines[0] == NULL)
    return 0;
  header = _dassie_dataset_split_csv_line (lines[0]);
  for (guint c = 0; c < header->len; c++)
    {
      const char *h = g_strstrip ((char *) g_ptr_array_index (header, c));

      if (g_str_equal (h, "object_id") || g_str_equal (h, "# object_id"))
        id_col = c;
    }
  if (id_col < 0)
    return 0;

  for (guint c = 0; c < header->len; c++)
    g_ptr_array_add (catalogue->names, g_strdup (g_ptr_array_index (header, c)));
  for (guint l = 1; lines[l] != NULL; l++)
    {
      g_autoptr(GPtrArray) row = _dassie_dataset_split_csv_line (lines[l]);
      g_autofree char *id = NULL;

      if (row->len <= (guint) id_col)
        continue;
      id = g_strstrip (g_strdup (g_ptr_array_index (row, id_col)));
      if (!g_hash_table_contains (wanted, id) || g_hash_table_contains (catalogue->rows, id))
        continue;
      while (row->len < header->len)
        g_ptr_array_add (row, g_strdup (""));
      for (guint c = 0; c < row->len; c++)
        g_strstrip ((char *) g_ptr_array_index (row, c));
      g_hash_table_insert (catalogue->rows, g_steal_pointer (&id), g_steal_pointer (&row));
      matches++;
    }
  return matches;
}

/* Dassie's own files and Hyrax's label files, which are not catalogues of the data. */
static gboolean
is_own_file (const char *name)
{
  return g_str_equal (name, "labels.csv");
}

/* The CSV in @dir or its parent that names most of the data set's objects. */
static gboolean
find_csv_catalogue (const char *dir,
                    GHashTable *wanted,
                    Catalogue  *best)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  const char *places[] = { dir, parent };
  guint best_matches = 0;

  for (guint p = 0; p < G_N_ELEMENTS (places); p++)
    {
      g_autoptr(GDir) d = g_dir_open (places[p], 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = NULL;
          Catalogue candidate;
          guint matches;

          if (!g_str_has_suffix (name, ".csv") || is_own_file (name))
            continue;
          path = g_build_filename (places[p], name, NULL);
          catalogue_init (&candidate);
          matches = read_csv_catalogue (path, wanted, &candidate);
          if (matches > best_matches)
            {
              catalogue_clear (best);
              *best = candidate;
              best_matches = matches;
            }
          else
            catalogue_clear (&candidate);
        }
    }
  return best_matches > 0;
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

/* Turns the catalogue into columns aligned with the objects; a column is numeric when every value it
 * has parses as a number. */
static void
attach_columns (DassieDatasetSky   *sky,
                const Catalogue    *catalogue,
                const char * const *ids)
{
  for (guint c = 0; c < catalogue->names->len; c++)
    {
      const char *name = g_ptr_array_index (catalogue->names, c);
      Column *column;
      gboolean any = FALSE;

      if (is_structural_column (name))
        continue;
      column = g_new0 (Column, 1);
      column->name = g_strdup (name);
      column->numeric = TRUE;
      column->values = g_new (double, sky->n_objects);
      column->texts = g_new0 (char *, sky->n_objects + 1);
      for (guint i = 0; i < sky->n_objects; i++)
        {
          GPtrArray *row = g_hash_table_lookup (catalogue->rows, ids[i]);
          const char *text = row != NULL && c < row->len ? g_ptr_array_index (row, c) : "";

          column->texts[i] = g_strdup (text);
          column->values[i] = NAN;
          if (*text == '\0')
            continue;
          any = TRUE;
          if (!parse_number (text, &column->values[i]))
            column->numeric = FALSE;
        }
      if (!column->numeric)
        for (guint i = 0; i < sky->n_objects; i++)
          column->values[i] = NAN;
      if (any)
        g_ptr_array_add (sky->columns, column);
      else
        column_free (column);
    }
}

/* The positions and catalogue columns of the objects @ids; @wcs_ra and @wcs_dec are each object's
 * first-band WCS centre (NaN when it has none). */
DassieDatasetSky *
_dassie_dataset_sky_new (const char         *dir,
                         const char * const *ids,
                         const double       *wcs_ra,
                         const double       *wcs_dec,
                         guint               n_objects)
{
  g_autofree char *manifest = g_build_filename (dir, "manifest.fits", NULL);
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  DassieDatasetSky *sky = g_new0 (DassieDatasetSky, 1);
  Catalogue catalogue;
  gboolean have_catalogue;
  int ra_col = -1, dec_col = -1;
  guint n_wcs = 0;

  sky->n_objects = n_objects;
  sky->ra = g_new (double, MAX (n_objects, 1));
  sky->dec = g_new (double, MAX (n_objects, 1));
  sky->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  for (guint i = 0; i < n_objects; i++)
    g_hash_table_add (wanted, (gpointer) ids[i]);

  catalogue_init (&catalogue);
  have_catalogue = g_file_test (manifest, G_FILE_TEST_IS_REGULAR) && read_manifest_catalogue (manifest, &catalogue);
  if (!have_catalogue)
    {
      catalogue_clear (&catalogue);
      catalogue_init (&catalogue);
      have_catalogue = find_csv_catalogue (dir, wanted, &catalogue);
    }
  if (have_catalogue)
    attach_columns (sky, &catalogue, ids);
  catalogue_clear (&catalogue);

  for (guint c = 0; c < sky->columns->len; c++)
    {
      Column *column = g_ptr_array_index (sky->columns, c);

      if (!column->numeric)
        continue;
      if (ra_col < 0 && dassie_sky_is_ra_column (column->name))
        ra_col = c;
      else if (dec_col < 0 && dassie_sky_is_dec_column (column->name))
        dec_col = c;
    }

  for (guint i = 0; i < n_objects; i++)
    {
      sky->ra[i] = wcs_ra[i];
      sky->dec[i] = wcs_dec[i];
      n_wcs += isfinite (wcs_ra[i]) && isfinite (wcs_dec[i]);
    }
  if (ra_col >= 0 && dec_col >= 0)
    {
      Column *ra = g_ptr_array_index (sky->columns, ra_col);
      Column *dec = g_ptr_array_index (sky->columns, dec_col);

      /* The catalogue's own values, exactly; an object it lacks keeps its header's position. */
      sky->source = DASSIE_SKY_SOURCE_CATALOGUE;
      for (guint i = 0; i < n_objects; i++)
        if (isfinite (ra->values[i]) && isfinite (dec->values[i]))
          {
            sky->ra[i] = ra->values[i];
            sky->dec[i] = dec->values[i];
          }
    }
  else
    sky->source = n_wcs > 0 ? DASSIE_SKY_SOURCE_WCS : DASSIE_SKY_SOURCE_NONE;
  return sky;
}

DassieSkySource
dassie_dataset_get_sky_source (DassieDataset *self)
{
  return _dassie_dataset_get_sky (self)->source;
}

gboolean
dassie_dataset_get_position (DassieDataset *self,
                             guint          index,
                             double        *ra,
                             double        *dec)
{
  DassieDatasetSky *sky = _dassie_dataset_get_sky (self);

  g_return_val_if_fail (index < sky->n_objects, FALSE);

  *ra = sky->ra[index];
  *dec = sky->dec[index];
  return isfinite (*ra) && isfinite (*dec);
}

static Column *
get_column (DassieDataset *self,
            guint          column)
{
  DassieDatasetSky *sky = _dassie_dataset_get_sky (self);

  g_return_val_if_fail (column < sky->columns->len, NULL);
  return g_ptr_array_index (sky->columns, column);
}

guint
dassie_dataset_get_n_columns (DassieDataset *self)
{
  return _dassie_dataset_get_sky (self)->columns->len;
}

const char *
dassie_dataset_get_column_name (DassieDataset *self,
                                guint          column)
{
  Column *c = get_column (self, column);

  return c != NULL ? c->name : NULL;
}

gboolean
dassie_dataset_column_is_numeric (DassieDataset *self,
                                  guint          column)
{
  Column *c = get_column (self, column);

  return c != NULL && c->numeric;
}

int
dassie_dataset_find_column (DassieDataset *self,
                            const char    *name)
{
  DassieDatasetSky *sky = _dassie_dataset_get_sky (self);

  for (guint c = 0; c < sky->columns->len; c++)
    if (g_ascii_strcasecmp (((Column *) g_ptr_array_index (sky->columns, c))->name, name) == 0)
      return c;
  return -1;
}

double
dassie_dataset_get_column_value (DassieDataset *self,
                                 guint          index,
                                 guint          column)
{
  Column *c = get_column (self, column);

  g_return_val_if_fail (c != NULL && index < _dassie_dataset_get_sky (self)->n_objects, NAN);
  return c->values[index];
}

const char *
dassie_dataset_get_column_text (DassieDataset *self,
                                guint          index,
                                guint          column)
{
  Column *c = get_column (self, column);

  g_return_val_if_fail (c != NULL && index < _dassie_dataset_get_sky (self)->n_objects, NULL);
  return c->texts[index];
}

DassieSkyWcs *
dassie_dataset_read_wcs (DassieDataset *self,
                         guint          index,
                         double         centre[2],
                         GError       **error)
{
  const char *path = dassie_dataset_get_file (self, index, 0);
  fitsfile *fptr = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) local_error = NULL;
  DassieSkyWcs *wcs;
  guint width, height;
  int status = 0;

  g_return_val_if_fail (path != NULL, NULL);

  reason = _dassie_dataset_probe_image (path, &fptr, &width, &height);
  if (reason != NULL)
    {
      g_set_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_BAD_FILE, "%s: %s", path, reason);
      return NULL;
    }
  wcs = dassie_sky_wcs_new_from_fits (fptr, &local_error);
  fits_close_file (fptr, &status);
  centre[0] = (width + 1) / 2.0;
  centre[1] = (height + 1) / 2.0;
  if (wcs == NULL)
    g_set_error (error, local_error->domain, local_error->code, "%s: %s", path, local_error->message);
  return wcs;
}
