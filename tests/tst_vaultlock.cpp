// One vault, several processes: a running server, `countersign-cli vault passwd`, a second
// passwd racing the first, a backup restored over the database behind a server's back. Real
// processes throughout; what each one sees is what a person at a terminal would see.
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <unistd.h>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");
const QString THIRD_PASSPHRASE = QStringLiteral("glacier velvet tundra 2468 piano");

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

void startCli(QProcess& process, const QString& dataDir, const QStringList& args, const QString& passFile,
              const QString& newPassFile)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), passFile);
    env.insert(QStringLiteral("COUNTERSIGN_NEW_PASSPHRASE_FILE"), newPassFile);
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*=false"));
    process.setProcessEnvironment(env);
    process.setChildProcessModifier([] { ::setsid(); }); // no terminal to ask
    process.start(CLI, QStringList{QStringLiteral("--data-dir"), dataDir} + args);
}

Run finish(QProcess& process)
{
    Run run;
    if (!process.waitForFinished(180000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

/// The HTTP status and body of one request to the server on \a port.
std::pair<int, QByteArray> exchange(quint16 port, const QByteArray& method, const QByteArray& path,
                                    const QByteArray& token, const QByteArray& body = {})
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(10000))
        return {0, {}};
    const QByteArray answer =
        test::httpExchange(socket, method, path, "127.0.0.1:" + QByteArray::number(port), token, body);
    const int status = answer.mid(9, 3).toInt();
    return {status, answer.mid(answer.indexOf("\r\n\r\n") + 4)};
}

int ask(quint16 port, const QByteArray& token, const QByteArray& summary)
{
    return exchange(port, "POST", "/v1/requests", token,
                    "{\"capability\":\"deploy.web\",\"summary\":\"" + summary +
                        "\",\"risk\":\"low\",\"payload\":{\"v\":1}}")
        .first;
}

int countRows(vault::Vault& vault, const QString& sql)
{
    QSqlQuery query(vault.database());
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toInt();
}

QStringList databaseFiles(const QString& dataDir)
{
    return QDir(dataDir).entryList({QStringLiteral("vault-*.db")}, QDir::Files);
}

} // namespace

class TestVaultLock final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_passFile;
    QString m_otherPassFile;
    QString m_thirdPassFile;

    /// A vault in \a dataDir with a runtime (its token returned) and one entry to keep.
    QByteArray prepareVault(const QString& dataDir)
    {
        auto vault = test::createVault(dataDir);
        if (!vault)
            return {};
        approvals::RequestEvents events;
        auto services = application::openServices(*vault, events, QStringLiteral("prepare"));
        if (!services)
            return {};
        auto token = (*services)->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")},
                                                             QStringLiteral("member:owner"));
        if (!token || !(*services)->audit().append({QStringLiteral("system"), QStringLiteral("test.keep"), {}, {}}))
            return {};
        return token->toLatin1();
    }

    static void stop(QProcess& server)
    {
        server.terminate();
        if (!server.waitForFinished(20000))
            server.kill();
    }

