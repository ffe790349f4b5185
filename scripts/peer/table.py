#!/usr/bin/env python3
"""Reads RESULT lines (scripts/benchmark.sh) on stdin; prints this project vs. PyTorch, end to end and per ODE layer.

End to end: examples/s of each model on both sides, and their ratio (dl4j-node / PyTorch; above 1: faster).
ODE layer: the model's time per example minus that of the same network without its ODE layer
(mlp-ode and galerkin minus mlp-base, conv minus conv-base), in microseconds, and the ratio
PyTorch / dl4j-node of those costs (above 1: the ODE layer is faster than PyTorch's).
With several repeats, each figure is the median and the ratio's range over the repeats is shown (the i-th
repeat of each side ran next to each other).
"""
import statistics
import sys
from collections import defaultdict

BASE = {"mlp-ode": "mlp-base", "galerkin": "mlp-base", "conv": "conv-base"}

runs = defaultdict(list)
for line in sys.stdin:
    if not line.startswith("RESULT "):
        continue
    fields = dict(item.split("=", 1) for item in line.split()[1:])
    runs[(fields["model"], fields["threads"], fields["side"])].append(fields)


def values(model, threads, side, key):
    return [float(r[key]) for r in runs.get((model, threads, side), [])]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def ratio_text(pairs):
    """Median ratio, with its range when there are several."""
    if not pairs:
        return "-"
    text = f"{statistics.median(pairs):.2f}x"
    if len(pairs) > 1:
        text += f" ({min(pairs):.2f}-{max(pairs):.2f})"
    return text


def per_example_us(eps):
    return [1e6 / e for e in eps]


keys = sorted({(m, t) for (m, t, _) in runs})
print("End to end (examples/s; ratio = dl4j-node / PyTorch)")
print(f"{'model':<10} {'threads':>7} {'train dl4j':>11} {'PyTorch':>9} {'ratio':>17} "
      f"{'infer dl4j':>11} {'PyTorch':>9} {'ratio':>17} {'RSS MiB dl4j/torch':>19} {'heap MiB':>9}")
for model, threads in keys:
    d_tr, t_tr = values(model, threads, "dl4j", "train_eps"), values(model, threads, "torch", "train_eps")
    d_in, t_in = values(model, threads, "dl4j", "infer_eps"), values(model, threads, "torch", "infer_eps")
    if not d_tr or not t_tr:
        continue
    tr = [a / b for a, b in zip(d_tr, t_tr)]
    ir = [a / b for a, b in zip(d_in, t_in)]
    rss = f"{med(values(model, threads, 'dl4j', 'rss_peak_mib')):.0f}/{med(values(model, threads, 'torch', 'rss_peak_mib')):.0f}"
    print(f"{model:<10} {threads:>7} {med(d_tr):>11.0f} {med(t_tr):>9.0f} {ratio_text(tr):>17} "
          f"{med(d_in):>11.0f} {med(t_in):>9.0f} {ratio_text(ir):>17} {rss:>19} "
          f"{med(values(model, threads, 'dl4j', 'heap_peak_mib')):>9.0f}")

print()
print("ODE layer's own cost (us per example: the model minus the same network without the ODE layer;")
print("ratio = PyTorch's cost / dl4j-node's, above 1: faster than PyTorch)")
print(f"{'model':<10} {'threads':>7} {'train dl4j':>11} {'PyTorch':>9} {'ratio':>17} "
      f"{'infer dl4j':>11} {'PyTorch':>9} {'ratio':>17}")
for model, threads in keys:
    base = BASE.get(model)
    if base is None:
        continue
    cost = {}
    for side in ("dl4j", "torch"):
        for phase in ("train", "infer"):
            full = per_example_us(values(model, threads, side, phase + "_eps"))
            without = per_example_us(values(base, threads, side, phase + "_eps"))
            cost[side, phase] = [a - b for a, b in zip(full, without)]
    if not cost["dl4j", "train"] or not cost["torch", "train"]:
        continue
    tr = [b / a for a, b in zip(cost["dl4j", "train"], cost["torch", "train"])]
    ir = [b / a for a, b in zip(cost["dl4j", "infer"], cost["torch", "infer"])]
    print(f"{model:<10} {threads:>7} {med(cost['dl4j', 'train']):>11.1f} {med(cost['torch', 'train']):>9.1f} "
          f"{ratio_text(tr):>17} {med(cost['dl4j', 'infer']):>11.1f} {med(cost['torch', 'infer']):>9.1f} "
          f"{ratio_text(ir):>17}")

print()
print("The floor: the networks without their ODE layer (us per minibatch; DL4J's own layers and fit loop)")
for base, batch in (("mlp-base", 128), ("conv-base", 64)):
    for threads in sorted({t for (m, t, _) in runs if m == base}):
        d = med(values(base, threads, "dl4j", "train_eps"))
        t = med(values(base, threads, "torch", "train_eps"))
        if d == d and t == t:
            print(f"{base:<10} {threads:>7} train: dl4j-node {1e3 * batch / d:.2f} ms, PyTorch {1e3 * batch / t:.2f} ms "
                  f"per minibatch of {batch}")
