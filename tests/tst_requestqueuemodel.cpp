#include "appfixture.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "history/historymodel.h"
#include "queue/requestqueuemodel.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QIcon>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>

using namespace countersign;

class TestRequestQueueModel final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::AppFixture> m_app; // one per test function

    QString create(const QString& summary)
    {
        return test::createRequest(m_app->services().requests(), m_app->runtime(), summary, QStringLiteral("high"));
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_app = std::make_unique<test::AppFixture>();
        QVERIFY(m_app->open());
    }

    void cleanup() { m_app.reset(); }

    void followsTheQueueLive()
    {
        const QString before = create(QStringLiteral("already there"));
        ui::RequestQueueModel model(m_app->services().requests(), m_app->events());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, ui::RequestQueueModel::Summary)).toString(),
                 QStringLiteral("already there"));
        QCOMPARE(model.data(model.index(0, ui::RequestQueueModel::Risk)).toString(), QStringLiteral("high"));
        QCOMPARE(model.data(model.index(0, ui::RequestQueueModel::Approvals)).toString(), QStringLiteral("0/1"));
        QCOMPARE(model.data(model.index(0, 0), ui::RequestQueueModel::IdRole).toString(), before);

        const QString arrived = create(QStringLiteral("new arrival"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(arrived), 1);

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QVERIFY(m_app->services().requests().approve(QStringLiteral("owner"), before, QStringLiteral("checked")));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.rowOf(arrived), 0); // the other row stays, just moves up

        QSignalSpy ticked(&model, &QAbstractItemModel::dataChanged);
        QTRY_VERIFY_WITH_TIMEOUT(!ticked.isEmpty(), 3000); // the countdown refreshes on its own
        QVERIFY(!model.data(model.index(0, ui::RequestQueueModel::TimeLeft)).toString().isEmpty());

        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), arrived));
        QCOMPARE(model.rowCount(), 0);
    }

    void theRiskIsABadgeInEveryRole()
    {
        ui::RequestQueueModel model(m_app->services().requests(), m_app->events());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString critical = test::createRequest(m_app->services().requests(), m_app->runtime(),
                                                     QStringLiteral("badge"), QStringLiteral("critical"));
        const QString low = test::createRequest(m_app->services().requests(), m_app->runtime(), QStringLiteral("badge"),
                                                QStringLiteral("low"));
        const QModelIndex criticalRisk = model.index(model.rowOf(critical), ui::RequestQueueModel::Risk);
        const QModelIndex lowRisk = model.index(model.rowOf(low), ui::RequestQueueModel::Risk);
        // The word, the mark and what a screen reader says.
        QCOMPARE(criticalRisk.data(Qt::DisplayRole).toString(), QStringLiteral("critical"));
        QCOMPARE(criticalRisk.data(Qt::AccessibleTextRole).toString(), QStringLiteral("critical risk"));
        QCOMPARE(lowRisk.data(Qt::AccessibleTextRole).toString(), QStringLiteral("low risk"));
        const QIcon criticalMark = criticalRisk.data(Qt::DecorationRole).value<QIcon>();
        const QIcon lowMark = lowRisk.data(Qt::DecorationRole).value<QIcon>();
        QVERIFY(!criticalMark.isNull() && !lowMark.isNull());
        QVERIFY(criticalMark.pixmap(QSize(16, 16), 1.0).toImage() != lowMark.pixmap(QSize(16, 16), 1.0).toImage());
        QCOMPARE(criticalRisk.data(ui::RequestQueueModel::RiskRole).toInt(), static_cast<int>(policy::Risk::Critical));
        // The other columns carry no mark.
        QVERIFY(!model.index(model.rowOf(critical), ui::RequestQueueModel::Summary).data(Qt::DecorationRole).isValid());
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), critical));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), low));
    }

    void tooltipsShowTheTextAsWritten()
    {
        // What a tooltip displays, as Qt decides it: rich text when it looks like markup.
        auto shown = [](const QVariant& tip) {
            QTextDocument document;
            if (Qt::mightBeRichText(tip.toString()))
                document.setHtml(tip.toString());
            else
                document.setPlainText(tip.toString());
            return document.toPlainText();
        };
        const QString summary = QStringLiteral(
            "<img src=\"file:///etc/hostname\"><b>Routine</b> cleanup &amp; <a href=\"https://x.test\">docs</a>");
        const QString id = create(summary);
        ui::RequestQueueModel queue(m_app->services().requests(), m_app->events());
        QCOMPARE(queue.rowCount(), 1);
        QCOMPARE(shown(queue.data(queue.index(0, ui::RequestQueueModel::Summary), Qt::ToolTipRole)), summary);
        QVERIFY(m_app->services().requests().deny(QStringLiteral("owner"), id, QStringLiteral("not now")));
        ui::HistoryModel history(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        int row = -1;
        for (int i = 0; i < history.rowCount(); ++i) {
            if (history.index(i, 0).data(ui::HistoryModel::IdRole).toString() == id)
                row = i;
        }
        QVERIFY(row >= 0);
        QCOMPARE(shown(history.data(history.index(row, ui::HistoryModel::Summary), Qt::ToolTipRole)), summary);
    }
};

QTEST_MAIN(TestRequestQueueModel)
#include "tst_requestqueuemodel.moc"
