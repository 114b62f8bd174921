/* dassie-dataset.c: HSC cutout data sets (Hyrax's HSCDataSet) and plain folders of FITS images
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fitsio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>

#include "dassie-dataset.h"
#include "dassie-parallel.h"
#include "dassie-table.h"

/* Above this many bytes of pixels the data set is read from disk on demand instead of kept. */
#define CACHE_LIMIT_BYTES (G_GINT64_CONSTANT (3) << 30)
/* A cutout larger than this (16384 × 16384, 1 GB as float32) is a damaged header, not an image to read. */
#define MAX_IMAGE_PIXELS (G_GINT64_CONSTANT (1) << 28)
#define MAX_IMAGE_SIDE 16384
/* Objects whose side is at least this fraction of the most common side are kept and set the crop; HSC's
 * cutout service makes cutouts of one request a pixel or two apart. Smaller ones are skipped. */
#define CROP_TOLERANCE 0.9

typedef struct
{
  char   *id;
  char  **files;      /* one per band, in band order */
  float  *nan_fill;   /* per band: the value that replaces NaN under DASSIE_NAN_QUANTILE */
  guint   width;      /* the smallest of its bands */
  guint   height;
  guint   smallest_band;
} DatasetObject;

struct _DassieDataset
{
  gatomicrefcount       ref_count;
  char                 *dir;
  DassieDatasetOptions  options;
  GPtrArray            *bands;      /* char*: "G", "I", "R", or "" for a plain folder */
  GPtrArray            *objects;    /* DatasetObject* */
  GPtrArray            *skipped;    /* DassieSkippedFile* */
  GHashTable           *id_index;   /* id -> index + 1 */
  guint                 width;
  guint                 height;
  gboolean              ids_are_integers;
  float                *cache;      /* n × bands × height × width, raw (NaN kept), or NULL */
};

G_DEFINE_QUARK (dassie-dataset-error-quark, dassie_dataset_error)

static void
dataset_object_free (DatasetObject *obj)
{
  if (obj == NULL)
    return;
  g_free (obj->id);
  g_strfreev (obj->files);
  g_free (obj->nan_fill);
  g_free (obj);
}

static void
skipped_file_free (DassieSkippedFile *skipped)
{
  g_free (skipped->path);
  g_free (skipped->reason);
  g_free (skipped);
}

static void
add_skipped (GPtrArray  *skipped,
             const char *path,
             const char *reason)
{
  DassieSkippedFile *s = g_new0 (DassieSkippedFile, 1);

  s->path = g_strdup (path);
  s->reason = g_strdup (reason);
  g_ptr_array_add (skipped, s);
}

void
dassie_dataset_options_init (DassieDatasetOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->transform = DASSIE_TRANSFORM_TANH;
  options->nan_mode = DASSIE_NAN_QUANTILE;
}

void
dassie_dataset_options_clear (DassieDatasetOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->filters, g_strfreev);
}

/* "HSC-G" and "g" both name band G. */
static char *
normalize_band (const char *name)
{
  if (g_ascii_strncasecmp (name, "HSC-", 4) == 0)
    name += 4;
  return g_ascii_strup (name, -1);
}

gboolean
dassie_dataset_options_from_config (DassieDatasetOptions  *options,
                                    const DassieConfig    *config,
                                    GError               **error)
{
  JsonNode *crop;
  JsonNode *filters;
  const char *transform;
  const char *nan_mode;

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  dassie_dataset_options_init (options);

  crop = dassie_config_get_node (config, "data_set.crop_to");
  if (crop != NULL && JSON_NODE_HOLDS_ARRAY (crop))
    {
      JsonArray *arr = json_node_get_array (crop);
      options->crop_width = json_array_get_int_element (arr, 0);
      options->crop_height = json_array_get_int_element (arr, 1);
    }
  else if (crop != NULL && JSON_NODE_HOLDS_VALUE (crop) && json_node_get_value_type (crop) == G_TYPE_INT64)
    options->crop_width = options->crop_height = json_node_get_int (crop);

  transform = dassie_config_get_string (config, "data_set.transform");
  if (g_str_equal (transform, "tanh"))
    options->transform = DASSIE_TRANSFORM_TANH;
  else if (g_str_equal (transform, "arcsinh") || g_str_equal (transform, "asinh"))
    options->transform = DASSIE_TRANSFORM_ARCSINH;
  else if (g_str_equal (transform, "none") || g_str_equal (transform, "identity") || *transform == 0)
    options->transform = DASSIE_TRANSFORM_NONE;
  else
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Configuration key “data_set.transform” is “%s”; use tanh, arcsinh or none"), transform);
      return FALSE;
    }

  nan_mode = dassie_config_get_string (config, "data_set.nan_mode");
  if (g_str_equal (nan_mode, "quantile"))
    options->nan_mode = DASSIE_NAN_QUANTILE;
  else if (g_str_equal (nan_mode, "zero"))
    options->nan_mode = DASSIE_NAN_ZERO;
  else if (g_str_equal (nan_mode, "keep") || g_str_equal (nan_mode, "none") || g_str_equal (nan_mode, "false"))
    options->nan_mode = DASSIE_NAN_KEEP;
  else
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Configuration key “data_set.nan_mode” is “%s”; use quantile, zero or keep"), nan_mode);
      return FALSE;
    }

  filters = dassie_config_get_node (config, "data_set.filters");
  if (filters != NULL && JSON_NODE_HOLDS_ARRAY (filters) && json_array_get_length (json_node_get_array (filters)) > 0)
    {
      JsonArray *arr = json_node_get_array (filters);
      GPtrArray *list = g_ptr_array_new ();

      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          const char *f = json_array_get_string_element (arr, i);
          if (f == NULL)
            {
              g_ptr_array_free (list, TRUE);
              g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
                           _("Configuration key “data_set.filters” must be a list of band names"));
              return FALSE;
            }
          g_ptr_array_add (list, normalize_band (f));
        }
      g_ptr_array_add (list, NULL);
      options->filters = (char **) g_ptr_array_free (list, FALSE);
    }

  options->n_threads = (guint) MAX (0, dassie_config_get_int (config, "general.threads"));
  return TRUE;
}

float
dassie_transform_apply (DassieTransform transform,
                        float           value)
{
  switch (transform)
    {
    case DASSIE_TRANSFORM_TANH:
      return tanhf (value);
    case DASSIE_TRANSFORM_ARCSINH:
      return asinhf (value);
    case DASSIE_TRANSFORM_NONE:
    default:
      return value;
    }
}

float
dassie_transform_invert (DassieTransform transform,
                         float           value)
{
  switch (transform)
    {
    case DASSIE_TRANSFORM_TANH:
      /* tanh never reaches ±1, but a model's output may. */
      return atanhf (CLAMP (value, -0.999999f, 0.999999f));
    case DASSIE_TRANSFORM_ARCSINH:
      return sinhf (value);
    case DASSIE_TRANSFORM_NONE:
    default:
      return value;
    }
}

