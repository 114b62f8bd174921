/* test-sky.c: positions from real HSC headers against astropy, synthetic TAN and SIN headers, refusals
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fitsio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-dataset.h"
#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-sky.h"

/* 0.01″ in degrees: the agreement the issue asks for. */
#define HUNDREDTH_ARCSEC (0.01 / 3600.0)

static char *
shared_path (const char *rel)
{
  const char *shared = g_getenv ("DASSIE_SHARED_DIR");

  return g_build_filename (shared ? shared : "../shared", rel, NULL);
}

/* Header cards, each padded to 80 characters, from "KEY = value" lines. */
static char *
cards (guint        *n_cards,
       const char   *first,
       ...)
{
  GString *s = g_string_new (NULL);
  va_list ap;

  *n_cards = 0;
  va_start (ap, first);
  for (const char *line = first; line != NULL; line = va_arg (ap, const char *))
    {
      g_string_append_printf (s, "%-80.80s", line);
      (*n_cards)++;
    }
  va_end (ap);
  g_string_append_printf (s, "%-80s", "END");
  (*n_cards)++;
  return g_string_free (s, FALSE);
}

/* The position at each real cutout's centre agrees with astropy's pixel_to_world within 0.01″
 * (tests/reference/sky-reference.py wrote the reference). */
