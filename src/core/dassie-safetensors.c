/* dassie-safetensors.c: reading and writing safetensors files (PyTorch's state_dict on disk)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-safetensors.h"

/* A header larger than this is not a weights file of ours; refusing it bounds the memory a bad file
 * can make us allocate. */
#define MAX_HEADER_BYTES (100 * 1024 * 1024)

typedef struct
{
  char   *name;
  char   *dtype;
  guint   ndim;
  gint64  shape[DASSIE_SAFETENSORS_MAX_DIMS];
  guint64 begin;
  guint64 end;
} TensorInfo;

struct _DassieSafetensors
{
  char       *path;
  char       *contents;
  gsize       length;
  const char *data;          /* start of the data section */
  guint64     data_length;
  GPtrArray  *tensors;       /* TensorInfo*, by offset */
  GHashTable *by_name;       /* name → TensorInfo* */
  GHashTable *metadata;      /* key → value */
  GPtrArray  *names;         /* NULL-terminated */
};

typedef struct
{
  char         *name;
  guint         ndim;
  gint64        shape[DASSIE_SAFETENSORS_MAX_DIMS];
  const float  *data;
} WriterTensor;

struct _DassieSafetensorsWriter
{
  GPtrArray  *tensors;       /* WriterTensor* */
  GHashTable *metadata;
  GPtrArray  *metadata_keys; /* insertion order */
};

G_DEFINE_QUARK (dassie-safetensors-error-quark, dassie_safetensors_error)

static void
tensor_info_free (TensorInfo *info)
{
  g_free (info->name);
  g_free (info->dtype);
  g_free (info);
}

static guint
dtype_size (const char *dtype)
{
  static const struct { const char *name; guint size; } sizes[] = {
    { "F64", 8 }, { "F32", 4 }, { "F16", 2 }, { "BF16", 2 }, { "I64", 8 }, { "I32", 4 },
    { "I16", 2 }, { "I8", 1 }, { "U64", 8 }, { "U32", 4 }, { "U16", 2 }, { "U8", 1 }, { "BOOL", 1 },
    { "F8_E4M3", 1 }, { "F8_E5M2", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (g_str_equal (dtype, sizes[i].name))
      return sizes[i].size;
  return 0;
}

char *
dassie_format_shape (guint         ndim,
                     const gint64 *shape)
{
  GString *s = g_string_new ("(");

  for (guint i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", shape[i]);
  g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

static gboolean
corrupt (GError     **error,
         const char  *path,
         const char  *what)
{
  g_set_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_CORRUPT,
               _("“%s” is not a valid safetensors file: %s. Copy or export it again."), path, what);
  return FALSE;
}

static gboolean
parse_tensor (DassieSafetensors  *self,
              const char         *name,
              JsonNode           *node,
              GError            **error)
{
  g_autofree char *what = NULL;
  JsonObject *obj;
  JsonArray *shape;
  JsonArray *offsets;
  TensorInfo *info;
  guint64 numel = 1;
  guint size;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto bad;
  obj = json_node_get_object (node);
  if (!json_object_has_member (obj, "dtype") || !json_object_has_member (obj, "shape") ||
      !json_object_has_member (obj, "data_offsets") ||
      json_node_get_value_type (json_object_get_member (obj, "dtype")) != G_TYPE_STRING ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "shape")) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "data_offsets")))
    goto bad;

  shape = json_object_get_array_member (obj, "shape");
  offsets = json_object_get_array_member (obj, "data_offsets");
  if (json_array_get_length (shape) > DASSIE_SAFETENSORS_MAX_DIMS || json_array_get_length (offsets) != 2)
    goto bad;

  info = g_new0 (TensorInfo, 1);
  info->name = g_strdup (name);
  info->dtype = g_strdup (json_object_get_string_member (obj, "dtype"));
  info->ndim = json_array_get_length (shape);
  g_ptr_array_add (self->tensors, info);

  for (guint i = 0; i < info->ndim; i++)
    {
      JsonNode *d = json_array_get_element (shape, i);

      if (json_node_get_value_type (d) != G_TYPE_INT64 || json_node_get_int (d) < 0)
        goto bad;
      info->shape[i] = json_node_get_int (d);
      if (info->shape[i] > 0 && numel > G_MAXUINT64 / (guint64) info->shape[i])
        goto bad;
      numel *= (guint64) info->shape[i];
    }
  for (guint i = 0; i < 2; i++)
    {
      JsonNode *d = json_array_get_element (offsets, i);

      if (json_node_get_value_type (d) != G_TYPE_INT64 || json_node_get_int (d) < 0)
        goto bad;
    }
  info->begin = json_array_get_int_element (offsets, 0);
  info->end = json_array_get_int_element (offsets, 1);

  size = dtype_size (info->dtype);
  if (size == 0)
    {
      what = g_strdup_printf (_("tensor “%s” has the unknown dtype “%s”"), name, info->dtype);
      return corrupt (error, self->path, what);
    }
  if (info->end < info->begin || numel > G_MAXUINT64 / size || info->end - info->begin != numel * size)
    {
      what = g_strdup_printf (_("the byte range of tensor “%s” does not match its shape"), name);
      return corrupt (error, self->path, what);
    }
  if (info->end > self->data_length)
    {
      g_set_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_TRUNCATED,
                   _("“%s” is truncated: tensor “%s” needs bytes up to %" PRIu64
                     " of the data but the file holds only %" PRIu64
                     ". Copy the file again or use an earlier checkpoint."),
                   self->path, name, info->end, self->data_length);
      return FALSE;
    }

  g_hash_table_insert (self->by_name, info->name, info);
  return TRUE;

