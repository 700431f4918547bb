// The transport under attack, from outside: a real `countersign --headless` with its loopback
// and TLS team listeners, and hostile clients on raw sockets. Silent TLS connections, slow
// headers, team connections by the hundred, pipelined requests whose answers are never read,
// failed authentications from a shared address and from rotating ones: each time the
// legitimate runtime or member next to the attacker is still served, the server's memory stays
// bounded, and the audit does not grow with every attempt. Figures are printed (qInfo) for the
// record; the assertions leave room for a slow, busy machine.
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "crypto/signingkey.h"
#include "http/endpointsettings.h"
#include "members/sessionservice.h"
#include "members/teamlistenersettings.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");

QJsonObject bodyOf(const QByteArray& response)
{
    return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
}

int statusOf(const QByteArray& response)
{
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : 0;
}

} // namespace

class TestTransport final : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_vaultDir;
    approvals::RequestEvents m_events;
    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<approvals::Services> m_services;
    std::shared_ptr<const crypto::SigningKey> m_aliceKey;
    std::shared_ptr<const crypto::SigningKey> m_bobKey;
    QByteArray m_runtimeToken;
    QProcess m_server;
    quint16 m_port = 0;
    quint16 m_teamPort = 0;

    QByteArray host() const { return "127.0.0.1:" + QByteArray::number(m_port); }

    QByteArray loopback(const QByteArray& method, const QByteArray& path, const QByteArray& token,
                        const QByteArray& body = {})
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(10000))
            return "no connection: " + socket.errorString().toUtf8();
        return test::httpExchange(socket, method, path, host(), token, body);
    }

    QByteArray team(const QByteArray& method, const QByteArray& path, const QByteArray& token,
                    const QByteArray& body = {})
    {
        QSslSocket socket;
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_teamPort);
        if (!socket.waitForEncrypted(10000))
            return "no TLS: " + socket.errorString().toUtf8();
        return test::httpExchange(socket, method, path, "127.0.0.1:" + QByteArray::number(m_teamPort), token, body);
    }

    /// Challenge, sign, open: what a member's client does. Returns the answer to the opening.
    QByteArray openSession(const QString& member, const crypto::SigningKey& key)
    {
        const QByteArray challenge =
            team("POST", "/v1/sessions/challenge", {}, "{\"member\":\"" + member.toLatin1() + "\"}");
        if (statusOf(challenge) != 200)
            return challenge;
        const QByteArray nonce =
            QByteArray::fromBase64(bodyOf(challenge).value(QStringLiteral("nonce")).toString().toLatin1());
        const QString instance = bodyOf(challenge).value(QStringLiteral("instance")).toString();
        const QByteArray signature = key.sign(members::SessionService::statement(instance, member, nonce));
        return team("POST", "/v1/sessions", {},
                    QJsonDocument(QJsonObject{{QStringLiteral("member"), member},
                                              {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                              {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}})
                        .toJson(QJsonDocument::Compact));
    }

    /// Connects \a count TCP sockets to the team listener that never send a byte (no ClientHello),
    /// appending them to \a silent, and returns once every one has reached the listener. The
    /// listener keeps a few unauthenticated connections per address and closes the oldest for
    /// each newcomer beyond them. Connected all at once, most would overflow the kernel's accept
    /// queue (a listen backlog of 50, emptied at a busy server's pace): a dropped SYN is retried
    /// a second or more later, and a handshake whose last ACK was dropped is completed when the
    /// server repeats its SYN-ACK, even after the client closed it. Either way such a connection
    /// reaches the listener after a member who dialled later from the same address, and closes
    /// the member's. So they go a batch at a time, each once the listener has closed as many as
    /// it keeps: the queue never overflows, and all are in before whatever connects next.
    bool openSilent(std::vector<std::unique_ptr<QTcpSocket>>& silent, int count)
    {
        const int kept = http::EndpointSettings::Team{}.unprovenPerAddress;
        const auto settled = [&] {
            int open = 0;
            for (const std::unique_ptr<QTcpSocket>& socket : silent) {
                if (socket->state() == QAbstractSocket::ConnectingState)
                    return false;
                open += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
            }
            return open <= kept;
        };
        for (int opened = 0; opened < count;) {
            for (int batch = 0; batch < kept && opened < count; ++batch, ++opened) {
                auto socket = std::make_unique<QTcpSocket>();
                socket->connectToHost(QHostAddress::LocalHost, m_teamPort);
                silent.push_back(std::move(socket));
            }
            if (!QTest::qWaitFor(settled, 60000))
                return false;
        }
        return true;
    }

    qint64 serverRssKib() const
    {
        QFile status(QStringLiteral("/proc/%1/status").arg(m_server.processId()));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray& line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
        return -1;
    }

    int auditEntries(const QString& prefix)
    {
        int count = 0;
        const auto entries = m_vault->audit().entries(1, 10'000'000);
        for (const audit::AuditEntry& entry : entries.value_or(QList<audit::AuditEntry>()))
            count += entry.action.startsWith(prefix) ? 1 : 0;
        return count;
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vaultDir = m_dir->filePath(QStringLiteral("vault"));
        m_vault = test::createVault(m_vaultDir);
        QVERIFY(m_vault);
        const QString passFile = m_dir->filePath(QStringLiteral("pass"));
        test::writeTextFile(passFile, test::PASSPHRASE);
        auto services = application::openServices(*m_vault, m_events, QStringLiteral("test"));
        QVERIFY(services);
        m_services = std::move(*services);
        auto token = m_services->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")},
                                                            QStringLiteral("member:owner"));
        QVERIFY(token);
        m_runtimeToken = token->toLatin1();
        m_aliceKey =
            test::addMember(*m_services, QStringLiteral("alice"), QStringLiteral("Alice"), QStringLiteral("approver"));
        m_bobKey =
            test::addMember(*m_services, QStringLiteral("bob"), QStringLiteral("Bob"), QStringLiteral("approver"));
        QVERIFY(m_aliceKey && m_bobKey);
        m_teamPort = test::freeLoopbackPort();
        QVERIFY(m_teamPort > 0);
        QVERIFY(members::TeamListenerSettings::store(
            m_services->database(), m_services->audit(), QStringLiteral("owner"),
            members::TeamListenerSettings{QStringLiteral("127.0.0.1"), m_teamPort, QStringLiteral("127.0.0.1")}));
        QByteArray output;
        QVERIFY2(test::startHeadless(m_server, APP, m_vaultDir, passFile, 0,
                                     {QStringLiteral("--rate-limit"), QStringLiteral("100000")}, output),
                 output.constData());
        static const QRegularExpression SERVING(QStringLiteral("serving http://127.0.0.1:(\\d+)"));
        m_port = static_cast<quint16>(SERVING.match(QString::fromUtf8(output)).captured(1).toUInt());
        QVERIFY(m_port != 0);
        // The team line follows the loopback one.
        QElapsedTimer waited;
        waited.start();
        while (!output.contains("serving the team") && waited.elapsed() < 30000) {
            m_server.waitForReadyRead(200);
            output += m_server.readAllStandardOutput();
        }
        QVERIFY2(output.contains("serving the team"), output.constData());
        QCOMPARE(statusOf(loopback("GET", "/v1/requests", m_runtimeToken)), 200);
        QCOMPARE(statusOf(openSession(QStringLiteral("alice"), *m_aliceKey)), 201);
    }

    void cleanup()
    {
        test::stopProcess(m_server);
        m_services.reset();
        m_vault.reset();
        m_dir.reset();
    }

    void silentConnectionsDoNotShutTheTeamListener()
    {
        // TCP connections to the TLS listener that never send a ClientHello: first 200 held
        // open while a member signs in, then closed within 2 s, and a member signs in again. The
        // member dials from the same address, so every silent connection must reach the listener
        // before the member's does (openSilent).
        std::vector<std::unique_ptr<QTcpSocket>> silent;
        QElapsedTimer opening;
        opening.start();
        QVERIFY2(openSilent(silent, 200), "the listener takes in 200 silent connections");
        const qint64 openingMs = opening.elapsed();
        QElapsedTimer timer;
        timer.start();
        const QByteArray whileOpen = openSession(QStringLiteral("alice"), *m_aliceKey);
        const qint64 whileOpenMs = timer.elapsed();
        QVERIFY2(statusOf(whileOpen) == 201, whileOpen.constData());
        QTest::qWait(1000);
        for (auto& socket : silent)
            socket->abort();
        silent.clear();
        // The same again, closed after a second and a half, in one burst.
        QVERIFY2(openSilent(silent, 200), "the listener takes in 200 more silent connections");
        QTest::qWait(1500);
        silent.clear();
        timer.restart();
        const QByteArray after = openSession(QStringLiteral("alice"), *m_aliceKey);
        const qint64 afterMs = timer.elapsed();
        qInfo("the listener took in 200 silent connections in %lld ms; a member session opened in %lld ms with "
              "them held open, and in %lld ms after 200 more had closed",
              openingMs, whileOpenMs, afterMs);
        QVERIFY2(statusOf(after) == 201, after.constData());
        QVERIFY2(afterMs < 20000, "within a generous bound on a busy machine");
    }

    void teamConnectionsCannotTakeTheLoopbackSlots()
    {
        // More finished TLS handshakes than the endpoint's 256 local slots, held idle: a local
        // runtime is still served, and so is a member.
        std::vector<std::unique_ptr<QSslSocket>> held;
        for (int i = 0; i < 300; ++i) {
            auto socket = std::make_unique<QSslSocket>();
            socket->setPeerVerifyMode(QSslSocket::VerifyNone);
            socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_teamPort);
            held.push_back(std::move(socket));
        }
        auto settled = [&] {
            int pending = 0;
            for (const auto& socket : held)
                pending += socket->state() != QAbstractSocket::UnconnectedState && !socket->isEncrypted() ? 1 : 0;
            return pending;
        };
        QTRY_COMPARE_WITH_TIMEOUT(settled(), 0, 60000);
        int encrypted = 0;
        for (const auto& socket : held)
            encrypted += socket->isEncrypted() ? 1 : 0;
        const QByteArray runtime = loopback("GET", "/v1/requests", m_runtimeToken);
        const QByteArray member = openSession(QStringLiteral("bob"), *m_bobKey);
        qInfo("%d of 300 team connections finished their handshake; the loopback runtime got %d, a member %d",
              encrypted, statusOf(runtime), statusOf(member));
        QVERIFY2(statusOf(runtime) == 200, runtime.constData());
        QVERIFY2(statusOf(member) == 201, member.constData());
    }

    void slowHeadersDoNotStarveALegitimateClient()
    {
        // 300 connections that start a request and stop (the header timeout is 10 s), topped
        // up whenever the server closes one; a runtime connecting among them is served.
        const QByteArray start = "GET /v1/health HTTP/1.1\r\nHost: " + host() + "\r\nX-Slow: ";
        std::vector<std::unique_ptr<QTcpSocket>> slow;
        int opened = 0;
        auto topUp = [&] {
            std::erase_if(slow,
                          [](const auto& socket) { return socket->state() == QAbstractSocket::UnconnectedState; });
            while (slow.size() < 300) {
                auto socket = std::make_unique<QTcpSocket>();
                socket->connectToHost(QHostAddress::LocalHost, m_port);
                socket->write(start);
                slow.push_back(std::move(socket));
                ++opened;
            }
        };
        topUp();
        QTest::qWait(1000);
        const int attempts = 40;
        int served = 0;
        for (int i = 0; i < attempts; ++i) {
            topUp();
            QTest::qWait(50);
            served += statusOf(loopback("GET", "/v1/requests", m_runtimeToken)) == 200 ? 1 : 0;
        }
        qInfo("under 300 slow-header connections (%d opened in all) a legitimate client was served %d of %d times",
              opened, served, attempts);
        QCOMPARE(served, attempts);
    }

    void pipelinedRequestsLeftUnreadDoNotGrowTheServer()
    {
        for (int i = 0; i < 5; ++i)
            QCOMPARE(statusOf(loopback("GET", "/v1/health", {})), 200);
        const qint64 before = serverRssKib();
        QVERIFY(before > 0);
        const QByteArray one = "GET /v1/health HTTP/1.1\r\nHost: " + host() + "\r\n\r\n";
        const QByteArray all = one.repeated(10 * 1024 * 1024 / one.size());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(10000));
        socket.setReadBufferSize(1); // never read the answers
        socket.write(all);
        qint64 peak = before;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 10000 && socket.bytesToWrite() > 0) {
            socket.waitForBytesWritten(250);
            peak = std::max(peak, serverRssKib());
        }
        peak = std::max(peak, serverRssKib());
        const qint64 sent = all.size() - socket.bytesToWrite();
        const qint64 growth = peak - before;
        qInfo("%lld of %lld bytes of pipelined requests taken without reading an answer; server RSS %lld KiB -> "
              "peak %lld KiB (+%lld KiB)",
              sent, qint64(all.size()), before, peak, growth);
        // Someone else is still served meanwhile.
        QCOMPARE(statusOf(loopback("GET", "/v1/requests", m_runtimeToken)), 200);
