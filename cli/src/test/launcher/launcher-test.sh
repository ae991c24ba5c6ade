#!/usr/bin/env bash
# Tests the ./vhdstream launcher as a process (run by ./run-tests after 'mvn verify').
#  1. Its build logic, hermetically: a copy of the script in a fake repository, with fake mvn and java on PATH.
#  2. The real launcher on the real build, from another directory and through a symlink: exit codes, stdout,
#     one-line errors, stdin streaming, start-up time.
set -euo pipefail
repo="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "launcher-test: FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "launcher-test: ok: $*"; }

# ---- 1. build logic ------------------------------------------------------------------------------------
fake="$work/fake"
mkdir -p "$fake/cli/src/main/java" "$fake/vhd/src/main/java" "$fake/bin"
cp "$repo/vhdstream" "$fake/vhdstream"
touch "$fake/pom.xml" "$fake/cli/pom.xml" "$fake/vhd/pom.xml" "$fake/vhd/src/main/java/A.java"
cat > "$fake/bin/mvn" <<'MVN'
#!/usr/bin/env bash
echo "mvn $*" >> "$FAKE_LOG"
printf '\033[1;31mmaven chatter on stdout\033[0m\n'
if [ -n "${FAKE_FAIL:-}" ]; then exit 1; fi
mkdir -p cli/target/lib
touch cli/target/vhdstream-cli-0.0.1.jar
MVN
cat > "$fake/bin/java" <<'JAVA'
#!/usr/bin/env bash
# Stands in for the JVM: logs the start-up archive's training run and dump (making the archive), echoes the rest.
for a in "$@"; do
  case "$a" in
    io.vhdstream.cli.StartupTraining) echo "training" >> "$FAKE_LOG"; [ -z "${FAKE_TRAINING_FAILS:-}" ]; exit ;;
    -XX:SharedArchiveFile=*) archive="${a#*=}" ;;
    -Xshare:dump) dump=1 ;;
  esac
done
if [ -n "${dump:-}" ]; then echo "dump" >> "$FAKE_LOG"; touch "$archive"; exit 0; fi
echo "java $*"
JAVA
chmod +x "$fake/bin/mvn" "$fake/bin/java"
export FAKE_LOG="$work/mvn.log"
: > "$FAKE_LOG"
run_fake() { (cd "$work" && env -u JAVA_HOME PATH="$fake/bin:$PATH" VHDSTREAM_JAVA_OPTS="-Xmx77m" "$fake/vhdstream" "$@"); }

builds() { grep -c "^mvn " "$FAKE_LOG" || true; }
archives() { grep -c "^dump" "$FAKE_LOG" || true; }
out="$(run_fake vhd info x.vhd 2>"$work/err")"
[ "$(builds)" -eq 1 ] || fail "first run should build once, log: $(cat "$FAKE_LOG")"
[ "$(archives)" -eq 1 ] && grep -q "^training" "$FAKE_LOG" || fail "first run should make the start-up archive, log: $(cat "$FAKE_LOG")"
grep -q -- "-pl cli -am package" "$FAKE_LOG" || fail "build command lacks '-pl cli -am package': $(cat "$FAKE_LOG")"
grep -q -- "-Dmaven.test.skip=true" "$FAKE_LOG" || fail "build command must skip tests"
grep -qx "building vhdstream (first run)..." "$work/err" || fail "first run message missing on stderr: $(cat "$work/err")"
grep -q "maven chatter on stdout" "$work/err" || fail "Maven's stdout must go to stderr"
! grep -q $'\033' "$work/err" || fail "colour codes must be stripped from Maven's output"
[[ "$out" != *"maven chatter"* ]] || fail "Maven's output leaked onto stdout"
[[ "$out" == "java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=10 -XX:-UsePerfData -Xshare:auto -XX:SharedArchiveFile=$fake/cli/target/vhdstream.jsa -Xlog:disable -Xlog:all=warning:stderr -Xmx77m -cp $fake/cli/target/vhdstream-cli-0.0.1.jar io.vhdstream.cli.Main vhd info x.vhd" ]] \
  || fail "unexpected java command line: $out"
pass "first run builds with -am, Maven output on stderr, makes the start-up archive, then starts the jar with it"

sleep 1.1 # file times have one-second resolution on some file systems
run_fake vhd info >/dev/null 2>"$work/err"
[ "$(builds)" -eq 1 ] || fail "an up-to-date jar must not rebuild"
[ "$(archives)" -eq 1 ] || fail "an up-to-date archive must not be remade"
[ ! -s "$work/err" ] || fail "an up-to-date start must print nothing on stderr: $(cat "$work/err")"
pass "up-to-date jar starts without Maven"

out="$(run_fake demo 2>/dev/null)"
[[ "$out" == "java -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -Xmx77m -cp "* ]] \
  || fail "long-running commands get the full JIT, the default collector and no archive: $out"
