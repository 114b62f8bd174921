/* dassie-explore-page-actions.c: the Explore page's exports and the saving of its plots
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dassie-explore-page-private.h"

#define GRID_SAVE_COLUMNS 8

/* Saved plots take the size shown on screen; these are for a widget not yet allocated (at most
 * SAVE_MIN_SHOWN_SIZE pixels wide or high). A saved grid gets a cell per cutout plus margins. */
#define SAVE_MIN_SHOWN_SIZE        100
#define SAVE_MAP_WIDTH             900
#define SAVE_MAP_HEIGHT            700
#define SAVE_HISTOGRAM_WIDTH       900
#define SAVE_HISTOGRAM_HEIGHT      400
#define SAVE_GRID_CELL_WIDTH       150.0
#define SAVE_GRID_CELL_HEIGHT      190.0
#define SAVE_GRID_MARGIN_WIDTH      40
#define SAVE_GRID_MARGIN_HEIGHT     60

/* ------------------------------------------------------------------------------------------------
 * Exports */

typedef struct
{
  DassieCatalog      *catalog;
  guint32            *rows;
  gsize               n;
  char               *path;
  DassieExportFormat  format;
} ExportRequest;

static void
export_request_free (ExportRequest *req)
{
  dassie_catalog_unref (req->catalog);
  g_free (req->rows);
  g_free (req->path);
  g_free (req);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportRequest *req = task_data;
  GError *error = NULL;

  if (dassie_catalog_export (req->catalog, req->rows, req->n, req->path, req->format, &error))
    g_task_return_int (task, (gssize) req->n);
  else
    g_task_return_error (task, error);
}

void
dassie_explore_page_export_async (DassieExplorePage   *self,
                                  guint                top_n,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DassieCatalog *catalog;
  ExportRequest *req;

  g_return_if_fail (DASSIE_IS_EXPLORE_PAGE (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dassie_explore_page_export_async);
  catalog = catalog_of (self);
  if (catalog == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There are no scores to export yet."));
      return;
    }

  req = g_new0 (ExportRequest, 1);
  req->catalog = dassie_catalog_ref (catalog);
  req->path = g_strdup (path);
  if (!dassie_export_format_from_path (path, &req->format))
    req->format = DASSIE_EXPORT_CSV;
  if (top_n > 0)
    {
      req->rows = g_memdup2 (catalog->order, MAX (catalog->n, 1) * sizeof (guint32));
      req->n = MIN (top_n, _dassie_explore_page_filter_hidden (self, req->rows, catalog->n));
    }
  else
    {
      /* The worker sorts them by rank. */
      req->rows = dassie_selection_get_indices (dassie_explore_model_get_selection (self->model), &req->n);
      req->n = _dassie_explore_page_filter_hidden (self, req->rows, req->n);
    }
  g_task_set_task_data (task, req, (GDestroyNotify) export_request_free);
  g_task_run_in_thread (task, export_thread);
}

gssize
dassie_explore_page_export_finish (DassieExplorePage  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static void
on_exported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);
  g_autofree char *path = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_path_get_basename (path);
  gssize n = dassie_explore_page_export_finish (self, result, &error);

  if (n < 0)
    message = g_strdup_printf (_("The export failed: %s"), error->message);
  else
    message = g_strdup_printf (ngettext ("Exported %u object to “%s”", "Exported %u objects to “%s”", (gulong) n),
                               (guint) n, name);
  _dassie_explore_page_toast (self, message);
}

/* The extension a save dialog's filter stands for, added when the name has none of the kind. */
static char *
with_extension (const char *path,
                const char *extension)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, G_DIR_SEPARATOR);

  if (dot != NULL && (slash == NULL || dot > slash))
    return g_strdup (path);
  return g_strconcat (path, ".", extension, NULL);
}

typedef void (*SaveChosenFunc) (DassieExplorePage *self,
                                const char        *path,
                                gpointer           data);

typedef struct
{
  DassieExplorePage *page;
  SaveChosenFunc     chosen;
  gpointer           data;
  GDestroyNotify     data_free;
  GPtrArray         *extensions;   /* one per filter */
} SaveDialog;

