#!/usr/bin/env python3
"""PyTorch peer of org.dl4jnode.benchmarks.ThroughputBenchmark.

The same models as the DL4J side (layers, field, Galerkin basis, solver, steps, weight init,
minibatch, Adam), trained on the same MNIST files with plain PyTorch autograd through the
fixed-step solver (discrete backprop, as the DL4J layer's BACKPROP mode), or for stock-dopri5 with DOPRI5 and the
continuous adjoint of adaptive.py (torchdiffeq's odeint_adjoint cannot be installed here). Prints one RESULT line.
Run with Debian's python3-torch: /usr/bin/python3 scripts/peer/ode_peer.py --model mlp-ode
"""
import argparse
import math
import os
import resource
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from adaptive import Stats, odeint_adjoint


def load_mnist(directory, limit):
    with open(os.path.join(directory, "train-images-idx3-ubyte"), "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        images = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows * cols)[:limit]
    with open(os.path.join(directory, "train-labels-idx1-ubyte"), "rb") as f:
        f.read(8)
        labels = np.frombuffer(f.read(), dtype=np.uint8)[:limit]
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def xavier(shape, fan_in, fan_out):
    """DL4J's WeightInit.XAVIER: N(0, 2 / (fanIn + fanOut))."""
    return torch.randn(*shape) * math.sqrt(2.0 / (fan_in + fan_out))


def relu_init(shape, fan_in):
    """DL4J's WeightInit.RELU: N(0, 2 / fanIn)."""
    return torch.randn(*shape) * math.sqrt(2.0 / fan_in)


class Fourier:
    """[1, cos(w s), ..., cos(n w s), sin(w s), ..., sin(n w s)], s = t - t0, w = 2 pi / (t1 - t0), as FourierBasis."""

    def __init__(self, n, t0=0.0, t1=1.0):
        self.n, self.t0, self.t1 = n, t0, t1

    def size(self):
        return 2 * self.n + 1

    def __call__(self, t):
        ws = 2 * math.pi * (t - self.t0) / (self.t1 - self.t0)
        ks = range(1, self.n + 1)
        return torch.tensor([1.0] + [math.cos(k * ws) for k in ks] + [math.sin(k * ws) for k in ks])


class Params(nn.Module):
    """A field's parameters, direct or as Galerkin coefficients [m, shape...] (constant mode initialised)."""

    def __init__(self, specs, basis):
        super().__init__()
        self.basis = basis
        self.values = nn.ParameterDict()
        for key, value in specs.items():
            if basis is None:
                self.values[key] = nn.Parameter(value)
            else:
                c = torch.zeros(basis.size(), *value.shape)
                c[0] = value
                self.values[key] = nn.Parameter(c)

    def at(self, t):
        if self.basis is None:
            return dict(self.values.items())
        psi = self.basis(t)
        return {k: torch.tensordot(psi, c, dims=1) for k, c in self.values.items()}


class MlpField(nn.Module):
    """f(t, h) = tanh(h W0 + t Wt + b0) W1 + b1, as VectorField.mlp(w)."""

    def __init__(self, d, w, basis):
        super().__init__()
        self.p = Params({"W0": xavier((d, w), d + 1, w), "Wt": xavier((1, w), d + 1, w), "b0": torch.zeros(1, w),
                         "W1": xavier((w, d), w, d), "b1": torch.zeros(1, d)}, basis)

    def forward(self, t, h):
        p = self.p.at(t)
        return torch.tanh(h @ p["W0"] + t * p["Wt"] + p["b0"]) @ p["W1"] + p["b1"]


class ConvField(nn.Module):
    """conv3x3 -> tanh -> conv3x3 with same padding and a time channel, as VectorField.conv(h, 3)."""

    def __init__(self, c, hidden, basis):
        super().__init__()
        fan_in, fan_out = (c + 1) * 9, hidden * 9
        self.p = Params({"W0": xavier((hidden, c, 3, 3), fan_in, fan_out),
                         "Wt": xavier((hidden, 1, 3, 3), fan_in, fan_out), "b0": torch.zeros(hidden),
                         "W1": xavier((c, hidden, 3, 3), hidden * 9, c * 9), "b1": torch.zeros(c)}, basis)

    def forward(self, t, h):
        p = self.p.at(t)
        ones = torch.ones(1, 1, h.shape[2], h.shape[3])
        z = F.conv2d(h, p["W0"], p["b0"], padding=1) + t * F.conv2d(ones, p["Wt"], padding=1)
        return F.conv2d(torch.tanh(z), p["W1"], p["b1"], padding=1)


def rk4(f, h, steps, t0=0.0, t1=1.0):
    dt = (t1 - t0) / steps
    for i in range(steps):
        t = t0 + i * dt
        k1 = f(t, h)
        k2 = f(t + dt / 2, h + dt / 2 * k1)
        k3 = f(t + dt / 2, h + dt / 2 * k2)
        k4 = f(t + dt, h + dt * k3)
        h = h + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return h


def midpoint(f, h, steps, t0=0.0, t1=1.0):
    dt = (t1 - t0) / steps
    for i in range(steps):
        t = t0 + i * dt
        h = h + dt * f(t + dt / 2, h + dt / 2 * f(t, h))
    return h


class MlpOde(nn.Module):
    """dense 784 -> 64 (identity) -> ODE[mlp(64), RK4 x 4] -> softmax 10; without the ODE when ode is False."""

    def __init__(self, basis, ode=True):
        super().__init__()
        self.w_in = nn.Parameter(xavier((784, 64), 784, 64))
        self.b_in = nn.Parameter(torch.zeros(64))
        self.field = MlpField(64, 64, basis) if ode else None
        self.w_out = nn.Parameter(xavier((64, 10), 64, 10))
        self.b_out = nn.Parameter(torch.zeros(10))

    def forward(self, x):
        h = x @ self.w_in + self.b_in
        if self.field is not None:
            h = rk4(self.field, h, 4)
        return h @ self.w_out + self.b_out


class ConvOde(nn.Module):
    """The MNIST program's default: conv stem -> Galerkin ODE[conv(32, 3), fourier(2), midpoint x 1] -> pool -> softmax;
    without the ODE when ode is False."""

    def __init__(self, ode=True):
        super().__init__()
        self.c1 = nn.Parameter(relu_init((16, 1, 3, 3), 9))
        self.b1 = nn.Parameter(torch.zeros(16))
        self.c2 = nn.Parameter(relu_init((32, 16, 3, 3), 16 * 9))
        self.b2 = nn.Parameter(torch.zeros(32))
        self.field = ConvField(32, 32, Fourier(2)) if ode else None
        self.w_out = nn.Parameter(xavier((288, 10), 288, 10))
        self.b_out = nn.Parameter(torch.zeros(10))

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(F.conv2d(x, self.c1, self.b1, padding=1)), 2)
        x = F.max_pool2d(F.relu(F.conv2d(x, self.c2, self.b2, padding=1)), 2)
        if self.field is not None:
            x = midpoint(self.field, x, 1)
        x = F.max_pool2d(x, 2)
        return x.flatten(1) @ self.w_out + self.b_out


