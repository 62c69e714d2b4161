#!/usr/bin/env bash
# Checks the layer boundaries: which project headers and which libraries each folder may
# include. One line per layer below is the whole rule; a file that includes across a
# boundary is named with the line, and the script exits 1.
set -u
cd "${LAYERS_ROOT:-$(dirname "$0")/../..}"

# layer: project layers it may include (its own is implied) | libraries it may include
declare -A USES=(
    [core]=""
    [config]="core"
    [route]="core config"
    [xlate]="core"
    [front]="core config route xlate"
    [sim]="core config xlate front"
    [ui]="core config route"
    [shared]="core config route"
    [app]="core config route xlate front sim shared ui"
)
declare -A LIBS=(
    [config]="yaml"
    [front]="civetweb curl"
    [sim]="civetweb curl"
    [ui]="curses"
    [shared]="hiredis"
    [app]="curl"
)

bad=0
check_file() {
    local f=$1 layer=$2 line inc dep lib allowed
    while IFS= read -r line; do
        # the target of `#include "x"` / `# include <x>`, however it is spaced
        [[ ${line#*:} =~ include[[:space:]]*([\"\<][^\"\>]*[\"\>]) ]] || continue
        inc=${BASH_REMATCH[1]}
        case $inc in
        \"*/*\")
            dep=${inc#\"}
            dep=${dep%%/*}
            if [ "$dep" != "$layer" ] && [[ " ${USES[$layer]} " != *" $dep "* ]]; then
                echo "layers: $f:${line%%:*}: $layer may not include $inc"
                bad=1
            fi
            ;;
        \<civetweb.h\>) lib=civetweb ;;&
        \<curl/*) lib=curl ;;&
        \<yaml.h\>) lib=yaml ;;&
        \<curses.h\> | \<ncurses*) lib=curses ;;&
        \<hiredis/* | \<hiredis.h\>) lib=hiredis ;;&
        \<*)
            if [ -n "${lib:-}" ]; then
                allowed=" ${LIBS[$layer]:-} "
                if [[ $allowed != *" $lib "* ]]; then
                    echo "layers: $f:${line%%:*}: $layer may not include $inc"
                    bad=1
                fi
            fi
            lib=""
            ;;
        esac
    done < <(grep -n '^[[:space:]]*#[[:space:]]*include' "$f")
}

for f in $(git ls-files 'src/*.[ch]' 'include/*.h' 'ui/*.[ch]'); do
    case $f in
    ui/*) layer=ui ;;
    src/*/* | include/*/*) layer=${f#*/}; layer=${layer%%/*} ;;
    *) echo "layers: $f: outside any layer folder"; bad=1; continue ;;
    esac
    if [ -z "${USES[$layer]+x}" ]; then
        echo "layers: $f: unknown layer '$layer' (add it to tests/lint/layers.sh)"
        bad=1
        continue
    fi
    check_file "$f" "$layer"
done
# Every layer folder says what it owns and may include.
for layer in "${!USES[@]}"; do
    dir=src/$layer
    [ "$layer" = ui ] && dir=ui
    if [ -n "$(git ls-files "$dir/*.c")" ] && [ -z "$(git ls-files "$dir/README.md")" ]; then
        echo "layers: $dir has no README.md (what it owns, what it may include)"
        bad=1
    fi
done
[ $bad = 0 ] && echo "layers: every include stays within its layer's rules"
exit $bad
