/* dassie-dataset.h: HSC cutout data sets (Hyrax's HSCDataSet) and plain folders of FITS images
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"
#include "dassie-normalize.h"
#include "dassie-progress.h"
#include "dassie-sky.h"

G_BEGIN_DECLS

#define DASSIE_DATASET_ERROR (dassie_dataset_error_quark ())

typedef enum
{
  DASSIE_DATASET_ERROR_NO_OBJECTS,
  DASSIE_DATASET_ERROR_UNREADABLE,
  DASSIE_DATASET_ERROR_BAD_FILE,
  DASSIE_DATASET_ERROR_INVALID,
} DassieDatasetError;

typedef enum
{
  DASSIE_NAN_KEEP,
  DASSIE_NAN_QUANTILE,   /* replace NaN by the image's 5 % quantile (Hyrax's "quantile") */
  DASSIE_NAN_ZERO,
} DassieNanMode;

typedef enum
{
  DASSIE_TRANSFORM_TANH,
  DASSIE_TRANSFORM_ARCSINH,
  DASSIE_TRANSFORM_NONE,
} DassieTransform;

typedef struct
{
  guint           crop_width;   /* 0: the common square of most objects (smaller ones are skipped) */
  guint           crop_height;
  DassieTransform transform;
  /* data_set.normalization: with DASSIE_NORMALIZATION_TANH the per-pixel @transform (Hyrax), else a
   * per-cutout, per-band scaling by the band's median and noise (and @transform is not used). */
  DassieNormalization normalization;
  float           asinh_softening;  /* data_set.asinh_softening: k of asinh (x / (k·σ)) */
  DassieNanMode   nan_mode;
  char          **filters;      /* bands to use ("G", "R", ...), NULL for all */
  guint           n_threads;    /* 0: all cores */
} DassieDatasetOptions;

typedef struct
{
  char *path;
  char *reason;
} DassieSkippedFile;

typedef struct _DassieDataset DassieDataset;

GQuark          dassie_dataset_error_quark        (void);

void            dassie_dataset_options_init        (DassieDatasetOptions        *options);
gboolean        dassie_dataset_options_from_config (DassieDatasetOptions        *options,
                                                    const DassieConfig          *config,
                                                    GError                     **error);
void            dassie_dataset_options_clear       (DassieDatasetOptions        *options);

/* Finds the objects in @dir (manifest.fits, HSC names, or any FITS images with ids from a catalogue
 * CSV beside them), checks every file and reads every pixel once (kept in memory up to a few GB);
 * bad files and objects are skipped with a reason. Fails only when no object is usable. */
DassieDataset  *dassie_dataset_open                (const char                  *dir,
                                                    const DassieDatasetOptions  *options,
                                                    GCancellable                *cancellable,
                                                    GError                     **error);
/* The same, reporting the reading of the pixels (stage "load"). */
DassieDataset  *dassie_dataset_open_with_progress  (const char                  *dir,
                                                    const DassieDatasetOptions  *options,
                                                    GCancellable                *cancellable,
                                                    DassieProgressFunc           progress,
                                                    gpointer                     user_data,
                                                    GError                     **error);
/* The same; @skipped (when not NULL) receives the skipped files (DassieSkippedFile*) whether or not any
 * object is usable, so that a caller can list why nothing was; NULL when the folder cannot be read. */
DassieDataset  *dassie_dataset_open_full           (const char                  *dir,
                                                    const DassieDatasetOptions  *options,
                                                    GCancellable                *cancellable,
                                                    DassieProgressFunc           progress,
                                                    gpointer                     user_data,
                                                    GPtrArray                  **skipped,
                                                    GError                     **error);
DassieDataset  *dassie_dataset_ref                 (DassieDataset               *self);
void            dassie_dataset_unref               (DassieDataset               *self);

const char     *dassie_dataset_get_dir             (DassieDataset               *self);
guint           dassie_dataset_get_n_objects       (DassieDataset               *self);
guint           dassie_dataset_get_n_bands         (DassieDataset               *self);
/* Band names in the order of the channels ("G", "I", "R"). */
const char     *dassie_dataset_get_band            (DassieDataset               *self,
                                                    guint                        band);
int             dassie_dataset_find_band           (DassieDataset               *self,
                                                    const char                  *name);
