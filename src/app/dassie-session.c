/* dassie-session.c: what the user works on: the data set and the current run of each verb
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-run-summary.h"
#include "dassie-session.h"

G_DEFINE_BOXED_TYPE (DassieDataset, dassie_dataset, dassie_dataset_ref, dassie_dataset_unref)

/* The order of the chain; each run is computed from the one before (scores and UMAP from infer). */
static const char * const verbs[] = { "train", "infer", "scores", "umap" };
#define N_VERBS G_N_ELEMENTS (verbs)

struct _DassieSession
{
  GObject        parent_instance;

  char          *results_dir;
  char          *data_folder;
  DassieDataset *dataset;
  char          *runs[N_VERBS];
};

enum {
  PROP_0,
  PROP_RESULTS_DIR,
  PROP_DATA_FOLDER,
  PROP_DATASET,
  PROP_TRAIN_RUN,
  PROP_INFER_RUN,
  PROP_SCORES_RUN,
  PROP_UMAP_RUN,
  PROP_EXPLORE_READY,
  N_PROPS
};

enum {
  RUNS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DassieSession, dassie_session, G_TYPE_OBJECT)

static int
verb_index (const char *verb)
{
  for (guint i = 0; i < N_VERBS; i++)
    if (g_strcmp0 (verb, verbs[i]) == 0)
      return (int) i;
  return -1;
}

char *
dassie_session_resolve_results_dir (const char *setting)
{
  if (setting != NULL && *setting != 0)
    return g_strdup (setting);
  return g_build_filename (g_get_user_data_dir (), "dassie", "results", NULL);
}

DassieSession *
dassie_session_new (const char *results_dir)
{
  g_autofree char *dir = dassie_session_resolve_results_dir (results_dir);

  return g_object_new (DASSIE_TYPE_SESSION, "results-dir", dir, NULL);
}

const char *
dassie_session_get_results_dir (DassieSession *self)
{
  g_return_val_if_fail (DASSIE_IS_SESSION (self), NULL);
  return self->results_dir;
}

void
dassie_session_set_results_dir (DassieSession *self,
                                const char    *results_dir)
{
  g_autofree char *dir = NULL;

  g_return_if_fail (DASSIE_IS_SESSION (self));

  dir = dassie_session_resolve_results_dir (results_dir);
  if (g_strcmp0 (dir, self->results_dir) == 0)
    return;
  g_free (self->results_dir);
  self->results_dir = g_steal_pointer (&dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULTS_DIR]);
  dassie_session_runs_changed (self);
}

const char *
dassie_session_get_data_folder (DassieSession *self)
{
  g_return_val_if_fail (DASSIE_IS_SESSION (self), NULL);
  return self->data_folder;
}

DassieDataset *
dassie_session_get_dataset (DassieSession *self)
{
  g_return_val_if_fail (DASSIE_IS_SESSION (self), NULL);
  return self->dataset;
}

void
dassie_session_set_dataset (DassieSession *self,
                            const char    *folder,
                            DassieDataset *dataset)
{
  g_return_if_fail (DASSIE_IS_SESSION (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (folder, self->data_folder) != 0)
    {
      g_free (self->data_folder);
      self->data_folder = g_strdup (folder);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_FOLDER]);
    }
  if (dataset != self->dataset)
    {
      if (dataset != NULL)
        dassie_dataset_ref (dataset);
      g_clear_pointer (&self->dataset, dassie_dataset_unref);
      self->dataset = dataset;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATASET]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
dassie_session_get_run (DassieSession *self,
                        const char    *verb)
{
  int i = verb_index (verb);

  g_return_val_if_fail (DASSIE_IS_SESSION (self), NULL);
  g_return_val_if_fail (i >= 0, NULL);

  return self->runs[i];
}

gboolean
dassie_session_get_explore_ready (DassieSession *self)
{
  g_return_val_if_fail (DASSIE_IS_SESSION (self), FALSE);
  return self->runs[1] != NULL && self->runs[2] != NULL && self->runs[3] != NULL;
}

static void
set_run_index (DassieSession *self,
               guint          i,
               const char    *run_dir)
{
  if (g_strcmp0 (run_dir, self->runs[i]) == 0)
    return;
  g_free (self->runs[i]);
  self->runs[i] = g_strdup (run_dir);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAIN_RUN + i]);
}

