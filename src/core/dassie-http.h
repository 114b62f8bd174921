/* dassie-http.h: the download's HTTP session and its GETs with redirects, retries and resume (libcurl)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <curl/curl.h>

#include "dassie-download.h"
#include "dassie-progress.h"

G_BEGIN_DECLS

/* One download: the configuration it runs on, its curl handle and where progress goes. */
typedef struct
{
  CURL                       *curl;
  GCancellable               *cancellable;
  DassieProgressFunc          progress;
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
  HOP_FETCH,
  HOP_STOP,
  HOP_REFUSE,
} HopDecision;

typedef HopDecision (*HopFunc) (Session     *session,
                                const char  *url,
                                gpointer     data,
                                GError     **error);

/* Reads download.* from @config; the session reports to @progress. */
Session  *_dassie_http_session_new      (const DassieConfig          *config,
                                         DassieProgressFunc           progress,
                                         gpointer                     progress_data,
                                         GCancellable                *cancellable);
void      _dassie_http_session_free     (Session                     *s);
void      _dassie_http_transfer_clear   (Transfer                    *t);

/* GETs @start_url into @t, following redirects (each one checked, and shown to @hop first) and
 * retrying with backoff; a file sink resumes where the last try stopped. */
gboolean  _dassie_http_get              (Transfer                    *t,
                                         const char                  *start_url,
                                         HopFunc                      hop,
                                         gpointer                     hop_data,
                                         char                       **final_url,
                                         GError                     **error);

/* Progress at most ten times a second, unless @force. */
void      _dassie_http_report           (Session                     *s,
                                         DassieDownloadStage          stage,
                                         guint64                      bytes,
                                         guint64                      total,
                                         const char                  *message,
                                         gboolean                     force);
/* Fills in @p's stage name and fraction and sends it. */
void      _dassie_http_send             (Session                     *s,
                                         DassieDownloadProgress      *p);
/* The bytes of @t so far, with rate and time left. */
void      _dassie_http_report_transfer  (Transfer                    *t,
                                         gboolean                     force);

/* localhost, 127.0.0.0/8 and ::1. */
gboolean  _dassie_http_is_loopback_host (const char                  *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, _dassie_http_session_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Transfer, _dassie_http_transfer_clear)

G_END_DECLS
