#!/usr/bin/env python3
"""Reference timings of the Python stack (PyTorch CPU, SciPy, POT) for flow-matching's benchmarks.

Runs one workload and prints one JSON line, for bench/run.ts to read through FM_ANCHOR:

    FM_ANCHOR="$(bench/setup-python.sh) bench/reference.py" npx tsx bench/run.ts assignment

Workloads (the same definitions as the library's bench/*.bench.ts):
  train-2d           one CFM training step: x0 ~ N(0, I), x1 from a pool of moons, t ~ U[0, 1),
                     x_t = t x1 + (1 - t) x0, MSE to x1 - x0 of an MLP [3, w, w, w, 2] with SELU,
                     backward, Adam lr 1e-3; float32, 1 and 2 threads (batch 256, width 64)
  train-2d-wide      the same, batch 4096, width 256
  mlp-forward        forward pass of an MLP [3, w, w, w, 2] with SiLU, float32 and float64
                     (batch 4096, width 256)
  marginal-velocity  closed-form condOT marginal velocity of an empirical target at time t:
                     u(x) = sum_i w_i(x) (y_i - x) / (1 - t), w = softmax_i(-|x - t y_i|^2 / (2 (1 - t)^2)),
                     float64 (M = N = 4096)
  assignment         exact OT between n 2-D points: scipy linear_sum_assignment and POT ot.emd
  sinkhorn           log-domain Sinkhorn (POT sinkhorn_log), 8 Gaussians vs moons, fixed iterations
  ode-arenstorf      Arenstorf orbit over one period, scipy solve_ivp RK45 and DOP853

Times are medians over --repeats runs after two warm-up runs. Measuring only: the library never
needs Python.
"""
import argparse
import json
import math
import statistics
import sys
import time


# ---------------------------------------------------------------------------------------------
# timing and data


def median_ms(work, repeats, warmup=2):
    """Median, minimum and maximum wall time of `work()` in milliseconds."""
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        work()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples), min(samples), max(samples)


def two_moons(count, gen):
    """Two interleaved half circles, noise std 0.1, scaled by 3 and shifted by -1."""
    import numpy as np

    upper = count // 2
    angle = gen.uniform(0.0, math.pi, count)
    pts = np.empty((count, 2))
    pts[:upper, 0] = np.cos(angle[:upper])
    pts[:upper, 1] = np.sin(angle[:upper])
    pts[upper:, 0] = 1.0 - np.cos(angle[upper:])
    pts[upper:, 1] = 0.5 - np.sin(angle[upper:])
    pts += 0.1 * gen.standard_normal((count, 2))
    return 3.0 * pts - 1.0


def eight_gaussians(count, gen):
    """Eight Gaussians of std 0.5 centred at radius 5 on the axes and diagonals."""
    import numpy as np

    angles = np.arange(8) * (math.pi / 4)
    centres = 5.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centres[gen.integers(0, 8, count)] + 0.5 * gen.standard_normal((count, 2))


def standard_normal(count, gen):
    return gen.standard_normal((count, 2))


PAIRS = {
    "normal-normal": (standard_normal, standard_normal),
    "normal-moons": (standard_normal, two_moons),
    "eight-moons": (eight_gaussians, two_moons),
}


def squared_costs(x, y):
    diff = x[:, None, :] - y[None, :, :]
    return (diff * diff).sum(axis=2)


def perceptron(width, activation, dtype):
    """MLP [3 -> width -> width -> width -> 2]."""
    import torch

    sizes = [3, width, width, width]
    layers = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        layers.append(activation())
    layers.append(torch.nn.Linear(width, 2))
    return torch.nn.Sequential(*layers).to(dtype)


# ---------------------------------------------------------------------------------------------
# workloads: each returns the fields of its JSON line (besides "workload")


