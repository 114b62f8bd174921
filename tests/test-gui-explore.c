/* test-gui-explore.c: the Explore page on a finished pipeline under Xvfb: grids, lasso and box through
 * the model and through real pointer events, zoom leaving the selection alone, histogram ranges,
 * the inspector, exports read back, plots saved; and a million points through the frame clock
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <fitsio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dassie-cutout-item.h"
#include "dassie-demo.h"
#include "dassie-score-chooser.h"
#include "dassie-score-methods.h"
#include "dassie-test-gui.h"
#include "dassie-test-pages.h"
#include "dassie-test-pointer.h"
#include "dassie-test-scores.h"

#define N_OBJECTS 300
#define K         5

/* ------------------------------------------------------------------------------------------------
 * Independent references */

/* Winding number of a closed polygon around (x, y), by the crossing rule on each edge. */
static int
winding (const double *poly,
         gsize         n,
         double        x,
         double        y)
{
  int w = 0;

  for (gsize i = 0; i < n; i++)
    {
      double x0 = poly[2 * i], y0 = poly[2 * i + 1];
      double x1 = poly[2 * ((i + 1) % n)], y1 = poly[2 * ((i + 1) % n) + 1];
      double cross = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0);

      if (y0 <= y && y1 > y && cross > 0)
        w++;
      else if (y1 <= y && y0 > y && cross < 0)
        w--;
    }
  return w;
}

/* The rows whose points lie inside the pixel polygon under the view (non-zero rule). */
static gboolean *
expected_lasso (DassieCatalog    *catalog,
                const DassieView *view,
                const double     *poly,
                gsize             n)
{
  gboolean *inside = g_new0 (gboolean, catalog->n);

  for (guint i = 0; i < catalog->n; i++)
    {
      double px, py;

      if (!isfinite (catalog->x[i]) || !isfinite (catalog->y[i]))
        continue;
      px = view->left + (catalog->x[i] - view->x_min) * view->width / (view->x_max - view->x_min);
      py = view->top + (view->y_max - catalog->y[i]) * view->height / (view->y_max - view->y_min);
      inside[i] = winding (poly, n, px, py) != 0;
    }
  return inside;
}

static void
assert_selection (DassieExploreModel *model,
                  const gboolean     *expected)
{
  DassieCatalog *catalog = dassie_explore_model_get_catalog (model);
  const DassieSelection *selection = dassie_explore_model_get_selection (model);
  guint count = 0;

  for (guint i = 0; i < catalog->n; i++)
    {
      if (expected[i] != dassie_selection_contains (selection, i))
        g_error ("row %u (%g, %g): expected %s", i, catalog->x[i], catalog->y[i], expected[i] ? "in" : "out");
      count += expected[i] ? 1 : 0;
    }
  g_assert_cmpuint (dassie_explore_model_get_n_selected (model), ==, count);
}

/* A concave polygon (a "C" opening to the right) inside the plot area, in pixels. */
static gsize
c_shape (const DassieView *view,
         double            cx,
         double            cy,
         double            size,
         double           *xy)
{
  static const double shape[] = {
    0.5, -0.5, -0.5, -0.5, -0.5, 0.5, 0.5, 0.5, 0.5, 0.25, -0.2, 0.25, -0.2, -0.25, 0.5, -0.25,
  };

  for (guint i = 0; i < G_N_ELEMENTS (shape); i += 2)
    {
      xy[i] = view->left + view->width * cx + size * shape[i];
      xy[i + 1] = view->top + view->height * cy + size * shape[i + 1];
    }
  return G_N_ELEMENTS (shape) / 2;
}

/* ------------------------------------------------------------------------------------------------
 * Waiting */

static gboolean
page_idle (gpointer user_data)
{
  return !dassie_explore_page_get_busy (user_data);
}

static gssize
export_and_wait (DassieExplorePage *page,
                 guint              top_n,
                 const char        *path)
{
  DassieTestExportWait wait = { 0 };

  dassie_explore_page_export_async (page, top_n, path, NULL, dassie_test_on_exported, &wait);
  g_assert_true (dassie_test_wait_for (dassie_test_export_done, &wait, 20));
  g_assert_no_error (wait.error);
  return wait.n;
}

/* ------------------------------------------------------------------------------------------------
 * Checks on exported files */

static GHashTable *
selected_ids (DassieExploreModel *model)
{
  DassieCatalog *catalog = dassie_explore_model_get_catalog (model);
  GHashTable *ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < catalog->n; i++)
    if (dassie_selection_contains (dassie_explore_model_get_selection (model), i))
      g_hash_table_add (ids, catalog->ids[i]);
  return ids;
}

static void
check_csv (const char         *path,
           DassieExploreModel *model)
{
  DassieCatalog *catalog = dassie_explore_model_get_catalog (model);
  g_autoptr(GHashTable) ids = selected_ids (model);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_lines = 0, last_rank = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  /* The position after the id; with the labels of the data set open, the relevance after the score and
   * the label after the map; the demo manifest's tract last. */
  g_assert_true (g_str_has_prefix (lines[0], "object_id,ra,dec,score,relevance,rank,umap_x,umap_y,label,path_"));
  g_assert_true (g_str_has_suffix (lines[0], ",tract"));
  for (guint l = 1; lines[l] != NULL && *lines[l] != 0; l++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[l], ",", -1);
      int row = dassie_catalog_find_row (catalog, fields[0]);
      guint rank = (guint) atoi (fields[5]);
      double ra, dec;

      g_assert_cmpint (row, >=, 0);
      g_assert_true (dassie_dataset_get_position (catalog->dataset, (guint) catalog->objects[row], &ra, &dec));
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[1], NULL), ra, 1e-9);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[2], NULL), dec, 1e-9);
      g_assert_true (g_hash_table_contains (ids, fields[0]));
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[3], NULL), catalog->scores[row], 1e-5);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[4], NULL), catalog->relevance[row], 1e-5);
      g_assert_cmpuint (rank, ==, catalog->ranks[row]);
      g_assert_cmpuint (rank, >, last_rank);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[6], NULL), catalog->x[row], 1e-4);
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (fields[7], NULL), catalog->y[row], 1e-4);
      g_assert_cmpstr (fields[8], ==, "");
      g_assert_cmpstr (fields[9], ==, dassie_dataset_get_file (catalog->dataset, (guint) catalog->objects[row], 0));
      last_rank = rank;
      n_lines++;
    }
  g_assert_cmpuint (n_lines, ==, g_hash_table_size (ids));
}

static void
check_fits (const char         *path,
            DassieExploreModel *model)
{
  g_autoptr(GHashTable) ids = selected_ids (model);
  g_autofree gint64 *values = NULL;
  fitsfile *fptr = NULL;
  LONGLONG n_rows = 0;
  int status = 0, colnum = 0;

  fits_open_table (&fptr, path, READONLY, &status);
  fits_get_num_rowsll (fptr, &n_rows, &status);
  fits_get_colnum (fptr, CASEINSEN, (char *) "object_id", &colnum, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (n_rows, ==, g_hash_table_size (ids));
  values = g_new (gint64, MAX (n_rows, 1));
  fits_read_col (fptr, TLONGLONG, colnum, 1, 1, n_rows, NULL, values, NULL, &status);
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
  for (LONGLONG r = 0; r < n_rows; r++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, values[r]);
      g_assert_true (g_hash_table_contains (ids, id));
    }
}

