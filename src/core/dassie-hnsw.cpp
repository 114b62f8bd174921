/* dassie-hnsw.cpp: a C interface to hnswlib's approximate nearest-neighbour graph (squared L2)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

/* hnswlib's prefetches read one link past the end of a list; harmless, but AddressSanitizer stops on
 * them, so its builds leave them out. */
#if defined(__SANITIZE_ADDRESS__)
# define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>

#include "dassie-fileutil.h"
#include "dassie-hnsw.h"

/* hnswlib picks its SIMD distance when it is compiled; ours is picked at run time instead, so the build
 * stays portable and still uses AVX-512 or AVX2 where the processor has them.  Most of the time of a
 * build goes here, on vectors fetched from all over the graph. */
static float
squared_l2 (const void *a,
            const void *b,
            const void *param)
{
  const float *x = static_cast<const float *> (a);
  const float *y = static_cast<const float *> (b);
  size_t dim = *static_cast<const size_t *> (param);
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t d = 0;

  /* Four running sums let the compiler keep several registers busy. */
  for (; d + 4 <= dim; d += 4)
    {
      float t0 = x[d] - y[d], t1 = x[d + 1] - y[d + 1], t2 = x[d + 2] - y[d + 2], t3 = x[d + 3] - y[d + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
  for (; d < dim; d++)
    {
      float t = x[d] - y[d];
      s0 += t * t;
    }
  return (s0 + s1) + (s2 + s3);
}

#if defined(__GNUC__) && defined(__x86_64__)
# define DASSIE_HNSW_X86 1
# include <immintrin.h>

/* The same kernels read single-precision rows, or half-precision ones (guint16) through F16C. */
# define DASSIE_AVX512 __attribute__((target ("avx512f,f16c,fma")))
# define DASSIE_AVX2 __attribute__((target ("avx2,f16c,fma")))

/* GCC 12's AVX-512 intrinsics start some results from a deliberately undefined register, and warn
 * about it when they are inlined here. */
# pragma GCC diagnostic push
# pragma GCC diagnostic ignored "-Wuninitialized"
# pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

DASSIE_AVX2 static inline float to_float (float x) { return x; }
DASSIE_AVX2 static inline float to_float (guint16 x) { return _cvtsh_ss (x); }

DASSIE_AVX512 static inline __m512 load16 (const float *p) { return _mm512_loadu_ps (p); }
DASSIE_AVX512 static inline __m512
load16 (const guint16 *p)
{
  return _mm512_cvtph_ps (_mm256_loadu_si256 ((const __m256i *) p));
}

DASSIE_AVX2 static inline __m256 load8 (const float *p) { return _mm256_loadu_ps (p); }
DASSIE_AVX2 static inline __m256 load8 (const guint16 *p) { return _mm256_cvtph_ps (_mm_loadu_si128 ((const __m128i *) p)); }

/* The sum of the four lanes. */
DASSIE_AVX2 static inline float
sum4 (__m128 h)
{
  h = _mm_add_ps (h, _mm_movehl_ps (h, h));
  h = _mm_add_ss (h, _mm_movehdup_ps (h));
  return _mm_cvtss_f32 (h);
}

template <typename T>
DASSIE_AVX512 static float
squared_l2_avx512 (const void *a,
                   const void *b,
                   const void *param)
{
  const T *x = static_cast<const T *> (a);
  const T *y = static_cast<const T *> (b);
  size_t dim = *static_cast<const size_t *> (param);
  __m512 s0 = _mm512_setzero_ps (), s1 = _mm512_setzero_ps ();
  size_t d = 0;

  for (; d + 32 <= dim; d += 32)
    {
      __m512 t0 = _mm512_sub_ps (load16 (x + d), load16 (y + d));
      __m512 t1 = _mm512_sub_ps (load16 (x + d + 16), load16 (y + d + 16));
      s0 = _mm512_fmadd_ps (t0, t0, s0);
      s1 = _mm512_fmadd_ps (t1, t1, s1);
    }
  for (; d + 16 <= dim; d += 16)
    {
      __m512 t = _mm512_sub_ps (load16 (x + d), load16 (y + d));
      s0 = _mm512_fmadd_ps (t, t, s0);
    }
  s0 = _mm512_add_ps (s0, s1);
  s0 = _mm512_add_ps (s0, _mm512_shuffle_f32x4 (s0, s0, _MM_SHUFFLE (1, 0, 3, 2)));
  s0 = _mm512_add_ps (s0, _mm512_shuffle_f32x4 (s0, s0, _MM_SHUFFLE (2, 3, 0, 1)));

  float s = sum4 (_mm512_castps512_ps128 (s0));
  for (; d < dim; d++)
    {
      float t = to_float (x[d]) - to_float (y[d]);
      s += t * t;
    }
  return s;
}

# pragma GCC diagnostic pop

template <typename T>
DASSIE_AVX2 static float
squared_l2_avx2 (const void *a,
                 const void *b,
                 const void *param)
{
  const T *x = static_cast<const T *> (a);
  const T *y = static_cast<const T *> (b);
  size_t dim = *static_cast<const size_t *> (param);
  __m256 s0 = _mm256_setzero_ps (), s1 = _mm256_setzero_ps ();
  size_t d = 0;

  for (; d + 16 <= dim; d += 16)
    {
      __m256 t0 = _mm256_sub_ps (load8 (x + d), load8 (y + d));
      __m256 t1 = _mm256_sub_ps (load8 (x + d + 8), load8 (y + d + 8));
      s0 = _mm256_fmadd_ps (t0, t0, s0);
      s1 = _mm256_fmadd_ps (t1, t1, s1);
    }
  s0 = _mm256_add_ps (s0, s1);

  float s = sum4 (_mm_add_ps (_mm256_castps256_ps128 (s0), _mm256_extractf128_ps (s0, 1)));
  for (; d < dim; d++)
    {
      float t = to_float (x[d]) - to_float (y[d]);
      s += t * t;
    }
  return s;
}

/* (x - centre) × scale, rounded to half precision. */
DASSIE_AVX2 static void
to_half (const float  *x,
         const float  *centre,
         float         scale,
         size_t        dim,
         guint16      *out)
{
  __m256 vscale = _mm256_set1_ps (scale);
  size_t d = 0;

  for (; d + 8 <= dim; d += 8)
    {
      __m256 v = _mm256_mul_ps (_mm256_sub_ps (_mm256_loadu_ps (x + d), _mm256_loadu_ps (centre + d)), vscale);
      _mm_storeu_si128 ((__m128i *) (out + d), _mm256_cvtps_ph (v, _MM_FROUND_TO_NEAREST_INT));
    }
  for (; d < dim; d++)
    out[d] = _cvtss_sh ((x[d] - centre[d]) * scale, _MM_FROUND_TO_NEAREST_INT);
}
#endif

/* The processor runs the AVX2 kernels, and converts to and from half precision (F16C). */
static bool
has_avx2_f16c (void)
{
#if defined(DASSIE_HNSW_X86)
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma") && __builtin_cpu_supports ("f16c");
#else
  return false;
#endif
}

static hnswlib::DISTFUNC<float>
pick_squared_l2 (bool half)
{
#if defined(DASSIE_HNSW_X86)
  if (has_avx2_f16c ())
    {
      if (__builtin_cpu_supports ("avx512f"))
        return half ? squared_l2_avx512<guint16> : squared_l2_avx512<float>;
      return half ? squared_l2_avx2<guint16> : squared_l2_avx2<float>;
    }
#endif
  g_assert (!half);
  return squared_l2;
}

/* Values a row takes in the index. hnswlib lays each row between 4-byte link counts, so a half
 * precision row is padded with a zero to an even length. */
static size_t
stored_dim (size_t dim,
            bool   half)
{
  return half ? (dim + 1) & ~(size_t) 1 : dim;
}

namespace {

class SquaredL2Space : public hnswlib::SpaceInterface<float>
{
public:
  SquaredL2Space (size_t dim, bool half) : dim_ (stored_dim (dim, half)), half_ (half), func_ (pick_squared_l2 (half)) {}
  size_t get_data_size () override { return dim_ * (half_ ? sizeof (guint16) : sizeof (float)); }
  hnswlib::DISTFUNC<float> get_dist_func () override { return func_; }
  void *get_dist_func_param () override { return &dim_; }

private:
  size_t dim_;
  bool half_;
  hnswlib::DISTFUNC<float> func_;
};

} /* namespace */

struct _DassieHnsw
{
  SquaredL2Space                            *space;
  hnswlib::HierarchicalNSW<float>           *index;
  guint                                      dim;
};

void
dassie_hnsw_free (DassieHnsw *self)
{
  if (self == nullptr)
    return;
  delete self->index;
  delete self->space;
  delete self;
}

/* The rows in half precision, moved to the centre and scaled to about ±1024 so that the rounding is
 * relative to the spread of the data, not to where it sits. Neither changes which rows are nearest.
 * Half precision halves what a search pulls from memory, which is what a build waits on. Empty when
 * the processor cannot convert, or the data does not fit. */
static std::vector<guint16>
half_rows (const float *data,
           guint        n_rows,
           guint        dim)
{
  std::vector<guint16> half;

#if defined(DASSIE_HNSW_X86)
  if (n_rows == 0 || !has_avx2_f16c ())
    return half;

  std::vector<double> sum (dim, 0.0);
  std::vector<float> centre (dim);
  double max_abs = 0;

  for (gsize i = 0; i < n_rows; i++)
    for (guint d = 0; d < dim; d++)
      sum[d] += data[i * dim + d];
  for (guint d = 0; d < dim; d++)
    centre[d] = (float) (sum[d] / n_rows);
  for (gsize i = 0; i < n_rows; i++)
    for (guint d = 0; d < dim; d++)
      max_abs = MAX (max_abs, fabs ((double) data[i * dim + d] - centre[d]));
  if (!(max_abs > 0) || !std::isfinite (max_abs))
    return half;

  float scale = (float) (1024.0 / max_abs);
  gsize stride = stored_dim (dim, true);
  half.resize ((gsize) n_rows * stride, 0);
  for (gsize i = 0; i < n_rows; i++)
    to_half (data + i * dim, centre.data (), scale, dim, half.data () + i * stride);
#else
  (void) data;
  (void) n_rows;
  (void) dim;
#endif
  return half;
}

/* Rows @first .. @n_rows - 1 in an order where rows that are near in space are near in the order:
 * the leaves of a random projection tree. Inserted in this order the graph is laid out in memory by
 * neighbourhood, so a build and its searches find more of what they read in the cache. */
static std::vector<guint>
locality_insertion_order (const float *data,
                          guint        first,
                          guint        n_rows,
                          guint        dim,
                          guint        seed)
{
  std::vector<guint> order;
  std::vector<float> projection (n_rows);
  std::vector<std::pair<guint, guint>> stack, leaves;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  const guint leaf = 256;

  for (guint i = first; i < n_rows; i++)
    order.push_back (i);
  if (order.size () > leaf)
    stack.emplace_back (0, (guint) order.size ());
  while (!stack.empty ())
    {
      auto [lo, hi] = stack.back ();
      stack.pop_back ();

      /* Split across the line between two random rows of the part, at the median. */
      const float *a = data + (gsize) order[lo + g_rand_int_range (rand, 0, hi - lo)] * dim;
      const float *b = data + (gsize) order[lo + g_rand_int_range (rand, 0, hi - lo)] * dim;
      for (guint j = lo; j < hi; j++)
        {
          const float *x = data + (gsize) order[j] * dim;
          float p = 0;

          for (guint d = 0; d < dim; d++)
            p += x[d] * (a[d] - b[d]);
          projection[order[j]] = p;
        }
      guint mid = lo + (hi - lo) / 2;
      std::nth_element (order.begin () + lo, order.begin () + mid, order.begin () + hi,
                        [&] (guint x, guint y) { return projection[x] < projection[y]; });
      for (auto part : { std::make_pair (lo, mid), std::make_pair (mid, hi) })
        if (part.second - part.first > leaf)
          stack.emplace_back (part);
        else
          leaves.push_back (part);
    }
  if (leaves.empty ())
    return order;

  /* The leaves in a random order: a graph built region after region links the regions poorly. */
  std::vector<guint> shuffled;
  for (guint l = (guint) leaves.size (); l > 1; l--)
    std::swap (leaves[l - 1], leaves[g_rand_int_range (rand, 0, l)]);
  for (auto [lo, hi] : leaves)
    shuffled.insert (shuffled.end (), order.begin () + lo, order.begin () + hi);
  return shuffled;
}

DassieHnsw *
dassie_hnsw_build (const float   *data,
                   guint          n_rows,
                   guint          dim,
                   guint          m,
                   guint          ef_construction,
                   guint          seed,
                   guint          n_threads,
                   DassieProgressFunc progress,
                   gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (data != nullptr || n_rows == 0, nullptr);
  g_return_val_if_fail (dim > 0, nullptr);

  DassieHnsw *self = new DassieHnsw ();
  self->dim = dim;

  try
    {
      std::vector<guint16> half = half_rows (data, n_rows, dim);
      gsize row_bytes = half.empty () ? dim * sizeof (float) : stored_dim (dim, true) * sizeof (guint16);
      const char *rows = half.empty () ? (const char *) data : (const char *) half.data ();
      /* The first rows go in as they come, a sample of the whole that makes the graph's top; the rest
       * by neighbourhood. */
      guint n_first = MIN (n_rows, 1000u);
      std::vector<guint> rest = locality_insertion_order (data, n_first, n_rows, dim, seed);
      std::atomic<guint> next (0);
      std::atomic<bool> cancelled (false);
      const guint chunk = 64;
      DassieEta eta;
      gint64 last_report = 0;
      auto insert = [&] (bool reporter) {
        for (;;)
          {
            guint start = next.fetch_add (chunk);

            if (start >= n_rows || cancelled.load ())
              return;
            if (cancellable != nullptr && g_cancellable_is_cancelled (cancellable))
              {
                cancelled = true;
                return;
              }
            for (guint j = start; j < std::min (n_rows, start + chunk); j++)
              {
                guint i = j < n_first ? j : rest[j - n_first];
                self->index->addPoint (rows + i * row_bytes, i);
              }
            if (reporter && progress != nullptr && g_get_monotonic_time () - last_report > G_USEC_PER_SEC / 10)
              {
                double done = std::min (n_rows, start + chunk);
                g_autofree char *message = g_strdup_printf (_("Building the HNSW index: %u of %u"),
                                                            (guint) done, n_rows);
                DassieProgress p = { "index", done / n_rows, -1, -1, message };

                last_report = g_get_monotonic_time ();
                dassie_eta_update (&eta, done, n_rows, &p.rate, &p.eta_seconds);
                progress (&p, user_data);
              }
          }
      };

      dassie_eta_start (&eta);

      self->space = new SquaredL2Space (dim, !half.empty ());
      self->index = new hnswlib::HierarchicalNSW<float> (self->space, MAX (n_rows, 1), m, ef_construction, seed);

      if (n_threads <= 1 || n_rows < 1000)
        insert (true);
      else
        {
          std::vector<std::thread> threads;

          /* The first points are placed alone so that the graph's top is the same on every run. */
          for (guint i = 0; i < n_first; i++)
            self->index->addPoint (rows + i * row_bytes, i);
          next = n_first;
          for (guint t = 1; t < n_threads; t++)
            threads.emplace_back (insert, false);
          insert (true);
          for (auto &t : threads)
            t.join ();
        }

      if (cancelled.load ())
        {
          g_cancellable_set_error_if_cancelled (cancellable, error);
          dassie_hnsw_free (self);
          return nullptr;
        }
    }
  catch (const std::exception &e)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not build the HNSW index: %s"), e.what ());
      dassie_hnsw_free (self);
      return nullptr;
    }

  return self;
}

DassieHnsw *
dassie_hnsw_load (const char  *path,
                  guint        dim,
                  GError     **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);
  g_return_val_if_fail (dim > 0, nullptr);

  /* hnswlib's header begins with six sizes; the row's data lies between the last two. */
  guint64 header[6] = { 0 };
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, nullptr, error);
  gsize got = 0;

  if (stream == nullptr ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), header, sizeof header, &got, nullptr, error))
    return nullptr;

  guint64 data_size = got == sizeof header && header[4] > header[5] ? header[4] - header[5] : 0;
  bool half = data_size == stored_dim (dim, true) * sizeof (guint16);

  if (!half && data_size != dim * sizeof (float))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The HNSW index %s holds vectors of another size; delete it and it will be built again"),
                   path);
      return nullptr;
    }
  if (half && !has_avx2_f16c ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The HNSW index %s was made on a processor with half-precision conversions; it will be built again"),
                   path);
      return nullptr;
    }

  DassieHnsw *self = new DassieHnsw ();
  self->dim = dim;

  try
    {
      self->space = new SquaredL2Space (dim, half);
      self->index = new hnswlib::HierarchicalNSW<float> (self->space, std::string (path), false, 0);
    }
  catch (const std::exception &e)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not read the HNSW index %s: %s; delete it and it will be built again"), path,
                   e.what ());
      dassie_hnsw_free (self);
      return nullptr;
    }

  return self;
}

