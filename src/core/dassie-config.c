/* dassie-config.c: built-in defaults plus overrides, on Hyrax's dotted key names
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>

#include "dassie-config.h"
#include "dassie-fileutil.h"

/* The defaults are the type schema too: an override must have the default's type. */
static const char defaults_json[] =
  "{"
  "  \"general\": { \"results_dir\": \"./results\", \"threads\": 0 },"
  "  \"model\": { \"name\": \"HyraxAutoencoderV2\", \"base_channel_size\": 32, \"latent_dim\": 64,"
  "             \"final_layer\": \"tanh\" },"
  "  \"criterion\": { \"name\": \"mse\" },"
  "  \"optimizer\": { \"name\": \"SGD\", \"lr\": 0.01, \"momentum\": 0.9, \"beta1\": 0.9, \"beta2\": 0.999,"
  "                 \"eps\": 1e-8, \"weight_decay\": 0.0 },"
  "  \"train\": { \"epochs\": 20, \"weights_filename\": \"weights.safetensors\", \"resume\": \"\","
  "             \"seed\": 42,"
  "             \"preset\": \"\", \"lr_schedule\": \"constant\", \"lr_step_size\": 10, \"lr_gamma\": 0.1,"
  "             \"lr_min\": 0.0, \"early_stopping\": { \"patience\": 0 },"
  "             \"augment\": false },"
  "  \"data_loader\": { \"batch_size\": 32, \"shuffle\": true },"
  "  \"data_set\": { \"name\": \"HSCDataSet\", \"crop_to\": false, \"transform\": \"tanh\","
  "                \"nan_mode\": \"quantile\", \"seed\": 42, \"filters\": [],"
  "                \"normalization\": \"tanh\", \"asinh_softening\": 1.0 },"
  "  \"infer\": { \"batch_size\": 512, \"model_weights_file\": \"\" },"
  "  \"scores\": { \"k\": 5, \"metric\": \"sqeuclidean\", \"index\": \"auto\", \"hnsw_threshold\": 60000,"
  "              \"hnsw_m\": 24, \"hnsw_ef_construction\": 100, \"hnsw_ef\": 40,"
  "              \"method\": \"rank-combo\", \"reconstruction\": true, \"residual_quantile\": 0.99,"
  "              \"lof_k\": 20, \"iforest_trees\": 100, \"iforest_samples\": 256, \"iforest_seed\": 42,"
  "              \"combine\": \"max\", \"combine_methods\": \"knn-median,reconstruction,iforest\" },"
  "  \"umap\": { \"n_neighbors\": 15, \"min_dist\": 0.1, \"spread\": 1.0, \"n_epochs\": 0,"
  "            \"learning_rate\": 1.0, \"negative_sample_rate\": 5, \"init\": \"pca\", \"seed\": 42,"
  "            \"fit_sample_size\": 200000 },"
  "  \"labels\": { \"dir\": \"\" },"
  "  \"rank\": { \"k\": 10, \"bandwidth\": 1.0, \"prior_weight\": 0.5, \"artifact_penalty\": 0.5 },"
  "  \"download\": { \"doi_resolver\": \"https://doi.org\", \"zenodo_api\": \"https://zenodo.org/api\","
  "                \"stall_timeout\": 60, \"retries\": 5, \"retry_backoff\": 1.0,"
  "                \"retry_backoff_max\": 30.0, \"max_redirects\": 10,"
  "                \"max_unpacked_bytes\": 21474836480 },"
  "  \"data_request\": {"
  "    \"train\": { \"data\": { \"dataset_class\": \"HSCDataSet\", \"data_location\": \"./data\","
  "                           \"primary_id_field\": \"object_id\", \"split_fraction\": 0.8 } },"
  "    \"validate\": { \"data\": { \"dataset_class\": \"HSCDataSet\", \"data_location\": \"./data\","
  "                              \"primary_id_field\": \"object_id\", \"split_fraction\": 0.2 } },"
  "    \"infer\": { \"data\": { \"dataset_class\": \"HSCDataSet\", \"data_location\": \"./data\","
  "                           \"primary_id_field\": \"object_id\" } }"
  "  }"
  "}";

