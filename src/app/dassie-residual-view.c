/* dassie-residual-view.c: an object's input, its reconstruction and the residual, band by band
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cutout-render.h"
#include "dassie-residual-view.h"

#define PICTURE_SIZE 96
/* |residual| at this percentile of every band's pixels gets the full colour. */
#define AMPLITUDE_PERCENTILE 99.5
#define SCALE_STEPS 128

struct _DassieResidualView
{
  GtkWidget       parent_instance;

  GtkStack       *stack;
  GtkSpinner     *spinner;
  GtkLabel       *message_label;
  GtkGrid        *grid;
  GtkLabel       *low_label;
  GtkPicture     *scale_picture;
  GtkLabel       *high_label;
  GtkLabel       *legend_label;
  GtkLabel       *details_label;

  GCancellable   *cancellable;
  guint           serial;        /* of the newest request: older results are dropped */
  DassieResidual *residual;
  double          amplitude;
  GPtrArray      *pictures;      /* DASSIE_RESIDUAL_N_ROWS × n_bands GtkPicture, row-major */
};

G_DEFINE_FINAL_TYPE (DassieResidualView, dassie_residual_view, GTK_TYPE_WIDGET)

typedef struct
{
  DassieCatalog        *catalog;
  guint                 row;
  DassieDisplayOptions  options;
  guint                 serial;
} Request;

typedef struct
{
  DassieResidual *residual;
  double          amplitude;
  GPtrArray      *textures;  /* DASSIE_RESIDUAL_N_ROWS × n_bands, row-major */
  GdkTexture     *scale;
} Result;

static void
request_free (Request *req)
{
  dassie_catalog_unref (req->catalog);
  g_free (req);
}

static void
result_free (Result *result)
{
  dassie_residual_free (result->residual);
  g_clear_pointer (&result->textures, g_ptr_array_unref);
  g_clear_object (&result->scale);
  g_free (result);
}

static GdkTexture *
texture_of (cairo_surface_t *surface)
{
  return dassie_texture_new_for_surface (dassie_surface_magnify (surface, PICTURE_SIZE));
}

/* Worker: the reconstruction and every picture of it. */
static void
residual_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Request *req = task_data;
  DassieCatalog *catalog = req->catalog;
  g_autoptr(GError) error = NULL;
  g_autofree float *ramp = g_new (float, SCALE_STEPS);
  Result *result;
  DassieResidual *r;

  r = dassie_residual_compute (catalog->scores_path, catalog->dataset, (guint) catalog->objects[req->row],
                               cancellable, &error);
  if (r == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (Result, 1);
  result->residual = r;
  result->amplitude = dassie_residual_amplitude (r, AMPLITUDE_PERCENTILE);
  result->textures = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint kind = 0; kind < DASSIE_RESIDUAL_N_ROWS; kind++)
    for (guint b = 0; b < r->n_bands; b++)
      {
        cairo_surface_t *surface;
        double low, high;

        if (kind == DASSIE_RESIDUAL_ROW_RESIDUAL)
          surface = dassie_display_render_diverging (dassie_residual_get_band (r, r->residual, b), r->width,
                                                     r->height, DASSIE_STRETCH_LINEAR, result->amplitude,
                                                     req->options.nan_color);
        else
          {
            const float *cube = kind == DASSIE_RESIDUAL_ROW_INPUT ? r->input : r->reconstruction;

            /* The input's limits for both, so that what the model missed looks missing. */
            dassie_residual_band_limits (r, b, &req->options, &low, &high);
            surface = dassie_display_render_band_between (dassie_residual_get_band (r, cube, b), r->width,
                                                          r->height, req->options.stretch, low, high,
                                                          req->options.nan_color);
          }
        g_ptr_array_add (result->textures, texture_of (surface));
      }
  for (guint i = 0; i < SCALE_STEPS; i++)
    ramp[i] = (float) (result->amplitude * (2.0 * i / (SCALE_STEPS - 1) - 1));
  result->scale = dassie_texture_new_for_surface (dassie_display_render_diverging (ramp, SCALE_STEPS, 1,
                                                                                   DASSIE_STRETCH_LINEAR,
                                                                                   result->amplitude, 0));
  g_task_return_pointer (task, result, (GDestroyNotify) result_free);
}

static void
set_state (DassieResidualView *self,
           const char         *state)
{
  gtk_stack_set_visible_child_name (self->stack, state);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (state, "working"));
}

