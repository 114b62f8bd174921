/* test-download.c: DOI and Zenodo downloads against a local server playing resolver, API and host
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "dassie-download.h"
#include "dassie-fileutil.h"
#include "dassie-test-archive.h"
#include "dassie-test-http-server.h"

#define DOI "10.5281/zenodo.4242"
#define SOURCE "doi:" DOI "/demo.zip"
#define CONTENT_PATH "/api/records/4242/files/demo.zip/content"

typedef struct
{
  DassieTestHttpServer *server;
  DassieConfig         *config;
  char                 *root;     /* the test's temporary folder */
  char                 *dest;     /* root/dest */
  GBytes               *a;        /* demo/a.fits */
  GBytes               *b;        /* demo/b.fits */
  GBytes               *manifest; /* demo/manifest.txt */
  GBytes               *zip;      /* the archive the server hosts */
  char                 *md5;      /* "md5:<hex>" of @zip */
} Fixture;

static char *
url_for (Fixture    *f,
         const char *path)
{
  return g_strconcat (dassie_test_http_server_get_url (f->server), path, NULL);
}

static GBytes *
build_zip (Fixture                      *f,
           const DassieTestArchiveEntry *entries,
           guint                         n_entries)
{
  g_autofree char *path = g_build_filename (f->root, "built.zip", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  dassie_test_write_archive (path, "zip", entries, n_entries);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpint (g_unlink (path), ==, 0);
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

/* The record's JSON as Zenodo's current API writes it: files with "key", "checksum", "links.self". */
static char *
record_json (Fixture    *f,
             const char *checksum)
{
  g_autofree char *self = url_for (f, CONTENT_PATH);

  return g_strdup_printf (
    "{\"id\": 4242, \"doi\": \"" DOI "\", \"files\": ["
    "  {\"key\": \"README.txt\", \"size\": 10, \"checksum\": \"md5:00000000000000000000000000000000\","
    "   \"links\": {\"self\": \"%s/api/records/4242/files/README.txt/content\"}},"
    "  {\"key\": \"demo.zip\", \"size\": %" G_GSIZE_FORMAT ", \"checksum\": \"%s\","
    "   \"links\": {\"self\": \"%s\"}}]}",
    dassie_test_http_server_get_url (f->server), g_bytes_get_size (f->zip), checksum, self);
}

static void
serve_record (Fixture    *f,
              const char *checksum)
{
  g_autofree char *json = record_json (f, checksum);

  dassie_test_http_server_set (f->server, "/api/records/4242",
                               dassie_test_http_response_new_text (json, "application/json"));
}

static void
serve_zip (Fixture *f,
           GBytes  *zip)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, zip);

  g_clear_pointer (&f->zip, g_bytes_unref);
  f->zip = g_bytes_ref (zip);
  g_free (f->md5);
  f->md5 = g_strconcat ("md5:", hex, NULL);
  dassie_test_http_server_set (f->server, CONTENT_PATH,
                               dassie_test_http_response_new_bytes (zip, "application/zip"));
  serve_record (f, f->md5);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *doi_page = NULL;
  g_autofree char *record_page = NULL;
  g_autofree char *api = NULL;
  g_autoptr(GBytes) zip = NULL;

  f->root = g_dir_make_tmp ("dassie-download-XXXXXX", &error);
  g_assert_no_error (error);
  f->dest = g_build_filename (f->root, "dest", NULL);
  f->server = dassie_test_http_server_new ();

  f->a = dassie_test_random_bytes (120000, 11);
  f->b = dassie_test_random_bytes (90000, 12);
  f->manifest = g_bytes_new_static ("object_id filter\n1 G\n", 21);
  {
    const DassieTestArchiveEntry entries[] = {
      { .name = "demo/", .directory = TRUE },
      { .name = "demo/a.fits", .contents = f->a },
      { .name = "demo/b.fits", .contents = f->b },
      { .name = "demo/manifest.txt", .contents = f->manifest },
    };
    zip = build_zip (f, entries, G_N_ELEMENTS (entries));
  }

  /* doi.org redirects to zenodo.org/doi/..., which redirects to the record's page. */
  doi_page = url_for (f, "/doi/" DOI);
  record_page = url_for (f, "/records/4242");
  dassie_test_http_server_set (f->server, "/" DOI, dassie_test_http_response_new_redirect (302, doi_page));
  dassie_test_http_server_set (f->server, "/doi/" DOI, dassie_test_http_response_new_redirect (301, record_page));
  dassie_test_http_server_set (f->server, "/records/4242",
                               dassie_test_http_response_new_text ("<html>record</html>", "text/html"));
  serve_zip (f, zip);

  api = url_for (f, "/api");
  f->config = dassie_config_new ();
  dassie_config_set_string (f->config, "download.doi_resolver", dassie_test_http_server_get_url (f->server));
  dassie_config_set_string (f->config, "download.zenodo_api", api);
  dassie_config_set_int (f->config, "download.retries", 3);
  dassie_config_set_double (f->config, "download.retry_backoff", 0.02);
  dassie_config_set_double (f->config, "download.retry_backoff_max", 0.1);
  dassie_config_set_int (f->config, "download.stall_timeout", 1);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  dassie_test_http_server_free (f->server);
  dassie_config_free (f->config);
  dassie_remove_tree (f->root, &error);
  g_assert_no_error (error);
  g_free (f->root);
  g_free (f->dest);
  g_bytes_unref (f->a);
  g_bytes_unref (f->b);
  g_bytes_unref (f->manifest);
  g_bytes_unref (f->zip);
  g_free (f->md5);
}

