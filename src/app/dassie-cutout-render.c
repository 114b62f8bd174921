/* dassie-cutout-render.c: cutouts of catalog rows made into textures on a worker thread
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-cutout-render.h"

typedef struct
{
  DassieCatalog        *catalog;
  guint32              *rows;
  gsize                 n;
  DassieDisplayOptions *options;
  gsize                 n_options;
  guint                 min_size;
} RenderRequest;

static void
render_request_free (RenderRequest *req)
{
  dassie_catalog_unref (req->catalog);
  g_free (req->rows);
  g_free (req->options);
  g_free (req);
}

GdkTexture *
dassie_texture_new_for_surface (cairo_surface_t *surface)
{
  g_autoptr(GBytes) bytes = NULL;
  int stride;

  g_return_val_if_fail (surface != NULL, NULL);

  cairo_surface_flush (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * cairo_image_surface_get_height (surface),
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  return gdk_memory_texture_new (cairo_image_surface_get_width (surface), cairo_image_surface_get_height (surface),
                                 GDK_MEMORY_DEFAULT, bytes, stride);
}

cairo_surface_t *
dassie_surface_magnify (cairo_surface_t *surface,
                        guint            min_size)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  int factor = (int) ((min_size + MAX (w, h) - 1) / MAX (MAX (w, h), 1));
  cairo_surface_t *big;
  cairo_t *cr;

  if (factor <= 1)
    return surface;
  big = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w * factor, h * factor);
  cr = cairo_create (big);
  cairo_scale (cr, factor, factor);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return big;
}

static void
texture_unref (gpointer texture)
{
  if (texture != NULL)
    g_object_unref (texture);
}

GPtrArray *
dassie_cutouts_render (DassieCatalog              *catalog,
                       const guint32              *rows,
                       gsize                       n,
                       const DassieDisplayOptions *options,
                       gsize                       n_options,
                       guint                       min_size,
                       GCancellable               *cancellable)
{
  GPtrArray *textures;

  g_return_val_if_fail (catalog != NULL, NULL);
  g_return_val_if_fail (rows != NULL || n == 0, NULL);
  g_return_val_if_fail (options != NULL && (n_options == 1 || n_options == n), NULL);

  textures = g_ptr_array_new_full (n, texture_unref);
  for (gsize i = 0; i < n; i++)
    {
      cairo_surface_t *surface = NULL;

      if (!g_cancellable_is_cancelled (cancellable) && rows[i] < catalog->n)
        surface = dassie_catalog_render_cutout (catalog, rows[i], &options[n_options == 1 ? 0 : i], NULL);
      g_ptr_array_add (textures, surface != NULL ? dassie_texture_new_for_surface (dassie_surface_magnify (surface, min_size)) : NULL);
    }
  return textures;
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderRequest *req = task_data;
  GPtrArray *textures = dassie_cutouts_render (req->catalog, req->rows, req->n, req->options, req->n_options,
                                               req->min_size, cancellable);

  if (g_task_return_error_if_cancelled (task))
    g_ptr_array_unref (textures);
  else
    g_task_return_pointer (task, textures, (GDestroyNotify) g_ptr_array_unref);
}

void
dassie_cutouts_render_async (gpointer                    source_object,
                             DassieCatalog              *catalog,
                             const guint32              *rows,
                             gsize                       n,
                             const DassieDisplayOptions *options,
                             gsize                       n_options,
                             guint                       min_size,
                             GCancellable               *cancellable,
                             GAsyncReadyCallback         callback,
                             gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  RenderRequest *req;

  g_return_if_fail (catalog != NULL);
  g_return_if_fail (rows != NULL || n == 0);
  g_return_if_fail (options != NULL && (n_options == 1 || n_options == n));

  req = g_new0 (RenderRequest, 1);
  req->catalog = dassie_catalog_ref (catalog);
  req->rows = g_memdup2 (rows, MAX (n, 1) * sizeof (guint32));
  req->n = n;
  req->options = g_memdup2 (options, n_options * sizeof (DassieDisplayOptions));
  req->n_options = n_options;
  req->min_size = min_size;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, dassie_cutouts_render_async);
  g_task_set_task_data (task, req, (GDestroyNotify) render_request_free);
  g_task_run_in_thread (task, render_thread);
}

GPtrArray *
dassie_cutouts_render_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
