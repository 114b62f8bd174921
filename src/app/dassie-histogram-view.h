/* dassie-histogram-view.h: the histogram of the anomaly scores; a drag across it selects a range
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-chart.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_HISTOGRAM_VIEW (dassie_histogram_view_get_type ())

G_DECLARE_FINAL_TYPE (DassieHistogramView, dassie_histogram_view, DASSIE, HISTOGRAM_VIEW, DassieChart)

/* The bars are drawn once into a texture and kept while the range, the selection and the size stay;
 * the drag in progress and the bar under the pointer are drawn over it. A drag selects the objects
 * of the bins it covers (whole bins, the same ones the bars count): Shift adds, Ctrl subtracts. */

GtkWidget          *dassie_histogram_view_new         (void);
/* Fills @histogram as the widget draws it. */
void                dassie_histogram_view_describe    (DassieHistogramView *self,
                                                       DassieHistogram     *histogram);
/* The bin under pixel column @x of the widget, or -1. */
int                 dassie_histogram_view_bin_at      (DassieHistogramView *self,
                                                       double               x);

G_END_DECLS
