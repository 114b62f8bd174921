/* dassie-unpack.c: safe zip and tar.gz extraction into a folder that appears only when complete
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dassie-fileutil.h"
#include "dassie-unpack.h"

#define READ_BLOCK (64 * 1024)
#define REPORT_INTERVAL_USEC (G_USEC_PER_SEC / 10)

/* macOS's zip tool adds resource forks under this folder; they are not data. */
#define MACOS_METADATA_DIR "__MACOSX"

struct _DassieUnpackPlan
{
  char    *archive_path;
  char    *dest_dir;
  char    *target;     /* the folder that appears when unpacking is complete */
  char    *top_level;  /* the archive's single top-level folder, or NULL when wrapped in a new folder */
  guint64  max_bytes;
  guint64  total_bytes;     /* the sum of the sizes the entries declare */
  gboolean all_declared;    /* every file entry declared its size */
  gboolean listing_cut;     /* the entries were read only until they outgrew the free space ... */
  guint64  free_at_plan;    /* ... of this many bytes */
  guint64  archive_size;
  guint    n_files;
};

typedef enum
{
  ENTRY_SKIP,
  ENTRY_DIR,
  ENTRY_FILE,
  ENTRY_SYMLINK,
  ENTRY_HARDLINK,
} EntryKind;

typedef struct
{
  EntryKind  kind;
  char      *path;         /* clean relative path: no "", "." or ".." components */
  char      *link_target;  /* symlink text, or the clean path a hard link points to */
} EntryInfo;

G_DEFINE_QUARK (dassie-unpack-error-quark, dassie_unpack_error)

static void
entry_info_clear (EntryInfo *info)
{
  g_clear_pointer (&info->path, g_free);
  g_clear_pointer (&info->link_target, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EntryInfo, entry_info_clear)

gboolean
dassie_unpack_is_archive (const char *file_name)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (file_name != NULL, FALSE);

  lower = g_ascii_strdown (file_name, -1);
  return g_str_has_suffix (lower, ".zip") || g_str_has_suffix (lower, ".tar") ||
         g_str_has_suffix (lower, ".tar.gz") || g_str_has_suffix (lower, ".tgz");
}

static char *
archive_stem (const char *archive_path)
{
  static const char *suffixes[] = { ".tar.gz", ".tgz", ".zip", ".tar" };
  g_autofree char *base = g_path_get_basename (archive_path);
  g_autofree char *lower = g_ascii_strdown (base, -1);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (lower, suffixes[i]) && strlen (base) > strlen (suffixes[i]))
      return g_strndup (base, strlen (base) - strlen (suffixes[i]));

  return g_strconcat (base, ".unpacked", NULL);
}

static struct archive *
open_archive (const char  *archive_path,
              GError     **error)
{
  struct archive *a = archive_read_new ();

  archive_read_support_format_zip (a);
  archive_read_support_format_tar (a);
  archive_read_support_filter_gzip (a);

  if (archive_read_open_filename (a, archive_path, READ_BLOCK) != ARCHIVE_OK)
    {
      g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_FORMAT,
                   _("Could not read the archive “%s”: %s. It may be damaged or not a zip or tar.gz "
                     "file; download it again."),
                   archive_path, archive_error_string (a));
      archive_read_free (a);
      return NULL;
    }

  return a;
}

static void
set_format_error (struct archive  *a,
                  const char      *archive_path,
                  GError         **error)
{
  g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_FORMAT,
               _("Could not read the archive “%s”: %s. It may be damaged; download it again."),
               archive_path, archive_error_string (a));
}

/* Reads the next header; returns FALSE at the end or on an error (then @error is set). */
static gboolean
next_header (struct archive        *a,
             const char            *archive_path,
             struct archive_entry **entry,
             GError               **error)
{
  int r = archive_read_next_header (a, entry);

  if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
    return TRUE;
  if (r != ARCHIVE_EOF)
    set_format_error (a, archive_path, error);
  return FALSE;
}

