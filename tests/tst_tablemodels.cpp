#include "admin/policiesmodel.h"
#include "admin/policiestab.h"
#include "admin/runtimesmodel.h"
#include "admin/runtimestab.h"
#include "appfixture.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "audit/auditlogmodel.h"
#include "audit/audittab.h"
#include "crypto/signingkey.h"
#include "history/historymodel.h"
#include "history/historytab.h"
#include "members/invitationservice.h"
#include "members/memberservice.h"
#include "policy/policystore.h"
#include "queue/queuetab.h"
#include "queue/requestqueuemodel.h"
#include "team/invitationsmodel.h"
#include "team/membersmodel.h"
#include "team/memberstab.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString OWNER = QStringLiteral("member:owner");

int rowOfKey(const QAbstractItemModel* model, int role, const QVariant& key)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(role) == key)
            return row;
    }
    return -1;
}

approvals::RuntimeInfo runtimeNamed(const QString& name, qint64 requests = 0)
{
    approvals::RuntimeInfo runtime;
    runtime.name = name;
    runtime.allowedCapabilities = {QStringLiteral("deploy.*")};
    runtime.createdAt = 1;
    runtime.requestCount = requests;
    return runtime;
}

} // namespace

/// Every table of the window runs under QAbstractItemModelTester while its rows come, go and
/// move as they do in use; the state a tab acts on is read from typed roles.
class TestTableModels final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::AppFixture> m_app; // one per test function

