#!/usr/bin/env bash
# Packages gatescope as an AWS Lambda custom runtime (runtime provided.al2023, x86_64 or arm64 as
# built): a deployment zip with an executable `bootstrap` at its root and the shared libraries it
# needs in lib/.
#
# Usage: scripts/package_lambda.sh [--binary PATH] [--build-dir DIR] [--output ZIP]
#                                  [--libc auto|system|bundle] [--arg ARG]...
#   --binary PATH   package this executable instead of building one.
#   --build-dir DIR where to build gatescope (default: build-lambda-package in the repo).
#   --output ZIP    the zip to write (default: gatescope-lambda-<arch>.zip in the current dir).
#   --libc MODE     auto (default), system or bundle; see below.
#   --arg ARG       argument the wrapper bootstraps pass to the binary (default: "lambda").
#
# Why this layout. Debian bookworm links against glibc 2.36 and libstdc++ from GCC 12; Lambda's
# provided.al2023 has glibc 2.34 and an older libstdc++. A fully static link is not an option:
# Debian ships no static libcurl dependencies (nghttp2, psl, gssapi, ldap, ...) and static glibc
# cannot resolve names through NSS. So:
#   1. The build links libstdc++ and libgcc statically (-static-libstdc++ -static-libgcc) and sets
#      DT_RPATH to $ORIGIN/lib (--disable-new-dtags: DT_RPATH, unlike DT_RUNPATH, wins over
#      Lambda's LD_LIBRARY_PATH, which lists /lib64 before /var/task/lib). The binary then only
#      needs symbols up to GLIBC_2.34 (checked below).
#   2. Every shared library from `ldd` except glibc's own (libc, libm, libresolv, the loader...)
#      is copied into lib/: libcurl, OpenSSL, zlib, simdjson and their dependencies.
#   3. libc mode "system" (chosen by auto when the binary and every bundled library need at most
#      GLIBC_2.34): the binary itself is `bootstrap`, run by AL2023's own loader and glibc. No shell
#      starts: this is the ~15 ms cold-start class. A binary without the $ORIGIN/lib rpath gets a
#      small /bin/sh wrapper that sets LD_LIBRARY_PATH instead.
#      libc mode "bundle" (auto's fallback, e.g. for a binary built without static libstdc++):
#      glibc and the loader are bundled too and a /bin/sh wrapper runs the binary through the
#      bundled loader (`ld-linux --library-path lib bin/gatescope lambda`). This works on any
#      glibc but costs a shell start and more loading (aws-lambda-cpp measured ~50 ms more).
# Wrappers run bin/gatescope with --arg (default "lambda"), since argv[0] is then not "bootstrap".
#
# TLS note: Debian's libcurl looks for /etc/ssl/certs/ca-certificates.crt, which AL2023 does not
# have; AL2023's bundle is /etc/pki/tls/certs/ca-bundle.crt. The runtime must pass that path as
# its CA file (HttpClientOptions::ca_file) when the Debian default is missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary=""
build_dir="$repo/build-lambda-package"
output=""
libc_mode="auto"
wrapper_args=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --libc) libc_mode="$2"; shift 2 ;;
    --arg) wrapper_args+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "package_lambda.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$libc_mode" in auto|system|bundle) ;; *) echo "package_lambda.sh: bad --libc $libc_mode" >&2; exit 2 ;; esac
if [[ ${#wrapper_args[@]} -eq 0 ]]; then wrapper_args=(lambda); fi

# The oldest glibc the package must run on: provided.al2023.
readonly max_glibc="2.34"

if [[ -z "$binary" ]]; then
  echo "Building gatescope in $build_dir (static libstdc++/libgcc, rpath \$ORIGIN/lib)." >&2
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGS_BUILD_TESTS=OFF -DGS_BUILD_BENCH=OFF -DGS_BUILD_FUZZ=OFF \
    -DCMAKE_EXE_LINKER_FLAGS="-static-libstdc++ -static-libgcc -Wl,--disable-new-dtags" \
    '-DCMAKE_BUILD_RPATH=$ORIGIN/lib' >&2
  cmake --build "$build_dir" -j"${GS_JOBS:-1}" --target gatescope >&2
  binary="$build_dir/apps/gatescope"
fi
[[ -x "$binary" ]] || { echo "package_lambda.sh: $binary is not an executable" >&2; exit 2; }

case "$(readelf -h "$binary" | sed -n 's/^ *Machine: *//p')" in
  *X86-64*) arch=x86_64 ;;
  *AArch64*) arch=arm64 ;;
  *) echo "package_lambda.sh: $binary is neither x86-64 nor AArch64" >&2; exit 2 ;;
esac
[[ -n "$output" ]] || output="$PWD/gatescope-lambda-$arch.zip"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib"

# glibc's own libraries: provided by AL2023 in "system" mode, bundled in "bundle" mode.
is_glibc() {
  case "$1" in
    libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|libutil.so.*|\
    libanl.so.*|libnsl.so.*|libBrokenLocale.so.*|libmvec.so.*|ld-linux*|ld64.so.*) return 0 ;;
  esac
  return 1
}

