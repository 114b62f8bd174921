/* dassie-results.c: timestamped run folders, built under a temporary name and renamed when complete
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dassie-fileutil.h"
#include "dassie-results.h"

struct _DassieRun
{
  char *dir;        /* where files are written now */
  char *final_dir;  /* where the folder goes on commit */
  char *name;
  gboolean committed;
};

static char *
random_suffix (void)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  char s[5];

  for (guint i = 0; i < 4; i++)
    s[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  s[4] = 0;
  return g_strdup (s);
}

DassieRun *
dassie_run_begin (const char          *results_dir,
                  const char          *verb,
                  const DassieConfig  *config,
                  GError             **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autoptr(DassieRun) run = NULL;
  g_autofree char *config_path = NULL;

  g_return_val_if_fail (results_dir != NULL, NULL);
  g_return_val_if_fail (verb != NULL, NULL);

  if (g_mkdir_with_parents (results_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the results folder “%s”: %s"), results_dir, g_strerror (saved));
      return NULL;
    }

  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  run = g_new0 (DassieRun, 1);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *suffix = random_suffix ();
      g_autofree char *incomplete = NULL;

      g_free (run->name);
      g_free (run->final_dir);
      g_free (run->dir);
      run->name = g_strdup_printf ("%s-%s-%s", stamp, verb, suffix);
      run->final_dir = g_build_filename (results_dir, run->name, NULL);
      incomplete = g_strconcat (run->name, DASSIE_RUN_INCOMPLETE_SUFFIX, NULL);
      run->dir = g_build_filename (results_dir, incomplete, NULL);

      if (g_file_test (run->final_dir, G_FILE_TEST_EXISTS))
        continue;
      if (g_mkdir (run->dir, 0755) == 0)
        break;
      if (errno != EEXIST)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not create the run folder “%s”: %s"), run->dir, g_strerror (saved));
          return NULL;
        }
    }

  if (config != NULL)
    {
      config_path = g_build_filename (run->dir, "config.json", NULL);
      if (!dassie_config_save_file (config, config_path, error))
        {
          dassie_run_discard (run);
          return NULL;
        }
    }

  return g_steal_pointer (&run);
}

DassieRun *
dassie_run_reopen (const char  *incomplete_dir,
                   GError     **error)
{
  DassieRun *run;
  g_autofree char *base = NULL;
  g_autofree char *parent = NULL;

  g_return_val_if_fail (incomplete_dir != NULL, NULL);

  base = g_path_get_basename (incomplete_dir);
  if (!g_str_has_suffix (base, DASSIE_RUN_INCOMPLETE_SUFFIX) ||
      !g_file_test (incomplete_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("“%s” is not an unfinished run folder"), incomplete_dir);
      return NULL;
    }

  parent = g_path_get_dirname (incomplete_dir);
  run = g_new0 (DassieRun, 1);
  run->dir = g_strdup (incomplete_dir);
  run->name = g_strndup (base, strlen (base) - strlen (DASSIE_RUN_INCOMPLETE_SUFFIX));
  run->final_dir = g_build_filename (parent, run->name, NULL);
  return run;
}

const char *
dassie_run_get_dir (DassieRun *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dir;
}

const char *
dassie_run_get_final_dir (DassieRun *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->final_dir;
}

const char *
dassie_run_get_name (DassieRun *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

char *
dassie_run_build_path (DassieRun  *self,
                       const char *file_name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (file_name != NULL, NULL);

  return g_build_filename (self->dir, file_name, NULL);
}

gboolean
dassie_run_commit (DassieRun  *self,
                   GError    **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->committed, FALSE);

  if (g_rename (self->dir, self->final_dir) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not complete the run folder “%s”: %s"), self->final_dir, g_strerror (saved));
      return FALSE;
    }

  g_free (self->dir);
  self->dir = g_strdup (self->final_dir);
  self->committed = TRUE;
  return TRUE;
}

void
dassie_run_discard (DassieRun *self)
{
  g_return_if_fail (self != NULL);

  if (!self->committed)
    dassie_remove_tree (self->dir, NULL);
}

void
dassie_run_free (DassieRun *self)
{
  if (self == NULL)
    return;
  g_free (self->dir);
  g_free (self->final_dir);
  g_free (self->name);
  g_free (self);
}

