#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");

} // namespace

/// Real processes end to end: `countersign --headless` serving, `countersign-cli` asking,
/// and this test deciding through the core decision API on the same vault.
class TestEndToEnd final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_vaultDir;
    QString m_passFile;
    QString m_tokenFile;
    QByteArray m_token;
    QProcess m_server;
    quint16 m_port = 0;
    approvals::RequestEvents m_events;
    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<approvals::Services> m_services;

    bool startServer()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), m_passFile);
        m_server.setProcessEnvironment(env);
        m_server.setProcessChannelMode(QProcess::SeparateChannels);
        m_server.start(APP, {QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_vaultDir,
                             QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--socket"),
                             QStringLiteral("none"), QStringLiteral("--rate-limit"), QStringLiteral("100000")});
        if (!m_server.waitForStarted(10000))
            return false;
        static const QRegularExpression SERVING(QStringLiteral("serving http://127.0.0.1:(\\d+)"));
        QElapsedTimer timer;
        timer.start();
        QByteArray output;
        while (timer.elapsed() < 30000) {
            m_server.waitForReadyRead(1000);
            output += m_server.readAllStandardOutput();
            const auto match = SERVING.match(QString::fromUtf8(output));
            if (match.hasMatch()) {
                m_port = static_cast<quint16>(match.captured(1).toUInt());
                return true;
            }
            if (m_server.state() != QProcess::Running)
                break;
        }
        qWarning("server did not start: %s", m_server.readAllStandardError().constData());
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
    void initTestCase()
    {
        m_vaultDir = m_dir.filePath(QStringLiteral("vault"));
        m_passFile = m_dir.filePath(QStringLiteral("pass"));
        m_tokenFile = m_dir.filePath(QStringLiteral("token"));
        test::writeTextFile(m_passFile, test::PASSPHRASE);
        m_vault = test::createVault(m_vaultDir);
        QVERIFY(m_vault);
        auto services = approvals::Services::open(*m_vault, m_events, QStringLiteral("approver"));
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

    void cleanupTestCase()
    {
        stopServer();
        m_services.reset();
        m_vault.reset();
    }

    void execRunsTheCommandOnlyOnceApproved()
    {
        const QString marker = m_dir.filePath(QStringLiteral("ran"));
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
        QCOMPARE(m_services->requests().request(id)->state, approvals::RequestState::Consumed);
    }

    void execDoesNotRunWhenDenied()
    {
        const QString marker = m_dir.filePath(QStringLiteral("never"));
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
        const QByteArray body =
            "{\"payload_sha256\":\"" + request.value(QStringLiteral("payload_sha256")).toString().toLatin1() + "\"}";
        const QByteArray raw = "POST /v1/requests/" + id.toLatin1() +
                               "/consume HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
                               "\r\nAuthorization: Bearer " + m_token +
                               "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                               QByteArray::number(body.size()) + "\r\n\r\n" + body;
        constexpr int CLIENTS = 100;
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < CLIENTS; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, m_port);
            QVERIFY(socket->waitForConnected(10000));
            sockets.push_back(std::move(socket));
        }
        for (auto& socket : sockets) // all connected first, then all requests at once
            socket->write(raw);
        int ok = 0, conflict = 0;
        for (auto& socket : sockets) {
            QByteArray response;
            while (socket->waitForReadyRead(20000))
                response += socket->readAll();
            if (response.startsWith("HTTP/1.1 200"))
                ++ok;
            else if (response.startsWith("HTTP/1.1 409"))
                ++conflict;
        }
        QCOMPARE(ok, 1);
        QCOMPARE(conflict, CLIENTS - 1);

        stopServer(); // still consumed after a restart
        QVERIFY(startServer());
        const QByteArray after = http("GET", "/v1/requests/" + id.toLatin1());
        QVERIFY2(after.contains("\"state\":\"consumed\""), after.constData());
        QCOMPARE(m_services->requests().request(id)->state, approvals::RequestState::Consumed);
    }
};

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "tst_e2e.moc"
