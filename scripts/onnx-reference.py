"""Reference fixtures for the ONNX entry and the safetensors/PyTorch layout (not shipped).

Trains a small torchcfm-style flow-matching model on 2-D data (torchcfm's MLP: an
nn.Sequential of Linear + SELU with t concatenated as the last input column; the
ConditionalFlowMatcher with sigma = 0: x_t = t x1 + (1 - t) x0, u_t = x1 - x0), then writes to
test/onnx/fixtures/:

  velocity.onnx        inputs x [n, 2], t [n] -> velocity [n, 2]   (flow_matching ModelWrapper's (x, t))
  velocity-jvp.onnx    inputs x, t, v [n, 2] -> velocity, jvp      (torch.func.jvp, the export recipe of the guide)
  velocity-tx.onnx     inputs t [] (scalar), x -> velocity         (torchcfm's torch_wrapper (t, x) call)
  mlp-f64.safetensors  the state dict in float64 (keys net.0.weight ... net.6.bias)
  mlp-f32.safetensors  the state dict in float32
  reference.json       expected numbers, all from the float64 copy of the model:
                       velocities at fixed points, Euler (100 steps) and RK4 (25 steps) samples
                       from fixed x0, and exact log-likelihoods (exact divergence by autograd,
                       SciPy DOP853 at rtol 1e-10, atol 1e-12); plus the float32 model's velocities.

Run with the python printed by bench/setup-python.sh (torch, scipy), after `pip install onnx onnxscript onnxruntime
safetensors` in it:  $(bench/setup-python.sh) scripts/onnx-reference.py
"""
import json
import math
import os
import sys

import numpy as np
import torch
from scipy.integrate import solve_ivp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "onnx", "fixtures")
COMMAND = "$(bench/setup-python.sh) scripts/onnx-reference.py"


class MLP(torch.nn.Module):
    """torchcfm.models.MLP(dim=2, w=64, time_varying=True): input [x, t]."""

    def __init__(self, dim=2, w=64):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(dim + 1, w), torch.nn.SELU(),
            torch.nn.Linear(w, w), torch.nn.SELU(),
            torch.nn.Linear(w, w), torch.nn.SELU(),
            torch.nn.Linear(w, dim),
        )

    def forward(self, x):
        return self.net(x)


class Velocity(torch.nn.Module):
    """flow_matching's ModelWrapper convention: forward(x, t) with t of shape [n]."""

    def __init__(self, mlp):
        super().__init__()
        self.mlp = mlp

    def forward(self, x, t):
        return self.mlp(torch.cat([x, t[:, None]], dim=-1))


class VelocityJvp(torch.nn.Module):
    """Velocity and its Jacobian-vector product (du/dx) v in one graph, by forward mode through
    the Sequential. (torch.func.jvp is the one-line way, but torch 2.13's ONNX exporters reject
    it: the dynamo exporter fails in _unwrap_for_grad, the TorchScript one in tracing; this loop
    exports with either and is checked against torch.func.jvp below.)"""

    def __init__(self, mlp):
        super().__init__()
        self.net = mlp.net

    def forward(self, x, t, v):
        h = torch.cat([x, t[:, None]], dim=-1)
        dh = torch.cat([v, torch.zeros_like(t)[:, None]], dim=-1)
        for layer in self.net:
            if isinstance(layer, torch.nn.Linear):
                h, dh = layer(h), dh @ layer.weight.T
            else:
                h, dh = layer(h), dh * activation_slope(layer, h)
        return h, dh


def activation_slope(layer, z):
    """f'(z) of the elementwise activations that our Mlp computes."""
    if isinstance(layer, torch.nn.SELU):
        return torch.where(z > 0, torch.full_like(z, 1.0507009873554805), 1.0507009873554805 * 1.6732632423543772 * torch.exp(z))
    if isinstance(layer, torch.nn.SiLU):
        s = torch.sigmoid(z)
        return s * (1 + z * (1 - s))
    if isinstance(layer, torch.nn.Tanh):
        return 1 - torch.tanh(z) ** 2
    if isinstance(layer, torch.nn.ReLU):
        return (z > 0).to(z.dtype)
    raise TypeError(f"no slope for {layer}")