/* Makes a relative path from an entry name, refusing what could leave the folder. */
static char *
clean_entry_path (const char  *archive_path,
                  const char  *name,
                  GError     **error)
{
  g_auto(GStrv) any_sep = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) kept = NULL;

  /* Backslashes count as separators for the safety checks only: on Windows they are. */
  if (name[0] == '/' || name[0] == '\\' || (g_ascii_isalpha (name[0]) && name[1] == ':'))
    {
      g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_UNSAFE_PATH,
                   _("The archive “%s” contains “%s”, an absolute path; nothing was unpacked. An "
                     "archive that writes outside its folder may be malicious: delete it."),
                   archive_path, name);
      return NULL;
    }

  any_sep = g_strsplit_set (name, "/\\", -1);
  for (guint i = 0; any_sep[i] != NULL; i++)
    if (g_str_equal (any_sep[i], ".."))
      {
        g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_UNSAFE_PATH,
                     _("The archive “%s” contains “%s”, a path that climbs out of its folder with "
                       "“..”; nothing was unpacked. An archive that writes outside its folder may "
                       "be malicious: delete it."),
                     archive_path, name);
        return NULL;
      }

  parts = g_strsplit (name, "/", -1);
  kept = g_ptr_array_new ();
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0' && !g_str_equal (parts[i], "."))
      g_ptr_array_add (kept, parts[i]);
  g_ptr_array_add (kept, NULL);

  return g_strjoinv ("/", (char **) kept->pdata);
}

static gboolean
check_symlink_target (const char  *archive_path,
                      const char  *entry_path,
                      const char  *target,
                      GError     **error)
{
  g_auto(GStrv) parts = NULL;
  gboolean safe = target[0] != '\0' && target[0] != '/';

  /* Without ".." and without a leading "/", a link can only point down, so chains of links stay
   * inside the folder too. */
  parts = g_strsplit (target, "/", -1);
  for (guint i = 0; safe && parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      safe = FALSE;

  if (!safe)
    g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_UNSAFE_LINK,
                 _("The archive “%s” contains a link “%s” → “%s” that could point outside its "
                   "folder; nothing was unpacked. Delete the archive, or unpack it by hand if you "
                   "trust it."),
                 archive_path, entry_path, target);
  return safe;
}

/* The checks both passes make on every entry, so that an archive swapped between them gains nothing. */
static gboolean
examine_entry (const char            *archive_path,
               struct archive_entry  *entry,
               EntryInfo             *info,
               GError               **error)
{
  const char *name = archive_entry_pathname (entry);
  const char *hardlink = archive_entry_hardlink (entry);
  mode_t type = archive_entry_filetype (entry);

  if (name == NULL)
    {
      g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_FORMAT,
                   _("The archive “%s” has an entry without a readable name; download it again."),
                   archive_path);
      return FALSE;
    }

  info->path = clean_entry_path (archive_path, name, error);
  if (info->path == NULL)
    return FALSE;
  if (info->path[0] == '\0' || g_str_equal (info->path, MACOS_METADATA_DIR) ||
      g_str_has_prefix (info->path, MACOS_METADATA_DIR "/"))
    {
      info->kind = ENTRY_SKIP;
      return TRUE;
    }

  if (hardlink != NULL)
    {
      info->kind = ENTRY_HARDLINK;
      info->link_target = clean_entry_path (archive_path, hardlink, error);
      return info->link_target != NULL;
    }

  switch (type)
    {
    case AE_IFDIR:
      info->kind = ENTRY_DIR;
      return TRUE;
    case AE_IFREG:
      info->kind = ENTRY_FILE;
      return TRUE;
    case AE_IFLNK:
      info->kind = ENTRY_SYMLINK;
      info->link_target = g_strdup (archive_entry_symlink (entry) ? archive_entry_symlink (entry) : "");
      return check_symlink_target (archive_path, info->path, info->link_target, error);
    default:
      g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_UNSUPPORTED_ENTRY,
                   _("The archive “%s” contains “%s”, a device, pipe or socket, which a data set "
                     "never needs; nothing was unpacked."),
                   archive_path, name);
      return FALSE;
    }
}

/* What the entries may write: their declared sizes and a margin, when every one declared its size
 * (a lying header gains little), and never more than the configured limit. */
