/* test-cli-export.c: "dassie-cli export" on a scores run and a umap run written here with cfitsio
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-catalog.h"
#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-scores.h"
#include "dassie-table.h"
#include "dassie-test-scores.h"

#define N_OBJECTS 20

typedef struct
{
  char          *dir;
  char          *data;
  char          *results;
  DassieDataset *dataset;
  char          *ids[N_OBJECTS + 1];
  float          scores[N_OBJECTS];
  float          umap[2 * N_OBJECTS];
} Fixture;

/* The embedding as another writer may store it: OBJECT_ID as text ('A'), UMAP as 2E, rows reversed. */
static void
write_embedding (const char  *path,
                 Fixture     *f)
{
  char *ttype[] = { (char *) "OBJECT_ID", (char *) "UMAP" };
  char *tform[] = { (char *) "20A", (char *) "2E" };
  g_autofree char *create = g_strconcat ("!", path, NULL);
  char *ids[N_OBJECTS];
  float values[2 * N_OBJECTS];
  fitsfile *fptr = NULL;
  int status = 0;

  for (guint i = 0; i < N_OBJECTS; i++)
    {
      guint j = N_OBJECTS - 1 - i;
      ids[i] = f->ids[j];
      values[2 * i] = f->umap[2 * j];
      values[2 * i + 1] = f->umap[2 * j + 1];
    }
  fits_create_file (&fptr, create, &status);
  fits_create_tbl (fptr, BINARY_TBL, N_OBJECTS, 2, ttype, tform, NULL, "EMBEDDING", &status);
  fits_write_col (fptr, TSTRING, 1, 1, 1, N_OBJECTS, ids, &status);
  fits_write_col (fptr, TFLOAT, 2, 1, 1, 2 * N_OBJECTS, values, &status);
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
}

