#!/usr/bin/env bash
# Prepares this checkout to run: npm dependencies, ffmpeg, fonts for the sample
# recordings, the OCR models' checksums, and the compiled JavaScript.
# Safe to run again: each step does nothing when it is already done.
# --tests: also what the tests need beyond that (Debian's Chromium for the browser test).
# --bench: also what the bench's browser-rendered corpus needs (Chromium, Liberation and Noto fonts).
set -euo pipefail
for_tests=0
for_bench=0
[ "${1:-}" = "--tests" ] && for_tests=1
[ "${1:-}" = "--bench" ] && for_bench=1
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  # npm ci: exactly what package-lock.json pins (it lists every platform's optional
  # packages), and the lock file is never rewritten.
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "$1 is missing. Install it as root with: apt-get update && apt-get install -y $2"
  fi
  say "installing $2 with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

if [ -n "${FFMPEG_PATH:-}" ]; then
  [ -x "$FFMPEG_PATH" ] || die "FFMPEG_PATH=$FFMPEG_PATH is not an executable file."
  [ -n "${FFPROBE_PATH:-}" ] && [ -x "$FFPROBE_PATH" ] || die "FFPROBE_PATH must name ffprobe when FFMPEG_PATH is set."
elif ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  apt_install "ffmpeg" ffmpeg
fi

# Font checks read fc-list to the end (no grep -q): with pipefail, grep -q quitting at the
# first match makes fc-list die of SIGPIPE and the check fail on a machine that has the font.
has_font() { fc-list : family 2>/dev/null | tr ',' '\n' | grep -x "$1" >/dev/null; }

# The sample recordings (demo, tests, bench) are drawn in DejaVu Sans Mono.
if ! has_font "DejaVu Sans Mono"; then
  apt_install "The DejaVu fonts" fonts-dejavu-core
fi

# The browser test drives Debian's Chromium (never a downloaded browser).
if [ "$for_tests" = 1 ] || [ "$for_bench" = 1 ]; then
  if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
    apt_install "Chromium (for the browser test and the browser-rendered bench)" chromium
  fi
fi
if [ "$for_bench" = 1 ]; then
  has_font "Liberation Sans" || apt_install "The Liberation fonts" fonts-liberation
  has_font "Noto Sans" || apt_install "The Noto fonts" fonts-noto-core
fi

node scripts/check-models.mjs

if [ ! -f dist/.build-stamp ] || [ -n "$(find src workers bench package.json tsconfig.json tsconfig.build.json -newer dist/.build-stamp -print -quit)" ]; then
  say "compiling TypeScript"
  npx tsc -p tsconfig.build.json
  touch dist/.build-stamp
fi
