#!/usr/bin/env bash
# Runs every benchmark of docs/BENCHMARKS.md in one go and writes the results to benchmarks/target/results/.
#   benchmarks/run.sh                 # all parts
#   PARTS="memory redis" benchmarks/run.sh
#   JMH_OPTS="-f 1 -wi 3 -w 2s -i 5 -r 2s" benchmarks/run.sh   # longer, steadier runs
#   PARTS=pairs benchmarks/run.sh     # the issue's ratio targets, each pair of rows measured in alternation
# Needs a JDK 17+, Maven, redis-server on the PATH (or $REDIS_SERVER) and, for the HTTP part, wrk
# (Debian/Ubuntu: apt-get install wrk). Installs nothing itself; starts its own redis-server and Jetty on free
# loopback ports and stops them on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/benchmarks/target/results"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
PARTS="${PARTS:-memory redis denial report http}"
JMH_OPTS="${JMH_OPTS:--f 1 -wi 2 -w 1s -i 3 -r 1s}"
WRK_DURATION="${WRK_DURATION:-10s}"
HTTP_ROUNDS="${HTTP_ROUNDS:-5}"   # measured rounds over the HTTP paths, after three warm-up passes
PAIR_ROUNDS="${PAIR_ROUNDS:-4}"   # rounds of the pairs part
REDIS_SERVER="${REDIS_SERVER:-redis-server}"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
load() { echo "load: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"; }

command -v "$REDIS_SERVER" >/dev/null || { echo "redis-server not found: install it (apt-get install redis-server) or set REDIS_SERVER" >&2; exit 1; }
mkdir -p "$OUT"
echo "== building (mvn package -pl benchmarks -am -DskipTests)"
(cd "$ROOT" && mvn -B -q package -pl benchmarks -am -DskipTests)