static guint64
write_limit (const DassieUnpackPlan *plan)
{
  guint64 margin = 1024 * 1024 + plan->total_bytes / 100;

  if (!plan->all_declared || plan->total_bytes > G_MAXUINT64 - margin)
    return plan->max_bytes;
  return MIN (plan->max_bytes, plan->total_bytes + margin);
}

static void
set_beyond_listing_error (const DassieUnpackPlan  *plan,
                          GError                 **error)
{
  g_autofree char *declared = g_format_size (plan->total_bytes);

  g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_TOO_LARGE,
               _("The archive “%s” writes more than the %s its entries declare; nothing was "
                 "unpacked. The archive is damaged or malicious: delete it and download it again."),
               plan->archive_path, declared);
}

/* The free bytes of the file system that holds @dir (or its nearest existing parent). */
static gboolean
query_free_space (const char *dir,
                  guint64    *free_bytes)
{
  g_autofree char *existing = g_strdup (dir);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;

  while (!g_file_test (existing, G_FILE_TEST_IS_DIR))
    {
      char *parent = g_path_get_dirname (existing);

      if (g_str_equal (parent, existing))
        {
          g_free (parent);
          return FALSE;
        }
      g_free (existing);
      existing = parent;
    }
  file = g_file_new_for_path (existing);
  info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return FALSE;
  *free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  return TRUE;
}

static gboolean
check_free_space (const DassieUnpackPlan  *plan,
                  GError                 **error)
{
  g_autofree char *needed = NULL;
  g_autofree char *available = NULL;
  guint64 free_bytes = 0;
  gboolean known = query_free_space (plan->dest_dir, &free_bytes);

  if (plan->listing_cut && !known)
    {
      free_bytes = plan->free_at_plan;
      known = TRUE;
    }
  if (!known || (plan->total_bytes <= free_bytes && !plan->listing_cut))
    return TRUE;
  needed = g_format_size (plan->total_bytes);
  available = g_format_size (free_bytes);
  g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_NO_SPACE,
               _("Unpacking “%s” needs at least %s in the folder “%s”, but only %s is free there; "
                 "nothing was unpacked. Free some space or choose another folder."),
               plan->archive_path, needed, plan->dest_dir, available);
  return FALSE;
}

static void
set_too_large_error (const DassieUnpackPlan  *plan,
                     GError                 **error)
{
  g_autofree char *limit = g_format_size (plan->max_bytes);

  g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_TOO_LARGE,
               _("The archive “%s” unpacks to more than %s (download.max_unpacked_bytes); nothing "
                 "was unpacked. Raise that limit if you trust the archive and have the space."),
               plan->archive_path, limit);
}

void
dassie_unpack_plan_free (DassieUnpackPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->archive_path);
  g_free (plan->dest_dir);
  g_free (plan->target);
  g_free (plan->top_level);
  g_free (plan);
}

