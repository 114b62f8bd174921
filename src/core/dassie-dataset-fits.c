/* dassie-dataset-fits.c: checking and reading one FITS cutout (compression, damaged headers, truncation, crop)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-dataset-private.h"

/* A cutout larger than this (16384 × 16384, 1 GB as float32) is a damaged header, not an image to read. */
#define MAX_IMAGE_PIXELS (G_GINT64_CONSTANT (1) << 28)
#define MAX_IMAGE_SIDE 16384

/* The whole-file compression of @path from its first bytes ("gzip", ...), or NULL for none; @readable
 * says whether cfitsio decompresses it (it does gzip, bzip2, zip and compress, not xz or zstd).
 * Tile-compressed .fz files are plain FITS and return NULL. */
static const char *
file_compression (const char *path,
                  gboolean   *readable)
{
  static const struct { const char *magic; gsize length; const char *name; gboolean readable; } kinds[] = {
    { "\x1f\x8b", 2, "gzip", TRUE },
    { "BZh", 3, "bzip2", TRUE },
    { "PK\x03\x04", 4, "zip", TRUE },
    { "\x1f\x9d", 2, "compress", TRUE },
    { "\xfd" "7zXZ", 5, "xz", FALSE },
    { "\x28\xb5\x2f\xfd", 4, "zstd", FALSE },
  };
  guchar head[8] = { 0 };
  gssize n = 0;
  FILE *file = g_fopen (path, "rb");

  if (file != NULL)
    {
      n = (gssize) fread (head, 1, sizeof head, file);
      fclose (file);
    }
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    if ((gsize) n >= kinds[k].length && memcmp (head, kinds[k].magic, kinds[k].length) == 0)
      {
        *readable = kinds[k].readable;
        return kinds[k].name;
      }
  *readable = TRUE;
  return NULL;
}

char *
_dassie_dataset_unreadable_compression_reason (const char *compression)
{
  return g_strdup_printf (_("compressed with %s, which cfitsio cannot read; decompress it first, or "
                            "compress it with gzip or fpack instead"), compression);
}

/* Moves to the first HDU with a 2-D image (HSC cutouts have an empty primary HDU) and returns its size.
 * Compressed files (.fits.gz, tile-compressed .fits.fz) are read through cfitsio as they are.
 * On failure returns a reason a person can act on. */
