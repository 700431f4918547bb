#pragma once

#include <QStringView>

namespace countersign::text {

/// The bidirectional formatting characters (embeddings, overrides, isolates and marks) that make
/// text display as something other than what it holds.
[[nodiscard]] bool isDirectionControl(char32_t code);

/// Characters that show nothing, or break a line without being a newline: format characters
/// (zero-width space and joiners, the byte order mark, soft hyphen, bidirectional controls),
/// the line and paragraph separators U+2028 and U+2029, and the Hangul fillers.
[[nodiscard]] bool isInvisible(char32_t code);

/// Text a person reads as what it is: valid UTF-16 (no lone surrogates), no control characters
/// (but newline and tab when \a allowNewlines), nothing invisible (isInvisible). Used for
/// everything a runtime, an invitee or a member writes that an approver will read.
[[nodiscard]] bool isPlainText(QStringView text, bool allowNewlines);

} // namespace countersign::text