static void
show_message (DassieResidualView *self,
              const char         *message)
{
  gtk_label_set_text (self->message_label, message);
  set_state (self, "error");
}

static void
remove_cells (DassieResidualView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL)
    gtk_grid_remove (self->grid, child);
  g_ptr_array_set_size (self->pictures, 0);
}

static GtkWidget *
caption_label (const char *text,
               gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), heading ? 0.5f : 0);
  gtk_widget_add_css_class (label, heading ? "caption-heading" : "caption");
  if (!heading)
    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  return label;
}

/* A header of band names, then a row each for input, reconstruction and residual. */
static void
build_grid (DassieResidualView *self,
            DassieDataset      *dataset,
            const Result       *result)
{
  const char *row_names[DASSIE_RESIDUAL_N_ROWS] = {
    C_("residual row", "Input"), C_("residual row", "Reconstruction"), C_("residual row", "Residual"),
  };
  const DassieResidual *r = result->residual;

  remove_cells (self);
  for (guint b = 0; b < r->n_bands; b++)
    gtk_grid_attach (self->grid, caption_label (dassie_dataset_get_band (dataset, b), TRUE), (int) b + 1, 0, 1, 1);
  for (guint kind = 0; kind < DASSIE_RESIDUAL_N_ROWS; kind++)
    {
      GtkWidget *name = caption_label (row_names[kind], FALSE);

      gtk_widget_set_valign (name, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (name, 100, -1);
      gtk_grid_attach (self->grid, name, 0, (int) kind + 1, 1, 1);
      for (guint b = 0; b < r->n_bands; b++)
        {
          GtkWidget *picture = gtk_picture_new_for_paintable (g_ptr_array_index (result->textures,
                                                                                  kind * r->n_bands + b));
          g_autofree char *label = g_strdup_printf (_("%s, band %s"), row_names[kind],
                                                    dassie_dataset_get_band (dataset, b));

          gtk_widget_set_size_request (picture, PICTURE_SIZE, PICTURE_SIZE);
          gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
          gtk_widget_add_css_class (picture, "cutout");
          gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
          gtk_grid_attach (self->grid, picture, (int) b + 1, (int) kind + 1, 1, 1);
          g_ptr_array_add (self->pictures, picture);
        }
    }
}

static void
on_computed (GObject      *object,
             GAsyncResult *async_result,
             gpointer      user_data)
{
  DassieResidualView *self = DASSIE_RESIDUAL_VIEW (object);
  Request *req = g_task_get_task_data (G_TASK (async_result));
  g_autoptr(GError) error = NULL;
  Result *result = g_task_propagate_pointer (G_TASK (async_result), &error);
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;
  g_autofree char *details = NULL;

  /* A newer object is on its way. */
  if (req->serial != self->serial)
    {
      g_clear_pointer (&result, result_free);
      return;
    }
  g_clear_object (&self->cancellable);
  if (result == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("No reconstruction: %s"), error->message);

      show_message (self, message);
      return;
    }

  build_grid (self, req->catalog->dataset, result);
  self->amplitude = result->amplitude;
  low = g_strdup_printf ("−%.3g", result->amplitude);
  high = g_strdup_printf ("+%.3g", result->amplitude);
  gtk_label_set_text (self->low_label, low);
  gtk_label_set_text (self->high_label, high);
  gtk_picture_set_paintable (self->scale_picture, GDK_PAINTABLE (result->scale));
  gtk_label_set_text (self->legend_label,
                      _("Input and reconstruction share each band’s limits and stretch. The residual is "
                        "input − reconstruction on one linear scale for every band: red where the input is "
                        "brighter than the model’s reconstruction, blue where it is fainter, white where they agree."));
  details = g_strdup_printf (_("At its %g quantile the residual is %.3g times the noise (the reconstruction "
                               "residual score); mean squared error %.4g in the model’s input units. Weights: %s"),
                             result->residual->noise_quantile, result->residual->noise_residual,
                             result->residual->error, result->residual->weights_path);
  gtk_label_set_text (self->details_label, details);
  dassie_residual_free (self->residual);
  self->residual = g_steal_pointer (&result->residual);
  result_free (result);
  set_state (self, "ready");
}

