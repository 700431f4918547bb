#include "api/apihandler.h"
#include "application/instance.h"
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "evidence/checkpoint.h"
#include "evidence/merkle.h"
#include "evidence/receipt.h"
#include "http/endpointthread.h"
#include "policy/policystore.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>

using namespace countersign;

namespace {

struct Response {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool closed = false;

    QByteArray header(const QByteArray& name) const
    {
        for (const auto& [key, value] : headers)
            if (key.toLower() == name)
                return value;
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString errorCode() const
    {
        return json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
    }
};

/// Reads exactly one response from a socket, or whatever came before it closed.
Response readResponse(QIODevice& socket, QByteArray& buffer, int timeoutMs = 10000)
{
    Response response;
    QElapsedTimer timer;
    timer.start();
    auto waitMore = [&] {
        if (socket.bytesAvailable() > 0) {
            buffer += socket.readAll();
            return true;
        }
        const int left = timeoutMs - static_cast<int>(timer.elapsed());
        if (left <= 0 || !socket.waitForReadyRead(left)) {
            buffer += socket.readAll();
            response.closed = true;
            return false;
        }
        buffer += socket.readAll();
        return true;
    };
    qsizetype headerEnd = -1;
    while ((headerEnd = buffer.indexOf("\r\n\r\n")) < 0) {
        if (!waitMore())
            return response;
    }
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    response.status = lines.value(0).split(' ').value(1).toInt();
    qsizetype length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        response.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        if (line.left(colon).trimmed().toLower() == "content-length")
            length = line.mid(colon + 1).trimmed().toLongLong();
    }
    while (buffer.size() < headerEnd + 4 + length) {
        if (!waitMore())
            break;
    }
    response.body = buffer.mid(headerEnd + 4, length);
    buffer.remove(0, headerEnd + 4 + length);
    return response;
}

} // namespace

