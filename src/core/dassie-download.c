/* dassie-download.c: the download verb: DOI and Zenodo resolution, verified files, unpacking
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dassie-download.h"
#include "dassie-fileutil.h"
#include "dassie-http.h"
#include "dassie-progress.h"
#include "dassie-unpack.h"

#define HASH_BLOCK (256 * 1024)
#define PART_SUFFIX ".part"

G_DEFINE_QUARK (dassie-download-error-quark, dassie_download_error)

/* What a source names: a file, where to fetch it, and the hash its publisher lists. */
typedef struct
{
  char *url;        /* the direct download link */
  char *file_name;  /* the name the file gets in the destination folder */
  char *checksum;   /* "md5:<hex>" or "sha256:<hex>" from the record, or NULL */
  char *record_id;  /* the Zenodo record, or NULL for a plain URL */
  guint64 size;     /* from the record, or 0 */
} DassieDownloadTarget;

static void
download_target_free (DassieDownloadTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->url);
  g_free (target->file_name);
  g_free (target->checksum);
  g_free (target->record_id);
  g_free (target);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieDownloadTarget, download_target_free)

/* Addresses and names */

static GUri *
parse_web_address (const char  *url,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GUri *uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &local_error);

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,
                   _("“%s” is not a web address; give an https:// address or "
                     "doi:PREFIX/SUFFIX/FILE"), url);
      g_clear_pointer (&uri, g_uri_unref);
    }
  return uri;
}

gboolean
dassie_download_check_url (const char  *url,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = parse_web_address (url, error);
  if (uri == NULL)
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      if (_dassie_http_is_loopback_host (g_uri_get_host (uri)))
        return TRUE;
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INSECURE,
                   _("Refusing the unencrypted address “%s”: Dassie downloads over https only "
                     "(plain http only from this computer). Use the https:// address."), url);
      return FALSE;
    }

  g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,
               _("Refusing “%s”: Dassie downloads https:// addresses and doi: names only."), url);
  return FALSE;
}

/* "scheme://host:port", so that two addresses can be compared as the same server or not. */
static char *
url_origin (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  int port;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_str_equal (scheme, "https") ? 443 : 80;
  return g_strdup_printf ("%s://%s:%d", scheme, host, port);
}

static gboolean
is_safe_file_name (const char *name)
{
  return name != NULL && name[0] != '\0' && !g_str_equal (name, ".") && !g_str_equal (name, "..") &&
         strchr (name, '/') == NULL && strchr (name, '\\') == NULL &&
         !g_str_has_suffix (name, PART_SUFFIX);
}

gboolean
dassie_download_parse_source (const char  *source,
                              char       **doi,
                              char       **url,
                              char       **file_name,
                              GError     **error)
{
  g_autofree char *out_doi = NULL;
  g_autofree char *out_url = NULL;
  g_autofree char *out_name = NULL;

  g_return_val_if_fail (source != NULL, FALSE);

  if (g_ascii_strncasecmp (source, "doi:", 4) == 0)
    {
      const char *rest = source + 4;
      const char *last = strrchr (rest, '/');
      const char *first = strchr (rest, '/');

      if (!g_str_has_prefix (rest, "10.") || first == NULL || last == first || last[1] == '\0')
        {
          g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,
                       _("“%s” is not of the form doi:PREFIX/SUFFIX/FILE, for example "
                         "%s"), source, DASSIE_DOWNLOAD_HSC_DEMO_SOURCE);
          return FALSE;
        }
      out_doi = g_strndup (rest, last - rest);
      out_name = g_strdup (last + 1);
    }
  else
    {
      g_autoptr(GUri) uri = NULL;
      const char *path;
      const char *slash;

      if (!dassie_download_check_url (source, error))
        return FALSE;
      uri = parse_web_address (source, error);
      path = g_uri_get_path (uri);
      slash = strrchr (path, '/');
      out_name = g_uri_unescape_string (slash ? slash + 1 : path, NULL);
      out_url = g_strdup (source);
    }

  if (!is_safe_file_name (out_name))
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,
                   _("“%s” does not end in a usable file name; give the address of the file "
                     "itself."), source);
      return FALSE;
    }

  if (doi != NULL)
    *doi = g_steal_pointer (&out_doi);
  if (url != NULL)
    *url = g_steal_pointer (&out_url);
  if (file_name != NULL)
    *file_name = g_steal_pointer (&out_name);
  return TRUE;
}