bad:
  what = g_strdup_printf (_("the header entry of tensor “%s” is malformed"), name);
  return corrupt (error, self->path, what);
}

static int
compare_offsets (gconstpointer a,
                 gconstpointer b)
{
  const TensorInfo *ta = *(TensorInfo * const *) a;
  const TensorInfo *tb = *(TensorInfo * const *) b;

  return ta->begin < tb->begin ? -1 : ta->begin > tb->begin ? 1 : 0;
}

DassieSafetensors *
dassie_safetensors_open (const char  *path,
                         GError     **error)
{
  g_autoptr(DassieSafetensors) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *header;
  guint64 header_length;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_new0 (DassieSafetensors, 1);
  self->path = g_strdup (path);
  self->tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) tensor_info_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!g_file_get_contents (path, &self->contents, &self->length, error))
    return NULL;

  if (self->length < 8)
    {
      g_set_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_TRUNCATED,
                   _("“%s” is too short to be a safetensors file (%zu"
                     " bytes): it is truncated or empty. Copy the file again."),
                   path, self->length);
      return NULL;
    }

  memcpy (&header_length, self->contents, 8);
  header_length = GUINT64_FROM_LE (header_length);
  if (header_length > MAX_HEADER_BYTES)
    {
      corrupt (error, path, _("its header length is implausible"));
      return NULL;
    }
  if (header_length > self->length - 8)
    {
      g_set_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_TRUNCATED,
                   _("“%s” is truncated: its header needs %" PRIu64
                     " bytes but the file has only %zu. Copy the file again."),
                   path, header_length, self->length - 8);
      return NULL;
    }
  self->data = self->contents + 8 + header_length;
  self->data_length = self->length - 8 - header_length;

  parser = json_parser_new ();
  if (header_length == 0 ||
      !json_parser_load_from_data (parser, self->contents + 8, (gssize) header_length, &json_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      corrupt (error, path, _("its header is not a JSON object"));
      return NULL;
    }

  header = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (header);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (header, name);

      if (g_str_equal (name, "__metadata__"))
        {
          g_autoptr(GList) keys = NULL;
          JsonObject *meta;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              corrupt (error, path, _("its metadata is not a JSON object"));
              return NULL;
            }
          meta = json_node_get_object (node);
          keys = json_object_get_members (meta);
          for (const GList *k = keys; k != NULL; k = k->next)
            {
              JsonNode *value = json_object_get_member (meta, k->data);

              if (json_node_get_value_type (value) == G_TYPE_STRING)
                g_hash_table_insert (self->metadata, g_strdup (k->data), g_strdup (json_node_get_string (value)));
            }
          continue;
        }

      if (!parse_tensor (self, name, node, error))
        return NULL;
    }

  g_ptr_array_sort (self->tensors, compare_offsets);
  self->names = g_ptr_array_new ();
  for (guint i = 0; i < self->tensors->len; i++)
    {
      TensorInfo *info = g_ptr_array_index (self->tensors, i);

      if (i > 0 && info->begin < ((TensorInfo *) g_ptr_array_index (self->tensors, i - 1))->end)
        {
          corrupt (error, path, _("two tensors overlap"));
          return NULL;
        }
      g_ptr_array_add (self->names, info->name);
    }
  g_ptr_array_add (self->names, NULL);

  return g_steal_pointer (&self);
}