static void
save_dialog_free (SaveDialog *dialog)
{
  g_object_unref (dialog->page);
  if (dialog->data_free != NULL)
    dialog->data_free (dialog->data);
  g_ptr_array_unref (dialog->extensions);
  g_free (dialog);
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  SaveDialog      *dialog)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GListModel) filters = gtk_file_chooser_get_filters (GTK_FILE_CHOOSER (chooser));
      const char *extension = g_ptr_array_index (dialog->extensions, 0);

      for (guint i = 0; i < g_list_model_get_n_items (filters); i++)
        {
          g_autoptr(GtkFileFilter) f = g_list_model_get_item (filters, i);
          if (f == filter)
            extension = g_ptr_array_index (dialog->extensions, i);
        }
      if (path != NULL)
        {
          g_autofree char *full = with_extension (path, extension);
          dialog->chosen (dialog->page, full, dialog->data);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  save_dialog_free (dialog);
}

/* Asks where to save; @filters is a NULL-terminated list of (name, extension) pairs. */
static void
choose_save_path (DassieExplorePage  *self,
                  const char         *title,
                  const char         *file_name,
                  const char * const *filters,
                  SaveChosenFunc      chosen,
                  gpointer            data,
                  GDestroyNotify      data_free)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  SaveDialog *dialog = g_new0 (SaveDialog, 1);

  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  dialog->page = g_object_ref (self);
  dialog->chosen = chosen;
  dialog->data = data;
  dialog->data_free = data_free;
  dialog->extensions = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; filters[i] != NULL; i += 2)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      g_autofree char *pattern = g_strconcat ("*.", filters[i + 1], NULL);

      gtk_file_filter_set_name (filter, filters[i]);
      gtk_file_filter_add_pattern (filter, pattern);
      if (g_str_equal (filters[i + 1], "vot"))
        gtk_file_filter_add_pattern (filter, "*.xml");
      if (g_str_equal (filters[i + 1], "fits"))
        gtk_file_filter_add_pattern (filter, "*.fit");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      g_ptr_array_add (dialog->extensions, g_strdup (filters[i + 1]));
      g_object_unref (filter);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), dialog);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const char *
list_filters[] = { N_("CSV table"), "csv", N_("FITS binary table"), "fits", N_("VOTable"), "vot", NULL };

static const char * const *
translated_filters (const char **filters,
                    const char  *translated[7])
{
  for (guint i = 0; filters[i] != NULL; i += 2)
    {
      translated[i] = _(filters[i]);
      translated[i + 1] = filters[i + 1];
    }
  translated[6] = NULL;
  return translated;
}

static void
export_to (DassieExplorePage *self,
           const char        *path,
           gpointer           data)
{
  dassie_explore_page_export_async (self, GPOINTER_TO_UINT (data), path, NULL, on_exported, g_strdup (path));
}

static void
export_selection_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  const char *filters[7];

  if (dassie_explore_model_get_n_selected (self->model) == 0)
    {
      _dassie_explore_page_toast (self, _("Select some objects first: draw a lasso in the map or drag across the histogram."));
      return;
    }
  choose_save_path (self, _("Export the Selected Objects"), _("selection.csv"),
                    translated_filters (list_filters, filters), export_to, GUINT_TO_POINTER (0), NULL);
}

static void
on_top_response (AdwMessageDialog *dialog,
                 const char       *response,
                 DassieExplorePage *self)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (adw_message_dialog_get_extra_child (dialog));
  const char *filters[7];
  guint n;

  if (!g_str_equal (response, "export"))
    return;
  n = (guint) gtk_spin_button_get_value_as_int (spin);
  choose_save_path (self, _("Export the Most Anomalous Objects"), _("most-anomalous.csv"),
                    translated_filters (list_filters, filters), export_to, GUINT_TO_POINTER (n), NULL);
}

static void
export_top_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  DassieCatalog *catalog = catalog_of (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  GtkWidget *spin;

  if (catalog == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Export the Most Anomalous Objects"),
                                   _("How many objects, from the highest score down?"));
  spin = gtk_spin_button_new_with_range (1, MAX (catalog->n, 1), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), MIN (100, catalog->n));
  gtk_widget_set_halign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Number of Objects"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), spin);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "export", _("_Export…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "export", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "export");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_top_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------------------------------------
 * Plots */

