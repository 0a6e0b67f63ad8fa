"""JAX (jit) on log-sum-exp of A·x, A dense 1000 × 1000, for the anchor printed beside the
vector primitives in `cargo bench --bench autodiff` (issue 10). Not part of the test suite.

    pip install jax
    python3 benches/peers/logsumexp.py

f(x) = log Σᵢ exp((A x)ᵢ) in float64, `jax.jit` of f, of `jax.grad(f)` and of the HVP
`jax.jvp(jax.grad(f), (x,), (v,))` (forward-over-reverse, as ours), each compiled once and
timed in Python with `block_until_ready` (best of 5 batches). The matrix and points are
random normals (entries of A scaled by 1/√n) like the Rust bench's; the timings do not depend
on the values. XLA may use every core for the matrix-vector product; the Rust bench's faer
products run on one.
"""

import time


def main():
    import jax
    import jax.numpy as jnp
    import numpy as np

    jax.config.update("jax_enable_x64", True)
    n = 1000
    rng = np.random.default_rng(10)
    a = jnp.array(rng.standard_normal((n, n)) / np.sqrt(n))
    x = jnp.array(rng.standard_normal(n))
    v = jnp.array(rng.standard_normal(n))

    def f(x):
        return jax.scipy.special.logsumexp(a @ x)

    grad = jax.grad(f)
    cases = [
        ("f", jax.jit(f), (x,)),
        ("gradient", jax.jit(grad), (x,)),
        ("HVP", jax.jit(lambda x, v: jax.jvp(grad, (x,), (v,))[1]), (x, v)),
    ]
    cells = []
    for name, fn, args in cases:
        fn(*args).block_until_ready()
        reps = 200
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(reps):
                fn(*args).block_until_ready()
            best = min(best, (time.perf_counter() - t) / reps)
        cells.append(f"{name} {best * 1e6:.1f} µs")
    print(f"JAX {jax.__version__} jit, log-sum-exp of A·x, n = {n}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