static void
test_hsc_headers_match_astropy (void)
{
  const char *reference_dir = g_getenv ("DASSIE_TEST_REFERENCE_DIR");
  g_autofree char *reference = g_build_filename (reference_dir, "hsc-stars-wcs.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_checked = 0;

  g_assert_nonnull (reference_dir);
  g_assert_true (g_file_get_contents (reference, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint l = 1; lines[l] != NULL && lines[l][0] != '\0'; l++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[l], ",", -1);
      g_autofree char *rel = g_build_filename ("fixtures", "hsc_stars", "images", fields[0], NULL);
      g_autofree char *path = shared_path (rel);
      g_autoptr(DassieSkyWcs) wcs = NULL;
      g_autoptr(GError) error = NULL;
      fitsfile *fptr = NULL;
      long naxes[2] = { 0, 0 };
      int hdutype = 0, status = 0;
      double ra, dec, x, y;

      fits_open_diskfile (&fptr, path, READONLY, &status);
      fits_movabs_hdu (fptr, 2, &hdutype, &status);
      fits_get_img_size (fptr, 2, naxes, &status);
      g_assert_cmpint (status, ==, 0);
      wcs = dassie_sky_wcs_new_from_fits (fptr, &error);
      fits_close_file (fptr, &status);
      g_assert_no_error (error);

      g_assert_true (dassie_sky_wcs_image_centre (wcs, naxes[0], naxes[1], &ra, &dec));
      g_assert_cmpfloat_with_epsilon (ra, g_ascii_strtod (fields[1], NULL), HUNDREDTH_ARCSEC);
      g_assert_cmpfloat_with_epsilon (dec, g_ascii_strtod (fields[2], NULL), HUNDREDTH_ARCSEC);

      /* HSC's 0.168″ pixels, north up and east to the left (CD1_1 < 0). */
      g_assert_cmpfloat_with_epsilon (dassie_sky_wcs_pixel_scale (wcs, 13, 13), 0.168, 1e-3);
      g_assert_true (dassie_sky_wcs_world_to_pixel (wcs, ra, dec, &x, &y));
      g_assert_cmpfloat_with_epsilon (x, (naxes[0] + 1) / 2.0, 1e-6);
      g_assert_cmpfloat_with_epsilon (y, (naxes[1] + 1) / 2.0, 1e-6);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, ==, 10);
}

/* A TAN header centred on its object: the centre is CRVAL, the scale is the CD matrix's, and a
 * rotated CD matrix turns the compass by the same angle. */
static void
test_tan_header (void)
{
  guint n = 0;
  g_autofree char *header = cards (&n,
                                   "NAXIS   = 2", "NAXIS1  = 64", "NAXIS2  = 64",
                                   "CTYPE1  = 'RA---TAN'", "CTYPE2  = 'DEC--TAN'",
                                   "CRPIX1  = 32.5", "CRPIX2  = 32.5",
                                   "CRVAL1  = 150.1", "CRVAL2  = 2.2",
                                   "CD1_1   = -4.6666666666667E-05", "CD1_2   = 0.0",
                                   "CD2_1   = 0.0", "CD2_2   = 4.6666666666667E-05",
                                   "RADESYS = 'ICRS'", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieSkyWcs) wcs = dassie_sky_wcs_new_from_header (header, n, &error);
  double ra, dec, north[2], east[2];

  g_assert_no_error (error);
  g_assert_true (dassie_sky_wcs_image_centre (wcs, 64, 64, &ra, &dec));
  g_assert_cmpfloat_with_epsilon (ra, 150.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (dec, 2.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (dassie_sky_wcs_pixel_scale (wcs, 32.5, 32.5), 0.168, 1e-6);

  /* One pixel to the right is 0.168″ east on the sky, so lower RA. */
  g_assert_true (dassie_sky_wcs_pixel_to_world (wcs, 33.5, 32.5, &ra, &dec));
  g_assert_cmpfloat_with_epsilon ((150.1 - ra) * cos (2.2 * G_PI / 180) * 3600, 0.168, 1e-6);

  g_assert_true (dassie_sky_wcs_north_east (wcs, 32.5, 32.5, north, east));
  g_assert_cmpfloat_with_epsilon (north[0], 0, 1e-6);
  g_assert_cmpfloat_with_epsilon (north[1], 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (east[0], -1, 1e-6);
  g_assert_cmpfloat_with_epsilon (east[1], 0, 1e-6);
}

static void
test_rotated_header (void)
{
  /* 30° rotation of the same scale: north turns with it. */
  const double angle = 30 * G_PI / 180, s = 0.168 / 3600;
  g_autofree char *cd11 = g_strdup_printf ("CD1_1   = %.15E", -s * cos (angle));
  g_autofree char *cd12 = g_strdup_printf ("CD1_2   = %.15E", s * sin (angle));
  g_autofree char *cd21 = g_strdup_printf ("CD2_1   = %.15E", s * sin (angle));
  g_autofree char *cd22 = g_strdup_printf ("CD2_2   = %.15E", s * cos (angle));
  guint n = 0;
  g_autofree char *header = cards (&n, "NAXIS   = 2", "CTYPE1  = 'RA---TAN'", "CTYPE2  = 'DEC--TAN'",
                                   "CRPIX1  = 10", "CRPIX2  = 10", "CRVAL1  = 30.5", "CRVAL2  = -6.2",
                                   cd11, cd12, cd21, cd22, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieSkyWcs) wcs = dassie_sky_wcs_new_from_header (header, n, &error);
  double north[2], east[2];

  g_assert_no_error (error);
  g_assert_true (dassie_sky_wcs_north_east (wcs, 10, 10, north, east));
  /* North is where (ra, dec + δ) lands: the second row of the inverse CD matrix. */
  g_assert_cmpfloat_with_epsilon (north[0], sin (angle), 1e-5);
  g_assert_cmpfloat_with_epsilon (north[1], cos (angle), 1e-5);
  g_assert_cmpfloat_with_epsilon (north[0] * east[0] + north[1] * east[1], 0, 1e-5);
  g_assert_cmpfloat_with_epsilon (dassie_sky_wcs_pixel_scale (wcs, 10, 10), 0.168, 1e-6);
}

/* A SIN projection with CDELT/PC keywords: at 1° from the centre the orthographic projection
 * differs from TAN, and the formula gives the exact answer. */
static void
test_sin_header (void)
{
  guint n = 0;
  g_autofree char *header = cards (&n, "NAXIS   = 2", "CTYPE1  = 'RA---SIN'", "CTYPE2  = 'DEC--SIN'",
                                   "CRPIX1  = 0", "CRPIX2  = 0", "CRVAL1  = 0", "CRVAL2  = 0",
                                   "CDELT1  = -0.01", "CDELT2  = 0.01", "RADESYS = 'FK5'",
                                   "EQUINOX = 2000.0", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieSkyWcs) wcs = dassie_sky_wcs_new_from_header (header, n, &error);
  double ra, dec;

  g_assert_no_error (error);
  /* 100 pixels up: the intermediate coordinate is 1° and on SIN the latitude is asin(1° in radians). */
  g_assert_true (dassie_sky_wcs_pixel_to_world (wcs, 0, 100, &ra, &dec));
  g_assert_cmpfloat_with_epsilon (dec, asin (G_PI / 180) * 180 / G_PI, 1e-10);
  g_assert_cmpfloat_with_epsilon (fmod (ra + 360, 360), 0, 1e-10);
}

static void
test_refusals (void)
{
  guint n = 0;
  g_autofree char *none = cards (&n, "NAXIS   = 2", "NAXIS1  = 10", "NAXIS2  = 10", NULL);
  g_autofree char *galactic = NULL;
  g_autofree char *fk4 = NULL;
  guint n_galactic = 0, n_fk4 = 0;
  g_autoptr(GError) error = NULL;
  DassieSkyWcs *wcs;

  wcs = dassie_sky_wcs_new_from_header (none, n, &error);
  g_assert_null (wcs);
  g_assert_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_NO_WCS);
  g_clear_error (&error);

  galactic = cards (&n_galactic, "NAXIS   = 2", "CTYPE1  = 'GLON-TAN'", "CTYPE2  = 'GLAT-TAN'",
                    "CRVAL1  = 10", "CRVAL2  = 20", "CDELT1  = -0.001", "CDELT2  = 0.001", NULL);
  wcs = dassie_sky_wcs_new_from_header (galactic, n_galactic, &error);
  g_assert_null (wcs);
  g_assert_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_NOT_EQUATORIAL);
  g_clear_error (&error);

  fk4 = cards (&n_fk4, "NAXIS   = 2", "CTYPE1  = 'RA---TAN'", "CTYPE2  = 'DEC--TAN'", "CRVAL1  = 10",
               "CRVAL2  = 20", "CDELT1  = -0.001", "CDELT2  = 0.001", "RADESYS = 'FK4'",
               "EQUINOX = 1950.0", NULL);
  wcs = dassie_sky_wcs_new_from_header (fk4, n_fk4, &error);
  g_assert_null (wcs);
  g_assert_error (error, DASSIE_SKY_ERROR, DASSIE_SKY_ERROR_NOT_EQUATORIAL);
  g_assert_nonnull (strstr (error->message, "FK4"));
}

static void
test_separation_and_formats (void)
{
  g_autofree char *ra = dassie_sky_format_ra (30.5904, FALSE);
  g_autofree char *ra_colons = dassie_sky_format_ra (30.5904, TRUE);
  g_autofree char *dec = dassie_sky_format_dec (-6.2823738, FALSE);
  g_autofree char *dec_colons = dassie_sky_format_dec (-6.2823738, TRUE);
  g_autofree char *carry = dassie_sky_format_ra (359.99999999, TRUE);
  g_autofree char *north = dassie_sky_format_dec (0.5, TRUE);

  /* 30.5904° = 2.03936 h = 2h 2m 21.696s; −6.2823738° = −6° 16′ 56.5″. */
  g_assert_cmpstr (ra, ==, "02h02m21.70s");
  g_assert_cmpstr (ra_colons, ==, "02:02:21.70");
  g_assert_cmpstr (dec, ==, "-06°16′56.5″");
  g_assert_cmpstr (dec_colons, ==, "-06:16:56.5");
  g_assert_cmpstr (carry, ==, "00:00:00.00");
  g_assert_cmpstr (north, ==, "+00:30:00.0");

  g_assert_cmpfloat_with_epsilon (dassie_sky_separation (10, 0, 11, 0), 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (dassie_sky_separation (10, 60, 11, 60), 0.49998, 1e-4);
  g_assert_cmpfloat_with_epsilon (dassie_sky_separation (359.9, 0, 0.1, 0), 0.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (dassie_sky_separation (0, 0, 0, 1.0 / 3600), 1.0 / 3600, 1e-15);
}

static void
test_parse_coordinates (void)
{
  const struct { const char *text; double ra; } ras[] = {
    { "30.5904", 30.5904 }, { "02:02:21.696", 30.5904 }, { "2h02m21.696s", 30.5904 }, { " 2 02 21.696 ", 30.5904 },
    { "0", 0 }, { "359.5", 359.5 },
  };
  const struct { const char *text; double dec; } decs[] = {
    { "-6.2823738", -6.2823738 }, { "-06:16:56.54568", -6.2823738 }, { "-6d16m56.54568s", -6.2823738 },
    { "+00:30:00", 0.5 }, { "89.9", 89.9 }, { "-90", -90 },
  };
  const char *bad_ras[] = { "", "abc", "-1", "360", "24:00:00", "12:60:00", "1:2:3:4" };
  const char *bad_decs[] = { "", "91", "-90:30:00", "10:75:00", "north" };

  for (guint i = 0; i < G_N_ELEMENTS (ras); i++)
    {
      g_autoptr(GError) error = NULL;
      double ra = NAN;

      g_assert_true (dassie_sky_parse_ra (ras[i].text, &ra, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (ra, ras[i].ra, 1e-7);
    }
  for (guint i = 0; i < G_N_ELEMENTS (decs); i++)
    {
      g_autoptr(GError) error = NULL;
      double dec = NAN;

      g_assert_true (dassie_sky_parse_dec (decs[i].text, &dec, &error));
      g_assert_cmpfloat_with_epsilon (dec, decs[i].dec, 1e-7);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_ras); i++)
    {
      g_autoptr(GError) error = NULL;
      double ra;

      g_assert_false (dassie_sky_parse_ra (bad_ras[i], &ra, &error));
      g_assert_nonnull (strstr (error->message, "right ascension"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_decs); i++)
    {
      g_autoptr(GError) error = NULL;
      double dec;

      g_assert_false (dassie_sky_parse_dec (bad_decs[i], &dec, &error));
      g_assert_nonnull (strstr (error->message, "declination"));
    }
}

static void
test_column_names (void)
{
  const char *ra_names[] = { "ra", "RA", "ra_deg", "RAJ2000", "coord_ra", "ira", "i_ra", " ra " };
  const char *dec_names[] = { "dec", "DEC", "dec_deg", "DEJ2000", "coord_dec", "idec", "g_dec" };
  const char *neither[] = { "rank", "radius", "object_id", "tract", "xra", "decision", "" };

  for (guint i = 0; i < G_N_ELEMENTS (ra_names); i++)
    g_assert_true (dassie_sky_is_ra_column (ra_names[i]));
  for (guint i = 0; i < G_N_ELEMENTS (dec_names); i++)
    g_assert_true (dassie_sky_is_dec_column (dec_names[i]));
  for (guint i = 0; i < G_N_ELEMENTS (neither); i++)
    {
      g_assert_false (dassie_sky_is_ra_column (neither[i]));
      g_assert_false (dassie_sky_is_dec_column (neither[i]));
    }
}


/* Writes a 16×16 float cutout with a TAN WCS centred on (@ra, @dec) at HSC's 0.168″, or without a
 * WCS when @ra is NaN. */
static void
write_cutout (const char *dir,
              const char *id,
              const char *band,
              double      ra,
              double      dec)
{
  g_autofree char *name = g_strdup_printf ("%s_test_HSC-%s.fits", id, band);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *create = g_strconcat ("!", path, NULL);
  long naxes[2] = { 16, 16 };
  float pixels[256];
  fitsfile *fptr = NULL;
  int status = 0;

  for (guint i = 0; i < 256; i++)
    pixels[i] = (float) (i % 17) + (float) g_str_hash (id) / G_MAXUINT;
  fits_create_file (&fptr, create, &status);
  fits_create_img (fptr, FLOAT_IMG, 2, naxes, &status);
  fits_write_img (fptr, TFLOAT, 1, 256, pixels, &status);
  if (!isnan (ra))
    {
      double crpix = 8.5, cd1 = -0.168 / 3600, cd2 = 0.168 / 3600;

      fits_write_key (fptr, TSTRING, "CTYPE1", "RA---TAN", NULL, &status);
      fits_write_key (fptr, TSTRING, "CTYPE2", "DEC--TAN", NULL, &status);
      fits_write_key (fptr, TDOUBLE, "CRPIX1", &crpix, NULL, &status);
      fits_write_key (fptr, TDOUBLE, "CRPIX2", &crpix, NULL, &status);
      fits_write_key (fptr, TDOUBLE, "CRVAL1", &ra, NULL, &status);
      fits_write_key (fptr, TDOUBLE, "CRVAL2", &dec, NULL, &status);
      fits_write_key (fptr, TDOUBLE, "CD1_1", &cd1, NULL, &status);
      fits_write_key (fptr, TDOUBLE, "CD2_2", &cd2, NULL, &status);
      fits_write_key (fptr, TSTRING, "RADESYS", "ICRS", NULL, &status);
    }
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
}

static DassieDataset *
open_dataset (const char *dir)
{
  DassieDatasetOptions options;
  g_autoptr(GError) error = NULL;
  DassieDataset *ds;

  dassie_dataset_options_init (&options);
  ds = dassie_dataset_open (dir, &options, NULL, &error);
  g_assert_no_error (error);
  return ds;
}

/* The real HSC cutouts take their positions from the catalogue beside them (its ira/idec), exactly,
 * and carry its other columns, numbers as numbers. */
static void
test_dataset_positions_from_catalogue (void)
{
  g_autofree char *images = shared_path ("fixtures/hsc_stars/images");
  g_autofree char *csv_path = shared_path ("fixtures/hsc_stars/star_cat_correct.csv");
  g_autoptr(DassieDataset) ds = open_dataset (images);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  int mag, flags, tract;
  guint n_checked = 0;

  g_assert_cmpint (dassie_dataset_get_sky_source (ds), ==, DASSIE_SKY_SOURCE_CATALOGUE);
  mag = dassie_dataset_find_column (ds, "imag_psf");
  flags = dassie_dataset_find_column (ds, "iflux_psf_flags");
  tract = dassie_dataset_find_column (ds, "tract");
  g_assert_cmpint (mag, >=, 0);
  g_assert_cmpint (flags, >=, 0);
  g_assert_cmpint (tract, >=, 0);
  g_assert_true (dassie_dataset_column_is_numeric (ds, mag));
  g_assert_false (dassie_dataset_column_is_numeric (ds, flags));
  g_assert_cmpint (dassie_dataset_find_column (ds, "# object_id"), ==, -1);

  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  lines = g_strsplit (csv, "\n", -1);
  for (guint l = 1; lines[l] != NULL && lines[l][0] != '\0'; l++)
    {
      g_auto(GStrv) f = g_strsplit (lines[l], ",", -1);
      int index = dassie_dataset_find_object (ds, f[1]);
      double ra, dec;

      if (index < 0)
        continue;
      g_assert_true (dassie_dataset_get_position (ds, index, &ra, &dec));
      g_assert_cmpfloat (ra, ==, g_ascii_strtod (f[3], NULL));
      g_assert_cmpfloat (dec, ==, g_ascii_strtod (f[4], NULL));
      g_assert_cmpfloat (dassie_dataset_get_column_value (ds, index, mag), ==, g_ascii_strtod (f[5], NULL));
      g_assert_cmpstr (dassie_dataset_get_column_text (ds, index, flags), ==, f[9]);
      g_assert_cmpfloat (dassie_dataset_get_column_value (ds, index, flags), !=, dassie_dataset_get_column_value (ds, index, flags));
      g_assert_cmpfloat (dassie_dataset_get_column_value (ds, index, tract), ==, 8279);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, ==, dassie_dataset_get_n_objects (ds));
  g_assert_cmpuint (n_checked, ==, 10);
}

/* Without a catalogue, the first band's WCS at the cutout centre; bands that point more than a pixel
 * apart are reported (and kept); without a WCS there is no position. */
static void
test_dataset_positions_from_wcs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-sky-XXXXXX", &error);
  g_autofree char *bare = g_build_filename (dir, "bare", NULL);
  g_autoptr(DassieDataset) ds = NULL;
  g_autoptr(DassieDataset) none = NULL;
  const double pixel = 0.168 / 3600;
  GPtrArray *warnings;
  double ra, dec;
  int index;

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", 100 + i);
      double ra0 = 150.0 + i * 0.01, dec0 = 2.0 - i * 0.01;

      /* Object 102's R band sits 3 pixels north of its G band; 101's I band 0.5 pixel (fine). */
      write_cutout (dir, id, "G", ra0, dec0);
      write_cutout (dir, id, "R", ra0, dec0 + (i == 2 ? 3 * pixel : 0));
      write_cutout (dir, id, "I", ra0, dec0 + (i == 1 ? 0.5 * pixel : 0));
    }
  ds = open_dataset (dir);
  g_assert_cmpint (dassie_dataset_get_sky_source (ds), ==, DASSIE_SKY_SOURCE_WCS);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", 100 + i);

      index = dassie_dataset_find_object (ds, id);
      g_assert_true (dassie_dataset_get_position (ds, index, &ra, &dec));
      g_assert_cmpfloat_with_epsilon (ra, 150.0 + i * 0.01, 1e-9);
      g_assert_cmpfloat_with_epsilon (dec, 2.0 - i * 0.01, 1e-9);
    }
  warnings = dassie_dataset_get_warnings (ds);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (((DassieSkippedFile *) g_ptr_array_index (warnings, 0))->reason, "object 102"));
  g_assert_nonnull (strstr (((DassieSkippedFile *) g_ptr_array_index (warnings, 0))->reason, "3.0 pixels"));
  g_assert_cmpuint (dassie_dataset_get_n_columns (ds), ==, 0);

  g_assert_cmpint (g_mkdir (bare, 0700), ==, 0);
  write_cutout (bare, "7", "G", NAN, NAN);
  none = open_dataset (bare);
  g_assert_cmpint (dassie_dataset_get_sky_source (none), ==, DASSIE_SKY_SOURCE_NONE);
  g_assert_false (dassie_dataset_get_position (none, 0, &ra, &dec));
  g_assert_true (isnan (ra) && isnan (dec));

  dassie_remove_tree (dir, NULL);
}

/* manifest.fits's ra/dec win over the headers, exactly; its other scalar columns are kept. */
static void
test_dataset_positions_from_manifest (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-sky-XXXXXX", &error);
  g_autofree char *manifest = g_build_filename (dir, "manifest.fits", NULL);
  g_autofree char *create = g_strconcat ("!", manifest, NULL);
  char *names[] = { "object_id", "filter", "filename", "ra", "dec", "tract", "patch" };
  char *forms[] = { "K", "8A", "40A", "D", "D", "J", "5A" };
  g_autoptr(DassieDataset) ds = NULL;
  fitsfile *fptr = NULL;
  int status = 0;
  const char *bands[] = { "G", "R", "I" };
  int patch;

  g_assert_no_error (error);
  fits_create_file (&fptr, create, &status);
  fits_create_tbl (fptr, BINARY_TBL, 0, 7, names, forms, NULL, "MANIFEST", &status);
  for (guint i = 0; i < 2; i++)
    for (guint b = 0; b < 3; b++)
      {
        long long id = 4000 + i;
        g_autofree char *id_text = g_strdup_printf ("%lld", id);
        g_autofree char *file = g_strdup_printf ("%lld_test_HSC-%s.fits", id, bands[b]);
        char *filter = g_strdup_printf ("HSC-%s", bands[b]), *file_p = file, *patch_p = "5,7";
        double ra = 30.5 + i / 3.0, dec = -6.25 - i / 7.0;
        int tract = 9813;
        LONGLONG row = i * 3 + b + 1;

        write_cutout (dir, id_text, bands[b], 10.0, 10.0);
        fits_write_col (fptr, TLONGLONG, 1, row, 1, 1, &id, &status);
        fits_write_col (fptr, TSTRING, 2, row, 1, 1, &filter, &status);
        fits_write_col (fptr, TSTRING, 3, row, 1, 1, &file_p, &status);
        fits_write_col (fptr, TDOUBLE, 4, row, 1, 1, &ra, &status);
        fits_write_col (fptr, TDOUBLE, 5, row, 1, 1, &dec, &status);
        fits_write_col (fptr, TINT, 6, row, 1, 1, &tract, &status);
        fits_write_col (fptr, TSTRING, 7, row, 1, 1, &patch_p, &status);
        g_free (filter);
      }
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);

  ds = open_dataset (dir);
  g_assert_cmpint (dassie_dataset_get_sky_source (ds), ==, DASSIE_SKY_SOURCE_CATALOGUE);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", 4000 + i);
      int index = dassie_dataset_find_object (ds, id);
      double ra, dec;

      g_assert_true (dassie_dataset_get_position (ds, index, &ra, &dec));
      g_assert_cmpfloat (ra, ==, 30.5 + i / 3.0);
      g_assert_cmpfloat (dec, ==, -6.25 - i / 7.0);
      g_assert_cmpfloat (dassie_dataset_get_column_value (ds, index, dassie_dataset_find_column (ds, "tract")), ==, 9813);
      patch = dassie_dataset_find_column (ds, "patch");
      g_assert_cmpint (patch, >=, 0);
      g_assert_cmpstr (dassie_dataset_get_column_text (ds, index, patch), ==, "5,7");
    }
  g_assert_cmpint (dassie_dataset_find_column (ds, "filename"), ==, -1);
  dassie_remove_tree (dir, NULL);
}