/* The limits of JSON integers here (gint64), as a message shows them. */
#define INT64_MIN_TEXT "-9223372036854775808"
#define INT64_MAX_TEXT "9223372036854775807"

/* The values that keep every loop finite and every size meaningful (0 where it means "automatic");
 * numeric keys not listed take any value of their type (the seeds). */
typedef struct
{
  const char *key;
  double      min;
  double      max;           /* INFINITY: no upper bound */
  gboolean    min_excluded;  /* the value must be greater than @min */
  gboolean    max_excluded;  /* the value must be less than @max */
} Bounds;

static const Bounds bounds[] = {
  { "general.threads", 0, 1024 },
  { "model.base_channel_size", 1, 1024 },
  { "model.latent_dim", 1, 4096 },
  { "optimizer.lr", 0, INFINITY, TRUE },
  { "optimizer.momentum", 0, 1, FALSE, TRUE },
  { "optimizer.beta1", 0, 1, FALSE, TRUE },
  { "optimizer.beta2", 0, 1, FALSE, TRUE },
  { "optimizer.eps", 0, 1, TRUE },
  { "optimizer.weight_decay", 0, INFINITY },
  { "train.epochs", 1, 100000 },
  { "train.lr_step_size", 1, 100000 },
  { "train.lr_gamma", 0, 1, TRUE },
  { "train.lr_min", 0, INFINITY },
  { "train.early_stopping.patience", 0, 100000 },
  { "data_set.asinh_softening", 0, INFINITY, TRUE },
  { "data_loader.batch_size", 1, 65536 },
  { "infer.batch_size", 1, 65536 },
  { "scores.k", 1, 10000 },
  { "scores.hnsw_threshold", 0, G_MAXUINT32 },
  { "scores.hnsw_m", 2, 1024 },
  { "scores.hnsw_ef_construction", 1, 100000 },
  { "scores.hnsw_ef", 1, 100000 },
  { "scores.residual_quantile", 0, 1 },
  { "scores.lof_k", 1, 10000 },
  { "scores.iforest_trees", 1, 100000 },
  { "scores.iforest_samples", 2, G_MAXUINT32 },
  { "umap.n_neighbors", 2, 1000 },
  { "umap.min_dist", 0, INFINITY },
  { "umap.spread", 0, INFINITY, TRUE },
  { "umap.n_epochs", 0, 100000 },
  { "umap.learning_rate", 0, INFINITY, TRUE },
  { "umap.negative_sample_rate", 1, 100 },
  { "umap.fit_sample_size", 0, G_MAXUINT32 },
  { "rank.k", 1, 1000 },
  { "rank.bandwidth", 0, INFINITY, TRUE },
  { "rank.prior_weight", 0, INFINITY, TRUE },
  { "rank.artifact_penalty", 0, 10 },
  { "download.stall_timeout", 1, 86400 },
  { "download.retries", 0, 100 },
  { "download.retry_backoff", 0, 3600 },
  { "download.retry_backoff_max", 0, 86400 },
  { "download.max_redirects", 0, 100 },
  { "download.max_unpacked_bytes", 1, INFINITY },
};

struct _DassieConfig
{
  JsonNode *root;
};

static JsonNode *defaults_root;

G_DEFINE_QUARK (dassie-config-error-quark, dassie_config_error)

/* json_node_copy() shares objects, arrays and values; a configuration needs its own tree. */
static JsonNode *
deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *src = json_node_get_object (node);
      JsonObject *dst = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (src);
      JsonNode *copy = json_node_new (JSON_NODE_OBJECT);

      for (const GList *l = members; l != NULL; l = l->next)
        json_object_set_member (dst, l->data, deep_copy (json_object_get_member (src, l->data)));
      json_node_take_object (copy, dst);
      return copy;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node);
      JsonArray *dst = json_array_new ();
      JsonNode *copy = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, deep_copy (json_array_get_element (src, i)));
      json_node_take_array (copy, dst);
      return copy;
    }

  /* json_node_copy() shares the value and counts its references without atomics: the defaults,
   * copied by every thread that makes a configuration, must not be shared that way. */
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      JsonNode *copy = json_node_new (JSON_NODE_VALUE);

      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          json_node_set_int (copy, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          json_node_set_double (copy, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          json_node_set_boolean (copy, json_node_get_boolean (node));
          break;
        case G_TYPE_STRING:
        default:
          json_node_set_string (copy, json_node_get_string (node));
          break;
        }
      return copy;
    }

  return json_node_new (JSON_NODE_NULL);
}

