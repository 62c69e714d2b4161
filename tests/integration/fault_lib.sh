# shellcheck shell=bash disable=SC2034
# Helpers shared by the fault, signal, bad-input and security suites (sourced after lib.sh):
# admin state queries, idle and leak checks that poll with deadlines, config writers.

ADMIN=(-H "Authorization: Bearer sk-1234")
CHECK="python3 $(dirname "${BASH_SOURCE[0]}")/sse_check.py"
EXPECT="python3 $(dirname "${BASH_SOURCE[0]}")/sse_expect.py"

state_json() { curl -sf "${ADMIN[@]}" "$SB_URL/admin/state"; }

# jnum KEY : the first "KEY": scalar in the JSON on stdin (python3 costs up to a second on a
# loaded machine; these helpers run in polling loops). Every filter here reads its input to
# the end: one that quits early makes the writer fail, and pipefail turns that into a silent
# exit of the test.
jnum() {
    tr -d '\n' | awk -v k="\"$1\":" '
        !done && (i = index($0, k)) {
            v = substr($0, i + length(k)); sub(/^ */, "", v)
            if (v ~ /^"/) { v = substr(v, 2); sub(/".*/, "", v) } else sub(/[],}].*/, "", v)
            print v; done = 1
        }'
}

# dep_field ID FIELD : a scalar field of one provider in /admin/state.
dep_field() {
    state_json | awk -v RS='[{]"id":' -v id="\"$1\"," -v f="\"$2\":" '
        !done && index($0, id) == 1 && (i = index($0, f)) {
            v = substr($0, i + length(f)); sub(/^ */, "", v)
            if (v ~ /^"/) { v = substr(v, 2); sub(/".*/, "", v) } else sub(/[],}].*/, "", v)
            print v; done = 1
        }'
}

# dep_id GROUP NAME : the id switchboard gave the deployment NAME ("cerebras", "zai") of GROUP.
dep_id() {
    state_json | json_get "[p['id'] for p in d['providers'] if p['group']=='$1' and p['name']=='$2'][0]"
}

admin_post() { curl -sf "${ADMIN[@]}" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/$1" ${2:+-d "$2"} -o /dev/null; }

# reset_all : ends every cooldown and failure count so scenarios do not leak into each other.
# Providers are the only objects with a string "id" in /admin/state.
reset_all() {
    local id ids
    ids=$(state_json | grep -o '"id":"[^"]*"' | sed 's/^"id":"//; s/"$//') || fail "no providers in /admin/state"
    for id in $ids; do
        admin_post "providers/$id/reset" || fail "reset $id"
    done
}

# in_range VALUE LO HI : VALUE (a float) lies in [LO, HI].
in_range() {
    awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 >= lo + 0 && v + 0 <= hi + 0) }'
}

# mstat NAME FIELD : a counter from the mock's /_mock/stats (lib.sh's mock_stat, without python).
mstat() {
    local port_var="${1^^}_PORT"
    curl -sf "http://127.0.0.1:${!port_var}/_mock/stats" | jnum "$2"
}

# The top-level in_flight: the providers' own are cut off first.
sb_in_flight() { state_json | sed 's/"providers":.*//' | jnum in_flight; }
sb_idle() { [ "$(sb_in_flight)" = 0 ]; }
mock_idle() { [ "$(mstat "$1" in_flight)" = 0 ]; }

# settle [MOCK...] : switchboard and the given mocks have nothing in flight (deadline).
settle() {
    SB_WAIT=${SB_WAIT:-20} wait_for sb_idle || fail "switchboard in_flight stuck at $(sb_in_flight)"
    local m
    for m in "$@"; do
        SB_WAIT=${SB_WAIT:-20} wait_for mock_idle "$m" || fail "mock $m in_flight stuck at $(mstat "$m" in_flight)"
    done
}

sb_threads() { awk '/^Threads:/ {print $2}' "/proc/$SB_PID/status"; }
sb_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SB_PID/status"; }

# baseline : remembers switchboard's open descriptors (other than AF_UNIX) and threads.
baseline() {
    BASE_FDS=$(sb_fds_nonunix)
    BASE_THREADS=$(sb_threads)
}

