/* dassie-infer-page.c: the Infer page: latent vectors, anomaly scores and the map, as one chain
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "dassie-catalog.h"
#include "dassie-infer-page.h"
#include "dassie-infer.h"
#include "dassie-results.h"
#include "dassie-scores.h"
#include "dassie-table.h"
#include "dassie-umap.h"

typedef enum
{
  STEP_INFER,
  STEP_SCORES,
  STEP_UMAP,
  N_STEPS
} Step;

static const char * const step_verbs[N_STEPS] = { "infer", "scores", "umap" };

/* What a step's worker gets: everything copied, nothing shared with the page. */
typedef struct
{
  DassieConfig *config;
  char         *input_run;    /* infer: the train run; scores and UMAP: the infer run */
  DassieJob    *job;          /* not a reference: the job owns the request */
} StepRequest;

typedef struct
{
  char *run_dir;
  char *summary;              /* one line for the step's row */
} StepOutcome;

typedef gpointer (*StepFunc) (DassieJob     *job,
                              gpointer       data,
                              GCancellable  *cancellable,
                              GError       **error);

struct _DassieInferPage
{
  GtkWidget            parent_instance;

  AdwComboRow         *model_row;
  GtkStringList       *model_list;
  GtkSpinButton       *batch_spin;
  GtkSpinButton       *k_spin;
  AdwComboRow         *metric_row;
  GtkSpinButton       *neighbors_spin;
  GtkSpinButton       *min_dist_spin;
  GtkSpinButton       *umap_seed_spin;
  DassieRunList       *run_list;
  DassieErrorBanner   *banner;
  AdwActionRow        *rows[N_STEPS];
  GtkStack            *states[N_STEPS];
  GtkProgressBar      *progress[N_STEPS];
  GtkButton           *buttons[N_STEPS];
  GtkLabel            *map_label;
  DassieEmbeddingView *map_view;

  DassieSession       *session;
  GPtrArray           *model_paths;  /* the train runs in the model row, in its order */
  DassieJob           *job;
  Step                 step;
  gboolean             chain;
  char                *step_summaries[N_STEPS];

  DassieJob           *map_job;      /* reading the session's map and scores */
  float               *scores;       /* the session's scores in latents order, to colour the map */
  gsize                n_scores;
};

enum {
  FINISHED,
  JOB_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DassieInferPage, dassie_infer_page, GTK_TYPE_WIDGET)

static void
step_request_free (StepRequest *req)
{
  g_clear_pointer (&req->config, dassie_config_free);
  g_free (req->input_run);
  g_free (req);
}

static void
step_outcome_free (StepOutcome *outcome)
{
  g_free (outcome->run_dir);
  g_free (outcome->summary);
  g_free (outcome);
}

/* Worker: the latent vector of every object. */
static gpointer
infer_thread (DassieJob     *job,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  StepRequest *req = data;
  DassieInferResult result = { 0 };
  StepOutcome *outcome;

  if (!dassie_infer (req->config, req->input_run, cancellable, dassie_job_report, job, &result, error))
    {
      dassie_infer_result_clear (&result);
      return NULL;
    }
  outcome = g_new0 (StepOutcome, 1);
  outcome->run_dir = g_steal_pointer (&result.run_dir);
  outcome->summary = g_strdup_printf (_("%u objects × %u dimensions, %.0f objects/s"), result.n_objects,
                                      result.latent_dim, result.samples_per_second);
  dassie_infer_result_clear (&result);
  return outcome;
}

/* Worker: the k-NN anomaly score of every object. */
static gpointer
scores_thread (DassieJob     *job,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  StepRequest *req = data;
  DassieScoresResult result = { 0 };
  StepOutcome *outcome;

  if (!dassie_scores_run (req->config, req->input_run, cancellable, dassie_job_report, job, &result, error))
    {
      dassie_scores_result_clear (&result);
      return NULL;
    }
  outcome = g_new0 (StepOutcome, 1);
  outcome->run_dir = g_steal_pointer (&result.run_dir);
  outcome->summary = g_strdup_printf (result.used_hnsw ? _("%u objects, %u neighbours (%s, HNSW index), %.1f s")
                                                       : _("%u objects, %u neighbours (%s, exact), %.1f s"),
                                      result.n_objects, result.k, dassie_metric_to_string (result.metric),
                                      result.seconds);
  dassie_scores_result_clear (&result);
  return outcome;
}

