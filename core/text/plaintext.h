#pragma once

#include <QStringView>

namespace countersign::text {

/// The bidirectional formatting characters (embeddings, overrides, isolates and marks) that make
/// text display as something other than what it holds.
[[nodiscard]] bool isDirectionControl(char32_t code);

/// Text a person reads as what it is: valid UTF-16 (no lone surrogates), no control characters
/// (but newline and tab when \a allowNewlines), no bidirectional formatting characters. Used for
/// everything a runtime or an invitee writes that an approver will read.
[[nodiscard]] bool isPlainText(QStringView text, bool allowNewlines);

} // namespace countersign::text
