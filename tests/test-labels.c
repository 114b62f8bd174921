/* test-labels.c: the label store: identity, round trip, undo, CSV import and export
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "dassie-fileutil.h"
#include "dassie-labels.h"

static const char * const ids[] = { "36411452835238206", "36411452835238207", "36411452835238208",
                                     "36411452835238209", "36411452835238210", NULL };
#define N_IDS 5

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dassie-labels-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_identity (void)
{
  const char *shuffled[] = { ids[3], ids[0], ids[4], ids[1], ids[2], ids[0] };
  const char *fewer[] = { ids[0], ids[1], ids[2], ids[3] };
  g_autofree char *a = dassie_labels_identity_for_ids (ids, N_IDS);
  g_autofree char *b = dassie_labels_identity_for_ids (shuffled, G_N_ELEMENTS (shuffled));
  g_autofree char *c = dassie_labels_identity_for_ids (fewer, G_N_ELEMENTS (fewer));
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *expected = NULL;

  /* Order and repeats do not matter, the set of objects does. */
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  /* The documented form: the SHA-256 of the sorted ids, one a line. */
  for (guint i = 0; i < N_IDS; i++)
    {
      g_checksum_update (checksum, (const guchar *) ids[i], -1);
      g_checksum_update (checksum, (const guchar *) "\n", 1);
    }
  expected = g_strdup_printf ("ids-sha256:%.32s", g_checksum_get_string (checksum));
  g_assert_cmpstr (a, ==, expected);
}

static void
test_store_dir (void)
{
  g_autofree char *from_env = NULL;
  g_autofree char *from_default = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "dassie", "labels", NULL);

  g_setenv ("DASSIE_LABELS_DIR", "/somewhere/labels", TRUE);
  from_env = dassie_labels_get_store_dir (NULL);
  g_assert_cmpstr (from_env, ==, "/somewhere/labels");
  g_unsetenv ("DASSIE_LABELS_DIR");
  from_default = dassie_labels_get_store_dir (NULL);
  g_assert_cmpstr (from_default, ==, expected);
}

static void
on_changed (DassieLabels *labels,
            GStrv         changed,
            gpointer      user_data)
{
  GPtrArray *log = user_data;

  g_ptr_array_add (log, changed != NULL ? g_strjoinv (",", changed) : g_strdup ("*"));
}

