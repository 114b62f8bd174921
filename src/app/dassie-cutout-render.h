/* dassie-cutout-render.h: cutouts of catalog rows made into textures on a worker thread
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-catalog.h"
#include "dassie-display.h"

G_BEGIN_DECLS

/* Renders rows @rows[0 .. n) of @catalog, each through @options[i] (or through @options[0] when
 * @n_options is 1), on a worker thread. Cutouts smaller than @min_size pixels are magnified by a
 * whole factor with square pixels, so that small cutouts stay sharp on screen. @source_object is
 * kept alive until @callback runs. */
void       dassie_cutouts_render_async  (gpointer                    source_object,
                                         DassieCatalog              *catalog,
                                         const guint32              *rows,
                                         gsize                       n,
                                         const DassieDisplayOptions *options,
                                         gsize                       n_options,
                                         guint                       min_size,
                                         GCancellable               *cancellable,
                                         GAsyncReadyCallback         callback,
                                         gpointer                    user_data);
/* One GdkTexture per row, NULL where the data set lacks the object. */
GPtrArray *dassie_cutouts_render_finish (GAsyncResult               *result,
                                         GError                    **error);
/* The same on the calling thread. */
GPtrArray *dassie_cutouts_render        (DassieCatalog              *catalog,
                                         const guint32              *rows,
                                         gsize                       n,
                                         const DassieDisplayOptions *options,
                                         gsize                       n_options,
                                         guint                       min_size,
                                         GCancellable               *cancellable);
/* @surface magnified by a whole factor with square pixels until it is @min_size pixels or more; takes
 * the surface. */
cairo_surface_t *dassie_surface_magnify   (cairo_surface_t          *surface,
                                         guint                     min_size);
/* A texture of a cairo image surface (ARGB32); takes the surface. */
GdkTexture *dassie_texture_new_for_surface (cairo_surface_t          *surface);

G_END_DECLS
