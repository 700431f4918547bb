#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <array>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");
const QString HELPER = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-vault-helper");

} // namespace

/// Real processes end to end: `countersign --headless` serving, `countersign-cli` asking,
/// and this test deciding through the core decision API on the same vault.
class TestEndToEnd final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_vaultDir;
    QString m_passFile;
    QString m_tokenFile;
    QByteArray m_token;
    QProcess m_server;
    quint16 m_port = 0;
    approvals::RequestEvents m_events;
    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<approvals::Services> m_services;

    bool startServer() { return startServer(m_server, m_port); }

    /// Starts `countersign --headless` on the vault as \a server and sets \a port to its port.
    bool startServer(QProcess& server, quint16& port)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), m_passFile);
        server.setProcessEnvironment(env);
        server.setProcessChannelMode(QProcess::SeparateChannels);
        server.start(APP, {QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_vaultDir,
                           QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--socket"),
                           QStringLiteral("none"), QStringLiteral("--rate-limit"), QStringLiteral("100000")});
        if (!server.waitForStarted(10000))
            return false;
        static const QRegularExpression SERVING(QStringLiteral("serving http://127.0.0.1:(\\d+)"));
        QElapsedTimer timer;
        timer.start();
        QByteArray output;
        while (timer.elapsed() < 30000) {
            server.waitForReadyRead(1000);
            output += server.readAllStandardOutput();
            const auto match = SERVING.match(QString::fromUtf8(output));
            if (match.hasMatch()) {
                port = static_cast<quint16>(match.captured(1).toUInt());
                return true;
            }
            if (server.state() != QProcess::Running)
                break;
        }
        qWarning("server did not start: %s", server.readAllStandardError().constData());
        return false;
    }

    void stopServer() { test::stopProcess(m_server); }

    QProcessEnvironment clientEnvironment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_URL"), QStringLiteral("http://127.0.0.1:%1").arg(m_port));
        env.insert(QStringLiteral("COUNTERSIGN_TOKEN_FILE"), m_tokenFile);
        env.remove(QStringLiteral("COUNTERSIGN_TOKEN"));
        return env;
    }

    QString waitForPending()
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            auto pending = m_services->requests().requestsInState(approvals::RequestState::Pending);
            if (pending && !pending->isEmpty())
                return pending->first().id;
            QTest::qWait(100);
        }
        return {};
    }

    QByteArray http(const QByteArray& method, const QByteArray& path, const QByteArray& body = {})
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(5000))
            return {};
        socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
                     "\r\nAuthorization: Bearer " + m_token +
                     "\r\nConnection: close\r\nContent-Type: application/json"
                     "\r\nContent-Length: " +
                     QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QByteArray response;
        while (socket.waitForReadyRead(10000))
            response += socket.readAll();
        return response + socket.readAll();
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vaultDir = m_dir->filePath(QStringLiteral("vault"));
        m_passFile = m_dir->filePath(QStringLiteral("pass"));
        m_tokenFile = m_dir->filePath(QStringLiteral("token"));
        test::writeTextFile(m_passFile, test::PASSPHRASE);
        m_vault = test::createVault(m_vaultDir);
        QVERIFY(m_vault);
        auto services = application::openServices(*m_vault, m_events, QStringLiteral("approver"));
        QVERIFY(services);
        m_services = std::move(*services);
        auto token = m_services->runtimes().registerRuntime(QStringLiteral("agent"),
                                                            {QStringLiteral("shell.exec"), QStringLiteral("deploy.*")},
                                                            QStringLiteral("member:owner"));
        QVERIFY(token);
        m_token = token->toLatin1();
        test::writeTextFile(m_tokenFile, *token);
        QVERIFY(startServer());
    }

    void cleanup()
    {
        stopServer();
        m_services.reset();
        m_vault.reset();
        m_dir.reset();
    }

    void execRunsTheCommandOnlyOnceApproved()
    {
        const QString marker = m_dir->filePath(QStringLiteral("ran"));
        QProcess exec;
        exec.setProcessEnvironment(clientEnvironment());
        exec.start(CLI, {QStringLiteral("exec"), QStringLiteral("--capability"), QStringLiteral("shell.exec"),
                         QStringLiteral("--summary"), QStringLiteral("write a marker"), QStringLiteral("--"),
                         QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                         QStringLiteral("echo ran > '%1'; exit 7").arg(marker)});
        QVERIFY(exec.waitForStarted(10000));
        const QString id = waitForPending();
        QVERIFY2(!id.isEmpty(), exec.readAllStandardError().constData());
        QTest::qWait(500);
        QCOMPARE(exec.state(), QProcess::Running); // blocked, waiting for a human
        QVERIFY(!QFile::exists(marker));
        auto request = m_services->requests().request(id);
        QVERIFY(request);
        const QJsonObject payload = QJsonDocument::fromJson(request->payload).object();
        QCOMPARE(payload.value(QStringLiteral("argv")).toArray().first().toString(), QStringLiteral("/bin/sh"));

        QVERIFY(m_services->requests().approve(QStringLiteral("owner"), id, QStringLiteral("go ahead")));
        QVERIFY(exec.waitForFinished(60000));
        QCOMPARE(exec.exitStatus(), QProcess::NormalExit);
        QCOMPARE(exec.exitCode(), 7); // the command's own exit code
        QVERIFY(QFile::exists(marker));
        QCOMPARE(test::stored(m_services->requests(), id).state, approvals::RequestState::Consumed);
    }

    void execDoesNotRunWhenDenied()
    {
        const QString marker = m_dir->filePath(QStringLiteral("never"));
        QProcess exec;
        exec.setProcessEnvironment(clientEnvironment());
        exec.start(CLI, {QStringLiteral("exec"), QStringLiteral("--capability"), QStringLiteral("shell.exec"),
                         QStringLiteral("--"), QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                         QStringLiteral("echo ran > '%1'").arg(marker)});
        QVERIFY(exec.waitForStarted(10000));
        const QString id = waitForPending();
        QVERIFY(!id.isEmpty());
        QVERIFY(m_services->requests().deny(QStringLiteral("owner"), id, QStringLiteral("no")));
        QVERIFY(exec.waitForFinished(60000));
        QCOMPARE(exec.exitCode(), 10);
        QVERIFY(!QFile::exists(marker));
    }

    void requestWaitExitCodes()
    {
        QProcess request;
        request.setProcessEnvironment(clientEnvironment());
        request.start(CLI, {QStringLiteral("--json"), QStringLiteral("request"), QStringLiteral("--capability"),
                            QStringLiteral("deploy.web"), QStringLiteral("--summary"), QStringLiteral("Deploy"),
                            QStringLiteral("--wait"), QStringLiteral("1")});
        QVERIFY(request.waitForFinished(60000));
        QCOMPARE(request.exitCode(), 11); // still pending after the wait: timed out
        const QString id =
            QJsonDocument::fromJson(request.readAllStandardOutput()).object().value(QStringLiteral("id")).toString();
        QVERIFY(!id.isEmpty());
        QProcess cancel;
        cancel.setProcessEnvironment(clientEnvironment());
        cancel.start(CLI, {QStringLiteral("cancel"), id});
        QVERIFY(cancel.waitForFinished(30000));
        QCOMPARE(cancel.exitCode(), 0);
        QProcess status;
        status.setProcessEnvironment(clientEnvironment());
        status.start(CLI, {QStringLiteral("status"), id});
        QVERIFY(status.waitForFinished(30000));
        QCOMPARE(status.exitCode(), 12);
    }

    void hundredConcurrentConsumesOneWins()
    {
        const QByteArray created =
            http("POST", "/v1/requests", R"({"capability":"deploy.db","summary":"Migrate","payload":{"to":7}})");
        const QJsonObject request = QJsonDocument::fromJson(created.mid(created.indexOf("\r\n\r\n") + 4)).object();
        const QString id = request.value(QStringLiteral("id")).toString();
        QVERIFY2(!id.isEmpty(), created.constData());
        QVERIFY(m_services->requests().approve(QStringLiteral("owner"), id, {}));

        // Three servers on the one vault, and helper processes consuming through the core
        // directly: each process writes through its own connection, so the consumes race in
        // SQLite and not in one server's queue.
        constexpr int SERVERS = 3;
        std::array<QProcess, SERVERS - 1> others;
        std::array<quint16, SERVERS> ports{m_port};
        for (int i = 1; i < SERVERS; ++i)
            QVERIFY(startServer(others[i - 1], ports[i]));
        const auto stopOthers = qScopeGuard([&] {
            for (QProcess& other : others)
                test::stopProcess(other);
        });

        const QString digest = request.value(QStringLiteral("payload_sha256")).toString();
        constexpr int HELPERS = 6;
        std::array<QProcess, HELPERS> helpers;
        const auto stopHelpers = qScopeGuard([&] {
            for (QProcess& helper : helpers)
                test::stopProcess(helper);
        });
        QProcessEnvironment helperEnv = QProcessEnvironment::systemEnvironment();
        helperEnv.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), m_passFile);
        helperEnv.insert(QStringLiteral("COUNTERSIGN_TOKEN_FILE"), m_tokenFile);
        for (QProcess& helper : helpers) { // one at a time: opening a vault writes to it
            helper.setProcessEnvironment(helperEnv);
            helper.start(HELPER, {QStringLiteral("consume"), m_vaultDir, id, digest});
            while (!helper.canReadLine() && helper.waitForReadyRead(30000)) {
            }
            const QByteArray line = helper.readLine();
            QVERIFY2(line == "ready\n", QByteArray(line + helper.readAllStandardError()).constData());
        }

        const QByteArray body =
            "{\"payload_sha256\":\"" + request.value(QStringLiteral("payload_sha256")).toString().toLatin1() + "\"}";
        auto consume = [&](quint16 port) -> QByteArray {
            return "POST /v1/requests/" + id.toLatin1() +
                   "/consume HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\nAuthorization: Bearer " +
                   m_token + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                   QByteArray::number(body.size()) + "\r\n\r\n" + body;
        };
        constexpr int CLIENTS = 100;
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        std::vector<QByteArray> requests;
        for (int i = 0; i < CLIENTS; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, ports[i % SERVERS]);
            QVERIFY(socket->waitForConnected(10000));
            requests.push_back(consume(ports[i % SERVERS]));
            sockets.push_back(std::move(socket));
        }
        // The barrier: every request but its last byte is sent and read by its server, which
        // cannot act on a body it has not received; then the last bytes go out together.
        for (int i = 0; i < CLIENTS; ++i) {
            sockets[i]->write(requests[i].chopped(1));
            QVERIFY(sockets[i]->waitForBytesWritten(10000));
        }
        QTest::qWait(500);
        for (int i = 0; i < CLIENTS; ++i) {
            sockets[i]->write(requests[i].right(1));
            sockets[i]->flush(); // out now, not when this socket's answer is awaited
        }
        for (QProcess& helper : helpers) {
            helper.write("go\n");
            helper.waitForBytesWritten(1000);
        }
        int ok = 0;
        QStringList unexpected;
        for (int i = 0; i < CLIENTS; ++i) {
            QByteArray response;
            while (sockets[i]->waitForReadyRead(30000))
                response += sockets[i]->readAll();
            response += sockets[i]->readAll();
            if (response.startsWith("HTTP/1.1 200")) {
                ++ok;
                continue;
            }
            const QJsonObject error = QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4))
                                          .object()
                                          .value(QStringLiteral("error"))
                                          .toObject();
            if (!response.startsWith("HTTP/1.1 409") ||
                error.value(QStringLiteral("code")).toString() != u"already_consumed")
                unexpected.append(QString::fromUtf8(response.left(300)));
        }
        for (QProcess& helper : helpers) {
            QVERIFY(helper.waitForFinished(30000));
            const QByteArray outcome = helper.readAllStandardOutput().trimmed();
            if (outcome == "consumed")
                ++ok;
            else if (outcome != "already_consumed")
                unexpected.append(QString::fromUtf8(outcome + ' ' + helper.readAllStandardError()));
        }
        QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected.join(u"\n---\n")));
        QCOMPARE(ok, 1);

        // The chain holds the one consume, and still verifies.
        QSqlQuery consumed(m_services->database());
        QVERIFY(consumed.exec(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'request.consumed' AND "
                                             "subject = 'request:%1'")
                                  .arg(id)) &&
                consumed.next());
        QCOMPARE(consumed.value(0).toInt(), 1);
        QVERIFY(m_services->audit().verify().ok());

        stopServer(); // still consumed after a restart
        QVERIFY(startServer());
        const QByteArray after = http("GET", "/v1/requests/" + id.toLatin1());
        QVERIFY2(after.contains("\"state\":\"consumed\""), after.constData());
        QCOMPARE(test::stored(m_services->requests(), id).state, approvals::RequestState::Consumed);
    }
};

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "tst_e2e.moc"