static void
assert_dest_list (Fixture    *f,
                  const char *expected)
{
  g_autofree char *list = dassie_test_list_dir (f->dest);

  g_assert_cmpstr (list, ==, expected);
}

/* The files are the ones the test put in the zip, and the zip is the one the server hosts. */
static void
assert_unpacked (Fixture    *f,
                 const char *unpacked_dir)
{
  g_autofree char *expected_dir = g_build_filename (f->dest, "demo", NULL);
  g_autofree char *a = g_build_filename (expected_dir, "a.fits", NULL);
  g_autofree char *b = g_build_filename (expected_dir, "b.fits", NULL);
  g_autofree char *manifest = g_build_filename (expected_dir, "manifest.txt", NULL);
  g_autofree char *zip = g_build_filename (f->dest, "demo.zip", NULL);

  g_assert_cmpstr (unpacked_dir, ==, expected_dir);
  dassie_test_assert_file (a, f->a);
  dassie_test_assert_file (b, f->b);
  dassie_test_assert_file (manifest, f->manifest);
  dassie_test_assert_file (zip, f->zip);
  assert_dest_list (f, "demo demo.zip");
}

static DassieDownloadResult *
run (Fixture     *f,
     const char  *source,
     const char  *checksum,
     GError     **error)
{
  return dassie_download_run (f->config, source, f->dest, checksum, DASSIE_DOWNLOAD_FLAGS_NONE,
                              NULL, NULL, NULL, error);
}

/* Runs the built dassie-cli with the fixture's resolver and API; returns its exit status. */
static int
run_cli (Fixture      *f,
         char        **out,
         char        **err,
         const char   *first_arg,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("DASSIE_CLI");
  g_autofree char *api = url_for (f, "/api");
  const char *arg;
  int status = -1;
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, g_strdup (cli));
  g_ptr_array_add (args, g_strdup ("download"));
  va_start (ap, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, g_strdup ("--dest"));
  g_ptr_array_add (args, g_strdup (f->dest));
  g_ptr_array_add (args, g_strdup_printf ("--set=download.doi_resolver=%s", dassie_test_http_server_get_url (f->server)));
  g_ptr_array_add (args, g_strdup_printf ("--set=download.zenodo_api=%s", api));
  g_ptr_array_add (args, g_strdup ("--set=download.retry_backoff=0.02"));
  g_ptr_array_add (args, NULL);

  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("dassie-cli stderr: %s", *err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static char *
last_line (const char *text)
{
  g_autofree char *copy = g_strdup (text);
  char *nl;

  g_strchomp (copy);
  nl = strrchr (copy, '\n');
  return g_strdup (nl ? nl + 1 : copy);
}

static void
test_parse_source (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *doi = NULL;
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;

  g_assert_true (dassie_download_parse_source (DASSIE_DOWNLOAD_HSC_DEMO_SOURCE, &doi, &url, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (doi, ==, "10.5281/zenodo.14498536");
  g_assert_null (url);
  g_assert_cmpstr (name, ==, "hsc_demo_data.zip");
  g_clear_pointer (&doi, g_free);
  g_clear_pointer (&name, g_free);

  g_assert_true (dassie_download_parse_source ("https://example.org/a/b%20c.tar.gz?x=1", &doi, &url, &name, &error));
  g_assert_no_error (error);
  g_assert_null (doi);
  g_assert_cmpstr (url, ==, "https://example.org/a/b%20c.tar.gz?x=1");
  g_assert_cmpstr (name, ==, "b c.tar.gz");

  {
    const char *bad[] = { "doi:10.5281/zenodo.1", "doi:10.5281/zenodo.1/", "doi:11.1/x/y.zip",
                          "https://example.org/", "https://example.org/dir/..", "file:///etc/passwd",
                          "hsc_demo_data.zip", "https://example.org/x.part" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (dassie_download_parse_source (bad[i], NULL, NULL, NULL, &error));
        g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE);
        g_clear_error (&error);
      }
  }
}

static void
test_check_url (void)
{
  const char *allowed[] = { "https://zenodo.org/api", "http://127.0.0.1:8080/x", "http://127.9.9.9/x",
                            "http://[::1]:99/x", "http://localhost/x", "HTTPS://Zenodo.org/" };
  const char *insecure[] = { "http://zenodo.org/x", "http://128.0.0.1/x", "http://127.0.0.1.example.org/x",
                             "http://[::2]/x", "http://localhost.example.org/x" };
  const char *invalid[] = { "ftp://127.0.0.1/x", "file:///etc/passwd", "not a url", "https:///nohost" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_assert_true (dassie_download_check_url (allowed[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (insecure); i++)
    {
      g_assert_false (dassie_download_check_url (insecure[i], &error));
      g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INSECURE);
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_false (dassie_download_check_url (invalid[i], &error));
      g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE);
      g_clear_error (&error);
    }
}

static void
test_checksums (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *md5 = dassie_download_normalize_checksum ("1BE05A6B49505054DE441A7262A09671", &error);
  g_autofree char *prefixed = dassie_download_normalize_checksum ("MD5:1be05a6b49505054de441a7262a09671", &error);
  g_autofree char *sha = dassie_download_normalize_checksum (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &error);
  g_autofree char *root = g_dir_make_tmp ("dassie-checksum-XXXXXX", &error);
  g_autofree char *path = g_build_filename (root, "abc", NULL);
  g_autofree char *file_md5 = NULL;
  g_autofree char *file_sha = NULL;
  const char *bad[] = { "md5:123", "sha1:a9993e364706816aba3e25717850c26c9cd0d89d",
                        "md5:1be05a6b49505054de441a7262a0967g", "" };

  g_assert_no_error (error);
  g_assert_cmpstr (md5, ==, "md5:1be05a6b49505054de441a7262a09671");
  g_assert_cmpstr (prefixed, ==, md5);
  g_assert_cmpstr (sha, ==, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (dassie_download_normalize_checksum (bad[i], &error));
      g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE);
      g_clear_error (&error);
    }

  /* RFC 1321 and FIPS 180-2 test vectors for "abc". */
  g_file_set_contents (path, "abc", 3, &error);
  g_assert_no_error (error);
  file_md5 = dassie_download_checksum_file (path, "md5", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (file_md5, ==, "md5:900150983cd24fb0d6963f7d28e17f72");
  file_sha = dassie_download_checksum_file (path, "sha256", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (file_sha, ==, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  dassie_remove_tree (root, &error);
  g_assert_no_error (error);
}

static void
test_cli_success (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  g_autoptr(JsonNode) summary = NULL;
  JsonObject *obj;

  g_assert_cmpint (run_cli (f, &out, &err, SOURCE, NULL), ==, 0);
  line = last_line (out);
  assert_unpacked (f, line);
  g_assert_nonnull (strstr (err, f->md5));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 1);
  /* The DOI went through the resolver and Zenodo's redirect; the record page itself was not needed. */
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/" DOI), ==, 1);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/doi/" DOI), ==, 1);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/records/4242"), ==, 0);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/api/records/4242"), ==, 1);

  /* Again, with --md5 and --json: nothing is fetched and the summary says so. */
  g_assert_cmpint (run_cli (f, &out2, &err2, SOURCE, "--json", "--md5",
                            f->md5 + strlen ("md5:"), NULL), ==, 0);
  summary = json_from_string (out2, NULL);
  g_assert_nonnull (summary);
  obj = json_node_get_object (summary);
  g_assert_true (json_object_get_boolean_member (obj, "reused"));
  g_assert_true (json_object_get_boolean_member (obj, "unpacked_reused"));
  g_assert_cmpstr (json_object_get_string_member (obj, "checksum"), ==, f->md5);
  g_assert_cmpstr (json_object_get_string_member (obj, "unpacked_dir"), ==, line);
  g_assert_cmpint (json_object_get_int_member (obj, "size"), ==, g_bytes_get_size (f->zip));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 1);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/" DOI), ==, 1);
}

