#pragma once

#include "crypto/securebuffer.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace countersign::http {

/// The endpoint's limits (docs/runtime-guide.md, "Limits the endpoint enforces"). Defaults are the product's; tests
/// shorten the times.
struct EndpointSettings final {
    quint16 port = 7447;           // 0: ephemeral (tests)
    QString localSocketPath;       // empty: no Unix socket
    int headerTimeoutMs = 10'000;  // headers not complete by then: 408 and close
    int requestTimeoutMs = 30'000; // the whole request, body included, from its first byte
    int idleTimeoutMs = 60'000;    // idle keep-alive connections (and answers left unread) are closed
    /// Per local listener: loopback TCP (127.0.0.1 and ::1 together) and the Unix socket each
    /// have this many slots of their own, apart from the team listener's, so remote clients can
    /// never take the ones local runtimes need.
    int maxConnections = 256;
    int maxWaitSeconds = 60;     // long-poll ceiling
    double ratePerSecond = 20.0; // per token
    double rateBurst = 40.0;
    /// Failed authentications before a client (per listener and address) is refused with 429;
    /// a valid credential is still served during the lockout.
    int authFailuresBeforeLockout = 10;
    int authFailureWindowMs = 60'000;
    int lockoutMs = 5 * 60'000;
    QStringList allowedOrigins; // none: every Origin header is refused
    /// The team listener: TLS only, for remote members (off when absent).
    struct Team {
        QString address;    // what to bind, e.g. 0.0.0.0 or 192.168.1.20
        quint16 port = 0;   // 0: ephemeral (tests)
        QString publicHost; // the name members dial, as in invitation links; their Host header
        QByteArray certificatePem;
        /// In guarded memory (locked, wiped when the last copy of these settings goes); Qt holds
        /// its own decoded copy inside QSslKey/OpenSSL while the listener runs.
        std::shared_ptr<const crypto::SecureBuffer> privateKeyPem;
        int handshakeTimeoutMs = 10'000;
        int maxConnections = 128;
        /// Connections from one address that have not yet authenticated (TLS handshake under
        /// way, or no request with a valid credential yet); a further one evicts the oldest.
        int unprovenPerAddress = 8;
        /// Whether runtimes are served here too, with their bearer tokens: on a team node, whose
        /// runtimes run on other machines (docs/team-server.md); never on a desktop's listener.
        bool servesRuntimes = false;
    };
    std::optional<Team> team;

    /// `$XDG_RUNTIME_DIR/countersign/countersign.sock`
    [[nodiscard]] static QString defaultLocalSocketPath();
};

} // namespace countersign::http