/* Worker: hands every copy of the layout to the page, which draws the newest. */
static void
umap_progress (const DassieProgress *progress,
               gpointer              job)
{
  GBytes *embedding = ((const DassieUmapProgress *) progress)->embedding;

  dassie_job_report (progress, job);
  if (embedding != NULL)
    dassie_job_post (job, g_bytes_ref (embedding), (GDestroyNotify) g_bytes_unref);
}

/* Worker: the 2-D map of the latent space. */
static gpointer
umap_thread (DassieJob     *job,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  StepRequest *req = data;
  DassieUmapResult result = { 0 };
  StepOutcome *outcome;

  if (!dassie_umap_run (req->config, req->input_run, cancellable, umap_progress, job, &result, error))
    {
      dassie_umap_result_clear (&result);
      return NULL;
    }
  outcome = g_new0 (StepOutcome, 1);
  outcome->run_dir = g_steal_pointer (&result.run_dir);
  outcome->summary = g_strdup_printf (_("%u objects, %u epochs, %.1f s"), result.n_objects, result.info.n_epochs,
                                      result.seconds);
  dassie_umap_result_clear (&result);
  return outcome;
}

static const struct
{
  StepFunc    func;
  const char *job_title;
  const char *failure_title;
} steps[N_STEPS] = {
  { infer_thread, N_("Computing the latent vectors"), N_("The Latent Vectors Could Not Be Computed") },
  { scores_thread, N_("Scoring the objects"), N_("The Anomaly Scores Could Not Be Computed") },
  { umap_thread, N_("Mapping the latent space"), N_("The Map Could Not Be Computed") },
};

/* ------------------------------------------------------------------------------------------------
 * What the page shows */

static void
set_step_state (DassieInferPage *self,
                Step             step,
                const char      *state)
{
  gtk_stack_set_visible_child_name (self->states[step], state);
  gtk_widget_set_visible (GTK_WIDGET (self->progress[step]), g_str_equal (state, "running"));
}

/* Each row says whether its run exists and which one it is. */
static void
update_steps (DassieInferPage *self)
{
  for (guint i = 0; i < N_STEPS; i++)
    {
      const char *run = self->session != NULL ? dassie_session_get_run (self->session, step_verbs[i]) : NULL;
      gboolean running = self->job != NULL && self->step == i;
      g_autofree char *subtitle = NULL;

      if (running)
        continue;
      if (run != NULL)
        {
          g_autofree char *base = g_path_get_basename (run);

          subtitle = self->step_summaries[i] != NULL ? g_strdup_printf ("%s\n%s", base, self->step_summaries[i])
                                                     : g_strdup (base);
          set_step_state (self, i, "done");
        }
      else
        {
          subtitle = g_strdup (_("Not computed yet"));
          if (!g_str_equal (gtk_stack_get_visible_child_name (self->states[i]), "failed"))
            set_step_state (self, i, "todo");
        }
      adw_action_row_set_subtitle (self->rows[i], subtitle);
    }
}

static void
on_job_fraction (DassieJob       *job,
                 GParamSpec      *pspec,
                 DassieInferPage *self)
{
  double fraction = dassie_job_get_fraction (job);
  const char *message = dassie_job_get_message (job);

  if (job != self->job)
    return;
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress[self->step], fraction);
  else
    gtk_progress_bar_pulse (self->progress[self->step]);
  if (message != NULL)
    adw_action_row_set_subtitle (self->rows[self->step], message);
}

/* The train runs to choose from, newest first. @keep_choice keeps the run the user chose when it is
 * still there; otherwise the session's own is chosen. */
