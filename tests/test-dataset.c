/* test-dataset.c: the data set reader on real HSC cutouts, generated sets and every kind of bad input
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#include "dassie-dataset.h"
#include "dassie-fileutil.h"

static char *
shared_path (const char *rel)
{
  const char *shared = g_getenv ("DASSIE_SHARED_DIR");

  return g_build_filename (shared ? shared : "../shared", rel, NULL);
}

/* Writes a float image; with @empty_primary the image goes in HDU 2 as the HSC cutout service does. */
static void
write_image (const char  *path,
             guint        width,
             guint        height,
             const float *pixels,
             gboolean     empty_primary)
{
  g_autofree char *create = g_strconcat ("!", path, NULL);
  fitsfile *fptr = NULL;
  long naxes[2] = { width, height };
  int status = 0;

  fits_create_file (&fptr, create, &status);
  if (empty_primary)
    fits_create_img (fptr, FLOAT_IMG, 0, NULL, &status);
  fits_create_img (fptr, FLOAT_IMG, 2, naxes, &status);
  fits_write_img (fptr, TFLOAT, 1, (LONGLONG) width * height, (float *) pixels, &status);
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
}

/* Pixel value = x + 1000 y + 10^6 band, so a crop's position can be read off its values. */
static void
write_hsc_object (const char *dir,
                  const char *id,
                  const char *band,
                  guint       band_code,
                  guint       width,
                  guint       height)
{
  g_autofree char *name = g_strdup_printf ("%s_test_HSC-%s.fits", id, band);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree float *pix = g_new (float, (gsize) width * height);

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      pix[y * width + x] = x + 1000.0f * y + 1e6f * band_code;
  write_image (path, width, height, pix, TRUE);
}

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dassie-dataset-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static const char *
find_reason (DassieDataset *ds,
             const char    *file_part)
{
  GPtrArray *skipped = dassie_dataset_get_skipped (ds);

  for (guint i = 0; i < skipped->len; i++)
    {
      DassieSkippedFile *s = g_ptr_array_index (skipped, i);
      if (strstr (s->path, file_part) != NULL)
        return s->reason;
    }
  return NULL;
}

static void
test_hsc_stars_fixture (void)
{
  g_autofree char *dir = shared_path ("fixtures/hsc_stars/images");
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = dassie_dataset_open (dir, NULL, NULL, &error);
  int index;
  float pix[24 * 24];
  guint idx;

  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 10);
  g_assert_cmpuint (dassie_dataset_get_n_bands (ds), ==, 1);
  /* Some cutouts are 24 pixels on a side, most 25: the common square is 24. */
  g_assert_cmpuint (dassie_dataset_get_width (ds), ==, 24);
  g_assert_cmpuint (dassie_dataset_get_height (ds), ==, 24);

  /* Ids come from the catalogue beside the images, exact to 17 digits. */
  g_assert_true (dassie_dataset_ids_are_integers (ds));
  index = dassie_dataset_find_object (ds, "36411452835238206");
  g_assert_cmpint (index, >=, 0);
  g_assert_true (g_str_has_suffix (dassie_dataset_get_file (ds, index, 0), "/2-cutout-HSC-I-8279-pdr2_wide.fits"));

  /* A star: the centre is bright, the corners are sky. */
  idx = (guint) index;
  g_assert_true (dassie_dataset_read_objects (ds, &idx, 1, FALSE, pix, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (pix[12 * 24 + 12], >, 10 * fabsf (pix[0]));
}

static void
test_hsc_names_bands_and_crop (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = NULL;
  const char *ids[] = { "36411452835238206", "9007199254740993", "43158176442374224" };
  g_autofree float *pix = NULL;
  guint all[3] = { 0, 1, 2 };
  int i_obj;

  for (guint i = 0; i < 3; i++)
    {
      /* One object is larger: the common square is 20 and the larger one is centre-cropped. */
      guint size = i == 2 ? 25 : 20;
      write_hsc_object (dir, ids[i], "G", 0, size, size);
      write_hsc_object (dir, ids[i], "R", 1, size, size);
      write_hsc_object (dir, ids[i], "I", 2, size, size);
    }

  ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 3);
  g_assert_cmpuint (dassie_dataset_get_n_bands (ds), ==, 3);
  /* Alphabetical, as Hyrax orders them. */
  g_assert_cmpstr (dassie_dataset_get_band (ds, 0), ==, "G");
  g_assert_cmpstr (dassie_dataset_get_band (ds, 1), ==, "I");
  g_assert_cmpstr (dassie_dataset_get_band (ds, 2), ==, "R");
  g_assert_cmpuint (dassie_dataset_get_width (ds), ==, 20);
  g_assert_cmpint (dassie_dataset_find_band (ds, "HSC-R"), ==, 2);

  /* Numeric ids sort numerically. */
  g_assert_cmpstr (dassie_dataset_get_object_id (ds, 0), ==, "9007199254740993");
  i_obj = dassie_dataset_find_object (ds, "43158176442374224");
  g_assert_cmpint (i_obj, ==, 2);

  pix = g_new (float, 3 * 3 * 20 * 20);
  g_assert_true (dassie_dataset_read_objects (ds, all, 3, FALSE, pix, NULL, &error));
  g_assert_no_error (error);
  {
    const float *obj2 = pix + 2 * 3 * 400;
    /* 25 → 20: top/left = round(2.5) = 2 (half to even, like torchvision's CenterCrop). */
    g_assert_cmpfloat (obj2[0], ==, 2 + 1000.0f * 2);
    /* Channel 1 is band I, written with band code 2. */
    g_assert_cmpfloat (obj2[400], ==, 2e6f + 2 + 1000.0f * 2);
    g_assert_cmpfloat (obj2[399], ==, 21 + 1000.0f * 21);
  }

  dassie_remove_tree (dir, NULL);
}

