/* dassie-download.c: DOI and Zenodo resolution, resumable verified downloads, safe unpacking
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <curl/curl.h>
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
#include "dassie-progress.h"
#include "dassie-unpack.h"

#define MEMORY_LIMIT (16 * 1024 * 1024)  /* a record's JSON; anything larger is not one */
#define HASH_BLOCK (256 * 1024)
#define REPORT_INTERVAL_USEC (G_USEC_PER_SEC / 10)
#define PART_SUFFIX ".part"
#define USER_AGENT "Dassie/" PACKAGE_VERSION

G_DEFINE_QUARK (dassie-download-error-quark, dassie_download_error)

/* One download: the configuration it runs on, its curl handle and where progress goes. */
typedef struct
{
  CURL                       *curl;
  GCancellable               *cancellable;
  DassieDownloadProgressFunc  progress;
  gpointer                    progress_data;
  char                       *resolver;
  char                       *zenodo_api;
  guint                       max_redirects;
  guint                       retries;
  double                      backoff;
  double                      backoff_max;
  long                        stall_timeout;
  guint64                     max_unpacked_bytes;
  guint                       attempt;
  gboolean                    left_loopback;  /* a request went to another computer */
  DassieEta                   eta;
  gint64                      last_report;
} Session;

/* One GET, possibly retried and redirected: where the body goes and what the responses said. */
typedef struct
{
  Session    *session;
  const char *label;           /* the file name for progress messages */
  int         fd;              /* the .part file, or -1 to keep the body in memory */
  gboolean    accept_json;     /* ask for JSON (the record API; never the DOI resolver) */
  GByteArray *memory;
  guint64     offset;          /* bytes already in the file: where the Range starts */
  guint64     response_start;  /* where the body of the current response goes in the file */
  guint64     run_start;       /* bytes that were there before this run (for the rate) */
  guint64     expected_size;   /* from the record, when the server sends no length */
  char       *validator;       /* ETag or Last-Modified of the first answer, sent as If-Range */

  /* The response being received. */
  long        status;
  gboolean    body_started;
  guint64     received;
  gint64      range_start;
  gint64      range_total;
  double      retry_after;
  char       *etag;
  char       *last_modified;
  int         write_errno;
  gboolean    range_mismatch;
  gboolean    too_large;
  gboolean    stalled;
  gint64      last_activity;   /* when bytes last arrived (or the request started) */
  curl_off_t  last_dlnow;
} Transfer;

typedef enum
{
  OUTCOME_DONE,
  OUTCOME_REDIRECT,
  OUTCOME_RETRY,
  OUTCOME_FAIL,
} Outcome;

typedef enum
{
  HOP_FETCH,
  HOP_STOP,
  HOP_REFUSE,
} HopDecision;

typedef HopDecision (*HopFunc) (Session     *session,
                                const char  *url,
                                gpointer     data,
                                GError     **error);

/* Addresses and names */

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

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
      if (is_loopback_host (g_uri_get_host (uri)))
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

static void session_report (Session             *s,
                            DassieDownloadStage  stage,
                            guint64              bytes,
                            guint64              total,
                            const char          *message,
                            gboolean             force);

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
    session_report (session, DASSIE_DOWNLOAD_STAGE_VERIFY, 0, st.st_size, message, TRUE);
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
        session_report (session, DASSIE_DOWNLOAD_STAGE_VERIFY, done, st.st_size, message, FALSE);
    }
  close (fd);
  if (session != NULL)
    session_report (session, DASSIE_DOWNLOAD_STAGE_VERIFY, done, st.st_size, message, TRUE);

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

/* Progress */

static void
session_report (Session             *s,
                DassieDownloadStage  stage,
                guint64              bytes,
                guint64              total,
                const char          *message,
                gboolean             force)
{
  DassieDownloadProgress progress = {
    .stage = stage, .bytes = bytes, .total = total, .rate = -1, .eta_seconds = -1,
    .attempt = s->attempt, .message = message,
  };
  gint64 now = g_get_monotonic_time ();

  if (s->progress == NULL || (!force && now - s->last_report < REPORT_INTERVAL_USEC))
    return;
  s->last_report = now;
  s->progress (&progress, s->progress_data);
}

