#pragma once

#include "storage/pgconnectionconfig.h"

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <sys/types.h>

namespace countersign::test {

/// A throwaway PostgreSQL 15 cluster for one test: initdb in a temporary directory, a CA made for
/// the run with a server certificate (and a client certificate), ssl=on with hostssl lines only and
/// scram-sha-256 passwords, on a free loopback port, with a database and a role that owns it.
/// When the test runs as root, the server runs as the unprivileged user "nobody" (PostgreSQL
/// refuses to run as root). The postmaster is a child of the test and gets SIGQUIT (immediate
/// shutdown) if the test dies, so a crashed test leaves no server behind; the destructor stops it.
class PgCluster final {
public:
    struct Options {
        /// What the server certificate's subjectAltName lists.
        QStringList serverNames{QStringLiteral("localhost"), QStringLiteral("127.0.0.1")};
        /// fsync off keeps a busy test machine fast; a crash of the server process alone loses
        /// nothing committed either way (the kernel holds the WAL). Benchmarks turn it on.
        bool fsync = false;
    };

    PgCluster();
    explicit PgCluster(Options options);
    ~PgCluster();
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    /// The first call creates the cluster (initdb, TLS, role, database) and starts it; a later
    /// call after stop() starts the same cluster on the same port. False, with the server log as
    /// a warning, on failure.
    [[nodiscard]] bool start();
    /// Fast shutdown (SIGINT): open sessions end, committed work stays. False if it would not stop.
    bool stop();
    [[nodiscard]] bool isRunning() const;

    [[nodiscard]] quint16 port() const { return m_port; }
    /// The directory of the server's Unix socket.
    [[nodiscard]] QString socketDirectory() const { return m_dir.path(); }
    [[nodiscard]] QString caCertificate() const { return m_caCertificate; }
    [[nodiscard]] QString clientCertificate() const { return m_clientCertificate; }
    [[nodiscard]] QString clientKey() const { return m_clientKey; }
    [[nodiscard]] QString database() const { return QStringLiteral("countersign"); }
    [[nodiscard]] QString user() const { return QStringLiteral("countersign"); }
    /// A file (mode 0600, owned by the test) holding the role's password.
    [[nodiscard]] QString passwordFile() const { return m_passwordFile; }
    /// The server's log so far (log_connections is on).
    [[nodiscard]] QString log() const;
    /// How long the first start() took, initdb to accepting connections, in milliseconds.
    [[nodiscard]] qint64 setupMilliseconds() const { return m_setupMs; }

    /// verify-full to \a host on this cluster's port, with its CA and the role's password file,
    /// to \a database (empty: the role's own database()).
    [[nodiscard]] storage::PgConnectionConfig connectionConfig(const QString& host = QStringLiteral("localhost"),
                                                               const QString& database = {}) const;
    /// Creates database \a name owned by the role: one per test function. False (and a warning) on error.
    bool createDatabase(const QString& name) const;
    /// Runs \a sql as the cluster's superuser over the Unix socket, in \a database; false (and a
    /// warning) on error.
    bool execute(const QString& sql, const QString& database = QStringLiteral("postgres")) const;

private:
    bool create();
    bool startServer();
    void prepareProcess(QProcess& process) const;
    bool runTool(const QString& tool, const QStringList& arguments) const;
    bool handToServerUser(const QString& path) const;
    [[nodiscard]] QString binary(const QString& tool) const;

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_server;
    bool m_created = false;
    uid_t m_serverUid = 0;
    gid_t m_serverGid = 0;
    bool m_dropPrivileges = false;
    quint16 m_port = 0;
    QString m_superuserPassword;
    QString m_caCertificate;
    QString m_clientCertificate;
    QString m_clientKey;
    QString m_passwordFile;
    qint64 m_setupMs = 0;
};

} // namespace countersign::test