void
dassie_safetensors_free (DassieSafetensors *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->contents);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->tensors, g_ptr_array_unref);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_free (self);
}

const char *
dassie_safetensors_get_path (DassieSafetensors *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

const char * const *
dassie_safetensors_get_names (DassieSafetensors *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->names->pdata;
}

gboolean
dassie_safetensors_has (DassieSafetensors *self,
                        const char        *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return g_hash_table_contains (self->by_name, name);
}

gboolean
dassie_safetensors_get_shape (DassieSafetensors  *self,
                              const char         *name,
                              guint              *ndim,
                              const gint64      **shape)
{
  TensorInfo *info;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  info = g_hash_table_lookup (self->by_name, name);
  if (info == NULL)
    return FALSE;
  if (ndim != NULL)
    *ndim = info->ndim;
  if (shape != NULL)
    *shape = info->shape;
  return TRUE;
}

gboolean
dassie_safetensors_read (DassieSafetensors  *self,
                         const char         *name,
                         guint               ndim,
                         const gint64       *shape,
                         float              *out,
                         GError            **error)
{
  TensorInfo *info;
  gboolean same;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  info = g_hash_table_lookup (self->by_name, name);
  if (info == NULL)
    {
      g_set_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_MISSING,
                   _("“%s” has no tensor “%s”: it holds weights of a different model, or is incomplete."),
                   self->path, name);
      return FALSE;
    }
  if (!g_str_equal (info->dtype, "F32"))
    {
      g_set_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_MISMATCH,
                   _("Tensor “%s” in “%s” is %s, but Dassie reads float32 (F32) tensors only. "
                     "Save the model with float32 weights."),
                   name, self->path, info->dtype);
      return FALSE;
    }

  same = info->ndim == ndim;
  for (guint i = 0; same && i < ndim; i++)
    same = info->shape[i] == shape[i];
  if (!same)
    {
      g_autofree char *have = dassie_format_shape (info->ndim, info->shape);
      g_autofree char *want = dassie_format_shape (ndim, shape);

      g_set_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_MISMATCH,
                   _("Tensor “%s” in “%s” has the shape %s but %s is expected: the file was made "
                     "for a model of another size (channels, image size, base channels or latent "
                     "dimension)."),
                   name, self->path, have, want);
      return FALSE;
    }

  memcpy (out, self->data + info->begin, info->end - info->begin);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (guint64 i = 0; i < (info->end - info->begin) / 4; i++)
    {
      guint32 v;
      memcpy (&v, out + i, 4);
      v = GUINT32_FROM_LE (v);
      memcpy (out + i, &v, 4);
    }
#endif
  return TRUE;
}

const char *
dassie_safetensors_get_metadata (DassieSafetensors *self,
                                 const char        *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (self->metadata, key);
}

static void
writer_tensor_free (WriterTensor *t)
{
  g_free (t->name);
  g_free (t);
}

DassieSafetensorsWriter *
dassie_safetensors_writer_new (void)
{
  DassieSafetensorsWriter *self = g_new0 (DassieSafetensorsWriter, 1);

  self->tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) writer_tensor_free);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->metadata_keys = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
