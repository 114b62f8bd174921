/* test-selection.c: point in polygon on tricky outlines, lasso against a naive winding number, and
 * selections that zooming and panning leave alone
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "dassie-selection.h"

/* The winding number by summing the angles the edges subtend at the point: a different method
 * from the ray crossing that the code uses. Exact enough away from edges, where random points lie. */
static int
naive_winding (const double *poly,
               gsize         n,
               double        x,
               double        y)
{
  double total = 0;

  for (gsize i = 0; i < n; i++)
    {
      gsize j = (i + 1) % n;
      double a = atan2 (poly[2 * i + 1] - y, poly[2 * i] - x);
      double b = atan2 (poly[2 * j + 1] - y, poly[2 * j] - x);
      double d = b - a;

      while (d > G_PI)
        d -= 2 * G_PI;
      while (d < -G_PI)
        d += 2 * G_PI;
      total += d;
    }
  return (int) lround (total / (2 * G_PI));
}

static gboolean
naive_inside (const double   *poly,
              gsize           n,
              DassieFillRule  rule,
              double          x,
              double          y)
{
  int w = naive_winding (poly, n, x, y);

  return rule == DASSIE_FILL_EVEN_ODD ? (w & 1) != 0 : w != 0;
}

static void
test_tricky_polygons (void)
{
  /* A "C": the notch on the right is outside although inside the convex hull. */
  const double c_shape[] = { 0, 0, 10, 0, 10, 3, 3, 3, 3, 7, 10, 7, 10, 10, 0, 10 };
  /* A bow tie: the outline crosses itself at (5, 5); its lobes are left and right. */
  const double bow_tie[] = { 0, 0, 10, 10, 10, 0, 0, 10 };
  /* A pentagram: the central pentagon is wound twice. */
  double star[10];
  /* A square drawn twice round, as a hurried lasso does. */
  const double twice[] = { 0, 0, 4, 0, 4, 4, 0, 4, 0, 0, 4, 0, 4, 4, 0, 4 };

  for (guint k = 0; k < 5; k++)
    {
      double angle = G_PI / 2 + k * 4 * G_PI / 5;
      star[2 * k] = 10 * cos (angle);
      star[2 * k + 1] = 10 * sin (angle);
    }

  for (guint r = 0; r < 2; r++)
    {
      DassieFillRule rule = r == 0 ? DASSIE_FILL_NONZERO : DASSIE_FILL_EVEN_ODD;

      g_assert_true (dassie_point_in_polygon (c_shape, 8, rule, 1.5, 5));    /* the spine */
      g_assert_true (dassie_point_in_polygon (c_shape, 8, rule, 8, 1.5));    /* lower arm */
      g_assert_true (dassie_point_in_polygon (c_shape, 8, rule, 8, 8.5));    /* upper arm */
      g_assert_false (dassie_point_in_polygon (c_shape, 8, rule, 6, 5));     /* the notch */
      g_assert_false (dassie_point_in_polygon (c_shape, 8, rule, 11, 5));

      g_assert_true (dassie_point_in_polygon (bow_tie, 4, rule, 2, 5));      /* left lobe */
      g_assert_true (dassie_point_in_polygon (bow_tie, 4, rule, 8, 5));      /* right lobe */
      g_assert_false (dassie_point_in_polygon (bow_tie, 4, rule, 5, 2));     /* lower gap */
      g_assert_false (dassie_point_in_polygon (bow_tie, 4, rule, 5, 8));     /* upper gap */

      g_assert_true (dassie_point_in_polygon (star, 5, rule, 0, 8));         /* a tip */
      g_assert_false (dassie_point_in_polygon (star, 5, rule, 0, -9));       /* between tips */
    }

  /* The rules differ where the outline winds twice. */
  g_assert_true (dassie_point_in_polygon (star, 5, DASSIE_FILL_NONZERO, 0, 0));
  g_assert_false (dassie_point_in_polygon (star, 5, DASSIE_FILL_EVEN_ODD, 0, 0));
  g_assert_true (dassie_point_in_polygon (twice, 8, DASSIE_FILL_NONZERO, 2, 2));
  g_assert_false (dassie_point_in_polygon (twice, 8, DASSIE_FILL_EVEN_ODD, 2, 2));
  g_assert_cmpint (naive_winding (star, 5, 0, 0), ==, 2);

  /* Boundaries: left and bottom edges inside, right and top outside; vertices follow the same. */
  {
    const double square[] = { 0, 0, 4, 0, 4, 4, 0, 4 };

    g_assert_true (dassie_point_in_polygon (square, 4, DASSIE_FILL_NONZERO, 0, 2));
    g_assert_true (dassie_point_in_polygon (square, 4, DASSIE_FILL_NONZERO, 2, 0));
    g_assert_false (dassie_point_in_polygon (square, 4, DASSIE_FILL_NONZERO, 4, 2));
    g_assert_false (dassie_point_in_polygon (square, 4, DASSIE_FILL_NONZERO, 2, 4));
    g_assert_true (dassie_point_in_polygon (square, 4, DASSIE_FILL_NONZERO, 0, 0));
    g_assert_false (dassie_point_in_polygon (square, 4, DASSIE_FILL_NONZERO, 4, 4));
    /* Degenerate outlines hold nothing. */
    g_assert_false (dassie_point_in_polygon (square, 2, DASSIE_FILL_NONZERO, 1, 0));
    g_assert_false (dassie_point_in_polygon (square, 4, DASSIE_FILL_NONZERO, NAN, 1));
  }
}