typedef struct
{
  guint rows;
  guint cells;
} VoCount;

static void
vo_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  VoCount *count = user_data;

  if (g_str_equal (element, "TR"))
    count->rows++;
  else if (g_str_equal (element, "TD"))
    count->cells++;
}

static void
check_votable (const char         *path,
               DassieExploreModel *model)
{
  const GMarkupParser parser = { vo_start, NULL, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;
  VoCount count = { 0 };

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  context = g_markup_parse_context_new (&parser, 0, &count, NULL);
  g_assert_true (g_markup_parse_context_parse (context, text, length, &error));
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count.rows, ==, dassie_explore_model_get_n_selected (model));
  /* id, score, relevance, rank, x, y, label and three file paths a row */
  /* id, ra, dec, score, relevance, rank, umap_x, umap_y, label, three paths, tract. */
  g_assert_cmpuint (count.cells, ==, 13 * count.rows);
}

static void
check_magic (const char *path,
             const char *magic)
{
  g_autofree char *text = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  g_assert_cmpuint (length, >, strlen (magic));
  g_assert_true (memcmp (text, magic, strlen (magic)) == 0);
}

/* ------------------------------------------------------------------------------------------------
 * The page on a finished pipeline */

static char *explore_data;

static void
screenshot_lasso (gpointer widget,
                  gpointer user_data)
{
  dassie_test_save_screenshot (GTK_WIDGET (gtk_widget_get_root (widget)), "explore-lasso");
}

