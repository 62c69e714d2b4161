# shellcheck shell=bash
# Helpers for the shared-state suites (sourced after lib.sh and fault_lib.sh): a real
# redis-server on a free loopback port, started and stopped by PID, and several switchboards
# side by side, each with its own log and URL.

command -v redis-server >/dev/null || fail "redis-server is not installed (.ci/deps.sh --test)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_ping() { [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

# start_redis [PORT] : a throwaway redis-server (no persistence) on PORT or a free port; sets
# REDIS_PORT and REDIS_PID.
start_redis() {
    REDIS_PORT=${1:-$(free_port)}
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$T" >>"$T/redis.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    wait_for redis_ping || fail "redis-server did not start on port $REDIS_PORT"
}

# stop_redis : SIGKILL (a crash, not a clean shutdown), then waits for it to be gone.
stop_redis() {
    kill -KILL "$REDIS_PID"
    wait "$REDIS_PID" 2>/dev/null || true
}

# start_sb_as NAME [args...] : a switchboard on $T/config.yaml with its own log; sets
# ${NAME}_URL and ${NAME}_PID.
start_sb_as() {
    local name=$1 port url
    shift
    port=$(free_port)
    CEREBRAS_API_KEY=${CEREBRAS_KEY-ck-test} ZAI_API_KEY=${ZAI_KEY-zk-test} \
        "$SB_BIN" --headless --config "$T/config.yaml" --port "$port" "$@" \
        >"$T/sb-$name.log" 2>&1 &
    printf -v "${name^^}_PID" '%s' "$!"
    PIDS+=($!)
    url=$(wait_url "$T/sb-$name.log") || fail "switchboard $name did not start"
    wait_for curl -sf "$url/health" || fail "switchboard $name /health never answered"
    printf -v "${name^^}_URL" '%s' "$url"
}

# stop_sb_as NAME : SIGTERM, clean exit within a deadline, no sanitizer report.
stop_sb_as() {
    local pid_var="${1^^}_PID" deadline=$((SECONDS + 30)) rc=0
    local pid=${!pid_var}
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && fail "switchboard $1 did not exit after SIGTERM"
        sleep 0.05
    done
    wait "$pid" || rc=$?
    [ $rc = 0 ] || fail "switchboard $1 exited with status $rc"
    ! grep -q "Sanitizer" "$T/sb-$1.log" || fail "sanitizer report in switchboard $1's log"
}

# state_of NAME : /admin/state of switchboard NAME.
state_of() {
    local url_var="${1^^}_URL"
    curl -sf "${ADMIN[@]}" "${!url_var}/admin/state"
}

# shared_mode NAME : SHARED or LOCAL ONLY; shared_instances NAME : the instance count.
shared_mode() { state_of "$1" | json_get "d['shared']['mode']"; }
shared_instances() { state_of "$1" | json_get "d['shared']['instances']"; }
is_shared_with() { [ "$(shared_mode "$1")" = SHARED ] && [ "$(shared_instances "$1")" = "$2" ]; }

# post_as NAME : one chat request to switchboard NAME; prints "status provider".
post_as() {
    local url_var="${1^^}_URL" h
    h=$(mktemp "$T/h.XXXXXX")
    local code
    code=$(curl -sS -H "Authorization: Bearer sk-1234" -H "Content-Type: application/json" \
        -X POST "${!url_var}/v1/chat/completions" --data-binary "$(OAI_BODY glm-4.6)" \
        -D "$h" -o /dev/null --max-time 60 -w '%{http_code}') || code=000
    echo "$code $(header x-switchboard-provider "$h")"
    rm -f "$h"
}

# burst N NAME... : N requests to each switchboard at once; every answer ("status provider")
# goes to $T/burst.out.
burst() {
    local n=$1 name i
    shift
    : >"$T/burst.out"
    local pids=()
    for name in "$@"; do
        for i in $(seq "$n"); do
            post_as "$name" >>"$T/burst.out" &
            pids+=($!)
        done
    done
    for i in "${pids[@]}"; do wait "$i"; done
}

# shared_config SHARED(true|false) [CEREBRAS_LINE...] : $T/config.yaml with Cerebras (each
# CEREBRAS_LINE added to its litellm_params) falling back to Z.AI (the mocks at
# CEREBRAS_PORT, ZAI_PORT), cooldown_time 30, no waiting; with SHARED the Redis at
# REDIS_PORT, with the password from SB_TEST_REDIS_PASSWORD when that is set.
shared_config() {
    local shared=$1 line
    shift
    {
        echo "model_list:"
        cerebras_entry glm-4.6
        for line in "$@"; do echo "      $line"; done
        zai_entry zai-glm-4.6 glm-4.6
        echo "router_settings:"
        echo '  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]'
        echo "  cooldown_time: 30"
        if [ "$shared" = true ]; then
            echo "  redis_host: 127.0.0.1"
            echo "  redis_port: $REDIS_PORT"
            [ -z "${SB_TEST_REDIS_PASSWORD:-}" ] || echo "  redis_password: os.environ/SB_TEST_REDIS_PASSWORD"
        fi
        cat <<YAML
general_settings:
  master_key: sk-1234
switchboard_settings:
  max_wait: 0
  redis_timeout_ms: 250
YAML
    } >"$T/config.yaml"
}
