# SPDX-License-Identifier: GPL-3.0-or-later
"""How well anomaly scores find labelled anomalies, for bench/real-anomalies.sh.

  python3 anomaly_eval.py selftest
  python3 anomaly_eval.py scores LABELS SCORES.FITS TAG...     one row per numeric score column
  python3 anomaly_eval.py pixels LABELS DATA TAG...            5-NN median in pixel space (raw and tanh)
  python3 anomaly_eval.py table ROWS.TSV                      the mean over seeds, per preset and method
  python3 anomaly_eval.py train-summary RUN                   one line: the recipe and the losses

LABELS is a CSV with object_id and a kind column ("normal" for the normal objects; the demo's
labels.csv has "label"). Rows are tab-separated: tags, method, then for "all" and for every kind
its AUC and recall. A larger score means more anomalous. Ties are counted as half in the AUC and
shared out evenly at the edge of the top 5 %, so the figures do not depend on the order of ties.
"""
import csv
import glob
import math
import os
import re
import sys

import numpy as np

TOP_FRACTION = 0.05


def roc_auc(scores, positive):
    """Probability that a random positive outscores a random negative (ties count one half)."""
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks (1-based) over runs of equal scores
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def recall_at_top(scores, positive, fraction=TOP_FRACTION, among=None):
    """Expected share of the positives among the top ceil(fraction × N) of all N objects, when ties
    at the edge are broken at random. `among` restricts the count to some positives (per kind)
    while the top is still taken over everything."""
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    if among is not None:
        positive = positive & np.asarray(among, dtype=bool)
    n_pos = int(positive.sum())
    if n_pos == 0:
        return float("nan")
    k = int(math.ceil(fraction * len(scores)))
    edge = np.sort(scores)[::-1][k - 1]
    above = scores > edge
    tied = scores == edge
    slots = k - int(above.sum())
    hits = float((positive & above).sum()) + slots * float((positive & tied).sum()) / float(tied.sum())
    return hits / n_pos


def read_labels(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip().lstrip("# ") for h in rows[0]]
    id_col = header.index("object_id")
    kind_col = header.index("kind") if "kind" in header else header.index("label")
    return {r[id_col].strip(): r[kind_col].strip() for r in rows[1:] if r}


def evaluate(ids, scores, labels):
    """[("all", auc, recall), (kind, auc, recall), ...] over the objects that have a label."""
    keep = [i for i, o in enumerate(ids) if o in labels]
    kinds = np.array([labels[ids[i]] for i in keep])
    s = np.asarray(scores, dtype=np.float64)[keep]
    # A NaN score (an object the method could not score) ranks as the least anomalous.
    s = np.where(np.isfinite(s), s, -np.inf)
    anomalous = kinds != "normal"
    out = [("all", roc_auc(s, anomalous), recall_at_top(s, anomalous))]
    for kind in sorted(set(kinds) - {"normal"}):
        this = kinds == kind
        sel = this | ~anomalous
        out.append((kind, roc_auc(s[sel], this[sel]), recall_at_top(s, anomalous, among=this)))
    return out


def emit(tags, method, result):
    fields = list(tags) + [method]
    for kind, auc, recall in result:
        fields += [kind, f"{auc:.4f}", f"{recall:.4f}"]
    print("\t".join(fields))


def score_columns(path):
    """The object ids and every numeric scalar column of a scores.fits table but the id."""
    from astropy.io import fits
    with fits.open(path) as hdul:
        table = next(h for h in hdul if isinstance(h, fits.BinTableHDU))
        data = table.data
        id_name = next(n for n in data.columns.names if n.upper() == "OBJECT_ID")
        ids = [str(v).strip() for v in data[id_name]]
        chosen = str(table.header.get("SCOREMTH", "")).strip()
        cols = []
        for col in data.columns:
            if col.name == id_name:
                continue
            values = np.asarray(data[col.name])
            if values.ndim != 1 or values.dtype.kind not in "fiu":
                continue
            # SCORE is the configured method's column again; the name says which.
            name = f"{col.name}={chosen}" if col.name.upper() == "SCORE" and chosen else col.name
            cols.append((name, values.astype(np.float64)))
    return ids, cols


