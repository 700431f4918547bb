#include "application/auditservice.h"
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "testsupport.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

// More than one batch of the walk (it reports progress after each), so cancelling after the
// first report leaves entries unchecked.
constexpr int ENTRIES = 20000;

} // namespace

/// AuditService on a real vault: verification against the checkpoint file with progress and
/// cancel, refusal of a tampered or rolled-back vault, and export with a checkpoint signed for it.
class TestAuditService final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_template;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<vault::Vault> m_vault;
    qint64 m_count = 0;

private Q_SLOTS:
    // The long chain is written once; each function gets its own copy of that vault, so none
    // depends on what another did to it.
    void initTestCase()
    {
        QVERIFY(m_template.isValid());
        QLoggingCategory::setFilterRules(QStringLiteral("countersign.audit.debug=false")); // one line per entry
        auto vault = test::createVault(m_template.filePath(QStringLiteral("v")));
        QVERIFY(vault);
        QList<audit::AuditRecord> records;
        for (int i = 0; i < ENTRIES; ++i)
            records.append({QStringLiteral("runtime:ci"), QStringLiteral("request.created"),
                            QStringLiteral("request:%1").arg(i), QJsonObject{{QStringLiteral("n"), i}}});
        VERIFY_RESULT(vault->audit().appendAll(records));
        VERIFY_RESULT(vault->openCheckpointSigner(vault->database(), vault->audit())->sign());
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const QString copy = m_dir->filePath(QStringLiteral("v"));
        QVERIFY(test::copyDirectory(m_template.filePath(QStringLiteral("v")), copy));
        m_vault = test::openVault(copy);
        QVERIFY(m_vault);
        const auto count = m_vault->audit().count(); // opening is an entry of its own
        VERIFY_RESULT(count);
        m_count = *count;
    }

    void cleanup()
    {
        m_vault.reset();
        m_dir.reset();
    }

    void verifiesTheVaultAndReportsProgress()
    {
        QList<qint64> reported;
        const auto verified = application::AuditService(*m_vault).verifyVault([&reported](qint64 done) {
            reported.append(done);
            return true;
        });
        VERIFY_RESULT(verified);
        QVERIFY2(verified->chain.ok(), qPrintable(verified->chain.message));
        QCOMPARE(verified->chain.checked, m_count);
        QCOMPARE(verified->checkpoints, 1);
        QVERIFY2(reported.size() >= 3, qPrintable(QString::number(reported.size())));
        QVERIFY(std::is_sorted(reported.cbegin(), reported.cend()));
        QVERIFY(reported.first() < m_count);
        QCOMPARE(reported.last(), m_count);
    }

    void cancelStopsEarlyAndSaysSo()
    {
        int calls = 0;
        const auto verified = application::AuditService(*m_vault).verifyVault([&calls](qint64) {
            ++calls;
            return false;
        });
        VERIFY_RESULT(verified);
        QCOMPARE(calls, 1);
        QCOMPARE(verified->chain.problem, audit::VerifyResult::Problem::Cancelled);
        QVERIFY(!verified->chain.ok());
        QVERIFY(verified->chain.checked > 0);
        QVERIFY(verified->chain.checked < m_count);
        QVERIFY2(verified->chain.message.contains(QStringLiteral("cancelled")), qPrintable(verified->chain.message));
    }

    void aTamperedEntryIsNamed()
    {
        QSqlQuery query(m_vault->database());
        QVERIFY(query.exec(QStringLiteral("DROP TRIGGER audit_log_no_update")));
        QVERIFY(query.exec(QStringLiteral("UPDATE audit_log SET subject = 'request:forged' WHERE seq = 12345")));
        const auto verified = application::AuditService(*m_vault).verifyVault();
        VERIFY_RESULT(verified);
        QCOMPARE(verified->chain.problem, audit::VerifyResult::Problem::Hash);
        QCOMPARE(verified->chain.brokenSeq, 12345);
        QCOMPARE(verified->chain.checked, 12344);
    }

    void aCutVaultFailsItsCheckpoint()
    {
        // The tail cut off, the tree rebuilt to match: only the checkpoint outside shows it.
        QSqlQuery query(m_vault->database());
        QVERIFY(query.exec(QStringLiteral("DROP TRIGGER audit_log_no_delete")));
        QVERIFY(query.exec(QStringLiteral("DELETE FROM audit_log WHERE seq > 15000")));
        const auto verified = application::AuditService(*m_vault).verifyVault();
        VERIFY_RESULT(verified);
        QCOMPARE(verified->chain.problem, audit::VerifyResult::Problem::Truncated);
        QCOMPARE(verified->chain.checked, 15000);
    }

    void aLostCheckpointFileIsNoVerdictOfHealth()
    {
        QVERIFY(QFile::remove(m_vault->checkpointFilePath()));
        const auto verified = application::AuditService(*m_vault).verifyVault();
        QCOMPARE(test::errorCode(verified), ErrorCode::Integrity);
    }

    void exportsTheChainWithACheckpointSignedForIt()
    {
        // Entries after the last checkpoint: the export signs one that covers them.
        VERIFY_RESULT(m_vault->audit().append(
            {QStringLiteral("member:owner"), QStringLiteral("vault.exported"), QString(), QJsonObject()}));
        const QString path = m_dir->filePath(QStringLiteral("export.jsonl"));
        qint64 lastReported = 0;
        const auto exported = application::AuditService(*m_vault).exportTo(path, [&lastReported](qint64 done) {
            lastReported = done;
            return true;
        });
        VERIFY_RESULT(exported);
        QCOMPARE(exported->entries, m_count + 1);
        QCOMPARE(exported->checkpoints, 2);
        QCOMPARE(lastReported, m_count + 1);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto report = audit::AuditExport::verify(file, m_vault->instancePublicKey());
        VERIFY_RESULT(report);
        QCOMPARE(report->entries, m_count + 1);
        QCOMPARE(report->checkpoints, 2);
    }

    void aCancelledExportLeavesNoFile()
    {
        const QString path = m_dir->filePath(QStringLiteral("export.jsonl"));
        const auto exported = application::AuditService(*m_vault).exportTo(path, [](qint64) { return false; });
        QVERIFY(!exported);
        QVERIFY2(exported.error().message.contains(QStringLiteral("cancelled")), qPrintable(exported.error().message));
        QVERIFY(!QFile::exists(path));
    }

    void aServiceOfItsOwnClosesItsConnection()
    {
        const QString name = QStringLiteral("audit-service-own");
        {
            auto service = application::AuditService::open(*m_vault, name);
            VERIFY_RESULT(service);
            QVERIFY(QSqlDatabase::contains(name));
            const auto verified = (*service)->verifyVault();
            VERIFY_RESULT(verified);
            QVERIFY(verified->chain.ok());
            QCOMPARE(verified->chain.checked, m_count);
        }
        QVERIFY(!QSqlDatabase::contains(name));
    }
};

QTEST_GUILESS_MAIN(TestAuditService)
#include "tst_auditservice.moc"
