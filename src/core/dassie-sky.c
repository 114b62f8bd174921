/* dassie-sky.c: positions on the sky, from an image header's WCS (wcslib) or a catalogue's columns
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <wcslib/wcs.h>
#include <wcslib/wcsfix.h>
#include <wcslib/wcshdr.h>

#include "dassie-sky.h"

struct _DassieSkyWcs
{
  struct wcsprm *all;     /* every description wcspih found, freed together */
  int            n_all;
  struct wcsprm *wcs;     /* the celestial one used */
};

G_DEFINE_QUARK (dassie-sky-error-quark, dassie_sky_error)

void
dassie_sky_wcs_free (DassieSkyWcs *self)
{
  if (self == NULL)
    return;
  if (self->all != NULL)
    wcsvfree (&self->n_all, &self->all);
  g_free (self);
}

static gboolean
is_equatorial (const struct wcsprm *wcs)
{
  return wcs->lng >= 0 && wcs->lat >= 0 &&
         strncmp (wcs->lngtyp, "RA", 2) == 0 && strncmp (wcs->lattyp, "DEC", 3) == 0;
}

DassieSkyWcs *
dassie_sky_wcs_new_from_header (const char  *cards,
                                int          n_cards,
                                GError     **error)
{
  g_autoptr(DassieSkyWcs) self = g_new0 (DassieSkyWcs, 1);
  g_autofree char *copy = g_strndup (cards, (gsize) n_cards * 80);
  struct wcsprm *fallback = NULL;
  gboolean celestial_seen = FALSE;
  int n_rejected = 0;
  int status;

  g_return_val_if_fail (cards != NULL, NULL);

  status = wcspih (copy, n_cards, WCSHDR_all, 0, &n_rejected, &self->n_all, &self->all);
  if (status != 0)
    {
      g_set_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_INVALID,
                   _("its WCS could not be parsed (%s)"), wcshdr_errmsg[MIN (status, WCSHDRERR_PARSER)]);
      return NULL;
    }

  for (int i = 0; i < self->n_all; i++)
    {
      struct wcsprm *w = &self->all[i];
      int fix_status[NWCSFIX];

      /* wcsfix translates non-standard keywords (RADECSYS, old units, dates); a standard header
       * does not need it, and it costs as much as the parse. */
      if (wcsset (w) != 0 && (wcsfix (7, NULL, w, fix_status), wcsset (w) != 0))
        continue;
      if (w->lng < 0 || w->lat < 0)
        continue;
      celestial_seen = TRUE;
      if (!is_equatorial (w))
        continue;
      if (w->alt[0] == ' ' || w->alt[0] == '\0')
        {
          self->wcs = w;
          break;
        }
      if (fallback == NULL)
        fallback = w;
    }
  if (self->wcs == NULL)
    self->wcs = fallback;

  if (self->wcs == NULL)
    {
      if (celestial_seen)
        g_set_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_NOT_EQUATORIAL,
                     _("its WCS is not in right ascension and declination"));
      else
        g_set_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_NO_WCS,
                     _("its header has no celestial WCS (CTYPE1/2 RA---TAN, DEC--TAN, ...)"));
      return NULL;
    }
  if (strcmp (self->wcs->radesys, "ICRS") != 0 && strcmp (self->wcs->radesys, "FK5") != 0 &&
      self->wcs->radesys[0] != '\0')
    {
      g_set_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_NOT_EQUATORIAL,
                   _("its WCS is in the %s frame; only ICRS and FK5 positions are read"), self->wcs->radesys);
      return NULL;
    }

  return g_steal_pointer (&self);
}

DassieSkyWcs *
dassie_sky_wcs_new_from_fits (fitsfile  *fptr,
                              GError   **error)
{
  char *header = NULL;
  int n_cards = 0;
  int status = 0;
  DassieSkyWcs *wcs;

  g_return_val_if_fail (fptr != NULL, NULL);

  if (fits_hdr2str (fptr, 1, NULL, 0, &header, &n_cards, &status) != 0)
    {
      char text[FLEN_STATUS] = "";

      fits_get_errstatus (status, text);
      g_set_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_INVALID,
                   _("its header could not be read (%s)"), text);
      return NULL;
    }
  wcs = dassie_sky_wcs_new_from_header (header, n_cards, error);
  fits_free_memory (header, &status);
  return wcs;
}