static void
fill_models (DassieInferPage *self,
             gboolean         keep_choice)
{
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *chosen = NULL;
  const char *current;
  guint selected = 0;
  guint n_old;

  if (self->session == NULL)
    return;

  chosen = g_strdup (keep_choice ? dassie_infer_page_get_model_run (self) : NULL);
  current = dassie_session_get_run (self->session, "train");
  runs = dassie_results_list (dassie_session_get_results_dir (self->session), "train", FALSE);
  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->model_list));
  g_ptr_array_set_size (self->model_paths, 0);

  {
    g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
    gboolean found_chosen = FALSE;

    for (guint i = 0; i < runs->len; i++)
      {
        DassieRunInfo *info = g_ptr_array_index (runs, i);
        g_autofree char *when = g_date_time_format (info->time, _("%e %b %Y, %H:%M:%S"));

        g_ptr_array_add (labels, g_strdup (g_strstrip (when)));
        g_ptr_array_add (self->model_paths, g_strdup (info->path));
        if (g_strcmp0 (info->path, chosen) == 0)
          {
            selected = i;
            found_chosen = TRUE;
          }
        else if (!found_chosen && g_strcmp0 (info->path, current) == 0)
          selected = i;
      }
    g_ptr_array_add (labels, NULL);
    gtk_string_list_splice (self->model_list, 0, n_old, (const char * const *) labels->pdata);
  }

  if (runs->len > 0)
    adw_combo_row_set_selected (self->model_row, selected);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->model_row),
                               runs->len > 0 ? _("A finished training run") : _("Train a model first"));
}

/* A new current model (trained or opened) is the one to infer with. */
static void
on_session_train_run (DassieInferPage *self)
{
  fill_models (self, FALSE);
}

static void
on_runs_changed (DassieInferPage *self)
{
  fill_models (self, TRUE);
}

/* ------------------------------------------------------------------------------------------------
 * The map */

typedef struct
{
  char *umap_run;
  char *scores_run;
} MapRequest;

typedef struct
{
  float *xy;        /* n × 2, or NULL without a map */
  float *values;    /* n scores in the map's order (or the scores' own order without a map), or NULL */
  gsize  n;
} MapData;

static void
map_request_free (MapRequest *req)
{
  g_free (req->umap_run);
  g_free (req->scores_run);
  g_free (req);
}

static void
map_data_free (MapData *data)
{
  g_free (data->xy);
  g_free (data->values);
  g_free (data);
}

/* Worker: the catalog of the scores joined with their map (Explore's join), or the map or the scores
 * alone; a map of other latent vectors than the scored ones is shown without colours. */
static gpointer
map_thread (DassieJob     *job,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  MapRequest *req = data;
  g_autoptr(DassieCatalog) catalog = NULL;
  MapData *map = g_new0 (MapData, 1);

  if (req->scores_run != NULL && req->umap_run != NULL &&
      !dassie_catalog_check_same_latents (req->scores_run, req->umap_run, NULL))
    g_clear_pointer (&req->scores_run, g_free);

  if (req->scores_run != NULL)
    {
      catalog = dassie_catalog_load (req->scores_run, req->umap_run, NULL, cancellable, error);
      if (catalog == NULL)
        {
          map_data_free (map);
          return NULL;
        }
      map->values = g_new (float, MAX (catalog->n, 1));
      if (catalog->umap_path != NULL)
        map->xy = g_new (float, 2 * MAX (catalog->n, 1));
      for (guint i = 0; i < catalog->n; i++)
        {
          if (map->xy != NULL && !(isfinite (catalog->x[i]) && isfinite (catalog->y[i])))
            continue;
          if (map->xy != NULL)
            {
              map->xy[2 * map->n] = catalog->x[i];
              map->xy[2 * map->n + 1] = catalog->y[i];
            }
          map->values[map->n++] = catalog->scores[i];
        }
    }
  else if (req->umap_run != NULL)
    {
      g_autofree char *path = g_build_filename (req->umap_run, "embedding.fits", NULL);
      g_auto(GStrv) ids = NULL;
      guint n = 0, dim = 0;

      if (!dassie_table_read_vectors (path, "UMAP", &ids, &n, &map->xy, &dim, error))
        {
          map_data_free (map);
          return NULL;
        }
      if (dim != 2)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” holds %u numbers per object, not the two of a map."), path, dim);
          map_data_free (map);
          return NULL;
        }
      map->n = n;
    }
  return map;
}

