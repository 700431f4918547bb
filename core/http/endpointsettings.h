#pragma once

#include <QString>
#include <QStringList>

namespace countersign::http {

/// The endpoint's limits (SPEC section 4). Defaults are the product's; tests shorten the times.
struct EndpointSettings final {
    quint16 port = 7447;          // 0: ephemeral (tests)
    QString localSocketPath;      // empty: no Unix socket
    int headerTimeoutMs = 10'000; // headers not complete by then: 408 and close
    int idleTimeoutMs = 60'000;   // idle keep-alive connections are closed
    int maxConnections = 256;
    int maxWaitSeconds = 60;     // long-poll ceiling
    double ratePerSecond = 20.0; // per token
    double rateBurst = 40.0;
    int authFailuresBeforeLockout = 10;
    int authFailureWindowMs = 60'000;
    int lockoutMs = 5 * 60'000;
    QStringList allowedOrigins; // none: every Origin header is refused

    /// `$XDG_RUNTIME_DIR/countersign/countersign.sock`
    [[nodiscard]] static QString defaultLocalSocketPath();
};

} // namespace countersign::http
