#!/usr/bin/env bash
# Endpoint throughput against nginx, measured in the same run (issue: runtime API benchmark).
#
#   bench/endpoint-bench.sh [BUILD_DIR]
#
# 1. Authenticated status polls (GET /v1/requests/{id}, no long-poll) with 50 keep-alive
#    connections, wrk, 20 s; then the same wrk against nginx-light serving a static JSON file
#    of the same size on loopback. Prints requests/s, p99 latency and the ratio.
# 2. Durable request creation (POST /v1/requests), 1 and 8 connections, beside the rate of raw
#    durable one-row transactions on a SQLCipher vault in the same directory (the disk's floor).
#    Writes arriving together share one commit (group commit); each is answered after it.
#    CREATES_ONLY=1 skips part 1.
# 3. Consumes with their receipts (POST /v1/requests/{id}/consume), 1 and 8 connections, of
#    requests a policy rule approved as they were created. Consumes arriving together share one
#    commit too, and the receipts of one commit one checkpoint. CONSUMES=0 skips it.
# Decision latency is measured by the countersign-bench-endpoint program.
set -euo pipefail
build=${1:-build}
bin=$(cd "$build/bin" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=17447
nginx_port=17448
duration=${DURATION:-20s}

echo "correct horse battery staple 42" > "$work/pass"
export COUNTERSIGN_PASSPHRASE_FILE="$work/pass"
"$bin/countersign-cli" --data-dir "$work/vault" vault init --owner Bench >/dev/null
token=$("$bin/countersign-cli" --data-dir "$work/vault" --json runtime add bench --allow 'bench.*' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$bin/countersign-cli" --data-dir "$work/vault" policy add 'bench.consume' --allow >/dev/null
"$bin/countersign" --headless --data-dir "$work/vault" --port "$port" --rate-limit 1000000 > "$work/server.log" 2>&1 &
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/v1/health" && break; sleep 0.2; done

export COUNTERSIGN_URL="http://127.0.0.1:$port" COUNTERSIGN_TOKEN="$token"
id=$("$bin/countersign-cli" --json request --capability bench.poll --summary "benchmark request" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/requests/$id" > "$work/status.json"
size=$(stat -c %s "$work/status.json")

# nginx serving a file of the same size, same loopback, one worker per core.
mkdir -p "$work/nginx/www"
cp "$work/status.json" "$work/nginx/www/status.json"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    server { listen 127.0.0.1:$nginx_port; root $work/nginx/www; default_type application/json; }
}
CONF
nginx -c "$work/nginx/nginx.conf"
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT

run_wrk() { wrk -t2 -c50 -d"$duration" --latency "$@" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1 == "99%" {print $2}'; }

if [ -z "${CREATES_ONLY:-}" ]; then
echo "Status polls, 50 keep-alive connections, $duration, response body $size bytes"
ours=$(run_wrk -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/requests/$id")
theirs=$(run_wrk "http://127.0.0.1:$nginx_port/status.json")
ours_rps=$(echo "$ours" | rps); theirs_rps=$(echo "$theirs" | rps)
printf '  countersign  %10s req/s   p99 %s\n' "$ours_rps" "$(echo "$ours" | p99)"
printf '  nginx        %10s req/s   p99 %s\n' "$theirs_rps" "$(echo "$theirs" | p99)"
python3 -c "print(f'  ratio countersign/nginx {float($ours_rps)/float($theirs_rps):.2f} (target >= 0.50)')"
errors=$(echo "$ours" | awk '/Non-2xx/ {print $4}')
[ -n "$errors" ] && echo "  non-2xx responses from countersign: $errors"
fi

cat > "$work/create.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"capability":"bench.create","summary":"benchmark create","payload":{"n":1}}'
LUA
echo
echo "Durable request creation (each acknowledged after fsync)"
raw=$("$bin/countersign-bench-rawtx" "$work" 5 | awk '{print $1}')
printf '  raw durable 1-row SQLCipher transactions, same directory  %10s tx/s\n' "$raw"
for connections in 1 8; do
    out=$(wrk -t1 -c$connections -d10s --latency -s "$work/create.lua" -H "Authorization: Bearer $token" \
          "http://127.0.0.1:$port/v1/requests" 2>&1)
    printf '  %d connection(s)  %10s creates/s   p99 %-9s (raw transactions %s/s)\n' "$connections" \
        "$(echo "$out" | rps)" "$(echo "$out" | p99)" "$raw"
    errors=$(echo "$out" | awk '/Non-2xx/ {print $4}')
    if [ -n "$errors" ]; then echo "  non-2xx responses: $errors"; fi
done

[ "${CONSUMES:-1}" = 0 ] && exit 0
# Approved at creation by the policy rule; each created id and digest is kept for the consumes.
cat > "$work/approved.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"capability":"bench.consume","summary":"benchmark consume","payload":{"n":1}}'
local out = io.open(os.getenv("BENCH_IDS"), "w")
response = function(status, headers, body)
    local id = body:match('"id":"([^"]+)"')
    local digest = body:match('"payload_sha256":"([^"]+)"')
    if status == 201 and id and digest then out:write(id, " ", digest, "\n"); out:flush() end
end
LUA
# Consumes the kept ids in turn for the run's duration; only the 200s count (an id consumed
# before is refused with 409 once the pool runs out).
cat > "$work/consume.lua" <<'LUA'
local ids, next = {}, 0
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
    next = next % #ids + 1
    local id, digest = ids[next]:match("(%S+) (%S+)")
    return wrk.format(nil, "/v1/requests/" .. id .. "/consume", nil, '{"payload_sha256":"' .. digest .. '"}')
end
done = function(summary, latency, requests)
    local ok = summary.requests - summary.errors.status
    io.write(string.format("consumed %d in %.1f s: %.2f/s\n", ok, summary.duration / 1e6, ok * 1e6 / summary.duration))
end
LUA
echo
echo "Consumes with their receipts (each acknowledged after fsync)"
for connections in 1 8; do
    export BENCH_IDS="$work/ids-$connections"
    wrk -t1 -c8 -d5s -s "$work/approved.lua" -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/v1/requests" >/dev/null 2>&1
    out=$(wrk -t1 -c$connections -d5s --latency -s "$work/consume.lua" -H "Authorization: Bearer $token" \
          "http://127.0.0.1:$port" 2>&1)
    printf '  %d connection(s)  %10s consumes/s  p99 %-9s (of %s approved requests)\n' "$connections" \
        "$(echo "$out" | awk '/^consumed/ {print $NF}' | tr -d '/s')" "$(echo "$out" | p99)" "$(wc -l < "$BENCH_IDS")"
done