static JsonNode *
get_defaults (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      defaults_root = json_from_string (defaults_json, NULL);
      g_assert (defaults_root != NULL);
      g_once_init_leave (&initialized, 1);
    }

  return defaults_root;
}

DassieConfig *
dassie_config_new (void)
{
  DassieConfig *self = g_new0 (DassieConfig, 1);

  self->root = deep_copy (get_defaults ());
  return self;
}

DassieConfig *
dassie_config_copy (const DassieConfig *self)
{
  DassieConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (DassieConfig, 1);
  copy->root = deep_copy (self->root);
  return copy;
}

void
dassie_config_free (DassieConfig *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->root, json_node_unref);
  g_free (self);
}

/* Finds the node at a dotted key below @root, or NULL. */
static JsonNode *
lookup (JsonNode   *root,
        const char *key)
{
  g_auto(GStrv) parts = g_strsplit (key, ".", -1);
  JsonNode *node = root;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      JsonObject *obj;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      obj = json_node_get_object (node);
      if (!json_object_has_member (obj, parts[i]))
        return NULL;
      node = json_object_get_member (obj, parts[i]);
    }

  return node;
}

static const char *
type_name_of (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("a table");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("a list");
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return _("an integer");
    case G_TYPE_DOUBLE:
      return _("a number");
    case G_TYPE_BOOLEAN:
      return _("true or false");
    case G_TYPE_STRING:
      return _("a string");
    default:
      return _("a value");
    }
}

static gboolean
is_data_request_key (const char *key)
{
  return g_str_equal (key, "data_request") || g_str_has_prefix (key, "data_request.");
}

/* data_set.crop_to is Hyrax's "false or [width, height]"; a single integer is accepted too. */
static gboolean
validate_crop_to (JsonNode  *value,
                  GError   **error)
{
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_BOOLEAN &&
      !json_node_get_boolean (value))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64 &&
      json_node_get_int (value) > 0)
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *arr = json_node_get_array (value);

      if (json_array_get_length (arr) == 2)
        {
          gboolean ok = TRUE;

          for (guint i = 0; i < 2; i++)
            {
              JsonNode *e = json_array_get_element (arr, i);
              ok &= JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_INT64 &&
                    json_node_get_int (e) > 0;
            }
          if (ok)
            return TRUE;
        }
    }

  g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
               _("Configuration key “data_set.crop_to” must be false, a positive integer or "
                 "[width, height]"));
  return FALSE;
}

/* Checks an entry of data_request.<group>: the fields Dassie reads must have the right types. */
static gboolean
validate_request_entry (const char  *where,
                        JsonObject  *entry,
                        GError     **error)
{
  static const struct { const char *field; GType type; } fields[] = {
    { "dataset_class", G_TYPE_STRING },
    { "data_location", G_TYPE_STRING },
    { "primary_id_field", G_TYPE_STRING },
    { "split_fraction", G_TYPE_DOUBLE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      JsonNode *node;
      GType t;

      if (!json_object_has_member (entry, fields[i].field))
        continue;
      node = json_object_get_member (entry, fields[i].field);
      t = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
      if (fields[i].type == G_TYPE_DOUBLE && (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE))
        {
          double f = json_node_get_double (node);

          if (f < 0 || f > 1)
            {
              g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                           _("Configuration key “%s.split_fraction” must be between 0 and 1"), where);
              return FALSE;
            }
          continue;
        }
      if (t != fields[i].type)
        {
          g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
                       _("Configuration key “%s.%s” must be %s"), where, fields[i].field,
                       fields[i].type == G_TYPE_STRING ? _("a string") : _("a number"));
          return FALSE;
        }
    }

  return TRUE;
}

