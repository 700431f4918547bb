#!/usr/bin/env bash
# Fails if anything under core/ reaches for Widgets, Gui or the ui/ layer (STYLE.md: core is
# Qt Core, Sql and Network only).
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root"
pattern='#\s*include\s*[<"](Qt(Widgets|Gui)/|Q(Widget|Application|MainWindow|Dialog|Label|PushButton|LineEdit|GuiApplication|Pixmap|Image|Icon)\b|ui/|\.\./ui/)'
if grep -rnE "$pattern" core/; then
    echo "check-layering: core/ must not include Widgets, Gui or ui/ headers (see above)" >&2
    exit 1
fi
if grep -nE 'Qt6::(Widgets|Gui)|countersign_ui' core/CMakeLists.txt; then
    echo "check-layering: core/CMakeLists.txt must not link Widgets, Gui or the ui library" >&2
    exit 1
fi
echo "check-layering: core/ is free of Widgets, Gui and ui/"
