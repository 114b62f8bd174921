/* test-gui-labels.c: labelling in Explore under Xvfb: keys and buttons label the selection, the map
 * rings and the grid badges show it, undo, the Most Promising grid, Hide artifacts in the map, the
 * grids and the exports, the inspector's label bar, and the review window stepping and labelling
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "dassie-cutout-item.h"
#include "dassie-demo.h"
#include "dassie-label-bar.h"
#include "dassie-label-style.h"
#include "dassie-review-window.h"
#include "dassie-test-gui.h"
#include "dassie-test-pages.h"
#include "dassie-test-pointer.h"
#include "dassie-test-scores.h"

#define N_OBJECTS 300
#define K         5

static char *labels_data;

static gboolean
review_settled (gpointer user_data)
{
  return !dassie_review_window_get_busy (user_data);
}

/* A window on a finished pipeline of the test data, on the Explore page, loaded. */
static DassieWindow *
explore_window (void)
{
  DassieWindow *window = dassie_test_pages_new_window (labels_data, 1);
  DassieSession *session = dassie_window_get_session (window);
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  g_autofree char *infer = NULL;
  g_autofree char *scores = NULL;
  g_autofree char *umap = NULL;

  dassie_test_write_pipeline (labels_data, dassie_session_get_results_dir (session), K, &infer, &scores, &umap, NULL);
  dassie_session_set_run (session, "infer", infer);
  dassie_session_set_run (session, "scores", scores);
  dassie_session_set_run (session, "umap", umap);
  dassie_window_set_page (window, "explore");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 30));
  return window;
}

static gboolean
has_class_shown (GtkWidget *widget,
                 gpointer   css_class)
{
  return gtk_widget_has_css_class (widget, css_class) && gtk_widget_get_visible (widget);
}

/* The badges of @label that @grid shows. */
static guint
count_badges (DassieCutoutGrid *grid,
              DassieLabel       label)
{
  g_autoptr(GPtrArray) badges = dassie_test_find_widgets (GTK_WIDGET (grid), GTK_TYPE_LABEL, has_class_shown,
                                                          (gpointer) dassie_label_get_css_class (label));
  return badges->len;
}

static guint
count_items_labelled (DassieCutoutGrid *grid,
                      DassieLabel       label)
{
  GListModel *items = dassie_cutout_grid_get_model (grid);
  guint n = 0;

  for (guint i = 0; items != NULL && i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);
      n += dassie_cutout_item_get_label (item) == label;
    }
  return n;
}

static gboolean
grid_holds (DassieCutoutGrid *grid,
            guint             row)
{
  GListModel *items = dassie_cutout_grid_get_model (grid);

  for (guint i = 0; items != NULL && i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);
      if (dassie_cutout_item_get_index (item) == row)
        return TRUE;
    }
  return FALSE;
}

