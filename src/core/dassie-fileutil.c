/* dassie-fileutil.c: writing files so that a crash or a full disk never leaves half a result
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dassie-fileutil.h"

gboolean
dassie_write_file_atomic (const char  *path,
                          const char  *contents,
                          gsize        length,
                          GError     **error)
{
  g_autofree char *tmpl = NULL;
  gsize written = 0;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  tmpl = g_strdup_printf ("%s.tmp-XXXXXX", path);
  fd = g_mkstemp (tmpl);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }

  while (written < length)
    {
      gssize n = write (fd, contents + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;
          close (fd);
          g_unlink (tmpl);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not write “%s”: %s. Free some space or choose another folder."),
                       path, g_strerror (saved));
          return FALSE;
        }
      written += n;
    }

  if (fsync (fd) != 0 || close (fd) != 0)
    {
      int saved = errno;
      g_unlink (tmpl);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }

  return dassie_rename_into_place (tmpl, path, error);
}

char *
dassie_temp_path_for (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_strdup_printf ("%s.tmp-%08x", path, g_random_int ());
}

gboolean
dassie_rename_into_place (const char  *temp_path,
                          const char  *path,
                          GError     **error)
{
  if (g_rename (temp_path, path) != 0)
    {
      int saved = errno;
      g_unlink (temp_path);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not move the finished file into place as “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

gboolean
dassie_remove_tree (const char  *path,
                    GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, FALSE);

  /* lstat, not g_file_test: a link whose target is gone must still be removed. */
  if (g_lstat (path, &st) != 0)
    return TRUE;
  if (!S_ISDIR (st.st_mode))
    {
      if (g_unlink (path) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not remove “%s”: %s"), path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }

  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!dassie_remove_tree (child, error))
        return FALSE;
    }
  if (g_rmdir (path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not remove “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

gboolean
dassie_copy_file (const char  *source,
                  const char  *dest,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (dest != NULL, FALSE);

  if (!g_file_get_contents (source, &contents, &length, error))
    return FALSE;
  return dassie_write_file_atomic (dest, contents, length, error);
}

gboolean
dassie_fits_fail (int          status,
                  const char  *path,
                  const char  *what,
                  GError     **error)
{
  int saved = errno;
  char text[FLEN_STATUS] = "";

  fits_get_errstatus (status, text);
  /* cfitsio reports a failed fwrite or fopen by status alone; errno still holds the system's reason. */
  if (saved != 0 && (status == WRITE_ERROR || status == FILE_NOT_CREATED || status == FILE_NOT_CLOSED))
    {
      if (saved == ENOSPC || saved == EDQUOT)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Could not write “%s”: %s. Free some space or choose another folder."),
                     path, g_strerror (saved));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Could not %s “%s”: %s (%s)"),
                     what, path, g_strerror (saved), text);
      return FALSE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not %s “%s”: %s"), what, path, text);
  return FALSE;
}