static char *
make_run (Fixture    *f,
          const char *name)
{
  char *run = g_build_filename (f->results, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  return run;
}

/* The record of the latent vectors a run was computed from, as the scores and umap verbs write it. */
static void
write_input (const char *run,
             const char *verb,
             const char *latents,
             const char *checksum)
{
  g_autofree char *name = g_strconcat (verb, ".json", NULL);
  g_autofree char *path = g_build_filename (run, name, NULL);
  g_autofree char *text = g_strdup_printf ("{ \"input\": \"%s\", \"input_checksum\": \"%s\" }\n",
                                           latents, checksum);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old_run = NULL;
  g_autofree char *new_run = NULL;
  g_autofree char *broken_run = NULL;
  g_autofree char *umap_run = NULL;
  g_autofree char *path = NULL;
  DassieDemoOptions demo;
  DassieDatasetOptions options;
  const char *old_ids[2] = { "1", "2" };
  const float old_scores[2] = { 100, 200 };

  f->dir = g_dir_make_tmp ("dassie-cli-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->data = g_build_filename (f->dir, "data", NULL);
  f->results = g_build_filename (f->dir, "results", NULL);

  dassie_demo_options_init (&demo);
  demo.n_objects = N_OBJECTS;
  demo.size = 16;
  g_assert_true (dassie_demo_generate (f->data, &demo, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  dassie_dataset_options_init (&options);
  f->dataset = dassie_dataset_open (f->data, &options, NULL, &error);
  g_assert_no_error (error);
  dassie_dataset_options_clear (&options);
  g_assert_cmpuint (dassie_dataset_get_n_objects (f->dataset), ==, N_OBJECTS);

  for (guint i = 0; i < N_OBJECTS; i++)
    {
      f->ids[i] = g_strdup (dassie_dataset_get_object_id (f->dataset, i));
      f->scores[i] = 1.0f + (float) ((i * 7) % N_OBJECTS) / 8.0f;   /* distinct */
      f->umap[2 * i] = (float) i * 0.5f - 3;
      f->umap[2 * i + 1] = (float) (i % 5) + 0.25f;
    }
  f->scores[5] = NAN;   /* an object without a score ranks last */

  /* An older scores run with other ids, the newest one, and a newer one never finished. */
  old_run = make_run (f, "20250101-000000-scores-aaaa");
  path = g_build_filename (old_run, "scores.fits", NULL);
  g_assert_true (dassie_table_write_vectors (path, old_ids, 2, "KNN_MEDIAN", old_scores, 1, &error));
  g_clear_pointer (&path, g_free);
  new_run = make_run (f, "20260301-120000-scores-bbbb");
  path = g_build_filename (new_run, "scores.fits", NULL);
  g_assert_true (dassie_table_write_vectors (path, (const char * const *) f->ids, N_OBJECTS, "KNN_MEDIAN",
                                             f->scores, 1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);
  broken_run = make_run (f, "20270101-000000-scores-cccc.incomplete");

  umap_run = make_run (f, "20260301-130000-umap-dddd");
  path = g_build_filename (umap_run, "embedding.fits", NULL);
  write_embedding (path, f);
  g_clear_pointer (&path, g_free);
  write_input (new_run, "scores", "/runs/a-infer/latents.fits", "aaaa");
  write_input (umap_run, "umap", "/runs/a-infer/latents.fits", "aaaa");

  /* The newest map is of another model's latent vectors: it must never be joined to these scores. */
  g_clear_pointer (&umap_run, g_free);
  umap_run = make_run (f, "20260401-000000-umap-ffff");
  for (guint i = 0; i < 2 * N_OBJECTS; i++)
    f->umap[i] += 1000;
  path = g_build_filename (umap_run, "embedding.fits", NULL);
  write_embedding (path, f);
  for (guint i = 0; i < 2 * N_OBJECTS; i++)
    f->umap[i] -= 1000;
  write_input (umap_run, "umap", "/runs/b-infer/latents.fits", "bbbb");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  dassie_remove_tree (f->dir, NULL);
  g_clear_pointer (&f->dataset, dassie_dataset_unref);
  for (guint i = 0; i < N_OBJECTS; i++)
    g_free (f->ids[i]);
  g_free (f->dir);
  g_free (f->data);
  g_free (f->results);
}

/* Runs dassie-cli with @args; returns its exit status and the last line of standard output. */
static int
run_cli (const char  *args[],
         char       **last_line,
         char       **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *cli = g_getenv ("DASSIE_CLI");
  int wait_status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, err, &wait_status, &error));
  g_assert_no_error (error);
  if (last_line != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
      guint n = g_strv_length (lines);
      *last_line = n > 0 ? g_strdup (lines[n - 1]) : g_strdup ("");
    }
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

/* The ranking done here independently: by descending score, NaN last. */
static void
naive_order (Fixture *f,
             guint    order[N_OBJECTS])
{
  gboolean used[N_OBJECTS] = { 0 };

  for (guint r = 0; r < N_OBJECTS; r++)
    {
      int best = -1;

      for (guint i = 0; i < N_OBJECTS; i++)
        if (!used[i] && (best < 0 || (isnan (f->scores[best]) && !isnan (f->scores[i])) ||
                         (!isnan (f->scores[i]) && f->scores[i] > f->scores[best])))
          best = (int) i;
      used[best] = TRUE;
      order[r] = (guint) best;
    }
}

/* The first @n ids of an exported CSV. */
static void
csv_ids (const char *path,
         guint       n,
         char      **ids)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, n);
  for (guint r = 0; r < n; r++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[1 + r], ",", -1);

      ids[r] = g_strdup (fields[0]);
    }
}

/* --top follows SCORE (here the local outlier factor), and --method ranks by another column. */
static void
test_top_by_score (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *run = make_run (f, "20260501-000000-scores-eeee");
  g_autofree char *path = g_build_filename (run, "scores.fits", NULL);
  g_autofree char *newest = g_build_filename (f->results, "20260301-120000-scores-bbbb", NULL);
  g_autofree char *out = g_build_filename (f->dir, "top.csv", NULL);
  g_autoptr(DassieScores) scores = dassie_scores_read (newest, &error);
  const char *by_score[] = { "export", "--results", f->results, "--input", run, "--no-umap", "--no-paths",
                             "--top", "3", "-o", out, "-q", NULL };
  const char *by_knn[] = { "export", "--results", f->results, "--input", run, "--no-umap", "--no-paths",
                           "--top", "3", "--method", "knn-median", "-o", out, "-q", NULL };
  const char *by_nothing[] = { "export", "--results", f->results, "--input", run, "--no-umap", "--no-paths",
                               "--method", "iforest", "-o", out, "-q", NULL };
  float lof[N_OBJECTS];
  guint order[N_OBJECTS];
  char *ids[3] = { NULL };

  g_assert_no_error (error);
  for (guint i = 0; i < N_OBJECTS; i++)
    lof[i] = (float) i;
  dassie_scores_set_column (scores, "LOF", lof);
  g_assert_true (dassie_scores_set_method (scores, "lof", &error));
  g_assert_true (dassie_scores_write (scores, path, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_cli (by_score, NULL, NULL), ==, 0);
  csv_ids (out, 3, ids);
  for (guint r = 0; r < 3; r++)
    {
      g_assert_cmpstr (ids[r], ==, f->ids[N_OBJECTS - 1 - r]);
      g_clear_pointer (&ids[r], g_free);
    }

  g_assert_cmpint (run_cli (by_knn, NULL, NULL), ==, 0);
  naive_order (f, order);
  csv_ids (out, 3, ids);
  for (guint r = 0; r < 3; r++)
    {
      g_assert_cmpstr (ids[r], ==, f->ids[order[r]]);
      g_clear_pointer (&ids[r], g_free);
    }
  g_assert_cmpint (run_cli (by_nothing, NULL, NULL), !=, 0);
}

static void
test_top_fits (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "top.fits", NULL);
  g_autofree char *last = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "export", "--results", f->results, "--data", f->data, "--top", "4",
                         "-o", out, "-q", NULL };
  guint order[N_OBJECTS];
  fitsfile *fptr = NULL;
  int status = 0, colnum = 0, typecode = 0;
  long repeat = 0, width = 0, nrows = 0;
  gint64 ids[4];
  float score[4], x[4], y[4];
  guint32 rank[4];

  g_assert_cmpint (run_cli (args, &last, &err), ==, 0);
  g_assert_cmpstr (last, ==, out);
  naive_order (f, order);

  fits_open_table (&fptr, out, READONLY, &status);
  fits_get_num_rows (fptr, &nrows, &status);
  g_assert_cmpint (nrows, ==, 4);
  fits_get_colnum (fptr, CASEINSEN, (char *) "OBJECT_ID", &colnum, &status);
  fits_get_coltype (fptr, colnum, &typecode, &repeat, &width, &status);
  g_assert_cmpint (typecode, ==, TLONGLONG);
  fits_read_col (fptr, TLONGLONG, colnum, 1, 1, 4, NULL, ids, NULL, &status);
  fits_get_colnum (fptr, CASEINSEN, (char *) "SCORE", &colnum, &status);
  fits_read_col (fptr, TFLOAT, colnum, 1, 1, 4, NULL, score, NULL, &status);
  fits_get_colnum (fptr, CASEINSEN, (char *) "RANK", &colnum, &status);
  fits_read_col (fptr, TUINT, colnum, 1, 1, 4, NULL, rank, NULL, &status);
  fits_get_colnum (fptr, CASEINSEN, (char *) "UMAP_X", &colnum, &status);
  fits_read_col (fptr, TFLOAT, colnum, 1, 1, 4, NULL, x, NULL, &status);
  fits_get_colnum (fptr, CASEINSEN, (char *) "UMAP_Y", &colnum, &status);
  fits_read_col (fptr, TFLOAT, colnum, 1, 1, 4, NULL, y, NULL, &status);
  g_assert_cmpint (status, ==, 0);

  for (guint r = 0; r < 4; r++)
    {
      guint obj = order[r];

      g_assert_cmpint (ids[r], ==, g_ascii_strtoll (f->ids[obj], NULL, 10));
      g_assert_cmpfloat (score[r], ==, f->scores[obj]);
      g_assert_cmpuint (rank[r], ==, r + 1);
      /* Matched by id although the embedding stores text ids in reverse order. */
      g_assert_cmpfloat (x[r], ==, f->umap[2 * obj]);
      g_assert_cmpfloat (y[r], ==, f->umap[2 * obj + 1]);
    }

  /* One path column per band, the files of the data set. */
  for (guint b = 0; b < dassie_dataset_get_n_bands (f->dataset); b++)
    {
      g_autofree char *name = g_strdup_printf ("PATH_%s", dassie_dataset_get_band (f->dataset, b));
      g_autofree char *column = NULL;
      char *paths[4];

      column = g_ascii_strup (name, -1);
      /* "PATH_HSC-G" becomes PATH_HSCG: letters and digits only. */
      {
        char *w = column;
        for (const char *p = column; *p; p++)
          if (g_ascii_isalnum (*p) || *p == '_')
            *w++ = *p;
        *w = 0;
      }
      fits_get_colnum (fptr, CASEINSEN, column, &colnum, &status);
      fits_get_coltype (fptr, colnum, &typecode, &repeat, &width, &status);
      g_assert_cmpint (status, ==, 0);
      for (guint r = 0; r < 4; r++)
        paths[r] = g_malloc0 (repeat + 1);
      fits_read_col (fptr, TSTRING, colnum, 1, 1, 4, NULL, paths, NULL, &status);
      for (guint r = 0; r < 4; r++)
        {
          g_assert_cmpstr (paths[r], ==, dassie_dataset_get_file (f->dataset, order[r], b));
          g_free (paths[r]);
        }
    }
  fits_close_file (fptr, &status);
}

