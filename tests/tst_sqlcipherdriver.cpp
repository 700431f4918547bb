#include "crypto/securebuffer.h"
#include "storage/groupcommit.h"
#include "storage/sqlcipherdriver.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QPoint>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSqlResult>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <limits>
#include <sqlite3.h>

using countersign::crypto::SecureBuffer;
using countersign::storage::SqlCipherDriver;

namespace {

/// The statements the connection holds prepared: those of live queries and those kept idle.
int preparedStatements(const QSqlDatabase& db)
{
    auto* handle = qobject_cast<const SqlCipherDriver*>(db.driver())->nativeHandle();
    int count = 0;
    for (sqlite3_stmt* statement = sqlite3_next_stmt(handle, nullptr); statement;
         statement = sqlite3_next_stmt(handle, statement))
        ++count;
    return count;
}

/// Counts the statements the connection runs that begin with a given word, while it lives.
class StatementCounter final {
public:
    StatementCounter(const QSqlDatabase& db, QByteArray word)
        : m_handle(qobject_cast<const SqlCipherDriver*>(db.driver())->nativeHandle())
        , m_word(std::move(word))
    {
        sqlite3_trace_v2(m_handle, SQLITE_TRACE_STMT, &StatementCounter::seen, this);
    }
    ~StatementCounter() { sqlite3_trace_v2(m_handle, 0, nullptr, nullptr); }
    StatementCounter(const StatementCounter&) = delete;
    StatementCounter& operator=(const StatementCounter&) = delete;
    [[nodiscard]] int count() const { return m_count; }

private:
    static int seen(unsigned, void* self, void* statement, void*)
    {
        auto* counter = static_cast<StatementCounter*>(self);
        if (QByteArray(sqlite3_sql(static_cast<sqlite3_stmt*>(statement))).startsWith(counter->m_word))
            ++counter->m_count;
        return 0;
    }
    sqlite3* m_handle;
    QByteArray m_word;
    int m_count = 0;
};

QSqlDatabase openDatabase(const QString& path, const QString& name, const QByteArray& key = QByteArray(32, 'k'),
                          const QString& options = {})
{
    auto* driver = new SqlCipherDriver();
    if (!key.isEmpty())
        driver->setKey(SecureBuffer::copyOf(key));
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, name);
    db.setDatabaseName(path);
    db.setConnectOptions(options);
    db.open();
    return db;
}

void closeDatabase(const QString& name)
{
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

} // namespace

class TestSqlCipherDriver final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QSqlDatabase m_db;