class TorchWrapper(torch.nn.Module):
    """torchcfm.utils.torch_wrapper: forward(t, x) with a scalar t."""

    def __init__(self, mlp):
        super().__init__()
        self.mlp = mlp

    def forward(self, t, x):
        return self.mlp(torch.cat([x, t.expand(x.shape[0])[:, None]], dim=-1))


class LabelVelocity(torch.nn.Module):
    """A class-conditional field in our Mlp's layout (input [x, t, one-hot(label, classes + 1)]),
    untrained (seeded), exported with an int64 label input: tests the condition mapping."""

    def __init__(self, classes=3, w=16):
        super().__init__()
        torch.manual_seed(3)
        self.classes = classes
        self.net = torch.nn.Sequential(torch.nn.Linear(2 + 1 + classes + 1, w), torch.nn.SiLU(), torch.nn.Linear(w, 2))

    def forward(self, x, t, label):
        onehot = torch.nn.functional.one_hot(label, self.classes + 1).to(x.dtype)
        return self.net(torch.cat([x, t[:, None], onehot], dim=-1))


def moons(n, generator):
    """Two interleaved half circles with noise 0.05 (sklearn's make_moons, here by hand)."""
    k = n // 2
    a = torch.rand(k, generator=generator) * math.pi
    b = torch.rand(n - k, generator=generator) * math.pi
    top = torch.stack([torch.cos(a), torch.sin(a)], 1)
    bottom = torch.stack([1 - torch.cos(b), 0.5 - torch.sin(b)], 1)
    x = torch.cat([top, bottom]) + 0.05 * torch.randn(n, 2, generator=generator)
    return (x - torch.tensor([0.5, 0.25])) * 1.5


