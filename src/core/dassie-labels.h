/* dassie-labels.h: the astronomer's labels of the objects of one data set, kept across runs
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"

G_BEGIN_DECLS

/* The verdict on one object. The values are stable (they are stored in guint8 arrays that the
 * relevance model and the catalog read). */
typedef enum
{
  DASSIE_LABEL_NONE        = 0,
  DASSIE_LABEL_INTERESTING = 1,
  DASSIE_LABEL_BORING      = 2,
  DASSIE_LABEL_ARTIFACT    = 3,
} DassieLabel;

#define DASSIE_N_LABELS 4

/* "interesting", "boring", "artifact"; "none" for DASSIE_LABEL_NONE. The names of the CSV files. */
const char *dassie_label_to_string   (DassieLabel  label);
/* Accepts the names above in any case, and "" or "none" or "clear" for DASSIE_LABEL_NONE. */
gboolean    dassie_label_from_string (const char  *text,
                                      DassieLabel *label);
/* The translated name for a user interface ("Interesting", …; "Unlabelled"). */
const char *dassie_label_get_display_name (DassieLabel label);

/* ------------------------------------------------------------------------------------------------
 * The identity of a data set.
 *
 * Labels belong to a data set, not to a folder or a run: the identity is computed from the sorted,
 * de-duplicated object ids alone ("ids-sha256:" + the first 32 hex digits of the SHA-256 of the ids,
 * one a line). Moving or copying the folder, retraining, re-inferring and re-scoring keep it; adding
 * or removing objects makes a new data set (its labels start empty; import the old ones' CSV). The
 * same identity follows from a data set (its objects), a latents.fits or a scores run (their rows),
 * since every run covers all objects of its data set. */
char       *dassie_labels_identity_for_ids (const char * const *ids,
                                            gsize               n_ids);

/* Where label stores live: $DASSIE_LABELS_DIR when set (tests), else the configuration key
 * labels.dir when not empty (@config may be NULL), else <user data dir>/dassie/labels. */
char       *dassie_labels_get_store_dir    (const DassieConfig *config);

/* ------------------------------------------------------------------------------------------------
 * The label store of one data set: <store dir>/<identity with ':' as '-'>.json, written under a
 * temporary name and renamed after every change, so a crash never loses more than the change being
 * made. Changes are undoable in memory (for the life of the object); a change of many objects is one
 * undo step. Not thread-safe: use it from one thread (the UI thread). */

#define DASSIE_TYPE_LABELS (dassie_labels_get_type ())
G_DECLARE_FINAL_TYPE (DassieLabels, dassie_labels, DASSIE, LABELS, GObject)

/* What is known about one labelled object. A label store keeps an entry while it has a label, a tag
 * or a note. */
typedef struct
{
  char        *object_id;
  DassieLabel  label;
  char       **tags;       /* free tags ("merger", "lens"), sorted, never NULL */
  char        *note;       /* or NULL */
  gint64       time;       /* of the last change, Unix seconds (UTC) */
} DassieLabelEntry;

/* Opens (or starts, when there is no file yet) the labels of the data set whose objects are @ids
 * under @store_dir (NULL: dassie_labels_get_store_dir (NULL)). The ids are the universe of valid
 * objects: labels of other ids are refused, and an import reports them. Fails when the file exists
 * but cannot be read or parsed, naming it. */
DassieLabels *dassie_labels_open           (const char          *store_dir,
                                            const char * const  *ids,
                                            gsize                n_ids,
                                            GError             **error);
/* Labels of the data set of @ids kept in memory only (never saved), e.g. a CSV given for one ranking:
 * dassie_labels_get_path() is NULL. */
DassieLabels *dassie_labels_new_in_memory  (const char * const  *ids,
                                            gsize                n_ids);
/* Opens a store file directly; any id is accepted (tests, and labels whose objects are unknown). */
DassieLabels *dassie_labels_open_file      (const char          *path,
                                            GError             **error);

const char   *dassie_labels_get_identity   (DassieLabels        *self);   /* NULL for open_file */
const char   *dassie_labels_get_path       (DassieLabels        *self);   /* NULL in memory */
/* Objects with an entry (a label, a tag or a note). */
guint         dassie_labels_get_n_entries  (DassieLabels        *self);
/* Objects with each label; @counts has DASSIE_N_LABELS elements (counts[NONE] is entries without
 * a label, i.e. tags or notes only). */