static void
test_ids_votable_run (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *list = g_build_filename (f->dir, "selection.csv", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *last = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file = NULL;
  g_autofree char *text = NULL;
  g_autofree char *base = NULL;
  const char *args[] = { "export", "--results", f->results, "--ids", list, "--format", "votable",
                         "--no-paths", "-q", NULL };
  guint order[N_OBJECTS];
  const char *cursor;
  guint found = 0;

  /* A CSV selection with a header, objects 3, 5 (no score) and 11, in no particular order. */
  contents = g_strdup_printf ("object_id,note\n%s,x\n\n# a comment\n%s,y\n%s\n",
                              f->ids[11], f->ids[3], f->ids[5]);
  g_assert_true (g_file_set_contents (list, contents, -1, NULL));

  g_assert_cmpint (run_cli (args, &last, &err), ==, 0);
  base = g_path_get_basename (last);
  g_assert_true (g_regex_match_simple ("^[0-9]{8}-[0-9]{6}-export-[a-z0-9]{4}$", base, 0, 0));
  file = g_build_filename (last, "objects.vot", NULL);
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "nrows=\"3\""));
  g_assert_nonnull (strstr (text, "<FIELD name=\"object_id\" datatype=\"long\""));
  g_assert_null (strstr (text, "path_"));

  /* The three rows in rank order, each with its own id and rank. */
  naive_order (f, order);
  cursor = text;
  for (guint r = 0; r < N_OBJECTS; r++)
    {
      guint obj = order[r];
      g_autofree char *cell = NULL;
      const char *at;

      if (obj != 3 && obj != 5 && obj != 11)
        continue;
      cell = g_strdup_printf ("<TR><TD>%s</TD>", f->ids[obj]);
      at = strstr (cursor, cell);
      g_assert_nonnull (at);
      {
        g_autofree char *rank = g_strdup_printf ("<TD>%u</TD>", r + 1);
        g_assert_nonnull (strstr (at, rank));
      }
      cursor = at + 1;
      found++;
    }
  g_assert_cmpuint (found, ==, 3);
}

