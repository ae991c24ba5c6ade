#!/usr/bin/env bash
# Start, restart and catch-up of `vhdstream topology` as deployed: a stock Kafka broker in its own JVM, the
# topology as a process with the shipped config/topology.properties, and Kafka's own kafka-consumer-perf-test
# reading the same backlog. Prints every round, then medians and the catch-up ratio (see RestartBench).
# Usage: topology/restart-bench.sh [backlog MiB] [rounds]     (defaults 1024 3; set OFFLINE= to let Maven download;
# BENCH_PROPS=k=v,k=v puts topology settings over the shipped file's, BENCH_BROKER=k=v,k=v broker settings over the
# stock server.properties, e.g. BENCH_BROKER=group.initial.rebalance.delay.ms=0; the first line printed states both)
# Needs disk space for rounds x backlog twice (topic and layers), under topology/target-bench/restart-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB="${1:-1024}"
ROUNDS="${2:-3}"
OFFLINE="${OFFLINE--o}"
TOOLS="$HOME/.m2/repository/org/apache/kafka/kafka-tools/4.3.1/kafka-tools-4.3.1.jar"
if [ ! -f "$TOOLS" ]; then
  mvn -B -q $OFFLINE dependency:get -Dartifact=org.apache.kafka:kafka-tools:4.3.1 -Dtransitive=false >&2
fi
WORK="$PWD/topology/target-bench/restart-bench"
rm -rf "$WORK"
mvn -B -q $OFFLINE -Dbuild.suffix=-bench -pl topology -am test -Dtest=RestartBenchTest \
    -Dsurefire.failIfNoSpecifiedTests=false -Dvhdstream.bench=restart -Dvhdstream.bench.mib="$MIB" \
    -Dvhdstream.bench.rounds="$ROUNDS" -Dvhdstream.bench.tools="$TOOLS" -Dvhdstream.bench.props="${BENCH_PROPS:-}" \
    -Dvhdstream.bench.broker="${BENCH_BROKER:-}" -Dvhdstream.bench.work="$WORK" 2>&1 \
    | grep '^BENCH' | sed 's/^BENCH //'
