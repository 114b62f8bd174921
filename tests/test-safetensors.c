/* test-safetensors.c: safetensors round trips, and truncated, corrupt or mismatched files
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "dassie-autoencoder.h"
#include "dassie-fileutil.h"
#include "dassie-safetensors.h"

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dassie-safetensors-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
write_raw (const char *path,
           const char *header,
           gsize       data_bytes)
{
  g_autoptr(GError) error = NULL;
  gsize header_length = strlen (header);
  guint64 le = GUINT64_TO_LE ((guint64) header_length);
  g_autofree char *buffer = g_malloc0 (8 + header_length + data_bytes);

  memcpy (buffer, &le, 8);
  memcpy (buffer + 8, header, header_length);
  g_file_set_contents (path, buffer, 8 + header_length + data_bytes, &error);
  g_assert_no_error (error);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "t.safetensors", NULL);
  g_autoptr(DassieSafetensorsWriter) writer = dassie_safetensors_writer_new ();
  g_autoptr(DassieSafetensors) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const gint64 shape_a[] = { 2, 3 };
  const gint64 shape_b[] = { 4 };
  const float a[] = { 1, -2, 3.5f, 1e-30f, -0.0f, 7 };
  const float b[] = { 0.25f, 1e30f, -1, 2 };
  float out_a[6], out_b[4];
  const gint64 *shape;
  guint64 header_length;
  const char * const *names;
  gsize length;
  guint ndim;

  dassie_safetensors_writer_add (writer, "layer.weight", 2, shape_a, a);
  dassie_safetensors_writer_add (writer, "layer.bias", 1, shape_b, b);
  dassie_safetensors_writer_set_metadata (writer, "format", "pt");
  dassie_safetensors_writer_set_metadata (writer, "note", "ünïcode \"quoted\"");
  dassie_safetensors_writer_write (writer, path, &error);
  g_assert_no_error (error);

  /* The layout itself: header length, then JSON, data 8-byte aligned, tensors in order. */
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  memcpy (&header_length, contents, 8);
  header_length = GUINT64_FROM_LE (header_length);
  g_assert_cmpuint (header_length % 8, ==, 0);
  g_assert_cmpuint (length, ==, 8 + header_length + sizeof a + sizeof b);
  g_assert_cmpint (contents[8], ==, '{');
  g_assert_cmpmem (contents + 8 + header_length, sizeof a, a, sizeof a);
  g_assert_cmpmem (contents + 8 + header_length + sizeof a, sizeof b, b, sizeof b);

  file = dassie_safetensors_open (path, &error);
  g_assert_no_error (error);
  names = dassie_safetensors_get_names (file);
  g_assert_cmpstr (names[0], ==, "layer.weight");
  g_assert_cmpstr (names[1], ==, "layer.bias");
  g_assert_null (names[2]);
  g_assert_true (dassie_safetensors_get_shape (file, "layer.weight", &ndim, &shape));
  g_assert_cmpuint (ndim, ==, 2);
  g_assert_cmpint (shape[0], ==, 2);
  g_assert_cmpint (shape[1], ==, 3);
  g_assert_cmpstr (dassie_safetensors_get_metadata (file, "note"), ==, "ünïcode \"quoted\"");
  g_assert_null (dassie_safetensors_get_metadata (file, "absent"));

  dassie_safetensors_read (file, "layer.weight", 2, shape_a, out_a, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (out_a, sizeof out_a, a, sizeof a);
  dassie_safetensors_read (file, "layer.bias", 1, shape_b, out_b, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (out_b, sizeof out_b, b, sizeof b);

  /* Wrong shape and missing tensor are errors that name the file and the tensor. */
  g_assert_false (dassie_safetensors_read (file, "layer.bias", 1, (gint64[]) { 5 }, out_b, &error));
  g_assert_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "(4)"));
  g_clear_error (&error);
  g_assert_false (dassie_safetensors_read (file, "other", 1, shape_b, out_b, &error));
  g_assert_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_MISSING);
  g_clear_error (&error);

  dassie_remove_tree (dir, NULL);
}

