/* dassie-dataset-private.h: internals shared by dassie-dataset.c, dassie-dataset-fits.c and dassie-dataset-scan.c
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <fitsio.h>

#include "dassie-dataset.h"

G_BEGIN_DECLS

/* One object found in the folder before its files are checked. */
typedef struct
{
  char       *id;
  GHashTable *band_files;  /* band -> path */
} DassieDatasetCandidate;

/* dassie-dataset.c */
void        _dassie_dataset_add_skipped                 (GPtrArray                  *skipped,
                                                         const char                 *path,
                                                         const char                 *reason);

/* dassie-dataset-fits.c: one FITS file. Each returns NULL when fine, else a reason a person can act on. */
char       *_dassie_dataset_unreadable_compression_reason (const char               *compression);
char       *_dassie_dataset_probe_image                 (const char                 *path,
                                                         fitsfile                  **fptr_out,
                                                         guint                      *width,
                                                         guint                      *height);
char       *_dassie_dataset_read_image                  (const char                 *path,
                                                         guint                       crop_width,
                                                         guint                       crop_height,
                                                         float                      *out);

/* dassie-dataset-scan.c: the objects of a folder, and their bands. */
char       *_dassie_dataset_normalize_band              (const char                 *name);
GPtrArray  *_dassie_dataset_find_candidates             (const char                 *dir,
                                                         GDir                       *d,
                                                         GPtrArray                  *skipped);
void        _dassie_dataset_collect_bands               (GPtrArray                  *candidates,
                                                         const DassieDatasetOptions *options,
                                                         GPtrArray                  *bands);

G_END_DECLS