private Q_SLOTS:
    void init()
    {
        m_app = std::make_unique<test::AppFixture>();
        QVERIFY(m_app->open());
    }

    void cleanup() { m_app.reset(); }

    // The rows of a keyed table follow their records: removed, inserted and reordered rows are
    // told as such, so a view's selection stays on its record, and repeated keys reset cleanly.
    void keyedRowsFollowRemovalsInsertionsAndMoves()
    {
        ui::RuntimesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTableView view;
        view.setModel(&model);
        model.setRuntimes(
            {runtimeNamed(QStringLiteral("a")), runtimeNamed(QStringLiteral("b")), runtimeNamed(QStringLiteral("c"))});
        QCOMPARE(model.rowCount(), 3);
        view.selectRow(1); // b
        const QPersistentModelIndex b = model.index(1, ui::RuntimesModel::Requests);

        // a leaves, d arrives, b's count changes: b is row 0 and the selection still on it.
        model.setRuntimes({runtimeNamed(QStringLiteral("b"), 7), runtimeNamed(QStringLiteral("c")),
                           runtimeNamed(QStringLiteral("d"))});
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(b.isValid());
        QCOMPARE(b.row(), 0);
        QCOMPARE(b.data(ui::RuntimesModel::RequestCountRole).toLongLong(), 7);
        QCOMPARE(view.currentIndex().data(ui::RuntimesModel::NameRole).toString(), QStringLiteral("b"));

        // Reversed: a layout change moves b to the end, with its selection.
        model.setRuntimes(
            {runtimeNamed(QStringLiteral("d")), runtimeNamed(QStringLiteral("c")), runtimeNamed(QStringLiteral("b"))});
        QCOMPARE(b.row(), 2);
        QCOMPARE(view.currentIndex().data(ui::RuntimesModel::NameRole).toString(), QStringLiteral("b"));
        QCOMPARE(view.selectionModel()->selectedRows().size(), 1);
        QCOMPARE(view.selectionModel()->selectedRows().first().row(), 2);

        // Repeated keys cannot be followed; the model starts afresh rather than mix rows up.
        model.setRuntimes({runtimeNamed(QStringLiteral("x")), runtimeNamed(QStringLiteral("x"))});
        QCOMPARE(model.rowCount(), 2);
        model.setRuntimes({});
        QCOMPARE(model.rowCount(), 0);
    }

    void runtimesModelFollowsRegistrationsRevocationsAndTraffic()
    {
        ui::RuntimesTab tab(m_app->services().runtimes(), m_app->events(), OWNER);
        auto* view = tab.findChild<QTableView*>(QStringLiteral("runtimesView"));
        QVERIFY(view);
        QVERIFY(qobject_cast<ui::RuntimesModel*>(view->model()));
        QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(view->model()->rowCount(), 1);

        for (const QString& name : {QStringLiteral("nightly"), QStringLiteral("deployer")})
            VERIFY_RESULT(m_app->services().runtimes().registerRuntime(name, {QStringLiteral("backup.*")}, OWNER));
        tab.reload();
        QCOMPARE(view->model()->rowCount(), 3);
        const int nightly = rowOfKey(view->model(), ui::RuntimesModel::NameRole, QStringLiteral("nightly"));
        QVERIFY(nightly >= 0);
        view->selectRow(nightly);
        auto* revoke = tab.findChild<QPushButton*>(QStringLiteral("revokeRuntimeButton"));
        QVERIFY(revoke->isEnabled());

        // Revoked elsewhere (the CLI): the row says so by value and the button follows it.
        VERIFY_RESULT(m_app->services().runtimes().revoke(QStringLiteral("nightly"), OWNER));
        tab.reload();
        const QModelIndex current = view->currentIndex();
        QCOMPARE(current.data(ui::RuntimesModel::NameRole).toString(), QStringLiteral("nightly"));
        QCOMPARE(current.data(ui::RuntimesModel::ActiveRole).toBool(), false);
        QVERIFY(current.data(ui::RuntimesModel::RevokedAtRole).toLongLong() > 0);
        QVERIFY(!revoke->isEnabled());

        // Traffic: the count is a number, refreshed live.
        QVERIFY(!test::createRequest(m_app->services().requests(), m_app->runtime(), QStringLiteral("one"),
                                     QStringLiteral("low"))
                     .isEmpty());
        const int ci = rowOfKey(view->model(), ui::RuntimesModel::NameRole, QStringLiteral("ci"));
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->index(ci, 0).data(ui::RuntimesModel::RequestCountRole).toLongLong(), 1,
                                  10000);
    }

    void policiesModelFollowsAddsMovesAndRemovals()
    {
        ui::PoliciesTab tab(m_app->services().policies(), OWNER);
        auto* view = tab.findChild<QTableView*>(QStringLiteral("policiesView"));
        QVERIFY(view);
        QVERIFY(qobject_cast<ui::PoliciesModel*>(view->model()));
        QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<qint64> ids;
        for (const auto& [glob, outcome] : {std::pair{QStringLiteral("deploy.*"), policy::PolicyRule::Outcome::Require},
                                            std::pair{QStringLiteral("docs.**"), policy::PolicyRule::Outcome::Allow},
                                            std::pair{QStringLiteral("db.drop"), policy::PolicyRule::Outcome::Deny}}) {
            policy::PolicyRule rule;
            rule.capabilityGlob = glob;
            rule.outcome = outcome;
            auto id = m_app->services().policies().add(rule, OWNER);
            VERIFY_RESULT(id);
            ids.append(*id);
            tab.reload();
        }
        QCOMPARE(view->model()->rowCount(), 3);
        QCOMPARE(view->model()->index(2, 0).data(ui::PoliciesModel::OutcomeRole).toInt(),
                 static_cast<int>(policy::PolicyRule::Outcome::Deny));

        // The last rule moved to the top: its row and the selection on it move, the positions
        // are renumbered.
        view->selectRow(2);
        VERIFY_RESULT(m_app->services().policies().move(2, 0, OWNER));
        tab.reload();
        QCOMPARE(view->currentIndex().row(), 0);
        QCOMPARE(view->currentIndex().data(ui::PoliciesModel::RuleIdRole).toLongLong(), ids.at(2));
        QCOMPARE(view->model()->index(1, ui::PoliciesModel::Position).data().toString(), QStringLiteral("2"));
        QCOMPARE(view->model()->index(1, 0).data(ui::PoliciesModel::RuleIdRole).toLongLong(), ids.at(0));

        // The middle one removed: one row goes, the rest keep their records.
        VERIFY_RESULT(m_app->services().policies().remove(1, OWNER));
        tab.reload();
        QCOMPARE(view->model()->rowCount(), 2);
        QCOMPARE(view->model()->index(0, 0).data(ui::PoliciesModel::RuleIdRole).toLongLong(), ids.at(2));
        QCOMPARE(view->model()->index(1, 0).data(ui::PoliciesModel::RuleIdRole).toLongLong(), ids.at(1));
        QCOMPARE(view->currentIndex().data(ui::PoliciesModel::RuleIdRole).toLongLong(), ids.at(2));
    }

    void membersAndInvitationsModelsFollowTheTeam()
    {
        ui::MembersTab tab(m_app->services(), m_app->vault().tlsIdentity(), QStringLiteral("owner"));
        auto* members = tab.findChild<QTableView*>(QStringLiteral("membersView"));
        auto* invitations = tab.findChild<QTableView*>(QStringLiteral("invitationsView"));
        QVERIFY(members && invitations);
        QVERIFY(qobject_cast<ui::MembersModel*>(members->model()));
        QVERIFY(qobject_cast<ui::InvitationsModel*>(invitations->model()));
        QAbstractItemModelTester memberTester(members->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester invitationTester(invitations->model(),
                                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int before = members->model()->rowCount();

        auto first = m_app->services().invitations().create(QStringLiteral("owner"), members::Role::Approver, 3600,
                                                            QStringLiteral("for Grace"));
        VERIFY_RESULT(first);
        auto second = m_app->services().invitations().create(QStringLiteral("owner"), members::Role::Viewer, 3600,
                                                             QStringLiteral("for Linus"));
        VERIFY_RESULT(second);
        tab.reload();
        QCOMPARE(invitations->model()->rowCount(), 2);
        const int linus = rowOfKey(invitations->model(), ui::InvitationsModel::IdRole, second->invitation.id);
        QVERIFY(linus >= 0);
        invitations->selectRow(linus);
        auto* revoke = tab.findChild<QPushButton*>(QStringLiteral("revokeInvitationButton"));
        QVERIFY(revoke->isEnabled());
        VERIFY_RESULT(m_app->services().invitations().revoke(QStringLiteral("owner"), second->invitation.id));
        tab.reload();
        QCOMPARE(invitations->currentIndex().data(ui::InvitationsModel::IdRole).toString(), second->invitation.id);
        QCOMPARE(invitations->currentIndex().data(ui::InvitationsModel::StateRole).toInt(),
                 static_cast<int>(members::Invitation::State::Revoked));
        QVERIFY(!revoke->isEnabled());

        auto grace = m_app->services().invitations().redeem(first->token, QStringLiteral("Grace"),
                                                            crypto::SigningKey::generate().publicKey());
        VERIFY_RESULT(grace);
        tab.reload();
        QCOMPARE(members->model()->rowCount(), before + 1);
        const int row = rowOfKey(members->model(), ui::MembersModel::IdRole, grace->id);
        QVERIFY(row >= 0);
        QCOMPARE(members->model()->index(row, 0).data(ui::MembersModel::MemberRoleRole).toInt(),
                 static_cast<int>(members::Role::Approver));
        members->selectRow(row);
        auto* remove = tab.findChild<QPushButton*>(QStringLiteral("removeMemberButton"));
        QVERIFY(remove->isEnabled());
        VERIFY_RESULT(m_app->services().members().remove(QStringLiteral("owner"), grace->id));
        tab.reload();
        QCOMPARE(members->currentIndex().data(ui::MembersModel::IdRole).toString(), grace->id);
        QCOMPARE(members->currentIndex().data(ui::MembersModel::ActiveRole).toBool(), false);
        QVERIFY(!remove->isEnabled());
    }

    // The queue, history and audit models, under the tester while requests arrive, are decided
    // and leave the queue.
    void queueHistoryAndAuditModelsFollowDecisions()
    {
        approvals::RequestService& requests = m_app->services().requests();
        ui::QueueTab queue(requests, m_app->events(), QStringLiteral("owner"));
        ui::HistoryTab history(requests, m_app->events(), QStringLiteral("owner"));
        ui::AuditTab audit(m_app->vault());
        QAbstractItemModelTester queueTester(queue.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester historyTester(history.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester auditTester(audit.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int entries = audit.model()->rowCount();

        QStringList ids;
        for (int i = 0; i < 4; ++i) {
            ids.append(test::createRequest(requests, m_app->runtime(), QStringLiteral("job %1").arg(i),
                                           QStringLiteral("low")));
            QVERIFY(!ids.last().isEmpty());
        }
        QTRY_COMPARE(queue.model()->rowCount(), 4);
        VERIFY_RESULT(requests.approve(QStringLiteral("owner"), ids.at(1), QStringLiteral("fine")));
        VERIFY_RESULT(requests.deny(QStringLiteral("owner"), ids.at(2), QStringLiteral("no")));
        QTRY_COMPARE(queue.model()->rowCount(), 2);
        QTRY_COMPARE(history.model()->rowCount(), 2);
        // The window's audit watcher tells the tab how far the chain now reaches.
        const auto head = m_app->vault().audit().count();
        VERIFY_RESULT(head);
        audit.follow(*head);
        QTRY_VERIFY(audit.model()->rowCount() >= entries + 6);
    }
};

QTEST_MAIN(TestTableModels)
#include "tst_tablemodels.moc"