static void
test_cli_wrong_hash (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_cli (f, &out, &err, SOURCE, "--md5", "0123456789abcdef0123456789abcdef", NULL), ==, 1);
  /* The record's md5 and the one given disagree: refused before anything is fetched. */
  g_assert_nonnull (strstr (err, "md5:0123456789abcdef0123456789abcdef"));
  g_assert_nonnull (strstr (err, f->md5));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 0);
  assert_dest_list (f, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A plain URL, so that only --sha256 speaks: the file is fetched, found wrong and deleted. */
  {
    g_autofree char *url = url_for (f, CONTENT_PATH);

    g_assert_cmpint (run_cli (f, &out, &err, url, "--sha256",
                              "0000000000000000000000000000000000000000000000000000000000000000", NULL), ==, 1);
  }
  g_assert_nonnull (strstr (err, "deleted"));
  g_assert_nonnull (strstr (err, "sha256:0000000000000000000000000000000000000000000000000000000000000000"));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 1);
  assert_dest_list (f, "");
}

static void
test_record_hash_wrong (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* The record lists a checksum the hosted file does not have. */
  serve_record (f, "md5:ffffffffffffffffffffffffffffffff");
  result = run (f, SOURCE, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_CHECKSUM);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "md5:ffffffffffffffffffffffffffffffff"));
  g_assert_nonnull (strstr (error->message, f->md5));
  g_assert_nonnull (strstr (error->message, "deleted"));
  assert_dest_list (f, "");
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = url_for (f, "/files/missing.zip");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* A file the record does not have: the message lists the ones it has. */
  result = run (f, "doi:" DOI "/nothere.zip", NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nothere.zip"));
  g_assert_nonnull (strstr (error->message, "README.txt, demo.zip"));
  g_clear_error (&error);

  /* HTTP 404 is final: no retries. */
  result = run (f, missing, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, "404"));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/files/missing.zip"), ==, 1);
  assert_dest_list (f, "");

  g_assert_cmpint (run_cli (f, &out, &err, missing, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "404"));
  assert_dest_list (f, "");
}

static void
test_retry_after_500 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dassie_test_http_server_queue (f->server, "/api/records/4242", dassie_test_http_response_new_status (503));
  dassie_test_http_server_queue (f->server, CONTENT_PATH, dassie_test_http_response_new_status (500));
  dassie_test_http_server_queue (f->server, CONTENT_PATH, dassie_test_http_response_new_status (429));

  result = run (f, SOURCE, NULL, &error);
  g_assert_no_error (error);
  assert_unpacked (f, result->unpacked_dir);
  g_assert_cmpstr (result->checksum, ==, f->md5);
  g_assert_false (result->reused);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/api/records/4242"), ==, 2);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 3);
}

