/* dassie-train-page.c: the Train page: model and training settings, the live loss, reconstructions
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "dassie-autoencoder.h"
#include "dassie-cutout-render.h"
#include "dassie-optim.h"
#include "dassie-reconstruction.h"
#include "dassie-run-summary.h"
#include "dassie-train-page.h"
#include "dassie-train.h"
#include "dassie-train-recipe.h"

/* Validation objects shown beside their reconstructions. */
#define N_RECONSTRUCTIONS 8
/* The loss chart is refreshed at most this often (µs); epoch ends always are. */
#define POST_INTERVAL (G_USEC_PER_SEC / 20)

#define IDLE_PLACEHOLDER N_("The loss curve appears here while the model trains. Press Train (Ctrl+Enter) to start.")

struct _DassieTrainPage
{
  GtkWidget          parent_instance;

  AdwActionRow      *data_row;
  AdwComboRow       *preset_row;
  AdwComboRow       *normalization_row;
  GtkSwitch         *augment_switch;
  AdwComboRow       *schedule_row;
  GtkSpinButton     *patience_spin;
  GtkSpinButton     *validation_spin;
  GtkSpinButton     *channels_spin;
  GtkSpinButton     *latent_spin;
  AdwComboRow       *activation_row;
  GtkSpinButton     *epochs_spin;
  GtkSpinButton     *batch_spin;
  AdwComboRow       *optimizer_row;
  GtkSpinButton     *lr_spin;
  AdwActionRow      *momentum_row;
  GtkSpinButton     *momentum_spin;
  GtkSpinButton     *seed_spin;
  GtkButton         *train_button;
  GtkButton         *stop_button;
  DassieRunList     *run_list;
  DassieErrorBanner *banner;
  GtkLabel          *epoch_label;
  GtkLabel          *train_loss_label;
  GtkLabel          *val_loss_label;
  GtkLabel          *rate_label;
  GtkLabel          *eta_title;
  GtkLabel          *eta_label;
  GtkLabel          *run_label;
  DassieLossChart   *chart;
  GtkLabel          *recon_status;
  GtkGrid           *recon_grid;

  DassieSession     *session;
  DassieJob         *job;           /* the training in progress */
  struct TrainTask  *task;          /* its shared state; owned by the job */
  DassieJob         *recon_job;     /* reconstructions of an opened run */
  char              *shown_run;
  gboolean           shown_has_reconstructions;
  guint              n_reconstructions;
  gboolean           applying;      /* dassie_train_page_apply_config is setting the fields */
};

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DassieTrainPage, dassie_train_page, GTK_TYPE_WIDGET)

/* What the worker shares with the page. The worker alone writes the history; the page sees copies. */
typedef struct TrainTask
{
  DassieConfig      *config;
  DassieDataset     *dataset;       /* the session's, for the reconstructions; may be NULL */
  char              *resume_dir;
  DassieJob         *job;           /* not a reference: the job owns the task */

  GArray            *batch_x;
  GArray            *batch_loss;
  GArray            *val_x;
  GArray            *val_loss;
  gint64             last_post;

  DassieTrainResult  result;        /* complete when the job has finished */
} TrainTask;

/* A copy of the history and the latest figures, for the main thread. */
typedef struct
{
  double *batch_x;
  double *batch_loss;
  gsize   n_batches;
  double *val_x;
  double *val_loss;
  gsize   n_val;
  guint   epoch;
  guint   n_epochs;
  double  train_loss;
  double  validation_loss;
  double  samples_per_second;
  double  eta_seconds;
  double  baseline_loss;
} TrainSnapshot;

/* A run's reconstructions and their pictures, drawn on the worker. */
typedef struct
{
  DassieReconstructions *data;
  GdkTexture           **inputs;          /* data->n */
  GdkTexture           **reconstructions; /* data->n, with the input's display limits */
} ReconPictures;

typedef struct
{
  char          *run_dir;
  double         seconds;
  double         samples_per_second;
  ReconPictures *reconstructions;
  char          *reconstruction_error;
} TrainOutcome;

static void
recon_pictures_free (ReconPictures *r)
{
  for (guint i = 0; i < r->data->n; i++)
    {
      g_clear_object (&r->inputs[i]);
      g_clear_object (&r->reconstructions[i]);
    }
  g_free (r->inputs);
  g_free (r->reconstructions);
  dassie_reconstructions_free (r->data);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReconPictures, recon_pictures_free)

/* Worker: the run's reconstructions, made into textures. */
static ReconPictures *
reconstruct (const char     *run_dir,
             DassieDataset  *dataset,
             GCancellable   *cancellable,
             GError        **error)
{
  DassieReconstructions *data = dassie_reconstruct (run_dir, dataset, N_RECONSTRUCTIONS, cancellable, error);
  ReconPictures *r;

  if (data == NULL)
    return NULL;
  r = g_new0 (ReconPictures, 1);
  r->data = data;
  r->inputs = g_new0 (GdkTexture *, MAX (data->n, 1));
  r->reconstructions = g_new0 (GdkTexture *, MAX (data->n, 1));
  for (guint i = 0; i < data->n; i++)
    {
      r->inputs[i] = dassie_texture_new_for_surface (
        dassie_display_render_surface (dassie_reconstructions_get_input (data, i), data->n_bands,
                                       data->width, data->height, &data->display[i]));
      r->reconstructions[i] = dassie_texture_new_for_surface (
        dassie_display_render_surface (dassie_reconstructions_get_output (data, i), data->n_bands,
                                       data->width, data->height, &data->display[i]));
    }
  return r;
}

