#!/usr/bin/env bash
# Seed 002's stock models, this project as a user's Maven project runs them (the README's Usage block, no JVM flag)
# against the PyTorch peer (scripts/peer/ode_peer.py, Debian's python3-torch on OpenBLAS), one thread each,
# interleaved, ROUNDS rounds (default 2). Prints both sides' RESULT lines, the peer's BLAS speed first.
# Usage: scripts/consumer/side_by_side.sh [-Pplain]   (after `mvn -B -q install -DskipTests` in the repository)
set -euo pipefail
cd "$(dirname "$0")"
peer=../peer/ode_peer.py
mvn -B -q "$@" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
OMP_NUM_THREADS=1 /usr/bin/python3 "$peer" --blas-check
for round in $(seq "${ROUNDS:-2}"); do
  for kind in base rk4 dopri5; do
    n=40; [ "$kind" = dopri5 ] && n=20
    OMP_NUM_THREADS=1 java -cp "target/classes:$(cat target/classpath.txt)" bench.Bench "$kind" "$n" 2>&1 | grep RESULT
    OMP_NUM_THREADS=1 /usr/bin/python3 "$peer" --model "stock-$kind" --random --examples $((n * 64)) --warmup 10 | grep RESULT
  done
done
