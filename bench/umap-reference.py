#!/usr/bin/python3
# umap-learn on the same vectors as bench-umap (raw float32), seeded, writing its layout for comparison.
# Usage: umap-reference.py DATA N DIM OUT
# SPDX-License-Identifier: GPL-3.0-or-later
import sys
import time

t0 = time.time()
import numpy as np
import umap
t_import = time.time() - t0

path, n, dim, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = np.fromfile(path, dtype=np.float32).reshape(n, dim)
t0 = time.time()
layout = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=42).fit_transform(data)
seconds = time.time() - t0
layout.astype(np.float32).tofile(out)
print(f"umap-learn {umap.__version__} UMAP {n} × {dim}: {seconds:.2f} s (plus {t_import:.1f} s to import)")
