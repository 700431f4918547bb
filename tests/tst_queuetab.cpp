#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "queuetab.h"
#include "requestqueuemodel.h"
#include "testsupport.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace countersign;

class TestQueueTab final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<vault::Vault> m_vault;
    approvals::RequestEvents m_events;
    std::unique_ptr<approvals::Services> m_services;
    approvals::RuntimeIdentity m_runtime;

    QString create(const QString& summary, const QString& risk)
    {
        return test::createRequest(m_services->requests(), m_runtime, summary, risk,
                                   QJsonObject{{QStringLiteral("db_password"), QStringLiteral("hunter2")},
                                               {QStringLiteral("version"), QStringLiteral("1.4.2")}});
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_vault = test::createVault(m_dir.filePath(QStringLiteral("vault")));
        QVERIFY(m_vault);
        m_services = std::move(*approvals::Services::open(*m_vault, m_events, QStringLiteral("gui")));
        m_runtime = test::registerRuntime(*m_services, QStringLiteral("ci"), {QStringLiteral("deploy.*")});
        QVERIFY(m_runtime.id != 0);
    }

    void decideFromTheQueue()
    {
        ui::QueueTab tab(m_services->requests(), m_events, QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        auto* detail = tab.findChild<QTextBrowser*>(QStringLiteral("detailPane"));
        auto* reason = tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit"));
        auto* approve = tab.findChild<QPushButton*>(QStringLiteral("approveButton"));
        auto* deny = tab.findChild<QPushButton*>(QStringLiteral("denyButton"));
        auto* message = tab.findChild<QLabel*>(QStringLiteral("decisionMessage"));
        QVERIFY(view && detail && reason && approve && deny && message);

        const QString risky = create(QStringLiteral("Deploy web 1.4.2"), QStringLiteral("high"));
        QCOMPARE(view->model()->rowCount(), 1); // arrived live
        tab.select(risky);
        QVERIFY(detail->toPlainText().contains(QStringLiteral("Deploy web 1.4.2")));
        QVERIFY(detail->toPlainText().contains(QStringLiteral("1.4.2")));
        QVERIFY2(!detail->toPlainText().contains(QStringLiteral("hunter2")), "secret fields are masked");

        QTest::mouseClick(approve, Qt::LeftButton);
        QVERIFY(message->text().contains(QStringLiteral("needs a reason")));
        QCOMPARE(m_services->requests().request(risky)->state, approvals::RequestState::Pending);

        QTest::keyClicks(reason, QStringLiteral("release train, checked the diff"));
        QTest::mouseClick(approve, Qt::LeftButton); // arms: high risk takes a second confirmation
        QCOMPARE(m_services->requests().request(risky)->state, approvals::RequestState::Pending);
        QVERIFY(message->text().contains(QStringLiteral("again")));
        QTest::mouseClick(approve, Qt::LeftButton);
        QCOMPARE(m_services->requests().request(risky)->state, approvals::RequestState::Approved);
        QCOMPARE(m_services->requests().request(risky)->decisions.first().reason,
                 QStringLiteral("release train, checked the diff"));
        QCOMPARE(view->model()->rowCount(), 0);

        const QString low = create(QStringLiteral("Preview deploy"), QStringLiteral("low"));
        tab.select(low);
        QTest::mouseClick(deny, Qt::LeftButton); // low risk: no reason needed
        QCOMPARE(m_services->requests().request(low)->state, approvals::RequestState::Denied);
    }

    void keyboardFirst()
    {
        ui::QueueTab tab(m_services->requests(), m_events, QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString first = create(QStringLiteral("first"), QStringLiteral("low"));
        const QString second = create(QStringLiteral("second"), QStringLiteral("low"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        view->setFocus();
        QTRY_VERIFY(view->hasFocus());
        QCOMPARE(view->currentIndex().data(ui::RequestQueueModel::IdRole).toString(), first);
        QTest::keyClick(view, Qt::Key_J);
        QCOMPARE(view->currentIndex().data(ui::RequestQueueModel::IdRole).toString(), second);
        QTest::keyClick(view, Qt::Key_D);
        QCOMPARE(m_services->requests().request(second)->state, approvals::RequestState::Denied);
        QTRY_COMPARE(view->currentIndex().data(ui::RequestQueueModel::IdRole).toString(), first);
        // Typing in the reason field never decides.
        auto* reason = tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit"));
        QTest::keyClicks(reason, QStringLiteral("ad"));
        QCOMPARE(m_services->requests().request(first)->state, approvals::RequestState::Pending);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_A);
        QCOMPARE(m_services->requests().request(first)->state, approvals::RequestState::Approved);
        QTest::keyClick(&tab, Qt::Key_Slash);
        QVERIFY(tab.findChild<QLineEdit*>(QStringLiteral("queueFilter"))->hasFocus());
    }

    void highRiskNeedsASecondKeystroke()
    {
        ui::QueueTab tab(m_services->requests(), m_events, QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString id = create(QStringLiteral("drop table"), QStringLiteral("critical"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        tab.select(id);
        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit")), QStringLiteral("approved change"));
        view->setFocus();
        QTest::keyClick(view, Qt::Key_A);
        QTest::keyClick(view, Qt::Key_Escape); // cancels the armed approval
        QTest::keyClick(view, Qt::Key_Return);
        QCOMPARE(m_services->requests().request(id)->state, approvals::RequestState::Pending);
        QTest::keyClick(view, Qt::Key_A);
        QCOMPARE(m_services->requests().request(id)->state, approvals::RequestState::Pending);
        QTest::keyClick(view, Qt::Key_Return); // the confirming keystroke
        QCOMPARE(m_services->requests().request(id)->state, approvals::RequestState::Approved);
    }

    void bulkDeny()
    {
        ui::QueueTab tab(m_services->requests(), m_events, QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QStringList ids{create(QStringLiteral("one"), QStringLiteral("low")),
                              create(QStringLiteral("two"), QStringLiteral("critical")),
                              create(QStringLiteral("three"), QStringLiteral("low"))};
        const QString untouched = create(QStringLiteral("keep me"), QStringLiteral("low"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        QCOMPARE(view->model()->rowCount(), 4);
        view->selectionModel()->clearSelection();
        for (int row = 0; row < 3; ++row)
            view->selectionModel()->select(view->model()->index(row, 0),
                                           QItemSelectionModel::Select | QItemSelectionModel::Rows);
        auto* bulk = tab.findChild<QPushButton*>(QStringLiteral("bulkDenyButton"));
        QTest::mouseClick(bulk, Qt::LeftButton); // a critical one is selected: a reason is required
        for (const QString& id : ids)
            QCOMPARE(m_services->requests().request(id)->state, approvals::RequestState::Pending);
        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit")), QStringLiteral("incident freeze"));
        QTest::mouseClick(bulk, Qt::LeftButton);
        for (const QString& id : ids) {
            QCOMPARE(m_services->requests().request(id)->state, approvals::RequestState::Denied);
            QCOMPARE(m_services->requests().request(id)->decisions.first().reason, QStringLiteral("incident freeze"));
        }
        QCOMPARE(m_services->requests().request(untouched)->state, approvals::RequestState::Pending);
        QCOMPARE(view->model()->rowCount(), 1);
        QVERIFY(m_services->requests().cancelRequest(m_runtime, untouched));
    }

    void filterNarrowsTheQueue()
    {
        ui::QueueTab tab(m_services->requests(), m_events, QStringLiteral("owner"));
        const QString a = create(QStringLiteral("alpha rollout"), QStringLiteral("low"));
        const QString b = create(QStringLiteral("beta rollout"), QStringLiteral("low"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        QCOMPARE(view->model()->rowCount(), 2);
        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("queueFilter")), QStringLiteral("BETA"));
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, 0).data(ui::RequestQueueModel::IdRole).toString(), b);
        QVERIFY(m_services->requests().cancelRequest(m_runtime, a));
        QVERIFY(m_services->requests().cancelRequest(m_runtime, b));
    }
};

QTEST_MAIN(TestQueueTab)
#include "tst_queuetab.moc"
