/* dassie-demo.c: a deterministic synthetic HSC-like data set with labelled anomalies
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fitsio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>

#include "dassie-demo.h"
#include "dassie-fileutil.h"
#include "dassie-parallel.h"

#define N_BANDS 3
/* Bands in file order; colours below are magnitudes relative to r. */
static const char *const band_names[N_BANDS] = { "G", "R", "I" };

/* HSC wide coadd pixels: zero point 27 mag, sky-subtracted, noise of a few hundredths. */
#define ZERO_POINT 27.0
#define PIXEL_SCALE 0.168   /* arcsec per pixel */
#define SATURATION 1500.0f

typedef enum
{
  LABEL_NORMAL,
  LABEL_TRAIL,
  LABEL_MERGER,
  LABEL_CROWDED,
  LABEL_COLOUR,
  LABEL_SATURATED,
  LABEL_NAN_HOLE,
  LABEL_RING,
  LABEL_LENSED_ARC,
  LABEL_TIDAL_TAIL,
  N_LABELS
} Label;

static const char *const label_names[N_LABELS] = {
  "normal", "satellite_trail", "merger", "crowded_field", "unusual_colour", "saturated_star", "nan_hole",
  "ring", "lensed_arc", "tidal_tail",
};

/* What an astronomer would say of each kind (the "label" column of labels.csv, the names of
 * dassie-labels.h): the galaxies worth a paper are interesting, the instrument's defects are
 * artifacts, the rest (ordinary objects and crowded fields) is boring. */
static const char *const verdicts[N_LABELS] = {
  "boring", "artifact", "interesting", "boring", "interesting", "artifact", "artifact",
  "interesting", "interesting", "interesting",
};

#define LABELS_CSV_HEADER "object_id,label,kind\n"

/* splitmix64: small, fast and the same on every machine. */
typedef struct { guint64 state; } Rng;