static void
test_errors_and_minimal_csv (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *list = g_build_filename (f->dir, "bad.txt", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "plain.csv", NULL);
  g_autofree char *older = g_build_filename (f->results, "20250101-000000-scores-aaaa", NULL);
  g_autofree char *err = NULL;
  g_autofree char *last = NULL;
  g_autofree char *text = NULL;
  const char *bad_args[] = { "export", "--results", f->results, "--ids", list, "-q", NULL };
  const char *plain_args[] = { "export", "--results", f->results, "--input", older, "--no-umap",
                               "--no-paths", "-o", csv, "-q", NULL };
  const char *no_runs[] = { "export", "--results", f->data, "-q", NULL };
  const char *bad_top[] = { "export", "--results", f->results, "--top", "0", NULL };

  g_assert_true (g_file_set_contents (list, "123\n", -1, NULL));
  g_assert_cmpint (run_cli (bad_args, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, list));
  g_assert_nonnull (strstr (err, "123"));
  g_clear_pointer (&err, g_free);

  /* An explicit older run, ids, scores and ranks only. */
  g_assert_cmpint (run_cli (plain_args, &last, &err), ==, 0);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "object_id,score,rank\n2,200,1\n1,100,2\n");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (no_runs, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "dassie-cli scores"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (bad_top, NULL, &err), ==, 2);
}