static gboolean
label_has_text (GtkWidget *widget,
                gpointer   text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

/* Draws the map as the widget does, with or without the label rings. */
static cairo_surface_t *
draw_map (DassieScatterView *scatter,
          gboolean           with_marks)
{
  int width = gtk_widget_get_width (GTK_WIDGET (scatter));
  int height = gtk_widget_get_height (GTK_WIDGET (scatter));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  DassieScatter description;

  dassie_scatter_view_describe (scatter, &description);
  description.cache = NULL;
  if (!with_marks)
    description.marks = NULL;
  dassie_plot_scatter (cr, width, height, &description);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Every pixel that the rings change lies within a few pixels of a labelled point, is in the colour
 * of its label, and each labelled point in view has some. */
static void
check_map_rings (DassieExploreModel *model,
                 DassieScatterView  *scatter,
                 const guint32      *rows,
                 guint               n_rows,
                 DassieLabel         label)
{
  cairo_surface_t *plain = draw_map (scatter, FALSE);
  cairo_surface_t *ringed = draw_map (scatter, TRUE);
  DassieCatalog *catalog = dassie_explore_model_get_catalog (model);
  const DassieView *view = dassie_explore_model_get_view (model);
  int width = cairo_image_surface_get_width (plain), height = cairo_image_surface_get_height (plain);
  int stride = cairo_image_surface_get_stride (plain);
  const guint8 *a = cairo_image_surface_get_data (plain), *b = cairo_image_surface_get_data (ringed);
  g_autofree guint *hits = g_new0 (guint, n_rows);
  guint32 rgb = dassie_label_rgb[label - 1];
  guint changed = 0, in_colour = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pa = *(const guint32 *) (gconstpointer) (a + y * stride + 4 * x) & 0xffffff;
        guint32 pb = *(const guint32 *) (gconstpointer) (b + y * stride + 4 * x) & 0xffffff;
        gboolean near = FALSE;

        if (pa == pb)
          continue;
        changed++;
        for (guint i = 0; i < n_rows; i++)
          {
            double px = view->left + (catalog->x[rows[i]] - view->x_min) * view->width / (view->x_max - view->x_min);
            double py = view->top + (view->y_max - catalog->y[rows[i]]) * view->height / (view->y_max - view->y_min);

            if (fabs (px - x) <= 12 && fabs (py - y) <= 12)
              {
                near = TRUE;
                hits[i]++;
              }
          }
        if (!near)
          g_error ("the rings changed pixel (%d, %d), far from every labelled point", x, y);
        /* Antialiased edges blend; the ring's middle is its colour. */
        in_colour += abs ((int) (pb >> 16) - (int) (rgb >> 16)) < 40 && abs ((int) ((pb >> 8) & 0xff) - (int) ((rgb >> 8) & 0xff)) < 40 &&
                     abs ((int) (pb & 0xff) - (int) (rgb & 0xff)) < 40;
      }
  g_assert_cmpuint (changed, >, 0);
  g_assert_cmpuint (in_colour, >, changed / 4);
  for (guint i = 0; i < n_rows; i++)
    g_assert_cmpuint (hits[i], >, 0);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (ringed);
}

static void
test_label_keys (void)
{
  DassieWindow *window = explore_window ();
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  DassieExploreModel *model = dassie_explore_page_get_model (page);
  DassieScatterView *scatter = dassie_explore_page_get_scatter (page);
  DassieCutoutGrid *anomalous = dassie_explore_page_get_grid (page, "anomalous");
  DassieCutoutGrid *promising = dassie_explore_page_get_grid (page, "promising");
  DassieCatalog *catalog = dassie_explore_model_get_catalog (model);
  DassieLabels *labels = dassie_explore_model_get_labels (model);
  gboolean keys = dassie_test_pointer_available (GTK_WIDGET (scatter));
  g_autofree char *export_path = g_build_filename (dassie_test_pages_home (), "labels-top.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint counts[DASSIE_N_LABELS];
  guint32 top[3];
  GListModel *items;

  g_assert_nonnull (labels);
  g_assert_null (dassie_explore_model_get_labels_error (model));
  g_assert_nonnull (catalog->latents);
  g_assert_nonnull (catalog->promising);
  g_assert_cmpuint (catalog->n_promising, ==, N_OBJECTS);

  /* Before any label the Most Promising grid shows the head of the ranking. */
  items = dassie_cutout_grid_get_model (promising);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 16);
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);
      g_assert_cmpuint (dassie_cutout_item_get_index (item), ==, catalog->promising[i]);
    }

  /* The three most anomalous, selected, then key 3. */
  for (guint i = 0; i < 3; i++)
    top[i] = catalog->order[i];
  dassie_explore_model_select_rows (model, top, 3, DASSIE_SELECT_REPLACE);
  dassie_explore_page_show_grid (page, "anomalous");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  if (keys)
    {
      /* The pointer over the map, so that the window has the keyboard. */
      dassie_test_pointer_move (GTK_WIDGET (scatter), 5, 5);
      dassie_test_key_press (GDK_KEY_3, 0);
    }
  else
    {
      g_test_message ("no XTest: labelling through the action, not the key");
      gtk_widget_activate_action (GTK_WIDGET (page), "explore.label", "s", "artifact");
    }
  for (guint r = 0; r < catalog->n; r++)
    {
      gboolean is_top = r == top[0] || r == top[1] || r == top[2];

      g_assert_cmpint (dassie_labels_get (labels, catalog->ids[r]), ==, is_top ? DASSIE_LABEL_ARTIFACT : DASSIE_LABEL_NONE);
      g_assert_cmpint (catalog->labels[r], ==, is_top ? DASSIE_LABEL_ARTIFACT : DASSIE_LABEL_NONE);
    }
  dassie_labels_count (labels, counts);
  g_assert_cmpuint (counts[DASSIE_LABEL_ARTIFACT], ==, 3);
  /* The toast names the change and offers to undo it. */
  g_assert_nonnull (dassie_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, label_has_text,
                                             (gpointer) "3 objects labelled artifact"));

  /* The grid's badges and the map's rings. */
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  dassie_test_settle (0.1);
  g_assert_cmpuint (count_items_labelled (anomalous, DASSIE_LABEL_ARTIFACT), ==, 3);
  g_assert_cmpuint (count_badges (anomalous, DASSIE_LABEL_ARTIFACT), ==, 3);
  check_map_rings (model, scatter, top, 3, DASSIE_LABEL_ARTIFACT);
  /* The labelled objects left the ranking. */
  g_assert_cmpuint (catalog->n_promising, ==, N_OBJECTS - 3);
  for (guint i = 0; i < 3; i++)
    g_assert_false (grid_holds (promising, top[i]));
  dassie_test_save_screenshot (GTK_WIDGET (window), "labels-artifacts");

  /* Undo: Ctrl+Z takes the three labels back. */
  if (keys)
    dassie_test_key_press (GDK_KEY_z, GDK_CONTROL_MASK);
  else
    gtk_widget_activate_action (GTK_WIDGET (page), "explore.undo-label", NULL);
  dassie_labels_count (labels, counts);
  g_assert_cmpuint (counts[DASSIE_LABEL_ARTIFACT], ==, 0);
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  dassie_test_settle (0.1);
  g_assert_cmpuint (count_badges (anomalous, DASSIE_LABEL_ARTIFACT), ==, 0);
  g_assert_cmpuint (catalog->n_promising, ==, N_OBJECTS);

  /* A digit typed into a text field is the field's: the range's spin button keeps it. */
  if (keys)
    {
      GtkWidget *spin = dassie_test_find_widget (GTK_WIDGET (page), GTK_TYPE_SPIN_BUTTON, NULL, NULL);

      g_assert_true (gtk_widget_grab_focus (spin));
      dassie_test_settle (0.05);
      dassie_test_key_press (GDK_KEY_3, 0);
      dassie_labels_count (labels, counts);
      g_assert_cmpuint (counts[DASSIE_LABEL_ARTIFACT], ==, 0);
      g_assert_nonnull (strchr (gtk_editable_get_text (GTK_EDITABLE (spin)), '3'));
      gtk_widget_grab_focus (GTK_WIDGET (scatter));
      gtk_widget_activate_action (GTK_WIDGET (page), "explore.reset-range", NULL);
    }

  /* Again, through the button's action; then Hide artifacts. */
  gtk_widget_activate_action (GTK_WIDGET (page), "explore.label", "s", "artifact");
  dassie_explore_model_set_hide_artifacts (model, TRUE);
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  items = dassie_cutout_grid_get_model (anomalous);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 16);
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);
      /* The next most anomalous move up. */
      g_assert_cmpuint (dassie_cutout_item_get_index (item), ==, catalog->order[i + 3]);
    }
  g_assert_cmpuint (count_badges (anomalous, DASSIE_LABEL_ARTIFACT), ==, 0);
  {
    DassieScatter description;

    dassie_scatter_view_describe (scatter, &description);
    for (guint r = 0; r < catalog->n; r++)
      g_assert_true (isnan (description.x[r]) == (catalog->labels[r] == DASSIE_LABEL_ARTIFACT));
  }
  /* The selection grid leaves them out too, and the exports. */
  g_assert_false (grid_holds (dassie_explore_page_get_grid (page, "selection"), top[0]));
  {
    DassieTestExportWait wait = { 0 };

    dassie_explore_page_export_async (page, 5, export_path, NULL, dassie_test_on_exported, &wait);
    g_assert_true (dassie_test_wait_for (dassie_test_export_done, &wait, 20));
    g_assert_no_error (wait.error);
    g_assert_cmpint (wait.n, ==, 5);
    g_assert_true (g_file_get_contents (export_path, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    for (guint i = 0; i < 5; i++)
      {
        g_auto(GStrv) fields = g_strsplit (lines[i + 1], ",", 2);
        g_assert_cmpstr (fields[0], ==, catalog->ids[catalog->order[i + 3]]);
      }
    g_assert_true (lines[6] == NULL || *lines[6] == 0);
  }
  dassie_test_save_screenshot (GTK_WIDGET (window), "labels-hidden");
  dassie_explore_model_set_hide_artifacts (model, FALSE);
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  g_assert_true (grid_holds (anomalous, top[0]));

  /* The inspector labels the object it shows, by its buttons and in its window by the keys. */
  {
    DassieInspector *inspector = dassie_explore_page_inspect (page, catalog->order[5]);
    DassieLabelBar *bar = DASSIE_LABEL_BAR (dassie_test_find_widget (GTK_WIDGET (inspector), DASSIE_TYPE_LABEL_BAR,
                                                                      NULL, NULL));

    g_assert_nonnull (bar);
    g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 20));
    gtk_widget_activate_action (GTK_WIDGET (bar), "labelbar.label", "s", "interesting");
    g_assert_cmpint (dassie_explore_model_get_row_label (model, catalog->order[5]), ==, DASSIE_LABEL_INTERESTING);
    /* A neighbour labelled from the page gets its badge in the inspector. */
    {
      guint32 neighbor = catalog->neighbors[(gsize) catalog->order[5] * catalog->k];
      DassieCutoutGrid *neighbors = dassie_inspector_get_neighbors (inspector);

      dassie_explore_model_select_rows (model, &neighbor, 1, DASSIE_SELECT_REPLACE);
      gtk_widget_activate_action (GTK_WIDGET (page), "explore.label", "s", "boring");
      dassie_test_settle (0.1);
      g_assert_cmpuint (count_items_labelled (neighbors, DASSIE_LABEL_BORING), ==, 1);
      g_assert_cmpuint (count_badges (neighbors, DASSIE_LABEL_BORING), ==, 1);
      gtk_widget_activate_action (GTK_WIDGET (page), "explore.undo-label", NULL);
      dassie_explore_model_select_none (model);
      dassie_test_settle (0.1);
      g_assert_cmpuint (count_badges (neighbors, DASSIE_LABEL_BORING), ==, 0);
    }
    g_assert_cmpint (dassie_label_badge_get (dassie_label_bar_get_badge (bar)), ==, DASSIE_LABEL_INTERESTING);
    g_assert_true (gtk_widget_get_visible (dassie_label_bar_get_badge (bar)));
    g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
    g_assert_cmpuint (count_items_labelled (anomalous, DASSIE_LABEL_INTERESTING), ==, 1);
    dassie_test_save_screenshot (GTK_WIDGET (inspector), "labels-inspector");
    gtk_widget_activate_action (GTK_WIDGET (bar), "labelbar.undo", NULL);
    g_assert_cmpint (dassie_explore_model_get_row_label (model, catalog->order[5]), ==, DASSIE_LABEL_NONE);
    g_assert_false (gtk_widget_get_visible (dassie_label_bar_get_badge (bar)));
    gtk_widget_set_visible (GTK_WIDGET (inspector), FALSE);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  DassieReviewWindow *review;
  DassieCatalog      *catalog;
  guint32             rows[4];
  guint               n;
} AheadWait;

