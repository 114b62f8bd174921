/* dassie-labels.c: the astronomer's labels of the objects of one data set, kept across runs
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-labels.h"
#include "dassie-labels-private.h"
#include "dassie-results.h"

#define STORE_FORMAT "dassie-labels"
#define STORE_VERSION 1

static const char *const label_names[DASSIE_N_LABELS] = { "none", "interesting", "boring", "artifact" };

const char *
dassie_label_to_string (DassieLabel label)
{
  g_return_val_if_fail ((guint) label < DASSIE_N_LABELS, "none");
  return label_names[label];
}

gboolean
dassie_label_from_string (const char  *text,
                          DassieLabel *label)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  lower = g_strstrip (g_ascii_strdown (text, -1));
  if (*lower == 0 || g_str_equal (lower, "clear"))
    {
      if (label != NULL)
        *label = DASSIE_LABEL_NONE;
      return TRUE;
    }
  for (guint l = 0; l < DASSIE_N_LABELS; l++)
    if (g_str_equal (lower, label_names[l]))
      {
        if (label != NULL)
          *label = (DassieLabel) l;
        return TRUE;
      }
  return FALSE;
}

const char *
dassie_label_get_display_name (DassieLabel label)
{
  switch (label)
    {
    case DASSIE_LABEL_INTERESTING:
      return _("Interesting");
    case DASSIE_LABEL_BORING:
      return _("Boring");
    case DASSIE_LABEL_ARTIFACT:
      return _("Artifact");
    case DASSIE_LABEL_NONE:
    default:
      return _("Unlabelled");
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
dassie_labels_identity_for_ids (const char * const *ids,
                                gsize               n_ids)
{
  g_autofree const char **sorted = g_new (const char *, MAX (n_ids, 1));
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *last = NULL;

  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  memcpy (sorted, ids, sizeof (char *) * n_ids);
  g_qsort_with_data (sorted, (gint) n_ids, sizeof (char *), compare_strings, NULL);
  for (gsize i = 0; i < n_ids; i++)
    {
      if (last != NULL && g_str_equal (last, sorted[i]))
        continue;
      g_checksum_update (checksum, (const guchar *) sorted[i], -1);
      g_checksum_update (checksum, (const guchar *) "\n", 1);
      last = sorted[i];
    }
  return g_strdup_printf ("ids-sha256:%.32s", g_checksum_get_string (checksum));
}

char *
dassie_labels_get_store_dir (const DassieConfig *config)
{
  const char *env = g_getenv ("DASSIE_LABELS_DIR");
  const char *configured = config != NULL ? dassie_config_get_string (config, "labels.dir") : NULL;

  if (env != NULL && *env != 0)
    return g_strdup (env);
  if (configured != NULL && *configured != 0)
    return g_strdup (configured);
  return g_build_filename (g_get_user_data_dir (), "dassie", "labels", NULL);
}

/* ------------------------------------------------------------------------------------------------
 * Entries */

static DassieLabelEntry *
entry_new (const char *object_id)
{
  DassieLabelEntry *e = g_new0 (DassieLabelEntry, 1);

  e->object_id = g_strdup (object_id);
  e->tags = g_new0 (char *, 1);
  return e;
}

static void
entry_free (gpointer data)
{
  DassieLabelEntry *e = data;

  if (e == NULL)
    return;
  g_free (e->object_id);
  g_strfreev (e->tags);
  g_free (e->note);
  g_free (e);
}

static DassieLabelEntry *
entry_copy (const DassieLabelEntry *e)
{
  DassieLabelEntry *copy;

  if (e == NULL)
    return NULL;
  copy = g_new0 (DassieLabelEntry, 1);
  copy->object_id = g_strdup (e->object_id);
  copy->label = e->label;
  copy->tags = g_strdupv (e->tags);
  copy->note = g_strdup (e->note);
  copy->time = e->time;
  return copy;
}