/* A group is either one entry (it has "data_location" or "dataset_class") or a table of named entries. */
static gboolean
validate_request_group (const char  *group_name,
                        JsonNode    *group,
                        GError     **error)
{
  g_autofree char *where = g_strdup_printf ("data_request.%s", group_name);
  JsonObject *obj;
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (group))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
                   _("Configuration key “%s” must be a table"), where);
      return FALSE;
    }
  obj = json_node_get_object (group);
  if (json_object_has_member (obj, "data_location") || json_object_has_member (obj, "dataset_class"))
    return validate_request_entry (where, obj, error);

  members = json_object_get_members (obj);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *entry = json_object_get_member (obj, l->data);
      g_autofree char *entry_where = g_strdup_printf ("%s.%s", where, (const char *) l->data);

      if (!JSON_NODE_HOLDS_OBJECT (entry))
        {
          g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
                       _("Configuration key “%s” must be a table"), entry_where);
          return FALSE;
        }
      if (!validate_request_entry (entry_where, json_node_get_object (entry), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
validate_data_request (JsonNode  *node,
                       GError   **error)
{
  JsonObject *obj;
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
                   _("Configuration key “data_request” must be a table"));
      return FALSE;
    }
  obj = json_node_get_object (node);
  members = json_object_get_members (obj);
  for (const GList *l = members; l != NULL; l = l->next)
    if (!validate_request_group (l->data, json_object_get_member (obj, l->data), error))
      return FALSE;

  return TRUE;
}

static char *
format_bound (double value)
{
  return g_strdup_printf ("%.15g", value);
}

/* "at least 1 and at most 100000", "greater than 0", ... */
static char *
describe_bounds (const Bounds *b)
{
  g_autofree char *lo = format_bound (b->min);
  g_autofree char *hi = format_bound (b->max);

  if (isinf (b->max))
    return b->min_excluded ? g_strdup_printf (_("greater than %s"), lo)
                           : g_strdup_printf (_("at least %s"), lo);
  if (b->min_excluded)
    return b->max_excluded ? g_strdup_printf (_("greater than %s and less than %s"), lo, hi)
                           : g_strdup_printf (_("greater than %s and at most %s"), lo, hi);
  return b->max_excluded ? g_strdup_printf (_("at least %s and less than %s"), lo, hi)
                         : g_strdup_printf (_("at least %s and at most %s"), lo, hi);
}

static const Bounds *
find_bounds (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
    if (g_str_equal (bounds[i].key, key))
      return &bounds[i];
  return NULL;
}

/* Sets the error for @value (written @value_text) outside @b, naming the bound it crosses. */
static void
set_bounds_error (const Bounds  *b,
                  const char    *value_text,
                  double         value,
                  GError       **error)
{
  g_autofree char *range = describe_bounds (b);
  g_autofree char *bound = NULL;
  g_autofree char *crossed = NULL;

  if (!isfinite (value))
    crossed = g_strdup (_("a finite number"));
  else if (value > b->min)
    {
      bound = format_bound (b->max);
      crossed = b->max_excluded ? g_strdup_printf (_("less than %s"), bound)
                                : g_strdup_printf (_("at most %s"), bound);
    }
  else
    {
      bound = format_bound (b->min);
      crossed = b->min_excluded ? g_strdup_printf (_("greater than %s"), bound)
                                : g_strdup_printf (_("at least %s"), bound);
    }
  g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
               _("Configuration key “%s” must be %s, not %s (it takes values %s)"),
               b->key, crossed, value_text, range);
}

static gboolean
check_bounds (const char  *key,
              JsonNode    *value,
              GError     **error)
{
  const Bounds *b = find_bounds (key);
  g_autofree char *text = NULL;
  GType type;
  double v;

  if (b == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return TRUE;
  type = json_node_get_value_type (value);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return TRUE;

  v = type == G_TYPE_INT64 ? (double) json_node_get_int (value) : json_node_get_double (value);
  if (isfinite (v) && (b->min_excluded ? v > b->min : v >= b->min) &&
      (isinf (b->max) || (b->max_excluded ? v < b->max : v <= b->max)))
    return TRUE;

  text = type == G_TYPE_INT64 ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value))
                              : g_strdup_printf ("%.15g", v);
  set_bounds_error (b, text, v, error);
  return FALSE;
}

