/* dassie-plot.h: the scatter, histogram, loss curve and cutout grid, drawn with cairo on any target
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "dassie-selection.h"

G_BEGIN_DECLS

/* Every plot draws itself into (0, 0, width, height) of the cairo context it is given, so the same
 * code paints a widget, a PNG, an SVG or a PDF. Data comes in plain arrays that the caller owns;
 * drawing allocates nothing per point. */

typedef enum
{
  DASSIE_COLORMAP_VIRIDIS,
  DASSIE_COLORMAP_MAGMA,
  DASSIE_COLORMAP_PLASMA,
  DASSIE_COLORMAP_CIVIDIS,
  DASSIE_COLORMAP_GREY,
} DassieColormap;

/* The colour at @t in 0 .. 1 (clipped) as 0xffRRGGBB. */
guint32      dassie_colormap_lookup           (DassieColormap  colormap,
                                               double          t);
const char  *dassie_colormap_to_string        (DassieColormap  colormap);
gboolean     dassie_colormap_from_string      (const char     *name,
                                               DassieColormap *colormap);

/* "Nice" axis ticks (1, 2 or 5 × 10^k apart) inside [low, high]; returns how many, at most
 * @max_ticks, with the first at *first and *step apart. */
guint        dassie_plot_nice_ticks           (double          low,
                                               double          high,
                                               guint           max_ticks,
                                               double         *first,
                                               double         *step);

/* ------------------------------------------------------------------------------------------------
 * The UMAP scatter, coloured by score */

/* What a widget keeps between frames: the raster buffers, so a pan or zoom frame allocates nothing,
 * and, for large sets, a copy of the points sorted by position, so that drawing them writes memory
 * in order. The copy is remade when the x, y or values pointer or the count changes; a caller that
 * rewrites the arrays in place calls dassie_scatter_cache_invalidate(). */
typedef struct _DassieScatterCache DassieScatterCache;

DassieScatterCache *dassie_scatter_cache_new        (void);
void                dassie_scatter_cache_invalidate (DassieScatterCache *cache);
void                dassie_scatter_cache_free       (DassieScatterCache *cache);

typedef struct
{
  const float           *x;
  const float           *y;
  const float           *values;       /* colour (the score); NULL colours by point density */
  gsize                  n;
  double                 value_min;    /* colour range; value_max <= value_min: the values' range */
  double                 value_max;
  DassieColormap         colormap;
  const DassieSelection *selection;    /* when it holds objects, the others are drawn faded */
  const DassieView      *view;         /* its data range is shown (its pixel area is replaced by the
                                        * layout's, see dassie_plot_scatter_area); NULL fits the data */
  double                 point_radius; /* in pixels; < 0 picks one by the number of points */
  const char            *title;
  const char            *x_label;
  const char            *y_label;
  const char            *value_label;  /* the colour bar's */
  DassieScatterCache    *cache;        /* optional */
  const guint8          *marks;        /* n codes or NULL: a point of code c in 1 .. n_mark_colors gets a
                                        * ring of colour mark_rgb[c - 1] (0xRRGGBB) over the points */
  const guint32         *mark_rgb;
  guint                  n_mark_colors;
} DassieScatter;

void         dassie_scatter_init              (DassieScatter          *scatter);
/* Where the points go inside a width × height drawing (for a widget's view and hit tests). */
void         dassie_plot_scatter_area         (double                  width,
                                               double                  height,
                                               const DassieScatter    *scatter,
                                               cairo_rectangle_t      *area);
/* Each point lands in one pixel of a raster (the highest score wins the pixel, so anomalies stay on
 * top), and the raster is painted once: cost grows with N by a few operations per point. Vector
 * targets (SVG, PDF) get real circles when there are at most 20,000 points. */
void         dassie_plot_scatter              (cairo_t                *cr,
                                               double                  width,
                                               double                  height,
                                               const DassieScatter    *scatter);
/* The nearest point within @radius pixels of (px, py) in the drawing, or -1 (hover, click). */
gssize       dassie_plot_scatter_pick         (double                  width,
                                               double                  height,
                                               const DassieScatter    *scatter,
                                               double                  px,
                                               double                  py,
                                               double                  radius);

/* ------------------------------------------------------------------------------------------------
 * The score histogram */

#define DASSIE_HISTOGRAM_DEFAULT_BINS 100

typedef struct
{
  const float *values;
  gsize        n;
  double       range_min;     /* range_max <= range_min: 0 .. 2 × the mean (the seed notebook's) */
  double       range_max;
  guint        n_bins;        /* 0: DASSIE_HISTOGRAM_DEFAULT_BINS */
  gboolean     log_counts;
  double       selected_min;  /* the highlighted range; selected_max <= selected_min: none */
  double       selected_max;
  const char  *title;
  const char  *x_label;
  /* Optional, of n objects: when it holds some, each bar shows their share in the highlight colour
   * (where a lasso's objects fall among the scores). */
  const DassieSelection *selection;
} DassieHistogram;

typedef struct
{
  double   low;
  double   high;
  guint    n_bins;
  guint64 *counts;
  guint64  max_count;
  guint64  n_outside;   /* finite values outside [low, high] */
  guint64  n_invalid;   /* NaN and infinite values */
} DassieHistogramBins;

