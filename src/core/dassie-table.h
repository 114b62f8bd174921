/* dassie-table.h: object tables as FITS binary tables (latents, scores, embeddings)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes a binary table with OBJECT_ID (int64 "K" when every id is an integer, else text "A") and one
 * float vector column @column of @dim elements per row ("64E"), under a temporary name, then renames. */
gboolean dassie_table_write_vectors (const char          *path,
                                     const char * const  *ids,
                                     guint                n_rows,
                                     const char          *column,
                                     const float         *data,
                                     guint                dim,
                                     GError             **error);
/* Reads it back: @ids (GStrv, exact text) and an n_rows × dim float32 matrix. */
gboolean dassie_table_read_vectors  (const char          *path,
                                     const char          *column,
                                     char              ***ids,
                                     guint               *n_rows,
                                     float              **data,
                                     guint               *dim,
                                     GError             **error);
/* TRUE when every id parses as a 64-bit integer. */
gboolean dassie_ids_are_integers    (const char * const  *ids,
                                     guint                n);

/* For other table readers in core: reads OBJECT_ID of an open cfitsio table (fitsfile *) as text. */
gboolean _dassie_table_read_ids     (void                *fits,
                                     const char          *path,
                                     guint                n_rows,
                                     char              ***ids,
                                     GError             **error);
/* For other table writers in core: the TFORM of an id column holding @repeat ids per row ("1K", "5K",
 * "17A", "85A17"), and writing @n_ids ids into column @colnum of an open table starting at row 1. */
char    *_dassie_table_id_form      (const char * const  *ids,
                                     guint                n_ids,
                                     guint                repeat,
                                     gboolean            *integers);
void     _dassie_table_write_ids    (void                *fits,
                                     int                  colnum,
                                     const char * const  *ids,
                                     guint                n_ids,
                                     gboolean             integers,
                                     int                 *status);
/* Sets @error from a cfitsio status: "Could not @what “@path”: …". Returns FALSE. */
gboolean _dassie_table_fail         (int                  status,
                                     const char          *path,
                                     const char          *what,
                                     GError             **error);

G_END_DECLS