static gboolean
entry_is_empty (const DassieLabelEntry *e)
{
  return e->label == DASSIE_LABEL_NONE && e->tags[0] == NULL && (e->note == NULL || *e->note == 0);
}

static gboolean
entry_equal (const DassieLabelEntry *a,
             const DassieLabelEntry *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->label == b->label && g_strcmp0 (a->note, b->note) == 0 &&
         g_strv_equal ((const char * const *) a->tags, (const char * const *) b->tags);
}

void
_dassie_label_entry_set_tags (DassieLabelEntry *e,
                GPtrArray        *tags)
{
  char **sorted = g_new0 (char *, tags->len + 1);

  /* @tags may point into the old tags: copy before freeing them. */
  g_ptr_array_sort_with_data (tags, compare_strings, NULL);
  for (guint t = 0; t < tags->len; t++)
    sorted[t] = g_strdup (g_ptr_array_index (tags, t));
  g_strfreev (e->tags);
  e->tags = sorted;
}

/* A tag in the form it is stored: trimmed, in lower case; NULL when it is not a tag. */
char *
_dassie_label_normalize_tag (const char *tag)
{
  g_autofree char *lower = g_strstrip (g_utf8_strdown (tag, -1));

  if (*lower == 0 || strpbrk (lower, ",;\n\r\t") != NULL)
    return NULL;
  return g_steal_pointer (&lower);
}

/* ------------------------------------------------------------------------------------------------
 * The store */

typedef struct
{
  char             *object_id;
  DassieLabelEntry *before;  /* NULL: no entry */
  DassieLabelEntry *after;
} Change;

static void
change_free (gpointer data)
{
  Change *c = data;

  g_free (c->object_id);
  entry_free (c->before);
  entry_free (c->after);
  g_free (c);
}

struct _DassieLabels
{
  GObject     parent_instance;

  char       *path;
  char       *identity;
  GHashTable *known;     /* the data set's ids, or NULL to accept any */
  GHashTable *entries;   /* id → DassieLabelEntry */
  GPtrArray  *undo;      /* of GPtrArray of Change, the newest last */
  GPtrArray  *redo;
};

G_DEFINE_FINAL_TYPE (DassieLabels, dassie_labels, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_N_ENTRIES,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
dassie_labels_finalize (GObject *object)
{
  DassieLabels *self = DASSIE_LABELS (object);

  g_free (self->path);
  g_free (self->identity);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);

  G_OBJECT_CLASS (dassie_labels_parent_class)->finalize (object);
}

static void
dassie_labels_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DassieLabels *self = DASSIE_LABELS (object);

  switch (prop_id)
    {
    case PROP_N_ENTRIES:
      g_value_set_uint (value, dassie_labels_get_n_entries (self));
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, dassie_labels_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, dassie_labels_can_redo (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_labels_class_init (DassieLabelsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dassie_labels_finalize;
  object_class->get_property = dassie_labels_get_property;

  properties[PROP_N_ENTRIES] =
    g_param_spec_uint ("n-entries", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRV);
}

static void
dassie_labels_init (DassieLabels *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, entry_free);
  self->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
}

/* Puts @entry (taken; NULL removes) in the table as the entry of @object_id. */
static void
put_entry (DassieLabels     *self,
           const char       *object_id,
           DassieLabelEntry *entry)
{
  if (entry == NULL)
    g_hash_table_remove (self->entries, object_id);
  else
    g_hash_table_replace (self->entries, entry->object_id, entry);
}

/* ------------------------------------------------------------------------------------------------
 * The file */

static gboolean
load_store (DassieLabels  *self,
            GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *obj;
  JsonArray *items;

  if (self->path == NULL || !g_file_test (self->path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!json_parser_load_from_file (parser, self->path, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Could not read the labels in “%s”: %s. Move the file away to start with no labels."),
                   self->path, local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  obj = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  items = obj != NULL && json_object_has_member (obj, "labels") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "labels"))
          ? json_object_get_array_member (obj, "labels") : NULL;
  if (items == NULL || g_strcmp0 (json_object_get_string_member_with_default (obj, "format", ""), STORE_FORMAT) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not a Dassie label store. Move the file away to start with no labels."),
                   self->path);
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = item != NULL ? json_object_get_string_member_with_default (item, "object_id", NULL) : NULL;
      const char *label = item != NULL ? json_object_get_string_member_with_default (item, "label", "none") : NULL;
      DassieLabelEntry *e;

      if (id == NULL || label == NULL)
        continue;
      e = entry_new (id);
      if (!dassie_label_from_string (label, &e->label))
        e->label = DASSIE_LABEL_NONE;
      e->note = g_strdup (json_object_get_string_member_with_default (item, "note", NULL));
      e->time = json_object_get_int_member_with_default (item, "time", 0);
      if (json_object_has_member (item, "tags") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (item, "tags")))
        {
          JsonArray *tags = json_object_get_array_member (item, "tags");
          g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

          for (guint t = 0; t < json_array_get_length (tags); t++)
            {
              const char *tag = json_array_get_string_element (tags, t);
              char *normal = tag != NULL ? _dassie_label_normalize_tag (tag) : NULL;

              if (normal != NULL)
                g_ptr_array_add (list, normal);
            }
          _dassie_label_entry_set_tags (e, list);
        }
      if (entry_is_empty (e))
        entry_free (e);
      else
        put_entry (self, id, e);
    }
  return TRUE;
}