static void
test_truncated (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "w.safetensors", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.safetensors", NULL);
  g_autoptr(DassieSafetensorsWriter) writer = dassie_safetensors_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  float data[64] = { 0 };
  gsize length;

  dassie_safetensors_writer_add (writer, "x", 1, (gint64[]) { 64 }, data);
  dassie_safetensors_writer_write (writer, path, &error);
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  /* Every cut, inside the length word, the header or the data, is caught. */
  for (gsize keep = 0; keep < length; keep += (keep < 80 ? 3 : 61))
    {
      DassieSafetensors *file;

      g_file_set_contents (cut, contents, keep, &error);
      g_assert_no_error (error);
      file = dassie_safetensors_open (cut, &error);
      g_assert_null (file);
      g_assert_true (error->domain == DASSIE_SAFETENSORS_ERROR);
      g_assert_true (error->code == DASSIE_SAFETENSORS_ERROR_TRUNCATED ||
                     error->code == DASSIE_SAFETENSORS_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, cut));
      g_clear_error (&error);
    }

  /* A cut in the data is reported as truncation, not as anything else. */
  g_file_set_contents (cut, contents, length - 4, &error);
  g_assert_no_error (error);
  g_assert_null (dassie_safetensors_open (cut, &error));
  g_assert_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_TRUNCATED);
  g_clear_error (&error);

  dassie_remove_tree (dir, NULL);
}

static void
test_corrupt (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.safetensors", NULL);
  const char *headers[] = {
    "not json at all",
    "[1, 2, 3]",
    "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 12]}}",     /* 8 bytes, not 12 */
    "{\"x\": {\"dtype\": \"F99\", \"shape\": [2], \"data_offsets\": [0, 8]}}",      /* unknown dtype */
    "{\"x\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}",     /* negative size */
    "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}",      /* reversed */
    "{\"x\": {\"dtype\": \"F32\", \"shape\": [2]}}",                                  /* no offsets */
    "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
    " \"y\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}",       /* overlap */
    "{\"__metadata__\": [1]}",
  };
  g_autoptr(GError) error = NULL;
  guint64 huge = GUINT64_TO_LE (G_GUINT64_CONSTANT (1) << 40);

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      write_raw (path, headers[i], 16);
      g_assert_null (dassie_safetensors_open (path, &error));
      if (error == NULL || error->domain != DASSIE_SAFETENSORS_ERROR)
        g_error ("header %u was accepted or gave the wrong error", i);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
    }

  /* A header length of a terabyte. */
  g_file_set_contents (path, (const char *) &huge, 8, &error);
  g_assert_no_error (error);
  g_assert_null (dassie_safetensors_open (path, &error));
  g_assert_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_CORRUPT);
  g_clear_error (&error);

  /* A missing file is the GLib file error, still naming the file. */
  g_assert_null (dassie_safetensors_open ("/nonexistent/w.safetensors", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  /* A float16 tensor is readable as a file but not as float32. */
  write_raw (path, "{\"x\": {\"dtype\": \"F16\", \"shape\": [4], \"data_offsets\": [0, 8]}}", 8);
  {
    g_autoptr(DassieSafetensors) file = dassie_safetensors_open (path, &error);
    float out[4];

    g_assert_no_error (error);
    g_assert_false (dassie_safetensors_read (file, "x", 1, (gint64[]) { 4 }, out, &error));
    g_assert_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_MISMATCH);
    g_assert_nonnull (strstr (error->message, "F16"));
    g_clear_error (&error);
  }

  dassie_remove_tree (dir, NULL);
}

