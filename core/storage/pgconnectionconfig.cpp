#include "pgconnectionconfig.h"

#include <QFileInfo>
#include <QHash>
#include <QUrl>

namespace countersign::storage {

namespace {

const QString HOW_TO_CONNECT =
    QStringLiteral("use sslmode=verify-full with sslrootcert=<the CA file that issued the server's certificate>");

const QString PASSWORD_IN_URL =
    QStringLiteral("the database URL carries a password: remove it, put the password in a file readable only by the "
                   "service (chmod 600) and name it with password_file=<path>, or use a systemd credential with "
                   "password_credential=<name>");

QString decoded(QStringView text)
{
    return QUrl::fromPercentEncoding(text.toUtf8());
}

Result<quint16> parsePort(const QString& text)
{
    bool ok = false;
    const uint port = text.toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'%1' is not a port number").arg(text));
    return static_cast<quint16>(port);
}

/// QPSQL joins connect options with ';' (it turns every ';' into a space), and libpq ends a
/// value at a NUL: a path with either would silently name another file.
Result<void> checkPath(const QString& parameter, const QString& path)
{
    if (path.isEmpty())
        return {};
    for (const QChar c : path)
        if (c == u';' || c.unicode() < 0x20)
            return fail(
                ErrorCode::InvalidArgument,
                QStringLiteral("%1 %2 contains a ';' or a control character; move the file").arg(parameter, path));
    return {};
}

} // namespace

QString PgConnectionConfig::sslModeName(SslMode mode)
{
    switch (mode) {
    case SslMode::Disable:
        return QStringLiteral("disable");
    case SslMode::Allow:
        return QStringLiteral("allow");
    case SslMode::Prefer:
        return QStringLiteral("prefer");
    case SslMode::Require:
        return QStringLiteral("require");
    case SslMode::VerifyCa:
        return QStringLiteral("verify-ca");
    case SslMode::VerifyFull:
        return QStringLiteral("verify-full");
    }
    return QStringLiteral("verify-full");
}

Result<PgConnectionConfig::SslMode> PgConnectionConfig::sslModeFromName(const QString& name)
{
    for (const SslMode mode :
         {SslMode::Disable, SslMode::Allow, SslMode::Prefer, SslMode::Require, SslMode::VerifyCa, SslMode::VerifyFull})
        if (sslModeName(mode) == name)
            return mode;
    return fail(ErrorCode::InvalidArgument, QStringLiteral("'%1' is not an sslmode; %2").arg(name, HOW_TO_CONNECT));
}

bool PgConnectionConfig::isUnixSocket() const
{
    // libpq: "If a host name looks like an absolute path name, it specifies Unix-domain communication".
    return host.startsWith(u'/');
}

Result<void> PgConnectionConfig::validate() const
{
    if (host.isEmpty())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("no host: name the PostgreSQL server, or the directory of its Unix socket"));
    if (!isUnixSocket() && (host.contains(u'/') || host.contains(u',') || host.contains(u' ')))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'%1' is not a host name or address").arg(host));
    if (port == 0)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("no port"));
    if (database.isEmpty())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("no database name"));
    if (user.isEmpty())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("no user name"));
    if (connectTimeoutSeconds < 1 || connectTimeoutSeconds > 600)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("connect_timeout is between 1 and 600 seconds"));

    if (!isUnixSocket()) {
        // A connection that leaves the machine must authenticate the server: otherwise whoever
        // answers on the path receives the password exchange and every payload.
        switch (sslMode) {
        case SslMode::Disable:
        case SslMode::Allow:
        case SslMode::Prefer:
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("sslmode=%1 is refused: it lets the connection to %2 run without TLS, so the "
                                       "password and every query could travel in clear to whoever answers; %3 "
                                       "(a plain connection is accepted only over a local Unix socket)")
                            .arg(sslModeName(sslMode), host, HOW_TO_CONNECT));
        case SslMode::Require:
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("sslmode=require is refused: it encrypts but accepts any certificate, so "
                                       "anyone on the path to %1 can pose as the server; %2")
                            .arg(host, HOW_TO_CONNECT));
        case SslMode::VerifyCa:
        case SslMode::VerifyFull:
            break;
        }
        if (sslRootCert.isEmpty())
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("sslmode=%1 needs sslrootcert: the CA certificate that issued the server's "
                                       "certificate")
                            .arg(sslModeName(sslMode)));
    }
    for (const auto& [parameter, path] :
         {std::pair{QStringLiteral("sslrootcert"), sslRootCert}, std::pair{QStringLiteral("sslcert"), sslCert},
          std::pair{QStringLiteral("sslkey"), sslKey}}) {
        COUNTERSIGN_TRY(checkPath(parameter, path));
        if (!path.isEmpty() && !QFileInfo(path).isReadable())
            return fail(ErrorCode::InvalidArgument, QStringLiteral("cannot read %1 %2").arg(parameter, path));
    }
    if (sslCert.isEmpty() != sslKey.isEmpty())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a client certificate needs both sslcert and sslkey (the certificate and its key)"));
    if (!passwordFile.isEmpty() && !passwordCredential.isEmpty())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("name either a password file or a password credential, not both"));
    if (passwordFile.isEmpty() && passwordCredential.isEmpty() && !isUnixSocket())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("no password source: name the file that holds the password (password_file=...) or "
                                   "a systemd credential (password_credential=...)"));
    return {};
}

