#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/services.h"
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/auditlogmodel.h"
#include "audit/auditnames.h"
#include "audit/audittab.h"
#include "audit/checkpointsigner.h"
#include "members/memberservice.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

class TestAuditTab final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    std::unique_ptr<vault::Vault> m_vault;
    approvals::RequestEvents m_events;

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vault = test::createVault(m_dir->filePath(QStringLiteral("v")));
        QVERIFY(m_vault);
        QList<audit::AuditRecord> records;
        for (int i = 0; i < 3000; ++i)
            records.append({i % 3 == 0 ? QStringLiteral("runtime:ci") : QStringLiteral("member:owner"),
                            i % 2 == 0 ? QStringLiteral("request.created") : QStringLiteral("request.approved"),
                            QStringLiteral("request:%1").arg(i), QJsonObject{{QStringLiteral("n"), i}}});
        QVERIFY(m_vault->audit().appendAll(records));
        QVERIFY(m_vault->openCheckpointSigner(m_vault->database(), m_vault->audit())->sign());
    }

    void cleanup()
    {
        m_vault.reset();
        m_dir.reset();
    }

    void browsesFiltersAndShowsTheWholeEntry()
    {
        ui::AuditTab tab(*m_vault);
        QAbstractItemModelTester tester(tab.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const auto counted = m_vault->audit().count();
        VERIFY_RESULT(counted);
        const int total = static_cast<int>(*counted);
        QCOMPARE(tab.model()->rowCount(), total);
        auto* view = tab.findChild<QTableView*>(QStringLiteral("auditView"));
        view->scrollToBottom();
        QCOMPARE(tab.model()->index(total - 1, ui::AuditLogModel::Seq).data().toLongLong(), total);
        view->selectRow(1500);
        const QString detail = tab.findChild<QPlainTextEdit*>(QStringLiteral("auditDetail"))->toPlainText();
        const auto entries = m_vault->audit().entries(1501, 1);
        VERIFY_RESULT(entries);
        QCOMPARE(entries->size(), 1);
        const auto entry = entries->first();
        QVERIFY(detail.contains(QString::fromLatin1(entry.entryHash.toHex())));
        QVERIFY(detail.contains(QString::fromLatin1(entry.mac.toHex())));
        QVERIFY(detail.contains(QString::fromLatin1(entry.prevHash.toHex())));

        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("auditActorFilter")), QStringLiteral("runtime:ci"));
        QTRY_COMPARE(tab.model()->rowCount(), 1000);
        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("auditSubjectFilter")), QStringLiteral("request:29"));
        // request:29, 290-299, 2900-2999, with i % 3 == 0
        QTRY_VERIFY(tab.model()->rowCount() < 1000);
        for (int row = 0; row < tab.model()->rowCount(); ++row) {
            QCOMPARE(tab.model()->index(row, ui::AuditLogModel::Actor).data().toString(), QStringLiteral("runtime:ci"));
            QVERIFY(tab.model()
                        ->index(row, ui::AuditLogModel::Subject)
                        .data()
                        .toString()
                        .contains(QStringLiteral("request:29")));
        }
        tab.findChild<QLineEdit*>(QStringLiteral("auditActorFilter"))->clear();
        tab.findChild<QLineEdit*>(QStringLiteral("auditSubjectFilter"))->setText(QStringLiteral("100%"));
        QTRY_COMPARE(tab.model()->rowCount(), 0); // % is literal
    }

    void verifiesOffTheGuiThreadAndExports()
    {
        ui::AuditTab tab(*m_vault);
        tab.show();
        QSignalSpy finished(&tab, &ui::AuditTab::jobFinished);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("auditVerifyButton")), Qt::LeftButton);
        QVERIFY(tab.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000); // a busy machine under ASan
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("checkpoint")));

        const QString path = m_dir->filePath(QStringLiteral("export.jsonl"));
        tab.exportTo(path);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        auto report = audit::AuditExport::verify(file, m_vault->instancePublicKey());
        QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
        QCOMPARE(report->entries, m_vault->audit().count().value_or(-1));
        QVERIFY(report->checkpoints >= 1);
    }

    void columnsFitWhatTheyShowUpToALimit()
    {
        auto services = application::openServices(*m_vault, m_events, QStringLiteral("fit"));
        QVERIFY(services);
        const QString longName = QStringLiteral("nightly-database-backup-eu-west-1");
        const auto runtime = test::registerRuntime(**services, longName, {QStringLiteral("deploy.*")});
        QVERIFY(runtime.id != 0);
        QVERIFY(!test::createRequest((*services)->requests(), runtime, QStringLiteral("Back up the ledger"),
                                     QStringLiteral("low"))
                     .isEmpty());
        ui::AuditTab tab(*m_vault, std::make_unique<ui::AuditNames>((*services)->members(), (*services)->requests(),
                                                                    QStringLiteral("owner")));
        tab.resize(1400, 600);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("auditView"));
        int last = tab.model()->rowCount() - 1;
        while (last > 0 &&
               tab.model()->index(last, ui::AuditLogModel::Actor).data(ui::AuditLogModel::ReferenceRole).toString() !=
                   QStringLiteral("runtime:") + longName)
            --last;
        const QString actor = tab.model()->index(last, ui::AuditLogModel::Actor).data().toString();
        QCOMPARE(actor, longName + QStringLiteral(" (runtime)"));
        const int needed = view->fontMetrics().horizontalAdvance(actor);
        QVERIFY(view->columnWidth(ui::AuditLogModel::Actor) < needed); // the rows on screen hold short names

        // Scrolled into view, the long name widens its column to fit.
        view->scrollToBottom();
        QTRY_VERIFY2(
            view->columnWidth(ui::AuditLogModel::Actor) >= needed,
            qPrintable(QStringLiteral("%1 < %2").arg(view->columnWidth(ui::AuditLogModel::Actor)).arg(needed)));
        QVERIFY(view->horizontalHeader()->stretchLastSection());
        const int seqWidth = view->columnWidth(ui::AuditLogModel::Seq);
        QVERIFY(seqWidth < needed / 2); // a number's column stays a number's width

        // Narrow, no column takes more than a third of the view; the last one takes the rest.
        tab.resize(480, 600);
        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("auditActorFilter")),
                         QStringLiteral("runtime:nightly"));
        QTRY_COMPARE(tab.model()->rowCount(), 1);
        QTRY_VERIFY(view->columnWidth(ui::AuditLogModel::Actor) <=
                    std::max(view->fontMetrics().averageCharWidth() * 12, view->viewport()->width() / 3));

        // A column the person widened keeps its width.
        view->horizontalHeader()->resizeSection(ui::AuditLogModel::Action, 333);
        tab.findChild<QLineEdit*>(QStringLiteral("auditActorFilter"))->clear();
        QTRY_VERIFY(tab.model()->rowCount() > 1);
        QTest::qWait(300);
        QCOMPARE(view->columnWidth(ui::AuditLogModel::Action), 333);
    }

    void aRemovedMemberReadsSoOnceTheChainSaysIt()
    {
        auto services = application::openServices(*m_vault, m_events, QStringLiteral("names"));
        QVERIFY(services);
        QVERIFY(test::addMember(**services, QStringLiteral("mem_grace"), QStringLiteral("Grace Hopper"),
                                QStringLiteral("approver")));
        QVERIFY(m_vault->audit().append({QStringLiteral("member:mem_grace"), QStringLiteral("member.session_opened"),
                                         QStringLiteral("member:mem_grace"), QJsonObject()}));
        ui::AuditTab tab(*m_vault, std::make_unique<ui::AuditNames>((*services)->members(), (*services)->requests(),
                                                                    QStringLiteral("owner")));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const int row = tab.model()->rowCount() - 1;
        const QModelIndex actor = tab.model()->index(row, ui::AuditLogModel::Actor);
        QCOMPARE(actor.data().toString(), QStringLiteral("Grace Hopper"));
        QVERIFY(actor.data(Qt::ToolTipRole).toString().contains(QStringLiteral("member:mem_grace")));

        QVERIFY((*services)->members().remove(QStringLiteral("owner"), QStringLiteral("mem_grace")));
        tab.follow(*m_vault->audit().lastSeq());
        QVERIFY(tab.model()->rowCount() > row + 1);
        QCOMPARE(tab.model()->index(row, ui::AuditLogModel::Actor).data().toString(),
                 QStringLiteral("Grace Hopper (removed)"));
    }

    // Entries the instance writes for itself (the vault's creation, unlocks, its own keys) carry the
    // actor "system" in the chain, as docs/audit-format.md says (builds before this one wrote none,
    // through an order-of-initialisation defect); the Actor column names the instance.
    void entriesTheInstanceWroteNameIt()
    {
        auto services = application::openServices(*m_vault, m_events, QStringLiteral("names"));
        QVERIFY(services);
        ui::AuditTab tab(*m_vault, std::make_unique<ui::AuditNames>((*services)->members(), (*services)->requests(),
                                                                    QStringLiteral("owner")));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QModelIndex first = tab.model()->index(0, ui::AuditLogModel::Action);
        QCOMPARE(first.data().toString(), QStringLiteral("vault.created"));
        const QModelIndex actor = tab.model()->index(0, ui::AuditLogModel::Actor);
        QCOMPARE(actor.data().toString(), QStringLiteral("Countersign"));
        const auto written = m_vault->audit().entries(1, 1);
        VERIFY_RESULT(written);
        QCOMPARE(written->first().actor, QStringLiteral("system"));
        QVERIFY2(actor.data(Qt::ToolTipRole).toString().contains(QStringLiteral("system")),
                 qPrintable(actor.data(Qt::ToolTipRole).toString()));
    }

    void aBrokenEntryIsSelectedAndNamed()
    {
        QSqlQuery query(m_vault->database());
        QVERIFY(query.exec(QStringLiteral("DROP TRIGGER audit_log_no_update")));
        QVERIFY(query.exec(QStringLiteral("UPDATE audit_log SET subject = 'request:forged' WHERE seq = 2222")));
        ui::AuditTab tab(*m_vault);
        tab.show();
        QSignalSpy finished(&tab, &ui::AuditTab::jobFinished);
        tab.verify();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("Broken at entry 2222 (hash)")),
                 qPrintable(finished.first().at(1).toString()));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("auditView"));
        QCOMPARE(view->currentIndex().row(), 2221);
        QCOMPARE(tab.findChild<QLabel*>(QStringLiteral("auditStatus"))->text(), finished.first().at(1).toString());
    }
};

QTEST_MAIN(TestAuditTab)
#include "tst_audittab.moc"