static void
test_crop_to_and_filters (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = NULL;
  g_autoptr(DassieDataset) ds2 = NULL;
  DassieDatasetOptions options;
  g_autoptr(DassieConfig) config = dassie_config_new ();
  float pix[2 * 9 * 9];
  guint zero = 0;

  write_hsc_object (dir, "1", "G", 0, 16, 16);
  write_hsc_object (dir, "1", "R", 1, 16, 16);
  write_hsc_object (dir, "2", "G", 0, 8, 8);
  write_hsc_object (dir, "2", "R", 1, 8, 8);

  g_assert_true (dassie_config_set_assignment (config, "data_set.crop_to=[9, 9]", &error));
  g_assert_true (dassie_config_set_assignment (config, "data_set.filters=[\"HSC-R\"]", &error));
  g_assert_true (dassie_dataset_options_from_config (&options, config, &error));
  g_assert_no_error (error);
  ds = dassie_dataset_open (dir, &options, NULL, &error);
  dassie_dataset_options_clear (&options);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 1);
  g_assert_cmpuint (dassie_dataset_get_n_bands (ds), ==, 1);
  g_assert_cmpstr (dassie_dataset_get_band (ds, 0), ==, "R");
  g_assert_nonnull (strstr (find_reason (ds, "2_test_HSC"), "smaller than data_set.crop_to"));
  g_assert_true (dassie_dataset_read_objects (ds, &zero, 1, FALSE, pix, NULL, &error));
  /* 16 → 9: offset round(3.5) = 4. */
  g_assert_cmpfloat (pix[0], ==, 1e6f + 4 + 4000);

  /* Without crop_to the common square is 8. */
  ds2 = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_width (ds2), ==, 8);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds2), ==, 2);

  dassie_remove_tree (dir, NULL);
}

/* numpy.nanquantile(x, 0.05) computed the slow, obvious way. */
static float
reference_quantile (const float *v,
                    guint        n)
{
  g_autoptr(GArray) finite = g_array_new (FALSE, FALSE, sizeof (double));
  double pos;
  guint lo;

  for (guint i = 0; i < n; i++)
    if (!isnan (v[i]))
      {
        double d = v[i];
        g_array_append_val (finite, d);
      }
  for (guint i = 0; i < finite->len; i++)
    for (guint j = i + 1; j < finite->len; j++)
      if (g_array_index (finite, double, j) < g_array_index (finite, double, i))
        {
          double t = g_array_index (finite, double, i);
          g_array_index (finite, double, i) = g_array_index (finite, double, j);
          g_array_index (finite, double, j) = t;
        }
  pos = 0.05 * (finite->len - 1);
  lo = (guint) floor (pos);
  return (float) (g_array_index (finite, double, lo) +
                  (pos - lo) * (g_array_index (finite, double, MIN (lo + 1, finite->len - 1)) -
                                g_array_index (finite, double, lo)));
}

