/* dassie-test-http-server.c: a small HTTP/1.1 server on 127.0.0.1 with scripted answers and faults
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "dassie-test-http-server.h"

typedef struct
{
  GQueue                  queued;
  DassieTestHttpResponse *always;
} Route;

struct _DassieTestHttpServer
{
  GMutex          mutex;
  GCond           cond;
  GHashTable     *routes;    /* path -> Route */
  GPtrArray      *requests;  /* DassieTestHttpRequest */
  gboolean        stopping;
  guint           active;
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  char           *url;
};

static DassieTestHttpResponse *
response_new (guint status)
{
  DassieTestHttpResponse *response = g_new0 (DassieTestHttpResponse, 1);

  response->status = status;
  response->drop_after = -1;
  response->stall_after = -1;
  return response;
}

DassieTestHttpResponse *
dassie_test_http_response_new_bytes (GBytes     *body,
                                     const char *content_type)
{
  DassieTestHttpResponse *response = response_new (200);

  response->body = g_bytes_ref (body);
  response->content_type = g_strdup (content_type);
  return response;
}

DassieTestHttpResponse *
dassie_test_http_response_new_text (const char *text,
                                    const char *content_type)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return dassie_test_http_response_new_bytes (body, content_type);
}

DassieTestHttpResponse *
dassie_test_http_response_new_status (guint status)
{
  DassieTestHttpResponse *response = response_new (status);
  g_autofree char *text = g_strdup_printf ("status %u\n", status);

  response->body = g_bytes_new (text, strlen (text));
  response->content_type = g_strdup ("text/plain");
  return response;
}

DassieTestHttpResponse *
dassie_test_http_response_new_redirect (guint       status,
                                        const char *location)
{
  DassieTestHttpResponse *response = response_new (status);

  response->location = g_strdup (location);
  return response;
}

static DassieTestHttpResponse *
response_copy (const DassieTestHttpResponse *response)
{
  DassieTestHttpResponse *copy = g_memdup2 (response, sizeof *response);

  copy->location = g_strdup (response->location);
  copy->body = response->body ? g_bytes_ref (response->body) : NULL;
  copy->content_type = g_strdup (response->content_type);
  copy->extra_headers = g_strdup (response->extra_headers);
  return copy;
}

void
dassie_test_http_response_free (DassieTestHttpResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->location);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->content_type);
  g_free (response->extra_headers);
  g_free (response);
}

void
dassie_test_http_request_free (DassieTestHttpRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_free (request->range);
  g_free (request);
}

static void
route_free (Route *route)
{
  g_queue_clear_full (&route->queued, (GDestroyNotify) dassie_test_http_response_free);
  dassie_test_http_response_free (route->always);
  g_free (route);
}

static Route *
get_route (DassieTestHttpServer *self,
           const char           *path)
{
  Route *route = g_hash_table_lookup (self->routes, path);

  if (route == NULL)
    {
      route = g_new0 (Route, 1);
      g_queue_init (&route->queued);
      g_hash_table_insert (self->routes, g_strdup (path), route);
    }
  return route;
}

/* Waits @ms milliseconds unless the server stops first; FALSE when it is stopping. */
static gboolean
pause_ms (DassieTestHttpServer *self,
          guint                 ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  gboolean stopping;

  g_mutex_lock (&self->mutex);
  while (!self->stopping && g_cond_wait_until (&self->cond, &self->mutex, deadline))
    ;
  stopping = self->stopping;
  g_mutex_unlock (&self->mutex);
  return !stopping;
}

static const char *
reason_phrase (guint status)
{
  switch (status)
    {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 307: return "Temporary Redirect";
    case 404: return "Not Found";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default:  return "Status";
    }
}