/* The CLI's list and the catalog's (what Explore exports) of the same runs are the same bytes. */
static void
test_same_bytes_as_catalog (Fixture       *f,
                            gconstpointer  data)
{
  static const char * const suffixes[] = { "csv", "fits", "vot" };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieCatalog) catalog = NULL;
  g_autofree char *scores_run = make_run (f, "20260302-120000-scores-eeee");
  g_autofree char *scores_file = g_build_filename (scores_run, "scores.fits", NULL);
  g_autofree char *umap_run = g_build_filename (f->results, "20260301-130000-umap-dddd", NULL);
  g_autofree guint32 *rows = g_new (guint32, N_OBJECTS);
  guint neighbor_rows[2 * N_OBJECTS];
  float neighbor_dist[2 * N_OBJECTS];

  for (guint i = 0; i < N_OBJECTS; i++)
    {
      neighbor_rows[2 * i] = (i + 1) % N_OBJECTS;
      neighbor_rows[2 * i + 1] = (i + 2) % N_OBJECTS;
      neighbor_dist[2 * i] = 0.5f * i;
      neighbor_dist[2 * i + 1] = 0.5f * i + 1;
      rows[i] = i;
    }
  dassie_test_write_scores (scores_file, (const char * const *) f->ids, N_OBJECTS, f->scores, 2,
                            neighbor_rows, neighbor_dist);
  catalog = dassie_catalog_load (scores_run, umap_run, f->dataset, NULL, &error);
  g_assert_no_error (error);

  for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
    {
      g_autofree char *name = g_strconcat ("cli.", suffixes[s], NULL);
      g_autofree char *cli_out = g_build_filename (f->dir, name, NULL);
      g_autofree char *core_name = g_strconcat ("core.", suffixes[s], NULL);
      g_autofree char *core_out = g_build_filename (f->dir, core_name, NULL);
      g_autofree char *cli_bytes = NULL;
      g_autofree char *core_bytes = NULL;
      g_autofree char *err = NULL;
      gsize cli_len = 0, core_len = 0;
      DassieExportFormat format;
      const char *args[] = { "export", "--results", f->results, "--input", scores_run, "--umap", umap_run,
                             "--data", f->data, "-o", cli_out, "-q", NULL };

      g_assert_cmpint (run_cli (args, NULL, &err), ==, 0);
      g_assert_true (dassie_export_format_from_path (core_out, &format));
      g_assert_true (dassie_catalog_export (catalog, rows, N_OBJECTS, core_out, format, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (cli_out, &cli_bytes, &cli_len, NULL));
      g_assert_true (g_file_get_contents (core_out, &core_bytes, &core_len, NULL));
      g_assert_cmpuint (cli_len, ==, core_len);
      g_assert_cmpmem (cli_bytes, cli_len, core_bytes, core_len);
      /* Not an empty agreement: every object and a path of the data set are in it. */
      g_assert_cmpuint (cli_len, >, 200);
      if (s != 1)
        {
          g_assert_nonnull (strstr (cli_bytes, f->ids[N_OBJECTS - 1]));
          g_assert_nonnull (strstr (cli_bytes, dassie_dataset_get_file (f->dataset, 0, 0)));
        }
    }
}

/* Scores and a map of other latent vectors are never joined: left out with a note when the map was
 * not asked for, an error when it was. */