sleep 1.1
touch "$fake/cli/target/lib/dep.jar"
run_fake vhd info >/dev/null 2>/dev/null
[ "$(builds)" -eq 1 ] && [ "$(archives)" -eq 2 ] || fail "a changed dependency must remake the archive only: $(cat "$FAKE_LOG")"
sleep 1.1
touch "$fake/cli/target/vhdstream-cli-0.0.1.jar"
out="$(FAKE_TRAINING_FAILS=1 run_fake vhd info 2>/dev/null)"
[ "$(archives)" -eq 2 ] || fail "a failed training run must not dump: $(cat "$FAKE_LOG")"
[[ "$out" != *SharedArchiveFile* ]] || fail "without an archive, none is given to java: $out"
run_fake vhd info >/dev/null 2>/dev/null
[ "$(grep -c "^training" "$FAKE_LOG")" -eq 3 ] || fail "a failed archive must not be retried before the next build: $(cat "$FAKE_LOG")"
pass "the start-up archive is remade when the jar or a dependency changes, and a failure is not retried"

sleep 1.1
touch "$fake/vhd/src/main/java/A.java"
run_fake vhd info >/dev/null 2>"$work/err"
[ "$(builds)" -eq 2 ] || fail "a changed source must rebuild"
grep -q "rebuilding vhdstream (sources changed)" "$work/err" || fail "rebuild message missing: $(cat "$work/err")"
sleep 1.1
touch "$fake/cli/pom.xml"
run_fake vhd info >/dev/null 2>/dev/null
[ "$(builds)" -eq 3 ] || fail "a changed module pom must rebuild"
sleep 1.1
rm -rf "$fake/cli/target/lib"
run_fake vhd info >/dev/null 2>/dev/null
[ "$(builds)" -eq 4 ] || fail "a missing target/lib must rebuild"
pass "changed sources, changed poms and a missing lib/ rebuild"

sleep 1.1
touch "$fake/vhd/src/main/java/A.java"
set +e
FAKE_FAIL=1 run_fake vhd info >"$work/out" 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "a failed build must exit 1, got $rc"
[ ! -s "$work/out" ] || fail "a failed build must not start java: $(cat "$work/out")"
grep -q "^vhdstream: BUILD: " "$work/err" || fail "a failed build must say so: $(cat "$work/err")"
pass "a failed build exits 1 without starting the CLI"

ln -s "$fake/vhdstream" "$work/vs-link"
out="$(cd / && env -u JAVA_HOME PATH="$fake/bin:$PATH" "$work/vs-link" a b 2>/dev/null)"
[[ "$out" == *"-cp $fake/cli/target/vhdstream-cli-0.0.1.jar io.vhdstream.cli.Main a b" ]] || fail "symlinked launcher: $out"
pass "works through a symlink from another directory"

out="$(run_fake topology --config x 2>/dev/null)"
[[ "$out" == "java -XX:CompileThresholdScaling=10 -XX:+UseTransparentHugePages -Xshare:auto -XX:SharedArchiveFile=$fake/cli/target/vhdstream-topology.jsa -Xlog:disable -Xlog:all=warning:stderr -Xmx77m -cp "* ]] \
  || fail "the topology gets both compilers with higher thresholds, huge pages, the default collector and its own archive: $out"
pass "the topology starts with its own archive, compiles only its hot code and asks for huge pages"

# ---- 2. the real launcher ------------------------------------------------------------------------------
vs="$repo/vhdstream"
cd "$work"
"$vs" --version > "$work/version" 2>"$work/err" || fail "--version exited $?"
if grep -q "building vhdstream" "$work/err"; then
  echo "launcher-test: (the launcher built the CLI first; timings below are for later starts)"
fi
"$vs" vhd create disk.vhd --size 8M > "$work/out" 2>"$work/err" || fail "create exited $?"
[ ! -s "$work/out" ] || fail "create wrote to stdout (summaries go to stderr): $(cat "$work/out")"
grep -q "created dynamic image disk.vhd" "$work/err" || fail "create summary: $(cat "$work/err")"
head -c 1048576 /dev/urandom > data.bin
"$vs" vhd write disk.vhd --offset 1M < data.bin > /dev/null 2>"$work/err" || fail "write from stdin exited $?: $(cat "$work/err")"
"$vs" vhd read disk.vhd --offset 1M --length 1M > back.bin 2>"$work/err" || fail "read exited $?"
cmp -s data.bin back.bin || fail "read back differs from what was written through stdin"
pass "create, write from stdin, read to stdout"

[ -f "$repo/cli/target/vhdstream.jsa" ] || fail "no start-up archive after a short command: $(ls "$repo/cli/target")"
VHDSTREAM_JAVA_OPTS=-Xshare:on "$vs" vhd info disk.vhd > /dev/null 2>"$work/err" \
  || fail "the JVM refuses the start-up archive (-Xshare:on): $(cat "$work/err")"