static void
map_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  DassieJob *job = DASSIE_JOB (object);
  g_autoptr(DassieInferPage) self = user_data;
  g_autoptr(GError) error = NULL;
  MapData *map = dassie_job_run_finish (job, result, &error);

  if (job != self->map_job || gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      g_clear_pointer (&map, map_data_free);
      return;
    }
  g_clear_object (&self->map_job);

  if (map == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dassie_error_banner_show_error (self->banner, _("The Map Cannot Be Shown"), error);
      return;
    }

  g_clear_pointer (&self->scores, g_free);
  self->n_scores = 0;
  if (map->values != NULL)
    {
      self->scores = g_memdup2 (map->values, map->n * sizeof (float));
      self->n_scores = map->n;
    }
  if (map->xy != NULL)
    {
      g_autofree char *base = g_path_get_basename (dassie_session_get_run (self->session, "umap"));
      g_autofree char *title = g_strdup_printf (_("Map · %s"), base);

      gtk_label_set_text (self->map_label, title);
      dassie_embedding_view_set_points (self->map_view, map->xy, map->n);
      dassie_embedding_view_set_values (self->map_view, map->values, map->n);
    }
  else if (self->job != NULL && self->step == STEP_UMAP)
    {
      /* Scores that arrive while the map is being optimised colour its frames. */
      if (map->n == dassie_embedding_view_get_n_points (self->map_view))
        dassie_embedding_view_set_values (self->map_view, map->values, map->n);
    }
  else
    {
      gtk_label_set_text (self->map_label, _("Map"));
      dassie_embedding_view_clear (self->map_view);
    }
  map_data_free (map);
}

/* Shows the session's map coloured by its scores (read on a worker); a map being optimised is left
 * to its own frames. */
static void
load_map (DassieInferPage *self)
{

  const char *umap_run = dassie_session_get_run (self->session, "umap");
  const char *scores_run = dassie_session_get_run (self->session, "scores");
  MapRequest *req;

  if (self->job != NULL && self->step == STEP_UMAP)
    return;

  if (self->map_job != NULL)
    dassie_job_cancel (self->map_job);
  g_clear_object (&self->map_job);
  g_clear_pointer (&self->scores, g_free);
  self->n_scores = 0;
  if (umap_run == NULL && scores_run == NULL)
    {
      gtk_label_set_text (self->map_label, _("Map"));
      dassie_embedding_view_clear (self->map_view);
      return;
    }

  req = g_new0 (MapRequest, 1);
  req->umap_run = g_strdup (umap_run);
  req->scores_run = g_strdup (scores_run);
  self->map_job = dassie_job_new (_("Reading the map"));
  dassie_job_run_async (self->map_job, map_thread, req, (GDestroyNotify) map_request_free,
                        (GDestroyNotify) map_data_free, map_done, g_object_ref (self));
}

/* A frame of the optimisation: the layout so far, in the colours of the scores when they fit. */
static void
on_umap_payload (DassieJob       *job,
                 GBytes          *embedding,
                 DassieInferPage *self)
{
  gsize size;
  const float *xy = g_bytes_get_data (embedding, &size);
  gsize n = size / (2 * sizeof (float));

  if (job != self->job)
    return;
  dassie_embedding_view_set_points (self->map_view, xy, n);
  if (self->scores != NULL && self->n_scores == n)
    dassie_embedding_view_set_values (self->map_view, self->scores, n);
}

/* ------------------------------------------------------------------------------------------------
 * Jobs */