static guint64
rng_next (Rng *rng)
{
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static double
rng_uniform (Rng *rng)
{
  return (rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

static double
rng_range (Rng   *rng,
           double lo,
           double hi)
{
  return lo + (hi - lo) * rng_uniform (rng);
}

static double
rng_normal (Rng *rng)
{
  double u1 = rng_uniform (rng), u2 = rng_uniform (rng);

  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

typedef struct
{
  double x, y;         /* centre, pixels */
  double flux_r;       /* total r-band flux */
  double colour[N_BANDS]; /* magnitude offsets per band relative to r (g - r, 0, i - r) */
  double re;           /* half-light radius, pixels; 0 for a point source */
  double n;            /* Sérsic index */
  double q;            /* axis ratio */
  double theta;        /* position angle */
} Source;

/* b_n of the Sérsic profile (Ciotti & Bertin 1999). */
static double
sersic_b (double n)
{
  return 2.0 * n - 1.0 / 3.0 + 4.0 / (405.0 * n) + 46.0 / (25515.0 * n * n);
}

/* Adds a source's light to one band, before the PSF. Point sources go in as a bilinear delta. */
static void
add_source (float        *img,
            guint         size,
            const Source *s,
            guint         band)
{
  double flux = s->flux_r * pow (10.0, -0.4 * s->colour[band]);

  if (s->re <= 0)
    {
      int ix = (int) floor (s->x), iy = (int) floor (s->y);
      double fx = s->x - ix, fy = s->y - iy;

      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++)
          {
            int px = ix + dx, py = iy + dy;
            double w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);

            if (px >= 0 && py >= 0 && px < (int) size && py < (int) size)
              img[py * size + px] += (float) (flux * w);
          }
      return;
    }

  {
    double bn = sersic_b (s->n);
    double ct = cos (s->theta), st = sin (s->theta);
    /* Total flux of a Sérsic profile: 2π n q re² e^bn Γ(2n) / bn^2n. */
    double norm = 2 * G_PI * s->n * s->q * s->re * s->re * exp (bn) * tgamma (2 * s->n) / pow (bn, 2 * s->n);
    double ie = flux / norm;
    int r_max = (int) ceil (MIN (8 * s->re, size));
    int x0 = MAX (0, (int) s->x - r_max), x1 = MIN ((int) size - 1, (int) s->x + r_max);
    int y0 = MAX (0, (int) s->y - r_max), y1 = MIN ((int) size - 1, (int) s->y + r_max);

    for (int py = y0; py <= y1; py++)
      for (int px = x0; px <= x1; px++)
        {
          double sum = 0;

          /* 2×2 sub-pixels keep steep cores from aliasing. */
          for (int sy = 0; sy < 2; sy++)
            for (int sx = 0; sx < 2; sx++)
              {
                double dx = px + 0.25 + 0.5 * sx - s->x, dy = py + 0.25 + 0.5 * sy - s->y;
                double u = dx * ct + dy * st, v = -dx * st + dy * ct;
                double r = sqrt (u * u + (v / s->q) * (v / s->q));

                sum += exp (-bn * (pow (r / s->re, 1.0 / s->n) - 1.0));
              }
          img[py * size + px] += (float) (ie * sum / 4.0);
        }
  }
}

/* A thin arc of light (a full ring when @span ≥ 2π): a Gaussian across the ellipse of @radius and axis
 * ratio @q, faded out beyond the arc's ends; @peak is the r-band surface brightness on the crest. */
typedef struct
{
  double x, y, radius, width, q, theta;
  double start, span;   /* radians, counter-clockwise from the major axis */
  double peak;
  double colour[N_BANDS];
} Arc;

static void
add_arc (float     *img,
         guint      size,
         const Arc *a,
         guint      band)
{
  double amp = a->peak * pow (10.0, -0.4 * a->colour[band]);
  double ct = cos (a->theta), st = sin (a->theta);
  double mid = a->start + 0.5 * a->span;

  for (guint py = 0; py < size; py++)
    for (guint px = 0; px < size; px++)
      {
        double dx = px - a->x, dy = py - a->y;
        double u = dx * ct + dy * st, v = (-dx * st + dy * ct) / a->q;
        double r = hypot (u, v), across = (r - a->radius) / a->width, fade = 1.0;

        if (fabs (across) > 4)
          continue;
        if (a->span < 2 * G_PI)
          {
            double off = fabs (remainder (atan2 (v, u) - mid, 2 * G_PI)) - 0.5 * a->span;

            if (off > 0)
              fade = exp (-0.5 * (off * a->radius / a->width) * (off * a->radius / a->width));
          }
        img[py * size + px] += (float) (amp * fade * exp (-0.5 * across * across));
      }
}

/* Separable Gaussian PSF with the seeing of the band. */
static void
blur (float  *img,
      guint   size,
      double  sigma)
{
  int radius = (int) ceil (3.5 * sigma);
  int klen = 2 * radius + 1;
  g_autofree float *kernel = g_new (float, klen);
  g_autofree float *tmp = g_new0 (float, (gsize) size * size);
  double sum = 0;

  for (int k = -radius; k <= radius; k++)
    sum += kernel[k + radius] = (float) exp (-0.5 * k * k / (sigma * sigma));
  for (int k = 0; k < klen; k++)
    kernel[k] /= (float) sum;

  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      {
        float acc = 0;
        for (int k = -radius; k <= radius; k++)
          {
            int xx = CLAMP ((int) x + k, 0, (int) size - 1);
            acc += kernel[k + radius] * img[y * size + xx];
          }
        tmp[y * size + x] = acc;
      }
  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      {
        float acc = 0;
        for (int k = -radius; k <= radius; k++)
          {
            int yy = CLAMP ((int) y + k, 0, (int) size - 1);
            acc += kernel[k + radius] * tmp[yy * size + x];
          }
        img[y * size + x] = acc;
      }
}

static double
mag_to_flux (double mag)
{
  return pow (10.0, -0.4 * (mag - ZERO_POINT));
}

static void
random_galaxy (Rng    *rng,
               Source *s,
               double  x,
               double  y,
               double  mag)
{
  double gr = rng_range (rng, 0.3, 1.2);

  s->x = x;
  s->y = y;
  s->flux_r = mag_to_flux (mag);
  s->colour[0] = gr;
  s->colour[1] = 0;
  s->colour[2] = -(0.25 * gr + rng_range (rng, 0.0, 0.3));
  /* Bright galaxies are larger; re in arcsec from ~0.4 to ~2.5. */
  s->re = CLAMP (exp (rng_normal (rng) * 0.35) * (2.2 - 0.08 * (mag - 18)) / PIXEL_SCALE * 0.5, 1.2, 14.0);
  s->n = rng_uniform (rng) < 0.6 ? rng_range (rng, 0.7, 1.5) : rng_range (rng, 2.5, 4.0);
  s->q = rng_range (rng, 0.3, 1.0);
  s->theta = rng_range (rng, 0, G_PI);
}

static void
random_star (Rng    *rng,
             Source *s,
             double  x,
             double  y,
             double  mag)
{
  double gr = rng_range (rng, 0.2, 1.5);

  memset (s, 0, sizeof *s);
  s->x = x;
  s->y = y;
  s->flux_r = mag_to_flux (mag);
  s->colour[0] = gr;
  s->colour[2] = -0.4 * gr;
}

typedef struct
{
  const char *dir;
  guint       size;
  guint64     seed;
  guint       n;
  guint64    *ids;
  Label      *labels;
  char      **errors;      /* per object, NULL when written */
  GCancellable *cancellable;
  DassieProgressFunc progress;
  gpointer    user_data;
  DassieEta   eta;
  GMutex      lock;
  volatile gint done;
} DemoWork;

/* The demo's field: HSC-SSP Wide in COSMOS (tract 9813), 1.4° on a side around 150.1°, +2.2°. */
#define DEMO_TRACT     9813
#define DEMO_RA0       149.4
#define DEMO_DEC0      1.5
#define DEMO_FIELD     1.4
#define HSC_PIXEL_DEG  (0.168 / 3600.0)

/* The radical inverse of @i in @base (a Halton sequence): positions spread evenly over the field
 * without drawing from the generator, so the pixels stay what they were. */
static double
halton (guint i,
        guint base)
{
  double f = 1, r = 0;

  for (; i > 0; i /= base)
    {
      f /= base;
      r += f * (i % base);
    }
  return r;
}

static void
demo_position (guint   index,
               double *ra,
               double *dec)
{
  *dec = DEMO_DEC0 + DEMO_FIELD * halton (index + 1, 3);
  *ra = DEMO_RA0 + DEMO_FIELD * halton (index + 1, 2) / cos (*dec * G_PI / 180.0);
}

static char *
write_fits (const char  *path,
            const float *img,
            guint        size,
            const char  *band,
            const char  *object_id,
            double       ra,
            double       dec)
{
  double crpix = (size + 1) / 2.0, cd1 = -HSC_PIXEL_DEG, cd2 = HSC_PIXEL_DEG, equinox = 2000.0;
  g_autofree char *temp = dassie_temp_path_for (path);
  g_autofree char *create = g_strconcat ("!", temp, NULL);
  g_autofree char *filter = g_strdup_printf ("HSC-%s", band);
  fitsfile *fptr = NULL;
  int status = 0;
  long naxes[2] = { size, size };
  g_autoptr(GError) error = NULL;

  /* As the HSC cutout service writes them: an empty primary HDU, then the image. */
  fits_create_file (&fptr, create, &status);
  fits_create_img (fptr, FLOAT_IMG, 0, NULL, &status);
  fits_write_key_str (fptr, "ORIGIN", "Dassie demo data", NULL, &status);
  fits_create_img (fptr, FLOAT_IMG, 2, naxes, &status);
  fits_write_key_str (fptr, "EXTNAME", "IMAGE", NULL, &status);
  fits_write_key_str (fptr, "FILTER", filter, NULL, &status);
  fits_write_key_str (fptr, "OBJECTID", object_id, NULL, &status);
  fits_write_key_str (fptr, "BUNIT", "nJy-like (zero point 27 mag)", NULL, &status);
  /* A TAN WCS centred on the object at HSC's 0.168″, north up and east left, as the cutout service
   * writes (it gives CRPIX relative to the tract; the sky is the same). */
  fits_write_key_str (fptr, "CTYPE1", "RA---TAN", NULL, &status);
  fits_write_key_str (fptr, "CTYPE2", "DEC--TAN", NULL, &status);
  fits_write_key (fptr, TDOUBLE, "CRPIX1", &crpix, "Reference pixel on axis 1", &status);
  fits_write_key (fptr, TDOUBLE, "CRPIX2", &crpix, "Reference pixel on axis 2", &status);
  fits_write_key (fptr, TDOUBLE, "CRVAL1", &ra, "Value at ref. pixel on axis 1", &status);
  fits_write_key (fptr, TDOUBLE, "CRVAL2", &dec, "Value at ref. pixel on axis 2", &status);
  fits_write_key (fptr, TDOUBLE, "CD1_1", &cd1, "Transformation matrix element", &status);
  fits_write_key (fptr, TDOUBLE, "CD2_2", &cd2, "Transformation matrix element", &status);
  fits_write_key_str (fptr, "CUNIT1", "deg", NULL, &status);
  fits_write_key_str (fptr, "CUNIT2", "deg", NULL, &status);
  fits_write_key_str (fptr, "RADESYS", "ICRS", "Reference frame for RA/DEC values", &status);
  fits_write_key (fptr, TDOUBLE, "EQUINOX", &equinox, NULL, &status);
  fits_write_img (fptr, TFLOAT, 1, (LONGLONG) size * size, (float *) img, &status);
  fits_close_file (fptr, &status);
  if (status != 0)
    {
      dassie_fits_fail (status, path, _("write"), &error);
      g_unlink (temp);
      return g_strdup (error->message);
    }
  if (!dassie_rename_into_place (temp, path, &error))
    return g_strdup (error->message);
  return NULL;
}

static void
render_object (DemoWork *w,
               guint     index)
{
  guint size = w->size;
  gsize plane = (gsize) size * size;
  Rng rng = { w->seed * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D) + index * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) + 1 };
  Label label = w->labels[index];
  g_autofree float *img = g_new0 (float, plane * N_BANDS);
  Source sources[48];
  guint n_sources = 0;
  Arc arcs[2];
  guint n_arcs = 0;
  double scale = size / 96.0;
  double c = (size - 1) / 2.0;
  double seeing[N_BANDS] = { rng_range (&rng, 0.75, 1.0), rng_range (&rng, 0.65, 0.85), rng_range (&rng, 0.55, 0.75) };
  double sky_sigma[N_BANDS] = { 0.035, 0.045, 0.055 };
  double ra, dec;
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, w->ids[index]);
  guint n_neighbours;

  /* The object itself: mostly galaxies, some stars, centred to within a pixel. */
  if (rng_uniform (&rng) < 0.12)
    random_star (&rng, &sources[n_sources++], c + rng_range (&rng, -0.5, 0.5), c + rng_range (&rng, -0.5, 0.5),
                 rng_range (&rng, 18.5, 22.5));
  else
    random_galaxy (&rng, &sources[n_sources++], c + rng_range (&rng, -0.7, 0.7), c + rng_range (&rng, -0.7, 0.7),
                   rng_range (&rng, 18.5, 22.0));

  /* Unrelated faint neighbours, as in any deep field. */
  n_neighbours = (guint) rng_range (&rng, 0, 4);
  for (guint k = 0; k < n_neighbours; k++)
    {
      double x = rng_range (&rng, 0, size - 1), y = rng_range (&rng, 0, size - 1);

      if (hypot (x - c, y - c) < 14)
        continue;
      if (rng_uniform (&rng) < 0.3)
        random_star (&rng, &sources[n_sources++], x, y, rng_range (&rng, 21, 25));
      else
        random_galaxy (&rng, &sources[n_sources++], x, y, rng_range (&rng, 22, 25));
    }

  switch (label)
    {
    case LABEL_MERGER:
      {
        double angle = rng_range (&rng, 0, 2 * G_PI), sep = rng_range (&rng, 6, 14);
        Source *main = &sources[0];

        if (main->re <= 0)
          random_galaxy (&rng, main, c, c, rng_range (&rng, 18.5, 20.5));
        main->x = c - 0.5 * sep * cos (angle);
        main->y = c - 0.5 * sep * sin (angle);
        random_galaxy (&rng, &sources[n_sources], c + 0.5 * sep * cos (angle), c + 0.5 * sep * sin (angle),
                       -2.5 * log10 (main->flux_r) + ZERO_POINT + rng_range (&rng, -0.3, 0.6));
        /* Tidal features: a faint, very elongated component between the two. */
        n_sources++;
        random_galaxy (&rng, &sources[n_sources], c, c, -2.5 * log10 (main->flux_r) + ZERO_POINT + 1.5);
        sources[n_sources].q = 0.15;
        sources[n_sources].theta = angle;
        sources[n_sources].re = sep * 1.2;
        sources[n_sources].n = 0.5;
        n_sources++;
      }
      break;
    case LABEL_CROWDED:
      {
        guint extra = (guint) rng_range (&rng, 18, 30);

        for (guint k = 0; k < extra && n_sources < G_N_ELEMENTS (sources); k++)
          {
            double x = rng_range (&rng, 4, size - 4), y = rng_range (&rng, 4, size - 4);

            if (rng_uniform (&rng) < 0.6)
              random_star (&rng, &sources[n_sources++], x, y, rng_range (&rng, 19, 23));
            else
              random_galaxy (&rng, &sources[n_sources++], x, y, rng_range (&rng, 20, 23));
          }
      }
      break;
    case LABEL_COLOUR:
      /* Far off the galaxy locus: very blue (star-forming knot, quasar-like) or very red. */
      if (rng_uniform (&rng) < 0.5)
        {
          sources[0].colour[0] = rng_range (&rng, -1.2, -0.6);
          sources[0].colour[2] = rng_range (&rng, 0.5, 1.0);
        }
      else
        {
          sources[0].colour[0] = rng_range (&rng, 2.5, 3.5);
          sources[0].colour[2] = rng_range (&rng, -1.8, -1.2);
        }
      break;
    case LABEL_SATURATED:
      random_star (&rng, &sources[n_sources++], c + rng_range (&rng, -20, 20), c + rng_range (&rng, -20, 20),
                   rng_range (&rng, 12.0, 13.5));
      break;
    case LABEL_RING:
      {
        /* A collisional ring: a compact core inside a blue, star-forming ring. */
        Arc *ring = &arcs[n_arcs++];

        random_galaxy (&rng, &sources[0], c, c, rng_range (&rng, 19.0, 20.5));
        sources[0].re = MIN (sources[0].re, 4.0 * scale);
        *ring = (Arc) { c, c, rng_range (&rng, 12, 22) * scale, rng_range (&rng, 2.0, 3.5) * scale,
                        rng_range (&rng, 0.55, 1.0), rng_range (&rng, 0, G_PI), 0, 2 * G_PI,
                        rng_range (&rng, 1.5, 4.0), { rng_range (&rng, 0.0, 0.3), 0, rng_range (&rng, -0.2, 0.0) } };
      }
      break;
    case LABEL_LENSED_ARC:
      {
        /* A massive red elliptical bending a blue background galaxy into an arc around it. */
        Arc *arc = &arcs[n_arcs++];

        random_galaxy (&rng, &sources[0], c, c, rng_range (&rng, 18.5, 19.5));
        sources[0].n = 4.0;
        sources[0].colour[0] = rng_range (&rng, 1.1, 1.5);
        sources[0].colour[2] = -rng_range (&rng, 0.4, 0.6);
        *arc = (Arc) { c, c, rng_range (&rng, 10, 16) * scale, rng_range (&rng, 1.2, 2.0) * scale, 1.0, 0,
                       rng_range (&rng, 0, 2 * G_PI), rng_range (&rng, 1.5, 3.0), rng_range (&rng, 2.0, 5.0),
                       { rng_range (&rng, -0.1, 0.3), 0, rng_range (&rng, -0.2, 0.1) } };
      }
      break;
    case LABEL_TIDAL_TAIL:
      {
        /* Two long, faint tails leaving a disturbed galaxy on opposite sides and curving the same way. */
        double psi = rng_range (&rng, 0, 2 * G_PI), bend = rng_range (&rng, 22, 36) * scale;
        double span = rng_range (&rng, 0.8, 1.3), width = rng_range (&rng, 2.5, 4.0) * scale;
        double peak = rng_range (&rng, 0.8, 2.0);

        random_galaxy (&rng, &sources[0], c, c, rng_range (&rng, 18.5, 20.0));
        for (int side = 0; side < 2; side++)
          {
            double dir = psi + side * G_PI;

            arcs[n_arcs++] = (Arc) { c + bend * cos (dir), c + bend * sin (dir), bend, width, 1.0, 0,
                                     dir + G_PI, span, peak,
                                     { sources[0].colour[0], 0, sources[0].colour[2] } };
          }
      }
      break;
    default:
      break;
    }

  for (guint b = 0; b < N_BANDS; b++)
    {
      float *p = img + b * plane;

      for (guint k = 0; k < n_sources; k++)
        add_source (p, size, &sources[k], b);
      for (guint k = 0; k < n_arcs; k++)
        add_arc (p, size, &arcs[k], b);
      blur (p, size, seeing[b] / PIXEL_SCALE / 2.355);
    }

  if (label == LABEL_SATURATED)
    {
      /* Clip at the saturation level and bleed along the readout columns. */
      const Source *star = &sources[n_sources - 1];
      int sx = CLAMP ((int) round (star->x), 0, (int) size - 1);

      for (guint b = 0; b < N_BANDS; b++)
        {
          float *p = img + b * plane;
          int bleed = (int) rng_range (&rng, 10, 30);

          for (gsize j = 0; j < plane; j++)
            p[j] = MIN (p[j], SATURATION);
          for (int dy = -bleed; dy <= bleed; dy++)
            {
              int yy = (int) round (star->y) + dy;
              if (yy >= 0 && yy < (int) size)
                for (int dx = -1; dx <= 1; dx++)
                  if (sx + dx >= 0 && sx + dx < (int) size)
                    p[yy * size + sx + dx] = SATURATION;
            }
        }
    }

  if (label == LABEL_TRAIL)
    {
      /* A satellite trail: a sharp bright line across the field, in one or all bands. */
      double angle = rng_range (&rng, 0, G_PI), offset = rng_range (&rng, -25, 25);
      double width = rng_range (&rng, 0.8, 1.6), amp = rng_range (&rng, 3.0, 12.0);
      guint only = rng_uniform (&rng) < 0.5 ? (guint) rng_range (&rng, 0, N_BANDS) : N_BANDS;

      for (guint b = 0; b < N_BANDS; b++)
        {
          float *p = img + b * plane;

          if (only != N_BANDS && b != only)
            continue;
          for (guint y = 0; y < size; y++)
            for (guint x = 0; x < size; x++)
              {
                double d = (x - c) * sin (angle) - (y - c) * cos (angle) - offset;
                p[y * size + x] += (float) (amp * exp (-0.5 * d * d / (width * width)));
              }
        }
    }

  /* Sky noise: Gaussian, zero mean after sky subtraction, plus the source's own Poisson noise. */
  for (guint b = 0; b < N_BANDS; b++)
    {
      float *p = img + b * plane;

      for (gsize j = 0; j < plane; j++)
        {
          double var = sky_sigma[b] * sky_sigma[b] + MAX (p[j], 0) * 0.002;
          if (p[j] < SATURATION)
            p[j] += (float) (sqrt (var) * rng_normal (&rng));
        }
    }

  if (label == LABEL_NAN_HOLE)
    {
      /* A masked region: a blob of NaN (a chip gap or a bad-pixel mask) in every band. */
      double hx = rng_range (&rng, 20, size - 20), hy = rng_range (&rng, 20, size - 20), hr = rng_range (&rng, 5, 14);
      gboolean column = rng_uniform (&rng) < 0.4;

      for (guint b = 0; b < N_BANDS; b++)
        for (guint y = 0; y < size; y++)
          for (guint x = 0; x < size; x++)
            if (column ? fabs (x - hx) < hr * 0.4 : hypot (x - hx, y - hy) < hr)
              img[b * plane + y * size + x] = NAN;
    }

  demo_position (index, &ra, &dec);
  for (guint b = 0; b < N_BANDS; b++)
    {
      g_autofree char *name = g_strdup_printf ("%s_demo_HSC-%s.fits", id, band_names[b]);
      g_autofree char *path = g_build_filename (w->dir, name, NULL);
      char *error = write_fits (path, img + b * plane, size, band_names[b], id, ra, dec);

      if (error != NULL)
        {
          w->errors[index] = error;
          return;
        }
    }
}

