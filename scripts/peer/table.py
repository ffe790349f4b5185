#!/usr/bin/env python3
"""Reads RESULT lines (scripts/benchmark.sh) on stdin and prints this project vs. PyTorch with ratios."""
import sys

rows = {}
for line in sys.stdin:
    if not line.startswith("RESULT "):
        continue
    fields = dict(item.split("=", 1) for item in line.split()[1:])
    rows[(fields["model"], fields["threads"], fields["side"])] = fields

print(f"{'model':<10} {'threads':>7} {'train ex/s':>22} {'ratio':>6} {'inference ex/s':>24} {'ratio':>6} "
      f"{'peak RSS MiB':>18} {'DL4J heap MiB':>13}")
print(f"{'':<10} {'':>7} {'dl4j-node':>11}{'PyTorch':>11} {'':>6} {'dl4j-node':>12}{'PyTorch':>12} {'':>6} "
      f"{'dl4j-node':>9}{'PyTorch':>9}")
for (model, threads, side), d in sorted(rows.items()):
    if side != "dl4j":
        continue
    t = rows.get((model, threads, "torch"))
    if t is None:
        continue
    tr = float(d["train_eps"]) / float(t["train_eps"])
    ir = float(d["infer_eps"]) / float(t["infer_eps"])
    print(f"{model:<10} {threads:>7} {float(d['train_eps']):>11.0f}{float(t['train_eps']):>11.0f} {tr:>5.2f}x "
          f"{float(d['infer_eps']):>12.0f}{float(t['infer_eps']):>12.0f} {ir:>5.2f}x "
          f"{float(d['rss_peak_mib']):>9.0f}{float(t['rss_peak_mib']):>9.0f} {float(d['heap_peak_mib']):>13.0f}")