static void
test_nan_modes_and_transforms (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "5_x_HSC-G.fits", NULL);
  g_autoptr(GError) error = NULL;
  float pix[12 * 12];
  float out[12 * 12];
  float q;
  guint zero = 0;
  const struct { DassieNanMode mode; DassieTransform transform; } cases[] = {
    { DASSIE_NAN_KEEP, DASSIE_TRANSFORM_NONE },
    { DASSIE_NAN_ZERO, DASSIE_TRANSFORM_NONE },
    { DASSIE_NAN_QUANTILE, DASSIE_TRANSFORM_NONE },
    { DASSIE_NAN_QUANTILE, DASSIE_TRANSFORM_TANH },
    { DASSIE_NAN_ZERO, DASSIE_TRANSFORM_ARCSINH },
  };
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < G_N_ELEMENTS (pix); i++)
    pix[i] = (float) g_rand_double_range (rand, -0.3, 4.0);
  for (guint i = 30; i < 50; i++)
    pix[i] = NAN;
  g_rand_free (rand);
  write_image (path, 12, 12, pix, FALSE);
  q = reference_quantile (pix, G_N_ELEMENTS (pix));

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      DassieDatasetOptions options;
      g_autoptr(DassieDataset) ds = NULL;

      dassie_dataset_options_init (&options);
      options.nan_mode = cases[c].mode;
      options.transform = cases[c].transform;
      ds = dassie_dataset_open (dir, &options, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (dassie_dataset_read_objects (ds, &zero, 1, TRUE, out, NULL, &error));

      for (guint i = 0; i < G_N_ELEMENTS (pix); i++)
        {
          double v = pix[i];

          if (isnan (v))
            {
              if (cases[c].mode == DASSIE_NAN_KEEP)
                {
                  g_assert_true (isnan (out[i]));
                  continue;
                }
              v = cases[c].mode == DASSIE_NAN_ZERO ? 0.0 : q;
            }
          if (cases[c].transform == DASSIE_TRANSFORM_TANH)
            v = tanh (v);
          else if (cases[c].transform == DASSIE_TRANSFORM_ARCSINH)
            v = asinh (v);
          g_assert_cmpfloat_with_epsilon (out[i], v, 1e-5);
        }

      /* The raw read keeps NaN for display, whatever the mode. */
      g_assert_true (dassie_dataset_read_objects (ds, &zero, 1, FALSE, out, NULL, &error));
      g_assert_true (isnan (out[35]));
      g_assert_cmpfloat (out[0], ==, pix[0]);
    }

  dassie_remove_tree (dir, NULL);
}

static void
test_bad_inputs (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = NULL;
  g_autofree float *nan_pix = g_new (float, 16 * 16);
  g_autofree char *truncated = g_build_filename (dir, "300_test_HSC-G.fits", NULL);
  g_autofree char *text = g_build_filename (dir, "400_test_HSC-G.fits", NULL);
  g_autofree char *empty = g_build_filename (dir, "500_test_HSC-G.fits", NULL);
  g_autofree char *all_nan = g_build_filename (dir, "700_test_HSC-R.fits", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  /* Good objects 100 and 200 (different sizes). */
  write_hsc_object (dir, "100", "G", 0, 16, 16);
  write_hsc_object (dir, "100", "R", 1, 16, 16);
  write_hsc_object (dir, "200", "G", 0, 18, 18);
  write_hsc_object (dir, "200", "R", 1, 18, 18);
  /* 300: G truncated halfway through its pixels. */
  write_hsc_object (dir, "300", "G", 0, 40, 40);
  write_hsc_object (dir, "300", "R", 1, 16, 16);
  g_assert_true (g_file_get_contents (truncated, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, length - 4000, NULL));
  /* 400: a text file named .fits. */
  {
    g_autoptr(GString) csv = g_string_new ("object_id,ra,dec\n");
    while (csv->len < 4000)
      g_string_append (csv, "36411452835238206,30.59133800094649,-6.2823738478524005\n");
    g_assert_true (g_file_set_contents (text, csv->str, csv->len, NULL));
  }
  write_hsc_object (dir, "400", "R", 1, 16, 16);
  /* 500: an empty file. */
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  write_hsc_object (dir, "500", "R", 1, 16, 16);
  /* 600: band R missing. */
  write_hsc_object (dir, "600", "G", 0, 16, 16);
  /* 700: R is all NaN. */
  write_hsc_object (dir, "700", "G", 0, 16, 16);
  for (guint i = 0; i < 256; i++)
    nan_pix[i] = NAN;
  write_image (all_nan, 16, 16, nan_pix, TRUE);
  /* A FITS file that does not follow the HSC names in an HSC folder. */
  {
    g_autofree char *odd = g_build_filename (dir, "stray.fits", NULL);
    write_image (odd, 16, 16, nan_pix, FALSE);
  }

  ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 2);
  g_assert_cmpstr (dassie_dataset_get_object_id (ds, 0), ==, "100");
  g_assert_cmpstr (dassie_dataset_get_object_id (ds, 1), ==, "200");
  g_assert_cmpuint (dassie_dataset_get_width (ds), ==, 16);

  g_assert_nonnull (strstr (find_reason (ds, "300_test_HSC-G"), "truncated"));
  g_assert_nonnull (strstr (find_reason (ds, "400_test_HSC-G"), "not a readable FITS file"));
  g_assert_nonnull (strstr (find_reason (ds, "500_test_HSC-G"), "empty"));
  g_assert_nonnull (strstr (find_reason (ds, "600_test_HSC-G"), "no image in band R"));
  g_assert_nonnull (strstr (find_reason (ds, "700_test_HSC-R"), "NaN"));
  g_assert_nonnull (strstr (find_reason (ds, "stray.fits"), "does not follow"));

  dassie_remove_tree (dir, NULL);
}

