#!/usr/bin/env bash
# make e2e-claude: the real Claude Code CLI (pinned) drives a tool round trip through
# switchboard and the mock providers, once served by Cerebras and once by Z.AI.
set -euo pipefail
B=${1:-build-release}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CC_VERSION=2.1.332
E2E=$SRC/tests/e2e
if [ ! -x "$E2E/node_modules/.bin/claude" ]; then
    echo "installing @anthropic-ai/claude-code@$CC_VERSION (npm)..."
    (cd "$E2E" && npm install --no-audit --no-fund --silent "@anthropic-ai/claude-code@$CC_VERSION" >/dev/null)
fi
CLAUDE=$E2E/node_modules/.bin/claude
"$CLAUDE" --version | grep -q "$CC_VERSION" || { echo "FAIL: wrong claude version"; exit 1; }

export SB_BIN=$SRC/$B/switchboard SB_MOCK=$SRC/$B/tests/mock_provider SB_SRC=$SRC
source "$SRC/tests/integration/lib.sh"
setup_default
admin() { curl -sf -H "Authorization: Bearer sk-1234" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/$1" ${2:+-d "$2"} >/dev/null; }

run_claude() {
    local home=$T/cchome-$1
    mkdir -p "$home" "$T/proj"
    (cd "$T/proj" && env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME="$home" \
        ANTHROPIC_BASE_URL="$SB_URL" ANTHROPIC_AUTH_TOKEN=sk-1234 \
        ANTHROPIC_DEFAULT_SONNET_MODEL=glm-4.6 ANTHROPIC_DEFAULT_OPUS_MODEL=glm-4.6 \
        ANTHROPIC_DEFAULT_HAIKU_MODEL=glm-4.5-air CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
        DISABLE_TELEMETRY=1 timeout 120 "$CLAUDE" -p "use the Bash tool to run echo" \
        --allowedTools "Bash(echo:*)" --output-format json) >"$T/claude-$1.json" 2>"$T/claude-$1.err"
}

for path in cerebras zai; do
    [ $path = zai ] && admin fallback '{"force":true}'
    before=$(mock_stat $path ok)
    run_claude $path || fail "claude exited non-zero via $path: $(cat "$T/claude-$path.json" "$T/claude-$path.err" | head -c 1500)"
    json_get "d['is_error'] is False and 'mock-tool-ok' in d['result']" <"$T/claude-$path.json" | grep -q True ||
        fail "claude via $path: $(head -c 1500 "$T/claude-$path.json")"
    after=$(mock_stat $path ok)
    [ $((after - before)) -ge 2 ] || fail "expected a tool round trip (>= 2 answers) from $path, got $((after - before))"
    pass "Claude Code $CC_VERSION tool round trip served by $path ($((after - before)) requests)"
done
grep -c ' -> ' "$T/switchboard.log" | xargs echo "requests logged by switchboard:"