/* Checks that @value may be stored at @key: the key exists in the defaults and the types agree. */
static gboolean
validate_value (const char  *key,
                JsonNode    *value,
                GError     **error)
{
  JsonNode *def;

  if (g_str_equal (key, "data_request"))
    return validate_data_request (value, error);
  if (g_str_has_prefix (key, "data_request."))
    {
      const char *rest = key + strlen ("data_request.");

      if (strchr (rest, '.') == NULL)
        return validate_request_group (rest, value, error);
      return TRUE;
    }

  def = lookup (get_defaults (), key);
  if (def == NULL)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_UNKNOWN_KEY,
                   _("Unknown configuration key “%s”; “dassie-cli config show” lists the keys"), key);
      return FALSE;
    }

  if (g_str_equal (key, "data_set.crop_to"))
    return validate_crop_to (value, error);

  if (JSON_NODE_HOLDS_OBJECT (def))
    {
      JsonObject *obj;
      g_autoptr(GList) members = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        {
          g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
                       _("Configuration key “%s” must be a table"), key);
          return FALSE;
        }
      obj = json_node_get_object (value);
      members = json_object_get_members (obj);
      for (const GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", key, (const char *) l->data);

          if (!validate_value (child, json_object_get_member (obj, l->data), error))
            return FALSE;
        }
      return TRUE;
    }

  if (JSON_NODE_HOLDS_ARRAY (def))
    {
      if (!JSON_NODE_HOLDS_ARRAY (value))
        goto wrong_type;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (value))
    goto wrong_type;

  switch (json_node_get_value_type (def))
    {
    case G_TYPE_DOUBLE:
      if (json_node_get_value_type (value) == G_TYPE_INT64 ||
          json_node_get_value_type (value) == G_TYPE_DOUBLE)
        return check_bounds (key, value, error);
      goto wrong_type;
    default:
      if (json_node_get_value_type (value) == json_node_get_value_type (def))
        return check_bounds (key, value, error);
      goto wrong_type;
    }

wrong_type:
  g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_WRONG_TYPE,
               _("Configuration key “%s” must be %s, not %s"), key, type_name_of (def), type_name_of (value));
  return FALSE;
}

/* Stores a copy of @value at @key, creating tables on the way (only below data_request). */
static void
store (DassieConfig *self,
       const char   *key,
       JsonNode     *value)
{
  g_auto(GStrv) parts = g_strsplit (key, ".", -1);
  guint n = g_strv_length (parts);
  JsonObject *obj = json_node_get_object (self->root);

  for (guint i = 0; i + 1 < n; i++)
    {
      JsonNode *child = json_object_get_member (obj, parts[i]);

      if (child == NULL || !JSON_NODE_HOLDS_OBJECT (child))
        {
          json_object_set_object_member (obj, parts[i], json_object_new ());
          child = json_object_get_member (obj, parts[i]);
        }
      obj = json_node_get_object (child);
    }

  /* Numbers keep the default's type, so that get_double works on a value written as 1. */
  if (!is_data_request_key (key) && JSON_NODE_HOLDS_VALUE (value))
    {
      JsonNode *def = lookup (get_defaults (), key);

      if (def != NULL && JSON_NODE_HOLDS_VALUE (def) && json_node_get_value_type (def) == G_TYPE_DOUBLE &&
          json_node_get_value_type (value) == G_TYPE_INT64)
        {
          json_object_set_double_member (obj, parts[n - 1], json_node_get_double (value));
          return;
        }
    }

  json_object_set_member (obj, parts[n - 1], deep_copy (value));
}

/* Merges @node (a table) over the current values at @prefix; data_request is replaced whole. */
static gboolean
merge_table (DassieConfig *self,
             const char   *prefix,
             JsonNode     *node,
             GError      **error)
{
  JsonObject *obj = json_node_get_object (node);
  g_autoptr(GList) members = json_object_get_members (obj);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *child = json_object_get_member (obj, name);
      g_autofree char *key = prefix ? g_strdup_printf ("%s.%s", prefix, name) : g_strdup (name);
      JsonNode *def = lookup (get_defaults (), key);

      if (!is_data_request_key (key) && def != NULL && JSON_NODE_HOLDS_OBJECT (def) &&
          JSON_NODE_HOLDS_OBJECT (child))
        {
          if (!merge_table (self, key, child, error))
            return FALSE;
          continue;
        }

      if (!validate_value (key, child, error))
        return FALSE;
      store (self, key, child);
    }

  return TRUE;
}

