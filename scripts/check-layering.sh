#!/usr/bin/env bash
# Fails if anything under core/ reaches for Widgets, Gui or the ui/ layer (docs/architecture.md:
# core is Qt Core, Sql and Network only), if the modules of core/ (its folders) include each other
# in a cycle, or if SQL is run outside a store class.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root"
status=0

pattern='#\s*include\s*[<"](Qt(Widgets|Gui)/|Q(Widget|Application|MainWindow|Dialog|Label|PushButton|LineEdit|GuiApplication|Pixmap|Image|Icon)\b|ui/|\.\./ui/)'
if grep -rnE "$pattern" core/; then
    echo "check-layering: core/ must not include Widgets, Gui or ui/ headers (see above)" >&2
    status=1
fi
if grep -nE 'Qt6::(Widgets|Gui)|countersign_ui' core/CMakeLists.txt; then
    echo "check-layering: core/CMakeLists.txt must not link Widgets, Gui or the ui library" >&2
    status=1
fi

# core/http is a generic HTTP server (docs/architecture.md): it knows nothing of Countersign, so it
# includes none of the domain's modules nor the api layer that speaks for them.
if grep -rnE '#\s*include\s*"(approvals|members|vault|audit|policy|api)/' core/http/; then
    echo "check-layering: core/http must not include Countersign's modules (see above); the api layer does" >&2
    status=1
fi

# The modules of core/ form a DAG: an include of "<module>/..." from another module is an edge,
# and tsort(1) reports any loop among them.
modules=$(find core -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
edges=$(for from in $modules; do
    grep -rhoE '#\s*include\s*"[a-z]+/' "core/$from" 2>/dev/null | sed -E 's/.*"([a-z]+)\//\1/' | sort -u |
        while read -r to; do
            if [ "$to" != "$from" ] && echo "$modules" | grep -qx "$to"; then echo "$from $to"; fi
        done
done)
if ! echo "$edges" | tsort >/dev/null 2>/tmp/check-layering-tsort.$$; then
    cat /tmp/check-layering-tsort.$$ >&2
    echo "check-layering: the modules of core/ include each other in a cycle (see above); edges:" >&2
    echo "$edges" >&2
    status=1
fi
rm -f /tmp/check-layering-tsort.$$

# Every SQL statement lives in a store (a file named *store.cpp) or the storage module. The list of
# files that still ran their own until they got a store is empty; keep it so.
legacy_sql=''
sql_files=$(grep -rlE 'QSqlQuery\b' core ui app | grep -vE '^core/storage/|store\.(cpp|h)$' || true)
for file in $sql_files; do
    if ! echo "$legacy_sql" | grep -qx "$file"; then
        echo "$file: runs SQL outside a store" >&2
        status=1
    fi
done

if [ "$status" -eq 0 ]; then
    echo "check-layering: core/ is free of Widgets, Gui and ui/; http is generic; its modules form a DAG; SQL stays in stores"
fi
exit "$status"
