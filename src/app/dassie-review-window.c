/* dassie-review-window.c: review mode: the most promising objects one at a time, large, in every
 * band, each labelled with one key
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cutout-render.h"
#include "dassie-label-style.h"
#include "dassie-review-window.h"

#define MAIN_SIZE   400
#define BAND_SIZE   180
/* How many of the next candidates are rendered ahead: a label re-ranks, and the next one shown is
 * mostly among the first few of the ranking before it. */
#define N_AHEAD     4
/* Rendered objects kept for going back and forth. */
#define CACHE_LIMIT 32

struct _DassieReviewWindow
{
  AdwWindow             parent_instance;

  AdwWindowTitle       *title;
  GtkStack             *stack;
  GtkPicture           *main_picture;
  GtkBox               *bands_box;
  GtkLabel             *id_label;
  GtkLabel             *info_label;
  GtkWidget            *badge;
  AdwStatusPage        *done_status;

  DassieExploreModel   *model;
  DassieDisplayOptions  options;
  GArray               *history;     /* rows shown, in order (guint32) */
  guint                 pos;         /* of the row shown in history; history->len when done */
  GHashTable           *skipped;     /* rows skipped here: not offered again */
  GHashTable           *reviewed;    /* rows labelled here */
  GArray               *undo_rows;   /* the row of each label given here, the last on top */
  GHashTable           *rendered;    /* row → GPtrArray of textures: composite, then each band */
  GHashTable           *pending;     /* row → GCancellable of its render */
};

G_DEFINE_FINAL_TYPE (DassieReviewWindow, dassie_review_window, ADW_TYPE_WINDOW)

static DassieCatalog *
catalog_of (DassieReviewWindow *self)
{
  return dassie_explore_model_get_catalog (self->model);
}

static guint
n_bands (DassieReviewWindow *self)
{
  DassieCatalog *catalog = catalog_of (self);

  return catalog != NULL && catalog->dataset != NULL ? dassie_dataset_get_n_bands (catalog->dataset) : 0;
}

gssize
dassie_review_window_get_row (DassieReviewWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_REVIEW_WINDOW (self), -1);

  if (self->pos >= self->history->len)
    return -1;
  return g_array_index (self->history, guint32, self->pos);
}

guint
dassie_review_window_get_n_reviewed (DassieReviewWindow *self)
{
  g_return_val_if_fail (DASSIE_IS_REVIEW_WINDOW (self), 0);
  return g_hash_table_size (self->reviewed);
}

gboolean
dassie_review_window_is_rendered (DassieReviewWindow *self,
                                  guint               row)
{
  g_return_val_if_fail (DASSIE_IS_REVIEW_WINDOW (self), FALSE);
  return g_hash_table_contains (self->rendered, GUINT_TO_POINTER (row));
}

gboolean
dassie_review_window_get_busy (DassieReviewWindow *self)
{
  gssize row;

  g_return_val_if_fail (DASSIE_IS_REVIEW_WINDOW (self), FALSE);
  row = dassie_review_window_get_row (self);
  return row >= 0 && !dassie_review_window_is_rendered (self, (guint) row);
}

/* ------------------------------------------------------------------------------------------------
 * What comes next */

static gboolean
was_shown (DassieReviewWindow *self,
           guint32             row)
{
  for (guint i = 0; i < self->history->len; i++)
    if (g_array_index (self->history, guint32, i) == row)
      return TRUE;
  return FALSE;
}

/* The first @n rows not yet shown nor skipped: the most promising, or without a ranking the most
 * anomalous unlabelled ones. Returns how many there are. */
static guint
candidates (DassieReviewWindow *self,
            guint32            *out,
            guint               n)
{
  DassieCatalog *catalog = catalog_of (self);
  gboolean ranked = catalog != NULL && catalog->promising != NULL;
  guint total = catalog == NULL ? 0 : ranked ? catalog->n_promising : catalog->n;
  guint found = 0;

  for (guint i = 0; i < total && found < n; i++)
    {
      guint32 row = ranked ? catalog->promising[i] : catalog->order[i];

      if (!ranked && dassie_explore_model_get_row_label (self->model, row) != DASSIE_LABEL_NONE)
        continue;
      if (g_hash_table_contains (self->skipped, GUINT_TO_POINTER (row)) || was_shown (self, row))
        continue;
      out[found++] = row;
    }
  return found;
}