gboolean
dassie_sky_wcs_pixel_to_world (DassieSkyWcs *self,
                               double        x,
                               double        y,
                               double       *ra,
                               double       *dec)
{
  struct wcsprm *w = self->wcs;
  double pixel[8] = { 0 }, image[8], world[8];
  double phi, theta;
  int stat = 0;

  g_return_val_if_fail (w->naxis <= 8, FALSE);

  for (int i = 0; i < w->naxis; i++)
    pixel[i] = 1.0;
  pixel[0] = x;
  pixel[1] = y;
  if (wcsp2s (w, 1, w->naxis, pixel, image, &phi, &theta, world, &stat) != 0 || stat != 0)
    return FALSE;
  *ra = world[w->lng];
  *dec = world[w->lat];
  return isfinite (*ra) && isfinite (*dec);
}

gboolean
dassie_sky_wcs_world_to_pixel (DassieSkyWcs *self,
                               double        ra,
                               double        dec,
                               double       *x,
                               double       *y)
{
  struct wcsprm *w = self->wcs;
  double pixel[8], image[8], world[8] = { 0 };
  double phi, theta;
  int stat = 0;

  g_return_val_if_fail (w->naxis <= 8, FALSE);

  for (int i = 0; i < w->naxis; i++)
    world[i] = w->crval[i];
  world[w->lng] = ra;
  world[w->lat] = dec;
  if (wcss2p (w, 1, w->naxis, world, &phi, &theta, image, pixel, &stat) != 0 || stat != 0)
    return FALSE;
  *x = pixel[0];
  *y = pixel[1];
  return isfinite (*x) && isfinite (*y);
}

/* The tangent-plane offset (east, north) in degrees of (@ra, @dec) from (@ra0, @dec0). */
static void
local_offset (double ra0,
              double dec0,
              double ra,
              double dec,
              double out[2])
{
  double dra = remainder (ra - ra0, 360.0);

  out[0] = dra * cos (dec0 * G_PI / 180.0);
  out[1] = dec - dec0;
}

double
dassie_sky_wcs_pixel_scale (DassieSkyWcs *self,
                            double        x,
                            double        y)
{
  double ra0, dec0, rax, decx, ray, decy;
  double dx[2], dy[2];

  if (!dassie_sky_wcs_pixel_to_world (self, x, y, &ra0, &dec0) ||
      !dassie_sky_wcs_pixel_to_world (self, x + 1, y, &rax, &decx) ||
      !dassie_sky_wcs_pixel_to_world (self, x, y + 1, &ray, &decy))
    return NAN;
  local_offset (ra0, dec0, rax, decx, dx);
  local_offset (ra0, dec0, ray, decy, dy);
  return sqrt (fabs (dx[0] * dy[1] - dx[1] * dy[0])) * 3600.0;
}

gboolean
dassie_sky_wcs_north_east (DassieSkyWcs *self,
                           double        x,
                           double        y,
                           double        north[2],
                           double        east[2])
{
  double ra, dec, step, xn, yn, xe, ye;
  double *dirs[2] = { north, east };
  double ends[2][2];

  if (!dassie_sky_wcs_pixel_to_world (self, x, y, &ra, &dec))
    return FALSE;
  /* A step of about one pixel, small enough for the projection to be locally linear. */
  step = dassie_sky_wcs_pixel_scale (self, x, y) / 3600.0;
  if (!isfinite (step) || step <= 0 || fabs (dec) + step >= 90.0)
    return FALSE;
  if (!dassie_sky_wcs_world_to_pixel (self, ra, dec + step, &xn, &yn) ||
      !dassie_sky_wcs_world_to_pixel (self, ra + step / cos (dec * G_PI / 180.0), dec, &xe, &ye))
    return FALSE;
  ends[0][0] = xn - x;
  ends[0][1] = yn - y;
  ends[1][0] = xe - x;
  ends[1][1] = ye - y;
  for (guint i = 0; i < 2; i++)
    {
      double length = hypot (ends[i][0], ends[i][1]);

      if (!(length > 0))
        return FALSE;
      dirs[i][0] = ends[i][0] / length;
      dirs[i][1] = ends[i][1] / length;
    }
  return TRUE;
}

gboolean
dassie_sky_wcs_image_centre (DassieSkyWcs *self,
                             guint         width,
                             guint         height,
                             double       *ra,
                             double       *dec)
{
  return dassie_sky_wcs_pixel_to_world (self, (width + 1) / 2.0, (height + 1) / 2.0, ra, dec);
}

