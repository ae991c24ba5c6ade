#!/usr/bin/env bash
# Throughput benchmark of the topology on an in-process broker: 64 KiB write events applied to layers
# (exactly-once, one stream thread) against a bare consumer reading the same topic, alternating for a few
# rounds (the machine may be busy); prints every round, the medians, the ratio (target >= 0.70) and heap use.
# Usage: topology/bench.sh [MiB] [rounds] [warm-up rounds]     (defaults 2048 6 2; set OFFLINE= to let Maven download)
# Builds into target-bench/ directories, so it does not disturb other builds of the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB="${1:-2048}"
ROUNDS="${2:-6}"
WARMUP="${3:-2}"
OFFLINE="${OFFLINE--o}"
mvn -B -q $OFFLINE -Dbuild.suffix=-bench -pl topology -am test -Dtest=ThroughputBenchTest \
    -Dsurefire.failIfNoSpecifiedTests=false -Dvhdstream.bench=true -Dvhdstream.bench.mib="$MIB" \
    -Dvhdstream.bench.rounds="$ROUNDS" -Dvhdstream.bench.warmup="$WARMUP" 2>&1 | grep '^BENCH' | sed 's/^BENCH //'
