/* dassie-demo.h: a deterministic synthetic HSC-like data set with labelled anomalies
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-progress.h"

G_BEGIN_DECLS

typedef struct
{
  guint   n_objects;   /* about 1000 */
  guint   size;        /* 96 */
  guint64 seed;
} DassieDemoOptions;

void      dassie_demo_options_init (DassieDemoOptions  *options);
/* Writes <dir>/<17-digit id>_demo_HSC-{G,R,I}.fits, manifest.fits and labels.csv (object_id,label,kind:
 * the label is interesting, boring or artifact as dassie-labels.h names them, the kind is "normal" or
 * the kind of anomaly, e.g. "merger", "ring", "lensed_arc", "tidal_tail", "unusual_colour" (interesting),
 * "satellite_trail", "nan_hole", "saturated_star" (artifact), "crowded_field" (boring)). */
gboolean  dassie_demo_generate     (const char         *dir,
                                    const DassieDemoOptions *options,
                                    GCancellable       *cancellable,
                                    DassieProgressFunc  progress,
                                    gpointer            user_data,
                                    GError            **error);
/* The default place of the embedded demo set: <user data dir>/dassie/demo. */
char     *dassie_demo_default_dir  (void);
/* Generates the demo set there unless it is already complete; returns its folder. */
char     *dassie_demo_ensure       (GCancellable       *cancellable,
                                    DassieProgressFunc  progress,
                                    gpointer            user_data,
                                    GError            **error);

G_END_DECLS