static void
test_retry_gives_up (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dassie_config_set_int (f->config, "download.retries", 2);
  dassie_test_http_server_set (f->server, CONTENT_PATH, dassie_test_http_response_new_status (500));
  result = run (f, SOURCE, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "3 tries"));
  g_assert_nonnull (strstr (error->message, "500"));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 3);
  assert_dest_list (f, "");
}

/* The content requests the server saw, as their Range headers ("" for none). */
static char *
content_ranges (Fixture *f)
{
  g_autoptr(GPtrArray) requests = dassie_test_http_server_get_requests (f->server);
  g_autoptr(GString) ranges = g_string_new (NULL);

  for (guint i = 0; i < requests->len; i++)
    {
      DassieTestHttpRequest *r = g_ptr_array_index (requests, i);

      if (g_str_equal (r->path, CONTENT_PATH))
        g_string_append_printf (ranges, "%s[%s]", ranges->len ? " " : "", r->range ? r->range : "");
    }
  return g_string_free (g_steal_pointer (&ranges), FALSE);
}

/* Runs the fixture's DOI, checks the unpacked files, and compares the Range headers seen. */
static void
assert_download_with_ranges (Fixture    *f,
                             const char *expected_ranges)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ranges = NULL;

  result = run (f, SOURCE, NULL, &error);
  g_assert_no_error (error);
  assert_unpacked (f, result->unpacked_dir);
  g_assert_cmpstr (result->checksum, ==, f->md5);
  ranges = content_ranges (f);
  g_assert_cmpstr (ranges, ==, expected_ranges);
}

static void
test_resume_after_drop (Fixture       *f,
                        gconstpointer  data)
{
  DassieTestHttpResponse *dropped = dassie_test_http_response_new_bytes (f->zip, "application/zip");
  gsize half = g_bytes_get_size (f->zip) / 2;
  g_autofree char *expected = g_strdup_printf ("[] [bytes=%" G_GSIZE_FORMAT "-]", half);

  dropped->drop_after = half;
  dassie_test_http_server_queue (f->server, CONTENT_PATH, dropped);
  assert_download_with_ranges (f, expected);
}

static void
test_resume_ignored_range (Fixture       *f,
                           gconstpointer  data)
{
  DassieTestHttpResponse *dropped = dassie_test_http_response_new_bytes (f->zip, "application/zip");
  DassieTestHttpResponse *whole = dassie_test_http_response_new_bytes (f->zip, "application/zip");

  /* A server without Range support answers 200 with the whole file: Dassie starts over. */
  dropped->drop_after = 50000;
  whole->ignore_range = TRUE;
  dassie_test_http_server_queue (f->server, CONTENT_PATH, dropped);
  dassie_test_http_server_set (f->server, CONTENT_PATH, whole);
  assert_download_with_ranges (f, "[] [bytes=50000-]");
}

static void
test_resume_after_stall (Fixture       *f,
                         gconstpointer  data)
{
  DassieTestHttpResponse *stalled = dassie_test_http_response_new_bytes (f->zip, "application/zip");
  gint64 start = g_get_monotonic_time ();

  /* Part of the file, then silence for far longer than download.stall_timeout (1 s). */
  stalled->stall_after = 70000;
  stalled->stall_ms = 30000;
  dassie_test_http_server_queue (f->server, CONTENT_PATH, stalled);
  assert_download_with_ranges (f, "[] [bytes=70000-]");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_partial_kept_for_next_run (Fixture       *f,
                                gconstpointer  data)
{
  DassieTestHttpResponse *dropping = dassie_test_http_response_new_bytes (f->zip, "application/zip");
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *part = g_build_filename (f->dest, "demo.zip.part", NULL);
  g_autofree char *expected = g_strdup_printf ("[] [bytes=%d-] [bytes=%d-]", 60000, 120000);
  GStatBuf st;

  /* Every answer breaks off after 60000 bytes, and only one retry is allowed: 120000 bytes arrive. */
  dropping->drop_after = 60000;
  dassie_test_http_server_set (f->server, CONTENT_PATH, dropping);
  dassie_config_set_int (f->config, "download.retries", 1);
  result = run (f, SOURCE, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, part));
  g_assert_nonnull (strstr (error->message, "2 tries"));
  assert_dest_list (f, "demo.zip.part");
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 120000);

  /* The server recovers; the next run asks only for the rest. */
  dassie_test_http_server_set (f->server, CONTENT_PATH,
                               dassie_test_http_response_new_bytes (f->zip, "application/zip"));
  assert_download_with_ranges (f, expected);
}

static void
test_resume_previous_run (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *part = g_build_filename (f->dest, "demo.zip.part", NULL);
  gsize half = g_bytes_get_size (f->zip) / 2;
  g_autofree char *expected = g_strdup_printf ("[bytes=%" G_GSIZE_FORMAT "-]", half);
  g_autofree char *expected_restart = g_strdup_printf ("[bytes=%" G_GSIZE_FORMAT "-] [bytes=%" G_GSIZE_FORMAT "-] []", half, half);
  g_autoptr(GBytes) garbage = dassie_test_random_bytes (half, 99);

  /* A good half from an earlier run is resumed. */
  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  g_file_set_contents (part, g_bytes_get_data (f->zip, NULL), half, &error);
  g_assert_no_error (error);
  assert_download_with_ranges (f, expected);

  /* A half of something else fails the checksum, and the download starts over once. */
  dassie_remove_tree (f->dest, &error);
  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  g_file_set_contents (part, g_bytes_get_data (garbage, NULL), half, &error);
  g_assert_no_error (error);
  assert_download_with_ranges (f, expected_restart);
}