pass "short commands start from a class-data-sharing archive the JVM accepts"

# Every class a short command loads from a jar or the JDK comes from the archive (only classes made at run time,
# as annotation proxies and lambdas, cannot): a verb missing from StartupTraining, or a class only some verb
# loads, would be read, parsed and verified at every start.
"$vs" vhd snapshot -q disk.vhd child.vhd 2>/dev/null || fail "snapshot exited $?"
for cmd in "--version" "--help" "vhd --help" "vhd info child.vhd" "vhd check child.vhd" "vhd map child.vhd" \
    "vhd export -q child.vhd out.raw" "vhd compare -q disk.vhd child.vhd" "vhd convert -q child.vhd conv.vhd" \
    "vhd bogus" "vhd read child.vhd --offset 0"; do
  rm -f out.raw conv.vhd "$work/classes.log"
  # shellcheck disable=SC2086 # the command is a list of words
  VHDSTREAM_JAVA_OPTS="-Xlog:class+load=info:file=$work/classes.log" "$vs" $cmd > /dev/null 2>&1 || true
  [ -s "$work/classes.log" ] || fail "no class-load log for '$cmd'"
  outside="$(grep -E 'source: (file|jrt):' "$work/classes.log" | head -5 || true)"
  [ -z "$outside" ] || fail "'vhdstream $cmd' loads classes from outside the start-up archive: $outside"
done
rm -f out.raw conv.vhd child.vhd
pass "every short command's classes come from the start-up archive"

# Help texts come from the recording made with the archive (HelpTexts): the same bytes picocli prints.
[ -d "$repo/cli/target/vhdstream.help" ] || fail "no recorded help texts beside the start-up archive"
jar_now="$(ls "$repo"/cli/target/vhdstream-cli-*.jar | grep -v -e '-sources' -e '-tests' -e '-javadoc' | head -1)"
for cmd in "--help" "-h" "help" "vhd --help" "vhd help" "help vhd" "vhd info --help" "vhd help measure" "vhd resize -h"; do
  # shellcheck disable=SC2086 # the command is a list of words
  "$vs" $cmd > "$work/served" 2>&1 || fail "'vhdstream $cmd' exited $?"
  # shellcheck disable=SC2086
  java -cp "$jar_now" io.vhdstream.cli.Main $cmd > "$work/rendered" 2>&1 || fail "picocli's '$cmd' exited $?"
  cmp -s "$work/served" "$work/rendered" || fail "'vhdstream $cmd' differs from picocli's text: $(diff "$work/served" "$work/rendered" | head -5)"
done
pass "help texts from the recording are picocli's"

"$vs" vhd info --json disk.vhd > info.json 2>/dev/null || fail "info --json exited $?"
/usr/bin/python3 - info.json <<'PY' || fail "info --json is not the expected JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "dynamic" and d["virtualSize"] == 8 << 20, d
assert d["sparse"]["allocatedBlocks"] == 1, d
PY
pass "info --json parses"

set +e
"$vs" vhd read disk.vhd --offset 100 --length 512 > /dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "misaligned read should exit 2, got $rc"
[ "$(wc -l < "$work/err")" -eq 1 ] || fail "error should be one line: $(cat "$work/err")"
grep -q "^vhdstream: UNALIGNED: " "$work/err" || fail "error line: $(cat "$work/err")"
set +e
"$vs" vhd info missing.vhd > /dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "info on a missing file should exit 1, got $rc"
[ "$(wc -l < "$work/err")" -eq 1 ] && ! grep -q "at io.vhdstream" "$work/err" || fail "no stack trace expected: $(cat "$work/err")"
pass "errors: one line, right exit status"

"$vs" vhd info disk.vhd > /dev/null # warm the page cache (and build, if a source changed meanwhile)
java -version 2>/dev/null
ours=0 bare=0
for _ in 1 2 3 4 5; do
  start=$(date +%s%N); "$vs" vhd info disk.vhd > /dev/null; ours=$((ours + $(date +%s%N) - start))
  start=$(date +%s%N); java -Xshare:auto -version 2>/dev/null; bare=$((bare + $(date +%s%N) - start))
done
# Not a bound: at CI load the two means move independently by more than the margin under issue 11's 2x target
# (docs/benchmarks.md, 2026-12-03); StartupTest guards what start-up costs through what it loads instead.
echo "launcher-test: 'vhdstream vhd info' takes $((ours / 5000000)) ms per start, 'java -version' $((bare / 5000000)) ms (means of 5; information, not a test)"

if [ "$failures" -gt 0 ]; then
  echo "launcher-test: $failures failure(s)" >&2
  exit 1
fi
echo "launcher-test: all passed"