/* json-glib wraps integers beyond 64 bits around (99999999999999999999 reads as -1), so such a
 * literal is found in the text first. Returns it, or NULL. */
static char *
find_huge_integer (const char *json,
                   guint      *line)
{
  gboolean in_string = FALSE;

  *line = 1;
  for (const char *p = json; *p != '\0'; p++)
    {
      const char *end;

      if (*p == '\n')
        (*line)++;
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      if (*p == '"')
        {
          in_string = TRUE;
          continue;
        }
      if (!(*p == '-' || g_ascii_isdigit (*p)) ||
          (p > json && (g_ascii_isalnum (p[-1]) || strchr ("+-.", p[-1]) != NULL)))
        continue;

      end = p + (*p == '-');
      while (g_ascii_isdigit (*end))
        end++;
      if (end > p + (*p == '-') && *end != '.' && *end != 'e' && *end != 'E')
        {
          g_autofree char *literal = g_strndup (p, end - p);

          if (!g_ascii_string_to_signed (literal, 10, G_MININT64, G_MAXINT64, NULL, NULL))
            return g_steal_pointer (&literal);
        }
      p = end - 1;
    }
  return NULL;
}

gboolean
dassie_config_merge_json (DassieConfig  *self,
                          const char    *json,
                          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(DassieConfig) scratch = NULL;
  g_autofree char *huge = NULL;
  guint line = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  if (json[strspn (json, " \t\r\n")] == '\0')
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_PARSE,
                   _("The configuration is empty; write a JSON object such as "
                     "{\"train\": {\"epochs\": 5}}, or leave the file out"));
      return FALSE;
    }
  huge = find_huge_integer (json, &line);
  if (huge != NULL)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("The configuration has the integer %s on line %u, outside the range of "
                     "integers (%s to %s)"), huge, line, INT64_MIN_TEXT, INT64_MAX_TEXT);
      return FALSE;
    }

  node = json_from_string (json, &local_error);
  if (node == NULL)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_PARSE,
                   _("The configuration is not valid JSON: %s"), local_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_PARSE,
                   _("The configuration must be a JSON object"));
      return FALSE;
    }

  /* Merge into a copy so that a bad key leaves @self as it was. */
  scratch = dassie_config_copy (self);
  if (!merge_table (scratch, NULL, node, error))
    return FALSE;

  json_node_unref (self->root);
  self->root = g_steal_pointer (&scratch->root);
  scratch->root = deep_copy (self->root);
  return TRUE;
}

