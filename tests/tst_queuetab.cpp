#include "appfixture.h"
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "common/durationtext.h"
#include "common/englishplurals.h"
#include "common/messagelabel.h"
#include "common/riskbadge.h"
#include "policy/policystore.h"
#include "queue/queuetab.h"
#include "queue/requestqueuemodel.h"
#include "shell/appearance.h"
#include "testsupport.h"

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

/// Every text the detail pane shows, whatever widgets it is made of.
QString shownText(const QWidget* pane)
{
    QStringList texts;
    for (const auto* edit : pane->findChildren<QPlainTextEdit*>())
        texts << edit->toPlainText();
    for (const auto* label : pane->findChildren<QLabel*>())
        texts << label->text();
    return texts.join(u'\n');
}

/// The contrast of the text \a label draws against its background, as painted: the pixel
/// farthest from the most common one (the background) is the ink.
double inkContrast(QLabel* label)
{
    const QImage image = label->grab(label->contentsRect()).toImage();
    QHash<QRgb, int> counts;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            ++counts[image.pixel(x, y)];
    }
    QRgb background = 0;
    for (auto it = counts.constBegin(); it != counts.constEnd(); ++it) {
        if (it.value() > counts.value(background))
            background = it.key();
    }
    double best = 1;
    for (auto it = counts.constBegin(); it != counts.constEnd(); ++it)
        best = std::max(best, ui::contrastRatio(QColor(it.key()), QColor(background)));
    return best;
}

} // namespace