/* ------------------------------------------------------------------------------------------------
 * Pictures */

static void show_pictures (DassieReviewWindow *self);

typedef struct
{
  DassieReviewWindow *self;
  guint32             row;
  GCancellable       *cancellable;
} Render;

static void
on_rendered (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Render *render = user_data;
  DassieReviewWindow *self = render->self;
  g_autoptr(GPtrArray) textures = dassie_cutouts_render_finish (result, NULL);

  if (g_hash_table_lookup (self->pending, GUINT_TO_POINTER (render->row)) == render->cancellable)
    g_hash_table_remove (self->pending, GUINT_TO_POINTER (render->row));
  if (textures != NULL && !g_cancellable_is_cancelled (render->cancellable))
    {
      g_hash_table_insert (self->rendered, GUINT_TO_POINTER (render->row), g_steal_pointer (&textures));
      if (dassie_review_window_get_row (self) == (gssize) render->row)
        show_pictures (self);
    }
  g_object_unref (render->cancellable);
  g_free (render);
}

static void
request_render (DassieReviewWindow *self,
                guint32             row)
{
  DassieCatalog *catalog = catalog_of (self);
  guint nb = n_bands (self);
  g_autofree guint32 *rows = g_new (guint32, nb + 1);
  g_autofree DassieDisplayOptions *options = g_new (DassieDisplayOptions, nb + 1);
  Render *render;

  if (catalog == NULL || g_hash_table_contains (self->rendered, GUINT_TO_POINTER (row)) ||
      g_hash_table_contains (self->pending, GUINT_TO_POINTER (row)))
    return;
  /* The composite (or the band the page shows), then each band alone. */
  rows[0] = row;
  options[0] = self->options;
  for (guint b = 0; b < nb; b++)
    {
      rows[b + 1] = row;
      options[b + 1] = self->options;
      options[b + 1].mode = DASSIE_DISPLAY_BAND;
      options[b + 1].band = b;
    }
  render = g_new0 (Render, 1);
  render->self = self;
  render->row = row;
  render->cancellable = g_cancellable_new ();
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (row), g_object_ref (render->cancellable));
  dassie_cutouts_render_async (self, catalog, rows, nb + 1, options, nb + 1, MAIN_SIZE, render->cancellable,
                               on_rendered, render);
}

/* Keeps the rendered objects bounded: far from the one shown they are made again if needed. */
static void
trim_rendered (DassieReviewWindow *self,
               const guint32      *keep,
               guint               n_keep)
{
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (self->rendered) <= CACHE_LIMIT)
    return;
  g_hash_table_iter_init (&iter, self->rendered);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gboolean kept = dassie_review_window_get_row (self) == (gssize) GPOINTER_TO_UINT (key);

      for (guint i = 0; i < n_keep && !kept; i++)
        kept = keep[i] == GPOINTER_TO_UINT (key);
      if (!kept)
        g_hash_table_iter_remove (&iter);
    }
}

/* The objects likely next: the next ones in history when the user went back, else the candidates. */
static void
prefetch (DassieReviewWindow *self)
{
  guint32 ahead[N_AHEAD];
  guint n = 0;

  for (guint i = self->pos + 1; i < self->history->len && n < N_AHEAD; i++)
    ahead[n++] = g_array_index (self->history, guint32, i);
  if (n < N_AHEAD)
    n += candidates (self, ahead + n, N_AHEAD - n);
  for (guint i = 0; i < n; i++)
    request_render (self, ahead[i]);
  trim_rendered (self, ahead, n);
}

static void
show_pictures (DassieReviewWindow *self)
{
  gssize row = dassie_review_window_get_row (self);
  GPtrArray *textures = row >= 0 ? g_hash_table_lookup (self->rendered, GUINT_TO_POINTER (row)) : NULL;
  guint i = 1;

  gtk_picture_set_paintable (self->main_picture, textures != NULL ? g_ptr_array_index (textures, 0) : NULL);
  for (GtkWidget *band = gtk_widget_get_first_child (GTK_WIDGET (self->bands_box)); band != NULL;
       band = gtk_widget_get_next_sibling (band), i++)
    gtk_picture_set_paintable (GTK_PICTURE (gtk_widget_get_first_child (band)),
                               textures != NULL && i < textures->len ? g_ptr_array_index (textures, i) : NULL);
}

