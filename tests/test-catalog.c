/* test-catalog.c: scores, map and data set joined by object id; ranks; cutouts; object lists
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-catalog.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-results.h"
#include "dassie-scores.h"
#include "dassie-table.h"
#include "dassie-umap.h"
#include "dassie-test-scores.h"

#define N 6
#define K 2

static char *tmp_dir;

static const char * const int_ids[N + 1] = {
  "36411452835238206", "36411452835238207", "42633119237882880", "9", "36411452835238999", "100000000000000001", NULL
};
static const char * const text_ids[N + 1] = { "NGC 1", "NGC 2", "M 31", "x", "Abell 1689", "QSO-7", NULL };
static const float scores[N] = { 0.5f, 2.0f, NAN, 1.25f, 0.75f, 2.0f };
static const guint neighbor_rows[N * K] = { 4, 3, 5, 0, 0, 1, 4, 0, 0, 3, 1, 2 };
static const float neighbor_dist[N * K] = { 0.4f, 0.6f, 1.5f, 2.5f, 0.1f, 0.2f, 1.0f, 1.5f, 0.4f, 1.1f, 1.5f, 2.5f };

/* The embedding lists the objects in reverse, leaves out row 2 and adds an object that was not scored. */
static void
write_embedding (const char         *path,
                 const char * const *ids,
                 const char         *extra_id)
{
  g_autoptr(GError) error = NULL;
  const char *rows[N];
  float xy[2 * N];
  guint m = 0;

  for (int i = N - 1; i >= 0; i--)
    {
      if (i == 2)
        continue;
      rows[m] = ids[i];
      xy[2 * m] = 10.0f * i;
      xy[2 * m + 1] = -1.0f * i;
      m++;
    }
  rows[m] = extra_id;
  xy[2 * m] = 99;
  xy[2 * m + 1] = 99;
  m++;
  g_assert_true (dassie_table_write_vectors (path, rows, m, "UMAP", xy, 2, &error));
  g_assert_no_error (error);
}

static DassieCatalog *
load_fixture (const char * const *ids,
              const char         *extra_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *scores_path = g_build_filename (tmp_dir, "scores.fits", NULL);
  g_autofree char *umap_dir = g_build_filename (tmp_dir, "umap-run", NULL);
  g_autofree char *umap_path = g_build_filename (umap_dir, "embedding.fits", NULL);
  DassieCatalog *catalog;

  g_mkdir_with_parents (umap_dir, 0755);
  dassie_test_write_scores (scores_path, ids, N, scores, K, neighbor_rows, neighbor_dist);
  write_embedding (umap_path, ids, extra_id);
  /* The map given as its run folder, the scores as the file. */
  catalog = dassie_catalog_load (scores_path, umap_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (catalog);
  g_assert_cmpstr (catalog->umap_path, ==, umap_path);
  return catalog;
}

static void
check_join (const char * const *ids,
            const char         *extra_id)
{
  g_autoptr(DassieCatalog) catalog = load_fixture (ids, extra_id);
  double sum = 0;
  guint finite = 0;

  g_assert_cmpuint (catalog->n, ==, N);
  g_assert_cmpuint (catalog->k, ==, K);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpstr (catalog->ids[i], ==, ids[i]);
      if (isnan (scores[i]))
        g_assert_true (isnan (catalog->scores[i]));
      else
        g_assert_cmpfloat (catalog->scores[i], ==, scores[i]);
      /* Matched by id, not by position in the file. */
      if (i == 2)
        g_assert_true (isnan (catalog->x[i]) && isnan (catalog->y[i]));
      else
        {
          g_assert_cmpfloat (catalog->x[i], ==, 10.0f * i);
          g_assert_cmpfloat (catalog->y[i], ==, -1.0f * i);
        }
      for (guint j = 0; j < K; j++)
        {
          g_assert_cmpuint (catalog->neighbors[i * K + j], ==, neighbor_rows[i * K + j]);
          g_assert_cmpfloat (catalog->neighbor_dist[i * K + j], ==, neighbor_dist[i * K + j]);
        }
      g_assert_cmpint (catalog->objects[i], ==, -1);
      g_assert_cmpint (dassie_catalog_find_row (catalog, ids[i]), ==, (int) i);
    }
  g_assert_cmpint (dassie_catalog_find_row (catalog, extra_id), ==, -1);

  /* Ranks by counting, ties in file order, NaN last. */
  for (guint i = 0; i < N; i++)
    {
      guint rank = 1;

      if (isnan (scores[i]))
        rank = N;
      else
        for (guint j = 0; j < N; j++)
          if (!isnan (scores[j]) && (scores[j] > scores[i] || (scores[j] == scores[i] && j < i)))
            rank++;
      g_assert_cmpuint (catalog->ranks[i], ==, rank);
      g_assert_cmpuint (catalog->order[rank - 1], ==, i);
      if (!isnan (scores[i]))
        {
          sum += scores[i];
          finite++;
        }
    }
  g_assert_cmpfloat_with_epsilon (catalog->score_mean, sum / finite, 1e-12);
}