gboolean
dassie_config_load_file (DassieConfig  *self,
                         const char    *path,
                         GError       **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;

  if (!dassie_config_merge_json (self, contents, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* json-glib 1.6 writes 1e-8 as "1e-08.0", which no parser reads back; drop the ".0". */
static char *
node_to_text (JsonNode *node,
              gboolean  pretty)
{
  static GRegex *exponent_fix;
  g_autofree char *text = NULL;

  if (g_once_init_enter (&exponent_fix))
    g_once_init_leave (&exponent_fix, g_regex_new ("([0-9][eE][-+]?[0-9]+)\\.0\\b", G_REGEX_OPTIMIZE, 0, NULL));

  text = json_to_string (node, pretty);
  return g_regex_replace (exponent_fix, text, -1, 0, "\\1", 0, NULL);
}

char *
dassie_config_to_json (const DassieConfig *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return node_to_text (self->root, TRUE);
}

gboolean
dassie_config_save_file (const DassieConfig  *self,
                         const char          *path,
                         GError             **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  json = dassie_config_to_json (self);
  return dassie_write_file_atomic (path, json, strlen (json), error);
}

char *
dassie_config_get_as_string (const DassieConfig *self,
                             const char         *key)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  node = lookup (self->root, key);
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return node_to_text (node, FALSE);
}

/* Parses the text of a command-line override by the type the key has. */
static JsonNode *
parse_override (const char  *key,
                const char  *value,
                GError     **error)
{
  JsonNode *def = is_data_request_key (key) ? NULL : lookup (get_defaults (), key);
  JsonNode *node;
  g_autofree char *huge = NULL;
  guint line;

  if (def != NULL && JSON_NODE_HOLDS_VALUE (def) && json_node_get_value_type (def) == G_TYPE_STRING)
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, value);
      return node;
    }

  /* Only where a number belongs: elsewhere unquoted text is a string, digits and all. */
  if (def != NULL && JSON_NODE_HOLDS_VALUE (def))
    huge = find_huge_integer (value, &line);
  if (huge != NULL && json_node_get_value_type (def) == G_TYPE_DOUBLE)
    {
      g_autofree char *text = g_strstrip (g_strdup (value));
      char *end = NULL;
      double number = g_ascii_strtod (text, &end);

      if (end != text && *end == '\0')
        {
          node = json_node_new (JSON_NODE_VALUE);
          json_node_set_double (node, number);
          return node;
        }
      g_clear_pointer (&huge, g_free);  /* not a number at all: the type check says so */
    }
  if (huge != NULL)
    {
      const Bounds *b = find_bounds (key);

      if (b != NULL)
        set_bounds_error (b, huge, huge[0] == '-' ? -G_MAXDOUBLE : G_MAXDOUBLE, error);
      else
        g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                     _("Configuration key “%s” must be between %s and %s, not %s"),
                     key, INT64_MIN_TEXT, INT64_MAX_TEXT, huge);
      return NULL;
    }

  node = json_from_string (value, NULL);
  if (node == NULL)
    {
      /* Unquoted text: a string (data_request paths, for example). */
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, value);
    }
  return node;
}

gboolean
dassie_config_set_from_string (DassieConfig  *self,
                               const char    *key,
                               const char    *value,
                               GError       **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  node = parse_override (key, value, error);
  if (node == NULL)
    return FALSE;
  if (!validate_value (key, node, error))
    return FALSE;
  store (self, key, node);
  return TRUE;
}

gboolean
dassie_config_set_assignment (DassieConfig  *self,
                              const char    *key_equals_value,
                              GError       **error)
{
  const char *eq;
  g_autofree char *key = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key_equals_value != NULL, FALSE);

  eq = strchr (key_equals_value, '=');
  if (eq == NULL || eq == key_equals_value)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_PARSE,
                   _("“%s” is not of the form key=value"), key_equals_value);
      return FALSE;
    }
  key = g_strndup (key_equals_value, eq - key_equals_value);
  return dassie_config_set_from_string (self, g_strstrip (key), eq + 1, error);
}

JsonNode *
dassie_config_get_node (const DassieConfig *self,
                        const char         *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return lookup (self->root, key);
}

static JsonNode *
get_value_node (const DassieConfig *self,
                const char         *key)
{
  JsonNode *node = lookup (self->root, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    g_critical ("Configuration key “%s” is not a value; this is a programming error", key);
  return node;
}

gint64
dassie_config_get_int (const DassieConfig *self,
                       const char         *key)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, 0);

  node = get_value_node (self, key);
  return node ? json_node_get_int (node) : 0;
}

double
dassie_config_get_double (const DassieConfig *self,
                          const char         *key)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, 0);

  node = get_value_node (self, key);
  return node ? json_node_get_double (node) : 0;
}

gboolean
dassie_config_get_boolean (const DassieConfig *self,
                           const char         *key)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, FALSE);

  node = get_value_node (self, key);
  return node ? json_node_get_boolean (node) : FALSE;
}

const char *
dassie_config_get_string (const DassieConfig *self,
                          const char         *key)
{
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  node = get_value_node (self, key);
  return node ? json_node_get_string (node) : NULL;
}

static void
set_checked (DassieConfig *self,
             const char   *key,
             JsonNode     *node)
{
  g_autoptr(GError) error = NULL;

  if (!validate_value (key, node, &error))
    g_critical ("%s", error->message);
  else
    store (self, key, node);
  json_node_unref (node);
}