def blas_gflops(k=784):
    """GFLOP/s of a [128, k] x [k, 64] float32 product (k = 784: the first layer's; 64: the field's) into an
    existing tensor: what this PyTorch's BLAS gives."""
    a, b, c = torch.randn(128, k), torch.randn(k, 64), torch.empty(128, 64)
    repeats = 200_000 // k
    for _ in range(repeats // 10):
        torch.mm(a, b, out=c)
    start = time.perf_counter()
    for _ in range(repeats):
        torch.mm(a, b, out=c)
    return 2 * 128 * k * 64 * repeats / (time.perf_counter() - start) / 1e9


class StockConv(nn.Module):
    """Seed 002's setting as a DL4J user writes it (ThroughputBenchmark's stock-rk4): conv3x3 1 -> 16, ReLU,
    max-pool 2 -> ODE[conv(16, 3), RK4 x 2] -> global average pooling -> softmax 10; solver "dopri5": DOPRI5 at
    rtol = atol = 1e-3 with the continuous adjoint (stock-dopri5); solver None: no ODE layer (stock-base)."""

    def __init__(self, solver="rk4"):
        super().__init__()
        self.c1 = nn.Parameter(xavier((16, 1, 3, 3), 9, 16 * 9))
        self.b1 = nn.Parameter(torch.zeros(16))
        self.solver = solver
        self.field = ConvField(16, 16, None) if solver else None
        self.w_out = nn.Parameter(xavier((16, 10), 16, 10))
        self.b_out = nn.Parameter(torch.zeros(10))
        self.stats = Stats() if solver == "dopri5" else None

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(F.conv2d(x, self.c1, self.b1, padding=1)), 2)
        if self.solver == "rk4":
            x = rk4(self.field, x, 2)
        elif self.solver == "dopri5":
            x = odeint_adjoint(self.field, x, list(self.field.p.values.values()), rtol=1e-3, atol=1e-3,
                               stats=self.stats)
        return x.mean(dim=(2, 3)) @ self.w_out + self.b_out