def run_train(opts):
    import numpy as np
    import torch

    torch.manual_seed(0)
    pool = torch.from_numpy(two_moons(100_000, np.random.default_rng(0))).float()
    rows = opts.batch
    fields = {"batch": rows, "width": opts.width, "torch": torch.__version__}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        net = perceptron(opts.width, torch.nn.SELU, torch.float32)
        optim = torch.optim.Adam(net.parameters(), lr=1e-3)

        def one_step():
            x1 = pool[torch.randint(pool.shape[0], (rows,))]
            x0 = torch.randn(rows, 2)
            t = torch.rand(rows, 1)
            xt = t * x1 + (1.0 - t) * x0
            prediction = net(torch.cat((xt, t), dim=1))
            loss = torch.nn.functional.mse_loss(prediction, x1 - x0)
            optim.zero_grad(set_to_none=True)
            loss.backward()
            optim.step()

        per_sample = 20  # steps per timed sample: a step is well under a millisecond at batch 256

        def steps():
            for _ in range(per_sample):
                one_step()

        med, lo, hi = median_ms(steps, opts.repeats)
        fields[f"threads{threads}"] = {"ms_per_step": med / per_sample, "min": lo / per_sample, "max": hi / per_sample}
    return fields


def run_forward(opts):
    import torch

    torch.manual_seed(0)
    w, rows = opts.width, opts.batch
    flop = 2 * rows * (3 * w + 2 * w * w + 2 * w)  # multiply-adds of the four layers, times 2
    fields = {"batch": rows, "width": w, "torch": torch.__version__}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for label, dtype in (("float32", torch.float32), ("float64", torch.float64)):
            net = perceptron(w, torch.nn.SiLU, dtype)
            x = torch.randn(rows, 3, dtype=dtype)
            with torch.inference_mode():
                med, _, _ = median_ms(lambda: net(x), opts.repeats)
            fields[f"{label}_threads{threads}"] = {"ms": med, "gflops": flop / (med * 1e-3) / 1e9}
    return fields


def run_marginal(opts):
    import torch

    torch.manual_seed(0)
    t = opts.t
    fields = {"m": opts.m, "n": opts.n, "d": opts.d}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        x = torch.randn(opts.m, opts.d, dtype=torch.float64)
        data = 2.0 * torch.randn(opts.n, opts.d, dtype=torch.float64)

        def velocity():
            logits = -torch.cdist(x, t * data).square() / (2.0 * (1.0 - t) ** 2)
            weights = torch.softmax(logits, dim=1)
            return (weights @ data - x) / (1.0 - t)

        med, lo, hi = median_ms(velocity, opts.repeats)
        fields[f"threads{threads}"] = {"ms": med, "min": lo, "max": hi}
    return fields


def run_assignment(opts):
    import numpy as np
    import ot
    import scipy
    from scipy.optimize import linear_sum_assignment

    gen = np.random.default_rng(0)
    draw_source, draw_target = PAIRS[opts.pair]
    source = draw_source(opts.n, gen)
    target = draw_target(opts.n, gen)
    cost = squared_costs(source, target)
    lsa_ms, _, _ = median_ms(lambda: linear_sum_assignment(cost), opts.repeats)
    uniform = np.full(opts.n, 1.0 / opts.n)
    emd_ms, _, _ = median_ms(lambda: ot.emd(uniform, uniform, cost), opts.repeats)
    rows, cols = linear_sum_assignment(cost)
    return {
        "n": opts.n, "pair": opts.pair, "scipy": scipy.__version__, "pot": ot.__version__,
        "linear_sum_assignment_ms": lsa_ms, "emd_ms": emd_ms, "cost": float(cost[rows, cols].sum()),
    }


def run_sinkhorn(opts):
    import numpy as np
    import ot

    gen = np.random.default_rng(0)
    cost = squared_costs(eight_gaussians(opts.n, gen), two_moons(opts.n, gen))
    uniform = np.full(opts.n, 1.0 / opts.n)

    def solve():
        # stopThr 0: exactly `iters` iterations, to time an iteration
        return ot.sinkhorn(uniform, uniform, cost, opts.reg, method="sinkhorn_log",
                           numItermax=opts.iters, stopThr=0.0, warn=False)

    med, _, _ = median_ms(solve, opts.repeats)
    plan = solve()
    return {
        "n": opts.n, "reg": opts.reg, "iterations": opts.iters, "pot": ot.__version__, "ms": med,
        "ms_per_iteration": med / opts.iters, "marginal_error": float(np.abs(plan.sum(axis=1) - uniform).sum()),
    }