class TestEndpoint final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;              // one per test function
    std::unique_ptr<application::Instance> m_instance; // the running app, as the window builds it
    vault::Vault* m_vault = nullptr;
    approvals::Services* m_services = nullptr; // the "window's" services, on this thread
    QByteArray m_token;
    QByteArray m_otherToken;
    quint16 m_port = 0;

    QByteArray host() const { return "127.0.0.1:" + QByteArray::number(m_port); }

    Response send(const QByteArray& raw, int timeoutMs = 10000)
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(5000))
            return {};
        socket.write(raw);
        socket.waitForBytesWritten(5000);
        QByteArray buffer;
        return readResponse(socket, buffer, timeoutMs);
    }

    QByteArray get(const QByteArray& path, const QByteArray& token, const QByteArray& extra = {})
    {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host() + "\r\n" +
               (token.isEmpty() ? QByteArray() : "Authorization: Bearer " + token + "\r\n") + extra + "\r\n";
    }

    QByteArray post(const QByteArray& path, const QByteArray& token, const QByteArray& body,
                    const QByteArray& contentType = "application/json")
    {
        return "POST " + path + " HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Bearer " + token +
               "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) +
               "\r\n\r\n" + body;
    }

    /// Another instance on this test's vault directory (a second Vault on it), with other
    /// \a settings; its endpoint is not started.
    std::unique_ptr<application::Instance> openSecondInstance(const http::EndpointSettings& settings)
    {
        return test::openInstance(test::openVault(m_dir->filePath(QStringLiteral("vault"))), settings);
    }

    QString createRequest(const QByteArray& token = {})
    {
        const Response created = send(post("/v1/requests", token.isEmpty() ? m_token : token,
                                           R"({"capability":"deploy.web","summary":"Deploy web","payload":{"v":1}})"));
        return created.json().value(QStringLiteral("id")).toString();
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        http::EndpointSettings settings;
        settings.port = 0;
        settings.localSocketPath = m_dir->filePath(QStringLiteral("run/countersign.sock"));
        settings.headerTimeoutMs = 500;
        settings.requestTimeoutMs = 2000;
        settings.idleTimeoutMs = 800;
        settings.maxConnections = 8;
        settings.authFailuresBeforeLockout = 6;
        settings.lockoutMs = 60'000;
        settings.ratePerSecond = 1000;
        settings.rateBurst = 1000;
        m_instance = test::openInstance(test::createVault(m_dir->filePath(QStringLiteral("vault"))), settings);
        QVERIFY(m_instance);
        m_vault = &m_instance->vault();
        m_services = m_instance->services();
        QVERIFY(
            test::addMember(*m_services, QStringLiteral("alice"), QStringLiteral("Alice"), QStringLiteral("approver")));
        m_token =
            m_services->runtimes()
                .registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")}, QStringLiteral("member:owner"))
                ->toLatin1();
        m_otherToken =
            m_services->runtimes()
                .registerRuntime(QStringLiteral("other"), {QStringLiteral("*")}, QStringLiteral("member:owner"))
                ->toLatin1();
        QVERIFY(m_services->runtimes().registerRuntime(QStringLiteral("slow"), {QStringLiteral("*")},
                                                       QStringLiteral("member:owner")));

        auto started = m_instance->startEndpoint();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
        m_port = m_instance->endpoint().port();
        QVERIFY(m_port != 0);
    }

    void cleanup()
    {
        m_services = nullptr;
        m_vault = nullptr;
        m_instance.reset();
        m_dir.reset();
    }

    void startingFailsClearlyWhenItCannotListen()
    {
        // A Unix socket where none can be made, and a team listener whose certificate is not
        // one: the endpoint says so instead of serving half.
        http::EndpointSettings noSocket;
        noSocket.port = 0;
        noSocket.localSocketPath = QStringLiteral("/proc/countersign-test/countersign.sock");
        auto first = openSecondInstance(noSocket);
        QVERIFY(first);
        auto socketFailure = first->startEndpoint();
        QVERIFY(!socketFailure);
        QCOMPARE(test::errorCode(socketFailure), ErrorCode::Io);
        http::EndpointSettings badTeam;
        badTeam.port = 0;
        badTeam.team = http::EndpointSettings::Team{
            QStringLiteral("127.0.0.1"), 0, QStringLiteral("127.0.0.1"), QByteArray("not a certificate"),
            std::make_shared<const crypto::SecureBuffer>(crypto::SecureBuffer::copyOf("not a key"))};
        // No vault holds a certificate that is not one, so this endpoint is built by hand.
        http::EndpointThread second(badTeam, api::ApiHandler::factory([&] {
                                        return application::openServices(*m_vault, m_instance->events(),
                                                                         QStringLiteral("bad-team"));
                                    }));
        auto teamFailure = second.start();
        QVERIFY(!teamFailure);
        QCOMPARE(test::errorCode(teamFailure), ErrorCode::Crypto);
    }

    void healthCarriesSecurityHeaders()
    {
        const Response health = send(get("/v1/health", {}));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(health.header("cache-control"), QByteArray("no-store"));
        QCOMPARE(health.header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(health.header("content-security-policy"), QByteArray("default-src 'none'"));
        QCOMPARE(health.header("content-type"), QByteArray("application/json"));
        for (const auto& header : health.headers)
            QVERIFY2(!header.first.toLower().startsWith("access-control"), header.first.constData());
    }

    void hostMustBeLoopback_data()
    {
        QTest::addColumn<QByteArray>("hostLine");
        QTest::addColumn<int>("status");
        QTest::newRow("rebinding name") << QByteArray("Host: evil.example:PORT\r\n") << 421;
        QTest::newRow("wrong port") << QByteArray("Host: 127.0.0.1:1\r\n") << 421;
        QTest::newRow("no port") << QByteArray("Host: localhost\r\n") << 421;
        QTest::newRow("two hosts") << QByteArray("Host: localhost:PORT\r\nHost: evil:PORT\r\n") << 421;
        QTest::newRow("missing") << QByteArray() << 421;
        QTest::newRow("localhost") << QByteArray("Host: localhost:PORT\r\n") << 200;
        QTest::newRow("ipv6") << QByteArray("Host: [::1]:PORT\r\n") << 200;
    }
    void hostMustBeLoopback()
    {
        QFETCH(QByteArray, hostLine);
        QFETCH(int, status);
        hostLine.replace("PORT", QByteArray::number(m_port));
        // Before authentication: a missing token does not turn 421 into 401.
        const Response response =
            send("GET /v1/requests HTTP/1.1\r\n" + hostLine + "Authorization: Bearer " + m_token + "\r\n\r\n");
        QCOMPARE(response.status, status);
        if (status == 421) {
            QCOMPARE(response.errorCode(), QStringLiteral("misdirected_request"));
            const Response noToken = send("GET /v1/requests HTTP/1.1\r\n" + hostLine + "\r\n");
            QCOMPARE(noToken.status, 421);
        }
    }

    void originIsRefused()
    {
        const Response response = send(get("/v1/requests", m_token, "Origin: http://localhost:3000\r\n"));
        QCOMPARE(response.status, 403);
        QCOMPARE(response.errorCode(), QStringLiteral("origin_forbidden"));
        QCOMPARE(send(get("/v1/health", {}, "Origin: null\r\n")).status, 403);
    }

    void routeTableDeniesByDefault()
    {
        QCOMPARE(send(get("/v1/nothing", m_token)).status, 404);
        QCOMPARE(send(get("/v1/requests/../../etc/passwd", m_token)).status, 404);
        const Response wrongMethod = send("DELETE /v1/requests HTTP/1.1\r\nHost: " + host() + "\r\n\r\n");
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(wrongMethod.header("allow"), QByteArray("POST, GET"));
    }

    void bearerOnly()
    {
        QCOMPARE(send(get("/v1/requests", {})).status, 401);
        QCOMPARE(send(get("/v1/requests", "cs_rt_wrong")).status, 401);
        QCOMPARE(send(get("/v1/requests?token=" + m_token + "&access_token=" + m_token, {})).status, 401);
        QCOMPARE(send("GET /v1/requests HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Basic " +
                      m_token.toBase64() + "\r\n\r\n")
                     .status,
                 401);
        QCOMPARE(send(get("/v1/requests", m_token)).status, 200);
    }

    void repeatedFailuresLockOutButNotValidTokens()
    {
        // The endpoint locks a client out after 6 failures (init()): each of those is refused as
        // unauthenticated, the next one as locked out.
        for (int i = 0; i < 6; ++i) {
            const Response refused = send(get("/v1/requests", "cs_rt_guess" + QByteArray::number(i)));
            QCOMPARE(refused.status, 401);
            QCOMPARE(refused.errorCode(), QStringLiteral("unauthenticated"));
        }
        const Response response = send(get("/v1/requests", "cs_rt_guess"));
        QCOMPARE(response.status, 429);
        QCOMPARE(response.errorCode(), QStringLiteral("locked_out"));
        QVERIFY(response.header("retry-after").toInt() > 0);
        QCOMPARE(send(get("/v1/requests", m_token)).status, 200); // shares the address, still served
        QSqlQuery audit(m_services->database());
        QVERIFY(audit.exec(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'auth.lockout'")) &&
                audit.next());
        QCOMPARE(audit.value(0).toInt(), 1);
        // Failures are audited in aggregate: the client's first in the window is an entry of its
        // own, and the lockout entry says how many led to it.
        QVERIFY(audit.exec(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'auth.failed'")) &&
                audit.next());
        QVERIFY(audit.value(0).toInt() >= 1);
        QVERIFY(audit.exec(QStringLiteral("SELECT details FROM audit_log WHERE action = 'auth.lockout'")) &&
                audit.next());
        const QJsonObject lockout = QJsonDocument::fromJson(audit.value(0).toByteArray()).object();
        QVERIFY(lockout.value(QStringLiteral("failures")).toInt() >= 6);
        QCOMPARE(lockout.value(QStringLiteral("listener")).toString(), QStringLiteral("loopback"));
    }

    void oversizedBodyIsRefusedUnread()
    {
        // Only the headers are sent: the 413 comes from Content-Length alone.
        const Response response =
            send("POST /v1/requests HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Bearer " + m_token +
                 "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
        QCOMPARE(response.status, 413);
        QVERIFY(response.closed || response.header("connection") == "close");
        // A chunked body is cut off as soon as it crosses 64 KiB.
        QByteArray chunked = "POST /v1/requests HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Bearer " + m_token +
                             "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 20; ++i)
            chunked += "1000\r\n" + QByteArray(4096, 'x') + "\r\n";
        QCOMPARE(send(chunked).status, 413);
    }

    void oversizedHeadersAre431()
    {
        const Response response = send(get("/v1/health", {}, "X-Filler: " + QByteArray(20 * 1024, 'a') + "\r\n"));
        QCOMPARE(response.status, 431);
    }

    void whitespaceBeforeTheColonIsRefused()
    {
        // RFC 9112 5.1: no whitespace between a field name and its colon. A lenient reading
        // takes no framing from `Content-Length : N` and answers the "body" as a second,
        // smuggled request; the only right answer is one 400, then the connection closes.
        const QByteArray smuggled = "GET /v1/nothing HTTP/1.1\r\nHost: " + host() + "\r\n\r\n";
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /v1/health HTTP/1.1\r\nHost: " + host() +
                     "\r\nContent-Length : " + QByteArray::number(smuggled.size()) + "\r\n\r\n" + smuggled);
        QByteArray buffer;
        const Response response = readResponse(socket, buffer);
        QCOMPARE(response.status, 400);
        QVERIFY(socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(5000));
        buffer += socket.readAll();
        QVERIFY2(!buffer.contains("HTTP/1.1"), buffer.constData()); // nothing answered after it
        // The same with a tab, and a name that is not a token at all.
        QCOMPARE(send("GET /v1/health HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length\t: 0\r\n\r\n").status, 400);
        QCOMPARE(send("GET /v1/health HTTP/1.1\r\nHost: " + host() + "\r\nX Y: 0\r\n\r\n").status, 400);
        QCOMPARE(send(get("/v1/health", {}, "X-Fine_Name.1: ok\r\n")).status, 200);
    }

    void slowHeadersAre408()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /v1/health HTTP/1.1\r\nHost: " + host() + "\r\n");
        QByteArray buffer;
        const Response response = readResponse(socket, buffer, 10000);
        QCOMPARE(response.status, 408);
        QVERIFY(socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(5000));
    }

    void slowBodyIs408()
    {
        // The deadline covers the whole request, body included: a body announced as 60,000
        // bytes and trickled a byte at a time is cut off with 408 (2 s here), however steadily
        // the bytes keep coming.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /v1/requests HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Bearer " + m_token +
                     "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{");
        QElapsedTimer timer;
        timer.start();
        QByteArray buffer;
        while (timer.elapsed() < 20000 && socket.state() == QAbstractSocket::ConnectedState &&
               !buffer.contains("\r\n\r\n")) {
            socket.write(" ");
            socket.flush();
            if (socket.waitForReadyRead(250))
                buffer += socket.readAll();
        }
        buffer += socket.readAll();
        qInfo("a trickled body was answered after %lld ms", timer.elapsed());
        QVERIFY2(buffer.startsWith("HTTP/1.1 408"), buffer.isEmpty() ? "no answer" : buffer.constData());
    }

    void idleKeepAliveIsClosed()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(get("/v1/health", {}));
        QByteArray buffer;
        QCOMPARE(readResponse(socket, buffer).status, 200);
        QVERIFY(socket.waitForDisconnected(10000)); // idle timeout is 0.8 s here
    }

    void connectionCountIsBounded()
    {
        // Open more connections than allowed at once (idle ones close after the header timeout).
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < 12; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, m_port);
            QVERIFY(socket->waitForConnected(5000));
            sockets.push_back(std::move(socket));
        }
        int refused = 0;
        for (auto& socket : sockets) {
            if (socket->bytesAvailable() > 0 || socket->waitForReadyRead(200))
                refused += socket->readAll().startsWith("HTTP/1.1 503") ? 1 : 0;
        }
        QVERIFY2(refused >= 1, "connections beyond the limit are answered 503");
        QVERIFY(refused <= 4);
        sockets.clear();
        QTRY_COMPARE_WITH_TIMEOUT(send(get("/v1/health", {})).status, 200, 10000);
    }

    void listenersHaveSlotsOfTheirOwn()
    {
        // Loopback full of connections that proved a token (never evicted to make room): one
        // more loopback client is refused, while the Unix socket, with slots of its own, serves.
        http::EndpointSettings settings;
        settings.port = 0;
        settings.localSocketPath = m_dir->filePath(QStringLiteral("slots/countersign.sock"));
        settings.maxConnections = 4;
        settings.idleTimeoutMs = 60'000;
        settings.ratePerSecond = 1000;
        settings.rateBurst = 1000;
        auto endpoint = openSecondInstance(settings);
        QVERIFY(endpoint);
        VERIFY_RESULT(endpoint->startEndpoint());
        const QByteArray request =
            "GET /v1/requests HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(endpoint->endpoint().port()) +
            "\r\nAuthorization: Bearer " + m_token + "\r\n\r\n";
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 4; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, endpoint->endpoint().port());
            QVERIFY(socket->waitForConnected(5000));
            socket->write(request);
            QByteArray buffer;
            QCOMPARE(readResponse(*socket, buffer).status, 200);
            held.push_back(std::move(socket));
        }
        QTcpSocket extra;
        extra.connectToHost(QHostAddress::LocalHost, endpoint->endpoint().port());
        QVERIFY(extra.waitForConnected(5000));
        extra.write(request);
        QByteArray extraBuffer;
        QCOMPARE(readResponse(extra, extraBuffer).status, 503);
        QLocalSocket local;
        local.connectToServer(settings.localSocketPath);
        QVERIFY(local.waitForConnected(5000));
        local.write("GET /v1/requests HTTP/1.1\r\nHost: localhost:" + QByteArray::number(endpoint->endpoint().port()) +
                    "\r\nAuthorization: Bearer " + m_token + "\r\n\r\n");
        QByteArray localBuffer;
        QCOMPARE(readResponse(local, localBuffer).status, 200);
    }

    void jsonOnlyAndNoUnknownFields()
    {
        QCOMPARE(
            send(post("/v1/requests", m_token, "capability=deploy.web", "application/x-www-form-urlencoded")).status,
            415);
        QCOMPARE(send(post("/v1/requests", m_token, R"({"capability":)")).status, 400);
        QCOMPARE(send(post("/v1/requests", m_token, R"([1,2])")).status, 400);
        const Response unknown =
            send(post("/v1/requests", m_token, R"({"capability":"deploy.web","summary":"x","colour":"red"})"));
        QCOMPARE(unknown.status, 400);
        QVERIFY(unknown.json()
                    .value(QStringLiteral("error"))
                    .toObject()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("colour")));
        QCOMPARE(send(post("/v1/requests", m_token, R"({"capability":"deploy.web","summary":"x","state":"approved"})"))
                     .status,
                 400);
        QCOMPARE(send(post("/v1/requests", m_token, R"({"capability":"payments.send","summary":"x"})")).status, 403);
    }

    void aRuntimeMayRaiseItsRiskButNotLowerItBelowTheFloor()
    {
        // The second rule's floor holds wherever it stands; the first rule then catches the
        // request at the risk the floor gave it.
        policy::PolicyRule twoForCritical;
        twoForCritical.capabilityGlob = QStringLiteral("deploy.production");
        twoForCritical.minimumRisk = policy::Risk::Critical;
        twoForCritical.approvals = 2;
        policy::PolicyRule floored;
        floored.capabilityGlob = QStringLiteral("deploy.*");
        floored.riskFloor = policy::Risk::Critical;
        policy::PolicyStore& policies = m_services->policies();
        const auto rulesBefore = policies.rules();
        VERIFY_RESULT(rulesBefore);
        const int before = static_cast<int>(rulesBefore->size());
        QVERIFY(policies.add(twoForCritical, QStringLiteral("member:owner"), 0));
        QVERIFY(policies.add(floored, QStringLiteral("member:owner")));

        const Response low = send(
            post("/v1/requests", m_token, R"({"capability":"deploy.production","summary":"Drop it","risk":"low"})"));
        QCOMPARE(low.status, 201);
        QCOMPARE(low.json().value(QStringLiteral("risk")).toString(), QStringLiteral("critical"));
        QCOMPARE(low.json().value(QStringLiteral("requested_risk")).toString(), QStringLiteral("low"));
        QCOMPARE(low.json().value(QStringLiteral("required_approvals")).toInt(), 2);
        QVERIFY(low.json().value(QStringLiteral("policy_rule")).toString().contains(QStringLiteral("[critical+]")));
        auto stored = m_services->requests().request(low.json().value(QStringLiteral("id")).toString());
        QVERIFY(stored);
        QCOMPARE(stored->risk, policy::Risk::Critical);
        QCOMPARE(stored->requestedRisk, policy::Risk::Low);
        // The runtime cannot set the effective risk itself.
        QCOMPARE(
            send(post("/v1/requests", m_token, R"({"capability":"deploy.web","summary":"x","requested_risk":"low"})"))
                .status,
            400);

        // Raising is always allowed: no floor here, and the declared risk stands.
        QVERIFY(policies.remove(before + 1, QStringLiteral("member:owner")));
        const Response raised = send(
            post("/v1/requests", m_token, R"({"capability":"deploy.production","summary":"x","risk":"critical"})"));
        QCOMPARE(raised.status, 201);
        QCOMPARE(raised.json().value(QStringLiteral("risk")).toString(), QStringLiteral("critical"));
        QCOMPARE(raised.json().value(QStringLiteral("required_approvals")).toInt(), 2);
        const Response plain =
            send(post("/v1/requests", m_token, R"({"capability":"deploy.production","summary":"x","risk":"low"})"));
        QCOMPARE(plain.json().value(QStringLiteral("risk")).toString(), QStringLiteral("low"));
        QCOMPARE(plain.json().value(QStringLiteral("required_approvals")).toInt(), 1);
        QVERIFY(policies.remove(0, QStringLiteral("member:owner")));
        const auto rulesAfter = policies.rules();
        VERIFY_RESULT(rulesAfter);
        QCOMPARE(rulesAfter->size(), before);
    }

    void otherRuntimesRequestIs404()
    {
        const QString id = createRequest();
        QVERIFY(!id.isEmpty());
        QCOMPARE(send(get("/v1/requests/" + id.toLatin1(), m_otherToken)).status, 404);
        QCOMPARE(send(post("/v1/requests/" + id.toLatin1() + "/cancel", m_otherToken, {})).status, 404);
        QCOMPARE(send(get("/v1/requests/" + id.toLatin1(), m_token)).status, 200);
    }

    void createIdempotentAndCancel()
    {
        QByteArray request =
            post("/v1/requests", m_token, R"({"capability":"deploy.web","summary":"Deploy","payload":[1,2,3]})");
        request.insert(request.indexOf("\r\n") + 2, "Idempotency-Key: deploy-42\r\n");
        const Response first = send(request);
        QCOMPARE(first.status, 201);
        const Response again = send(request);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("id")), first.json().value(QStringLiteral("id")));
        // The same key with another body is a conflict (as the guide says).
        QByteArray other =
            post("/v1/requests", m_token, R"({"capability":"deploy.web","summary":"Deploy","payload":[1,2,4]})");
        other.insert(other.indexOf("\r\n") + 2, "Idempotency-Key: deploy-42\r\n");
        const Response conflict = send(other);
        QCOMPARE(conflict.status, 409);
        QCOMPARE(conflict.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("conflict"));
        const QByteArray id = first.json().value(QStringLiteral("id")).toString().toLatin1();
        const Response cancelled = send(post("/v1/requests/" + id + "/cancel", m_token, {}));
        QCOMPARE(cancelled.status, 200);
        QCOMPARE(cancelled.json().value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
        QCOMPARE(send(post("/v1/requests/" + id + "/cancel", m_token, {})).status, 409);
        const Response list = send(get("/v1/requests?state=cancelled", m_token));
        QCOMPARE(list.status, 200);
        QVERIFY(QString::fromUtf8(list.body).contains(QString::fromLatin1(id)));
    }

    void consumeErrors()
    {
        const QByteArray id = createRequest().toLatin1();
        const QByteArray digest = R"({"payload_sha256":"00"})";
        QCOMPARE(send(post("/v1/requests/" + id + "/consume", m_token, digest)).status, 403);
        QVERIFY(m_services->requests().approve(QStringLiteral("alice"), QString::fromLatin1(id), QStringLiteral("ok")));
        QCOMPARE(send(post("/v1/requests/" + id + "/consume", m_token, digest)).status, 422);
        QCOMPARE(send(post("/v1/requests/" + id + "/consume", m_token, R"({"payload_sha256":"00","x":1})")).status,
                 400);
        const QByteArray good =
            R"({"payload_sha256":"2ca0b2b8c1fc5b1c2a40c6f4de2f7fe9c0b41a8a3b5c8ef5a0c7b6c2d6f4b2a1"})";
        const Response status = send(get("/v1/requests/" + id, m_token));
        const QByteArray real = "{\"payload_sha256\":\"" +
                                status.json().value(QStringLiteral("payload_sha256")).toString().toLatin1() + "\"}";
        QCOMPARE(send(post("/v1/requests/" + id + "/consume", m_token, good)).status, 422);
        const Response consumed = send(post("/v1/requests/" + id + "/consume", m_token, real));
        QCOMPARE(consumed.status, 200);
        QVERIFY(
            consumed.json().value(QStringLiteral("receipt")).toObject().value(QStringLiteral("audit_seq")).toInteger() >
            0);
        QCOMPARE(send(post("/v1/requests/" + id + "/consume", m_token, real)).status, 409);
        // The receipt stands on its own: signed, with a checkpoint that includes the consume.
        const QJsonObject receipt = consumed.json().value(QStringLiteral("receipt")).toObject();
        auto verified = audit::Receipt::verify(receipt, m_vault->instancePublicKey());
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().message));
    }

    void auditProofsOverHttp()
    {
        // A decision signs a checkpoint; the endpoint serves it and proofs against it.
        const QString id = createRequest();
        QVERIFY(m_services->requests().deny(QStringLiteral("alice"), id, QStringLiteral("no")));
        const Response first = send(get("/v1/audit/checkpoint", m_token));
        QCOMPARE(first.status, 200);
        auto checkpoint = audit::Checkpoint::parse(first.json().value(QStringLiteral("checkpoint")).toString().toUtf8(),
                                                   m_vault->instancePublicKey());
        QVERIFY2(checkpoint, qPrintable(checkpoint ? QString() : checkpoint.error().message));
        const auto size = static_cast<qint64>(checkpoint->size);
        QVERIFY(size > 1);
        const Response proof = send(get("/v1/audit/proof?seq=2&size=" + QByteArray::number(size), m_token));
        QCOMPARE(proof.status, 200);
        QList<QByteArray> path;
        for (const QJsonValue& hash : proof.json().value(QStringLiteral("proof")).toArray())
            path.append(QByteArray::fromBase64(hash.toString().toLatin1()));
        // A runtime gets the entry's leaf hash, never the entry (another party's record).
        QVERIFY(!proof.json().contains(QStringLiteral("entry")));
        const QByteArray leaf =
            QByteArray::fromBase64(proof.json().value(QStringLiteral("leaf_hash")).toString().toLatin1());
        auto stored = m_vault->audit().entries(2, 1);
        QVERIFY(stored && stored->size() == 1);
        QCOMPARE(leaf, audit::merkle::leafHash(stored->first().canonicalEncoding()));
        QVERIFY(audit::merkle::verifyInclusion(1, checkpoint->size, leaf, path, checkpoint->root));
        QVERIFY(!audit::merkle::verifyInclusion(2, checkpoint->size, leaf, path, checkpoint->root));

        // A later checkpoint is consistent with this one.
        const QString next = createRequest();
        QVERIFY(m_services->requests().deny(QStringLiteral("alice"), next, QStringLiteral("no")));
        auto later = audit::Checkpoint::parse(
            send(get("/v1/audit/checkpoint", m_token)).json().value(QStringLiteral("checkpoint")).toString().toUtf8(),
            m_vault->instancePublicKey());
        QVERIFY(later && later->size > checkpoint->size);
        const Response consistency = send(
            get("/v1/audit/consistency?from=" + QByteArray::number(size) + "&to=" + QByteArray::number(later->size),
                m_token));
        QCOMPARE(consistency.status, 200);
        QList<QByteArray> steps;
        for (const QJsonValue& hash : consistency.json().value(QStringLiteral("proof")).toArray())
            steps.append(QByteArray::fromBase64(hash.toString().toLatin1()));
        QVERIFY(audit::merkle::verifyConsistency(checkpoint->size, later->size, steps, checkpoint->root, later->root));

        // Bad input is a clear 400.
        QCOMPARE(send(get("/v1/audit/proof?seq=0&size=1", m_token)).status, 400);
        QCOMPARE(send(get("/v1/audit/proof?seq=2&size=999999999", m_token)).status, 400);
        QCOMPARE(send(get("/v1/audit/proof?seq=x&size=2", m_token)).status, 400);
        QCOMPARE(send(get("/v1/audit/consistency?from=5&to=4", m_token)).status, 400);
        QCOMPARE(send(post("/v1/audit/checkpoint", m_token, "{}")).status, 405);
    }

    void keepAliveAndPipelining()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(get("/v1/health", {}) + get("/v1/nothing", {}) + get("/v1/requests", m_token));
        QByteArray buffer;
        QCOMPARE(readResponse(socket, buffer).status, 200);
        QCOMPARE(readResponse(socket, buffer).status, 404);
        QCOMPARE(readResponse(socket, buffer).status, 200);
        socket.write(get("/v1/health", {}));
        QCOMPARE(readResponse(socket, buffer).status, 200); // the same connection, still open
    }

    void writesArrivingTogetherShareACommit()
    {
        // Five connections (the endpoint admits eight; the ones that made `cancelled` may not
        // be reaped yet) send at once, round after round: creates, a cancel that must fail (the
        // request was cancelled before), and a create the runtime may not make. Writes that arrive
        // together commit together; each still gets its own answer, the failures theirs alone,
        // and every acknowledged create is there afterwards.
        const QByteArray cancelled = createRequest().toLatin1();
        QVERIFY(!cancelled.isEmpty());
        QCOMPARE(send(post("/v1/requests/" + cancelled + "/cancel", m_token, {})).status, 200);
        constexpr int CONNECTIONS = 5;
        constexpr int ROUNDS = 12;
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < CONNECTIONS; ++i) {
            sockets.push_back(std::make_unique<QTcpSocket>());
            sockets.back()->connectToHost(QHostAddress::LocalHost, m_port);
            QVERIFY(sockets.back()->waitForConnected(5000));
        }
        const auto commitsSoFar = [this] {
            return std::dynamic_pointer_cast<api::ApiHandler>(m_instance->endpoint().handler())->writeCommits();
        };
        const quint64 before = commitsSoFar();
        QStringList created;
        for (int round = 0; round < ROUNDS; ++round) {
            for (int i = 0; i < CONNECTIONS; ++i) {
                QByteArray raw;
                if (i == 0)
                    raw = post("/v1/requests/" + cancelled + "/cancel", m_token, {});
                else if (i == 1)
                    raw = post("/v1/requests", m_token, R"({"capability":"db.drop","summary":"Not allowed"})");
                else
                    raw = post("/v1/requests", m_token,
                               R"({"capability":"deploy.web","summary":"Burst )" + QByteArray::number(round * 10 + i) +
                                   R"(","payload":{"v":1}})");
                sockets[i]->write(raw);
                sockets[i]->flush();
            }
            std::vector<QByteArray> buffers(CONNECTIONS);
            for (int i = 0; i < CONNECTIONS; ++i) {
                const Response response = readResponse(*sockets[i], buffers[i]);
                if (i <= 1) {
                    QVERIFY2(response.status == (i == 0 ? 409 : 403), response.body.constData());
                    QCOMPARE(response.errorCode(),
                             i == 0 ? QStringLiteral("conflict") : QStringLiteral("permission_denied"));
                } else {
                    QCOMPARE(response.status, 201);
                    created.append(response.json().value(QStringLiteral("id")).toString());
                }
            }
        }
        const quint64 commits = commitsSoFar() - before;
        const int writes = ROUNDS * CONNECTIONS;
        qInfo("%d writes in %llu commits", writes, static_cast<unsigned long long>(commits));
        QVERIFY(commits >= 1);
        QVERIFY2(commits < static_cast<quint64>(writes), "writes arriving together were committed one by one");
        // Acknowledged means stored: the window's own connection reads every one of them.
        for (const QString& id : std::as_const(created)) {
            auto request = m_services->requests().request(id);
            QVERIFY2(request, qPrintable(id));
            QCOMPARE(request->state, approvals::RequestState::Pending);
        }
    }

    void longPollAnsweredOnDecision()
    {
        const QByteArray id = createRequest().toLatin1();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        QElapsedTimer timer;
        timer.start();
        socket.write(get("/v1/requests/" + id + "?wait=30", m_token));
        QVERIFY(socket.waitForBytesWritten(5000));
        QVERIFY(!socket.waitForReadyRead(300)); // still pending: no answer yet
        QVERIFY(m_services->requests().approve(QStringLiteral("alice"), QString::fromLatin1(id), {}));
        QByteArray buffer;
        const Response response = readResponse(socket, buffer, 10000);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.json().value(QStringLiteral("state")).toString(), QStringLiteral("approved"));
        QVERIFY2(timer.elapsed() < 10000, "answered on the decision, not at the 30 s timeout");
    }

    void longPollWaitsThroughAnApprovalThatLeavesItPending()
    {
        policy::PolicyRule rule;
        rule.capabilityGlob = QStringLiteral("deploy.*");
        rule.approvals = 2;
        QVERIFY(m_services->policies().add(rule, QStringLiteral("member:owner")));
        QVERIFY(test::addMember(*m_services, QStringLiteral("bob"), QStringLiteral("Bob"), QStringLiteral("approver")));
        const QByteArray id = createRequest().toLatin1();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(get("/v1/requests/" + id + "?wait=30", m_token));
        QVERIFY(socket.waitForBytesWritten(5000));
        QVERIFY(!socket.waitForReadyRead(300));
        // One approval of two changes the request, and it is still pending: no answer yet
        // (docs/runtime-guide.md: answered the moment it leaves pending).
        QVERIFY(m_services->requests().approve(QStringLiteral("alice"), QString::fromLatin1(id), {}));
        QVERIFY2(!socket.waitForReadyRead(1500), socket.readAll().constData());
        QVERIFY(m_services->requests().approve(QStringLiteral("bob"), QString::fromLatin1(id), {}));
        QByteArray buffer;
        const Response response = readResponse(socket, buffer, 10000);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.json().value(QStringLiteral("state")).toString(), QStringLiteral("approved"));
    }

    void statusFollowsDecisions()
    {
        const QByteArray id = createRequest().toLatin1();
        QCOMPARE(send(get("/v1/requests/" + id, m_token)).json().value(QStringLiteral("state")).toString(),
                 QStringLiteral("pending"));
        QVERIFY(m_services->requests().deny(QStringLiteral("alice"), QString::fromLatin1(id), QStringLiteral("no")));
        QTRY_COMPARE_WITH_TIMEOUT(
            send(get("/v1/requests/" + id, m_token)).json().value(QStringLiteral("state")).toString(),
            QStringLiteral("denied"), 2000);
        QCOMPARE(send(get("/v1/requests/" + id, m_otherToken)).status, 404); // never from another runtime's cache
    }

    void longPollTimesOutWithCurrentState()
    {
        const QByteArray id = createRequest().toLatin1();
        QElapsedTimer timer;
        timer.start();
        const Response response = send(get("/v1/requests/" + id + "?wait=1", m_token), 15000);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.json().value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        QVERIFY(timer.elapsed() >= 900);
        QCOMPARE(send(get("/v1/requests/" + id + "?wait=soon", m_token)).status, 400);
    }

    void answersWhileTheMainThreadIsBlocked()
    {
        const QByteArray id = createRequest().toLatin1();
        std::atomic<int> status{0};
        std::atomic<qint64> answeredAt{0};
        QElapsedTimer clock;
        clock.start();
        std::thread client([&] {
            QThread::msleep(300);
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (!socket.waitForConnected(5000))
                return;
            socket.write(get("/v1/requests/" + id, m_token));
            QByteArray buffer;
            status = readResponse(socket, buffer, 5000).status;
            answeredAt = clock.elapsed();
        });
        QThread::msleep(2000); // the "GUI" thread is busy and processes no events
        const qint64 mainWokeAt = clock.elapsed();
        client.join();
        QCOMPARE(status.load(), 200);
        QVERIFY2(answeredAt.load() < mainWokeAt, "the poll was answered while the main thread was blocked");
    }

    void unixSocketIsPrivate()
    {
        const QString path = m_dir->filePath(QStringLiteral("run/countersign.sock"));
        QFileInfo info(path);
        QVERIFY(info.exists());
        QCOMPARE(info.permissions() & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
                 QFile::Permissions());
        // What docs/runtime-guide.md states: the directory 0700, the socket srwx------ as Qt's
        // QLocalServer::UserAccessOption makes it (for a socket only the write bit matters).
        const QFile::Permissions mode = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup |
                                        QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther |
                                        QFile::ExeOther;
        const QFile::Permissions ownerOnly = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
        QCOMPARE(QFileInfo(info.absolutePath()).permissions() & mode, ownerOnly);
        QCOMPARE(info.permissions() & mode, ownerOnly);
        QLocalSocket socket;
        socket.connectToServer(path);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(get("/v1/requests", m_token));
        QByteArray buffer;
        QCOMPARE(readResponse(socket, buffer).status, 200);
        // A socket has no port: plain `localhost` is accepted there (on TCP it is 421), and
        // any other name is still misdirected.
        socket.write("GET /v1/requests HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + m_token + "\r\n\r\n");
        QCOMPARE(readResponse(socket, buffer).status, 200);
        socket.write("GET /v1/requests HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer " + m_token +
                     "\r\n\r\n");
        QCOMPARE(readResponse(socket, buffer).status, 421);
    }

    void rateLimitAnswers429()
    {
        http::EndpointSettings settings;
        settings.port = 0;
        settings.ratePerSecond = 1;
        settings.rateBurst = 2;
        auto limited = openSecondInstance(settings);
        QVERIFY(limited);
        VERIFY_RESULT(limited->startEndpoint());
        const quint16 saved = m_port;
        m_port = limited->endpoint().port();
        QList<int> statuses;
        Response last;
        for (int i = 0; i < 4; ++i) {
            last = send(get("/v1/requests", m_token));
            statuses.append(last.status);
        }
        m_port = saved;
        QVERIFY2(statuses.contains(429), qPrintable(QString::number(statuses.constLast())));
        QCOMPARE(statuses.first(), 200);
        QCOMPARE(last.status, 429);
        QCOMPARE(last.errorCode(), QStringLiteral("rate_limited"));
        QVERIFY(last.header("retry-after").toInt() >= 1);
    }
};

QTEST_GUILESS_MAIN(TestEndpoint)
#include "tst_endpoint.moc"
