#include "pgconnection.h"

#include "crypto/secretfile.h"
#include "pgconnectionconfig.h"
#include "sessionwatch.h"

#include <QHash>
#include <QLoggingCategory>
#include <QMutex>
#include <QRegularExpression>
#include <QSqlError>
#include <QStringList>

#include <utility>

namespace countersign::storage {

namespace {

// What each open connection was opened with, so that a lost session is replaced alike.
QMutex s_configsMutex;
QHash<QString, PgConnectionConfig> s_configs;

} // namespace

namespace {

Q_LOGGING_CATEGORY(lcPostgres, "countersign.postgres")

const QString DRIVER = QStringLiteral("QPSQL");

/// libpq's conninfo quoting ("Parameter Key Words"): single quotes, with \ and ' escaped.
QString quoted(const QString& value)
{
    QString escaped = value;
    escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + escaped + u'\'';
}

QString connectOptions(const PgConnectionConfig& config)
{
    // libpq prints the server's notices on standard error, where the CLI speaks to people (a
    // migration's "already exists, skipping"): only warnings and worse are worth their attention.
    QStringList options{QStringLiteral("connect_timeout=%1").arg(config.connectTimeoutSeconds),
                        QStringLiteral("application_name='countersign'"),
                        QStringLiteral("options='-c client_min_messages=warning'")};
    if (!config.isUnixSocket()) {
        options << QStringLiteral("sslmode=") + quoted(PgConnectionConfig::sslModeName(config.sslMode))
                << QStringLiteral("sslrootcert=") + quoted(config.sslRootCert)
                // RFC 5929 tls-server-end-point binding through SCRAM-SHA-256-PLUS: the server proves
                // it knows the password's verifier over this very TLS session, and a server that
                // skips authentication altogether (trust) is refused.
                << QStringLiteral("channel_binding='require'");
        if (!config.sslCert.isEmpty())
            options << QStringLiteral("sslcert=") + quoted(config.sslCert)
                    << QStringLiteral("sslkey=") + quoted(config.sslKey);
    }
    // QPSQL turns each ';' into the space libpq separates parameters with.
    return options.join(u';');
}

QString endpoint(const PgConnectionConfig& config)
{
    if (config.isUnixSocket())
        return QStringLiteral("the Unix socket in %1 (port %2)").arg(config.host).arg(config.port);
    return QStringLiteral("%1:%2").arg(config.host).arg(config.port);
}

} // namespace

Result<crypto::SecureBuffer> PgConnection::readPassword(const PgConnectionConfig& config)
{
    if (!config.passwordFile.isEmpty())
        return crypto::SecretFile::readLine(config.passwordFile);
    if (!config.passwordCredential.isEmpty()) {
        auto path = crypto::SecretFile::credentialPath(config.passwordCredential);
        COUNTERSIGN_TRY(path);
        return crypto::SecretFile::readLine(*path);
    }
    return crypto::SecureBuffer();
}

Error PgConnection::describeFailure(const QString& libpqMessage, const PgConnectionConfig& config)
{
    const QString where = endpoint(config);
    const auto has = [&libpqMessage](const char* text) {
        return libpqMessage.contains(QLatin1StringView(text), Qt::CaseInsensitive);
    };
    // libpq (fe-secure-openssl.c, fe-secure-common.c): 'server certificate for "%s" does not
    // match host name "%s"', also with '(and %d other name(s))'.
    static const QRegularExpression hostMismatch(QStringLiteral(
        "server certificate for \"([^\"]*)\"(?: \\(and (\\d+) other names?\\))? does not match host name"));
    if (const auto match = hostMismatch.match(libpqMessage); match.hasMatch()) {
        return Error{ErrorCode::Unauthenticated,
                     QStringLiteral("the server's certificate does not name the host %1: it is issued for \"%2\"%3. "
                                    "sslmode=verify-full checks the name; connect with a name the certificate lists, "
                                    "or have the certificate reissued for %1")
                         .arg(config.host, match.captured(1),
                              match.captured(2).isEmpty() ? QString() : QStringLiteral(" among others"))};
    }
    if (has("certificate verify failed"))
        return Error{ErrorCode::Unauthenticated,
                     QStringLiteral("the server's certificate at %1 is not signed by %2 (or has expired): either %2 is "
                                    "not the CA that issued it, or something else answers at that address")
                         .arg(where, config.sslRootCert)};
    if (has("server does not support SSL"))
        return Error{
            ErrorCode::Unauthenticated,
            QStringLiteral("the server at %1 does not offer TLS; turn on ssl in its postgresql.conf").arg(where)};
    if (has("channel binding"))
        return Error{
            ErrorCode::Unauthenticated,
            QStringLiteral("the server at %1 did not authenticate with SCRAM-SHA-256 bound to the TLS session; "
                           "set password_encryption and the pg_hba.conf method to scram-sha-256")
                .arg(where)};
    if (has("password authentication failed"))
        return Error{ErrorCode::Unauthenticated,
                     QStringLiteral("the server at %1 refused the password of user %2").arg(where, config.user)};
    if (has("no pg_hba.conf entry"))
        return Error{ErrorCode::PermissionDenied,
                     QStringLiteral("the server at %1 has no pg_hba.conf entry that lets user %2 reach database %3 "
                                    "from here (over TLS: a hostssl line)")
                         .arg(where, config.user, config.database)};
    static const QRegularExpression noDatabase(QStringLiteral("database \"([^\"]*)\" does not exist"));
    if (noDatabase.match(libpqMessage).hasMatch())
        return Error{ErrorCode::NotFound,
                     QStringLiteral("the server at %1 has no database %2").arg(where, config.database)};
    static const QRegularExpression noRole(QStringLiteral("role \"([^\"]*)\" does not exist"));
    if (noRole.match(libpqMessage).hasMatch())
        return Error{ErrorCode::Unauthenticated,
                     QStringLiteral("the server at %1 has no user %2").arg(where, config.user)};
    if (has("Connection refused"))
        return Error{ErrorCode::Unavailable,
                     QStringLiteral("no PostgreSQL server answers at %1 (connection refused): is it running, and "
                                    "listening on that address?")
                         .arg(where)};
    if (has("No such file or directory") && config.isUnixSocket())
        return Error{ErrorCode::Unavailable,
                     QStringLiteral("no PostgreSQL server listens on %1: is it running?").arg(where)};
    if (has("could not translate host name"))
        return Error{ErrorCode::Unavailable, QStringLiteral("the host name %1 does not resolve").arg(config.host)};
    if (has("timeout expired"))
        return Error{
            ErrorCode::Unavailable,
            QStringLiteral("the server at %1 did not answer within %2 s").arg(where).arg(config.connectTimeoutSeconds)};
    if (has("the database system is starting up") || has("the database system is shutting down") ||
        has("the database system is in recovery mode") || has("too many clients"))
        return Error{
            ErrorCode::Unavailable,
            QStringLiteral("the server at %1 cannot take a connection now: %2").arg(where, libpqMessage.simplified())};
    return Error{ErrorCode::Storage,
                 QStringLiteral("cannot connect to PostgreSQL at %1: %2").arg(where, libpqMessage.simplified())};
}

Result<void> PgConnection::reopen(QSqlDatabase& db)
{
    std::optional<PgConnectionConfig> config;
    {
        const QMutexLocker locker(&s_configsMutex);
        if (auto found = s_configs.constFind(db.connectionName()); found != s_configs.cend())
            config = *found;
    }
    if (!config)
        return fail(ErrorCode::Storage,
                    QStringLiteral("%1 was not opened as a team database connection").arg(db.connectionName()));
    auto password = readPassword(*config);
    COUNTERSIGN_TRY(password);
    db.close();
    // The old session's statements go while there is no session for their DEALLOCATE to fail in.
    SessionWatch::sessionClosed(db.connectionName());
    if (!password->isEmpty())
        db.setPassword(QString::fromUtf8(password->view()));
    const bool opened = db.open();
    db.setPassword(QString());
    if (!opened) {
        QString failure = db.lastError().databaseText();
        if (failure.isEmpty())
            failure = db.lastError().text();
        return std::unexpected(describeFailure(failure, *config));
    }
    return {};
}

Result<QSqlDatabase> PgConnection::open(const PgConnectionConfig& config, const QString& connectionName)
{
    COUNTERSIGN_TRY(config.validate());
    if (!QSqlDatabase::isDriverAvailable(DRIVER))
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed: install libqt6sql6-psql"));
    if (QSqlDatabase::contains(connectionName))
        return fail(ErrorCode::AlreadyExists,
                    QStringLiteral("a database connection named %1 is open already").arg(connectionName));
    auto password = readPassword(config);
    COUNTERSIGN_TRY(password);

    QString failure;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(DRIVER, connectionName);
        db.setHostName(config.host);
        db.setPort(config.port);
        db.setDatabaseName(config.database);
        db.setUserName(config.user);
        db.setConnectOptions(connectOptions(config));
        if (!password->isEmpty())
            db.setPassword(QString::fromUtf8(password->view()));
        if (db.open()) {
            // Not kept: a reconnect opens anew and reads the file again, picking up a rotated password.
            db.setPassword(QString());
            const QMutexLocker locker(&s_configsMutex);
            s_configs.insert(connectionName, config);
            return db;
        }
        failure = db.lastError().databaseText();
        if (failure.isEmpty())
            failure = db.lastError().text();
    }
    QSqlDatabase::removeDatabase(connectionName);
    Error error = describeFailure(failure, config);
    qCInfo(lcPostgres) << "connection to PostgreSQL failed:" << error.message;
    return std::unexpected(std::move(error));
}

} // namespace countersign::storage