void         dassie_histogram_init            (DassieHistogram        *histogram);
/* 0 .. 2 × the mean of the finite values (0 .. 1 when there are none or the mean is not positive). */
void         dassie_histogram_default_range   (const float            *values,
                                               gsize                   n,
                                               double                 *low,
                                               double                 *high);
/* The range and bin count a histogram uses once its defaults are filled in. */
void         dassie_histogram_get_range       (const DassieHistogram  *histogram,
                                               double                 *low,
                                               double                 *high,
                                               guint                  *n_bins);
/* numpy's bins: [edge k, edge k+1) with the last bin closed; -1 outside or not finite. */
int          dassie_histogram_bin_of          (double                  value,
                                               double                  low,
                                               double                  high,
                                               guint                   n_bins);
double       dassie_histogram_bin_edge        (double                  low,
                                               double                  high,
                                               guint                   n_bins,
                                               guint                   k);
void         dassie_histogram_compute         (const DassieHistogram  *histogram,
                                               DassieHistogramBins    *bins);
void         dassie_histogram_bins_clear      (DassieHistogramBins    *bins);
/* A drag from value @a to value @b covers bins @first_bin .. @last_bin (whole bins), and the objects
 * in them are those whose value is in [edge first, edge last+1). Returns FALSE when it misses. */
gboolean     dassie_histogram_snap            (const DassieHistogram  *histogram,
                                               double                  a,
                                               double                  b,
                                               guint                  *first_bin,
                                               guint                  *last_bin);
/* Selects the objects in bins @first_bin .. @last_bin, the same ones the bars count. */
gsize        dassie_histogram_select_bins     (const DassieHistogram  *histogram,
                                               guint                   first_bin,
                                               guint                   last_bin,
                                               DassieSelection        *selection,
                                               DassieSelectMode        mode);
void         dassie_plot_histogram_area       (double                  width,
                                               double                  height,
                                               const DassieHistogram  *histogram,
                                               cairo_rectangle_t      *area);
/* The value under pixel column @px of the drawing (for drags). */
double       dassie_plot_histogram_value_at   (double                  width,
                                               double                  height,
                                               const DassieHistogram  *histogram,
                                               double                  px);
void         dassie_plot_histogram            (cairo_t                *cr,
                                               double                  width,
                                               double                  height,
                                               const DassieHistogram  *histogram);

/* ------------------------------------------------------------------------------------------------
 * The loss curve */

typedef struct
{
  const double *train_epoch;   /* x of each batch, in epochs (1.25 = a quarter into epoch 2) */
  const double *train_loss;
  gsize         n_train;
  const double *val_epoch;     /* x of each validation, in epochs */
  const double *val_loss;
  gsize         n_val;
  gboolean      log_loss;
  const char   *title;
  gboolean      has_baseline;  /* draws baseline_loss as a dashed line labelled "mean image" */
  double        baseline_loss; /* the validation loss of predicting the mean training image */
} DassieLossCurve;

/* More batches than pixel columns are drawn as each column's mean with its min .. max band. */
void         dassie_plot_loss                 (cairo_t                *cr,
                                               double                  width,
                                               double                  height,
                                               const DassieLossCurve  *curve);

/* ------------------------------------------------------------------------------------------------
 * A grid of cutouts titled with id and score */

typedef struct
{
  cairo_surface_t * const *images;   /* n images (dassie_display_render_surface), NULL for a gap */
  const char * const      *ids;      /* n ids, or NULL */
  const double            *scores;   /* n scores, or NULL */
  gsize                    n;
  guint                    columns;  /* 0: as close to square cells as the drawing allows */
  const char              *title;
} DassieCutoutGridPlot;

void         dassie_plot_cutout_grid          (cairo_t                    *cr,
                                               double                      width,
                                               double                      height,
                                               const DassieCutoutGridPlot *grid);
/* The cutout under (px, py), or -1. */
gssize       dassie_plot_cutout_grid_pick     (double                      width,
                                               double                      height,
                                               const DassieCutoutGridPlot *grid,
                                               double                      px,
                                               double                      py);

/* ------------------------------------------------------------------------------------------------
 * Files */

typedef void (*DassiePlotDrawFunc) (cairo_t       *cr,
                                    double         width,
                                    double         height,
                                    gconstpointer  plot);

/* Draws into @path as PNG (width × height pixels), SVG or PDF (width × height points), chosen by
 * the extension, under a temporary name renamed when complete. */
gboolean     dassie_plot_save                 (const char             *path,
                                               double                  width,
                                               double                  height,
                                               DassiePlotDrawFunc      draw,
                                               gconstpointer           plot,
                                               GError                **error);
gboolean     dassie_plot_save_scatter         (const char             *path,
                                               double                  width,
                                               double                  height,
                                               const DassieScatter    *scatter,
                                               GError                **error);
gboolean     dassie_plot_save_histogram       (const char             *path,
                                               double                  width,
                                               double                  height,
                                               const DassieHistogram  *histogram,
                                               GError                **error);
gboolean     dassie_plot_save_loss            (const char             *path,
                                               double                  width,
                                               double                  height,
                                               const DassieLossCurve  *curve,
                                               GError                **error);
gboolean     dassie_plot_save_cutout_grid     (const char                 *path,
                                               double                      width,
                                               double                      height,
                                               const DassieCutoutGridPlot *grid,
                                               GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieScatterCache, dassie_scatter_cache_free)

G_END_DECLS