static void
test_unsafe_zip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) evil = g_bytes_new_static ("evil\n", 5);
  g_autofree char *absolute = g_build_filename (f->root, "evil-absolute.txt", NULL);
  const DassieTestArchiveEntry climbs[] = {
    { .name = "demo/a.fits", .contents = f->a },
    { .name = "../evil-climb.txt", .contents = evil },
  };
  const DassieTestArchiveEntry rooted[] = {
    { .name = "demo/a.fits", .contents = f->a },
    { .name = absolute, .contents = evil },
  };
  const DassieTestArchiveEntry *cases[] = { climbs, rooted };
  const char *named[] = { "../evil-climb.txt", absolute };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) zip = build_zip (f, cases[i], 2);
      g_autoptr(DassieDownloadResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *root_list = NULL;

      serve_zip (f, zip);
      result = run (f, SOURCE, NULL, &error);
      g_assert_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_UNSAFE_PATH);
      g_assert_nonnull (strstr (error->message, named[i]));
      /* The verified zip stays for inspection; nothing was unpacked, nothing written outside. */
      assert_dest_list (f, "demo.zip");
      root_list = dassie_test_list_dir (f->root);
      g_assert_cmpstr (root_list, ==, "dest");
      g_clear_error (&error);
      dassie_remove_tree (f->dest, &error);
      g_assert_no_error (error);
    }
}

static void
test_redirect_refused (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(DassieTestHttpServer) elsewhere = dassie_test_http_server_new ();
  g_autofree char *fake_record = g_strconcat (dassie_test_http_server_get_url (elsewhere), "/records/4242", NULL);
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) seen = NULL;

  dassie_test_http_server_set (f->server, "/" DOI, dassie_test_http_response_new_redirect (302, fake_record));
  result = run (f, SOURCE, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_REDIRECT);
  g_assert_nonnull (strstr (error->message, fake_record));
  g_assert_nonnull (strstr (error->message, DOI));
  seen = dassie_test_http_server_get_requests (elsewhere);
  g_assert_cmpuint (seen->len, ==, 0);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 0);
  assert_dest_list (f, "");
}

static void
test_doi_landing (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DassieTestHttpServer) elsewhere = dassie_test_http_server_new ();
  g_autofree char *landing = g_strconcat (dassie_test_http_server_get_url (elsewhere), "/dataset/7", NULL);
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Zenodo shows the record at its /doi/ address without redirecting: the DOI's number is used. */
  dassie_test_http_server_set (f->server, "/doi/" DOI,
                               dassie_test_http_response_new_text ("<html>record</html>", "text/html"));
  result = run (f, SOURCE, NULL, &error);
  g_assert_no_error (error);
  assert_unpacked (f, result->unpacked_dir);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/api/records/4242"), ==, 1);

  /* A DOI of another repository is not followed there. */
  dassie_test_http_server_set (f->server, "/10.1234/other.7", dassie_test_http_response_new_redirect (302, landing));
  g_clear_pointer (&result, dassie_download_result_free);
  result = run (f, "doi:10.1234/other.7/table.csv", NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_RESOLVE);
  g_assert_nonnull (strstr (error->message, landing));
  g_assert_nonnull (strstr (error->message, "https://"));
  g_assert_cmpuint (dassie_test_http_server_count (elsewhere, "/dataset/7"), ==, 0);
}

static void
test_redirect_limits (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *loop = url_for (f, "/loop.zip");
  g_autofree char *downgrade = url_for (f, "/downgrade.zip");

  dassie_config_set_int (f->config, "download.max_redirects", 3);
  dassie_test_http_server_set (f->server, "/loop.zip", dassie_test_http_response_new_redirect (302, loop));
  result = run (f, loop, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_REDIRECT);
  g_assert_nonnull (strstr (error->message, "download.max_redirects"));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/loop.zip"), ==, 4);
  g_clear_error (&error);

  /* A redirect to plain http on another host is refused before any connection is made. */
  dassie_test_http_server_set (f->server, "/downgrade.zip",
                               dassie_test_http_response_new_redirect (302, "http://example.invalid/x.zip"));
  result = run (f, downgrade, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, "http://example.invalid/x.zip"));
  assert_dest_list (f, "");
}

typedef struct
{
  GCancellable *cancellable;
  guint64       cancel_at;
  guint64       max_bytes;
  guint64       total;
  GArray       *stages;
  gboolean      monotonic;
  guint64       last_download_bytes;
} Watcher;

static void
watch_progress (const DassieProgress *progress,
                gpointer              user_data)
{
  const DassieDownloadProgress *download = (const DassieDownloadProgress *) progress;
  Watcher *w = user_data;
  DassieDownloadStage stage = download->stage;

  g_assert_nonnull (progress->message);
  if (w->stages->len == 0 || g_array_index (w->stages, DassieDownloadStage, w->stages->len - 1) != stage)
    g_array_append_val (w->stages, stage);
  if (stage != DASSIE_DOWNLOAD_STAGE_DOWNLOAD)
    return;

  if (download->bytes < w->last_download_bytes)
    w->monotonic = FALSE;
  w->last_download_bytes = download->bytes;
  w->max_bytes = MAX (w->max_bytes, download->bytes);
  w->total = download->total;
  if (w->cancellable != NULL && download->bytes >= w->cancel_at)
    g_cancellable_cancel (w->cancellable);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  DassieTestHttpResponse *slow = dassie_test_http_response_new_bytes (f->zip, "application/zip");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Watcher w = { .cancellable = cancellable, .cancel_at = 40000, .monotonic = TRUE };
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* About 4 s for the whole file, so that the cancel lands in the middle. */
  slow->chunk_size = 4096;
  slow->chunk_delay_ms = 75;
  dassie_test_http_server_set (f->server, CONTENT_PATH, slow);
  w.stages = g_array_new (FALSE, FALSE, sizeof (DassieDownloadStage));

  result = dassie_download_run (f->config, SOURCE, f->dest, NULL, DASSIE_DOWNLOAD_FLAGS_NONE,
                                watch_progress, &w, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_assert_cmpuint (w.max_bytes, >=, 40000);
  g_assert_cmpuint (w.max_bytes, <, g_bytes_get_size (f->zip));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 1);
  assert_dest_list (f, "");
  g_array_unref (w.stages);
}

