#!/usr/bin/env bash
# The stock models as a user's project runs them: each in its own JVM, no JVM flag, one thread.
# Usage: scripts/consumer/run.sh [-Pplain]   (after `mvn -B -q install -DskipTests` in the repository)
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q "$@" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
for kind in base rk4 dopri5; do
  n=40; [ "$kind" = dopri5 ] && n=20
  OMP_NUM_THREADS=1 java -cp "target/classes:$(cat target/classpath.txt)" bench.Bench "$kind" "$n" 2>&1 | grep RESULT
done