/* ---- file checks ---------------------------------------------------------------------------- */

/* The whole-file compression of @path from its first bytes ("gzip", ...), or NULL for none; @readable
 * says whether cfitsio decompresses it (it does gzip, bzip2, zip and compress, not xz or zstd).
 * Tile-compressed .fz files are plain FITS and return NULL. */
static const char *
file_compression (const char *path,
                  gboolean   *readable)
{
  static const struct { const char *magic; gsize length; const char *name; gboolean readable; } kinds[] = {
    { "\x1f\x8b", 2, "gzip", TRUE },
    { "BZh", 3, "bzip2", TRUE },
    { "PK\x03\x04", 4, "zip", TRUE },
    { "\x1f\x9d", 2, "compress", TRUE },
    { "\xfd" "7zXZ", 5, "xz", FALSE },
    { "\x28\xb5\x2f\xfd", 4, "zstd", FALSE },
  };
  guchar head[8] = { 0 };
  gssize n = 0;
  FILE *file = g_fopen (path, "rb");

  if (file != NULL)
    {
      n = (gssize) fread (head, 1, sizeof head, file);
      fclose (file);
    }
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    if ((gsize) n >= kinds[k].length && memcmp (head, kinds[k].magic, kinds[k].length) == 0)
      {
        *readable = kinds[k].readable;
        return kinds[k].name;
      }
  *readable = TRUE;
  return NULL;
}

static char *
unreadable_compression_reason (const char *compression)
{
  return g_strdup_printf (_("compressed with %s, which cfitsio cannot read; decompress it first, or "
                            "compress it with gzip or fpack instead"), compression);
}

/* Moves to the first HDU with a 2-D image (HSC cutouts have an empty primary HDU) and returns its size.
 * Compressed files (.fits.gz, tile-compressed .fits.fz) are read through cfitsio as they are.
 * On failure returns a reason a person can act on. */
static char *
probe_image (const char *path,
             fitsfile  **fptr_out,
             guint      *width,
             guint      *height)
{
  fitsfile *fptr = NULL;
  int status = 0;
  int n_hdus = 0;
  struct stat st;
  const char *compression;
  gboolean readable = TRUE;

  if (g_stat (path, &st) != 0)
    return g_strdup_printf (_("cannot be read: %s"), g_strerror (errno));
  if (st.st_size == 0)
    return g_strdup (_("the file is empty"));
  compression = file_compression (path, &readable);
  if (!readable)
    return unreadable_compression_reason (compression);
  if (compression == NULL && st.st_size < 2880)
    return g_strdup (_("too short to be a FITS file (a FITS file is at least 2880 bytes)"));

  if (fits_open_diskfile (&fptr, path, READONLY, &status) != 0)
    {
      char text[FLEN_STATUS] = "";

      fits_get_errstatus (status, text);
      if (compression != NULL)
        return g_strdup_printf (_("compressed with %s but could not be decompressed (%s); it may be "
                                  "incomplete: download or copy it again"), compression, text);
      if (status == FILE_NOT_OPENED)
        return g_strdup (_("cannot be opened"));
      return g_strdup_printf (_("not a readable FITS file (%s)"), text);
    }

  fits_get_num_hdus (fptr, &n_hdus, &status);
  for (int hdu = 1; status == 0 && hdu <= n_hdus; hdu++)
    {
      int hdutype = 0;
      int naxis = 0;
      long naxes[3] = { 0, 0, 0 };

      fits_movabs_hdu (fptr, hdu, &hdutype, &status);
      if (status != 0 || hdutype != IMAGE_HDU)
        continue;
      fits_get_img_dim (fptr, &naxis, &status);
      if (status != 0 || naxis < 2 || naxis > 3)
        continue;
      fits_get_img_size (fptr, naxis, naxes, &status);
      if (status != 0 || naxes[0] < 1 || naxes[1] < 1 || (naxis == 3 && naxes[2] != 1))
        continue;

      if (naxes[0] > MAX_IMAGE_SIDE || naxes[1] > MAX_IMAGE_SIDE ||
          (gint64) naxes[0] * naxes[1] > MAX_IMAGE_PIXELS)
        {
          int ignored = 0;

          fits_close_file (fptr, &ignored);
          return g_strdup_printf (_("its header claims a %ld×%ld image, larger than any cutout (at most "
                                    "%d×%d pixels are read); the header is damaged or this is not a cutout"),
                                  naxes[0], naxes[1], MAX_IMAGE_SIDE, MAX_IMAGE_SIDE);
        }

      /* cfitsio's size of the file is the decompressed size for .gz, so truncation shows the same way. */
      {
        LONGLONG headstart = 0, datastart = 0, dataend = 0;
        LONGLONG size = fptr->Fptr->logfilesize;

        fits_get_hduaddrll (fptr, &headstart, &datastart, &dataend, &status);
        if (status == 0 && dataend > size)
          {
            fits_close_file (fptr, &status);
            if (compression != NULL)
              return g_strdup_printf (_("truncated: compressed with %s, it holds %lld of the %lld bytes its "
                                        "header describes; download or copy it again"),
                                      compression, (long long) size, (long long) dataend);
            return g_strdup_printf (_("truncated: %lld of %lld bytes present; download or copy it again"),
                                    (long long) size, (long long) dataend);
          }
      }

      *width = naxes[0];
      *height = naxes[1];
      if (fptr_out != NULL)
        *fptr_out = fptr;
      else
        fits_close_file (fptr, &status);
      return NULL;
    }

  {
    int ignored = 0;
    char text[FLEN_STATUS] = "";

    if (status != 0)
      {
        fits_get_errstatus (status, text);
        fits_close_file (fptr, &ignored);
        return g_strdup_printf (_("damaged FITS file (%s)"), text);
      }
    fits_close_file (fptr, &ignored);
  }
  if (compression != NULL)
    return g_strdup_printf (_("compressed with %s and holds no 2-D image once decompressed; if it was cut "
                              "short, download or copy it again"), compression);
  return g_strdup (_("holds no 2-D image"));
}

