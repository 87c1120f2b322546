#!/usr/bin/env bash
# Installs evcat for action.yml. Pinned to a release (`uses: owner/evcat@v1.2.3`), it downloads
# that release's binary for the runner and verifies its SHA-256 checksum (a mismatch fails: it
# never runs an unverified binary). Otherwise (a branch or commit, or a runner without a
# release binary) it builds the action's own source with `cargo install`.
#
# Reads: ACTION_REF and ACTION_REPOSITORY (github.action_ref / github.action_repository),
# RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH, GITHUB_ACTION_PATH; EVCAT_RELEASES_URL
# (default https://github.com) is where releases are downloaded from.
set -euo pipefail

releases=${EVCAT_RELEASES_URL:-https://github.com}
ref=${ACTION_REF:-}
root="$RUNNER_TEMP/evcat"
mkdir -p "$root/bin"

case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
  Linux-X64) target=x86_64-unknown-linux-gnu ;;
  Linux-ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  *) target= ;;
esac

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

build_from_source() {
  echo "evcat: building from the action's source ($1)"
  cargo install --locked --quiet --path "$GITHUB_ACTION_PATH" --root "$root"
}

if [[ ! "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || [ -z "$target" ]; then
  build_from_source "not pinned to a release, or no release binary for ${RUNNER_OS:-?}-${RUNNER_ARCH:-?}"
else
  if [ "$target" = x86_64-pc-windows-msvc ]; then extension=zip; else extension=tar.gz; fi
  archive="evcat-$ref-$target.$extension"
  base="$releases/$ACTION_REPOSITORY/releases/download/$ref"
  download="$RUNNER_TEMP/evcat-download"
  rm -rf "$download" && mkdir -p "$download"
  if ! curl -fsSL --retry 3 --max-time 300 -o "$download/$archive" "$base/$archive" ||
     ! curl -fsSL --retry 3 --max-time 60 -o "$download/$archive.sha256" "$base/$archive.sha256"; then
    build_from_source "release $ref has no $archive"
  else
    expected=$(cut -d' ' -f1 <"$download/$archive.sha256")
    actual=$(sha256 "$download/$archive")
    if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
      echo "evcat: checksum mismatch for $archive: expected '$expected', got '$actual'; not installing it" >&2
      exit 1
    fi
    if [ "$extension" = zip ]; then
      unzip -q -o "$download/$archive" -d "$download"
    else
      tar -xzf "$download/$archive" -C "$download"
    fi
    binary=$(find "$download" -type f \( -name evcat -o -name evcat.exe \) | head -n 1)
    if [ -z "$binary" ]; then
      echo "evcat: $archive holds no evcat binary" >&2
      exit 1
    fi
    cp "$binary" "$root/bin/"
    chmod +x "$root/bin/$(basename "$binary")"
    echo "evcat: installed release $ref ($target), checksum verified"
  fi
fi
echo "$root/bin" >>"$GITHUB_PATH"
