#!/usr/bin/python3
# display-reference.py: reference numbers for tests/test-display.c, from numpy (Debian's python3-numpy)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run: /usr/bin/python3 tests/reference/display-reference.py
# The images are made exactly as make_image() in test-display.c makes them (an LCG and exact float32
# arithmetic), then limited and mapped with numpy following astropy's ZScaleInterval.get_limits,
# PercentileInterval and make_lupton_rgb (Lupton et al. 2004), written out here step by step.
import numpy as np


def lcg_uniform(state):
    state = (1664525 * state + 1013904223) % 2**32
    return state, (state >> 8) / 16777216.0


def make_image(width, height, seed, peak, nan_every):
    state = seed
    img = np.zeros(height * width, dtype=np.float32)
    for y in range(height):
        for x in range(width):
            i = y * width + x
            state, u1 = lcg_uniform(state)
            state, u2 = lcg_uniform(state)
            state, u3 = lcg_uniform(state)
            dx = x - width / 2.0
            dy = y - height / 2.0
            v = 10.0 + 2.0 * (u1 + u2 + u3 - 1.5) + peak / (1.0 + (dx * dx + dy * dy) / 16.0)
            if i % 211 == 7:
                v += 500.0
            if nan_every and i % nan_every == 5:
                v = float("nan")
            img[i] = np.float32(v)
    return img


def zscale(values, n_samples=1000, contrast=0.25, max_reject=0.5, min_npixels=5, krej=2.5,
           max_iterations=5):
    values = np.asarray(values)
    values = values[np.isfinite(values)]
    stride = int(max(1.0, values.size / n_samples))
    samples = values[::stride][:n_samples]
    samples.sort()
    npix = len(samples)
    vmin = samples[0]
    vmax = samples[-1]
    minpix = max(min_npixels, int(npix * max_reject))
    x = np.arange(npix)
    ngoodpix = npix
    last_ngoodpix = npix + 1
    badpix = np.zeros(npix, dtype=bool)
    ngrow = max(1, int(npix * 0.01))
    kernel = np.ones(ngrow, dtype=bool)
    for _ in range(max_iterations):
        if ngoodpix >= last_ngoodpix or ngoodpix < minpix:
            break
        fit = np.polyfit(x, samples, deg=1, w=(~badpix).astype(int))
        flat = samples - np.poly1d(fit)(x)
        threshold = krej * flat[~badpix].std()
        badpix[(flat < -threshold) | (flat > threshold)] = True
        badpix = np.convolve(badpix, kernel, mode="same")
        last_ngoodpix = ngoodpix
        ngoodpix = np.sum(~badpix)
    if ngoodpix >= minpix:
        slope = fit[0] / contrast
        center = (npix - 1) // 2
        median = np.median(samples)
        vmin = max(vmin, median - (center - 1) * slope)
        vmax = min(vmax, median + (npix - center) * slope)
    return float(vmin), float(vmax)


def lupton(r, g, b, minimum, data_range, q):
    slope = 0.1 * 255.0 / np.arcsinh(0.1 * q)
    soften = q / data_range
    r = r.astype(np.float64) - minimum
    g = g.astype(np.float64) - minimum
    b = b.astype(np.float64) - minimum
    intensity = (r + g + b) / 3.0
    with np.errstate(invalid="ignore", divide="ignore"):
        fac = np.where(intensity <= 0, 0, np.arcsinh(intensity * soften) * slope / intensity)
    chans = [np.maximum(c * fac, 0) for c in (r, g, b)]
    top = np.maximum(chans[0], np.maximum(chans[1], chans[2]))
    out = []
    for c in chans:
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(top >= 255.0, c * 255.0 / top, c)
        out.append(np.minimum(c, 255.0).astype(np.uint8))
    return out


def show(name, arr):
    print(name, ", ".join(str(int(v)) for v in arr))


big = make_image(64, 48, 12345, 200.0, 97)
print("zscale 64x48: %.9g %.9g" % zscale(big))
print("zscale 64x48 contrast 0.5: %.9g %.9g" % zscale(big, contrast=0.5))
fin = big[np.isfinite(big)]
print("percentile 99.5: %.9g %.9g" % tuple(np.percentile(fin, (0.25, 99.75))))
print("percentile 90: %.9g %.9g" % tuple(np.percentile(fin, (5.0, 95.0))))
small = make_image(20, 15, 777, 50.0, 0)
print("zscale 20x15: %.9g %.9g" % zscale(small))

w, h = 16, 12
r = make_image(w, h, 1, 80.0, 0)
g = make_image(w, h, 2, 40.0, 0)
b = make_image(w, h, 3, 20.0, 0)
pick = [0, 17, 50, 88, 100, 103, 120, 150, 191]
for minimum, rng in ((0.0, 5.0), (9.0, 30.0)):
    R, G, B = lupton(r, g, b, minimum, rng, 8.0)
    print("lupton minimum %g range %g at %s:" % (minimum, rng, pick))
    show("  R", R[pick]); show("  G", G[pick]); show("  B", B[pick])
# astropy's AsinhZScaleMapping: zscale of the float32 mean of the three bands
inten = ((r + g + b) / np.float32(3.0)).astype(np.float32)
zlo, zhi = zscale(inten)
print("intensity zscale: %.9g %.9g" % (zlo, zhi))
R, G, B = lupton(r, g, b, zlo, zhi - zlo, 8.0)
show("  R", R[pick]); show("  G", G[pick]); show("  B", B[pick])
