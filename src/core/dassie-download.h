/* dassie-download.h: DOI and Zenodo resolution, resumable verified downloads, safe unpacking
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"
#include "dassie-progress.h"
#include "dassie-unpack.h"

G_BEGIN_DECLS

/* The seed workflow's data set: about 1000 HSC objects in g, r, i, unpacked into hsc_8asec_1000/. */
#define DASSIE_DOWNLOAD_HSC_DEMO_SOURCE  "doi:10.5281/zenodo.14498536/hsc_demo_data.zip"
#define DASSIE_DOWNLOAD_HSC_DEMO_MD5     "md5:1be05a6b49505054de441a7262a09671"
#define DASSIE_DOWNLOAD_HSC_DEMO_FOLDER  "hsc_8asec_1000"

#define DASSIE_DOWNLOAD_ERROR (dassie_download_error_quark ())

typedef enum
{
  DASSIE_DOWNLOAD_ERROR_INVALID_SOURCE,  /* neither doi:PREFIX/SUFFIX/FILE nor an https:// URL */
  DASSIE_DOWNLOAD_ERROR_INSECURE,        /* plain http to a host that is not this computer */
  DASSIE_DOWNLOAD_ERROR_REDIRECT,        /* too many redirects, or one to a host that is refused */
  DASSIE_DOWNLOAD_ERROR_RESOLVE,         /* the DOI or the record could not be turned into a file */
  DASSIE_DOWNLOAD_ERROR_NOT_FOUND,       /* HTTP 404/410, or the file is not in the record */
  DASSIE_DOWNLOAD_ERROR_HTTP,            /* another HTTP error status */
  DASSIE_DOWNLOAD_ERROR_NETWORK,         /* no connection, dropped or stalled, after every retry */
  DASSIE_DOWNLOAD_ERROR_TLS,             /* the server's certificate could not be verified */
  DASSIE_DOWNLOAD_ERROR_CHECKSUM,        /* the file does not have the expected hash (it was deleted) */
  DASSIE_DOWNLOAD_ERROR_BUSY,            /* another download of the same file is running */
  DASSIE_DOWNLOAD_ERROR_SIZE,            /* the file is not the size its record lists (it was deleted) */
} DassieDownloadError;

typedef enum
{
  DASSIE_DOWNLOAD_STAGE_RESOLVE,   /* asking the DOI resolver and the record */
  DASSIE_DOWNLOAD_STAGE_DOWNLOAD,  /* bytes arriving */
  DASSIE_DOWNLOAD_STAGE_VERIFY,    /* hashing the file */
  DASSIE_DOWNLOAD_STAGE_UNPACK,    /* extracting the archive (bytes of the archive read) */
} DassieDownloadStage;

/* What dassie_download_run's DassieProgressFunc gets, on the thread that runs the download, at
 * most about ten times a second: cast the DassieProgress to this. */
typedef struct
{
  DassieProgress       base;         /* stage "resolve", "download", "verify" or "unpack"; fraction
                                      * bytes / total (< 0 when unknown); rate in bytes per second */
  DassieDownloadStage  stage;
  guint64              bytes;        /* done in this stage; for DOWNLOAD, including a resumed part */
  guint64              total;        /* 0 when unknown */
  guint                attempt;      /* 1 for the first try, 2 after the first retry, ... */
} DassieDownloadProgress;

typedef enum
{
  DASSIE_DOWNLOAD_FLAGS_NONE      = 0,
  DASSIE_DOWNLOAD_FLAGS_NO_UNPACK = 1 << 0,  /* keep a zip or tar.gz as it is */
} DassieDownloadFlags;

typedef struct
{
  char     *file_path;     /* the verified file in the destination folder */
  char     *unpacked_dir;  /* the folder the archive was unpacked into, or NULL */
  char     *checksum;      /* "md5:<hex>" (or "sha256:<hex>" when that was the expected kind) */
  char     *url;           /* where it came from, or NULL when nothing was fetched */
  guint64   size;
  gboolean  verified;      /* a checksum (given, or the record's) was checked and matched */
  gboolean  reused;        /* already present with the right hash: not fetched again */
  gboolean  unpacked_reused; /* the unpacked folder was already there and was kept */
} DassieDownloadResult;

GQuark                 dassie_download_error_quark   (void);

/* Splits "doi:10.5281/zenodo.123/file.zip" into the DOI and the file name, or checks an
 * https:// URL (http only to this computer) and takes the file name from its path. */
gboolean               dassie_download_parse_source  (const char          *source,
                                                      char               **doi,
                                                      char               **url,
                                                      char               **file_name,
                                                      GError             **error);
/* TRUE for https URLs, and for http to 127.0.0.0/8, ::1 and localhost. */
gboolean               dassie_download_check_url     (const char          *url,
                                                      GError             **error);
/* Accepts "md5:<hex>", "sha256:<hex>" or bare hex (32 digits: md5, 64: sha256); returns
 * "<kind>:<lowercase hex>". */
char                  *dassie_download_normalize_checksum (const char     *checksum,
                                                           GError        **error);
/* "<kind>:<hex>" of a file, with @kind "md5" or "sha256". */
char                  *dassie_download_checksum_file (const char          *path,
                                                      const char          *kind,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

/* Fetches @source into @dest_dir, verifies it against @expected_checksum (NULL: the record's
 * hash, if it has one), renames it into place, and unpacks a zip or tar.gz next to it
 * (result->unpacked_dir). A file already present with the expected hash is not fetched again
 * (and with @expected_checksum given, nothing is asked of the network at all); its unpacked
 * folder, if there, is kept. Safe to call on a worker thread; cancel with @cancellable (the
 * error is then G_IO_ERROR_CANCELLED). Errors are DASSIE_DOWNLOAD_ERROR, DASSIE_UNPACK_ERROR,
 * G_FILE_ERROR or G_IO_ERROR, with a message that names the file or address and what to do.
 * On failure nothing new is left in @dest_dir, except: "<file>.part" when the network failed and
 * a checksum is known (the next call resumes it), and a verified archive that could not be
 * unpacked. */
DassieDownloadResult  *dassie_download_run           (const DassieConfig          *config,
                                                      const char                  *source,
                                                      const char                  *dest_dir,
                                                      const char                  *expected_checksum,
                                                      DassieDownloadFlags          flags,
                                                      DassieProgressFunc           progress,
                                                      gpointer                     progress_data,
                                                      GCancellable                *cancellable,
                                                      GError                     **error);
void                   dassie_download_result_free   (DassieDownloadResult        *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieDownloadResult, dassie_download_result_free)

G_END_DECLS
