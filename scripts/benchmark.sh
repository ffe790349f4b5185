#!/usr/bin/env bash
# Speed benchmark (issue "as fast as PyTorch"): training and inference examples/s of each model in
# this project and in PyTorch (Debian's python3-torch), side by side in one run, single-threaded and
# at 2 threads, each configuration in its own process. Installs what it needs (python3-torch, MNIST).
#   scripts/benchmark.sh                      # mlp-ode and galerkin on 60,000 examples, conv on 6,400
#   EXAMPLES=12800 CONV_EXAMPLES=1280 scripts/benchmark.sh   # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${EXAMPLES:-60000}
CONV_EXAMPLES=${CONV_EXAMPLES:-6400}
PYTHON=/usr/bin/python3

if ! "$PYTHON" -c "import torch" 2>/dev/null; then
  echo "installing the peer: Debian's python3-torch" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi
mvn -B -q install -DskipTests
mvn -B -q -pl dl4j-node-examples dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
CP="dl4j-node-examples/target/classes:$(cat dl4j-node-examples/target/benchmark.classpath)"
# the cpu profile's oneDNN build of ND4J (see the README's Modules section)
JAVA=(java -Xmx4g -Dorg.bytedeco.javacpp.platform.extension=-onednn -cp "$CP")
"${JAVA[@]}" org.dl4jnode.examples.mnist.MnistOde fetch >/dev/null

results=$(mktemp)
for model in mlp-ode galerkin conv; do
  n=$EXAMPLES
  if [ "$model" = conv ]; then n=$CONV_EXAMPLES; fi
  for threads in 1 2; do
    OMP_NUM_THREADS=$threads "${JAVA[@]}" org.dl4jnode.examples.bench.ThroughputBenchmark --model "$model" \
      --examples "$n" | grep '^RESULT' | tee -a "$results"
    OMP_NUM_THREADS=$threads "$PYTHON" scripts/peer/ode_peer.py --model "$model" --examples "$n" \
      | grep '^RESULT' | tee -a "$results"
  done
done
echo
"$PYTHON" scripts/peer/table.py < "$results"
rm -f "$results"
