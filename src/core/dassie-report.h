/* dassie-report.h: the pictures of a finished workflow as files (histogram, map, cutout grids, loss)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"

G_BEGIN_DECLS

typedef struct
{
  const char *train_run;    /* for loss.png, or NULL */
  const char *scores_path;  /* scores.fits (or its run folder) */
  const char *umap_path;    /* embedding.fits (or its run folder), or NULL */
  const char *data_dir;     /* the data set, for the cutout grids, or NULL */
  guint       n_cutouts;    /* per grid: the most normal and the most anomalous (16) */
} DassieReportInputs;

/* Writes into @dir: histogram.png (median k-NN distance, 100 bins over 0 .. 2 × mean), umap.png
 * (the UMAP plane coloured by score), normal.png and anomalous.png (cutout grids titled with id and
 * score), loss.png (training and validation loss per epoch). Each file is written atomically; the
 * list of files written is returned in @written (char*) when not NULL. */
gboolean dassie_report_write (const char                *dir,
                              const DassieReportInputs  *inputs,
                              const DassieConfig        *config,
                              GPtrArray                 *written,
                              GCancellable              *cancellable,
                              GError                   **error);

G_END_DECLS
