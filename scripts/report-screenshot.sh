#!/usr/bin/env bash
# Opens a `thimble report` directory's index.html in headless Chromium (Debian's `chromium`
# package), saves a screenshot, and fails if the page logged an error (a chart that did not
# load, a script error) or the screenshot is missing or empty. Chromium's own noise (D-Bus,
# GPU probing) is ignored; only the page's console messages count.
# Usage: scripts/report-screenshot.sh REPORT_DIR OUT.png   (CHROMIUM=path overrides the binary)
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 REPORT_DIR OUT.png" >&2
  exit 2
fi
html="$(realpath "$1")/index.html"
out="$(realpath -m "$2")"
chromium=${CHROMIUM:-chromium}
if [ ! -f "$html" ]; then
  echo "error: $html: no such file (run \`thimble report --out $1\` first)" >&2
  exit 2
fi
if ! command -v "$chromium" >/dev/null; then
  echo "error: $chromium not found (Debian: apt-get install chromium)" >&2
  exit 2
fi
mkdir -p "$(dirname "$out")"
rm -f "$out"
log=$(mktemp)
profile=$(mktemp -d)
trap 'rm -rf "$log" "$profile"' EXIT

start=$(date +%s%N)
# A throwaway profile keeps runs independent of each other and of any desktop session.
if ! timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 \
    --window-size=1280,3000 --screenshot="$out" "file://$html" 2>"$log"; then
  cat "$log" >&2
  echo "error: chromium failed on $html" >&2
  exit 1
fi
ms=$(( ($(date +%s%N) - start) / 1000000 ))

# Page console lines look like `INFO:CONSOLE:12] "message", source: file:///...`.
errors=$(grep -E ':CONSOLE(\([0-9]+\))?:|Failed to load resource|Uncaught' "$log" || true)
if [ -n "$errors" ]; then
  echo "error: $html logged errors in chromium:" >&2
  echo "$errors" >&2
  exit 1
fi
if [ ! -s "$out" ] || [ "$(head -c 8 "$out" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
  cat "$log" >&2
  echo "error: chromium wrote no PNG screenshot to $out" >&2
  exit 1
fi
echo "screenshot -> $out ($(stat -c %s "$out") bytes, chromium took ${ms} ms)"
