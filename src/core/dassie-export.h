/* dassie-export.h: object lists (ids, scores, ranks, UMAP positions, files) as CSV, FITS and VOTable
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  DASSIE_EXPORT_CSV,
  DASSIE_EXPORT_FITS,
  DASSIE_EXPORT_VOTABLE,
  DASSIE_EXPORT_DS9_REGION,   /* circles at the positions, for overlaying on a survey image */
} DassieExportFormat;

/* One row per object. Ids are exact text: when every id is a 64-bit integer they are written as
 * integers (FITS "K", VOTable long), otherwise as text; never as floating point. Optional columns
 * are left out when their array is NULL. */
typedef struct
{
  gsize               n_rows;
  const char * const *ids;          /* n_rows */
  const float        *scores;       /* median k-NN distance, or NULL */
  const guint32      *ranks;        /* 1 = the most anomalous, or NULL */
  const float        *umap_x;       /* or NULL (then umap_y is ignored) */
  const float        *umap_y;
  guint               n_bands;
  const char * const *band_names;   /* n_bands: "G", "HSC-I", … */
  const char * const *band_paths;   /* n_rows × n_bands, row-major; NULL entries are empty */
  const float        *relevance;    /* active-learning relevance (after the score), or NULL */
  const char * const *labels;       /* the astronomer's label ("interesting", …, "" none), or NULL */
  const double       *ra;           /* ICRS degrees, or NULL; NaN where an object has no position */
  const double       *dec;
  guint               n_extra;      /* the catalogue's other columns (tract, magnitudes, …) */
  const char * const *extra_names;  /* n_extra */
  const gboolean     *extra_numeric;/* n_extra: written as numbers (else as text) */
  const char * const *extra_texts;  /* n_rows × n_extra, row-major; "" where an object has none */
} DassieObjectList;

const char *dassie_export_format_to_string   (DassieExportFormat       format);
gboolean    dassie_export_format_from_string (const char              *name,
                                              DassieExportFormat      *format);
/* The file name ending of a format, without the dot: "csv", "fits", "vot", "reg". */
const char *dassie_export_format_suffix      (DassieExportFormat       format);
/* From the file name: .csv, .fits/.fit/.fts, .vot/.votable/.xml, .reg. */
gboolean    dassie_export_format_from_path   (const char              *path,
                                              DassieExportFormat      *format);

/* Ranks by descending score: @ranks[i] is object i's rank (1 = the most anomalous); NaN scores come
 * last, ties keep their order. @order (optional) receives the rows sorted by rank. */
void        dassie_export_rank               (const float             *scores,
                                              gsize                    n,
                                              guint32                 *ranks,
                                              guint32                 *order);
/* Reads a list of object ids: one a line, or a CSV whose first column holds them (a header line
 * "object_id" is skipped); blank lines and lines starting with '#' are ignored. */
char      **dassie_export_read_id_list       (const char              *path,
                                              GError                 **error);

/* The column name of a band's file path: "path_" + the band's letters and digits in lower case. */
char       *dassie_export_band_column        (const char              *band_name);

/* Each writes under a temporary name and renames when complete. */
gboolean    dassie_export_csv                (const DassieObjectList  *list,
                                              const char              *path,
                                              GError                 **error);
gboolean    dassie_export_fits               (const DassieObjectList  *list,
                                              const char              *path,
                                              GError                 **error);
gboolean    dassie_export_votable            (const DassieObjectList  *list,
                                              const char              *path,
                                              GError                 **error);
/* A DS9 region file: an fk5 circle of @radius_arcsec at each position, labelled with the id and the
 * score; objects without a position are left out (a comment counts them). Fails when none has one. */
gboolean    dassie_export_ds9_region         (const DassieObjectList  *list,
                                              const char              *path,
                                              double                   radius_arcsec,
                                              GError                 **error);
gboolean    dassie_export_write              (const DassieObjectList  *list,
                                              const char              *path,
                                              DassieExportFormat       format,
                                              GError                 **error);

G_END_DECLS