static void
test_unusable_folders (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", NULL);
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.fits", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (dassie_dataset_open (missing, NULL, NULL, &error));
  g_assert_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_assert_null (dassie_dataset_open (file, NULL, NULL, &error));
  g_assert_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_UNREADABLE);
  g_clear_error (&error);

  /* Empty of FITS files. */
  g_assert_null (dassie_dataset_open (dir, NULL, NULL, &error));
  g_assert_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_NO_OBJECTS);
  g_clear_error (&error);

  /* Only bad files: an error that says so, not a crash. */
  g_assert_true (g_file_set_contents (junk, "nothing here", -1, NULL));
  g_assert_null (dassie_dataset_open (dir, NULL, NULL, &error));
  g_assert_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_NO_OBJECTS);

  dassie_remove_tree (dir, NULL);
}

/* One 1×1 cutout among 64×64 ones is skipped, naming its size; it does not shrink the others. */
static void
test_odd_size_skipped (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = NULL;
  g_autofree float *pix = g_new (float, 2 * 64 * 64);
  const char *reason;
  guint zero = 0;

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);
      write_hsc_object (dir, id, "G", 0, 64, 64);
      write_hsc_object (dir, id, "R", 1, 64, 64);
    }
  /* Object 4's R band alone is 1×1: the reason names that file. */
  write_hsc_object (dir, "4", "G", 0, 64, 64);
  write_hsc_object (dir, "4", "R", 1, 1, 1);

  ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_width (ds), ==, 64);
  g_assert_cmpuint (dassie_dataset_get_height (ds), ==, 64);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 3);
  g_assert_cmpint (dassie_dataset_find_object (ds, "4"), ==, -1);
  reason = find_reason (ds, "4_test_HSC-R");
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "1×1 pixels, smaller than the 64×64 crop"));
  g_assert_null (find_reason (ds, "4_test_HSC-G"));

  /* The kept objects are read whole: the last pixel is (63, 63). */
  g_assert_true (dassie_dataset_read_objects (ds, &zero, 1, FALSE, pix, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (pix[64 * 64 - 1], ==, 63 + 1000.0f * 63);

  dassie_remove_tree (dir, NULL);
}

/* A hand-written header (cfitsio would write the claimed data) for a BITPIX -32 image. */
static void
write_header_only (const char *path,
                   long        width,
                   long        height)
{
  g_autoptr(GString) header = g_string_new (NULL);
  const char *cards[] = { "SIMPLE  =                    T", "BITPIX  =                  -32",
                          "NAXIS   =                    2", NULL, NULL, "END" };
  g_autofree char *naxis1 = g_strdup_printf ("NAXIS1  = %20ld", width);
  g_autofree char *naxis2 = g_strdup_printf ("NAXIS2  = %20ld", height);

  cards[3] = naxis1;
  cards[4] = naxis2;
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    g_string_append_printf (header, "%-80s", cards[i]);
  while (header->len < 2880)
    g_string_append_c (header, ' ');
  g_assert_true (g_file_set_contents (path, header->str, header->len, NULL));
}

static void
test_huge_header (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *huge = g_build_filename (dir, "1_test_HSC-G.fits", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = NULL;
  const char *reason;
  int fd;

  /* The header alone, as its only object: an error naming the file and the size it claims. */
  write_header_only (huge, 1000000, 1000000);
  g_assert_null (dassie_dataset_open (dir, NULL, NULL, &error));
  g_assert_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_NO_OBJECTS);
  g_assert_nonnull (strstr (error->message, huge));
  g_assert_nonnull (strstr (error->message, "1000000×1000000"));
  g_clear_error (&error);

  /* Its data present (a sparse 4 TB file) must not be allocated for either. */
  fd = g_open (huge, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  if (ftruncate (fd, 2880 + G_GINT64_CONSTANT (4000000000000)) == 0)
    {
      g_assert_null (dassie_dataset_open (dir, NULL, NULL, &error));
      g_assert_error (error, DASSIE_DATASET_ERROR, DASSIE_DATASET_ERROR_NO_OBJECTS);
      g_assert_nonnull (strstr (error->message, "1000000×1000000"));
      g_clear_error (&error);
    }
  else
    g_test_message ("no sparse 4 TB file here (%s); checked the header alone", g_strerror (errno));
  close (fd);

  /* Beside a good object it is skipped with the same reason. */
  write_hsc_object (dir, "2", "G", 0, 16, 16);
  ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 1);
  reason = find_reason (ds, "1_test_HSC-G");
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "1000000×1000000"));

  dassie_remove_tree (dir, NULL);
}