DassieUnpackPlan *
dassie_unpack_plan_new (const char    *archive_path,
                        const char    *dest_dir,
                        guint64        max_bytes,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(DassieUnpackPlan) plan = NULL;
  g_autoptr(GHashTable) tops = NULL;  /* top-level name -> GINT_TO_POINTER (is a folder) */
  struct archive *a;
  struct archive_entry *entry;
  g_autoptr(GError) local_error = NULL;
  guint64 free_bytes = 0;
  gboolean free_known;
  GStatBuf st;

  g_return_val_if_fail (archive_path != NULL, NULL);
  g_return_val_if_fail (dest_dir != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  plan = g_new0 (DassieUnpackPlan, 1);
  plan->archive_path = g_strdup (archive_path);
  plan->dest_dir = g_canonicalize_filename (dest_dir, NULL);
  plan->max_bytes = max_bytes;
  plan->all_declared = TRUE;
  free_known = query_free_space (plan->dest_dir, &free_bytes);
  if (g_stat (archive_path, &st) == 0)
    plan->archive_size = st.st_size;

  a = open_archive (archive_path, error);
  if (a == NULL)
    return NULL;

  tops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while (next_header (a, archive_path, &entry, &local_error))
    {
      g_auto(EntryInfo) info = { 0 };
      const char *slash;
      g_autofree char *top = NULL;
      gboolean is_folder;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        break;
      if (!examine_entry (archive_path, entry, &info, &local_error))
        break;
      if (info.kind == ENTRY_SKIP)
        continue;

      if (info.kind == ENTRY_FILE && archive_entry_size_is_set (entry))
        {
          plan->total_bytes += MAX (archive_entry_size (entry), 0);
          if (plan->total_bytes > max_bytes)
            {
              set_too_large_error (plan, &local_error);
              break;
            }
        }
      else if (info.kind == ENTRY_FILE)
        plan->all_declared = FALSE;
      if (info.kind != ENTRY_DIR)
        plan->n_files++;

      slash = strchr (info.path, '/');
      top = slash ? g_strndup (info.path, slash - info.path) : g_strdup (info.path);
      is_folder = slash != NULL || info.kind == ENTRY_DIR;
      if (g_hash_table_contains (tops, top))
        is_folder &= GPOINTER_TO_INT (g_hash_table_lookup (tops, top));
      g_hash_table_insert (tops, g_steal_pointer (&top), GINT_TO_POINTER (is_folder));

      /* Enough to refuse: the run says so (a folder already unpacked from this archive is still
       * found), and the next header, past this entry's data, need not be searched for. */
      if (free_known && plan->total_bytes > free_bytes)
        {
          plan->listing_cut = TRUE;
          plan->free_at_plan = free_bytes;
          plan->all_declared = FALSE;
          break;
        }
    }
  archive_read_free (a);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (plan->n_files == 0)
    {
      g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_EMPTY,
                   _("The archive “%s” contains no files; download it again or check its source."),
                   archive_path);
      return NULL;
    }

  if (g_hash_table_size (tops) == 1)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, tops);
      g_hash_table_iter_next (&iter, &key, &value);
      if (GPOINTER_TO_INT (value))
        plan->top_level = g_strdup (key);
    }

  if (plan->top_level != NULL)
    plan->target = g_build_filename (plan->dest_dir, plan->top_level, NULL);
  else
    {
      g_autofree char *stem = archive_stem (archive_path);
      plan->target = g_build_filename (plan->dest_dir, stem, NULL);
    }

  return g_steal_pointer (&plan);
}

const char *
dassie_unpack_plan_get_target (const DassieUnpackPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->target;
}

guint64
dassie_unpack_plan_get_total_bytes (const DassieUnpackPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->total_bytes;
}

guint
dassie_unpack_plan_get_n_files (const DassieUnpackPlan *plan)
{
  g_return_val_if_fail (plan != NULL, 0);
  return plan->n_files;
}

typedef struct
{
  const DassieUnpackPlan *plan;
  DassieProgressFunc      func;
  gpointer                data;
  DassieEta               eta;
  gint64                  last_report;
  guint                   files_done;
} Reporter;

static void
report (Reporter       *reporter,
        struct archive *a,
        gboolean        force)
{
  DassieProgress progress = { .stage = "unpack", .fraction = -1, .rate = -1, .eta_seconds = -1 };
  gint64 now = g_get_monotonic_time ();
  double done;
  g_autofree char *message = NULL;

  if (reporter->func == NULL || (!force && now - reporter->last_report < REPORT_INTERVAL_USEC))
    return;
  reporter->last_report = now;

  if (force)
    done = reporter->plan->archive_size;
  else
    done = a != NULL ? (double) archive_filter_bytes (a, -1) : 0;
  if (reporter->plan->archive_size > 0)
    {
      done = MIN (done, (double) reporter->plan->archive_size);
      progress.fraction = done / reporter->plan->archive_size;
      dassie_eta_update (&reporter->eta, done, reporter->plan->archive_size,
                         &progress.rate, &progress.eta_seconds);
    }
  message = g_strdup_printf (_("Unpacking: %u of %u files"), reporter->files_done, reporter->plan->n_files);
  progress.message = message;
  reporter->func (&progress, reporter->data);
}