static void
test_explore (void)
{
  DassieWindow *window = dassie_test_pages_new_window (explore_data, 1);
  DassieSession *session = dassie_window_get_session (window);
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  DassieExploreModel *model = dassie_explore_page_get_model (page);
  DassieScatterView *scatter = dassie_explore_page_get_scatter (page);
  g_autofree char *infer = NULL;
  g_autofree char *scores = NULL;
  g_autofree char *umap = NULL;
  g_autofree char *out_dir = g_build_filename (dassie_test_pages_home (), "exports", NULL);
  g_autofree gboolean *expected = NULL;
  g_autofree float *reference = NULL;
  g_autoptr(GError) error = NULL;
  DassieSelection *before_zoom;
  DassieCatalog *catalog;
  GListModel *items;
  const DassieView *view;
  double poly[32];
  gsize nv;

  g_assert_cmpstr (dassie_explore_page_get_state (page), ==, "empty");

  /* A finished pipeline: the page loads it as soon as the session has all three runs. */
  dassie_test_write_pipeline (explore_data, dassie_session_get_results_dir (session), K, &infer, &scores, &umap,
                              &reference);
  dassie_session_set_run (session, "infer", infer);
  dassie_session_set_run (session, "scores", scores);
  dassie_session_set_run (session, "umap", umap);
  g_assert_true (dassie_session_get_explore_ready (session));
  dassie_window_set_page (window, "explore");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 30));

  catalog = dassie_explore_model_get_catalog (model);
  g_assert_nonnull (catalog);
  g_assert_cmpuint (catalog->n, ==, N_OBJECTS);
  g_assert_true (catalog->dataset == dassie_session_get_dataset (session));
  g_assert_cmpuint (catalog->k, ==, K);
  /* The scores verb's results, read back, against a double loop over the same vectors (Hyrax's
   * k-NN median, whichever score ranks the page). */
  for (guint i = 0; i < catalog->n; i++)
    {
      const float *knn_median = dassie_catalog_get_score_column (catalog, "knn-median");

      g_assert_cmpstr (catalog->ids[i], ==, dassie_dataset_get_object_id (catalog->dataset, i));
      g_assert_cmpfloat_with_epsilon (knn_median[i], reference[i], 1e-4 * MAX (1, reference[i]));
      g_assert_cmpint (catalog->objects[i], ==, (int) i);
      g_assert_true (isfinite (catalog->x[i]) && isfinite (catalog->y[i]));
    }
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (scatter)), ==, GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (dassie_explore_page_get_histogram (page))), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);

  /* The grids: the 16 highest and the 16 lowest scores, in order, titled with id and score. */
  items = dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "anomalous"));
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 16);
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);
      guint row = dassie_cutout_item_get_index (item);
      guint higher = 0;

      for (guint j = 0; j < catalog->n; j++)
        higher += catalog->scores[j] > catalog->scores[row];
      g_assert_cmpuint (higher, <=, i);
      g_assert_nonnull (strstr (dassie_cutout_item_get_caption (item), catalog->ids[row]));
      g_assert_nonnull (dassie_cutout_item_get_texture (item));
    }
  items = dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "normal"));
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 16);
  {
    g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, 0);
    float lowest = INFINITY;

    for (guint j = 0; j < catalog->n; j++)
      lowest = MIN (lowest, catalog->scores[j]);
    g_assert_cmpfloat (catalog->scores[dassie_cutout_item_get_index (item)], ==, lowest);
  }
  dassie_explore_page_set_grid_count (page, 24);
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  g_assert_cmpuint (g_list_model_get_n_items (dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "anomalous"))),
                    ==, 24);
  dassie_explore_page_set_grid_count (page, 16);
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  dassie_test_save_screenshot (GTK_WIDGET (window), "explore");

  /* A concave lasso through the model: exactly the points a winding-number test puts inside. */
  view = dassie_explore_model_get_view (model);
  nv = c_shape (view, 0.45, 0.5, MIN (view->width, view->height) * 0.7, poly);
  expected = expected_lasso (catalog, view, poly, nv);
  g_assert_cmpuint (dassie_explore_model_select_lasso (model, poly, nv, DASSIE_SELECT_REPLACE), >, 0);
  assert_selection (model, expected);
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
  items = dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "selection"));
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, MIN (dassie_explore_model_get_n_selected (model), 200));
  for (guint i = 0, last_rank = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);
      guint row = dassie_cutout_item_get_index (item);

      g_assert_true (expected[row]);
      g_assert_cmpuint (catalog->ranks[row], >, last_rank);
      last_rank = catalog->ranks[row];
    }

  /* Zooming and panning move the view, never the selection. */
  before_zoom = dassie_selection_copy (dassie_explore_model_get_selection (model));
  gtk_widget_activate_action (GTK_WIDGET (page), "explore.zoom-in", NULL);
  dassie_explore_model_zoom (model, 2.5, view->left + view->width * 0.3, view->top + view->height * 0.6);
  dassie_explore_model_pan (model, 40, -25);
  dassie_test_settle (0.1);
  g_assert_cmpfloat (dassie_explore_model_get_zoom (model), >, 3.7);
  g_assert_true (dassie_selection_equal (before_zoom, dassie_explore_model_get_selection (model)));
  gtk_widget_activate_action (GTK_WIDGET (page), "explore.zoom-reset", NULL);
  g_assert_cmpfloat_with_epsilon (dassie_explore_model_get_zoom (model), 1, 1e-9);
  g_assert_true (dassie_selection_equal (before_zoom, dassie_explore_model_get_selection (model)));
  dassie_selection_free (before_zoom);

  /* A box added with Shift's mode, then a lasso subtracted with Ctrl's. */
  {
    double x0 = view->left + view->width * 0.6, y0 = view->top + view->height * 0.1;
    double x1 = view->left + view->width * 0.95, y1 = view->top + view->height * 0.5;
    double box[8] = { x0, y0, x1, y0, x1, y1, x0, y1 };
    g_autofree gboolean *in_box = expected_lasso (catalog, view, box, 4);
    g_autofree gboolean *in_cut = NULL;
    double cut[8];

    dassie_explore_model_select_box (model, x0, y0, x1, y1, DASSIE_SELECT_ADD);
    for (guint i = 0; i < catalog->n; i++)
      expected[i] = expected[i] || in_box[i];
    assert_selection (model, expected);

    nv = c_shape (view, 0.5, 0.5, MIN (view->width, view->height) * 0.35, cut);
    in_cut = expected_lasso (catalog, view, cut, nv);
    dassie_explore_model_select_lasso (model, cut, nv, DASSIE_SELECT_SUBTRACT);
    for (guint i = 0; i < catalog->n; i++)
      expected[i] = expected[i] && !in_cut[i];
    assert_selection (model, expected);
  }

  /* A lasso drawn with the real pointer, zoomed in first; a screenshot while the button is down. */
  if (dassie_test_pointer_available (GTK_WIDGET (scatter)))
    {
      double drawn[16];
      g_autofree gboolean *inside = NULL;
      gsize nd;

      dassie_explore_model_zoom_centre (model, 1.3);
      gtk_widget_activate_action (GTK_WIDGET (page), "explore.tool", "s", "lasso");
      g_assert_cmpint (dassie_scatter_view_get_tool (scatter), ==, DASSIE_SCATTER_TOOL_LASSO);
      nd = c_shape (view, 0.4, 0.45, MIN (view->width, view->height) * 0.6, drawn);
      for (gsize i = 0; i < nd; i++)
        dassie_test_pointer_snap (GTK_WIDGET (scatter), &drawn[2 * i], &drawn[2 * i + 1]);
      inside = expected_lasso (catalog, view, drawn, nd);
      dassie_test_pointer_drag (GTK_WIDGET (scatter), drawn, nd, 0, screenshot_lasso, NULL);
      assert_selection (model, inside);

      /* Shift adds a second region with the pointer too. */
      {
        double more[8];
        g_autofree gboolean *in_more = NULL;

        more[0] = view->left + view->width * 0.75; more[1] = view->top + view->height * 0.2;
        more[2] = view->left + view->width * 0.95; more[3] = view->top + view->height * 0.2;
        more[4] = view->left + view->width * 0.95; more[5] = view->top + view->height * 0.8;
        more[6] = view->left + view->width * 0.75; more[7] = view->top + view->height * 0.8;
        for (guint i = 0; i < 4; i++)
          dassie_test_pointer_snap (GTK_WIDGET (scatter), &more[2 * i], &more[2 * i + 1]);
        in_more = expected_lasso (catalog, view, more, 4);
        dassie_test_pointer_drag (GTK_WIDGET (scatter), more, 4, GDK_SHIFT_MASK, NULL, NULL);
        for (guint i = 0; i < catalog->n; i++)
          inside[i] = inside[i] || in_more[i];
        assert_selection (model, inside);
      }
      memcpy (expected, inside, catalog->n * sizeof (gboolean));

      /* Hovering a point names it; clicking it opens the inspector on it. */
      {
        guint row = catalog->order[0];
        double px, py;

        dassie_view_data_to_pixel (view, catalog->x[row], catalog->y[row], &px, &py);
        if (px > view->left && px < view->left + view->width && py > view->top && py < view->top + view->height)
          {
            dassie_test_pointer_move (GTK_WIDGET (scatter), px, py);
            g_assert_cmpint (dassie_scatter_view_get_hover (scatter), ==, dassie_scatter_view_pick (scatter, px, py));
            g_assert_cmpint (dassie_scatter_view_get_hover (scatter), >=, 0);
            dassie_test_pointer_click (GTK_WIDGET (scatter), px, py);
            g_assert_nonnull (dassie_explore_page_get_inspector (page));
            g_assert_cmpint (dassie_inspector_get_row (dassie_explore_page_get_inspector (page)), ==,
                             dassie_scatter_view_pick (scatter, px, py));
            gtk_widget_set_visible (GTK_WIDGET (dassie_explore_page_get_inspector (page)), FALSE);
            /* A click is not a drag: the selection stays. */
            assert_selection (model, expected);
          }
      }
      gtk_widget_activate_action (GTK_WIDGET (page), "explore.tool", "s", "pan");

      /* The keys zoom while the page is shown, wherever the focus is. */
      gtk_widget_activate_action (GTK_WIDGET (page), "explore.zoom-reset", NULL);
      dassie_test_key_press (GDK_KEY_equal, GDK_CONTROL_MASK);
      g_assert_cmpfloat_with_epsilon (dassie_explore_model_get_zoom (model), 1.5, 1e-9);
      dassie_test_key_press (GDK_KEY_KP_Add, GDK_CONTROL_MASK);
      g_assert_cmpfloat_with_epsilon (dassie_explore_model_get_zoom (model), 2.25, 1e-9);
      dassie_test_key_press (GDK_KEY_minus, GDK_CONTROL_MASK);
      g_assert_cmpfloat_with_epsilon (dassie_explore_model_get_zoom (model), 1.5, 1e-9);
      dassie_test_key_press (GDK_KEY_0, GDK_CONTROL_MASK);
      g_assert_cmpfloat_with_epsilon (dassie_explore_model_get_zoom (model), 1, 1e-9);
      assert_selection (model, expected);
    }
  else
    g_test_message ("no XTest: the pointer lasso is skipped");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));

  /* Export the selection, read it back. */
  g_mkdir_with_parents (out_dir, 0755);
  {
    g_autofree char *csv = g_build_filename (out_dir, "selection.csv", NULL);
    g_autofree char *fits = g_build_filename (out_dir, "selection.fits", NULL);
    g_autofree char *vot = g_build_filename (out_dir, "selection.vot", NULL);
    guint n = dassie_explore_model_get_n_selected (model);

    g_assert_cmpint (export_and_wait (page, 0, csv), ==, n);
    check_csv (csv, model);
    g_assert_cmpint (export_and_wait (page, 0, fits), ==, n);
    check_fits (fits, model);
    g_assert_cmpint (export_and_wait (page, 0, vot), ==, n);
    check_votable (vot, model);
  }

  /* A range of the histogram selects the same objects its bars count, in the map too. */
  {
    DassieHistogram histogram;
    double low, high, lo_edge, hi_edge;
    guint n_bins;

    dassie_explore_model_set_log_counts (model, TRUE);
    dassie_histogram_view_describe (dassie_explore_page_get_histogram (page), &histogram);
    g_assert_true (histogram.log_counts);
    dassie_histogram_get_range (&histogram, &low, &high, &n_bins);
    g_assert_cmpuint (n_bins, ==, 100);
    g_assert_cmpfloat_with_epsilon (low, 0, 1e-12);
    g_assert_cmpfloat_with_epsilon (high, 2 * catalog->score_mean, 1e-9);
    dassie_explore_model_select_bins (model, 55, 79, DASSIE_SELECT_REPLACE);
    lo_edge = low + (high - low) * 55 / 100;
    hi_edge = low + (high - low) * 80 / 100;
    for (guint i = 0; i < catalog->n; i++)
      expected[i] = catalog->scores[i] >= lo_edge && catalog->scores[i] < hi_edge;
    assert_selection (model, expected);
    dassie_histogram_view_describe (dassie_explore_page_get_histogram (page), &histogram);
    g_assert_cmpfloat_with_epsilon (histogram.selected_min, lo_edge, 1e-12);
    g_assert_cmpfloat_with_epsilon (histogram.selected_max, hi_edge, 1e-12);

    /* A narrower range of the axis, then a drag with the real pointer across its middle. */
    dassie_explore_model_set_histogram_range (model, 0, catalog->score_mean * 1.5);
    if (dassie_test_pointer_available (GTK_WIDGET (scatter)))
      {
        DassieHistogramView *hv = dassie_explore_page_get_histogram (page);
        cairo_rectangle_t area;
        double drag[4];
        double width = gtk_widget_get_width (GTK_WIDGET (hv)), height = gtk_widget_get_height (GTK_WIDGET (hv));
        int first, last;

        dassie_histogram_view_describe (hv, &histogram);
        dassie_plot_histogram_area (width, height, &histogram, &area);
        drag[0] = area.x + area.width * 0.303;
        drag[1] = area.y + area.height / 2;
        drag[2] = area.x + area.width * 0.617;
        drag[3] = drag[1];
        dassie_test_pointer_snap (GTK_WIDGET (hv), &drag[0], &drag[1]);
        dassie_test_pointer_snap (GTK_WIDGET (hv), &drag[2], &drag[3]);
        first = (int) floor ((drag[0] - area.x) / area.width * 100);
        last = (int) floor ((drag[2] - area.x) / area.width * 100);
        dassie_test_pointer_drag (GTK_WIDGET (hv), drag, 2, 0, NULL, NULL);
        lo_edge = catalog->score_mean * 1.5 * first / 100;
        hi_edge = catalog->score_mean * 1.5 * (last + 1) / 100;
        for (guint i = 0; i < catalog->n; i++)
          expected[i] = catalog->scores[i] >= lo_edge && catalog->scores[i] < hi_edge;
        assert_selection (model, expected);
      }
    dassie_explore_model_reset_histogram_range (model);
    dassie_explore_model_set_log_counts (model, FALSE);
  }

  /* Plots saved in each format. */
  {
    g_autofree char *png = g_build_filename (out_dir, "map.png", NULL);
    g_autofree char *svg = g_build_filename (out_dir, "histogram.svg", NULL);
    g_autofree char *pdf = g_build_filename (out_dir, "grid.pdf", NULL);

    g_assert_true (dassie_explore_page_save_plot (page, "map", png, &error));
    g_assert_no_error (error);
    check_magic (png, "\x89PNG");
    g_assert_true (dassie_explore_page_save_plot (page, "histogram", svg, &error));
    g_assert_no_error (error);
    check_magic (svg, "<?xml");
    dassie_explore_page_show_grid (page, "anomalous");
    g_assert_true (dassie_explore_page_save_plot (page, "grid", pdf, &error));
    g_assert_no_error (error);
    check_magic (pdf, "%PDF");
  }

  /* The top 10 as a list, most anomalous first. */
  {
    g_autofree char *top = g_build_filename (out_dir, "top.csv", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_cmpint (export_and_wait (page, 10, top), ==, 10);
    g_assert_true (g_file_get_contents (top, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    for (guint r = 0; r < 10; r++)
      {
        g_auto(GStrv) fields = g_strsplit (lines[1 + r], ",", -1);
        g_assert_cmpstr (fields[0], ==, catalog->ids[catalog->order[r]]);
      }
  }

  /* The inspector: the most anomalous object and its five neighbours; a neighbour, then back. */
  {
    guint row = catalog->order[0];
    DassieInspector *inspector = dassie_explore_page_inspect (page, row);
    DassieCutoutGrid *neighbors = dassie_inspector_get_neighbors (inspector);
    g_autoptr(DassieCutoutItem) first = NULL;

    g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 20));
    items = dassie_cutout_grid_get_model (neighbors);
    g_assert_cmpuint (g_list_model_get_n_items (items), ==, K);
    for (guint j = 0; j < K; j++)
      {
        g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, j);
        g_assert_cmpuint (dassie_cutout_item_get_index (item), ==, catalog->neighbors[row * K + j]);
        g_assert_nonnull (dassie_cutout_item_get_texture (item));
      }
    dassie_test_save_screenshot (GTK_WIDGET (inspector), "explore-inspector");

    first = g_list_model_get_item (items, 0);
    g_signal_emit_by_name (neighbors, "object-activated", dassie_cutout_item_get_index (first),
                           dassie_cutout_item_get_object_id (first));
    g_assert_cmpint (dassie_inspector_get_row (inspector), ==, catalog->neighbors[row * K]);
    g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 20));
    gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.back", NULL);
    g_assert_cmpint (dassie_inspector_get_row (inspector), ==, row);

    /* "Select in Map" selects the object alone. */
    gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.select", NULL);
    g_assert_cmpuint (dassie_explore_model_get_n_selected (model), ==, 1);
    g_assert_true (dassie_selection_contains (dassie_explore_model_get_selection (model), row));
    g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 20));
  }

  /* One band with zscale: the grids are made again with the new look. */
  {
    DassieDisplayOptions options = *dassie_explore_page_get_display_options (page);
    g_autoptr(DassieCutoutItem) before = g_list_model_get_item (
      dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "anomalous")), 0);
    g_autoptr(DassieCutoutItem) after = NULL;

    g_assert_cmpint (options.mode, ==, DASSIE_DISPLAY_LUPTON);
    options.mode = DASSIE_DISPLAY_BAND;
    options.band = 0;
    options.stretch = DASSIE_STRETCH_ASINH;
    options.limits = DASSIE_LIMITS_ZSCALE;
    dassie_explore_page_set_display_options (page, &options);
    g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
    after = g_list_model_get_item (dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "anomalous")), 0);
    g_assert_true (dassie_cutout_item_get_texture (after) != dassie_cutout_item_get_texture (before));
  }

  /* Closing the data set and opening it again reads the tables again: the rows, the selection and the
   * view stay, and the cutouts come back. */
  {
    g_autoptr(DassieDataset) dataset = dassie_dataset_ref (dassie_session_get_dataset (session));
    g_autofree char *folder = g_strdup (dassie_session_get_data_folder (session));
    g_autoptr(DassieSelection) selected = dassie_selection_copy (dassie_explore_model_get_selection (model));
    guint32 row = catalog->order[3];

    dassie_explore_model_select_rows (model, &row, 1, DASSIE_SELECT_ADD);
    dassie_selection_apply_indices (selected, &row, 1, DASSIE_SELECT_ADD);
    dassie_explore_model_zoom_centre (model, 2);
    dassie_session_set_dataset (session, NULL, NULL);
    g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
    g_assert_null (dassie_explore_model_get_catalog (model)->dataset);
    dassie_session_set_dataset (session, folder, dataset);
    g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
    catalog = dassie_explore_model_get_catalog (model);
    g_assert_true (catalog->dataset == dataset);
    g_assert_true (dassie_selection_equal (selected, dassie_explore_model_get_selection (model)));
    g_assert_cmpfloat_with_epsilon (dassie_explore_model_get_zoom (model), 2, 1e-9);
  }

  /* A scores run without its table: the page says which file it could not read. */
  {
    g_autofree char *broken = g_build_filename (dassie_test_pages_home (), "broken-scores-run", NULL);

    g_mkdir_with_parents (broken, 0755);
    dassie_session_set_run (session, "scores", broken);
    g_assert_true (dassie_test_wait_for (page_idle, page, 20));
    g_assert_cmpstr (dassie_explore_page_get_state (page), ==, "error");
    g_assert_nonnull (strstr (dassie_explore_page_get_error (page), broken));
    g_assert_null (dassie_explore_model_get_catalog (model));
    dassie_session_set_run (session, "scores", scores);
    g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));
    g_assert_null (dassie_explore_page_get_error (page));
  }

  /* A new infer run leaves nothing to explore until its scores and map come. */
  dassie_session_set_run (session, "infer", scores);
  g_assert_true (dassie_test_wait_for (page_idle, page, 20));
  g_assert_cmpstr (dassie_explore_page_get_state (page), ==, "empty");
  g_assert_null (dassie_explore_model_get_catalog (model));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ------------------------------------------------------------------------------------------------
 * A million points */

