// Group commit on the real endpoint (docs/architecture.md, "Durability"): consumes from runtimes
// and decisions from team members, sent at once over real connections (loopback HTTP and the
// TLS team listener), share transactions; each is answered after its commit, every consume's
// receipt verifies offline, receipts of one batch share one checkpoint, and of concurrent consumes
// of one approval exactly one wins.
#include "api/apihandler.h"
#include "api/teamlistener.h"
#include "application/openservices.h"
#include "approvals/decisionstatement.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "crypto/signingkey.h"
#include "evidence/checkpoint.h"
#include "evidence/receipt.h"
#include "http/endpointthread.h"
#include "members/sessionservice.h"
#include "members/teamlistenersettings.h"
#include "testsupport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace countersign;

namespace {

struct Answer final {
    int status = 0;
    QJsonObject json;
    [[nodiscard]] QString errorCode() const
    {
        return json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
    }
    [[nodiscard]] QJsonObject receipt() const { return json.value(QStringLiteral("receipt")).toObject(); }
};

Answer parse(const QByteArray& raw)
{
    if (!raw.startsWith("HTTP/1.1 "))
        return {};
    return Answer{raw.mid(9, 3).toInt(), QJsonDocument::fromJson(raw.mid(raw.indexOf("\r\n\r\n") + 4)).object()};
}

QByteArray post(const QByteArray& path, const QByteArray& host, const QByteArray& token, const QByteArray& body,
                const QByteArray& extra = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" +
           (token.isEmpty() ? QByteArray() : "Authorization: Bearer " + token + "\r\n") + extra +
           "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\n\r\n" + body;
}

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class TestGroupCommit final : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    std::unique_ptr<vault::Vault> m_vault;
    approvals::RequestEvents m_events;
    std::unique_ptr<approvals::Services> m_services; // the window's, on this thread
    std::unique_ptr<http::EndpointThread> m_endpoint;
    QByteArray m_token;
    quint16 m_port = 0;
    quint16 m_teamPort = 0;

    QByteArray host() const { return "127.0.0.1:" + QByteArray::number(m_port); }
    QByteArray teamHost() const { return "127.0.0.1:" + QByteArray::number(m_teamPort); }

    quint64 commits() const
    {
        return std::dynamic_pointer_cast<api::ApiHandler>(m_endpoint->handler())->writeCommits();
    }