/* Checksums */

static gboolean
checksum_kind_from_name (const char    *kind,
                         GChecksumType *type,
                         gsize         *hex_length)
{
  if (g_str_equal (kind, "md5"))
    {
      *type = G_CHECKSUM_MD5;
      *hex_length = 32;
      return TRUE;
    }
  if (g_str_equal (kind, "sha256"))
    {
      *type = G_CHECKSUM_SHA256;
      *hex_length = 64;
      return TRUE;
    }
  return FALSE;
}

char *
dassie_download_normalize_checksum (const char  *checksum,
                                    GError     **error)
{
  g_autofree char *lower = NULL;
  g_autofree char *kind = NULL;
  const char *colon;
  const char *hex;
  GChecksumType type;
  gsize length;

  g_return_val_if_fail (checksum != NULL, NULL);

  lower = g_strstrip (g_ascii_strdown (checksum, -1));
  colon = strchr (lower, ':');
  if (colon != NULL)
    {
      kind = g_strndup (lower, colon - lower);
      hex = colon + 1;
    }
  else
    {
      hex = lower;
      kind = g_strdup (strlen (hex) == 64 ? "sha256" : "md5");
    }

  if (!checksum_kind_from_name (kind, &type, &length) || strlen (hex) != length ||
      strspn (hex, "0123456789abcdef") != length)
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,
                   _("“%s” is not a checksum; give md5:<32 hex digits> or sha256:<64 hex digits>."),
                   checksum);
      return NULL;
    }

  return g_strdup_printf ("%s:%s", kind, hex);
}

static char *
checksum_file_reporting (const char    *path,
                         const char    *kind,
                         Session       *session,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GChecksum) checksum = NULL;
  g_autofree guchar *buffer = NULL;
  g_autofree char *base = NULL;
  g_autofree char *message = NULL;
  GChecksumType type;
  gsize length;
  guint64 done = 0;
  GStatBuf st;
  int fd;

  if (!checksum_kind_from_name (kind, &type, &length))
    g_return_val_if_reached (NULL);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not read “%s” to check it: %s"), path, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return NULL;
    }

  /* A ".part" file is named as the file it becomes. */
  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, PART_SUFFIX))
    base[strlen (base) - strlen (PART_SUFFIX)] = '\0';
  message = g_strdup_printf (_("Checking the %s of %s"), kind, base);
  checksum = g_checksum_new (type);
  buffer = g_malloc (HASH_BLOCK);
  if (session != NULL)
    _dassie_http_report (session, DASSIE_DOWNLOAD_STAGE_VERIFY, 0, st.st_size, message, TRUE);
  for (;;)
    {
      ssize_t n = read (fd, buffer, HASH_BLOCK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not read “%s” to check it: %s"), path, g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, n);
      done += n;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return NULL;
        }
      if (session != NULL)
        _dassie_http_report (session, DASSIE_DOWNLOAD_STAGE_VERIFY, done, st.st_size, message, FALSE);
    }
  close (fd);
  if (session != NULL)
    _dassie_http_report (session, DASSIE_DOWNLOAD_STAGE_VERIFY, done, st.st_size, message, TRUE);

  return g_strdup_printf ("%s:%s", kind, g_checksum_get_string (checksum));
}

char *
dassie_download_checksum_file (const char    *path,
                               const char    *kind,
                               GCancellable  *cancellable,
                               GError       **error)
{
  GChecksumType type;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (kind != NULL && checksum_kind_from_name (kind, &type, &length), NULL);

  return checksum_file_reporting (path, kind, NULL, cancellable, error);
}