static void
build_bands (DassieReviewWindow *self)
{
  DassieCatalog *catalog = catalog_of (self);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->bands_box))) != NULL)
    gtk_box_remove (self->bands_box, child);
  for (guint b = 0; b < n_bands (self); b++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *picture = gtk_picture_new ();
      GtkWidget *label = gtk_label_new (dassie_dataset_get_band (catalog->dataset, b));
      g_autofree char *name = g_strdup_printf (_("Band %s"), dassie_dataset_get_band (catalog->dataset, b));

      gtk_widget_set_size_request (picture, BAND_SIZE, BAND_SIZE);
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
      gtk_widget_add_css_class (picture, "review-picture");
      gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), picture);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (self->bands_box, box);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Showing one object */

static void
update_texts (DassieReviewWindow *self)
{
  DassieCatalog *catalog = catalog_of (self);
  gssize row = dassie_review_window_get_row (self);
  guint counts[DASSIE_N_LABELS] = { 0 };
  g_autofree char *progress = NULL;
  g_autofree char *info = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->reviewed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    counts[dassie_explore_model_get_row_label (self->model, GPOINTER_TO_UINT (key))]++;
  /* TRANSLATORS: the review window's progress: "12 reviewed — interesting: 3, boring: 7, artifact: 2" */
  progress = g_strdup_printf (_("%u reviewed — interesting: %u, boring: %u, artifact: %u"),
                              g_hash_table_size (self->reviewed), counts[DASSIE_LABEL_INTERESTING],
                              counts[DASSIE_LABEL_BORING], counts[DASSIE_LABEL_ARTIFACT]);
  adw_window_title_set_subtitle (self->title, progress);

  if (catalog == NULL || row < 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "done");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "object");
  gtk_label_set_text (self->id_label, catalog->ids[row]);
  if (catalog->relevance != NULL)
    info = g_strdup_printf (_("Score %.4g, rank %u of %u, relevance %.3f"), catalog->scores[row],
                            catalog->ranks[row], catalog->n, catalog->relevance[row]);
  else
    info = g_strdup_printf (_("Score %.4g, rank %u of %u"), catalog->scores[row], catalog->ranks[row], catalog->n);
  gtk_label_set_text (self->info_label, info);
  dassie_label_badge_set (self->badge, dassie_explore_model_get_row_label (self->model, (guint) row));
}