guint           dassie_dataset_get_width           (DassieDataset               *self);
guint           dassie_dataset_get_height          (DassieDataset               *self);
/* Object ids are text, exact ("36411452835238206"); integer ids also as gint64. */
const char     *dassie_dataset_get_object_id       (DassieDataset               *self,
                                                    guint                        index);
gboolean        dassie_dataset_ids_are_integers    (DassieDataset               *self);
int             dassie_dataset_find_object         (DassieDataset               *self,
                                                    const char                  *object_id);
const char     *dassie_dataset_get_file            (DassieDataset               *self,
                                                    guint                        index,
                                                    guint                        band);
GPtrArray      *dassie_dataset_get_skipped         (DassieDataset               *self);
/* Objects that were kept but are worth a look (DassieSkippedFile*): bands whose WCS put their centres
 * more than a pixel apart. */
GPtrArray      *dassie_dataset_get_warnings        (DassieDataset               *self);

/* Positions (ICRS degrees): from the catalogue's ra/dec columns (manifest.fits or a catalogue CSV),
 * else each object's first-band WCS at the cutout centre; FALSE (and NaN) for an object without one. */
DassieSkySource dassie_dataset_get_sky_source      (DassieDataset               *self);
gboolean        dassie_dataset_get_position        (DassieDataset               *self,
                                                    guint                        index,
                                                    double                      *ra,
                                                    double                      *dec);
/* The WCS of the object's first band (read from its header now), for a compass and a scale bar, and
 * the FITS pixel at the image's centre (where the crop is centred); NULL with an error naming the
 * file when it has none. */
DassieSkyWcs   *dassie_dataset_read_wcs            (DassieDataset               *self,
                                                    guint                        index,
                                                    double                       centre[2],
                                                    GError                     **error);
/* The catalogue's other per-object columns (tract, patch, magnitudes, flags, ...), as text, and as
 * numbers when every value of the column is one (NaN where an object has none). */
guint           dassie_dataset_get_n_columns       (DassieDataset               *self);
const char     *dassie_dataset_get_column_name     (DassieDataset               *self,
                                                    guint                        column);
gboolean        dassie_dataset_column_is_numeric   (DassieDataset               *self,
                                                    guint                        column);
int             dassie_dataset_find_column         (DassieDataset               *self,
                                                    const char                  *name);
double          dassie_dataset_get_column_value    (DassieDataset               *self,
                                                    guint                        index,
                                                    guint                        column);
const char     *dassie_dataset_get_column_text     (DassieDataset               *self,
                                                    guint                        index,
                                                    guint                        column);

/* Reads objects @indices[0 .. n) into @out as n × bands × height × width float32, cropped, with NaN
 * handled, and transformed when @transformed (the model's input) or raw (for display). Copies from the
 * in-memory copy that opening made when the pixels fit (a few GB), else reads the files on all cores. */
gboolean        dassie_dataset_read_objects        (DassieDataset               *self,
                                                    const guint                 *indices,
                                                    guint                        n,
                                                    gboolean                     transformed,
                                                    float                       *out,
                                                    GCancellable                *cancellable,
                                                    GError                     **error);
/* The transform of one value, exposed for tests and display. */
float           dassie_transform_apply             (DassieTransform              transform,
                                                    float                        value);
/* Its inverse, back to the data's units; values outside tanh's range are clamped just inside it. */
float           dassie_transform_invert            (DassieTransform              transform,
                                                    float                        value);
/* One band of the model's values @values (@n of them) back to the data's units, in place: the
 * inverse of @options' normalisation, whose per-band statistics come from the raw band @raw. */
void            dassie_dataset_invert_band         (const DassieDatasetOptions  *options,
                                                    const float                 *raw,
                                                    gsize                        n,
                                                    float                       *values);

/* Deterministic split: a seeded permutation of 0 .. n-1 cut into consecutive parts by @fractions
 * (which may sum to less than 1; the rest is unused). Returns n_fractions arrays of guint. */
GPtrArray      *dassie_dataset_split               (guint                        n_objects,
                                                    const double                *fractions,
                                                    guint                        n_fractions,
                                                    guint64                      seed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieDataset, dassie_dataset_unref)

G_END_DECLS
