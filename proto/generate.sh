#!/usr/bin/env bash
# Regenerates the protobuf-c C code for the OTLP schema in this directory.
#
#   proto/generate.sh          rewrite proto/c/ from the .proto files
#   proto/generate.sh --check  regenerate into a temporary directory and fail if the
#                              committed code differs (used by the test suite)
#
# Needs protoc-c (Debian: protobuf-c-compiler). The output is committed so that a
# build never needs the compiler.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
protos=(
  opentelemetry/proto/common/v1/common.proto
  opentelemetry/proto/resource/v1/resource.proto
  opentelemetry/proto/metrics/v1/metrics.proto
  opentelemetry/proto/logs/v1/logs.proto
  opentelemetry/proto/collector/metrics/v1/metrics_service.proto
  opentelemetry/proto/collector/logs/v1/logs_service.proto
  google/protobuf/any.proto
  google/protobuf/duration.proto
  google/rpc/status.proto
  google/rpc/error_details.proto
)

command -v protoc-c >/dev/null || { echo "generate.sh: protoc-c not found (apt-get install protobuf-c-compiler)" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/raw"
(cd "$here" && protoc-c --c_out="$out/raw" -I. "${protos[@]}")

# Split into the C target's layout: public headers under include/, sources under src/.
mkdir -p "$out/c/include" "$out/c/src"
(cd "$out/raw" && find . -name '*.pb-c.h' -exec cp --parents {} "$out/c/include/" \;)
(cd "$out/raw" && find . -name '*.pb-c.c' -exec cp --parents {} "$out/c/src/" \;)

if [[ "${1:-}" == "--check" ]]; then
  if ! diff -r "$out/c" "$here/c" >/dev/null; then
    echo "generate.sh: proto/c is stale; run proto/generate.sh and commit the result" >&2
    diff -r "$out/c" "$here/c" | head -20 >&2
    exit 1
  fi
  echo "proto/c matches the .proto files"
  exit 0
fi

rm -rf "$here/c"
cp -r "$out/c" "$here/c"
echo "generated $(find "$here/c" -name '*.pb-c.[ch]' | wc -l) files under proto/c"