static gboolean
save_store (DassieLabels  *self,
            GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) list = dassie_labels_list (self);
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  gsize length;

  if (self->path == NULL)
    return TRUE;
  dir = g_path_get_dirname (self->path);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, STORE_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, STORE_VERSION);
  if (self->identity != NULL)
    {
      json_builder_set_member_name (builder, "identity");
      json_builder_add_string_value (builder, self->identity);
    }
  json_builder_set_member_name (builder, "labels");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    {
      const DassieLabelEntry *e = g_ptr_array_index (list, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "object_id");
      json_builder_add_string_value (builder, e->object_id);
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, dassie_label_to_string (e->label));
      if (e->tags[0] != NULL)
        {
          json_builder_set_member_name (builder, "tags");
          json_builder_begin_array (builder);
          for (guint t = 0; e->tags[t] != NULL; t++)
            json_builder_add_string_value (builder, e->tags[t]);
          json_builder_end_array (builder);
        }
      if (e->note != NULL)
        {
          json_builder_set_member_name (builder, "note");
          json_builder_add_string_value (builder, e->note);
        }
      json_builder_set_member_name (builder, "time");
      json_builder_add_int_value (builder, e->time);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder “%s” for the labels: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  text = dassie_json_builder_to_text (builder, TRUE, &length);
  return dassie_write_file_atomic (self->path, text, length, error);
}

static DassieLabels *
labels_new (char *path,
            char *identity)
{
  DassieLabels *self = g_object_new (DASSIE_TYPE_LABELS, NULL);

  self->path = path;
  self->identity = identity;
  return self;
}

static GHashTable *
id_set (const char * const *ids,
        gsize               n_ids)
{
  GHashTable *known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gsize i = 0; i < n_ids; i++)
    g_hash_table_add (known, g_strdup (ids[i]));
  return known;
}

DassieLabels *
dassie_labels_open (const char          *store_dir,
                    const char * const  *ids,
                    gsize                n_ids,
                    GError             **error)
{
  g_autofree char *dir = store_dir != NULL ? g_strdup (store_dir) : dassie_labels_get_store_dir (NULL);
  g_autofree char *identity = NULL;
  g_autofree char *name = NULL;
  g_autoptr(DassieLabels) self = NULL;

  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  identity = dassie_labels_identity_for_ids (ids, n_ids);
  name = g_strdup_printf ("%s.json", identity);
  g_strdelimit (name, ":", '-');
  self = labels_new (g_build_filename (dir, name, NULL), g_steal_pointer (&identity));
  self->known = id_set (ids, n_ids);
  if (!load_store (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

DassieLabels *
dassie_labels_new_in_memory (const char * const *ids,
                             gsize               n_ids)
{
  DassieLabels *self;

  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  self = labels_new (NULL, dassie_labels_identity_for_ids (ids, n_ids));
  self->known = id_set (ids, n_ids);
  return self;
}

DassieLabels *
dassie_labels_open_file (const char  *path,
                         GError     **error)
{
  g_autoptr(DassieLabels) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = labels_new (g_strdup (path), NULL);
  if (!load_store (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
dassie_labels_get_identity (DassieLabels *self)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), NULL);
  return self->identity;
}

const char *
dassie_labels_get_path (DassieLabels *self)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), NULL);
  return self->path;
}