char *
_dassie_dataset_probe_image (const char *path,
                             fitsfile  **fptr_out,
                             guint      *width,
                             guint      *height)
{
  fitsfile *fptr = NULL;
  int status = 0;
  int n_hdus = 0;
  struct stat st;
  const char *compression;
  gboolean readable = TRUE;

  if (g_stat (path, &st) != 0)
    return g_strdup_printf (_("cannot be read: %s"), g_strerror (errno));
  if (st.st_size == 0)
    return g_strdup (_("the file is empty"));
  compression = file_compression (path, &readable);
  if (!readable)
    return _dassie_dataset_unreadable_compression_reason (compression);
  if (compression == NULL && st.st_size < 2880)
    return g_strdup (_("too short to be a FITS file (a FITS file is at least 2880 bytes)"));

  if (fits_open_diskfile (&fptr, path, READONLY, &status) != 0)
    {
      char text[FLEN_STATUS] = "";

      fits_get_errstatus (status, text);
      if (compression != NULL)
        return g_strdup_printf (_("compressed with %s but could not be decompressed (%s); it may be "
                                  "incomplete: download or copy it again"), compression, text);
      if (status == FILE_NOT_OPENED)
        return g_strdup (_("cannot be opened"));
      return g_strdup_printf (_("not a readable FITS file (%s)"), text);
    }

  fits_get_num_hdus (fptr, &n_hdus, &status);
  for (int hdu = 1; status == 0 && hdu <= n_hdus; hdu++)
    {
      int hdutype = 0;
      int naxis = 0;
      long naxes[3] = { 0, 0, 0 };

      fits_movabs_hdu (fptr, hdu, &hdutype, &status);
      if (status != 0 || hdutype != IMAGE_HDU)
        continue;
      fits_get_img_dim (fptr, &naxis, &status);
      if (status != 0 || naxis < 2 || naxis > 3)
        continue;
      fits_get_img_size (fptr, naxis, naxes, &status);
      if (status != 0 || naxes[0] < 1 || naxes[1] < 1 || (naxis == 3 && naxes[2] != 1))
        continue;

      if (naxes[0] > MAX_IMAGE_SIDE || naxes[1] > MAX_IMAGE_SIDE ||
          (gint64) naxes[0] * naxes[1] > MAX_IMAGE_PIXELS)
        {
          int ignored = 0;

          fits_close_file (fptr, &ignored);
          return g_strdup_printf (_("its header claims a %ld×%ld image, larger than any cutout (at most "
                                    "%d×%d pixels are read); the header is damaged or this is not a cutout"),
                                  naxes[0], naxes[1], MAX_IMAGE_SIDE, MAX_IMAGE_SIDE);
        }

      /* cfitsio's size of the file is the decompressed size for .gz, so truncation shows the same way. */
      {
        LONGLONG headstart = 0, datastart = 0, dataend = 0;
        LONGLONG size = fptr->Fptr->logfilesize;

        fits_get_hduaddrll (fptr, &headstart, &datastart, &dataend, &status);
        if (status == 0 && dataend > size)
          {
            fits_close_file (fptr, &status);
            if (compression != NULL)
              return g_strdup_printf (_("truncated: compressed with %s, it holds %lld of the %lld bytes its "
                                        "header describes; download or copy it again"),
                                      compression, (long long) size, (long long) dataend);
            return g_strdup_printf (_("truncated: %lld of %lld bytes present; download or copy it again"),
                                    (long long) size, (long long) dataend);
          }
      }

      *width = naxes[0];
      *height = naxes[1];
      if (fptr_out != NULL)
        *fptr_out = fptr;
      else
        fits_close_file (fptr, &status);
      return NULL;
    }

  {
    int ignored = 0;
    char text[FLEN_STATUS] = "";

    if (status != 0)
      {
        fits_get_errstatus (status, text);
        fits_close_file (fptr, &ignored);
        return g_strdup_printf (_("damaged FITS file (%s)"), text);
      }
    fits_close_file (fptr, &ignored);
  }
  if (compression != NULL)
    return g_strdup_printf (_("compressed with %s and holds no 2-D image once decompressed; if it was cut "
                              "short, download or copy it again"), compression);
  return g_strdup (_("holds no 2-D image"));
}

/* Reads the centre crop (FITS order, row 0 first) of the image in @path into @out. */
char *
_dassie_dataset_read_image (const char *path,
                            guint       crop_width,
                            guint       crop_height,
                            float      *out)
{
  fitsfile *fptr = NULL;
  guint w = 0, h = 0;
  char *reason;
  long fpixel[3], lpixel[3], inc[3] = { 1, 1, 1 };
  float nan = NAN;
  int anynul = 0;
  int status = 0;

  reason = _dassie_dataset_probe_image (path, &fptr, &w, &h);
  if (reason != NULL)
    return reason;

  if (w < crop_width || h < crop_height)
    {
      fits_close_file (fptr, &status);
      return g_strdup_printf (_("%u×%u pixels, smaller than the %u×%u crop"), w, h, crop_width, crop_height);
    }

  /* torchvision's CenterCrop: top = round((H - h) / 2), rounding half to even. */
  fpixel[0] = (long) nearbyint ((w - crop_width) / 2.0) + 1;
  fpixel[1] = (long) nearbyint ((h - crop_height) / 2.0) + 1;
  fpixel[2] = 1;
  lpixel[0] = fpixel[0] + crop_width - 1;
  lpixel[1] = fpixel[1] + crop_height - 1;
  lpixel[2] = 1;

  fits_read_subset (fptr, TFLOAT, fpixel, lpixel, inc, &nan, out, &anynul, &status);
  if (status != 0)
    {
      char text[FLEN_STATUS] = "";
      int ignored = 0;

      fits_get_errstatus (status, text);
      fits_close_file (fptr, &ignored);
      return g_strdup_printf (_("could not read its pixels (%s); the file may be damaged"), text);
    }
  fits_close_file (fptr, &status);
  return NULL;
}
