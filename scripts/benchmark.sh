#!/usr/bin/env bash
# Speed benchmark: training and inference examples/s of each model in this project and in PyTorch, side by
# side in one run, at 1 and 2 threads, each configuration in its own process, and the ODE layer's own cost
# (each model minus the same network without its ODE layer). Installs what it needs: Debian's python3-torch
# with OpenBLAS (libopenblas0-pthread), and MNIST. The peer's BLAS is checked first: below BLAS_FLOOR GFLOP/s
# for a [128, 784] x [784, 64] product the peer is not a fair one and no ratio is printed.
#   scripts/benchmark.sh                                       # 32,000 examples per mlp model, 9,600 for conv
#   EXAMPLES=12800 CONV_EXAMPLES=1280 REPEATS=1 scripts/benchmark.sh   # a quick look
#   MODELS="conv-base conv" THREADS=1 scripts/benchmark.sh            # some models, one thread count
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${EXAMPLES:-32000}
CONV_EXAMPLES=${CONV_EXAMPLES:-9600}
REPEATS=${REPEATS:-2}
# untimed minibatches first, on both sides (the JVM compiles its hot code during the first few hundred)
WARMUP=${WARMUP:-200}
CONV_WARMUP=${CONV_WARMUP:-100}
MODELS=${MODELS:-"mlp-base mlp-ode galerkin conv-base conv"}
THREADS=${THREADS:-"1 2"}
BLAS_FLOOR=${BLAS_FLOOR:-20}
PYTHON=/usr/bin/python3

missing=()
"$PYTHON" -c "import torch" 2>/dev/null || missing+=(python3-torch)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing the peer: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
blas=$(OMP_NUM_THREADS=1 "$PYTHON" scripts/peer/ode_peer.py --blas-check)
echo "peer: $blas ($(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo 'libblas.so.3 not found'))"
gflops=$(sed -n 's/.*gflops=\([0-9.]*\).*/\1/p' <<<"$blas")
if ! awk -v g="$gflops" -v f="$BLAS_FLOOR" 'BEGIN { exit !(g >= f) }'; then
  echo "the peer's BLAS gives $gflops GFLOP/s single-threaded, below the floor of $BLAS_FLOOR: it is not an" \
       "optimised BLAS (libblas.so.3 should point to OpenBLAS), so no ratio would be fair; stopping" >&2
  exit 1
fi

mvn -B -q install -DskipTests
mvn -B -q -pl dl4j-node-benchmarks dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
CP="dl4j-node-benchmarks/target/classes:$(cat dl4j-node-benchmarks/target/benchmark.classpath)"
# the cpu profile's oneDNN build of ND4J (see the README's Modules section)
JAVA=(java -Xmx4g -Dorg.bytedeco.javacpp.platform.extension=-onednn -cp "$CP")
"${JAVA[@]}" org.dl4jnode.mnist.MnistOde fetch >/dev/null
# the same products in ND4J: the BLAS the DL4J side runs on (OpenBLAS as the parent pom's cpu profile pins it)
echo "dl4j-node: $(OMP_NUM_THREADS=1 "${JAVA[@]}" org.dl4jnode.benchmarks.ThroughputBenchmark --blas-check)"

results=$(mktemp)
for repeat in $(seq "$REPEATS"); do
  for model in $MODELS; do
    n=$EXAMPLES
    w=$WARMUP
    case $model in conv*) n=$CONV_EXAMPLES; w=$CONV_WARMUP ;; esac
    for threads in $THREADS; do
      OMP_NUM_THREADS=$threads "${JAVA[@]}" org.dl4jnode.benchmarks.ThroughputBenchmark --model "$model" \
        --examples "$n" --warmup "$w" | grep '^RESULT' | tee -a "$results"
      OMP_NUM_THREADS=$threads "$PYTHON" scripts/peer/ode_peer.py --model "$model" --examples "$n" --warmup "$w" \
        | grep '^RESULT' | tee -a "$results"
    done
  done
done
echo
"$PYTHON" scripts/peer/table.py < "$results"
rm -f "$results"
