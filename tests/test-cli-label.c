/* test-cli-label.c: labels across runs and folders, "dassie-cli label" and "dassie-cli rank"
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "dassie-catalog.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-labels.h"
#include "dassie-scores.h"
#include "dassie-test-scores.h"

#define N_DEMO 60

typedef struct
{
  char *root;
  char *data;          /* the demo data set */
  char *results;
  char *store;         /* DASSIE_LABELS_DIR */
  char *scores;        /* a scores run of the data set */
  char *truth;         /* the demo's labels.csv: object_id,label,kind */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DassieDemoOptions demo;
  g_autofree char *infer = NULL;
  g_autofree char *umap = NULL;

  f->root = g_dir_make_tmp ("dassie-cli-label-XXXXXX", &error);
  g_assert_no_error (error);
  f->data = g_build_filename (f->root, "data", NULL);
  f->results = g_build_filename (f->root, "results", NULL);
  f->store = g_build_filename (f->root, "labels", NULL);
  f->truth = g_build_filename (f->data, "labels.csv", NULL);
  g_setenv ("DASSIE_LABELS_DIR", f->store, TRUE);
  dassie_demo_options_init (&demo);
  demo.n_objects = N_DEMO;
  demo.size = 32;
  g_assert_true (dassie_demo_generate (f->data, &demo, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  dassie_test_write_pipeline (f->data, f->results, 5, &infer, &f->scores, &umap, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  dassie_remove_tree (f->root, NULL);
  g_free (f->root);
  g_free (f->data);
  g_free (f->results);
  g_free (f->store);
  g_free (f->scores);
  g_free (f->truth);
}

/* Runs dassie-cli with @args; standard output and error in @out and @err (may be NULL). */
static int
cli (const char * const  *args,
     char               **out,
     char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("DASSIE_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_nonnull (argv->pdata[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e,
                               &wait_status, &error));
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

/* The truth of the demo set read here: id → label. */
static GHashTable *
read_truth (const char *path,
            guint      *n_interesting)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *truth = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  *n_interesting = 0;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL && *lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", 3);

      g_hash_table_insert (truth, g_strdup (f[0]), g_strdup (f[1]));
      *n_interesting += g_str_equal (f[1], "interesting");
    }
  return truth;
}

/* Labels belong to the objects: a new infer and scores run of the data set moved to another
 * folder finds the labels made on the first run's catalog. */
static void
test_survival (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieCatalog) first = dassie_catalog_load (f->scores, NULL, NULL, NULL, &error);
  g_autoptr(DassieCatalog) second = NULL;
  g_autoptr(DassieLabels) labels = NULL;
  g_autoptr(DassieLabels) again = NULL;
  g_autofree char *moved = g_build_filename (f->root, "moved", NULL);
  g_autofree char *results2 = g_build_filename (f->root, "results2", NULL);
  g_autofree char *infer = NULL;
  g_autofree char *scores = NULL;
  g_autofree char *umap = NULL;
  g_autofree char *id0 = NULL;
  g_autofree char *id1 = NULL;

  g_assert_no_error (error);
  labels = dassie_catalog_open_labels (first, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (dassie_labels_get_path (labels), f->store));
  id0 = g_strdup (first->ids[0]);
  id1 = g_strdup (first->ids[1]);
  g_assert_true (dassie_labels_set (labels, id0, DASSIE_LABEL_INTERESTING, &error));
  g_assert_true (dassie_labels_set (labels, id1, DASSIE_LABEL_ARTIFACT, &error));
  g_assert_true (dassie_labels_set_note (labels, id1, "a trail", &error));
  g_assert_no_error (error);

  /* The catalog's label column follows the store. */
  dassie_catalog_set_labels (first, labels);
  g_assert_cmpuint (first->labels[0], ==, DASSIE_LABEL_INTERESTING);
  g_assert_cmpuint (first->labels[1], ==, DASSIE_LABEL_ARTIFACT);
  g_assert_cmpuint (first->labels[2], ==, DASSIE_LABEL_NONE);
  g_clear_object (&labels);

  g_assert_cmpint (g_rename (f->data, moved), ==, 0);
  dassie_test_write_pipeline (moved, results2, 3, &infer, &scores, &umap, NULL);
  g_assert_cmpstr (scores, !=, f->scores);
  second = dassie_catalog_load (scores, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  again = dassie_catalog_open_labels (second, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dassie_labels_get (again, id0), ==, DASSIE_LABEL_INTERESTING);
  g_assert_cmpint (dassie_labels_get (again, id1), ==, DASSIE_LABEL_ARTIFACT);
  g_assert_cmpstr (dassie_labels_lookup (again, id1)->note, ==, "a trail");
  g_assert_cmpuint (dassie_labels_get_n_entries (again), ==, 2);
  {
    g_autofree char *a = dassie_catalog_get_identity (first);
    g_autofree char *b = dassie_catalog_get_identity (second);

    g_assert_cmpstr (a, ==, b);
  }
  g_assert_cmpint (g_rename (moved, f->data), ==, 0);
}

