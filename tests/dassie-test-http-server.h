/* dassie-test-http-server.h: a small HTTP/1.1 server on 127.0.0.1 with scripted answers and faults
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _DassieTestHttpServer DassieTestHttpServer;

/* One scripted answer. Fill the fields after dassie_test_http_response_new_*(); the server takes it. */
typedef struct
{
  guint    status;          /* 200 serves @body (206 for a Range request unless @ignore_range) */
  char    *location;        /* for 3xx */
  GBytes  *body;
  char    *content_type;
  char    *extra_headers;   /* "Name: value\r\n..." added as they are */
  gboolean ignore_range;    /* answer 200 with the whole body even to a Range request */
  gssize   drop_after;      /* close the connection after this many body bytes (-1: never) */
  gssize   stall_after;     /* after this many body bytes, send nothing for @stall_ms */
  guint    stall_ms;
  gsize    chunk_size;      /* send the body in chunks of this size ... */
  guint    chunk_delay_ms;  /* ... with this pause between them (0: as fast as possible) */
} DassieTestHttpResponse;

/* What the server saw, in order. */
typedef struct
{
  char *method;
  char *path;   /* without the query */
  char *query;  /* or NULL */
  char *range;  /* the Range header, or NULL */
} DassieTestHttpRequest;

DassieTestHttpResponse *dassie_test_http_response_new_bytes    (GBytes       *body,
                                                                const char   *content_type);
DassieTestHttpResponse *dassie_test_http_response_new_text     (const char   *text,
                                                                const char   *content_type);
DassieTestHttpResponse *dassie_test_http_response_new_status   (guint         status);
DassieTestHttpResponse *dassie_test_http_response_new_redirect (guint         status,
                                                                const char   *location);
void                    dassie_test_http_response_free         (DassieTestHttpResponse *response);

/* Starts listening on 127.0.0.1 at a free port, serving from its own threads. */
DassieTestHttpServer   *dassie_test_http_server_new            (void);
/* "http://127.0.0.1:PORT" */
const char             *dassie_test_http_server_get_url        (DassieTestHttpServer   *server);
/* The answer to every request for @path (the query is ignored), unless one is queued. */
void                    dassie_test_http_server_set            (DassieTestHttpServer   *server,
                                                                const char             *path,
                                                                DassieTestHttpResponse *response);
/* An answer for the next request for @path only; several are used in order. */
void                    dassie_test_http_server_queue          (DassieTestHttpServer   *server,
                                                                const char             *path,
                                                                DassieTestHttpResponse *response);
/* Copies of the requests seen so far (DassieTestHttpRequest*). */
GPtrArray              *dassie_test_http_server_get_requests   (DassieTestHttpServer   *server);
guint                   dassie_test_http_server_count          (DassieTestHttpServer   *server,
                                                                const char             *path);
/* Stops, waiting for every connection to end (pauses are cut short). */
void                    dassie_test_http_server_free           (DassieTestHttpServer   *server);
void                    dassie_test_http_request_free          (DassieTestHttpRequest  *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieTestHttpServer, dassie_test_http_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieTestHttpResponse, dassie_test_http_response_free)

G_END_DECLS