# Arenstorf orbit (Hairer, Norsett, Wanner I, eq. 0.1)
ARENSTORF_MU = 0.012277471
ARENSTORF_PERIOD = 17.0652165601579625588917206249
ARENSTORF_START = (0.994, 0.0, 0.0, -2.00158510637908252240537862224)


def arenstorf_rhs(_t, state):
    x, y, vx, vy = state
    mu, nu = ARENSTORF_MU, 1.0 - ARENSTORF_MU
    r1 = ((x + mu) ** 2 + y * y) ** 1.5
    r2 = ((x - nu) ** 2 + y * y) ** 1.5
    ax = x + 2.0 * vy - nu * (x + mu) / r1 - mu * (x - nu) / r2
    ay = y - 2.0 * vx - nu * y / r1 - mu * y / r2
    return [vx, vy, ax, ay]


def run_arenstorf(_opts):
    import numpy as np
    import scipy
    from scipy.integrate import solve_ivp

    start = np.array(ARENSTORF_START)
    rows = []
    for method in ("RK45", "DOP853"):
        for tol in (1e-6, 1e-8, 1e-10):
            sol = solve_ivp(arenstorf_rhs, (0.0, ARENSTORF_PERIOD), start, method=method, rtol=tol, atol=tol)
            error = float(np.abs(sol.y[:, -1] - start).max())  # the orbit is periodic: y(T) = y(0)
            rows.append({"method": method, "tol": tol, "nfev": int(sol.nfev), "error": error})
    return {"scipy": scipy.__version__, "rows": rows}


# name -> (function, defaults applied when the option is not given)
WORKLOADS = {
    "train-2d": (run_train, {"batch": 256, "width": 64}),
    "train-2d-wide": (run_train, {"batch": 4096, "width": 256}),
    "mlp-forward": (run_forward, {"batch": 4096, "width": 256}),
    "marginal-velocity": (run_marginal, {"n": 4096}),
    "assignment": (run_assignment, {"n": 512}),
    "sinkhorn": (run_sinkhorn, {"n": 1024}),
    "ode-arenstorf": (run_arenstorf, {}),
}


def parse(argv):
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("workload", choices=list(WORKLOADS))
    cli.add_argument("--n", type=int, help="points (assignment 512, sinkhorn 1024) or data points (marginal-velocity 4096)")
    cli.add_argument("--m", type=int, default=4096, help="marginal-velocity: query points")
    cli.add_argument("--d", type=int, default=2, help="marginal-velocity: dimension")
    cli.add_argument("--t", type=float, default=0.5, help="marginal-velocity: time")
    cli.add_argument("--batch", type=int, help="rows per batch (train-2d 256, train-2d-wide and mlp-forward 4096)")
    cli.add_argument("--width", type=int, help="hidden width (train-2d 64, train-2d-wide and mlp-forward 256)")
    cli.add_argument("--reg", type=float, default=0.05, help="sinkhorn: entropic regularisation")
    cli.add_argument("--pair", choices=list(PAIRS), default="normal-normal",
                     help="assignment: source and target sets (normal-normal is the easy case; moons targets are realistic)")
    cli.add_argument("--iters", type=int, default=200, help="sinkhorn: iterations")
    cli.add_argument("--repeats", type=int, default=7, help="timed runs (the median is reported)")
    opts = cli.parse_args(argv)
    for key, value in WORKLOADS[opts.workload][1].items():
        if getattr(opts, key) is None:
            setattr(opts, key, value)
    return opts


def main(argv=None):
    opts = parse(argv)
    fields = WORKLOADS[opts.workload][0](opts)
    print(json.dumps({"workload": opts.workload, **fields}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