void
dassie_residual_view_show (DassieResidualView         *self,
                           DassieCatalog              *catalog,
                           guint                       row,
                           const DassieDisplayOptions *options)
{
  g_autoptr(GTask) task = NULL;
  Request *req;

  g_return_if_fail (DASSIE_IS_RESIDUAL_VIEW (self));
  g_return_if_fail (catalog != NULL && row < catalog->n);
  g_return_if_fail (options != NULL);

  dassie_residual_view_clear (self);
  if (catalog->dataset == NULL || catalog->objects[row] < 0)
    {
      show_message (self, _("The data set holding this object is not open, so it cannot be reconstructed."));
      return;
    }
  if (catalog->scores_path == NULL)
    {
      show_message (self, _("These scores were not read from a scores run, so the model behind them is unknown."));
      return;
    }

  req = g_new0 (Request, 1);
  req->catalog = dassie_catalog_ref (catalog);
  req->row = row;
  req->options = *options;
  req->serial = self->serial;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_computed, NULL);
  g_task_set_source_tag (task, dassie_residual_view_show);
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);
  set_state (self, "working");
  g_task_run_in_thread (task, residual_thread);
}

void
dassie_residual_view_clear (DassieResidualView *self)
{
  g_return_if_fail (DASSIE_IS_RESIDUAL_VIEW (self));

  self->serial++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->residual, dassie_residual_free);
  self->amplitude = 0;
  remove_cells (self);
  set_state (self, "empty");
}

const char *
dassie_residual_view_get_state (DassieResidualView *self)
{
  g_return_val_if_fail (DASSIE_IS_RESIDUAL_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
dassie_residual_view_get_busy (DassieResidualView *self)
{
  g_return_val_if_fail (DASSIE_IS_RESIDUAL_VIEW (self), FALSE);
  return self->cancellable != NULL;
}

const char *
dassie_residual_view_get_message (DassieResidualView *self)
{
  g_return_val_if_fail (DASSIE_IS_RESIDUAL_VIEW (self), NULL);
  return g_str_equal (dassie_residual_view_get_state (self), "error") ? gtk_label_get_text (self->message_label)
                                                                       : NULL;
}

const DassieResidual *
dassie_residual_view_get_residual (DassieResidualView *self)
{
  g_return_val_if_fail (DASSIE_IS_RESIDUAL_VIEW (self), NULL);
  return self->residual;
}

double
dassie_residual_view_get_amplitude (DassieResidualView *self)
{
  g_return_val_if_fail (DASSIE_IS_RESIDUAL_VIEW (self), 0);
  return self->amplitude;
}

GtkPicture *
dassie_residual_view_get_picture (DassieResidualView *self,
                                  DassieResidualRow   kind,
                                  guint               band)
{
  g_return_val_if_fail (DASSIE_IS_RESIDUAL_VIEW (self), NULL);
  g_return_val_if_fail (kind < DASSIE_RESIDUAL_N_ROWS, NULL);

  if (self->residual == NULL || band >= self->residual->n_bands)
    return NULL;
  return g_ptr_array_index (self->pictures, kind * self->residual->n_bands + band);
}

static void
dassie_residual_view_dispose (GObject *object)
{
  DassieResidualView *self = DASSIE_RESIDUAL_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->pictures != NULL)
    g_ptr_array_set_size (self->pictures, 0);
  self->serial++;
  gtk_widget_dispose_template (GTK_WIDGET (self), DASSIE_TYPE_RESIDUAL_VIEW);

  G_OBJECT_CLASS (dassie_residual_view_parent_class)->dispose (object);
}

static void
dassie_residual_view_finalize (GObject *object)
{
  DassieResidualView *self = DASSIE_RESIDUAL_VIEW (object);

  g_clear_pointer (&self->residual, dassie_residual_free);
  g_clear_pointer (&self->pictures, g_ptr_array_unref);

  G_OBJECT_CLASS (dassie_residual_view_parent_class)->finalize (object);
}

static void
dassie_residual_view_class_init (DassieResidualViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_residual_view_dispose;
  object_class->finalize = dassie_residual_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/dassie/Dassie/dassie-residual-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, stack);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, spinner);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, message_label);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, grid);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, low_label);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, scale_picture);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, high_label);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, legend_label);
  gtk_widget_class_bind_template_child (widget_class, DassieResidualView, details_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "residualview");
}

static void
dassie_residual_view_init (DassieResidualView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The grid owns the pictures; this only indexes them. */
  self->pictures = g_ptr_array_new ();
  set_state (self, "empty");
}

GtkWidget *
dassie_residual_view_new (void)
{
  return g_object_new (DASSIE_TYPE_RESIDUAL_VIEW, NULL);
}