Result<PgConnectionConfig> PgConnectionConfig::fromUrl(const QString& url)
{
    // PostgreSQL "Connection URIs": postgresql://[userspec@][hostspec][/dbname][?paramspec]
    QStringView rest(url);
    if (rest.startsWith(u"postgresql://"))
        rest = rest.sliced(13);
    else if (rest.startsWith(u"postgres://"))
        rest = rest.sliced(11);
    else
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a database URL starts with postgresql:// (postgresql://user@host:port/database)"));

    PgConnectionConfig config;
    QStringView query;
    if (const qsizetype mark = rest.indexOf(u'?'); mark >= 0) {
        query = rest.sliced(mark + 1);
        rest = rest.first(mark);
    }
    QStringView authority = rest;
    if (const qsizetype slash = rest.indexOf(u'/'); slash >= 0) {
        authority = rest.first(slash);
        config.database = decoded(rest.sliced(slash + 1));
    }
    if (const qsizetype at = authority.lastIndexOf(u'@'); at >= 0) {
        const QStringView userInfo = authority.first(at);
        authority = authority.sliced(at + 1);
        if (userInfo.contains(u':'))
            return fail(ErrorCode::InvalidArgument, PASSWORD_IN_URL);
        config.user = decoded(userInfo);
    }
    if (authority.contains(u','))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the database URL names several hosts; name one"));
    QStringView hostPart = authority;
    QStringView portPart;
    if (authority.startsWith(u'[')) {
        const qsizetype close = authority.indexOf(u']');
        if (close < 0)
            return fail(ErrorCode::InvalidArgument, QStringLiteral("the database URL has an unclosed '[' in its host"));
        hostPart = authority.sliced(1, close - 1);
        if (authority.size() > close + 1) {
            if (authority.at(close + 1) != u':')
                return fail(ErrorCode::InvalidArgument, QStringLiteral("the database URL's host is malformed"));
            portPart = authority.sliced(close + 2);
        }
    } else if (const qsizetype colon = authority.lastIndexOf(u':'); colon >= 0) {
        hostPart = authority.first(colon);
        portPart = authority.sliced(colon + 1);
    }
    config.host = decoded(hostPart);
    if (!portPart.isEmpty()) {
        auto port = parsePort(portPart.toString());
        COUNTERSIGN_TRY(port);
        config.port = *port;
    }

    QHash<QString, QString> seen;
    for (const QStringView pair : query.split(u'&', Qt::SkipEmptyParts)) {
        const qsizetype equals = pair.indexOf(u'=');
        const QString key = decoded(equals < 0 ? pair : pair.first(equals));
        const QString value = equals < 0 ? QString() : decoded(pair.sliced(equals + 1));
        if (seen.contains(key))
            return fail(ErrorCode::InvalidArgument, QStringLiteral("the database URL sets %1 twice").arg(key));
        seen.insert(key, value);
        if (key == QStringLiteral("sslmode")) {
            auto mode = sslModeFromName(value);
            COUNTERSIGN_TRY(mode);
            config.sslMode = *mode;
        } else if (key == QStringLiteral("sslrootcert")) {
            config.sslRootCert = value;
        } else if (key == QStringLiteral("sslcert")) {
            config.sslCert = value;
        } else if (key == QStringLiteral("sslkey")) {
            config.sslKey = value;
        } else if (key == QStringLiteral("host")) {
            config.host = value;
        } else if (key == QStringLiteral("port")) {
            auto port = parsePort(value);
            COUNTERSIGN_TRY(port);
            config.port = *port;
        } else if (key == QStringLiteral("dbname")) {
            config.database = value;
        } else if (key == QStringLiteral("user")) {
            config.user = value;
        } else if (key == QStringLiteral("connect_timeout")) {
            bool ok = false;
            config.connectTimeoutSeconds = value.toInt(&ok);
            if (!ok)
                return fail(ErrorCode::InvalidArgument, QStringLiteral("connect_timeout is a number of seconds"));
        } else if (key == QStringLiteral("password_file")) {
            config.passwordFile = value;
        } else if (key == QStringLiteral("password_credential")) {
            config.passwordCredential = value;
        } else if (key == QStringLiteral("password")) {
            return fail(ErrorCode::InvalidArgument, PASSWORD_IN_URL);
        } else {
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("the database URL has a parameter Countersign does not know: '%1'").arg(key));
        }
    }
    COUNTERSIGN_TRY(config.validate());
    return config;
}

} // namespace countersign::storage