private Q_SLOTS:
    // Each test function gets a directory of its own (passphrase files, its vaults), so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_passFile = m_dir->filePath(QStringLiteral("pass"));
        m_otherPassFile = m_dir->filePath(QStringLiteral("other"));
        m_thirdPassFile = m_dir->filePath(QStringLiteral("third"));
        test::writeTextFile(m_passFile, test::PASSPHRASE);
        test::writeTextFile(m_otherPassFile, test::OTHER_PASSPHRASE);
        test::writeTextFile(m_thirdPassFile, THIRD_PASSPHRASE);
    }

    void cleanup() { m_dir.reset(); }

    void passwdIsRefusedWhileAServerHasTheVaultOpen()
    {
        const QString dataDir = m_dir->filePath(QStringLiteral("served"));
        const QByteArray token = prepareVault(dataDir);
        QVERIFY(!token.isEmpty());
        const quint16 port = test::freeLoopbackPort();
        QProcess server;
        QByteArray output;
        QVERIFY2(test::startHeadless(server, APP, dataDir, m_passFile, port, {}, output), output.constData());
        QCOMPARE(ask(port, token, "before"), 201);

        QProcess passwd;
        startCli(passwd, dataDir, {QStringLiteral("vault"), QStringLiteral("passwd")}, m_passFile, m_otherPassFile);
        const Run refused = finish(passwd);
        QVERIFY2(refused.exitCode > 0, refused.out.constData());
        const QByteArray expected =
            "the vault is open in another Countersign process (pid " + QByteArray::number(server.processId()) + ")";
        QVERIFY2(refused.err.contains(expected), refused.err.constData());

        // The server goes on, and what it writes is in the vault that opens with the old passphrase.
        QCOMPARE(ask(port, token, "after"), 201);
        stop(server);
        QCOMPARE(databaseFiles(dataDir).size(), 1);
        auto other = vault::Vault::open(dataDir, test::secure(test::OTHER_PASSPHRASE));
        QVERIFY(!other);
        QCOMPARE(test::errorCode(other), ErrorCode::WrongPassphrase);
        auto vault = test::openVault(dataDir);
        QVERIFY(vault);
        QCOMPARE(countRows(*vault, QStringLiteral("SELECT count(*) FROM requests")), 2);
        QCOMPARE(countRows(*vault, QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'test.keep'")), 1);
        QVERIFY(vault->audit().verify().ok());
    }

    void racingPasswdChangesHaveExactlyOneWinner()
    {
        constexpr int ROUNDS = 3;
        for (int round = 0; round < ROUNDS; ++round) {
            const QString dataDir = m_dir->filePath(QStringLiteral("race%1").arg(round));
            QVERIFY(!prepareVault(dataDir).isEmpty());
            QProcess first;
            QProcess second;
            startCli(first, dataDir, {QStringLiteral("vault"), QStringLiteral("passwd")}, m_passFile, m_otherPassFile);
            startCli(second, dataDir, {QStringLiteral("vault"), QStringLiteral("passwd")}, m_passFile, m_thirdPassFile);
            const Run a = finish(first);
            const Run b = finish(second);
            QVERIFY2((a.exitCode == 0) != (b.exitCode == 0),
                     qPrintable(QStringLiteral("round %1: exit codes %2 and %3; %4 / %5")
                                    .arg(round)
                                    .arg(a.exitCode)
                                    .arg(b.exitCode)
                                    .arg(QString::fromUtf8(a.err), QString::fromUtf8(b.err))));
            const Run& loser = a.exitCode == 0 ? b : a;
            QVERIFY2(loser.exitCode > 0 && !loser.err.isEmpty(), loser.err.constData());
            const QString winner = a.exitCode == 0 ? test::OTHER_PASSPHRASE : THIRD_PASSPHRASE;
            const QString losing = a.exitCode == 0 ? THIRD_PASSPHRASE : test::OTHER_PASSPHRASE;

            QCOMPARE(databaseFiles(dataDir).size(), 1);
            for (const QString& refused : {test::PASSPHRASE, losing}) {
                auto opened = vault::Vault::open(dataDir, test::secure(refused));
                QVERIFY(!opened);
                QCOMPARE(test::errorCode(opened), ErrorCode::WrongPassphrase);
            }
            auto vault = test::openVault(dataDir, winner);
            QVERIFY2(vault,
                     qPrintable(QStringLiteral("round %1: the winner's passphrase does not open it").arg(round)));
            QCOMPARE(countRows(*vault, QStringLiteral("SELECT count(*) FROM runtimes")), 1);
            QCOMPARE(countRows(*vault, QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'test.keep'")), 1);
            QCOMPARE(countRows(*vault, QStringLiteral(
                                           "SELECT count(*) FROM audit_log WHERE action = 'vault.passphrase_changed'")),
                     1);
            QVERIFY(vault->audit().verify().ok());
        }
    }

    void aServerWhoseDatabaseIsReplacedStopsServing_data()
    {
        QTest::addColumn<bool>("removeIt");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("a backup restored over it") << false << QByteArray("was replaced by another program");
        QTest::newRow("deleted") << true << QByteArray("was removed by another program");
    }

    void aServerWhoseDatabaseIsReplacedStopsServing()
    {
        QFETCH(bool, removeIt);
        QFETCH(QByteArray, reason);
        const QString dataDir = m_dir->filePath(QStringLiteral("replaced-%1").arg(removeIt));
        const QByteArray token = prepareVault(dataDir);
        QVERIFY(!token.isEmpty());
        const quint16 port = test::freeLoopbackPort();
        QProcess server;
        QByteArray output;
        QVERIFY2(test::startHeadless(server, APP, dataDir, m_passFile, port, {}, output), output.constData());
        QCOMPARE(ask(port, token, "before"), 201);

        const QString database = QDir(dataDir).filePath(databaseFiles(dataDir).value(0));
        if (removeIt) {
            QVERIFY(QFile::remove(database));
        } else {
            const QString restored = database + QStringLiteral(".restored");
            QVERIFY(QFile::copy(database, restored));
            QCOMPARE(::rename(QFile::encodeName(restored).constData(), QFile::encodeName(database).constData()), 0);
        }

        const auto [status, body] = exchange(port, "POST", "/v1/requests", token,
                                             "{\"capability\":\"deploy.web\",\"summary\":\"lost?\",\"risk\":\"low\"}");
        QCOMPARE(status, 503);
        QVERIFY2(body.contains(reason), body.constData());
        QCOMPARE(exchange(port, "GET", "/v1/health", {}).first, 503);
        // And it says so where its operator looks.
        QByteArray errors;
        QTRY_VERIFY_WITH_TIMEOUT((errors += server.readAllStandardError()).contains("stopped serving: "), 20000);
        QVERIFY2(errors.contains(reason), errors.constData());
        QCOMPARE(server.state(), QProcess::Running);
        stop(server);
    }
};

QTEST_GUILESS_MAIN(TestVaultLock)
#include "tst_vaultlock.moc"