# back_to_baseline [TOLERANCE] : descriptors and threads return near the baseline (deadline).
within_baseline() {
    [ "$(sb_fds_nonunix)" -le $((BASE_FDS + $1)) ] && [ "$(sb_threads)" -le $((BASE_THREADS + $1)) ]
}
back_to_baseline() {
    local tol=${1:-8}
    SB_WAIT=${SB_WAIT:-20} wait_for within_baseline "$tol" ||
        fail "resources did not come back: fds $BASE_FDS -> $(sb_fds_nonunix), threads $BASE_THREADS -> $(sb_threads)"
}

alive() {
    kill -0 "$SB_PID" 2>/dev/null || fail "switchboard died"
    local code
    code=$(sb_post /v1/chat/completions '{"model":"zai-glm-4.6","messages":[{"role":"user","content":"alive?"}]}' \
        -o /dev/null -w '%{http_code}' --max-time 30) || true
    [ "$code" = 200 ] || fail "switchboard stopped serving: $code"
}

# header NAME FILE : a response header's value from a curl -D dump.
header() {
    tr -d '\r' <"$2" | awk -v n="$1" 'BEGIN {n=tolower(n)} {split($0,a,":")} !done && tolower(a[1])==n {sub(/^[^:]*: */,""); print; done=1}'
}

# OpenAI / Anthropic error body checks (on a file).
is_openai_error() {
    json_get "bool(d['error']['message'] and d['error']['type'])" <"$1" | grep -q True
}
is_anthropic_error() {
    json_get "bool(d['type']=='error' and d['error']['type'] and d['error']['message'])" <"$1" | grep -q True
}

# error_shape API FILE : the same check without python, for loops over many answers: the body
# is one error object in the API's own layout.
error_shape() {
    if [ "$1" = anthropic ]; then
        grep -Eq '^\{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]+' "$2"
    else
        grep -Eq '^\{"error":\{"message":"[^"]+","type":"[a-z_]+"' "$2"
    fi
}

# Request bodies used throughout.
OAI_BODY() { printf '{"model":"%s","messages":[{"role":"user","content":"hi"}],"max_tokens":50%s}' "$1" "${2:+,\"stream\":true}"; }
ANT_BODY() { printf '{"model":"%s","max_tokens":50,"messages":[{"role":"user","content":"hi"}]%s}' "$1" "${2:+,\"stream\":true}"; }

# hold_dead_port : DEAD_PORT, a loopback port that refuses connections for the whole test. A
# socket bound without listen() keeps other tests (ctest -j) from taking the port.
hold_dead_port() {
    python3 -c 'import signal, socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True)
signal.pause()' >"$T/dead.port" 2>/dev/null &
    PIDS+=($!)
    wait_for test -s "$T/dead.port" || fail "no dead port"
    DEAD_PORT=$(cat "$T/dead.port")
}

# write_fault_config FILE : groups for the fault scenarios, each Cerebras-first with a Z.AI
# fallback. EXTRA_PARAMS lands in the primary's litellm_params; ROUTER_EXTRA and SB_EXTRA in
# router_settings and switchboard_settings.
#   glm-4.6     cerebras mock -> zai mock
#   refused     a port nothing listens on -> zai mock
#   nxdomain    an .invalid host -> zai mock
#   all-refused a port nothing listens on -> the same for Z.AI (dead-zai)
write_fault_config() {
    [ -n "${DEAD_PORT:-}" ] || hold_dead_port
    local dead=$DEAD_PORT
    {
        echo "model_list:"
        cerebras_entry glm-4.6
        printf '%s\n' "${EXTRA_PARAMS:-}"
        zai_entry zai-glm-4.6 glm-4.6
        cerebras_entry refused "127.0.0.1:$dead"
        cerebras_entry nxdomain no-such-host.invalid:1
        zai_entry dead-zai glm-4.6 "127.0.0.1:$dead"
        cerebras_entry all-refused "127.0.0.1:$dead"
        cat <<YAML
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}, {"refused": ["zai-glm-4.6"]}, {"nxdomain": ["zai-glm-4.6"]}, {"all-refused": ["dead-zai"]}]
  allowed_fails: ${ALLOWED_FAILS:-1}
  cooldown_time: ${COOLDOWN:-60}
  num_retries: 2
