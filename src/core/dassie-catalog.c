/* dassie-catalog.c: the scored objects joined with their UMAP position and their data set cutouts
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "dassie-catalog.h"
#include "dassie-results.h"
#include "dassie-scores.h"
#include "dassie-table.h"

static void
catalog_clear (gpointer data)
{
  DassieCatalog *self = data;

  g_strfreev (self->ids);
  g_free (self->x);
  g_free (self->y);
  g_free (self->scores);
  g_free (self->ranks);
  g_free (self->order);
  g_free (self->neighbors);
  g_free (self->neighbor_dist);
  g_clear_pointer (&self->dataset, dassie_dataset_unref);
  g_free (self->objects);
  g_free (self->scores_path);
  g_free (self->umap_path);
  g_free (self->latents_checksum);
  g_free (self->labels);
  g_free (self->latents);
  g_free (self->relevance);
  g_free (self->promising);
  g_clear_pointer (&self->relevance_model, dassie_relevance_free);
}

static DassieCatalog *
catalog_alloc (guint n,
               guint k)
{
  DassieCatalog *self = g_atomic_rc_box_new0 (DassieCatalog);
  gsize cells = MAX ((gsize) n * k, 1);

  self->n = n;
  self->k = k;
  self->x = g_new (float, MAX (n, 1));
  self->y = g_new (float, MAX (n, 1));
  self->scores = g_new (float, MAX (n, 1));
  self->ranks = g_new0 (guint32, MAX (n, 1));
  self->order = g_new0 (guint32, MAX (n, 1));
  self->neighbors = g_new (guint32, cells);
  self->neighbor_dist = g_new (float, cells);
  self->objects = g_new (int, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      self->x[i] = self->y[i] = self->scores[i] = NAN;
      self->objects[i] = -1;
    }
  for (gsize c = 0; c < cells; c++)
    {
      self->neighbors[c] = DASSIE_CATALOG_NO_ROW;
      self->neighbor_dist[c] = NAN;
    }
  return self;
}

DassieCatalog *
dassie_catalog_new (guint n,
                    guint k)
{
  DassieCatalog *self = catalog_alloc (n, k);

  self->ids = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    self->ids[i] = g_strdup_printf ("%u", i);
  dassie_catalog_rank (self);
  return self;
}

DassieCatalog *
dassie_catalog_ref (DassieCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
dassie_catalog_unref (DassieCatalog *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, catalog_clear);
}

void
dassie_catalog_rank (DassieCatalog *self)
{
  double sum = 0;
  gsize finite = 0;

  g_return_if_fail (self != NULL);

  dassie_export_rank (self->scores, self->n, self->ranks, self->order);
  for (guint i = 0; i < self->n; i++)
    if (isfinite (self->scores[i]))
      {
        sum += self->scores[i];
        finite++;
      }
  self->score_mean = finite > 0 ? sum / finite : 0;
}

static int
compare_by_rank (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const guint32 *ranks = user_data;
  guint32 ra = ranks[*(const guint32 *) a], rb = ranks[*(const guint32 *) b];

  return (ra > rb) - (ra < rb);
}

int
dassie_catalog_find_row (DassieCatalog *self,
                         const char    *object_id)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (object_id != NULL, -1);

  for (guint i = 0; i < self->n; i++)
    if (g_str_equal (self->ids[i], object_id))
      return (int) i;
  return -1;
}

static char *
file_in_run (const char *path,
             const char *file_name)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_build_filename (path, file_name, NULL);
  return g_strdup (path);
}

static void
find_objects (DassieCatalog *self)
{
  self->n_in_dataset = 0;
  for (guint i = 0; i < self->n; i++)
    {
      self->objects[i] = self->dataset != NULL ? dassie_dataset_find_object (self->dataset, self->ids[i]) : -1;
      if (self->objects[i] >= 0)
        self->n_in_dataset++;
    }
}

gboolean
dassie_catalog_check_same_latents (const char  *scores,
                                   const char  *embedding,
                                   GError     **error)
{
  g_autofree char *scores_input = NULL;
  g_autofree char *scores_sum = NULL;
  g_autofree char *umap_input = NULL;
  g_autofree char *umap_sum = NULL;

  g_return_val_if_fail (scores != NULL, FALSE);
  g_return_val_if_fail (embedding != NULL, FALSE);

  if (!dassie_run_read_input (scores, &scores_input, &scores_sum) ||
      !dassie_run_read_input (embedding, &umap_input, &umap_sum) ||
      scores_sum == NULL || umap_sum == NULL || g_str_equal (scores_sum, umap_sum))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("The map “%s” was computed from other latent vectors (“%s”) than the scores “%s” (“%s”); "
                 "compute the map of the same infer run, or leave the map out"),
               embedding, umap_input, scores, scores_input);
  return FALSE;
}

char *
dassie_catalog_find_map (const char *results_dir,
                         const char *scores)
{
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *checksum = NULL;

  g_return_val_if_fail (results_dir != NULL, NULL);
  g_return_val_if_fail (scores != NULL, NULL);

  if (!dassie_run_read_input (scores, NULL, &checksum) || checksum == NULL)
    return NULL;
  runs = dassie_results_list (results_dir, "umap", FALSE);
  for (guint i = 0; i < runs->len; i++)
    {
      DassieRunInfo *info = g_ptr_array_index (runs, i);
      g_autofree char *umap_sum = NULL;

      if (dassie_run_read_input (info->path, NULL, &umap_sum) && g_strcmp0 (umap_sum, checksum) == 0)
        return g_strdup (info->path);
    }
  return NULL;
}

/* Places the rows of @self by id, so an embedding in another order (or of more objects) still matches. */
static gboolean
read_map (DassieCatalog  *self,
          GError        **error)
{
  g_autoptr(GHashTable) rows = NULL;
  g_auto(GStrv) umap_ids = NULL;
  g_autofree float *umap = NULL;
  guint dim = 0, n_umap = 0, n_placed = 0;

  if (!dassie_table_read_vectors (self->umap_path, "UMAP", &umap_ids, &n_umap, &umap, &dim, error))
    return FALSE;
  if (dim != 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The UMAP column of “%s” has %u values a row where two are expected; compute the map again"),
                   self->umap_path, dim);
      return FALSE;
    }

  rows = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->n; i++)
    g_hash_table_insert (rows, self->ids[i], GUINT_TO_POINTER (i));
  for (guint j = 0; j < n_umap; j++)
    {
      gpointer row;

      if (g_hash_table_lookup_extended (rows, umap_ids[j], NULL, &row))
        {
          self->x[GPOINTER_TO_UINT (row)] = umap[2 * j];
          self->y[GPOINTER_TO_UINT (row)] = umap[2 * j + 1];
          n_placed++;
        }
    }
  if (self->n > 0 && n_placed == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("None of the objects scored in “%s” is in the map “%s”; compute the map of the same latent vectors"),
                   self->scores_path, self->umap_path);
      return FALSE;
    }
  return TRUE;
}

