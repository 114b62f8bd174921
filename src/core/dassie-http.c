/* dassie-http.c: the download's HTTP session: libcurl GETs with redirects, retries, backoff and resume
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "dassie-http.h"

#define MEMORY_LIMIT (16 * 1024 * 1024)  /* a record's JSON; anything larger is not one */
#define REPORT_INTERVAL_USEC (G_USEC_PER_SEC / 10)
#define USER_AGENT "Dassie/" PACKAGE_VERSION

typedef enum
{
  OUTCOME_DONE,
  OUTCOME_REDIRECT,
  OUTCOME_RETRY,
  OUTCOME_FAIL,
} Outcome;

/* Addresses */

gboolean
_dassie_http_is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Progress */

void
_dassie_http_send (Session                *s,
                   DassieDownloadProgress *p)
{
  static const char *stage_names[] = { "resolve", "download", "verify", "unpack" };

  p->base.stage = stage_names[p->stage];
  p->base.fraction = p->total > 0 ? MIN (1.0, (double) p->bytes / p->total) : -1;
  s->progress (&p->base, s->progress_data);
}

void
_dassie_http_report (Session             *s,
                     DassieDownloadStage  stage,
                     guint64              bytes,
                     guint64              total,
                     const char          *message,
                     gboolean             force)
{
  DassieDownloadProgress progress = {
    .base = { .rate = -1, .eta_seconds = -1, .message = message },
    .stage = stage, .bytes = bytes, .total = total, .attempt = s->attempt,
  };
  gint64 now = g_get_monotonic_time ();

  if (s->progress == NULL || (!force && now - s->last_report < REPORT_INTERVAL_USEC))
    return;
  s->last_report = now;
  _dassie_http_send (s, &progress);
}

void
_dassie_http_report_transfer (Transfer *t,
                              gboolean  force)
{
  Session *s = t->session;
  DassieDownloadProgress progress = {
    .base = { .rate = -1, .eta_seconds = -1 }, .stage = DASSIE_DOWNLOAD_STAGE_DOWNLOAD,
  };
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
  dassie_eta_update (&s->eta, progress.bytes - t->run_start, dltotal, &progress.base.rate,
                     &progress.base.eta_seconds);
  if (progress.total == 0)
    progress.base.eta_seconds = -1;

  done_text = g_format_size (progress.bytes);
  total_text = progress.total > 0 ? g_format_size (progress.total) : g_strdup ("?");
  if (progress.base.rate > 0)
    {
      rate_text = g_format_size ((guint64) progress.base.rate);
      /* Translators: "file.zip: 12.3 MB of 45.6 MB, 3.2 MB/s" */
      message = g_strdup_printf (_("%s: %s of %s, %s/s"), t->label, done_text, total_text, rate_text);
    }
  else
    message = g_strdup_printf (_("%s: %s of %s"), t->label, done_text, total_text);
  progress.base.message = message;
  _dassie_http_send (s, &progress);
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
    _dassie_http_report_transfer (t, FALSE);
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
  if (!_dassie_http_is_loopback_host (g_uri_get_host (uri)))
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

gboolean
_dassie_http_get (Transfer     *t,
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
      _dassie_http_report (s, t->fd >= 0 ? DASSIE_DOWNLOAD_STAGE_DOWNLOAD : DASSIE_DOWNLOAD_STAGE_RESOLVE,
                      t->offset, t->expected_size, message, TRUE);
      if (!sleep_cancellable (delay, s->cancellable, error))
        return FALSE;
      g_clear_error (&previous_error);
      previous_error = g_steal_pointer (&attempt_error);
    }
}

/* Session */

void
_dassie_http_session_free (Session *s)
{
  if (s == NULL)
    return;
  g_clear_pointer (&s->curl, curl_easy_cleanup);
  g_clear_object (&s->cancellable);
  g_free (s->resolver);
  g_free (s->zenodo_api);
  g_free (s);
}

static char *
strip_trailing_slashes (const char *url)
{
  char *copy = g_strdup (url);
  gsize n = strlen (copy);

  while (n > 0 && copy[n - 1] == '/')
    copy[--n] = '\0';
  return copy;
}

Session *
_dassie_http_session_new (const DassieConfig          *config,
                          DassieProgressFunc           progress,
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

void
_dassie_http_transfer_clear (Transfer *t)
{
  g_clear_pointer (&t->memory, g_byte_array_unref);
  g_clear_pointer (&t->validator, g_free);
  g_clear_pointer (&t->etag, g_free);
  g_clear_pointer (&t->last_modified, g_free);
}