double
dassie_sky_separation (double ra1,
                       double dec1,
                       double ra2,
                       double dec2)
{
  const double rad = G_PI / 180.0;
  double sd = sin ((dec2 - dec1) * rad / 2);
  double sr = sin ((ra2 - ra1) * rad / 2);
  double h = sd * sd + cos (dec1 * rad) * cos (dec2 * rad) * sr * sr;

  return 2 * asin (sqrt (MIN (1.0, h))) / rad;
}

/* Splits @value (≥ 0) into whole units, minutes and seconds rounded to @decimals, carrying 60s. */
static void
sexagesimal (double  value,
             int     decimals,
             int    *units,
             int    *minutes,
             double *seconds)
{
  double scale = pow (10, decimals);
  double total = round (value * 3600.0 * scale) / scale;

  *units = (int) floor (total / 3600.0);
  total -= *units * 3600.0;
  *minutes = (int) floor (total / 60.0);
  *seconds = total - *minutes * 60.0;
  if (*seconds < 0)
    *seconds = 0;
}

char *
dassie_sky_format_ra (double   ra,
                      gboolean colons)
{
  int h, m;
  double s;

  ra = fmod (ra, 360.0);
  if (ra < 0)
    ra += 360.0;
  sexagesimal (ra / 15.0, 2, &h, &m, &s);
  if (h >= 24)
    h -= 24;
  if (colons)
    return g_strdup_printf ("%02d:%02d:%05.2f", h, m, s);
  return g_strdup_printf ("%02dh%02dm%05.2fs", h, m, s);
}

char *
dassie_sky_format_dec (double   dec,
                       gboolean colons)
{
  int d, m;
  double s;

  sexagesimal (fabs (dec), 1, &d, &m, &s);
  if (colons)
    return g_strdup_printf ("%c%02d:%02d:%04.1f", dec < 0 ? '-' : '+', d, m, s);
  return g_strdup_printf ("%c%02d°%02d′%04.1f″", dec < 0 ? '-' : '+', d, m, s);
}

/* Parses "d m s" with any of the separators people use; *sexagesimal says whether there was more than
 * one part. */
static gboolean
parse_parts (const char *text,
             double     *value,
             gboolean   *negative,
             gboolean   *sexagesimal)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  g_auto(GStrv) parts = NULL;
  const char *start = copy;
  double total = 0, scale = 1;
  guint n = 0;

  *negative = start[0] == '-';
  if (start[0] == '-' || start[0] == '+')
    start++;
  parts = g_strsplit_set (start, " :hdms°′″'\"", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL;
      double v;

      if (parts[i][0] == '\0')
        continue;
      v = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || v < 0 || n >= 3 || (n > 0 && v >= 60))
        return FALSE;
      total += v / scale;
      scale *= 60;
      n++;
    }
  *value = total;
  *sexagesimal = n > 1 || strpbrk (start, ":hdms°′″'\"") != NULL;
  return n > 0;
}

gboolean
dassie_sky_parse_ra (const char  *text,
                     double      *ra,
                     GError     **error)
{
  gboolean negative, sexagesimal;
  double value;

  if (!parse_parts (text, &value, &negative, &sexagesimal) || negative ||
      (sexagesimal ? value >= 24 : value >= 360))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a right ascension: give degrees (0 to 360) or hours as 02:02:21.7"), text);
      return FALSE;
    }
  *ra = sexagesimal ? value * 15 : value;
  return TRUE;
}

gboolean
dassie_sky_parse_dec (const char  *text,
                      double      *dec,
                      GError     **error)
{
  gboolean negative, sexagesimal;
  double value;

  if (!parse_parts (text, &value, &negative, &sexagesimal) || value > 90)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a declination: give degrees (−90 to 90) as -6.28 or -06:16:56.5"), text);
      return FALSE;
    }
  *dec = negative ? -value : value;
  return TRUE;
}

static gboolean
is_coordinate_column (const char         *name,
                      const char * const *names)
{
  g_autofree char *copy = NULL;
  g_autofree char *lower = NULL;
  const char *rest;

  if (name == NULL)
    return FALSE;
  copy = g_strstrip (g_strdup (name));
  lower = g_ascii_strdown (copy, -1);
  rest = lower;
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (rest, names[i]))
          return TRUE;
      /* HSC's band-prefixed columns: "ira", "i_ra", "gdec". */
      if (rest[0] == '\0' || strchr ("grizy", rest[0]) == NULL || rest[1] == '\0')
        break;
      rest = rest[1] == '_' ? rest + 2 : rest + 1;
    }
  return FALSE;
}

