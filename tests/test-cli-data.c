/* test-cli-data.c: the CLI says what it skipped: "dassie-cli scan" lists why (also when nothing is usable), other verbs how many
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <sys/wait.h>

#include "dassie-demo.h"
#include "dassie-fileutil.h"

/* Runs dassie-cli scan DIR [--json]; returns the exit status, standard output and error. */
static int
run_scan (const char  *dir,
          gboolean     json,
          char       **out,
          char       **err)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("DASSIE_CLI"), "scan", "--quiet", dir, json ? "--json" : NULL, NULL };
  int status = -1;

  g_assert_nonnull (argv[0]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* Runs dassie-cli scan DIR --json, checks its exit status and returns what it printed. */
static JsonNode *
run_scan_json (const char *dir,
               int         expected_status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonNode *root;

  g_assert_cmpint (run_scan (dir, TRUE, &out, &err), ==, expected_status);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return root;
}

static JsonObject *
find_skipped (JsonArray  *skipped,
              const char *path_part)
{
  for (guint i = 0; i < json_array_get_length (skipped); i++)
    {
      JsonObject *s = json_array_get_object_element (skipped, i);

      if (strstr (json_object_get_string_member (s, "path"), path_part) != NULL)
        return s;
    }
  return NULL;
}

static void
test_scan_nothing_usable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-cli-data-XXXXXX", &error);
  g_autofree char *empty = g_build_filename (dir, "1_x_HSC-G.fits", NULL);
  g_autofree char *text = g_build_filename (dir, "2_x_HSC-G.fits", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) csv = g_string_new ("object_id,ra,dec\n");
  JsonObject *obj;
  JsonArray *skipped;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  while (csv->len < 4000)
    g_string_append (csv, "36411452835238206,30.59,-6.28\n");
  g_assert_true (g_file_set_contents (text, csv->str, csv->len, NULL));

  /* Text: the error on standard error, and still every file with its reason. */
  g_assert_cmpint (run_scan (dir, FALSE, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "No usable object"));
  g_assert_nonnull (strstr (out, "Skipped:   2 files"));
  g_assert_nonnull (strstr (out, empty));
  g_assert_nonnull (strstr (out, "empty"));
  g_assert_nonnull (strstr (out, text));
  g_assert_nonnull (strstr (out, "not a readable FITS file"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --json: the same list, and the error. */
  root = run_scan_json (dir, 1);
  obj = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (obj, "objects"), ==, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (obj, "error"), "No usable object"));
  skipped = json_object_get_array_member (obj, "skipped");
  g_assert_cmpuint (json_array_get_length (skipped), ==, 2);
  g_assert_nonnull (strstr (json_object_get_string_member (find_skipped (skipped, "1_x_HSC-G"), "reason"), "empty"));
  g_assert_nonnull (strstr (json_object_get_string_member (find_skipped (skipped, "2_x_HSC-G"), "reason"),
                            "not a readable FITS file"));

  dassie_remove_tree (dir, NULL);
}

static void
test_scan_unlisted_objects (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("dassie-cli-data-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (work, "demo", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDir) d = NULL;
  g_autofree char *one_file = NULL;
  DassieDemoOptions options;
  JsonObject *obj;
  JsonObject *entry;
  const char *name;

  dassie_demo_options_init (&options);
  options.n_objects = 6;
  options.size = 16;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Every demo file is listed: nothing is reported. */
  root = run_scan_json (dir, 0);
  obj = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (obj, "objects"), ==, 6);
  g_assert_null (find_skipped (json_object_get_array_member (obj, "skipped"), "manifest.fits"));
  g_clear_pointer (&root, json_node_unref);

  /* Two more objects (three bands each) copied in beside them, not in manifest.fits. */
  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL && one_file == NULL)
    if (g_str_has_suffix (name, "_HSC-G.fits"))
      one_file = g_build_filename (dir, name, NULL);
  g_assert_nonnull (one_file);
  for (guint i = 0; i < 2; i++)
    for (guint b = 0; b < 3; b++)
      {
        g_autofree char *copy_name = g_strdup_printf ("%u_extra_HSC-%s.fits", 900 + i, (const char *[]) { "G", "R", "I" }[b]);
        g_autofree char *copy = g_build_filename (dir, copy_name, NULL);

        g_assert_true (dassie_copy_file (one_file, copy, &error));
        g_assert_no_error (error);
      }

  root = run_scan_json (dir, 0);
  obj = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (obj, "objects"), ==, 6);
  entry = find_skipped (json_object_get_array_member (obj, "skipped"), "manifest.fits");
  g_assert_nonnull (entry);
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "reason"),
                            "2 objects in the folder are not in manifest.fits"));

  g_assert_cmpint (run_scan (dir, FALSE, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "2 objects in the folder are not in manifest.fits"));

  dassie_remove_tree (work, NULL);
}

