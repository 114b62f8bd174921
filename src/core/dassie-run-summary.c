/* dassie-run-summary.c: what a run folder holds, in a line a person can read, and a train run's metrics
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "dassie-run-summary.h"

void
dassie_run_summary_free (DassieRunSummary *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->info, dassie_run_info_free);
  g_free (self->data_location);
  g_free (self->settings);
  g_free (self->input_run);
  g_free (self);
}

void
dassie_train_metrics_free (DassieTrainMetrics *self)
{
  if (self == NULL)
    return;
  g_free (self->epoch);
  g_free (self->train_loss);
  g_free (self->validation_loss);
  g_free (self);
}

static double
member_double (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NAN;
  return json_node_get_double (node);
}

DassieTrainMetrics *
dassie_train_metrics_read (const char  *run_dir,
                           GError     **error)
{
  g_autoptr(DassieTrainMetrics) metrics = g_new0 (DassieTrainMetrics, 1);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint n_lines;

  g_return_val_if_fail (run_dir != NULL, NULL);
  metrics->baseline_loss = NAN;

  path = g_build_filename (run_dir, "metrics.jsonl", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&metrics);
  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  metrics->epoch = g_new (double, n_lines);
  metrics->train_loss = g_new (double, n_lines);
  metrics->validation_loss = g_new (double, n_lines);

  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(GError) local_error = NULL;
      JsonNode *root;
      JsonObject *object;
      guint k;

      if (*g_strstrip (lines[i]) == 0)
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, &local_error) ||
          !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _("Line %u of “%s” is not a JSON object; the run's metrics are damaged."), i + 1, path);
          return NULL;
        }
      object = json_node_get_object (root);
      k = metrics->n++;
      metrics->epoch[k] = member_double (object, "epoch");
      metrics->train_loss[k] = member_double (object, "train_loss");
      metrics->validation_loss[k] = member_double (object, "validation_loss");
      if (isfinite (member_double (object, "baseline_loss")))
        metrics->baseline_loss = member_double (object, "baseline_loss");
    }

  return g_steal_pointer (&metrics);
}

/* The run folder that holds @file, when it is one. */
static char *
run_of_file (const char *file)
{
  g_autofree char *dir = NULL;
  g_autoptr(DassieRunInfo) info = NULL;

  if (file == NULL || *file == 0)
    return NULL;
  dir = g_path_get_dirname (file);
  info = dassie_run_info_parse (dir);
  return info != NULL ? g_strdup (info->path) : NULL;
}

static char *
first_data_location (const DassieConfig *config,
                     const char         *group)
{
  g_autoptr(GPtrArray) requests = dassie_config_get_data_requests (config, group);

  if (requests->len == 0)
    return NULL;
  return g_strdup (((DassieDataRequest *) g_ptr_array_index (requests, 0))->data_location);
}

static void
describe_train (DassieRunSummary   *self,
                const DassieConfig *config)
{
  const char *optimizer = dassie_config_get_string (config, "optimizer.name");
  g_autoptr(DassieTrainMetrics) metrics = NULL;

  self->data_location = first_data_location (config, "train");
  self->n_epochs = (guint) MAX (0, dassie_config_get_int (config, "train.epochs"));
  self->settings = g_strdup_printf (_("%u epochs · batch %d · %s lr %g · %d channels, latent %d"),
                                    self->n_epochs,
                                    (int) dassie_config_get_int (config, "data_loader.batch_size"),
                                    optimizer, dassie_config_get_double (config, "optimizer.lr"),
                                    (int) dassie_config_get_int (config, "model.base_channel_size"),
                                    (int) dassie_config_get_int (config, "model.latent_dim"));

  metrics = dassie_train_metrics_read (self->info->path, NULL);
  if (metrics != NULL && metrics->n > 0)
    {
      self->epochs_done = (guint) metrics->epoch[metrics->n - 1];
      self->train_loss = metrics->train_loss[metrics->n - 1];
      self->validation_loss = metrics->validation_loss[metrics->n - 1];
    }
}

