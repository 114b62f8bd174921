# SPDX-License-Identifier: GPL-3.0-or-later
"""Real cutouts with injected artifacts for bench/real-anomalies.sh.

Cuts 64x64 3-band cutouts (HSC-G/R/I from the blue/green/red channels) out of the Hubble Deep Field
image that scikit-image ships, centred on detected sources, scaled to sky-subtracted survey-like
pixels (noise of a few hundredths, as the demo set), and injects artifacts into a few per cent of them.
Writes DATA/<id>_hdf_HSC-<band>.fits (primary HDU empty, the image in an IMAGE extension, as
dassie-cli make-demo writes them) and the truth, object_id,kind, to LABELS (outside DATA).

Usage: python3 real-anomalies-data.py DATA LABELS [--seed S] [--objects N] [--fraction F]
"""
import argparse
import csv
import os
import sys

import numpy as np
from astropy.io import fits
from scipy import ndimage
from skimage import data as skdata
from skimage.feature import peak_local_max

SIZE = 64
HALF = SIZE // 2
BANDS = ("G", "R", "I")          # from the blue, green and red channels
SKY_SIGMA = (0.035, 0.045, 0.055)  # target noise per band, as the demo set's HSC-like pixels
KINDS = ("satellite_trail", "cosmic_ray", "bad_column", "saturated_star", "blend")
ID_BASE = 70000000000000000      # 17 digits, as HSC object ids


