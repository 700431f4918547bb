#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "testsupport.h"

#include <QJsonObject>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace countersign;
using audit::VerifyResult;

namespace {

constexpr int ENTRIES = 12;
constexpr int TARGET = 6; // the seq each tampering aims at

bool exec(QSqlDatabase db, const QString& sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

audit::AuditEntry readEntry(QSqlDatabase db, qint64 seq)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT seq, ts, actor, action, subject, details, prev_hash, entry_hash, mac "
                                 "FROM audit_log WHERE seq = ?"));
    query.addBindValue(seq);
    if (!query.exec() || !query.next())
        return {};
    return {query.value(0).toLongLong(),  query.value(1).toLongLong(),  query.value(2).toString(),
            query.value(3).toString(),    query.value(4).toString(),    query.value(5).toString().toUtf8(),
            query.value(6).toByteArray(), query.value(7).toByteArray(), query.value(8).toByteArray()};
}

bool writeRow(QSqlDatabase db, qint64 id, const audit::AuditEntry& e)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("INSERT INTO audit_log (id, seq, ts, actor, action, subject, details, prev_hash, "
                                 "entry_hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant& value : {QVariant(id), QVariant(e.seq), QVariant(e.timestampMs), QVariant(e.actor),
                                  QVariant(e.action), QVariant(e.subject), QVariant(QString::fromUtf8(e.details)),
                                  QVariant(e.prevHash), QVariant(e.entryHash), QVariant(e.mac)})
        query.addBindValue(value);
    return query.exec();
}

crypto::SecureBuffer auditKey(QSqlDatabase db)
{
    QSqlQuery query(db);
    query.exec(QStringLiteral("SELECT value FROM secrets WHERE name = 'audit_mac_key'"));
    query.next();
    QByteArray key = query.value(0).toByteArray();
    return crypto::SecureBuffer::takeFrom(key);
}

} // namespace

class TestAuditLog final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    std::unique_ptr<vault::Vault> freshVault(int extraEntries)
    {
        const QString dir = m_dir.filePath(QString::number(m_counter++));
        auto vault = test::createVault(dir);
        if (!vault)
            return nullptr;
        // In one transaction: thousands of durable commits would take minutes on a slow,
        // sanitized build, and what the tests look at is the chain, not how it was written.
        const qint64 start = vault->audit().count().value_or(0);
        QList<audit::AuditRecord> records;
        for (qint64 n = start; n < extraEntries; ++n)
            records.append({QStringLiteral("runtime:ci"), QStringLiteral("test.entry"),
                            QStringLiteral("subject-%1").arg(n), QJsonObject{{QStringLiteral("n"), n}}});
        if (!records.isEmpty() && !vault->audit().appendAll(records))
            return nullptr;
        if (vault->audit().count().value_or(0) < extraEntries)
            return nullptr;
        return vault;
    }
    int m_counter = 0;

