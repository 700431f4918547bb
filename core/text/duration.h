#pragma once

#include <QString>

namespace countersign::text {

/// A whole number of seconds as a person reads it in a description, in its largest exact units:
/// "90 s", "15 min", "1 h", "2 h 30 min", "1 d". Core writes it into the texts it keeps (a
/// rule's description in the audit chain), so it does not depend on the desktop's language.
[[nodiscard]] QString compactDuration(qint64 seconds);

} // namespace countersign::text
