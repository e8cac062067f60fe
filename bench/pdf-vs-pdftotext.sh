#!/usr/bin/env bash
# PDF text extraction speed: Orderdesk (text layer with line boxes) against
# poppler's `pdftotext -layout`, on the same files in one run. Installs
# poppler-utils from Debian if missing and builds Orderdesk in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(crates/document/tests/fixtures/invoice2data/*.pdf)
command -v pdftotext >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }
cargo build --release --quiet -p orderdesk
for f in "${files[@]}"; do
  ours=$(target/release/orderdesk bench parse "$f" --seconds 2 | sed -E 's/.*median ([0-9.]+) ms.*/\1/')
  theirs=$(python3 - "$f" <<'PY'
import subprocess, sys, time
runs = []
for _ in range(30):
    t = time.perf_counter()
    subprocess.run(["pdftotext", "-layout", sys.argv[1], "-"], stdout=subprocess.DEVNULL, check=True)
    runs.append(time.perf_counter() - t)
runs.sort()
print(f"{runs[len(runs)//2]*1000:.2f}")
PY
)
  echo "$(basename "$f"): orderdesk ${ours} ms, pdftotext -layout ${theirs} ms (process start included)"
done