static void
train_task_free (TrainTask *task)
{
  g_clear_pointer (&task->config, dassie_config_free);
  g_clear_pointer (&task->dataset, dassie_dataset_unref);
  g_clear_pointer (&task->resume_dir, g_free);
  g_clear_pointer (&task->batch_x, g_array_unref);
  g_clear_pointer (&task->batch_loss, g_array_unref);
  g_clear_pointer (&task->val_x, g_array_unref);
  g_clear_pointer (&task->val_loss, g_array_unref);
  dassie_train_result_clear (&task->result);
  g_free (task);
}

static void
train_snapshot_free (TrainSnapshot *snapshot)
{
  g_free (snapshot->batch_x);
  g_free (snapshot->batch_loss);
  g_free (snapshot->val_x);
  g_free (snapshot->val_loss);
  g_free (snapshot);
}

static void
train_outcome_free (TrainOutcome *outcome)
{
  g_free (outcome->run_dir);
  g_clear_pointer (&outcome->reconstructions, recon_pictures_free);
  g_free (outcome->reconstruction_error);
  g_free (outcome);
}

static double *
copy_array (GArray *array)
{
  return g_memdup2 (array->data, (gsize) array->len * sizeof (double));
}

/* Worker: posts a copy of everything so far; the newest post wins if the page is behind. */
static void
post_snapshot (TrainTask                 *task,
               const DassieTrainProgress *p)
{
  TrainSnapshot *s = g_new0 (TrainSnapshot, 1);

  s->batch_x = copy_array (task->batch_x);
  s->batch_loss = copy_array (task->batch_loss);
  s->n_batches = task->batch_x->len;
  s->val_x = copy_array (task->val_x);
  s->val_loss = copy_array (task->val_loss);
  s->n_val = task->val_x->len;
  s->epoch = p != NULL ? p->epoch : 0;
  s->n_epochs = p != NULL ? p->n_epochs : 0;
  s->train_loss = p != NULL ? p->train_loss : NAN;
  s->validation_loss = task->val_loss->len > 0 ? g_array_index (task->val_loss, double, task->val_loss->len - 1) : NAN;
  s->samples_per_second = p != NULL ? p->base.rate : -1;
  s->eta_seconds = p != NULL ? p->base.eta_seconds : -1;
  s->baseline_loss = p != NULL ? p->baseline_loss : NAN;
  dassie_job_post (task->job, s, (GDestroyNotify) train_snapshot_free);
  task->last_post = g_get_monotonic_time ();
}

static void
append_point (GArray *xs,
              GArray *ys,
              double  x,
              double  y)
{
  g_array_append_val (xs, x);
  g_array_append_val (ys, y);
}

/* Worker: called after every batch and every epoch. */
static void
train_progress (const DassieProgress *progress,
                gpointer              user_data)
{
  const DassieTrainProgress *p = (const DassieTrainProgress *) progress;
  TrainTask *task = user_data;

  dassie_job_report (&p->base, task->job);
  if (g_strcmp0 (p->base.stage, "train") != 0)
    return;

  if (p->epoch_done)
    {
      if (isfinite (p->validation_loss))
        append_point (task->val_x, task->val_loss, p->epoch, p->validation_loss);
    }
  else
    append_point (task->batch_x, task->batch_loss,
                  p->epoch - 1 + (double) p->batch / MAX (p->n_batches, 1), p->batch_loss);

  if (p->epoch_done || g_get_monotonic_time () - task->last_post >= POST_INTERVAL)
    post_snapshot (task, p);
}

/* Worker: a resumed run starts its curve with the epochs it already has. */
static void
prefill_history (TrainTask *task)
{
  g_autoptr(DassieTrainMetrics) metrics = NULL;

  if (task->resume_dir == NULL)
    return;
  metrics = dassie_train_metrics_read (task->resume_dir, NULL);
  if (metrics == NULL)
    return;
  for (guint i = 0; i < metrics->n; i++)
    {
      append_point (task->batch_x, task->batch_loss, metrics->epoch[i] - 0.5, metrics->train_loss[i]);
      if (isfinite (metrics->validation_loss[i]))
        append_point (task->val_x, task->val_loss, metrics->epoch[i], metrics->validation_loss[i]);
    }
  if (metrics->n > 0)
    post_snapshot (task, NULL);
}

static gpointer
train_thread (DassieJob     *job,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  TrainTask *task = data;
  TrainOutcome *outcome;
  g_autoptr(GError) recon_error = NULL;

  prefill_history (task);
  if (!dassie_train (task->config, cancellable, train_progress, task, &task->result, error))
    return NULL;

  outcome = g_new0 (TrainOutcome, 1);
  outcome->run_dir = g_strdup (task->result.run_dir);
  outcome->seconds = task->result.seconds;
  outcome->samples_per_second = task->result.samples_per_second;

  /* What the model learned, while the worker is still ours. A failure here spoils nothing. */
  {
    DassieProgress p = { "reconstruct", -1, -1, -1, _("Reconstructing validation objects") };
    dassie_job_report (&p, job);
  }
  outcome->reconstructions = reconstruct (outcome->run_dir, task->dataset, cancellable, &recon_error);
  if (outcome->reconstructions == NULL)
    outcome->reconstruction_error = g_strdup (recon_error->message);
  return outcome;
}