/* Reads the centre crop (FITS order, row 0 first) of the image in @path into @out. */
static char *
read_image (const char *path,
            guint       crop_width,
            guint       crop_height,
            float      *out)
{
  fitsfile *fptr = NULL;
  guint w = 0, h = 0;
  char *reason;
  long fpixel[3], lpixel[3], inc[3] = { 1, 1, 1 };
  float nan = NAN;
  int anynul = 0;
  int status = 0;

  reason = probe_image (path, &fptr, &w, &h);
  if (reason != NULL)
    return reason;

  if (w < crop_width || h < crop_height)
    {
      fits_close_file (fptr, &status);
      return g_strdup_printf (_("%u×%u pixels, smaller than the %u×%u crop"), w, h, crop_width, crop_height);
    }

  /* torchvision's CenterCrop: top = round((H - h) / 2), rounding half to even. */
  fpixel[0] = (long) nearbyint ((w - crop_width) / 2.0) + 1;
  fpixel[1] = (long) nearbyint ((h - crop_height) / 2.0) + 1;
  fpixel[2] = 1;
  lpixel[0] = fpixel[0] + crop_width - 1;
  lpixel[1] = fpixel[1] + crop_height - 1;
  lpixel[2] = 1;

  fits_read_subset (fptr, TFLOAT, fpixel, lpixel, inc, &nan, out, &anynul, &status);
  if (status != 0)
    {
      char text[FLEN_STATUS] = "";
      int ignored = 0;

      fits_get_errstatus (status, text);
      fits_close_file (fptr, &ignored);
      return g_strdup_printf (_("could not read its pixels (%s); the file may be damaged"), text);
    }
  fits_close_file (fptr, &status);
  return NULL;
}

/* numpy.nanquantile(x, q) with linear interpolation, over the finite values; NAN if there are none. */
static float
finite_quantile (const float *values,
                 gsize        n,
                 double       q)
{
  g_autofree float *finite = g_new (float, MAX (n, 1));
  gsize m = 0;
  double pos;
  gsize lo;
  float a, b;

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      finite[m++] = values[i];
  if (m == 0)
    return NAN;

  pos = q * (m - 1);
  lo = (gsize) floor (pos);

  /* Partial selection: sorting would be fine too, but images are large and this runs per image. */
  {
    gsize left = 0, right = m - 1;

    while (left < right)
      {
        float pivot = finite[(left + right) / 2];
        gsize i = left, j = right;

        while (i <= j)
          {
            while (finite[i] < pivot) i++;
            while (finite[j] > pivot) j--;
            if (i <= j)
              {
                float t = finite[i]; finite[i] = finite[j]; finite[j] = t;
                i++;
                if (j == 0)
                  break;
                j--;
              }
          }
        if (lo <= j)
          right = j;
        else if (lo >= i)
          left = i;
        else
          break;
      }
  }
  a = finite[lo];
  if (lo + 1 >= m)
    return a;
  b = finite[lo + 1];
  for (gsize i = lo + 1; i < m; i++)
    b = MIN (b, finite[i]);
  return a + (float) (pos - lo) * (b - a);
}

/* ---- discovery ------------------------------------------------------------------------------ */

typedef struct
{
  char       *id;
  GHashTable *band_files;  /* band -> path */
} Candidate;

static void
candidate_free (Candidate *c)
{
  g_free (c->id);
  g_hash_table_unref (c->band_files);
  g_free (c);
}

static Candidate *
get_candidate (GHashTable *candidates,
               GPtrArray  *order,
               const char *id)
{
  Candidate *c = g_hash_table_lookup (candidates, id);

  if (c == NULL)
    {
      c = g_new0 (Candidate, 1);
      c->id = g_strdup (id);
      c->band_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (candidates, c->id, c);
      g_ptr_array_add (order, c);
    }
  return c;
}

/* FITS names, with the whole-file compressions cfitsio reads (.fz is tile compression inside FITS). */
static gboolean
is_fits_name (const char *name)
{
  static const char *const suffixes[] = {
    ".fits", ".fit", ".fts", ".FITS", ".fits.gz", ".fit.gz", ".fits.fz", ".fits.bz2", ".fits.Z", ".fits.zip",
  };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (name, suffixes[i]))
      return TRUE;
  return FALSE;
}

/* FITS files compressed in a way cfitsio cannot read: skipped with a reason, never silently ignored. */
static const char *
unreadable_compression_of_name (const char *name)
{
  static const struct { const char *suffix; const char *name; } kinds[] = {
    { ".fits.xz", "xz" }, { ".fits.zst", "zstd" }, { ".fits.lz4", "lz4" }, { ".fits.7z", "7-Zip" },
    { ".fits.rar", "RAR" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_has_suffix (name, kinds[i].suffix))
      return kinds[i].name;
  return NULL;
}

/* Reads manifest.fits (object_id, filter, filename) as Hyrax writes it. Returns FALSE if unusable. */
static gboolean
read_manifest (const char *dir,
               const char *manifest,
               GHashTable *candidates,
               GPtrArray  *order,
               GPtrArray  *skipped)
{
  fitsfile *fptr = NULL;
  int status = 0;
  LONGLONG nrows = 0;
  int col_filter = 0, col_file = 0;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;
  char **filters = NULL, **files = NULL;
  int typecode = 0;
  long repeat = 0, width = 0;
  gboolean ok = FALSE;

  if (fits_open_table (&fptr, manifest, READONLY, &status) != 0)
    goto out;
  fits_get_num_rowsll (fptr, &nrows, &status);
  fits_get_colnum (fptr, CASEINSEN, (char *) "filter", &col_filter, &status);
  fits_get_colnum (fptr, CASEINSEN, (char *) "filename", &col_file, &status);
  if (status != 0 || nrows <= 0)
    goto out;
  if (!_dassie_table_read_ids (fptr, manifest, (guint) nrows, &ids, &error))
    goto out;

  fits_get_eqcoltype (fptr, col_file, &typecode, &repeat, &width, &status);
  files = g_new0 (char *, nrows);
  filters = g_new0 (char *, nrows);
  for (LONGLONG i = 0; i < nrows; i++)
    {
      files[i] = g_malloc0 (repeat + 1);
      filters[i] = g_malloc0 (repeat + 64);
    }
  fits_read_col (fptr, TSTRING, col_file, 1, 1, nrows, NULL, files, NULL, &status);
  fits_read_col (fptr, TSTRING, col_filter, 1, 1, nrows, NULL, filters, NULL, &status);
  if (status != 0)
    goto out;

  for (LONGLONG i = 0; i < nrows; i++)
    {
      g_autofree char *band = normalize_band (g_strstrip (filters[i]));
      const char *file = g_strstrip (files[i]);
      g_autofree char *path = NULL;
      Candidate *c;

      if (*file == 0 || *ids[i] == 0)
        continue;
      path = g_path_is_absolute (file) ? g_strdup (file) : g_build_filename (dir, file, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          add_skipped (skipped, path, _("listed in manifest.fits but missing from the folder"));
          continue;
        }
      c = get_candidate (candidates, order, ids[i]);
      g_hash_table_replace (c->band_files, g_steal_pointer (&band), g_steal_pointer (&path));
    }
  ok = TRUE;

out:
  if (fptr != NULL)
    {
      int ignored = 0;
      fits_close_file (fptr, &ignored);
    }
  for (LONGLONG i = 0; files != NULL && i < nrows; i++)
    g_free (files[i]);
  for (LONGLONG i = 0; filters != NULL && i < nrows; i++)
    g_free (filters[i]);
  g_free (files);
  g_free (filters);
  if (!ok)
    add_skipped (skipped, manifest, _("manifest.fits is unreadable or lacks object_id, filter and filename "
                                      "columns; the folder was scanned instead"));
  return ok;
}

/* Splits one CSV line into fields, honouring double quotes. */
static GPtrArray *
split_csv_line (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; *p && *p != '\n' && *p != '\r'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, '"'), p++;
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
        }
      else
        g_string_append_c (field, *p);
    }
  g_ptr_array_add (fields, g_string_free (field, FALSE));
  return fields;
}