/* The kind part of "md5:..." */
static char *
checksum_kind (const char *checksum)
{
  const char *colon = strchr (checksum, ':');

  return g_strndup (checksum, colon - checksum);
}

/* Checks @path against every checksum in @expected; on a mismatch, @actual is the file's. */
static gboolean
file_matches (const char    *path,
              GPtrArray     *expected,
              Session       *session,
              char         **first_actual,
              char         **mismatch_expected,
              char         **mismatch_actual,
              GCancellable  *cancellable,
              GError       **error)
{
  for (guint i = 0; i < expected->len; i++)
    {
      const char *want = g_ptr_array_index (expected, i);
      g_autofree char *kind = checksum_kind (want);
      g_autofree char *have = checksum_file_reporting (path, kind, session, cancellable, error);

      if (have == NULL)
        return FALSE;
      if (!g_str_equal (have, want))
        {
          if (mismatch_expected != NULL)
            *mismatch_expected = g_strdup (want);
          if (mismatch_actual != NULL)
            *mismatch_actual = g_steal_pointer (&have);
          return FALSE;
        }
      if (i == 0 && first_actual != NULL)
        *first_actual = g_steal_pointer (&have);
    }

  return TRUE;
}

/* Resolution */

typedef struct
{
  const char *doi;
  char       *resolver_origin;
  char       *zenodo_origin;
  gboolean    zenodo_doi;
  char       *record_id;
  char       *elsewhere;  /* a non-Zenodo DOI's landing address */
} DoiHop;

static char *
record_id_from_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GRegex) regex = g_regex_new ("/records?/([0-9]+)/?$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (uri == NULL || !g_regex_match (regex, g_uri_get_path (uri), 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static HopDecision
doi_hop (Session     *s,
         const char  *url,
         gpointer     data,
         GError     **error)
{
  DoiHop *hop = data;
  g_autofree char *origin = url_origin (url);

  if (g_strcmp0 (origin, hop->zenodo_origin) == 0)
    {
      hop->record_id = record_id_from_url (url);
      return hop->record_id != NULL ? HOP_STOP : HOP_FETCH;
    }
  if (g_strcmp0 (origin, hop->resolver_origin) == 0)
    return HOP_FETCH;
  if (hop->zenodo_doi)
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_REDIRECT,
                   _("The Zenodo DOI %s led to %s, which is not the Zenodo server %s; refused. "
                     "Check download.doi_resolver and download.zenodo_api."),
                   hop->doi, url, hop->zenodo_origin);
      return HOP_REFUSE;
    }
  hop->elsewhere = g_strdup (url);
  return HOP_STOP;
}

static gboolean
is_zenodo_doi (const char *doi)
{
  const char *slash = strchr (doi, '/');

  return g_str_has_prefix (doi, "10.5281/") ||
         (slash != NULL && g_ascii_strncasecmp (slash + 1, "zenodo.", 7) == 0);
}

