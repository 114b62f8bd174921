/* dassie-cli-search.c: "dassie-cli search": the objects nearest to one object or to a vector
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "dassie-cli-private.h"
#include "dassie-vectors.h"

/* A vector written as numbers separated by spaces, commas or new lines. */
static float *
read_vector (const char  *path,
             guint        dim,
             GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) words = NULL;
  g_autofree float *vector = g_new (float, dim);
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  words = g_strsplit_set (contents, " \t\r\n,;[]", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      char *end = NULL;
      double v;

      if (words[i][0] == 0)
        continue;
      v = g_ascii_strtod (words[i], &end);
      if (end == words[i] || *end != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” in %s is not a number; write the vector as numbers separated by spaces"),
                       words[i], path);
          return NULL;
        }
      if (n < dim)
        vector[n] = (float) v;
      n++;
    }
  if (n != dim)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s holds %u numbers but the latent vectors have %u"), path, n, dim);
      return NULL;
    }
  return g_steal_pointer (&vector);
}

int
_dassie_cli_search (DassieCliContext  *ctx,
                    int                argc,
                    char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) summary = json_builder_new ();
  g_autoptr(DassieVectors) store = NULL;
  g_autoptr(DassieNeighbors) found = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *vector_file = NULL;
  g_autofree char *metric_name = NULL;
  g_autofree float *vector = NULL;
  DassieMetric metric;
  int k = 0;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("An infer run folder or its latents.fits (default: the newest infer run)"), N_("RUN_OR_FILE") },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("The object whose neighbours to list (itself left out)"), N_("ID") },
    { "vector", 0, 0, G_OPTION_ARG_FILENAME, &vector_file, N_("A file with a latent vector (numbers separated by spaces)"), N_("FILE") },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, N_("How many neighbours (default scores.k)"), "K" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric_name, N_("sqeuclidean, euclidean or cosine (scores.metric)"), N_("METRIC") },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("List the objects nearest to an object (--id) or to a vector (--vector) with their distances. "
      "Writes nothing."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1 || (id == NULL) == (vector_file == NULL))
    {
      g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli search (--id ID | --vector FILE) [-k K] [OPTIONS…]"));
      return 2;
    }
  if (k < 0)
    {
      g_printerr ("dassie-cli: %s\n", _("-k must be positive"));
      return 2;
    }
  if (k == 0)
    k = (int) CLAMP (dassie_config_get_int (ctx->config, "scores.k"), 1, G_MAXINT);
  if (metric_name == NULL)
    metric_name = g_strdup (dassie_config_get_string (ctx->config, "scores.metric"));
  if (!dassie_metric_from_string (metric_name, &metric))
    {
      g_printerr ("dassie-cli: %s “%s”; %s\n", _("Unknown metric"), metric_name,
                  _("use sqeuclidean, euclidean or cosine"));
      return 2;
    }

  path = dassie_vectors_find_latents (ctx->config, ctx->input, &error);
  if (path == NULL)
    return _dassie_cli_fail (error);
  store = dassie_vectors_load (path, &error);
  if (store == NULL)
    return _dassie_cli_fail (error);

  if (id != NULL)
    found = dassie_vectors_search_id (store, id, (guint) k, metric, &error);
  else
    {
      vector = read_vector (vector_file, dassie_vectors_get_dim (store), &error);
      if (vector != NULL)
        found = dassie_vectors_search (store, vector, 1, NULL, (guint) k, metric, 1, NULL, ctx->cancellable, &error);
    }
  if (found == NULL)
    return _dassie_cli_fail (error);

  json_builder_begin_object (summary);
  json_builder_set_member_name (summary, "input");
  json_builder_add_string_value (summary, path);
  json_builder_set_member_name (summary, id != NULL ? "id" : "vector");
  json_builder_add_string_value (summary, id != NULL ? id : vector_file);
  json_builder_set_member_name (summary, "metric");
  json_builder_add_string_value (summary, dassie_metric_to_string (metric));
  json_builder_set_member_name (summary, "neighbors");
  json_builder_begin_array (summary);
  for (guint c = 0; c < found->k; c++)
    {
      json_builder_begin_object (summary);
      json_builder_set_member_name (summary, "id");
      json_builder_add_string_value (summary, dassie_vectors_get_id (store, found->indices[c]));
      json_builder_set_member_name (summary, "distance");
      json_builder_add_double_value (summary, found->distances[c]);
      json_builder_end_object (summary);
    }
  json_builder_end_array (summary);
  json_builder_end_object (summary);

  if (ctx->json)
    _dassie_cli_print_result (ctx, NULL, summary);
  else
    for (guint c = 0; c < found->k; c++)
      g_print ("%u\t%s\t%.9g\n", c + 1, dassie_vectors_get_id (store, found->indices[c]), found->distances[c]);
  return 0;
}