static void
describe_infer (DassieRunSummary   *self,
                const DassieConfig *config)
{
  const char *weights = dassie_config_get_string (config, "infer.model_weights_file");
  g_autofree char *model = NULL;

  self->data_location = first_data_location (config, "infer");
  self->input_run = run_of_file (weights);
  if (self->input_run != NULL)
    model = g_path_get_basename (self->input_run);
  else if (weights != NULL && *weights != 0)
    model = g_path_get_basename (weights);
  if (model != NULL)
    self->settings = g_strdup_printf (_("batch %d · model %s"),
                                      (int) dassie_config_get_int (config, "infer.batch_size"), model);
  else
    self->settings = g_strdup_printf (_("batch %d"), (int) dassie_config_get_int (config, "infer.batch_size"));
}

static void
describe_scores (DassieRunSummary   *self,
                 const DassieConfig *config)
{
  self->data_location = first_data_location (config, "infer");
  self->settings = g_strdup_printf (_("%d neighbours · %s"),
                                    (int) dassie_config_get_int (config, "scores.k"),
                                    dassie_config_get_string (config, "scores.metric"));
}

/* scores.json and umap.json name the latents.fits they were computed from. */
static char *
input_run_of (const char *run_dir)
{
  g_autofree char *input = NULL;

  if (!dassie_run_read_input (run_dir, &input, NULL))
    return NULL;
  return run_of_file (input);
}

static void
describe_umap (DassieRunSummary   *self,
               const DassieConfig *config)
{
  self->data_location = first_data_location (config, "infer");
  self->settings = g_strdup_printf (_("%d neighbours · min dist %g · seed %d"),
                                    (int) dassie_config_get_int (config, "umap.n_neighbors"),
                                    dassie_config_get_double (config, "umap.min_dist"),
                                    (int) dassie_config_get_int (config, "umap.seed"));
}

DassieRunSummary *
dassie_run_summary_read (const char *run_dir)
{
  g_autoptr(DassieRunSummary) self = NULL;
  g_autoptr(DassieConfig) config = NULL;
  g_autofree char *config_path = NULL;
  DassieRunInfo *info;

  g_return_val_if_fail (run_dir != NULL, NULL);

  info = dassie_run_info_parse (run_dir);
  if (info == NULL)
    return NULL;

  self = g_new0 (DassieRunSummary, 1);
  self->info = info;
  self->train_loss = NAN;
  self->validation_loss = NAN;

  if (g_str_equal (info->verb, "umap") || g_str_equal (info->verb, "scores"))
    self->input_run = input_run_of (run_dir);

  config = dassie_config_new ();
  config_path = g_build_filename (run_dir, "config.json", NULL);
  if (!dassie_config_load_file (config, config_path, NULL))
    return g_steal_pointer (&self);

  if (g_str_equal (info->verb, "train"))
    describe_train (self, config);
  else if (g_str_equal (info->verb, "infer"))
    describe_infer (self, config);
  else if (g_str_equal (info->verb, "scores"))
    describe_scores (self, config);
  else if (g_str_equal (info->verb, "umap"))
    describe_umap (self, config);

  return g_steal_pointer (&self);
}

GPtrArray *
dassie_run_summary_list (const char *results_dir,
                         const char *verb,
                         gboolean    include_incomplete)
{
  g_autoptr(GPtrArray) runs = NULL;
  GPtrArray *summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) dassie_run_summary_free);

  g_return_val_if_fail (results_dir != NULL, summaries);

  runs = dassie_results_list (results_dir, verb, include_incomplete);
  for (guint i = 0; i < runs->len; i++)
    {
      DassieRunInfo *info = g_ptr_array_index (runs, i);
      DassieRunSummary *summary = dassie_run_summary_read (info->path);

      if (summary != NULL)
        g_ptr_array_add (summaries, summary);
    }
  return summaries;
}
