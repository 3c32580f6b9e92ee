#!/usr/bin/env python3
"""Independent reference for attune's power-law estimators, in numpy.

Reads raw little-endian float32 matrices named <hf-name>.<rows>x<cols>.f32 from a directory (written by
SpectralGoldenTest.exportMatrices), computes the eigenvalues of W^T W in float64 with numpy.linalg.eigvalsh,
drops those <= 1e-5, and fits:
  xmin_mid: xmin = sorted[N // 2], alpha = 1 + n / sum(ln(lambda / xmin)) over the n eigenvalues >= position N//2
  ks:       every eigenvalue but the largest as xmin; keep the smallest KS distance
with D = max_k |1 - (lambda_k / xmin)^(1 - alpha) - k / n| over the tail in ascending order, k = 0..n-1.
Writes spectral_golden.json next to this script.

    python3 spectral_golden.py DIR
"""
import json, os, sys

import numpy as np


def fit_at(ev, i):
    tail = ev[i:]
    n = len(tail)
    alpha = 1 + n / np.sum(np.log(tail / ev[i]))
    k = np.arange(n)
    d = np.max(np.abs(1 - (tail / ev[i]) ** (1 - alpha) - k / n))
    return float(alpha), float(d), float(ev[i]), n


def main(directory):
    out = {}
    for f in sorted(os.listdir(directory)):
        if not f.endswith(".f32"):
            continue
        name, shape, _ = f.rsplit(".", 2)
        rows, cols = map(int, shape.split("x"))
        w = np.fromfile(os.path.join(directory, f), dtype="<f4").reshape(rows, cols).astype(np.float64)
        gram = w.T @ w if rows >= cols else w @ w.T
        ev = np.sort(np.linalg.eigvalsh(gram))
        ev = ev[ev > 1e-5]
        a, d, x, n = fit_at(ev, len(ev) // 2)
        res = {"eigenvalues": len(ev), "lambda_max": float(ev[-1]),
               "xmin_mid": {"alpha": a, "D": d, "xmin": x, "n_tail": n}}
        best = None
        for i in range(len(ev) - 1):
            a, d, x, n = fit_at(ev, i)
            if a > 1 and (best is None or d < best[1]):
                best = (a, d, x, n)
        res["ks"] = {"alpha": best[0], "D": best[1], "xmin": best[2], "n_tail": best[3]}
        out[name] = res
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spectral_golden.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=2, sort_keys=True)
    print("wrote", path)


if __name__ == "__main__":
    main(sys.argv[1])