static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  DassieTestHttpResponse *chunked = dassie_test_http_response_new_bytes (f->zip, "application/zip");
  Watcher w = { .monotonic = TRUE };
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const DassieDownloadStage expected[] = {
    DASSIE_DOWNLOAD_STAGE_RESOLVE, DASSIE_DOWNLOAD_STAGE_DOWNLOAD, DASSIE_DOWNLOAD_STAGE_VERIFY,
    DASSIE_DOWNLOAD_STAGE_UNPACK,
  };

  chunked->chunk_size = 16384;
  chunked->chunk_delay_ms = 20;
  dassie_test_http_server_set (f->server, CONTENT_PATH, chunked);
  w.stages = g_array_new (FALSE, FALSE, sizeof (DassieDownloadStage));

  result = dassie_download_run (f->config, SOURCE, f->dest, NULL, DASSIE_DOWNLOAD_FLAGS_NONE,
                                watch_progress, &w, NULL, &error);
  g_assert_no_error (error);
  assert_unpacked (f, result->unpacked_dir);
  g_assert_true (w.monotonic);
  g_assert_cmpuint (w.max_bytes, ==, g_bytes_get_size (f->zip));
  g_assert_cmpuint (w.total, ==, g_bytes_get_size (f->zip));
  g_assert_cmpmem (w.stages->data, w.stages->len * sizeof (DassieDownloadStage), expected, sizeof expected);
  g_array_unref (w.stages);
}

/* Each report's DassieProgress says what its download fields say, for any DassieProgressFunc. */
static void
check_base (const DassieProgress *progress,
            gpointer              user_data)
{
  const DassieDownloadProgress *download = (const DassieDownloadProgress *) progress;
  const char *names[] = { "resolve", "download", "verify", "unpack" };
  guint *reports = user_data;

  g_assert_cmpint (download->stage, <, G_N_ELEMENTS (names));
  g_assert_cmpstr (progress->stage, ==, names[download->stage]);
  g_assert_nonnull (progress->message);
  if (download->total == 0)
    g_assert_cmpfloat (progress->fraction, <, 0);
  else
    g_assert_cmpfloat_with_epsilon (progress->fraction, MIN (1.0, download->bytes / (double) download->total), 1e-12);
  (*reports)++;
}

static void
test_progress_base (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint reports = 0;

  result = dassie_download_run (f->config, SOURCE, f->dest, NULL, DASSIE_DOWNLOAD_FLAGS_NONE,
                                check_base, &reports, NULL, &error);
  g_assert_no_error (error);
  assert_unpacked (f, result->unpacked_dir);
  g_assert_cmpuint (reports, >=, 4);
}

static void
test_already_present (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) first = NULL;
  g_autoptr(DassieDownloadResult) second = NULL;
  g_autoptr(DassieDownloadResult) third = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;

  first = run (f, SOURCE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (first->reused);
  g_assert_nonnull (first->url);

  /* The record is asked for the checksum, but the file is not fetched again. */
  second = run (f, SOURCE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (second->reused);
  g_assert_true (second->unpacked_reused);
  g_assert_null (second->url);
  assert_unpacked (f, second->unpacked_dir);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 1);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/api/records/4242"), ==, 2);

  /* With the checksum given, not even the resolver is asked. */
  before = dassie_test_http_server_get_requests (f->server);
  third = run (f, SOURCE, f->md5, &error);
  g_assert_no_error (error);
  g_assert_true (third->reused);
  after = dassie_test_http_server_get_requests (f->server);
  g_assert_cmpuint (after->len, ==, before->len);
}

static void
test_present_but_wrong (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = g_build_filename (f->dest, "demo.zip", NULL);

  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  g_file_set_contents (zip, "an older, different file", -1, &error);
  g_assert_no_error (error);

  result = run (f, SOURCE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (result->reused);
  assert_unpacked (f, result->unpacked_dir);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 1);
}