def train(steps=1500, batch=256, seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = MLP()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        x1 = moons(batch, g)
        x0 = torch.randn(batch, 2, generator=g)
        t = torch.rand(batch, generator=g)
        xt = t[:, None] * x1 + (1 - t[:, None]) * x0
        loss = ((model(torch.cat([xt, t[:, None]], -1)) - (x1 - x0)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, float(loss)


def check_jvp(model):
    """The forward-mode loop equals torch.func.jvp."""
    g = torch.Generator().manual_seed(7)
    x, t, v = torch.randn(32, 2, generator=g), torch.rand(32, generator=g), torch.randn(32, 2, generator=g)
    with torch.no_grad():
        _, ours = VelocityJvp(model)(x, t, v)
    _, ref = torch.func.jvp(lambda y: Velocity(model)(y, t), (x,), (v,))
    err = float((ours - ref).abs().max())
    assert err < 1e-5, err
    print("forward-mode loop vs torch.func.jvp, max |diff|:", err)


def f32_points(rng, n, scale):
    """Points exactly representable in float32, so that float32 and float64 inputs agree."""
    return rng.standard_normal((n, 2)).astype(np.float32).astype(np.float64) * scale


def export(module, args, path, inputs, outputs, dynamic):
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs,
                      dynamic_shapes=dynamic, dynamo=True, optimize=True, external_data=False)


def main():
    torch.set_num_threads(1)  # tiny ops: threads only add synchronisation (and results stay the same on any machine)
    model, loss = train()
    model.eval()
    os.makedirs(OUT, exist_ok=True)
    n = torch.export.Dim("n", min=1)
    x = torch.zeros(4, 2)
    t = torch.full((4,), 0.5)
    export(Velocity(model), (x, t), os.path.join(OUT, "velocity.onnx"), ["x", "t"], ["velocity"],
           {"x": {0: n}, "t": {0: n}})
    export(VelocityJvp(model), (x, t, torch.ones(4, 2)), os.path.join(OUT, "velocity-jvp.onnx"), ["x", "t", "v"],
           ["velocity", "jvp"], {"x": {0: n}, "t": {0: n}, "v": {0: n}})
    check_jvp(model)
    export(TorchWrapper(model), (torch.tensor(0.5), x), os.path.join(OUT, "velocity-tx.onnx"), ["t", "x"], ["velocity"],
           {"t": {}, "x": {0: n}})

    labeled = LabelVelocity().eval()
    export(labeled, (x, t, torch.zeros(4, dtype=torch.int64)), os.path.join(OUT, "velocity-label.onnx"), ["x", "t", "label"], ["velocity"],
           {"x": {0: n}, "t": {0: n}, "label": {0: n}})

    from safetensors.torch import save_file
    save_file({k: v.detach().double().contiguous() for k, v in labeled.state_dict().items()}, os.path.join(OUT, "mlp-label-f64.safetensors"))
    meta = {"source": "scripts/onnx-reference.py (torchcfm-style MLP, SELU, t concatenated)"}
    save_file({k: v.detach().double().contiguous() for k, v in model.state_dict().items()}, os.path.join(OUT, "mlp-f64.safetensors"), meta)
    save_file({k: v.detach().float().contiguous() for k, v in model.state_dict().items()}, os.path.join(OUT, "mlp-f32.safetensors"), meta)

    model64 = MLP().double()
    model64.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    model64.eval()

    def u64(xs, ts):
        with torch.no_grad():
            xt = torch.as_tensor(xs, dtype=torch.float64)
            tt = torch.as_tensor(ts, dtype=torch.float64).reshape(-1).expand(xt.shape[0])
            return model64(torch.cat([xt, tt[:, None]], -1)).numpy()

    rng = np.random.default_rng(1234)
    points = f32_points(rng, 16, 1.5)
    times = np.array([i / 15 for i in range(16)], dtype=np.float32).astype(np.float64)
    velocities = u64(points, times)
    with torch.no_grad():
        v32 = model(torch.cat([torch.as_tensor(points, dtype=torch.float32), torch.as_tensor(times, dtype=torch.float32)[:, None]], -1)).double().numpy()

    x0 = f32_points(rng, 16, 1.0)
    euler = x0.copy()
    steps = 100
    for k in range(steps):
        euler = euler + (1 / steps) * u64(euler, k / steps)
    rk4 = x0.copy()
    steps4 = 25
    h = 1 / steps4
    for k in range(steps4):
        s = k * h
        k1 = u64(rk4, s)
        k2 = u64(rk4 + h / 2 * k1, s + h / 2)
        k3 = u64(rk4 + h / 2 * k2, s + h / 2)
        k4 = u64(rk4 + h * k3, s + h)
        rk4 = rk4 + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

    labels = [i % 4 for i in range(16)]
    labeled64 = labeled.double()
    with torch.no_grad():
        label_velocities = labeled64(torch.as_tensor(points), torch.as_tensor(times), torch.as_tensor(labels)).numpy()
        label_velocities_2 = labeled64(torch.as_tensor(points), torch.as_tensor(times), torch.full((16,), 2)).numpy()

    x1 = f32_points(rng, 8, 1.0)
    m = x1.shape[0]
    layers = [(l.weight.detach().double().numpy(), l.bias.detach().double().numpy()) for l in model64.net if isinstance(l, torch.nn.Linear)]

    def velocity_and_divergence(xs, s):
        """u and div u = tr(du/dx) in float64 NumPy: forward mode with the d unit tangents at once."""
        h = np.concatenate([xs, np.full((xs.shape[0], 1), s)], 1)
        dh = np.zeros((xs.shape[0], 2, 3))  # dh[:, j] = d h / d x_j
        dh[:, 0, 0] = dh[:, 1, 1] = 1
        for k, (w, b) in enumerate(layers):
            z = h @ w.T + b
            dz = dh @ w.T
            if k == len(layers) - 1:
                return z, dz[:, 0, 0] + dz[:, 1, 1]
            scale, alpha = 1.0507009873554805, 1.6732632423543772
            h = np.where(z > 0, scale * z, scale * alpha * np.expm1(np.minimum(z, 0)))
            dh = dz * np.where(z > 0, scale, scale * alpha * np.exp(np.minimum(z, 0)))[:, None, :]

    # the NumPy forward mode equals PyTorch's velocity and autograd Jacobian trace
    probe = x1[:3]
    u_np, div_np = velocity_and_divergence(probe, 0.3)
    for i in range(3):
        f = lambda y: model64(torch.cat([y, torch.full((1, 1), 0.3, dtype=torch.float64)], -1))
        jac = torch.autograd.functional.jacobian(f, torch.tensor(probe[i:i + 1])).reshape(2, 2)
        assert abs(float(torch.trace(jac)) - div_np[i]) < 1e-12 and np.abs(u_np[i] - u64(probe[i:i + 1], 0.3)[0]).max() < 1e-12

    def augmented(s, z):
        # all rows in one system: rows [x_i, l_i], l' = div u (exact)
        zs = z.reshape(m, 3)
        u, div = velocity_and_divergence(zs[:, :2], s)
        return np.concatenate([u, div[:, None]], 1).reshape(-1)

    z1 = np.concatenate([x1, np.zeros((m, 1))], 1).reshape(-1)
    sol = solve_ivp(augmented, (1.0, 0.0), z1, method="DOP853", rtol=1e-10, atol=1e-12)
    assert sol.success, sol.message
    nfe = sol.nfev
    z = sol.y[:, -1].reshape(m, 3)
    # z[:, 2] = l(0) = -integral_0^1 div u dt
    log_likelihoods = (-0.5 * (z[:, 0] ** 2 + z[:, 1] ** 2) - math.log(2 * math.pi) + z[:, 2]).tolist()
    sources = z[:, :2].tolist()

    ref = {
        "command": COMMAND,
        "model": "torchcfm MLP(dim=2, w=64, time_varying=True): Sequential(Linear(3,64), SELU, Linear(64,64), SELU, Linear(64,64), SELU, Linear(64,2)), input [x, t]",
        "training": {"steps": 1500, "batch": 256, "data": "moons (scaled)", "final_loss": loss},
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
        "points": points.tolist(), "times": times.tolist(),
        "velocities": velocities.tolist(), "velocities_f32": v32.tolist(),
        "labels": labels, "label_velocities": label_velocities.tolist(), "label_velocities_2": label_velocities_2.tolist(),
        "x0": x0.tolist(), "euler100": euler.tolist(), "rk4_25": rk4.tolist(),
        "x1": x1.tolist(), "log_likelihood": log_likelihoods, "likelihood_x0": sources,
        "likelihood_solver": {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12, "nfev": nfe},
    }
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    check_onnx(ref)


def check_onnx(ref):
    """The exported graphs agree with the float32 model (onnxruntime, when installed)."""
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime not installed: graphs not checked")
        return
    x = np.array(ref["points"], dtype=np.float32)
    t = np.array(ref["times"], dtype=np.float32)
    expect = np.array(ref["velocities_f32"])
    s = ort.InferenceSession(os.path.join(OUT, "velocity.onnx"))
    print("velocity.onnx max |diff| vs torch f32:", np.abs(s.run(None, {"x": x, "t": t})[0] - expect).max())
    s = ort.InferenceSession(os.path.join(OUT, "velocity-jvp.onnx"))
    v = np.ones_like(x)
    out = s.run(None, {"x": x, "t": t, "v": v})
    print("velocity-jvp.onnx outputs", [o.name for o in s.get_outputs()], "velocity diff", np.abs(out[0] - expect).max())
    s = ort.InferenceSession(os.path.join(OUT, "velocity-tx.onnx"))
    print("velocity-tx.onnx inputs", [(i.name, i.shape) for i in s.get_inputs()],
          "diff at t=times[0]", np.abs(s.run(None, {"t": np.array(t[0]), "x": x})[0][0] - expect[0]).max())


if __name__ == "__main__":
    main()
