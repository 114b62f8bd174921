/* test-gui-inspector.c: the inspector's input, reconstruction and residual for an object of a real
 * trained pipeline under Xvfb, against the train run's own reconstructions; missing weights
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-infer.h"
#include "dassie-reconstruction.h"
#include "dassie-scores.h"
#include "dassie-test-gui.h"
#include "dassie-test-pages.h"
#include "dassie-train.h"
#include "dassie-umap.h"

#define SIZE      32
#define SHOWN     3   /* the texture magnifies each pixel 3 × 3 (to 96 pixels) */

typedef struct
{
  char *train;
  char *infer;
  char *scores;
  char *umap;
} Runs;

/* A small model trained, its latents, scores and map, by the core verbs as the pages run them. */
static void
run_pipeline (const char *data,
              const char *results,
              Runs       *runs)
{
  g_autoptr(DassieConfig) config = dassie_config_new ();
  g_autoptr(GError) error = NULL;
  DassieTrainResult trained = { 0 };
  DassieInferResult inferred = { 0 };
  DassieScoresResult scored = { 0 };
  DassieUmapResult mapped = { 0 };

  dassie_config_set_data_location (config, NULL, data);
  dassie_config_set_string (config, "general.results_dir", results);
  dassie_config_set_int (config, "model.base_channel_size", 8);
  dassie_config_set_int (config, "model.latent_dim", 16);
  dassie_config_set_string (config, "optimizer.name", "Adam");
  dassie_config_set_double (config, "optimizer.lr", 3e-3);
  dassie_config_set_int (config, "train.epochs", 3);
  dassie_config_set_int (config, "data_loader.batch_size", 16);
  dassie_config_set_int (config, "scores.k", 5);

  g_assert_true (dassie_train (config, NULL, NULL, NULL, &trained, &error));
  g_assert_no_error (error);
  runs->train = g_strdup (trained.run_dir);
  g_assert_true (dassie_infer (config, runs->train, NULL, NULL, NULL, &inferred, &error));
  g_assert_no_error (error);
  runs->infer = g_strdup (inferred.run_dir);
  g_assert_true (dassie_scores_run (config, runs->infer, NULL, NULL, NULL, &scored, &error));
  g_assert_no_error (error);
  runs->scores = g_strdup (scored.run_dir);
  g_assert_true (dassie_umap_run (config, runs->infer, NULL, NULL, NULL, &mapped, &error));
  g_assert_no_error (error);
  runs->umap = g_strdup (mapped.run_dir);
  dassie_train_result_clear (&trained);
  dassie_infer_result_clear (&inferred);
  dassie_scores_result_clear (&scored);
  dassie_umap_result_clear (&mapped);
}

/* Pixel (x, y) of a texture as 0xAARRGGBB. */
static guint32
texel (GdkTexture *texture,
       int         x,
       int         y)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint32 *data = g_new (guint32, (gsize) width * height);

  gdk_texture_download (texture, (guchar *) data, (gsize) width * 4);
  return data[(gsize) y * width + x];
}

/* The texel showing FITS pixel (x, y) of a SIZE × SIZE band. */
static guint32
shown_pixel (GtkPicture *picture,
             guint       x,
             guint       y)
{
  GdkTexture *texture = GDK_TEXTURE (gtk_picture_get_paintable (picture));

  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, SIZE * SHOWN);
  return texel (texture, (int) (x * SHOWN + 1), (int) ((SIZE - 1 - y) * SHOWN + 1));
}

static void
assert_grey (guint32 argb,
             double  expected)
{
  int level = (int) (argb & 0xff);

  g_assert_cmphex (argb >> 24, ==, 0xff);
  g_assert_cmpint ((argb >> 8) & 0xff, ==, level);
  g_assert_cmpint ((argb >> 16) & 0xff, ==, level);
  g_assert_cmpint (abs (level - (int) lround (255 * expected)), <=, 1);
}

