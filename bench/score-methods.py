#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ROC AUC, per anomaly kind and overall, of every numeric score column of a scores.fits against
a labels.csv (object_id,label or object_id,kind; "normal" or the kind of anomaly), and, with scikit-learn installed, its
LocalOutlierFactor(n_neighbors=20) and IsolationForest(100 trees, 256 samples) on the same latents.fits
as an independent check of Dassie's LOF and IFOREST columns.
Usage: score-methods.py SCORES.fits LABELS.csv [LATENTS.fits]"""
import csv
import sys

import numpy as np
from astropy.io import fits


def auc(scores, positive):
    # Mann-Whitney U with mean ranks for ties; NaN scores count as the lowest.
    s = np.where(np.isfinite(scores), scores, -np.inf)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n_pos, n_neg = positive.sum(), (~positive).sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def recall_top(scores, positive, fraction=0.05):
    s = np.where(np.isfinite(scores), scores, -np.inf)
    n_top = max(1, int(round(fraction * len(s))))
    top = np.argsort(-s, kind="mergesort")[:n_top]
    return positive[top].sum() / max(1, positive.sum())


def main():
    table = fits.getdata(sys.argv[1], 1)
    labels = {}
    with open(sys.argv[2]) as f:
        for row in csv.DictReader(f):
            labels[str(row["object_id"]).strip()] = (row.get("label") or row.get("kind")).strip()
    ids = [str(i).strip() for i in table["OBJECT_ID"]]
    kind = np.array([labels.get(i, "normal") for i in ids])
    anomalous = kind != "normal"
    kinds = sorted(set(kind) - {"normal"})
    columns = {}
    for name in table.columns.names:
        col = table[name]
        if name in ("OBJECT_ID",) or col.ndim != 1 or not np.issubdtype(col.dtype, np.number):
            continue
        columns[name] = np.asarray(col, dtype=float)
    if len(sys.argv) > 3:
        try:
            from sklearn.ensemble import IsolationForest
            from sklearn.neighbors import LocalOutlierFactor
            latents = fits.getdata(sys.argv[3], 1)
            order = {str(i).strip(): r for r, i in enumerate(latents["OBJECT_ID"])}
            x = np.asarray(latents["LATENT"], dtype=np.float64)[[order[i] for i in ids]]
            lof = LocalOutlierFactor(n_neighbors=20).fit(x)
            columns["sklearn_LOF"] = -lof.negative_outlier_factor_
            forest = IsolationForest(random_state=0).fit(x)
            columns["sklearn_IFOREST"] = -forest.score_samples(x)
            if "LOF" in columns:
                print("LOF vs sklearn: max |diff| %.3g, max rel %.3g" % (
                    np.max(np.abs(columns["LOF"] - columns["sklearn_LOF"])),
                    np.max(np.abs(columns["LOF"] / columns["sklearn_LOF"] - 1))))
            if "IFOREST" in columns:
                from scipy.stats import spearmanr
                print("IFOREST vs sklearn (another random forest): Spearman %.3f" %
                      spearmanr(columns["IFOREST"], columns["sklearn_IFOREST"]).correlation)
        except ImportError:
            print("(scikit-learn not installed: no independent check)")
    header = "%-16s %7s %7s" % ("column", "AUC", "rec5%") + "".join(" %8.8s" % k for k in kinds)
    print(header)
    for name, values in columns.items():
        line = "%-16s %7.3f %7.3f" % (name, auc(values, anomalous), recall_top(values, anomalous))
        for k in kinds:
            sel = (kind == k) | ~anomalous
            line += " %8.3f" % auc(values[sel], anomalous[sel])
        print(line)


if __name__ == "__main__":
    main()