    std::unique_ptr<QAbstractSocket> connectTo(bool team)
    {
        if (!team) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, m_port);
            return socket->waitForConnected(10000) ? std::move(socket) : nullptr;
        }
        auto socket = std::make_unique<QSslSocket>();
        socket->setPeerVerifyMode(QSslSocket::VerifyNone);
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_teamPort);
        return socket->waitForEncrypted(10000) ? std::move(socket) : nullptr;
    }

    /// One exchange on a connection of its own.
    Answer exchange(bool team, const QByteArray& raw)
    {
        auto sockets = std::vector<std::unique_ptr<QAbstractSocket>>();
        sockets.push_back(connectTo(team));
        if (!sockets.back())
            return {};
        return together(sockets, {raw}).value(0);
    }

    /// Sends \a requests at once, one per connection, and returns their answers in order. The
    /// barrier: every request but its last byte is sent and taken in by the server, which cannot
    /// act on a body it has not received; then the last bytes go out together.
    QList<Answer> together(const std::vector<std::unique_ptr<QAbstractSocket>>& sockets,
                           const QList<QByteArray>& requests)
    {
        for (qsizetype i = 0; i < requests.size(); ++i) {
            sockets[i]->write(requests.at(i).chopped(1));
            sockets[i]->waitForBytesWritten(10000);
        }
        QTest::qWait(300);
        for (qsizetype i = 0; i < requests.size(); ++i) {
            sockets[i]->write(requests.at(i).right(1));
            sockets[i]->flush();
        }
        QList<Answer> answers;
        for (qsizetype i = 0; i < requests.size(); ++i) {
            QByteArray raw;
            while (sockets[i]->waitForReadyRead(10000))
                raw += sockets[i]->readAll();
            answers.append(parse(raw + sockets[i]->readAll()));
        }
        return answers;
    }

    /// Connections of their own for \a count requests sent together.
    std::vector<std::unique_ptr<QAbstractSocket>> connections(qsizetype count, bool team)
    {
        std::vector<std::unique_ptr<QAbstractSocket>> sockets;
        for (qsizetype i = 0; i < count; ++i)
            sockets.push_back(connectTo(team));
        return sockets;
    }

    /// A request created over HTTP and, if \a approve, approved by the owner at the desktop.
    QJsonObject request(int n, bool approve)
    {
        const Answer created = exchange(
            false, post("/v1/requests", host(), m_token,
                        compact(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                            {QStringLiteral("summary"), QStringLiteral("Deploy %1").arg(n)},
                                            {QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), n}}}})));
        if (created.status != 201)
            return {};
        if (approve && !m_services->requests().approve(QStringLiteral("owner"),
                                                       created.json.value(QStringLiteral("id")).toString(), {}))
            return {};
        return created.json;
    }

    QByteArray consume(const QJsonObject& request, const QByteArray& key = {})
    {
        return post(
            "/v1/requests/" + request.value(QStringLiteral("id")).toString().toLatin1() + "/consume", host(), m_token,
            compact(QJsonObject{{QStringLiteral("payload_sha256"), request.value(QStringLiteral("payload_sha256"))}}),
            key.isEmpty() ? QByteArray() : "Idempotency-Key: " + key + "\r\n");
    }

    /// Challenge, sign, open: what a member's client does. Returns the session token.
    QByteArray openSession(const QString& member, const crypto::SigningKey& key)
    {
        const Answer challenge = exchange(true, post("/v1/sessions/challenge", teamHost(), {},
                                                     compact(QJsonObject{{QStringLiteral("member"), member}})));
        const QByteArray nonce =
            QByteArray::fromBase64(challenge.json.value(QStringLiteral("nonce")).toString().toLatin1());
        const QString instance = challenge.json.value(QStringLiteral("instance")).toString();
        const QByteArray signature = key.sign(members::SessionService::statement(instance, member, nonce));
        const Answer opened = exchange(
            true, post("/v1/sessions", teamHost(), {},
                       compact(QJsonObject{{QStringLiteral("member"), member},
                                           {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                           {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}})));
        return opened.json.value(QStringLiteral("token")).toString().toLatin1();
    }

    /// Member \a member's approval of \a request, signed with \a key, as their client sends it.
    QByteArray decision(const QString& member, const crypto::SigningKey& key, const QByteArray& session,
                        const QJsonObject& request)
    {
        const QString id = request.value(QStringLiteral("id")).toString();
        const QString digest = request.value(QStringLiteral("payload_sha256")).toString();
        const qint64 at = QDateTime::currentMSecsSinceEpoch();
        const approvals::DecisionStatement statement{
            id, member, digest, true, {}, at, audit::Checkpoint::originFor(m_vault->instancePublicKey())};
        return post(
            "/v1/member/requests/" + id.toLatin1() + "/decision", teamHost(), session,
            compact(QJsonObject{{QStringLiteral("verdict"), QStringLiteral("approve")},
                                {QStringLiteral("reason"), QString()},
                                {QStringLiteral("payload_sha256"), digest},
                                {QStringLiteral("decided_at_ms"), at},
                                {QStringLiteral("signature"), QString::fromLatin1(statement.sign(key).toBase64())}}));
    }

    /// The receipt verifies offline with the instance's public key alone; its checkpoint.
    std::optional<audit::Checkpoint> verified(const QJsonObject& receipt)
    {
        auto checkpoint = audit::Receipt::verify(receipt, m_vault->instancePublicKey());
        if (!checkpoint) {
            qWarning("receipt does not verify: %s", qPrintable(checkpoint.error().message));
            return std::nullopt;
        }
        return *checkpoint;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vault = test::createVault(m_dir->filePath(QStringLiteral("vault")));
        QVERIFY(m_vault);
        auto services = application::openServices(*m_vault, m_events, QStringLiteral("window"));
        VERIFY_RESULT(services);
        m_services = std::move(*services);
        auto token = m_services->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")},
                                                            QStringLiteral("member:owner"));
        VERIFY_RESULT(token);
        m_token = token->toLatin1();
        m_teamPort = test::freeLoopbackPort();
        QVERIFY(m_teamPort != 0);
        QVERIFY(members::TeamListenerSettings::store(
            m_services->database(), m_services->audit(), QStringLiteral("owner"),
            members::TeamListenerSettings{QStringLiteral("127.0.0.1"), m_teamPort, QStringLiteral("127.0.0.1")}));
        auto team = api::teamListenerOf(*m_vault);
        VERIFY_RESULT(team);
        QVERIFY(team->has_value());

        http::EndpointSettings settings;
        settings.port = 0;
        settings.maxConnections = 64;
        settings.ratePerSecond = 100000;
        settings.rateBurst = 100000;
        settings.team = **team;
        m_endpoint = std::make_unique<http::EndpointThread>(
            settings, api::ApiHandler::factory(
                          [&] { return application::openServices(*m_vault, m_events, QStringLiteral("endpoint")); }));
        auto started = m_endpoint->start();
        VERIFY_RESULT(started);
        m_port = m_endpoint->port();
        QVERIFY(m_port != 0);
    }

    void cleanup()
    {
        m_endpoint.reset();
        m_services.reset();
        m_vault.reset();
        m_dir.reset();
    }

    /// Consumes of different approvals sent together, round after round: fewer commits than
    /// consumes, every one answered with a receipt that verifies offline, and the receipts of a
    /// batch carrying one checkpoint (at most one signed per commit).
    void consumesArrivingTogetherShareACommitAndACheckpoint()
    {
        constexpr int CONNECTIONS = 6;
        constexpr int ROUNDS = 4;
        QList<QJsonObject> approved;
        for (int i = 0; i < CONNECTIONS * ROUNDS; ++i) {
            approved.append(request(i, true));
            QVERIFY(!approved.last().isEmpty());
        }
        const quint64 before = commits();
        QSet<QByteArray> checkpoints;
        for (int round = 0; round < ROUNDS; ++round) {
            QList<QByteArray> consumes;
            for (int i = 0; i < CONNECTIONS; ++i)
                consumes.append(consume(approved.at(round * CONNECTIONS + i)));
            const QList<Answer> answers = together(connections(CONNECTIONS, false), consumes);
            for (int i = 0; i < CONNECTIONS; ++i) {
                const Answer& answer = answers.at(i);
                QVERIFY2(answer.status == 200, qPrintable(answer.errorCode()));
                QCOMPARE(answer.json.value(QStringLiteral("state")).toString(), QStringLiteral("consumed"));
                QCOMPARE(answer.receipt().value(QStringLiteral("request_id")),
                         approved.at(round * CONNECTIONS + i).value(QStringLiteral("id")));
                const auto checkpoint = verified(answer.receipt());
                QVERIFY(checkpoint);
                checkpoints.insert(checkpoint->note);
            }
        }
        const quint64 batches = commits() - before;
        const int consumes = CONNECTIONS * ROUNDS;
        qInfo("%d consumes in %llu commits, %lld checkpoints", consumes, static_cast<unsigned long long>(batches),
              static_cast<long long>(checkpoints.size()));
        QVERIFY2(batches >= 1, "consumes do not go through the group commit");
        QVERIFY2(batches < static_cast<quint64>(consumes), "consumes arriving together were committed one by one");
        QVERIFY2(static_cast<quint64>(checkpoints.size()) <= batches,
                 "a batch's receipts signed checkpoints of their own");
        // Acknowledged means stored: the window's own connection reads every one as consumed.
        for (const QJsonObject& consumed : std::as_const(approved))
            QCOMPARE(test::stored(m_services->requests(), consumed.value(QStringLiteral("id")).toString()).state,
                     approvals::RequestState::Consumed);
    }

    /// Eight consumes of one approval at once, each with a key of its own: one wins, the others
    /// are refused, the chain holds one consume entry. Then the winner's retries, sent together
    /// with another key's attempt, all get the winner's receipt again; the other is refused.
    void concurrentConsumesOfOneApprovalOneWins()
    {
        const QJsonObject approved = request(1, true);
        QVERIFY(!approved.isEmpty());
        constexpr int CONNECTIONS = 8;
        QList<QByteArray> consumes;
        for (int i = 0; i < CONNECTIONS; ++i)
            consumes.append(consume(approved, "key-" + QByteArray::number(i)));
        const QList<Answer> answers = together(connections(CONNECTIONS, false), consumes);
        int winner = -1;
        for (int i = 0; i < CONNECTIONS; ++i) {
            if (answers.at(i).status == 200) {
                QVERIFY2(winner < 0, "two consumes of one approval succeeded");
                winner = i;
                continue;
            }
            QCOMPARE(answers.at(i).status, 409);
            QCOMPARE(answers.at(i).errorCode(), QStringLiteral("already_consumed"));
        }
        QVERIFY2(winner >= 0, "no consume succeeded");
        const QJsonObject receipt = answers.at(winner).receipt();
        QVERIFY(verified(receipt));
        const auto entries = m_vault->audit().entries(1, 100000);
        VERIFY_RESULT(entries);
        const QString subject = QStringLiteral("request:") + approved.value(QStringLiteral("id")).toString();
        QCOMPARE(std::count_if(entries->cbegin(), entries->cend(),
                               [&](const audit::AuditEntry& entry) {
                                   return entry.action == u"request.consumed" && entry.subject == subject;
                               }),
                 1);

        QList<QByteArray> retries{consume(approved, "key-" + QByteArray::number(winner))};
        retries.append(retries.first());
        retries.append(consume(approved, "another"));
        retries.append(retries.first());
        const QList<Answer> again = together(connections(retries.size(), false), retries);
        for (qsizetype i = 0; i < again.size(); ++i) {
            if (i == 2) {
                QCOMPARE(again.at(i).status, 409);
                continue;
            }
            QCOMPARE(again.at(i).status, 200);
            QCOMPARE(again.at(i).receipt().value(QStringLiteral("audit_seq")),
                     receipt.value(QStringLiteral("audit_seq")));
            QVERIFY(verified(again.at(i).receipt()));
        }
    }

    /// Members deciding over the team listener while runtimes consume over loopback, all at
    /// once: fewer commits than writes, each decision answered as decided and stored, each
    /// consume with its receipt, and a checkpoint signed over the decisions after their commit.
    void decisionsAndConsumesArrivingTogetherShareACommit()
    {
        constexpr int MEMBERS = 4;
        constexpr int ROUNDS = 3;
        QList<std::shared_ptr<const crypto::SigningKey>> keys;
        QList<QByteArray> sessions;
        for (int m = 0; m < MEMBERS; ++m) {
            const QString id = QStringLiteral("member%1").arg(m);
            keys.append(test::addMember(*m_services, id, id, QStringLiteral("approver")));
            QVERIFY(keys.last());
            sessions.append(openSession(id, *keys.last()));
            QVERIFY2(!sessions.last().isEmpty(), qPrintable(id));
        }
        quint64 batches = 0;
        for (int round = 0; round < ROUNDS; ++round) {
            QList<QJsonObject> pending;
            QList<QJsonObject> approved;
            for (int m = 0; m < MEMBERS; ++m) {
                pending.append(request(round * 100 + m, false));
                approved.append(request(round * 100 + 50 + m, true));
                QVERIFY(!pending.last().isEmpty() && !approved.last().isEmpty());
            }
            auto sockets = connections(MEMBERS, true);
            auto loopback = connections(MEMBERS, false);
            QList<QByteArray> raws;
            for (int m = 0; m < MEMBERS; ++m)
                raws.append(decision(QStringLiteral("member%1").arg(m), *keys.at(m), sessions.at(m), pending.at(m)));
            for (int m = 0; m < MEMBERS; ++m) {
                raws.append(consume(approved.at(m)));
                sockets.push_back(std::move(loopback[m]));
            }
            const quint64 before = commits();
            const QList<Answer> answers = together(sockets, raws);
            const quint64 these = commits() - before;
            QVERIFY2(these >= 1, "decisions and consumes do not go through the group commit");
            batches += these;
            for (int m = 0; m < MEMBERS; ++m) {
                const Answer& decided = answers.at(m);
                QVERIFY2(decided.status == 200, qPrintable(decided.errorCode()));
                QCOMPARE(decided.json.value(QStringLiteral("state")).toString(), QStringLiteral("approved"));
                QCOMPARE(
                    test::stored(m_services->requests(), pending.at(m).value(QStringLiteral("id")).toString()).state,
                    approvals::RequestState::Approved);
                const Answer& consumed = answers.at(MEMBERS + m);
                QVERIFY2(consumed.status == 200, qPrintable(consumed.errorCode()));
                QVERIFY(verified(consumed.receipt()));
            }
            // "After every decision": the newest checkpoint covers the round's decisions.
            const auto newest = m_services->checkpoints().latest();
            VERIFY_RESULT(newest);
            QVERIFY(newest->has_value());
            const auto last = m_vault->audit().lastSeq();
            VERIFY_RESULT(last);
            const auto entries = m_vault->audit().entries(1, static_cast<int>(*last));
            VERIFY_RESULT(entries);
            qint64 lastDecision = 0;
            for (const audit::AuditEntry& entry : std::as_const(*entries))
                lastDecision = entry.action == u"request.decision" ? entry.seq : lastDecision;
            QVERIFY2((*newest)->size >= static_cast<quint64>(lastDecision), "no checkpoint followed the decisions");
        }
        const int writes = MEMBERS * 2 * ROUNDS;
        qInfo("%d decisions and consumes in %llu commits", writes, static_cast<unsigned long long>(batches));
        QVERIFY2(batches < static_cast<quint64>(writes),
                 "decisions and consumes arriving together were committed one by one");
    }
};

QTEST_GUILESS_MAIN(TestGroupCommit)
#include "tst_groupcommit.moc"