static void
render_range (guint    begin,
              guint    end,
              gpointer data)
{
  DemoWork *w = data;

  for (guint i = begin; i < end; i++)
    {
      guint done;

      if (g_cancellable_is_cancelled (w->cancellable))
        return;
      render_object (w, i);
      done = (guint) g_atomic_int_add (&w->done, 1) + 1;
      if (w->progress != NULL && (done % 25 == 0 || done == w->n))
        {
          DassieProgress p = { "make-demo", (double) done / w->n, -1, -1, NULL };
          g_autofree char *msg = g_strdup_printf (_("%u of %u objects"), done, w->n);

          g_mutex_lock (&w->lock);
          p.message = msg;
          dassie_eta_update (&w->eta, done, w->n, &p.rate, &p.eta_seconds);
          w->progress (&p, w->user_data);
          g_mutex_unlock (&w->lock);
        }
    }
}

static gboolean
write_manifest (const char  *dir,
                DemoWork    *w,
                GError     **error)
{
  g_autofree char *path = g_build_filename (dir, "manifest.fits", NULL);
  g_autofree char *temp = dassie_temp_path_for (path);
  g_autofree char *create = g_strconcat ("!", temp, NULL);
  char *ttype[] = { (char *) "object_id", (char *) "filter", (char *) "filename", (char *) "dim",
                    (char *) "ra", (char *) "dec", (char *) "tract" };
  char *tform[] = { (char *) "1K", (char *) "5A", (char *) "64A", (char *) "2J", (char *) "1D", (char *) "1D",
                    (char *) "1J" };
  char *tunit[] = { NULL, NULL, NULL, NULL, (char *) "deg", (char *) "deg", NULL };
  guint rows = w->n * N_BANDS;
  g_autofree gint64 *ids = g_new (gint64, rows);
  g_autofree char **filters = g_new (char *, rows);
  g_autofree char **files = g_new (char *, rows);
  g_autofree gint32 *dims = g_new (gint32, rows * 2);
  g_autofree double *ras = g_new (double, rows);
  g_autofree double *decs = g_new (double, rows);
  g_autofree gint32 *tracts = g_new (gint32, rows);
  fitsfile *fptr = NULL;
  int status = 0;

  for (guint i = 0; i < w->n; i++)
    for (guint b = 0; b < N_BANDS; b++)
      {
        guint r = i * N_BANDS + b;

        ids[r] = (gint64) w->ids[i];
        filters[r] = g_strdup_printf ("HSC-%s", band_names[b]);
        files[r] = g_strdup_printf ("%" G_GUINT64_FORMAT "_demo_HSC-%s.fits", w->ids[i], band_names[b]);
        dims[2 * r] = dims[2 * r + 1] = (gint32) w->size;
        demo_position (i, &ras[r], &decs[r]);
        tracts[r] = DEMO_TRACT;
      }

  fits_create_file (&fptr, create, &status);
  fits_create_tbl (fptr, BINARY_TBL, rows, 7, ttype, tform, tunit, "MANIFEST", &status);
  fits_write_col (fptr, TLONGLONG, 1, 1, 1, rows, ids, &status);
  fits_write_col (fptr, TSTRING, 2, 1, 1, rows, filters, &status);
  fits_write_col (fptr, TSTRING, 3, 1, 1, rows, files, &status);
  fits_write_col (fptr, TINT, 4, 1, 1, (LONGLONG) rows * 2, dims, &status);
  fits_write_col (fptr, TDOUBLE, 5, 1, 1, rows, ras, &status);
  fits_write_col (fptr, TDOUBLE, 6, 1, 1, rows, decs, &status);
  fits_write_col (fptr, TINT, 7, 1, 1, rows, tracts, &status);
  fits_close_file (fptr, &status);

  for (guint r = 0; r < rows; r++)
    {
      g_free (filters[r]);
      g_free (files[r]);
    }

  if (status != 0)
    {
      dassie_fits_fail (status, path, _("write"), error);
      g_unlink (temp);
      return FALSE;
    }
  return dassie_rename_into_place (temp, path, error);
}