typedef struct
{
  DassieExploreModel *model;
  GArray             *paint_ms;     /* before-paint .. after-paint of each frame */
  GArray             *interval_ms;  /* between frame starts */
  GArray             *render_ms;    /* the scatter's static part, when it was redrawn */
  DassieScatterView  *scatter;
  gint64              paint_start;
  gint64              last_start;
  guint               renders_seen;
  guint               frames;
  guint               target_frames;
} FrameStats;

static void
on_before_paint (GdkFrameClock *clock,
                 FrameStats    *stats)
{
  gint64 now = g_get_monotonic_time ();

  if (stats->last_start != 0)
    {
      double interval = (now - stats->last_start) / 1000.0;
      g_array_append_val (stats->interval_ms, interval);
    }
  stats->last_start = now;
  stats->paint_start = now;
}

static void
on_after_paint (GdkFrameClock *clock,
                FrameStats    *stats)
{
  double ms = (g_get_monotonic_time () - stats->paint_start) / 1000.0;

  g_array_append_val (stats->paint_ms, ms);
  if (dassie_scatter_view_get_n_renders (stats->scatter) != stats->renders_seen)
    {
      double render = dassie_scatter_view_get_render_ms (stats->scatter);

      stats->renders_seen = dassie_scatter_view_get_n_renders (stats->scatter);
      g_array_append_val (stats->render_ms, render);
    }
}