static void
test_round_trip (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieLabels) labels = dassie_labels_open (dir, ids, N_IDS, &error);
  g_autoptr(DassieLabels) again = NULL;
  g_autofree char *identity = dassie_labels_identity_for_ids (ids, N_IDS);
  g_autofree char *file_name = NULL;
  g_autofree char *expected_path = NULL;
  const char *pair[] = { ids[1], ids[2] };
  const DassieLabelEntry *e;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  guint counts[DASSIE_N_LABELS];

  g_assert_no_error (error);
  g_assert_cmpuint (dassie_labels_get_n_entries (labels), ==, 0);
  g_assert_cmpstr (dassie_labels_get_identity (labels), ==, identity);
  file_name = g_strdelimit (g_strdup_printf ("%s.json", identity), ":", '-');
  expected_path = g_build_filename (dir, file_name, NULL);
  g_assert_cmpstr (dassie_labels_get_path (labels), ==, expected_path);

  g_assert_true (dassie_labels_set (labels, ids[0], DASSIE_LABEL_INTERESTING, &error));
  g_assert_true (dassie_labels_set_many (labels, pair, 2, DASSIE_LABEL_ARTIFACT, &error));
  g_assert_true (dassie_labels_add_tag (labels, &ids[0], 1, " Merger ", &error));
  g_assert_true (dassie_labels_add_tag (labels, &ids[0], 1, "lens", &error));
  g_assert_true (dassie_labels_set_note (labels, ids[0], "two nuclei, \"maybe\" a lens,\nsee DS9", &error));
  g_assert_true (dassie_labels_add_tag (labels, &ids[3], 1, "later", &error));
  g_assert_no_error (error);
  /* Saved at every change: a new store of the same objects (in another order) reads it all. */
  {
    const char *reversed[] = { ids[4], ids[3], ids[2], ids[1], ids[0] };

    again = dassie_labels_open (dir, reversed, N_IDS, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (dassie_labels_get_n_entries (again), ==, 4);
  g_assert_cmpint (dassie_labels_get (again, ids[0]), ==, DASSIE_LABEL_INTERESTING);
  g_assert_cmpint (dassie_labels_get (again, ids[1]), ==, DASSIE_LABEL_ARTIFACT);
  g_assert_cmpint (dassie_labels_get (again, ids[2]), ==, DASSIE_LABEL_ARTIFACT);
  g_assert_cmpint (dassie_labels_get (again, ids[3]), ==, DASSIE_LABEL_NONE);
  g_assert_cmpint (dassie_labels_get (again, ids[4]), ==, DASSIE_LABEL_NONE);
  e = dassie_labels_lookup (again, ids[0]);
  g_assert_nonnull (e);
  g_assert_cmpuint (g_strv_length (e->tags), ==, 2);
  g_assert_cmpstr (e->tags[0], ==, "lens");
  g_assert_cmpstr (e->tags[1], ==, "merger");
  g_assert_cmpstr (e->note, ==, "two nuclei, \"maybe\" a lens,\nsee DS9");
  g_assert_cmpint (e->time, >=, before);
  g_assert_cmpint (e->time, <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_null (dassie_labels_lookup (again, ids[4]));
  dassie_labels_count (again, counts);
  g_assert_cmpuint (counts[DASSIE_LABEL_INTERESTING], ==, 1);
  g_assert_cmpuint (counts[DASSIE_LABEL_ARTIFACT], ==, 2);
  g_assert_cmpuint (counts[DASSIE_LABEL_NONE], ==, 1);   /* the tag-only entry */

  /* Removing the last tag of an entry without a label removes the entry. */
  g_assert_true (dassie_labels_remove_tag (again, &ids[3], 1, "later", &error));
  g_assert_null (dassie_labels_lookup (again, ids[3]));
  /* A column for a view: the labels of rows in any order. */
  {
    const char *rows[] = { ids[4], ids[2], ids[0] };
    guint8 column[3];

    dassie_labels_fill (again, rows, 3, column);
    g_assert_cmpuint (column[0], ==, DASSIE_LABEL_NONE);
    g_assert_cmpuint (column[1], ==, DASSIE_LABEL_ARTIFACT);
    g_assert_cmpuint (column[2], ==, DASSIE_LABEL_INTERESTING);
  }

  /* Ids outside the data set are refused before anything changes. */
  {
    const char *mixed[] = { ids[4], "123" };

    g_assert_false (dassie_labels_set_many (again, mixed, 2, DASSIE_LABEL_BORING, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "123"));
    g_clear_error (&error);
    g_assert_cmpint (dassie_labels_get (again, ids[4]), ==, DASSIE_LABEL_NONE);
  }
  g_assert_false (dassie_labels_add_tag (again, &ids[4], 1, "a,b", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (dassie_labels_clear_all (again, &error));
  g_assert_cmpuint (dassie_labels_get_n_entries (again), ==, 0);
  g_clear_object (&labels);
  labels = dassie_labels_open (dir, ids, N_IDS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_labels_get_n_entries (labels), ==, 0);

  dassie_remove_tree (dir, NULL);
}

static void
test_undo (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieLabels) labels = dassie_labels_open (dir, ids, N_IDS, &error);
  g_autoptr(DassieLabels) reread = NULL;
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  const char *three[] = { ids[1], ids[2], ids[3] };

  g_assert_no_error (error);
  g_signal_connect (labels, "changed", G_CALLBACK (on_changed), log);
  g_assert_false (dassie_labels_can_undo (labels));
  g_assert_false (dassie_labels_undo (labels, &error));
  g_assert_no_error (error);

  g_assert_true (dassie_labels_set (labels, ids[0], DASSIE_LABEL_BORING, &error));
  g_assert_true (dassie_labels_set (labels, ids[0], DASSIE_LABEL_INTERESTING, &error));
  /* A selection is one step. */
  g_assert_true (dassie_labels_set_many (labels, three, 3, DASSIE_LABEL_ARTIFACT, &error));
  /* Setting what is already there is no step. */
  g_assert_true (dassie_labels_set (labels, ids[1], DASSIE_LABEL_ARTIFACT, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, ids[0]);
  {
    g_autofree char *joined = g_strdup_printf ("%s,%s,%s", ids[1], ids[2], ids[3]);

    g_assert_cmpstr (g_ptr_array_index (log, 2), ==, joined);
  }

  g_assert_true (dassie_labels_undo (labels, &error));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (dassie_labels_get (labels, three[i]), ==, DASSIE_LABEL_NONE);
  g_assert_cmpint (dassie_labels_get (labels, ids[0]), ==, DASSIE_LABEL_INTERESTING);
  g_assert_true (dassie_labels_undo (labels, &error));
  g_assert_cmpint (dassie_labels_get (labels, ids[0]), ==, DASSIE_LABEL_BORING);
  /* The undo is saved too. */
  reread = dassie_labels_open (dir, ids, N_IDS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dassie_labels_get (reread, ids[0]), ==, DASSIE_LABEL_BORING);
  g_assert_cmpuint (dassie_labels_get_n_entries (reread), ==, 1);

  g_assert_true (dassie_labels_can_redo (labels));
  g_assert_true (dassie_labels_redo (labels, &error));
  g_assert_cmpint (dassie_labels_get (labels, ids[0]), ==, DASSIE_LABEL_INTERESTING);
  /* A new change forgets what could be redone. */
  g_assert_true (dassie_labels_set (labels, ids[4], DASSIE_LABEL_BORING, &error));
  g_assert_false (dassie_labels_can_redo (labels));
  g_assert_true (dassie_labels_undo (labels, &error));
  g_assert_true (dassie_labels_undo (labels, &error));
  g_assert_true (dassie_labels_undo (labels, &error));
  g_assert_false (dassie_labels_can_undo (labels));
  g_assert_cmpuint (dassie_labels_get_n_entries (labels), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 3 + 2 + 1 + 1 + 3);

  dassie_remove_tree (dir, NULL);
}

/* A change that cannot be saved is taken back, and the error names the place. */
static void
test_save_failure (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *blocked = g_build_filename (dir, "not-a-folder", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieLabels) labels = NULL;

  g_assert_true (g_file_set_contents (blocked, "x", -1, NULL));
  labels = dassie_labels_open (blocked, ids, N_IDS, &error);
  g_assert_no_error (error);
  g_assert_false (dassie_labels_set (labels, ids[0], DASSIE_LABEL_INTERESTING, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not-a-folder"));
  g_assert_cmpint (dassie_labels_get (labels, ids[0]), ==, DASSIE_LABEL_NONE);
  g_assert_false (dassie_labels_can_undo (labels));
  dassie_remove_tree (dir, NULL);
}

static void
test_bad_store (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *identity = dassie_labels_identity_for_ids (ids, N_IDS);
  g_autofree char *name = g_strdelimit (g_strdup_printf ("%s.json", identity), ":", '-');
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieLabels) labels = NULL;

  g_assert_true (g_file_set_contents (path, "{ \"labels\": 3 }", -1, NULL));
  labels = dassie_labels_open (dir, ids, N_IDS, &error);
  g_assert_null (labels);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  dassie_remove_tree (dir, NULL);
}

static void
test_import (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *csv = g_build_filename (dir, "in.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieLabels) labels = dassie_labels_open (dir, ids, N_IDS, &error);
  g_autoptr(DassieLabels) copy = NULL;
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) unknown = NULL;
  guint n = 0;

  g_assert_no_error (error);
  g_signal_connect (labels, "changed", G_CALLBACK (on_changed), log);
  text = g_strdup_printf ("object_id,label,note,tags\r\n"
                          "%s,Interesting,\"ring, or arc\",ring;lens\r\n"
                          "999,artifact,,\r\n"
                          "%s,artifact,\"trail\nacross\",\r\n"
                          "\r\n"
                          "888,boring,,\r\n"
                          "%s,boring,,\r\n"
                          "%s,interesting,,\r\n",
                          ids[0], ids[1], ids[2], ids[2]);
  g_assert_true (g_file_set_contents (csv, text, -1, NULL));
  g_assert_true (dassie_labels_import_csv (labels, csv, &n, &unknown, &error));
  g_assert_no_error (error);
  /* Unknown ids are reported, not fatal; the rest is one step; a later line of an object wins. */
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (g_strv_length (unknown), ==, 2);
  g_assert_cmpstr (unknown[0], ==, "999");
  g_assert_cmpstr (unknown[1], ==, "888");
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, "*");
  g_assert_cmpint (dassie_labels_get (labels, ids[0]), ==, DASSIE_LABEL_INTERESTING);
  g_assert_cmpint (dassie_labels_get (labels, ids[1]), ==, DASSIE_LABEL_ARTIFACT);
  g_assert_cmpint (dassie_labels_get (labels, ids[2]), ==, DASSIE_LABEL_INTERESTING);
  g_assert_cmpstr (dassie_labels_lookup (labels, ids[0])->note, ==, "ring, or arc");
  g_assert_cmpstr (dassie_labels_lookup (labels, ids[0])->tags[0], ==, "lens");
  g_assert_cmpstr (dassie_labels_lookup (labels, ids[1])->note, ==, "trail\nacross");

  /* A bad label fails naming the file and the line, and changes nothing. */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%s,boring\n%s,excellent\n", ids[3], ids[4]);
  g_assert_true (g_file_set_contents (bad, text, -1, NULL));
  g_assert_false (dassie_labels_import_csv (labels, bad, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, bad));
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_assert_nonnull (strstr (error->message, "excellent"));
  g_clear_error (&error);
  g_assert_cmpint (dassie_labels_get (labels, ids[3]), ==, DASSIE_LABEL_NONE);

  /* Without a header: object_id,label[,note]. Undo takes the whole import back. */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%s,boring\n%s,boring,dull\n", ids[3], ids[4]);
  g_assert_true (g_file_set_contents (plain, text, -1, NULL));
  g_assert_true (dassie_labels_import_csv (labels, plain, &n, NULL, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (dassie_labels_lookup (labels, ids[4])->note, ==, "dull");
  g_assert_true (dassie_labels_undo (labels, &error));
  g_assert_cmpint (dassie_labels_get (labels, ids[3]), ==, DASSIE_LABEL_NONE);
  g_assert_cmpint (dassie_labels_get (labels, ids[0]), ==, DASSIE_LABEL_INTERESTING);

  /* Export and import give the same labels, notes and tags. */
  g_assert_true (dassie_labels_export_csv (labels, out, &error));
  copy = dassie_labels_new_in_memory (ids, N_IDS);
  g_assert_null (dassie_labels_get_path (copy));
  g_assert_true (dassie_labels_import_csv (copy, out, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  for (guint i = 0; i < N_IDS; i++)
    {
      const DassieLabelEntry *a = dassie_labels_lookup (labels, ids[i]);
      const DassieLabelEntry *b = dassie_labels_lookup (copy, ids[i]);

      g_assert_true ((a == NULL) == (b == NULL));
      if (a == NULL)
        continue;
      g_assert_cmpint (a->label, ==, b->label);
      g_assert_cmpstr (a->note, ==, b->note);
      g_assert_true (g_strv_equal ((const char * const *) a->tags, (const char * const *) b->tags));
    }

  /* An unreadable file is an error naming it. */
  g_assert_false (dassie_labels_import_csv (labels, "/nonexistent/labels.csv", NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "/nonexistent/labels.csv"));
  dassie_remove_tree (dir, NULL);
}

static void
test_label_names (void)
{
  DassieLabel label;

  for (guint l = 0; l < DASSIE_N_LABELS; l++)
    {
      g_assert_true (dassie_label_from_string (dassie_label_to_string (l), &label));
      g_assert_cmpint (label, ==, l);
    }
  g_assert_true (dassie_label_from_string (" ARTIFACT ", &label));
  g_assert_cmpint (label, ==, DASSIE_LABEL_ARTIFACT);
  g_assert_true (dassie_label_from_string ("", &label));
  g_assert_cmpint (label, ==, DASSIE_LABEL_NONE);
  g_assert_false (dassie_label_from_string ("merger", &label));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("DASSIE_LABELS_DIR");
  g_test_add_func ("/core/labels/identity", test_identity);
  g_test_add_func ("/core/labels/store-dir", test_store_dir);
  g_test_add_func ("/core/labels/names", test_label_names);
  g_test_add_func ("/core/labels/round-trip", test_round_trip);
  g_test_add_func ("/core/labels/undo", test_undo);
  g_test_add_func ("/core/labels/save-failure", test_save_failure);
  g_test_add_func ("/core/labels/bad-store", test_bad_store);
  g_test_add_func ("/core/labels/import", test_import);
  return g_test_run ();
}