DassieConfig *
dassie_infer_page_build_config (DassieInferPage *self)
{
  DassieConfig *config;

  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);

  config = dassie_config_new ();
  if (self->session != NULL)
    {
      dassie_config_set_string (config, "general.results_dir", dassie_session_get_results_dir (self->session));
      if (dassie_session_get_data_folder (self->session) != NULL)
        dassie_config_set_data_location (config, NULL, dassie_session_get_data_folder (self->session));
    }
  dassie_config_set_int (config, "infer.batch_size", gtk_spin_button_get_value_as_int (self->batch_spin));
  dassie_config_set_int (config, "scores.k", gtk_spin_button_get_value_as_int (self->k_spin));
  dassie_config_set_string (config, "scores.metric",
                            dassie_metric_to_string (MIN (adw_combo_row_get_selected (self->metric_row),
                                                          DASSIE_METRIC_COSINE)));
  dassie_config_set_int (config, "umap.n_neighbors", gtk_spin_button_get_value_as_int (self->neighbors_spin));
  dassie_config_set_double (config, "umap.min_dist", gtk_spin_button_get_value (self->min_dist_spin));
  dassie_config_set_int (config, "umap.seed", (gint64) gtk_spin_button_get_value (self->umap_seed_spin));
  return config;
}

const char *
dassie_infer_page_get_model_run (DassieInferPage *self)
{
  guint selected;

  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);

  selected = adw_combo_row_get_selected (self->model_row);
  if (selected >= self->model_paths->len)
    return NULL;
  return g_ptr_array_index (self->model_paths, selected);
}

static gboolean start_step (DassieInferPage *self,
                            Step             step);

static void
step_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  DassieJob *job = DASSIE_JOB (object);
  g_autoptr(DassieInferPage) self = user_data;
  g_autoptr(GError) error = NULL;
  StepOutcome *outcome = dassie_job_run_finish (job, result, &error);
  Step step = self->step;
  gboolean success = outcome != NULL;
  gboolean next = FALSE;

  if (job != self->job || gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      g_clear_pointer (&outcome, step_outcome_free);
      return;
    }
  g_clear_object (&self->job);

  if (outcome != NULL)
    {
      g_free (self->step_summaries[step]);
      self->step_summaries[step] = g_steal_pointer (&outcome->summary);
      set_step_state (self, step, "done");
      if (self->session != NULL)
        dassie_session_set_run (self->session, step_verbs[step], outcome->run_dir);
      next = self->chain && step + 1 < N_STEPS;
      step_outcome_free (outcome);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_step_state (self, step, "todo");
      dassie_error_banner_show (self->banner, DASSIE_BANNER_INFO, _("Stopped"),
                                _("Nothing was kept of the step that was stopped."), NULL, NULL, NULL);
    }
  else
    {
      set_step_state (self, step, "failed");
      dassie_error_banner_show_error (self->banner, _(steps[step].failure_title), error);
    }

  update_steps (self);
  if (self->session != NULL)
    dassie_session_runs_changed (self->session);

  if (next && start_step (self, step + 1))
    return;
  g_signal_emit (self, signals[FINISHED], 0, success);
}

static gboolean
start_step (DassieInferPage *self,
            Step             step)
{
  g_autoptr(DassieJob) job = NULL;
  StepRequest *req;
  const char *input;

  if (step == STEP_INFER)
    {
      input = dassie_infer_page_get_model_run (self);
      if (input == NULL)
        {
          dassie_error_banner_show (self->banner, DASSIE_BANNER_ERROR, _("No Trained Model"),
                                    _("The latent vectors come from a trained model: train one on the Train page first."),
                                    _("_Train a Model"), "win.train", NULL);
          return FALSE;
        }
      if (self->session == NULL || dassie_session_get_data_folder (self->session) == NULL)
        {
          dassie_error_banner_show (self->banner, DASSIE_BANNER_ERROR, _("No Data Set"),
                                    _("Open the data set to infer on, on the Data page."),
                                    _("_Open Folder…"), "win.open-folder", NULL);
          return FALSE;
        }
    }
  else
    {
      input = self->session != NULL ? dassie_session_get_run (self->session, "infer") : NULL;
      if (input == NULL)
        {
          dassie_error_banner_show (self->banner, DASSIE_BANNER_ERROR, _("No Latent Vectors"),
                                    _("Scores and the map are computed from the latent vectors: compute them first."),
                                    _("_Compute Them"), "win.run-step", g_variant_new_string ("infer"));
          return FALSE;
        }
    }
  job = dassie_job_new (_(steps[step].job_title));

  req = g_new0 (StepRequest, 1);
  req->config = dassie_infer_page_build_config (self);
  req->input_run = g_strdup (input);
  req->job = job;

  dassie_error_banner_dismiss (self->banner);
  g_set_object (&self->job, job);
  self->step = step;
  gtk_progress_bar_set_fraction (self->progress[step], 0);
  set_step_state (self, step, "running");
  adw_action_row_set_subtitle (self->rows[step], _("Starting"));
  g_signal_connect_object (job, "notify::fraction", G_CALLBACK (on_job_fraction), self, 0);
  g_signal_connect_object (job, "notify::message", G_CALLBACK (on_job_fraction), self, 0);
  if (step == STEP_UMAP)
    {
      g_signal_connect_object (job, "payload", G_CALLBACK (on_umap_payload), self, 0);
      gtk_label_set_text (self->map_label, _("Map · being optimised"));
    }
  g_signal_emit (self, signals[JOB_STARTED], 0, job);
  dassie_job_run_async (job, steps[step].func, req, (GDestroyNotify) step_request_free,
                        (GDestroyNotify) step_outcome_free, step_done, g_object_ref (self));
  return TRUE;
}

