#include "crypto/crypto.h"
#include "pgcluster.h"
#include "storage/pgconnection.h"
#include "storage/pgconnectionconfig.h"
#include "testca.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>
#include <optional>

using namespace countersign;
using storage::PgConnection;
using storage::PgConnectionConfig;
using test::PgCluster;

Q_DECLARE_METATYPE(countersign::storage::PgConnectionConfig::SslMode)

namespace {

/// Closes and forgets a connection opened by a test when the test ends, however it ends.
class OpenedConnection final {
public:
    explicit OpenedConnection(const QString& name)
        : m_name(name)
    {
    }
    ~OpenedConnection()
    {
        if (QSqlDatabase::contains(m_name)) {
            QSqlDatabase::database(m_name, false).close();
            QSqlDatabase::removeDatabase(m_name);
        }
    }
    OpenedConnection(const OpenedConnection&) = delete;
    OpenedConnection& operator=(const OpenedConnection&) = delete;

private:
    QString m_name;
};

QVariant queryValue(const QString& connection, const QString& sql)
{
    QSqlQuery query(QSqlDatabase::database(connection, false));
    if (!query.exec(sql) || !query.next())
        return {};
    return query.value(0);
}

QString percent(const QString& text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

} // namespace

class TestPgConnection final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(crypto::initialize());
        QVERIFY2(QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")),
                 "Qt's QPSQL driver is missing: scripts/install-deps.sh installs libqt6sql6-psql");
        // The server's certificate names "localhost" only, so that 127.0.0.1 is a host name it
        // does not list (both reach the same server).
        PgCluster::Options options;
        options.serverNames = {QStringLiteral("localhost")};
        m_cluster = std::make_unique<PgCluster>(options);
        QVERIFY(m_cluster->start());
        qInfo("PostgreSQL test cluster ready in %lld ms (initdb, TLS, start, role)", m_cluster->setupMilliseconds());
    }
    void cleanupTestCase() { m_cluster.reset(); }

    void connectsWithVerifyFull()
    {
        const OpenedConnection guard(QStringLiteral("verify-full"));
        auto opened =
            PgConnection::open(m_cluster->connectionConfig(QStringLiteral("localhost")), QStringLiteral("verify-full"));
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        QCOMPARE(queryValue(QStringLiteral("verify-full"), QStringLiteral("SELECT current_user")).toString(),
                 QStringLiteral("countersign"));
        // The session really runs over TLS 1.3, the minimum the server accepts.
        QCOMPARE(queryValue(QStringLiteral("verify-full"),
                            QStringLiteral("SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl"))
                     .toString(),
                 QStringLiteral("TLSv1.3"));
    }

    void refusesServerSignedByAnotherCa()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const test::TestCa otherCa(dir.path(), QStringLiteral("other"));
        QVERIFY(otherCa.isValid());
        PgConnectionConfig config = m_cluster->connectionConfig();
        config.sslRootCert = otherCa.certificatePath();
        auto opened = PgConnection::open(config, QStringLiteral("other-ca"));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::Unauthenticated);
        QVERIFY2(opened.error().message.contains(QStringLiteral("is not signed by ") + otherCa.certificatePath()),
                 qPrintable(opened.error().message));
        QVERIFY(!QSqlDatabase::contains(QStringLiteral("other-ca")));
    }

    void refusesHostNameTheCertificateDoesNotList()
    {
        auto opened =
            PgConnection::open(m_cluster->connectionConfig(QStringLiteral("127.0.0.1")), QStringLiteral("wrong-name"));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::Unauthenticated);
        QVERIFY2(opened.error().message.contains(QStringLiteral("does not name the host 127.0.0.1")),
                 qPrintable(opened.error().message));
        QVERIFY2(opened.error().message.contains(QStringLiteral("\"localhost\"")), qPrintable(opened.error().message));
    }

    void refusesSslModesWithoutServerAuthenticationBeforeConnecting_data()
    {
        QTest::addColumn<PgConnectionConfig::SslMode>("mode");
        QTest::newRow("disable") << PgConnectionConfig::SslMode::Disable;
        QTest::newRow("allow") << PgConnectionConfig::SslMode::Allow;
        QTest::newRow("prefer") << PgConnectionConfig::SslMode::Prefer;
        QTest::newRow("require") << PgConnectionConfig::SslMode::Require;
    }
    void refusesSslModesWithoutServerAuthenticationBeforeConnecting()
    {
        QFETCH(PgConnectionConfig::SslMode, mode);
        const int before = connectionsReceived();
        PgConnectionConfig config = m_cluster->connectionConfig();
        config.sslMode = mode;
        auto opened = PgConnection::open(config, QStringLiteral("plain"));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::InvalidArgument);
        const QString expected = QStringLiteral("sslmode=%1 is refused").arg(PgConnectionConfig::sslModeName(mode));
        QVERIFY2(opened.error().message.contains(expected), qPrintable(opened.error().message));
        QVERIFY2(opened.error().message.contains(QStringLiteral("verify-full")), qPrintable(opened.error().message));

        // Nothing reached the server: one good connection afterwards is the only one it logs.
        {
            const OpenedConnection guard(QStringLiteral("after-plain"));
            QVERIFY(PgConnection::open(m_cluster->connectionConfig(), QStringLiteral("after-plain")));
        }
        QTRY_VERIFY_WITH_TIMEOUT(connectionsReceived() >= before + 1, 30000);
        QCOMPARE(connectionsReceived(), before + 1);

        // The same through a URL.
        auto parsed = PgConnectionConfig::fromUrl(
            QStringLiteral("postgresql://countersign@localhost:%1/countersign?sslmode=%2&password_file=%3")
                .arg(m_cluster->port())
                .arg(PgConnectionConfig::sslModeName(mode), percent(m_cluster->passwordFile())));
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().message.contains(expected), qPrintable(parsed.error().message));
    }

    void acceptsPlainConnectionOverLocalUnixSocket()
    {
        PgConnectionConfig config = m_cluster->connectionConfig(m_cluster->socketDirectory());
        config.sslMode = PgConnectionConfig::SslMode::Disable;
        config.sslRootCert.clear();
        const OpenedConnection guard(QStringLiteral("socket"));
        auto opened = PgConnection::open(config, QStringLiteral("socket"));
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        // A Unix socket has no client address.
        QVERIFY(queryValue(QStringLiteral("socket"), QStringLiteral("SELECT inet_client_addr() IS NULL")).toBool());
    }

    void refusesPasswordInUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("user:password@") << QStringLiteral(
            "postgresql://countersign:hunter2secret@localhost:5432/countersign?sslrootcert=/etc/ssl/ca.pem");
        QTest::newRow("?password=") << QStringLiteral(
            "postgresql://countersign@localhost:5432/countersign?sslrootcert=/etc/ssl/ca.pem&password=hunter2secret");
    }
    void refusesPasswordInUrl()
    {
        QFETCH(QString, url);
        auto parsed = PgConnectionConfig::fromUrl(url);
        QVERIFY(!parsed);
        QCOMPARE(test::errorCode(parsed), ErrorCode::InvalidArgument);
        QVERIFY2(parsed.error().message.contains(QStringLiteral("put the password in a file")),
                 qPrintable(parsed.error().message));
        // The refusal does not repeat the secret into a log.
        QVERIFY(!parsed.error().message.contains(QStringLiteral("hunter2secret")));
    }

    void connectsWithPasswordFromFileNamedInUrl()
    {
        auto parsed = PgConnectionConfig::fromUrl(
            QStringLiteral("postgresql://countersign@localhost:%1/countersign?sslmode=verify-full&sslrootcert=%2&"
                           "password_file=%3")
                .arg(m_cluster->port())
                .arg(percent(m_cluster->caCertificate()), percent(m_cluster->passwordFile())));
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
        const OpenedConnection guard(QStringLiteral("url"));
        auto opened = PgConnection::open(*parsed, QStringLiteral("url"));
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        QCOMPARE(queryValue(QStringLiteral("url"), QStringLiteral("SELECT current_database()")).toString(),
                 QStringLiteral("countersign"));
    }

    void connectsWithPasswordFromSystemdCredential()
    {
        QTemporaryDir credentials;
        QVERIFY(credentials.isValid());
        QFile::copy(m_cluster->passwordFile(), credentials.filePath(QStringLiteral("pg-password")));
        QFile::setPermissions(credentials.filePath(QStringLiteral("pg-password")), QFileDevice::ReadOwner);
        const QByteArray saved = qgetenv("CREDENTIALS_DIRECTORY");
        qputenv("CREDENTIALS_DIRECTORY", QFile::encodeName(credentials.path()));
        PgConnectionConfig config = m_cluster->connectionConfig();
        config.passwordFile.clear();
        config.passwordCredential = QStringLiteral("pg-password");
        const OpenedConnection guard(QStringLiteral("credential"));
        auto opened = PgConnection::open(config, QStringLiteral("credential"));
        if (saved.isNull())
            qunsetenv("CREDENTIALS_DIRECTORY");
        else
            qputenv("CREDENTIALS_DIRECTORY", saved);
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
    }

    void refusesWrongPassword()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(QStringLiteral("wrong.pw"));
        test::writeTextFile(file, QStringLiteral("not the password"));
        QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        PgConnectionConfig config = m_cluster->connectionConfig();
        config.passwordFile = file;
        auto opened = PgConnection::open(config, QStringLiteral("wrong-password"));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::Unauthenticated);
        QVERIFY2(opened.error().message.contains(QStringLiteral("refused the password of user countersign")),
                 qPrintable(opened.error().message));
    }

    void refusesPasswordFileOthersCanRead()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(QStringLiteral("open.pw"));
        QVERIFY(QFile::copy(m_cluster->passwordFile(), file));
        QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                        QFileDevice::ReadOther);
        PgConnectionConfig config = m_cluster->connectionConfig();
        config.passwordFile = file;
        auto opened = PgConnection::open(config, QStringLiteral("open-password"));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::PermissionDenied);
        QVERIFY2(opened.error().message.contains(QStringLiteral("chmod 600")), qPrintable(opened.error().message));
    }

    void connectsWithClientCertificate()
    {
        PgConnectionConfig config = m_cluster->connectionConfig();
        config.sslCert = m_cluster->clientCertificate();
        config.sslKey = m_cluster->clientKey();
        const OpenedConnection guard(QStringLiteral("client-cert"));
        auto opened = PgConnection::open(config, QStringLiteral("client-cert"));
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        QCOMPARE(queryValue(QStringLiteral("client-cert"),
                            QStringLiteral("SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                     .toString(),
                 QStringLiteral("/CN=countersign"));
    }

    void saysWhenTheServerIsDown()
    {
        QVERIFY(m_cluster->stop());
        auto opened = PgConnection::open(m_cluster->connectionConfig(), QStringLiteral("down"));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::Unavailable);
        QVERIFY2(opened.error().message.contains(
                     QStringLiteral("no PostgreSQL server answers at localhost:%1").arg(m_cluster->port())),
                 qPrintable(opened.error().message));
        // Back up on the same port, the same settings connect again.
        QVERIFY(m_cluster->start());
        const OpenedConnection guard(QStringLiteral("up-again"));
        auto again = PgConnection::open(m_cluster->connectionConfig(), QStringLiteral("up-again"));
        QVERIFY2(again, again ? "" : qPrintable(again.error().message));
    }

    void parsesUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("database");
        QTest::addColumn<QString>("failure"); // empty: parses
        const QString ca = QStringLiteral("&sslrootcert=%1&password_file=/run/pw").arg(m_cluster->caCertificate());
        QTest::newRow("name") << QStringLiteral("postgresql://cs@db.example:6543/team?sslmode=verify-full") + ca
                              << QStringLiteral("db.example") << 6543 << QStringLiteral("team") << QString();
        QTest::newRow("default port") << QStringLiteral("postgres://cs@db.example/team?sslmode=verify-full") + ca
                                      << QStringLiteral("db.example") << 5432 << QStringLiteral("team") << QString();
        QTest::newRow("IPv6") << QStringLiteral("postgresql://cs@[::1]:7000/team?sslmode=verify-ca") + ca
                              << QStringLiteral("::1") << 7000 << QStringLiteral("team") << QString();
        QTest::newRow("socket, percent-encoded")
            << QStringLiteral("postgresql://cs@%2Frun%2Fpostgresql/team?sslmode=disable")
            << QStringLiteral("/run/postgresql") << 5432 << QStringLiteral("team") << QString();
        QTest::newRow("socket, host parameter")
            << QStringLiteral("postgresql://cs@/team?host=/run/postgresql&sslmode=disable")
            << QStringLiteral("/run/postgresql") << 5432 << QStringLiteral("team") << QString();
        QTest::newRow("misspelt parameter")
            << QStringLiteral("postgresql://cs@db.example/team?ssl_mode=disable") + ca << QString() << 0 << QString()
            << QStringLiteral("does not know: 'ssl_mode'");
        QTest::newRow("twice") << QStringLiteral("postgresql://cs@db.example/team?sslmode=verify-full") + ca +
                                      QStringLiteral("&sslmode=disable")
                               << QString() << 0 << QString() << QStringLiteral("sets sslmode twice");
        QTest::newRow("no CA") << QStringLiteral("postgresql://cs@db.example/team?password_file=/run/pw") << QString()
                               << 0 << QString() << QStringLiteral("needs sslrootcert");
        QTest::newRow("no password source")
            << QStringLiteral("postgresql://cs@db.example/team?sslrootcert=%1").arg(m_cluster->caCertificate())
            << QString() << 0 << QString() << QStringLiteral("no password source");
        QTest::newRow("several hosts") << QStringLiteral("postgresql://cs@a.example,b.example/team") + ca << QString()
                                       << 0 << QString() << QStringLiteral("several hosts");
        QTest::newRow("bad port") << QStringLiteral("postgresql://cs@db.example:99999/team") + ca << QString() << 0
                                  << QString() << QStringLiteral("not a port number");
        QTest::newRow("not postgresql") << QStringLiteral("mysql://cs@db.example/team") << QString() << 0 << QString()
                                        << QStringLiteral("starts with postgresql://");
    }
    void parsesUrls()
    {
        QFETCH(QString, url);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, database);
        QFETCH(QString, failure);
        auto parsed = PgConnectionConfig::fromUrl(url);
        if (!failure.isEmpty()) {
            QVERIFY(!parsed);
            QVERIFY2(parsed.error().message.contains(failure), qPrintable(parsed.error().message));
            return;
        }
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
        QCOMPARE(parsed->host, host);
        QCOMPARE(parsed->port, port);
        QCOMPARE(parsed->database, database);
        QCOMPARE(parsed->user, QStringLiteral("cs"));
    }

private:
    int connectionsReceived() const
    {
        return static_cast<int>(m_cluster->log().count(QStringLiteral("connection received: host=127.0.0.1")));
    }

    std::unique_ptr<PgCluster> m_cluster;
};

QTEST_GUILESS_MAIN(TestPgConnection)
#include "tst_pgconnection.moc"