/* Every viewer's address holds the position; the catalogue searches and Aladin take one signed pair. */
static void
test_viewer_urls (void)
{
  for (guint v = 0; v < DASSIE_SKY_N_VIEWERS; v++)
    {
      g_autofree char *north = dassie_sky_viewer_get_url (v, 150.1, 2.2);
      g_autofree char *south = dassie_sky_viewer_get_url (v, 30.5913380009, -6.2823738478);

      g_assert_nonnull (dassie_sky_viewer_get_name (v));
      g_assert_true (g_str_has_prefix (north, "https://"));
      g_assert_null (strchr (north, ' '));
      if (v == DASSIE_SKY_VIEWER_HSC_MAP)
        {
          /* Radians: 150.1° = 2.619739207 rad, 2.2° = 0.038397 rad. */
          g_assert_nonnull (strstr (north, "2.619739207"));
          g_assert_nonnull (strstr (north, "0.038397244"));
          continue;
        }
      g_assert_nonnull (strstr (north, "150.100000"));
      g_assert_nonnull (strstr (north, "2.200000"));
      g_assert_nonnull (strstr (south, "30.591338"));
      g_assert_nonnull (strstr (south, "-6.282374"));
      if (v == DASSIE_SKY_VIEWER_SIMBAD || v == DASSIE_SKY_VIEWER_ALADIN_LITE)
        g_assert_nonnull (strstr (north, "150.100000%20%2B2.200000"));
    }
  {
    g_autofree char *legacy = dassie_sky_viewer_get_url (DASSIE_SKY_VIEWER_LEGACY_SURVEYS, 150.1, 2.2);

    g_assert_cmpstr (legacy, ==, "https://www.legacysurvey.org/viewer?ra=150.100000&dec=2.200000&layer=ls-dr10&zoom=16");
  }
}