/* A random lasso: a wobbly loop around (0.5, 0.5) that goes round @turns times and crosses itself. */
static double *
random_lasso (GRand *rand,
              guint  n_vertices,
              double turns)
{
  double *poly = g_new (double, 2 * n_vertices);

  for (guint k = 0; k < n_vertices; k++)
    {
      double t = 2 * G_PI * turns * k / n_vertices;
      double r = g_rand_double_range (rand, 0.1, 0.45);

      poly[2 * k] = 0.5 + r * cos (t);
      poly[2 * k + 1] = 0.5 + r * sin (t);
    }
  return poly;
}

static void
random_points (GRand  *rand,
               gsize   n,
               float **x,
               float **y)
{
  *x = g_new (float, n);
  *y = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      (*x)[i] = (float) g_rand_double_range (rand, -0.1, 1.1);
      (*y)[i] = (float) g_rand_double_range (rand, -0.1, 1.1);
    }
  (*x)[7] = NAN;   /* a point with no embedding is never selected */
}

static void
test_lasso_matches_naive (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const gsize n = 66000;   /* above the threshold where the lasso uses threads */
  const guint n_vertices = 150;
  g_autofree float *x = NULL;
  g_autofree float *y = NULL;
  g_autofree double *poly = random_lasso (rand, n_vertices, 2.5);
  g_autoptr(DassieSelection) nonzero = dassie_selection_new (n);
  g_autoptr(DassieSelection) even_odd = dassie_selection_new (n);
  gsize held_nonzero, held_even_odd, inside_nonzero = 0, inside_even_odd = 0;

  random_points (rand, n, &x, &y);
  held_nonzero = dassie_selection_apply_lasso (nonzero, x, y, poly, n_vertices, DASSIE_FILL_NONZERO,
                                               DASSIE_SELECT_REPLACE, 2);
  held_even_odd = dassie_selection_apply_lasso (even_odd, x, y, poly, n_vertices, DASSIE_FILL_EVEN_ODD,
                                                DASSIE_SELECT_REPLACE, 2);

  for (gsize i = 0; i < n; i++)
    {
      int w = isfinite (x[i]) ? naive_winding (poly, n_vertices, x[i], y[i]) : 0;

      if ((w != 0) != dassie_selection_contains (nonzero, i) ||
          ((w & 1) != 0) != dassie_selection_contains (even_odd, i))
        g_error ("point %zu (%g, %g): winding number %d, lasso says %d (non-zero) and %d (even-odd)",
                 i, x[i], y[i], w, dassie_selection_contains (nonzero, i),
                 dassie_selection_contains (even_odd, i));
      inside_nonzero += w != 0;
      inside_even_odd += (w & 1) != 0;
    }

  g_assert_cmpuint (held_nonzero, ==, inside_nonzero);
  g_assert_cmpuint (held_even_odd, ==, inside_even_odd);
  g_assert_cmpuint (dassie_selection_get_count (nonzero), ==, inside_nonzero);
  /* The loop winds 2.5 times: the rules must really differ somewhere. */
  g_assert_cmpuint (inside_nonzero, >, inside_even_odd);
  g_assert_cmpuint (inside_even_odd, >, n / 20);
  g_assert_false (dassie_selection_contains (nonzero, 7));

  /* The single-point test agrees on a sample. */
  for (gsize i = 0; i < n; i += 97)
    g_assert_cmpint (dassie_point_in_polygon (poly, n_vertices, DASSIE_FILL_NONZERO, x[i], y[i]), ==,
                     dassie_selection_contains (nonzero, i));
}