static gboolean
set_write_error (const char  *path,
                 const char  *archive_path,
                 int          saved_errno,
                 GError     **error)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not write “%s” while unpacking “%s”: %s. Free some space or choose another "
                 "destination."),
               path, archive_path, g_strerror (saved_errno));
  return FALSE;
}

/* Creates the parent folder of @path and removes a file, link or empty folder already at @path. */
static gboolean
prepare_path (const char  *path,
              const char  *archive_path,
              GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  GStatBuf st;

  if (g_mkdir_with_parents (parent, 0755) != 0)
    return set_write_error (parent, archive_path, errno, error);
  if (g_lstat (path, &st) == 0 && (S_ISDIR (st.st_mode) ? g_rmdir (path) : g_unlink (path)) != 0)
    return set_write_error (path, archive_path, errno, error);

  return TRUE;
}

static gboolean
write_file_entry (Reporter              *reporter,
                  struct archive        *a,
                  struct archive_entry  *entry,
                  const char            *path,
                  guint64               *written,
                  GCancellable          *cancellable,
                  GError               **error)
{
  const DassieUnpackPlan *plan = reporter->plan;
  g_autofree char *buffer = g_malloc (READ_BLOCK);
  mode_t mode = (archive_entry_perm (entry) & 0111) ? 0755 : 0644;
  int fd;

  if (!prepare_path (path, plan->archive_path, error))
    return FALSE;
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return set_write_error (path, plan->archive_path, errno, error);

  for (;;)
    {
      la_ssize_t n = archive_read_data (a, buffer, READ_BLOCK);
      la_ssize_t off = 0;

      if (n == 0)
        break;
      if (n < 0)
        {
          set_format_error (a, plan->archive_path, error);
          close (fd);
          return FALSE;
        }
      *written += n;
      if (*written > write_limit (plan))
        {
          if (*written > plan->max_bytes)
            set_too_large_error (plan, error);
          else
            set_beyond_listing_error (plan, error);
          close (fd);
          return FALSE;
        }
      while (off < n)
        {
          ssize_t w = write (fd, buffer + off, n - off);

          if (w < 0 && errno == EINTR)
            continue;
          if (w <= 0)
            {
              int saved = w < 0 ? errno : ENOSPC;
              close (fd);
              return set_write_error (path, plan->archive_path, saved, error);
            }
          off += w;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return FALSE;
        }
      report (reporter, a, FALSE);
    }

  if (archive_entry_mtime_is_set (entry))
    {
      struct timespec times[2] = {
        { .tv_sec = archive_entry_mtime (entry), .tv_nsec = archive_entry_mtime_nsec (entry) },
        { .tv_sec = archive_entry_mtime (entry), .tv_nsec = archive_entry_mtime_nsec (entry) },
      };
      futimens (fd, times);
    }

  if (close (fd) != 0)
    return set_write_error (path, plan->archive_path, errno, error);
  return TRUE;
}

static gboolean
extract_entries (Reporter      *reporter,
                 const char    *temp_dir,
                 GCancellable  *cancellable,
                 GError       **error)
{
  const DassieUnpackPlan *plan = reporter->plan;
  struct archive *a;
  struct archive_entry *entry;
  g_autoptr(GError) local_error = NULL;
  guint64 written = 0;

  a = open_archive (plan->archive_path, error);
  if (a == NULL)
    return FALSE;

  while (next_header (a, plan->archive_path, &entry, &local_error))
    {
      g_auto(EntryInfo) info = { 0 };
      g_autofree char *path = NULL;
      gboolean ok = TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error) ||
          !examine_entry (plan->archive_path, entry, &info, &local_error))
        break;
      if (info.kind == ENTRY_SKIP)
        continue;

      path = g_build_filename (temp_dir, info.path, NULL);
      switch (info.kind)
        {
        case ENTRY_DIR:
          if (g_mkdir_with_parents (path, 0755) != 0)
            ok = set_write_error (path, plan->archive_path, errno, &local_error);
          break;
        case ENTRY_FILE:
          ok = write_file_entry (reporter, a, entry, path, &written, cancellable, &local_error);
          break;
        case ENTRY_SYMLINK:
          ok = prepare_path (path, plan->archive_path, &local_error);
          if (ok && symlink (info.link_target, path) != 0)
            ok = set_write_error (path, plan->archive_path, errno, &local_error);
          break;
        case ENTRY_HARDLINK:
          {
            g_autofree char *source = g_build_filename (temp_dir, info.link_target, NULL);

            ok = prepare_path (path, plan->archive_path, &local_error);
            if (ok && link (source, path) != 0)
              ok = set_write_error (path, plan->archive_path, errno, &local_error);
          }
          break;
        case ENTRY_SKIP:
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        break;
      if (info.kind != ENTRY_DIR)
        reporter->files_done++;
      report (reporter, a, FALSE);
    }
  archive_read_free (a);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static gboolean
