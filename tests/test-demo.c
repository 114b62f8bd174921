/* test-demo.c: the demo data set is complete, labelled, realistic enough and deterministic
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"

static char *
generate (guint64 seed)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dassie-demo-XXXXXX", &error);
  DassieDemoOptions options;

  dassie_demo_options_init (&options);
  options.n_objects = 140;
  options.size = 48;
  options.seed = seed;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return dir;
}

static GHashTable *
read_labels (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "object_id,label,kind");
  for (guint i = 1; lines[i] != NULL && *lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", 3);
      const char *kind = f[2];
      /* What the issue asks an astronomer to say of each kind. */
      const char *expected = g_str_equal (kind, "merger") || g_str_equal (kind, "unusual_colour") ||
                             g_str_equal (kind, "ring") || g_str_equal (kind, "lensed_arc") ||
                             g_str_equal (kind, "tidal_tail") ? "interesting"
                             : g_str_equal (kind, "satellite_trail") || g_str_equal (kind, "nan_hole") ||
                               g_str_equal (kind, "saturated_star") ? "artifact" : "boring";

      g_assert_nonnull (kind);
      g_assert_cmpstr (f[1], ==, expected);
      g_hash_table_insert (labels, g_strdup (f[0]), g_strdup (kind));
    }
  return labels;
}

static void
test_contents (void)
{
  g_autofree char *dir = generate (42);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) labels = read_labels (dir);
  g_autoptr(GHashTable) kinds = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(DassieDataset) ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_autofree float *pix = NULL;
  g_autofree guint *all = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint n, n_anomalies = 0, n_negative = 0, n_nan_objects = 0;
  gsize plane = 48 * 48;
  double corner_sum = 0;
  guint corner_count = 0;

  g_assert_no_error (error);
  n = dassie_dataset_get_n_objects (ds);
  g_assert_cmpuint (n, ==, 140);
  g_assert_cmpuint (dassie_dataset_get_n_bands (ds), ==, 3);
  g_assert_cmpstr (dassie_dataset_get_band (ds, 0), ==, "G");
  g_assert_cmpuint (dassie_dataset_get_skipped (ds)->len, ==, 0);
  g_assert_true (dassie_dataset_ids_are_integers (ds));
  g_assert_cmpuint (strlen (dassie_dataset_get_object_id (ds, 0)), ==, 17);
  g_assert_true (g_str_has_suffix (dassie_dataset_get_file (ds, 0, 2), "_HSC-R.fits"));

  g_assert_cmpuint (g_hash_table_size (labels), ==, 140);
  g_hash_table_iter_init (&iter, labels);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_assert_cmpint (dassie_dataset_find_object (ds, key), >=, 0);
      if (!g_str_equal (value, "normal"))
        {
          n_anomalies++;
          g_hash_table_add (kinds, value);
        }
    }
  /* A few percent, of every kind. */
  g_assert_cmpuint (n_anomalies, >=, 6);
  g_assert_cmpuint (n_anomalies, <=, 14);
  g_assert_cmpuint (g_hash_table_size (kinds), ==, 9);
  g_assert_true (g_hash_table_contains (kinds, "ring"));
  g_assert_true (g_hash_table_contains (kinds, "lensed_arc"));
  g_assert_true (g_hash_table_contains (kinds, "tidal_tail"));

  all = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    all[i] = i;
  pix = g_new (float, (gsize) n * 3 * plane);
  g_assert_true (dassie_dataset_read_objects (ds, all, n, FALSE, pix, NULL, &error));

  for (guint i = 0; i < n; i++)
    {
      const char *label = g_hash_table_lookup (labels, dassie_dataset_get_object_id (ds, i));
      const float *p = pix + (gsize) i * 3 * plane;
      gboolean has_nan = FALSE;
      float max = -INFINITY;

      for (gsize j = 0; j < 3 * plane; j++)
        {
          has_nan |= isnan (p[j]);
          if (!isnan (p[j]))
            max = MAX (max, p[j]);
          n_negative += p[j] < 0;
        }
      n_nan_objects += has_nan;
      g_assert_true (has_nan == g_str_equal (label, "nan_hole"));
      if (g_str_equal (label, "saturated_star"))
        g_assert_cmpfloat (max, >=, 1000);
      if (!has_nan)
        for (guint b = 0; b < 3; b++)
          {
            corner_sum += p[b * plane + 0] + p[b * plane + 47] + p[b * plane + 47 * 48];
            corner_count += 3;
          }
    }
  g_assert_cmpuint (n_nan_objects, >=, 1);
  /* Sky-subtracted: many negative pixels, and the mean sky near zero. */
  g_assert_cmpuint (n_negative, >, n * 3 * plane / 10);
  g_assert_cmpfloat (fabs (corner_sum / corner_count), <, 0.1);

  dassie_remove_tree (dir, NULL);
}

static void
test_deterministic (void)
{
  g_autofree char *a = generate (7);
  g_autofree char *b = generate (7);
  g_autofree char *c = generate (8);
  g_autofree char *la = NULL, *lb = NULL, *lc = NULL;
  g_autofree char *pa = g_build_filename (a, "labels.csv", NULL);
  g_autofree char *pb = g_build_filename (b, "labels.csv", NULL);
  g_autofree char *pc = g_build_filename (c, "labels.csv", NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) first = NULL;
  g_autofree char *fa = NULL, *fb = NULL, *fda = NULL, *fdb = NULL;
  gsize na = 0, nb = 0;

  g_assert_true (g_file_get_contents (pa, &la, NULL, NULL));
  g_assert_true (g_file_get_contents (pb, &lb, NULL, NULL));
  g_assert_true (g_file_get_contents (pc, &lc, NULL, NULL));
  g_assert_cmpstr (la, ==, lb);
  g_assert_cmpstr (la, !=, lc);

  /* The pixels too, byte for byte. */
  lines = g_strsplit (la, "\n", 3);
  first = g_strsplit (lines[1], ",", 2);
  fa = g_strdup_printf ("%s/%s_demo_HSC-I.fits", a, first[0]);
  fb = g_strdup_printf ("%s/%s_demo_HSC-I.fits", b, first[0]);
  g_assert_true (g_file_get_contents (fa, &fda, &na, NULL));
  g_assert_true (g_file_get_contents (fb, &fdb, &nb, NULL));
  g_assert_cmpmem (fda, na, fdb, nb);

  dassie_remove_tree (a, NULL);
  dassie_remove_tree (b, NULL);
  dassie_remove_tree (c, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/demo/contents", test_contents);
  g_test_add_func ("/core/demo/deterministic", test_deterministic);
  return g_test_run ();
}
