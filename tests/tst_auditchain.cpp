#include "audit/auditedconnection.h"
#include "audit/auditlog.h"
#include "crypto/columncipher.h"
#include "crypto/crypto.h"
#include "crypto/securebuffer.h"
#include "pgcluster.h"
#include "storage/execute.h"
#include "storage/migrations.h"
#include "storage/pgconnection.h"
#include "testsupport.h"
#include "vault/vault.h"

#include <QJsonObject>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace countersign;
using test::PgCluster;

namespace {

const QByteArray MARKER = QByteArrayLiteral("zq-audit-marker-5e2");

} // namespace

/// The audit chain with several writers at once, on a vault and on a team database: appends
/// from connections of their own (the nodes of a team) form one hash chain and one Merkle tree,
/// and on PostgreSQL each entry's details are sealed to the entry.
class TestAuditChain final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<PgCluster> m_cluster;
    std::shared_ptr<const crypto::ColumnCipher> m_cipher;
    crypto::SecureBuffer m_macKey = crypto::SecureBuffer::copyOf(QByteArray(32, 'm'));
    int m_databases = 0;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<vault::Vault> m_vault;
    QString m_pgDatabase;
    QSqlDatabase m_db;
    std::unique_ptr<audit::AuditLog> m_pgLog;

    [[nodiscard]] bool onPostgres() const { return !m_pgDatabase.isEmpty(); }
    [[nodiscard]] audit::AuditLog& log() { return onPostgres() ? *m_pgLog : m_vault->audit(); }

    [[nodiscard]] storage::PgConnectionConfig pgConfig() const
    {
        return m_cluster->connectionConfig(QStringLiteral("localhost"), m_pgDatabase);
    }

    /// Appends \a count entries, one transaction each, from a connection of the calling thread.
    [[nodiscard]] QString appendFrom(const QString& name, int writer, int count)
    {
        QString failure;
        const auto appendAll = [&](audit::AuditLog& own) {
            for (int i = 0; i < count && failure.isEmpty(); ++i) {
                auto appended =
                    own.append({QStringLiteral("runtime:writer-%1").arg(writer), QStringLiteral("request.created"),
                                QStringLiteral("request:%1-%2").arg(writer).arg(i),
                                QJsonObject{{QStringLiteral("note"), QString::fromLatin1(MARKER)}}});
                if (!appended)
                    failure = appended.error().message;
            }
        };
        if (onPostgres()) {
            {
                auto opened = storage::PgConnection::open(pgConfig(), name);
                if (!opened)
                    return opened.error().message;
                {
                    audit::AuditLog own(*opened, m_macKey, m_cipher);
                    appendAll(own);
                }
                opened->close();
            }
            QSqlDatabase::removeDatabase(name);
            return failure;
        }
        auto connection = m_vault->openAuditedConnection(name);
        if (!connection)
            return connection.error().message;
        appendAll((*connection)->log());
        return failure;
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
        if (QString::fromLatin1(QTest::currentDataTag()) == u"postgres") {
            m_pgDatabase = QStringLiteral("chain_%1").arg(++m_databases);
            QVERIFY(m_cluster->createDatabase(m_pgDatabase));
            auto opened = storage::PgConnection::open(pgConfig(), QStringLiteral("main"));
            QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
            m_db = *opened;
            VERIFY_RESULT(storage::Migrations(storage::Migrations::team()).migrate(m_db));
            m_pgLog = std::make_unique<audit::AuditLog>(m_db, m_macKey, m_cipher);
        } else {
            m_pgDatabase.clear();
            m_dir = std::make_unique<QTemporaryDir>();
            m_vault = test::createVault(m_dir->filePath(QStringLiteral("v")));
            QVERIFY(m_vault);
            m_db = m_vault->database();
        }
    }

    void cleanup()
    {
        m_pgLog.reset();
        m_db = QSqlDatabase();
        if (QSqlDatabase::contains(QStringLiteral("main"))) {
            QSqlDatabase::database(QStringLiteral("main"), false).close();
            QSqlDatabase::removeDatabase(QStringLiteral("main"));
        }
        m_vault.reset();
        m_dir.reset();
    }

    void writersAtOnceFormOneChainAndOneTree_data()
    {
        QTest::addColumn<int>("unused");
        QTest::newRow("vault") << 0;
        QTest::newRow("postgres") << 0;
    }
    void writersAtOnceFormOneChainAndOneTree()
    {
        constexpr int WRITERS = 4;
        constexpr int EACH = 25;
        auto before = log().count();
        VERIFY_RESULT(before);
        std::atomic<int> waiting{WRITERS};
        QStringList failures(WRITERS);
        std::vector<std::unique_ptr<QThread>> threads;
        for (int w = 0; w < WRITERS; ++w) {
            threads.push_back(std::unique_ptr<QThread>(QThread::create([&, w] {
                waiting.fetch_sub(1);
                while (waiting.load() > 0)
                    QThread::yieldCurrentThread();
                failures[w] = appendFrom(QStringLiteral("writer-%1").arg(w), w, EACH);
            })));
        }
        for (auto& thread : threads)
            thread->start();
        for (auto& thread : threads)
            QVERIFY(thread->wait(120000));
        for (const QString& failure : std::as_const(failures))
            QVERIFY2(failure.isEmpty(), qPrintable(failure));

        auto count = log().count();
        VERIFY_RESULT(count);
        QCOMPARE(*count, *before + WRITERS * EACH);
        auto entries = log().entries(1, 10'000);
        VERIFY_RESULT(entries);
        QCOMPARE(entries->size(), *count);
        for (qsizetype i = 0; i < entries->size(); ++i)
            QCOMPARE(entries->at(i).seq, i + 1); // one numbering, no gap, no fork
        const audit::VerifyResult verified = log().verify();
        QVERIFY2(verified.ok(), qPrintable(verified.message));
        QCOMPARE(verified.checked, *count);
        auto synced = log().syncTree(); // the tree already holds every entry: nothing to add
        VERIFY_RESULT(synced);
        QCOMPARE(*synced, 0);
    }

    void aTeamDatabaseSealsEachEntrysDetailsToIt_data()
    {
        QTest::addColumn<int>("unused");
        QTest::newRow("postgres") << 0;
    }
    void aTeamDatabaseSealsEachEntrysDetailsToIt()
    {
        QVERIFY(appendFrom(QStringLiteral("one"), 1, 3).isEmpty());
        auto rows = storage::execute(m_db, QStringLiteral("SELECT * FROM audit_log"));
        VERIFY_RESULT(rows);
        int seen = 0;
        while (rows->next()) {
            ++seen;
            for (int column = 0; column < rows->record().count(); ++column)
                QVERIFY2(!rows->value(column).toByteArray().contains(MARKER),
                         qPrintable(rows->record().fieldName(column)));
        }
        QCOMPARE(seen, 3);
        auto entries = log().entries(1, 10);
        VERIFY_RESULT(entries);
        QVERIFY(entries->at(0).details.contains(MARKER));

        // The audit log refuses UPDATE; whoever owns the database can still set the trigger aside
        // and copy entry 1's sealed details into entry 2. The walk refuses to read them.
        QVERIFY(m_cluster->execute(QStringLiteral("ALTER TABLE audit_log DISABLE TRIGGER USER; "
                                                  "UPDATE audit_log SET details = (SELECT details FROM audit_log "
                                                  "WHERE seq = 1) WHERE seq = 2; "
                                                  "ALTER TABLE audit_log ENABLE TRIGGER USER"),
                                   m_pgDatabase));
        const audit::VerifyResult verified = log().verify();
        QVERIFY(!verified.ok());
        QVERIFY2(verified.message.contains(u"audit_log.details of 2"), qPrintable(verified.message));
        QCOMPARE(verified.checked, 1);
    }
};

QTEST_GUILESS_MAIN(TestAuditChain)
#include "tst_auditchain.moc"