void
dassie_session_set_run (DassieSession *self,
                        const char    *verb,
                        const char    *run_dir)
{
  int i = verb_index (verb);
  gboolean was_ready;

  g_return_if_fail (DASSIE_IS_SESSION (self));
  g_return_if_fail (i >= 0);

  was_ready = dassie_session_get_explore_ready (self);
  g_object_freeze_notify (G_OBJECT (self));
  /* New latents: the scores and the map of the old ones no longer apply. */
  if (i == 1 && g_strcmp0 (run_dir, self->runs[1]) != 0)
    {
      set_run_index (self, 2, NULL);
      set_run_index (self, 3, NULL);
    }
  set_run_index (self, (guint) i, run_dir);
  if (was_ready != dassie_session_get_explore_ready (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPLORE_READY]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
dassie_session_runs_changed (DassieSession *self)
{
  g_return_if_fail (DASSIE_IS_SESSION (self));
  g_signal_emit (self, signals[RUNS_CHANGED], 0);
}

/* The newest complete run of @verb computed from @input (when the run records its input; otherwise
 * the newest one no older than @input). */
static char *
find_derived_run (const char    *results_dir,
                  const char    *verb,
                  DassieRunInfo *input)
{
  g_autoptr(GPtrArray) runs = dassie_results_list (results_dir, verb, FALSE);

  for (guint i = 0; i < runs->len; i++)
    {
      DassieRunInfo *info = g_ptr_array_index (runs, i);
      g_autoptr(DassieRunSummary) summary = dassie_run_summary_read (info->path);

      if (summary == NULL)
        continue;
      if (summary->input_run != NULL ? g_str_equal (summary->input_run, input->path)
                                     : g_date_time_compare (info->time, input->time) >= 0)
        return g_strdup (info->path);
    }
  return NULL;
}

void
dassie_session_restore (DassieSession *self)
{
  g_autofree char *train = NULL;
  g_autofree char *infer = NULL;
  g_autofree char *scores = NULL;
  g_autofree char *umap = NULL;

  g_return_if_fail (DASSIE_IS_SESSION (self));

  train = dassie_results_find_latest (self->results_dir, "train");
  infer = dassie_results_find_latest (self->results_dir, "infer");
  if (infer != NULL)
    {
      g_autoptr(DassieRunInfo) info = dassie_run_info_parse (infer);

      scores = find_derived_run (self->results_dir, "scores", info);
      umap = find_derived_run (self->results_dir, "umap", info);
    }

  g_object_freeze_notify (G_OBJECT (self));
  dassie_session_set_run (self, "train", train);
  dassie_session_set_run (self, "infer", infer);
  dassie_session_set_run (self, "scores", scores);
  dassie_session_set_run (self, "umap", umap);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
dassie_session_finalize (GObject *object)
{
  DassieSession *self = DASSIE_SESSION (object);

  g_clear_pointer (&self->results_dir, g_free);
  g_clear_pointer (&self->data_folder, g_free);
  g_clear_pointer (&self->dataset, dassie_dataset_unref);
  for (guint i = 0; i < N_VERBS; i++)
    g_clear_pointer (&self->runs[i], g_free);

  G_OBJECT_CLASS (dassie_session_parent_class)->finalize (object);
}

static void
dassie_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DassieSession *self = DASSIE_SESSION (object);

  switch (prop_id)
    {
    case PROP_RESULTS_DIR:
      g_value_set_string (value, self->results_dir);
      break;
    case PROP_DATA_FOLDER:
      g_value_set_string (value, self->data_folder);
      break;
    case PROP_DATASET:
      g_value_set_boxed (value, self->dataset);
      break;
    case PROP_TRAIN_RUN:
    case PROP_INFER_RUN:
    case PROP_SCORES_RUN:
    case PROP_UMAP_RUN:
      g_value_set_string (value, self->runs[prop_id - PROP_TRAIN_RUN]);
      break;
    case PROP_EXPLORE_READY:
      g_value_set_boolean (value, dassie_session_get_explore_ready (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DassieSession *self = DASSIE_SESSION (object);

  switch (prop_id)
    {
    case PROP_RESULTS_DIR:
      dassie_session_set_results_dir (self, g_value_get_string (value));
      break;
    case PROP_TRAIN_RUN:
    case PROP_INFER_RUN:
    case PROP_SCORES_RUN:
    case PROP_UMAP_RUN:
      dassie_session_set_run (self, verbs[prop_id - PROP_TRAIN_RUN], g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dassie_session_class_init (DassieSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = dassie_session_finalize;
  object_class->get_property = dassie_session_get_property;
  object_class->set_property = dassie_session_set_property;

  properties[PROP_RESULTS_DIR] = g_param_spec_string ("results-dir", NULL, NULL, NULL, rw);
  properties[PROP_DATA_FOLDER] = g_param_spec_string ("data-folder", NULL, NULL, NULL, ro);
  properties[PROP_DATASET] = g_param_spec_boxed ("dataset", NULL, NULL, DASSIE_TYPE_DATASET, ro);
  properties[PROP_TRAIN_RUN] = g_param_spec_string ("train-run", NULL, NULL, NULL, rw);
  properties[PROP_INFER_RUN] = g_param_spec_string ("infer-run", NULL, NULL, NULL, rw);
  properties[PROP_SCORES_RUN] = g_param_spec_string ("scores-run", NULL, NULL, NULL, rw);
  properties[PROP_UMAP_RUN] = g_param_spec_string ("umap-run", NULL, NULL, NULL, rw);
  properties[PROP_EXPLORE_READY] = g_param_spec_boolean ("explore-ready", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RUNS_CHANGED] =
    g_signal_new ("runs-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
dassie_session_init (DassieSession *self)
{
}