set_exists_error (const DassieUnpackPlan  *plan,
                  GError                 **error)
{
  g_set_error (error, DASSIE_UNPACK_ERROR, DASSIE_UNPACK_ERROR_EXISTS,
               _("The folder “%s” already exists; remove it or choose another destination, then "
                 "unpack “%s” again."),
               plan->target, plan->archive_path);
  return FALSE;
}

char *
dassie_unpack_plan_run (DassieUnpackPlan    *plan,
                        DassieProgressFunc   progress,
                        gpointer             progress_data,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_autofree char *base = NULL;
  g_autofree char *temp_name = NULL;
  g_autofree char *temp_dir = NULL;
  g_autofree char *source = NULL;
  Reporter reporter = { .plan = plan, .func = progress, .data = progress_data };
  GStatBuf st;

  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (g_lstat (plan->target, &st) == 0)
    {
      set_exists_error (plan, error);
      return NULL;
    }
  /* Now rather than in the plan: the space may have gone since, and a folder already unpacked
   * needs none. */
  if (!check_free_space (plan, error))
    return NULL;
  if (g_mkdir_with_parents (plan->dest_dir, 0755) != 0)
    {
      set_write_error (plan->dest_dir, plan->archive_path, errno, error);
      return NULL;
    }

  base = g_path_get_basename (plan->archive_path);
  temp_name = g_strdup_printf (".%s.unpack-XXXXXX", base);
  temp_dir = g_build_filename (plan->dest_dir, temp_name, NULL);
  if (g_mkdtemp_full (temp_dir, 0755) == NULL)
    {
      set_write_error (plan->dest_dir, plan->archive_path, errno, error);
      return NULL;
    }

  dassie_eta_start (&reporter.eta);
  report (&reporter, NULL, FALSE);
  if (!extract_entries (&reporter, temp_dir, cancellable, error))
    {
      dassie_remove_tree (temp_dir, NULL);
      return NULL;
    }

  source = plan->top_level ? g_build_filename (temp_dir, plan->top_level, NULL) : g_strdup (temp_dir);
  /* rename() would replace an empty folder made meanwhile; the check above covers the usual case. */
  if (g_lstat (plan->target, &st) == 0 || g_rename (source, plan->target) != 0)
    {
      int saved = errno;

      if (g_lstat (plan->target, &st) == 0)
        set_exists_error (plan, error);
      else
        set_write_error (plan->target, plan->archive_path, saved, error);
      dassie_remove_tree (temp_dir, NULL);
      return NULL;
    }
  if (plan->top_level != NULL)
    dassie_remove_tree (temp_dir, NULL);

  report (&reporter, NULL, TRUE);
  return g_strdup (plan->target);
}

char *
dassie_unpack_archive (const char          *archive_path,
                       const char          *dest_dir,
                       guint64              max_bytes,
                       DassieProgressFunc   progress,
                       gpointer             progress_data,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_autoptr(DassieUnpackPlan) plan = NULL;

  g_return_val_if_fail (archive_path != NULL, NULL);
  g_return_val_if_fail (dest_dir != NULL, NULL);

  plan = dassie_unpack_plan_new (archive_path, dest_dir, max_bytes, cancellable, error);
  if (plan == NULL)
    return NULL;
  return dassie_unpack_plan_run (plan, progress, progress_data, cancellable, error);
}