static void
report_transfer (Transfer *t,
                 gboolean  force)
{
  Session *s = t->session;
  DassieDownloadProgress progress = { .stage = DASSIE_DOWNLOAD_STAGE_DOWNLOAD, .rate = -1, .eta_seconds = -1 };
  gint64 now = g_get_monotonic_time ();
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *message = NULL;
  double dltotal = 0;
  curl_off_t length = -1;

  if (s->progress == NULL || (!force && now - s->last_report < REPORT_INTERVAL_USEC))
    return;
  s->last_report = now;

  progress.attempt = s->attempt;
  progress.bytes = t->offset + t->received;
  if (t->body_started && t->status / 100 == 2 &&
      curl_easy_getinfo (s->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK && length >= 0)
    progress.total = t->response_start + length;
  else
    progress.total = t->expected_size;
  t->run_start = MIN (t->run_start, t->offset);
  if (progress.total > 0)
    dltotal = progress.total - t->run_start;
  dassie_eta_update (&s->eta, progress.bytes - t->run_start, dltotal, &progress.rate, &progress.eta_seconds);
  if (progress.total == 0)
    progress.eta_seconds = -1;

  done_text = g_format_size (progress.bytes);
  total_text = progress.total > 0 ? g_format_size (progress.total) : g_strdup ("?");
  if (progress.rate > 0)
    {
      rate_text = g_format_size ((guint64) progress.rate);
      /* Translators: "file.zip: 12.3 MB of 45.6 MB, 3.2 MB/s" */
      message = g_strdup_printf (_("%s: %s of %s, %s/s"), t->label, done_text, total_text, rate_text);
    }
  else
    message = g_strdup_printf (_("%s: %s of %s"), t->label, done_text, total_text);
  progress.message = message;
  s->progress (&progress, s->progress_data);
}

/* libcurl callbacks */

static void
reset_response (Transfer *t)
{
  t->status = 0;
  t->body_started = FALSE;
  t->received = 0;
  t->range_start = -1;
  t->range_total = -1;
  t->retry_after = -1;
  t->write_errno = 0;
  t->range_mismatch = FALSE;
  t->too_large = FALSE;
  g_clear_pointer (&t->etag, g_free);
  g_clear_pointer (&t->last_modified, g_free);
  if (t->memory != NULL)
    g_byte_array_set_size (t->memory, 0);
}

static size_t
header_cb (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *user_data)
{
  Transfer *t = user_data;
  gsize length = size * nitems;
  g_autofree char *line = g_strndup (buffer, length);
  char *colon;
  char *value;

  g_strchomp (line);
  if (g_str_has_prefix (line, "HTTP/"))
    {
      reset_response (t);
      return length;
    }
  colon = strchr (line, ':');
  if (colon == NULL)
    return length;
  *colon = '\0';
  value = g_strstrip (colon + 1);

  if (g_ascii_strcasecmp (line, "Content-Range") == 0)
    {
      guint64 start, end, total;

      if (sscanf (value, "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                  &start, &end, &total) == 3)
        {
          t->range_start = start;
          t->range_total = total;
        }
      else if (sscanf (value, "bytes */%" G_GUINT64_FORMAT, &total) == 1)
        t->range_total = total;
    }
  else if (g_ascii_strcasecmp (line, "ETag") == 0 && !g_str_has_prefix (value, "W/"))
    {
      g_free (t->etag);
      t->etag = g_strdup (value);
    }
  else if (g_ascii_strcasecmp (line, "Last-Modified") == 0)
    {
      g_free (t->last_modified);
      t->last_modified = g_strdup (value);
    }
  else if (g_ascii_strcasecmp (line, "Retry-After") == 0 && g_ascii_isdigit (value[0]))
    t->retry_after = g_ascii_strtod (value, NULL);

  return length;
}

static gboolean
write_all_at (int           fd,
              const char   *data,
              gsize         length,
              guint64       position)
{
  while (length > 0)
    {
      ssize_t n = pwrite (fd, data, length, position);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = ENOSPC;
          return FALSE;
        }
      data += n;
      length -= n;
      position += n;
    }
  return TRUE;
}

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Transfer *t = user_data;
  gsize length = size * nmemb;

  if (!t->body_started)
    {
      t->body_started = TRUE;
      curl_easy_getinfo (t->session->curl, CURLINFO_RESPONSE_CODE, &t->status);
      if (t->fd >= 0 && t->status == 200 && t->offset > 0)
        {
          /* The server sends the whole file instead of the rest: start over. */
          if (ftruncate (t->fd, 0) != 0)
            {
              t->write_errno = errno;
              return 0;
            }
          t->offset = 0;
          t->response_start = 0;
        }
      if (t->fd >= 0 && t->status == 206 && t->range_start != (gint64) t->offset)
        {
          t->range_mismatch = TRUE;
          return 0;
        }
    }

  /* Error pages and redirect bodies are not the file. */
  if (t->status / 100 != 2)
    return length;

  if (t->fd >= 0)
    {
      if (!write_all_at (t->fd, data, length, t->offset + t->received))
        {
          t->write_errno = errno;
          return 0;
        }
    }
  else
    {
      if (t->memory->len + length > MEMORY_LIMIT)
        {
          t->too_large = TRUE;
          return 0;
        }
      g_byte_array_append (t->memory, (const guint8 *) data, length);
    }
  t->received += length;
  return length;
}

static int
xferinfo_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  Transfer *t = user_data;
  gint64 now = g_get_monotonic_time ();

  if (g_cancellable_is_cancelled (t->session->cancellable))
    return 1;
  /* libcurl's own low-speed check averages over several seconds; this one acts on the timeout. */
  if (dlnow != t->last_dlnow)
    {
      t->last_dlnow = dlnow;
      t->last_activity = now;
    }
  else if (now - t->last_activity > t->session->stall_timeout * G_USEC_PER_SEC)
    {
      t->stalled = TRUE;
      return 1;
    }
  if (t->fd >= 0)
    report_transfer (t, FALSE);
  return 0;
}

