// A team of three `countersign --headless --database URL` processes on one PostgreSQL database
// the test starts (TLS, verify-full): runtimes and members talk to any node, and what holds on one
// node holds across them (docs/team-server.md). Runtimes come in over loopback HTTP and over the
// team's TLS listener; members open sessions and decide over TLS, each on a node of their choice.
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "pgcluster.h"
#include "policy/policystore.h"
#include "storage/execute.h"
#include "team/teamdatabase.h"
#include "team/teamkey.h"
#include "teamnodeprocess.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>

using namespace countersign;

using Member = test::TeamMemberClient;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString TEAM_PASSPHRASE = QStringLiteral("correct horse battery staple of the team");
constexpr int NODES = 3;

QJsonObject bodyOf(const QByteArray& response)
{
    return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
}

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class TestTeamNodes final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::PgCluster> m_cluster;
    int m_databases = 0;
    // Per test function:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_url;
    std::unique_ptr<team::TeamDatabase> m_team;
    approvals::RequestEvents m_events;
    std::unique_ptr<approvals::Services> m_services;
    QByteArray m_token;
    QByteArray m_pin; // SHA-256 of the team certificate
    std::array<test::TeamNodeProcess, NODES> m_nodes;

    bool startNode(int index)
    {
        return m_nodes[static_cast<std::size_t>(index)].start(APP, m_url,
                                                              m_dir->filePath(QStringLiteral("node%1").arg(index)),
                                                              m_dir->filePath(QStringLiteral("team-pass")));
    }

    /// One request to node \a index's loopback listener with the runtime's token.
    QByteArray runtime(int index, const QByteArray& method, const QByteArray& path, const QByteArray& body = {})
    {
        QTcpSocket socket;
        const quint16 port = m_nodes[static_cast<std::size_t>(index)].port();
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(10000))
            return {};
        return test::httpExchange(socket, method, path, "127.0.0.1:" + QByteArray::number(port), m_token, body);
    }

    /// One request to node \a index's TLS listener, pinning the team's certificate.
    QByteArray overTls(int index, const QByteArray& method, const QByteArray& path, const QByteArray& token,
                       const QByteArray& body = {})
    {
        return test::exchangeOverTls(m_nodes[static_cast<std::size_t>(index)].tlsPort(), m_pin, method, path, token,
                                     body);
    }

    Member addMember(const QString& id)
    {
        return Member{id, test::addMember(*m_services, id, id, QStringLiteral("approver"))};
    }

    /// Opens a session for \a member on node \a index, as a member's client does.
    QByteArray openSession(int index, const Member& member)
    {
        return member.openSession(m_nodes[static_cast<std::size_t>(index)].tlsPort(), m_pin);
    }

    /// The body of a decision by \a member on \a id, signed with their key.
    QByteArray decisionBody(const Member& member, const QString& id, const QString& digest, bool approve)
    {
        return member.decisionBody(id, digest, approve, m_team->instancePublicKey());
    }

    QString createRequest(int index, const QString& capability, const QString& summary)
    {
        const QByteArray created =
            runtime(index, "POST", "/v1/requests",
                    compact(QJsonObject{{QStringLiteral("capability"), capability},
                                        {QStringLiteral("summary"), summary},
                                        {QStringLiteral("payload"), QJsonObject{{QStringLiteral("what"), summary}}}}));
        return bodyOf(created).value(QStringLiteral("id")).toString();
    }

    QJsonObject statusOn(int index, const QString& id)
    {
        return bodyOf(runtime(index, "GET", "/v1/requests/" + id.toLatin1()));
    }

    void requireApprovals(const QString& glob, int approvals)
    {
        policy::PolicyRule rule;
        rule.capabilityGlob = glob;
        rule.approvals = approvals;
        QVERIFY(m_services->policies().add(rule, QStringLiteral("member:owner")));
    }

    int auditCount(const QString& action, const QString& id)
    {
        int found = 0;
        const auto entries = m_team->audit().entries(1, 1'000'000);
        for (const audit::AuditEntry& entry : entries.value_or(QList<audit::AuditEntry>()))
            found += entry.action == action && entry.subject == QStringLiteral("request:") + id ? 1 : 0;
        return found;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(crypto::initialize());
        m_cluster = std::make_unique<test::PgCluster>();
        QVERIFY(m_cluster->start());
    }
    void cleanupTestCase() { m_cluster.reset(); }

    // Each test function gets a team database and three nodes of its own.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const QString database = QStringLiteral("team_%1").arg(++m_databases);
        QVERIFY(m_cluster->createDatabase(database));
        const storage::PgConnectionConfig config = m_cluster->connectionConfig(QStringLiteral("localhost"), database);
        m_url = test::teamDatabaseUrl(config);
        test::writeTextFile(m_dir->filePath(QStringLiteral("team-pass")), TEAM_PASSPHRASE);
        const auto owner = crypto::SigningKey::generate();
        auto team = team::TeamDatabase::initialize(
            config, team::TeamKey::passphrase(test::secure(TEAM_PASSPHRASE), crypto::KdfParams::fast()),
            team::TeamDatabase::Owner{QStringLiteral("owner"), QStringLiteral("Olive"), owner.publicKey()},
            m_dir->filePath(QStringLiteral("setup-checkpoints")));
        VERIFY_RESULT(team);
        m_team = std::move(*team);
        auto services = application::openServices(*m_team, m_events, QStringLiteral("setup"));
        VERIFY_RESULT(services);
        m_services = std::move(*services);
        auto token = m_services->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")},
                                                            QStringLiteral("member:owner"));
        VERIFY_RESULT(token);
        m_token = token->toLatin1();
        m_pin = *crypto::TlsIdentity::fingerprint(m_team->tlsIdentity().certificatePem);
        for (int i = 0; i < NODES; ++i)
            QVERIFY(startNode(i));
    }

    void cleanup()
    {
        for (test::TeamNodeProcess& node : m_nodes) {
            node.stop();
            if (QTest::currentTestFailed())
                qWarning("a node said: %s", node.errorOutput().constData());
        }
        if (m_team) {
            QSqlDatabase db = m_team->database();
            (void)storage::execute(db, QStringLiteral("SELECT 1")); // finds a lost session (a restart)
            (void)storage::reconnectIfLost(db);
            const auto verified = m_team->audit().verify();
            QVERIFY2(verified.ok(), qPrintable(verified.message));
        }
        m_services.reset();
        m_team.reset();
        m_dir.reset();
    }

    void exactlyOneOfAHundredConsumesAcrossTheNodesWins()
    {
        const Member alice = addMember(QStringLiteral("alice"));
        const QString id = createRequest(0, QStringLiteral("deploy.web"), QStringLiteral("ship 1.2"));
        QVERIFY(!id.isEmpty());
        QVERIFY(m_services->requests().approve(alice.id, id, QStringLiteral("ok")));
        const QString digest = statusOn(1, id).value(QStringLiteral("payload_sha256")).toString();
        QCOMPARE(statusOn(2, id).value(QStringLiteral("state")).toString(), QStringLiteral("approved"));

        // A hundred connections, a third on each node, all open before any of them asks.
        constexpr int CONSUMERS = 100;
        std::vector<std::unique_ptr<QTcpSocket>> sockets;
        for (int i = 0; i < CONSUMERS; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, m_nodes[static_cast<std::size_t>(i % NODES)].port());
            sockets.push_back(std::move(socket));
        }
        for (auto& socket : sockets)
            QVERIFY(socket->state() == QAbstractSocket::ConnectedState || socket->waitForConnected(20000));
        const QByteArray body = compact(QJsonObject{{QStringLiteral("payload_sha256"), digest}});
        for (int i = 0; i < CONSUMERS; ++i) {
            sockets[static_cast<std::size_t>(i)]->write(
                test::rawHttpRequest("POST", "/v1/requests/" + id.toLatin1() + "/consume",
                                     m_nodes[static_cast<std::size_t>(i % NODES)].port(), m_token, body));
        }
        std::vector<QByteArray> answers(CONSUMERS);
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < CONSUMERS; ++i) {
            QTcpSocket& socket = *sockets[static_cast<std::size_t>(i)];
            while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 120000)
                socket.waitForReadyRead(1000);
            answers[static_cast<std::size_t>(i)] = socket.readAll();
        }
        int won = 0;
        for (const QByteArray& answer : answers) {
            const int status = test::httpStatus(answer);
            if (status == 200) {
                ++won;
                continue;
            }
            QVERIFY2(status == 409, answer.constData());
            QCOMPARE(bodyOf(answer).value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                     errorCodeName(ErrorCode::AlreadyConsumed));
        }
        QCOMPARE(won, 1);
        QCOMPARE(auditCount(QStringLiteral("request.consumed"), id), 1);
        for (int i = 0; i < NODES; ++i)
            QCOMPARE(statusOn(i, id).value(QStringLiteral("state")).toString(), QStringLiteral("consumed"));
    }

    void aQuorumCountsApproversOnDifferentNodes()
    {
        requireApprovals(QStringLiteral("deploy.db"), 2);
        const Member alice = addMember(QStringLiteral("alice"));
        const Member bob = addMember(QStringLiteral("bob"));
        const QString id = createRequest(2, QStringLiteral("deploy.db"), QStringLiteral("migrate"));
        QVERIFY(!id.isEmpty());
        const QString digest = statusOn(2, id).value(QStringLiteral("payload_sha256")).toString();
        const QByteArray aliceSession = openSession(0, alice);
        const QByteArray bobSession = openSession(1, bob);
        QVERIFY(!aliceSession.isEmpty() && !bobSession.isEmpty());
        const QByteArray path = "/v1/member/requests/" + id.toLatin1() + "/decision";
        const QByteArray first = overTls(0, "POST", path, aliceSession, decisionBody(alice, id, digest, true));
        QVERIFY2(test::httpStatus(first) == 200, first.constData());
        QCOMPARE(statusOn(2, id).value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        // The same approver again, on another node, is still one approver.
        const QByteArray aliceElsewhere = openSession(2, alice);
        const QByteArray again = overTls(2, "POST", path, aliceElsewhere, decisionBody(alice, id, digest, true));
        QVERIFY2(test::httpStatus(again) == 409, again.constData());
        QCOMPARE(statusOn(1, id).value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        const QByteArray second = overTls(1, "POST", path, bobSession, decisionBody(bob, id, digest, true));
        QVERIFY2(test::httpStatus(second) == 200, second.constData());
        for (int i = 0; i < NODES; ++i)
            QCOMPARE(statusOn(i, id).value(QStringLiteral("state")).toString(), QStringLiteral("approved"));
    }

    void aDenyAndAnApproveOnTwoNodesAtOnceDeny()
    {
        requireApprovals(QStringLiteral("deploy.db"), 2);
        const Member alice = addMember(QStringLiteral("alice"));
        const Member bob = addMember(QStringLiteral("bob"));
        const QByteArray aliceSession = openSession(0, alice);
        const QByteArray bobSession = openSession(1, bob);
        QVERIFY(!aliceSession.isEmpty() && !bobSession.isEmpty());
        for (int round = 0; round < 5; ++round) {
            const QString id =
                createRequest(round % NODES, QStringLiteral("deploy.db"), QStringLiteral("round %1").arg(round));
            QVERIFY(!id.isEmpty());
            const QString digest = statusOn(0, id).value(QStringLiteral("payload_sha256")).toString();
            const QByteArray path = "/v1/member/requests/" + id.toLatin1() + "/decision";
            // Both sent before either is read: the two nodes decide at the same moment.
            QSslSocket approveSocket;
            QSslSocket denySocket;
            for (auto [socket, index] : {std::pair(&approveSocket, 0), std::pair(&denySocket, 1)}) {
                socket->setPeerVerifyMode(QSslSocket::VerifyNone);
                socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"),
                                               m_nodes[static_cast<std::size_t>(index)].tlsPort());
                QVERIFY(socket->waitForEncrypted(20000));
            }
            auto send = [&](QSslSocket& socket, int index, const QByteArray& token, const QByteArray& body) {
                socket.write(test::rawHttpRequest("POST", path, m_nodes[static_cast<std::size_t>(index)].tlsPort(),
                                                  token, body));
            };
            send(approveSocket, 0, aliceSession, decisionBody(alice, id, digest, true));
            send(denySocket, 1, bobSession, decisionBody(bob, id, digest, false));
            for (QSslSocket* socket : {&approveSocket, &denySocket}) {
                QElapsedTimer timer;
                timer.start();
                while (socket->state() == QAbstractSocket::ConnectedState && timer.elapsed() < 60000)
                    socket->waitForReadyRead(1000);
            }
            const QByteArray denied = denySocket.readAll();
            QVERIFY2(test::httpStatus(denied) == 200, denied.constData());
            for (int i = 0; i < NODES; ++i)
                QCOMPARE(statusOn(i, id).value(QStringLiteral("state")).toString(), QStringLiteral("denied"));
            QCOMPARE(auditCount(QStringLiteral("request.denied"), id), 1);
        }
    }

    void aDecisionOnOneNodeAnswersALongPollOnAnother()
    {
        const Member alice = addMember(QStringLiteral("alice"));
        const QString id = createRequest(0, QStringLiteral("deploy.web"), QStringLiteral("wait for me"));
        QVERIFY(!id.isEmpty());
        const QString digest = statusOn(0, id).value(QStringLiteral("payload_sha256")).toString();
        QTcpSocket waiting;
        const quint16 port = m_nodes[1].port();
        waiting.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(waiting.waitForConnected(10000));
        waiting.write(test::rawHttpRequest("GET", "/v1/requests/" + id.toLatin1() + "?wait=60", port, m_token));
        QVERIFY(waiting.waitForBytesWritten(10000));
        QVERIFY(!waiting.waitForReadyRead(300)); // still waiting: nothing decided yet
        const QByteArray session = openSession(2, alice);
        const QByteArray decided = overTls(2, "POST", "/v1/member/requests/" + id.toLatin1() + "/decision", session,
                                           decisionBody(alice, id, digest, true));
        QVERIFY2(test::httpStatus(decided) == 200, decided.constData());
        QElapsedTimer timer;
        timer.start();
        while (waiting.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 60000)
            waiting.waitForReadyRead(1000);
        const QByteArray answer = waiting.readAll();
        QVERIFY2(test::httpStatus(answer) == 200, answer.constData());
        QCOMPARE(bodyOf(answer).value(QStringLiteral("state")).toString(), QStringLiteral("approved"));
    }

    void aRestartOfTheDatabaseLosesNoAcknowledgedWriteAndLongPollsResume()
    {
        const Member alice = addMember(QStringLiteral("alice"));
        const QString waitedOn = createRequest(0, QStringLiteral("deploy.web"), QStringLiteral("decided after"));
        QVERIFY(!waitedOn.isEmpty());
        const QString digest = statusOn(0, waitedOn).value(QStringLiteral("payload_sha256")).toString();
        // A long-poll on node 1 waits across the restart.
        QTcpSocket waiting;
        waiting.connectToHost(QHostAddress::LocalHost, m_nodes[1].port());
        QVERIFY(waiting.waitForConnected(10000));
        waiting.write(test::rawHttpRequest("GET", "/v1/requests/" + waitedOn.toLatin1() + "?wait=120",
                                           m_nodes[1].port(), m_token));
        QVERIFY(waiting.waitForBytesWritten(10000));

        // Creates with idempotency keys, round robin over the nodes, before, during and after the
        // restart; a refused one is sent again with its key until it is acknowledged.
        QHash<QString, QString> acknowledged; // idempotency key -> request id
        int refusedWhileDown = 0;
        auto create = [&](int n) {
            const QByteArray key = "restart-" + QByteArray::number(n);
            const QByteArray body = compact(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                                        {QStringLiteral("summary"), QStringLiteral("create %1").arg(n)},
                                                        {QStringLiteral("payload"), n}});
            const int index = n % NODES;
            const quint16 port = m_nodes[static_cast<std::size_t>(index)].port();
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            if (!socket.waitForConnected(10000))
                return false;
            socket.write(
                test::rawHttpRequest("POST", "/v1/requests", port, m_token, body, "Idempotency-Key: " + key + "\r\n"));
            QByteArray answer;
            while (socket.waitForReadyRead(30000))
                answer += socket.readAll();
            const int status = test::httpStatus(answer);
            if (status == 201 || status == 200) {
                const QString id = bodyOf(answer).value(QStringLiteral("id")).toString();
                if (acknowledged.contains(QString::fromLatin1(key)) &&
                    acknowledged.value(QString::fromLatin1(key)) != id)
                    qWarning("key %s answered two ids", key.constData());
                acknowledged.insert(QString::fromLatin1(key), id);
                return true;
            }
            if (status != 503 || !answer.contains("\r\nRetry-After: "))
                qWarning("unexpected answer: %s", answer.constData());
            else
                ++refusedWhileDown;
            return false;
        };
        int n = 0;
        for (; n < 20; ++n)
            QVERIFY(create(n));
        QVERIFY(m_cluster->stop());
        for (int k = 0; k < 9; ++k, ++n)
            QVERIFY(!create(n)); // nothing is acknowledged while the database is down
        QVERIFY(refusedWhileDown == 9);
        QVERIFY(m_cluster->start());
        // Every key again, the refused ones included, until all are acknowledged (the nodes
        // reconnect with backoff: a few more 503s first).
        QElapsedTimer timer;
        timer.start();
        for (int k = 0; k < n + 10; ++k) {
            while (!create(k)) {
                QVERIFY2(timer.elapsed() < 120000, "the nodes did not come back");
                QTest::qWait(200);
            }
        }
        QCOMPARE(acknowledged.size(), n + 10);
        for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it) {
            // This test's own session was lost too: the first statement finds out (503), the
            // next one runs on a new session.
            auto stored = m_services->requests().request(it.value());
            if (!stored && stored.error().code == ErrorCode::Unavailable)
                stored = m_services->requests().request(it.value());
            QVERIFY2(stored, qPrintable(it.key() + u": " + (stored ? QString() : stored.error().message)));
        }
        // Decided after the restart, on another node: the long-poll that waited through it answers.
        const QByteArray session = openSession(2, alice);
        const QByteArray decided = overTls(2, "POST", "/v1/member/requests/" + waitedOn.toLatin1() + "/decision",
                                           session, decisionBody(alice, waitedOn, digest, true));
        QVERIFY2(test::httpStatus(decided) == 200, decided.constData());
        timer.restart();
        while (waiting.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 60000)
            waiting.waitForReadyRead(1000);
        const QByteArray answer = waiting.readAll();
        QVERIFY2(test::httpStatus(answer) == 200, answer.constData());
        QCOMPARE(bodyOf(answer).value(QStringLiteral("state")).toString(), QStringLiteral("approved"));
    }

    void aRequestExpiresOnceWhateverNodesNoticeIt()
    {
        policy::PolicyRule rule;
        rule.capabilityGlob = QStringLiteral("deploy.soon");
        rule.timeoutSeconds = 2;
        QVERIFY(m_services->policies().add(rule, QStringLiteral("member:owner")));
        QStringList ids;
        for (int n = 0; n < 24; ++n) {
            ids.append(createRequest(n % NODES, QStringLiteral("deploy.soon"), QStringLiteral("soon %1").arg(n)));
            QVERIFY(!ids.last().isEmpty());
        }
        // Every node's timer is due at about the same moment, and every node is asked about every
        // request at once around it: each may notice the expiry, one changes the state, and every
        // answer is the request as it is (a node that lost the race reads the winner's change).
        QTest::qWait(1800);
        for (int round = 0; round < 6; ++round) {
            std::vector<std::unique_ptr<QTcpSocket>> sockets;
            for (const QString& id : std::as_const(ids)) {
                for (int i = 0; i < NODES; ++i) {
                    const quint16 port = m_nodes[static_cast<std::size_t>(i)].port();
                    auto socket = std::make_unique<QTcpSocket>();
                    socket->connectToHost(QHostAddress::LocalHost, port);
                    socket->write(test::rawHttpRequest("GET", "/v1/requests/" + id.toLatin1(), port, m_token));
                    sockets.push_back(std::move(socket));
                }
            }
            for (auto& socket : sockets) {
                QElapsedTimer timer;
                timer.start();
                while (socket->state() != QAbstractSocket::UnconnectedState && timer.elapsed() < 30000)
                    socket->waitForReadyRead(500);
                const QByteArray answer = socket->readAll();
                QVERIFY2(test::httpStatus(answer) == 200, answer.constData());
            }
            QTest::qWait(100);
        }
        for (const QString& id : std::as_const(ids)) {
            for (int i = 0; i < NODES; ++i) {
                QTRY_COMPARE_WITH_TIMEOUT(statusOn(i, id).value(QStringLiteral("state")).toString(),
                                          QStringLiteral("expired"), 30000);
            }
            QCOMPARE(auditCount(QStringLiteral("request.expired"), id), 1);
        }
    }

    void aRuntimeElsewhereMeetsTheLoopbackHardeningUnderTheTeamsHostName()
    {
        const quint16 port = m_nodes[0].tlsPort();
        const QByteArray path = "/v1/requests";
        auto send = [&](const QByteArray& host, const QByteArray& token, const QByteArray& extra = {}) {
            return test::sendOverTls(port, m_pin,
                                     "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " +
                                         token + "\r\n" + extra + "Connection: close\r\n\r\n");
        };
        const QByteArray teamHost = "127.0.0.1:" + QByteArray::number(port);
        QCOMPARE(test::httpStatus(send(teamHost, m_token)), 200);
        // A name the team does not go by (DNS rebinding), a browser page's request, a guesser.
        const QByteArray misdirected = send("evil.example:" + QByteArray::number(port), m_token);
        QVERIFY2(test::httpStatus(misdirected) == 421, misdirected.constData());
        const QByteArray fromPage = send(teamHost, m_token, "Origin: https://evil.example\r\n");
        QVERIFY2(test::httpStatus(fromPage) == 403, fromPage.constData());
        QVERIFY(fromPage.contains("origin_forbidden"));
        int refused = 0;
        QByteArray locked;
        for (int attempt = 0; attempt < 20 && locked.isEmpty(); ++attempt) {
            const QByteArray answer = send(teamHost, "cs_rt_guess" + QByteArray::number(attempt));
            if (test::httpStatus(answer) == 401)
                ++refused;
            else
                locked = answer;
        }
        QVERIFY2(test::httpStatus(locked) == 429, locked.constData());
        QVERIFY(locked.contains("locked_out") && locked.contains("\r\nRetry-After: "));
        QVERIFY(refused >= 1);
        QCOMPARE(test::httpStatus(send(teamHost, m_token)), 200); // a valid token is still served
        const auto entries = m_team->audit().entries(1, 1'000'000);
        int lockouts = 0;
        for (const audit::AuditEntry& entry : entries.value_or(QList<audit::AuditEntry>()))
            lockouts += entry.action == u"auth.lockout" ? 1 : 0;
        QCOMPARE(lockouts, 1);
    }

    void aRuntimeElsewhereReachesANodeOverTlsWithItsToken()
    {
        const QByteArray created =
            overTls(1, "POST", "/v1/requests", m_token,
                    compact(QJsonObject{
                        {QStringLiteral("capability"), QStringLiteral("deploy.web")},
                        {QStringLiteral("summary"), QStringLiteral("from a CI runner")},
                        {QStringLiteral("payload"), QJsonObject{{QStringLiteral("commit"), QStringLiteral("abc")}}}}));
        QVERIFY2(test::httpStatus(created) == 201, created.constData());
        const QString id = bodyOf(created).value(QStringLiteral("id")).toString();
        // The same request, seen from another node's loopback listener.
        QCOMPARE(statusOn(2, id).value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        // Without the token, nothing.
        const QByteArray refused = overTls(0, "GET", "/v1/requests/" + id.toLatin1(), {});
        QVERIFY2(test::httpStatus(refused) == 401, refused.constData());
    }
};

QTEST_GUILESS_MAIN(TestTeamNodes)
#include "tst_teamnodes.moc"
