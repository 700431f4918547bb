#include "crypto/crypto.h"
#include "pgcluster.h"
#include "storage/execute.h"
#include "storage/pgconnection.h"
#include "storage/pgnotifications.h"
#include "storage/transaction.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

#include <memory>

using namespace countersign;
using storage::PgNotifications;
using test::PgCluster;

/// Wake-ups between team nodes over LISTEN/NOTIFY on a real cluster: delivered after the commit
/// only, carrying identifiers only, and listened to again (with a word to look at everything)
/// after the session or the whole server went away.
class TestPgNotifications final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<PgCluster> m_cluster;
    QSqlDatabase m_writer;
    std::unique_ptr<PgNotifications> m_listener;
    const QString m_channel = PgNotifications::REQUESTS_CHANNEL;

    void openWriter()
    {
        m_writer = QSqlDatabase();
        if (QSqlDatabase::contains(QStringLiteral("writer")))
            QSqlDatabase::removeDatabase(QStringLiteral("writer"));
        auto opened = storage::PgConnection::open(m_cluster->connectionConfig(), QStringLiteral("writer"));
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        m_writer = *opened;
    }

    /// Sends \a id in a transaction of its own that commits (or, with \a commit false, rolls back).
    [[nodiscard]] bool send(const QString& id, bool commit = true)
    {
        auto outcome = storage::transact(m_writer, [&]() -> Result<void> {
            auto sent = PgNotifications::notify(m_writer, m_channel, id);
            COUNTERSIGN_TRY(sent);
            if (!commit)
                return fail(ErrorCode::Conflict, QStringLiteral("rolled back on purpose"));
            return {};
        });
        return commit ? outcome.has_value() : !outcome.has_value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(crypto::initialize());
        m_cluster = std::make_unique<PgCluster>();
        QVERIFY(m_cluster->start());
    }
    void cleanupTestCase() { m_cluster.reset(); }

    void init()
    {
        openWriter();
        m_listener = std::make_unique<PgNotifications>(m_cluster->connectionConfig(), m_channel);
        m_listener->setPollInterval(100);
        m_listener->setMaxBackoff(400);
        VERIFY_RESULT(m_listener->start());
        QVERIFY(m_listener->isListening());
    }

    void cleanup()
    {
        m_listener.reset();
        m_writer = QSqlDatabase();
        QSqlDatabase::database(QStringLiteral("writer"), false).close();
        QSqlDatabase::removeDatabase(QStringLiteral("writer"));
    }

    void aCommittedChangeWakesTheOtherNodeAfterTheCommit()
    {
        QSignalSpy hinted(m_listener.get(), &PgNotifications::hinted);
        bool heardInside = true;
        auto outcome = storage::transact(m_writer, [&]() -> Result<void> {
            auto sent = PgNotifications::notify(m_writer, m_channel, QStringLiteral("req_inside"));
            COUNTERSIGN_TRY(sent);
            QTest::qWait(300); // the listener's event loop turns: nothing may arrive before the commit
            heardInside = !hinted.isEmpty();
            return {};
        });
        VERIFY_RESULT(outcome);
        QVERIFY(!heardInside);
        QTRY_COMPARE(hinted.size(), 1);
        QCOMPARE(hinted.at(0).at(0).toString(), QStringLiteral("req_inside"));
    }

    void aRolledBackChangeWakesNoOne()
    {
        QSignalSpy hinted(m_listener.get(), &PgNotifications::hinted);
        QVERIFY(send(QStringLiteral("req_never"), false));
        QVERIFY(send(QStringLiteral("req_later")));
        QTRY_COMPARE(hinted.size(), 1);
        QTest::qWait(200);
        QCOMPARE(hinted.size(), 1);
        QCOMPARE(hinted.at(0).at(0).toString(), QStringLiteral("req_later"));
    }

    void aWakeUpCarriesAnIdentifierAndNothingElse()
    {
        QSignalSpy hinted(m_listener.get(), &PgNotifications::hinted);
        auto refused = PgNotifications::notify(m_writer, m_channel, QStringLiteral("summary: deploy to prod"));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
        // Whatever another program sends on the channel, only identifiers come through.
        QSqlQuery raw(m_writer);
        QVERIFY(raw.exec(QStringLiteral("SELECT pg_notify('%1', 'DROP TABLE requests; --')").arg(m_channel)));
        QVERIFY(send(QStringLiteral("req_ok")));
        QTRY_COMPARE(hinted.size(), 1);
        QTest::qWait(200);
        QCOMPARE(hinted.size(), 1);
        QCOMPARE(hinted.at(0).at(0).toString(), QStringLiteral("req_ok"));
    }

    void aLostSessionIsListenedToAgainAndResynchronised()
    {
        QSignalSpy lost(m_listener.get(), &PgNotifications::connectionLost);
        QSignalSpy again(m_listener.get(), &PgNotifications::resynchronise);
        QSignalSpy hinted(m_listener.get(), &PgNotifications::hinted);
        // The listener's session is ended from the server side, as an administrator would.
        QVERIFY(m_cluster->execute(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                                  "WHERE query LIKE 'LISTEN%'")));
        QTRY_COMPARE(lost.size(), 1);
        QTRY_COMPARE(again.size(), 1);
        QVERIFY(m_listener->isListening());
        QVERIFY(send(QStringLiteral("req_after")));
        QTRY_COMPARE(hinted.size(), 1);
        QCOMPARE(hinted.at(0).at(0).toString(), QStringLiteral("req_after"));
    }

    void aRestartedServerIsListenedToAgainWithBackoff()
    {
        QSignalSpy lost(m_listener.get(), &PgNotifications::connectionLost);
        QSignalSpy again(m_listener.get(), &PgNotifications::resynchronise);
        QSignalSpy hinted(m_listener.get(), &PgNotifications::hinted);
        QVERIFY(m_cluster->stop());
        QTRY_COMPARE(lost.size(), 1);
        QTest::qWait(1500); // several failed attempts while the server is down
        QVERIFY(!m_listener->isListening());
        QCOMPARE(again.size(), 0);
        QVERIFY(m_cluster->start());
        QTRY_COMPARE_WITH_TIMEOUT(again.size(), 1, 20000);
        openWriter(); // the writer's session ended with the server too
        QVERIFY(send(QStringLiteral("req_restarted")));
        QTRY_COMPARE(hinted.size(), 1);
        QCOMPARE(hinted.at(0).at(0).toString(), QStringLiteral("req_restarted"));
    }
};

QTEST_GUILESS_MAIN(TestPgNotifications)
#include "tst_pgnotifications.moc"
