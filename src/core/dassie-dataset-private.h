/* dassie-dataset-private.h: internals shared by dassie-dataset.c, dassie-dataset-fits.c and dassie-dataset-scan.c
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <fitsio.h>

#include "dassie-dataset.h"
#include "dassie-sky.h"

G_BEGIN_DECLS

/* One object found in the folder before its files are checked. */
typedef struct
{
  char       *id;
  GHashTable *band_files;  /* band -> path */
} DassieDatasetCandidate;

typedef struct _DassieDatasetSky DassieDatasetSky;

/* dassie-dataset.c */
void        _dassie_dataset_add_skipped                 (GPtrArray                  *skipped,
                                                         const char                 *path,
                                                         const char                 *reason);
DassieDatasetSky *_dassie_dataset_get_sky               (DassieDataset              *self);

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

GPtrArray  *_dassie_dataset_split_csv_line              (const char                 *line);

/* dassie-dataset-sky.c: positions and catalogue columns. */
void        _dassie_dataset_probe_position              (fitsfile                   *fptr,
                                                         guint                       width,
                                                         guint                       height,
                                                         double                      position[3]);
char       *_dassie_dataset_check_band_positions        (const char                 *id,
                                                         const char * const         *bands,
                                                         const double               *positions,
                                                         guint                       n_bands);
DassieDatasetSky *_dassie_dataset_sky_new               (const char                 *dir,
                                                         const char * const         *ids,
                                                         const double               *wcs_ra,
                                                         const double               *wcs_dec,
                                                         guint                       n_objects);
void        _dassie_dataset_sky_free                    (DassieDatasetSky           *sky);

G_END_DECLS
