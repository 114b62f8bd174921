/* dassie-safetensors.h: reading and writing safetensors files (PyTorch's state_dict on disk)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The format: an 8-byte little-endian header length, a JSON header naming every tensor's dtype, shape
 * and byte range, then the raw little-endian data. "__metadata__" holds string pairs. */

#define DASSIE_SAFETENSORS_ERROR (dassie_safetensors_error_quark ())
#define DASSIE_SAFETENSORS_MAX_DIMS 8

typedef enum
{
  DASSIE_SAFETENSORS_ERROR_TRUNCATED,
  DASSIE_SAFETENSORS_ERROR_CORRUPT,
  DASSIE_SAFETENSORS_ERROR_MISSING,
  DASSIE_SAFETENSORS_ERROR_MISMATCH,
} DassieSafetensorsError;

typedef struct _DassieSafetensors DassieSafetensors;
typedef struct _DassieSafetensorsWriter DassieSafetensorsWriter;

GQuark                   dassie_safetensors_error_quark    (void);

/* Reads and checks the whole file; every error names the file. */
DassieSafetensors       *dassie_safetensors_open           (const char               *path,
                                                            GError                  **error);
void                     dassie_safetensors_free           (DassieSafetensors        *self);
const char              *dassie_safetensors_get_path       (DassieSafetensors        *self);
/* Tensor names in file order (by data offset). */
const char * const      *dassie_safetensors_get_names      (DassieSafetensors        *self);
gboolean                 dassie_safetensors_has            (DassieSafetensors        *self,
                                                            const char               *name);
/* The shape of @name, or FALSE when there is no such tensor. */
gboolean                 dassie_safetensors_get_shape      (DassieSafetensors        *self,
                                                            const char               *name,
                                                            guint                    *ndim,
                                                            const gint64            **shape);
/* Copies float32 tensor @name, which must have exactly the shape @shape, into @out. */
gboolean                 dassie_safetensors_read           (DassieSafetensors        *self,
                                                            const char               *name,
                                                            guint                     ndim,
                                                            const gint64             *shape,
                                                            float                    *out,
                                                            GError                  **error);
/* A "__metadata__" value, or NULL. */
const char              *dassie_safetensors_get_metadata   (DassieSafetensors        *self,
                                                            const char               *key);

DassieSafetensorsWriter *dassie_safetensors_writer_new     (void);
void                     dassie_safetensors_writer_free    (DassieSafetensorsWriter  *self);
/* @data is borrowed until the file is written. */
void                     dassie_safetensors_writer_add     (DassieSafetensorsWriter  *self,
                                                            const char               *name,
                                                            guint                     ndim,
                                                            const gint64             *shape,
                                                            const float              *data);
void                     dassie_safetensors_writer_set_metadata (DassieSafetensorsWriter *self,
                                                                 const char              *key,
                                                                 const char              *value);
/* Writes under a temporary name and renames it over @path. */
gboolean                 dassie_safetensors_writer_write   (DassieSafetensorsWriter  *self,
                                                            const char               *path,
                                                            GError                  **error);

/* "(32, 3, 3, 3)" for messages. */
char                    *dassie_format_shape               (guint                     ndim,
                                                            const gint64             *shape);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieSafetensors, dassie_safetensors_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieSafetensorsWriter, dassie_safetensors_writer_free)

G_END_DECLS
