#!/bin/sh
# Builds the JNI library of io.vhdstream.vhd.io.DataExtents into the classes directory (called by the vhd
# module's build on Linux). Without gcc or the JDK's jni.h it says so and builds nothing: the engine then
# reads sparse files in full, which is correct, only slower.
#   build.sh OUTPUT_FILE JAVA_HOME
set -u
out="$1"
jdk="$2"
src="$(dirname "$0")/data-extents.c"
if ! command -v gcc >/dev/null 2>&1; then
  echo "[vhd native] gcc not found: no SEEK_DATA/SEEK_HOLE support (sparse inputs are read in full)" >&2
  exit 0
fi
if [ ! -f "$jdk/include/jni.h" ]; then
  echo "[vhd native] $jdk/include/jni.h not found (a JRE, not a JDK?): no SEEK_DATA/SEEK_HOLE support" >&2
  exit 0
fi
mkdir -p "$(dirname "$out")"
if ! gcc -shared -fPIC -O2 -Wall -Wextra -Werror -I"$jdk/include" -I"$jdk/include/linux" -o "$out" "$src"; then
  echo "[vhd native] gcc failed: no SEEK_DATA/SEEK_HOLE support (sparse inputs are read in full)" >&2
  rm -f "$out"
fi
exit 0
