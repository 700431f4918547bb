#!/bin/bash
# Takes the README's screenshots from the real application under Xvfb: the queue in the light
# and dark palettes with a critical request's detail, a request with a masked field, the runtimes
# tab, the audit tab, and the members tab with an invitation's link and QR code.
#   scripts/screenshots.sh [BUILD_DIR] [OUT_DIR]     (writes OUT_DIR, by default docs/images/*.png)
# Needs xvfb-run, xdotool, ImageMagick (import) and curl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/build}/bin
OUT=${2:-$ROOT/docs/images}
mkdir -p "$OUT"
if [ -z "${DISPLAY:-}" ]; then
    exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_RUNTIME_DIR=$WORK/run QT_LOGGING_RULES='*.debug=false'
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export COUNTERSIGN_PASSPHRASE_FILE=$WORK/pass
PASSPHRASE='correct horse battery staple 42'
printf '%s\n' "$PASSPHRASE" > "$COUNTERSIGN_PASSPHRASE_FILE"
VAULT=$WORK/vault PORT=7561
"$BIN/countersign-cli" --data-dir "$VAULT" vault init --owner "Ada Lovelace" >/dev/null
CI=$("$BIN/countersign-cli" --data-dir "$VAULT" runtime add ci-deployer --allow 'deploy.*' --json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
AGENT=$("$BIN/countersign-cli" --data-dir "$VAULT" runtime add coding-agent --allow 'db.*' --allow 'shell.exec' --json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
"$BIN/countersign-cli" --data-dir "$VAULT" runtime add nightly-backup --allow 'backup.*' >/dev/null
"$BIN/countersign-cli" --data-dir "$VAULT" policy add 'db.*' --require 2 --min-risk high >/dev/null
"$BIN/countersign-cli" --data-dir "$VAULT" team enable --address 127.0.0.1 --port 7562 >/dev/null
export COUNTERSIGN_MEMBER_PASSPHRASE_FILE=$WORK/member-pass
printf '%s\n' 'a member passphrase 4 grace' > "$COUNTERSIGN_MEMBER_PASSPHRASE_FILE"

ask() { # TOKEN JSON
    curl -s -o /dev/null -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        -d "$2" "http://127.0.0.1:$PORT/v1/requests"
}

start_app() {
    "$BIN/countersign" --data-dir "$VAULT" --port $PORT --socket none &
    APP=$!
    for _ in $(seq 50); do
        WIN=$(xdotool search --name 'Unlock Countersign' 2>/dev/null | head -1) && [ -n "$WIN" ] && break
        sleep 0.2
    done
    xdotool windowactivate --sync "$WIN" 2>/dev/null || true
    xdotool type --delay 5 "$PASSPHRASE"
    xdotool key Return
    for _ in $(seq 50); do
        curl -s "http://127.0.0.1:$PORT/v1/health" >/dev/null && break
        sleep 0.2
    done
    sleep 1
    MAIN=$(xdotool search --name '^Countersign' | tail -1)
    xdotool windowsize "$MAIN" 1180 700 windowmove "$MAIN" 40 40
    xdotool windowfocus --sync "$MAIN" 2>/dev/null || true
}

shoot() { # NAME
    sleep 0.8
    import -window root -crop 1200x740+30+30 "$OUT/$1.png"
}

start_app
# The first request to arrive is selected and stays so: the critical one, for the detail shown.
ask "$AGENT" '{"capability":"shell.exec","risk":"critical","summary":"rm -rf ./build && make release","payload":{"argv":["sh","-c","rm -rf ./build && make release"],"cwd":"/srv/app"}}'
ask "$AGENT" '{"capability":"db.migrate","risk":"high","summary":"Apply migration 0042_add_invoice_index to production","details":"Adds a covering index; takes a lock on invoices for about 4 s.","context":{"run_id":"run-8841","agent":"coding-agent","reason":"slow invoice search ticket OPS-311"},"payload":{"database":"prod-eu","migration":"0042_add_invoice_index","connection":{"host":"db.internal","user":"migrator","password":"pa55-w0rd!"},"dry_run":false}}'
ask "$CI" '{"capability":"deploy.web","risk":"medium","summary":"Deploy web 3.14.2 to production","payload":{"image":"registry/web:3.14.2","replicas":6,"api_token":"tok_live_51H"}}'
ask "$CI" '{"capability":"deploy.worker","risk":"low","summary":"Deploy worker 2.0.7 to staging","payload":{"image":"registry/worker:2.0.7"}}'
sleep 1
xdotool key ctrl+1
shoot queue-light
# The migration, with its masked password, sorts second (high risk): its row's summary cell.
xdotool mousemove 480 211 click 1
shoot masked-field
xdotool key ctrl+3
shoot runtimes
# A member joins from "another machine" (the CLI), then the owner invites the next one.
LINK=$("$BIN/countersign-cli" --data-dir "$VAULT" member invite --role approver --note 'Grace, on call' --json | sed -n 's/.*"link": *"\([^"]*\)".*/\1/p')
"$BIN/countersign-cli" member join "$LINK" --name 'Grace Hopper' --member-file "$WORK/grace.json" >/dev/null
"$BIN/countersign-cli" --data-dir "$VAULT" member invite --role viewer --note 'auditor, Q4 review' >/dev/null
xdotool key ctrl+5
sleep 0.5
shoot members
xdotool key alt+e
sleep 0.8
xdotool key Return
shoot invitation
xdotool key Escape
sleep 0.5
xdotool windowfocus --sync "$MAIN" 2>/dev/null || true
xdotool key ctrl+6
shoot audit
kill $APP; wait $APP 2>/dev/null || true

mkdir -p "$XDG_CONFIG_HOME/Countersign"
printf '[desktop]\ncolorScheme=dark\n' > "$XDG_CONFIG_HOME/Countersign/Countersign.conf"
start_app
shoot queue-dark
kill $APP; wait $APP 2>/dev/null || true
echo "screenshots in $OUT"
