/* test-packaging.c: the Flatpak manifest, the desktop file and the AppStream metainfo agree with the build
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

static const char *
getenv_or_fail (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set; run this test through “meson test”", name);
  return value;
}

static JsonObject *
find_module (JsonArray  *modules,
             const char *name)
{
  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonObject *module = json_array_get_object_element (modules, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (module, "name", NULL), name) == 0)
        return module;
    }
  return NULL;
}

static gboolean
strv_has_prefix (JsonArray  *array,
                 const char *prefix)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_has_prefix (json_array_get_string_element (array, i), prefix))
      return TRUE;
  return FALSE;
}

static void
test_flatpak_manifest (void)
{
  /* What each permission is for; anything else needs a reason written here first. */
  static const char *allowed_finish_args[] = {
    "--socket=wayland", "--socket=fallback-x11", "--share=ipc", "--device=dri", "--share=network",
    "--filesystem=home:ro", NULL
  };
  static const char *needed_modules[] = { "cfitsio", "wcslib", "openblas", "hnswlib", "dassie" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *manifest, *dassie, *openblas;
  JsonArray *finish_args, *modules;

  g_assert_true (json_parser_load_from_file (parser, getenv_or_fail ("DASSIE_FLATPAK_MANIFEST"), &error));
  g_assert_no_error (error);
  manifest = json_node_get_object (json_parser_get_root (parser));
  g_assert_nonnull (manifest);

  g_assert_cmpstr (json_object_get_string_member (manifest, "app-id"), ==, APPLICATION_ID);
  g_assert_cmpstr (json_object_get_string_member (manifest, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (json_object_get_string_member (manifest, "sdk"), ==, "org.gnome.Sdk");
  g_assert_cmpstr (json_object_get_string_member (manifest, "command"), ==, "dassie");
  /* GNOME 43 has the GTK 4.8 and libadwaita 1.2 that Dassie is written against; later ones work too. */
  g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (manifest, "runtime-version"), NULL, 10), >=, 43);

  finish_args = json_object_get_array_member (manifest, "finish-args");
  g_assert_nonnull (finish_args);
  for (guint i = 0; i < json_array_get_length (finish_args); i++)
    {
      const char *arg = json_array_get_string_element (finish_args, i);

      if (!g_strv_contains (allowed_finish_args, arg))
        g_error ("the manifest asks for %s, which Dassie does not need", arg);
    }
  g_assert_true (strv_has_prefix (finish_args, "--socket=wayland"));
  g_assert_true (strv_has_prefix (finish_args, "--share=network"));
  g_assert_nonnull (json_object_get_array_member (manifest, "x-finish-args-comment"));

  modules = json_object_get_array_member (manifest, "modules");
  g_assert_nonnull (modules);
  for (guint i = 0; i < G_N_ELEMENTS (needed_modules); i++)
    {
      JsonObject *module = find_module (modules, needed_modules[i]);
      JsonArray *sources;

      if (module == NULL)
        g_error ("the manifest does not build %s", needed_modules[i]);
      sources = json_object_get_array_member (module, "sources");
      g_assert_nonnull (sources);
      g_assert_cmpuint (json_array_get_length (sources), >=, 1);

      /* Downloads are pinned: an archive by its checksum, a git source by its commit. */
      for (guint j = 0; j < json_array_get_length (sources); j++)
        {
          JsonObject *source = json_array_get_object_element (sources, j);
          const char *type = json_object_get_string_member (source, "type");

          if (g_str_equal (type, "archive"))
            g_assert_cmpuint (strlen (json_object_get_string_member_with_default (source, "sha256", "")), ==, 64);
          else if (g_str_equal (type, "git"))
            g_assert_cmpuint (strlen (json_object_get_string_member_with_default (source, "commit", "")), ==, 40);
          else
            g_assert_cmpstr (type, ==, "dir");
        }
    }

  /* Dassie comes last, after what it links, and builds with meson. */
  dassie = json_array_get_object_element (modules, json_array_get_length (modules) - 1);
  g_assert_cmpstr (json_object_get_string_member (dassie, "name"), ==, "dassie");
  g_assert_cmpstr (json_object_get_string_member (dassie, "buildsystem"), ==, "meson");

  /* One OpenBLAS for every CPU: kernels chosen at run time. */
  openblas = find_module (modules, "openblas");
  {
    JsonArray *commands = json_object_get_array_member (openblas, "build-commands");
    gboolean dynamic = FALSE;

    g_assert_nonnull (commands);
    for (guint i = 0; i < json_array_get_length (commands); i++)
      dynamic |= strstr (json_array_get_string_element (commands, i), "DYNAMIC_ARCH=1") != NULL;
    g_assert_true (dynamic);
  }
}