/* Each frame pans (or, every fourth, zooms) the map, as a drag or the wheel would. */
static gboolean
tick (GtkWidget     *widget,
      GdkFrameClock *clock,
      gpointer       user_data)
{
  FrameStats *stats = user_data;
  const DassieView *view = dassie_explore_model_get_view (stats->model);

  if (stats->frames++ % 4 == 3)
    dassie_explore_model_zoom (stats->model, stats->frames % 8 == 7 ? 1.1 : 1 / 1.1,
                               view->left + view->width * 0.4, view->top + view->height * 0.5);
  else
    dassie_explore_model_pan (stats->model, 3, -2);
  return stats->frames < stats->target_frames ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  if (values->len == 0)
    return NAN;
  qsort (values->data, values->len, sizeof (double), compare_double);
  return g_array_index (values, double, MIN ((guint) (p * values->len), values->len - 1));
}

static gboolean
frames_done (gpointer user_data)
{
  FrameStats *stats = user_data;
  return stats->frames >= stats->target_frames;
}

static void
test_million (void)
{
  const guint n = 1000000;
  g_autoptr(DassieCatalog) catalog = dassie_catalog_new (n, 0);
  g_autoptr(DassieExploreModel) model = dassie_explore_model_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *scatter = dassie_scatter_view_new ();
  const char *frames_env = g_getenv ("DASSIE_BENCH_FRAMES");
  FrameStats stats = { 0 };
  GdkFrameClock *clock;
  double poly[16], pick_ms, lasso_ms;
  gint64 start;
  gssize picked;
  gsize nv;

  /* UMAP-like clumps; the score grows away from each clump's centre. */
  for (guint i = 0; i < n; i++)
    {
      int clump = g_rand_int_range (rand, 0, 12);
      double r = fabs (g_rand_double_range (rand, -1, 1) + g_rand_double_range (rand, -1, 1));
      double a = g_rand_double_range (rand, 0, 2 * G_PI);

      catalog->x[i] = (float) (4 * cos (clump * 0.52) * (1 + clump % 3) + r * cos (a));
      catalog->y[i] = (float) (4 * sin (clump * 0.52) * (1 + clump % 3) + r * sin (a));
      catalog->scores[i] = (float) (0.2 + r * r + g_rand_double_range (rand, 0, 0.05));
    }
  dassie_catalog_rank (catalog);

  gtk_window_set_default_size (window, 1200, 800);
  gtk_window_set_child (window, scatter);
  dassie_chart_set_model (DASSIE_CHART (scatter), model);
  start = g_get_monotonic_time ();
  dassie_explore_model_set_catalog (model, catalog);
  gtk_window_present (window);
  dassie_test_settle (0.5);
  g_assert_cmpuint (dassie_scatter_view_get_n_renders (DASSIE_SCATTER_VIEW (scatter)), >=, 1);
  g_test_message ("1,000,000 points: shown %.0f ms after loading (first drawing %.1f ms)",
                  (g_get_monotonic_time () - start) / 1000.0 - 500,
                  dassie_scatter_view_get_render_ms (DASSIE_SCATTER_VIEW (scatter)));

  /* Frames through the frame clock while the map pans and zooms. */
  stats.model = model;
  stats.scatter = DASSIE_SCATTER_VIEW (scatter);
  stats.paint_ms = g_array_new (FALSE, FALSE, sizeof (double));
  stats.interval_ms = g_array_new (FALSE, FALSE, sizeof (double));
  stats.render_ms = g_array_new (FALSE, FALSE, sizeof (double));
  stats.renders_seen = dassie_scatter_view_get_n_renders (DASSIE_SCATTER_VIEW (scatter));
  stats.target_frames = frames_env != NULL ? (guint) atoi (frames_env) : 60;
  clock = gtk_widget_get_frame_clock (scatter);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &stats);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &stats);
  gtk_widget_add_tick_callback (scatter, tick, &stats, NULL);
  g_assert_true (dassie_test_wait_for (frames_done, &stats, 120));
  dassie_test_settle (0.1);
  g_signal_handlers_disconnect_by_data (clock, &stats);

  /* Every pan or zoom frame drew the points again. */
  g_assert_cmpuint (stats.render_ms->len, >=, stats.target_frames / 2);
  g_test_message ("pan/zoom frames: %u; redrawing 1,000,000 points median %.2f ms, p90 %.2f ms; "
                  "paint median %.2f ms, p90 %.2f ms; frame interval median %.2f ms, p90 %.2f ms",
                  stats.frames, percentile (stats.render_ms, 0.5), percentile (stats.render_ms, 0.9),
                  percentile (stats.paint_ms, 0.5), percentile (stats.paint_ms, 0.9),
                  percentile (stats.interval_ms, 0.5), percentile (stats.interval_ms, 0.9));
  /* Generous bounds for a shared machine: the figures above are what to read. */
  g_assert_cmpfloat (percentile (stats.render_ms, 0.5), <, 250);

  /* A hover, and a lasso over every point. */
  {
    const DassieView *view = dassie_explore_model_get_view (model);

    start = g_get_monotonic_time ();
    picked = dassie_scatter_view_pick (DASSIE_SCATTER_VIEW (scatter), view->left + view->width / 2,
                                       view->top + view->height / 2);
    pick_ms = (g_get_monotonic_time () - start) / 1000.0;
    dassie_explore_model_reset_view (model);
    nv = c_shape (view, 0.5, 0.5, MIN (view->width, view->height) * 0.8, poly);
    start = g_get_monotonic_time ();
    g_assert_cmpuint (dassie_explore_model_select_lasso (model, poly, nv, DASSIE_SELECT_REPLACE), >, 0);
    lasso_ms = (g_get_monotonic_time () - start) / 1000.0;
    g_test_message ("hover pick %.2f ms (row %" G_GSSIZE_FORMAT "); lasso over 1,000,000 points %.1f ms", pick_ms,
                    picked, lasso_ms);
    g_assert_cmpfloat (lasso_ms, <, 2000);
  }
  if (g_getenv ("DASSIE_BENCH_FRAMES") != NULL)
    {
      printf ("%s\n", "explore: 1,000,000 points in the map widget (Xvfb, cairo renderer)");
      printf ("  redraw of the points per pan/zoom frame  median %6.2f ms  p90 %6.2f ms  (target < 16 ms)\n",
              percentile (stats.render_ms, 0.5), percentile (stats.render_ms, 0.9));
      printf ("  frame clock paint (layout + snapshot + render)  median %6.2f ms  p90 %6.2f ms\n",
              percentile (stats.paint_ms, 0.5), percentile (stats.paint_ms, 0.9));
      printf ("  frame interval  median %6.2f ms  p90 %6.2f ms\n",
              percentile (stats.interval_ms, 0.5), percentile (stats.interval_ms, 0.9));
      printf ("  hover pick %6.2f ms   lasso %6.1f ms (target < 100 ms)\n", pick_ms, lasso_ms);
    }

  g_array_unref (stats.paint_ms);
  g_array_unref (stats.interval_ms);
  g_array_unref (stats.render_ms);
  gtk_window_destroy (window);
}

