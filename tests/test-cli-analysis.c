/* test-cli-analysis.c: dassie-cli scores, search and umap on a small infer run
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dassie-fileutil.h"
#include "dassie-score-methods.h"
#include "dassie-scores.h"
#include "dassie-table.h"
#include "test-clusters.h"

#define N_ROWS 300
#define DIM 8
#define N_OUTLIERS 3

typedef struct
{
  char   *results;
  char  **ids;
  float  *data;
} Fixture;

/* An infer run as dassie-cli infer leaves it: clusters plus three points far from everything. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *run = NULL;
  g_autofree char *latents = NULL;

  f->results = g_dir_make_tmp ("dassie-cli-analysis-XXXXXX", &error);
  g_assert_no_error (error);
  run = g_build_filename (f->results, "20260101-000000-infer-abcd", NULL);
  g_assert_cmpint (g_mkdir (run, 0755), ==, 0);

  f->data = make_clusters (N_ROWS, DIM, 4, 3.0, 77, NULL);
  f->ids = g_new0 (char *, N_ROWS + 1);
  for (guint i = 0; i < N_ROWS; i++)
    f->ids[i] = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) 36411452000000000ull + i);
  for (guint o = 0; o < N_OUTLIERS; o++)
    for (guint d = 0; d < DIM; d++)
      f->data[(gsize) (100 * o + 50) * DIM + d] = 40.0f * (o + 1) * (d % 2 ? 1 : -1);

  latents = g_build_filename (run, "latents.fits", NULL);
  g_assert_true (dassie_table_write_vectors (latents, (const char * const *) f->ids, N_ROWS, "LATENT", f->data,
                                             DIM, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  dassie_remove_tree (f->results, NULL);
  g_free (f->results);
  g_strfreev (f->ids);
  g_free (f->data);
}

/* Runs dassie-cli VERB --results DIR ARGS…; returns the exit status and standard output. */
static int
run_cli (Fixture     *f,
         char       **out,
         const char  *verb,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *cli = g_getenv ("DASSIE_CLI");
  const char *arg;
  int status = -1;
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, g_strdup (cli));
  g_ptr_array_add (args, g_strdup (verb));
  g_ptr_array_add (args, g_strdup ("--results"));
  g_ptr_array_add (args, g_strdup (f->results));
  va_start (ap, verb);
  for (arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("dassie-cli %s stderr: %s", verb, err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static char *
last_line (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  guint n = g_strv_length (lines);

  return n > 0 ? g_strdup (lines[n - 1]) : g_strdup ("");
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static double
squared_distance (const float *x,
                  const float *y)
{
  double s = 0;

  for (guint d = 0; d < DIM; d++)
    s += ((double) x[d] - y[d]) * ((double) x[d] - y[d]);
  return s;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
test_scores (Fixture       *f,
             gconstpointer  user_data)
{
  g_autofree char *out = NULL;
  g_autofree char *run = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieScores) scores = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *summary;
  JsonArray *unusual;

  g_assert_cmpint (run_cli (f, &out, "scores", "-q", NULL), ==, 0);
  run = last_line (out);
  base = g_path_get_basename (run);
  g_assert_true (g_regex_match_simple ("^[0-9]{8}-[0-9]{6}-scores-[a-z0-9]{4}$", base, 0, 0));

  /* Every score is the median (third) of the five nearest squared distances, computed here directly. */
  scores = dassie_scores_read (run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scores->n_rows, ==, N_ROWS);
  g_assert_cmpuint (scores->k, ==, 5);
  for (guint i = 0; i < N_ROWS; i++)
    {
      double d[N_ROWS];
      guint m = 0;

      g_assert_cmpstr (scores->ids[i], ==, f->ids[i]);
      for (guint j = 0; j < N_ROWS; j++)
        if (j != i)
          d[m++] = squared_distance (f->data + (gsize) i * DIM, f->data + (gsize) j * DIM);
      qsort (d, m, sizeof (double), compare_doubles);
      g_assert_cmpfloat (scores->knn_median[i], ==, (float) d[2]);
    }

  /* With --json: the three planted outliers lead the list, the farthest first. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "scores", "--json", "-q", NULL), ==, 0);
  summary = parse_object (parser, out);
  g_assert_cmpstr (json_object_get_string_member (summary, "index"), ==, "exact");
  g_assert_cmpint (json_object_get_int_member (summary, "objects"), ==, N_ROWS);
  unusual = json_object_get_array_member (summary, "most_unusual");
  for (guint o = 0; o < N_OUTLIERS; o++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (unusual, o), "id"), ==,
                     f->ids[100 * (N_OUTLIERS - 1 - o) + 50]);
}

/* --method picks the score that SCORE holds and the list ranks by; an unknown one is refused. */
static void
test_scores_method (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autofree char *out = NULL;
  g_autofree char *run = NULL;
  g_autofree char *listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieScores) scores = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const float *lof;
  JsonObject *summary;
  JsonArray *unusual;
  float previous = INFINITY;

  g_assert_cmpint (run_cli (f, &out, "scores", "-q", "--method", "lof", NULL), ==, 0);
  run = last_line (out);
  scores = dassie_scores_read (run, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (scores->method, ==, "lof");
  lof = dassie_scores_get_column (scores, "LOF");
  g_assert_nonnull (lof);
  g_assert_cmpmem (scores->score, N_ROWS * sizeof (float), lof, N_ROWS * sizeof (float));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "scores", "--json", "-q", "-m", "iforest", NULL), ==, 0);
  summary = parse_object (parser, out);
  g_assert_cmpstr (json_object_get_string_member (summary, "method"), ==, "iforest");
  /* The latents have no residuals: knn-median, lof, iforest and rank-combo. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (summary, "methods")), ==, 4);
  unusual = json_object_get_array_member (summary, "most_unusual");
  g_clear_pointer (&scores, dassie_scores_free);
  scores = dassie_scores_read (json_object_get_string_member (summary, "run"), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (unusual); i++)
    {
      JsonObject *o = json_array_get_object_element (unusual, i);
      const char *id = json_object_get_string_member (o, "id");
      float score = (float) json_object_get_double_member (o, "score");

      for (guint r = 0; r < N_ROWS; r++)
        if (g_str_equal (scores->ids[r], id))
          g_assert_cmpfloat (score, ==, dassie_scores_get_column (scores, "iforest")[r]);
      g_assert_cmpfloat (score, <=, previous);
      previous = score;
    }

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "scores", "-q", "--method", "median", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "scores", "--list-methods", NULL), ==, 0);
  for (const char * const *m = dassie_score_method_names (); *m != NULL; m++)
    g_assert_nonnull (strstr (out, *m));
}

static void
test_search (Fixture       *f,
             gconstpointer  user_data)
{
  g_autofree char *out = NULL;
  g_autofree char *vector_path = g_build_filename (f->results, "query.txt", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) vector = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  JsonArray *neighbors;
  double best = INFINITY;
  guint best_row = 0;

  g_assert_cmpint (run_cli (f, &out, "search", "--id", f->ids[10], "-k", "4", "--json", NULL), ==, 0);
  neighbors = json_object_get_array_member (parse_object (parser, out), "neighbors");
  g_assert_cmpuint (json_array_get_length (neighbors), ==, 4);
  for (guint c = 0; c < 4; c++)
    {
      JsonObject *n = json_array_get_object_element (neighbors, c);
      const char *id = json_object_get_string_member (n, "id");
      guint row = (guint) (g_ascii_strtoull (id, NULL, 10) - 36411452000000000ull);
      double d = squared_distance (f->data + 10 * DIM, f->data + (gsize) row * DIM);
      guint nearer = 0;

      g_assert_cmpuint (row, !=, 10);
      g_assert_cmpfloat (json_object_get_double_member (n, "distance"), ==, (float) d);
      /* Exactly c other points are nearer. */
      for (guint j = 0; j < N_ROWS; j++)
        if (j != 10 && squared_distance (f->data + 10 * DIM, f->data + (gsize) j * DIM) < d)
          nearer++;
      g_assert_cmpuint (nearer, ==, c);
    }

  /* A vector file: the nearest object to a copy of row 123, shifted a little. */
  for (guint d = 0; d < DIM; d++)
    g_string_append_printf (vector, "%.9g ", f->data[123 * DIM + d] + 0.01);
  g_assert_true (g_file_set_contents (vector_path, vector->str, -1, &error));
  for (guint j = 0; j < N_ROWS; j++)
    {
      double d = 0;

      for (guint c = 0; c < DIM; c++)
        d += ((double) f->data[123 * DIM + c] + 0.01 - f->data[(gsize) j * DIM + c]) *
             ((double) f->data[123 * DIM + c] + 0.01 - f->data[(gsize) j * DIM + c]);
      if (d < best)
        {
          best = d;
          best_row = j;
        }
    }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "search", "--vector", vector_path, "-k", "1", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "1\t"));
  g_assert_nonnull (strstr (out, f->ids[best_row]));

  /* Usage errors and an unknown id. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "search", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "search", "--id", "nope", NULL), ==, 1);
}

static void
test_umap (Fixture       *f,
           gconstpointer  user_data)
{
  g_autofree char *out = NULL;
  g_autofree char *run = NULL;
  g_autofree char *table = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) ids = NULL;
  g_autofree float *xy = NULL;
  guint n = 0, dim = 0;
  JsonObject *params;

  g_assert_cmpint (run_cli (f, &out, "umap", "-q", "--epochs", "30", NULL), ==, 0);
  run = last_line (out);
  table = g_build_filename (run, "embedding.fits", NULL);
  g_assert_true (dassie_table_read_vectors (table, "UMAP", &ids, &n, &xy, &dim, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, N_ROWS);
  g_assert_cmpuint (dim, ==, 2);
  for (guint i = 0; i < N_ROWS; i++)
    {
      g_assert_cmpstr (ids[i], ==, f->ids[i]);
      g_assert_true (isfinite (xy[i * 2]) && isfinite (xy[i * 2 + 1]));
    }

  g_free (table);
  table = g_build_filename (run, "umap.json", NULL);
  g_assert_true (g_file_get_contents (table, &json, NULL, &error));
  params = parse_object (parser, json);
  g_assert_cmpint (json_object_get_int_member (params, "n_epochs"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (params, "n_neighbors"), ==, 15);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (params, "a"), 1.5769, 1e-3);
}

/* A key that would make the layout loop degenerate is refused before anything runs. */
static void
test_umap_bounds (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = -1;
  const char *argv[] = { g_getenv ("DASSIE_CLI"), "umap", "-q", "--results", f->results,
                         "--set", "umap.negative_sample_rate=0", NULL };

  g_assert_nonnull (argv[0]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "umap.negative_sample_rate"));
  g_assert_nonnull (strstr (err, "at least 1"));
}