static void
test_model_weights (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "weights.safetensors", NULL);
  DassieAutoencoderConfig config = { 2, 16, 16, 4, 8, DASSIE_ACTIVATION_SIGMOID };
  DassieAutoencoderConfig other_config = { 2, 16, 16, 8, 8, DASSIE_ACTIVATION_TANH };
  DassieAutoencoderConfig read_config = { 0, 0, 0, 0, 0, DASSIE_ACTIVATION_TANH };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieAutoencoder) model = dassie_autoencoder_new (&config, &error);
  g_autoptr(DassieAutoencoder) copy = dassie_autoencoder_new (&config, &error);
  g_autoptr(DassieAutoencoder) other = dassie_autoencoder_new (&other_config, &error);
  g_autoptr(DassieSafetensors) file = NULL;
  gsize n = dassie_autoencoder_get_n_params (model);
  g_autofree float *before = NULL;

  g_assert_no_error (error);
  dassie_autoencoder_init_params (model, 1);
  dassie_autoencoder_init_params (copy, 2);
  g_assert_true (memcmp (dassie_autoencoder_get_params (model), dassie_autoencoder_get_params (copy),
                         n * sizeof (float)) != 0);

  dassie_autoencoder_save_weights (model, path, NULL, &error);
  g_assert_no_error (error);
  dassie_autoencoder_load_weights (copy, path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (dassie_autoencoder_get_params (copy), n * sizeof (float),
                   dassie_autoencoder_get_params (model), n * sizeof (float));

  /* PyTorch's names, and ConvTranspose weights stored (in, out, kh, kw). */
  file = dassie_safetensors_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (dassie_safetensors_has (file, "dec_linear.0.bias"));
  {
    const gint64 *shape;
    guint ndim;

    g_assert_true (dassie_safetensors_get_shape (file, "decoder.4.weight", &ndim, &shape));
    g_assert_cmpint (shape[0], ==, 8);  /* 2c in */
    g_assert_cmpint (shape[1], ==, 4);  /* c out */
  }

  /* The sizes come back from the file alone. */
  dassie_autoencoder_config_from_weights (&read_config, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read_config.channels, ==, 2);
  g_assert_cmpuint (read_config.base_channels, ==, 4);
  g_assert_cmpuint (read_config.latent_dim, ==, 8);
  g_assert_cmpint (read_config.final_activation, ==, DASSIE_ACTIVATION_SIGMOID);

  /* A model of another size refuses the file and keeps its own parameters. */
  dassie_autoencoder_init_params (other, 3);
  before = g_memdup2 (dassie_autoencoder_get_params (other), dassie_autoencoder_get_n_params (other) * sizeof (float));
  g_assert_false (dassie_autoencoder_load_weights (other, path, &error));
  g_assert_error (error, DASSIE_SAFETENSORS_ERROR, DASSIE_SAFETENSORS_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "encoder.0.weight"));
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_cmpmem (dassie_autoencoder_get_params (other), dassie_autoencoder_get_n_params (other) * sizeof (float),
                   before, dassie_autoencoder_get_n_params (other) * sizeof (float));

  dassie_remove_tree (dir, NULL);
}

static void
test_init_distribution (void)
{
  DassieAutoencoderConfig config = { 3, 32, 32, 32, 64, DASSIE_ACTIVATION_TANH };
  g_autoptr(GError) error = NULL;
  g_autoptr(DassieAutoencoder) a = dassie_autoencoder_new (&config, &error);
  g_autoptr(DassieAutoencoder) b = dassie_autoencoder_new (&config, &error);

  g_assert_no_error (error);
  dassie_autoencoder_init_params (a, 42);
  dassie_autoencoder_init_params (b, 42);
  g_assert_cmpmem (dassie_autoencoder_get_params (a), dassie_autoencoder_get_n_params (a) * sizeof (float),
                   dassie_autoencoder_get_params (b), dassie_autoencoder_get_n_params (b) * sizeof (float));

  /* U(±1/√fan_in): every value inside the bound, the variance bound²/3. */
  for (guint t = 0; t < dassie_autoencoder_get_n_tensors (a); t++)
    {
      const DassieParamTensor *tensor = dassie_autoencoder_get_tensor (a, t);
      const float *p = dassie_autoencoder_get_params (a) + tensor->offset;
      double bound = 1.0 / sqrt (tensor->fan_in);
      double sq = 0;

      for (gsize i = 0; i < tensor->size; i++)
        {
          g_assert_cmpfloat (fabs (p[i]), <=, bound);
          sq += (double) p[i] * p[i];
        }
      if (tensor->size >= 1000)
        g_assert_cmpfloat (fabs (sq / tensor->size / (bound * bound / 3) - 1), <, 0.1);
    }

  /* fan_in: Conv2d in·k·k, ConvTranspose2d out·k·k, Linear in. */
  g_assert_cmpuint (dassie_autoencoder_get_tensor (a, 2)->fan_in, ==, 32 * 9);   /* encoder.2 */
  g_assert_cmpuint (dassie_autoencoder_get_tensor (a, 18)->fan_in, ==, 32 * 9);  /* decoder.4: 64→32 */
  g_assert_cmpuint (dassie_autoencoder_get_tensor (a, 12)->fan_in, ==, 64);      /* dec_linear.0 */
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/safetensors/round-trip", test_round_trip);
  g_test_add_func ("/core/safetensors/truncated", test_truncated);
  g_test_add_func ("/core/safetensors/corrupt", test_corrupt);
  g_test_add_func ("/core/safetensors/model-weights", test_model_weights);
  g_test_add_func ("/core/safetensors/init-distribution", test_init_distribution);

  return g_test_run ();
}