/* ------------------------------------------------------------------------------------------------
 * What the page shows */

static void
set_statistic (GtkLabel   *label,
               const char *text)
{
  gtk_label_set_text (label, text != NULL && *text != 0 ? text : "—");
}

static void
set_loss_statistic (GtkLabel *label,
                    double    value)
{
  g_autofree char *text = isfinite (value) ? g_strdup_printf ("%.5f", value) : NULL;
  set_statistic (label, text);
}

static void
clear_statistics (DassieTrainPage *self)
{
  set_statistic (self->epoch_label, NULL);
  set_statistic (self->train_loss_label, NULL);
  set_statistic (self->val_loss_label, NULL);
  set_statistic (self->rate_label, NULL);
  set_statistic (self->eta_label, NULL);
  gtk_label_set_text (self->eta_title, _("Time Left"));
}

static void
clear_reconstructions (DassieTrainPage *self,
                       const char      *status)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recon_grid))) != NULL)
    gtk_grid_remove (self->recon_grid, child);
  self->n_reconstructions = 0;
  gtk_label_set_text (self->recon_status, status);
  gtk_widget_set_visible (GTK_WIDGET (self->recon_status), status != NULL);
}

static GtkWidget *
cutout_picture (GdkTexture *texture,
                const char *tooltip)
{
  GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));

  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_size_request (picture, 96, 96);
  gtk_widget_set_tooltip_text (picture, tooltip);
  gtk_widget_add_css_class (picture, "cutout");
  return picture;
}

static void
show_reconstructions (DassieTrainPage *self,
                      ReconPictures   *pictures)
{
  DassieReconstructions *r = pictures->data;
  GtkWidget *label;

  clear_reconstructions (self, NULL);
  label = gtk_label_new (_("Input"));
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_grid_attach (self->recon_grid, label, 0, 0, 1, 1);
  label = gtk_label_new (_("Reconstruction"));
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_grid_attach (self->recon_grid, label, 0, 1, 1, 1);

  for (guint i = 0; i < r->n; i++)
    {
      g_autofree char *caption = g_strdup_printf (_("MSE %.4f"), r->errors[i]);
      g_autofree char *tip = g_strdup_printf (_("Object %s: mean squared error %.5f"), r->object_ids[i], r->errors[i]);

      gtk_grid_attach (self->recon_grid, cutout_picture (pictures->inputs[i], tip), (int) i + 1, 0, 1, 1);
      gtk_grid_attach (self->recon_grid, cutout_picture (pictures->reconstructions[i], tip), (int) i + 1, 1, 1, 1);
      label = gtk_label_new (caption);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->recon_grid, label, (int) i + 1, 2, 1, 1);
    }
  self->n_reconstructions = r->n;
  if (r->n == 0)
    clear_reconstructions (self, _("This run has no validation objects to show."));
}

static void
set_shown_run (DassieTrainPage *self,
               const char      *run_dir)
{
  g_autofree char *base = run_dir != NULL ? g_path_get_basename (run_dir) : NULL;
  g_autofree char *title = NULL;

  if (run_dir != self->shown_run)
    {
      g_free (self->shown_run);
      self->shown_run = g_strdup (run_dir);
    }
  self->shown_has_reconstructions = FALSE;
  title = base != NULL ? g_strdup_printf (_("Loss · %s"), base) : g_strdup (_("Loss"));
  gtk_label_set_text (self->run_label, title);
}

static void
on_payload (DassieJob       *job,
            TrainSnapshot   *s,
            DassieTrainPage *self)
{
  if (job != self->job)
    return;

  dassie_loss_chart_set_data (self->chart, s->batch_x, s->batch_loss, s->n_batches, s->val_x, s->val_loss, s->n_val);
  if (isfinite (s->baseline_loss))
    dassie_loss_chart_set_baseline (self->chart, s->baseline_loss);

  if (s->epoch > 0)
    {
      g_autofree char *epoch = g_strdup_printf ("%u / %u", s->epoch, s->n_epochs);
      g_autofree char *rate = s->samples_per_second >= 0 ? g_strdup_printf ("%.0f", s->samples_per_second) : NULL;
      g_autofree char *eta = s->eta_seconds >= 0 ? dassie_format_duration (s->eta_seconds) : NULL;

      set_statistic (self->epoch_label, epoch);
      set_loss_statistic (self->train_loss_label, s->train_loss);
      set_statistic (self->rate_label, rate);
      set_statistic (self->eta_label, eta);
    }
  set_loss_statistic (self->val_loss_label, s->validation_loss);
}