static void
doi_hop_clear (DoiHop *hop)
{
  g_clear_pointer (&hop->resolver_origin, g_free);
  g_clear_pointer (&hop->zenodo_origin, g_free);
  g_clear_pointer (&hop->record_id, g_free);
  g_clear_pointer (&hop->elsewhere, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DoiHop, doi_hop_clear)

static char *
resolve_record_id (Session      *s,
                   const char   *doi,
                   GError      **error)
{
  g_auto(Transfer) t = { .session = s, .fd = -1, .label = doi };
  g_auto(DoiHop) hop = { .doi = doi };
  g_autofree char *escaped = g_uri_escape_string (doi, "/", TRUE);
  g_autofree char *start = g_strdup_printf ("%s/%s", s->resolver, escaped);
  g_autofree char *final_url = NULL;
  g_autofree char *landing_origin = NULL;
  g_autofree char *message = g_strdup_printf (_("Looking up %s at %s"), doi, s->resolver);

  t.memory = g_byte_array_new ();
  hop.resolver_origin = url_origin (start);
  hop.zenodo_origin = url_origin (s->zenodo_api);
  hop.zenodo_doi = is_zenodo_doi (doi);

  _dassie_http_report (s, DASSIE_DOWNLOAD_STAGE_RESOLVE, 0, 0, message, TRUE);
  if (hop.zenodo_origin == NULL)
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,
                   _("download.zenodo_api “%s” is not a web address."), s->zenodo_api);
      return NULL;
    }
  if (!_dassie_http_get (&t, start, doi_hop, &hop, &final_url, error))
    return NULL;
  if (hop.record_id != NULL)
    return g_steal_pointer (&hop.record_id);
  if (hop.elsewhere != NULL)
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_RESOLVE,
                   _("The DOI %s leads to %s, which is not a Zenodo record; Dassie fetches the files "
                     "of Zenodo DOIs. Give the file's https:// address instead."), doi, hop.elsewhere);
      return NULL;
    }

  /* Zenodo answered at an address without the record number: a version DOI carries it too. */
  landing_origin = url_origin (final_url);
  if (g_strcmp0 (landing_origin, hop.zenodo_origin) == 0 &&
      g_regex_match_simple ("^10\\.5281/zenodo\\.[0-9]+$", doi, G_REGEX_CASELESS, 0))
    return g_strdup (strrchr (doi, '.') + 1);

  g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_RESOLVE,
               _("The DOI %s led to %s, which does not name a Zenodo record. Check the DOI."),
               doi, final_url);
  return NULL;
}

/* The Zenodo site's address: the API's without a trailing "/api". */
static char *
zenodo_site (const char *zenodo_api)
{
  if (g_str_has_suffix (zenodo_api, "/api"))
    return g_strndup (zenodo_api, strlen (zenodo_api) - 4);
  return g_strdup (zenodo_api);
}

static DassieDownloadTarget *
target_from_record (Session      *s,
                    const char   *record_id,
                    const char   *record_url,
                    const char   *file_name,
                    GBytes       *json,
                    GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(DassieDownloadTarget) target = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  JsonNode *root;
  JsonArray *files = NULL;
  gsize length;
  const char *data = g_bytes_get_data (json, &length);

  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_RESOLVE,
                   _("The Zenodo record at %s could not be read (%s). Try again later."),
                   record_url, parse_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_OBJECT (root) && json_object_has_member (json_node_get_object (root), "files") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "files")))
    files = json_object_get_array_member (json_node_get_object (root), "files");
  if (files == NULL || json_array_get_length (files) == 0)
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_RESOLVE,
                   _("The Zenodo record %s lists no files; it may be restricted or embargoed."),
                   record_id);
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *node = json_array_get_element (files, i);
      JsonObject *file;
      gboolean legacy;
      const char *name;
      const char *checksum;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      file = json_node_get_object (node);
      /* Records of the old API name their files "filename", the new one "key". */
      legacy = !json_object_has_member (file, "key");
      name = json_object_get_string_member_with_default (file, legacy ? "filename" : "key", NULL);
      if (name == NULL)
        continue;
      g_string_append_printf (names, "%s%s", names->len ? ", " : "", name);
      if (!g_str_equal (name, file_name))
        continue;

      target = g_new0 (DassieDownloadTarget, 1);
      target->file_name = g_strdup (file_name);
      target->record_id = g_strdup (record_id);
      target->size = MAX (json_object_get_int_member_with_default (file, legacy ? "filesize" : "size", 0), 0);

      if (!legacy && json_object_has_member (file, "links") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (file, "links")))
        target->url = g_strdup (json_object_get_string_member_with_default (
            json_object_get_object_member (file, "links"), "self", NULL));
      if (target->url == NULL)
        {
          g_autofree char *site = zenodo_site (s->zenodo_api);
          g_autofree char *escaped = g_uri_escape_string (file_name, NULL, TRUE);

          target->url = g_strdup_printf ("%s/records/%s/files/%s?download=1", site, record_id, escaped);
        }

      checksum = json_object_get_string_member_with_default (file, "checksum", NULL);
      if (checksum != NULL)
        {
          g_autoptr(GError) checksum_error = NULL;

          target->checksum = dassie_download_normalize_checksum (checksum, &checksum_error);
          if (target->checksum == NULL)
            g_warning ("Ignoring the checksum “%s” of %s in record %s: %s",
                       checksum, file_name, record_id, checksum_error->message);
        }
      return g_steal_pointer (&target);
    }

  g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NOT_FOUND,
               _("The Zenodo record %s has no file “%s”; it has: %s. Check the file name after the DOI."),
               record_id, file_name, names->str);
  return NULL;
}