dassie_safetensors_writer_free (DassieSafetensorsWriter *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->tensors);
  g_ptr_array_unref (self->metadata_keys);
  g_hash_table_unref (self->metadata);
  g_free (self);
}

void
dassie_safetensors_writer_add (DassieSafetensorsWriter *self,
                               const char              *name,
                               guint                    ndim,
                               const gint64            *shape,
                               const float             *data)
{
  WriterTensor *t;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && !g_str_equal (name, "__metadata__"));
  g_return_if_fail (ndim <= DASSIE_SAFETENSORS_MAX_DIMS);
  g_return_if_fail (data != NULL);

  t = g_new0 (WriterTensor, 1);
  t->name = g_strdup (name);
  t->ndim = ndim;
  memcpy (t->shape, shape, ndim * sizeof (gint64));
  t->data = data;
  g_ptr_array_add (self->tensors, t);
}

void
dassie_safetensors_writer_set_metadata (DassieSafetensorsWriter *self,
                                        const char              *key,
                                        const char              *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL && value != NULL);

  if (!g_hash_table_contains (self->metadata, key))
    g_ptr_array_add (self->metadata_keys, g_strdup (key));
  g_hash_table_replace (self->metadata, g_strdup (key), g_strdup (value));
}

static guint64
numel (const WriterTensor *t)
{
  guint64 n = 1;

  for (guint i = 0; i < t->ndim; i++)
    n *= (guint64) t->shape[i];
  return n;
}

gboolean
dassie_safetensors_writer_write (DassieSafetensorsWriter  *self,
                                 const char               *path,
                                 GError                  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *header = NULL;
  g_autofree char *buffer = NULL;
  gsize header_length;
  gsize padded;
  guint64 offset = 0;
  guint64 le;
  gsize total;
  char *p;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  json_builder_begin_object (builder);
  if (self->metadata_keys->len > 0)
    {
      json_builder_set_member_name (builder, "__metadata__");
      json_builder_begin_object (builder);
      for (guint i = 0; i < self->metadata_keys->len; i++)
        {
          const char *key = g_ptr_array_index (self->metadata_keys, i);

          json_builder_set_member_name (builder, key);
          json_builder_add_string_value (builder, g_hash_table_lookup (self->metadata, key));
        }
      json_builder_end_object (builder);
    }
  for (guint i = 0; i < self->tensors->len; i++)
    {
      WriterTensor *t = g_ptr_array_index (self->tensors, i);
      guint64 bytes = numel (t) * 4;

      json_builder_set_member_name (builder, t->name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "dtype");
      json_builder_add_string_value (builder, "F32");
      json_builder_set_member_name (builder, "shape");
      json_builder_begin_array (builder);
      for (guint d = 0; d < t->ndim; d++)
        json_builder_add_int_value (builder, t->shape[d]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "data_offsets");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, (gint64) offset);
      json_builder_add_int_value (builder, (gint64) (offset + bytes));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      offset += bytes;
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  header = json_generator_to_data (gen, &header_length);

  /* Pad the header with spaces so that the data starts 8-byte aligned, as the reference writer does. */
  padded = (header_length + 7) & ~(gsize) 7;
  total = 8 + padded + offset;
  buffer = g_malloc (total);
  le = GUINT64_TO_LE ((guint64) padded);
  memcpy (buffer, &le, 8);
  memcpy (buffer + 8, header, header_length);
  memset (buffer + 8 + header_length, ' ', padded - header_length);
  p = buffer + 8 + padded;
  for (guint i = 0; i < self->tensors->len; i++)
    {
      WriterTensor *t = g_ptr_array_index (self->tensors, i);
      gsize bytes = numel (t) * 4;

      memcpy (p, t->data, bytes);
#if G_BYTE_ORDER == G_BIG_ENDIAN
      for (gsize k = 0; k < bytes / 4; k++)
        {
          guint32 v;
          memcpy (&v, p + 4 * k, 4);
          v = GUINT32_TO_LE (v);
          memcpy (p + 4 * k, &v, 4);
        }
#endif
      p += bytes;
    }

  return dassie_write_file_atomic (path, buffer, total, error);
}