guint
dassie_labels_get_n_entries (DassieLabels *self)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), 0);
  return g_hash_table_size (self->entries);
}

void
dassie_labels_count (DassieLabels *self,
                     guint        *counts)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (DASSIE_IS_LABELS (self));
  g_return_if_fail (counts != NULL);

  memset (counts, 0, sizeof (guint) * DASSIE_N_LABELS);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    counts[((DassieLabelEntry *) value)->label]++;
}

gboolean
dassie_labels_knows (DassieLabels *self,
                     const char   *object_id)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  g_return_val_if_fail (object_id != NULL, FALSE);
  return self->known == NULL || g_hash_table_contains (self->known, object_id);
}

DassieLabel
dassie_labels_get (DassieLabels *self,
                   const char   *object_id)
{
  const DassieLabelEntry *e = dassie_labels_lookup (self, object_id);

  return e != NULL ? e->label : DASSIE_LABEL_NONE;
}

const DassieLabelEntry *
dassie_labels_lookup (DassieLabels *self,
                      const char   *object_id)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), NULL);
  g_return_val_if_fail (object_id != NULL, NULL);
  return g_hash_table_lookup (self->entries, object_id);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const DassieLabelEntry *x = *(const DassieLabelEntry * const *) a;
  const DassieLabelEntry *y = *(const DassieLabelEntry * const *) b;

  return strcmp (x->object_id, y->object_id);
}

GPtrArray *
dassie_labels_list (DassieLabels *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (DASSIE_IS_LABELS (self), NULL);

  list = g_ptr_array_sized_new (g_hash_table_size (self->entries));
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort_with_data (list, compare_entries, NULL);
  return list;
}

void
dassie_labels_fill (DassieLabels        *self,
                    const char * const  *ids,
                    gsize                n_ids,
                    guint8              *out)
{
  g_return_if_fail (DASSIE_IS_LABELS (self));
  g_return_if_fail (ids != NULL || n_ids == 0);
  g_return_if_fail (out != NULL || n_ids == 0);

  for (gsize i = 0; i < n_ids; i++)
    out[i] = (guint8) dassie_labels_get (self, ids[i]);
}

/* ------------------------------------------------------------------------------------------------
 * Changes: every edit is a list of before/after entries, applied, saved, and kept for undo */