static DassieDownloadTarget *
resolve_with_session (Session     *s,
                      const char  *source,
                      GError     **error)
{
  g_autofree char *doi = NULL;
  g_autofree char *url = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *record_url = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GBytes) json = NULL;
  g_auto(Transfer) t = { .session = s, .fd = -1 };
  DassieDownloadTarget *target;

  if (!dassie_download_parse_source (source, &doi, &url, &file_name, error))
    return NULL;

  if (doi == NULL)
    {
      target = g_new0 (DassieDownloadTarget, 1);
      target->url = g_steal_pointer (&url);
      target->file_name = g_steal_pointer (&file_name);
      return target;
    }

  record_id = resolve_record_id (s, doi, error);
  if (record_id == NULL)
    return NULL;

  record_url = g_strdup_printf ("%s/records/%s", s->zenodo_api, record_id);
  message = g_strdup_printf (_("Reading Zenodo record %s"), record_id);
  _dassie_http_report (s, DASSIE_DOWNLOAD_STAGE_RESOLVE, 0, 0, message, TRUE);
  t.label = record_id;
  t.accept_json = TRUE;
  t.memory = g_byte_array_new ();
  if (!_dassie_http_get (&t, record_url, NULL, NULL, NULL, error))
    return NULL;

  json = g_bytes_new (t.memory->data, t.memory->len);
  return target_from_record (s, record_id, record_url, file_name, json, error);
}

void
dassie_download_result_free (DassieDownloadResult *result)
{
  if (result == NULL)
    return;
  g_free (result->file_path);
  g_free (result->unpacked_dir);
  g_free (result->checksum);
  g_free (result->url);
  g_free (result);
}

/* Download */

static void
set_checksum_error (GError     **error,
                    const char  *file_name,
                    const char  *url,
                    const char  *expected,
                    const char  *actual)
{
  g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_CHECKSUM,
               _("The file %s downloaded from %s has %s, but %s was expected; the download was "
                 "deleted. Try again; if this happens again, the source or the expected checksum "
                 "is wrong."),
               file_name, url, actual, expected);
}