static void
test_map_of_other_latents (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *scores_run = make_run (f, "20260402-000000-scores-gggg");
  g_autofree char *new_scores = g_build_filename (f->results, "20260301-120000-scores-bbbb", "scores.fits", NULL);
  g_autofree char *scores_file = g_build_filename (scores_run, "scores.fits", NULL);
  g_autofree char *other_map = g_build_filename (f->results, "20260401-000000-umap-ffff", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "no-map.csv", NULL);
  g_autofree char *csv2 = g_build_filename (f->dir, "asked.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "export", "--results", f->results, "--input", scores_run, "--no-paths", "-o", csv, NULL };
  const char *asked[] = { "export", "--results", f->results, "--umap", other_map, "--no-paths", "-o", csv2, NULL };

  g_assert_true (dassie_copy_file (new_scores, scores_file, NULL));
  write_input (scores_run, "scores", "/runs/c-infer/latents.fits", "cccc");

  /* No map of these vectors: ids, scores and ranks, and a note that says why. */
  g_assert_cmpint (run_cli (args, NULL, &err), ==, 0);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "object_id,score,rank\n"));
  g_assert_null (strstr (text, "umap"));
  g_assert_nonnull (strstr (err, "UMAP"));
  g_clear_pointer (&err, g_free);

  /* The newest scores (of "aaaa") with the map of "bbbb" asked for by name: refused, nothing written. */
  g_assert_cmpint (run_cli (asked, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, other_map));
  g_assert_nonnull (strstr (err, "/runs/b-infer/latents.fits"));
  g_assert_false (g_file_test (csv2, G_FILE_TEST_EXISTS));
}

/* An export never writes onto a results file: its own input, or any file of a run folder. */
static void
test_output_onto_results (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *scores_run = g_build_filename (f->results, "20260301-120000-scores-bbbb", NULL);
  g_autofree char *scores_file = g_build_filename (scores_run, "scores.fits", NULL);
  g_autofree char *into_run = g_build_filename (f->results, "20260301-130000-umap-dddd", "objects.csv", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  gsize before_len = 0, after_len = 0;
  const char *onto_input[] = { "export", "--results", f->results, "--no-paths", "-o", scores_file, NULL };
  const char *onto_run[] = { "export", "--results", f->results, "--no-paths", "-o", into_run, NULL };

  g_assert_true (g_file_get_contents (scores_file, &before, &before_len, NULL));
  g_assert_cmpint (run_cli (onto_input, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, scores_file));
  g_assert_true (g_file_get_contents (scores_file, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (onto_run, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "20260301-130000-umap-dddd"));
  g_assert_false (g_file_test (into_run, G_FILE_TEST_EXISTS));
}

/* A data folder of other objects is named, not turned into empty path columns. */
static void
test_other_data_folder (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) other = NULL;
  g_autofree char *other_dir = g_build_filename (f->dir, "other-data", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "paths.csv", NULL);
  g_autofree char *err = NULL;
  const char *args[] = { "export", "--results", f->results, "--data", other_dir, "-o", csv, NULL };
  DassieDemoOptions demo;
  DassieDatasetOptions options;

  dassie_demo_options_init (&demo);
  demo.n_objects = 4;
  demo.size = 16;
  demo.seed = 12345;
  g_assert_true (dassie_demo_generate (other_dir, &demo, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  dassie_dataset_options_init (&options);
  other = dassie_dataset_open (other_dir, &options, NULL, &error);
  dassie_dataset_options_clear (&options);
  g_assert_no_error (error);
  for (guint i = 0; i < N_OBJECTS; i++)
    g_assert_cmpint (dassie_dataset_find_object (other, f->ids[i]), <, 0);

  g_assert_cmpint (run_cli (args, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, other_dir));
  g_assert_nonnull (strstr (err, "--no-paths"));
  g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/cli-export/top-fits", Fixture, NULL, fixture_set_up, test_top_fits, fixture_tear_down);
  g_test_add ("/core/cli-export/top-by-score", Fixture, NULL, fixture_set_up, test_top_by_score, fixture_tear_down);
  g_test_add ("/core/cli-export/ids-votable-run", Fixture, NULL, fixture_set_up, test_ids_votable_run, fixture_tear_down);
  g_test_add ("/core/cli-export/errors-and-minimal-csv", Fixture, NULL, fixture_set_up,
              test_errors_and_minimal_csv, fixture_tear_down);
  g_test_add ("/core/cli-export/map-of-other-latents", Fixture, NULL, fixture_set_up,
              test_map_of_other_latents, fixture_tear_down);
  g_test_add ("/core/cli-export/output-onto-results", Fixture, NULL, fixture_set_up,
              test_output_onto_results, fixture_tear_down);
  g_test_add ("/core/cli-export/other-data-folder", Fixture, NULL, fixture_set_up,
              test_other_data_folder, fixture_tear_down);
  g_test_add ("/core/cli-export/same-bytes-as-catalog", Fixture, NULL, fixture_set_up,
              test_same_bytes_as_catalog, fixture_tear_down);

  return g_test_run ();
}