/* One request */

static gboolean
is_retryable_status (long status)
{
  return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

static void
set_error (GError     **error,
           int          code,
           const char  *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
set_error (GError     **error,
           int          code,
           const char  *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, DASSIE_DOWNLOAD_ERROR, code, message);
}

static Outcome
classify_curl_error (Transfer    *t,
                     const char  *url,
                     CURLcode     code,
                     const char  *detail,
                     GError     **error)
{
  switch (code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      set_error (error, DASSIE_DOWNLOAD_ERROR_NETWORK,
                 _("Could not find the server of %s (%s). Check the internet connection."), url, detail);
      return OUTCOME_FAIL;

    case CURLE_OPERATION_TIMEDOUT:
      set_error (error, DASSIE_DOWNLOAD_ERROR_NETWORK,
                 _("The download from %s stalled for %ld s (download.stall_timeout)."),
                 url, t->session->stall_timeout);
      return OUTCOME_RETRY;

    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      set_error (error, DASSIE_DOWNLOAD_ERROR_NETWORK, _("The connection to %s failed: %s."), url, detail);
      return OUTCOME_RETRY;

    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      set_error (error, DASSIE_DOWNLOAD_ERROR_TLS,
                 _("Could not make a secure connection to %s: %s. Check the computer's date and "
                   "its certificate authorities (the ca-certificates package)."), url, detail);
      return OUTCOME_FAIL;

    default:
      set_error (error, DASSIE_DOWNLOAD_ERROR_HTTP, _("The download from %s failed: %s."), url, detail);
      return OUTCOME_FAIL;
    }
}

/* A 2xx answer that ended cleanly may still be short of what the server (or the record) declared:
 * then the file is not complete and must not be taken for it. */
static Outcome
check_complete (Transfer    *t,
                const char  *url,
                GError     **error)
{
  curl_off_t length = -1;
  guint64 declared = 0;
  g_autofree char *have = NULL;
  g_autofree char *want = NULL;

  if (t->fd < 0)
    return OUTCOME_DONE;

  if (t->status == 206 && t->range_total >= 0)
    declared = t->range_total;
  else if (curl_easy_getinfo (t->session->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
           length >= 0)
    declared = t->response_start + length;
  if (declared > 0 && t->offset < declared)
    {
      have = g_format_size (t->offset);
      want = g_format_size (declared);
      set_error (error, DASSIE_DOWNLOAD_ERROR_NETWORK,
                 _("The download of %s from %s ended after %s of %s."), t->label, url, have, want);
      return OUTCOME_RETRY;
    }

  /* The server says the file is complete, but it is not the size the record lists. */
  if (t->expected_size > 0 && t->offset != t->expected_size)
    {
      have = g_strdup_printf ("%" G_GUINT64_FORMAT, t->offset);
      want = g_strdup_printf ("%" G_GUINT64_FORMAT, t->expected_size);
      set_error (error, DASSIE_DOWNLOAD_ERROR_SIZE,
                 _("The file %s from %s has %s bytes, but its record lists %s bytes; the download "
                   "was deleted. The file on the server may be damaged or being replaced: try again "
                   "later."), t->label, url, have, want);
      return OUTCOME_FAIL;
    }
  return OUTCOME_DONE;
}

static Outcome
perform_once (Transfer     *t,
              const char   *url,
              char        **location,
              GError      **error)
{
  Session *s = t->session;
  CURL *c = s->curl;
  struct curl_slist *headers = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  g_autofree char *range = NULL;
  g_autofree char *if_range = NULL;
  const char *detail;
  CURLcode code;

  curl_easy_reset (c);
  reset_response (t);
  t->response_start = t->offset;
  t->stalled = FALSE;
  t->last_dlnow = 0;
  t->last_activity = g_get_monotonic_time ();

  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (c, CURLOPT_USERAGENT, USER_AGENT);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, s->stall_timeout);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, t);
  curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (c, CURLOPT_HEADERDATA, t);
  curl_easy_setopt (c, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt (c, CURLOPT_XFERINFODATA, t);
  curl_easy_setopt (c, CURLOPT_NOPROGRESS, 0L);

  if (t->accept_json)
    headers = curl_slist_append (headers, "Accept: application/json");
  if (t->fd >= 0 && t->offset > 0)
    {
      range = g_strdup_printf ("%" G_GUINT64_FORMAT "-", t->offset);
      curl_easy_setopt (c, CURLOPT_RANGE, range);
      if (t->validator != NULL)
        {
          if_range = g_strdup_printf ("If-Range: %s", t->validator);
          headers = curl_slist_append (headers, if_range);
        }
    }
  curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);

  code = curl_easy_perform (c);
  curl_slist_free_all (headers);
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &t->status);
  detail = errbuf[0] ? errbuf : curl_easy_strerror (code);

  /* What arrived before a failure stays in the file and is where the next try resumes. */
  if (t->fd >= 0 && t->status / 100 == 2)
    {
      if (t->validator == NULL)
        t->validator = g_strdup (t->etag ? t->etag : t->last_modified);
      t->offset += t->received;
      t->received = 0;
    }

  if (code == CURLE_ABORTED_BY_CALLBACK && t->stalled && !g_cancellable_is_cancelled (s->cancellable))
    code = CURLE_OPERATION_TIMEDOUT;
  if (code == CURLE_ABORTED_BY_CALLBACK || g_cancellable_is_cancelled (s->cancellable))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The download was cancelled."));
      return OUTCOME_FAIL;
    }

  if (code == CURLE_WRITE_ERROR && t->write_errno != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (t->write_errno),
                   _("Could not write the download of %s: %s. Free some space or choose another "
                     "folder."), t->label, g_strerror (t->write_errno));
      return OUTCOME_FAIL;
    }
  if (code == CURLE_WRITE_ERROR && t->range_mismatch)
    {
      /* The server answered another range than the one asked for: fetch the whole file again. */
      if (ftruncate (t->fd, 0) == 0)
        t->offset = 0;
      set_error (error, DASSIE_DOWNLOAD_ERROR_NETWORK,
                 _("The server of %s sent the wrong part of the file."), url);
      return OUTCOME_RETRY;
    }
  if (code == CURLE_WRITE_ERROR && t->too_large)
    {
      set_error (error, DASSIE_DOWNLOAD_ERROR_RESOLVE,
                 _("The answer from %s is larger than a record can be; check the address."), url);
      return OUTCOME_FAIL;
    }
  if (code != CURLE_OK)
    return classify_curl_error (t, url, code, detail, error);

  if (t->status / 100 == 2)
    return check_complete (t, url, error);

  if (t->status == 416 && t->fd >= 0 && t->offset > 0)
    {
      if (t->range_total == (gint64) t->offset)
        return OUTCOME_DONE;
      if (ftruncate (t->fd, 0) == 0)
        t->offset = 0;
      set_error (error, DASSIE_DOWNLOAD_ERROR_NETWORK,
                 _("The server of %s no longer has the part to resume."), url);
      return OUTCOME_RETRY;
    }

  if (t->status / 100 == 3)
    {
      char *target = NULL;

      if (curl_easy_getinfo (c, CURLINFO_REDIRECT_URL, &target) == CURLE_OK && target != NULL)
        {
          *location = g_strdup (target);
          return OUTCOME_REDIRECT;
        }
      set_error (error, DASSIE_DOWNLOAD_ERROR_HTTP,
                 _("%s answered with redirect %ld but no address to go to."), url, t->status);
      return OUTCOME_FAIL;
    }

  if (t->status == 404 || t->status == 410)
    {
      set_error (error, DASSIE_DOWNLOAD_ERROR_NOT_FOUND,
                 _("%s was not found (HTTP %ld). Check the address or DOI and the file name."),
                 url, t->status);
      return OUTCOME_FAIL;
    }

  set_error (error, DASSIE_DOWNLOAD_ERROR_HTTP, _("%s answered with HTTP error %ld."), url, t->status);
  return is_retryable_status (t->status) ? OUTCOME_RETRY : OUTCOME_FAIL;
}