/* One SIGTERM ends a long verb within a second: the layout polls the cancellable, the verb says so
 * and exits non-zero, and no run folder is left looking finished. */
static void
test_umap_sigterm (Fixture       *f,
                   gconstpointer  user_data)
{
  const guint n_rows = 5000;
  const guint dim = 16;
  g_autofree float *data = make_clusters (n_rows, dim, 8, 4.0, 5, NULL);
  g_auto(GStrv) ids = g_new0 (char *, n_rows + 1);
  g_autofree char *input = g_build_filename (f->results, "big-latents.fits", NULL);
  g_autofree char *err_path = g_build_filename (f->results, "stderr.txt", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  const char *argv[] = { g_getenv ("DASSIE_CLI"), "umap", "--results", f->results, "--input", input,
                         "--set", "umap.n_epochs=100000", NULL };
  gint64 sent, ended = 0;
  GPid pid;
  int err_fd;
  int status = 0;

  for (guint i = 0; i < n_rows; i++)
    ids[i] = g_strdup_printf ("%u", 1000 + i);
  g_assert_true (dassie_table_write_vectors (input, (const char * const *) ids, n_rows, "LATENT", data, dim, &error));
  g_assert_no_error (error);

  g_assert_nonnull (argv[0]);
  err_fd = g_open (err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (err_fd, >=, 0);
  g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                          -1, -1, err_fd, &error);
  g_assert_no_error (error);
  close (err_fd);

  /* Half a second in, or once the layout's epochs have begun (progress goes out once a second). */
  g_usleep (G_USEC_PER_SEC / 2);
  for (guint tries = 0; tries < 200; tries++)
    {
      g_autofree char *so_far = NULL;

      g_assert_true (g_file_get_contents (err_path, &so_far, NULL, NULL));
      if (strstr (so_far, "epoch") != NULL)
        break;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  g_assert_cmpint (waitpid (pid, &status, WNOHANG), ==, 0);  /* still running: 100000 epochs */
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  sent = g_get_monotonic_time ();
  while (g_get_monotonic_time () - sent < 5 * G_USEC_PER_SEC)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          ended = g_get_monotonic_time ();
          break;
        }
      g_usleep (10000);
    }
  if (ended == 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      g_error ("dassie-cli umap was still running 5 s after SIGTERM");
    }
  g_spawn_close_pid (pid);

  g_assert_true (g_file_get_contents (err_path, &err, NULL, &error));
  g_test_message ("ended %.2f s after SIGTERM; stderr: %s", (ended - sent) / 1e6, err);
  g_assert_cmpint (ended - sent, <, 3 * G_USEC_PER_SEC / 2);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), !=, 0);
  g_assert_nonnull (strstr (err, "Cancelled"));
  dir = g_dir_open (f->results, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_regex_match_simple ("^[0-9]{8}-[0-9]{6}-umap-", name, 0, 0));
}

static void
test_no_input (void)
{
  Fixture f = { 0 };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  f.results = g_dir_make_tmp ("dassie-cli-empty-XXXXXX", &error);
  g_assert_cmpint (run_cli (&f, &out, "scores", "-q", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&f, &out, "umap", "-q", NULL), ==, 1);
  /* A failed verb leaves no run folder behind. */
  g_assert_true (g_rmdir (f.results) == 0);
  g_free (f.results);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/scores", Fixture, NULL, fixture_set_up, test_scores, fixture_tear_down);
  g_test_add ("/cli/scores-method", Fixture, NULL, fixture_set_up, test_scores_method, fixture_tear_down);
  g_test_add ("/cli/search", Fixture, NULL, fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/cli/umap", Fixture, NULL, fixture_set_up, test_umap, fixture_tear_down);
  g_test_add ("/cli/umap-bounds", Fixture, NULL, fixture_set_up, test_umap_bounds, fixture_tear_down);
  g_test_add ("/cli/umap-sigterm", Fixture, NULL, fixture_set_up, test_umap_sigterm, fixture_tear_down);
  g_test_add_func ("/cli/no-input", test_no_input);

  return g_test_run ();
}