/* Tile compression (fpack's .fits.fz), lossless so that pixels can be compared exactly. */
static void
write_fz_object (const char *dir,
                 const char *id,
                 const char *band,
                 guint       band_code,
                 guint       size)
{
  g_autofree char *name = g_strdup_printf ("!%s/%s_test_HSC-%s.fits.fz", dir, id, band);
  g_autofree float *pix = g_new (float, (gsize) size * size);
  long naxes[2] = { size, size };
  fitsfile *fptr = NULL;
  int status = 0;

  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      pix[y * size + x] = x + 1000.0f * y + 1e6f * band_code;
  fits_create_file (&fptr, name, &status);
  fits_set_compression_type (fptr, GZIP_1, &status);
  fits_set_quantize_level (fptr, 0.0f, &status);
  fits_create_img (fptr, FLOAT_IMG, 2, naxes, &status);
  fits_write_img (fptr, TFLOAT, 1, (LONGLONG) size * size, pix, &status);
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);
}

static void
test_compressed (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = NULL;
  g_autofree char *xz = g_build_filename (dir, "4_test_HSC-G.fits.xz", NULL);
  g_autofree char *broken = g_build_filename (dir, "5_test_HSC-G.fits.gz", NULL);
  g_autofree char *contents = NULL;
  float pix[3 * 2 * 16 * 16];
  guint all[3];
  gsize length = 0;

  /* 1: gzip (cfitsio compresses a name ending in .gz); 2: fpack; 3: plain. */
  for (guint b = 0; b < 2; b++)
    {
      const char *band = b == 0 ? "G" : "R";
      g_autofree char *gz = g_strdup_printf ("%s/1_test_HSC-%s.fits.gz", dir, band);
      g_autofree float *img = g_new (float, 16 * 16);

      for (guint y = 0; y < 16; y++)
        for (guint x = 0; x < 16; x++)
          img[y * 16 + x] = x + 1000.0f * y + 1e6f * b;
      write_image (gz, 16, 16, img, TRUE);
      write_fz_object (dir, "2", band, b, 16);
      write_hsc_object (dir, "3", band, b, 16, 16);
    }
  {
    g_autofree char *gz = g_build_filename (dir, "1_test_HSC-G.fits.gz", NULL);

    /* Really gzip, and much shorter than the image it holds. */
    g_assert_true (g_file_get_contents (gz, &contents, &length, NULL));
    g_assert_cmpmem (contents, 2, "\x1f\x8b", 2);
    g_assert_cmpuint (length, <, 2880);
    /* 5: the same, cut short. */
    g_assert_true (g_file_set_contents (broken, contents, length / 2, NULL));
    write_hsc_object (dir, "5", "R", 1, 16, 16);
  }
  /* 6: gzip cut short inside its pixels (noise, so that the pixels are most of the file). */
  {
    g_autofree char *gz = g_build_filename (dir, "6_test_HSC-G.fits.gz", NULL);
    g_autofree float *noise = g_new (float, 64 * 64);
    g_autofree char *whole = NULL;
    GRand *rand = g_rand_new_with_seed (3);

    for (guint i = 0; i < 64 * 64; i++)
      noise[i] = (float) g_rand_double (rand);
    g_rand_free (rand);
    write_image (gz, 64, 64, noise, TRUE);
    g_assert_true (g_file_get_contents (gz, &whole, &length, NULL));
    g_assert_true (g_file_set_contents (gz, whole, length * 3 / 4, NULL));
    write_hsc_object (dir, "6", "R", 1, 16, 16);
  }
  /* 4: xz, which cfitsio does not read. */
  g_assert_true (g_file_set_contents (xz, "\xfd" "7zXZ\0\0\0\0\0\0\0\0", 14, NULL));
  write_hsc_object (dir, "4", "R", 1, 16, 16);

  ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 3);
  g_assert_cmpuint (dassie_dataset_get_n_bands (ds), ==, 2);
  g_assert_true (g_str_has_suffix (dassie_dataset_get_file (ds, dassie_dataset_find_object (ds, "1"), 0), ".fits.gz"));
  g_assert_true (g_str_has_suffix (dassie_dataset_get_file (ds, dassie_dataset_find_object (ds, "2"), 1), ".fits.fz"));

  for (guint i = 0; i < 3; i++)
    all[i] = (guint) dassie_dataset_find_object (ds, (const char *[]) { "1", "2", "3" }[i]);
  g_assert_true (dassie_dataset_read_objects (ds, all, 3, FALSE, pix, NULL, &error));
  g_assert_no_error (error);
  for (guint o = 0; o < 3; o++)
    for (guint b = 0; b < 2; b++)
      for (guint y = 0; y < 16; y++)
        for (guint x = 0; x < 16; x++)
          g_assert_cmpfloat (pix[((o * 2 + b) * 16 + y) * 16 + x], ==, x + 1000.0f * y + 1e6f * b);

  g_assert_nonnull (strstr (find_reason (ds, "4_test_HSC-G.fits.xz"), "xz"));
  /* A damaged compressed file is not called a good one, nor a good one truncated. */
  g_assert_nonnull (strstr (find_reason (ds, "5_test_HSC-G.fits.gz"), "gzip"));
  g_assert_nonnull (strstr (find_reason (ds, "5_test_HSC-G.fits.gz"), "download or copy it again"));
  g_assert_nonnull (strstr (find_reason (ds, "6_test_HSC-G.fits.gz"), "gzip"));
  g_assert_nonnull (strstr (find_reason (ds, "6_test_HSC-G.fits.gz"), "download or copy it again"));
  g_assert_null (find_reason (ds, "1_test_HSC"));
  g_assert_null (find_reason (ds, "2_test_HSC"));

  dassie_remove_tree (dir, NULL);
}