static void
send_response (DassieTestHttpServer         *self,
               GOutputStream                *out,
               const DassieTestHttpResponse *response,
               const char                   *range)
{
  g_autoptr(GString) head = g_string_new (NULL);
  const guint8 *data = NULL;
  gsize size = 0;
  guint64 start = 0;
  guint64 end = 0;
  guint status = response->status;
  gsize length;
  gsize sent = 0;
  gboolean stalled = FALSE;

  if (response->body != NULL)
    data = g_bytes_get_data (response->body, &size);
  end = size > 0 ? size - 1 : 0;

  if (status == 200 && range != NULL && !response->ignore_range &&
      sscanf (range, "bytes=%" G_GUINT64_FORMAT "-", &start) == 1)
    {
      guint64 last;

      if (sscanf (range, "bytes=%*u-%" G_GUINT64_FORMAT, &last) == 1 && last < end)
        end = last;
      status = start < size ? 206 : 416;
    }

  length = status == 416 || size == 0 ? 0 : end + 1 - start;
  g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status, reason_phrase (status));
  g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n", length);
  g_string_append (head, "Connection: close\r\n");
  if (!response->ignore_range && response->status == 200)
    g_string_append (head, "Accept-Ranges: bytes\r\n");
  if (response->content_type != NULL)
    g_string_append_printf (head, "Content-Type: %s\r\n", response->content_type);
  if (response->location != NULL)
    g_string_append_printf (head, "Location: %s\r\n", response->location);
  if (status == 206)
    g_string_append_printf (head, "Content-Range: bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                            "/%" G_GSIZE_FORMAT "\r\n", start, end, size);
  if (status == 416)
    g_string_append_printf (head, "Content-Range: bytes */%" G_GSIZE_FORMAT "\r\n", size);
  if (response->extra_headers != NULL)
    g_string_append (head, response->extra_headers);
  g_string_append (head, "\r\n");

  if (!g_output_stream_write_all (out, head->str, head->len, NULL, NULL, NULL))
    return;

  while (sent < length)
    {
      gsize n = length - sent;

      if (response->chunk_size > 0)
        n = MIN (n, response->chunk_size);
      if (response->drop_after >= 0)
        {
          if (sent >= (gsize) response->drop_after)
            return;
          n = MIN (n, response->drop_after - sent);
        }
      if (response->stall_after >= 0 && !stalled)
        {
          if (sent >= (gsize) response->stall_after)
            {
              stalled = TRUE;
              if (!pause_ms (self, response->stall_ms))
                return;
              continue;
            }
          n = MIN (n, response->stall_after - sent);
        }
      if (!g_output_stream_write_all (out, data + start + sent, n, NULL, NULL, NULL))
        return;
      sent += n;
      if (response->chunk_delay_ms > 0 && sent < length && !pause_ms (self, response->chunk_delay_ms))
        return;
    }
}