def read_cutouts(data_dir):
    """ids and (N, bands × H × W) pixels of an HSC-named folder, bands in alphabetical order."""
    from astropy.io import fits
    pattern = re.compile(r"^([0-9]+)_.*_HSC-([A-Za-z0-9]+)\.fits$")
    files = {}
    for path in glob.glob(os.path.join(data_dir, "*.fits")):
        m = pattern.match(os.path.basename(path))
        if m:
            files.setdefault(m.group(1), {})[m.group(2).upper()] = path
    ids = sorted(files, key=lambda s: (len(s), s))
    rows = []
    for i in ids:
        planes = []
        for band in sorted(files[i]):
            with fits.open(files[i][band]) as hdul:
                img = next(h.data for h in hdul if h.data is not None)
                planes.append(np.nan_to_num(np.asarray(img, dtype=np.float32)).ravel())
        rows.append(np.concatenate(planes))
    return ids, np.stack(rows)


def knn_median(x, k=5):
    """Median distance to the k nearest other rows (squared Euclidean, as Dassie's default metric)."""
    x = x.astype(np.float64)
    sq = (x * x).sum(axis=1)
    d = sq[:, None] + sq[None, :] - 2 * (x @ x.T)
    np.fill_diagonal(d, np.inf)
    d = np.maximum(d, 0)
    return np.median(np.partition(d, k - 1, axis=1)[:, :k], axis=1)


def table(path):
    """Mean (and spread when several seeds) per preset × set × method × kind."""
    groups = {}
    order = []
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 5:
                continue
            data_set, preset, _seed, method = fields[:4]
            key = (data_set, preset, method)
            if key not in groups:
                groups[key] = {}
                order.append(key)
            rest = fields[4:]
            for j in range(0, len(rest) - 2, 3):
                groups[key].setdefault(rest[j], []).append((float(rest[j + 1]), float(rest[j + 2])))

    def cell(values, idx):
        v = [x[idx] for x in values]
        if len(v) == 1:
            return f"{v[0]:.3f}"
        return f"{np.mean(v):.3f}±{np.std(v):.3f}"

    by_set = {}
    for key in order:
        by_set.setdefault(key[0], []).append(key)
    for data_set, keys in by_set.items():
        kinds = ["all"] + sorted({k for key in keys for k in groups[key]} - {"all"})
        n_seeds = max(len(v) for key in keys for v in groups[key].values())
        spread = f" (mean ± std over {n_seeds} seeds)" if n_seeds > 1 else ""
        method_width = max([22] + [len(key[2]) for key in keys])
        for idx, what in ((0, "ROC AUC"), (1, f"recall in the top {TOP_FRACTION:.0%}")):
            cells = {key: [cell(groups[key][k], idx) if k in groups[key] else "-" for k in kinds] for key in keys}
            width = max([len(k) for k in kinds] + [len(c) for row in cells.values() for c in row])
            print(f"\n{data_set}: {what}{spread}")
            print(f"{'preset':<12} {'method':<{method_width}}" + "".join(f" {k:>{width}}" for k in kinds))
            for key in keys:
                print(f"{key[1]:<12} {key[2]:<{method_width}}" + "".join(f" {c:>{width}}" for c in cells[key]))