static gboolean
sleep_cancellable (double         seconds,
                   GCancellable  *cancellable,
                   GError       **error)
{
  GPollFD pollfd;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      g_poll (&pollfd, 1, (int) (seconds * 1000));
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong) (seconds * G_USEC_PER_SEC));

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Plain http is for tests on this computer: once a download has gone elsewhere (over https),
 * nothing may lead it back to plain http, even on this computer. */
static gboolean
check_hop (Session     *s,
           const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  if (!dassie_download_check_url (url, error))
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0 && s->left_loopback)
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INSECURE,
                   _("Refusing the unencrypted address “%s” in a download that went over https."), url);
      return FALSE;
    }
  if (!is_loopback_host (g_uri_get_host (uri)))
    s->left_loopback = TRUE;
  return TRUE;
}

/* Sets @error from the last try's @attempt_error; when the try before failed otherwise, its error
 * is said too, since it is often the real cause (a dropped https hop, say). */
static gboolean
fail_after_tries (GError **error,
                  GError **attempt_error,
                  GError  *previous_error)
{
  GError *last = g_steal_pointer (attempt_error);

  if (previous_error != NULL && g_error_matches (last, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    previous_error = NULL;
  if (previous_error != NULL &&
      (last->domain != previous_error->domain || last->code != previous_error->code))
    {
      g_autofree char *old = last->message;

      last->message = g_strdup_printf (_("%s Before that: %s"), old, previous_error->message);
    }
  g_propagate_error (error, last);
  return FALSE;
}

/* GETs @start_url into @t, following redirects (each one checked, and shown to @hop first) and
 * retrying with backoff; a file sink resumes where the last try stopped. */
static gboolean
http_get (Transfer     *t,
          const char   *start_url,
          HopFunc       hop,
          gpointer      hop_data,
          char        **final_url,
          GError      **error)
{
  Session *s = t->session;
  gboolean left_loopback = s->left_loopback;
  g_autoptr(GError) previous_error = NULL;

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) attempt_error = NULL;
      g_autofree char *url = g_strdup (start_url);
      g_autofree char *when = NULL;
      g_autofree char *message = NULL;
      Outcome outcome;
      double delay;

      s->attempt = attempt;
      /* A retry starts again from @start_url, which was fine before the first try went elsewhere. */
      s->left_loopback = left_loopback;
      for (guint hops = 0; ; hops++)
        {
          g_autofree char *location = NULL;

          if (!check_hop (s, url, &attempt_error))
            return fail_after_tries (error, &attempt_error, previous_error);
          if (hop != NULL)
            {
              HopDecision decision = hop (s, url, hop_data, &attempt_error);

              if (decision == HOP_REFUSE)
                return fail_after_tries (error, &attempt_error, previous_error);
              if (decision == HOP_STOP)
                {
                  if (final_url != NULL)
                    *final_url = g_steal_pointer (&url);
                  return TRUE;
                }
            }

          outcome = perform_once (t, url, &location, &attempt_error);
          if (outcome != OUTCOME_REDIRECT)
            break;
          if (hops + 1 > s->max_redirects)
            {
              g_clear_error (&attempt_error);
              g_set_error (&attempt_error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_REDIRECT,
                           _("More than %u redirects, starting from %s; the server may be "
                             "misconfigured. Try again later, or raise download.max_redirects."),
                           s->max_redirects, start_url);
              return fail_after_tries (error, &attempt_error, previous_error);
            }
          g_free (url);
          url = g_steal_pointer (&location);
        }

      if (outcome == OUTCOME_DONE)
        {
          if (final_url != NULL)
            *final_url = g_steal_pointer (&url);
          return TRUE;
        }
      if (outcome == OUTCOME_FAIL || attempt > s->retries)
        {
          if (outcome == OUTCOME_RETRY)
            g_prefix_error (&attempt_error, _("Gave up after %u tries. "), attempt);
          if (outcome == OUTCOME_RETRY && attempt_error->domain == DASSIE_DOWNLOAD_ERROR &&
              attempt_error->code == DASSIE_DOWNLOAD_ERROR_NETWORK)
            {
              g_autofree char *old = attempt_error->message;
              attempt_error->message = g_strconcat (old, " ", _("Check the internet connection and "
                                                                "try again later."), NULL);
            }
          return fail_after_tries (error, &attempt_error, previous_error);
        }

      delay = MIN (s->backoff * pow (2, attempt - 1), s->backoff_max);
      if (t->retry_after >= 0)
        delay = MIN (MAX (delay, t->retry_after), s->backoff_max);
      when = delay < 10 ? g_strdup_printf (_("%.1f s"), delay) : dassie_format_duration (delay);
      message = g_strdup_printf (_("%s Trying again in %s (try %u of %u)."),
                                 attempt_error->message, when, attempt + 1, s->retries + 1);
      g_debug ("%s", message);
      session_report (s, t->fd >= 0 ? DASSIE_DOWNLOAD_STAGE_DOWNLOAD : DASSIE_DOWNLOAD_STAGE_RESOLVE,
                      t->offset, t->expected_size, message, TRUE);
      if (!sleep_cancellable (delay, s->cancellable, error))
        return FALSE;
      g_clear_error (&previous_error);
      previous_error = g_steal_pointer (&attempt_error);
    }
}

