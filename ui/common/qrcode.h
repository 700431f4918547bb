#pragma once

#include <QImage>
#include <QString>

namespace countersign::ui {

/// \a text as a QR code (libqrencode, error correction M), \a moduleSize pixels per module with
/// the standard four-module quiet zone; a null image if it cannot be encoded.
[[nodiscard]] QImage qrCodeImage(const QString& text, int moduleSize = 4);

} // namespace countersign::ui