static gboolean
is_tool_button (GtkWidget *widget,
                gpointer   user_data)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "explore.tool") == 0;
}

/* The tool is a DassieScatterTool property; its action keeps the nicks the toggle buttons name. */
static void
test_tool_states (void)
{
  static const struct { const char *nick; DassieScatterTool tool; } tools[] = {
    { "box", DASSIE_SCATTER_TOOL_BOX },
    { "lasso", DASSIE_SCATTER_TOOL_LASSO },
    { "pan", DASSIE_SCATTER_TOOL_PAN },
  };
  DassieWindow *window = dassie_window_new (NULL);
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (page), "tool");
  g_autoptr(GPtrArray) buttons = NULL;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (pspec->value_type == DASSIE_TYPE_SCATTER_TOOL);
  buttons = dassie_test_find_widgets (GTK_WIDGET (page), GTK_TYPE_TOGGLE_BUTTON, is_tool_button, NULL);
  g_assert_cmpuint (buttons->len, ==, G_N_ELEMENTS (tools));

  for (guint t = 0; t < G_N_ELEMENTS (tools); t++)
    {
      DassieScatterTool tool = -1;
      guint n_active = 0;

      gtk_widget_activate_action (GTK_WIDGET (page), "explore.tool", "s", tools[t].nick);
      dassie_test_settle (0.05);
      g_object_get (page, "tool", &tool, NULL);
      g_assert_cmpint (tool, ==, tools[t].tool);
      g_assert_cmpint (dassie_scatter_view_get_tool (dassie_explore_page_get_scatter (page)), ==, tools[t].tool);
      /* Exactly the button whose target is the nick shows as pressed. */
      for (guint i = 0; i < buttons->len; i++)
        {
          GtkWidget *button = g_ptr_array_index (buttons, i);
          GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));
          gboolean is_this = g_str_equal (g_variant_get_string (target, NULL), tools[t].nick);

          g_assert_cmpint (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)), ==, is_this);
          n_active += is_this;
        }
      g_assert_cmpuint (n_active, ==, 1);
    }
  g_assert_cmpint (dassie_explore_page_get_state_value (page), ==, DASSIE_EXPLORE_PAGE_STATE_EMPTY);
  g_assert_cmpstr (dassie_explore_page_get_state (page), ==, "empty");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* Both charts take their model from the DassieChart base class: one "model" property, handlers that
 * go with the model they were connected to. */
static void
test_chart_model (void)
{
  DassieWindow *window = dassie_window_new (NULL);
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  DassieExploreModel *model = dassie_explore_page_get_model (page);
  g_autoptr(DassieExploreModel) other = dassie_explore_model_new ();
  GtkWidget *charts[] = { GTK_WIDGET (dassie_explore_page_get_scatter (page)),
                          GTK_WIDGET (dassie_explore_page_get_histogram (page)) };

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    {
      g_autoptr(DassieExploreModel) read = NULL;
      guint n_notify = 0;
      gulong handler;

      g_assert_true (DASSIE_IS_CHART (charts[i]));
      g_object_get (charts[i], "model", &read, NULL);
      g_assert_true (read == model);
      handler = g_signal_connect_swapped (charts[i], "notify::model", G_CALLBACK (count_notify), &n_notify);
      dassie_chart_set_model (DASSIE_CHART (charts[i]), other);
      dassie_chart_set_model (DASSIE_CHART (charts[i]), other);
      g_assert_cmpuint (n_notify, ==, 1);
      /* Nothing of the chart stays connected to the model it left. */
      g_assert_cmpuint (g_signal_handlers_disconnect_matched (model, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, charts[i]),
                        ==, 0);
      g_assert_true (dassie_chart_get_model (DASSIE_CHART (charts[i])) == other);
      g_signal_handler_disconnect (charts[i], handler);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  /* Destroyed, the charts let go of the model. */
  g_assert_cmpuint (g_signal_handlers_disconnect_matched (other, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, charts[0]), ==, 0);
}

/* ------------------------------------------------------------------------------------------------
 * The score chooser */

typedef struct
{
  DassieExplorePage *page;
  const char        *method;
} RankedBy;

static gboolean
ranked_by (gpointer user_data)
{
  RankedBy *wait = user_data;
  DassieCatalog *catalog = dassie_explore_model_get_catalog (dassie_explore_page_get_model (wait->page));

  return catalog != NULL && g_strcmp0 (dassie_catalog_get_ranking_method (catalog), wait->method) == 0 &&
         dassie_test_explore_settled (wait->page);
}

/* How many finite values of @values are above @values[row]. */
static guint
n_higher (const float *values,
          guint        n,
          guint        row)
{
  guint higher = 0;

  for (guint j = 0; j < n; j++)
    higher += isfinite (values[j]) && values[j] > values[row];
  return higher;
}

/* The rows of the anomalous grid and of an export of the top 5 rank by @values, independently of the
 * catalog's own ranking. */
static void
assert_ranked_by (DassieExplorePage *page,
                  const float       *values,
                  guint              n)
{
  DassieCatalog *catalog = dassie_explore_model_get_catalog (dassie_explore_page_get_model (page));
  GListModel *items = dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "anomalous"));
  g_autofree char *path = g_build_filename (dassie_test_pages_home (), "exports", "top-by-method.csv", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (catalog->scores[i] == values[i] || (isnan (catalog->scores[i]) && isnan (values[i])));
      if (isfinite (values[i]))
        g_assert_cmpuint (catalog->ranks[i], >, n_higher (values, n, i));
    }
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 16);
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(DassieCutoutItem) item = g_list_model_get_item (items, i);
      guint row = dassie_cutout_item_get_index (item);
      g_autofree char *score = g_strdup_printf ("score %.4g", values[row]);

      g_assert_cmpuint (n_higher (values, n, row), <=, i);
      /* The caption's score is the chosen one. */
      g_assert_nonnull (strstr (dassie_cutout_item_get_caption (item), score));
    }

  g_mkdir_with_parents (dir, 0755);
  g_assert_cmpint (export_and_wait (page, 5, path), ==, 5);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint r = 0; r < 5; r++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[1 + r], ",", -1);
      int row = dassie_catalog_find_row (catalog, fields[0]);

      g_assert_cmpint (row, >=, 0);
      g_assert_cmpuint (n_higher (values, n, (guint) row), <=, r);
    }
}