/* Session */

static void
session_free (Session *s)
{
  if (s == NULL)
    return;
  g_clear_pointer (&s->curl, curl_easy_cleanup);
  g_clear_object (&s->cancellable);
  g_free (s->resolver);
  g_free (s->zenodo_api);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static char *
strip_trailing_slashes (const char *url)
{
  char *copy = g_strdup (url);
  gsize n = strlen (copy);

  while (n > 0 && copy[n - 1] == '/')
    copy[--n] = '\0';
  return copy;
}

static Session *
session_new (const DassieConfig          *config,
             DassieDownloadProgressFunc   progress,
             gpointer                     progress_data,
             GCancellable                *cancellable)
{
  static gsize curl_ready;
  Session *s = g_new0 (Session, 1);

  if (g_once_init_enter (&curl_ready))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_ready, 1);
    }

  s->curl = curl_easy_init ();
  s->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  s->progress = progress;
  s->progress_data = progress_data;
  s->resolver = strip_trailing_slashes (dassie_config_get_string (config, "download.doi_resolver"));
  s->zenodo_api = strip_trailing_slashes (dassie_config_get_string (config, "download.zenodo_api"));
  s->max_redirects = CLAMP (dassie_config_get_int (config, "download.max_redirects"), 0, 100);
  s->retries = CLAMP (dassie_config_get_int (config, "download.retries"), 0, 100);
  s->backoff = MAX (dassie_config_get_double (config, "download.retry_backoff"), 0);
  s->backoff_max = MAX (dassie_config_get_double (config, "download.retry_backoff_max"), 0);
  s->stall_timeout = CLAMP (dassie_config_get_int (config, "download.stall_timeout"), 1, 24 * 3600);
  s->max_unpacked_bytes = MAX (dassie_config_get_int (config, "download.max_unpacked_bytes"), 0);
  s->attempt = 1;
  dassie_eta_start (&s->eta);
  return s;
}