/* A catalogue beside the images (a CSV with object_id and a column naming the image files) gives
 * plain FITS files their real ids, as for the HSC cutout service's downloads. */
static GHashTable *
find_catalogue_ids (const char *dir,
                    GHashTable *basenames)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  const char *places[] = { dir, parent };
  GHashTable *best = NULL;
  guint best_matches = 0;

  for (guint p = 0; p < G_N_ELEMENTS (places); p++)
    {
      g_autoptr(GDir) d = g_dir_open (places[p], 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;
          g_auto(GStrv) lines = NULL;
          g_autoptr(GPtrArray) header = NULL;
          int id_col = -1;

          if (!g_str_has_suffix (name, ".csv"))
            continue;
          path = g_build_filename (places[p], name, NULL);
          if (!g_file_get_contents (path, &contents, NULL, NULL))
            continue;
          lines = g_strsplit (contents, "\n", -1);
          if (lines[0] == NULL)
            continue;
          header = split_csv_line (lines[0]);
          for (guint c = 0; c < header->len; c++)
            {
              const char *h = g_strstrip ((char *) g_ptr_array_index (header, c));
              if (g_str_equal (h, "object_id") || g_str_equal (h, "# object_id"))
                id_col = c;
            }
          if (id_col < 0)
            continue;

          for (guint c = 0; c < header->len; c++)
            {
              GHashTable *map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
              guint matches = 0;

              for (guint l = 1; lines[l] != NULL; l++)
                {
                  g_autoptr(GPtrArray) row = split_csv_line (lines[l]);
                  g_autofree char *base = NULL;

                  if ((int) c == id_col || row->len <= c || row->len <= (guint) id_col)
                    continue;
                  base = g_path_get_basename (g_ptr_array_index (row, c));
                  if (g_hash_table_contains (basenames, base) && !g_hash_table_contains (map, base))
                    {
                      g_hash_table_insert (map, g_steal_pointer (&base),
                                           g_strstrip (g_strdup (g_ptr_array_index (row, id_col))));
                      matches++;
                    }
                }
              if (matches > best_matches)
                {
                  g_clear_pointer (&best, g_hash_table_unref);
                  best = map;
                  best_matches = matches;
                }
              else
                g_hash_table_unref (map);
            }
        }
    }

  return best;
}

static GRegex *
hsc_name_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new ("^([0-9]+)_.*_HSC-([A-Za-z0-9]+)\\.fits(\\.gz|\\.fz|\\.bz2|\\.Z|\\.zip)?$", G_REGEX_OPTIMIZE, 0, NULL));
  return regex;
}

static void
scan_folder (const char *dir,
             GDir       *d,
             GHashTable *candidates,
             GPtrArray  *order,
             GPtrArray  *skipped)
{
  g_autoptr(GPtrArray) plain = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n_hsc = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *path = NULL;

      const char *compression = unreadable_compression_of_name (name);

      if (compression != NULL)
        {
          g_autofree char *unreadable = g_build_filename (dir, name, NULL);
          g_autofree char *reason = unreadable_compression_reason (compression);

          add_skipped (skipped, unreadable, reason);
          continue;
        }
      if (!is_fits_name (name) || g_str_equal (name, "manifest.fits"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;

      if (g_regex_match (hsc_name_regex (), name, 0, &match))
        {
          g_autofree char *id = g_match_info_fetch (match, 1);
          g_autofree char *band_raw = g_match_info_fetch (match, 2);
          Candidate *c = get_candidate (candidates, order, id);

          g_hash_table_replace (c->band_files, normalize_band (band_raw), g_steal_pointer (&path));
          n_hsc++;
        }
      else
        g_ptr_array_add (plain, g_steal_pointer (&path));
    }

  if (n_hsc > 0)
    {
      for (guint i = 0; i < plain->len; i++)
        add_skipped (skipped, g_ptr_array_index (plain, i),
                     _("name does not follow <object id>_…_HSC-<band>.fits like the rest of the folder"));
      return;
    }

  /* A plain folder of FITS images: one band, ids from a catalogue if there is one, else the names. */
  {
    g_autoptr(GHashTable) basenames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) catalogue = NULL;

    for (guint i = 0; i < plain->len; i++)
      g_hash_table_add (basenames, g_path_get_basename (g_ptr_array_index (plain, i)));
    catalogue = find_catalogue_ids (dir, basenames);

    for (guint i = 0; i < plain->len; i++)
      {
        const char *path = g_ptr_array_index (plain, i);
        g_autofree char *base = g_path_get_basename (path);
        const char *id = catalogue ? g_hash_table_lookup (catalogue, base) : NULL;
        g_autofree char *stem = NULL;
        Candidate *c;

        if (id == NULL)
          {
            char *dot;

            stem = g_strdup (base);
            dot = strstr (stem, ".fit");
            if (dot != NULL)
              *dot = 0;
            id = stem;
          }
        if (g_hash_table_contains (candidates, id))
          {
            add_skipped (skipped, path, _("another file already has this object id"));
            continue;
          }
        c = get_candidate (candidates, order, id);
        g_hash_table_replace (c->band_files, g_strdup (""), g_strdup (path));
      }
  }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Object ids sort numerically when they are numbers, so that data-set order is stable and natural. */
static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *ca = *(Candidate * const *) a;
  const Candidate *cb = *(Candidate * const *) b;
  gsize la = strlen (ca->id), lb = strlen (cb->id);
  gboolean da = la > 0 && strspn (ca->id, "0123456789") == la;
  gboolean db = lb > 0 && strspn (cb->id, "0123456789") == lb;

  if (da && db && la != lb)
    return la < lb ? -1 : 1;
  return strcmp (ca->id, cb->id);
}

typedef struct
{
  GPtrArray  *candidates;   /* Candidate* in order */
  GPtrArray  *bands;
  guint      *widths;       /* per candidate × band */
  guint      *heights;
  char      **reasons;      /* per candidate × band, NULL when fine */
} ProbeWork;