private Q_SLOTS:
    void init()
    {
        QFile::remove(m_dir.filePath(QStringLiteral("t.db")));
        m_db = openDatabase(m_dir.filePath(QStringLiteral("t.db")), QStringLiteral("main"));
        QVERIFY2(m_db.isOpen(), qPrintable(m_db.lastError().text()));
        QSqlQuery query(m_db);
        QVERIFY(query.exec(
            QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, d REAL, s TEXT, "
                           "b BLOB, u TEXT UNIQUE, n TEXT NOT NULL DEFAULT 'x', c INTEGER CHECK (c >= 0))")));
    }

    void cleanup()
    {
        m_db = QSqlDatabase();
        closeDatabase(QStringLiteral("main"));
    }

    void groupCommitFailsAUnitAlone()
    {
        // Four units in one batch: the second writes and then fails, the fourth breaks a UNIQUE
        // constraint. Each undoes only its own writes; the others commit together, once, and
        // what they queued for after the commit runs only after it, the failed units' never.
        countersign::storage::GroupCommit writes(m_db);
        QList<bool> unitSucceeded(4, false);
        QList<int> doneOrder;
        QStringList afterCommit;
        bool committedBeforeDone = true;
        const auto insert = [this](const QString& u) -> countersign::Result<void> {
            QSqlQuery query(m_db);
            query.prepare(QStringLiteral("INSERT INTO t (u) VALUES (?)"));
            query.addBindValue(u);
            if (!query.exec())
                return countersign::fail(countersign::ErrorCode::Storage, query.lastError().text());
            return {};
        };
        const QStringList values{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("a")};
        for (int i = 0; i < 4; ++i) {
            writes.submit(
                [&, i] {
                    auto outcome = countersign::storage::transact(m_db, [&]() -> countersign::Result<void> {
                        auto inserted = insert(values.at(i));
                        if (!inserted)
                            return inserted;
                        countersign::storage::afterCommit(
                            m_db, [&afterCommit, i] { afterCommit.append(QString::number(i)); });
                        if (i == 1)
                            return countersign::fail(countersign::ErrorCode::Conflict, QStringLiteral("refused"));
                        return {};
                    });
                    unitSucceeded[i] = outcome.has_value();
                },
                [&, i](const countersign::Result<void>& committed) {
                    QVERIFY(committed);
                    committedBeforeDone &= !countersign::storage::inTransaction(m_db);
                    doneOrder.append(i);
                });
        }
        QCOMPARE(writes.commits(), quint64{0}); // nothing runs before the event loop turns
        QTRY_COMPARE(doneOrder.size(), 4);
        QCOMPARE(doneOrder, (QList<int>{0, 1, 2, 3}));
        QCOMPARE(unitSucceeded, (QList<bool>{true, false, true, false}));
        QCOMPARE(writes.commits(), quint64{1});
        QVERIFY(committedBeforeDone);
        QCOMPARE(afterCommit, (QStringList{QStringLiteral("0"), QStringLiteral("2")}));
        QSqlQuery rows(m_db);
        QVERIFY(rows.exec(QStringLiteral("SELECT u FROM t ORDER BY id")));
        QStringList stored;
        while (rows.next())
            stored.append(rows.value(0).toString());
        QCOMPARE(stored, (QStringList{QStringLiteral("a"), QStringLiteral("c")}));
    }

    void aBatchWhoseUnitsFailOnlyBeforeWritingRunsOnceWithoutSavepoints()
    {
        // Nearly every batch: its units open no savepoint (SQLCipher encrypts each page a
        // savepoint journals), and a unit refused before it wrote anything costs no second run.
        countersign::storage::GroupCommit writes(m_db);
        const StatementCounter savepoints(m_db, "SAVEPOINT");
        QList<int> runs(3, 0);
        QList<bool> succeeded(3, false);
        int done = 0;
        for (int i = 0; i < 3; ++i) {
            writes.submit(
                [&, i] {
                    ++runs[i];
                    succeeded[i] =
                        countersign::storage::transact(m_db, [&]() -> countersign::Result<void> {
                            if (i == 1)
                                return countersign::fail(countersign::ErrorCode::Conflict,
                                                         QStringLiteral("refused before writing"));
                            QSqlQuery query(m_db);
                            query.prepare(QStringLiteral("INSERT INTO t (i) VALUES (?)"));
                            query.addBindValue(i);
                            if (!query.exec())
                                return countersign::fail(countersign::ErrorCode::Storage, query.lastError().text());
                            return {};
                        }).has_value();
                },
                [&](const countersign::Result<void>& committed) {
                    QVERIFY(committed);
                    ++done;
                });
        }
        QTRY_COMPARE(done, 3);
        QCOMPARE(runs, (QList<int>{1, 1, 1}));
        QCOMPARE(succeeded, (QList<bool>{true, false, true}));
        QCOMPARE(savepoints.count(), 0);
        QCOMPARE(writes.commits(), quint64{1});
        QSqlQuery rows(m_db);
        QVERIFY(rows.exec(QStringLiteral("SELECT group_concat(i) FROM t")) && rows.next());
        QCOMPARE(rows.value(0).toString(), QStringLiteral("0,2"));
    }

    void aUnitFailingAfterItWroteMakesTheBatchRunAgainWithSavepoints()
    {
        countersign::storage::GroupCommit writes(m_db);
        const StatementCounter savepoints(m_db, "SAVEPOINT");
        QList<int> runs(3, 0);
        int done = 0;
        for (int i = 0; i < 3; ++i) {
            writes.submit(
                [&, i] {
                    ++runs[i];
                    (void)countersign::storage::transact(m_db, [&]() -> countersign::Result<void> {
                        QSqlQuery query(m_db);
                        query.prepare(QStringLiteral("INSERT INTO t (i) VALUES (?)"));
                        query.addBindValue(i);
                        if (!query.exec())
                            return countersign::fail(countersign::ErrorCode::Storage, query.lastError().text());
                        if (i == 1)
                            return countersign::fail(countersign::ErrorCode::Conflict, QStringLiteral("refused"));
                        return {};
                    });
                },
                [&](const countersign::Result<void>& committed) {
                    QVERIFY(committed);
                    ++done;
                });
        }
        QTRY_COMPARE(done, 3);
        // The first pass stopped at the unit that failed; the second ran all three in savepoints.
        QCOMPARE(runs, (QList<int>{2, 2, 1}));
        QCOMPARE(savepoints.count(), 3);
        QCOMPARE(writes.commits(), quint64{1});
        QSqlQuery rows(m_db);
        QVERIFY(rows.exec(QStringLiteral("SELECT group_concat(i) FROM t")) && rows.next());
        QCOMPARE(rows.value(0).toString(), QStringLiteral("0,2"));
    }

    void roundTrips_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<QVariant>("expected");
        const qint64 big = std::numeric_limits<qint64>::max();
        const qint64 small = std::numeric_limits<qint64>::min();
        QByteArray allBytes;
        for (int i = 0; i < 256; ++i)
            allBytes.append(static_cast<char>(i));
        QTest::newRow("int64 max") << QStringLiteral("i") << QVariant(big) << QVariant(big);
        QTest::newRow("int64 min") << QStringLiteral("i") << QVariant(small) << QVariant(small);
        QTest::newRow("int") << QStringLiteral("i") << QVariant(-42) << QVariant(qint64{-42});
        QTest::newRow("bool") << QStringLiteral("i") << QVariant(true) << QVariant(qint64{1});
        QTest::newRow("unsigned in range")
            << QStringLiteral("i") << QVariant(quint64{12345}) << QVariant(qint64{12345});
        QTest::newRow("double") << QStringLiteral("d") << QVariant(3.141592653589793) << QVariant(3.141592653589793);
        QTest::newRow("negative double") << QStringLiteral("d") << QVariant(-1e-300) << QVariant(-1e-300);
        QTest::newRow("text") << QStringLiteral("s") << QVariant(QStringLiteral("plain"))
                              << QVariant(QStringLiteral("plain"));
        QTest::newRow("unicode") << QStringLiteral("s") << QVariant(QStringLiteral("zürich ∑ 日本 😀"))
                                 << QVariant(QStringLiteral("zürich ∑ 日本 😀"));
        QTest::newRow("empty text") << QStringLiteral("s") << QVariant(QStringLiteral(""))
                                    << QVariant(QStringLiteral(""));
        QTest::newRow("blob") << QStringLiteral("b") << QVariant(allBytes) << QVariant(allBytes);
        // Dates are stored as UTC ISO text with milliseconds; types that convert to text, as text.
        QTest::newRow("date-time") << QStringLiteral("s")
                                   << QVariant(QDateTime(QDate(2026, 11, 28), QTime(1, 2, 3, 456), Qt::UTC))
                                   << QVariant(QStringLiteral("2026-11-28T01:02:03.456Z"));
        QTest::newRow("url as text") << QStringLiteral("s") << QVariant(QUrl(QStringLiteral("https://example.org/a")))
                                     << QVariant(QStringLiteral("https://example.org/a"));
    }

    void aValueWithoutATextFormIsRefused()
    {
        QSqlQuery insert(m_db);
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (s) VALUES (?)")));
        insert.addBindValue(QVariant(QPoint(1, 2)));
        QVERIFY(!insert.exec());
        QVERIFY2(insert.lastError().databaseText().contains(QStringLiteral("cannot be stored")),
                 qPrintable(insert.lastError().text()));
        QSqlQuery count(m_db);
        QVERIFY(count.exec(QStringLiteral("SELECT count(*) FROM t")) && count.next());
        QCOMPARE(count.value(0).toInt(), 0);
    }
    void roundTrips()
    {
        QFETCH(QString, column);
        QFETCH(QVariant, value);
        QFETCH(QVariant, expected);
        QSqlQuery insert(m_db);
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (%1) VALUES (?)").arg(column)));
        insert.addBindValue(value);
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        QSqlQuery select(m_db);
        QVERIFY(select.exec(QStringLiteral("SELECT %1 FROM t").arg(column)));
        QVERIFY(select.next());
        QVERIFY(!select.isNull(0));
        QCOMPARE(select.value(0).metaType(), expected.metaType());
        QCOMPARE(select.value(0), expected);
        QVERIFY(!select.next());
    }

    void emptyStringIsNotNull()
    {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("INSERT INTO t (s) VALUES (?)"));
        query.addBindValue(QStringLiteral(""));
        QVERIFY(query.exec());
        QVERIFY(query.exec(QStringLiteral("SELECT s IS NULL, length(s) FROM t")) && query.next());
        QCOMPARE(query.value(0).toInt(), 0);
        QCOMPARE(query.value(1).toInt(), 0);
    }

    void nullsOfEveryType()
    {
        QSqlQuery insert(m_db);
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (i, d, s, b) VALUES (?, ?, ?, ?)")));
        insert.addBindValue(QVariant(QMetaType::fromType<qint64>()));
        insert.addBindValue(QVariant(QMetaType::fromType<double>()));
        insert.addBindValue(QVariant(QMetaType::fromType<QString>()));
        insert.addBindValue(QVariant(QMetaType::fromType<QByteArray>()));
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        QSqlQuery select(m_db);
        QVERIFY(select.exec(
            QStringLiteral("SELECT i, d, s, b, i IS NULL AND d IS NULL AND s IS NULL AND b IS NULL FROM t")));
        QVERIFY(select.next());
        for (int column = 0; column < 4; ++column) {
            QVERIFY(select.isNull(column));
            QVERIFY(select.value(column).isNull());
        }
        QCOMPARE(select.value(0).metaType(), QMetaType::fromType<qlonglong>());
        QCOMPARE(select.value(1).metaType(), QMetaType::fromType<double>());
        QCOMPARE(select.value(2).metaType(), QMetaType::fromType<QString>());
        QCOMPARE(select.value(3).metaType(), QMetaType::fromType<QByteArray>());
        QCOMPARE(select.value(4).toInt(), 1);
    }

    void unsignedTooLargeIsRefused()
    {
        QSqlQuery insert(m_db);
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (i) VALUES (?)")));
        insert.addBindValue(QVariant(std::numeric_limits<quint64>::max()));
        QVERIFY(!insert.exec());
        QVERIFY(insert.lastError().databaseText().contains(QStringLiteral("does not fit")));
    }

    void positionalAndNamedBinding()
    {
        QSqlQuery insert(m_db);
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (i, s) VALUES (:number, :text)")));
        insert.bindValue(QStringLiteral(":text"), QStringLiteral("named"));
        insert.bindValue(QStringLiteral(":number"), 7);
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (i, s) VALUES (?, ?)")));
        insert.bindValue(0, 8);
        insert.bindValue(1, QStringLiteral("positional"));
        QVERIFY(insert.exec());
        QSqlQuery select(m_db);
        QVERIFY(select.prepare(QStringLiteral("SELECT s FROM t WHERE i = :n OR i = :n + 100")));
        select.bindValue(QStringLiteral(":n"), 7);
        QVERIFY2(select.exec(), qPrintable(select.lastError().text()));
        QVERIFY(select.next());
        QCOMPARE(select.value(0).toString(), QStringLiteral("named"));
        QVERIFY(select.prepare(QStringLiteral("SELECT s FROM t WHERE i = ?")));
        select.addBindValue(8);
        QVERIFY(select.exec() && select.next());
        QCOMPARE(select.value(0).toString(), QStringLiteral("positional"));
    }

    void bindingErrors()
    {
        QSqlQuery query(m_db);
        QVERIFY(query.prepare(QStringLiteral("INSERT INTO t (i, s) VALUES (?, ?)")));
        query.addBindValue(1);
        QVERIFY(!query.exec());
        QCOMPARE(query.lastError().type(), QSqlError::StatementError);
        QVERIFY2(query.lastError().text().contains(QStringLiteral("Parameter count mismatch")),
                 qPrintable(query.lastError().text()));

        QVERIFY(query.prepare(QStringLiteral("INSERT INTO t (i) VALUES (?)")));
        query.addBindValue(1);
        query.addBindValue(2);
        QVERIFY(!query.exec());
        QCOMPARE(query.lastError().type(), QSqlError::StatementError);

        QVERIFY(!query.prepare(QStringLiteral("INSERT INTO nowhere VALUES (1)")));
        QCOMPARE(query.lastError().nativeErrorCode(), QStringLiteral("1")); // SQLITE_ERROR
        QVERIFY(query.lastError().databaseText().contains(QStringLiteral("no such table")));
        QVERIFY(!query.exec(QStringLiteral("SELEC 1")));
        QVERIFY(query.lastError().databaseText().contains(QStringLiteral("syntax error")));
        QVERIFY(!query.exec(QStringLiteral("SELECT 1; SELECT 2")));
        QVERIFY(query.lastError().databaseText().contains(QStringLiteral("one statement")));
    }

    void constraintViolations_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("unique") << QStringLiteral("INSERT INTO t (u) VALUES ('same'), ('same')")
                                << QStringLiteral("2067") << QStringLiteral("UNIQUE");
        QTest::newRow("not null") << QStringLiteral("INSERT INTO t (n) VALUES (NULL)") << QStringLiteral("1299")
                                  << QStringLiteral("NOT NULL");
        QTest::newRow("check") << QStringLiteral("INSERT INTO t (c) VALUES (-1)") << QStringLiteral("275")
                               << QStringLiteral("CHECK");
        QTest::newRow("primary key") << QStringLiteral("INSERT INTO t (id) VALUES (1), (1)") << QStringLiteral("1555")
                                     << QStringLiteral("UNIQUE");
    }
    void constraintViolations()
    {
        QFETCH(QString, sql);
        QFETCH(QString, code);
        QFETCH(QString, fragment);
        QSqlQuery query(m_db);
        QVERIFY(!query.exec(sql));
        QCOMPARE(query.lastError().nativeErrorCode(), code);
        QVERIFY2(query.lastError().databaseText().contains(fragment), qPrintable(query.lastError().databaseText()));
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM t")) && query.next());
        QCOMPARE(query.value(0).toInt(), 0); // the failed statement left nothing behind
    }

    void lastInsertIdAndRowsAffected()
    {
        QSqlQuery query(m_db);
        QVERIFY(query.exec(QStringLiteral("INSERT INTO t (id, i) VALUES (41, 1)")));
        QCOMPARE(query.lastInsertId().toLongLong(), qint64{41});
        QCOMPARE(query.numRowsAffected(), 1);
        QVERIFY(query.exec(QStringLiteral("INSERT INTO t (i) VALUES (2), (3)")));
        QCOMPARE(query.lastInsertId().toLongLong(), qint64{43});
        QCOMPARE(query.numRowsAffected(), 2);
        QVERIFY(query.exec(QStringLiteral("UPDATE t SET s = 'x' WHERE i >= 2")));
        QCOMPARE(query.numRowsAffected(), 2);
        QVERIFY(query.exec(QStringLiteral("DELETE FROM t WHERE i = 99")));
        QCOMPARE(query.numRowsAffected(), 0);
        QVERIFY(query.exec(QStringLiteral("DELETE FROM t")));
        QCOMPARE(query.numRowsAffected(), 3);
        QCOMPARE(query.size(), -1);
    }

    void transactions()
    {
        QVERIFY(m_db.transaction());
        QVERIFY(QSqlQuery(m_db).exec(QStringLiteral("INSERT INTO t (i) VALUES (1)")));
        QVERIFY(m_db.commit());
        QVERIFY(m_db.transaction());
        QVERIFY(QSqlQuery(m_db).exec(QStringLiteral("INSERT INTO t (i) VALUES (2)")));
        QVERIFY(m_db.rollback());
        QSqlQuery query(m_db);
        QVERIFY(query.exec(QStringLiteral("SELECT group_concat(i) FROM t")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("1"));
        QVERIFY(!m_db.commit()); // nothing open
        QCOMPARE(m_db.lastError().type(), QSqlError::TransactionError);
    }

    void expressionColumnsTakeTheirTypeFromTheirValue()
    {
        // No declared type: an expression's column type is that of its first value.
        QSqlQuery query(m_db);
        QVERIFY(query.exec(QStringLiteral("SELECT 1 + 1, 2.5 * 2, x'00ff', 'text' || '!'")));
        QVERIFY(query.next());
        const QSqlRecord record = query.record();
        QCOMPARE(record.field(0).metaType(), QMetaType::fromType<qlonglong>());
        QCOMPARE(record.field(1).metaType(), QMetaType::fromType<double>());
        QCOMPARE(record.field(2).metaType(), QMetaType::fromType<QByteArray>());
        QCOMPARE(record.field(3).metaType(), QMetaType::fromType<QString>());
        QCOMPARE(query.value(2).toByteArray(), QByteArray::fromHex("00ff"));
    }

    void aForwardOnlyQueryDoesNotGoBack()
    {
        QSqlQuery insert(m_db);
        for (int i = 1; i <= 3; ++i)
            QVERIFY(insert.exec(QStringLiteral("INSERT INTO t (i) VALUES (%1)").arg(i)));
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        QVERIFY(query.exec(QStringLiteral("SELECT i FROM t ORDER BY i")));
        QVERIFY(!query.seek(-1));
        QVERIFY(query.seek(1));
        QCOMPARE(query.value(0).toInt(), 2);
        QVERIFY(query.seek(1));  // where it is
        QVERIFY(!query.seek(0)); // no way back
        QSqlQuery scrollable(m_db);
        QVERIFY(scrollable.exec(QStringLiteral("SELECT i FROM t ORDER BY i")));
        QVERIFY(scrollable.seek(2));
        QVERIFY(scrollable.seek(0)); // runs the statement again to get there
        QCOMPARE(scrollable.value(0).toInt(), 1);
        QVERIFY(!scrollable.seek(5));
    }

    void records()
    {
        const QSqlRecord table = m_db.record(QStringLiteral("t"));
        QCOMPARE(table.count(), 8);
        QCOMPARE(table.field(QStringLiteral("i")).metaType(), QMetaType::fromType<qlonglong>());
        QCOMPARE(table.field(QStringLiteral("d")).metaType(), QMetaType::fromType<double>());
        QCOMPARE(table.field(QStringLiteral("s")).metaType(), QMetaType::fromType<QString>());
        QCOMPARE(table.field(QStringLiteral("b")).metaType(), QMetaType::fromType<QByteArray>());
        QCOMPARE(table.field(QStringLiteral("n")).requiredStatus(), QSqlField::Required);
        QVERIFY(m_db.tables().contains(QStringLiteral("t")));

        QSqlQuery query(m_db);
        QVERIFY(query.exec(QStringLiteral("SELECT i AS number, s, b FROM t")));
        const QSqlRecord result = query.record();
        QCOMPARE(result.count(), 3);
        QCOMPARE(result.fieldName(0), QStringLiteral("number"));
        QCOMPARE(result.field(0).metaType(), QMetaType::fromType<qlonglong>());
        QCOMPARE(result.field(2).metaType(), QMetaType::fromType<QByteArray>());
    }

    void navigation()
    {
        QSqlQuery insert(m_db);
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO t (i) VALUES (10), (20), (30), (40)")));
        QSqlQuery query(m_db);
        QVERIFY(query.exec(QStringLiteral("SELECT i FROM t ORDER BY i")));
        QVERIFY(query.last());
        QCOMPARE(query.value(0).toInt(), 40);
        QVERIFY(query.first());
        QCOMPARE(query.value(0).toInt(), 10);
        QVERIFY(query.seek(2));
        QCOMPARE(query.value(0).toInt(), 30);
        QVERIFY(query.previous());
        QCOMPARE(query.value(0).toInt(), 20);
        QVERIFY(query.next() && query.next());
        QCOMPARE(query.value(0).toInt(), 40);
        QVERIFY(!query.next());
    }

    void preparedStatementReusedManyTimes()
    {
        constexpr int ROWS = 10000;
        QVERIFY(m_db.transaction());
        QSqlQuery insert(m_db);
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (i, s) VALUES (?, ?)")));
        for (int i = 1; i <= ROWS; ++i) {
            insert.bindValue(0, i);
            insert.bindValue(1, QString::number(i));
            QVERIFY(insert.exec());
        }
        QVERIFY(m_db.commit());
        QSqlQuery check(m_db);
        QVERIFY(check.exec(QStringLiteral("SELECT count(*), sum(i), sum(CAST(s AS INTEGER)) FROM t")) && check.next());
        QCOMPARE(check.value(0).toInt(), ROWS);
        const qint64 expected = qint64{ROWS} * (ROWS + 1) / 2;
        QCOMPARE(check.value(1).toLongLong(), expected);
        QCOMPARE(check.value(2).toLongLong(), expected);
    }

    void aFinishedQuerysStatementIsKeptForTheSameTextWithNothingBound()
    {
        const QString sql = QStringLiteral("SELECT count(*) FROM t WHERE s = ?");
        const int before = preparedStatements(m_db);
        void* first = nullptr;
        {
            QSqlQuery query(m_db);
            QVERIFY(query.prepare(sql));
            query.bindValue(0, QStringLiteral("a secret the next query must not see"));
            QVERIFY(query.exec() && query.next());
            first = query.result()->handle().value<void*>();
        }
        QCOMPARE(preparedStatements(m_db), before + 1); // kept, not finalized
        auto* kept = static_cast<sqlite3_stmt*>(first);
        char* expanded = sqlite3_expanded_sql(kept);
        QVERIFY2(!QByteArray(expanded).contains("secret"), expanded);
        sqlite3_free(expanded);
        QSqlQuery again(m_db);
        QVERIFY(again.prepare(sql));
        QCOMPARE(again.result()->handle().value<void*>(), first);
        again.bindValue(0, QStringLiteral("x"));
        QVERIFY(again.exec() && again.next());
        QCOMPARE(again.value(0).toInt(), 0);
    }

    void twoLiveQueriesOfOneTextEachHaveTheirOwnStatement()
    {
        QSqlQuery insert(m_db);
        for (int i = 1; i <= 3; ++i)
            QVERIFY(insert.exec(QStringLiteral("INSERT INTO t (i) VALUES (%1)").arg(i)));
        const QString sql = QStringLiteral("SELECT i FROM t ORDER BY i");
        QSqlQuery outer(m_db);
        outer.setForwardOnly(true);
        QVERIFY(outer.exec(sql));
        QList<int> pairs;
        while (outer.next()) {
            QSqlQuery inner(m_db);
            inner.setForwardOnly(true);
            QVERIFY(inner.exec(sql));
            QVERIFY(inner.result()->handle() != outer.result()->handle());
            while (inner.next())
                pairs.append(outer.value(0).toInt() * 10 + inner.value(0).toInt());
        }
        QCOMPARE(pairs, (QList<int>{11, 12, 13, 21, 22, 23, 31, 32, 33}));
    }

    void keptStatementsAreBoundedAndFollowTheSchema()
    {
        for (int i = 0; i < SqlCipherDriver::KEPT_STATEMENTS * 2; ++i) {
            QSqlQuery query(m_db);
            QVERIFY(query.exec(QStringLiteral("SELECT %1 FROM t").arg(i)));
        }
        QVERIFY2(preparedStatements(m_db) <= SqlCipherDriver::KEPT_STATEMENTS,
                 qPrintable(QString::number(preparedStatements(m_db))));
        {
            QSqlQuery query(m_db);
            QVERIFY(query.exec(QStringLiteral("SELECT * FROM t")));
            QCOMPARE(query.record().count(), 8);
        }
        QSqlQuery alter(m_db);
        QVERIFY(alter.exec(QStringLiteral("ALTER TABLE t ADD COLUMN added TEXT")));
        QSqlQuery query(m_db);
        QVERIFY(query.exec(QStringLiteral("SELECT * FROM t")));
        QCOMPARE(query.record().count(), 9); // the kept statement was prepared again
    }

    void aQueryOfTwoStatementsIsRefusedEveryTime()
    {
        for (int attempt = 0; attempt < 2; ++attempt) {
            QSqlQuery query(m_db);
            QVERIFY(!query.exec(QStringLiteral("SELECT 1; DELETE FROM t")));
            QVERIFY2(query.lastError().text().contains(u"exactly one statement"), qPrintable(query.lastError().text()));
        }
    }

    void busyWithShortTimeoutFails()
    {
        QSqlDatabase other = openDatabase(m_dir.filePath(QStringLiteral("t.db")), QStringLiteral("other"),
                                          QByteArray(32, 'k'), QStringLiteral("BUSY_TIMEOUT=100"));
        QVERIFY(other.isOpen());
        QVERIFY(m_db.transaction()); // BEGIN IMMEDIATE: holds the write lock
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!other.transaction());
        QVERIFY(timer.elapsed() >= 90);                                     // it waited for the lock before giving up
        QCOMPARE(other.lastError().nativeErrorCode(), QStringLiteral("5")); // SQLITE_BUSY
        QVERIFY(m_db.commit());
        QVERIFY(other.transaction());
        QVERIFY(other.commit());
        other = QSqlDatabase();
        closeDatabase(QStringLiteral("other"));
    }

    void busyWaitsForTheLock()
    {
        const QString path = m_dir.filePath(QStringLiteral("t.db"));
        QVERIFY(m_db.transaction());
        QVERIFY(QSqlQuery(m_db).exec(QStringLiteral("INSERT INTO t (i) VALUES (1)")));
        // Another thread with a generous timeout blocks until this transaction commits.
        bool otherWrote = false;
        QThread* writer = QThread::create([&] {
            {
                QSqlDatabase db = openDatabase(path, QStringLiteral("writer"), QByteArray(32, 'k'),
                                               QStringLiteral("BUSY_TIMEOUT=30000"));
                otherWrote = QSqlQuery(db).exec(QStringLiteral("INSERT INTO t (i) VALUES (2)"));
            }
            closeDatabase(QStringLiteral("writer"));
        });
        writer->start();
        QTest::qWait(300);
        QVERIFY(!writer->isFinished()); // still waiting for our lock
        QVERIFY(m_db.commit());
        QVERIFY(writer->wait(30000));
        delete writer;
        QVERIFY(otherWrote);
        QSqlQuery query(m_db);
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM t")) && query.next());
        QCOMPARE(query.value(0).toInt(), 2);
    }

    void encryptionAndWrongKey()
    {
        const QString marker = QStringLiteral("Marker-Quokka-5521");
        const QString encryptedPath = m_dir.filePath(QStringLiteral("enc.db"));
        const QString plainPath = m_dir.filePath(QStringLiteral("plain.db"));
        for (const auto& [path, key] :
             {std::pair{encryptedPath, QByteArray(32, 'z')}, std::pair{plainPath, QByteArray()}}) {
            {
                QSqlDatabase db = openDatabase(path, QStringLiteral("marker"), key);
                QVERIFY(db.isOpen());
                QSqlQuery query(db);
                QVERIFY(query.exec(QStringLiteral("CREATE TABLE m (v TEXT)")));
                query.prepare(QStringLiteral("INSERT INTO m VALUES (?)"));
                query.addBindValue(marker);
                QVERIFY(query.exec());
            }
            closeDatabase(QStringLiteral("marker"));
        }
        auto contents = [](const QString& path) {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        QVERIFY(!contents(encryptedPath).contains(marker.toUtf8()));
        QVERIFY(contents(plainPath).contains(marker.toUtf8())); // control: the same write, unencrypted

        QSqlDatabase wrong = openDatabase(encryptedPath, QStringLiteral("wrong"), QByteArray(32, 'y'));
        QVERIFY(!wrong.isOpen());
        QCOMPARE(wrong.lastError().nativeErrorCode(), QStringLiteral("26")); // SQLITE_NOTADB
        wrong = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("wrong"));
        QSqlDatabase right = openDatabase(encryptedPath, QStringLiteral("right"), QByteArray(32, 'z'));
        QVERIFY(right.isOpen());
        QSqlQuery read(right);
        QVERIFY(read.exec(QStringLiteral("SELECT v FROM m")) && read.next());
        QCOMPARE(read.value(0).toString(), marker);
        read = QSqlQuery();
        right = QSqlDatabase();
        closeDatabase(QStringLiteral("right"));
    }

    void unknownConnectOptionIsRefused()
    {
        QSqlDatabase db = openDatabase(m_dir.filePath(QStringLiteral("o.db")), QStringLiteral("options"),
                                       QByteArray(32, 'k'), QStringLiteral("FROBNICATE=1"));
        QVERIFY(!db.isOpen());
        QVERIFY(db.lastError().text().contains(QStringLiteral("Unknown connect option")));
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("options"));
        QSqlDatabase missing = openDatabase(m_dir.filePath(QStringLiteral("absent.db")), QStringLiteral("absent"),
                                            QByteArray(32, 'k'), QStringLiteral("NO_CREATE"));
        QVERIFY(!missing.isOpen());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("absent.db"))));
        missing = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("absent"));
    }
};

QTEST_GUILESS_MAIN(TestSqlCipherDriver)
#include "tst_sqlcipherdriver.moc"