/* Shows a run's curve from metrics.jsonl (one point per epoch) and its final figures. */
static gboolean
show_metrics (DassieTrainPage  *self,
              const char       *run_dir,
              GError          **error)
{
  g_autoptr(DassieTrainMetrics) m = dassie_train_metrics_read (run_dir, error);
  g_autoptr(DassieRunSummary) summary = NULL;
  g_autofree double *x = NULL;

  if (m == NULL)
    return FALSE;

  x = g_new (double, MAX (m->n, 1));
  for (guint i = 0; i < m->n; i++)
    x[i] = m->epoch[i] - 0.5;
  dassie_loss_chart_set_data (self->chart, x, m->train_loss, m->n, m->epoch, m->validation_loss, m->n);
  dassie_loss_chart_set_baseline (self->chart, m->baseline_loss);

  clear_statistics (self);
  summary = dassie_run_summary_read (run_dir);
  if (summary != NULL && m->n > 0)
    {
      g_autofree char *epoch = g_strdup_printf ("%u / %u", summary->epochs_done, summary->n_epochs);
      set_statistic (self->epoch_label, epoch);
      set_loss_statistic (self->train_loss_label, summary->train_loss);
      set_loss_statistic (self->val_loss_label, summary->validation_loss);
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------
 * Settings */

static guint
index_of (const char * const *names,
          const char         *name)
{
  for (guint i = 0; names[i] != NULL && name != NULL; i++)
    if (g_ascii_strcasecmp (names[i], name) == 0)
      return i;
  return 0;
}

/* The name the combo row shows, or the first when nothing is selected. */
static const char *
selected_name (AdwComboRow        *row,
               const char * const *names)
{
  guint selected = adw_combo_row_get_selected (row);

  return selected < g_strv_length ((char **) names) ? names[selected] : names[0];
}

static const char * const schedule_names[] = { "constant", "cosine", "step", NULL };

DassieConfig *
dassie_train_page_build_config (DassieTrainPage *self)
{
  DassieConfig *config;
  double validation;
  gint64 seed;

  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);

  config = dassie_config_new ();
  /* The preset first: the fields override its keys, and the keys without a field come from it. */
  dassie_config_apply_preset (config, selected_name (self->preset_row, dassie_train_preset_names ()), NULL);
  if (self->session != NULL)
    {
      dassie_config_set_string (config, "general.results_dir", dassie_session_get_results_dir (self->session));
      if (dassie_session_get_data_folder (self->session) != NULL)
        dassie_config_set_data_location (config, NULL, dassie_session_get_data_folder (self->session));
    }

  dassie_config_set_int (config, "model.base_channel_size", gtk_spin_button_get_value_as_int (self->channels_spin));
  dassie_config_set_int (config, "model.latent_dim", gtk_spin_button_get_value_as_int (self->latent_spin));
  dassie_config_set_string (config, "model.final_layer",
                            selected_name (self->activation_row, dassie_autoencoder_final_layer_names ()));
  dassie_config_set_int (config, "train.epochs", gtk_spin_button_get_value_as_int (self->epochs_spin));
  dassie_config_set_int (config, "data_loader.batch_size", gtk_spin_button_get_value_as_int (self->batch_spin));
  dassie_config_set_string (config, "optimizer.name",
                            selected_name (self->optimizer_row, dassie_optimizer_names ()));
  dassie_config_set_double (config, "optimizer.lr", gtk_spin_button_get_value (self->lr_spin));
  dassie_config_set_double (config, "optimizer.momentum", gtk_spin_button_get_value (self->momentum_spin));
  seed = (gint64) gtk_spin_button_get_value (self->seed_spin);
  dassie_config_set_int (config, "train.seed", seed);
  dassie_config_set_int (config, "data_set.seed", seed);
  dassie_config_set_string (config, "data_set.normalization",
                            selected_name (self->normalization_row, dassie_normalization_names ()));
  dassie_config_set_boolean (config, "train.augment", gtk_switch_get_active (self->augment_switch));
  dassie_config_set_string (config, "train.lr_schedule", selected_name (self->schedule_row, schedule_names));
  dassie_config_set_int (config, "train.early_stopping.patience", gtk_spin_button_get_value_as_int (self->patience_spin));

  /* Round to the spin button's two digits so 0.8 + 0.2 stays exactly 1. */
  validation = round (gtk_spin_button_get_value (self->validation_spin) * 100) / 100;
  dassie_config_set_double (config, "data_request.train.data.split_fraction", round ((1 - validation) * 100) / 100);
  dassie_config_set_double (config, "data_request.validate.data.split_fraction", validation);
  return config;
}

void
dassie_train_page_apply_config (DassieTrainPage    *self,
                                const DassieConfig *config)
{
  g_autoptr(GPtrArray) validate = NULL;
  const char *preset;

  g_return_if_fail (DASSIE_IS_TRAIN_PAGE (self));
  g_return_if_fail (config != NULL);

  self->applying = TRUE;
  /* A run made before presets existed used the built-in defaults, Hyrax's. */
  preset = dassie_config_get_string (config, "train.preset");
  adw_combo_row_set_selected (self->preset_row,
                              index_of (dassie_train_preset_names (), preset[0] != 0 ? preset : "hyrax"));
  adw_combo_row_set_selected (self->normalization_row,
                              index_of (dassie_normalization_names (),
                                        dassie_config_get_string (config, "data_set.normalization")));
  gtk_switch_set_active (self->augment_switch, dassie_config_get_boolean (config, "train.augment"));
  adw_combo_row_set_selected (self->schedule_row,
                              index_of (schedule_names, dassie_config_get_string (config, "train.lr_schedule")));
  gtk_spin_button_set_value (self->patience_spin, dassie_config_get_int (config, "train.early_stopping.patience"));
  gtk_spin_button_set_value (self->channels_spin, dassie_config_get_int (config, "model.base_channel_size"));
  gtk_spin_button_set_value (self->latent_spin, dassie_config_get_int (config, "model.latent_dim"));
  adw_combo_row_set_selected (self->activation_row,
                              index_of (dassie_autoencoder_final_layer_names (),
                                        dassie_config_get_string (config, "model.final_layer")));
  gtk_spin_button_set_value (self->epochs_spin, dassie_config_get_int (config, "train.epochs"));
  gtk_spin_button_set_value (self->batch_spin, dassie_config_get_int (config, "data_loader.batch_size"));
  /* The optimizer first: choosing it proposes its usual learning rate, which the config overrides. */
  adw_combo_row_set_selected (self->optimizer_row,
                              index_of (dassie_optimizer_names (),
                                        dassie_config_get_string (config, "optimizer.name")));
  gtk_spin_button_set_value (self->lr_spin, dassie_config_get_double (config, "optimizer.lr"));
  gtk_spin_button_set_value (self->momentum_spin, dassie_config_get_double (config, "optimizer.momentum"));
  gtk_spin_button_set_value (self->seed_spin, dassie_config_get_int (config, "train.seed"));

  validate = dassie_config_get_data_requests (config, "validate");
  if (validate->len > 0)
    {
      double fraction = ((DassieDataRequest *) g_ptr_array_index (validate, 0))->split_fraction;
      gtk_spin_button_set_value (self->validation_spin, MAX (fraction, 0));
    }
  self->applying = FALSE;
}

/* Choosing a preset sets the fields it has keys for; the others (data, validation share) stay. */
static void
on_preset_selected (DassieTrainPage *self)
{
  g_autoptr(DassieConfig) config = NULL;
  const char *preset = selected_name (self->preset_row, dassie_train_preset_names ());

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row),
                               g_str_equal (preset, "hyrax")
                               ? _("The seed notebook’s method, exactly")
                               : _("Adam, arcsinh scaling, flips, early stopping"));
  if (self->applying)
    return;
  config = dassie_train_page_build_config (self);
  dassie_config_apply_preset (config, preset, NULL);
  dassie_train_page_apply_config (self, config);
}