static gboolean
ahead_rendered (gpointer user_data)
{
  AheadWait *ahead = user_data;

  for (guint i = 0; i < ahead->n; i++)
    if (!dassie_review_window_is_rendered (ahead->review, ahead->rows[i]))
      return FALSE;
  return TRUE;
}

static gboolean
was_seen (guint32        row,
          const guint32 *seen,
          guint          n_seen)
{
  for (guint i = 0; i < n_seen; i++)
    if (seen[i] == row)
      return TRUE;
  return FALSE;
}

static void
test_review (void)
{
  DassieWindow *window = explore_window ();
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  DassieExploreModel *model = dassie_explore_page_get_model (page);
  DassieCatalog *catalog = dassie_explore_model_get_catalog (model);
  DassieLabels *labels = dassie_explore_model_get_labels (model);
  DassieReviewWindow *review;
  gboolean keys;
  guint32 first, second, third, fourth;
  guint32 seen[64];
  guint n_seen = 0;
  guint counts[DASSIE_N_LABELS];

  dassie_labels_clear_all (labels, NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "explore.review", NULL);
  review = DASSIE_REVIEW_WINDOW (dassie_test_find_toplevel (DASSIE_TYPE_REVIEW_WINDOW));
  g_assert_nonnull (review);
  dassie_test_settle (0.2);
  keys = dassie_test_pointer_available (GTK_WIDGET (review));

  /* The most promising first, its pictures made, and the next one made ahead. */
  first = catalog->promising[0];
  g_assert_cmpint (dassie_review_window_get_row (review), ==, first);
  g_assert_true (dassie_test_wait_for (review_settled, review, 20));
  second = catalog->promising[1];
  {
    gboolean ahead = FALSE;

    for (guint t = 0; t < 200 && !ahead; t++)
      {
        ahead = dassie_review_window_is_rendered (review, second);
        if (!ahead)
          dassie_test_settle (0.05);
      }
    g_assert_true (ahead);
  }
  dassie_test_save_screenshot (GTK_WIDGET (review), "labels-review");

  /* 1: interesting, and on to the most promising after the re-ranking. */
  if (keys)
    {
      dassie_test_pointer_move (GTK_WIDGET (review), 20, 60);
      dassie_test_key_press (GDK_KEY_1, 0);
    }
  else
    gtk_widget_activate_action (GTK_WIDGET (review), "review.label", "s", "interesting");
  g_assert_cmpint (dassie_labels_get (labels, catalog->ids[first]), ==, DASSIE_LABEL_INTERESTING);
  g_assert_cmpuint (dassie_review_window_get_n_reviewed (review), ==, 1);
  second = catalog->promising[0];
  g_assert_cmpuint (second, !=, first);
  g_assert_cmpint (dassie_review_window_get_row (review), ==, second);

  /* Space skips it: not labelled, and the next one is the best of the rest. */
  if (keys)
    dassie_test_key_press (GDK_KEY_space, 0);
  else
    gtk_widget_activate_action (GTK_WIDGET (review), "review.skip", NULL);
  g_assert_cmpint (dassie_labels_get (labels, catalog->ids[second]), ==, DASSIE_LABEL_NONE);
  third = catalog->promising[0] == second ? catalog->promising[1] : catalog->promising[0];
  g_assert_cmpint (dassie_review_window_get_row (review), ==, third);

  /* 3: artifact. */
  if (keys)
    dassie_test_key_press (GDK_KEY_3, 0);
  else
    gtk_widget_activate_action (GTK_WIDGET (review), "review.label", "s", "artifact");
  g_assert_cmpint (dassie_labels_get (labels, catalog->ids[third]), ==, DASSIE_LABEL_ARTIFACT);
  fourth = (guint32) dassie_review_window_get_row (review);
  g_assert_cmpuint (fourth, !=, first);
  g_assert_cmpuint (fourth, !=, second);
  g_assert_cmpuint (fourth, !=, third);
  g_assert_cmpint (dassie_explore_model_get_row_label (model, fourth), ==, DASSIE_LABEL_NONE);

  /* ← goes back to the artifact, showing its label; 2 relabels it boring. */
  if (keys)
    dassie_test_key_press (GDK_KEY_Left, 0);
  else
    gtk_widget_activate_action (GTK_WIDGET (review), "review.back", NULL);
  g_assert_cmpint (dassie_review_window_get_row (review), ==, third);
  g_assert_true (dassie_test_wait_for (review_settled, review, 20));
  /* Its badge says what it was labelled. */
  g_assert_nonnull (dassie_test_find_widget (GTK_WIDGET (review), GTK_TYPE_LABEL, has_class_shown,
                                             (gpointer) dassie_label_get_css_class (DASSIE_LABEL_ARTIFACT)));
  dassie_test_save_screenshot (GTK_WIDGET (review), "labels-review-back");
  gtk_widget_activate_action (GTK_WIDGET (review), "review.label", "s", "boring");
  g_assert_cmpint (dassie_labels_get (labels, catalog->ids[third]), ==, DASSIE_LABEL_BORING);
  /* Forward again to the one after it. */
  g_assert_cmpint (dassie_review_window_get_row (review), ==, fourth);
  g_assert_cmpuint (dassie_review_window_get_n_reviewed (review), ==, 2);

  /* Ctrl+Z takes back the last label and shows its object. */
  if (keys)
    dassie_test_key_press (GDK_KEY_z, GDK_CONTROL_MASK);
  else
    gtk_widget_activate_action (GTK_WIDGET (review), "review.undo", NULL);
  g_assert_cmpint (dassie_labels_get (labels, catalog->ids[third]), ==, DASSIE_LABEL_ARTIFACT);
  g_assert_cmpint (dassie_review_window_get_row (review), ==, third);

  seen[n_seen++] = first;
  seen[n_seen++] = second;
  seen[n_seen++] = third;
  /* Many in a row: each key labels one object and moves on: the artifact again, then the one after it
   * (seen before), then 18 new ones. */
  for (guint i = 0; i < 20; i++)
    {
      seen[n_seen++] = (guint32) dassie_review_window_get_row (review);
      gtk_widget_activate_action (GTK_WIDGET (review), "review.label", "s", "boring");
    }
  dassie_labels_count (labels, counts);
  g_assert_cmpuint (counts[DASSIE_LABEL_INTERESTING], ==, 1);
  g_assert_cmpuint (counts[DASSIE_LABEL_ARTIFACT], ==, 0);
  g_assert_cmpuint (counts[DASSIE_LABEL_BORING], ==, 20);
  g_assert_cmpint (dassie_labels_get (labels, catalog->ids[fourth]), ==, DASSIE_LABEL_BORING);
  g_assert_cmpuint (dassie_review_window_get_n_reviewed (review), ==, 21);
  g_assert_true (dassie_test_wait_for (review_settled, review, 20));

  /* At a human pace (the objects ahead rendered before each key), how often the next object shown
   * was ready at once: its pictures were made before it was asked for. */
  {
    guint hits = 0, steps = 12;
    gint64 start, spent = 0;

    for (guint i = 0; i < steps; i++)
      {
        AheadWait ahead = { review, catalog, { 0 }, 0 };
        gssize before = dassie_review_window_get_row (review);

        g_assert_cmpint (before, >=, 0);
        /* The four best candidates other than the one shown, as the window reckons them. */
        for (guint r = 0; r < catalog->n_promising && ahead.n < G_N_ELEMENTS (ahead.rows); r++)
          if ((gssize) catalog->promising[r] != before && !was_seen (catalog->promising[r], seen, n_seen))
            ahead.rows[ahead.n++] = catalog->promising[r];
        g_assert_true (dassie_test_wait_for (ahead_rendered, &ahead, 20));
        seen[n_seen++] = (guint32) before;
        start = g_get_monotonic_time ();
        gtk_widget_activate_action (GTK_WIDGET (review), "review.label", "s", i % 3 == 0 ? "interesting" : "boring");
        spent += g_get_monotonic_time () - start;
        g_assert_cmpint (dassie_review_window_get_row (review), !=, before);
        hits += dassie_review_window_is_rendered (review, (guint) dassie_review_window_get_row (review));
      }
    g_test_message ("review: %u of %u objects were ready when shown; a label, its re-ranking and the next "
                    "object took %.2f ms on average", hits, steps, spent / 1000.0 / steps);
    g_assert_cmpuint (hits, >, 0);
  }

  /* The page's grids show the labels given in review, and the ranking after them. */
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  {
    GListModel *items = dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "promising"));

    g_assert_cmpuint (g_list_model_get_n_items (items), ==, 16);
    for (guint i = 0; i < 16; i++)
      {
        g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);

        g_assert_cmpuint (dassie_cutout_item_get_index (item), ==, catalog->promising[i]);
        g_assert_cmpint (dassie_cutout_item_get_label (item), ==, DASSIE_LABEL_NONE);
      }
  }
  dassie_explore_page_show_grid (page, "promising");
  dassie_test_settle (0.2);
  dassie_test_save_screenshot (GTK_WIDGET (window), "labels-promising");
  dassie_explore_page_show_grid (page, "anomalous");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  dassie_test_settle (0.1);
  g_assert_cmpuint (count_badges (dassie_explore_page_get_grid (page, "anomalous"), DASSIE_LABEL_BORING), ==,
                    count_items_labelled (dassie_explore_page_get_grid (page, "anomalous"), DASSIE_LABEL_BORING));
  g_assert_true (grid_holds (dassie_explore_page_get_grid (page, "anomalous"), first) ==
                 (catalog->ranks[first] <= 16));

  /* Esc leaves. */
  if (keys)
    {
      dassie_test_key_press (GDK_KEY_Escape, 0);
      dassie_test_settle (0.1);
      g_assert_null (dassie_test_find_toplevel (DASSIE_TYPE_REVIEW_WINDOW));
    }
  else
    gtk_window_close (GTK_WINDOW (review));
  gtk_window_destroy (GTK_WINDOW (window));
}


