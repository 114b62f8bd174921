/* dassie-sky.h: positions on the sky, from an image header's WCS (wcslib) or a catalogue's columns
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <fitsio.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define DASSIE_SKY_ERROR (dassie_sky_error_quark ())

typedef enum
{
  DASSIE_SKY_ERROR_NO_WCS,        /* the header has no celestial WCS */
  DASSIE_SKY_ERROR_NOT_EQUATORIAL, /* its celestial axes are not RA/Dec (galactic, ecliptic, ...) */
  DASSIE_SKY_ERROR_INVALID,       /* wcslib refused it (names wcslib's reason) */
} DassieSkyError;

/* Where a data set's positions came from, in the order they are looked for. */
typedef enum
{
  DASSIE_SKY_SOURCE_NONE,
  DASSIE_SKY_SOURCE_CATALOGUE,    /* ra/dec columns of manifest.fits or a catalogue CSV */
  DASSIE_SKY_SOURCE_WCS,          /* the WCS of each object's first band, at the cutout centre */
} DassieSkySource;

typedef struct _DassieSkyWcs DassieSkyWcs;

GQuark          dassie_sky_error_quark           (void);

/* The celestial WCS of the current HDU of @fptr, or of a header given as 80-character cards. The
 * primary description (no alternate letter) is used when it is celestial, else the first that is. */
DassieSkyWcs   *dassie_sky_wcs_new_from_fits     (fitsfile      *fptr,
                                                  GError       **error);
DassieSkyWcs   *dassie_sky_wcs_new_from_header   (const char    *cards,
                                                  int            n_cards,
                                                  GError       **error);
void            dassie_sky_wcs_free              (DassieSkyWcs  *self);

/* FITS pixel coordinates (the first pixel's centre is 1, 1) to ICRS degrees, and back. */
gboolean        dassie_sky_wcs_pixel_to_world    (DassieSkyWcs  *self,
                                                  double         x,
                                                  double         y,
                                                  double        *ra,
                                                  double        *dec);
gboolean        dassie_sky_wcs_world_to_pixel    (DassieSkyWcs  *self,
                                                  double         ra,
                                                  double         dec,
                                                  double        *x,
                                                  double        *y);
/* The size of a pixel at (@x, @y), in arcseconds (the square root of its area on the sky). */
double          dassie_sky_wcs_pixel_scale       (DassieSkyWcs  *self,
                                                  double         x,
                                                  double         y);
/* Unit vectors, in pixel coordinates (x right, y up as FITS stores rows), pointing north and east
 * from (@x, @y): what a compass on the cutout draws. */
gboolean        dassie_sky_wcs_north_east        (DassieSkyWcs  *self,
                                                  double         x,
                                                  double         y,
                                                  double         north[2],
                                                  double         east[2]);

/* The position of the centre of a @width × @height image. */
gboolean        dassie_sky_wcs_image_centre      (DassieSkyWcs  *self,
                                                  guint          width,
                                                  guint          height,
                                                  double        *ra,
                                                  double        *dec);

/* Angular distance between two positions, in degrees (haversine; exact at small separations). */
double          dassie_sky_separation            (double         ra1,
                                                  double         dec1,
                                                  double         ra2,
                                                  double         dec2);

/* "02h02m21.61s" and "-06°16′56.5″" forms (exact to 0.01 s and 0.1″), and the plain "02:02:21.61"
 * "-06:16:56.5" forms that SIMBAD, NED and the survey viewers take. */
char           *dassie_sky_format_ra             (double         ra,
                                                  gboolean       colons);
char           *dassie_sky_format_dec            (double         dec,
                                                  gboolean       colons);

/* Reads a right ascension or declination typed by a person: degrees ("30.5904", "-6.28"), or
 * sexagesimal hours / degrees ("02:02:21.7", "2h02m21.7s", "2 02 21.7"; "-06:16:56.5", "-6d16m56.5s").
 * FALSE with a message naming @text when it is neither or out of range. */
gboolean        dassie_sky_parse_ra              (const char    *text,
                                                  double        *ra,
                                                  GError       **error);
gboolean        dassie_sky_parse_dec             (const char    *text,
                                                  double        *dec,
                                                  GError       **error);

/* Whether a catalogue column named @name holds right ascension or declination: Hyrax's "ra"/"dec",
 * "RA"/"DEC", "ra_deg", "RAJ2000", "coord_ra", and band-prefixed HSC names ("ira", "i_ra"). */
gboolean        dassie_sky_is_ra_column          (const char    *name);
gboolean        dassie_sky_is_dec_column         (const char    *name);

const char     *dassie_sky_source_describe       (DassieSkySource source);

/* Where a position can be looked at on the web. */
typedef enum
{
  DASSIE_SKY_VIEWER_LEGACY_SURVEYS,
  DASSIE_SKY_VIEWER_HSC_MAP,
  DASSIE_SKY_VIEWER_SIMBAD,
  DASSIE_SKY_VIEWER_NED,
  DASSIE_SKY_VIEWER_ALADIN_LITE,
  DASSIE_SKY_N_VIEWERS,
} DassieSkyViewer;

/* The viewer's name as a menu shows it ("SIMBAD", "Legacy Surveys viewer"), and the address that
 * opens it at (@ra, @dec): an image viewer zoomed to a cutout's size, a catalogue's cone search of
 * 10″ around the position. */
const char     *dassie_sky_viewer_get_name       (DassieSkyViewer viewer);
char           *dassie_sky_viewer_get_url        (DassieSkyViewer viewer,
                                                  double          ra,
                                                  double          dec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieSkyWcs, dassie_sky_wcs_free)

G_END_DECLS