/* Downloads @target into "<path>.part", checks it against @expected, then renames it to @path. */
static gboolean
download_to (Session               *s,
             DassieDownloadTarget  *target,
             const char            *path,
             GPtrArray             *expected,
             char                 **checksum,
             GError               **error)
{
  g_autofree char *part = g_strconcat (path, PART_SUFFIX, NULL);
  g_auto(Transfer) t = { .session = s, .label = target->file_name, .expected_size = target->size };
  gboolean resumable = expected->len > 0;
  GStatBuf st;

  t.fd = g_open (part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (t.fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create “%s”: %s. Choose a folder you can write to."),
                   part, g_strerror (saved));
      return FALSE;
    }
  if (flock (t.fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (t.fd);
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_BUSY,
                   _("Another download of %s into the same folder is running; wait for it to "
                     "finish."), target->file_name);
      return FALSE;
    }

  /* A partial file from an earlier run is resumed only when a checksum will catch a mix-up. */
  if (resumable && fstat (t.fd, &st) == 0)
    t.offset = st.st_size;
  else if (ftruncate (t.fd, 0) != 0)
    {
      int saved = errno;
      close (t.fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s. Choose a folder you can write to."),
                   part, g_strerror (saved));
      return FALSE;
    }
  t.run_start = t.offset;
  dassie_eta_start (&s->eta);

  for (guint pass = 0; ; pass++)
    {
      g_autofree char *want = NULL;
      g_autofree char *have = NULL;
      gboolean resumed = t.offset > 0;

      if (!_dassie_http_get (&t, target->url, NULL, NULL, NULL, error))
        {
          gboolean keep = resumable && t.offset > 0 && *error != NULL &&
                          g_error_matches (*error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_NETWORK);

          if (keep)
            g_prefix_error (error, _("The partial download was kept as %s; run the download again "
                                     "to resume it. "), part);
          else
            g_unlink (part);
          close (t.fd);
          return FALSE;
        }
      _dassie_http_report_transfer (&t, TRUE);

      if (fsync (t.fd) != 0)
        {
          int saved = errno;
          g_unlink (part);
          close (t.fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not write “%s”: %s. Free some space or choose another folder."),
                       part, g_strerror (saved));
          return FALSE;
        }

      if (expected->len == 0)
        {
          *checksum = checksum_file_reporting (part, "md5", s, s->cancellable, error);
          if (*checksum == NULL)
            {
              g_unlink (part);
              close (t.fd);
              return FALSE;
            }
          break;
        }
      if (file_matches (part, expected, s, checksum, &want, &have, s->cancellable, error))
        break;

      /* A part left by an earlier run may belong to another version of the file: once, start over. */
      if (have != NULL && resumed && pass == 0 && ftruncate (t.fd, 0) == 0)
        {
          t.offset = 0;
          t.run_start = 0;
          g_clear_pointer (&t.validator, g_free);
          continue;
        }

      g_unlink (part);
      close (t.fd);
      if (have != NULL)
        set_checksum_error (error, target->file_name, target->url, want, have);
      return FALSE;
    }

  /* Renamed while the lock is held, so that a second download never sees a half-checked file. */
  if (!dassie_rename_into_place (part, path, error))
    {
      close (t.fd);
      return FALSE;
    }
  close (t.fd);
  return TRUE;
}

typedef struct
{
  Session *session;
  guint64  archive_size;
} UnpackClosure;

static void
unpack_progress (const DassieProgress *progress,
                 gpointer              user_data)
{
  UnpackClosure *closure = user_data;
  Session *s = closure->session;
  DassieDownloadProgress p = {
    .base = { .rate = progress->rate, .eta_seconds = progress->eta_seconds, .message = progress->message },
    .stage = DASSIE_DOWNLOAD_STAGE_UNPACK,
    .bytes = progress->fraction >= 0 ? (guint64) (progress->fraction * closure->archive_size) : 0,
    .total = closure->archive_size,
    .attempt = s->attempt,
  };

  if (s->progress != NULL)
    _dassie_http_send (s, &p);
}

static gboolean
unpack (Session               *s,
        DassieDownloadResult  *result,
        const char            *dest_dir,
        gboolean               same_file_as_before,
        GError               **error)
{
  g_autoptr(DassieUnpackPlan) plan = NULL;
  UnpackClosure closure = { .session = s, .archive_size = result->size };

  plan = dassie_unpack_plan_new (result->file_path, dest_dir, s->max_unpacked_bytes, s->cancellable, error);
  if (plan == NULL)
    return FALSE;

  /* A folder made by an earlier unpack of this same file: the rename made it complete. */
  if (same_file_as_before && g_file_test (dassie_unpack_plan_get_target (plan), G_FILE_TEST_IS_DIR))
    {
      result->unpacked_dir = g_strdup (dassie_unpack_plan_get_target (plan));
      result->unpacked_reused = TRUE;
      return TRUE;
    }

  result->unpacked_dir = dassie_unpack_plan_run (plan, unpack_progress, &closure, s->cancellable, error);
  return result->unpacked_dir != NULL;
}