# name<TAB>path for each shared library the binary loads.
deps="$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $1 "\t" $3 } $1 ~ /^\// && $1 ~ /ld-linux|ld64/ { n = split($1, p, "/"); print p[n] "\t" $1 }')"
loader=""
glibc_libs=()
while IFS=$'\t' read -r name path; do
  [[ -n "$name" ]] || continue
  if is_glibc "$name"; then
    glibc_libs+=("$name"$'\t'"$path")
    case "$name" in ld-linux*|ld64.so.*) loader="$name" ;; esac
  else
    cp -L "$path" "$stage/lib/$name"
  fi
done <<< "$deps"

# The newest GLIBC_x.y symbol version needed by the binary and the bundled libraries.
needed_glibc="$(for f in "$binary" "$stage"/lib/*; do if [[ -f "$f" ]]; then objdump -T "$f"; fi; done |
  grep -o 'GLIBC_2\.[0-9]*' | sed 's/GLIBC_//' | sort -V -u | tail -1)"
needed_glibc="${needed_glibc:-2.2}"
fits_system=false
if [[ "$(printf '%s\n%s\n' "$needed_glibc" "$max_glibc" | sort -V | tail -1)" == "$max_glibc" ]]; then
  fits_system=true
fi
if [[ "$libc_mode" == auto ]]; then
  if $fits_system; then libc_mode=system; else libc_mode=bundle; fi
fi
if [[ "$libc_mode" == system ]] && ! $fits_system; then
  echo "package_lambda.sh: the package needs GLIBC_$needed_glibc but provided.al2023 has $max_glibc;" \
       "rebuild with -static-libstdc++ -static-libgcc or use --libc bundle" >&2
  exit 1
fi

has_origin_rpath=false
if readelf -d "$binary" | grep -E '\(RPATH\)' | grep -qF '$ORIGIN/lib'; then has_origin_rpath=true; fi
bundled_count="$(find "$stage/lib" -type f | wc -l)"
quoted_args="$(printf ' %q' "${wrapper_args[@]}")"

if [[ "$libc_mode" == system ]] && { $has_origin_rpath || [[ "$bundled_count" -eq 0 ]]; }; then
  layout="direct"
  cp "$binary" "$stage/bootstrap"
  strip --strip-unneeded "$stage/bootstrap" 2>/dev/null || true
elif [[ "$libc_mode" == system ]]; then
  layout="wrapper"
  mkdir -p "$stage/bin"
  cp "$binary" "$stage/bin/gatescope"
  strip --strip-unneeded "$stage/bin/gatescope" 2>/dev/null || true
  cat > "$stage/bootstrap" <<EOF
#!/bin/sh
# gatescope Lambda bootstrap: system glibc, bundled libraries (scripts/package_lambda.sh).
here="\${0%/*}"
export LD_LIBRARY_PATH="\$here/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
exec "\$here/bin/gatescope"$quoted_args "\$@"
EOF
else
  layout="bundled-libc"
  [[ -n "$loader" ]] || { echo "package_lambda.sh: no dynamic loader found in ldd output" >&2; exit 1; }
  for entry in "${glibc_libs[@]}"; do
    cp -L "${entry#*$'\t'}" "$stage/lib/${entry%%$'\t'*}"
  done
  mkdir -p "$stage/bin"
  cp "$binary" "$stage/bin/gatescope"
  strip --strip-unneeded "$stage/bin/gatescope" 2>/dev/null || true
  cat > "$stage/bootstrap" <<EOF
#!/bin/sh
# gatescope Lambda bootstrap: bundled glibc and loader (scripts/package_lambda.sh).
here="\${0%/*}"
exec "\$here/lib/$loader" --library-path "\$here/lib" "\$here/bin/gatescope"$quoted_args "\$@"
EOF
fi
chmod 755 "$stage/bootstrap"
if [[ -d "$stage/bin" ]]; then chmod 755 "$stage/bin/gatescope"; fi
rmdir "$stage/lib" 2>/dev/null || true

# python3's zipfile rather than zip(1), which a build machine may lack. Entries are sorted and
# dated 1980-01-01 so that the same inputs give the same zip; modes are kept (bootstrap 0755).
mkdir -p "$(dirname "$output")"
python3 - "$stage" "$output" <<'PY'
import os, stat, sys, zipfile
stage, output = sys.argv[1], sys.argv[2]
entries = []
for root, dirs, files in os.walk(stage):
    for f in files:
        full = os.path.join(root, f)
        entries.append((os.path.relpath(full, stage), full))
with zipfile.ZipFile(output + ".tmp", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for name, full in sorted(entries):
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        mode = 0o755 if os.stat(full).st_mode & stat.S_IXUSR else 0o644
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.create_system = 3  # Unix, so that the mode bits are honoured.
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(full, "rb") as fh:
            z.writestr(info, fh.read())
os.replace(output + ".tmp", output)
PY

size="$(stat -c %s "$output")"
echo "Wrote $output: arch=$arch layout=$layout libc=$libc_mode needs=GLIBC_$needed_glibc" \
     "libraries=$bundled_count bytes=$size"
if [[ "$size" -gt 52428800 ]]; then
  echo "package_lambda.sh: warning: over 50 MB; upload it through S3" >&2
fi