/* The residual view of @row checked pixel by pixel against the train run's reconstruction of it. */
static void
check_residual (DassieInspector             *inspector,
                DassieCatalog               *catalog,
                const DassieReconstructions *reference,
                guint                        i,
                const DassieDisplayOptions  *options)
{
  DassieResidualView *view = dassie_inspector_get_residual_view (inspector);
  const DassieResidual *r = dassie_residual_view_get_residual (view);
  const float *input = dassie_reconstructions_get_input (reference, i);
  const float *output = dassie_reconstructions_get_output (reference, i);
  gsize plane = SIZE * SIZE;
  guint nb = dassie_dataset_get_n_bands (catalog->dataset);
  double amplitude = dassie_residual_view_get_amplitude (view);
  gsize peak = 0;

  g_assert_cmpstr (dassie_residual_view_get_state (view), ==, "ready");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->object_id, ==, reference->object_ids[i]);
  g_assert_cmpuint (r->n_bands, ==, nb);

  /* Three rows of one picture per band. */
  for (guint kind = 0; kind < DASSIE_RESIDUAL_N_ROWS; kind++)
    for (guint b = 0; b < nb; b++)
      {
        GtkPicture *picture = dassie_residual_view_get_picture (view, kind, b);

        g_assert_nonnull (picture);
        g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (picture), GTK_WIDGET (view)));
        g_assert_nonnull (gtk_picture_get_paintable (picture));
      }
  g_assert_null (dassie_residual_view_get_picture (view, DASSIE_RESIDUAL_ROW_INPUT, nb));

  /* In noise units, the residual is what the reconstruction score of this object measured. */
  {
    const float *recon_score = dassie_catalog_get_score_column (catalog, "reconstruction");
    int row = dassie_catalog_find_row (catalog, r->object_id);

    g_assert_nonnull (recon_score);
    g_assert_cmpint (row, >=, 0);
    g_assert_cmpfloat_with_epsilon (r->noise_residual, recon_score[row], 1e-3 * MAX (1, recon_score[row]));
  }

  /* The residual is the input less the train run's reconstruction (compared in the model's tanh
   * units, where batch sizes and kernels differ by rounding only). */
  for (gsize p = 0; p < nb * plane; p++)
    {
      g_assert_cmpfloat (r->input[p], ==, input[p]);
      g_assert_cmpfloat_with_epsilon (tanh ((double) input[p] - r->residual[p]), tanh (output[p]), 1e-5);
      if (fabs (r->residual[p]) > fabs (r->residual[peak]))
        peak = p;
    }
  g_assert_cmpfloat (fabs (r->residual[peak]), >, 0);

  /* The largest residual is at or beyond the scale's end: RdBu's full red or blue. */
  g_assert_cmpfloat (amplitude, >, 0);
  g_assert_cmpfloat (amplitude, <=, fabs (r->residual[peak]));
  g_assert_cmphex (shown_pixel (dassie_residual_view_get_picture (view, DASSIE_RESIDUAL_ROW_RESIDUAL, peak / plane),
                                (peak % plane) % SIZE, (peak % plane) / SIZE),
                   ==, r->residual[peak] > 0 ? 0xffb2182b : 0xff2166ac);

  /* Input and reconstruction go through the input's limits (zscale of the input band). */
  for (guint b = 0; b < nb; b++)
    {
      double low, high;

      g_assert_true (dassie_display_zscale (input + b * plane, plane, options->zscale_contrast, &low, &high));
      g_assert_cmpfloat (high, >, low);
      for (guint q = 0; q < 4; q++)
        {
          guint x = 5 + 7 * q, y = 3 + 8 * q;
          gsize p = b * plane + (gsize) y * SIZE + x;

          assert_grey (shown_pixel (dassie_residual_view_get_picture (view, DASSIE_RESIDUAL_ROW_INPUT, b), x, y),
                       dassie_display_stretch (options->stretch, (input[p] - low) / (high - low)));
          assert_grey (shown_pixel (dassie_residual_view_get_picture (view, DASSIE_RESIDUAL_ROW_RECONSTRUCTION, b),
                                    x, y),
                       dassie_display_stretch (options->stretch, (output[p] - low) / (high - low)));
        }
    }
}

