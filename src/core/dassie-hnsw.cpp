/* dassie-hnsw.cpp: a C interface to hnswlib's approximate nearest-neighbour graph (squared L2)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <atomic>
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

/* hnswlib picks its SIMD distance when it is compiled; this one is picked at run time instead, so the
 * build stays portable and still uses AVX-512 or AVX2 where the processor has them. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default"), optimize ("O3")))
#endif
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

  /* Four running sums let the compiler keep several vector registers busy. */
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

namespace {

class SquaredL2Space : public hnswlib::SpaceInterface<float>
{
public:
  explicit SquaredL2Space (size_t dim) : dim_ (dim) {}
  size_t get_data_size () override { return dim_ * sizeof (float); }
  hnswlib::DISTFUNC<float> get_dist_func () override { return squared_l2; }
  void *get_dist_func_param () override { return &dim_; }

private:
  size_t dim_;
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
            for (guint i = start; i < std::min (n_rows, start + chunk); i++)
              self->index->addPoint (data + (gsize) i * dim, i);
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

      self->space = new SquaredL2Space (dim);
      self->index = new hnswlib::HierarchicalNSW<float> (self->space, MAX (n_rows, 1), m, ef_construction, seed);

      if (n_threads <= 1 || n_rows < 1000)
        insert (true);
      else
        {
          std::vector<std::thread> threads;

          /* The first points are placed alone so that the graph's top is the same on every run. */
          for (guint i = 0; i < MIN (n_rows, 1000u); i++)
            self->index->addPoint (data + (gsize) i * dim, i);
          next = MIN (n_rows, 1000u);
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

  DassieHnsw *self = new DassieHnsw ();
  self->dim = dim;

  try
    {
      self->space = new SquaredL2Space (dim);
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

  if (self->index->data_size_ != dim * sizeof (float))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The HNSW index %s holds vectors of another size; delete it and it will be built again"),
                   path);
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
dassie_hnsw_search (DassieHnsw  *self,
                    const float *query,
                    guint        k,
                    guint       *rows,
                    float       *distances)
{
  g_return_val_if_fail (self != nullptr, 0);
  g_return_val_if_fail (query != nullptr, 0);

  auto found = self->index->searchKnn (query, k);
  guint n = (guint) found.size ();

  /* The queue gives the farthest first. */
  for (guint i = n; i > 0; i--)
    {
      rows[i - 1] = (guint) found.top ().second;
      distances[i - 1] = found.top ().first;
      found.pop ();
    }
  return n;
}

guint
dassie_hnsw_search_from (DassieHnsw  *self,
                         const float *query,
                         guint        start_row,
                         guint        k,
                         guint       *rows,
                         float       *distances)
{
  g_return_val_if_fail (self != nullptr, 0);
  g_return_val_if_fail (query != nullptr, 0);

  auto found = self->index->label_lookup_.find (start_row);
  if (found == self->index->label_lookup_.end ())
    return dassie_hnsw_search (self, query, k, rows, distances);

  /* Straight into the bottom layer at the start point: for a point of the index, its own
   * neighbourhood is where the search would end up anyway. */
  auto top = self->index->searchBaseLayerST<false, false> (found->second, query, std::max (self->index->ef_, (size_t) k));
  while (top.size () > k)
    top.pop ();
  guint n = (guint) top.size ();
  for (guint i = n; i > 0; i--)
    {
      rows[i - 1] = (guint) self->index->getExternalLabel (top.top ().second);
      distances[i - 1] = top.top ().first;
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
