#pragma once

#include "storage/pgconnectionconfig.h"

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <memory>

namespace countersign::crypto {
class SigningKey;
}

namespace countersign::test {

/// The URL a team node is given for \a config (docs/team-server.md, "Running a node"): host,
/// port, database and user, with the CA and the password file as parameters. It never holds the
/// password itself.
[[nodiscard]] QString teamDatabaseUrl(const storage::PgConnectionConfig& config);

/// One `countersign --headless --database URL` process of a team, on loopback: runtimes reach it
/// over plain HTTP on port(), runtimes elsewhere and members over TLS on tlsPort(), both on ports
/// the node picks and prints.
class TeamNodeProcess final {
public:
    TeamNodeProcess() = default;
    ~TeamNodeProcess();
    TeamNodeProcess(const TeamNodeProcess&) = delete;
    TeamNodeProcess& operator=(const TeamNodeProcess&) = delete;

    /// How a node is started beyond its database and directory.
    struct Options {
        /// The node's environment (where the team key comes from is part of it).
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        /// Arguments naming the team key, e.g. --team-key-credential NAME.
        QStringList keyArguments;
        /// The TLS listener's port; 0 lets the node pick one.
        quint16 tlsPort = 0;
    };

    /// Starts \a app (the countersign binary) on \a url with its state in \a nodeDir and the team
    /// passphrase from \a passphraseFile, and waits up to a minute until it serves on both
    /// listeners. False (with what the node said as a warning) when it does not.
    [[nodiscard]] bool start(const QString& app, const QString& url, const QString& nodeDir,
                             const QString& passphraseFile);
    /// As above, started as \a options say.
    [[nodiscard]] bool start(const QString& app, const QString& url, const QString& nodeDir, Options options);
    /// What the node printed while it started (its listeners and the certificate's fingerprint).
    [[nodiscard]] QByteArray startOutput() const { return m_startOutput; }
    /// SIGTERM, then SIGKILL after a grace period.
    void stop();
    /// SIGKILL at once, and waits for the process to be gone.
    void kill();
    [[nodiscard]] bool isRunning() const;
    /// The last of what the node wrote to standard error.
    [[nodiscard]] QByteArray errorOutput();

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] quint16 tlsPort() const { return m_tlsPort; }

private:
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    quint16 m_tlsPort = 0;
    QByteArray m_startOutput;
};

/// One HTTP/1.1 request to 127.0.0.1:\a port, whole (Connection: close), for a socket whose
/// answer is read later. An empty \a token sends no Authorization header; \a extraHeaders are
/// complete lines ("Name: value\r\n").
[[nodiscard]] QByteArray rawHttpRequest(const QByteArray& method, const QByteArray& target, quint16 port,
                                        const QByteArray& token, const QByteArray& body = {},
                                        const QByteArray& extraHeaders = {});
/// The status of a raw HTTP answer, 0 when there is none (the connection was cut).
[[nodiscard]] int httpStatus(const QByteArray& response);

/// Writes \a request, whole, over TLS to 127.0.0.1:\a port, pinning \a pin as
/// exchangeOverTls() does, and returns the raw answer (empty as there).
[[nodiscard]] QByteArray sendOverTls(quint16 port, const QByteArray& pin, const QByteArray& request);
/// One request over TLS to 127.0.0.1:\a port, as a client elsewhere makes it: no CA vouches for a
/// team's certificate, so the client compares its SHA-256 with \a pin and sends nothing when it
/// differs. Returns the raw answer; empty when there is no connection, the handshake fails or
/// the certificate is not the pinned one.
[[nodiscard]] QByteArray exchangeOverTls(quint16 port, const QByteArray& pin, const QByteArray& method,
                                         const QByteArray& path, const QByteArray& token, const QByteArray& body = {});

/// A member of a team as their own client acts: opening sessions with their key and signing
/// decisions (docs/team-server.md; the statement is approvals::DecisionStatement's).
struct TeamMemberClient {
    QString id;
    std::shared_ptr<const crypto::SigningKey> key;

    /// Opens a session on the node whose TLS listener is \a tlsPort; its bearer token, or empty.
    [[nodiscard]] QByteArray openSession(quint16 tlsPort, const QByteArray& pin) const;
    /// The body of this member's decision on request \a id (payload digest \a digest), signed
    /// for the team whose instance key is \a instancePublicKey.
    [[nodiscard]] QByteArray decisionBody(const QString& id, const QString& digest, bool approve,
                                          const QByteArray& instancePublicKey) const;
};

} // namespace countersign::test