static void
preset_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DassieTrainPage *self = DASSIE_TRAIN_PAGE (widget);

  adw_combo_row_set_selected (self->preset_row,
                              index_of (dassie_train_preset_names (), g_variant_get_string (parameter, NULL)));
  dassie_error_banner_dismiss (self->banner);
}

static void
on_optimizer_selected (DassieTrainPage *self)
{
  gboolean sgd = adw_combo_row_get_selected (self->optimizer_row) == DASSIE_OPTIMIZER_SGD;
  double lr = gtk_spin_button_get_value (self->lr_spin);

  gtk_widget_set_visible (GTK_WIDGET (self->momentum_row), sgd);
  /* Each optimizer's usual rate, unless the user chose another. */
  if (sgd && fabs (lr - 0.001) < 1e-9)
    gtk_spin_button_set_value (self->lr_spin, 0.01);
  else if (!sgd && fabs (lr - 0.01) < 1e-9)
    gtk_spin_button_set_value (self->lr_spin, 0.001);
}

static void
update_data_row (DassieTrainPage *self)
{
  DassieDataset *dataset = self->session != NULL ? dassie_session_get_dataset (self->session) : NULL;
  const char *folder = self->session != NULL ? dassie_session_get_data_folder (self->session) : NULL;

  if (folder == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->data_row), _("No data set"));
      adw_action_row_set_subtitle (self->data_row, _("Open a folder on the Data page, or use Run Everything on the demo data"));
      return;
    }

  {
    g_autofree char *base = g_path_get_basename (folder);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->data_row), base);
  }
  if (dataset != NULL)
    {
      g_autofree char *subtitle =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u object, %u bands of %u × %u pixels",
                                      "%u objects, %u bands of %u × %u pixels",
                                      dassie_dataset_get_n_objects (dataset)),
                         dassie_dataset_get_n_objects (dataset), dassie_dataset_get_n_bands (dataset),
                         dassie_dataset_get_width (dataset), dassie_dataset_get_height (dataset));
      adw_action_row_set_subtitle (self->data_row, subtitle);
    }
  else
    adw_action_row_set_subtitle (self->data_row, folder);
}

/* ------------------------------------------------------------------------------------------------
 * Jobs */

/* While training, the page's primary button stops it. */
static void
show_running (DassieTrainPage *self,
              gboolean         running)
{
  gtk_widget_set_visible (GTK_WIDGET (self->train_button), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), running);
}

/* Says so when the kept weights' validation loss has not beaten the mean image's: the model has learnt
 * nothing about the objects, and their latent vectors rank them at chance. */
static gboolean
warn_not_learnt (DassieTrainPage *self,
                 double           validation_loss,
                 double           baseline_loss)
{
  g_autofree char *message = NULL;

  if (!isfinite (validation_loss) || !isfinite (baseline_loss) || validation_loss < baseline_loss)
    return FALSE;
  message = g_strdup_printf (_("Its validation loss (%.4g) is no better than predicting the mean image "
                               "(%.4g): it has learnt nothing about the individual objects, and their "
                               "ranking will be near chance. Try the Recommended preset, the Adam "
                               "optimizer or more epochs."), validation_loss, baseline_loss);
  dassie_error_banner_show (self->banner, DASSIE_BANNER_INFO, _("The Model Has Not Learnt"), message,
                            _("Use _Recommended"), "train-page.preset", g_variant_new_string ("recommended"));
  return TRUE;
}