#ifdef COUNTERSIGN_SANITIZED
        // AddressSanitizer keeps freed memory in quarantine (256 MiB by default): the server's
        // size says nothing here; the bound holds in every build without it.
        qInfo("the growth bound is not checked under AddressSanitizer");
#else
        QVERIFY2(growth < 8 * 1024, qPrintable(QStringLiteral("grew by %1 KiB").arg(growth)));
#endif
    }

    void badRuntimeTokensDoNotLockAMemberOutOfTheTeamListener()
    {
        // Failures on loopback lock loopback's 127.0.0.1 out, nothing else.
        QByteArray last;
        for (int i = 0; i < 12; ++i)
            last = loopback("GET", "/v1/requests", "cs_rt_bad-" + QByteArray::number(i));
        QVERIFY2(statusOf(last) == 429, last.constData());
        QCOMPARE(statusOf(loopback("GET", "/v1/requests", m_runtimeToken)), 200); // a valid token, same address
        const QByteArray session = openSession(QStringLiteral("alice"), *m_aliceKey);
        QVERIFY2(statusOf(session) == 201, session.constData());
        const QByteArray token = bodyOf(session).value(QStringLiteral("token")).toString().toLatin1();
        QCOMPARE(statusOf(team("GET", "/v1/member/queue", token)), 200);
    }

    void bogusInvitationTokensDoNotLockOtherMembersOut()
    {
        // One client behind the team's shared address guesses invitation tokens until it is
        // locked out; the members behind that address still open sessions.
        const QByteArray guess = "{\"token\":\"csi_" + QByteArray(43, 'G') +
                                 "\",\"display_name\":\"Guesser\",\"public_key\":\"" + QByteArray(32, 'g').toBase64() +
                                 "\"}";
        QByteArray last;
        for (int i = 0; i < 12; ++i)
            last = team("POST", "/v1/invitations/redeem", {}, guess);
        QVERIFY2(statusOf(last) == 429, last.constData());
        for (const auto& [member, key] :
             {std::pair{QStringLiteral("alice"), m_aliceKey}, std::pair{QStringLiteral("bob"), m_bobKey}}) {
            const QByteArray session = openSession(member, *key);
            QVERIFY2(statusOf(session) == 201, session.constData());
        }
        // A member that does not exist is still refused, and counted.
        QVERIFY(statusOf(team("POST", "/v1/sessions/challenge", {}, "{\"member\":\"mallory\"}")) == 429);
    }

    void rotatingAddressesDoNotGrowTheAudit()
    {
        // 200 source addresses (127.0.0.2 ...), three failed authentications each: the audit
        // records them in aggregate, not one fsynced entry per attempt.
        const int before = auditEntries(QStringLiteral("auth."));
        const QByteArray bad =
            "GET /v1/requests HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Bearer cs_rt_rotating\r\n\r\n";
        int answered = 0;
        for (int i = 2; i < 202; ++i) {
            QTcpSocket socket;
            QVERIFY(socket.bind(QHostAddress(QStringLiteral("127.0.0.%1").arg(i)), 0));
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            QVERIFY(socket.waitForConnected(10000));
            socket.write(bad + bad + bad);
            QByteArray received;
            while (received.count("HTTP/1.1 401") < 3 && socket.waitForReadyRead(10000))
                received += socket.readAll();
            answered += static_cast<int>(received.count("HTTP/1.1 401"));
        }
        QCOMPARE(answered, 600);
        const int added = auditEntries(QStringLiteral("auth.")) - before;
        qInfo("600 failed authentications from 200 addresses added %d audit entries", added);
        QVERIFY2(added >= 1, "failures are still audited");
        QVERIFY2(added <= 40, qPrintable(QString::number(added)));
    }
};

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
