#!/usr/bin/env bash
# Recovery time of a lost layer directory for a disk with 10x more history than its window vs 1x (and, for
# reference, 10x replayed the old way, without the checkpoint topic). In-process broker; see RecoveryBench.
# Usage: topology/recovery-bench.sh [disk MiB] [window MiB]     (defaults 256 64; set OFFLINE= to let Maven download)
set -euo pipefail
cd "$(dirname "$0")/.."
DISK="${1:-256}"
WINDOW="${2:-64}"
OFFLINE="${OFFLINE--o}"
WORK="$PWD/topology/target-bench/recovery-bench"
rm -rf "$WORK"
mvn -B -q $OFFLINE -Dbuild.suffix=-bench -pl topology -am test -Dtest=RecoveryBenchTest \
    -Dsurefire.failIfNoSpecifiedTests=false -Dvhdstream.bench=recovery -Dvhdstream.bench.disk.mib="$DISK" \
    -Dvhdstream.bench.window.mib="$WINDOW" -Dvhdstream.bench.work="$WORK" 2>&1 | grep '^BENCH' | sed 's/^BENCH //'