class TestQueueTab final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::AppFixture> m_app; // one per test function
    ui::EnglishPlurals m_plurals;

    QString create(const QString& summary, const QString& risk)
    {
        return test::createRequest(m_app->services().requests(), m_app->runtime(), summary, risk,
                                   QJsonObject{{QStringLiteral("db_password"), QStringLiteral("hunter2")},
                                               {QStringLiteral("version"), QStringLiteral("1.4.2")}});
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_app = std::make_unique<test::AppFixture>();
        QVERIFY(m_app->open());
        QCoreApplication::installTranslator(&m_plurals);
    }

    void cleanup() { m_app.reset(); }

    void decideFromTheQueue()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        auto* detail = tab.findChild<QWidget*>(QStringLiteral("detailPane"));
        auto* reason = tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit"));
        auto* approve = tab.findChild<QPushButton*>(QStringLiteral("approveButton"));
        auto* deny = tab.findChild<QPushButton*>(QStringLiteral("denyButton"));
        auto* message = tab.findChild<QLabel*>(QStringLiteral("decisionMessage"));
        QVERIFY(view && detail && reason && approve && deny && message);

        const QString risky = create(QStringLiteral("Deploy web 1.4.2"), QStringLiteral("high"));
        QCOMPARE(view->model()->rowCount(), 1); // arrived live
        tab.select(risky);
        QVERIFY(shownText(detail).contains(QStringLiteral("Deploy web 1.4.2")));
        QVERIFY(shownText(detail).contains(QStringLiteral("1.4.2")));
        QVERIFY2(!shownText(detail).contains(QStringLiteral("hunter2")), "secret fields are masked");

        QTest::mouseClick(approve, Qt::LeftButton);
        QVERIFY(message->text().contains(QStringLiteral("needs a reason")));
        QCOMPARE(test::stored(m_app->services().requests(), risky).state, approvals::RequestState::Pending);

        QTest::keyClicks(reason, QStringLiteral("release train, checked the diff"));
        QTest::mouseClick(approve, Qt::LeftButton); // arms: high risk takes a second confirmation
        QCOMPARE(test::stored(m_app->services().requests(), risky).state, approvals::RequestState::Pending);
        QVERIFY(message->text().contains(QStringLiteral("again")));
        QTest::mouseClick(approve, Qt::LeftButton);
        QCOMPARE(test::stored(m_app->services().requests(), risky).state, approvals::RequestState::Approved);
        QCOMPARE(test::stored(m_app->services().requests(), risky).decisions.first().reason,
                 QStringLiteral("release train, checked the diff"));
        QCOMPARE(view->model()->rowCount(), 0);

        const QString low = create(QStringLiteral("Preview deploy"), QStringLiteral("low"));
        tab.select(low);
        QTest::mouseClick(deny, Qt::LeftButton); // low risk: no reason needed
        QCOMPARE(test::stored(m_app->services().requests(), low).state, approvals::RequestState::Denied);
    }

    void markupInARequestShowsAsPlainText()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString summary = QStringLiteral("<b>ship</b> <a href='https://evil.example'>now</a> &amp;");
        const QString id = create(summary, QStringLiteral("low"));
        tab.select(id);
        auto* detail = tab.findChild<QWidget*>(QStringLiteral("detailPane"));
        QVERIFY(shownText(detail).contains(summary));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        bool shown = false;
        for (int column = 0; column < view->model()->columnCount(); ++column)
            shown |= view->model()->index(0, column).data().toString() == summary;
        QVERIFY(shown);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("approveButton")), Qt::LeftButton);
        auto* message = tab.findChild<QLabel*>(QStringLiteral("decisionMessage"));
        QVERIFY2(message->text().contains(summary), qPrintable(message->text()));
        QCOMPARE(message->textFormat(), Qt::PlainText); // a label would otherwise render the markup
    }

    void keyboardFirst()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
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
        QCOMPARE(test::stored(m_app->services().requests(), second).state, approvals::RequestState::Denied);
        QTRY_COMPARE(view->currentIndex().data(ui::RequestQueueModel::IdRole).toString(), first);
        // Typing in the reason field never decides.
        auto* reason = tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit"));
        QTest::keyClicks(reason, QStringLiteral("ad"));
        QCOMPARE(test::stored(m_app->services().requests(), first).state, approvals::RequestState::Pending);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_A);
        QCOMPARE(test::stored(m_app->services().requests(), first).state, approvals::RequestState::Approved);
        QTest::keyClick(&tab, Qt::Key_Slash);
        QVERIFY(tab.findChild<QLineEdit*>(QStringLiteral("queueFilter"))->hasFocus());
    }

    void highRiskNeedsASecondKeystroke()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
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
        QCOMPARE(test::stored(m_app->services().requests(), id).state, approvals::RequestState::Pending);
        QTest::keyClick(view, Qt::Key_A);
        QCOMPARE(test::stored(m_app->services().requests(), id).state, approvals::RequestState::Pending);
        QTest::keyClick(view, Qt::Key_Return); // the confirming keystroke
        QCOMPARE(test::stored(m_app->services().requests(), id).state, approvals::RequestState::Approved);
    }

    void aFirstOfTwoApprovalsSaysSoAndCannotBeRepeated()
    {
        QVERIFY(test::addMember(m_app->services(), QStringLiteral("qt-bob"), QStringLiteral("Bob"),
                                QStringLiteral("approver")));
        policy::PolicyRule two;
        two.capabilityGlob = QStringLiteral("deploy.web");
        two.minimumRisk = policy::Risk::High;
        two.approvals = 2;
        auto ruleId = m_app->services().policies().add(two, QStringLiteral("member:owner"), 0);
        QVERIFY(ruleId);
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        auto* reason = tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit"));
        auto* approve = tab.findChild<QPushButton*>(QStringLiteral("approveButton"));
        auto* message = tab.findChild<QLabel*>(QStringLiteral("decisionMessage"));
        const QString id = create(QStringLiteral("Deploy with two"), QStringLiteral("high"));
        QCOMPARE(test::stored(m_app->services().requests(), id).requiredApprovals, 2);
        tab.select(id);
        QTest::keyClicks(reason, QStringLiteral("checked"));
        QTest::mouseClick(approve, Qt::LeftButton); // arms
        QTest::mouseClick(approve, Qt::LeftButton);
        QCOMPARE(test::stored(m_app->services().requests(), id).approvalCount(), 1);
        QCOMPARE(test::stored(m_app->services().requests(), id).state, approvals::RequestState::Pending);
        QCOMPARE(message->text(), QStringLiteral("Your approval is recorded: 1 of 2."));
        QVERIFY(!message->text().contains(QStringLiteral("Approved")));
        tab.select(id);
        QVERIFY2(!approve->isEnabled(), "a second approval by the same person is not offered");
        view->setFocus();
        QTest::keyClick(view, Qt::Key_A); // no reason typed: still not asked for one
        QVERIFY2(message->text().contains(QStringLiteral("already approved")), qPrintable(message->text()));
        QVERIFY(!reason->hasFocus());
        QCOMPARE(test::stored(m_app->services().requests(), id).approvalCount(), 1);
        QVERIFY(m_app->services().policies().remove(0, QStringLiteral("member:owner")));
        QVERIFY(
            m_app->services().requests().cancelRequest(m_app->runtime(), id)); // leaves the queue to the other tests
    }

    void aQuorumNoOneCanMeetIsFlagged()
    {
        policy::PolicyRule many;
        many.capabilityGlob = QStringLiteral("deploy.web");
        many.minimumRisk = policy::Risk::Critical;
        many.approvals = policy::PolicyRule::MAX_APPROVALS; // far more than this vault's members
        QVERIFY(m_app->services().policies().add(many, QStringLiteral("member:owner"), 0));
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* approvals = tab.findChild<QLabel*>(QStringLiteral("detailApprovals"));
        QVERIFY(approvals);
        const QString unreachable = create(QStringLiteral("Needs ten"), QStringLiteral("critical"));
        tab.select(unreachable);
        QVERIFY2(approvals->text().contains(QStringLiteral("can never be approved")), qPrintable(approvals->text()));
        QVERIFY(m_app->services().policies().remove(0, QStringLiteral("member:owner")));
        const QString reachable = create(QStringLiteral("Needs one"), QStringLiteral("critical"));
        tab.select(reachable);
        QVERIFY2(!approvals->text().contains(QStringLiteral("never")), qPrintable(approvals->text()));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), unreachable));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), reachable));
    }

    void bulkDeny()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
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
            QCOMPARE(test::stored(m_app->services().requests(), id).state, approvals::RequestState::Pending);
        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("reasonEdit")), QStringLiteral("incident freeze"));
        QTest::mouseClick(bulk, Qt::LeftButton);
        auto* confirm = tab.findChild<QPushButton*>(QStringLiteral("bulkDenyConfirmButton")); // asked once
        QVERIFY(confirm);
        QTest::mouseClick(confirm, Qt::LeftButton);
        for (const QString& id : ids) {
            QCOMPARE(test::stored(m_app->services().requests(), id).state, approvals::RequestState::Denied);
            QCOMPARE(test::stored(m_app->services().requests(), id).decisions.first().reason,
                     QStringLiteral("incident freeze"));
        }
        QCOMPARE(test::stored(m_app->services().requests(), untouched).state, approvals::RequestState::Pending);
        QCOMPARE(view->model()->rowCount(), 1);
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), untouched));
    }

    void filterNarrowsTheQueue()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        const QString a = create(QStringLiteral("alpha rollout"), QStringLiteral("low"));
        const QString b = create(QStringLiteral("beta rollout"), QStringLiteral("low"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        QCOMPARE(view->model()->rowCount(), 2);
        QTest::keyClicks(tab.findChild<QLineEdit*>(QStringLiteral("queueFilter")), QStringLiteral("BETA"));
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, 0).data(ui::RequestQueueModel::IdRole).toString(), b);
        // Field filters: risk with and without "+", runtime, capability prefix.
        const QString c = create(QStringLiteral("gamma rollout"), QStringLiteral("critical"));
        auto* filter = tab.findChild<QLineEdit*>(QStringLiteral("queueFilter"));
        auto filtered = [&](const QString& text) {
            filter->setText(text);
            QStringList ids;
            for (int row = 0; row < view->model()->rowCount(); ++row)
                ids.append(view->model()->index(row, 0).data(ui::RequestQueueModel::IdRole).toString());
            std::sort(ids.begin(), ids.end());
            return ids;
        };
        QStringList all{a, b, c};
        std::sort(all.begin(), all.end());
        QCOMPARE(filtered(QStringLiteral("risk:critical")), QStringList{c});
        QCOMPARE(filtered(QStringLiteral("risk:medium+")), QStringList{c});
        QCOMPARE(filtered(QStringLiteral("risk:low+")), all);
        QCOMPARE(filtered(QStringLiteral("runtime:CI cap:deploy rollout")), all);
        QCOMPARE(filtered(QStringLiteral("runtime:other")), QStringList{});
        QCOMPARE(filtered(QStringLiteral("cap:db.")), QStringList{});
        QCOMPARE(filtered(QStringLiteral("risk:extreme")), QStringList{});
        QCOMPARE(filtered(QString()), all);
        for (const QString& id : {a, b, c})
            QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
    }

    void theFilterCountsFlagsTyposAndClearsOnEscape()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        auto* filter = tab.findChild<QLineEdit*>(QStringLiteral("queueFilter"));
        auto* status = tab.findChild<QLabel*>(QStringLiteral("filterStatus"));
        QVERIFY(view && filter && status);
        const QString high = create(QStringLiteral("Filter me high"), QStringLiteral("high"));
        const QString low = create(QStringLiteral("Filter me low"), QStringLiteral("low"));
        const int all = view->model()->rowCount();
        QVERIFY(all >= 2);
        filter->setFocus();
        QTest::keyClicks(filter, QStringLiteral("?"));
        QCOMPARE(view->model()->rowCount(), 0);
        QCOMPARE(status->text(), QStringLiteral("0 of %1 shown").arg(all));
        filter->clear();
        QTest::keyClicks(filter, QStringLiteral("risk:hihg"));
        QVERIFY2(status->text().contains(QStringLiteral("unknown risk 'hihg'")), qPrintable(status->text()));
        filter->clear();
        QTest::keyClicks(filter, QStringLiteral("rsik:high"));
        QVERIFY2(status->text().contains(QStringLiteral("unknown field 'rsik'")), qPrintable(status->text()));
        filter->clear();
        QTest::keyClicks(filter, QStringLiteral("Filter me risk:high"));
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(status->text(), QStringLiteral("1 of %1 shown").arg(all));
        QTest::keyClick(filter, Qt::Key_Escape);
        QVERIFY(filter->text().isEmpty());
        QCOMPARE(view->model()->rowCount(), all);
        QVERIFY(status->text().isEmpty());
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), high));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), low));
    }

    void revealIsPerFieldAuditedAndForgottenOnTheNextRequest()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString id = test::createRequest(
            m_app->services().requests(), m_app->runtime(), QStringLiteral("two secrets"), QStringLiteral("low"),
            QJsonObject{{QStringLiteral("db_password"), QStringLiteral("hunter2")},
                        {QStringLiteral("api_token"), QStringLiteral("tok_live_51H")},
                        {QStringLiteral("version"), QStringLiteral("1.4.2")}});
        const QString plain = test::createRequest(m_app->services().requests(), m_app->runtime(),
                                                  QStringLiteral("nothing masked"), QStringLiteral("low"),
                                                  QJsonObject{{QStringLiteral("version"), QStringLiteral("1.4.3")}});
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        auto* detail = tab.findChild<QWidget*>(QStringLiteral("detailPane"));
        auto* toggles = tab.findChild<QWidget*>(QStringLiteral("secretToggles"));
        QVERIFY(toggles);

        // Nothing masked: nothing to reveal is offered.
        tab.select(plain);
        QVERIFY(!toggles->isVisible());
        QVERIFY(!tab.findChild<QPushButton*>(QStringLiteral("revealButton")));

        tab.select(id);
        QVERIFY(toggles->isVisible());
        auto toggle = [&](const QString& field) {
            return tab.findChild<QPushButton*>(QStringLiteral("reveal:") + field);
        };
        QVERIFY(toggle(QStringLiteral("/db_password")) && toggle(QStringLiteral("/api_token")));
        QVERIFY(!toggle(QStringLiteral("/version")));
        QVERIFY(!shownText(detail).contains(QStringLiteral("hunter2")));
        QVERIFY(!shownText(detail).contains(QStringLiteral("tok_live_51H")));

        // One field by mouse: only that one shows, and only that one is audited.
        const auto counted = m_app->services().audit().count();
        VERIFY_RESULT(counted);
        const qint64 before = *counted;
        QTest::mouseClick(toggle(QStringLiteral("/db_password")), Qt::LeftButton);
        QVERIFY(shownText(detail).contains(QStringLiteral("hunter2")));
        QVERIFY(!shownText(detail).contains(QStringLiteral("tok_live_51H")));
        QCOMPARE(toggle(QStringLiteral("/db_password"))->text(), QStringLiteral("Hide db_password"));
        QCOMPARE(m_app->services().audit().count().value_or(-1), before + 1);
        QSqlQuery last(m_app->services().database());
        QVERIFY(last.exec(
            QStringLiteral("SELECT actor, action, subject, details FROM audit_log ORDER BY seq DESC LIMIT 1")));
        QVERIFY(last.next());
        QCOMPARE(last.value(0).toString(), QStringLiteral("member:owner"));
        QCOMPARE(last.value(1).toString(), QStringLiteral("request.reveal"));
        QCOMPARE(last.value(2).toString(), QStringLiteral("request:") + id);
        QVERIFY2(last.value(3).toString().contains(QStringLiteral("\"field\":\"/db_password\"")),
                 qPrintable(last.value(3).toString()));
        last.finish();

        // The other by keyboard: R reaches the toggles (in the payload's order), Tab moves
        // between them, Space reveals.
        view->setFocus();
        QTest::keyClick(view, Qt::Key_R);
        QTRY_COMPARE(QApplication::focusWidget(), toggle(QStringLiteral("/api_token")));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), toggle(QStringLiteral("/db_password")));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab, Qt::ShiftModifier);
        QCOMPARE(QApplication::focusWidget(), toggle(QStringLiteral("/api_token")));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
        QVERIFY(shownText(detail).contains(QStringLiteral("tok_live_51H")));
        QCOMPARE(m_app->services().audit().count().value_or(-1), before + 2);

        // Hide masks again (nothing to audit).
        QTest::mouseClick(toggle(QStringLiteral("/db_password")), Qt::LeftButton);
        QVERIFY(!shownText(detail).contains(QStringLiteral("hunter2")));
        QVERIFY(shownText(detail).contains(QStringLiteral("tok_live_51H")));
        QCOMPARE(m_app->services().audit().count().value_or(-1), before + 2);

        // Another request shown, then this one again: everything masked.
        tab.select(plain);
        tab.select(id);
        QVERIFY(!shownText(detail).contains(QStringLiteral("tok_live_51H")));
        QCOMPARE(toggle(QStringLiteral("/api_token"))->text(), QStringLiteral("Reveal api_token"));

        // Locking (or closing to the tray) masks everything too.
        QTest::mouseClick(toggle(QStringLiteral("/api_token")), Qt::LeftButton);
        QVERIFY(shownText(detail).contains(QStringLiteral("tok_live_51H")));
        tab.clearDecisionInput();
        QVERIFY(!shownText(detail).contains(QStringLiteral("tok_live_51H")));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), plain));
    }

    void onlyMaskedFieldsAreRevealed()
    {
        const QString id = create(QStringLiteral("reveal what is masked"), QStringLiteral("low"));
        auto refused =
            m_app->services().requests().revealField(QStringLiteral("owner"), id, QStringLiteral("/version"));
        QVERIFY(!refused);
        QCOMPARE(test::errorCode(refused), ErrorCode::InvalidArgument);
        auto value =
            m_app->services().requests().revealField(QStringLiteral("owner"), id, QStringLiteral("/db_password"));
        QVERIFY(value);
        QCOMPARE(*value, QJsonValue(QStringLiteral("hunter2")));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
    }

    void extendIsAuditedAndBoundedByPolicy()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        // A rule with a 10-minute timeout: a request may live at most four times that.
        QVERIFY(m_app->services().policies().add(policy::PolicyRule{0, QStringLiteral("deploy.web"), std::nullopt,
                                                                    policy::PolicyRule::Outcome::Require, 1, 700, 600},
                                                 QStringLiteral("member:owner")));
        const QString id = create(QStringLiteral("slow one"), QStringLiteral("low"));
        const auto stored = m_app->services().requests().request(id);
        VERIFY_RESULT(stored);
        const approvals::Request before = *stored;
        QCOMPARE(before.expiresAt - before.createdAt, 700'000);
        tab.select(id);
        auto* extend = tab.findChild<QPushButton*>(QStringLiteral("extendButton"));
        auto* message = tab.findChild<QLabel*>(QStringLiteral("decisionMessage"));
        QTest::mouseClick(extend, Qt::LeftButton);
        QCOMPARE(test::stored(m_app->services().requests(), id).expiresAt,
                 before.expiresAt + ui::QueueTab::EXTEND_SECONDS * 1000);
        QVERIFY(message->text().contains(QStringLiteral("deadline")));
        QTest::mouseClick(extend, Qt::LeftButton);
        QVERIFY(extend->isEnabled());
        QTest::mouseClick(extend, Qt::LeftButton); // capped at 4 x 700 s after creation
        QCOMPARE(test::stored(m_app->services().requests(), id).expiresAt, before.createdAt + 2800'000);
        // At the cap core says there is no room left: Extend is off, and says why.
        const auto room = m_app->services().requests().extensionRoom(test::stored(m_app->services().requests(), id));
        VERIFY_RESULT(room);
        QVERIFY(!room->roomMs);
        QVERIFY(!extend->isEnabled());
        QCOMPARE(extend->toolTip(),
                 QStringLiteral("This request has waited as long as its policy allows: 46 minutes in all."));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        view->setFocus();
        QTest::keyClick(view, Qt::Key_E); // the shortcut asks anyway, and is told
        QVERIFY2(message->text().contains(QStringLiteral("cannot wait longer")), qPrintable(message->text()));
        QCOMPARE(test::stored(m_app->services().requests(), id).expiresAt, before.createdAt + 2800'000);
        QSqlQuery count(m_app->services().database());
        QVERIFY(count.exec(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'request.extend'")));
        QVERIFY(count.next());
        QCOMPARE(count.value(0).toInt(), 3);
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
        QVERIFY(m_app->services().policies().remove(0, QStringLiteral("member:owner")));
    }

    void aRequestDecidedElsewhereShowsThatAndDisablesTheButtons()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString shown = create(QStringLiteral("look at me"), QStringLiteral("low"));
        const QString next = create(QStringLiteral("next in line"), QStringLiteral("low"));
        tab.select(shown);
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        view->setFocus();
        QTRY_VERIFY(view->hasFocus());
        // Another connection (as the endpoint thread or a remote member would) decides it.
        auto elsewhere = application::openServices(m_app->vault(), m_app->events(), QStringLiteral("elsewhere"));
        QVERIFY(elsewhere);
        QVERIFY((*elsewhere)->requests().deny(QStringLiteral("owner"), shown, QStringLiteral("from the CLI")));
        auto* message = tab.findChild<QLabel*>(QStringLiteral("decisionMessage"));
        auto* detail = tab.findChild<QWidget*>(QStringLiteral("detailPane"));
        QTRY_VERIFY(message->text().contains(QStringLiteral("denied elsewhere")));
        QVERIFY(shownText(detail).contains(QStringLiteral("look at me")));
        QVERIFY(shownText(detail).contains(QStringLiteral("from the CLI")));
        QVERIFY(!tab.findChild<QPushButton*>(QStringLiteral("approveButton"))->isEnabled());
        QVERIFY(!tab.findChild<QPushButton*>(QStringLiteral("denyButton"))->isEnabled());
        // Nothing slid under the keyboard: A does not approve the neighbour.
        QTest::keyClick(view, Qt::Key_A);
        QCOMPARE(test::stored(m_app->services().requests(), next).state, approvals::RequestState::Pending);
        // Moving on clears it.
        QTest::keyClick(view, Qt::Key_J);
        QVERIFY(shownText(detail).contains(QStringLiteral("next in line")));
        QVERIFY(tab.findChild<QPushButton*>(QStringLiteral("approveButton"))->isEnabled());
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), next));
        elsewhere->reset();
    }

    void theQueueSortsByRiskThenAge()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        QVERIFY(view);
        QCOMPARE(view->model()->rowCount(), 0);
        // Arrivals in this order, a moment apart so their ages differ.
        QStringList arrived;
        for (const char* risk : {"low", "critical", "medium", "high", "low", "critical"}) {
            arrived << create(QStringLiteral("sorted %1").arg(arrived.size()), QString::fromLatin1(risk));
            QTest::qWait(5);
        }
        auto shownOrder = [view] {
            QStringList ids;
            for (int row = 0; row < view->model()->rowCount(); ++row)
                ids << view->model()->index(row, 0).data(ui::RequestQueueModel::IdRole).toString();
            return ids;
        };
        // Critical first, then high, medium, low; the oldest first within each.
        const QStringList expected{arrived[1], arrived[5], arrived[3], arrived[2], arrived[0], arrived[4]};
        QCOMPARE(shownOrder(), expected);
        // A late critical request goes above everything but the criticals that waited longer.
        const QString late = create(QStringLiteral("sorted late"), QStringLiteral("critical"));
        QCOMPARE(shownOrder().indexOf(late), 2);
        for (const QString& id : shownOrder())
            QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
    }

    void theCriticalCountStandsAboveTheList()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* count = tab.findChild<QLabel*>(QStringLiteral("criticalCount"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        QVERIFY(count && view);
        const QString low = create(QStringLiteral("harmless"), QStringLiteral("low"));
        QVERIFY(!count->isVisible());
        const QString first = create(QStringLiteral("drop the database"), QStringLiteral("critical"));
        QTRY_VERIFY(count->isVisible());
        QCOMPARE(count->text(), QStringLiteral("1 critical request waiting"));
        // Above the list, never below it.
        QVERIFY(count->mapTo(&tab, QPoint(0, 0)).y() < view->mapTo(&tab, QPoint(0, 0)).y());
        const QString second = create(QStringLiteral("rotate the root key"), QStringLiteral("critical"));
        QCOMPARE(count->text(), QStringLiteral("2 critical requests waiting"));
        // A filter may hide them from the list, never from the count.
        tab.findChild<QLineEdit*>(QStringLiteral("queueFilter"))->setText(QStringLiteral("risk:low"));
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(count->text(), QStringLiteral("2 critical requests waiting (2 hidden by the filter)"));
        tab.findChild<QLineEdit*>(QStringLiteral("queueFilter"))->clear();
        QCOMPARE(count->text(), QStringLiteral("2 critical requests waiting"));
        // Decided elsewhere or here, they leave the count.
        QVERIFY(m_app->services().requests().deny(QStringLiteral("owner"), first, QStringLiteral("no")));
        QTRY_COMPARE(count->text(), QStringLiteral("1 critical request waiting"));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), second));
        QTRY_VERIFY(!count->isVisible());
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), low));
    }

    void theDetailHeaderShowsTheRiskBadge()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString id = create(QStringLiteral("badge me"), QStringLiteral("critical"));
        tab.select(id);
        auto* badge = tab.findChild<ui::RiskBadge*>(QStringLiteral("detailRisk"));
        QVERIFY(badge);
        QTRY_VERIFY(badge->isVisible());
        QTRY_COMPARE(badge->size(), badge->sizeHint()); // laid out
        QCOMPARE(badge->risk(), policy::Risk::Critical);
        QCOMPARE(badge->text(), QStringLiteral("critical")); // what a screen reader reads
        // Painted as a badge: much of it is the critical fill, and its word's colour is there too.
        const QImage shot = badge->grab().toImage().convertToFormat(QImage::Format_RGB32);
        const ui::RiskBadge::Colours colours = ui::RiskBadge::colours(policy::Risk::Critical, badge->palette());
        int fill = 0;
        int text = 0;
        for (int y = 0; y < shot.height(); ++y) {
            for (int x = 0; x < shot.width(); ++x) {
                fill += shot.pixel(x, y) == colours.fill.rgb() ? 1 : 0;
                text += shot.pixel(x, y) == colours.text.rgb() ? 1 : 0;
            }
        }
        QVERIFY2(fill * 4 > shot.width() * shot.height(), qPrintable(QString::number(fill)));
        QVERIFY(text > 0);
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
    }

    void aNarrowQueueDropsColumnsInsteadOfScrolling()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.resize(1600, 500);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString id = create(QStringLiteral("a request with a fairly long summary line"), QStringLiteral("high"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        QVERIFY(view);
        auto hidden = [view] {
            QList<int> columns;
            for (int column = 0; column < view->model()->columnCount(); ++column) {
                if (view->isColumnHidden(column))
                    columns << column;
            }
            return columns;
        };
        QTRY_COMPARE(hidden(), QList<int>{});
        QCOMPARE(view->horizontalScrollBar()->maximum(), 0);

        tab.resize(520, 500);
        QTRY_VERIFY(view->viewport()->width() < 400);
        QTRY_COMPARE(view->horizontalScrollBar()->maximum(), 0);
        QVERIFY(!hidden().isEmpty());
        QVERIFY(!view->isColumnHidden(ui::RequestQueueModel::Risk));
        QVERIFY(!view->isColumnHidden(ui::RequestQueueModel::Summary));
        // The least needed go first: approvals before the runtime.
        QVERIFY(view->isColumnHidden(ui::RequestQueueModel::Approvals));
        QVERIFY(!hidden().contains(ui::RequestQueueModel::Runtime) || hidden().size() == 5);
        int used = 0;
        for (int column = 0; column < view->model()->columnCount(); ++column)
            used += view->isColumnHidden(column) ? 0 : view->columnWidth(column);
        QVERIFY2(used <= view->viewport()->width(), qPrintable(QString::number(used)));

        // Room again: every column comes back.
        tab.resize(1600, 500);
        QTRY_COMPARE(hidden(), QList<int>{});
        QCOMPARE(view->horizontalScrollBar()->maximum(), 0);
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
    }

    void theDetailsScrollOnlyBelowTheirMinimum()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.resize(900, 540);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString id = create(QStringLiteral("room for the payload"), QStringLiteral("high"));
        tab.select(id);
        auto* scroll = tab.findChild<QScrollArea*>(QStringLiteral("detailScroll"));
        auto* payload = tab.findChild<QPlainTextEdit*>(QStringLiteral("detailPayload"));
        auto* approve = tab.findChild<QPushButton*>(QStringLiteral("approveButton"));
        QVERIFY(scroll && payload && approve);
        // Room enough: nothing scrolls, and what is left over goes to the payload (what will run).
        QTRY_VERIFY(payload->isVisible());
        QTest::qWait(50); // the layout requests posted by showing the request are handled
        QCOMPARE(scroll->verticalScrollBar()->maximum(), 0);
        QVERIFY2(payload->height() > payload->minimumHeight() + 40, qPrintable(QString::number(payload->height())));
        // Too short for the details: they scroll, and the decision stays in sight below them.
        tab.resize(900, 260);
        QTRY_VERIFY(scroll->verticalScrollBar()->maximum() > 0);
        QVERIFY(tab.rect().contains(QRect(approve->mapTo(&tab, QPoint(0, 0)), approve->size())));
        QVERIFY(!approve->visibleRegion().isEmpty());
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
    }

    void aRequestExpiringWhileSelected()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QVERIFY(m_app->services().policies().add(policy::PolicyRule{0, QStringLiteral("deploy.web"), std::nullopt,
                                                                    policy::PolicyRule::Outcome::Require, 1, 1, 600},
                                                 QStringLiteral("member:owner")));
        const QString id = create(QStringLiteral("about to expire"), QStringLiteral("low"));
        QVERIFY(m_app->services().policies().remove(0, QStringLiteral("member:owner")));
        tab.select(id);
        m_app->services().requests().setExpiryTimerEnabled(true);
        auto* message = tab.findChild<QLabel*>(QStringLiteral("decisionMessage"));
        QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QStringLiteral("expired")), 10000);
        m_app->services().requests().setExpiryTimerEnabled(false);
        QCOMPARE(test::stored(m_app->services().requests(), id).state, approvals::RequestState::Expired);
        QVERIFY(!tab.findChild<QPushButton*>(QStringLiteral("approveButton"))->isEnabled());
        QVERIFY(shownText(tab.findChild<QWidget*>(QStringLiteral("detailPane")))
                    .contains(QStringLiteral("about to expire")));
    }

    void durationsReadInWords_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("none") << qint64{0} << QStringLiteral("0 seconds");
        QTest::newRow("past") << qint64{-5} << QStringLiteral("0 seconds");
        QTest::newRow("one second") << qint64{1} << QStringLiteral("1 second");
        QTest::newRow("seconds") << qint64{45} << QStringLiteral("45 seconds");
        QTest::newRow("a minute") << qint64{60} << QStringLiteral("1 minute");
        QTest::newRow("countdown") << qint64{245} << QStringLiteral("4 minutes 5 seconds");
        QTest::newRow("minutes") << qint64{14 * 60 + 59} << QStringLiteral("14 minutes");
        QTest::newRow("an hour") << qint64{3600} << QStringLiteral("1 hour");
        QTest::newRow("ninety minutes") << qint64{5400} << QStringLiteral("90 minutes");
        QTest::newRow("hours") << qint64{3 * 3600 + 10 * 60} << QStringLiteral("3 hours 10 minutes");
        QTest::newRow("whole hours") << qint64{7200} << QStringLiteral("2 hours");
        QTest::newRow("days") << qint64{2 * 86400 + 3600} << QStringLiteral("2 days 1 hour");
    }

    void durationsReadInWords()
    {
        QFETCH(qint64, seconds);
        QFETCH(QString, text);
        QCOMPARE(ui::durationText(seconds), text);
    }

    void englishPluralsReadAsWords_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("text");
        QTest::newRow("one request") << QStringLiteral("%n request(s)") << 1 << QStringLiteral("1 request");
        QTest::newRow("no requests") << QStringLiteral("%n request(s)") << 0 << QStringLiteral("0 requests");
        QTest::newRow("one entry") << QStringLiteral("%n entry(s)") << 1 << QStringLiteral("1 entry");
        QTest::newRow("entries") << QStringLiteral("%n entry(s)") << 3 << QStringLiteral("3 entries");
        QTest::newRow("days") << QStringLiteral("%n day(s)") << 2 << QStringLiteral("2 days");
        QTest::newRow("keys") << QStringLiteral("%n key(s)") << 2 << QStringLiteral("2 keys");
    }

    void englishPluralsReadAsWords()
    {
        QFETCH(QString, source);
        QFETCH(int, count);
        QFETCH(QString, text);
        QCOMPARE(QCoreApplication::translate("Any", source.toUtf8().constData(), nullptr, count), text);
    }

    void aMessageBelongsToTheRequestShownAndReadsAsASentence()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        // A 15-minute timeout: a request may wait four times that, an hour, in all.
        QVERIFY(m_app->services().policies().add(policy::PolicyRule{0, QStringLiteral("deploy.web"), std::nullopt,
                                                                    policy::PolicyRule::Outcome::Require, 1, 900, 600},
                                                 QStringLiteral("member:owner")));
        const QString first = create(QStringLiteral("wait for me"), QStringLiteral("low"));
        const QString second = create(QStringLiteral("the next one"), QStringLiteral("low"));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
        auto* message = tab.findChild<ui::MessageLabel*>(QStringLiteral("decisionMessage"));
        QVERIFY(message);
        tab.select(first);
        view->setFocus();
        for (int i = 0; i < 3; ++i) // 15 minutes each, to the hour
            QTest::keyClick(view, Qt::Key_E);
        QCOMPARE(test::stored(m_app->services().requests(), first).expiresAt,
                 test::stored(m_app->services().requests(), first).createdAt + 3600'000);
        QCOMPARE(message->tone(), ui::MessageLabel::Tone::Info);
        QTest::keyClick(view, Qt::Key_E); // one more than the policy allows
        const QString said = message->text();
        QCOMPARE(said, QStringLiteral("This request cannot wait longer: its policy allows 1 hour in all."));
        QVERIFY2(!said.contains(first) && !said.contains(QStringLiteral("3600")), qPrintable(said));
        // Said as an error, not by colour alone: a tone, an icon's room, an accessible "Error".
        QCOMPARE(message->tone(), ui::MessageLabel::Tone::Error);
        QCOMPARE(message->accessibleDescription(), QStringLiteral("Error"));
        QVERIFY(message->contentsMargins().left() > 0);
        // Another request shown: what was said about the first is gone.
        tab.select(second);
        QTRY_VERIFY2(message->text().isEmpty(), qPrintable(message->text()));
        tab.select(first);
        QVERIFY(message->text().isEmpty());
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), first));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), second));
        QVERIFY(m_app->services().policies().remove(0, QStringLiteral("member:owner")));
    }

    void errorsReadInBothPalettes()
    {
        for (const ui::ColorScheme scheme : {ui::ColorScheme::Light, ui::ColorScheme::Dark}) {
            ui::applyColorScheme(scheme);
            ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
            tab.show();
            QVERIFY(QTest::qWaitForWindowExposed(&tab));
            const QString id = create(QStringLiteral("decided elsewhere first"), QStringLiteral("low"));
            tab.select(id);
            // Denied from the CLI between looking and pressing: the window's own deny is refused.
            auto elsewhere = application::openServices(m_app->vault(), m_app->events(), QStringLiteral("elsewhere"));
            QVERIFY(elsewhere);
            {
                QSignalBlocker quiet(&m_app->events()); // as another process: this window hears of it later
                QVERIFY((*elsewhere)->requests().deny(QStringLiteral("owner"), id, QString()));
            }
            QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("denyButton")), Qt::LeftButton);
            auto* message = tab.findChild<ui::MessageLabel*>(QStringLiteral("decisionMessage"));
            QCOMPARE(message->text(),
                     QStringLiteral("This request was already denied; there is nothing left to do with it."));
            QCOMPARE(message->tone(), ui::MessageLabel::Tone::Error);
            const double contrast = inkContrast(message);
            QVERIFY2(contrast >= 4.5,
                     qPrintable(QStringLiteral("%1 palette: %2:1").arg(ui::colorSchemeName(scheme)).arg(contrast)));
            elsewhere->reset();
        }
        ui::applyColorScheme(ui::ColorScheme::System);
    }

    void pluralsAreWords()
    {
        ui::QueueTab tab(m_app->services().requests(), m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        const QString one = create(QStringLiteral("one secret"), QStringLiteral("low"));
        const QString two = test::createRequest(m_app->services().requests(), m_app->runtime(),
                                                QStringLiteral("two secrets"), QStringLiteral("low"),
                                                QJsonObject{{QStringLiteral("password"), QStringLiteral("a")},
                                                            {QStringLiteral("api_token"), QStringLiteral("b")}});
        auto* detail = tab.findChild<QWidget*>(QStringLiteral("detailPane"));
        tab.select(one);
        QVERIFY2(shownText(detail).contains(QStringLiteral("1 secret-looking field masked")),
                 qPrintable(shownText(detail)));
        tab.select(two);
        QVERIFY(shownText(detail).contains(QStringLiteral("2 secret-looking fields masked")));
        QVERIFY(!shownText(detail).contains(QStringLiteral("(s)")));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), one));
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), two));
    }
};

QTEST_MAIN(TestQueueTab)
#include "tst_queuetab.moc"