MODELS = {"mlp-ode": lambda: MlpOde(None), "galerkin": lambda: MlpOde(Fourier(5)),
          "mlp-base": lambda: MlpOde(None, ode=False), "conv": ConvOde, "conv-base": lambda: ConvOde(ode=False),
          "stock-rk4": StockConv, "stock-dopri5": lambda: StockConv("dopri5"),
          "stock-base": lambda: StockConv(None)}


def build(name):
    return MODELS[name]()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="mlp-ode", choices=sorted(MODELS))
    parser.add_argument("--blas-check", action="store_true",
                        help="print the GFLOP/s of this PyTorch's matrix product and exit")
    parser.add_argument("--examples", type=int, default=60000)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--mnist", default=os.path.expanduser("~/.deeplearning4j"))
    parser.add_argument("--random", action="store_true",
                        help="uniform random images and labels instead of MNIST (a fixed-step model's speed does not "
                             "depend on the data)")
    args = parser.parse_args()
    threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
    if threads > 0:
        torch.set_num_threads(threads)
    if args.blas_check:
        print(f"BLAS gflops={blas_gflops():.1f} field_gflops={blas_gflops(64):.1f} threads={torch.get_num_threads()} torch={torch.__version__}")
        return
    torch.manual_seed(1)
    batch = 64 if args.model.startswith(("conv", "stock")) else 128
    model = build(args.model)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = min(60000, args.examples + args.warmup * batch)
    if args.random:
        x, y = torch.rand(n, 784), torch.randint(0, 10, (n,))
    else:
        x, y = load_mnist(args.mnist, n)
    batches = [(x[i:i + batch], y[i:i + batch]) for i in range(0, len(x), batch)]

    def step(features, labels):
        optimiser.zero_grad()
        F.cross_entropy(model(features), labels).backward()
        optimiser.step()

    for i in range(args.warmup):
        step(*batches[i % len(batches)])
    timed = batches[min(args.warmup, len(batches) - 1):]
    count = sum(len(b[1]) for b in timed)
    stats = getattr(model, "stats", None)
    if stats is not None:
        stats.forward = stats.backward = 0
    start = time.perf_counter()
    for features, labels in timed:
        step(features, labels)
    train = count / (time.perf_counter() - start)
    # an adaptive solve's field evaluations per training minibatch, forward and in the adjoint's backward solve
    nfe = "" if stats is None else f" nfe_forward={stats.forward / len(timed):.1f} nfe_backward={stats.backward / len(timed):.1f}"
    start = time.perf_counter()
    with torch.no_grad():
        for features, _ in timed:
            model(features)
    infer = count / (time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    params = sum(p.numel() for p in model.parameters())
    print(f"RESULT side=torch model={args.model} threads={threads or 'default'} train_eps={train:.1f} "
          f"infer_eps={infer:.1f} heap_peak_mib=0.0 rss_peak_mib={rss:.1f} examples={count} params={params}{nfe}")


if __name__ == "__main__":
    main()
