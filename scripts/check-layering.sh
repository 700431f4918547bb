#!/usr/bin/env bash
# Fails if anything under core/ reaches for Widgets, Gui or the ui/ layer (docs/architecture.md:
# core is Qt Core, Sql and Network only), if the modules of core/ include each other in a cycle or
# include a module they do not link in core/CMakeLists.txt, or if SQL is run outside a store class.
# Prints the module graph derived from the includes (docs/architecture.md, "The module graph").
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
if grep -rnE '#\s*include\s*"(approvals|members|vault|audit|evidence|policy|api)/' core/http/; then
    echo "check-layering: core/http must not include Countersign's modules (see above); the api layer does" >&2
    status=1
fi

# The modules of core/ and what each links: one countersign_core_module() call each in
# core/CMakeLists.txt, whose ROOT names what of core/ the module's include root shows (its folder by
# default), DEPENDS the modules it links and SOURCES its files. Emitted as
#   module <name> <root entry>...  /  link <name> <dependency>  /  source <name> <file>
declarations=$(awk '
    /^countersign_core_module\(/ {
        line = $0; sub(/^countersign_core_module\(/, "", line); sub(/\)[ \t]*$/, "", line)
        n = split(line, word, /[ \t]+/); name = word[1]; mode = ""; roots = ""
        for (i = 2; i <= n; i++) {
            if (word[i] == "ROOT") mode = "root"; else if (mode == "root") roots = roots " " word[i]
        }
        print "module", name, (roots == "" ? name : substr(roots, 2)); inside = 1; mode = ""; next
    }
    inside && /^\)/ { inside = 0; next }
    inside {
        n = split($0, word, /[ \t]+/)
        for (i = 1; i <= n; i++) {
            if (word[i] == "") continue
            if (word[i] == "DEPENDS" || word[i] == "SOURCES" || word[i] == "ROOT") { mode = word[i]; continue }
            if (mode == "DEPENDS") print "link", name, word[i]
            if (mode == "SOURCES") print "source", name, word[i]
        }
    }' core/CMakeLists.txt)

# Every quoted include in core/, as "<file> <included path>".
includes=$(grep -rHoE '^\s*#\s*include\s*"[^"]+"' core --include='*.h' --include='*.cpp' |
    sed -E 's/^([^:]+):.*"([^"]+)"$/\1 \2/')
sources=$(find core -name '*.cpp' | sort)

# One awk program checks it all and prints the graph; its lines starting with "error:" fail the test.
report=$(
    {
        echo "$declarations"
        echo "$includes" | sed 's/^/include /'
        echo "$sources" | sed 's/^/file /'
        find core -name '*.h' -o -name '*.cpp' | sed 's/^/header /'
    } | awk '
    # The module a path under core/ belongs to: the one whose include root shows its first part
    # (error.cpp belongs with error.h).
    function owner(path,    first) {
        first = path; sub(/\/.*/, "", first); sub(/\.cpp$/, ".h", first)
        return (first in rootOf) ? rootOf[first] : ""
    }
    # closure[a, b] when b is reachable from a over graph[] (Floyd-Warshall; a dozen modules).
    function closeOver(graph, closure,    i, j, k) {
        for (i = 1; i <= count; i++) for (j = 1; j <= count; j++)
            if ((order[i], order[j]) in graph) closure[order[i], order[j]] = 1
        for (k = 1; k <= count; k++) for (i = 1; i <= count; i++) for (j = 1; j <= count; j++)
            if ((order[i], order[k]) in closure && (order[k], order[j]) in closure) closure[order[i], order[j]] = 1
    }
    $1 == "module" { order[++count] = $2; for (i = 3; i <= NF; i++) rootOf[$i] = $2; next }
    $1 == "link" { linked[$2, $3] = 1; links[++linkCount] = $2 " " $3; next }
    $1 == "source" { listed[$3]++; sources[++sourceCount] = $2 " " $3; next }
    $1 == "file" { sub(/^core\//, "", $2); files[++fileCount] = $2; next }
    $1 == "header" { sub(/^core\//, "", $2); present[$2] = 1; next }
    $1 == "include" {
        file = $2; path = $3; sub(/^core\//, "", file)
        if (path ~ /^\.\.\//) { print "error: core/" file " includes \"" path "\": include by module, not by relative path"; next }
        includes[++includeCount] = file " " path
        next
    }
    END {
        for (i = 1; i <= count; i++) modules[order[i]] = 1
        for (i = 1; i <= linkCount; i++) {
            split(links[i], pair, " ")
            if (!(pair[2] in modules)) print "error: core/CMakeLists.txt: module " pair[1] " links " pair[2] ", which is no module"
        }
        for (i = 1; i <= sourceCount; i++) {
            split(sources[i], pair, " "); home = owner(pair[2])
            if (home != pair[1])
                print "error: core/CMakeLists.txt: " pair[2] " is listed in module " pair[1] " but its folder belongs to " (home == "" ? "no module" : home)
        }
        for (i = 1; i <= fileCount; i++)
            if (!(files[i] in listed)) print "error: core/" files[i] " is in no module of core/CMakeLists.txt"
        for (i = 1; i <= includeCount; i++) {
            split(includes[i], pair, " "); from = owner(pair[1]); to = owner(pair[2])
            # A path without a folder that no include root shows is a header beside the includer.
            if (to == "" && pair[2] !~ /\//) {
                beside = pair[1]; sub(/[^\/]*$/, "", beside)
                if (!((beside pair[2]) in present)) print "error: core/" pair[1] " includes \"" pair[2] "\", which is not beside it"
            }
            if (from == "" || to == "" || to == from) continue
            if (!((from, to) in edge)) { edge[from, to] = 1; example[from, to] = "core/" pair[1] " includes \"" pair[2] "\"" }
        }
        closeOver(linked, linkReach)
        closeOver(edge, includeReach)
        for (i = 1; i <= count; i++) for (j = 1; j <= count; j++) {
            a = order[i]; b = order[j]
            if ((a, b) in edge && !((a, b) in linkReach))
                print "error: " example[a, b] ", but module " a " does not link " b " (core/CMakeLists.txt)"
            if ((a, b) in edge) print "includes: " a " " b
            if ((a, b) in linked) print "links: " a " " b
        }
        # The include graph in the order core/CMakeLists.txt declares its modules, without the
        # edges another path already implies.
        for (i = 1; i <= count; i++) {
            a = order[i]; line = ""
            for (j = 1; j <= count; j++) {
                b = order[j]; implied = 0
                if (!((a, b) in edge)) continue
                for (k = 1; k <= count; k++)
                    if (order[k] != b && (a, order[k]) in edge && (order[k], b) in includeReach) implied = 1
                if (!implied) line = line " " b
            }
            printf "graph: %-11s -> %s\n", a, (line == "" ? "(nothing)" : substr(line, 2))
        }
    }'
)

if echo "$report" | grep '^error: ' | sed 's/^error: //' >&2; then
    echo "check-layering: the modules of core/ and core/CMakeLists.txt disagree (see above)" >&2
    status=1
fi
# tsort(1) reports any loop, among the includes and among the links (CMake accepts cyclic static
# libraries, so it would not).
for kind in includes links; do
    if ! echo "$report" | sed -n "s/^$kind: //p" | tsort >/dev/null 2>/tmp/check-layering-tsort.$$; then
        cat /tmp/check-layering-tsort.$$ >&2
        echo "check-layering: the $kind of the modules of core/ form a cycle (see above)" >&2
        status=1
    fi
done
rm -f /tmp/check-layering-tsort.$$
echo "The modules of core/, each with the modules it includes (edges other paths imply left out):"
echo "$report" | sed -n 's/^graph: /  /p'

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
    echo "check-layering: core/ is free of Widgets, Gui and ui/; http is generic; its modules form a DAG and include only what they link; SQL stays in stores"
fi
exit "$status"