${ROUTER_EXTRA:-}
general_settings:
  master_key: sk-1234
switchboard_settings:
  num_threads: ${SB_THREADS:-128}
${SB_EXTRA:-}
YAML
    } >"$1"
}

# setup_faults : both mocks and switchboard on the fault config.
setup_faults() {
    start_mock cerebras openai --key ck-test "${CEREBRAS_ARGS[@]}"
    start_mock zai anthropic --key zk-test "${ZAI_ARGS[@]}"
    write_fault_config "$T/config.yaml"
    SB_WAIT=${SB_WAIT:-30} start_sb "${SB_ARGS[@]}"
}
SB_ARGS=()

# stop_sb_clean : SIGTERM, exit status 0 within a deadline, and no sanitizer report in the log.
stop_sb_clean() {
    kill -TERM "$SB_PID"
    local deadline=$((SECONDS + ${1:-30})) rc=0
    while kill -0 "$SB_PID" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && fail "switchboard did not exit after SIGTERM"
        sleep 0.05
    done
    wait "$SB_PID" || rc=$?
    [ $rc = 0 ] || fail "switchboard exited with status $rc"
    ! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|ThreadSanitizer' "$T/switchboard.log" ||
        fail "sanitizer report: $(grep -E -A12 'Sanitizer|runtime error:' "$T/switchboard.log" | head -40)"
}

# stream_bg PATH BODY OUT [curl args...] : starts a streaming client whose PID (curl itself,
# so it can be killed to hang up) lands in BG_PID.
stream_bg() {
    local path=$1 body=$2 out=$3
    shift 3
    curl -sS -N -H "Authorization: Bearer sk-1234" -H "Content-Type: application/json" \
        -X POST "$SB_URL$path" --data-binary "$body" -o "$out" "$@" 2>/dev/null &
    BG_PID=$!
}

# sb_fds_nonunix / sb_unix_fds : switchboard's descriptors that are not AF_UNIX sockets, and
# those that are. libcurl gives every multi handle a socketpair, and each worker thread keeps one
# multi handle for its life: those are bounded by num_threads and counted apart, so a leak
# of connections or files still shows.
sb_fd_split() {
    ls -l "/proc/$SB_PID/fd" 2>/dev/null | awk -v unix_list=/proc/net/unix '
        BEGIN { while ((getline l < unix_list) > 0) { split(l, f, " "); if (f[7] ~ /^[0-9]+$/) u[f[7]] = 1 } }
        / -> / { n = split($0, p, " -> "); t = p[n]
                 if (t ~ /^socket:\[/) { gsub(/[^0-9]/, "", t); if (t in u) { un++; next } }
                 other++ }
        END { print other + 0, un + 0 }'
}
sb_fds_nonunix() { sb_fd_split | cut -d' ' -f1; }
sb_unix_fds() { sb_fd_split | cut -d' ' -f2; }

# expect_aborted NAME COUNT : the mock's aborted counter reaches COUNT (deadline) and stays
# there. The mock counts an abort just after it stops counting the request in flight, so an
# idle mock alone does not prove the count is final.
aborted_reached() { [ "$(mstat "$1" aborted)" -ge "$2" ]; }
expect_aborted() {
    SB_WAIT=${SB_WAIT:-20} wait_for aborted_reached "$1" "$2" ||
        fail "mock $1 aborted $(mstat "$1" aborted), want $2"
    [ "$(mstat "$1" aborted)" = "$2" ] || fail "mock $1 aborted $(mstat "$1" aborted), want exactly $2"
}

# restart_sb [args...] : start_sb again in the same test. The old log is moved away first:
# start_sb reads the URL from the log, and the new process truncates it only once it runs.
restart_sb() {
    mv "$T/switchboard.log" "$T/switchboard-$SB_PID.log"
    SB_WAIT=${SB_WAIT:-30} start_sb "$@"
}