void
dassie_config_set_int (DassieConfig *self,
                       const char   *key,
                       gint64        value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  g_return_if_fail (self != NULL);
  json_node_set_int (node, value);
  set_checked (self, key, node);
}

void
dassie_config_set_double (DassieConfig *self,
                          const char   *key,
                          double        value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  g_return_if_fail (self != NULL);
  json_node_set_double (node, value);
  set_checked (self, key, node);
}

void
dassie_config_set_boolean (DassieConfig *self,
                           const char   *key,
                           gboolean      value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  g_return_if_fail (self != NULL);
  json_node_set_boolean (node, value);
  set_checked (self, key, node);
}

void
dassie_config_set_string (DassieConfig *self,
                          const char   *key,
                          const char   *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  g_return_if_fail (self != NULL);
  json_node_set_string (node, value ? value : "");
  set_checked (self, key, node);
}

static DassieDataRequest *
request_from_object (const char *name,
                     JsonObject *obj)
{
  DassieDataRequest *req = g_new0 (DassieDataRequest, 1);

  req->name = g_strdup (name);
  req->dataset_class = g_strdup (json_object_get_string_member_with_default (obj, "dataset_class", "HSCDataSet"));
  req->data_location = g_strdup (json_object_get_string_member_with_default (obj, "data_location", ""));
  req->primary_id_field = g_strdup (json_object_get_string_member_with_default (obj, "primary_id_field", "object_id"));
  req->split_fraction = json_object_has_member (obj, "split_fraction")
                      ? json_object_get_double_member (obj, "split_fraction") : -1;
  return req;
}

GPtrArray *
dassie_config_get_data_requests (const DassieConfig *self,
                                 const char         *group)
{
  g_autofree char *key = NULL;
  GPtrArray *requests;
  JsonNode *node;
  JsonObject *obj;
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (group != NULL, NULL);

  requests = g_ptr_array_new_with_free_func ((GDestroyNotify) dassie_data_request_free);
  key = g_strdup_printf ("data_request.%s", group);
  node = lookup (self->root, key);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return requests;

  obj = json_node_get_object (node);
  if (json_object_has_member (obj, "data_location") || json_object_has_member (obj, "dataset_class"))
    {
      g_ptr_array_add (requests, request_from_object (group, obj));
      return requests;
    }

  members = json_object_get_members (obj);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *entry = json_object_get_member (obj, l->data);

      if (JSON_NODE_HOLDS_OBJECT (entry))
        g_ptr_array_add (requests, request_from_object (l->data, json_node_get_object (entry)));
    }

  return requests;
}

static void
set_location_in_entry (JsonObject *entry,
                       const char *dir)
{
  json_object_set_string_member (entry, "data_location", dir);
}

void
dassie_config_set_data_location (DassieConfig *self,
                                 const char   *group,
                                 const char   *dir)
{
  JsonNode *requests;
  JsonObject *obj;
  g_autoptr(GList) groups = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (dir != NULL);

  requests = lookup (self->root, "data_request");
  if (requests == NULL || !JSON_NODE_HOLDS_OBJECT (requests))
    return;
  obj = json_node_get_object (requests);
  groups = json_object_get_members (obj);

  for (const GList *g = groups; g != NULL; g = g->next)
    {
      JsonNode *gnode = json_object_get_member (obj, g->data);
      JsonObject *gobj;
      g_autoptr(GList) entries = NULL;

      if (group != NULL && !g_str_equal (group, g->data))
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (gnode))
        continue;
      gobj = json_node_get_object (gnode);
      if (json_object_has_member (gobj, "data_location") || json_object_has_member (gobj, "dataset_class"))
        {
          set_location_in_entry (gobj, dir);
          continue;
        }
      entries = json_object_get_members (gobj);
      for (const GList *e = entries; e != NULL; e = e->next)
        {
          JsonNode *enode = json_object_get_member (gobj, e->data);

          if (JSON_NODE_HOLDS_OBJECT (enode))
            set_location_in_entry (json_node_get_object (enode), dir);
        }
    }
}

void
dassie_data_request_free (DassieDataRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->name);
  g_free (request->dataset_class);
  g_free (request->data_location);
  g_free (request->primary_id_field);
  g_free (request);
}