static void
test_manifest (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *sub = g_build_filename (dir, "cutouts", NULL);
  g_autofree char *manifest = g_build_filename (dir, "manifest.fits", NULL);
  g_autofree char *create = g_strconcat ("!", manifest, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieDataset) ds = NULL;
  char *ttype[] = { (char *) "object_id", (char *) "filter", (char *) "filename" };
  char *tform[] = { (char *) "1K", (char *) "5A", (char *) "40A" };
  gint64 ids[] = { G_GINT64_CONSTANT (36411452835238206), G_GINT64_CONSTANT (36411452835238206) };
  char *filters[] = { (char *) "HSC-G", (char *) "HSC-R" };
  char *files[] = { (char *) "cutouts/a.fits", (char *) "cutouts/b.fits" };
  fitsfile *fptr = NULL;
  int status = 0;
  float pix[64];

  g_mkdir (sub, 0755);
  for (guint i = 0; i < 64; i++)
    pix[i] = i;
  {
    g_autofree char *a = g_build_filename (sub, "a.fits", NULL);
    g_autofree char *b = g_build_filename (sub, "b.fits", NULL);
    write_image (a, 8, 8, pix, FALSE);
    write_image (b, 8, 8, pix, FALSE);
  }
  fits_create_file (&fptr, create, &status);
  fits_create_tbl (fptr, BINARY_TBL, 2, 3, ttype, tform, NULL, "MANIFEST", &status);
  fits_write_col (fptr, TLONGLONG, 1, 1, 1, 2, ids, &status);
  fits_write_col (fptr, TSTRING, 2, 1, 1, 2, filters, &status);
  fits_write_col (fptr, TSTRING, 3, 1, 1, 2, files, &status);
  fits_close_file (fptr, &status);
  g_assert_cmpint (status, ==, 0);

  ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 1);
  g_assert_cmpuint (dassie_dataset_get_n_bands (ds), ==, 2);
  g_assert_cmpstr (dassie_dataset_get_object_id (ds, 0), ==, "36411452835238206");
  g_assert_true (g_str_has_suffix (dassie_dataset_get_file (ds, 0, 1), "cutouts/b.fits"));
  g_assert_cmpuint (dassie_dataset_get_skipped (ds)->len, ==, 0);
  g_clear_pointer (&ds, dassie_dataset_unref);

  /* Objects beside the listed ones but not in manifest.fits are reported, not silently left out: three
   * plain files in cutouts/ and one HSC object of two bands; another band of the listed object is not
   * another object. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("extra-%u.fits", i);
      g_autofree char *path = g_build_filename (sub, name, NULL);
      write_image (path, 8, 8, pix, FALSE);
    }
  write_hsc_object (dir, "99", "G", 0, 8, 8);
  write_hsc_object (dir, "99", "R", 1, 8, 8);
  write_hsc_object (dir, "36411452835238206", "I", 2, 8, 8);
  ds = dassie_dataset_open (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dassie_dataset_get_n_objects (ds), ==, 1);
  g_assert_cmpuint (dassie_dataset_get_skipped (ds)->len, ==, 1);
  g_assert_nonnull (strstr (find_reason (ds, "manifest.fits"), "4 objects in the folder are not in manifest.fits"));

  dassie_remove_tree (dir, NULL);
}

static void
test_split (void)
{
  const double fractions[] = { 0.8, 0.2 };
  g_autoptr(GPtrArray) a = dassie_dataset_split (101, fractions, 2, 42);
  g_autoptr(GPtrArray) b = dassie_dataset_split (101, fractions, 2, 42);
  g_autoptr(GPtrArray) c = dassie_dataset_split (101, fractions, 2, 43);
  GArray *train = g_ptr_array_index (a, 0);
  GArray *val = g_ptr_array_index (a, 1);
  gboolean seen[101] = { FALSE };
  gboolean differs = FALSE;
  const double half[] = { 0.5 };
  g_autoptr(GPtrArray) d = dassie_dataset_split (10, half, 1, 1);

  g_assert_cmpuint (train->len, ==, 81);
  g_assert_cmpuint (val->len, ==, 20);
  for (guint i = 0; i < train->len; i++)
    seen[g_array_index (train, guint, i)] = TRUE;
  for (guint i = 0; i < val->len; i++)
    {
      g_assert_false (seen[g_array_index (val, guint, i)]);
      seen[g_array_index (val, guint, i)] = TRUE;
    }
  for (guint i = 0; i < 101; i++)
    g_assert_true (seen[i]);

  g_assert_cmpmem (train->data, train->len * sizeof (guint),
                   ((GArray *) g_ptr_array_index (b, 0))->data, train->len * sizeof (guint));
  for (guint i = 0; i < train->len; i++)
    differs |= g_array_index (train, guint, i) != g_array_index ((GArray *) g_ptr_array_index (c, 0), guint, i);
  g_assert_true (differs);

  g_assert_cmpuint (((GArray *) g_ptr_array_index (d, 0))->len, ==, 5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/dataset/hsc-stars-fixture", test_hsc_stars_fixture);
  g_test_add_func ("/core/dataset/hsc-names-bands-crop", test_hsc_names_bands_and_crop);
  g_test_add_func ("/core/dataset/crop-to-and-filters", test_crop_to_and_filters);
  g_test_add_func ("/core/dataset/nan-modes-transforms", test_nan_modes_and_transforms);
  g_test_add_func ("/core/dataset/bad-inputs", test_bad_inputs);
  g_test_add_func ("/core/dataset/unusable-folders", test_unusable_folders);
  g_test_add_func ("/core/dataset/odd-size-skipped", test_odd_size_skipped);
  g_test_add_func ("/core/dataset/huge-header", test_huge_header);
  g_test_add_func ("/core/dataset/compressed", test_compressed);
  g_test_add_func ("/core/dataset/manifest", test_manifest);
  g_test_add_func ("/core/dataset/split", test_split);
  return g_test_run ();
}
