#include "approvals/requeststore.h"
#include "crypto/columncipher.h"
#include "crypto/crypto.h"
#include "pgcluster.h"
#include "storage/execute.h"
#include "storage/migrations.h"
#include "storage/pgconnection.h"
#include "storage/transaction.h"
#include "testsupport.h"
#include "vault/vault.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace countersign;
using approvals::Request;
using approvals::RequestState;
using approvals::RequestStore;
using test::PgCluster;

namespace {

const QString MARKER = QStringLiteral("zq-marker-7d41");

Request sampleRequest(const QString& id, qint64 runtimeId, qint64 now)
{
    Request request;
    request.id = id;
    request.runtimeId = runtimeId;
    request.capability = QStringLiteral("deploy.web");
    request.summary = QStringLiteral("deploy build 42 (%1-summary)").arg(MARKER);
    request.details = QStringLiteral("rolls out to eu-west (%1-details)").arg(MARKER);
    request.payload = QStringLiteral(R"({"secret":"%1-payload"})").arg(MARKER).toUtf8();
    request.payloadSha256 = QString::fromLatin1(crypto::sha256(request.payload).toHex());
    request.risk = policy::Risk::High;
    request.requestedRisk = policy::Risk::Medium;
    request.context = QJsonObject{{QStringLiteral("branch"), QStringLiteral("%1-context").arg(MARKER)}};
    request.state = RequestState::Pending;
    request.requiredApprovals = 2;
    request.policyRule = QStringLiteral("rule 1");
    request.validitySeconds = 600;
    request.createdAt = now;
    request.expiresAt = now + 60'000;
    return request;
}

} // namespace