def train_summary(run):
    """The recipe of a train run (config.json) and how its losses went (metrics.jsonl)."""
    import json
    with open(os.path.join(run, "config.json")) as f:
        config = json.load(f)
    opt = config.get("optimizer", {})
    parts = [f"{opt.get('name')} lr {opt.get('lr'):g}",
             f"{config.get('train', {}).get('epochs')} epochs",
             f"batch {config.get('data_loader', {}).get('batch_size')}",
             f"{config.get('data_set', {}).get('transform')}"]
    # Keys others add (schedule, early stopping, augmentation, normalisation) are shown when set.
    for section in ("train", "data_set", "optimizer", "scheduler", "augment"):
        for key, value in sorted(config.get(section, {}).items()):
            if any(w in key for w in ("patience", "schedule", "augment", "normali", "stretch", "softening")):
                parts.append(f"{section}.{key}={value}")
    lines = []
    path = os.path.join(run, "metrics.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
    epochs = [m for m in lines if isinstance(m.get("validation_loss"), (int, float))]
    if epochs:
        best = min(epochs, key=lambda m: m["validation_loss"])
        parts.append(f"val {epochs[-1]['validation_loss']:.4f} after {len(epochs)} epochs"
                     f" (best {best['validation_loss']:.4f} at {best.get('epoch')})")
        # The mean-image baseline, under whichever name metrics.jsonl gives it.
        for m in lines:
            for key, value in m.items():
                if ("baseline" in key or "mean_image" in key) and isinstance(value, (int, float)):
                    parts.append(f"{key} {value:.4f}")
                    break
            else:
                continue
            break
    return ", ".join(parts)


def selftest():
    # Hand-computed: scores 0.9 0.8 0.7 0.6 0.5 0.4 with positives at ranks 1, 3, 6.
    # Pairs (pos, neg) with pos above: 0.9 beats 3 negatives, 0.7 beats 2, 0.4 beats 0 → 5 of 9.
    s = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    p = [1, 0, 1, 0, 0, 1]
    assert abs(roc_auc(s, p) - 5 / 9) < 1e-12, roc_auc(s, p)
    # A tie between a positive and a negative counts one half: 1 win + 0.5 of 2 pairs = 0.75.
    assert abs(roc_auc([1.0, 0.5, 0.5], [1, 1, 0]) - 0.75) < 1e-12
    assert roc_auc([3, 2, 1], [1, 0, 0]) == 1.0 and roc_auc([1, 2, 3], [1, 0, 0]) == 0.0
    # Top 50 % of 6 = 3 objects: 0.9 and 0.7 are in, 0.4 is not → 2 of 3 positives.
    assert abs(recall_at_top(s, p, 0.5) - 2 / 3) < 1e-12
    # Top 1 of 4 with a two-way tie at the top, one of them positive: half a hit of 1.
    assert abs(recall_at_top([5, 5, 1, 0], [1, 0, 0, 0], 0.25) - 0.5) < 1e-12
    # Per kind: the top is over everything, only kind B counts.
    assert abs(recall_at_top(s, p, 0.5, among=[0, 0, 1, 0, 0, 1]) - 0.5) < 1e-12
    labels = {"1": "a", "2": "normal", "3": "b", "4": "normal"}
    r = dict((k, (a, c)) for k, a, c in evaluate(["1", "2", "3", "4", "5"], [4, 3, 2, 1, 9], labels))
    assert r["all"][0] == 0.75 and r["a"][0] == 1.0 and r["b"][0] == 0.5, r
    # 5-NN median on points on a line with k = 1: the nearest neighbour's squared distance.
    m = knn_median(np.array([[0.0], [1.0], [3.0], [10.0]]), k=1)
    assert np.allclose(m, [1, 1, 4, 49]), m


def main(argv):
    if argv[0] == "selftest":
        selftest()
        print("anomaly_eval: self-check passed")
    elif argv[0] == "scores":
        labels = read_labels(argv[1])
        ids, cols = score_columns(argv[2])
        if not cols:
            sys.exit(f"anomaly_eval: {argv[2]} has no numeric score column")
        for name, values in cols:
            emit(argv[3:], name, evaluate(ids, values, labels))
    elif argv[0] == "pixels":
        labels = read_labels(argv[1])
        ids, x = read_cutouts(argv[2])
        emit(argv[3:], "pixels-5nn", evaluate(ids, knn_median(x), labels))
        emit(argv[3:], "tanh-pixels-5nn", evaluate(ids, knn_median(np.tanh(x)), labels))
    elif argv[0] == "train-summary":
        print(train_summary(argv[1]))
    elif argv[0] == "table":
        table(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