static gboolean
add_expected (GPtrArray   *expected,
              const char  *checksum,
              const char  *file_name,
              GError     **error)
{
  g_autofree char *kind = checksum_kind (checksum);

  for (guint i = 0; i < expected->len; i++)
    {
      const char *other = g_ptr_array_index (expected, i);
      g_autofree char *other_kind = checksum_kind (other);

      if (!g_str_equal (kind, other_kind))
        continue;
      if (g_str_equal (other, checksum))
        return TRUE;
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_CHECKSUM,
                   _("The record lists %s for %s, but %s was expected; nothing was downloaded. "
                     "Check the --md5 or --sha256 value."), checksum, file_name, other);
      return FALSE;
    }
  g_ptr_array_add (expected, g_strdup (checksum));
  return TRUE;
}

static gboolean
present_and_matching (Session     *s,
                      const char  *path,
                      GPtrArray   *expected,
                      char       **checksum,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (expected->len == 0 || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  if (file_matches (path, expected, s, checksum, NULL, NULL, s->cancellable, &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

DassieDownloadResult *
dassie_download_run (const DassieConfig          *config,
                     const char                  *source,
                     const char                  *dest_dir,
                     const char                  *expected_checksum,
                     DassieDownloadFlags          flags,
                     DassieProgressFunc           progress,
                     gpointer                     progress_data,
                     GCancellable                *cancellable,
                     GError                     **error)
{
  g_autoptr(Session) s = NULL;
  g_autoptr(DassieDownloadResult) result = NULL;
  g_autoptr(DassieDownloadTarget) target = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *previous = NULL;
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (dest_dir != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (!dassie_download_parse_source (source, NULL, NULL, &file_name, error))
    return NULL;
  expected = g_ptr_array_new_with_free_func (g_free);
  if (expected_checksum != NULL)
    {
      g_autofree char *normal = dassie_download_normalize_checksum (expected_checksum, error);

      if (normal == NULL)
        return NULL;
      g_ptr_array_add (expected, g_steal_pointer (&normal));
    }

  dest = g_canonicalize_filename (dest_dir, NULL);
  if (g_mkdir_with_parents (dest, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the folder “%s”: %s. Choose a folder you can write to."),
                   dest, g_strerror (saved));
      return NULL;
    }

  s = _dassie_http_session_new (config, progress, progress_data, cancellable);
  result = g_new0 (DassieDownloadResult, 1);
  result->file_path = g_build_filename (dest, file_name, NULL);

  /* With the checksum known beforehand, a file already here needs no network at all. */
  result->reused = present_and_matching (s, result->file_path, expected, &checksum, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!result->reused)
    {
      target = resolve_with_session (s, source, error);
      if (target == NULL)
        return NULL;
      if (target->checksum != NULL && !add_expected (expected, target->checksum, file_name, error))
        return NULL;

      result->reused = present_and_matching (s, result->file_path, expected, &checksum, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!result->reused)
        {
          /* Without a checksum to trust, the file is fetched again; if it turns out the same,
           * the folder unpacked from it before is kept. */
          if (expected->len == 0 && g_file_test (result->file_path, G_FILE_TEST_IS_REGULAR))
            previous = checksum_file_reporting (result->file_path, "md5", s, s->cancellable, NULL);
          if (!download_to (s, target, result->file_path, expected, &checksum, error))
            return NULL;
          result->url = g_strdup (target->url);
        }
    }

  result->checksum = g_steal_pointer (&checksum);
  /* Reaching here with an expected checksum means the file matched it; without one, nothing did. */
  result->verified = expected->len > 0;
  if (g_stat (result->file_path, &st) == 0)
    result->size = st.st_size;

  if ((flags & DASSIE_DOWNLOAD_FLAGS_NO_UNPACK) == 0 && dassie_unpack_is_archive (file_name) &&
      !unpack (s, result, dest, result->reused || g_strcmp0 (previous, result->checksum) == 0, error))
    return NULL;

  return g_steal_pointer (&result);
}