DassieJob *
dassie_infer_page_run (DassieInferPage *self,
                       const char      *verb,
                       gboolean         chain)
{
  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);
  g_return_val_if_fail (verb != NULL, NULL);

  if (self->job != NULL)
    return NULL;
  for (guint i = 0; i < N_STEPS; i++)
    if (g_str_equal (verb, step_verbs[i]))
      {
        self->chain = chain;
        return start_step (self, i) ? self->job : NULL;
      }
  g_return_val_if_reached (NULL);
}

static void
on_session_runs (DassieInferPage *self)
{
  /* A new infer run makes the old scores and map summaries stale. */
  for (guint i = 0; i < N_STEPS; i++)
    if (dassie_session_get_run (self->session, step_verbs[i]) == NULL)
      g_clear_pointer (&self->step_summaries[i], g_free);
  update_steps (self);
}

static void
on_session_map (DassieInferPage *self)
{
  on_session_runs (self);
  load_map (self);
}

void
dassie_infer_page_set_session (DassieInferPage *self,
                               DassieSession   *session)
{
  const char * const verbs[] = { "infer", "scores", "umap", NULL };

  g_return_if_fail (DASSIE_IS_INFER_PAGE (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::infer-run", G_CALLBACK (on_session_runs), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::scores-run", G_CALLBACK (on_session_map), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::umap-run", G_CALLBACK (on_session_map), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::train-run", G_CALLBACK (on_session_train_run), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "runs-changed", G_CALLBACK (on_runs_changed), self, G_CONNECT_SWAPPED);
  dassie_run_list_set_verbs (self->run_list, verbs);
  dassie_run_list_set_session (self->run_list, session);
  fill_models (self, FALSE);
  update_steps (self);
  load_map (self);
}

DassieJob *
dassie_infer_page_get_job (DassieInferPage *self)
{
  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);
  return self->job;
}

const char *
dassie_infer_page_get_step_state (DassieInferPage *self,
                                  const char      *verb)
{
  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);

  for (guint i = 0; i < N_STEPS; i++)
    if (g_strcmp0 (verb, step_verbs[i]) == 0)
      return gtk_stack_get_visible_child_name (self->states[i]);
  g_return_val_if_reached (NULL);
}

DassieErrorBanner *
dassie_infer_page_get_banner (DassieInferPage *self)
{
  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);
  return self->banner;
}

DassieEmbeddingView *
dassie_infer_page_get_map_view (DassieInferPage *self)
{
  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);
  return self->map_view;
}

const char *
dassie_infer_page_get_map_title (DassieInferPage *self)
{
  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);
  return gtk_label_get_text (self->map_label);
}

DassieRunList *
dassie_infer_page_get_run_list (DassieInferPage *self)
{
  g_return_val_if_fail (DASSIE_IS_INFER_PAGE (self), NULL);
  return self->run_list;
}