/* 100,000 objects: each label re-ranks them all and redraws the map; the figures are printed. */
static void
test_large (void)
{
  const guint n = 100000, dim = 16;
  g_autoptr(DassieCatalog) catalog = dassie_catalog_new (n, 0);
  g_autoptr(DassieExploreModel) model = dassie_explore_model_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autofree float *latents = g_new (float, (gsize) n * dim);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *scatter = dassie_scatter_view_new ();
  double label_ms = 0, draw_ms = 0;
  const guint steps = 10;

  for (guint i = 0; i < n; i++)
    {
      int clump = g_rand_int_range (rand, 0, 12);
      double r = fabs (g_rand_double_range (rand, -1, 1) + g_rand_double_range (rand, -1, 1));
      double a = g_rand_double_range (rand, 0, 2 * G_PI);

      catalog->x[i] = (float) (4 * cos (clump * 0.52) * (1 + clump % 3) + r * cos (a));
      catalog->y[i] = (float) (4 * sin (clump * 0.52) * (1 + clump % 3) + r * sin (a));
      catalog->scores[i] = (float) (0.2 + r * r + g_rand_double_range (rand, 0, 0.05));
      for (guint d = 0; d < dim; d++)
        latents[(gsize) i * dim + d] = (float) (clump * (d % 3 == 0) + g_rand_double_range (rand, -0.5, 0.5));
    }
  dassie_catalog_rank (catalog);
  dassie_catalog_set_latents (catalog, latents, dim);

  gtk_window_set_default_size (window, 1000, 700);
  gtk_window_set_child (window, scatter);
  dassie_chart_set_model (DASSIE_CHART (scatter), model);
  dassie_explore_model_set_catalog (model, catalog);
  gtk_window_present (window);
  dassie_test_settle (0.3);
  g_assert_nonnull (dassie_explore_model_get_labels (model));
  g_assert_nonnull (catalog->promising);
  g_assert_cmpuint (catalog->n_promising, ==, n);

  for (guint i = 0; i < steps; i++)
    {
      guint32 row = catalog->promising[0];
      DassieLabel label = i % 2 == 0 ? DASSIE_LABEL_ARTIFACT : DASSIE_LABEL_INTERESTING;
      guint renders = dassie_scatter_view_get_n_renders (DASSIE_SCATTER_VIEW (scatter));
      g_autoptr(GError) error = NULL;
      DassieScatter description;
      gint64 start = g_get_monotonic_time ();

      g_assert_true (dassie_explore_model_label_rows (model, &row, 1, label, &error));
      g_assert_no_error (error);
      label_ms += (g_get_monotonic_time () - start) / 1000.0;
      g_assert_cmpuint (catalog->n_promising, ==, n - i - 1);
      for (guint r = 0; r < catalog->n_promising; r++)
        g_assert_cmpuint (catalog->promising[r], !=, row);
      dassie_scatter_view_describe (DASSIE_SCATTER_VIEW (scatter), &description);
      g_assert_cmpint (description.marks[row], ==, label);
      /* The map is drawn again with the ring. */
      while (dassie_scatter_view_get_n_renders (DASSIE_SCATTER_VIEW (scatter)) == renders)
        dassie_test_settle (0.02);
      draw_ms += dassie_scatter_view_get_render_ms (DASSIE_SCATTER_VIEW (scatter));
    }
  g_test_message ("100,000 objects: a label and its re-ranking took %.1f ms on average, the map's redrawing %.1f ms",
                  label_ms / steps, draw_ms / steps);
  gtk_window_destroy (window);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  DassieDemoOptions options;
  int status;

  dassie_test_pages_init (&argc, &argv);
  store = g_build_filename (dassie_test_pages_home (), "labels", NULL);
  g_setenv ("DASSIE_LABELS_DIR", store, TRUE);
  labels_data = g_build_filename (dassie_test_pages_home (), "labels-data", NULL);
  dassie_demo_options_init (&options);
  options.n_objects = N_OBJECTS;
  options.size = 32;
  g_assert_true (dassie_demo_generate (labels_data, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/gui/labels/keys", test_label_keys);
  g_test_add_func ("/gui/labels/review", test_review);
  g_test_add_func ("/gui/labels/large", test_large);
  status = g_test_run ();
  dassie_test_pages_cleanup ();
  g_free (labels_data);
  return status;
}
