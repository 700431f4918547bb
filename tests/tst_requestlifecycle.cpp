#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestlifecycle.h"
#include "approvals/requestservice.h"
#include "approvals/requeststore.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "evidence/actor.h"
#include "members/memberauthorizer.h"
#include "servicebackend.h"
#include "storage/sqldialect.h"
#include "storage/transaction.h"
#include "testsupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using approvals::RequestEvent;
using approvals::RequestState;

Q_DECLARE_METATYPE(approvals::RequestState)
Q_DECLARE_METATYPE(approvals::RequestEvent)

/// The seams of the approvals module: the state table, the actor type, the authorizer that fails
/// closed, the dialect's patterns and transact(). Each function runs on a vault and on a team
/// database, each its own.
class TestRequestLifecycle final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::ServicesFixture> m_app; // one per test function

    qint64 auditSize()
    {
        auto size = m_app->services().audit().lastSeq();
        return size ? *size : -1;
    }

private Q_SLOTS:
    void initTestCase_data() { test::ServiceBackend::addRows(); }

    void init()
    {
        m_app = std::make_unique<test::ServicesFixture>();
        QVERIFY(m_app->open());
    }

    void cleanup() { m_app.reset(); }

    void stateTable_data()
    {
        QTest::addColumn<RequestState>("from");
        QTest::addColumn<RequestEvent>("event");
        QTest::addColumn<int>("to"); // -1: not in the table
        const QList<RequestState> states{RequestState::Pending, RequestState::Approved,  RequestState::Denied,
                                         RequestState::Expired, RequestState::Cancelled, RequestState::Consumed};
        const QList<std::pair<RequestEvent, const char*>> events{{RequestEvent::Approve, "approve"},
                                                                 {RequestEvent::Deny, "deny"},
                                                                 {RequestEvent::Cancel, "cancel"},
                                                                 {RequestEvent::Expire, "expire"},
                                                                 {RequestEvent::Consume, "consume"}};
        const QHash<QString, RequestState> allowed{
            {QStringLiteral("pending approve"), RequestState::Approved},
            {QStringLiteral("pending deny"), RequestState::Denied},
            {QStringLiteral("pending cancel"), RequestState::Cancelled},
            {QStringLiteral("pending expire"), RequestState::Expired},
            {QStringLiteral("approved consume"), RequestState::Consumed},
            {QStringLiteral("approved expire"), RequestState::Expired},
        };
        for (RequestState state : states) {
            for (const auto& [event, name] : events) {
                const QString row = approvals::stateName(state) + u' ' + QLatin1StringView(name);
                QTest::newRow(qPrintable(row))
                    << state << event << (allowed.contains(row) ? static_cast<int>(allowed.value(row)) : -1);
            }
        }
    }

    void stateTable()
    {
        QFETCH(RequestState, from);
        QFETCH(RequestEvent, event);
        QFETCH(int, to);
        const auto next = approvals::RequestLifecycle::next(from, event);
        QCOMPARE(next ? static_cast<int>(*next) : -1, to);
    }

    void applyRefusesWhatTheTableDoesNotHold()
    {
        const QString id = test::createRequest(m_app->services().requests(), m_app->runtime(), QStringLiteral("deploy"),
                                               QStringLiteral("low"));
        QVERIFY(!id.isEmpty());
        approvals::RequestStore store(m_app->services().database());
        approvals::RequestLifecycle lifecycle(store, m_app->services().audit());
        auto request = m_app->services().requests().request(id);
        QVERIFY(request);
        const qint64 before = auditSize();
        // A pending request cannot be consumed: refused, nothing written, nothing audited.
        auto consumed = lifecycle.apply(*request, RequestEvent::Consume, request->createdAt,
                                        audit::Actor::runtime(m_app->runtime().name));
        QVERIFY(!consumed);
        QCOMPARE(test::errorCode(consumed), ErrorCode::Conflict);
        QCOMPARE(request->state, RequestState::Pending);
        QCOMPARE(test::stored(m_app->services().requests(), id).state, RequestState::Pending);
        QCOMPARE(auditSize(), before);
        // Through the table: cancelled, with its entry; then final.
        auto cancelled = lifecycle.apply(*request, RequestEvent::Cancel, request->createdAt,
                                         audit::Actor::runtime(m_app->runtime().name));
        QVERIFY(cancelled);
        QCOMPARE(*cancelled, before + 1);
        QCOMPARE(test::stored(m_app->services().requests(), id).state, RequestState::Cancelled);
        auto entry = m_app->services().audit().entries(*cancelled, 1);
        QVERIFY(entry && entry->size() == 1);
        QCOMPARE(entry->first().action, QStringLiteral("request.cancelled"));
        QCOMPARE(entry->first().actor, QStringLiteral("runtime:ci"));
        auto again = lifecycle.apply(*request, RequestEvent::Approve, request->createdAt, audit::Actor::system());
        QVERIFY(!again);
        QCOMPARE(test::errorCode(again), ErrorCode::Conflict);
        QCOMPARE(auditSize(), before + 1);
    }

    void applyLosesToAnotherWriter()
    {
        const QString id = test::createRequest(m_app->services().requests(), m_app->runtime(), QStringLiteral("deploy"),
                                               QStringLiteral("low"));
        approvals::RequestStore store(m_app->services().database());
        approvals::RequestLifecycle lifecycle(store, m_app->services().audit());
        auto stale = m_app->services().requests().request(id);
        QVERIFY(stale);
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
        // The copy still says pending; the row does not: the write finds no row in that state.
        auto late = lifecycle.apply(*stale, RequestEvent::Deny, stale->createdAt, audit::Actor::system());
        QVERIFY(!late);
        QCOMPARE(test::errorCode(late), ErrorCode::Conflict);
        QCOMPARE(test::stored(m_app->services().requests(), id).state, RequestState::Cancelled);
    }

    void actorsRoundTrip_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::newRow("system") << QStringLiteral("system") << true;
        QTest::newRow("policy") << QStringLiteral("policy") << true;
        QTest::newRow("member") << QStringLiteral("member:mem_a") << true;
        QTest::newRow("runtime") << QStringLiteral("runtime:ci") << true;
        QTest::newRow("member without id") << QStringLiteral("member:") << false;
        QTest::newRow("runtime without name") << QStringLiteral("runtime:") << false;
        QTest::newRow("unknown kind") << QStringLiteral("root") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("case differs") << QStringLiteral("Member:owner") << false;
    }

    void actorsRoundTrip()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        const auto actor = audit::Actor::parse(text);
        QCOMPARE(actor.has_value(), valid);
        if (actor)
            QCOMPARE(actor->toString(), text);
    }

    void authorizerFailsClosed()
    {
        QVERIFY(test::addMember(m_app->services(), QStringLiteral("victor"), QStringLiteral("Victor"),
                                QStringLiteral("viewer")));
        const members::MemberAuthorizer authorizer(m_app->services().database());
        QVERIFY(authorizer.authorize(audit::Actor::member(QStringLiteral("owner")), members::Permission::Decide));
        QVERIFY(authorizer.authorize(QStringLiteral("member:owner"), members::Permission::EditPolicy));
        const QList<std::pair<audit::Actor, members::Permission>> refused{
            {audit::Actor::system(), members::Permission::Decide},
            {audit::Actor::policy(), members::Permission::Decide},
            {audit::Actor::runtime(QStringLiteral("ci")), members::Permission::ViewQueue},
            {audit::Actor::runtime(QStringLiteral("owner")), members::Permission::ViewQueue},
            {audit::Actor::member(QStringLiteral("nobody")), members::Permission::ViewQueue},
            {audit::Actor::member(QString()), members::Permission::ViewQueue},
            {audit::Actor::member(QStringLiteral("victor")), members::Permission::Decide},
        };
        for (const auto& [actor, permission] : refused) {
            auto answer = authorizer.authorize(actor, permission);
            QVERIFY2(!answer, qPrintable(actor.toString()));
            QCOMPARE(test::errorCode(answer), ErrorCode::PermissionDenied);
        }
        for (const QString& text : {QStringLiteral("owner"), QStringLiteral("member:"), QStringLiteral("system")}) {
            auto answer = authorizer.authorize(text, members::Permission::ViewQueue);
            QVERIFY2(!answer, qPrintable(text));
            QCOMPARE(test::errorCode(answer), ErrorCode::PermissionDenied);
        }
        // The services ask the same authorizer: the owner reads the queue; a viewer neither reads
        // it nor reveals a payload; an unknown member reads nothing.
        QVERIFY(m_app->services().requests().queue(QStringLiteral("owner")));
        QVERIFY(!m_app->services().requests().queue(QStringLiteral("victor")));
        QVERIFY(!m_app->services().requests().history(QStringLiteral("victor")));
        const QString id = test::createRequest(m_app->services().requests(), m_app->runtime(), QStringLiteral("deploy"),
                                               QStringLiteral("low"));
        auto revealed = m_app->services().requests().reveal(QStringLiteral("victor"), id);
        QVERIFY(!revealed);
        QCOMPARE(test::errorCode(revealed), ErrorCode::PermissionDenied);
        QVERIFY(!m_app->services().requests().queue(QStringLiteral("nobody")));
    }

    void dialectPatternsAreLiteral()
    {
        QCOMPARE(storage::SqlDialect::likePattern(QStringLiteral("50%_a\\b")), QStringLiteral("%50\\%\\_a\\\\b%"));
        const storage::SqlDialect postgres(storage::SqlDialect::Kind::PostgreSql);
        // Each piece runs on the backend of this row, in that backend's dialect.
        const storage::SqlDialect dialect = storage::SqlDialect::of(m_app->services().database());
        QCOMPARE(dialect.kind(), m_app->backend().isTeam() ? storage::SqlDialect::Kind::PostgreSql
                                                           : storage::SqlDialect::Kind::SqlCipher);
        // The largest of the values that are there, NULLs skipped, as PostgreSQL's GREATEST does.
        QSqlQuery greatest(m_app->services().database());
        QVERIFY(
            greatest.exec(QStringLiteral("SELECT %1, %2")
                              .arg(dialect.greatest({QStringLiteral("1"), QStringLiteral("NULL"), QStringLiteral("3")}),
                                   dialect.greatest({QStringLiteral("NULL"), QStringLiteral("-5")}))) &&
            greatest.next());
        QCOMPARE(greatest.value(0).toLongLong(), 3);
        QCOMPARE(greatest.value(1).toLongLong(), -5);
        QCOMPARE(postgres.greatest({QStringLiteral("a"), QStringLiteral("b")}), QStringLiteral("GREATEST(a, b)"));
        QVERIFY(postgres.contains(QStringLiteral("summary")).contains(QStringLiteral("ILIKE")));
        // A search for "%" finds the text holding one, not every text.
        QSqlQuery query(m_app->services().database());
        QVERIFY(query.exec(QStringLiteral("CREATE TEMP TABLE notes (text TEXT)")));
        QVERIFY(query.exec(QStringLiteral("INSERT INTO notes VALUES ('100% done'), ('1000 done'), ('A_B'), ('AxB')")));
        for (const auto& [search, expected] : {std::pair(QStringLiteral("%"), 1), std::pair(QStringLiteral("_"), 1),
                                               std::pair(QStringLiteral("DONE"), 2)}) {
            query.prepare(QStringLiteral("SELECT count(*) FROM notes WHERE ") +
                          dialect.contains(QStringLiteral("text")));
            query.addBindValue(storage::SqlDialect::likePattern(search));
            QVERIFY(query.exec() && query.next());
            QCOMPARE(query.value(0).toInt(), expected);
        }
        QVERIFY(query.exec(QStringLiteral("CREATE TEMP TABLE keyed (k INTEGER PRIMARY KEY, v TEXT)")));
        for (const QString& value : {QStringLiteral("first"), QStringLiteral("second")}) {
            QVERIFY2(query.prepare(
                         dialect.insertOrIgnore(QStringLiteral("keyed"), {QStringLiteral("k"), QStringLiteral("v")})),
                     qPrintable(query.lastError().text()));
            query.addBindValue(1);
            query.addBindValue(value);
            QVERIFY2(query.exec(), qPrintable(query.lastError().text() + u' ' + query.lastQuery()));
        }
        for (const QString& value : {QStringLiteral("third")}) {
            query.prepare(dialect.upsert(QStringLiteral("keyed"), {QStringLiteral("k"), QStringLiteral("v")},
                                         {QStringLiteral("k")}, {QStringLiteral("v")}));
            query.addBindValue(1);
            query.addBindValue(value);
            QVERIFY(query.exec());
        }
        QVERIFY(query.exec(QStringLiteral("SELECT max(v), count(*) FROM keyed")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("third"));
        QCOMPARE(query.value(1).toInt(), 1);
    }

    void transactReturnsWhatItsWorkReturns()
    {
        QSqlDatabase db = m_app->services().database();
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("CREATE TABLE counted (x INTEGER)")));
        auto insert = [&](int value) -> Result<void> {
            QSqlQuery row(db);
            row.prepare(QStringLiteral("INSERT INTO counted VALUES (?)"));
            row.addBindValue(value);
            if (!row.exec())
                return fail(ErrorCode::Storage, QStringLiteral("insert failed"));
            return {};
        };
        auto count = [&] {
            QSqlQuery rows(db);
            return rows.exec(QStringLiteral("SELECT count(*) FROM counted")) && rows.next() ? rows.value(0).toInt()
                                                                                            : -1;
        };
        auto kept = storage::transact(db, [&]() -> Result<int> {
            COUNTERSIGN_TRY(insert(1));
            return 42;
        });
        QVERIFY(kept);
        QCOMPARE(*kept, 42);
        QCOMPARE(count(), 1);
        // A failure rolls back everything the work did, also what a joined transact() wrote.
        auto dropped = storage::transact(db, [&]() -> Result<QString> {
            COUNTERSIGN_TRY(insert(2));
            auto inner = storage::transact(db, [&]() -> Result<int> {
                COUNTERSIGN_TRY(insert(3));
                return 3;
            });
            COUNTERSIGN_TRY(inner);
            return fail(ErrorCode::Conflict, QStringLiteral("changed my mind"));
        });
        QVERIFY(!dropped);
        QCOMPARE(test::errorCode(dropped), ErrorCode::Conflict);
        QCOMPARE(count(), 1);
        QVERIFY(!storage::inTransaction(db));
    }
};

QTEST_GUILESS_MAIN(TestRequestLifecycle)
#include "tst_requestlifecycle.moc"