static void
test_modes (void)
{
  /* Ten points on a line x = 0 .. 9; boxes select runs of them. */
  float x[10], y[10];
  g_autoptr(DassieSelection) sel = dassie_selection_new (10);
  const guint32 picks[] = { 9, 1, 5, 42 };
  g_autofree guint32 *indices = NULL;
  gsize n_indices;

  for (guint i = 0; i < 10; i++)
    {
      x[i] = (float) i;
      y[i] = 0;
    }

  g_assert_cmpuint (dassie_selection_apply_box (sel, x, y, 2, -1, 5, 1, DASSIE_SELECT_REPLACE), ==, 4);
  g_assert_cmpuint (dassie_selection_get_count (sel), ==, 4);                 /* 2 3 4 5 */
  dassie_selection_apply_box (sel, x, y, 8, 1, 6.5, -1, DASSIE_SELECT_ADD);   /* + 7 8 */
  g_assert_cmpuint (dassie_selection_get_count (sel), ==, 6);
  dassie_selection_apply_box (sel, x, y, 3, -1, 4, 1, DASSIE_SELECT_SUBTRACT); /* - 3 4 */
  indices = dassie_selection_get_indices (sel, &n_indices);
  g_assert_cmpuint (n_indices, ==, 4);
  g_assert_cmpuint (indices[0], ==, 2);
  g_assert_cmpuint (indices[1], ==, 5);
  g_assert_cmpuint (indices[2], ==, 7);
  g_assert_cmpuint (indices[3], ==, 8);

  /* Replace with explicit indices (an --ids file); 42 is out of range and ignored. */
  dassie_selection_apply_indices (sel, picks, G_N_ELEMENTS (picks), DASSIE_SELECT_REPLACE);
  g_assert_cmpuint (dassie_selection_get_count (sel), ==, 3);
  g_assert_true (dassie_selection_contains (sel, 9));
  g_assert_false (dassie_selection_contains (sel, 2));
  dassie_selection_apply_indices (sel, picks, 1, DASSIE_SELECT_SUBTRACT);
  g_assert_false (dassie_selection_contains (sel, 9));

  /* A score range: [2, 5) and [2, 5]. */
  g_assert_cmpuint (dassie_selection_apply_range (sel, x, 2, 5, FALSE, DASSIE_SELECT_REPLACE), ==, 3);
  g_assert_cmpuint (dassie_selection_apply_range (sel, x, 2, 5, TRUE, DASSIE_SELECT_REPLACE), ==, 4);

  /* A lasso adds and subtracts like the box does. */
  {
    /* At y = 0 the slanted side is at x = 4.25: the triangle holds 1, 2, 3 and 4. */
    const double tri[] = { 0.5, -1, 5.5, -1, 0.5, 3 };
    g_autoptr(DassieSelection) copy = NULL;

    dassie_selection_apply_lasso (sel, x, y, tri, 3, DASSIE_FILL_NONZERO, DASSIE_SELECT_SUBTRACT, 1);
    g_assert_cmpuint (dassie_selection_get_count (sel), ==, 1);              /* 5 */
    copy = dassie_selection_copy (sel);
    g_assert_true (dassie_selection_equal (sel, copy));
    dassie_selection_apply_lasso (sel, x, y, tri, 3, DASSIE_FILL_NONZERO, DASSIE_SELECT_ADD, 1);
    g_assert_cmpuint (dassie_selection_get_count (sel), ==, 5);              /* 1 2 3 4 5 */
    g_assert_false (dassie_selection_equal (sel, copy));
    dassie_selection_apply_lasso (sel, x, y, tri, 2, DASSIE_FILL_NONZERO, DASSIE_SELECT_ADD, 1);
    g_assert_cmpuint (dassie_selection_get_count (sel), ==, 5);              /* no outline, no change */
  }
}