static void
test_score_chooser (void)
{
  DassieWindow *window = dassie_test_pages_new_window (explore_data, 1);
  DassieSession *session = dassie_window_get_session (window);
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  DassieExploreModel *model = dassie_explore_page_get_model (page);
  g_autofree char *infer = NULL;
  g_autofree char *scores = NULL;
  g_autofree char *umap = NULL;
  g_autofree float *chosen_values = NULL;
  g_autofree float *default_values = NULL;
  g_autofree char *default_method = NULL;
  const char *chosen = NULL;
  DassieScoreChooser *chooser;
  DassieInspector *inspector;
  DassieCatalog *catalog;
  DassieHistogram histogram;
  RankedBy wait;
  guint32 kept_row;
  double mean = 0;
  guint n, finite = 0;

  dassie_test_write_pipeline (explore_data, dassie_session_get_results_dir (session), K, &infer, &scores, &umap,
                              NULL);
  dassie_session_set_run (session, "infer", infer);
  dassie_session_set_run (session, "scores", scores);
  dassie_session_set_run (session, "umap", umap);
  dassie_window_set_page (window, "explore");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 30));
  catalog = dassie_explore_model_get_catalog (model);
  n = catalog->n;

  /* The chooser offers the scores run's methods and shows the one that ranks the page. */
  chooser = DASSIE_SCORE_CHOOSER (dassie_test_find_widget (GTK_WIDGET (page), DASSIE_TYPE_SCORE_CHOOSER, NULL, NULL));
  g_assert_nonnull (chooser);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (chooser)));
  g_assert_cmpuint (dassie_score_chooser_get_n_methods (chooser), ==, dassie_catalog_get_n_score_columns (catalog));
  g_assert_cmpuint (dassie_score_chooser_get_n_methods (chooser), >=, 2);
  for (guint i = 0; i < dassie_score_chooser_get_n_methods (chooser); i++)
    g_assert_cmpstr (dassie_score_chooser_get_method_at (chooser, i), ==,
                     dassie_score_method_from_column (dassie_catalog_get_score_column_name (catalog, i)));
  default_method = g_strdup (dassie_catalog_get_ranking_method (catalog));
  g_assert_cmpstr (dassie_score_chooser_get_method (chooser), ==, default_method);
  default_values = g_memdup2 (catalog->scores, n * sizeof (float));
  for (guint i = 0; i < dassie_score_chooser_get_n_methods (chooser) && chosen == NULL; i++)
    if (g_strcmp0 (dassie_score_chooser_get_method_at (chooser, i), default_method) != 0)
      chosen = dassie_score_chooser_get_method_at (chooser, i);
  g_assert_nonnull (chosen);
  chosen_values = g_memdup2 (dassie_catalog_get_score_column (catalog, chosen), n * sizeof (float));
  g_assert_true (memcmp (chosen_values, default_values, n * sizeof (float)) != 0);

  /* An object selected and inspected: the same rows after the change. */
  kept_row = catalog->order[7];
  dassie_explore_model_select_rows (model, &kept_row, 1, DASSIE_SELECT_REPLACE);
  inspector = dassie_explore_page_inspect (page, kept_row);
  g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 20));

  g_assert_true (dassie_score_chooser_choose (chooser, chosen));
  g_assert_cmpstr (dassie_explore_model_get_score_method (model), ==, chosen);
  wait.page = page;
  wait.method = chosen;
  g_assert_true (dassie_test_wait_for (ranked_by, &wait, 30));
  catalog = dassie_explore_model_get_catalog (model);
  g_assert_cmpstr (dassie_score_chooser_get_method (chooser), ==, chosen);
  assert_ranked_by (page, chosen_values, n);

  /* The histogram shows the chosen scores over their own default range, 0 .. 2 × their mean. */
  dassie_explore_model_get_histogram (model, &histogram);
  g_assert_true (histogram.values == catalog->scores);
  for (guint i = 0; i < n; i++)
    if (isfinite (chosen_values[i]))
      {
        mean += chosen_values[i];
        finite++;
      }
  mean /= MAX (finite, 1);
  if (mean > 0)
    g_assert_cmpfloat_with_epsilon (histogram.range_max, 2 * mean, 1e-6 * mean);

  /* The selection, the inspected object and the map stay. */
  g_assert_cmpuint (dassie_explore_model_get_n_selected (model), ==, 1);
  g_assert_true (dassie_selection_contains (dassie_explore_model_get_selection (model), kept_row));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (inspector)));
  g_assert_cmpint (dassie_inspector_get_row (inspector), ==, kept_row);
  g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 20));
  gtk_widget_set_visible (GTK_WIDGET (inspector), FALSE);
  dassie_test_settle (0.3);
  dassie_test_save_screenshot (GTK_WIDGET (window), "explore-score-chooser");

  /* And back. */
  g_assert_true (dassie_score_chooser_choose (chooser, default_method));
  wait.method = default_method;
  g_assert_true (dassie_test_wait_for (ranked_by, &wait, 30));
  assert_ranked_by (page, default_values, n);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_color_by (GtkWidget *widget,
             gpointer   user_data)
{
  GListModel *items = gtk_drop_down_get_model (GTK_DROP_DOWN (widget));

  return GTK_IS_STRING_LIST (items) && g_list_model_get_n_items (items) > 0 &&
         g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (items), 0), "Anomaly Score") == 0;
}

static gboolean
is_filter_button (GtkWidget *widget,
                  gpointer   user_data)
{
  return gtk_widget_get_tooltip_text (widget) != NULL && g_str_has_prefix (gtk_widget_get_tooltip_text (widget), "Show only");
}

