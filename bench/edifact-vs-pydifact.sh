#!/usr/bin/env bash
# EDIFACT parsing speed: Orderdesk against pydifact (PyPI) on pydifact's own large
# sample, in one run on this machine. Installs pydifact into a virtualenv under
# target/ and builds Orderdesk in release mode. Prints both figures and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
sample=${1:-crates/document/tests/fixtures/edi/edifact/pydifact-huge_file2.edi}
venv=target/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet pydifact
cargo build --release --quiet -p orderdesk

py_ms=$("$venv/bin/python" - "$sample" <<'PY'
import sys, time
from pydifact.segmentcollection import Interchange
text = open(sys.argv[1], encoding="utf-8-sig").read()
runs = []
for _ in range(5):
    t = time.perf_counter()
    interchange = Interchange.from_str(text)
    n = sum(1 for _ in interchange.segments)
    runs.append(time.perf_counter() - t)
runs.sort()
print(f"{runs[len(runs)//2]*1000:.1f}")
PY
)
ours=$(target/release/orderdesk bench parse "$sample" --seconds 3)
ours_ms=$(echo "$ours" | sed -E 's/.*median ([0-9.]+) ms.*/\1/')
echo "pydifact:  median ${py_ms} ms"
echo "orderdesk: $ours"
python3 -c "print(f'orderdesk is {float(\"$py_ms\")/float(\"$ours_ms\"):.0f}x faster than pydifact')"