static void
test_plain_url_twice (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) first = NULL;
  g_autoptr(DassieDownloadResult) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = url_for (f, "/files/demo.zip");

  /* Without a checksum the file is fetched each time; the same file keeps its unpacked folder. */
  dassie_test_http_server_set (f->server, "/files/demo.zip",
                               dassie_test_http_response_new_bytes (f->zip, "application/zip"));
  first = run (f, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (first->unpacked_reused);
  second = run (f, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (second->reused);
  g_assert_true (second->unpacked_reused);
  g_assert_cmpstr (second->checksum, ==, f->md5);
  assert_unpacked (f, second->unpacked_dir);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/files/demo.zip"), ==, 2);
}

static void
test_legacy_record (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *json = g_strdup_printf (
    "{\"id\": 4242, \"files\": [{\"filename\": \"demo.zip\", \"filesize\": %" G_GSIZE_FORMAT ","
    " \"checksum\": \"%s\", \"id\": \"abc\"}]}",
    g_bytes_get_size (f->zip), f->md5 + strlen ("md5:"));
  gboolean found = FALSE;

  /* The old API: "filename", a bare md5, and downloads from /records/<id>/files/<name>?download=1. */
  dassie_test_http_server_set (f->server, "/api/records/4242",
                               dassie_test_http_response_new_text (json, "application/json"));
  dassie_test_http_server_set (f->server, "/records/4242/files/demo.zip",
                               dassie_test_http_response_new_bytes (f->zip, "application/zip"));

  result = run (f, SOURCE, NULL, &error);
  g_assert_no_error (error);
  assert_unpacked (f, result->unpacked_dir);
  g_assert_cmpstr (result->checksum, ==, f->md5);
  requests = dassie_test_http_server_get_requests (f->server);
  for (guint i = 0; i < requests->len; i++)
    {
      DassieTestHttpRequest *r = g_ptr_array_index (requests, i);

      if (g_str_equal (r->path, "/records/4242/files/demo.zip"))
        {
          g_assert_cmpstr (r->query, ==, "download=1");
          found = TRUE;
        }
    }
  g_assert_true (found);
  g_assert_cmpuint (dassie_test_http_server_count (f->server, CONTENT_PATH), ==, 0);
}

static void
test_plain_url_sha256 (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = url_for (f, "/files/table.fits");
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, f->a);
  g_autofree char *sha = g_strconcat ("sha256:", hex, NULL);
  g_autofree char *path = g_build_filename (f->dest, "table.fits", NULL);

  dassie_test_http_server_set (f->server, "/files/table.fits",
                               dassie_test_http_response_new_bytes (f->a, "application/fits"));
  result = run (f, url, sha, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->file_path, ==, path);
  g_assert_cmpstr (result->checksum, ==, sha);
  g_assert_null (result->unpacked_dir);
  g_assert_cmpuint (result->size, ==, g_bytes_get_size (f->a));
  dassie_test_assert_file (path, f->a);
  assert_dest_list (f, "table.fits");
  /* No resolver and no record for a plain URL. */
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/" DOI), ==, 0);
}

/* "Verified" is said only when a checksum was checked; a plain URL without one says nothing was. */
static void
test_cli_unverified (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *url = url_for (f, "/files/demo.zip");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) summary = NULL;

  dassie_test_http_server_set (f->server, "/files/demo.zip",
                               dassie_test_http_response_new_bytes (f->zip, "application/zip"));
  g_assert_cmpint (run_cli (f, &out, &err, url, "--no-unpack", NULL), ==, 0);
  g_assert_nonnull (strstr (err, "nothing was verified"));
  g_assert_null (strstr (err, "Verified"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (f, &out, &err, url, "--no-unpack", "--json", NULL), ==, 0);
  summary = json_from_string (out, NULL);
  g_assert_nonnull (summary);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (summary), "verified"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&summary, json_node_unref);

  /* The same file with --md5, and the DOI whose record lists the md5: both checked. */
  g_assert_cmpint (run_cli (f, &out, &err, url, "--no-unpack", "--md5", f->md5 + strlen ("md5:"), NULL), ==, 0);
  g_assert_nonnull (strstr (err, "Verified"));
  g_assert_null (strstr (err, "nothing was verified"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (f, &out, &err, SOURCE, "--json", NULL), ==, 0);
  summary = json_from_string (out, NULL);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (summary), "verified"));
}

/* A body that ends before its Content-Length is never renamed to the file's name. */
static void
test_short_body (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *url = url_for (f, "/files/demo.zip");
  g_autofree char *part = g_build_filename (f->dest, "demo.zip.part", NULL);
  DassieTestHttpResponse *dropping = dassie_test_http_response_new_bytes (f->zip, "application/zip");
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  /* Without a checksum nothing can be resumed safely: the part is removed. */
  dropping->drop_after = 40000;
  dassie_test_http_server_set (f->server, "/files/demo.zip", dropping);
  dassie_config_set_int (f->config, "download.retries", 0);
  result = run (f, url, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NETWORK);
  g_assert_null (result);
  assert_dest_list (f, "");
  g_clear_error (&error);

  /* With one, the part stays under its temporary name for the next run. */
  result = run (f, url, f->md5, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, part));
  assert_dest_list (f, "demo.zip.part");
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 40000);
}

/* A server that sends a shorter file than the record lists (with an honest Content-Length, and a
 * record without a checksum): not complete, deleted. */
static void
test_shorter_than_record (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *self = url_for (f, CONTENT_PATH);
  g_autofree char *json = g_strdup_printf (
    "{\"id\": 4242, \"files\": [{\"key\": \"demo.zip\", \"size\": %" G_GSIZE_FORMAT ","
    " \"links\": {\"self\": \"%s\"}}]}", g_bytes_get_size (f->zip), self);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (f->zip, 0, g_bytes_get_size (f->zip) - 5000);
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *size_text = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (f->zip));

  dassie_test_http_server_set (f->server, "/api/records/4242",
                               dassie_test_http_response_new_text (json, "application/json"));
  dassie_test_http_server_set (f->server, CONTENT_PATH,
                               dassie_test_http_response_new_bytes (truncated, "application/zip"));
  result = run (f, SOURCE, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_SIZE);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, size_text));
  g_assert_nonnull (strstr (error->message, "deleted"));
  assert_dest_list (f, "");
}

