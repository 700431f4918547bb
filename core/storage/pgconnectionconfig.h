#pragma once

#include "error.h"

#include <QString>

namespace countersign::storage {

/// How a team node reaches its PostgreSQL server. The password is never part of it: it names
/// the file (or systemd credential) that holds the password.
struct PgConnectionConfig final {
    /// libpq's sslmode values (PostgreSQL "SSL Support", table "SSL Mode Descriptions").
    enum class SslMode { Disable, Allow, Prefer, Require, VerifyCa, VerifyFull };

    /// A host name or IP address, or the absolute path of the directory holding the server's
    /// Unix socket.
    QString host;
    quint16 port = 5432;
    QString database;
    QString user;
    /// A file holding the password (its first line), or...
    QString passwordFile;
    /// ...the name of a systemd credential holding it ($CREDENTIALS_DIRECTORY/<name>).
    QString passwordCredential;
    SslMode sslMode = SslMode::VerifyFull;
    /// The CA certificate(s) the server's certificate must chain to (PEM).
    QString sslRootCert;
    /// A client certificate and its key (PEM), for servers that ask for one.
    QString sslCert;
    QString sslKey;
    int connectTimeoutSeconds = 10;

    /// Reads `postgresql://user@host:port/database?sslmode=...&sslrootcert=...` (the URI form of
    /// PostgreSQL's "Connection URIs", a subset): query parameters sslmode, sslrootcert, sslcert,
    /// sslkey, connect_timeout, host (a socket directory), password_file and password_credential.
    /// Refuses a password inside the URL, and any parameter it does not know, rather than
    /// ignoring a misspelt "sslmode". The result is validated.
    [[nodiscard]] static Result<PgConnectionConfig> fromUrl(const QString& url);

    /// True when host is a Unix socket directory: the connection never leaves this machine.
    [[nodiscard]] bool isUnixSocket() const;
    /// Checks the settings without connecting: TLS that authenticates the server (verify-full,
    /// or verify-ca) over TCP, a readable CA file, a password source, a complete client identity.
    [[nodiscard]] Result<void> validate() const;

    [[nodiscard]] static QString sslModeName(SslMode mode);
    [[nodiscard]] static Result<SslMode> sslModeFromName(const QString& name);
};

} // namespace countersign::storage
