#include "admin/policiestab.h"
#include "admin/runtimestab.h"
#include "appfixture.h"
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "common/durationedit.h"
#include "common/englishplurals.h"
#include "common/tokendialog.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "history/historymodel.h"
#include "history/historytab.h"
#include "members/invitationlink.h"
#include "members/invitationservice.h"
#include "members/memberservice.h"
#include "members/teamlistenersettings.h"
#include "policy/policystore.h"
#include "team/memberstab.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QFontInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

/// What a table view shows in a cell, as a person reads it.
QString cellText(const QAbstractItemView* view, int row, int column)
{
    return view->model()->index(row, column).data().toString();
}

/// The first row of \a view that shows \a text in one of its cells, -1 if none.
int rowWith(const QAbstractItemView* view, const QString& text)
{
    const QAbstractItemModel* model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < model->columnCount(); ++column) {
            if (model->index(row, column).data().toString() == text)
                return row;
        }
    }
    return -1;
}

} // namespace

class TestAdminTabs final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::AppFixture> m_app; // one per test function
    ui::EnglishPlurals m_plurals;

    /// Turns the team listener on or off as another process would, through the core.
    bool setTeamListener(bool on)
    {
        std::optional<members::TeamListenerSettings> settings;
        if (on) {
            members::TeamListenerSettings wanted;
            wanted.address = QStringLiteral("127.0.0.1");
            wanted.port = 7451;
            wanted.publicHost = QStringLiteral("127.0.0.1");
            settings = wanted;
        }
        return members::TeamListenerSettings::store(m_app->services().database(), m_app->services().audit(),
                                                    QStringLiteral("owner"), settings)
            .has_value();
    }

    int auditCount(const QString& action)
    {
        QSqlQuery query(m_app->services().database());
        query.prepare(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = ?"));
        query.addBindValue(action);
        return query.exec() && query.next() ? query.value(0).toInt() : -1;
    }

    template <typename T> static T* waitForDialog(const QString& name)
    {
        T* found = nullptr;
        (void)QTest::qWaitFor(
            [&] {
                for (QWidget* widget : QApplication::topLevelWidgets()) {
                    if (widget->objectName() == name && widget->isVisible())
                        found = qobject_cast<T*>(widget);
                }
                return found != nullptr;
            },
            5000);
        return found;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::installTranslator(&m_plurals); // as the application does
    }

    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_app = std::make_unique<test::AppFixture>();
        QVERIFY(m_app->open());
    }

    void cleanup() { m_app.reset(); }

    void historyIsSearchableWithWhoWhenAndWhy()
    {
        approvals::RequestService& requests = m_app->services().requests();
        const QString approved =
            test::createRequest(requests, m_app->runtime(), QStringLiteral("Ship web 3.1"), QStringLiteral("low"));
        const QString denied =
            test::createRequest(requests, m_app->runtime(), QStringLiteral("Drop old tables"), QStringLiteral("high"));
        const QString cancelled =
            test::createRequest(requests, m_app->runtime(), QStringLiteral("Nightly backup"), QStringLiteral("low"));
        const QString pending =
            test::createRequest(requests, m_app->runtime(), QStringLiteral("Still waiting"), QStringLiteral("low"));
        ui::HistoryTab tab(requests, m_app->events(), QStringLiteral("owner"));
        QAbstractItemModelTester tester(tab.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QCOMPARE(tab.model()->rowCount(), 0);

        QVERIFY(requests.approve(QStringLiteral("owner"), approved, QStringLiteral("release train")));
        QVERIFY(requests.deny(QStringLiteral("owner"), denied, QStringLiteral("not during the freeze")));
        QVERIFY(requests.cancelRequest(m_app->runtime(), cancelled));
        QTRY_COMPARE(tab.model()->rowCount(), 3); // follows outcomes live; the pending one is not history
        auto column = [&](int row, int col) {
            return tab.model()->index(row, col).data().toString();
        };
        QStringList ids;
        for (int row = 0; row < 3; ++row)
            ids.append(tab.model()->index(row, 0).data(ui::HistoryModel::IdRole).toString());
        QVERIFY(!ids.contains(pending));
        const int deniedRow = static_cast<int>(ids.indexOf(denied));
        QCOMPARE(column(deniedRow, ui::HistoryModel::State), QStringLiteral("denied"));
        QCOMPARE(column(deniedRow, ui::HistoryModel::DecidedBy), QStringLiteral("Ada"));
        QCOMPARE(column(deniedRow, ui::HistoryModel::Reason), QStringLiteral("not during the freeze"));
        QVERIFY(!column(deniedRow, ui::HistoryModel::When).isEmpty());

        // Search matches summaries and reasons, case-insensitively, and treats % and _ literally.
        auto* search = tab.findChild<QLineEdit*>(QStringLiteral("historySearch"));
        QTest::keyClicks(search, QStringLiteral("FREEZE"));
        QTRY_COMPARE(tab.model()->rowCount(), 1);
        QCOMPARE(tab.model()->index(0, 0).data(ui::HistoryModel::IdRole).toString(), denied);
        auto* view = tab.findChild<QTableView*>(QStringLiteral("historyView"));
        view->selectRow(0);
        QVERIFY(tab.findChild<QPlainTextEdit*>(QStringLiteral("historyDetail"))
                    ->toPlainText()
                    .contains(QStringLiteral("Denied by Ada")));
        search->clear();
        QTest::keyClicks(search, QStringLiteral("%"));
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(tab.model()->rowCount(), 0);
        search->clear();
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(tab.model()->rowCount(), 3);
        QVERIFY(requests.cancelRequest(m_app->runtime(), pending));
    }

    void historySaysAnUnusedApprovalRanOutNewestFirstSortableWithRisk()
    {
        approvals::RequestService& requests = m_app->services().requests();
        const QString unused =
            test::createRequest(requests, m_app->runtime(), QStringLiteral("Rotate keys"), QStringLiteral("low"));
        QVERIFY(requests.approve(QStringLiteral("owner"), unused, QStringLiteral("fine")));
        QSqlQuery lapse(m_app->services().database()); // the approval's validity runs out unused
        lapse.prepare(QStringLiteral("UPDATE requests SET approval_expires_at = 1 WHERE id = ?"));
        lapse.addBindValue(unused);
        QVERIFY(lapse.exec());
        QVERIFY(requests.expireDue());
        QCOMPARE(test::stored(requests, unused).state, approvals::RequestState::Expired);
        QTest::qWait(20); // a later time of its own for the next outcome
        const QString later =
            test::createRequest(requests, m_app->runtime(), QStringLiteral("Drop a table"), QStringLiteral("critical"));
        QVERIFY(requests.deny(QStringLiteral("owner"), later, QStringLiteral("no")));

        ui::HistoryTab tab(requests, m_app->events(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* view = tab.findChild<QTableView*>(QStringLiteral("historyView"));
        QVERIFY(view);
        QAbstractItemModel* shown = view->model();
        auto rowOf = [&](const QString& id) {
            for (int row = 0; row < shown->rowCount(); ++row) {
                if (shown->index(row, 0).data(ui::HistoryModel::IdRole).toString() == id)
                    return row;
            }
            return -1;
        };
        const int unusedRow = rowOf(unused);
        QVERIFY(unusedRow >= 0);
        QCOMPARE(shown->index(unusedRow, ui::HistoryModel::State).data().toString(),
                 QStringLiteral("approved, not used in time"));
        QCOMPARE(shown->index(unusedRow, ui::HistoryModel::DecidedBy).data().toString(), QStringLiteral("Ada"));
        QCOMPARE(shown->index(rowOf(later), ui::HistoryModel::Risk).data().toString(), QStringLiteral("critical"));
        QCOMPARE(shown->index(unusedRow, ui::HistoryModel::Risk).data().toString(), QStringLiteral("low"));

        // Newest first as shown (not only as loaded), and the header sorts any column.
        QCOMPARE(rowOf(later), 0);
        QVERIFY(view->isSortingEnabled());
        QCOMPARE(view->horizontalHeader()->sortIndicatorSection(), int(ui::HistoryModel::When));
        QCOMPARE(view->horizontalHeader()->sortIndicatorOrder(), Qt::DescendingOrder);
        view->sortByColumn(ui::HistoryModel::Risk, Qt::AscendingOrder);
        QVERIFY(rowOf(unused) < rowOf(later)); // low before critical
        view->sortByColumn(ui::HistoryModel::Risk, Qt::DescendingOrder);
        QCOMPARE(rowOf(later), 0);

        // Selecting a sorted row shows that row's record.
        view->selectRow(rowOf(unused));
        QVERIFY(tab.findChild<QPlainTextEdit*>(QStringLiteral("historyDetail"))
                    ->toPlainText()
                    .contains(QStringLiteral("Rotate keys")));

        // The full time on hover: ISO 8601 with seconds and the zone's offset.
        const QString full = shown->index(rowOf(unused), ui::HistoryModel::When).data(Qt::ToolTipRole).toString();
        static const QRegularExpression iso(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$)"));
        QVERIFY2(iso.match(full).hasMatch(), qPrintable(full));
    }

    void registerShowsTheTokenOnceAndRevokeAsksFirst()
    {
        ui::RuntimesTab tab(m_app->services().runtimes(), m_app->events(), QStringLiteral("member:owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* table = tab.findChild<QTableView*>(QStringLiteral("runtimesView"));
        const int before = table->model()->rowCount();

        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("registerRuntimeButton")), Qt::LeftButton);
        auto* dialog = waitForDialog<QDialog>(QStringLiteral("registerRuntimeDialog"));
        QVERIFY(dialog);
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("runtimeNameEdit")), QStringLiteral("nightly"));
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("runtimeGlobsEdit")),
                         QStringLiteral("bad glob!"));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("registerConfirmButton")), Qt::LeftButton);
        QVERIFY(dialog->isVisible()); // refused with a message, nothing registered
        QVERIFY(!dialog->findChild<QLabel*>(QStringLiteral("registerError"))->text().isEmpty());
        QCOMPARE(table->model()->rowCount(), before);
        dialog->findChild<QLineEdit*>(QStringLiteral("runtimeGlobsEdit"))->setText(QStringLiteral("backup.*"));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("registerConfirmButton")), Qt::LeftButton);

        auto* tokenDialog = waitForDialog<QDialog>(QStringLiteral("tokenDialog"));
        QVERIFY(tokenDialog);
        const QString token = tokenDialog->findChild<QLineEdit*>(QStringLiteral("tokenValue"))->text();
        QVERIFY(token.startsWith(QStringLiteral("cs_rt_")));
        QVERIFY(tokenDialog->findChild<QLabel*>(QStringLiteral("tokenWarning"))
                    ->text()
                    .contains(QStringLiteral("not be shown again")));
        QTest::mouseClick(tokenDialog->findChild<QPushButton*>(QStringLiteral("copyTokenButton")), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), token);
        tokenDialog->accept();
        QCOMPARE(table->model()->rowCount(), before + 1);
        auto identity = m_app->services().runtimes().authenticate(token.toLatin1());
        QVERIFY(identity);
        QCOMPARE(identity->name, QStringLiteral("nightly"));
        QCOMPARE(auditCount(QStringLiteral("runtime.registered")), 2);

        // Revoke: a confirmation first; Cancel keeps it.
        const int row = rowWith(table, QStringLiteral("nightly"));
        QVERIFY(row >= 0);
        table->selectRow(row);
        auto* revoke = tab.findChild<QPushButton*>(QStringLiteral("revokeRuntimeButton"));
        QVERIFY(revoke->isEnabled());
        QTest::mouseClick(revoke, Qt::LeftButton);
        auto* confirm = waitForDialog<QMessageBox>(QStringLiteral("revokeConfirm"));
        QVERIFY(confirm);
        confirm->button(QMessageBox::Cancel)->click();
        QVERIFY(m_app->services().runtimes().authenticate(token.toLatin1()));
        QTest::mouseClick(revoke, Qt::LeftButton);
        confirm = waitForDialog<QMessageBox>(QStringLiteral("revokeConfirm"));
        QVERIFY(confirm);
        confirm->findChild<QPushButton*>(QStringLiteral("revokeConfirmButton"))->click();
        QTRY_VERIFY(cellText(table, row, 5).startsWith(QStringLiteral("revoked")));
        QCOMPARE(test::errorCode(m_app->services().runtimes().authenticate(token.toLatin1())),
                 ErrorCode::Unauthenticated);
        QCOMPARE(auditCount(QStringLiteral("runtime.revoked")), 1);
    }

    void runtimesShowLastSeenAndRequestCounts()
    {
        for (const QString& summary : {QStringLiteral("first"), QStringLiteral("second")})
            QVERIFY(!test::createRequest(m_app->services().requests(), m_app->runtime(), summary, QStringLiteral("low"))
                         .isEmpty());
        ui::RuntimesTab tab(m_app->services().runtimes(), m_app->events(), QStringLiteral("member:owner"));
        auto* table = tab.findChild<QTableView*>(QStringLiteral("runtimesView"));
        const int row = rowWith(table, QStringLiteral("ci"));
        QVERIFY(row >= 0);
        const int count = cellText(table, row, 4).toInt();
        QCOMPARE(count, 2);
        QVERIFY(cellText(table, row, 3) != QStringLiteral("never"));
        const QString id = test::createRequest(m_app->services().requests(), m_app->runtime(),
                                               QStringLiteral("one more"), QStringLiteral("low"));
        QTRY_COMPARE_WITH_TIMEOUT(cellText(table, row, 4).toInt(), count + 1, 10000);
        QVERIFY(m_app->services().requests().cancelRequest(m_app->runtime(), id));
    }

    void policiesAreEditedValidatedAndReordered()
    {
        ui::PoliciesTab tab(m_app->services().policies(), QStringLiteral("member:owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* table = tab.findChild<QTableView*>(QStringLiteral("policiesView"));
        QCOMPARE(table->model()->rowCount(), 0);
        auto addRule = [&](const QString& glob, int outcomeIndex, int approvals) {
            QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("addRuleButton")), Qt::LeftButton);
            auto* dialog = waitForDialog<QDialog>(QStringLiteral("ruleDialog"));
            if (!dialog)
                return QString(QStringLiteral("no dialog"));
            dialog->findChild<QLineEdit*>(QStringLiteral("ruleGlobEdit"))->setText(glob);
            dialog->findChild<QComboBox*>(QStringLiteral("ruleOutcomeBox"))->setCurrentIndex(outcomeIndex);
            dialog->findChild<QSpinBox*>(QStringLiteral("ruleApprovalsBox"))->setValue(approvals);
            QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("ruleSaveButton")), Qt::LeftButton);
            const QString error = dialog->findChild<QLabel*>(QStringLiteral("ruleError"))->text();
            if (dialog->isVisible())
                dialog->reject();
            return error;
        };
        QVERIFY(!addRule(QStringLiteral("deploy..*"), 0, 1).isEmpty()); // bad glob: refused with a message
        QCOMPARE(table->model()->rowCount(), 0);
        QCOMPARE(addRule(QStringLiteral("deploy.*"), 0, 2), QString());
        QCOMPARE(addRule(QStringLiteral("docs.**"), 1, 1), QString());
        QCOMPARE(table->model()->rowCount(), 2);
        QCOMPARE(cellText(table, 1, 1), QStringLiteral("docs.**"));
        QVERIFY(cellText(table, 0, 3).contains(QStringLiteral("2 approval")));

        table->selectRow(1);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("moveRuleUpButton")), Qt::LeftButton);
        const auto moved = m_app->services().policies().rules();
        VERIFY_RESULT(moved);
        QCOMPARE(moved->size(), 2);
        QCOMPARE(moved->first().capabilityGlob, QStringLiteral("docs.**"));
        QCOMPARE(cellText(table, 0, 1), QStringLiteral("docs.**"));

        // Edit through the dialog.
        table->selectRow(1);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("editRuleButton")), Qt::LeftButton);
        auto* dialog = waitForDialog<QDialog>(QStringLiteral("ruleDialog"));
        QVERIFY(dialog);
        QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("ruleGlobEdit"))->text(), QStringLiteral("deploy.*"));
        dialog->findChild<ui::DurationEdit*>(QStringLiteral("ruleTimeoutBox"))->setSeconds(120);
        auto* floorBox = dialog->findChild<QComboBox*>(QStringLiteral("ruleFloorBox"));
        QVERIFY(floorBox);
        floorBox->setCurrentIndex(floorBox->findData(static_cast<int>(policy::Risk::High)));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("ruleSaveButton")), Qt::LeftButton);
        const auto edited = m_app->services().policies().rules();
        VERIFY_RESULT(edited);
        QCOMPARE(edited->size(), 2);
        QCOMPARE(edited->at(1).timeoutSeconds, 120);
        QCOMPARE(edited->at(1).riskFloor, std::optional(policy::Risk::High));
        QCOMPARE(cellText(table, 1, 6), QStringLiteral("high"));

        table->selectRow(0);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("removeRuleButton")), Qt::LeftButton);
        auto* confirm = waitForDialog<QMessageBox>(QStringLiteral("removeRuleConfirm"));
        QVERIFY(confirm);
        confirm->findChild<QPushButton*>(QStringLiteral("removeRuleConfirmButton"))->click();
        const auto left = m_app->services().policies().rules();
        VERIFY_RESULT(left);
        QCOMPARE(left->size(), 1);
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_added")), 2);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_moved")), 1);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_changed")), 1);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_removed")), 1);
    }

    void theMembersTabInvitesWithALinkShownOnceAndManagesMembers()
    {
        ui::MembersTab tab(m_app->services(), m_app->vault().tlsIdentity(), QStringLiteral("owner"));
        tab.show();
        auto* invite = tab.findChild<QPushButton*>(QStringLiteral("inviteButton"));
        QVERIFY(!invite->isEnabled()); // the link needs the team listener's address

        QSignalSpy restart(&tab, &ui::MembersTab::teamListenerChanged);
        tab.findChild<QLineEdit*>(QStringLiteral("teamAddress"))->setText(QStringLiteral("127.0.0.1"));
        tab.findChild<QSpinBox*>(QStringLiteral("teamPort"))->setValue(7450);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("teamToggleButton")), Qt::LeftButton);
        QCOMPARE(restart.count(), 1);
        QVERIFY(
            tab.findChild<QLabel*>(QStringLiteral("teamStatus"))->text().contains(QStringLiteral("127.0.0.1:7450")));
        QCOMPARE(auditCount(QStringLiteral("team.listener_enabled")), 1);
        QVERIFY(invite->isEnabled());

        QTest::mouseClick(invite, Qt::LeftButton);
        auto* dialog = waitForDialog<QDialog>(QStringLiteral("inviteDialog"));
        QVERIFY(dialog);
        dialog->findChild<QComboBox*>(QStringLiteral("inviteRole"))->setCurrentText(QStringLiteral("approver"));
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("inviteNote")), QStringLiteral("for Grace"));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("inviteConfirmButton")), Qt::LeftButton);
        auto* shown = waitForDialog<QDialog>(QStringLiteral("tokenDialog"));
        QVERIFY(shown);
        const QString linkText = shown->findChild<QLineEdit*>(QStringLiteral("tokenValue"))->text();
        auto link = members::InvitationLink::parse(linkText);
        QVERIFY2(link, qPrintable(linkText));
        QCOMPARE(link->port, quint16{7450});
        const crypto::TlsIdentity* identity = m_app->vault().tlsIdentity();
        QVERIFY(identity);
        const auto fingerprint = crypto::TlsIdentity::fingerprint(identity->certificatePem);
        VERIFY_RESULT(fingerprint);
        QCOMPARE(link->certificateSha256, *fingerprint);
        const QPixmap code = shown->findChild<QLabel*>(QStringLiteral("qrCode"))->pixmap();
        QVERIFY(!code.isNull() && code.width() > 100);
        shown->accept();
        QCOMPARE(auditCount(QStringLiteral("invitation.created")), 1);

        // Redeemed, the member shows up; the owner changes their role, then removes them.
        auto member = m_app->services().invitations().redeem(link->token, QStringLiteral("Grace"),
                                                             crypto::SigningKey::generate().publicKey());
        QVERIFY(member);
        tab.reload();
        auto* members = tab.findChild<QTableView*>(QStringLiteral("membersView"));
        int row = -1;
        for (int i = 0; i < members->model()->rowCount(); ++i) {
            if (cellText(members, i, 0) == u"Grace")
                row = i;
        }
        QVERIFY(row >= 0);
        members->selectRow(row);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("changeRoleButton")), Qt::LeftButton);
        auto* roleDialog = waitForDialog<QDialog>(QStringLiteral("changeRoleDialog"));
        QVERIFY(roleDialog);
        roleDialog->findChild<QComboBox*>(QStringLiteral("roleCombo"))->setCurrentText(QStringLiteral("viewer"));
        QTest::mouseClick(roleDialog->findChild<QPushButton*>(QStringLiteral("changeRoleConfirmButton")),
                          Qt::LeftButton);
        // A member that cannot be read has no role here, and is never taken for removed.
        auto roleOf = [&](const QString& id) -> std::optional<members::Role> {
            const auto found = m_app->services().members().member(id);
            return found ? std::optional(found->role) : std::nullopt;
        };
        auto isActive = [&](const QString& id) {
            const auto found = m_app->services().members().member(id);
            return !found || found->active;
        };
        QTRY_COMPARE(roleOf(member->id), std::optional(members::Role::Viewer));
        members->selectRow(row);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("removeMemberButton")), Qt::LeftButton);
        auto* confirm = waitForDialog<QMessageBox>(QStringLiteral("removeMemberConfirm"));
        QVERIFY(confirm);
        QTest::mouseClick(confirm->findChild<QPushButton*>(QStringLiteral("removeMemberConfirmButton")),
                          Qt::LeftButton);
        QTRY_VERIFY(!isActive(member->id));

        // A second invitation, revoked from the list.
        VERIFY_RESULT(tab.invite(QStringLiteral("viewer"), 1, QString()));
        waitForDialog<QDialog>(QStringLiteral("tokenDialog"))->accept();
        auto* invitations = tab.findChild<QTableView*>(QStringLiteral("invitationsView"));
        int pending = -1;
        for (int i = 0; i < invitations->model()->rowCount(); ++i) {
            if (cellText(invitations, i, 1) == u"pending")
                pending = i;
        }
        QVERIFY(pending >= 0);
        invitations->selectRow(pending);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("revokeInvitationButton")), Qt::LeftButton);
        auto* revokeConfirm = waitForDialog<QMessageBox>(QStringLiteral("revokeInvitationConfirm"));
        QVERIFY(revokeConfirm);
        revokeConfirm->findChild<QPushButton*>(QStringLiteral("revokeInvitationConfirmButton"))->click();
        QTRY_COMPARE(auditCount(QStringLiteral("invitation.revoked")), 1);

        // An approver at this desktop would see the refusal the services give.
        ui::MembersTab approverView(m_app->services(), m_app->vault().tlsIdentity(), QStringLiteral("nobody"));
        QVERIFY(approverView.findChild<QLabel*>(QStringLiteral("membersMessage"))
                    ->text()
                    .contains(QStringLiteral("not an active member")));
    }

    void revokingAnInvitationAsksFirstAsRevokingARuntimeDoes()
    {
        QVERIFY(setTeamListener(true));
        ui::MembersTab tab(m_app->services(), m_app->vault().tlsIdentity(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        VERIFY_RESULT(tab.invite(QStringLiteral("approver"), 3600, QStringLiteral("for Linus")));
        waitForDialog<QDialog>(QStringLiteral("tokenDialog"))->accept();
        auto* invitations = tab.findChild<QTableView*>(QStringLiteral("invitationsView"));
        int row = -1;
        for (int i = 0; i < invitations->model()->rowCount(); ++i) {
            if (cellText(invitations, i, 3) == u"for Linus")
                row = i;
        }
        QVERIFY(row >= 0);
        const QString id = cellText(invitations, row, 4);
        auto stateOf = [&] {
            const auto listed = m_app->services().invitations().list(QStringLiteral("owner"));
            for (const members::Invitation& invitation : *listed) {
                if (invitation.id == id)
                    return members::Invitation::stateName(invitation.state);
            }
            return QString();
        };
        const int revokedBefore = auditCount(QStringLiteral("invitation.revoked"));
        invitations->selectRow(row);
        auto* revoke = tab.findChild<QPushButton*>(QStringLiteral("revokeInvitationButton"));
        QVERIFY(revoke->isEnabled());

        // Asked first, the same way as for a runtime: Cancel is the default, Enter and Cancel keep it.
        QTest::mouseClick(revoke, Qt::LeftButton);
        auto* confirm = waitForDialog<QMessageBox>(QStringLiteral("revokeInvitationConfirm"));
        QVERIFY(confirm);
        QCOMPARE(confirm->defaultButton(), confirm->button(QMessageBox::Cancel));
        QCOMPARE(confirm->icon(), QMessageBox::Warning);
        QVERIFY2(confirm->text().contains(QStringLiteral("for Linus")), qPrintable(confirm->text()));
        QTest::keyClick(confirm, Qt::Key_Return);
        QTRY_VERIFY(!confirm->isVisible());
        QCOMPARE(stateOf(), QStringLiteral("pending"));
        QCOMPARE(auditCount(QStringLiteral("invitation.revoked")), revokedBefore);

        QTest::mouseClick(revoke, Qt::LeftButton);
        confirm = waitForDialog<QMessageBox>(QStringLiteral("revokeInvitationConfirm"));
        QVERIFY(confirm);
        confirm->findChild<QPushButton*>(QStringLiteral("revokeInvitationConfirmButton"))->click();
        QCOMPARE(stateOf(), QStringLiteral("revoked"));
        QCOMPARE(auditCount(QStringLiteral("invitation.revoked")), revokedBefore + 1);
        QVERIFY(!tab.findChild<QLabel*>(QStringLiteral("membersMessage"))->text().contains(id)); // no raw id

        // A runtime's revocation asks alike.
        ui::RuntimesTab runtimes(m_app->services().runtimes(), m_app->events(), QStringLiteral("member:owner"));
        runtimes.show();
        auto* table = runtimes.findChild<QTableView*>(QStringLiteral("runtimesView"));
        table->selectRow(rowWith(table, QStringLiteral("ci")));
        QTest::mouseClick(runtimes.findChild<QPushButton*>(QStringLiteral("revokeRuntimeButton")), Qt::LeftButton);
        auto* runtimeConfirm = waitForDialog<QMessageBox>(QStringLiteral("revokeConfirm"));
        QVERIFY(runtimeConfirm);
        QCOMPARE(runtimeConfirm->defaultButton(), runtimeConfirm->button(QMessageBox::Cancel));
        QCOMPARE(runtimeConfirm->icon(), confirm->icon());
        runtimeConfirm->button(QMessageBox::Cancel)->click();
        bool active = false;
        const auto runtimesNow = m_app->services().runtimes().list();
        for (const approvals::RuntimeInfo& runtime : *runtimesNow)
            active = active || (runtime.name == u"ci" && runtime.revokedAt == 0);
        QVERIFY(active);
    }

    void inviteSaysWhyItIsDisabledAndTheFingerprintIsGrouped()
    {
        QVERIFY(setTeamListener(false));
        ui::MembersTab tab(m_app->services(), m_app->vault().tlsIdentity(), QStringLiteral("owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* invite = tab.findChild<QPushButton*>(QStringLiteral("inviteButton"));
        auto* hint = tab.findChild<QLabel*>(QStringLiteral("inviteHint"));
        QVERIFY(hint);
        QVERIFY(!invite->isEnabled());
        QVERIFY(hint->isVisible()); // seen without hovering, beside the button
        QVERIFY2(hint->text().contains(QStringLiteral("team listener")) &&
                     hint->text().contains(QStringLiteral("Turn")),
                 qPrintable(hint->text()));
        QCOMPARE(invite->toolTip(), hint->text());
        QVERIFY(!tab.findChild<QLabel*>(QStringLiteral("teamFingerprint"))->isVisible());

        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("teamToggleButton")), Qt::LeftButton);
        QVERIFY(invite->isEnabled());
        QVERIFY(!hint->isVisible());
        auto* fingerprint = tab.findChild<QLabel*>(QStringLiteral("teamFingerprint"));
        QVERIFY(fingerprint->isVisible());
        static const QRegularExpression groups(QStringLiteral("^([0-9a-f]{4} ){15}[0-9a-f]{4}$"));
        QVERIFY2(groups.match(fingerprint->text()).hasMatch(), qPrintable(fingerprint->text()));
        QCOMPARE(QString(fingerprint->text()).remove(u' ').toLatin1(),
                 crypto::TlsIdentity::fingerprint(m_app->vault().tlsIdentity()->certificatePem)->toHex());
        QVERIFY(QFontInfo(fingerprint->font()).fixedPitch());
        QVERIFY(fingerprint->textInteractionFlags().testFlag(Qt::TextSelectableByMouse));
        QVERIFY(fingerprint->textInteractionFlags().testFlag(Qt::TextSelectableByKeyboard));
        QVERIFY(!tab.findChild<QLabel*>(QStringLiteral("teamStatus"))
                     ->text()
                     .contains(fingerprint->text().left(4) + fingerprint->text().mid(5, 4)));

        // The invitation's title needs no article, for any role; its expiry is a human duration.
        for (const QString& role : {QStringLiteral("approver"), QStringLiteral("admin"), QStringLiteral("viewer")}) {
            QTest::mouseClick(invite, Qt::LeftButton);
            auto* dialog = waitForDialog<QDialog>(QStringLiteral("inviteDialog"));
            QVERIFY(dialog);
            dialog->findChild<QComboBox*>(QStringLiteral("inviteRole"))->setCurrentText(role);
            auto* expiry = dialog->findChild<ui::DurationEdit*>(QStringLiteral("inviteExpiry"));
            QVERIFY(expiry);
            QCOMPARE(expiry->seconds(), members::InvitationService::DEFAULT_EXPIRY_SECONDS);
            QCOMPARE(expiry->unit(), ui::DurationEdit::Unit::Days); // 72 hours read as 3 days
            QCOMPARE(expiry->text(), QStringLiteral("3 days"));
            // Typed as said: "5 h" is five hours.
            dialog->activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(dialog));
            QTRY_COMPARE(QApplication::activeWindow(), dialog);
            expiry->setFocus();
            QTRY_VERIFY(expiry->hasFocus());
            QTest::keyClick(expiry, Qt::Key_A, Qt::ControlModifier);
            QTest::keyClicks(expiry, QStringLiteral("5 h"));
            QTest::keyClick(expiry, Qt::Key_Tab);
            QCOMPARE(expiry->seconds(), qint64{5} * 3600);
            QCOMPARE(expiry->text(), QStringLiteral("5 hours"));
            const qint64 before = QDateTime::currentMSecsSinceEpoch();
            QSet<QString> earlier;
            const auto listedBefore = m_app->services().invitations().list(QStringLiteral("owner"));
            for (const members::Invitation& invitation : *listedBefore)
                earlier.insert(invitation.id);
            QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("inviteConfirmButton")), Qt::LeftButton);
            auto* shown = waitForDialog<QDialog>(QStringLiteral("tokenDialog"));
            QVERIFY(shown);
            static const QRegularExpression article(QStringLiteral("\\ba [aeiou]"));
            QVERIFY2(!article.match(shown->windowTitle()).hasMatch(), qPrintable(shown->windowTitle()));
            QVERIFY2(shown->windowTitle().contains(role), qPrintable(shown->windowTitle()));
            shown->accept();
            qint64 expiresAt = 0;
            const auto listed = m_app->services().invitations().list(QStringLiteral("owner"));
            for (const members::Invitation& invitation : *listed) {
                if (!earlier.contains(invitation.id))
                    expiresAt = invitation.expiresAt;
            }
            QVERIFY(expiresAt >= before + 5 * 3600 * 1000 && expiresAt < before + 6 * 3600 * 1000);
        }
    }

    void theRuleEditorOffersOnlyTheTimesThatApplyInHumanUnits()
    {
        ui::PoliciesTab tab(m_app->services().policies(), QStringLiteral("member:owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("addRuleButton")), Qt::LeftButton);
        auto* dialog = waitForDialog<QDialog>(QStringLiteral("ruleDialog"));
        QVERIFY(dialog);
        auto* outcome = dialog->findChild<QComboBox*>(QStringLiteral("ruleOutcomeBox"));
        auto* timeout = dialog->findChild<QWidget*>(QStringLiteral("ruleTimeoutBox"));
        auto* validity = dialog->findChild<QWidget*>(QStringLiteral("ruleValidityBox"));
        auto* hint = dialog->findChild<QLabel*>(QStringLiteral("ruleTimingHint"));
        QVERIFY(timeout && validity && hint);
        struct Expected {
            policy::PolicyRule::Outcome outcome;
            bool timeout;
            bool validity;
        };
        for (const Expected& expected : {Expected{policy::PolicyRule::Outcome::Allow, false, true},
                                         Expected{policy::PolicyRule::Outcome::Deny, false, false},
                                         Expected{policy::PolicyRule::Outcome::Require, true, true}}) {
            outcome->setCurrentIndex(outcome->findData(static_cast<int>(expected.outcome)));
            QCOMPARE(timeout->isEnabled(), expected.timeout);
            QCOMPARE(validity->isEnabled(), expected.validity);
            QVERIFY(!hint->text().isEmpty());
        }

        // A duration reads as said: 15 minutes, not 900 seconds.
        auto* timeoutEdit = qobject_cast<ui::DurationEdit*>(timeout);
        QVERIFY(timeoutEdit);
        QCOMPARE(timeoutEdit->seconds(), policy::PolicyRule::DEFAULT_TIMEOUT_SECONDS);
        QCOMPARE(timeoutEdit->unit(), ui::DurationEdit::Unit::Minutes);
        QCOMPARE(timeoutEdit->text(), QStringLiteral("15 minutes"));
        QCOMPARE(qobject_cast<ui::DurationEdit*>(validity)->text(), QStringLiteral("10 minutes"));
        dialog->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(dialog));
        QTRY_COMPARE(QApplication::activeWindow(), dialog);
        QTRY_VERIFY(dialog->isAncestorOf(QApplication::focusWidget()));
        QTest::keyClick(dialog, Qt::Key_T, Qt::AltModifier); // "&Timeout:" lands on it
        QTRY_VERIFY(timeoutEdit->hasFocus());
        // The arrows step in the unit shown and change units at its edges.
        timeoutEdit->setSeconds(59 * 60);
        QCOMPARE(timeoutEdit->text(), QStringLiteral("59 minutes"));
        QTest::keyClick(timeoutEdit, Qt::Key_Up);
        QCOMPARE(timeoutEdit->seconds(), 3600);
        QCOMPARE(timeoutEdit->text(), QStringLiteral("1 hour"));
        QTest::keyClick(timeoutEdit, Qt::Key_Up);
        QCOMPARE(timeoutEdit->text(), QStringLiteral("2 hours"));
        QTest::keyClick(timeoutEdit, Qt::Key_Down);
        QTest::keyClick(timeoutEdit, Qt::Key_Down);
        QCOMPARE(timeoutEdit->text(), QStringLiteral("59 minutes"));
        // Typed: a number and a unit, or a number alone in the unit shown; past the policy's
        // week, refused and put back.
        auto type = [&](const QString& text) {
            QTest::keyClick(timeoutEdit, Qt::Key_A, Qt::ControlModifier);
            QTest::keyClicks(timeoutEdit, text);
            QTest::keyClick(timeoutEdit, Qt::Key_Tab);
            timeoutEdit->setFocus();
        };
        type(QStringLiteral("90 s"));
        QCOMPARE(timeoutEdit->seconds(), 90);
        QCOMPARE(timeoutEdit->text(), QStringLiteral("90 seconds"));
        type(QStringLiteral("3 days"));
        QCOMPARE(timeoutEdit->seconds(), 3 * 86400);
        type(QStringLiteral("30 d"));
        QCOMPARE(timeoutEdit->seconds(), 3 * 86400);
        QCOMPARE(timeoutEdit->text(), QStringLiteral("3 days"));
        timeoutEdit->setSeconds(qint64{policy::PolicyRule::MAX_SECONDS} + 1000);
        QCOMPARE(timeoutEdit->seconds(), policy::PolicyRule::MAX_SECONDS);
        type(QStringLiteral("2 hours"));
        QCOMPARE(timeoutEdit->seconds(), 2 * 3600);
        dialog->findChild<QLineEdit*>(QStringLiteral("ruleGlobEdit"))->setText(QStringLiteral("reports.*"));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("ruleSaveButton")), Qt::LeftButton);
        QTRY_VERIFY(!dialog->isVisible());
        const auto rules = *m_app->services().policies().rules();
        QCOMPARE(rules.last().capabilityGlob, QStringLiteral("reports.*"));
        QCOMPARE(rules.last().timeoutSeconds, 2 * 3600);
        auto* table = tab.findChild<QTableView*>(QStringLiteral("policiesView"));
        QCOMPARE(cellText(table, table->model()->rowCount() - 1, 4), QStringLiteral("2 hours"));
        QCOMPARE(cellText(table, table->model()->rowCount() - 1, 5), QStringLiteral("10 minutes"));
        QVERIFY(
            m_app->services().policies().remove(static_cast<int>(rules.size()) - 1, QStringLiteral("member:owner")));
    }

    void aCopiedSecretLeavesTheClipboardUnlessReplaced()
    {
        QClipboard* clipboard = QGuiApplication::clipboard();
        // The runtime token's dialog says when the copy goes, next to the copy button.
        {
            ui::TokenDialog dialog(QStringLiteral("nightly"), QStringLiteral("cs_rt_not_a_real_token"));
            dialog.show();
            auto* copied = dialog.findChild<QLabel*>(QStringLiteral("copiedLabel"));
            QVERIFY2(copied->text().contains(QStringLiteral("60 seconds")), qPrintable(copied->text()));
            QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("copyTokenButton")), Qt::LeftButton);
            QCOMPARE(clipboard->text(), QStringLiteral("cs_rt_not_a_real_token"));
            QVERIFY2(copied->text().contains(QStringLiteral("cleared in 60 seconds")), qPrintable(copied->text()));
        }
        auto shownWith = [](const QString& value) {
            return ui::TokenDialog::Shown{QStringLiteral("Token"),         QString(), value,
                                          QStringLiteral("Runtime token"), QString(), false,
                                          std::chrono::milliseconds(1500)};
        };
        // Still on the clipboard when the time is up: cleared, even with the dialog gone.
        auto* dialog = new ui::TokenDialog(shownWith(QStringLiteral("cs_rt_first")));
        dialog->show();
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("copyTokenButton")), Qt::LeftButton);
        QCOMPARE(clipboard->text(), QStringLiteral("cs_rt_first"));
        delete dialog;
        QTRY_VERIFY_WITH_TIMEOUT(clipboard->text().isEmpty(), 20000);

        // Replaced by something the person copied since: left alone.
        ui::TokenDialog second(shownWith(QStringLiteral("cs_rt_second")));
        second.show();
        QTest::mouseClick(second.findChild<QPushButton*>(QStringLiteral("copyTokenButton")), Qt::LeftButton);
        QCOMPARE(clipboard->text(), QStringLiteral("cs_rt_second"));
        clipboard->setText(QStringLiteral("a note of my own"));
        QTest::qWait(4000);
        QCOMPARE(clipboard->text(), QStringLiteral("a note of my own"));
    }

    void emptyTablesSayWhatTheyAreForAndHowToStart()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.filePath(QStringLiteral("empty")));
        QVERIFY(vault);
        approvals::RequestEvents events;
        auto services = application::openServices(*vault, events, QStringLiteral("empty"));
        QVERIFY(services);

        ui::RuntimesTab runtimes((*services)->runtimes(), events, QStringLiteral("member:owner"));
        runtimes.show();
        QVERIFY(QTest::qWaitForWindowExposed(&runtimes));
        auto* noRuntimes = runtimes.findChild<QLabel*>(QStringLiteral("runtimesEmptyState"));
        QVERIFY(noRuntimes);
        QVERIFY(noRuntimes->isVisible());
        QVERIFY2(noRuntimes->text().contains(QStringLiteral("Register runtime")), qPrintable(noRuntimes->text()));
        QVERIFY(noRuntimes->text().contains(QStringLiteral("token")));
        VERIFY_RESULT(runtimes.registerRuntime(QStringLiteral("first"), {QStringLiteral("deploy.*")}));
        waitForDialog<QDialog>(QStringLiteral("tokenDialog"))->accept();
        QVERIFY(!noRuntimes->isVisible());

        ui::PoliciesTab policies((*services)->policies(), QStringLiteral("member:owner"));
        policies.show();
        QVERIFY(QTest::qWaitForWindowExposed(&policies));
        auto* noRules = policies.findChild<QLabel*>(QStringLiteral("policiesEmptyState"));
        QVERIFY(noRules);
        QVERIFY(noRules->isVisible());
        QVERIFY2(noRules->text().contains(QStringLiteral("Add rule")) &&
                     noRules->text().contains(QStringLiteral("one approval and waits 15 minutes")),
                 qPrintable(noRules->text()));
        policy::PolicyRule rule;
        rule.capabilityGlob = QStringLiteral("docs.*");
        rule.outcome = policy::PolicyRule::Outcome::Allow;
        VERIFY_RESULT(policies.save(rule));
        QVERIFY(!noRules->isVisible());
        QVERIFY((*services)->policies().remove(0, QStringLiteral("member:owner")));
        policies.reload();
        QVERIFY(noRules->isVisible()); // the last rule gone, the words are back
    }
};

QTEST_MAIN(TestAdminTabs)
#include "tst_admintabs.moc"
