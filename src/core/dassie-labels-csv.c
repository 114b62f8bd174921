/* dassie-labels-csv.c: labels from and to CSV files (object_id,label[,note])
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-labels-private.h"

typedef struct
{
  GPtrArray *fields;   /* of char* */
  guint      line;     /* where the record starts, from 1 */
} Record;

static void
record_free (gpointer data)
{
  Record *r = data;

  g_ptr_array_unref (r->fields);
  g_free (r);
}

/* Every record of an RFC 4180 text: fields split at commas, double quotes around fields that hold
 * commas, quotes ("" inside) or line breaks; CRLF or LF line ends. */
static GPtrArray *
parse_records (const char *text)
{
  GPtrArray *records = g_ptr_array_new_with_free_func (record_free);
  g_autoptr(GString) field = g_string_new (NULL);
  Record *current = NULL;
  gboolean quoted = FALSE;
  guint line = 1;

  for (const char *p = text;; p++)
    {
      if (current == NULL)
        {
          if (*p == 0)
            break;
          current = g_new0 (Record, 1);
          current->fields = g_ptr_array_new_with_free_func (g_free);
          current->line = line;
        }
      if (quoted && *p != 0)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, '"'), p++;
          else if (*p == '"')
            quoted = FALSE;
          else
            {
              line += *p == '\n';
              g_string_append_c (field, *p);
            }
          continue;
        }
      if (*p == '"' && field->len == 0)
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (current->fields, g_strdup (field->str));
          g_string_truncate (field, 0);
        }
      else if (*p == '\n' || *p == 0)
        {
          if (field->len > 0 && field->str[field->len - 1] == '\r')
            g_string_truncate (field, field->len - 1);
          g_ptr_array_add (current->fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (records, g_steal_pointer (&current));
          line++;
          if (*p == 0)
            break;
        }
      else
        g_string_append_c (field, *p);
    }
  return records;
}

static const char *
record_field (const Record *r,
              int           column)
{
  return column >= 0 && (guint) column < r->fields->len ? g_ptr_array_index (r->fields, column) : NULL;
}

typedef struct
{
  char        *object_id;
  DassieLabel  label;
  char        *note;      /* NULL: no note column */
  GPtrArray   *tags;      /* NULL: no tags column */
} Row;

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_free (row->object_id);
  g_free (row->note);
  g_clear_pointer (&row->tags, g_ptr_array_unref);
}

static void
edit_import (DassieLabelEntry *e,
             gsize             index,
             gpointer          user_data)
{
  GArray *rows = user_data;
  const Row *row = &g_array_index (rows, Row, index);

  e->label = row->label;
  if (row->note != NULL)
    {
      g_free (e->note);
      e->note = *row->note != 0 ? g_strdup (row->note) : NULL;
    }
  if (row->tags != NULL)
    _dassie_label_entry_set_tags (e, row->tags);
}

/* The tags of a "tags" cell: separated by ';' (or spaces), normalised, without duplicates. */
static GPtrArray *
parse_tags (const char *cell)
{
  g_auto(GStrv) parts = g_strsplit_set (cell != NULL ? cell : "", "; ", -1);
  GPtrArray *tags = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *tag = _dassie_label_normalize_tag (parts[i]);

      if (tag != NULL && !g_ptr_array_find_with_equal_func (tags, tag, g_str_equal, NULL))
        g_ptr_array_add (tags, tag);
      else
        g_free (tag);
    }
  return tags;
}