gboolean
dassie_hnsw_save (DassieHnsw  *self,
                  const char  *path,
                  GError     **error)
{
  g_return_val_if_fail (self != nullptr, FALSE);
  g_return_val_if_fail (path != nullptr, FALSE);

  g_autofree char *temp = dassie_temp_path_for (path);

  try
    {
      self->index->saveIndex (std::string (temp));
    }
  catch (const std::exception &e)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the HNSW index %s: %s"), path,
                   e.what ());
      g_unlink (temp);
      return FALSE;
    }

  return dassie_rename_into_place (temp, path, error);
}

guint
dassie_hnsw_get_n_rows (DassieHnsw *self)
{
  g_return_val_if_fail (self != nullptr, 0);
  return (guint) self->index->cur_element_count;
}

void
dassie_hnsw_set_ef (DassieHnsw *self,
                    guint       ef)
{
  g_return_if_fail (self != nullptr);
  self->index->setEf (MAX (ef, 1));
}

guint
dassie_hnsw_neighbours_of (DassieHnsw *self,
                           guint       row,
                           guint       k,
                           guint      *rows)
{
  g_return_val_if_fail (self != nullptr, 0);
  g_return_val_if_fail (rows != nullptr || k == 0, 0);

  auto *index = self->index;
  auto found = index->label_lookup_.find (row);
  if (found == index->label_lookup_.end () || k == 0)
    return 0;

  /* Straight into the bottom layer at the row itself, with its stored vector as the query: its own
   * neighbourhood is where a search from the top would end up anyway. */
  auto top = index->searchBaseLayerST<false, false> (found->second, index->getDataByInternalId (found->second),
                                                      std::max (index->ef_, (size_t) k));
  while (top.size () > k)
    top.pop ();
  guint n = (guint) top.size ();
  for (guint i = n; i > 0; i--)
    {
      rows[i - 1] = (guint) index->getExternalLabel (top.top ().second);
      top.pop ();
    }
  return n;
}

guint *
dassie_hnsw_locality_order (DassieHnsw *self)
{
  g_return_val_if_fail (self != nullptr, nullptr);

  auto *index = self->index;
  guint n = (guint) index->cur_element_count;
  guint *order = g_new (guint, MAX (n, 1));
  std::vector<bool> seen (n, false);
  guint head = 0, tail = 0;

  /* Breadth first over the bottom layer, from every part of the graph in turn. */
  for (guint start = 0; start < n; start++)
    {
      if (seen[start])
        continue;
      seen[start] = true;
      order[tail++] = start;
      while (head < tail)
        {
          hnswlib::tableint node = order[head++];
          hnswlib::linklistsizeint *links = index->get_linklist0 (node);
          guint count = index->getListCount (links);
          hnswlib::tableint *ids = (hnswlib::tableint *) (links + 1);

          for (guint c = 0; c < count; c++)
            if (!seen[ids[c]])
              {
                seen[ids[c]] = true;
                order[tail++] = ids[c];
              }
        }
    }

  for (guint i = 0; i < n; i++)
    order[i] = (guint) index->getExternalLabel (order[i]);
  return order;
}