static void
probe_range (guint    begin,
             guint    end,
             gpointer data)
{
  ProbeWork *w = data;
  guint nb = w->bands->len;

  for (guint i = begin; i < end; i++)
    {
      Candidate *c = g_ptr_array_index (w->candidates, i);

      for (guint b = 0; b < nb; b++)
        {
          const char *path = g_hash_table_lookup (c->band_files, g_ptr_array_index (w->bands, b));

          if (path != NULL)
            w->reasons[i * nb + b] = probe_image (path, NULL, &w->widths[i * nb + b], &w->heights[i * nb + b]);
        }
    }
}

typedef struct
{
  DassieDataset  *self;
  float          *pixels;    /* n × bands × h × w, or NULL to check and forget */
  char          **reasons;   /* per object, NULL when fine */
  GCancellable   *cancellable;
  volatile gint   done;
  guint           total;
  DassieProgressFunc progress;
  gpointer        user_data;
  DassieEta       eta;
  GMutex          progress_lock;
} ReadWork;

static void
report_read_progress (ReadWork *w)
{
  guint done = (guint) g_atomic_int_add (&w->done, 1) + 1;
  DassieProgress p = { "load", (double) done / MAX (w->total, 1), -1, -1, NULL };

  if (w->progress == NULL || (done % 64 != 0 && done != w->total))
    return;

  g_mutex_lock (&w->progress_lock);
  dassie_eta_update (&w->eta, done, w->total, &p.rate, &p.eta_seconds);
  w->progress (&p, w->user_data);
  g_mutex_unlock (&w->progress_lock);
}

static void
read_range (guint    begin,
            guint    end,
            gpointer data)
{
  ReadWork *w = data;
  DassieDataset *self = w->self;
  guint nb = self->bands->len;
  gsize plane = (gsize) self->width * self->height;
  g_autofree float *scratch = w->pixels ? NULL : g_try_new (float, plane);

  for (guint i = begin; i < end; i++)
    {
      DatasetObject *obj = g_ptr_array_index (self->objects, i);

      if (g_cancellable_is_cancelled (w->cancellable))
        return;
      if (w->pixels == NULL && scratch == NULL)
        {
          w->reasons[i] = g_strdup_printf ("%s: %s", obj->files[0], _("not enough memory to read it"));
          report_read_progress (w);
          continue;
        }

      for (guint b = 0; b < nb; b++)
        {
          float *out = w->pixels ? w->pixels + ((gsize) i * nb + b) * plane : scratch;
          char *reason = read_image (obj->files[b], self->width, self->height, out);
          float fill;

          if (reason != NULL)
            {
              w->reasons[i] = g_strdup_printf ("%s: %s", obj->files[b], reason);
              g_free (reason);
              break;
            }
          fill = finite_quantile (out, plane, 0.05);
          if (isnan (fill))
            {
              w->reasons[i] = g_strdup_printf ("%s: %s", obj->files[b], _("every pixel is NaN"));
              break;
            }
          obj->nan_fill[b] = fill;
        }
      report_read_progress (w);
    }
}

/* ---- open ----------------------------------------------------------------------------------- */

static gboolean
band_wanted (const DassieDatasetOptions *options,
             const char                 *band)
{
  if (options->filters == NULL || *band == 0)
    return TRUE;
  return g_strv_contains ((const char * const *) options->filters, band);
}

static void
rebuild_index (DassieDataset *self)
{
  g_autoptr(GPtrArray) id_list = g_ptr_array_new ();

  g_clear_pointer (&self->id_index, g_hash_table_unref);
  self->id_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->objects->len; i++)
    {
      DatasetObject *obj = g_ptr_array_index (self->objects, i);

      g_hash_table_insert (self->id_index, obj->id, GUINT_TO_POINTER (i + 1));
      g_ptr_array_add (id_list, obj->id);
    }
  self->ids_are_integers = dassie_ids_are_integers ((const char * const *) id_list->pdata, id_list->len);
}

/* "No usable object" errors name the first skipped file and its reason, so that a data set of one bad
 * file (or one reason for all) is explained wherever the error is shown. */
static void
set_no_objects_error (GError     **error,
                      GPtrArray   *skipped,
                      const char  *summary)
{
  g_autoptr(GString) message = g_string_new (summary);

  if (skipped->len > 0)
    {
      DassieSkippedFile *first = g_ptr_array_index (skipped, 0);

      g_string_append_printf (message, "\n“%s”: %s", first->path, first->reason);
    }
  g_set_error_literal (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_NO_OBJECTS, message->str);
}

/* Reads every object once, checking it and keeping its pixels when they fit in memory; objects that
 * fail are dropped with their reason. */
static gboolean
read_and_check (DassieDataset       *self,
                GCancellable        *cancellable,
                DassieProgressFunc   progress,
                gpointer             user_data,
                GError             **error)
{
  guint n = self->objects->len;
  guint nb = self->bands->len;
  gsize plane = (gsize) self->width * self->height;
  gint64 bytes = (gint64) n * nb * plane * sizeof (float);
  ReadWork w = { 0 };
  g_autoptr(GPtrArray) kept = NULL;
  float *pixels = NULL;
  guint n_kept = 0;

  w.self = self;
  w.pixels = bytes <= CACHE_LIMIT_BYTES ? g_try_malloc ((gsize) MAX (bytes, 1)) : NULL;
  w.reasons = g_new0 (char *, n);
  w.cancellable = cancellable;
  w.total = n;
  w.progress = progress;
  w.user_data = user_data;
  g_mutex_init (&w.progress_lock);
  dassie_eta_start (&w.eta);

  dassie_parallel_for (n, self->options.n_threads, read_range, &w);
  g_mutex_clear (&w.progress_lock);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      for (guint i = 0; i < n; i++)
        g_free (w.reasons[i]);
      g_free (w.reasons);
      g_free (w.pixels);
      return FALSE;
    }

  /* Compact: drop failed objects, in place in the pixel buffer too. */
  kept = g_ptr_array_new_with_free_func ((GDestroyNotify) dataset_object_free);
  pixels = w.pixels;
  for (guint i = 0; i < n; i++)
    {
      DatasetObject *obj = g_ptr_array_index (self->objects, i);

      if (w.reasons[i] != NULL)
        {
          g_autofree char *path = NULL;
          const char *colon = strstr (w.reasons[i], ": ");

          path = colon ? g_strndup (w.reasons[i], colon - w.reasons[i]) : g_strdup (obj->files[0]);
          add_skipped (self->skipped, path, colon ? colon + 2 : w.reasons[i]);
          g_free (w.reasons[i]);
          continue;
        }
      if (pixels != NULL && n_kept != i)
        memmove (pixels + (gsize) n_kept * nb * plane, pixels + (gsize) i * nb * plane,
                 nb * plane * sizeof (float));
      g_ptr_array_add (kept, obj);
      self->objects->pdata[i] = NULL;
      n_kept++;
    }
  g_free (w.reasons);

  g_ptr_array_unref (self->objects);
  self->objects = g_steal_pointer (&kept);
  self->cache = pixels;
  rebuild_index (self);

  if (self->objects->len == 0)
    {
      g_autofree char *summary = g_strdup_printf (_("No usable object in “%s”: all %u were skipped (the Data page "
                                                    "and “dassie-cli scan” list the reasons)"), self->dir, n);

      set_no_objects_error (error, self->skipped, summary);
      return FALSE;
    }
  return TRUE;
}