static void
handle_connection (DassieTestHttpServer *self,
                   GSocketConnection    *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (in);
  g_autoptr(DassieTestHttpResponse) response = NULL;
  g_autofree char *request_line = NULL;
  g_auto(GStrv) parts = NULL;
  DassieTestHttpRequest *request;
  Route *route;
  char *question;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  g_data_input_stream_set_newline_type (lines, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);

  request_line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);
  if (request_line == NULL)
    return;
  parts = g_strsplit (request_line, " ", 3);
  if (g_strv_length (parts) < 2)
    return;

  request = g_new0 (DassieTestHttpRequest, 1);
  request->method = g_strdup (parts[0]);
  question = strchr (parts[1], '?');
  request->path = question ? g_strndup (parts[1], question - parts[1]) : g_strdup (parts[1]);
  request->query = question ? g_strdup (question + 1) : NULL;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);

      if (line == NULL || line[0] == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Range:", 6) == 0)
        request->range = g_strstrip (g_strdup (line + 6));
    }

  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->requests, request);
  route = g_hash_table_lookup (self->routes, request->path);
  if (route != NULL && !g_queue_is_empty (&route->queued))
    response = g_queue_pop_head (&route->queued);
  else if (route != NULL && route->always != NULL)
    response = response_copy (route->always);
  else
    response = dassie_test_http_response_new_status (404);
  g_mutex_unlock (&self->mutex);

  send_response (self, out, response, request->range);
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source_object,
        gpointer                user_data)
{
  DassieTestHttpServer *self = user_data;

  handle_connection (self, connection);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  g_mutex_lock (&self->mutex);
  self->active--;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

/* Counted on the accepting thread, so that stopping waits for connections not yet handled. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  DassieTestHttpServer *self = user_data;

  g_mutex_lock (&self->mutex);
  self->active++;
  g_mutex_unlock (&self->mutex);
  return FALSE;
}

static gpointer
server_thread (gpointer data)
{
  DassieTestHttpServer *self = data;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  service = g_threaded_socket_service_new (16);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);
  g_signal_connect (service, "run", G_CALLBACK (on_run), self);
  g_socket_service_start (service);

  g_mutex_lock (&self->mutex);
  self->url = g_strdup_printf ("http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_main_loop_run (self->loop);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

DassieTestHttpServer *
dassie_test_http_server_new (void)
{
  DassieTestHttpServer *self = g_new0 (DassieTestHttpServer, 1);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) route_free);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) dassie_test_http_request_free);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("test-http-server", server_thread, self);

  g_mutex_lock (&self->mutex);
  while (self->url == NULL)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
  return self;
}

const char *
dassie_test_http_server_get_url (DassieTestHttpServer *server)
{
  return server->url;
}

void
dassie_test_http_server_set (DassieTestHttpServer   *server,
                             const char             *path,
                             DassieTestHttpResponse *response)
{
  Route *route;

  g_mutex_lock (&server->mutex);
  route = get_route (server, path);
  dassie_test_http_response_free (route->always);
  route->always = response;
  g_mutex_unlock (&server->mutex);
}

void
dassie_test_http_server_queue (DassieTestHttpServer   *server,
                               const char             *path,
                               DassieTestHttpResponse *response)
{
  g_mutex_lock (&server->mutex);
  g_queue_push_tail (&get_route (server, path)->queued, response);
  g_mutex_unlock (&server->mutex);
}

static DassieTestHttpRequest *
request_copy (const DassieTestHttpRequest *request)
{
  DassieTestHttpRequest *copy = g_new0 (DassieTestHttpRequest, 1);

  copy->method = g_strdup (request->method);
  copy->path = g_strdup (request->path);
  copy->query = g_strdup (request->query);
  copy->range = g_strdup (request->range);
  return copy;
}

GPtrArray *
dassie_test_http_server_get_requests (DassieTestHttpServer *server)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) dassie_test_http_request_free);

  g_mutex_lock (&server->mutex);
  for (guint i = 0; i < server->requests->len; i++)
    g_ptr_array_add (copy, request_copy (g_ptr_array_index (server->requests, i)));
  g_mutex_unlock (&server->mutex);
  return copy;
}

guint
dassie_test_http_server_count (DassieTestHttpServer *server,
                               const char           *path)
{
  guint count = 0;

  g_mutex_lock (&server->mutex);
  for (guint i = 0; i < server->requests->len; i++)
    count += g_str_equal (((DassieTestHttpRequest *) g_ptr_array_index (server->requests, i))->path, path);
  g_mutex_unlock (&server->mutex);
  return count;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
dassie_test_http_server_free (DassieTestHttpServer *server)
{
  if (server == NULL)
    return;

  g_mutex_lock (&server->mutex);
  server->stopping = TRUE;
  g_cond_broadcast (&server->cond);
  while (server->active > 0)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);

  /* Quit from inside the loop: a quit before the thread reached g_main_loop_run would be lost and
   * the join would wait for ever (seen on a loaded machine, where a server made and freed at once
   * had its thread still on its way into the loop). */
  g_main_context_invoke (server->context, quit_loop, server->loop);
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_hash_table_unref (server->routes);
  g_ptr_array_unref (server->requests);
  g_free (server->url);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}