/* Everything a plot needs to be drawn away from the widgets: taken on the main thread (the catalog is
 * immutable and referenced, the selection and view are copies), drawn on a worker. */
typedef struct
{
  char                 *plot;
  char                 *path;
  double                width;
  double                height;
  DassieCatalog        *catalog;
  DassieSelection      *selection;
  DassieView            view;
  DassieScatter         scatter;
  DassieHistogram       histogram;
  char                 *x_label;
  guint32              *rows;
  gsize                 n_rows;
  DassieDisplayOptions  options;
  Grid                  grid;
} SaveRequest;

static void
save_request_free (SaveRequest *req)
{
  g_free (req->plot);
  g_free (req->path);
  g_clear_pointer (&req->catalog, dassie_catalog_unref);
  g_clear_pointer (&req->selection, dassie_selection_free);
  g_free (req->x_label);
  g_free (req->rows);
  g_free (req);
}

static SaveRequest *
save_request_new (DassieExplorePage  *self,
                  const char         *plot,
                  const char         *path,
                  GError            **error)
{
  DassieCatalog *catalog = catalog_of (self);
  SaveRequest *req;

  if (catalog == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no plot to save yet."));
      return NULL;
    }
  if (!g_str_equal (plot, "map") && !g_str_equal (plot, "histogram") && !g_str_equal (plot, "grid"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("There is no plot called “%s”."), plot);
      return NULL;
    }

  req = g_new0 (SaveRequest, 1);
  req->plot = g_strdup (plot);
  req->path = g_strdup (path);
  req->catalog = dassie_catalog_ref (catalog);
  req->selection = dassie_selection_copy (dassie_explore_model_get_selection (self->model));

  if (g_str_equal (plot, "map"))
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self->scatter));
      int height = gtk_widget_get_height (GTK_WIDGET (self->scatter));

      dassie_scatter_view_describe (self->scatter, &req->scatter);
      req->view = *req->scatter.view;
      req->scatter.view = &req->view;
      req->scatter.selection = req->selection;
      req->scatter.cache = NULL;   /* the widget's own */
      req->width = width > SAVE_MIN_SHOWN_SIZE ? width : SAVE_MAP_WIDTH;
      req->height = height > SAVE_MIN_SHOWN_SIZE ? height : SAVE_MAP_HEIGHT;
    }
  else if (g_str_equal (plot, "histogram"))
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self->histogram));
      int height = gtk_widget_get_height (GTK_WIDGET (self->histogram));

      dassie_histogram_view_describe (self->histogram, &req->histogram);
      req->x_label = g_strdup (req->histogram.x_label);
      req->histogram.x_label = req->x_label;
      req->histogram.selection = req->selection;
      req->width = width > SAVE_MIN_SHOWN_SIZE ? width : SAVE_HISTOGRAM_WIDTH;
      req->height = height > SAVE_MIN_SHOWN_SIZE ? height : SAVE_HISTOGRAM_HEIGHT;
    }
  else
    {
      g_autofree guint32 *rows = NULL;

      req->grid = _dassie_explore_page_get_shown_grid (self);
      rows = _dassie_explore_page_grid_rows (self, req->grid, &req->n_rows);
      req->rows = g_steal_pointer (&rows);
      req->options = self->options;
    }

  return req;
}

static gboolean
save_grid (SaveRequest  *req,
           GError      **error)
{
  DassieCatalog *catalog = req->catalog;
  g_autoptr(GPtrArray) surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) cairo_surface_destroy);
  g_autofree const char **ids = g_new (const char *, MAX (req->n_rows, 1));
  g_autofree double *scores = g_new (double, MAX (req->n_rows, 1));
  DassieCutoutGridPlot grid = { 0 };
  gsize n = req->n_rows;
  guint columns, n_rows;

  for (gsize i = 0; i < n; i++)
    {
      g_ptr_array_add (surfaces, dassie_catalog_render_cutout (catalog, req->rows[i], &req->options, NULL));
      ids[i] = catalog->ids[req->rows[i]];
      scores[i] = catalog->scores[req->rows[i]];
    }
  grid.images = (cairo_surface_t * const *) surfaces->pdata;
  grid.ids = ids;
  grid.scores = scores;
  grid.n = n;
  columns = (guint) MIN (MAX (n, 1), GRID_SAVE_COLUMNS);
  grid.columns = columns;
  grid.title = req->grid == GRID_ANOMALOUS ? _("The most anomalous objects")
             : req->grid == GRID_NORMAL ? _("The most normal objects") : _("Selected objects");
  n_rows = (guint) ((MAX (n, 1) + columns - 1) / columns);
  return dassie_plot_save_cutout_grid (req->path,
                                       SAVE_GRID_CELL_WIDTH * columns + SAVE_GRID_MARGIN_WIDTH,
                                       SAVE_GRID_CELL_HEIGHT * n_rows + SAVE_GRID_MARGIN_HEIGHT,
                                       &grid, error);
}