/* The crop's side when data_set.crop_to is not set: the smallest side among the objects whose side is
 * near the most common one (ties go to the smaller side, which keeps more objects). One odd small cutout
 * must not shrink every other object to its size. */
static guint
choose_crop_side (GPtrArray *objects)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;
  guint mode = 0, mode_count = 0;
  guint side = G_MAXUINT;

  for (guint i = 0; i < objects->len; i++)
    {
      DatasetObject *obj = g_ptr_array_index (objects, i);
      gpointer k = GUINT_TO_POINTER (MIN (obj->width, obj->height));

      g_hash_table_insert (counts, k, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, k)) + 1));
    }

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint k = GPOINTER_TO_UINT (key), count = GPOINTER_TO_UINT (value);

      if (count > mode_count || (count == mode_count && k < mode))
        mode = k, mode_count = count;
    }

  for (guint i = 0; i < objects->len; i++)
    {
      DatasetObject *obj = g_ptr_array_index (objects, i);
      guint obj_side = MIN (obj->width, obj->height);

      if (obj_side >= CROP_TOLERANCE * mode)
        side = MIN (side, obj_side);
    }
  return side;
}

/* Files in the folder (and in the folders manifest.fits points into) that manifest.fits does not list
 * are left out, as Hyrax does; one entry says how many objects that is. */
static void
report_unlisted_objects (const char *dir,
                         const char *manifest,
                         GHashTable *candidates,
                         GPtrArray  *order,
                         GPtrArray  *skipped)
{
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) unlisted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer folder;

  g_hash_table_add (folders, g_canonicalize_filename (dir, NULL));
  g_hash_table_add (listed, g_canonicalize_filename (manifest, NULL));
  for (guint i = 0; i < order->len; i++)
    {
      Candidate *c = g_ptr_array_index (order, i);
      GHashTableIter files;
      gpointer path;

      g_hash_table_iter_init (&files, c->band_files);
      while (g_hash_table_iter_next (&files, NULL, &path))
        {
          char *canonical = g_canonicalize_filename (path, NULL);

          g_hash_table_add (folders, g_path_get_dirname (canonical));
          g_hash_table_add (listed, canonical);
        }
    }

  g_hash_table_iter_init (&iter, folders);
  while (g_hash_table_iter_next (&iter, &folder, NULL))
    {
      g_autoptr(GDir) d = g_dir_open (folder, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autoptr(GMatchInfo) match = NULL;
          g_autofree char *path = NULL;
          char *id;

          if (!is_fits_name (name))
            continue;
          path = g_build_filename (folder, name, NULL);
          if (g_hash_table_contains (listed, path) || g_file_test (path, G_FILE_TEST_IS_DIR))
            continue;
          /* Another band of a listed object is not another object. */
          id = g_regex_match (hsc_name_regex (), name, 0, &match) ? g_match_info_fetch (match, 1)
                                                                   : g_steal_pointer (&path);
          if (g_hash_table_contains (candidates, id))
            g_free (id);
          else
            g_hash_table_add (unlisted, id);
        }
    }

  if (g_hash_table_size (unlisted) > 0)
    {
      guint n = g_hash_table_size (unlisted);
      g_autofree char *reason =
        g_strdup_printf (ngettext ("%u object in the folder is not in manifest.fits and was left out; add it "
                                   "to manifest.fits, or remove manifest.fits to use every file",
                                   "%u objects in the folder are not in manifest.fits and were left out; add "
                                   "them to manifest.fits, or remove manifest.fits to use every file", n), n);

      add_skipped (skipped, manifest, reason);
    }
}