def survey_image(rng):
    """The HDF as float bands (G, R, I), sky-subtracted and scaled to SKY_SIGMA noise."""
    rgb = skdata.hubble_deep_field().astype(np.float64)
    # The JPEG's 8-bit counts are dithered by a uniform half count so that the noise is not quantised.
    rgb += rng.uniform(-0.5, 0.5, size=rgb.shape)
    bands = []
    for b, channel in enumerate((2, 1, 0)):
        img = rgb[..., channel]
        # Sky: medians of 40-pixel blocks, smoothly interpolated (sources are small), then the noise
        # from the MAD of what is left.
        h, w = (img.shape[0] // 40) * 40, (img.shape[1] // 40) * 40
        blocks = np.median(img[:h, :w].reshape(h // 40, 40, w // 40, 40), axis=(1, 3))
        blocks = ndimage.median_filter(blocks, size=3, mode="nearest")
        zoom = (img.shape[0] / blocks.shape[0], img.shape[1] / blocks.shape[1])
        sky = ndimage.zoom(blocks, zoom, order=1, mode="nearest", grid_mode=True)
        res = img - sky
        mad = np.median(np.abs(res - np.median(res)))
        sigma = 1.4826 * mad if mad > 0 else res.std()
        bands.append(res / sigma * SKY_SIGMA[b])
    return np.stack(bands)  # (3, H, W)


def detect(image, n_objects):
    """Source centres: local maxima of the smoothed band sum, brightest first, at least 4 px apart,
    far enough from the edges for a whole cutout."""
    total = sum(image[b] / SKY_SIGMA[b] for b in range(len(BANDS)))
    smooth = ndimage.gaussian_filter(total, 1.5)
    noise = 1.4826 * np.median(np.abs(smooth - np.median(smooth)))
    peaks = peak_local_max(smooth, min_distance=4, threshold_abs=5 * noise, exclude_border=HALF + 1,
                           num_peaks=n_objects)
    if len(peaks) < n_objects:
        print(f"real-anomalies-data: only {len(peaks)} sources above 5 sigma; using all of them",
              file=sys.stderr)
    return peaks


def mad_sigma(plane):
    return max(1.4826 * np.median(np.abs(plane - np.median(plane))), 1e-6)


def source_profile(sigma, cy, cx, q=1.0, theta=0.0, profile="gauss"):
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    dy, dx = y - cy, x - cx
    c, s = np.cos(theta), np.sin(theta)
    u, v = c * dx + s * dy, (-s * dx + c * dy) / q
    r2 = (u * u + v * v) / (sigma * sigma)
    if profile == "exp":
        return np.exp(-np.sqrt(r2))
    if profile == "moffat":
        return (1 + r2) ** -2.5
    return np.exp(-0.5 * r2)


# Each injector changes cut (3, SIZE, SIZE) in place; sig[b] is the cutout's own noise (MAD), peak[b]
# its brightest pixel near the centre, so that every artifact is as visible in a faint cutout as in
# a bright one.

def satellite_trail(cut, sig, peak, rng):
    theta = rng.uniform(0, np.pi)
    offset = rng.uniform(-20, 20)          # distance of the line from the centre, px
    width = rng.uniform(0.6, 1.2)          # Gaussian sigma across the trail, px
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    d = (x - HALF + 0.5) * np.sin(theta) - (y - HALF + 0.5) * np.cos(theta) - offset
    profile = np.exp(-0.5 * (d / width) ** 2)
    level = rng.uniform(0.15, 0.5)
    for b in range(cut.shape[0]):
        amp = max(rng.uniform(8, 20) * sig[b], level * peak[b])
        cut[b] += amp * profile


def cosmic_ray(cut, sig, peak, rng):
    b = rng.integers(cut.shape[0])
    for _ in range(rng.integers(1, 4)):
        y, x = rng.integers(4, SIZE - 4, size=2)
        length = rng.integers(1, 6)
        dy, dx = [(0, 1), (1, 0), (1, 1), (1, -1)][rng.integers(4)]
        for k in range(length):
            amp = max(rng.uniform(30, 100) * sig[b], rng.uniform(0.5, 2.0) * peak[b])
            cut[b, y + k * dy, x + k * dx] += amp


def bad_column(cut, sig, peak, rng):
    b = rng.integers(cut.shape[0])
    if rng.uniform() < 0.5:
        # Hot: from some row to the readout edge, somewhere near the object.
        col = HALF + rng.integers(-10, 11)
        start = rng.integers(0, SIZE // 2) if rng.uniform() < 0.5 else 0
        cut[b, start:, col] = max(rng.uniform(10, 40) * sig[b], rng.uniform(0.3, 1.0) * peak[b])
    else:
        # Dead: zero counts, which after sky subtraction is minus the sky, a few noise sigmas below
        # zero (sky counts S have noise sqrt(S)); across the whole cutout and through the object.
        col = HALF + rng.integers(-2, 3)
        cut[b, :, col] = -rng.uniform(3, 6) * sig[b]


def saturated_star(cut, sig, peak, rng):
    cy, cx = rng.uniform(12, SIZE - 12, size=2)
    width = rng.uniform(1.2, 2.0)
    star = source_profile(width, cy, cx, profile="moffat")
    colour = rng.uniform(0.6, 1.4, size=cut.shape[0])
    bleed = int(rng.integers(6, 20))
    for b in range(cut.shape[0]):
        sat = max(rng.uniform(1.5, 3.0) * peak[b], 100 * sig[b])
        cut[b] += rng.uniform(5, 20) * sat * colour[b] * star
        # Charge bleeds along the columns through the saturated core.
        col = int(round(cx))
        y0, y1 = max(int(cy) - bleed, 0), min(int(cy) + bleed + 1, SIZE)
        cut[b, y0:y1, col - 1:col + 2] = np.maximum(cut[b, y0:y1, col - 1:col + 2], sat)
        np.minimum(cut[b], sat, out=cut[b])


def blend(cut, sig, peak, rng):
    r = rng.uniform(4, 10)
    a = rng.uniform(0, 2 * np.pi)
    cy, cx = HALF - 0.5 + r * np.sin(a), HALF - 0.5 + r * np.cos(a)
    galaxy = source_profile(rng.uniform(1.5, 4.0), cy, cx, q=rng.uniform(0.3, 1.0),
                           theta=rng.uniform(0, np.pi), profile="exp")
    colour = rng.uniform(0.5, 1.5, size=cut.shape[0])
    for b in range(cut.shape[0]):
        amp = max(rng.uniform(0.5, 1.5) * peak[b], 10 * sig[b])
        cut[b] += amp * colour[b] * galaxy


INJECT = {"satellite_trail": satellite_trail, "cosmic_ray": cosmic_ray, "bad_column": bad_column,
          "saturated_star": saturated_star, "blend": blend}


def write_fits(path, img, band, object_id):
    primary = fits.PrimaryHDU()
    primary.header["ORIGIN"] = "Dassie real-anomalies bench (Hubble Deep Field)"
    ext = fits.ImageHDU(img.astype(np.float32), name="IMAGE")
    ext.header["FILTER"] = f"HSC-{band}"
    ext.header["OBJECTID"] = str(object_id)
    tmp = path + ".part"
    fits.HDUList([primary, ext]).writeto(tmp, overwrite=True)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("labels")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--objects", type=int, default=1269)
    ap.add_argument("--fraction", type=float, default=0.04)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    image = survey_image(rng)
    peaks = detect(image, args.objects)
    n = len(peaks)
    # The artifacts: about fraction × n objects, the kinds in equal numbers.
    per_kind = max(1, int(round(args.fraction * n / len(KINDS))))
    chosen = rng.choice(n, size=per_kind * len(KINDS), replace=False)
    kind_of = {int(i): KINDS[k // per_kind] for k, i in enumerate(chosen)}

    os.makedirs(args.data, exist_ok=True)
    rows = []
    for i, (py, px) in enumerate(peaks):
        cut = image[:, py - HALF:py + HALF, px - HALF:px + HALF].copy()
        object_id = ID_BASE + i
        kind = kind_of.get(i, "normal")
        if kind != "normal":
            sig = [mad_sigma(cut[b]) for b in range(cut.shape[0])]
            core = cut[:, HALF - 3:HALF + 3, HALF - 3:HALF + 3]
            peak = [max(float(core[b].max()), 5 * sig[b]) for b in range(cut.shape[0])]
            INJECT[kind](cut, sig, peak, rng)
        for b, band in enumerate(BANDS):
            write_fits(os.path.join(args.data, f"{object_id}_hdf_HSC-{band}.fits"), cut[b], band, object_id)
        rows.append((object_id, kind))

    os.makedirs(os.path.dirname(os.path.abspath(args.labels)), exist_ok=True)
    tmp = args.labels + ".part"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("object_id", "kind"))
        w.writerows(rows)
    os.replace(tmp, args.labels)
    print(f"{n} objects, {len(chosen)} with artifacts ({per_kind} of each of {len(KINDS)} kinds)")


if __name__ == "__main__":
    main()