static void
train_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DassieJob *job = DASSIE_JOB (object);
  g_autoptr(DassieTrainPage) self = user_data;
  g_autoptr(GError) error = NULL;
  TrainOutcome *outcome = dassie_job_run_finish (job, result, &error);
  gboolean success = outcome != NULL;

  /* The page went away, or another training replaced this one. */
  if (job != self->job || gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      g_clear_pointer (&outcome, train_outcome_free);
      return;
    }

  gtk_label_set_text (self->eta_title, _("Time Left"));
  set_statistic (self->eta_label, NULL);
  dassie_loss_chart_set_placeholder (self->chart, _(IDLE_PLACEHOLDER));

  if (outcome != NULL)
    {
      g_autofree char *rate = g_strdup_printf ("%.0f", outcome->samples_per_second);
      g_autofree char *took = dassie_format_duration (outcome->seconds);

      /* The figures of the whole run. */
      set_statistic (self->rate_label, rate);
      gtk_label_set_text (self->eta_title, _("Time Taken"));
      set_statistic (self->eta_label, took);
      set_shown_run (self, outcome->run_dir);
      if (outcome->reconstructions != NULL)
        {
          show_reconstructions (self, outcome->reconstructions);
          self->shown_has_reconstructions = TRUE;
        }
      else
        clear_reconstructions (self, outcome->reconstruction_error);
      if (!warn_not_learnt (self, self->task->result.weights_validation_loss, self->task->result.baseline_loss))
        dassie_error_banner_dismiss (self->banner);
      if (self->session != NULL)
        dassie_session_set_run (self->session, "train", outcome->run_dir);
      train_outcome_free (outcome);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      const char *run_dir = self->task->result.run_dir;

      if (run_dir != NULL)
        dassie_error_banner_show (self->banner, DASSIE_BANNER_INFO, _("Training Stopped"), error->message,
                                  _("_Resume"), "win.resume-train", g_variant_new_string (run_dir));
      else
        dassie_error_banner_show (self->banner, DASSIE_BANNER_INFO, _("Training Stopped"),
                                  _("Training stopped before its first batch; nothing was written."),
                                  NULL, NULL, NULL);
    }
  else
    dassie_error_banner_show_error (self->banner, _("Training Failed"), error);

  g_clear_object (&self->job);
  self->task = NULL;
  show_running (self, FALSE);
  if (self->session != NULL)
    dassie_session_runs_changed (self->session);
  g_signal_emit (self, signals[FINISHED], 0, success);
}

DassieJob *
dassie_train_page_start (DassieTrainPage *self,
                         const char      *resume_dir)
{
  g_autoptr(DassieJob) job = NULL;
  g_autoptr(DassieConfig) config = NULL;
  TrainTask *task;

  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);

  if (self->job != NULL)
    return NULL;

  if (resume_dir != NULL)
    {
      g_autofree char *config_path = g_build_filename (resume_dir, "config.json", NULL);
      g_autoptr(GError) error = NULL;

      /* A run continues with the settings it started with. */
      config = dassie_config_new ();
      if (!dassie_config_load_file (config, config_path, &error))
        {
          dassie_error_banner_show_error (self->banner, _("Cannot Resume Training"), error);
          return NULL;
        }
      dassie_config_set_string (config, "train.resume", resume_dir);
      dassie_train_page_apply_config (self, config);
      job = dassie_job_new (_("Resuming training"));
    }
  else
    {
      if (self->session == NULL || dassie_session_get_data_folder (self->session) == NULL)
        {
          dassie_error_banner_show (self->banner, DASSIE_BANNER_ERROR, _("No Data Set"),
                                    _("Training needs a data set: open a folder of FITS cutouts, or start "
                                      "with the demo data."),
                                    _("_Open Folder…"), "win.open-folder", NULL);
          return NULL;
        }
      config = dassie_train_page_build_config (self);
      job = dassie_job_new (_("Training the autoencoder"));
    }

  task = g_new0 (TrainTask, 1);
  task->config = g_steal_pointer (&config);
  task->resume_dir = g_strdup (resume_dir);
  task->job = job;
  task->batch_x = g_array_new (FALSE, FALSE, sizeof (double));
  task->batch_loss = g_array_new (FALSE, FALSE, sizeof (double));
  task->val_x = g_array_new (FALSE, FALSE, sizeof (double));
  task->val_loss = g_array_new (FALSE, FALSE, sizeof (double));
  if (self->session != NULL && dassie_session_get_dataset (self->session) != NULL)
    task->dataset = dassie_dataset_ref (dassie_session_get_dataset (self->session));

  if (self->recon_job != NULL)
    dassie_job_cancel (self->recon_job);
  g_clear_object (&self->recon_job);
  dassie_error_banner_dismiss (self->banner);
  set_shown_run (self, resume_dir);
  dassie_loss_chart_clear (self->chart);
  dassie_loss_chart_set_placeholder (self->chart, _("Reading the data set…"));
  clear_statistics (self);
  clear_reconstructions (self, _("When training ends, validation objects appear here beside the model’s "
                                 "reconstruction of them."));

  g_set_object (&self->job, job);
  self->task = task;
  show_running (self, TRUE);
  g_signal_connect_object (job, "payload", G_CALLBACK (on_payload), self, 0);
  dassie_job_run_async (job, train_thread, task, (GDestroyNotify) train_task_free,
                        (GDestroyNotify) train_outcome_free, train_done, g_object_ref (self));
  return job;
}

