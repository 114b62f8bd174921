/* dassie-dataset-scan.c: finding a folder's objects and bands (manifest.fits, HSC names, catalogue CSVs)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dassie-dataset-private.h"
#include "dassie-table.h"

/* "HSC-G" and "g" both name band G. */
char *
_dassie_dataset_normalize_band (const char *name)
{
  if (g_ascii_strncasecmp (name, "HSC-", 4) == 0)
    name += 4;
  return g_ascii_strup (name, -1);
}

static void
candidate_free (DassieDatasetCandidate *c)
{
  g_free (c->id);
  g_hash_table_unref (c->band_files);
  g_free (c);
}

static DassieDatasetCandidate *
get_candidate (GHashTable *candidates,
               GPtrArray  *order,
               const char *id)
{
  DassieDatasetCandidate *c = g_hash_table_lookup (candidates, id);

  if (c == NULL)
    {
      c = g_new0 (DassieDatasetCandidate, 1);
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
      g_autofree char *band = _dassie_dataset_normalize_band (g_strstrip (filters[i]));
      const char *file = g_strstrip (files[i]);
      g_autofree char *path = NULL;
      DassieDatasetCandidate *c;

      if (*file == 0 || *ids[i] == 0)
        continue;
      path = g_path_is_absolute (file) ? g_strdup (file) : g_build_filename (dir, file, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          _dassie_dataset_add_skipped (skipped, path, _("listed in manifest.fits but missing from the folder"));
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
    _dassie_dataset_add_skipped (skipped, manifest, _("manifest.fits is unreadable or lacks object_id, filter and "
                                                      "filename columns; the folder was scanned instead"));
  return ok;
}

/* Splits one CSV line into fields, honouring double quotes. */
GPtrArray *
_dassie_dataset_split_csv_line (const char *line)
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
          header = _dassie_dataset_split_csv_line (lines[0]);
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
                  g_autoptr(GPtrArray) row = _dassie_dataset_split_csv_line (lines[l]);
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
          g_autofree char *reason = _dassie_dataset_unreadable_compression_reason (compression);

          _dassie_dataset_add_skipped (skipped, unreadable, reason);
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
          DassieDatasetCandidate *c = get_candidate (candidates, order, id);

          g_hash_table_replace (c->band_files, _dassie_dataset_normalize_band (band_raw), g_steal_pointer (&path));
          n_hsc++;
        }
      else
        g_ptr_array_add (plain, g_steal_pointer (&path));
    }

  if (n_hsc > 0)
    {
      for (guint i = 0; i < plain->len; i++)
        _dassie_dataset_add_skipped (skipped, g_ptr_array_index (plain, i),
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
        DassieDatasetCandidate *c;

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
            _dassie_dataset_add_skipped (skipped, path, _("another file already has this object id"));
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
  const DassieDatasetCandidate *ca = *(DassieDatasetCandidate * const *) a;
  const DassieDatasetCandidate *cb = *(DassieDatasetCandidate * const *) b;
  gsize la = strlen (ca->id), lb = strlen (cb->id);
  gboolean da = la > 0 && strspn (ca->id, "0123456789") == la;
  gboolean db = lb > 0 && strspn (cb->id, "0123456789") == lb;

  if (da && db && la != lb)
    return la < lb ? -1 : 1;
  return strcmp (ca->id, cb->id);
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
      DassieDatasetCandidate *c = g_ptr_array_index (order, i);
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

      _dassie_dataset_add_skipped (skipped, manifest, reason);
    }
}

/* The objects of @dir: from manifest.fits when it is usable (files it does not list are reported in
 * @skipped), else from the names of the files. Sorted by id; DassieDatasetCandidate*, owned. */
GPtrArray *
_dassie_dataset_find_candidates (const char *dir,
                                 GDir       *d,
                                 GPtrArray  *skipped)
{
  g_autoptr(GHashTable) candidates = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *order = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  g_autofree char *manifest = g_build_filename (dir, "manifest.fits", NULL);

  if (g_file_test (manifest, G_FILE_TEST_IS_REGULAR) &&
      read_manifest (dir, manifest, candidates, order, skipped))
    report_unlisted_objects (dir, manifest, candidates, order, skipped);
  else
    scan_folder (dir, d, candidates, order, skipped);

  g_ptr_array_sort (order, compare_candidates);
  return order;
}

static gboolean
band_wanted (const DassieDatasetOptions *options,
             const char                 *band)
{
  if (options->filters == NULL || *band == 0)
    return TRUE;
  return g_strv_contains ((const char * const *) options->filters, band);
}

/* Bands: every band any object has (and the options allow), in alphabetical order. */
void
_dassie_dataset_collect_bands (GPtrArray                  *candidates,
                               const DassieDatasetOptions *options,
                               GPtrArray                  *bands)
{
  g_autoptr(GHashTable) band_set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < candidates->len; i++)
    {
      DassieDatasetCandidate *c = g_ptr_array_index (candidates, i);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, c->band_files);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (band_wanted (options, key) && !g_hash_table_contains (band_set, key))
          {
            g_hash_table_add (band_set, key);
            g_ptr_array_add (bands, g_strdup (key));
          }
    }
  g_ptr_array_sort (bands, compare_strings);
}
