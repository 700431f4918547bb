#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "historymodel.h"
#include "historytab.h"
#include "members/invitationlink.h"
#include "members/invitationservice.h"
#include "members/memberservice.h"
#include "memberstab.h"
#include "policiestab.h"
#include "policy/policystore.h"
#include "runtimestab.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
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
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

class TestAdminTabs final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    std::unique_ptr<vault::Vault> m_vault;
    approvals::RequestEvents m_events;
    std::unique_ptr<approvals::Services> m_services;
    approvals::RuntimeIdentity m_runtime;

    int auditCount(const QString& action)
    {
        QSqlQuery query(m_services->database());
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
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vault = test::createVault(m_dir->filePath(QStringLiteral("vault")));
        QVERIFY(m_vault);
        m_services = test::openServices(*m_vault, m_events, QStringLiteral("gui"));
        QVERIFY(m_services);
        m_runtime = test::registerRuntime(*m_services, QStringLiteral("ci"), {QStringLiteral("deploy.*")});
        QVERIFY(m_runtime.id != 0);
    }

    void cleanup()
    {
        m_services.reset();
        m_vault.reset();
        m_dir.reset();
    }

    void historyIsSearchableWithWhoWhenAndWhy()
    {
        approvals::RequestService& requests = m_services->requests();
        const QString approved =
            test::createRequest(requests, m_runtime, QStringLiteral("Ship web 3.1"), QStringLiteral("low"));
        const QString denied =
            test::createRequest(requests, m_runtime, QStringLiteral("Drop old tables"), QStringLiteral("high"));
        const QString cancelled =
            test::createRequest(requests, m_runtime, QStringLiteral("Nightly backup"), QStringLiteral("low"));
        const QString pending =
            test::createRequest(requests, m_runtime, QStringLiteral("Still waiting"), QStringLiteral("low"));
        ui::HistoryTab tab(requests, m_events, QStringLiteral("owner"));
        QAbstractItemModelTester tester(tab.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QCOMPARE(tab.model()->rowCount(), 0);

        QVERIFY(requests.approve(QStringLiteral("owner"), approved, QStringLiteral("release train")));
        QVERIFY(requests.deny(QStringLiteral("owner"), denied, QStringLiteral("not during the freeze")));
        QVERIFY(requests.cancelRequest(m_runtime, cancelled));
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
        QVERIFY(requests.cancelRequest(m_runtime, pending));
    }

    void historySaysAnUnusedApprovalRanOutNewestFirstSortableWithRisk()
    {
        approvals::RequestService& requests = m_services->requests();
        const QString unused =
            test::createRequest(requests, m_runtime, QStringLiteral("Rotate keys"), QStringLiteral("low"));
        QVERIFY(requests.approve(QStringLiteral("owner"), unused, QStringLiteral("fine")));
        QSqlQuery lapse(m_services->database()); // the approval's validity runs out unused
        lapse.prepare(QStringLiteral("UPDATE requests SET approval_expires_at = 1 WHERE id = ?"));
        lapse.addBindValue(unused);
        QVERIFY(lapse.exec());
        QVERIFY(requests.expireDue());
        QCOMPARE(test::stored(requests, unused).state, approvals::RequestState::Expired);
        QTest::qWait(20); // a later time of its own for the next outcome
        const QString later =
            test::createRequest(requests, m_runtime, QStringLiteral("Drop a table"), QStringLiteral("critical"));
        QVERIFY(requests.deny(QStringLiteral("owner"), later, QStringLiteral("no")));

        ui::HistoryTab tab(requests, m_events, QStringLiteral("owner"));
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
        ui::RuntimesTab tab(m_services->runtimes(), m_events, QStringLiteral("member:owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* table = tab.findChild<QTableWidget*>(QStringLiteral("runtimesView"));
        const int before = table->rowCount();

        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("registerRuntimeButton")), Qt::LeftButton);
        auto* dialog = waitForDialog<QDialog>(QStringLiteral("registerRuntimeDialog"));
        QVERIFY(dialog);
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("runtimeNameEdit")), QStringLiteral("nightly"));
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("runtimeGlobsEdit")),
                         QStringLiteral("bad glob!"));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("registerConfirmButton")), Qt::LeftButton);
        QVERIFY(dialog->isVisible()); // refused with a message, nothing registered
        QVERIFY(!dialog->findChild<QLabel*>(QStringLiteral("registerError"))->text().isEmpty());
        QCOMPARE(table->rowCount(), before);
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
        QCOMPARE(table->rowCount(), before + 1);
        auto identity = m_services->runtimes().authenticate(token.toLatin1());
        QVERIFY(identity);
        QCOMPARE(identity->name, QStringLiteral("nightly"));
        QCOMPARE(auditCount(QStringLiteral("runtime.registered")), 2);

        // Revoke: a confirmation first; Cancel keeps it.
        const int row = static_cast<int>(table->findItems(QStringLiteral("nightly"), Qt::MatchExactly).first()->row());
        table->selectRow(row);
        auto* revoke = tab.findChild<QPushButton*>(QStringLiteral("revokeRuntimeButton"));
        QVERIFY(revoke->isEnabled());
        QTest::mouseClick(revoke, Qt::LeftButton);
        auto* confirm = waitForDialog<QMessageBox>(QStringLiteral("revokeConfirm"));
        QVERIFY(confirm);
        confirm->button(QMessageBox::Cancel)->click();
        QVERIFY(m_services->runtimes().authenticate(token.toLatin1()));
        QTest::mouseClick(revoke, Qt::LeftButton);
        confirm = waitForDialog<QMessageBox>(QStringLiteral("revokeConfirm"));
        QVERIFY(confirm);
        confirm->findChild<QPushButton*>(QStringLiteral("revokeConfirmButton"))->click();
        QTRY_VERIFY(table->item(row, 5)->text().startsWith(QStringLiteral("revoked")));
        QCOMPARE(m_services->runtimes().authenticate(token.toLatin1()).error().code, ErrorCode::Unauthenticated);
        QCOMPARE(auditCount(QStringLiteral("runtime.revoked")), 1);
    }

    void runtimesShowLastSeenAndRequestCounts()
    {
        for (const QString& summary : {QStringLiteral("first"), QStringLiteral("second")})
            QVERIFY(!test::createRequest(m_services->requests(), m_runtime, summary, QStringLiteral("low")).isEmpty());
        ui::RuntimesTab tab(m_services->runtimes(), m_events, QStringLiteral("member:owner"));
        auto* table = tab.findChild<QTableWidget*>(QStringLiteral("runtimesView"));
        const int row = static_cast<int>(table->findItems(QStringLiteral("ci"), Qt::MatchExactly).first()->row());
        const int count = table->item(row, 4)->text().toInt();
        QCOMPARE(count, 2);
        QVERIFY(table->item(row, 3)->text() != QStringLiteral("never"));
        const QString id =
            test::createRequest(m_services->requests(), m_runtime, QStringLiteral("one more"), QStringLiteral("low"));
        QTRY_COMPARE_WITH_TIMEOUT(table->item(row, 4)->text().toInt(), count + 1, 10000);
        QVERIFY(m_services->requests().cancelRequest(m_runtime, id));
    }

    void policiesAreEditedValidatedAndReordered()
    {
        ui::PoliciesTab tab(m_services->policies(), QStringLiteral("member:owner"));
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        auto* table = tab.findChild<QTableWidget*>(QStringLiteral("policiesView"));
        QCOMPARE(table->rowCount(), 0);
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
        QCOMPARE(table->rowCount(), 0);
        QCOMPARE(addRule(QStringLiteral("deploy.*"), 0, 2), QString());
        QCOMPARE(addRule(QStringLiteral("docs.**"), 1, 1), QString());
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("docs.**"));
        QVERIFY(table->item(0, 3)->text().contains(QStringLiteral("2 approval")));

        table->selectRow(1);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("moveRuleUpButton")), Qt::LeftButton);
        const auto moved = m_services->policies().rules();
        VERIFY_RESULT(moved);
        QCOMPARE(moved->size(), 2);
        QCOMPARE(moved->first().capabilityGlob, QStringLiteral("docs.**"));
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("docs.**"));

        // Edit through the dialog.
        table->selectRow(1);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("editRuleButton")), Qt::LeftButton);
        auto* dialog = waitForDialog<QDialog>(QStringLiteral("ruleDialog"));
        QVERIFY(dialog);
        QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("ruleGlobEdit"))->text(), QStringLiteral("deploy.*"));
        dialog->findChild<QSpinBox*>(QStringLiteral("ruleTimeoutBox"))->setValue(120);
        auto* floorBox = dialog->findChild<QComboBox*>(QStringLiteral("ruleFloorBox"));
        QVERIFY(floorBox);
        floorBox->setCurrentIndex(floorBox->findData(static_cast<int>(policy::Risk::High)));
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("ruleSaveButton")), Qt::LeftButton);
        const auto edited = m_services->policies().rules();
        VERIFY_RESULT(edited);
        QCOMPARE(edited->size(), 2);
        QCOMPARE(edited->at(1).timeoutSeconds, 120);
        QCOMPARE(edited->at(1).riskFloor, std::optional(policy::Risk::High));
        QCOMPARE(table->item(1, 6)->text(), QStringLiteral("high"));

        table->selectRow(0);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("removeRuleButton")), Qt::LeftButton);
        auto* confirm = waitForDialog<QMessageBox>(QStringLiteral("removeRuleConfirm"));
        QVERIFY(confirm);
        confirm->findChild<QPushButton*>(QStringLiteral("removeRuleConfirmButton"))->click();
        const auto left = m_services->policies().rules();
        VERIFY_RESULT(left);
        QCOMPARE(left->size(), 1);
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_added")), 2);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_moved")), 1);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_changed")), 1);
        QCOMPARE(auditCount(QStringLiteral("policy.rule_removed")), 1);
    }

    void theMembersTabInvitesWithALinkShownOnceAndManagesMembers()
    {
        ui::MembersTab tab(*m_services, m_vault->tlsIdentity(), QStringLiteral("owner"));
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
        const crypto::TlsIdentity* identity = m_vault->tlsIdentity();
        QVERIFY(identity);
        const auto fingerprint = crypto::TlsIdentity::fingerprint(identity->certificatePem);
        VERIFY_RESULT(fingerprint);
        QCOMPARE(link->certificateSha256, *fingerprint);
        const QPixmap code = shown->findChild<QLabel*>(QStringLiteral("qrCode"))->pixmap();
        QVERIFY(!code.isNull() && code.width() > 100);
        shown->accept();
        QCOMPARE(auditCount(QStringLiteral("invitation.created")), 1);

        // Redeemed, the member shows up; the owner changes their role, then removes them.
        auto member = m_services->invitations().redeem(link->token, QStringLiteral("Grace"),
                                                       crypto::SigningKey::generate().publicKey());
        QVERIFY(member);
        tab.reload();
        auto* members = tab.findChild<QTableWidget*>(QStringLiteral("membersView"));
        int row = -1;
        for (int i = 0; i < members->rowCount(); ++i) {
            if (members->item(i, 0)->text() == u"Grace")
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
            const auto found = m_services->members().member(id);
            return found ? std::optional(found->role) : std::nullopt;
        };
        auto isActive = [&](const QString& id) {
            const auto found = m_services->members().member(id);
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
        QVERIFY(tab.invite(QStringLiteral("viewer"), 1, QString()).isEmpty());
        waitForDialog<QDialog>(QStringLiteral("tokenDialog"))->accept();
        auto* invitations = tab.findChild<QTableWidget*>(QStringLiteral("invitationsView"));
        int pending = -1;
        for (int i = 0; i < invitations->rowCount(); ++i) {
            if (invitations->item(i, 1)->text() == u"pending")
                pending = i;
        }
        QVERIFY(pending >= 0);
        invitations->selectRow(pending);
        QTest::mouseClick(tab.findChild<QPushButton*>(QStringLiteral("revokeInvitationButton")), Qt::LeftButton);
        QCOMPARE(auditCount(QStringLiteral("invitation.revoked")), 1);

        // An approver at this desktop would see the refusal the services give.
        ui::MembersTab approverView(*m_services, m_vault->tlsIdentity(), QStringLiteral("nobody"));
        QVERIFY(approverView.findChild<QLabel*>(QStringLiteral("membersMessage"))
                    ->text()
                    .contains(QStringLiteral("not an active member")));
    }
};

QTEST_MAIN(TestAdminTabs)
#include "tst_admintabs.moc"