static DassieDataset *
dataset_open (const char                  *dir,
              const DassieDatasetOptions  *options,
              GCancellable                *cancellable,
              DassieProgressFunc           progress,
              gpointer                     user_data,
              GPtrArray                  **skipped_out,
              GError                     **error)
{
  g_autoptr(DassieDataset) self = NULL;
  g_autoptr(GHashTable) candidates = NULL;
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(GHashTable) band_set = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) d = NULL;
  g_autofree char *manifest = NULL;
  ProbeWork probe = { 0 };
  guint nb;

  d = g_dir_open (dir, 0, &local_error);
  if (d == NULL)
    {
      g_set_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_UNREADABLE,
                   _("Cannot read the folder “%s”: %s. Check that it exists and that you may read it."),
                   dir, local_error->message);
      return NULL;
    }

  self = g_new0 (DassieDataset, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->dir = g_strdup (dir);
  self->options = *options;
  self->options.filters = g_strdupv (options->filters);
  self->bands = g_ptr_array_new_with_free_func (g_free);
  self->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) dataset_object_free);
  self->skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) skipped_file_free);
  if (skipped_out != NULL)
    *skipped_out = g_ptr_array_ref (self->skipped);

  candidates = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) candidate_free);
  order = g_ptr_array_new ();

  manifest = g_build_filename (dir, "manifest.fits", NULL);
  if (g_file_test (manifest, G_FILE_TEST_IS_REGULAR) &&
      read_manifest (dir, manifest, candidates, order, self->skipped))
    report_unlisted_objects (dir, manifest, candidates, order, self->skipped);
  else
    scan_folder (dir, d, candidates, order, self->skipped);

  g_ptr_array_sort (order, compare_candidates);

  /* Bands: every band any object has (and the options allow), in alphabetical order. */
  band_set = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < order->len; i++)
    {
      Candidate *c = g_ptr_array_index (order, i);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, c->band_files);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (band_wanted (options, key) && !g_hash_table_contains (band_set, key))
          {
            g_hash_table_add (band_set, key);
            g_ptr_array_add (self->bands, g_strdup (key));
          }
    }
  g_ptr_array_sort (self->bands, compare_strings);
  nb = self->bands->len;

  if (order->len == 0 || nb == 0)
    {
      g_set_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_NO_OBJECTS,
                   options->filters && order->len > 0
                   ? _("No object in “%s” has the bands asked for in data_set.filters")
                   : _("No FITS images in “%s”. Choose a folder of cutouts (<object id>_…_HSC-<band>.fits, "
                       "or any .fits images)."), dir);
      return NULL;
    }

  /* Check every file's header on all cores. */
  probe.candidates = order;
  probe.bands = self->bands;
  probe.widths = g_new0 (guint, (gsize) order->len * nb);
  probe.heights = g_new0 (guint, (gsize) order->len * nb);
  probe.reasons = g_new0 (char *, (gsize) order->len * nb);
  dassie_parallel_for (order->len, options->n_threads, probe_range, &probe);

  for (guint i = 0; i < order->len; i++)
    {
      Candidate *c = g_ptr_array_index (order, i);
      g_autoptr(GString) missing = g_string_new (NULL);
      gboolean bad = FALSE;
      DatasetObject *obj;

      for (guint b = 0; b < nb; b++)
        {
          const char *band = g_ptr_array_index (self->bands, b);
          const char *path = g_hash_table_lookup (c->band_files, band);

          if (path == NULL)
            g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", band);
          else if (probe.reasons[i * nb + b] != NULL)
            {
              add_skipped (self->skipped, path, probe.reasons[i * nb + b]);
              bad = TRUE;
            }
        }
      if (missing->len > 0)
        {
          GHashTableIter iter;
          gpointer path = NULL;
          g_autofree char *reason = g_strdup_printf (_("object %s has no image in band %s"), c->id, missing->str);

          g_hash_table_iter_init (&iter, c->band_files);
          if (!g_hash_table_iter_next (&iter, NULL, &path))
            path = c->id;
          add_skipped (self->skipped, path, reason);
          bad = TRUE;
        }
      if (bad)
        continue;

      obj = g_new0 (DatasetObject, 1);
      obj->id = g_strdup (c->id);
      obj->files = g_new0 (char *, nb + 1);
      obj->nan_fill = g_new0 (float, nb);
      obj->width = G_MAXUINT;
      obj->height = G_MAXUINT;
      for (guint b = 0; b < nb; b++)
        {
          guint w = probe.widths[i * nb + b], h = probe.heights[i * nb + b];

          obj->files[b] = g_strdup (g_hash_table_lookup (c->band_files, g_ptr_array_index (self->bands, b)));
          if (MIN (w, h) < MIN (obj->width, obj->height))
            obj->smallest_band = b;
          obj->width = MIN (obj->width, w);
          obj->height = MIN (obj->height, h);
        }
      g_ptr_array_add (self->objects, obj);
    }

  for (gsize i = 0; i < (gsize) order->len * nb; i++)
    g_free (probe.reasons[i]);
  g_free (probe.reasons);
  g_free (probe.widths);
  g_free (probe.heights);

  if (self->objects->len == 0)
    {
      g_autofree char *summary = g_strdup_printf (_("No usable object in “%s”: every file was skipped (see the "
                                                    "list of skipped files)"), dir);

      set_no_objects_error (error, self->skipped, summary);
      return NULL;
    }

  /* The crop: data_set.crop_to, or the common size of the objects (Hyrax's HSCDataSet takes the smallest,
   * which lets one odd cutout shrink all the others); objects smaller than it are skipped. */
  if (options->crop_width > 0 && options->crop_height > 0)
    {
      self->width = options->crop_width;
      self->height = options->crop_height;
    }
  else
    self->width = self->height = choose_crop_side (self->objects);

  for (guint i = 0; i < self->objects->len; )
    {
      DatasetObject *obj = g_ptr_array_index (self->objects, i);

      if (obj->width < self->width || obj->height < self->height)
        {
          g_autofree char *reason =
            options->crop_width > 0
            ? g_strdup_printf (_("%u×%u pixels, smaller than data_set.crop_to %u×%u"),
                               obj->width, obj->height, self->width, self->height)
            : g_strdup_printf (_("%u×%u pixels, smaller than the %u×%u crop"),
                               obj->width, obj->height, self->width, self->height);

          add_skipped (self->skipped, obj->files[obj->smallest_band], reason);
          g_ptr_array_remove_index (self->objects, i);
          continue;
        }
      i++;
    }
  if (self->objects->len == 0)
    {
      g_autofree char *summary = g_strdup_printf (_("Every image in “%s” is smaller than data_set.crop_to (%u×%u)"),
                                                  dir, self->width, self->height);

      set_no_objects_error (error, self->skipped, summary);
      return NULL;
    }

  if (!read_and_check (self, cancellable, progress, user_data, error))
    return NULL;

  return g_steal_pointer (&self);
}

DassieDataset *
dassie_dataset_open (const char                  *dir,
                     const DassieDatasetOptions  *options,
                     GCancellable                *cancellable,
                     GError                     **error)
{
  return dassie_dataset_open_with_progress (dir, options, cancellable, NULL, NULL, error);
}

DassieDataset *
dassie_dataset_open_with_progress (const char                  *dir,
                                   const DassieDatasetOptions  *options,
                                   GCancellable                *cancellable,
                                   DassieProgressFunc           progress,
                                   gpointer                     user_data,
                                   GError                     **error)
{
  return dassie_dataset_open_full (dir, options, cancellable, progress, user_data, NULL, error);
}

DassieDataset *
dassie_dataset_open_full (const char                  *dir,
                          const DassieDatasetOptions  *options,
                          GCancellable                *cancellable,
                          DassieProgressFunc           progress,
                          gpointer                     user_data,
                          GPtrArray                  **skipped,
                          GError                     **error)
{
  DassieDatasetOptions defaults;

  g_return_val_if_fail (dir != NULL, NULL);

  if (skipped != NULL)
    *skipped = NULL;
  if (options == NULL)
    {
      dassie_dataset_options_init (&defaults);
      options = &defaults;
    }

  return dataset_open (dir, options, cancellable, progress, user_data, skipped, error);
}

DassieDataset *
dassie_dataset_ref (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dassie_dataset_unref (DassieDataset *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->dir);
  dassie_dataset_options_clear (&self->options);
  g_clear_pointer (&self->bands, g_ptr_array_unref);
  g_clear_pointer (&self->objects, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
  g_clear_pointer (&self->id_index, g_hash_table_unref);
  g_free (self->cache);
  g_free (self);
}

const char *
dassie_dataset_get_dir (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dir;
}

guint
dassie_dataset_get_n_objects (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->objects->len;
}

guint
dassie_dataset_get_n_bands (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->bands->len;
}

const char *
dassie_dataset_get_band (DassieDataset *self,
                         guint          band)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (band < self->bands->len, NULL);
  return g_ptr_array_index (self->bands, band);
}