void          dassie_labels_count          (DassieLabels        *self,
                                            guint               *counts);
/* TRUE when @object_id belongs to the data set (always for open_file). */
gboolean      dassie_labels_knows          (DassieLabels        *self,
                                            const char          *object_id);

DassieLabel   dassie_labels_get            (DassieLabels        *self,
                                            const char          *object_id);
/* The entry, or NULL when the object has none. Valid until the next change. */
const DassieLabelEntry *dassie_labels_lookup (DassieLabels      *self,
                                            const char          *object_id);
/* Every entry sorted by object id; the array holds borrowed pointers valid until the next change. */
GPtrArray    *dassie_labels_list           (DassieLabels        *self);
/* The label of each of @ids in @out (n_ids bytes, DassieLabel values): the columns that the
 * relevance model and the catalog read. */
void          dassie_labels_fill           (DassieLabels        *self,
                                            const char * const  *ids,
                                            gsize                n_ids,
                                            guint8              *out);

/* Each change below is one undo step, saves the store and emits "changed"; when saving fails the
 * change is taken back and FALSE returned with an error naming the file. Ids outside the data set
 * are refused (G_IO_ERROR_INVALID_ARGUMENT) before anything changes. */
gboolean      dassie_labels_set            (DassieLabels        *self,
                                            const char          *object_id,
                                            DassieLabel          label,
                                            GError             **error);
/* DASSIE_LABEL_NONE clears the label (tags and notes stay). */
gboolean      dassie_labels_set_many       (DassieLabels        *self,
                                            const char * const  *ids,
                                            gsize                n_ids,
                                            DassieLabel          label,
                                            GError             **error);
/* Removes the whole entry (label, tags, note) of each object. */
gboolean      dassie_labels_clear          (DassieLabels        *self,
                                            const char * const  *ids,
                                            gsize                n_ids,
                                            GError             **error);
/* Removes every entry. */
gboolean      dassie_labels_clear_all      (DassieLabels        *self,
                                            GError             **error);
/* @note NULL or "" removes it. */
gboolean      dassie_labels_set_note       (DassieLabels        *self,
                                            const char          *object_id,
                                            const char          *note,
                                            GError             **error);
/* A tag is a short word: no commas, semicolons or line breaks, not empty; stored in lower case. */
gboolean      dassie_labels_add_tag        (DassieLabels        *self,
                                            const char * const  *ids,
                                            gsize                n_ids,
                                            const char          *tag,
                                            GError             **error);
gboolean      dassie_labels_remove_tag     (DassieLabels        *self,
                                            const char * const  *ids,
                                            gsize                n_ids,
                                            const char          *tag,
                                            GError             **error);

gboolean      dassie_labels_can_undo       (DassieLabels        *self);
gboolean      dassie_labels_can_redo       (DassieLabels        *self);
/* Takes back the last change (FALSE without an error when there is none). */
gboolean      dassie_labels_undo           (DassieLabels        *self,
                                            GError             **error);
gboolean      dassie_labels_redo           (DassieLabels        *self,
                                            GError             **error);

/* Reads a CSV "object_id,label[,note]" (a header line starting with "object_id" is optional; with a
 * header, the columns are found by name and an optional "tags" column (or "kind", as in the demo's
 * labels.csv) holds tags separated by ';').
 * Fields may be quoted as RFC 4180. The label may be empty (tags or note only). Lines of ids outside
 * the data set are skipped and listed in @unknown_ids (may be NULL); the rest is one undo step.
 * Fails, changing nothing, when the file cannot be read or a label is not one of
 * interesting/boring/artifact/none (naming the file, the line and the value). */
gboolean      dassie_labels_import_csv     (DassieLabels        *self,
                                            const char          *path,
                                            guint               *n_imported,
                                            GStrv               *unknown_ids,
                                            GError             **error);
/* Writes "object_id,label,note,tags,time" (time as ISO 8601 UTC), sorted by id; atomically. */
gboolean      dassie_labels_export_csv     (DassieLabels        *self,
                                            const char          *path,
                                            GError             **error);

/* Signal "changed" (DassieLabels *self, GStrv ids, gpointer user_data): after every change, undo and
 * redo; @ids are the objects whose entry changed (NULL when many or all may have: clear_all, import).
 * Properties "n-entries", "can-undo" and "can-redo" notify when they change. */

G_END_DECLS