{
  echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GB"}')"; echo "java: $(java -version 2>&1 | head -1)"
  echo "redis: $("$REDIS_SERVER" --version)"; echo "wrk: $(command -v wrk >/dev/null && { wrk -v 2>&1 || true; } | head -1 || echo missing)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

REDIS_PORT="$(free_port)"
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  > "$OUT/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do (echo PING > "/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break; sleep 0.1; done
REDIS="redis://127.0.0.1:$REDIS_PORT"
echo "== redis-server on $REDIS"

jmh() { # name, then JMH arguments
  local name="$1"; shift
  echo "== $name  ($(load))" | tee -a "$OUT/load.txt"
  # shellcheck disable=SC2086
  java -jar "$JAR" "$@" $JMH_OPTS -jvmArgsAppend "-Dbench.redis=$REDIS" -rf json -rff "$OUT/$name.json" \
    | tee "$OUT/$name.txt" | grep -E '^(Benchmark|[A-Za-z]+Benchmark\.)' || true
  echo "   done ($(load))" | tee -a "$OUT/load.txt"
}

for part in $PARTS; do
  case "$part" in
    memory)
      for t in 1 2; do jmh "memory-t$t" InMemoryBenchmark -t "$t"; done ;;
    redis)
      for t in 1 8 32; do jmh "redis-t$t" RedisBenchmark -t "$t"; done ;;
    denial)
      jmh "denial-cache-t8" DenialCacheBenchmark -t 8 ;;
    report)
      echo "== report: commands per decision, memory per key"
      java -cp "$JAR" dev.ratelimit.benchmarks.Report "$REDIS" | tee "$OUT/report.md" ;;
    http)
      if ! command -v wrk >/dev/null; then
        echo "== http: wrk is not installed; install it with 'apt-get install wrk' (Debian/Ubuntu) and re-run PARTS=http" >&2
        continue
      fi
      # two servers: the in-memory applications, and the Redis one in a JVM of its own (see HttpBenchServer)
      HTTP_PORT="$(free_port)"
      java -cp "$JAR" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn dev.ratelimit.benchmarks.HttpBenchServer \
        "$HTTP_PORT" > "$OUT/http-server.log" 2>&1 &
      PIDS+=($!)
      REDIS_HTTP_PORT="$(free_port)"
      java -cp "$JAR" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn dev.ratelimit.benchmarks.HttpBenchServer \
        "$REDIS_HTTP_PORT" "$REDIS" > "$OUT/http-redis-server.log" 2>&1 &
      PIDS+=($!)
      for _ in $(seq 100); do
        grep -q READY "$OUT/http-server.log" && grep -q READY "$OUT/http-redis-server.log" && break; sleep 0.2
      done
      url() { case "$1" in redis/*) echo "http://127.0.0.1:$REDIS_HTTP_PORT/$1" ;; *) echo "http://127.0.0.1:$HTTP_PORT/$1" ;; esac; }
      : > "$OUT/http.txt"
      : > "$OUT/http-rps.tsv"
      paths="memory/unlimited memory/floor memory/headers memory/limited ietf/limited quiet/limited redis/limited"
      for path in $paths $paths $paths; do   # warm-up (JIT) of every path, three times, not recorded
        wrk -t 2 -c 32 -d 5s "$(url "$path")" > /dev/null
      done
      # the paths take turns, round after round, so a slow spell of the machine hits them all alike
      for round in $(seq "$HTTP_ROUNDS"); do
        for path in $paths; do
          echo "== http round $round $path ($(load))" | tee -a "$OUT/http.txt"
          wrk -t 2 -c 32 -d "$WRK_DURATION" --latency "$(url "$path")" | tee "$OUT/wrk.last" \
            | tee -a "$OUT/http.txt" | grep -E 'Requests/sec|50%|90%|99%|Non-2xx' || true
          echo -e "$round\t$path\t$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk.last")" >> "$OUT/http-rps.tsv"
        done
      done
      echo "== http: median requests/s over $HTTP_ROUNDS rounds; the median of each round's share of that round's" \
        "/memory/unlimited (drift between rounds cancels out), with the lowest and highest share" | tee -a "$OUT/http.txt"
      python3 - "$OUT/http-rps.tsv" <<'PY' | tee -a "$OUT/http.txt"
import statistics, sys
rps = {}
for line in open(sys.argv[1]):
    _, path, value = line.split("\t")
    rps.setdefault(path, []).append(float(value))
base = rps["memory/unlimited"]
for path, values in rps.items():
    shares = sorted(100 * v / b for v, b in zip(values, base))
    print(f"{path:18} {statistics.median(values):10.0f}  {statistics.median(shares):5.1f} %"
          f" ({shares[0]:.1f}-{shares[-1]:.1f})   rounds: {' '.join(f'{v:.0f}' for v in values)}")
PY
      ;;
    pairs)
      # Each ratio target's rows, measured in turns (one short JMH fork each, round after round), so the VM's
      # drift between rounds hits both sides of a ratio alike; the ratio is taken within each round.
      : > "$OUT/pairs.tsv"
      for round in $(seq "$PAIR_ROUNDS"); do
        for spec in "InMemoryBenchmark 1 1" "InMemoryBenchmark 2 1" \
                    "RedisBenchmark 8 1" "RedisBenchmark 32 1" "RedisBenchmark 8 10000" "RedisBenchmark 32 10000"; do
          read -r bench threads keys <<< "$spec"
          case "$bench" in
            InMemoryBenchmark) impls="ours-TOKEN_BUCKET bucket4j" ;;
            *) impls="ours-TOKEN_BUCKET bucket4j-jedis bare-evalsha" ;;
          esac
          for impl in $impls; do
            # shellcheck disable=SC2086
            java -jar "$JAR" "$bench" -t "$threads" -p impl="$impl" -p keys="$keys" -f 1 -wi 2 -w 1s -i 3 -r 1s \
              -jvmArgsAppend "-Dbench.redis=$REDIS" -rf json -rff "$OUT/pair.json" > "$OUT/pair.txt"
            score="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["primaryMetric"]["score"])' "$OUT/pair.json")"
            echo -e "$round\t$bench\t$threads\t$keys\t$impl\t$score" | tee -a "$OUT/pairs.tsv"
          done
        done
      done
      echo "== pairs: the issue's ratio targets, median (lowest-highest) of the per-round ratios over $PAIR_ROUNDS rounds" \
        | tee "$OUT/pairs.txt"
      python3 - "$OUT/pairs.tsv" <<'PY' | tee -a "$OUT/pairs.txt"
import statistics, sys
score = {}
for line in open(sys.argv[1]):
    rnd, bench, threads, keys, impl, value = line.rstrip("\n").split("\t")
    score[(rnd, bench, threads, keys, impl)] = float(value)
rounds = sorted({k[0] for k in score})
def ratio(bench, threads, keys, a, b, label, target, at_most):
    rs = sorted(score[(r, bench, threads, keys, a)] / score[(r, bench, threads, keys, b)] for r in rounds
                if (r, bench, threads, keys, a) in score and (r, bench, threads, keys, b) in score)
    m = statistics.median(rs)
    met = m <= target if at_most else m >= target
    print(f"{label:58} {m:6.2f}  ({rs[0]:.2f}-{rs[-1]:.2f})  target {'<=' if at_most else '>='} {target}:"
          f" {'met' if met else 'not met'}")
ratio("InMemoryBenchmark", "1", "1", "ours-TOKEN_BUCKET", "bucket4j", "in-memory ns/op, ours / Bucket4j, 1 thread, 1 key", 1.0, True)
ratio("InMemoryBenchmark", "2", "1", "ours-TOKEN_BUCKET", "bucket4j", "in-memory ns/op, ours / Bucket4j, 2 threads, 1 key", 0.5, True)
for threads, keys, target in (("8", "1", 5), ("32", "1", 15), ("8", "10000", 2.5), ("32", "10000", 2.5)):
    ratio("RedisBenchmark", threads, keys, "ours-TOKEN_BUCKET", "bucket4j-jedis",
          f"Redis decisions/s, ours / Bucket4j-Jedis, {threads} threads, {keys} key(s)", target, False)
for threads, keys in (("8", "1"), ("32", "1"), ("8", "10000"), ("32", "10000")):
    ratio("RedisBenchmark", threads, keys, "ours-TOKEN_BUCKET", "bare-evalsha",
          f"Redis decisions/s, ours / bare EVALSHA, {threads} threads, {keys} key(s)", 0.9, False)
for threads, keys in (("8", "10000"), ("32", "10000")):
    ratio("RedisBenchmark", threads, keys, "bare-evalsha", "bucket4j-jedis",
          f"(the ceiling: bare EVALSHA / Bucket4j-Jedis, {threads} threads, {keys} keys)", 2.5, False)
PY
      ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
echo "== results in $OUT"