typedef struct
{
  char          *run_dir;
  DassieDataset *dataset;
} ReconRequest;

static void
recon_request_free (ReconRequest *req)
{
  g_free (req->run_dir);
  g_clear_pointer (&req->dataset, dassie_dataset_unref);
  g_free (req);
}

static gpointer
recon_thread (DassieJob     *job,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  ReconRequest *req = data;

  return reconstruct (req->run_dir, req->dataset, cancellable, error);
}

static void
recon_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  DassieJob *job = DASSIE_JOB (object);
  g_autoptr(DassieTrainPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ReconPictures) r = dassie_job_run_finish (job, result, &error);

  if (job != self->recon_job || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  g_clear_object (&self->recon_job);

  if (r != NULL)
    {
      show_reconstructions (self, r);
      self->shown_has_reconstructions = TRUE;
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    clear_reconstructions (self, error->message);
}

/* Reconstructions of the shown run, when its data set is the one loaded: a few forward passes, on a
 * worker of their own (too short for the job bar). */
static void
request_reconstructions (DassieTrainPage *self)
{
  DassieDataset *dataset = self->session != NULL ? dassie_session_get_dataset (self->session) : NULL;
  ReconRequest *req;

  if (self->shown_run == NULL || self->shown_has_reconstructions || self->job != NULL)
    return;
  if (dataset == NULL)
    {
      clear_reconstructions (self, _("Reconstructions appear when the run’s data set is open on the Data page."));
      return;
    }

  if (self->recon_job != NULL)
    dassie_job_cancel (self->recon_job);
  g_clear_object (&self->recon_job);
  self->recon_job = dassie_job_new (_("Reconstructing validation objects"));
  req = g_new0 (ReconRequest, 1);
  req->run_dir = g_strdup (self->shown_run);
  req->dataset = dassie_dataset_ref (dataset);
  dassie_job_run_async (self->recon_job, recon_thread, req, (GDestroyNotify) recon_request_free,
                        (GDestroyNotify) recon_pictures_free, recon_done, g_object_ref (self));
}

gboolean
dassie_train_page_open_run (DassieTrainPage *self,
                            const char      *run_dir)
{
  g_autofree char *config_path = NULL;
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), FALSE);
  g_return_val_if_fail (run_dir != NULL, FALSE);

  /* The live curve of a running training stays. */
  if (self->job != NULL)
    return FALSE;

  config_path = g_build_filename (run_dir, "config.json", NULL);
  if (!dassie_config_load_file (config, config_path, &error) || !show_metrics (self, run_dir, &error))
    {
      dassie_error_banner_show_error (self->banner, _("Cannot Open the Run"), error);
      return FALSE;
    }
  dassie_train_page_apply_config (self, config);
  set_shown_run (self, run_dir);
  dassie_error_banner_dismiss (self->banner);
  {
    g_autoptr(DassieTrainMetrics) m = dassie_train_metrics_read (run_dir, NULL);

    /* With early stopping the run kept its best epoch's weights, else its last. */
    if (m != NULL && m->n > 0)
      {
        double kept = m->validation_loss[m->n - 1];

        for (guint i = 0; dassie_config_get_int (config, "train.early_stopping.patience") > 0 && i < m->n; i++)
          kept = MIN (kept, m->validation_loss[i]);
        warn_not_learnt (self, kept, m->baseline_loss);
      }
  }
  request_reconstructions (self);
  return TRUE;
}

static void
on_session_train_run (DassieTrainPage *self)
{
  const char *run = dassie_session_get_run (self->session, "train");

  if (run != NULL && g_strcmp0 (run, self->shown_run) != 0 && self->job == NULL)
    dassie_train_page_open_run (self, run);
}

static void
on_session_dataset (DassieTrainPage *self)
{
  update_data_row (self);
  request_reconstructions (self);
}

void
dassie_train_page_set_session (DassieTrainPage *self,
                               DassieSession   *session)
{
  g_return_if_fail (DASSIE_IS_TRAIN_PAGE (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::dataset", G_CALLBACK (on_session_dataset), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::data-folder", G_CALLBACK (update_data_row), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::train-run", G_CALLBACK (on_session_train_run), self, G_CONNECT_SWAPPED);
  dassie_run_list_set_session (self->run_list, session);
  update_data_row (self);
  on_session_train_run (self);
}

const char *
dassie_train_page_find_resumable (DassieTrainPage *self)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);
  return dassie_run_list_find_incomplete (self->run_list, "train");
}

DassieJob *
dassie_train_page_get_job (DassieTrainPage *self)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);
  return self->job;
}

const char *
dassie_train_page_get_shown_run (DassieTrainPage *self)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);
  return self->shown_run;
}

DassieLossChart *
dassie_train_page_get_chart (DassieTrainPage *self)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);
  return self->chart;
}

DassieErrorBanner *
dassie_train_page_get_banner (DassieTrainPage *self)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);
  return self->banner;
}