/* Any thread: draws the plot into its file (reads FITS files for a grid). */
static gboolean
save_request_run (SaveRequest  *req,
                  GError      **error)
{
  if (g_str_equal (req->plot, "map"))
    return dassie_plot_save_scatter (req->path, req->width, req->height, &req->scatter, error);
  if (g_str_equal (req->plot, "histogram"))
    return dassie_plot_save_histogram (req->path, req->width, req->height, &req->histogram, error);
  return save_grid (req, error);
}

gboolean
dassie_explore_page_save_plot (DassieExplorePage  *self,
                               const char         *plot,
                               const char         *path,
                               GError            **error)
{
  SaveRequest *req;
  gboolean ok;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_PAGE (self), FALSE);
  g_return_val_if_fail (plot != NULL && path != NULL, FALSE);

  req = save_request_new (self, plot, path, error);
  if (req == NULL)
    return FALSE;
  ok = save_request_run (req, error);
  save_request_free (req);
  return ok;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (save_request_run (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (((SaveRequest *) g_task_get_task_data (G_TASK (result)))->path);
  g_autofree char *message = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    message = g_strdup_printf (_("Saved “%s”"), name);
  else
    message = g_strdup_printf (_("The plot could not be saved: %s"), error->message);
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    _dassie_explore_page_toast (self, message);
}

static void
save_plot_to (DassieExplorePage *self,
              const char        *path,
              gpointer           data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  SaveRequest *req = save_request_new (self, data, path, &error);

  if (req == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The plot could not be saved: %s"), error->message);
      _dassie_explore_page_toast (self, message);
      return;
    }

  /* A million points as SVG, or a grid read from FITS files, takes long: not on the main thread. */
  task = g_task_new (self, NULL, save_done, NULL);
  g_task_set_source_tag (task, save_plot_to);
  g_task_set_task_data (task, req, (GDestroyNotify) save_request_free);
  g_task_run_in_thread (task, save_thread);
}

static void
save_plot_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  DassieExplorePage *self = DASSIE_EXPLORE_PAGE (widget);
  const char *plot = g_variant_get_string (param, NULL);
  const char *filters[] = { _("PNG image"), "png", _("SVG drawing"), "svg", _("PDF document"), "pdf", NULL };
  const char *file_name;

  if (catalog_of (self) == NULL)
    return;
  if (g_str_equal (plot, "map"))
    file_name = _("map.png");
  else if (g_str_equal (plot, "histogram"))
    file_name = _("histogram.png");
  else
    switch (_dassie_explore_page_get_shown_grid (self))
      {
      case GRID_NORMAL:
        file_name = _("most-normal.png");
        break;
      case GRID_SELECTION:
        file_name = _("selection.png");
        break;
      case GRID_PROMISING:
        file_name = _("most-promising.png");
        break;
      case GRID_ANOMALOUS:
      case N_GRIDS:
      default:
        file_name = _("most-anomalous.png");
        break;
      }
  choose_save_path (self, _("Save the Plot"), file_name, filters, save_plot_to, g_strdup (plot), g_free);
}


void
_dassie_explore_page_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "explore.export-selection", NULL, export_selection_action);
  gtk_widget_class_install_action (widget_class, "explore.export-top", NULL, export_top_action);
  gtk_widget_class_install_action (widget_class, "explore.save-plot", "s", save_plot_action);
}