int
dassie_dataset_find_band (DassieDataset *self,
                          const char    *name)
{
  g_autofree char *norm = NULL;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  norm = normalize_band (name);
  for (guint b = 0; b < self->bands->len; b++)
    if (g_str_equal (norm, g_ptr_array_index (self->bands, b)))
      return b;
  return -1;
}

guint
dassie_dataset_get_width (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->width;
}

guint
dassie_dataset_get_height (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->height;
}

const char *
dassie_dataset_get_object_id (DassieDataset *self,
                              guint          index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->objects->len, NULL);
  return ((DatasetObject *) g_ptr_array_index (self->objects, index))->id;
}

gboolean
dassie_dataset_ids_are_integers (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->ids_are_integers;
}

int
dassie_dataset_find_object (DassieDataset *self,
                            const char    *object_id)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (object_id != NULL, -1);

  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (self->id_index, object_id)) - 1;
}

const char *
dassie_dataset_get_file (DassieDataset *self,
                         guint          index,
                         guint          band)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->objects->len, NULL);
  g_return_val_if_fail (band < self->bands->len, NULL);
  return ((DatasetObject *) g_ptr_array_index (self->objects, index))->files[band];
}

GPtrArray *
dassie_dataset_get_skipped (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->skipped;
}

typedef struct
{
  DassieDataset *self;
  const guint   *indices;
  gboolean       transformed;
  float         *out;
  char         **reasons;
  GCancellable  *cancellable;
} BatchWork;

static void
batch_range (guint    begin,
             guint    end,
             gpointer data)
{
  BatchWork *w = data;
  DassieDataset *self = w->self;
  guint nb = self->bands->len;
  gsize plane = (gsize) self->width * self->height;

  for (guint k = begin; k < end; k++)
    {
      guint i = w->indices[k];
      DatasetObject *obj = g_ptr_array_index (self->objects, i);
      float *dst = w->out + (gsize) k * nb * plane;

      if (g_cancellable_is_cancelled (w->cancellable))
        return;

      if (self->cache != NULL)
        memcpy (dst, self->cache + (gsize) i * nb * plane, nb * plane * sizeof (float));
      else
        for (guint b = 0; b < nb; b++)
          {
            char *reason = read_image (obj->files[b], self->width, self->height, dst + b * plane);

            if (reason != NULL)
              {
                w->reasons[k] = g_strdup_printf ("“%s”: %s", obj->files[b], reason);
                g_free (reason);
                return;
              }
          }

      if (!w->transformed)
        continue;

      for (guint b = 0; b < nb; b++)
        {
          float *p = dst + b * plane;
          float fill = self->options.nan_mode == DASSIE_NAN_ZERO ? 0.0f : obj->nan_fill[b];

          for (gsize j = 0; j < plane; j++)
            {
              float v = p[j];

              if (isnan (v) && self->options.nan_mode != DASSIE_NAN_KEEP)
                v = fill;
              p[j] = dassie_transform_apply (self->options.transform, v);
            }
        }
    }
}

gboolean
dassie_dataset_read_objects (DassieDataset  *self,
                             const guint    *indices,
                             guint           n,
                             gboolean        transformed,
                             float          *out,
                             GCancellable   *cancellable,
                             GError        **error)
{
  BatchWork w = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (indices != NULL || n == 0, FALSE);
  g_return_val_if_fail (out != NULL || n == 0, FALSE);

  for (guint k = 0; k < n; k++)
    g_return_val_if_fail (indices[k] < self->objects->len, FALSE);

  w.self = self;
  w.indices = indices;
  w.transformed = transformed;
  w.out = out;
  w.reasons = g_new0 (char *, MAX (n, 1));
  w.cancellable = cancellable;

  /* Copies from memory are cheap; threads pay off when reading files. */
  dassie_parallel_for (n, self->cache ? MIN (self->options.n_threads ? self->options.n_threads : 2, 2)
                               : self->options.n_threads, batch_range, &w);

  for (guint k = 0; k < n; k++)
    {
      if (ok && w.reasons[k] != NULL)
        {
          g_set_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_BAD_FILE,
                       _("Could not read %s"), w.reasons[k]);
          ok = FALSE;
        }
      g_free (w.reasons[k]);
    }
  g_free (w.reasons);

  if (ok && g_cancellable_set_error_if_cancelled (cancellable, error))
    ok = FALSE;
  return ok;
}

gboolean
dassie_dataset_load_all (DassieDataset      *self,
                         GCancellable       *cancellable,
                         DassieProgressFunc  progress,
                         gpointer            user_data,
                         GError            **error)
{
  guint n;
  gsize bytes;
  g_autofree guint *indices = NULL;
  float *pixels;
  gboolean transformed_saved;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->cache != NULL)
    return TRUE;

  n = self->objects->len;
  bytes = (gsize) n * self->bands->len * self->width * self->height * sizeof (float);
  pixels = g_try_malloc (MAX (bytes, 1));
  if (pixels == NULL)
    {
      g_set_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_INVALID,
                   _("Not enough memory to hold the %u objects of “%s” (%.1f GB)"), n, self->dir, bytes / 1e9);
      return FALSE;
    }

  indices = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    indices[i] = i;

  transformed_saved = FALSE;
  if (!dassie_dataset_read_objects (self, indices, n, transformed_saved, pixels, cancellable, error))
    {
      g_free (pixels);
      return FALSE;
    }
  if (progress != NULL)
    {
      DassieProgress p = { "load", 1.0, -1, -1, NULL };
      progress (&p, user_data);
    }
  self->cache = pixels;
  return TRUE;
}

GPtrArray *
dassie_dataset_split (guint         n_objects,
                      const double *fractions,
                      guint         n_fractions,
                      guint64       seed)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autofree guint *perm = g_new (guint, MAX (n_objects, 1));
  guint32 seed_words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  g_autoptr(GRand) rand = g_rand_new_with_seed_array (seed_words, 2);
  double total = 0;
  guint start = 0;

  g_return_val_if_fail (fractions != NULL || n_fractions == 0, parts);

  for (guint i = 0; i < n_objects; i++)
    perm[i] = i;
  for (guint i = n_objects; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      guint t = perm[i - 1];
      perm[i - 1] = perm[j];
      perm[j] = t;
    }

  for (guint f = 0; f < n_fractions; f++)
    total += fractions[f];

  for (guint f = 0; f < n_fractions; f++)
    {
      GArray *part = g_array_new (FALSE, FALSE, sizeof (guint));
      guint count;

      /* Fractions that add up to one use every object: the last part takes the rounding rest. */
      if (f + 1 == n_fractions && fabs (total - 1.0) < 1e-9)
        count = n_objects - start;
      else
        count = MIN ((guint) floor (fractions[f] * n_objects + 0.5), n_objects - start);
      g_array_append_vals (part, perm + start, count);
      start += count;
      g_ptr_array_add (parts, part);
    }

  return parts;
}