gboolean
dassie_labels_import_csv (DassieLabels  *self,
                          const char    *path,
                          guint         *n_imported,
                          GStrv         *unknown_ids,
                          GError       **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_autoptr(GHashTable) row_of = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GStrvBuilder) unknown = g_strv_builder_new ();
  g_autoptr(GHashTable) unknown_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree const char **ids = NULL;
  int col_id = 0, col_label = 1, col_note = 2, col_tags = -1;
  guint first = 0;

  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  g_array_set_clear_func (rows, row_clear);
  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not read the labels “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not a text file in UTF-8; save the labels as CSV (object_id,label,note)"), path);
      return FALSE;
    }

  records = parse_records (text);
  if (records->len > 0)
    {
      const Record *header = g_ptr_array_index (records, 0);
      g_autofree char *head = g_strstrip (g_ascii_strdown (record_field (header, 0), -1));

      if (g_str_equal (head, "object_id"))
        {
          col_label = col_note = -1;
          for (guint c = 0; c < header->fields->len; c++)
            {
              g_autofree char *name = g_strstrip (g_ascii_strdown (g_ptr_array_index (header->fields, c), -1));

              if (g_str_equal (name, "label"))
                col_label = (int) c;
              else if (g_str_equal (name, "note"))
                col_note = (int) c;
              else if (g_str_equal (name, "tags") || (g_str_equal (name, "kind") && col_tags < 0))
                col_tags = (int) c;
            }
          first = 1;
        }
    }

  for (guint r = first; r < records->len; r++)
    {
      const Record *record = g_ptr_array_index (records, r);
      g_autofree char *id = g_strstrip (g_strdup (record_field (record, col_id)));
      const char *label_text = record_field (record, col_label);
      const char *note = record_field (record, col_note);
      DassieLabel label = DASSIE_LABEL_NONE;
      Row row = { 0 };
      gpointer existing;

      if (*id == 0 || *id == '#')
        continue;
      if (label_text != NULL && !dassie_label_from_string (label_text, &label))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s, line %u: “%s” is not a label; use interesting, boring, artifact or none "
                         "(nothing was imported)"),
                       path, record->line, label_text);
          return FALSE;
        }
      if (!dassie_labels_knows (self, id))
        {
          if (g_hash_table_add (unknown_seen, g_strdup (id)))
            g_strv_builder_add (unknown, id);
          continue;
        }
      row.label = label;
      row.note = col_note >= 0 ? g_strdup (note != NULL ? note : "") : NULL;
      row.tags = col_tags >= 0 ? parse_tags (record_field (record, col_tags)) : NULL;
      /* A later line of the same object wins. */
      if (g_hash_table_lookup_extended (row_of, id, NULL, &existing))
        {
          Row *old = &g_array_index (rows, Row, GPOINTER_TO_UINT (existing));

          row.object_id = g_steal_pointer (&old->object_id);
          row_clear (old);
          *old = row;
          continue;
        }
      row.object_id = g_steal_pointer (&id);
      g_array_append_val (rows, row);
      g_hash_table_insert (row_of, row.object_id, GUINT_TO_POINTER (rows->len - 1));
    }

  ids = g_new (const char *, MAX (rows->len, 1));
  for (guint i = 0; i < rows->len; i++)
    ids[i] = g_array_index (rows, Row, i).object_id;
  if (!_dassie_labels_edit (self, ids, rows->len, edit_import, rows, TRUE, error))
    return FALSE;
  if (n_imported != NULL)
    *n_imported = rows->len;
  if (unknown_ids != NULL)
    *unknown_ids = g_strv_builder_end (unknown);
  return TRUE;
}

static void
append_field (GString    *out,
              const char *value)
{
  if (value == NULL)
    return;
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

gboolean
dassie_labels_export_csv (DassieLabels  *self,
                          const char    *path,
                          GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GString) out = g_string_new ("object_id,label,note,tags,time\n");

  g_return_val_if_fail (DASSIE_IS_LABELS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  list = dassie_labels_list (self);
  for (guint i = 0; i < list->len; i++)
    {
      const DassieLabelEntry *e = g_ptr_array_index (list, i);
      g_autofree char *tags = g_strjoinv (";", e->tags);
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (e->time);
      g_autofree char *when = time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;

      append_field (out, e->object_id);
      g_string_append_c (out, ',');
      g_string_append (out, e->label == DASSIE_LABEL_NONE ? "" : dassie_label_to_string (e->label));
      g_string_append_c (out, ',');
      append_field (out, e->note);
      g_string_append_c (out, ',');
      append_field (out, tags);
      g_string_append_c (out, ',');
      append_field (out, when);
      g_string_append_c (out, '\n');
    }
  return dassie_write_file_atomic (path, out->str, out->len, error);
}
