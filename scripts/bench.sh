#!/usr/bin/env bash
# Runs the benchmark (src/test/java/io/conifer/bench/ServerBenchmark.java); `./conifer bench` calls this.
# The benchmark lives with the tests because it drives the server through the official Java SDK, a
# test-scope dependency; so this compiles the test classes, resolves the test classpath once (cached in
# target/test-classpath.txt until pom.xml changes) and runs the class with Lucene's JVM flags.
# JVM options: BENCH_JAVA_OPTS (default -Xmx6g), e.g. BENCH_JAVA_OPTS="-Xmx6g -XX:StartFlightRecording=filename=bench.jfr".
# Options: ./conifer bench --help
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/jdk.sh"
cd "$here"

stamp=target/test-classes/.bench-built
if [ ! -f "$stamp" ] || [ -n "$(find src pom.xml -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "bench: compiling (mvn test-compile)..." >&2
  mvn -q -B test-compile >&2
  touch "$stamp"
fi
if [ ! -f target/test-classpath.txt ] || [ pom.xml -nt target/test-classpath.txt ]; then
  echo "bench: resolving the test classpath..." >&2
  mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
fi

main=io.conifer.bench.ServerBenchmark
if [ "${1:-}" = "backup" ]; then  # ./conifer bench backup: BackupBenchmark (backups and restores vs cp -r)
  shift
  main=io.conifer.bench.BackupBenchmark
elif [ "${1:-}" = "documents" ]; then  # ./conifer bench documents: DocumentsBenchmark (documents vs raw Lucene)
  shift
  main=io.conifer.bench.DocumentsBenchmark
elif [ "${1:-}" = "overhead" ]; then  # ./conifer bench overhead: OverheadBenchmark (per-request cost of REST and gRPC)
  shift
  main=io.conifer.bench.OverheadBenchmark
elif [ "${1:-}" = "restart" ]; then  # ./conifer bench restart: RestartBenchmark (restart time after kill -9)
  shift
  main=io.conifer.bench.RestartBenchmark
elif [ "${1:-}" = "cosine" ]; then  # ./conifer bench cosine [VECTORS DIM ROUNDS]: CosineAsDotProduct (COSINE vs DOT_PRODUCT on unit vectors)
  shift
  main=io.conifer.bench.CosineAsDotProduct
elif [ "${1:-}" = "quantized" ]; then  # ./conifer bench quantized [VECTORS DIM ROUNDS]: QuantizedSearch (float vs int8/7-bit HNSW, rescored)
  shift
  main=io.conifer.bench.QuantizedSearch
elif [ "${1:-}" = "json" ]; then  # ./conifer bench json [VECTORS DIM ROUNDS]: RestJsonRead (CPU of reading a REST upsert body)
  shift
  main=io.conifer.bench.RestJsonRead
elif [ "${1:-}" = "segments" ]; then  # ./conifer bench segments DIM K SIZES...: SegmentSearchCost (HNSW vs exact per segment)
  shift
  main=io.conifer.bench.SegmentSearchCost
fi
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:--Xmx6g} "${CONIFER_JVM_FLAGS[@]}" \
  -cp "target/classes:target/test-classes:$(cat target/test-classpath.txt)" \
  "$main" "$@"