/* The WCS read for one object of a data set: the real HSC cutout's own. */
static void
test_dataset_read_wcs (void)
{
  g_autofree char *images = shared_path ("fixtures/hsc_stars/images");
  g_autoptr(DassieDataset) ds = open_dataset (images);
  g_autoptr(GError) error = NULL;
  double centre[2];
  g_autoptr(DassieSkyWcs) wcs = dassie_dataset_read_wcs (ds, 0, centre, &error);
  double north[2], east[2];

  g_assert_no_error (error);
  g_assert_cmpfloat (centre[0], ==, 13);
  g_assert_true (dassie_sky_wcs_north_east (wcs, centre[0], centre[1], north, east));
  /* The tangent point is 0.7° away, so the meridians lean by a few hundredths of a degree here. */
  g_assert_cmpfloat_with_epsilon (north[1], 1, 1e-4);
  g_assert_cmpfloat_with_epsilon (east[0], -1, 1e-4);
  g_assert_cmpfloat (fabs (north[0]), >, 1e-5);
}

/* The demo set's positions: manifest ra/dec in the COSMOS field, and each cutout's own WCS centred
 * on the same place at 0.168″, north up. */
static void
test_demo_positions (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dassie-sky-demo-XXXXXX", &error);
  g_autoptr(DassieDataset) ds = NULL;
  DassieDemoOptions options;
  int tract;

  g_assert_no_error (error);
  dassie_demo_options_init (&options);
  options.n_objects = 40;
  g_assert_true (dassie_demo_generate (dir, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  ds = open_dataset (dir);
  g_assert_cmpint (dassie_dataset_get_sky_source (ds), ==, DASSIE_SKY_SOURCE_CATALOGUE);
  tract = dassie_dataset_find_column (ds, "tract");
  g_assert_cmpint (tract, >=, 0);
  g_assert_cmpuint (dassie_dataset_get_warnings (ds)->len, ==, 0);
  for (guint i = 0; i < dassie_dataset_get_n_objects (ds); i++)
    {
      double ra, dec, wra, wdec, centre[2], north[2], east[2];
      g_autoptr(DassieSkyWcs) wcs = dassie_dataset_read_wcs (ds, i, centre, &error);

      g_assert_no_error (error);
      g_assert_true (dassie_dataset_get_position (ds, i, &ra, &dec));
      g_assert_cmpfloat (ra, >, 149.3);
      g_assert_cmpfloat (ra, <, 151.0);
      g_assert_cmpfloat (dec, >, 1.4);
      g_assert_cmpfloat (dec, <, 3.0);
      g_assert_true (dassie_sky_wcs_pixel_to_world (wcs, centre[0], centre[1], &wra, &wdec));
      g_assert_cmpfloat (dassie_sky_separation (ra, dec, wra, wdec) * 3600, <, 1e-6);
      g_assert_cmpfloat_with_epsilon (dassie_sky_wcs_pixel_scale (wcs, centre[0], centre[1]), 0.168, 1e-6);
      g_assert_true (dassie_sky_wcs_north_east (wcs, centre[0], centre[1], north, east));
      g_assert_cmpfloat_with_epsilon (north[1], 1, 1e-6);
      g_assert_cmpfloat (dassie_dataset_get_column_value (ds, i, tract), ==, 9813);
    }
  dassie_remove_tree (dir, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/sky/hsc-headers-match-astropy", test_hsc_headers_match_astropy);
  g_test_add_func ("/core/sky/tan-header", test_tan_header);
  g_test_add_func ("/core/sky/rotated-header", test_rotated_header);
  g_test_add_func ("/core/sky/sin-header", test_sin_header);
  g_test_add_func ("/core/sky/refusals", test_refusals);
  g_test_add_func ("/core/sky/separation-and-formats", test_separation_and_formats);
  g_test_add_func ("/core/sky/column-names", test_column_names);
  g_test_add_func ("/core/sky/parse-coordinates", test_parse_coordinates);
  g_test_add_func ("/core/sky/dataset-positions-from-catalogue", test_dataset_positions_from_catalogue);
  g_test_add_func ("/core/sky/dataset-positions-from-wcs", test_dataset_positions_from_wcs);
  g_test_add_func ("/core/sky/dataset-positions-from-manifest", test_dataset_positions_from_manifest);
  g_test_add_func ("/core/sky/viewer-urls", test_viewer_urls);
  g_test_add_func ("/core/sky/dataset-read-wcs", test_dataset_read_wcs);
  g_test_add_func ("/core/sky/demo-positions", test_demo_positions);
  return g_test_run ();
}