static void
notify_changed (DassieLabels *self,
                GPtrArray    *changes,
                gboolean      all,
                guint         n_before,
                gboolean      could_undo,
                gboolean      could_redo)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;

  if (!all)
    for (guint i = 0; i < changes->len; i++)
      g_strv_builder_add (builder, ((Change *) g_ptr_array_index (changes, i))->object_id);
  ids = all ? NULL : g_strv_builder_end (builder);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, ids);
  if (n_before != dassie_labels_get_n_entries (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ENTRIES]);
  if (could_undo != dassie_labels_can_undo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (could_redo != dassie_labels_can_redo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

/* Puts the before (@forward FALSE) or after state of every change in the table. */
static void
apply_changes (DassieLabels *self,
               GPtrArray    *changes,
               gboolean      forward)
{
  for (guint i = 0; i < changes->len; i++)
    {
      Change *c = g_ptr_array_index (changes, i);

      put_entry (self, c->object_id, entry_copy (forward ? c->after : c->before));
    }
}

/* Edits the entry of each of @ids through @edit (which returns FALSE when it changed nothing), saves,
 * and records one undo step. The change is taken back when saving fails. */
gboolean
_dassie_labels_edit (DassieLabels        *self,
                     const char * const  *ids,
                     gsize                n_ids,
                     DassieLabelsEditFunc edit,
                     gpointer             user_data,
                     gboolean             many,
                     GError             **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (change_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n_before = dassie_labels_get_n_entries (self);
  gboolean could_undo = dassie_labels_can_undo (self), could_redo = dassie_labels_can_redo (self);

  for (gsize i = 0; i < n_ids; i++)
    if (!dassie_labels_knows (self, ids[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("There is no object with id %s in this data set; nothing was labelled"), ids[i]);
        return FALSE;
      }

  for (gsize i = 0; i < n_ids; i++)
    {
      const DassieLabelEntry *current;
      DassieLabelEntry *work;
      Change *c;

      if (!g_hash_table_add (seen, (gpointer) ids[i]))
        continue;
      current = g_hash_table_lookup (self->entries, ids[i]);
      work = current != NULL ? entry_copy (current) : entry_new (ids[i]);
      edit (work, i, user_data);
      if (entry_equal (entry_is_empty (work) ? NULL : work, current))
        {
          entry_free (work);
          continue;
        }
      work->time = now;
      c = g_new0 (Change, 1);
      c->object_id = g_strdup (ids[i]);
      c->before = entry_copy (current);
      c->after = entry_is_empty (work) ? (entry_free (work), NULL) : work;
      g_ptr_array_add (changes, c);
    }
  if (changes->len == 0)
    return TRUE;

  apply_changes (self, changes, TRUE);
  if (!save_store (self, error))
    {
      apply_changes (self, changes, FALSE);
      return FALSE;
    }
  g_ptr_array_set_size (self->redo, 0);
  g_ptr_array_add (self->undo, g_ptr_array_ref (changes));
  notify_changed (self, changes, many, n_before, could_undo, could_redo);
  return TRUE;
}

static void
edit_label (DassieLabelEntry *e,
            gsize             index,
            gpointer          user_data)
{
  e->label = (DassieLabel) GPOINTER_TO_UINT (user_data);
}

gboolean
dassie_labels_set (DassieLabels  *self,
                   const char    *object_id,
                   DassieLabel    label,
                   GError       **error)
{
  g_return_val_if_fail (object_id != NULL, FALSE);
  return dassie_labels_set_many (self, &object_id, 1, label, error);
}

gboolean
dassie_labels_set_many (DassieLabels        *self,
                        const char * const  *ids,
                        gsize                n_ids,
                        DassieLabel          label,
                        GError             **error)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);
  g_return_val_if_fail ((guint) label < DASSIE_N_LABELS, FALSE);

  return _dassie_labels_edit (self, ids, n_ids, edit_label, GUINT_TO_POINTER (label), FALSE, error);
}

static void
edit_clear (DassieLabelEntry *e,
            gsize             index,
            gpointer          user_data)
{
  e->label = DASSIE_LABEL_NONE;
  g_clear_pointer (&e->note, g_free);
  g_strfreev (e->tags);
  e->tags = g_new0 (char *, 1);
}

gboolean
dassie_labels_clear (DassieLabels        *self,
                     const char * const  *ids,
                     gsize                n_ids,
                     GError             **error)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  return _dassie_labels_edit (self, ids, n_ids, edit_clear, NULL, FALSE, error);
}

gboolean
dassie_labels_clear_all (DassieLabels  *self,
                         GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_auto(GStrv) ids = NULL;

  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);

  /* Copies: the edit replaces the entries that hold the ids. */
  list = dassie_labels_list (self);
  ids = g_new0 (char *, list->len + 1);
  for (guint i = 0; i < list->len; i++)
    ids[i] = g_strdup (((DassieLabelEntry *) g_ptr_array_index (list, i))->object_id);
  return _dassie_labels_edit (self, (const char * const *) ids, list->len, edit_clear, NULL, TRUE, error);
}