static void
transfer_clear (Transfer *t)
{
  g_clear_pointer (&t->memory, g_byte_array_unref);
  g_clear_pointer (&t->validator, g_free);
  g_clear_pointer (&t->etag, g_free);
  g_clear_pointer (&t->last_modified, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Transfer, transfer_clear)

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

  session_report (s, DASSIE_DOWNLOAD_STAGE_RESOLVE, 0, 0, message, TRUE);
  if (hop.zenodo_origin == NULL)
    {
      g_set_error (error, DASSIE_DOWNLOAD_ERROR, DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,
                   _("download.zenodo_api “%s” is not a web address."), s->zenodo_api);
      return NULL;
    }
  if (!http_get (&t, start, doi_hop, &hop, &final_url, error))
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
  session_report (s, DASSIE_DOWNLOAD_STAGE_RESOLVE, 0, 0, message, TRUE);
  t.label = record_id;
  t.accept_json = TRUE;
  t.memory = g_byte_array_new ();
  if (!http_get (&t, record_url, NULL, NULL, NULL, error))
    return NULL;

  json = g_bytes_new (t.memory->data, t.memory->len);
  return target_from_record (s, record_id, record_url, file_name, json, error);
}

DassieDownloadTarget *
dassie_download_resolve (const DassieConfig  *config,
                         const char          *source,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(Session) s = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  s = session_new (config, NULL, NULL, cancellable);
  return resolve_with_session (s, source, error);
}