/* Parses "YYYYmmdd-HHMMSS-<verb>-<4 chars>[.incomplete]". */
DassieRunInfo *
dassie_run_info_parse (const char *path)
{
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  gboolean complete = TRUE;
  int Y, m, d, H, M, S;
  char verb[64];
  char suffix[8];
  const char *last_dash;
  DassieRunInfo *info;

  g_return_val_if_fail (path != NULL, NULL);

  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, DASSIE_RUN_INCOMPLETE_SUFFIX))
    {
      complete = FALSE;
      name = g_strndup (base, strlen (base) - strlen (DASSIE_RUN_INCOMPLETE_SUFFIX));
    }
  else
    name = g_strdup (base);

  if (strlen (name) < 22 || sscanf (name, "%4d%2d%2d-%2d%2d%2d-", &Y, &m, &d, &H, &M, &S) != 6 || name[15] != '-')
    return NULL;
  last_dash = strrchr (name, '-');
  if (last_dash == NULL || last_dash <= name + 16 || strlen (last_dash + 1) != 4 ||
      (gsize) (last_dash - (name + 16)) >= sizeof verb)
    return NULL;
  memcpy (verb, name + 16, last_dash - (name + 16));
  verb[last_dash - (name + 16)] = 0;
  g_strlcpy (suffix, last_dash + 1, sizeof suffix);

  info = g_new0 (DassieRunInfo, 1);
  info->path = g_strdup (path);
  info->name = g_steal_pointer (&name);
  info->verb = g_strdup (verb);
  info->complete = complete;
  {
    g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
    info->time = g_date_time_new (tz, Y, m, d, H, M, S);
  }
  if (info->time == NULL)
    {
      dassie_run_info_free (info);
      return NULL;
    }
  return info;
}

void
dassie_run_info_free (DassieRunInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->name);
  g_free (info->verb);
  g_clear_pointer (&info->time, g_date_time_unref);
  g_free (info);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const DassieRunInfo *ia = *(DassieRunInfo * const *) a;
  const DassieRunInfo *ib = *(DassieRunInfo * const *) b;
  int c = g_date_time_compare (ib->time, ia->time);

  /* Same second: the name breaks the tie so that the order is stable. */
  return c != 0 ? c : g_strcmp0 (ib->name, ia->name);
}

GPtrArray *
dassie_results_list (const char *results_dir,
                     const char *verb,
                     gboolean    include_incomplete)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) dassie_run_info_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (results_dir != NULL, runs);

  dir = g_dir_open (results_dir, 0, NULL);
  if (dir == NULL)
    return runs;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (results_dir, name, NULL);
      DassieRunInfo *info;

      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      info = dassie_run_info_parse (path);
      if (info == NULL)
        continue;
      if ((verb != NULL && !g_str_equal (verb, info->verb)) || (!info->complete && !include_incomplete))
        {
          dassie_run_info_free (info);
          continue;
        }
      g_ptr_array_add (runs, info);
    }

  g_ptr_array_sort (runs, compare_newest_first);
  return runs;
}

char *
dassie_results_find_latest (const char *results_dir,
                            const char *verb)
{
  g_autoptr(GPtrArray) runs = NULL;

  g_return_val_if_fail (results_dir != NULL, NULL);
  g_return_val_if_fail (verb != NULL, NULL);

  runs = dassie_results_list (results_dir, verb, FALSE);
  if (runs->len == 0)
    return NULL;
  return g_strdup (((DassieRunInfo *) g_ptr_array_index (runs, 0))->path);
}

char *
dassie_json_builder_to_text (JsonBuilder *builder,
                             gboolean     pretty,
                             gsize       *length)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, pretty);
  return json_generator_to_data (gen, length);
}

void
dassie_run_add_input (JsonBuilder *builder,
                      const char  *latents_path,
                      const char  *checksum)
{
  g_autofree char *absolute = NULL;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (latents_path != NULL);

  absolute = g_canonicalize_filename (latents_path, NULL);
  json_builder_set_member_name (builder, "input");
  json_builder_add_string_value (builder, absolute);
  if (checksum != NULL)
    {
      json_builder_set_member_name (builder, "input_checksum");
      json_builder_add_string_value (builder, checksum);
    }
}

gboolean
dassie_run_read_input (const char  *run_dir,
                       char       **latents_path,
                       char       **checksum)
{
  g_autoptr(DassieRunInfo) info = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *dir = NULL;
  g_autofree char *json_name = NULL;
  g_autofree char *json_path = NULL;
  JsonObject *object;
  JsonNode *root;

  g_return_val_if_fail (run_dir != NULL, FALSE);

  if (latents_path != NULL)
    *latents_path = NULL;
  if (checksum != NULL)
    *checksum = NULL;

  dir = g_file_test (run_dir, G_FILE_TEST_IS_DIR) ? g_strdup (run_dir) : g_path_get_dirname (run_dir);
  info = dassie_run_info_parse (dir);
  if (info == NULL)
    return FALSE;
  json_name = g_strconcat (info->verb, ".json", NULL);
  json_path = g_build_filename (dir, json_name, NULL);
  if (!json_parser_load_from_file (parser, json_path, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "input"))
    return FALSE;
  if (latents_path != NULL)
    *latents_path = g_strdup (json_object_get_string_member_with_default (object, "input", NULL));
  if (checksum != NULL)
    *checksum = g_strdup (json_object_get_string_member_with_default (object, "input_checksum", NULL));
  return TRUE;
}
