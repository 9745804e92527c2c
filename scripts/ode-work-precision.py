"""SciPy's side of the dop853/dopri5 work-precision sweep (docs/solvers.md).

Solves the four problems of test/solvers/work-precision-problems.ts with
scipy.integrate.solve_ivp (DOP853 and RK45, rtol = atol = tol for tol = 1e-4 ... 1e-12)
and writes, per problem, the reference end state and SciPy's evaluations and end-point
errors (Euclidean norm) to test/solvers/fixtures/work-precision-scipy.json.

References: Arenstorf is periodic, so its reference is the initial state (exact to the
30 digits of the period); the others come from a DOP853 solve at rtol = 2.5e-14,
atol = 1e-16, and `referenceSpread` is its distance to a solve at rtol = atol = 1e-13
(an estimate of the reference's own error). Run:

    $(bench/setup-python.sh) scripts/ode-work-precision.py
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy.integrate import solve_ivp

TOLERANCES = [10.0 ** -k for k in range(4, 13)]


def arenstorf(t, y):
    mu = 0.012277471
    mp = 1 - mu
    y1, y2, v1, v2 = y
    d1 = ((y1 + mu) ** 2 + y2 ** 2) ** 1.5
    d2 = ((y1 - mp) ** 2 + y2 ** 2) ** 1.5
    return [v1, v2, y1 + 2 * v2 - mp * (y1 + mu) / d1 - mu * (y1 - mp) / d2,
            y2 - 2 * v1 - mp * y2 / d1 - mu * y2 / d2]


def pleiades(t, y):
    x, yy, vx, vy = y[0:7], y[7:14], y[14:21], y[21:28]
    m = np.arange(1, 8, dtype=float)
    dx = x[None, :] - x[:, None]
    dy = yy[None, :] - yy[:, None]
    r2 = dx * dx + dy * dy
    np.fill_diagonal(r2, 1.0)
    r3 = r2 ** 1.5
    w = m[None, :] / r3
    np.fill_diagonal(w, 0.0)
    return np.concatenate([vx, vy, (w * dx).sum(axis=1), (w * dy).sum(axis=1)])


def rigid_body(t, y):
    return [-2 * y[1] * y[2], 1.25 * y[0] * y[2], -0.5 * y[0] * y[1]]


# Gaussian mixture target: 8 components N(mu_k, s^2 I) on a circle of radius 4, s = 0.25,
# equal weights; condOT path from N(0, I); 16 points moved from t = 0 to t = 1 together.
GMM_K, GMM_R, GMM_S, GMM_N = 8, 4.0, 0.25, 16
GMM_MU = np.array([[GMM_R * math.cos(2 * math.pi * k / GMM_K), GMM_R * math.sin(2 * math.pi * k / GMM_K)] for k in range(GMM_K)])


def gmm_start():
    pts = []
    for j in range(GMM_N):
        a = 2 * math.pi * j / GMM_N + 0.3
        rad = 0.25 + 2.0 * j / GMM_N
        pts += [rad * math.cos(a), rad * math.sin(a)]
    return pts


def gmm_field(t, y):
    x = y.reshape(GMM_N, 2)
    s2 = t * t * GMM_S ** 2 + (1 - t) ** 2
    diff = x[:, None, :] - t * GMM_MU[None, :, :]
    logw = -0.5 * (diff ** 2).sum(axis=2) / s2
    logw -= logw.max(axis=1, keepdims=True)
    w = np.exp(logw)
    w /= w.sum(axis=1, keepdims=True)
    coef = (t * GMM_S ** 2 - (1 - t)) / s2
    uk = GMM_MU[None, :, :] + coef * diff
    return (w[:, :, None] * uk).sum(axis=1).reshape(-1)


PROBLEMS = {
    "arenstorf": (arenstorf, [0.994, 0, 0, -2.00158510637908252240537862224], 0.0, 17.0652165601579625588917206249),
    "pleiades": (pleiades, [3, 3, -1, -3, 2, -2, 2, 3, -3, 2, 0, 0, -4, 4, 0, 0, 0, 0, 0, 1.75, -1.5, 0, 0, 0, -1.25, 1, 0, 0], 0.0, 3.0),
    "rigid-body": (rigid_body, [1.0, 0.0, 0.9], 0.0, 20.0),
    "gmm-flow": (gmm_field, gmm_start(), 0.0, 1.0),
}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = {
        "generatedBy": "$(bench/setup-python.sh) scripts/ode-work-precision.py",
        "scipy": scipy.__version__, "numpy": np.__version__,
        "tolerances": TOLERANCES, "errorNorm": "Euclidean norm of y(t1) - reference", "problems": {},
    }
    for name, (f, y0, t0, t1) in PROBLEMS.items():
        y0 = np.array(y0, dtype=float)
        tight = solve_ivp(f, (t0, t1), y0, method="DOP853", rtol=2.5e-14, atol=1e-16)
        looser = solve_ivp(f, (t0, t1), y0, method="DOP853", rtol=1e-13, atol=1e-13)
        ref = y0 if name == "arenstorf" else tight.y[:, -1]
        entry = {
            "t0": t0, "t1": t1, "y0": y0.tolist(), "reference": ref.tolist(),
            "referenceSpread": float(np.linalg.norm(tight.y[:, -1] - looser.y[:, -1])),
            "tightErrorToReference": float(np.linalg.norm(tight.y[:, -1] - ref)),
        }
        for method in ("DOP853", "RK45"):
            rows = []
            for tol in TOLERANCES:
                sol = solve_ivp(f, (t0, t1), y0, method=method, rtol=tol, atol=tol)
                assert sol.success, (name, method, tol, sol.message)
                rows.append({"tol": tol, "nfe": int(sol.nfev), "error": float(np.linalg.norm(sol.y[:, -1] - ref))})
            entry[method] = rows
        out["problems"][name] = entry
        print(name, "reference spread", entry["referenceSpread"], file=sys.stderr)
    path = os.path.join(root, "test", "solvers", "fixtures", "work-precision-scipy.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