static void
dassie_infer_page_dispose (GObject *object)
{
  DassieInferPage *self = DASSIE_INFER_PAGE (object);
  GtkWidget *child;

  if (self->job != NULL)
    dassie_job_cancel (self->job);
  g_clear_object (&self->job);
  if (self->map_job != NULL)
    dassie_job_cancel (self->map_job);
  g_clear_object (&self->map_job);
  gtk_widget_dispose_template (GTK_WIDGET (self), DASSIE_TYPE_INFER_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (dassie_infer_page_parent_class)->dispose (object);
}

static void
dassie_infer_page_finalize (GObject *object)
{
  DassieInferPage *self = DASSIE_INFER_PAGE (object);

  g_clear_pointer (&self->model_paths, g_ptr_array_unref);
  g_clear_pointer (&self->scores, g_free);
  for (guint i = 0; i < N_STEPS; i++)
    g_clear_pointer (&self->step_summaries[i], g_free);

  G_OBJECT_CLASS (dassie_infer_page_parent_class)->finalize (object);
}

static void
dassie_infer_page_class_init (DassieInferPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_infer_page_dispose;
  object_class->finalize = dassie_infer_page_finalize;

  /* Emitted when a step, or the last step of a chain, stops: TRUE when it finished. */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* Emitted as each step's job starts, the steps of a chain included, so that the window can show it. */
  signals[JOB_STARTED] =
    g_signal_new ("job-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, DASSIE_TYPE_JOB);

  g_type_ensure (DASSIE_TYPE_EMBEDDING_VIEW);
  g_type_ensure (DASSIE_TYPE_ERROR_BANNER);
  g_type_ensure (DASSIE_TYPE_RUN_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-infer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, model_row);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, model_list);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, k_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, metric_row);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, neighbors_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, min_dist_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, umap_seed_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, run_list);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, banner);
  gtk_widget_class_bind_template_child_full (widget_class, "infer_row", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, rows[STEP_INFER]));
  gtk_widget_class_bind_template_child_full (widget_class, "scores_row", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, rows[STEP_SCORES]));
  gtk_widget_class_bind_template_child_full (widget_class, "umap_row", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, rows[STEP_UMAP]));
  gtk_widget_class_bind_template_child_full (widget_class, "infer_state", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, states[STEP_INFER]));
  gtk_widget_class_bind_template_child_full (widget_class, "scores_state", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, states[STEP_SCORES]));
  gtk_widget_class_bind_template_child_full (widget_class, "umap_state", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, states[STEP_UMAP]));
  gtk_widget_class_bind_template_child_full (widget_class, "infer_progress", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, progress[STEP_INFER]));
  gtk_widget_class_bind_template_child_full (widget_class, "scores_progress", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, progress[STEP_SCORES]));
  gtk_widget_class_bind_template_child_full (widget_class, "umap_progress", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, progress[STEP_UMAP]));
  gtk_widget_class_bind_template_child_full (widget_class, "infer_button", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, buttons[STEP_INFER]));
  gtk_widget_class_bind_template_child_full (widget_class, "scores_button", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, buttons[STEP_SCORES]));
  gtk_widget_class_bind_template_child_full (widget_class, "umap_button", FALSE,
                                             G_STRUCT_OFFSET (DassieInferPage, buttons[STEP_UMAP]));
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, map_label);
  gtk_widget_class_bind_template_child (widget_class, DassieInferPage, map_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dassie_infer_page_init (DassieInferPage *self)
{
  g_autoptr(GtkStringList) metrics = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The core's metrics, in DassieMetric order, so the row's position is the metric. */
  for (guint i = 0; dassie_metric_names ()[i] != NULL; i++)
    gtk_string_list_append (metrics, dassie_metric_get_label (i));
  adw_combo_row_set_model (self->metric_row, G_LIST_MODEL (metrics));

  self->model_paths = g_ptr_array_new_with_free_func (g_free);
  dassie_embedding_view_set_placeholder (self->map_view,
                                         _("The map of the latent space appears here, and moves as UMAP "
                                           "optimises it."));
}
