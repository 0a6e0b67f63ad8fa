"""CasADi (SX) and JAX (jit) on chained Rosenbrock, for the anchors printed beside our scalar
tape in `cargo bench --bench autodiff` (issue 10). Not part of the test suite.

    pip install casadi jax
    python3 benches/peers/rosenbrock.py [casadi|jax]...       # default: both

CasADi: the scalar loop users write, built once as SX; the gradient and the exact sparse
Hessian are SX functions evaluated by CasADi's virtual machine, timed by CasADi's own timer
(`record_time`, which leaves out Python's argument conversion); min and median of many calls.
JAX: f written with arrays, `jax.jit(jax.grad(f))` compiled once, timed in Python with
`block_until_ready` (best of 5 batches). Same point as the Rust bench: x_i = -1.2 (i even), 1.
"""

import sys
import time


def point(n):
    return [-1.2 if i % 2 == 0 else 1.0 for i in range(n)]


def casadi_rows(sizes):
    import casadi as ca

    for n in sizes:
        x = ca.SX.sym("x", n)
        xs = ca.vertsplit(x)
        f = 0
        for i in range(n - 1):
            f = f + 100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2
        opts = {"record_time": True}
        funcs = [
            ("f", ca.Function("f", [x], [f], opts)),
            ("gradient", ca.Function("g", [x], [ca.gradient(f, x)], opts)),
            ("sparse Hessian", ca.Function("h", [x], [ca.hessian(f, x)[0]], opts)),
        ]
        x0 = ca.DM(point(n))
        reps = max(5, int(1e6 / n))
        cells = []
        for name, fn in funcs:
            times = []
            for _ in range(reps):
                fn(x0)
                times.append(fn.stats()["t_wall_total"])
            times.sort()
            cells.append(f"{name} {times[0] * 1e6:.1f} / {times[len(times) // 2] * 1e6:.1f} µs")
        print(f"CasADi {ca.__version__} SX, n = {n} (min / median of {reps}): " + ", ".join(cells))


def jax_rows(sizes):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def f(x):
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    for n in sizes:
        x0 = jnp.array(point(n))
        cells = []
        for name, fn in [("f", jax.jit(f)), ("gradient", jax.jit(jax.grad(f)))]:
            fn(x0).block_until_ready()
            reps = max(5, int(1e6 / n))
            best = float("inf")
            for _ in range(5):
                t = time.perf_counter()
                for _ in range(reps):
                    fn(x0).block_until_ready()
                best = min(best, (time.perf_counter() - t) / reps)
            cells.append(f"{name} {best * 1e6:.1f} µs")
        print(f"JAX {jax.__version__} jit, n = {n}: " + ", ".join(cells))


if __name__ == "__main__":
    which = sys.argv[1:] or ["casadi", "jax"]
    sizes = [1000, 10_000, 100_000]
    if "casadi" in which:
        casadi_rows(sizes)
    if "jax" in which:
        jax_rows(sizes)