/// RequestStore on both backends a Countersign can keep requests in: a vault (SQLCipher) and a
/// team database (PostgreSQL, started for this test). The same assertions hold on each; on
/// PostgreSQL, what a request or decision says is stored sealed and bound to its cell.
class TestRequestStore final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<PgCluster> m_cluster;
    std::shared_ptr<const crypto::ColumnCipher> m_cipher;
    int m_databases = 0;

    // Per test function:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<vault::Vault> m_vault;
    QString m_pgDatabase;
    QStringList m_connections;
    QSqlDatabase m_db;
    std::unique_ptr<RequestStore> m_store;
    qint64 m_runtimeId = 0;

    [[nodiscard]] bool onPostgres() const { return !m_pgDatabase.isEmpty(); }

    /// Another connection to the same database, for the calling thread.
    QSqlDatabase connect(const QString& name) const
    {
        if (onPostgres()) {
            auto opened = storage::PgConnection::open(
                m_cluster->connectionConfig(QStringLiteral("localhost"), m_pgDatabase), name);
            if (!opened)
                qWarning("%s", qPrintable(opened.error().message));
            return opened ? *opened : QSqlDatabase();
        }
        auto opened = m_vault->openConnection(name);
        if (!opened)
            qWarning("%s", qPrintable(opened.error().message));
        return opened ? *opened : QSqlDatabase();
    }

    void addMember(const QString& id)
    {
        VERIFY_RESULT(storage::execute(m_db,
                                       QStringLiteral("INSERT INTO members (id, display_name, role, created_at) VALUES "
                                                      "(?, ?, 'approver', 0)"),
                                       {id, QStringLiteral("Member %1").arg(id)}));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(crypto::initialize());
        m_cipher = std::make_shared<const crypto::ColumnCipher>(crypto::ColumnCipher::generate());
        m_cluster = std::make_unique<PgCluster>();
        QVERIFY(m_cluster->start());
    }
    void cleanupTestCase() { m_cluster.reset(); }

    void init()
    {
        const QString backend = QString::fromLatin1(QTest::currentDataTag());
        if (backend == u"postgres") {
            m_pgDatabase = QStringLiteral("requests_%1").arg(++m_databases);
            QVERIFY(m_cluster->createDatabase(m_pgDatabase));
            m_db = connect(QStringLiteral("store"));
            m_connections.append(QStringLiteral("store"));
            QVERIFY(m_db.isOpen());
            VERIFY_RESULT(storage::Migrations(storage::Migrations::team()).migrate(m_db));
        } else {
            m_pgDatabase.clear();
            m_dir = std::make_unique<QTemporaryDir>();
            m_vault = test::createVault(m_dir->filePath(QStringLiteral("v")));
            QVERIFY(m_vault);
            m_db = m_vault->database();
        }
        m_store = std::make_unique<RequestStore>(m_db, m_cipher);
        VERIFY_RESULT(storage::execute(m_db,
                                       QStringLiteral("INSERT INTO runtimes (name, allowed, token_hash, created_at) "
                                                      "VALUES ('ci', 'deploy.*', ?, 0)"),
                                       {crypto::randomBytes(32)}));
        auto id = storage::execute(m_db, QStringLiteral("SELECT id FROM runtimes WHERE name = 'ci'"));
        VERIFY_RESULT(id);
        QVERIFY(id->next());
        m_runtimeId = id->value(0).toLongLong();
    }

    void cleanup()
    {
        m_store.reset();
        m_db = QSqlDatabase();
        for (const QString& name : std::as_const(m_connections)) {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
        }
        m_connections.clear();
        m_vault.reset();
        m_dir.reset();
    }

    void aRequestAndItsDecisionsRoundTrip_data()
    {
        QTest::addColumn<int>("unused");
        QTest::newRow("vault") << 0;
        QTest::newRow("postgres") << 0;
    }
    void aRequestAndItsDecisionsRoundTrip()
    {
        addMember(QStringLiteral("m1"));
        const Request written = sampleRequest(QStringLiteral("req_roundtrip"), m_runtimeId, 1'000);
        VERIFY_RESULT(m_store->insert(written, QStringLiteral("body-digest")));
        approvals::Decision decision;
        decision.memberId = QStringLiteral("m1");
        decision.approve = true;
        decision.reason = QStringLiteral("looks right (%1-reason)").arg(MARKER);
        decision.decidedAt = 2'000;
        VERIFY_RESULT(m_store->insertDecision(written.id, decision));

        auto read = m_store->get(written.id);
        VERIFY_RESULT(read);
        QCOMPARE(read->summary, written.summary);
        QCOMPARE(read->details, written.details);
        QCOMPARE(read->payload, written.payload);
        QCOMPARE(read->payloadSha256, written.payloadSha256);
        QCOMPARE(read->context, written.context);
        QCOMPARE(read->risk, policy::Risk::High);
        QCOMPARE(read->requestedRisk, policy::Risk::Medium);
        QCOMPARE(read->runtimeName, QStringLiteral("ci"));
        QCOMPARE(read->expiresAt, qint64{61'000});
        QCOMPARE(read->decisions.size(), 1);
        QCOMPARE(read->decisions.at(0).reason, decision.reason);
        QCOMPARE(read->decisions.at(0).memberName, QStringLiteral("Member m1"));
        auto body = m_store->bodySha256(written.id);
        VERIFY_RESULT(body);
        QCOMPARE(*body, QStringLiteral("body-digest"));
    }

    void aStateChangesOnceHoweverManyRaceForIt_data() { aRequestAndItsDecisionsRoundTrip_data(); }
    void aStateChangesOnceHoweverManyRaceForIt()
    {
        // Eight connections, each on a thread of its own, consume one approved request at once:
        // the conditional update lets exactly one of them change it.
        Request request = sampleRequest(QStringLiteral("req_race"), m_runtimeId, 1'000);
        VERIFY_RESULT(m_store->insert(request, QStringLiteral("b")));
        request.decidedAt = 2'000;
        request.approvalExpiresAt = 602'000;
        VERIFY_RESULT(m_store->updateState(request, RequestState::Pending, RequestState::Approved));
        constexpr int RACERS = 8;
        std::atomic<int> waiting{RACERS};
        QList<int> outcomes(RACERS, -1); // 1 won, 0 refused (Conflict), 2 another failure
        std::vector<std::unique_ptr<QThread>> threads;
        for (int i = 0; i < RACERS; ++i) {
            threads.push_back(std::unique_ptr<QThread>(QThread::create([&, i] {
                // A connection belongs to the thread that opened it: each racer opens and closes its own.
                const QString name = QStringLiteral("racer-%1").arg(i);
                {
                    QSqlDatabase db = connect(name);
                    RequestStore store(db, m_cipher);
                    Request consumed = request;
                    consumed.consumedAt = 3'000 + i;
                    waiting.fetch_sub(1);
                    while (waiting.load() > 0)
                        QThread::yieldCurrentThread();
                    auto changed = storage::transact(db, [&] {
                        return store.updateState(consumed, RequestState::Approved, RequestState::Consumed);
                    });
                    outcomes[i] = changed ? 1 : (changed.error().code == ErrorCode::Conflict ? 0 : 2);
                    if (!changed && changed.error().code != ErrorCode::Conflict)
                        qWarning("racer %d: %s", i, qPrintable(changed.error().message));
                    db.close();
                }
                QSqlDatabase::removeDatabase(name);
            })));
        }
        for (auto& thread : threads)
            thread->start();
        for (auto& thread : threads)
            QVERIFY(thread->wait(60000));
        QCOMPARE(outcomes.count(1), 1);
        QCOMPARE(outcomes.count(0), RACERS - 1);
        auto read = m_store->get(request.id);
        VERIFY_RESULT(read);
        QCOMPARE(read->state, RequestState::Consumed);
        QVERIFY(read->consumedAt >= 3'000 && read->consumedAt < 3'000 + RACERS);
    }

    void lookupsByKeyStateAndDeadline_data() { aRequestAndItsDecisionsRoundTrip_data(); }
    void lookupsByKeyStateAndDeadline()
    {
        Request keyed = sampleRequest(QStringLiteral("req_keyed"), m_runtimeId, 1'000);
        keyed.idempotencyKey = QStringLiteral("key-1");
        VERIFY_RESULT(m_store->insert(keyed, QStringLiteral("b1")));
        Request later = sampleRequest(QStringLiteral("req_later"), m_runtimeId, 5'000);
        VERIFY_RESULT(m_store->insert(later, QStringLiteral("b2")));

        auto byKey = m_store->findByIdempotencyKey(m_runtimeId, QStringLiteral("key-1"));
        VERIFY_RESULT(byKey);
        QVERIFY(byKey->has_value());
        QCOMPARE((*byKey)->id, keyed.id);
        auto none = m_store->findByIdempotencyKey(m_runtimeId, QStringLiteral("key-2"));
        VERIFY_RESULT(none);
        QVERIFY(!none->has_value());

        auto next = m_store->nextDeadline();
        VERIFY_RESULT(next);
        QCOMPARE(next->value_or(-1), qint64{61'000});
        auto due = m_store->due(62'000);
        VERIFY_RESULT(due);
        QCOMPARE(due->size(), 1);
        QCOMPARE(due->at(0).id, keyed.id);

        auto pending = m_store->inState(RequestState::Pending, 10);
        VERIFY_RESULT(pending);
        QCOMPARE(pending->size(), 2);
        QCOMPARE(pending->at(0).id, later.id); // newest first
        auto ofRuntime = m_store->ofRuntime(m_runtimeId, QStringLiteral("pending"));
        VERIFY_RESULT(ofRuntime);
        QCOMPARE(ofRuntime->size(), 2);
        auto anyState = m_store->ofRuntime(m_runtimeId, QString());
        VERIFY_RESULT(anyState);
        QCOMPARE(anyState->size(), 2);
    }

    void historySearchesWhatRequestsAndDecisionsSay_data() { aRequestAndItsDecisionsRoundTrip_data(); }
    void historySearchesWhatRequestsAndDecisionsSay()
    {
        addMember(QStringLiteral("m1"));
        for (int i = 0; i < 3; ++i) {
            Request request = sampleRequest(QStringLiteral("req_h%1").arg(i), m_runtimeId, 1'000 + i);
            request.summary = QStringLiteral("summary number %1").arg(i);
            VERIFY_RESULT(m_store->insert(request, QStringLiteral("b")));
            request.decidedAt = 2'000 + i;
            VERIFY_RESULT(m_store->updateState(request, RequestState::Pending, RequestState::Denied));
        }
        approvals::Decision decision;
        decision.memberId = QStringLiteral("m1");
        decision.reason = QStringLiteral("Wrong Window for a deploy");
        decision.decidedAt = 3'000;
        VERIFY_RESULT(m_store->insertDecision(QStringLiteral("req_h0"), decision));

        const auto ids = [this](const QString& search) {
            QStringList found;
            auto history = m_store->history(search, 10);
            if (history)
                for (const Request& request : std::as_const(*history))
                    found.append(request.id);
            return found;
        };
        QCOMPARE(ids(QString()),
                 (QStringList{QStringLiteral("req_h2"), QStringLiteral("req_h1"), QStringLiteral("req_h0")}));
        QCOMPARE(ids(QStringLiteral("NUMBER 1")), QStringList{QStringLiteral("req_h1")}); // summary, any case
        QCOMPARE(ids(QStringLiteral("window")), QStringList{QStringLiteral("req_h0")});   // a decision's reason
        QCOMPARE(ids(QStringLiteral("deploy.web")).size(), 3);                            // the capability
        QCOMPARE(ids(QStringLiteral("100%")), QStringList{});                             // % taken literally
    }

    void aTakenIdOnATeamDatabaseIsAConflict_data() { aTeamDatabaseHoldsNoPlaintextAndAMovedCiphertextIsRefused_data(); }
    void aTakenIdOnATeamDatabaseIsAConflict()
    {
        // PostgreSQL's SQLSTATE 23505 reaches the caller as a Conflict, as every store reads it.
        const Request request = sampleRequest(QStringLiteral("req_once"), m_runtimeId, 1'000);
        VERIFY_RESULT(m_store->insert(request, QStringLiteral("b")));
        auto again = storage::transact(m_db, [&] { return m_store->insert(request, QStringLiteral("b")); });
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Conflict);
    }

    void aTeamDatabaseHoldsNoPlaintextAndAMovedCiphertextIsRefused_data()
    {
        QTest::addColumn<int>("unused");
        QTest::newRow("postgres") << 0;
    }
    void aTeamDatabaseHoldsNoPlaintextAndAMovedCiphertextIsRefused()
    {
        addMember(QStringLiteral("m1"));
        VERIFY_RESULT(m_store->insert(sampleRequest(QStringLiteral("req_a"), m_runtimeId, 1'000), QStringLiteral("b")));
        VERIFY_RESULT(m_store->insert(sampleRequest(QStringLiteral("req_b"), m_runtimeId, 1'000), QStringLiteral("b")));
        approvals::Decision decision;
        decision.memberId = QStringLiteral("m1");
        decision.reason = QStringLiteral("%1-reason").arg(MARKER);
        VERIFY_RESULT(m_store->insertDecision(QStringLiteral("req_a"), decision));

        // Every column of both tables, as the database holds them: no marker anywhere.
        for (const QString& table : {QStringLiteral("requests"), QStringLiteral("decisions")}) {
            auto rows = storage::execute(m_db, QStringLiteral("SELECT * FROM %1").arg(table));
            VERIFY_RESULT(rows);
            int seen = 0;
            while (rows->next()) {
                ++seen;
                for (int column = 0; column < rows->record().count(); ++column)
                    QVERIFY2(!rows->value(column).toByteArray().contains(MARKER.toUtf8()),
                             qPrintable(table + u'.' + rows->record().fieldName(column)));
            }
            QVERIFY(seen > 0);
        }

        // Whoever can write the database copies request A's sealed payload into request B.
        VERIFY_RESULT(storage::execute(
            m_db, QStringLiteral("UPDATE requests SET payload = (SELECT payload FROM requests WHERE id = 'req_a') "
                                 "WHERE id = 'req_b'")));
        auto moved = m_store->get(QStringLiteral("req_b"));
        QVERIFY(!moved);
        QCOMPARE(moved.error().code, ErrorCode::Integrity);
        QVERIFY2(moved.error().message.contains(u"requests.payload of req_b"), qPrintable(moved.error().message));
        VERIFY_RESULT(m_store->get(QStringLiteral("req_a")));

        // A store without the team's data key opens nothing and writes nothing.
        RequestStore keyless(m_db, nullptr);
        auto unread = keyless.get(QStringLiteral("req_a"));
        QVERIFY(!unread);
        QCOMPARE(unread.error().code, ErrorCode::Crypto);
        QVERIFY(!keyless.insert(sampleRequest(QStringLiteral("req_c"), m_runtimeId, 1'000), QStringLiteral("b")));
    }
};

QTEST_GUILESS_MAIN(TestRequestStore)
#include "tst_requeststore.moc"
