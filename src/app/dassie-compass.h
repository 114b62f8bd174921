/* dassie-compass.h: north and east arrows and a scale bar, drawn over a cutout from its WCS
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "dassie-sky.h"

G_BEGIN_DECLS

#define DASSIE_TYPE_COMPASS (dassie_compass_get_type ())

G_DECLARE_FINAL_TYPE (DassieCompass, dassie_compass, DASSIE, COMPASS, GtkWidget)

GtkWidget *dassie_compass_new      (void);
/* The WCS at FITS pixel @centre, the middle of a @width × @height cutout drawn to fit the widget;
 * NULL hides the compass. */
void       dassie_compass_set_wcs  (DassieCompass *self,
                                    DassieSkyWcs  *wcs,
                                    const double   centre[2],
                                    guint          width,
                                    guint          height);
/* What it draws, for tests: unit vectors on screen (y down) and the bar's length in arcseconds. */
gboolean   dassie_compass_get_geometry (DassieCompass *self,
                                        double         north[2],
                                        double         east[2],
                                        double        *bar_length);

G_END_DECLS
