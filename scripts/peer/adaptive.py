"""DOPRI5 with adaptive steps and the continuous adjoint, in PyTorch, as dl4j-node solves them.

torchdiffeq cannot be installed on the project's machines (only Debian's and npm's packages reach them), so this is
the peer's own solver, written to take the same steps as dl4j-node's for the same field and state:
- Dormand-Prince 5(4), first-same-as-last, the 5th-order solution propagated;
- Hairer-Norsett-Wanner's starting step (two evaluations, one reused), as AdaptiveGrid.initialStep;
- the error norm sqrt(mean((e / (atol + rtol max(|y0|, |y1|)))^2)) over every element of the minibatch (one step
  size serves the batch), as ErrorNorm.rms;
- the integral controller 0.9 err^(-1/5), within [0.2, 10], no growth right after a rejection, the last step cut to
  land on t1, as StepSizeController.DEFAULT;
- the adjoint: z = [h, a, thetaBar] flattened into one vector and solved from t1 back to t0 with the same method and
  tolerances, its error measured over all of z (dl4j-node's default, adjointSeminorm false), as AdjointBackprop.
"""
import math

import torch

C = [0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]
A = [[], [1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
     [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
     [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
     [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]]
B = [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0]
B_HAT = [5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40]
E = [b - bh for b, bh in zip(B, B_HAT)]
ORDER = 4  # the lower order of the pair: the controller's exponent is 1 / (ORDER + 1)


class Stats:
    """Field evaluations (forward) and augmented evaluations (each one f and its vector-Jacobian product)."""

    def __init__(self):
        self.forward = 0
        self.backward = 0


def _combine(y, dt, weights, slopes):
    out = y.clone()
    for w, k in zip(weights, slopes):
        if w != 0.0:
            out.add_(k, alpha=dt * w)
    return out


def _norm(e, y0, y1, rtol, atol):
    scale = torch.maximum(y0.abs(), y1.abs()).mul_(rtol).add_(atol)
    return (e / scale).pow_(2).mean().sqrt().item()


def _initial_step(f, t0, t1, y0, f0, rtol, atol):
    span = abs(t1 - t0)
    d0 = _norm(y0, y0, y0, rtol, atol)
    d1 = _norm(f0, y0, y0, rtol, atol)
    h0 = 1e-6 * max(1.0, span) if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, span)
    direction = math.copysign(1.0, t1 - t0)
    f1 = f(t0 + direction * h0, y0 + direction * h0 * f0)
    d2 = _norm(f1 - f0, y0, y0, rtol, atol) / h0
    d_max = max(d1, d2)
    h1 = max(1e-6, h0 * 1e-3) if d_max <= 1e-15 else (0.01 / d_max) ** (1.0 / 6)
    return min(100 * h0, h1, span)


def dopri5(f, y0, t0, t1, rtol, atol, max_steps=4096):
    """y(t1) of dy/dt = f(t, y) from y(t0) = y0 (t1 < t0 integrates backwards). f returns a fresh tensor."""
    direction = math.copysign(1.0, t1 - t0)
    slope = f(t0, y0)
    h = _initial_step(f, t0, t1, y0, slope, rtol, atol)
    t, y, accepted, last_rejected = t0, y0, 0, False
    while direction * (t1 - t) > 0:
        if accepted >= max_steps:
            raise RuntimeError(f"maxSteps = {max_steps} ran out at t = {t}")
        if h <= 4 * math.ulp(max(abs(t), abs(t1))):
            raise RuntimeError(f"step size underflow at t = {t}, h = {h}")
        last = h >= abs(t1 - t) * (1 - 1e-12)
        dt = t1 - t if last else direction * h
        slopes = [slope]
        for i in range(1, 7):
            slopes.append(f(t + C[i] * dt, _combine(y, dt, A[i], slopes)))
        y_next = _combine(y, dt, B, slopes)
        error = _norm(_combine(torch.zeros_like(y), dt, E, slopes), y, y_next, rtol, atol)
        if not math.isfinite(error):
            raise RuntimeError(f"NaN or infinite error estimate at t = {t}")
        if error <= 1:
            accepted += 1
            t = t1 if last else t + dt
            y = y_next
            slope = slopes[-1]
            upper = 1.0 if last_rejected else 10.0
            last_rejected = False
        else:
            upper = 1.0
            last_rejected = True
        h *= upper if error == 0 else max(0.2, min(upper, 0.9 * error ** (-1.0 / (ORDER + 1))))
    return y


class _OdeAdjoint(torch.autograd.Function):
    """h(t1) forward without a tape; the gradient by the backward solve of [h, a, thetaBar]."""

    @staticmethod
    def forward(ctx, field, t0, t1, rtol, atol, stats, h0, *params):
        def f(t, h):
            stats.forward += 1
            return field(t, h)

        with torch.no_grad():
            h1 = dopri5(f, h0, t0, t1, rtol, atol)
        ctx.field, ctx.span, ctx.tol, ctx.stats = field, (t0, t1), (rtol, atol), stats
        ctx.save_for_backward(h1, *params)
        return h1

    @staticmethod
    def backward(ctx, grad_h1):
        h1, *params = ctx.saved_tensors
        shape, n = h1.shape, h1.numel()
        sizes = [p.numel() for p in params]

        def augmented(t, z):
            ctx.stats.backward += 1
            h = z[:n].view(shape).detach().requires_grad_(True)
            a = z[n:2 * n].view(shape)
            with torch.enable_grad():
                fh = ctx.field(t, h)
                vjps = torch.autograd.grad(fh, [h] + params, a)
            return torch.cat([fh.detach().reshape(-1)] + [-v.reshape(-1) for v in vjps])

        z1 = torch.cat([h1.reshape(-1), grad_h1.reshape(-1), h1.new_zeros(sum(sizes))])
        t0, t1 = ctx.span
        with torch.no_grad():
            z0 = dopri5(augmented, z1, t1, t0, *ctx.tol)
        grads, offset = [], 2 * n
        for p, size in zip(params, sizes):
            grads.append(z0[offset:offset + size].view(p.shape))
            offset += size
        return (None, None, None, None, None, None, z0[n:2 * n].view(shape)) + tuple(grads)


def odeint_adjoint(field, h0, params, t0=0.0, t1=1.0, rtol=1e-3, atol=1e-3, stats=None):
    """h(t1) with gradients by the continuous adjoint; {@code params} are every tensor the field reads that needs a
    gradient (the field itself must read them, so the backward pass's products reach them)."""
    return _OdeAdjoint.apply(field, t0, t1, rtol, atol, stats or Stats(), h0, *params)