void
dassie_download_target_free (DassieDownloadTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->url);
  g_free (target->file_name);
  g_free (target->checksum);
  g_free (target->record_id);
  g_free (target);
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

      if (!http_get (&t, target->url, NULL, NULL, NULL, error))
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
      report_transfer (&t, TRUE);

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
    .stage = DASSIE_DOWNLOAD_STAGE_UNPACK,
    .bytes = progress->fraction >= 0 ? (guint64) (progress->fraction * closure->archive_size) : 0,
    .total = closure->archive_size,
    .rate = progress->rate,
    .eta_seconds = progress->eta_seconds,
    .attempt = s->attempt,
    .message = progress->message,
  };

  if (s->progress != NULL)
    s->progress (&p, s->progress_data);
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
                     DassieDownloadProgressFunc   progress,
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

  s = session_new (config, progress, progress_data, cancellable);
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

/* Worker thread */

typedef struct
{
  DassieConfig               *config;
  char                       *source;
  char                       *dest_dir;
  char                       *expected_checksum;
  DassieDownloadFlags         flags;
  DassieDownloadProgressFunc  progress;
  gpointer                    progress_data;
  GDestroyNotify              progress_data_destroy;
} RunData;

static void
run_data_free (RunData *data)
{
  dassie_config_free (data->config);
  g_free (data->source);
  g_free (data->dest_dir);
  g_free (data->expected_checksum);
  if (data->progress_data_destroy != NULL)
    data->progress_data_destroy (data->progress_data);
  g_free (data);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RunData *data = task_data;
  GError *error = NULL;
  DassieDownloadResult *result;

  result = dassie_download_run (data->config, data->source, data->dest_dir, data->expected_checksum,
                                data->flags, data->progress, data->progress_data, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) dassie_download_result_free);
}

void
dassie_download_run_async (const DassieConfig          *config,
                           const char                  *source,
                           const char                  *dest_dir,
                           const char                  *expected_checksum,
                           DassieDownloadFlags          flags,
                           DassieDownloadProgressFunc   progress,
                           gpointer                     progress_data,
                           GDestroyNotify               progress_data_destroy,
                           GCancellable                *cancellable,
                           GAsyncReadyCallback          callback,
                           gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *data;

  g_return_if_fail (config != NULL);
  g_return_if_fail (source != NULL);
  g_return_if_fail (dest_dir != NULL);

  data = g_new0 (RunData, 1);
  data->config = dassie_config_copy (config);
  data->source = g_strdup (source);
  data->dest_dir = g_strdup (dest_dir);
  data->expected_checksum = g_strdup (expected_checksum);
  data->flags = flags;
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_data_destroy = progress_data_destroy;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dassie_download_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, run_in_thread);
}

DassieDownloadResult *
dassie_download_run_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dassie_download_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