/* A retry starts again at the plain-http address on this computer, which is allowed: the failure
 * reported is the https hop's, not a refusal of the start. */
static void
test_retry_keeps_cause (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *url = url_for (f, "/hop/demo.zip");
  g_autofree char *other = url_for (f, "/other/demo.zip");
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* 192.0.2.1 is TEST-NET-1: never routed, so connecting fails (or times out after 1 s). */
  dassie_test_http_server_set (f->server, "/hop/demo.zip",
                               dassie_test_http_response_new_redirect (302, "https://192.0.2.1:9/demo.zip"));
  dassie_config_set_int (f->config, "download.retries", 1);
  result = run (f, url, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "https://192.0.2.1:9/demo.zip"));
  g_assert_nonnull (strstr (error->message, "2 tries"));
  g_assert_null (strstr (error->message, "Refusing"));
  g_assert_cmpuint (dassie_test_http_server_count (f->server, "/hop/demo.zip"), ==, 2);
  assert_dest_list (f, "");
  g_clear_error (&error);

  /* A try that fails otherwise than the one before says both. */
  dassie_test_http_server_queue (f->server, "/other/demo.zip", dassie_test_http_response_new_status (503));
  result = run (f, other, NULL, &error);
  g_assert_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "404"));
  g_assert_nonnull (strstr (error->message, "503"));
}

static void
count_calls (const DassieProgress *progress,
             gpointer              user_data)
{
  g_atomic_int_inc ((int *) user_data);
}

typedef struct
{
  Fixture *f;
  int     *calls;
} ThreadRun;

/* The app runs the download on a worker thread, as this does. */
static gpointer
run_on_thread (gpointer user_data)
{
  ThreadRun *run = user_data;
  g_autoptr(GError) error = NULL;
  DassieDownloadResult *result;

  result = dassie_download_run (run->f->config, SOURCE, run->f->dest, NULL, DASSIE_DOWNLOAD_FLAGS_NONE,
                                count_calls, run->calls, NULL, &error);
  g_assert_no_error (error);
  return result;
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  DassieDownloadResult *result = NULL;
  int *calls = g_new0 (int, 1);
  ThreadRun run = { f, calls };

  result = g_thread_join (g_thread_new ("download", run_on_thread, &run));
  assert_unpacked (f, result->unpacked_dir);
  g_assert_cmpint (g_atomic_int_get (calls), >, 0);
  dassie_download_result_free (result);
  g_free (calls);
}

/* A test server made and freed at once stops: its thread may not have entered its main loop yet
 * when it is told to quit (the old quit was lost then, and the download suite hung on a loaded
 * machine). A thousand rounds made the old code hang within the first few hundred. */
static void
test_server_stops_at_once (void)
{
  for (guint i = 0; i < 1000; i++)
    {
      DassieTestHttpServer *server = dassie_test_http_server_new ();

      g_assert_nonnull (dassie_test_http_server_get_url (server));
      dassie_test_http_server_free (server);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* Only the local server is ever asked; a proxy from the environment must not get in between. */
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("ALL_PROXY");
  g_unsetenv ("all_proxy");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/download/test-server-stops-at-once", test_server_stops_at_once);
  g_test_add_func ("/core/download/parse-source", test_parse_source);
  g_test_add_func ("/core/download/check-url", test_check_url);
  g_test_add_func ("/core/download/checksums", test_checksums);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/download/cli-success", test_cli_success);
  ADD ("/core/download/cli-wrong-hash", test_cli_wrong_hash);
  ADD ("/core/download/record-hash-wrong", test_record_hash_wrong);
  ADD ("/core/download/not-found", test_not_found);
  ADD ("/core/download/retry-after-500", test_retry_after_500);
  ADD ("/core/download/retry-gives-up", test_retry_gives_up);
  ADD ("/core/download/resume-after-drop", test_resume_after_drop);
  ADD ("/core/download/resume-ignored-range", test_resume_ignored_range);
  ADD ("/core/download/resume-after-stall", test_resume_after_stall);
  ADD ("/core/download/partial-kept-for-next-run", test_partial_kept_for_next_run);
  ADD ("/core/download/resume-previous-run", test_resume_previous_run);
  ADD ("/core/download/unsafe-zip", test_unsafe_zip);
  ADD ("/core/download/redirect-refused", test_redirect_refused);
  ADD ("/core/download/doi-landing", test_doi_landing);
  ADD ("/core/download/redirect-limits", test_redirect_limits);
  ADD ("/core/download/cancel", test_cancel);
  ADD ("/core/download/progress", test_progress);
  ADD ("/core/download/already-present", test_already_present);
  ADD ("/core/download/present-but-wrong", test_present_but_wrong);
  ADD ("/core/download/plain-url-twice", test_plain_url_twice);
  ADD ("/core/download/legacy-record", test_legacy_record);
  ADD ("/core/download/plain-url-sha256", test_plain_url_sha256);
  ADD ("/core/download/async", test_async);
  ADD ("/core/download/progress-base", test_progress_base);
  ADD ("/core/download/cli-unverified", test_cli_unverified);
  ADD ("/core/download/short-body", test_short_body);
  ADD ("/core/download/shorter-than-record", test_shorter_than_record);
  ADD ("/core/download/retry-keeps-cause", test_retry_keeps_cause);
#undef ADD

  return g_test_run ();
}