static void
test_view_transform (void)
{
  DassieView view;
  double px, py, x, y;

  dassie_view_init (&view, 50, 20, 400, 300);
  view.x_min = -2;
  view.x_max = 2;
  view.y_min = 0;
  view.y_max = 3;

  /* Data (-2, 3) is the top-left corner of the plot area, (2, 0) the bottom-right. */
  dassie_view_data_to_pixel (&view, -2, 3, &px, &py);
  g_assert_cmpfloat_with_epsilon (px, 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (py, 20, 1e-9);
  dassie_view_data_to_pixel (&view, 2, 0, &px, &py);
  g_assert_cmpfloat_with_epsilon (px, 450, 1e-9);
  g_assert_cmpfloat_with_epsilon (py, 320, 1e-9);

  /* Zooming by 4 around pixel (150, 95) keeps the data point there, and quarters the ranges. */
  dassie_view_pixel_to_data (&view, 150, 95, &x, &y);
  dassie_view_zoom (&view, 4, 150, 95);
  dassie_view_data_to_pixel (&view, x, y, &px, &py);
  g_assert_cmpfloat_with_epsilon (px, 150, 1e-9);
  g_assert_cmpfloat_with_epsilon (py, 95, 1e-9);
  g_assert_cmpfloat_with_epsilon (view.x_max - view.x_min, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (view.y_max - view.y_min, 0.75, 1e-12);

  /* A drag by (+40, -30) pixels moves the point under the pointer with it. */
  dassie_view_pan (&view, 40, -30);
  dassie_view_data_to_pixel (&view, x, y, &px, &py);
  g_assert_cmpfloat_with_epsilon (px, 190, 1e-9);
  g_assert_cmpfloat_with_epsilon (py, 65, 1e-9);

  /* Fit: the finite points' bounds plus 10 %. */
  {
    const float fx[] = { 1, 3, NAN, 2 };
    const float fy[] = { -1, 1, 5, 0 };

    dassie_view_fit (&view, fx, fy, 4, 0.1);
    g_assert_cmpfloat_with_epsilon (view.x_min, 0.8, 1e-9);
    g_assert_cmpfloat_with_epsilon (view.x_max, 3.2, 1e-9);
    g_assert_cmpfloat_with_epsilon (view.y_min, -1.2, 1e-9);
    g_assert_cmpfloat_with_epsilon (view.y_max, 1.2, 1e-9);
  }
}

/* Lasso in pixels at one zoom, then zoom and pan: the selection stays, and the same region drawn
 * at the new zoom selects exactly the same objects. Also checks against a test done in pixels. */
static void
test_selection_survives_zoom_and_pan (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const gsize n = 20000;
  g_autofree float *x = NULL;
  g_autofree float *y = NULL;
  g_autofree double *pixel_poly = random_lasso (rand, 80, 1.0);
  g_autofree double *data_poly = g_new (double, 160);
  g_autofree double *pixel_poly2 = g_new (double, 160);
  g_autofree double *data_poly2 = g_new (double, 160);
  g_autoptr(DassieSelection) sel = dassie_selection_new (n);
  g_autoptr(DassieSelection) before = NULL;
  g_autoptr(DassieSelection) again = dassie_selection_new (n);
  DassieView view;
  gsize in_pixels = 0;

  random_points (rand, n, &x, &y);
  dassie_view_init (&view, 10, 10, 600, 400);
  dassie_view_fit (&view, x, y, n, 0.05);

  /* The lasso was drawn in pixels: scale the unit loop onto the plot area. */
  for (guint k = 0; k < 80; k++)
    {
      pixel_poly[2 * k] = 10 + 600 * pixel_poly[2 * k];
      pixel_poly[2 * k + 1] = 10 + 400 * pixel_poly[2 * k + 1];
    }
  dassie_view_polygon_to_data (&view, pixel_poly, 80, data_poly);
  dassie_selection_apply_lasso (sel, x, y, data_poly, 80, DASSIE_FILL_NONZERO, DASSIE_SELECT_REPLACE, 1);

  /* The same question asked in pixel space, point by point. */
  for (gsize i = 0; i < n; i++)
    {
      double px, py;
      gboolean inside;

      if (!isfinite (x[i]))
        continue;
      dassie_view_data_to_pixel (&view, x[i], y[i], &px, &py);
      inside = naive_inside (pixel_poly, 80, DASSIE_FILL_NONZERO, px, py);
      g_assert_cmpint (inside, ==, dassie_selection_contains (sel, i));
      in_pixels += inside;
    }
  g_assert_cmpuint (in_pixels, ==, dassie_selection_get_count (sel));
  g_assert_cmpuint (in_pixels, >, 100);

  before = dassie_selection_copy (sel);
  dassie_view_zoom (&view, 3.7, 200, 150);
  dassie_view_pan (&view, -123, 45);
  dassie_view_zoom (&view, 0.5, 400, 20);
  dassie_view_set_area (&view, 0, 0, 800, 500);
  g_assert_true (dassie_selection_equal (sel, before));

  /* Where the region now is on screen, drawn again, selects the same objects. */
  for (guint k = 0; k < 80; k++)
    dassie_view_data_to_pixel (&view, data_poly[2 * k], data_poly[2 * k + 1],
                               &pixel_poly2[2 * k], &pixel_poly2[2 * k + 1]);
  dassie_view_polygon_to_data (&view, pixel_poly2, 80, data_poly2);
  dassie_selection_apply_lasso (again, x, y, data_poly2, 80, DASSIE_FILL_NONZERO, DASSIE_SELECT_REPLACE, 1);
  g_assert_cmpuint (dassie_selection_get_count (again), ==, dassie_selection_get_count (before));
  g_assert_true (dassie_selection_equal (again, before));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/selection/tricky-polygons", test_tricky_polygons);
  g_test_add_func ("/core/selection/lasso-naive", test_lasso_matches_naive);
  g_test_add_func ("/core/selection/modes", test_modes);
  g_test_add_func ("/core/selection/view-transform", test_view_transform);
  g_test_add_func ("/core/selection/zoom-pan-keeps-selection", test_selection_survives_zoom_and_pan);

  return g_test_run ();
}