DassieRunList *
dassie_train_page_get_run_list (DassieTrainPage *self)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);
  return self->run_list;
}

guint
dassie_train_page_get_n_reconstructions (DassieTrainPage *self)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), 0);
  return self->n_reconstructions;
}

const char *
dassie_train_page_get_statistic (DassieTrainPage *self,
                                 const char      *name)
{
  g_return_val_if_fail (DASSIE_IS_TRAIN_PAGE (self), NULL);

  if (g_str_equal (name, "epoch"))
    return gtk_label_get_text (self->epoch_label);
  if (g_str_equal (name, "train-loss"))
    return gtk_label_get_text (self->train_loss_label);
  if (g_str_equal (name, "validation-loss"))
    return gtk_label_get_text (self->val_loss_label);
  if (g_str_equal (name, "rate"))
    return gtk_label_get_text (self->rate_label);
  if (g_str_equal (name, "eta"))
    return gtk_label_get_text (self->eta_label);
  g_return_val_if_reached (NULL);
}

static void
dassie_train_page_dispose (GObject *object)
{
  DassieTrainPage *self = DASSIE_TRAIN_PAGE (object);
  GtkWidget *child;

  if (self->job != NULL)
    dassie_job_cancel (self->job);
  g_clear_object (&self->job);
  self->task = NULL;
  if (self->recon_job != NULL)
    dassie_job_cancel (self->recon_job);
  g_clear_object (&self->recon_job);
  gtk_widget_dispose_template (GTK_WIDGET (self), DASSIE_TYPE_TRAIN_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (dassie_train_page_parent_class)->dispose (object);
}

static void
dassie_train_page_finalize (GObject *object)
{
  DassieTrainPage *self = DASSIE_TRAIN_PAGE (object);

  g_clear_pointer (&self->shown_run, g_free);

  G_OBJECT_CLASS (dassie_train_page_parent_class)->finalize (object);
}

static void
dassie_train_page_class_init (DassieTrainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_train_page_dispose;
  object_class->finalize = dassie_train_page_finalize;

  /* Emitted when a training stops: TRUE when it finished and its run is the session's train run. */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (DASSIE_TYPE_ERROR_BANNER);
  g_type_ensure (DASSIE_TYPE_LOSS_CHART);
  g_type_ensure (DASSIE_TYPE_RUN_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-train-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, data_row);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, normalization_row);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, augment_switch);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, schedule_row);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, patience_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, validation_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, channels_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, latent_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, activation_row);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, optimizer_row);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, lr_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, momentum_row);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, momentum_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, train_button);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, run_list);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, banner);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, epoch_label);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, train_loss_label);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, val_loss_label);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, rate_label);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, eta_title);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, eta_label);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, run_label);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, chart);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, recon_status);
  gtk_widget_class_bind_template_child (widget_class, DassieTrainPage, recon_grid);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* Sets the fields to a preset's ("recommended", "hyrax"), as the Preset row does. */
  gtk_widget_class_install_action (widget_class, "train-page.preset", "s", preset_action);
}

static void
dassie_train_page_init (DassieTrainPage *self)
{
  const char * const verbs[] = { "train", NULL };
  g_autoptr(GtkStringList) final_layers = gtk_string_list_new (dassie_autoencoder_final_layer_names ());
  g_autoptr(GtkStringList) optimizers = gtk_string_list_new (dassie_optimizer_names ());
  g_autoptr(GtkStringList) presets = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) normalizations = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) schedules = gtk_string_list_new (NULL);
  g_autoptr(DassieConfig) config = dassie_config_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The core's names, which it checks; set before the handler so the rows start at the first quietly. */
  adw_combo_row_set_model (self->activation_row, G_LIST_MODEL (final_layers));
  adw_combo_row_set_model (self->optimizer_row, G_LIST_MODEL (optimizers));
  for (guint i = 0; dassie_train_preset_names ()[i] != NULL; i++)
    gtk_string_list_append (presets, dassie_train_preset_title (dassie_train_preset_names ()[i]));
  /* In the order of dassie_normalization_names () and schedule_names. */
  gtk_string_list_append (normalizations, _("tanh (Hyrax)"));
  gtk_string_list_append (normalizations, _("Robust (median, MAD)"));
  gtk_string_list_append (normalizations, _("arcsinh in noise units"));
  gtk_string_list_append (schedules, _("Constant"));
  gtk_string_list_append (schedules, _("Cosine"));
  gtk_string_list_append (schedules, _("Step"));
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (presets));
  adw_combo_row_set_model (self->normalization_row, G_LIST_MODEL (normalizations));
  adw_combo_row_set_model (self->schedule_row, G_LIST_MODEL (schedules));
  g_signal_connect_object (self->optimizer_row, "notify::selected", G_CALLBACK (on_optimizer_selected),
                           self, G_CONNECT_SWAPPED);
  dassie_run_list_set_verbs (self->run_list, verbs);
  dassie_loss_chart_set_placeholder (self->chart, _(IDLE_PLACEHOLDER));

  /* Recommended, the first preset, is the default. */
  dassie_config_apply_preset (config, dassie_train_preset_names ()[0], NULL);
  dassie_train_page_apply_config (self, config);
  on_preset_selected (self);
  g_signal_connect_object (self->preset_row, "notify::selected", G_CALLBACK (on_preset_selected),
                           self, G_CONNECT_SWAPPED);
}