private Q_SLOTS:
    void everyProblemHasItsOwnName()
    {
        QSet<QString> names;
        for (int i = int(VerifyResult::Problem::None); i <= int(VerifyResult::Problem::Truncated); ++i) {
            const QString name = VerifyResult::problemName(static_cast<VerifyResult::Problem>(i));
            QVERIFY2(!name.isEmpty() && !names.contains(name), qPrintable(name));
            names.insert(name);
        }
        QCOMPARE(VerifyResult::problemName(VerifyResult::Problem::None), QStringLiteral("ok"));
    }

    void appendsAndVerifies()
    {
        auto vault = freshVault(ENTRIES);
        QVERIFY(vault);
        auto seq =
            vault->audit().append({QStringLiteral("member:owner"), QStringLiteral("test.one"), QStringLiteral("req-1"),
                                   QJsonObject{{QStringLiteral("b"), 2}, {QStringLiteral("a"), 1}}});
        QVERIFY(seq);
        QCOMPARE(*seq, qint64{ENTRIES + 1});
        auto entries = vault->audit().entries(*seq, 10);
        QVERIFY(entries);
        QCOMPARE(entries->size(), 1);
        const audit::AuditEntry& entry = entries->first();
        QCOMPARE(entry.details, QByteArray(R"({"a":1,"b":2})"));
        QCOMPARE(entry.prevHash, readEntry(vault->database(), *seq - 1).entryHash);
        QCOMPARE(entry.entryHash, entry.computeHash());
        QCOMPARE(entry.mac, crypto::HmacSha256(auditKey(vault->database())).mac(entry.entryHash));
        const VerifyResult result = vault->audit().verify();
        QVERIFY2(result.ok(), qPrintable(result.message));
        QCOMPARE(result.checked, qint64{ENTRIES + 1});
    }

    void firstEntryLinksToZeroHash()
    {
        auto vault = freshVault(0);
        QVERIFY(vault);
        QCOMPARE(readEntry(vault->database(), 1).prevHash, QByteArray(32, '\0'));
        QCOMPARE(readEntry(vault->database(), 1).action, QStringLiteral("vault.created"));
    }

    void canonicalEncodingIsAsDocumented()
    {
        // Built here byte by byte from docs/audit-format.md, independently of AuditEntry.
        audit::AuditEntry entry{7,
                                1700000000123,
                                QStringLiteral("system"),
                                QStringLiteral("vault.unlocked"),
                                QStringLiteral("vault"),
                                QByteArray("{}"),
                                QByteArray(32, '\x11'),
                                {},
                                {}};
        QByteArray expected("CSA1");
        auto u64 = [&](quint64 v) {
            for (int i = 7; i >= 0; --i)
                expected.append(static_cast<char>((v >> (8 * i)) & 0xff));
        };
        auto field = [&](const QByteArray& f) {
            const auto n = static_cast<quint32>(f.size());
            for (int i = 3; i >= 0; --i)
                expected.append(static_cast<char>((n >> (8 * i)) & 0xff));
            expected.append(f);
        };
        u64(7);
        u64(1700000000123);
        field("system");
        field("vault.unlocked");
        field("vault");
        field("{}");
        expected.append(QByteArray(32, '\x11'));
        QCOMPARE(entry.canonicalEncoding().toHex(), expected.toHex());
        QCOMPARE(entry.computeHash(), crypto::sha256(expected));
    }

    void updateAndDeleteAreRefusedByTheDatabase()
    {
        auto vault = freshVault(3);
        QVERIFY(vault);
        QSqlQuery query(vault->database());
        QVERIFY(!query.exec(QStringLiteral("UPDATE audit_log SET subject = 'x' WHERE seq = 2")));
        QVERIFY(query.lastError().databaseText().contains(QStringLiteral("append-only")));
        QVERIFY(!query.exec(QStringLiteral("DELETE FROM audit_log WHERE seq = 3")));
        QVERIFY(query.lastError().databaseText().contains(QStringLiteral("append-only")));
        QVERIFY(vault->audit().verify().ok());
    }

    void appendJoinsCallersTransaction()
    {
        auto vault = freshVault(2);
        QVERIFY(vault);
        const auto counted = vault->audit().count();
        VERIFY_RESULT(counted);
        const qint64 before = *counted;
        QSqlDatabase db = vault->database();
        QVERIFY(db.transaction());
        QVERIFY(vault->audit().append({QStringLiteral("system"), QStringLiteral("test.rolled_back"), {}, {}}));
        QVERIFY(db.rollback());
        QCOMPARE(vault->audit().count().value_or(-1), before);
        QVERIFY(vault->audit().appendAll({{QStringLiteral("system"), QStringLiteral("a"), {}, {}},
                                          {QStringLiteral("system"), QStringLiteral("b"), {}, {}}}));
        const auto countedAfter = vault->audit().count();
        VERIFY_RESULT(countedAfter);
        QCOMPARE(*countedAfter, before + 2);
        QVERIFY(vault->audit().verify().ok());
    }

    void twoConnectionsInterleaveWithoutForking()
    {
        const QString dir = m_dir.filePath(QStringLiteral("shared"));
        QVERIFY(test::createVault(dir));
        auto first = test::openVault(dir);
        auto second = test::openVault(dir);
        QVERIFY(first && second);
        for (int i = 0; i < 20; ++i) {
            QVERIFY((i % 2 ? first : second)
                        ->audit()
                        .append({QStringLiteral("system"), QStringLiteral("test.i"), QString::number(i), {}}));
        }
        const VerifyResult result = first->audit().verify();
        QVERIFY2(result.ok(), qPrintable(result.message));
    }

    void detectsTampering_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("expectedSeq");
        QTest::addColumn<int>("expectedProblem");
        QTest::addColumn<QString>("messageFragment");
        QTest::newRow("edit details") << QStringLiteral("edit") << TARGET << int(VerifyResult::Problem::Hash)
                                      << QStringLiteral("altered");
        QTest::newRow("edit and rehash without the key")
            << QStringLiteral("rehash") << TARGET << int(VerifyResult::Problem::Mac) << QStringLiteral("MAC");
        QTest::newRow("change a MAC") << QStringLiteral("mac") << TARGET << int(VerifyResult::Problem::Mac)
                                      << QStringLiteral("MAC");
        QTest::newRow("relink with the key")
            << QStringLiteral("relink") << TARGET << int(VerifyResult::Problem::Link) << QStringLiteral("link");
        QTest::newRow("delete a row") << QStringLiteral("delete") << TARGET << int(VerifyResult::Problem::Gap)
                                      << QStringLiteral("missing");
        QTest::newRow("swap two rows") << QStringLiteral("swap") << TARGET << int(VerifyResult::Problem::Order)
                                       << QStringLiteral("reordered");
        QTest::newRow("time runs backwards") << QStringLiteral("backdate") << TARGET
                                             << int(VerifyResult::Problem::Order) << QStringLiteral("dated before");
    }
    void detectsTampering()
    {
        QFETCH(QString, kind);
        QFETCH(int, expectedSeq);
        QFETCH(int, expectedProblem);
        QFETCH(QString, messageFragment);
        auto vault = freshVault(ENTRIES);
        QVERIFY(vault);
        QSqlDatabase db = vault->database();
        QVERIFY(vault->audit().verify().ok());
        QVERIFY(exec(db, QStringLiteral("DROP TRIGGER audit_log_no_update")));
        QVERIFY(exec(db, QStringLiteral("DROP TRIGGER audit_log_no_delete")));
        const crypto::HmacSha256 hmac(auditKey(db));

        if (kind == u"edit") {
            QVERIFY(
                exec(db, QStringLiteral("UPDATE audit_log SET details = '{\"n\":999}' WHERE seq = %1").arg(TARGET)));
        } else if (kind == u"rehash") {
            audit::AuditEntry entry = readEntry(db, TARGET);
            entry.details = QByteArray(R"({"n":999})");
            QSqlQuery query(db);
            query.prepare(QStringLiteral("UPDATE audit_log SET details = ?, entry_hash = ? WHERE seq = ?"));
            query.addBindValue(QString::fromUtf8(entry.details));
            query.addBindValue(entry.computeHash());
            query.addBindValue(TARGET);
            QVERIFY(query.exec());
        } else if (kind == u"mac") {
            QVERIFY(exec(db, QStringLiteral("UPDATE audit_log SET mac = zeroblob(32) WHERE seq = %1").arg(TARGET)));
        } else if (kind == u"relink") {
            // Someone holding the audit key rewrites one entry consistently: only the chain link breaks.
            audit::AuditEntry entry = readEntry(db, TARGET);
            entry.prevHash = QByteArray(32, '\x42');
            entry.entryHash = entry.computeHash();
            entry.mac = hmac.mac(entry.entryHash);
            QSqlQuery query(db);
            query.prepare(QStringLiteral("UPDATE audit_log SET prev_hash = ?, entry_hash = ?, mac = ? WHERE seq = ?"));
            query.addBindValue(entry.prevHash);
            query.addBindValue(entry.entryHash);
            query.addBindValue(entry.mac);
            query.addBindValue(TARGET);
            QVERIFY(query.exec());
        } else if (kind == u"delete") {
            QVERIFY(exec(db, QStringLiteral("DELETE FROM audit_log WHERE seq = %1").arg(TARGET)));
        } else if (kind == u"swap") {
            const audit::AuditEntry a = readEntry(db, TARGET);
            const audit::AuditEntry b = readEntry(db, TARGET + 1);
            QSqlQuery ids(db);
            QVERIFY(ids.exec(QStringLiteral("SELECT id FROM audit_log WHERE seq IN (%1, %2) ORDER BY id")
                                 .arg(TARGET)
                                 .arg(TARGET + 1)));
            QVERIFY(ids.next());
            const qint64 idA = ids.value(0).toLongLong();
            QVERIFY(ids.next());
            const qint64 idB = ids.value(0).toLongLong();
            ids.finish();
            QVERIFY(exec(db, QStringLiteral("DELETE FROM audit_log WHERE id IN (%1, %2)").arg(idA).arg(idB)));
            QVERIFY(writeRow(db, idA, b));
            QVERIFY(writeRow(db, idB, a));
        } else if (kind == u"backdate") {
            audit::AuditEntry entry = readEntry(db, TARGET);
            entry.timestampMs = readEntry(db, TARGET - 1).timestampMs - 60000;
            entry.entryHash = entry.computeHash();
            entry.mac = hmac.mac(entry.entryHash);
            // Rewrite the rest of the chain consistently, as a key holder could.
            QList<audit::AuditEntry> chain{entry};
            for (int seq = TARGET + 1; seq <= ENTRIES; ++seq) {
                audit::AuditEntry next = readEntry(db, seq);
                next.prevHash = chain.constLast().entryHash;
                next.entryHash = next.computeHash();
                next.mac = hmac.mac(next.entryHash);
                chain.append(next);
            }
            for (const audit::AuditEntry& e : std::as_const(chain)) {
                QSqlQuery query(db);
                query.prepare(QStringLiteral("UPDATE audit_log SET ts = ?, prev_hash = ?, entry_hash = ?, mac = ? "
                                             "WHERE seq = ?"));
                query.addBindValue(e.timestampMs);
                query.addBindValue(e.prevHash);
                query.addBindValue(e.entryHash);
                query.addBindValue(e.mac);
                query.addBindValue(e.seq);
                QVERIFY(query.exec());
            }
        }

        const VerifyResult result = vault->audit().verify();
        QVERIFY(!result.ok());
        QCOMPARE(result.brokenSeq, qint64{expectedSeq});
        QCOMPARE(int(result.problem), expectedProblem);
        QCOMPARE(result.checked, qint64{expectedSeq - 1});
        QVERIFY2(result.message.contains(messageFragment), qPrintable(result.message));
    }

    void verifyReportsProgressAndCancels()
    {
        auto vault = freshVault(9000);
        QVERIFY(vault);
        QList<qint64> seen;
        const VerifyResult full = vault->audit().verify([&](qint64 done) {
            seen.append(done);
            return true;
        });
        QVERIFY(full.ok());
        QVERIFY(seen.size() >= 2);
        QCOMPARE(seen.constLast(), full.checked);
        const VerifyResult cancelled = vault->audit().verify([](qint64) { return false; });
        QCOMPARE(cancelled.problem, VerifyResult::Problem::Cancelled);
        QVERIFY(cancelled.checked < full.checked);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