static void
show_current (DassieReviewWindow *self)
{
  gssize row = dassie_review_window_get_row (self);

  if (row >= 0)
    request_render (self, (guint32) row);
  show_pictures (self);
  update_texts (self);
  prefetch (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.back", self->pos > 0);
}

/* The next in history after going back, else the best candidate now. */
static void
advance (DassieReviewWindow *self)
{
  guint32 next;

  if (self->pos < self->history->len)
    self->pos++;
  if (self->pos >= self->history->len && candidates (self, &next, 1) == 1)
    {
      g_array_append_val (self->history, next);
      self->pos = self->history->len - 1;
    }
  show_current (self);
}

static void
label_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  DassieReviewWindow *self = DASSIE_REVIEW_WINDOW (widget);
  gssize row = dassie_review_window_get_row (self);
  g_autoptr(GError) error = NULL;
  DassieLabel label;
  guint32 r;

  if (row < 0 || !dassie_label_from_string (g_variant_get_string (param, NULL), &label))
    return;
  r = (guint32) row;
  if (!dassie_explore_model_label_rows (self->model, &r, 1, label, &error))
    {
      gtk_label_set_text (self->info_label, error->message);
      return;
    }
  g_array_append_val (self->undo_rows, r);
  if (label == DASSIE_LABEL_NONE)
    {
      g_hash_table_remove (self->reviewed, GUINT_TO_POINTER (r));
      update_texts (self);
      return;
    }
  g_hash_table_add (self->reviewed, GUINT_TO_POINTER (r));
  advance (self);
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  DassieReviewWindow *self = DASSIE_REVIEW_WINDOW (widget);
  gssize row = dassie_review_window_get_row (self);

  if (row < 0)
    return;
  g_hash_table_add (self->skipped, GUINT_TO_POINTER ((guint) row));
  advance (self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  DassieReviewWindow *self = DASSIE_REVIEW_WINDOW (widget);

  if (self->pos == 0)
    return;
  self->pos--;
  show_current (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  DassieReviewWindow *self = DASSIE_REVIEW_WINDOW (widget);
  DassieLabels *labels = dassie_explore_model_get_labels (self->model);
  g_autoptr(GError) error = NULL;
  guint32 row;

  if (self->undo_rows->len == 0 || labels == NULL || !dassie_labels_can_undo (labels))
    return;
  row = g_array_index (self->undo_rows, guint32, self->undo_rows->len - 1);
  g_array_set_size (self->undo_rows, self->undo_rows->len - 1);
  if (!dassie_labels_undo (labels, &error))
    {
      gtk_label_set_text (self->info_label, error->message);
      return;
    }
  if (dassie_explore_model_get_row_label (self->model, row) == DASSIE_LABEL_NONE)
    g_hash_table_remove (self->reviewed, GUINT_TO_POINTER (row));
  /* Back to the object whose label was taken back. */
  for (guint i = 0; i < self->history->len; i++)
    if (g_array_index (self->history, guint32, i) == row)
      self->pos = i;
  show_current (self);
}

static void
on_labels_changed (DassieReviewWindow *self)
{
  /* The ranking moved: other objects may be next. */
  update_texts (self);
  prefetch (self);
}

static void
on_catalog_changed (DassieReviewWindow *self)
{
  /* Rows of another catalog are other objects. */
  gtk_window_close (GTK_WINDOW (self));
}

/* ------------------------------------------------------------------------------------------------
 * GObject */

static void
cancel_pending (gpointer key,
                gpointer value,
                gpointer user_data)
{
  g_cancellable_cancel (value);
}

static void
dassie_review_window_dispose (GObject *object)
{
  DassieReviewWindow *self = DASSIE_REVIEW_WINDOW (object);

  if (self->pending != NULL)
    g_hash_table_foreach (self->pending, cancel_pending, NULL);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (dassie_review_window_parent_class)->dispose (object);
}

static void
dassie_review_window_finalize (GObject *object)
{
  DassieReviewWindow *self = DASSIE_REVIEW_WINDOW (object);

  g_clear_pointer (&self->history, g_array_unref);
  g_clear_pointer (&self->undo_rows, g_array_unref);
  g_clear_pointer (&self->skipped, g_hash_table_unref);
  g_clear_pointer (&self->reviewed, g_hash_table_unref);
  g_clear_pointer (&self->rendered, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);

  G_OBJECT_CLASS (dassie_review_window_parent_class)->finalize (object);
}

/* Keys the window takes before anything else: GtkWindow's own bindings (Space activates the focus,
 * the arrows move it) would otherwise win. */
static void
add_keys (DassieReviewWindow *self)
{
  const struct { const char *trigger; const char *action; const char *label; } keys[] = {
    { "1", "review.label", "interesting" }, { "KP_1", "review.label", "interesting" },
    { "2", "review.label", "boring" }, { "KP_2", "review.label", "boring" },
    { "3", "review.label", "artifact" }, { "KP_3", "review.label", "artifact" },
    { "0", "review.label", "none" }, { "KP_0", "review.label", "none" },
    { "space", "review.skip", NULL }, { "Right", "review.skip", NULL },
    { "Left", "review.back", NULL }, { "BackSpace", "review.back", NULL },
    { "<Control>z", "review.undo", NULL }, { "Escape", "window.close", NULL },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].trigger),
                                                gtk_named_action_new (keys[i].action));

      if (keys[i].label != NULL)
        gtk_shortcut_set_arguments (shortcut, g_variant_new_string (keys[i].label));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
dassie_review_window_class_init (DassieReviewWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dassie_review_window_dispose;
  object_class->finalize = dassie_review_window_finalize;

  gtk_widget_class_install_action (widget_class, "review.label", "s", label_action);
  gtk_widget_class_install_action (widget_class, "review.skip", NULL, skip_action);
  gtk_widget_class_install_action (widget_class, "review.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "review.undo", NULL, undo_action);
}

/* A button that never takes the focus, so that Space and the arrows stay the window's keys. */
static GtkWidget *
key_button (GtkBox     *box,
            const char *text,
            const char *action,
            const char *target,
            const char *css_class)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (text);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (target != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);
  gtk_widget_set_focusable (button, FALSE);
  gtk_widget_set_focus_on_click (button, FALSE);
  if (css_class != NULL)
    gtk_widget_add_css_class (button, css_class);
  gtk_box_append (box, button);
  return button;
}

static void
dassie_review_window_init (DassieReviewWindow *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *pictures = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *keys = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *done;

  self->history = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->undo_rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->skipped = g_hash_table_new (NULL, NULL);
  self->reviewed = g_hash_table_new (NULL, NULL);
  self->rendered = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  dassie_display_options_init (&self->options);
  add_keys (self);

  gtk_window_set_title (GTK_WINDOW (self), _("Review"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1000, 720);
  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Review the Most Promising"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (toolbar), header);

  /* The composite large on the left with its label badge, the bands in a grid on the right. */
  self->main_picture = GTK_PICTURE (gtk_picture_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->main_picture), MAIN_SIZE, MAIN_SIZE);
  gtk_picture_set_can_shrink (self->main_picture, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->main_picture), "review-picture");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->main_picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The object under review"), -1);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), GTK_WIDGET (self->main_picture));
  self->badge = dassie_label_badge_new ();
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->badge);
  gtk_box_append (GTK_BOX (pictures), overlay);
  self->bands_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12));
  gtk_widget_set_valign (GTK_WIDGET (self->bands_box), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (pictures), GTK_WIDGET (self->bands_box));
  gtk_widget_set_halign (pictures, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (content), pictures);

  self->id_label = GTK_LABEL (gtk_label_new (NULL));
  /* Not selectable: a selectable label would take the focus, and Space and the arrows with it. */
  gtk_widget_add_css_class (GTK_WIDGET (self->id_label), "title-2");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->id_label));
  self->info_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->info_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->info_label), "numeric");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->info_label));

  gtk_widget_set_halign (keys, GTK_ALIGN_CENTER);
  key_button (GTK_BOX (keys), _("_Interesting (1)"), "review.label", "interesting", "suggested-action");
  key_button (GTK_BOX (keys), _("_Boring (2)"), "review.label", "boring", NULL);
  key_button (GTK_BOX (keys), _("_Artifact (3)"), "review.label", "artifact", "destructive-action");
  key_button (GTK_BOX (keys), _("_Skip (Space)"), "review.skip", NULL, "flat");
  key_button (GTK_BOX (keys), _("B_ack (←)"), "review.back", NULL, "flat");
  key_button (GTK_BOX (keys), _("_Undo (Ctrl+Z)"), "review.undo", NULL, "flat");
  gtk_box_append (GTK_BOX (content), keys);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_valign (content, GTK_ALIGN_CENTER);

  done = adw_status_page_new ();
  self->done_status = ADW_STATUS_PAGE (done);
  adw_status_page_set_icon_name (self->done_status, "emblem-ok-symbolic");
  adw_status_page_set_title (self->done_status, _("Nothing Left to Review"));
  adw_status_page_set_description (self->done_status,
                                   _("Every object of the ranking was labelled or skipped. Close the window (Esc) to see them on the map."));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, content, "object");
  gtk_stack_add_named (self->stack, done, "done");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), toolbar);
}

DassieReviewWindow *
dassie_review_window_new (DassieExploreModel         *model,
                          const DassieDisplayOptions *options)
{
  DassieReviewWindow *self;

  g_return_val_if_fail (DASSIE_IS_EXPLORE_MODEL (model), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (DASSIE_TYPE_REVIEW_WINDOW, NULL);
  self->model = g_object_ref (model);
  self->options = *options;
  g_signal_connect_swapped (model, "labels-changed", G_CALLBACK (on_labels_changed), self);
  g_signal_connect_swapped (model, "notify::catalog", G_CALLBACK (on_catalog_changed), self);
  build_bands (self);
  self->pos = 0;
  advance (self);
  return self;
}