/* Runs dassie-cli with @args; checks that it succeeds and returns its standard error. */
static char *
run_cli (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  char *err = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) g_getenv ("DASSIE_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_nonnull (argv->pdata[0]);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("dassie-cli %s failed: %s", args[0], err);
  return err;
}

/* train, infer and pipeline go on without the files they could not read, and say how many there were. */
static void
test_verbs_say_skipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("dassie cli data XXXXXX", &error);
  g_autofree char *dir = g_build_filename (work, "demo", NULL);
  g_autofree char *clean = g_build_filename (work, "clean", NULL);
  g_autofree char *results = g_build_filename (work, "results", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GDir) d = NULL;
  DassieDemoOptions options;
  const char *name;
  guint n_damaged = 0;

  dassie_demo_options_init (&options);
  options.n_objects = 12;
  options.size = 16;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Two objects lose their G image to an empty file. */
  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL && n_damaged < 2)
    if (g_str_has_suffix (name, "_HSC-G.fits"))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_assert_true (g_file_set_contents (path, "", 0, &error));
        n_damaged++;
      }
  g_assert_cmpuint (n_damaged, ==, 2);
  /* The folder's name has spaces: the command it suggests is quoted for the shell. */
  {
    g_autofree char *quoted = g_shell_quote (dir);
    expected = g_strdup_printf ("2 files were skipped (run “dassie-cli scan %s” for the reasons)", quoted);
  }

  {
    const char *args[] = { "train", "--data", dir, "--results", results, "--quiet", "--set", "train.epochs=1",
                           "--set", "data_loader.batch_size=4", NULL };

    err = run_cli (args);
    g_assert_nonnull (strstr (err, expected));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "infer", "--data", dir, "--results", results, "--json", NULL };

    err = run_cli (args);
    g_assert_nonnull (strstr (err, expected));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "pipeline", "--data", dir, "--results", results, "--quiet", "--set", "train.epochs=1",
                           "--set", "data_loader.batch_size=4", "--set", "umap.n_epochs=10",
                           "--set", "umap.n_neighbors=4", "--set", "scores.k=3", NULL };

    err = run_cli (args);
    /* Once: infer reads the same folder. */
    g_assert_nonnull (strstr (err, expected));
    g_assert_null (strstr (strstr (err, expected) + 1, expected));
    g_clear_pointer (&err, g_free);
  }

  /* A folder where nothing was skipped: not a word about it. */
  g_assert_true (dassie_demo_generate (clean, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    const char *args[] = { "infer", "--data", clean, "--results", results, "--quiet", NULL };

    err = run_cli (args);
    g_assert_null (strstr (err, "skipped"));
  }

  dassie_remove_tree (work, NULL);
}

/* scan says where positions come from and which catalogue columns it found: the real HSC cutouts
 * take theirs from the catalogue CSV beside them. */
static void
test_scan_positions (void)
{
  const char *shared = g_getenv ("DASSIE_SHARED_DIR");
  g_autofree char *images = g_build_filename (shared ? shared : "../shared", "fixtures", "hsc_stars", "images", NULL);
  g_autoptr(JsonNode) root = run_scan_json (images, 0);
  JsonObject *o = json_node_get_object (root);
  JsonArray *columns = json_object_get_array_member (o, "columns");
  gboolean has_tract = FALSE;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpstr (json_object_get_string_member (o, "positions"), ==, "catalogue");
  for (guint i = 0; i < json_array_get_length (columns); i++)
    has_tract |= g_str_equal (json_array_get_string_element (columns, i), "tract");
  g_assert_true (has_tract);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "warnings")), ==, 0);

  g_assert_cmpint (run_scan (images, FALSE, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Positions: the catalogue’s ra and dec columns"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/cli-data/scan-nothing-usable", test_scan_nothing_usable);
  g_test_add_func ("/core/cli-data/scan-unlisted-objects", test_scan_unlisted_objects);
  g_test_add_func ("/core/cli-data/verbs-say-skipped", test_verbs_say_skipped);
  g_test_add_func ("/core/cli-data/scan-positions", test_scan_positions);
  return g_test_run ();
}