static void
test_label_cli (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *scores_arg = g_strdup_printf ("--input=%s", f->scores);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *exported = g_build_filename (f->root, "exported.csv", NULL);
  g_autofree char *unknown = g_build_filename (f->root, "unknown.csv", NULL);
  g_autofree char *bad = g_build_filename (f->root, "bad.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) truth = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *summary;
  guint n_interesting, n_artifact = 0, n_boring = 0;
  GHashTableIter iter;
  gpointer value;

  truth = read_truth (f->truth, &n_interesting);
  g_hash_table_iter_init (&iter, truth);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      n_artifact += g_str_equal (value, "artifact");
      n_boring += g_str_equal (value, "boring");
    }

  /* The demo's truth imports as labels, its kinds as tags. */
  {
    const char *args[] = { "label", "import", f->truth, scores_arg, "--json", NULL };

    g_assert_cmpint (cli (args, &out, &err), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    summary = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (summary, "objects"), ==, N_DEMO);
    g_assert_cmpint (json_array_get_length (json_object_get_array_member (summary, "unknown_ids")), ==, 0);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (summary, "store"), f->store));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "label", "list", scores_arg, "--json", NULL };
    JsonArray *entries;

    g_assert_cmpint (cli (args, &out, &err), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    summary = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (summary, "interesting"), ==, n_interesting);
    g_assert_cmpint (json_object_get_int_member (summary, "artifact"), ==, n_artifact);
    g_assert_cmpint (json_object_get_int_member (summary, "boring"), ==, n_boring);
    entries = json_object_get_array_member (summary, "labels");
    g_assert_cmpuint (json_array_get_length (entries), ==, N_DEMO);
    for (guint i = 0; i < json_array_get_length (entries); i++)
      {
        JsonObject *e = json_array_get_object_element (entries, i);
        const char *id = json_object_get_string_member (e, "object_id");

        g_assert_cmpstr (json_object_get_string_member (e, "label"), ==, g_hash_table_lookup (truth, id));
        g_assert_cmpstr (json_object_get_string_member (e, "tags"), !=, "");
      }
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* By --data the data set is the same one: the same store. */
  {
    const char *args[] = { "label", "export", exported, "--data", f->data, NULL };
    g_auto(GStrv) lines = NULL;

    g_assert_cmpint (cli (args, &out, &err), ==, 0);
    g_assert_true (g_file_get_contents (exported, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    g_assert_cmpstr (lines[0], ==, "object_id,label,note,tags,time");
    g_assert_cmpuint (g_strv_length (lines), ==, N_DEMO + 2);   /* a header and a final newline */
    for (guint i = 1; i <= N_DEMO; i++)
      {
        g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);

        g_assert_cmpuint (g_strv_length (fields), ==, 5);
        g_assert_cmpstr (fields[1], ==, g_hash_table_lookup (truth, fields[0]));
      }
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&text, g_free);

  /* Unknown ids are reported and skipped, not fatal. */
  {
    const char *first_id = NULL;
    const char *args[] = { "label", "import", unknown, scores_arg, NULL };

    g_hash_table_iter_init (&iter, truth);
    g_assert_true (g_hash_table_iter_next (&iter, (gpointer *) &first_id, NULL));
    text = g_strdup_printf ("object_id,label,note\n12345,interesting,\n%s,boring,\"dull, really\"\n67890,artifact,\n",
                            first_id);
    g_assert_true (g_file_set_contents (unknown, text, -1, NULL));
    g_assert_cmpint (cli (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (err, "2 objects"));
    g_assert_nonnull (strstr (err, "12345"));
    g_assert_nonnull (strstr (err, "67890"));
    g_assert_nonnull (strstr (out, f->store));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&text, g_free);

  /* A bad label fails with the file named. */
  {
    const char *args[] = { "label", "import", bad, scores_arg, NULL };

    g_assert_true (g_file_set_contents (bad, "object_id,label\n1,superb\n", -1, NULL));
    g_assert_cmpint (cli (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, bad));
    g_assert_nonnull (strstr (err, "superb"));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* set and clear, and usage errors. */
  {
    g_autoptr(GPtrArray) list = NULL;
    const char *first_id = NULL;
    g_autoptr(DassieLabels) labels = NULL;
    g_autoptr(DassieScores) table = dassie_scores_read (f->scores, &error);

    g_assert_no_error (error);
    first_id = table->ids[0];
    {
      const char *set[] = { "label", "set", "artifact", first_id, scores_arg, NULL };
      const char *clear[] = { "label", "clear", table->ids[1], scores_arg, NULL };
      const char *wrong[] = { "label", "frobnicate", scores_arg, NULL };

      g_assert_cmpint (cli (set, NULL, NULL), ==, 0);
      g_assert_cmpint (cli (clear, NULL, NULL), ==, 0);
      g_assert_cmpint (cli (wrong, NULL, NULL), ==, 2);
    }
    labels = dassie_labels_open (f->store, (const char * const *) table->ids, table->n_rows, &error);
    g_assert_no_error (error);
    g_assert_cmpint (dassie_labels_get (labels, first_id), ==, DASSIE_LABEL_ARTIFACT);
    g_assert_null (dassie_labels_lookup (labels, table->ids[1]));
  }
}

/* The columns of a FITS table, upper case. */
static char *
fits_columns (const char *path)
{
  fitsfile *fptr = NULL;
  int status = 0, n_cols = 0;
  g_autoptr(GString) names = g_string_new (NULL);

  fits_open_table (&fptr, path, READONLY, &status);
  fits_get_num_cols (fptr, &n_cols, &status);
  for (int c = 1; c <= n_cols; c++)
    {
      char key[16], value[FLEN_VALUE];

      g_snprintf (key, sizeof key, "TTYPE%d", c);
      fits_read_key (fptr, TSTRING, key, value, NULL, &status);
      g_string_append_printf (names, "%s%s", c > 1 ? "," : "", value);
    }
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
test_rank_cli (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *scores_arg = g_strdup_printf ("--input=%s", f->scores);
  g_autofree char *given = g_build_filename (f->root, "given.csv", NULL);
  g_autofree char *ranked = g_build_filename (f->root, "ranked.csv", NULL);
  g_autofree char *ranked_fits = g_build_filename (f->root, "ranked.fits", NULL);
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *columns = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieScores) table = dassie_scores_read (f->scores, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  double last = INFINITY;

  g_assert_no_error (error);
  /* Three objects labelled in a CSV given to rank (the saved store stays empty). */
  text = g_strdup_printf ("%s,interesting\n%s,artifact\n%s,boring\n999,boring\n", table->ids[0], table->ids[1],
                          table->ids[2]);
  g_assert_true (g_file_set_contents (given, text, -1, NULL));
  {
    const char *args[] = { "rank", scores_arg, "--labels", given, "-o", ranked, NULL };

    g_assert_cmpint (cli (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (err, "999"));
    g_assert_nonnull (strstr (out, ranked));
  }
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (ranked, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "object_id,score,relevance,rank");
  g_assert_cmpuint (g_strv_length (lines), ==, table->n_rows - 3 + 2);
  for (guint r = 1; r <= table->n_rows - 3; r++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[r], ",", -1);
      double relevance = g_ascii_strtod (fields[2], NULL);
      guint row = G_MAXUINT;

      g_assert_cmpuint (g_strv_length (fields), ==, 4);
      /* Unlabelled objects only, each once, the most relevant first, ranked 1, 2, … */
      g_assert_true (g_hash_table_add (seen, g_strdup (fields[0])));
      for (guint i = 0; i < 3; i++)
        g_assert_cmpstr (fields[0], !=, table->ids[i]);
      for (guint i = 0; i < table->n_rows; i++)
        if (g_str_equal (table->ids[i], fields[0]))
          row = i;
      g_assert_cmpuint (row, <, table->n_rows);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[1], NULL), table->knn_median[row], 1e-6);
      g_assert_cmpfloat (relevance, <=, last);
      last = relevance;
      g_assert_cmpuint (g_ascii_strtoull (fields[3], NULL, 10), ==, r);
    }

  /* The same as a FITS table, and into a rank run without -o. */
  {
    const char *args[] = { "rank", scores_arg, "--labels", given, "-o", ranked_fits, "--top", "5", NULL };
    g_autofree char *results_arg = g_strdup_printf ("--results=%s", f->results);
    const char *run_args[] = { "rank", scores_arg, results_arg, NULL };
    g_autofree char *run_out = NULL;
    g_autofree char *run_file = NULL;

    g_assert_cmpint (cli (args, NULL, NULL), ==, 0);
    columns = fits_columns (ranked_fits);
    g_assert_cmpstr (columns, ==, "OBJECT_ID,SCORE,RELEVANCE,RANK");
    g_assert_cmpint (cli (run_args, &run_out, NULL), ==, 0);
    run_file = g_build_filename (g_strstrip (run_out), "ranked.csv", NULL);
    g_assert_true (g_str_has_prefix (run_out, f->results));
    g_assert_true (strstr (run_out, "-rank-") != NULL);
    g_assert_true (g_file_test (run_file, G_FILE_TEST_IS_REGULAR));
  }

  /* A bad option value is a usage error. */
  {
    const char *args[] = { "rank", scores_arg, "--top", "0", NULL };

    g_assert_cmpint (cli (args, NULL, NULL), ==, 2);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cli/labels/survival", Fixture, NULL, fixture_set_up, test_survival, fixture_tear_down);
  g_test_add ("/cli/labels/label", Fixture, NULL, fixture_set_up, test_label_cli, fixture_tear_down);
  g_test_add ("/cli/labels/rank", Fixture, NULL, fixture_set_up, test_rank_cli, fixture_tear_down);
  return g_test_run ();
}
