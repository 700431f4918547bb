#pragma once

#include "crypto/securebuffer.h"
#include "error.h"

#include <QSqlDatabase>
#include <QString>

namespace countersign::storage {

struct PgConnectionConfig;

/// Opens connections to the team's PostgreSQL server through Qt's QPSQL driver (libpq).
class PgConnection final {
public:
    /// Validates \a config, reads the password from its file or credential, and opens a QPSQL
    /// connection named \a connectionName. A refused configuration (no TLS, no CA) fails before
    /// anything is sent on the network. A failed connection is removed again; a failure says
    /// what to fix (wrong CA, a host name the certificate does not list, server down, password).
    /// Like every QSqlDatabase, the connection belongs to the calling thread.
    [[nodiscard]] static Result<QSqlDatabase> open(const PgConnectionConfig& config, const QString& connectionName);

    /// Closes \a db (opened by open()) and opens it again as it was opened, reading the password
    /// anew: a lost session replaced. Fails as open() does, saying what to fix.
    [[nodiscard]] static Result<void> reopen(QSqlDatabase& db);

    /// The password \a config names: the first line of its password file, or its systemd
    /// credential; empty for a Unix socket without one (peer authentication).
    [[nodiscard]] static Result<crypto::SecureBuffer> readPassword(const PgConnectionConfig& config);

    /// Turns libpq's message for a failed connection into an Error that says what happened in
    /// terms of \a config. libpq's messages are not a stable interface: only the ones it has
    /// printed unchanged for many releases are recognised; anything else is passed on as it is.
    [[nodiscard]] static Error describeFailure(const QString& libpqMessage, const PgConnectionConfig& config);
};

} // namespace countersign::storage
