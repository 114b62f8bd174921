/* dassie-cli-search.c: "dassie-cli search": the objects nearest to one object or to a vector
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "dassie-cli-private.h"
#include "dassie-dataset.h"
#include "dassie-sky.h"
#include "dassie-vectors.h"

typedef struct
{
  char   *id;
  double  ra;
  double  dec;
  double  separation;   /* arcseconds */
} SkyMatch;

/* The object of the latents' data set nearest to (@ra, @dec), within @radius arcseconds. */
static gboolean
find_nearest_on_sky (DassieCliContext  *ctx,
                     const char        *latents_path,
                     DassieVectors     *store,
                     double             ra,
                     double             dec,
                     double             radius,
                     SkyMatch          *match,
                     DassieDataset    **dataset_out,
                     GError           **error)
{
  g_autofree char *data_dir = _dassie_cli_data_location (ctx, latents_path);
  g_autoptr(DassieDataset) dataset = NULL;
  DassieDatasetOptions options;
  double best = G_MAXDOUBLE;
  int best_index = -1;

  if (data_dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The data folder of %s is not known, so neither are the positions; give --data DIR"),
                   latents_path);
      return FALSE;
    }
  dassie_dataset_options_init (&options);
  if (dassie_dataset_options_from_config (&options, ctx->config, error))
    dataset = dassie_dataset_open (data_dir, &options, ctx->cancellable, error);
  dassie_dataset_options_clear (&options);
  _dassie_cli_progress_done (ctx);
  if (dataset == NULL)
    return FALSE;
  if (dassie_dataset_get_sky_source (dataset) == DASSIE_SKY_SOURCE_NONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The objects in “%s” have no positions: the folder has no catalogue with ra and dec "
                     "columns and the cutouts’ headers have no WCS"), data_dir);
      return FALSE;
    }

  for (guint i = 0; i < dassie_dataset_get_n_objects (dataset); i++)
    {
      double r, d, separation;
      guint row;

      if (!dassie_dataset_get_position (dataset, i, &r, &d) ||
          !dassie_vectors_lookup (store, dassie_dataset_get_object_id (dataset, i), &row))
        continue;
      separation = dassie_sky_separation (ra, dec, r, d) * 3600.0;
      if (separation < best)
        {
          best = separation;
          best_index = i;
        }
    }
  if (best_index < 0 || best > radius)
    {
      g_autofree char *ra_text = dassie_sky_format_ra (ra, TRUE);
      g_autofree char *dec_text = dassie_sky_format_dec (dec, TRUE);

      if (best_index < 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No object of %s has a position"), latents_path);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("No object lies within %.3g″ of %s %s; the nearest, %s, is %.1f″ away (use --radius)"),
                     radius, ra_text, dec_text, dassie_dataset_get_object_id (dataset, best_index), best);
      return FALSE;
    }

  match->id = g_strdup (dassie_dataset_get_object_id (dataset, best_index));
  dassie_dataset_get_position (dataset, best_index, &match->ra, &match->dec);
  match->separation = best;
  *dataset_out = g_steal_pointer (&dataset);
  return TRUE;
}

static void
add_position_json (JsonBuilder   *b,
                   DassieDataset *dataset,
                   const char    *id)
{
  int index = dataset != NULL ? dassie_dataset_find_object (dataset, id) : -1;
  double ra, dec;

  if (index < 0 || !dassie_dataset_get_position (dataset, index, &ra, &dec))
    return;
  json_builder_set_member_name (b, "ra");
  json_builder_add_double_value (b, ra);
  json_builder_set_member_name (b, "dec");
  json_builder_add_double_value (b, dec);
}

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
  g_autofree char *ra_text = NULL;
  g_autofree char *dec_text = NULL;
  g_autoptr(DassieDataset) dataset = NULL;
  SkyMatch match = { NULL, 0, 0, 0 };
  double ra = 0, dec = 0, radius = 5.0;
  DassieMetric metric;
  int k = 0;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &ctx->input, N_("An infer run folder or its latents.fits (default: the newest infer run)"), N_("RUN_OR_FILE") },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, N_("The object whose neighbours to list (itself left out)"), N_("ID") },
    { "vector", 0, 0, G_OPTION_ARG_FILENAME, &vector_file, N_("A file with a latent vector (numbers separated by spaces)"), N_("FILE") },
    { "ra", 0, 0, G_OPTION_ARG_STRING, &ra_text, N_("Right ascension of a position: the object nearest it, then its neighbours (degrees or 02:02:21.7)"), N_("RA") },
    { "dec", 0, 0, G_OPTION_ARG_STRING, &dec_text, N_("Declination of that position (degrees or -06:16:56.5)"), N_("DEC") },
    { "radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius, N_("How far from the position the object may be, in arcseconds (default 5)"), N_("ARCSEC") },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, N_("How many neighbours (default scores.k)"), "K" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric_name, N_("sqeuclidean, euclidean or cosine (scores.metric)"), N_("METRIC") },
    { NULL }
  };

  g_option_context_set_summary (context,
    _("List the objects nearest to an object (--id), to a vector (--vector) or to the object at a "
      "position on the sky (--ra and --dec), with their distances. Writes nothing."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;
  if (argc != 1 || (id != NULL) + (vector_file != NULL) + (ra_text != NULL || dec_text != NULL) != 1 ||
      (ra_text == NULL) != (dec_text == NULL))
    {
      g_printerr ("dassie-cli: %s\n",
                  _("usage: dassie-cli search (--id ID | --vector FILE | --ra RA --dec DEC [--radius ARCSEC]) "
                    "[-k K] [OPTIONS…]"));
      return 2;
    }
  if (ra_text != NULL && (!dassie_sky_parse_ra (ra_text, &ra, &error) || !dassie_sky_parse_dec (dec_text, &dec, &error)))
    {
      g_printerr ("dassie-cli: %s\n", error->message);
      return 2;
    }
  if (!(radius > 0))
    {
      g_printerr ("dassie-cli: %s\n", _("--radius must be a positive number of arcseconds"));
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

  if (ra_text != NULL)
    {
      if (!find_nearest_on_sky (ctx, path, store, ra, dec, radius, &match, &dataset, &error))
        return _dassie_cli_fail (error);
      id = g_strdup (match.id);
    }
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
  if (match.id != NULL)
    {
      json_builder_set_member_name (summary, "position");
      json_builder_begin_object (summary);
      json_builder_set_member_name (summary, "ra");
      json_builder_add_double_value (summary, ra);
      json_builder_set_member_name (summary, "dec");
      json_builder_add_double_value (summary, dec);
      json_builder_set_member_name (summary, "separation_arcsec");
      json_builder_add_double_value (summary, match.separation);
      json_builder_end_object (summary);
      add_position_json (summary, dataset, match.id);
    }
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
      add_position_json (summary, dataset, dassie_vectors_get_id (store, found->indices[c]));
      json_builder_end_object (summary);
    }
  json_builder_end_array (summary);
  json_builder_end_object (summary);

  if (!ctx->json && match.id != NULL)
    g_print (_("Nearest to the position: %s, %.2f″ away; its neighbours:\n"), match.id, match.separation);
  g_free (match.id);
  if (ctx->json)
    _dassie_cli_print_result (ctx, NULL, summary);
  else
    for (guint c = 0; c < found->k; c++)
      g_print ("%u\t%s\t%.9g\n", c + 1, dassie_vectors_get_id (store, found->indices[c]), found->distances[c]);
  return 0;
}