static void
edit_note (DassieLabelEntry *e,
           gsize             index,
           gpointer          user_data)
{
  const char *note = user_data;

  g_free (e->note);
  e->note = note != NULL && *note != 0 ? g_strdup (note) : NULL;
}

gboolean
dassie_labels_set_note (DassieLabels  *self,
                        const char    *object_id,
                        const char    *note,
                        GError       **error)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  g_return_val_if_fail (object_id != NULL, FALSE);

  return _dassie_labels_edit (self, &object_id, 1, edit_note, (gpointer) note, FALSE, error);
}

typedef struct
{
  const char *tag;
  gboolean    add;
} TagEdit;

static void
edit_tag (DassieLabelEntry *e,
          gsize             index,
          gpointer          user_data)
{
  const TagEdit *t = user_data;
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  gboolean had = FALSE;

  for (guint i = 0; e->tags[i] != NULL; i++)
    {
      if (g_str_equal (e->tags[i], t->tag))
        had = TRUE;
      else
        g_ptr_array_add (tags, e->tags[i]);
    }
  if (t->add)
    g_ptr_array_add (tags, (gpointer) t->tag);
  if (had != t->add)
    _dassie_label_entry_set_tags (e, tags);
}

static gboolean
change_tag (DassieLabels        *self,
            const char * const  *ids,
            gsize                n_ids,
            const char          *tag,
            gboolean             add,
            GError             **error)
{
  g_autofree char *normal = NULL;
  TagEdit t;

  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);

  normal = _dassie_label_normalize_tag (tag);
  if (normal == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a tag: give a word without commas, semicolons or line breaks"), tag);
      return FALSE;
    }
  t.tag = normal;
  t.add = add;
  return _dassie_labels_edit (self, ids, n_ids, edit_tag, &t, FALSE, error);
}

gboolean
dassie_labels_add_tag (DassieLabels        *self,
                       const char * const  *ids,
                       gsize                n_ids,
                       const char          *tag,
                       GError             **error)
{
  return change_tag (self, ids, n_ids, tag, TRUE, error);
}

gboolean
dassie_labels_remove_tag (DassieLabels        *self,
                          const char * const  *ids,
                          gsize                n_ids,
                          const char          *tag,
                          GError             **error)
{
  return change_tag (self, ids, n_ids, tag, FALSE, error);
}

gboolean
dassie_labels_can_undo (DassieLabels *self)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  return self->undo->len > 0;
}

gboolean
dassie_labels_can_redo (DassieLabels *self)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  return self->redo->len > 0;
}

/* Moves the newest step of @from to @to, applying its before (undo) or after (redo) state. */
static gboolean
replay (DassieLabels  *self,
        GPtrArray     *from,
        GPtrArray     *to,
        gboolean       forward,
        GError       **error)
{
  g_autoptr(GPtrArray) changes = NULL;
  guint n_before = dassie_labels_get_n_entries (self);
  gboolean could_undo = dassie_labels_can_undo (self), could_redo = dassie_labels_can_redo (self);

  if (from->len == 0)
    return FALSE;
  changes = g_ptr_array_steal_index (from, from->len - 1);
  apply_changes (self, changes, forward);
  if (!save_store (self, error))
    {
      apply_changes (self, changes, !forward);
      g_ptr_array_add (from, g_steal_pointer (&changes));
      return FALSE;
    }
  g_ptr_array_add (to, g_ptr_array_ref (changes));
  notify_changed (self, changes, FALSE, n_before, could_undo, could_redo);
  return TRUE;
}

gboolean
dassie_labels_undo (DassieLabels  *self,
                    GError       **error)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  return replay (self, self->undo, self->redo, FALSE, error);
}

gboolean
dassie_labels_redo (DassieLabels  *self,
                    GError       **error)
{
  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  return replay (self, self->redo, self->undo, TRUE, error);
}