static void
test_join_integer_ids (void)
{
  check_join (int_ids, "77");
}

static void
test_join_text_ids (void)
{
  check_join (text_ids, "not scored");
}

static void
test_no_common_objects (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *scores_path = g_build_filename (tmp_dir, "scores-alone.fits", NULL);
  g_autofree char *umap_path = g_build_filename (tmp_dir, "other-embedding.fits", NULL);
  const char *other[2] = { "1", "2" };
  const float xy[4] = { 0, 0, 1, 1 };
  DassieCatalog *catalog;

  dassie_test_write_scores (scores_path, int_ids, N, scores, K, neighbor_rows, neighbor_dist);
  g_assert_true (dassie_table_write_vectors (umap_path, other, 2, "UMAP", xy, 2, &error));
  g_assert_no_error (error);
  catalog = dassie_catalog_load (scores_path, umap_path, NULL, NULL, &error);
  g_assert_null (catalog);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, umap_path));
}

/* Export writes the rows from the most anomalous down, whatever order they are given in. */
static void
test_export_order (void)
{
  g_autoptr(DassieCatalog) catalog = load_fixture (int_ids, "77");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "objects.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const guint32 rows[3] = { 0, 5, 3 };
  const char *expected_ids[3] = { int_ids[5], int_ids[3], int_ids[0] };
  const guint expected_ranks[3] = { 2, 3, 5 };

  g_assert_true (dassie_catalog_export (catalog, rows, 3, path, DASSIE_EXPORT_CSV, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "object_id,"));
  for (guint i = 0; i < 3; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[1 + i], ",", -1);
      g_autofree char *rank = g_strdup_printf ("%u", expected_ranks[i]);

      g_assert_cmpstr (fields[0], ==, expected_ids[i]);
      g_assert_cmpstr (fields[2], ==, rank);
    }
  g_assert_cmpstr (lines[4], ==, "");
}

/* A scores run older than the SCORE column ranks by KNN_MEDIAN, its one score column. */
static void
test_old_run_scores (void)
{
  g_autoptr(DassieCatalog) catalog = load_fixture (int_ids, "77");

  g_assert_cmpuint (dassie_catalog_get_n_score_columns (catalog), ==, 1);
  g_assert_cmpstr (dassie_catalog_get_score_column_name (catalog, 0), ==, "KNN_MEDIAN");
  g_assert_cmpstr (dassie_catalog_get_ranking_method (catalog), ==, "knn-median");
  g_assert_null (dassie_catalog_get_score_column (catalog, "lof"));
  g_assert_cmpfloat (dassie_catalog_get_score_column (catalog, "knn-median")[1], ==, scores[1]);
  g_assert_cmpuint (catalog->order[0], ==, 1);
}

