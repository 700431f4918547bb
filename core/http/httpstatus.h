#pragma once

#include <QByteArray>

namespace countersign::http {

/// The reason phrase of a status line (RFC 9110 section 15).
[[nodiscard]] QByteArray reasonPhrase(int status);

} // namespace countersign::http
