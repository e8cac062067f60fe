#!/usr/bin/env bash
# Times the inbox, the review queue and the review screen with a large store:
# the demo company and users, then MESSAGES (default 1,000,000) seeded messages
# (every tenth drafted, half of those for review) and one 50-line draft, served
# by `orderdesk serve` on loopback and loaded with wrk (installed from Debian
# when missing). Each page is requested over one connection for SECONDS
# (default 10); the figures are latencies as the client sees them.
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${MESSAGES:-1000000}
SECONDS_PER_PAGE=${SECONDS:-10}
bin=$(pwd)/target/release/orderdesk
[ -x "$bin" ] || cargo build --release -p orderdesk
if ! command -v wrk >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
lua=$(pwd)/bench/pages.lua
dir=$(mktemp -d /tmp/orderdesk-pages.XXXXXX)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
"$bin" demo --no-serve >demo.log 2>&1
"$bin" bench seed-inbox --messages "$MESSAGES" 2>/dev/null | tee seed.log
draft=$(sed -n 's/.*50-line draft: //p' seed.log)
token=$("$bin" token add page-bench --user clerk 2>/dev/null)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn "$bin" serve --listen "127.0.0.1:$port" >serve.log 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
echo "database: $(du -h data/orderdesk.db | cut -f1) SQLite"
for path in "/inbox" "/inbox?before=$((MESSAGES / 2))" "/inbox?status=in_review" "/inbox?kind=rfq&channel=imap%3A" \
            "/queue" "/queue?after_due=2026-01-01T00%3A00%3A00.000000Z&after_id=0" "/drafts/$draft" \
            "/api/messages?limit=50" "/api/queue?limit=50"; do
  printf "%-58s " "$path"
  wrk -t1 -c1 -d"${SECONDS_PER_PAGE}s" --latency -H "Authorization: Bearer $token" -s "$lua" "http://127.0.0.1:$port$path" | tail -1
done
