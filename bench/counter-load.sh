#!/usr/bin/env bash
# Load benchmark of `cong counter serve` on loopback: hits per second, 99th-percentile
# latency and non-2xx answers with SQLite, with Redis, and for nginx answering a static 204
# (the ceiling of this machine). Each run is bounded in time; nothing leaves 127.0.0.1.
#
#   bash bench/counter-load.sh                # 10 s per target, 2 wrk threads, 32 connections
#   DURATION=20s CONNECTIONS=64 bash bench/counter-load.sh
#
# Needs wrk, nginx and redis-server from Debian; it installs nothing and says what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PAGES=${PAGES:-50}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "counter-load: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "counter-load: building the release binary" >&2
cargo build --release --quiet
CONG=$PWD/target/release/cong

OUT=$PWD/bench/out/counter
rm -rf "$OUT"
mkdir -p "$OUT"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { # a loopback port nobody answers on, below the ephemeral range
  local port
  while :; do
    port=$((10000 + RANDOM % 22000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

wait_http() { # url
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "counter-load: $1 did not answer" >&2
  return 1
}

# The targets file, as `cong build` would write it, with the pages the wrk script hits.
{
  printf '{"generated":"%s","allowed_origins":["https://donghy.thainguyen.gov.vn"],"units":[' \
    "$(date -Iseconds)"
  printf '{"id":"/","paths":["/"'
  for i in $(seq 1 "$PAGES"); do printf ',"/tin-tuc/bai-%d/"' "$i"; done
  printf ']},{"id":"/xa-hoa-thuong/","paths":["/xa-hoa-thuong/"'
  for i in $(seq 1 "$PAGES"); do printf ',"/xa-hoa-thuong/tin-tuc/bai-%d/"' "$i"; done
  printf ']}]}\n'
} >"$OUT/cong-counter.json"

# Runs wrk against a URL and appends one row to the results.
results=()
run_wrk() { # name url
  local name=$1 url=$2
  echo "counter-load: $name for $DURATION" >&2
  BENCH_PAGES=$PAGES wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -s bench/counter-hits.lua "$url" >"$OUT/$name.wrk.txt"
  local rps p99 non2xx errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/$name.wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$name.wrk.txt")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$OUT/$name.wrk.txt")
  errors=$(awk '/Socket errors:/ {print $0}' "$OUT/$name.wrk.txt" | sed 's/^ *Socket errors: //')
  results+=("$(printf '| %-14s | %10s | %8s | %7s | %s |' "$name" "$rps" "$p99" "${non2xx:-0}" "${errors:-none}")")
}

start_cong() { # store-args...; sets $cong_url
  local log=$OUT/cong-$((${#pids[@]})).log
  "$CONG" counter serve --listen 127.0.0.1:0 --targets "$OUT/cong-counter.json" \
    --rate-limit 100000000 "$@" >"$log" 2>&1 &
  pids+=($!)
  cong_url=
  for _ in $(seq 1 100); do
    cong_url=$(sed -n 's/^cong counter: listening on //p' "$log")
    [ -n "$cong_url" ] && break
    sleep 0.1
  done
  [ -n "$cong_url" ] || { echo "counter-load: the service did not start:" >&2; cat "$log" >&2; exit 1; }
  wait_http "$cong_url/health"
}

stop_last() {
  local last=${pids[-1]}
  kill "$last" 2>/dev/null || true
  wait "$last" 2>/dev/null || true
  unset 'pids[-1]'
}

# 1. SQLite.
start_cong --db "$OUT/counter.sqlite"
run_wrk sqlite "$cong_url"
sqlite_total=$(curl -fs "$cong_url/stats?unit=/" | sed 's/.*"total":\([0-9]*\).*/\1/')
stop_last

# 2. Redis.
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$OUT" >"$OUT/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
  sleep 0.1
done
start_cong --redis "redis://127.0.0.1:$redis_port/"
run_wrk redis "$cong_url"
stop_last
stop_last

# 3. nginx answering 204: the ceiling.
port=$(free_port)
mkdir -p "$OUT/nginx"
cat >"$OUT/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx/body;
  proxy_temp_path $OUT/nginx/proxy;
  fastcgi_temp_path $OUT/nginx/fastcgi;
  uwsgi_temp_path $OUT/nginx/uwsgi;
  scgi_temp_path $OUT/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { return 204; }
  }
}
EOF
"$NGINX" -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" &
pids+=($!)
wait_http "http://127.0.0.1:$port/"
run_wrk "nginx 204" "http://127.0.0.1:$port"
stop_last

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, POST /hit over $((PAGES * 2)) pages, $(nproc) cores"
echo
echo "| target         |     hits/s |      p99 | non-2xx | socket errors |"
echo "|----------------|-----------:|---------:|--------:|---------------|"
printf '%s\n' "${results[@]}"
echo
echo "SQLite total for unit / after the run: $sqlite_total (wrk's raw output is in $OUT)"
