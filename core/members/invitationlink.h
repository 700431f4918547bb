#pragma once

#include "error.h"

#include <QByteArray>
#include <QString>

namespace countersign::members {

/// What an invitee needs to join, in one line they can paste or scan:
/// `countersign://HOST:PORT/join?fingerprint=<SHA-256 of the listener's certificate, hex>#<token>`.
/// The token sits in the fragment so that nothing on the way logs it.
struct InvitationLink final {
    QString host;
    quint16 port = 0;
    QByteArray certificateSha256; // 32 bytes
    QString token;                // "csi_" and 43 base64url characters (256 bits)

    [[nodiscard]] QString toString() const;
    /// Strict: the scheme, path and parameters above and nothing else; a token of the right
    /// form; a fingerprint of exactly 64 hex digits.
    [[nodiscard]] static Result<InvitationLink> parse(const QString& text);
    [[nodiscard]] static bool isTokenForm(QStringView token);

    inline static const QString TOKEN_PREFIX = QStringLiteral("csi_");
};

} // namespace countersign::members