DassieCatalog *
dassie_catalog_load (const char     *scores,
                     const char     *embedding,
                     DassieDataset  *dataset,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(DassieCatalog) self = NULL;
  g_autoptr(DassieScores) table = NULL;
  g_autofree char *scores_path = NULL;
  g_autofree char *umap_path = NULL;
  guint n;

  g_return_val_if_fail (scores != NULL, NULL);

  scores_path = file_in_run (scores, "scores.fits");
  if (embedding != NULL)
    {
      umap_path = file_in_run (embedding, "embedding.fits");
      if (!dassie_catalog_check_same_latents (scores_path, umap_path, error))
        return NULL;
    }

  table = dassie_scores_read (scores_path, error);
  if (table == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  n = table->n_rows;
  self = catalog_alloc (n, table->k);
  self->ids = g_steal_pointer (&table->ids);
  dassie_run_read_input (scores_path, NULL, &self->latents_checksum);
  self->scores_path = g_steal_pointer (&scores_path);
  self->umap_path = g_steal_pointer (&umap_path);
  memcpy (self->scores, table->knn_median, (gsize) n * sizeof (float));
  for (gsize c = 0; c < (gsize) n * table->k; c++)
    {
      self->neighbors[c] = table->neighbor_rows[c];
      self->neighbor_dist[c] = table->neighbor_dist[c];
    }

  if (self->umap_path != NULL && !read_map (self, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (dataset != NULL)
    self->dataset = dassie_dataset_ref (dataset);
  find_objects (self);
  dassie_catalog_rank (self);
  return g_steal_pointer (&self);
}

cairo_surface_t *
dassie_catalog_render_cutout (DassieCatalog              *self,
                              guint                       row,
                              const DassieDisplayOptions *options,
                              GError                    **error)
{
  g_autofree float *cube = NULL;
  guint object, nb, w, h;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (row < self->n, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (self->dataset == NULL || self->objects[row] < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Object %s is not in the open data set; open the data set that was scored"), self->ids[row]);
      return NULL;
    }

  object = (guint) self->objects[row];
  nb = dassie_dataset_get_n_bands (self->dataset);
  w = dassie_dataset_get_width (self->dataset);
  h = dassie_dataset_get_height (self->dataset);
  cube = g_new (float, (gsize) nb * w * h);
  if (!dassie_dataset_read_objects (self->dataset, &object, 1, FALSE, cube, NULL, error))
    return NULL;
  return dassie_display_render_surface (cube, nb, w, h, options);
}

gboolean
dassie_catalog_export (DassieCatalog       *self,
                       const guint32       *rows,
                       gsize                n_rows,
                       const char          *path,
                       DassieExportFormat   format,
                       GError             **error)
{
  g_autofree guint32 *sorted = NULL;
  g_autofree const char **ids = NULL;
  g_autofree float *scores = NULL;
  g_autofree guint32 *ranks = NULL;
  g_autofree float *x = NULL;
  g_autofree float *y = NULL;
  g_autofree const char **band_names = NULL;
  g_autofree const char **band_paths = NULL;
  g_autofree float *relevance = NULL;
  g_autofree const char **labels = NULL;
  DassieObjectList list = { 0 };
  guint nb = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (rows != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  sorted = g_new (guint32, MAX (n_rows, 1));
  for (gsize i = 0; i < n_rows; i++)
    {
      g_return_val_if_fail (rows[i] < self->n, FALSE);
      sorted[i] = rows[i];
    }
  g_qsort_with_data (sorted, (int) n_rows, sizeof (guint32), compare_by_rank, self->ranks);

  ids = g_new (const char *, MAX (n_rows, 1));
  scores = g_new (float, MAX (n_rows, 1));
  ranks = g_new (guint32, MAX (n_rows, 1));
  x = g_new (float, MAX (n_rows, 1));
  y = g_new (float, MAX (n_rows, 1));
  for (gsize i = 0; i < n_rows; i++)
    {
      ids[i] = self->ids[sorted[i]];
      scores[i] = self->scores[sorted[i]];
      ranks[i] = self->ranks[sorted[i]];
      x[i] = self->x[sorted[i]];
      y[i] = self->y[sorted[i]];
    }

  if (self->dataset != NULL)
    {
      nb = dassie_dataset_get_n_bands (self->dataset);
      band_names = g_new (const char *, MAX (nb, 1));
      band_paths = g_new0 (const char *, MAX (n_rows * nb, 1));
      for (guint b = 0; b < nb; b++)
        band_names[b] = dassie_dataset_get_band (self->dataset, b);
      for (gsize i = 0; i < n_rows; i++)
        for (guint b = 0; b < nb && self->objects[sorted[i]] >= 0; b++)
          band_paths[i * nb + b] = dassie_dataset_get_file (self->dataset, (guint) self->objects[sorted[i]], b);
    }

  list.n_rows = n_rows;
  list.ids = ids;
  list.scores = scores;
  list.ranks = ranks;
  list.umap_x = self->umap_path != NULL ? x : NULL;
  list.umap_y = self->umap_path != NULL ? y : NULL;
  list.n_bands = nb;
  list.band_names = band_names;
  list.band_paths = band_paths;
  if (self->relevance != NULL)
    {
      relevance = g_new (float, MAX (n_rows, 1));
      for (gsize i = 0; i < n_rows; i++)
        relevance[i] = self->relevance[sorted[i]];
      list.relevance = relevance;
    }
  if (self->labels != NULL)
    {
      labels = g_new (const char *, MAX (n_rows, 1));
      for (gsize i = 0; i < n_rows; i++)
        labels[i] = self->labels[sorted[i]] != DASSIE_LABEL_NONE ? dassie_label_to_string (self->labels[sorted[i]]) : "";
      list.labels = labels;
    }
  return dassie_export_write (&list, path, format, error);
}

/* ------------------------------------------------------------------------------------------------
 * Labels and the most promising order */

char *
dassie_catalog_get_identity (DassieCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return dassie_labels_identity_for_ids ((const char * const *) self->ids, self->n);
}

DassieLabels *
dassie_catalog_open_labels (DassieCatalog  *self,
                            const char     *store_dir,
                            GError        **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return dassie_labels_open (store_dir, (const char * const *) self->ids, self->n, error);
}

void
dassie_catalog_set_labels (DassieCatalog *self,
                           DassieLabels  *labels)
{
  g_return_if_fail (self != NULL);

  if (labels == NULL)
    {
      g_clear_pointer (&self->labels, g_free);
      return;
    }
  if (self->labels == NULL)
    self->labels = g_new0 (guint8, MAX (self->n, 1));
  dassie_labels_fill (labels, (const char * const *) self->ids, self->n, self->labels);
}

void
dassie_catalog_set_latents (DassieCatalog *self,
                            const float   *latents,
                            guint          dim)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (latents != NULL && dim > 0);

  g_free (self->latents);
  self->latents = g_memdup2 (latents, sizeof (float) * MAX ((gsize) self->n * dim, 1));
  self->latent_dim = dim;
  g_clear_pointer (&self->relevance_model, dassie_relevance_free);
}

gboolean
dassie_catalog_load_latents (DassieCatalog  *self,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autofree char *latents_path = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree float *data = NULL;
  g_autofree float *ordered = NULL;
  g_autoptr(GHashTable) rows = NULL;
  guint n_rows = 0, dim = 0, n_found = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->scores_path == NULL || !dassie_run_read_input (self->scores_path, &latents_path, NULL) ||
      latents_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The scores “%s” do not record the latent vectors they scored; compute the scores again"),
                   self->scores_path != NULL ? self->scores_path : "");
      return FALSE;
    }
  if (!dassie_table_read_vectors (latents_path, "LATENT", &ids, &n_rows, &data, &dim, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  rows = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint j = 0; j < n_rows; j++)
    g_hash_table_insert (rows, ids[j], GUINT_TO_POINTER (j));
  ordered = g_new0 (float, MAX ((gsize) self->n * dim, 1));
  for (guint i = 0; i < self->n; i++)
    {
      gpointer j;

      if (!g_hash_table_lookup_extended (rows, self->ids[i], NULL, &j))
        continue;
      memcpy (ordered + (gsize) i * dim, data + (gsize) GPOINTER_TO_UINT (j) * dim, sizeof (float) * dim);
      n_found++;
    }
  if (n_found != self->n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The latent vectors “%s” lack %u of the objects scored in “%s”; compute the scores again"),
                   latents_path, self->n - n_found, self->scores_path);
      return FALSE;
    }
  g_free (self->latents);
  self->latents = g_steal_pointer (&ordered);
  self->latent_dim = dim;
  g_clear_pointer (&self->relevance_model, dassie_relevance_free);
  return TRUE;
}

void
dassie_catalog_update_relevance (DassieCatalog                *self,
                                 const DassieRelevanceOptions *options)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->latents != NULL);

  if (self->relevance_model == NULL)
    self->relevance_model = dassie_relevance_new (self->latents, self->n, self->latent_dim, self->scores, options);
  if (self->relevance == NULL)
    {
      self->relevance = g_new (float, MAX (self->n, 1));
      self->promising = g_new (guint32, MAX (self->n, 1));
    }
  self->n_promising = dassie_relevance_update (self->relevance_model, self->labels, self->relevance, self->promising);
}