void
dassie_demo_options_init (DassieDemoOptions *options)
{
  g_return_if_fail (options != NULL);

  options->n_objects = 1000;
  options->size = 96;
  options->seed = 42;
}

gboolean
dassie_demo_generate (const char              *dir,
                      const DassieDemoOptions *options,
                      GCancellable            *cancellable,
                      DassieProgressFunc       progress,
                      gpointer                 user_data,
                      GError                 **error)
{
  DassieDemoOptions defaults;
  DemoWork w = { 0 };
  g_autofree guint64 *ids = NULL;
  g_autofree Label *labels = NULL;
  g_autoptr(GString) csv = NULL;
  g_autofree char *labels_path = NULL;
  g_autoptr(GHashTable) used = NULL;
  Rng rng;
  gboolean ok = TRUE;

  g_return_val_if_fail (dir != NULL, FALSE);

  if (options == NULL)
    {
      dassie_demo_options_init (&defaults);
      options = &defaults;
    }
  g_return_val_if_fail (options->n_objects > 0 && options->size >= 16, FALSE);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  /* Ids look like HSC PDR2 object ids: 17 digits, unique, from the seed. */
  rng.state = options->seed ^ G_GUINT64_CONSTANT (0xD1B54A32D192ED03);
  ids = g_new (guint64, options->n_objects);
  labels = g_new0 (Label, options->n_objects);
  used = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < options->n_objects; i++)
    {
      do
        ids[i] = G_GUINT64_CONSTANT (36411452835000000) + (rng_next (&rng) % G_GUINT64_CONSTANT (900000000));
      while (g_hash_table_contains (used, &ids[i]));
      g_hash_table_add (used, &ids[i]);
    }

  /* About 5 % anomalies, the kinds in turn so that each is represented even in small sets. */
  {
    guint n_anomalies = MAX (N_LABELS - 1, (guint) round (options->n_objects * 0.05));

    n_anomalies = MIN (n_anomalies, options->n_objects / 2);
    for (guint k = 0; k < n_anomalies; k++)
      {
        guint i;

        do
          i = (guint) (rng_next (&rng) % options->n_objects);
        while (labels[i] != LABEL_NORMAL);
        labels[i] = (Label) (1 + k % (N_LABELS - 1));
      }
  }

  w.dir = dir;
  w.size = options->size;
  w.seed = options->seed;
  w.n = options->n_objects;
  w.ids = ids;
  w.labels = labels;
  w.errors = g_new0 (char *, options->n_objects);
  w.cancellable = cancellable;
  w.progress = progress;
  w.user_data = user_data;
  g_mutex_init (&w.lock);
  dassie_eta_start (&w.eta);

  dassie_parallel_for (options->n_objects, 0, render_range, &w);
  g_mutex_clear (&w.lock);

  for (guint i = 0; i < options->n_objects; i++)
    {
      if (ok && w.errors[i] != NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, w.errors[i]);
          ok = FALSE;
        }
      g_free (w.errors[i]);
    }
  g_free (w.errors);
  if (!ok)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!write_manifest (dir, &w, error))
    return FALSE;

  csv = g_string_new (LABELS_CSV_HEADER);
  for (guint i = 0; i < options->n_objects; i++)
    g_string_append_printf (csv, "%" G_GUINT64_FORMAT ",%s,%s\n", ids[i], verdicts[labels[i]], label_names[labels[i]]);
  labels_path = g_build_filename (dir, "labels.csv", NULL);
  return dassie_write_file_atomic (labels_path, csv->str, csv->len, error);
}

char *
dassie_demo_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "dassie", "demo", NULL);
}

char *
dassie_demo_ensure (GCancellable       *cancellable,
                    DassieProgressFunc  progress,
                    gpointer            user_data,
                    GError            **error)
{
  g_autofree char *dir = dassie_demo_default_dir ();
  g_autofree char *labels = g_build_filename (dir, "labels.csv", NULL);
  g_autofree char *building = g_strconcat (dir, ".incomplete", NULL);

  g_autofree char *text = NULL;

  /* labels.csv is written last: its presence means the set is complete; a set of an older version
   * (another header) is made again, so that it has every kind. */
  if (g_file_get_contents (labels, &text, NULL, NULL) && g_str_has_prefix (text, LABELS_CSV_HEADER))
    return g_steal_pointer (&dir);

  if (!dassie_remove_tree (building, error))
    return NULL;
  if (!dassie_demo_generate (building, NULL, cancellable, progress, user_data, error))
    {
      dassie_remove_tree (building, NULL);
      return NULL;
    }
  if (!dassie_remove_tree (dir, error))
    return NULL;
  if (g_rename (building, dir) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not move the demo data into “%s”: %s"), dir, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&dir);
}