static void
test_desktop_file (void)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *comment_de = NULL;
  g_auto(GStrv) categories = NULL;

  g_assert_true (g_key_file_load_from_file (file, getenv_or_fail ("DASSIE_DESKTOP_FILE"), G_KEY_FILE_KEEP_TRANSLATIONS, &error));
  g_assert_no_error (error);

  icon = g_key_file_get_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON, NULL);
  g_assert_cmpstr (icon, ==, APPLICATION_ID);
  exec = g_key_file_get_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, NULL);
  g_assert_cmpstr (exec, ==, "dassie");
  categories = g_key_file_get_string_list (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_CATEGORIES, NULL, NULL);
  g_assert_nonnull (categories);
  g_assert_true (g_strv_contains ((const char * const *) categories, "Astronomy"));

  /* The German catalogue was merged in. */
  comment_de = g_key_file_get_locale_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_COMMENT, "de", NULL);
  g_assert_cmpstr (comment_de, ==, "Ungewöhnliche Galaxien in astronomischen Bildausschnitten finden");
}

typedef struct
{
  GString   *text;
  gboolean   in_text;
  GPtrArray *releases;
  GPtrArray *images;
  char      *id;
  char      *launchable;
  guint      n_german;
} Metainfo;

static void
metainfo_start (GMarkupParseContext  *context,
                const char           *element,
                const char          **names,
                const char          **values,
                gpointer              user_data,
                GError              **error)
{
  Metainfo *info = user_data;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (element, "release") && g_str_equal (names[i], "version"))
        g_ptr_array_add (info->releases, g_strdup (values[i]));
      if (g_str_equal (names[i], "xml:lang") && g_str_equal (values[i], "de"))
        info->n_german++;
    }
  g_string_truncate (info->text, 0);
  info->in_text = TRUE;
}

static void
metainfo_end (GMarkupParseContext  *context,
              const char           *element,
              gpointer              user_data,
              GError              **error)
{
  Metainfo *info = user_data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  const char *parent = stack->next != NULL ? stack->next->data : NULL;

  if (g_str_equal (element, "image"))
    g_ptr_array_add (info->images, g_strdup (info->text->str));
  else if (g_str_equal (element, "id") && g_strcmp0 (parent, "component") == 0)
    info->id = g_strdup (info->text->str);
  else if (g_str_equal (element, "launchable"))
    info->launchable = g_strdup (info->text->str);
  info->in_text = FALSE;
}

static void
metainfo_text (GMarkupParseContext  *context,
               const char           *text,
               gsize                 length,
               gpointer              user_data,
               GError              **error)
{
  Metainfo *info = user_data;

  if (info->in_text)
    g_string_append_len (info->text, text, length);
}

static void
test_metainfo (void)
{
  static const GMarkupParser parser = { metainfo_start, metainfo_end, metainfo_text, NULL, NULL };
  Metainfo info = { g_string_new (NULL), FALSE, g_ptr_array_new_with_free_func (g_free),
                    g_ptr_array_new_with_free_func (g_free), NULL, NULL, 0 };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, &info, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  gsize length;
  const char *screenshots = getenv_or_fail ("DASSIE_SCREENSHOTS_DIR");

  g_assert_true (g_file_get_contents (getenv_or_fail ("DASSIE_METAINFO_FILE"), &xml, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_parse (context, xml, length, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (info.id, ==, APPLICATION_ID);
  g_assert_cmpstr (info.launchable, ==, APPLICATION_ID ".desktop");
  /* The newest release is the version being built. */
  g_assert_cmpuint (info.releases->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (info.releases, 0), ==, PACKAGE_VERSION);
  /* The summary and every paragraph and list item of the description came back in German. */
  g_assert_cmpuint (info.n_german, >=, 9);

  /* Every screenshot is a picture in data/screenshots, where its URL will find it once pushed. */
  g_assert_cmpuint (info.images->len, >=, 1);
  for (guint i = 0; i < info.images->len; i++)
    {
      const char *url = g_ptr_array_index (info.images, i);
      g_autofree char *name = g_path_get_basename (url);
      g_autofree char *url_dir = g_path_get_dirname (url);
      g_autofree char *path = g_build_filename (screenshots, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInfo) file_info = NULL;

      g_assert_true (g_str_has_prefix (url, "https://"));
      g_assert_true (g_str_has_suffix (url_dir, "/data/screenshots"));
      file_info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE, 0, NULL, &error);
      if (file_info == NULL)
        g_error ("the metainfo shows %s, but %s is missing", url, path);
      g_assert_cmpstr (g_file_info_get_content_type (file_info), ==, "image/png");
    }

  g_string_free (info.text, TRUE);
  g_ptr_array_unref (info.releases);
  g_ptr_array_unref (info.images);
  g_free (info.id);
  g_free (info.launchable);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/packaging/flatpak-manifest", test_flatpak_manifest);
  g_test_add_func ("/packaging/desktop-file", test_desktop_file);
  g_test_add_func ("/packaging/metainfo", test_metainfo);
  return g_test_run ();
}
