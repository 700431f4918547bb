#pragma once

#include "error.h"

#include <QString>
#include <QStringView>

namespace countersign::policy {

/// Capability names and the globs that match them (docs/concepts.md, "Capabilities").
///
/// A capability is dotted lower-case words: `deploy.production`, `payments.send`
/// (segments of [a-z0-9_-], starting with a letter; at most 128 characters).
/// A glob is the same alphabet plus `*` (any run of characters, dots included) and `?`
/// (one character): `deploy.*`, `*`, `shell.exec`.
class CapabilityGlob final {
public:
    static constexpr qsizetype MAX_LENGTH = 128;

    [[nodiscard]] static Result<void> validateCapability(QStringView capability);
    [[nodiscard]] static Result<void> validateGlob(QStringView glob);
    [[nodiscard]] static bool matches(QStringView glob, QStringView capability);
};

} // namespace countersign::policy
