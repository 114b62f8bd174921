/* dassie-dataset.c: the data set object: options, checking every object, the crop, reading pixels, splits
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dassie-dataset-private.h"
#include "dassie-parallel.h"
#include "dassie-table.h"

/* Above this many bytes of pixels the data set is read from disk on demand instead of kept. */
#define CACHE_LIMIT_BYTES (G_GINT64_CONSTANT (3) << 30)
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
  double  ra;         /* its first band's WCS at the cutout centre, NaN without one */
  double  dec;
} DatasetObject;

struct _DassieDataset
{
  gatomicrefcount       ref_count;
  char                 *dir;
  DassieDatasetOptions  options;
  GPtrArray            *bands;      /* char*: "G", "I", "R", or "" for a plain folder */
  GPtrArray            *objects;    /* DatasetObject* */
  GPtrArray            *skipped;    /* DassieSkippedFile* */
  GPtrArray            *warnings;   /* DassieSkippedFile*: objects kept, but worth a look */
  DassieDatasetSky     *sky;        /* positions and the catalogue's columns */
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

void
_dassie_dataset_add_skipped (GPtrArray  *skipped,
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
  options->normalization = DASSIE_NORMALIZATION_TANH;
  options->asinh_softening = 1.0f;
  options->nan_mode = DASSIE_NAN_QUANTILE;
}

void
dassie_dataset_options_clear (DassieDatasetOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->filters, g_strfreev);
}

gboolean
dassie_dataset_options_from_config (DassieDatasetOptions  *options,
                                    const DassieConfig    *config,
                                    GError               **error)
{
  JsonNode *crop;
  JsonNode *filters;
  const char *transform;
  const char *normalization;
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

  normalization = dassie_config_get_string (config, "data_set.normalization");
  if (!dassie_normalization_from_string (normalization, &options->normalization))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Configuration key “data_set.normalization” is “%s”; use tanh, robust or asinh"),
                   normalization);
      return FALSE;
    }
  options->asinh_softening = (float) dassie_config_get_double (config, "data_set.asinh_softening");

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
          g_ptr_array_add (list, _dassie_dataset_normalize_band (f));
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

typedef struct
{
  GPtrArray  *candidates;   /* DassieDatasetCandidate* in order */
  GPtrArray  *bands;
  guint      *widths;       /* per candidate × band */
  guint      *heights;
  char      **reasons;      /* per candidate × band, NULL when fine */
  double     *positions;    /* per candidate × band: ra, dec, pixel scale (″) from the WCS, or NaN */
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
      DassieDatasetCandidate *c = g_ptr_array_index (w->candidates, i);

      for (guint b = 0; b < nb; b++)
        {
          const char *path = g_hash_table_lookup (c->band_files, g_ptr_array_index (w->bands, b));

          fitsfile *fptr = NULL;
          int status = 0;

          if (path == NULL)
            continue;
          w->reasons[i * nb + b] = _dassie_dataset_probe_image (path, &fptr, &w->widths[i * nb + b],
                                                                &w->heights[i * nb + b]);
          w->positions[3 * (i * nb + b)] = NAN;
          if (fptr == NULL)
            continue;
          _dassie_dataset_probe_position (fptr, w->widths[i * nb + b], w->heights[i * nb + b],
                                          &w->positions[3 * (i * nb + b)]);
          fits_close_file (fptr, &status);
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
          char *reason = _dassie_dataset_read_image (obj->files[b], self->width, self->height, out);
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
          _dassie_dataset_add_skipped (self->skipped, path, colon ? colon + 2 : w.reasons[i]);
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
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) d = NULL;
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
  self->warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) skipped_file_free);
  if (skipped_out != NULL)
    *skipped_out = g_ptr_array_ref (self->skipped);

  order = _dassie_dataset_find_candidates (dir, d, self->skipped);
  _dassie_dataset_collect_bands (order, options, self->bands);
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
  probe.positions = g_new (double, (gsize) order->len * nb * 3);
  dassie_parallel_for (order->len, options->n_threads, probe_range, &probe);

  for (guint i = 0; i < order->len; i++)
    {
      DassieDatasetCandidate *c = g_ptr_array_index (order, i);
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
              _dassie_dataset_add_skipped (self->skipped, path, probe.reasons[i * nb + b]);
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
          _dassie_dataset_add_skipped (self->skipped, path, reason);
          bad = TRUE;
        }
      if (bad)
        continue;

      obj = g_new0 (DatasetObject, 1);
      obj->id = g_strdup (c->id);
      obj->ra = probe.positions[3 * i * nb];
      obj->dec = probe.positions[3 * i * nb + 1];
      {
        g_autofree char *disagree = _dassie_dataset_check_band_positions (c->id, (const char * const *) self->bands->pdata,
                                                                          &probe.positions[3 * i * nb], nb);

        if (disagree != NULL)
          _dassie_dataset_add_skipped (self->warnings, g_hash_table_lookup (c->band_files,
                                                                            g_ptr_array_index (self->bands, 0)),
                                       disagree);
      }
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
  g_free (probe.positions);

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

          _dassie_dataset_add_skipped (self->skipped, obj->files[obj->smallest_band], reason);
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

  {
    guint n = self->objects->len;
    g_autofree const char **ids = g_new (const char *, n);
    g_autofree double *ra = g_new (double, n);
    g_autofree double *dec = g_new (double, n);

    for (guint i = 0; i < n; i++)
      {
        DatasetObject *obj = g_ptr_array_index (self->objects, i);

        ids[i] = obj->id;
        ra[i] = obj->ra;
        dec[i] = obj->dec;
      }
    self->sky = _dassie_dataset_sky_new (dir, ids, ra, dec, n);
  }

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
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->sky, _dassie_dataset_sky_free);
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

  norm = _dassie_dataset_normalize_band (name);
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

GPtrArray *
dassie_dataset_get_warnings (DassieDataset *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->warnings;
}

DassieDatasetSky *
_dassie_dataset_get_sky (DassieDataset *self)
{
  return self->sky;
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
            char *reason = _dassie_dataset_read_image (obj->files[b], self->width, self->height, dst + b * plane);

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
          DassieNormalization normalization = self->options.normalization;
          float median = 0, sigma = 1;

          /* The statistics of the band as read (finite values only), so that a display can invert
           * the normalisation from the raw pixels alone. */
          if (normalization != DASSIE_NORMALIZATION_TANH)
            dassie_band_noise (p, plane, &median, &sigma);
          for (gsize j = 0; j < plane; j++)
            {
              float v = p[j];

              if (isnan (v) && self->options.nan_mode != DASSIE_NAN_KEEP)
                v = fill;
              p[j] = normalization == DASSIE_NORMALIZATION_TANH
                     ? dassie_transform_apply (self->options.transform, v)
                     : dassie_normalize_value (normalization, self->options.asinh_softening, median, sigma, v);
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