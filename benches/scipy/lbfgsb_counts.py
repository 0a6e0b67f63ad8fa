"""scipy's L-BFGS-B on the bounded large problems of `examples/lbfgsb_scale.rs`, for the
evaluation counts printed beside ours. Not part of the test suite.

    pip install scipy
    python3 benches/scipy/lbfgsb_counts.py [n]        # default n = 100000

Both sides use memory m = 10, projected-gradient tolerance 1e-5 and relative-reduction
tolerance 2.22e-9 (scipy's defaults `gtol`, `ftol`), at most 15 000 evaluations, and the same
hand-written f and gradient (one call gives both, so scipy's nfev counts the same thing as our
`evaluations.gradient`).
"""

import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize


def chained_rosenbrock(x):
    # f = Σ 100 (x[i+1] − x[i]²)² + (1 − x[i])²
    a = x[1:] - x[:-1] ** 2
    b = 1.0 - x[:-1]
    f = np.sum(100.0 * a * a + b * b)
    g = np.zeros_like(x)
    g[:-1] = -400.0 * x[:-1] * a - 2.0 * b
    g[1:] += 200.0 * a
    return f, g


def tridia(x):
    # f = (x[0] − 1)² + Σ_{i≥1} (i + 1) (2 x[i] − x[i−1])²
    i = np.arange(2, x.size + 1, dtype=float)
    d = 2.0 * x[1:] - x[:-1]
    f = (x[0] - 1.0) ** 2 + np.sum(i * d * d)
    g = np.zeros_like(x)
    g[0] = 2.0 * (x[0] - 1.0)
    g[1:] += 4.0 * i * d
    g[:-1] -= 2.0 * i * d
    return f, g


def arwhead(x):
    # f = Σ_{i<n−1} (3 − 4 x[i]) + (x[i]² + x[n−1]²)², convex
    q = x[:-1] ** 2 + x[-1] ** 2
    f = np.sum(3.0 - 4.0 * x[:-1] + q * q)
    g = np.zeros_like(x)
    g[:-1] = -4.0 + 4.0 * x[:-1] * q
    g[-1] = np.sum(4.0 * x[-1] * q)
    return f, g


def dqdrtic(x):
    # f = Σ_{i<n−2} x[i]² + 100 x[i+1]² + 100 x[i+2]², convex
    f = np.sum(x[:-2] ** 2 + 100.0 * (x[1:-1] ** 2 + x[2:] ** 2))
    g = np.zeros_like(x)
    g[:-2] += 2.0 * x[:-2]
    g[1:-1] += 200.0 * x[1:-1]
    g[2:] += 200.0 * x[2:]
    return f, g


def extended_wood(x):
    # over blocks (a, b, c, d): 100 (b − a²)² + (1 − a)² + 90 (d − c²)² + (1 − c)²
    #                           + 10 (b + d − 2)² + 0.1 (b − d)²
    a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
    p = b - a * a
    q = d - c * c
    s = b + d - 2.0
    t = b - d
    f = np.sum(100.0 * p * p + (1.0 - a) ** 2 + 90.0 * q * q + (1.0 - c) ** 2
               + 10.0 * s * s + 0.1 * t * t)
    g = np.empty_like(x)
    g[0::4] = -400.0 * a * p - 2.0 * (1.0 - a)
    g[1::4] = 200.0 * p + 20.0 * s + 0.2 * t
    g[2::4] = -360.0 * c * q - 2.0 * (1.0 - c)
    g[3::4] = 180.0 * q + 20.0 * s - 0.2 * t
    return f, g


def broyden_tridiagonal(x):
    # f = Σ r[i]², r[i] = (3 − 2 x[i]) x[i] − x[i−1] − 2 x[i+1] + 1, x[−1] = x[n] = 0
    r = (3.0 - 2.0 * x) * x + 1.0
    r[1:] -= x[:-1]
    r[:-1] -= 2.0 * x[1:]
    f = np.sum(r * r)
    g = 2.0 * r * (3.0 - 4.0 * x)
    g[:-1] -= 2.0 * r[1:]
    g[1:] -= 4.0 * r[:-1]
    return f, g


def problems(n):
    x0 = np.where(np.arange(n) % 2 == 0, -1.2, 1.0)
    # Rosenbrock's minimizer (1, …, 1) lies outside x ≤ 0.9.
    yield "chained Rosenbrock, x in [-2, 0.9]", chained_rosenbrock, x0, [(-2.0, 0.9)] * n
    # TRIDIA's minimizer xᵢ = 2^{−i} falls below the bound 1e-3 from i = 10 on.
    yield "TRIDIA, x >= 1e-3", tridia, np.ones(n), [(1e-3, None)] * n
    # ARWHEAD's minimizer (1, …, 1, 0) lies outside x ≤ 0.9 (a convex problem: one minimizer).
    yield "ARWHEAD, x <= 0.9", arwhead, np.full(n, 0.5), [(None, 0.9)] * n
    # DQDRTIC's minimizer 0 lies below the bound 0.5 on the even coordinates; the odd ones
    # are free (a convex quadratic: one minimizer).
    yield ("DQDRTIC, x_even >= 0.5", dqdrtic, np.full(n, 3.0),
           [(0.5, None) if i % 2 == 0 else (None, None) for i in range(n)])
    # Wood's minimizer (1, …, 1) lies outside x ≤ 0.9 (not convex: two local minimizers
    # per block in this region, with x1, x3 or x2, x4 at the bound).
    wood_x0 = np.where(np.arange(n) % 2 == 0, -3.0, -1.0)
    yield "extended Wood, x <= 0.9", extended_wood, wood_x0, [(None, 0.9)] * n
    # Broyden's root (−0.57 and −0.42 at the ends, −0.7071 inside) lies above x ≤ −0.71 in
    # every coordinate (not convex).
    yield ("Broyden tridiagonal, x <= -0.71", broyden_tridiagonal, np.full(n, -1.0),
           [(None, -0.71)] * n)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"scipy {scipy.__version__}, n = {n}")
    for name, fun, x0, bounds in problems(n):
        start = time.perf_counter()
        r = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                     options=dict(maxcor=10, gtol=1e-5, ftol=2.220446049250313e-09,
                                  maxiter=15000, maxfun=15000))
        elapsed = time.perf_counter() - start
        lo = np.array([b[0] if b[0] is not None else -np.inf for b in bounds])
        hi = np.array([b[1] if b[1] is not None else np.inf for b in bounds])
        active = int(np.sum((r.x == lo) | (r.x == hi)))
        print(f"{name:36} f = {r.fun:.10e}  evaluations {r.nfev:5}  iterations {r.nit:5}  "
              f"active {active:6}  {elapsed:.2f} s  {r.message}")


if __name__ == "__main__":
    main()