/* A scores run with method columns: ranked by SCORE, and by any other column on request. */
static void
test_score_columns (void)
{
  const float lof[N] = { 3, 1, 1.5f, 0.5f, 4, 2 };
  const float forest[N] = { 0.45f, 0.7f, 0.3f, 0.6f, 0.5f, 0.4f };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "methods", NULL);
  g_autofree char *path = g_build_filename (dir, "scores.fits", NULL);
  g_autofree char *csv = g_build_filename (dir, "top.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(DassieScores) table = NULL;
  g_autoptr(DassieCatalog) catalog = NULL;
  const guint32 rows[2] = { 1, 4 };
  /* By LOF: rows 4, 0, 5, 2, 1, 3. By the isolation forest: 1, 3, 4, 0, 5, 2. */
  const guint lof_order[N] = { 4, 0, 5, 2, 1, 3 };
  const guint forest_order[N] = { 1, 3, 4, 0, 5, 2 };

  g_mkdir_with_parents (dir, 0755);
  dassie_test_write_scores (path, int_ids, N, scores, K, neighbor_rows, neighbor_dist);
  table = dassie_scores_read (path, &error);
  g_assert_no_error (error);
  dassie_scores_set_column (table, "LOF", lof);
  dassie_scores_set_column (table, "IFOREST", forest);
  g_assert_true (dassie_scores_set_method (table, "lof", &error));
  g_assert_true (dassie_scores_write (table, path, &error));
  g_assert_no_error (error);

  catalog = dassie_catalog_load (path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_catalog_get_n_score_columns (catalog), ==, 3);
  g_assert_cmpstr (dassie_catalog_get_score_column_name (catalog, 0), ==, "KNN_MEDIAN");
  g_assert_cmpstr (dassie_catalog_get_score_column_name (catalog, 1), ==, "LOF");
  g_assert_cmpstr (dassie_catalog_get_score_column_name (catalog, 2), ==, "IFOREST");
  g_assert_cmpstr (dassie_catalog_get_ranking_method (catalog), ==, "lof");
  g_assert_cmpfloat (dassie_catalog_get_score_column (catalog, "IFOREST")[3], ==, forest[3]);
  g_assert_cmpfloat (dassie_catalog_get_score_column (catalog, "iforest")[3], ==, forest[3]);
  for (guint r = 0; r < N; r++)
    {
      g_assert_cmpuint (catalog->order[r], ==, lof_order[r]);
      g_assert_cmpuint (catalog->ranks[lof_order[r]], ==, r + 1);
      g_assert_cmpfloat (catalog->scores[r], ==, lof[r]);
    }

  /* Export writes the SCORE ranking: row 4 (LOF 4) before row 1 (LOF 1). */
  g_assert_true (dassie_catalog_export (catalog, rows, 2, csv, DASSIE_EXPORT_CSV, &error));
  g_assert_true (g_file_get_contents (csv, &text, NULL, &error));
  g_assert_true (strstr (text, int_ids[4]) < strstr (text, int_ids[1]));

  g_assert_true (dassie_catalog_set_ranking_method (catalog, "iforest", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dassie_catalog_get_ranking_method (catalog), ==, "iforest");
  for (guint r = 0; r < N; r++)
    g_assert_cmpuint (catalog->order[r], ==, forest_order[r]);
  g_assert_cmpfloat_with_epsilon (catalog->score_mean, (0.45 + 0.7 + 0.3 + 0.6 + 0.5 + 0.4) / 6, 1e-6);

  g_assert_false (dassie_catalog_set_ranking_method (catalog, "reconstruction", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (dassie_catalog_get_ranking_method (catalog), ==, "iforest");
  g_assert_cmpuint (catalog->order[0], ==, 1);
}

/* Objects found in the data set by id, and their cutouts rendered at the data set's size. */
static void
test_dataset_and_cutouts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) dataset = NULL;
  g_autoptr(DassieCatalog) catalog = NULL;
  g_autofree char *data_dir = g_build_filename (tmp_dir, "demo", NULL);
  g_autofree char *scores_path = g_build_filename (tmp_dir, "demo-scores.fits", NULL);
  g_autofree char *umap_path = g_build_filename (tmp_dir, "demo-embedding.fits", NULL);
  g_autofree const char **ids = NULL;
  g_autofree float *values = NULL;
  g_autofree float *xy = NULL;
  g_autofree guint *rows = NULL;
  g_autofree float *dist = NULL;
  DassieDatasetOptions options;
  DassieDemoOptions demo;
  DassieDisplayOptions display;
  cairo_surface_t *surface;
  guint n;

  dassie_demo_options_init (&demo);
  demo.n_objects = 10;
  demo.size = 16;
  g_assert_true (dassie_demo_generate (data_dir, &demo, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  dassie_dataset_options_init (&options);
  dataset = dassie_dataset_open (data_dir, &options, NULL, &error);
  g_assert_no_error (error);
  n = dassie_dataset_get_n_objects (dataset);

  /* Scored in reverse order, with one id the data set lacks in place of the first object. */
  ids = g_new (const char *, n);
  values = g_new (float, n);
  xy = g_new (float, 2 * n);
  rows = g_new0 (guint, n);
  dist = g_new0 (float, n);
  for (guint i = 0; i < n; i++)
    {
      ids[i] = i == n - 1 ? "12345" : dassie_dataset_get_object_id (dataset, n - 1 - i);
      values[i] = i;
      xy[2 * i] = xy[2 * i + 1] = i;
      rows[i] = (i + 1) % n;
    }
  dassie_test_write_scores (scores_path, ids, n, values, 1, rows, dist);
  g_assert_true (dassie_table_write_vectors (umap_path, ids, n, "UMAP", xy, 2, &error));
  catalog = dassie_catalog_load (scores_path, umap_path, dataset, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      int expected = -1;

      for (guint j = 0; j < n; j++)
        if (g_str_equal (dassie_dataset_get_object_id (dataset, j), ids[i]))
          expected = (int) j;
      g_assert_cmpint (catalog->objects[i], ==, expected);
    }
  g_assert_cmpint (catalog->objects[n - 1], ==, -1);

  dassie_display_options_init (&display);
  surface = dassie_catalog_render_cutout (catalog, 0, &display, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 16);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 16);
  cairo_surface_destroy (surface);

  surface = dassie_catalog_render_cutout (catalog, n - 1, &display, &error);
  g_assert_null (surface);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The export names each band's file of the objects the data set holds, and none for the other. */
  {
    g_autofree char *path = g_build_filename (tmp_dir, "demo.csv", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    const guint32 export_rows[2] = { 0, n - 1 };

    g_assert_true (dassie_catalog_export (catalog, export_rows, 2, path, DASSIE_EXPORT_CSV, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    /* Row n - 1 has the highest score, so it comes first. */
    g_assert_true (g_str_has_prefix (lines[1], "12345,"));
    g_assert_true (g_str_has_suffix (lines[1], ",,,"));
    g_assert_nonnull (strstr (lines[2], dassie_dataset_get_file (dataset, n - 1, 0)));
  }
}

/* An infer run of @n objects "1".."n" whose 4-d latent vectors depend on @salt. */
static char *
write_infer_run (const char *results,
                 const char *name,
                 guint       n,
                 float       salt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree float *latents = g_new (float, 4 * n);
  char *run = g_build_filename (results, name, NULL);
  g_autofree char *path = g_build_filename (run, "latents.fits", NULL);

  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (ids, g_strdup_printf ("%u", i + 1));
      for (guint c = 0; c < 4; c++)
        latents[4 * i + c] = sinf (salt * (i + 1) + c) * (c + 1);
    }
  g_assert_true (dassie_table_write_vectors (path, (const char * const *) ids->pdata, n, "LATENT", latents, 4, &error));
  g_assert_no_error (error);
  return run;
}

/* Scores and a map are joined only when they derive from the same latent vectors, whichever is newer. */
static void
test_same_latents_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *results = g_build_filename (tmp_dir, "provenance", NULL);
  g_autofree char *infer_a = write_infer_run (results, "20260101-000000-infer-aaaa", 30, 0.7f);
  g_autofree char *infer_b = write_infer_run (results, "20260101-000001-infer-bbbb", 30, 1.9f);
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(DassieCatalog) joined = NULL;
  g_autoptr(DassieCatalog) alone = NULL;
  g_autoptr(DassieCatalog) mixed = NULL;
  g_autofree char *found = NULL;
  g_autofree char *csv = g_build_filename (tmp_dir, "alone.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *latents_a = g_build_filename (infer_a, "latents.fits", NULL);
  DassieScoresResult scores_a = { 0 };
  DassieUmapResult umap_a = { 0 }, umap_b = { 0 };
  guint32 rows[30];

  dassie_config_set_string (config, "general.results_dir", results);
  dassie_config_set_int (config, "scores.k", 3);
  dassie_config_set_int (config, "umap.n_neighbors", 5);
  dassie_config_set_int (config, "umap.n_epochs", 20);
  g_assert_true (dassie_scores_run (config, infer_a, NULL, NULL, NULL, &scores_a, &error));
  g_assert_no_error (error);
  g_assert_true (dassie_umap_run (config, infer_a, NULL, NULL, NULL, &umap_a, &error));
  g_assert_no_error (error);
  /* The newest map is of other vectors with the same ids. */
  g_usleep (1100000);
  g_assert_true (dassie_umap_run (config, infer_b, NULL, NULL, NULL, &umap_b, &error));
  g_assert_no_error (error);

  /* The scores run records what it scored. */
  g_assert_true (dassie_run_read_input (scores_a.run_dir, &recorded, NULL));
  g_assert_cmpstr (recorded, ==, latents_a);

  found = dassie_catalog_find_map (results, scores_a.run_dir);
  g_assert_cmpstr (found, ==, umap_a.run_dir);

  mixed = dassie_catalog_load (scores_a.run_dir, umap_b.run_dir, NULL, NULL, &error);
  g_assert_null (mixed);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, umap_b.run_dir));
  g_assert_nonnull (strstr (error->message, scores_a.run_dir));
  g_clear_error (&error);

  joined = dassie_catalog_load (scores_a.run_dir, found, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (joined->latents_checksum);
  for (guint i = 0; i < joined->n; i++)
    g_assert_true (isfinite (joined->x[i]));

  /* Without a map: no UMAP columns. */
  alone = dassie_catalog_load (scores_a.run_dir, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (alone->umap_path);
  for (guint i = 0; i < 30; i++)
    rows[i] = i;
  g_assert_true (dassie_catalog_export (alone, rows, 30, csv, DASSIE_EXPORT_CSV, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "object_id,score,rank\n"));

  dassie_scores_result_clear (&scores_a);
  dassie_umap_result_clear (&umap_a);
  dassie_umap_result_clear (&umap_b);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("dassie-catalog-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/core/catalog/join-integer-ids", test_join_integer_ids);
  g_test_add_func ("/core/catalog/join-text-ids", test_join_text_ids);
  g_test_add_func ("/core/catalog/no-common-objects", test_no_common_objects);
  g_test_add_func ("/core/catalog/export-order", test_export_order);
  g_test_add_func ("/core/catalog/old-run-scores", test_old_run_scores);
  g_test_add_func ("/core/catalog/score-columns", test_score_columns);
  g_test_add_func ("/core/catalog/dataset-and-cutouts", test_dataset_and_cutouts);
  g_test_add_func ("/core/catalog/same-latents-only", test_same_latents_only);
  status = g_test_run ();

  dassie_remove_tree (tmp_dir, NULL);
  g_free (tmp_dir);
  return status;
}