gboolean
dassie_sky_is_ra_column (const char *name)
{
  static const char * const names[] = { "ra", "ra_deg", "raj2000", "ra_icrs", "coord_ra", "alpha_j2000", NULL };

  return is_coordinate_column (name, names);
}

gboolean
dassie_sky_is_dec_column (const char *name)
{
  static const char * const names[] = { "dec", "dec_deg", "dej2000", "decj2000", "dec_icrs", "coord_dec",
                                        "delta_j2000", NULL };

  return is_coordinate_column (name, names);
}

const char *
dassie_sky_source_describe (DassieSkySource source)
{
  switch (source)
    {
    case DASSIE_SKY_SOURCE_CATALOGUE:
      return _("the catalogue’s ra and dec columns");
    case DASSIE_SKY_SOURCE_WCS:
      return _("the WCS of each cutout’s header");
    case DASSIE_SKY_SOURCE_NONE:
    default:
      return _("none (no ra/dec columns and no WCS in the headers)");
    }
}

const char *
dassie_sky_viewer_get_name (DassieSkyViewer viewer)
{
  switch (viewer)
    {
    case DASSIE_SKY_VIEWER_LEGACY_SURVEYS:
      return _("Legacy Surveys Viewer");
    case DASSIE_SKY_VIEWER_HSC_MAP:
      return _("HSC-SSP hscMap");
    case DASSIE_SKY_VIEWER_SIMBAD:
      return _("SIMBAD");
    case DASSIE_SKY_VIEWER_NED:
      return _("NED");
    case DASSIE_SKY_VIEWER_ALADIN_LITE:
      return _("Aladin Lite");
    case DASSIE_SKY_N_VIEWERS:
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
dassie_sky_viewer_get_url (DassieSkyViewer viewer,
                           double          ra,
                           double          dec)
{
  char r[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];
  char sd[G_ASCII_DTOSTR_BUF_SIZE + 1];

  /* Six decimals of a degree are 3.6 mas: finer than any survey's astrometry. */
  g_ascii_formatd (r, sizeof r, "%.6f", ra);
  g_ascii_formatd (d, sizeof d, "%.6f", dec);
  /* The signed form "+2.200000" that coordinate parsers read as one position. */
  g_snprintf (sd, sizeof sd, "%s%s", dec < 0 ? "" : "%2B", d);

  switch (viewer)
    {
    case DASSIE_SKY_VIEWER_LEGACY_SURVEYS:
      return g_strdup_printf ("https://www.legacysurvey.org/viewer?ra=%s&dec=%s&layer=ls-dr10&zoom=16", r, d);
    case DASSIE_SKY_VIEWER_HSC_MAP:
      {
        /* hscMap keeps its view in the fragment, as JSON with the position in radians. */
        char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];

        g_ascii_formatd (a, sizeof a, "%.9f", ra * G_PI / 180.0);
        g_ascii_formatd (b, sizeof b, "%.9f", dec * G_PI / 180.0);
        return g_strdup_printf ("https://hsc-release.mtk.nao.ac.jp/hscMap-pdr3/app/#/?_=%%7B%%22view%%22%%3A%%7B"
                                "%%22a%%22%%3A%s%%2C%%22d%%22%%3A%s%%2C%%22fovy%%22%%3A0.0002%%2C%%22roll%%22%%3A0"
                                "%%7D%%7D", a, b);
      }
    case DASSIE_SKY_VIEWER_SIMBAD:
      return g_strdup_printf ("https://simbad.cds.unistra.fr/simbad/sim-coo?Coord=%s%%20%s&CooFrame=ICRS"
                              "&Radius=10&Radius.unit=arcsec", r, sd);
    case DASSIE_SKY_VIEWER_NED:
      return g_strdup_printf ("https://ned.ipac.caltech.edu/conesearch?search_type=Near%%20Position%%20Search"
                              "&in_csys=Equatorial&in_equinox=J2000&ra=%s&dec=%s&radius=0.17", r, d);
    case DASSIE_SKY_VIEWER_ALADIN_LITE:
      return g_strdup_printf ("https://aladin.cds.unistra.fr/AladinLite/?target=%s%%20%s&fov=0.01"
                              "&survey=CDS%%2FP%%2FDSS2%%2Fcolor", r, sd);
    case DASSIE_SKY_N_VIEWERS:
    default:
      g_return_val_if_reached (NULL);
    }
}