static void
test_residual (void)
{
  DassieWindow *window = dassie_test_pages_new_window (dassie_test_pages_small_data (), 1);
  DassieSession *session = dassie_window_get_session (window);
  DassieExplorePage *page = dassie_window_get_explore_page (window);
  DassieExploreModel *model = dassie_explore_page_get_model (page);
  g_autoptr(DassieReconstructions) reference = NULL;
  g_autoptr(GError) error = NULL;
  DassieDisplayOptions options;
  DassieInspector *inspector;
  DassieResidualView *view;
  DassieCatalog *catalog;
  Runs runs = { 0 };
  int row;

  run_pipeline (dassie_test_pages_small_data (), dassie_session_get_results_dir (session), &runs);
  dassie_session_set_run (session, "infer", runs.infer);
  dassie_session_set_run (session, "scores", runs.scores);
  dassie_session_set_run (session, "umap", runs.umap);
  dassie_window_set_page (window, "explore");
  g_assert_true (dassie_test_wait_for (dassie_test_explore_settled, page, 60));
  catalog = dassie_explore_model_get_catalog (model);
  g_assert_nonnull (catalog->dataset);

  /* The train run's own reconstructions of its validation objects, by another path. */
  reference = dassie_reconstruct (runs.train, catalog->dataset, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reference->n, >, 1);

  options = *dassie_explore_page_get_display_options (page);
  g_assert_cmpint (options.limits, ==, DASSIE_LIMITS_ZSCALE);
  row = dassie_catalog_find_row (catalog, reference->object_ids[0]);
  g_assert_cmpint (row, >=, 0);
  inspector = dassie_explore_page_inspect (page, (guint) row);
  view = dassie_inspector_get_residual_view (inspector);
  /* The model runs on a worker: until its result comes back the view spins. */
  g_assert_cmpstr (dassie_residual_view_get_state (view), ==, "working");
  g_assert_true (dassie_residual_view_get_busy (view));
  g_assert_true (dassie_inspector_get_busy (inspector));
  g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 60));
  check_residual (inspector, catalog, reference, 0, &options);
  dassie_test_settle (0.3);
  dassie_test_save_screenshot (GTK_WIDGET (inspector), "inspector-residual");

  /* Another object replaces it. */
  row = dassie_catalog_find_row (catalog, reference->object_ids[1]);
  dassie_inspector_show_row (inspector, (guint) row);
  g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 60));
  check_residual (inspector, catalog, reference, 1, &options);

  /* The weights gone from the infer run and from the train run: the inspector says which files,
   * and the rest of it still works. */
  {
    g_autofree char *copy = g_build_filename (runs.infer, "weights.safetensors", NULL);
    g_autofree char *original = g_build_filename (runs.train, "weights.safetensors", NULL);
    g_autofree char *copy_moved = g_strconcat (copy, ".moved", NULL);
    g_autofree char *original_moved = g_strconcat (original, ".moved", NULL);
    const char *message;
    int first = dassie_catalog_find_row (catalog, reference->object_ids[0]);
    guint other = 0;

    while (catalog->order[other] == (guint) first || catalog->order[other] == (guint) row)
      other++;

    g_assert_cmpint (g_rename (copy, copy_moved), ==, 0);
    g_assert_cmpint (g_rename (original, original_moved), ==, 0);
    dassie_inspector_show_row (inspector, catalog->order[other]);
    g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 60));
    g_assert_cmpstr (dassie_residual_view_get_state (view), ==, "error");
    message = dassie_residual_view_get_message (view);
    g_assert_nonnull (strstr (message, copy));
    g_assert_nonnull (strstr (message, original));
    g_assert_null (dassie_residual_view_get_residual (view));
    g_assert_cmpuint (g_list_model_get_n_items (dassie_cutout_grid_get_model (dassie_inspector_get_neighbors (inspector))),
                      ==, 5);
    dassie_test_settle (0.3);
    dassie_test_save_screenshot (GTK_WIDGET (inspector), "inspector-residual-missing-weights");
    g_assert_cmpint (g_rename (original_moved, original), ==, 0);
    g_assert_cmpint (g_rename (copy_moved, copy), ==, 0);
  }

  /* Back to the first object: reconstructed again. */
  gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.back", NULL);
  g_assert_true (dassie_test_wait_for (dassie_test_inspector_settled, inspector, 60));
  check_residual (inspector, catalog, reference, 1, &options);

  gtk_window_destroy (GTK_WINDOW (window));
  g_free (runs.train);
  g_free (runs.infer);
  g_free (runs.scores);
  g_free (runs.umap);
}

int
main (int    argc,
      char **argv)
{
  int status;

  dassie_test_pages_init (&argc, &argv);
  g_test_add_func ("/gui/inspector/residual", test_residual);
  status = g_test_run ();
  dassie_test_pages_cleanup ();
  return status;
}