static int
compare_float_values (gconstpointer a,
                      gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

/* Colour by a catalogue column (Hyrax's color_column): the demo manifest's numeric columns are
 * offered after the score; choosing dec colours the map by each object's declination over its 1st
 * to 99th percentile, and the score comes back when it is chosen again. */
static void
test_color_by (void)
{
  DassieWindow *window = dassie_test_pages_new_window (explore_data, 1);
  DassieSession *session = dassie_window_get_session (window);
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  DassieExploreModel *model = dassie_explore_page_get_model (page);
  g_autofree char *infer = NULL;
  g_autofree char *scores = NULL;
  g_autofree char *umap = NULL;
  g_autofree float *sorted = NULL;
  GtkDropDown *dropdown;
  GtkStringList *items;
  DassieCatalog *catalog;
  const float *values;
  double low = 0, high = 0;
  guint dec_item = 0, n_finite = 0;

  dassie_test_write_pipeline (explore_data, dassie_session_get_results_dir (session), K, &infer, &scores, &umap,
                              NULL);
  dassie_session_set_run (session, "infer", infer);
  dassie_session_set_run (session, "scores", scores);
  dassie_session_set_run (session, "umap", umap);
  dassie_window_set_page (window, "explore");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 30));
  catalog = dassie_explore_model_get_catalog (model);

  dropdown = GTK_DROP_DOWN (dassie_test_find_widget (GTK_WIDGET (page), GTK_TYPE_DROP_DOWN, is_color_by, NULL));
  g_assert_nonnull (dropdown);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (dropdown)));
  items = GTK_STRING_LIST (gtk_drop_down_get_model (dropdown));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (items)), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (items, 1), ==, "ra");
  g_assert_cmpstr (gtk_string_list_get_string (items, 3), ==, "tract");
  for (guint i = 0; i < 4; i++)
    if (g_strcmp0 (gtk_string_list_get_string (items, i), "dec") == 0)
      dec_item = i;
  g_assert_cmpuint (dec_item, ==, 2);
  g_assert_null (dassie_explore_model_get_color_values (model, &low, &high));

  gtk_drop_down_set_selected (dropdown, dec_item);
  g_assert_cmpstr (dassie_explore_model_get_color_column (model), ==, "dec");
  values = dassie_explore_model_get_color_values (model, &low, &high);
  g_assert_nonnull (values);
  sorted = g_new (float, catalog->n);
  for (guint i = 0; i < catalog->n; i++)
    {
      double ra, dec;

      g_assert_true (dassie_dataset_get_position (catalog->dataset, (guint) catalog->objects[i], &ra, &dec));
      g_assert_cmpfloat (values[i], ==, (float) dec);
      sorted[n_finite++] = (float) dec;
    }
  qsort (sorted, n_finite, sizeof (float), compare_float_values);
  g_assert_cmpfloat (low, ==, sorted[(gsize) (0.01 * (n_finite - 1))]);
  g_assert_cmpfloat (high, ==, sorted[(gsize) (0.99 * (n_finite - 1))]);
  g_assert_cmpfloat (low, <, high);
  dassie_test_settle (0.3);
  dassie_test_save_screenshot (GTK_WIDGET (window), "explore-color-by-dec");

  gtk_drop_down_set_selected (dropdown, 0);
  g_assert_null (dassie_explore_model_get_color_column (model));
  g_assert_null (dassie_explore_model_get_color_values (model, &low, &high));

  /* Filter: only the objects north of the median declination stay in the map and the grid, the most
   * anomalous of them first. */
  {
    GtkMenuButton *button = GTK_MENU_BUTTON (dassie_test_find_widget (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON,
                                                                       is_filter_button, NULL));
    GtkWidget *popover;
    GtkDropDown *column;
    g_autoptr(GPtrArray) entries = NULL;
    g_autofree char *median_text = NULL;
    GListModel *items_shown;
    DassieScatter description;
    double median = sorted[n_finite / 2];
    guint n_kept = 0, g = 0;

    g_assert_nonnull (button);
    popover = GTK_WIDGET (gtk_menu_button_get_popover (button));
    column = GTK_DROP_DOWN (dassie_test_find_widget (popover, GTK_TYPE_DROP_DOWN, NULL, NULL));
    entries = dassie_test_find_widgets (popover, GTK_TYPE_ENTRY, NULL, NULL);
    g_assert_cmpuint (entries->len, ==, 2);
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (column)), 2), ==, "dec");
    gtk_drop_down_set_selected (column, 2);
    median_text = g_strdup_printf ("%.9g", median);
    gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, 0)), "not a number");
    g_assert_nonnull (dassie_explore_model_get_filter (model, NULL, NULL));
    g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (entries, 0), "error"));
    gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, 0)), median_text);
    g_assert_false (gtk_widget_has_css_class (g_ptr_array_index (entries, 0), "error"));
    g_assert_cmpstr (dassie_explore_model_get_filter (model, &low, &high), ==, "dec");
    g_assert_cmpfloat (low, ==, g_ascii_strtod (median_text, NULL));
    g_assert_true (isinf (high));
    g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 20));

    dassie_scatter_view_describe (DASSIE_SCATTER_VIEW (dassie_test_find_widget (GTK_WIDGET (page), DASSIE_TYPE_SCATTER_VIEW, NULL, NULL)),
                                  &description);
    for (guint i = 0; i < catalog->n; i++)
      {
        double ra, dec;
        gboolean kept;

        dassie_dataset_get_position (catalog->dataset, (guint) catalog->objects[i], &ra, &dec);
        kept = (float) dec >= low;
        n_kept += kept;
        g_assert_true (dassie_explore_model_row_hidden (model, i) == !kept);
        g_assert_true (isnan (description.x[i]) == !kept || isnan (catalog->x[i]));
      }
    g_assert_cmpuint (n_kept, >, 0);
    g_assert_cmpuint (n_kept, <, catalog->n);
    items_shown = dassie_cutout_grid_get_model (dassie_explore_page_get_grid (page, "anomalous"));
    for (guint r = 0; r < catalog->n && g < g_list_model_get_n_items (items_shown); r++)
      {
        guint32 row = catalog->order[r];
        g_autoptr(DassieCutoutItem) item = NULL;

        if (dassie_explore_model_row_hidden (model, row) || !isfinite (catalog->scores[row]))
          continue;
        item = g_list_model_get_item (items_shown, g++);
        g_assert_cmpuint (dassie_cutout_item_get_index (item), ==, row);
      }
    g_assert_cmpuint (g, >, 0);
    dassie_test_save_screenshot (GTK_WIDGET (window), "explore-filter-dec");

    gtk_drop_down_set_selected (column, 0);
    g_assert_null (dassie_explore_model_get_filter (model, NULL, NULL));
    g_assert_false (dassie_explore_model_row_hidden (model, catalog->order[0]));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  DassieDemoOptions options;
  int status;

  dassie_test_pages_init (&argc, &argv);
  explore_data = g_build_filename (dassie_test_pages_home (), "explore-data", NULL);
  dassie_demo_options_init (&options);
  options.n_objects = N_OBJECTS;
  options.size = 32;
  g_assert_true (dassie_demo_generate (explore_data, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/gui/explore/pipeline", test_explore);
  g_test_add_func ("/gui/explore/million", test_million);
  g_test_add_func ("/gui/explore/tool-states", test_tool_states);
  g_test_add_func ("/gui/explore/chart-model", test_chart_model);
  g_test_add_func ("/gui/explore/score-chooser", test_score_chooser);
  g_test_add_func ("/gui/explore/color-by", test_color_by);
  status = g_test_run ();
  dassie_test_pages_cleanup ();
  g_free (explore_data);
  return status;
}
