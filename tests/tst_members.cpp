// Members, roles and invitations through the real services on a real vault and a real team database: the permission
// table walked cell by cell, the rules beyond it, the invitation lifecycle (with a concurrent
// redeem), and signed decisions down to the runtime's receipt.
#include "approvals/decisionstatement.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "approvals/teamservice.h"
#include "audit/auditlog.h"
#include "crypto/signingkey.h"
#include "evidence/checkpoint.h"
#include "evidence/receipt.h"
#include "members/invitationlink.h"
#include "members/invitationservice.h"
#include "members/memberkeyfile.h"
#include "members/memberservice.h"
#include "members/sessionservice.h"
#include "members/teamlistenersettings.h"
#include "policy/policystore.h"
#include "servicebackend.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace countersign;

namespace {
const QString GRACE_PASSPHRASE = QStringLiteral("grace's lantern orbits 1906 quietly");
} // namespace
using members::Permission;
using members::Role;

namespace {

const QString OWNER = QStringLiteral("owner");

/// The actions of the last \a count audit entries, oldest first.
QStringList lastActions(audit::AuditLog& log, int count)
{
    // An unreadable log reads as empty, which no caller expects: its comparison fails.
    const qint64 total = log.count().value_or(0);
    QStringList actions;
    const auto entries = log.entries(std::max<qint64>(1, total - count + 1), count);
    for (const audit::AuditEntry& entry : entries.value_or(QList<audit::AuditEntry>()))
        actions.append(entry.action);
    return actions;
}

} // namespace

class TestMembers final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::ServicesFixture> m_app; // one per test function
    int m_counter = 0;

    QString unique(const QString& prefix) { return prefix + QString::number(++m_counter); }

    QString newRequest()
    {
        return test::createRequest(m_app->services().requests(), m_app->runtime(), unique(QStringLiteral("deploy ")),
                                   QStringLiteral("low"), QJsonObject{{QStringLiteral("n"), m_counter}});
    }

    /// Performs what \a permission stands for as member \a memberId, on fresh targets made by
    /// the owner; returns what the service said.
    Result<void> attempt(Permission permission, const QString& memberId)
    {
        auto toVoid = [](const auto& result) -> Result<void> {
            if (!result)
                return std::unexpected(result.error());
            return {};
        };
        const QString actor = QStringLiteral("member:") + memberId;
        switch (permission) {
        case Permission::ViewQueue:
            return toVoid(m_app->services().requests().queue(memberId));
        case Permission::Decide:
            return toVoid(m_app->services().requests().approve(memberId, newRequest(), QStringLiteral("fine")));
        case Permission::RevealPayload:
            return toVoid(m_app->services().requests().reveal(memberId, newRequest()));
        case Permission::ExtendRequest:
            return toVoid(m_app->services().requests().extend(memberId, newRequest(), 60));
        case Permission::ViewMembers:
            return toVoid(m_app->services().members().list(memberId));
        case Permission::Invite:
            return toVoid(m_app->services().invitations().create(memberId, Role::Approver));
        case Permission::RevokeInvitation: {
            auto invitation = m_app->services().invitations().create(OWNER, Role::Approver);
            return toVoid(m_app->services().invitations().revoke(memberId, invitation->invitation.id));
        }
        case Permission::ChangeRole: {
            const QString target = unique(QStringLiteral("target"));
            (void)test::addMember(m_app->services(), target, target, QStringLiteral("approver"));
            return toVoid(m_app->services().members().changeRole(memberId, target, Role::Viewer));
        }
        case Permission::RemoveMember: {
            const QString target = unique(QStringLiteral("target"));
            (void)test::addMember(m_app->services(), target, target, QStringLiteral("approver"));
            return toVoid(m_app->services().members().remove(memberId, target));
        }
        case Permission::RegisterRuntime:
            return toVoid(m_app->services().runtimes().registerRuntime(unique(QStringLiteral("rt")),
                                                                       {QStringLiteral("x.*")}, actor));
        case Permission::RevokeRuntime: {
            const QString name = unique(QStringLiteral("rt"));
            (void)m_app->services().runtimes().registerRuntime(name, {QStringLiteral("x.*")},
                                                               QStringLiteral("member:owner"));
            return m_app->services().runtimes().revoke(name, actor);
        }
        case Permission::EditPolicy: {
            policy::PolicyRule rule;
            rule.capabilityGlob = unique(QStringLiteral("walk.")) + QStringLiteral(".*");
            return toVoid(m_app->services().policies().add(rule, actor));
        }
        case Permission::ViewAudit:
        case Permission::ExportAudit:
        case Permission::ChangePassphrase:
        case Permission::ManageTeamListener:
            // No service of their own yet beyond the check the window, CLI and routes make.
            return toVoid(m_app->services().members().authorize(memberId, permission));
        }
        return fail(ErrorCode::InvalidArgument, QStringLiteral("unknown permission"));
    }

private Q_SLOTS:
    // Every test function runs on a vault and on a team database, the same assertions on each.
    void initTestCase_data() { test::ServiceBackend::addRows(); }

    // Each test function gets a database and what runs on it of its own, so each passes when
    // run alone.
    void init()
    {
        m_app = std::make_unique<test::ServicesFixture>();
        QVERIFY(m_app->open());
        for (Role role : members::allRoles()) {
            const QString id = QStringLiteral("walk-") + members::roleName(role);
            QVERIFY(test::addMember(m_app->services(), id, id, members::roleName(role)));
        }
    }

    void cleanup() { m_app.reset(); }

    void theDocsShowTheSameTable()
    {
        QFile docs(QDir::cleanPath(QStringLiteral(COUNTERSIGN_TEST_DATA_DIR "/../../docs/permissions.md")));
        QVERIFY(docs.open(QIODevice::ReadOnly));
        const QRegularExpression row(
            QStringLiteral(R"(^\| (\w+) \| (yes|no) \| (yes|no) \| (yes|no) \| (yes|no) \|$)"));
        int rows = 0;
        for (const QByteArray& line : docs.readAll().split('\n')) {
            const auto match = row.match(QString::fromUtf8(line));
            if (!match.hasMatch())
                continue;
            ++rows;
            const QString name = match.captured(1);
            std::optional<Permission> permission;
            for (Permission candidate : members::allPermissions()) {
                if (members::permissionName(candidate) == name)
                    permission = candidate;
            }
            QVERIFY2(permission, qPrintable(name));
            const QList<Role> roles = members::allRoles();
            for (qsizetype i = 0; i < roles.size(); ++i)
                QVERIFY2(members::isAllowed(roles.at(i), *permission) == (match.captured(i + 2) == u"yes"),
                         qPrintable(name + u' ' + members::roleName(roles.at(i))));
        }
        QCOMPARE(rows, members::allPermissions().size());
    }

    void everyRoleAgainstEveryPermission_data()
    {
        QTest::addColumn<int>("role");
        QTest::addColumn<int>("permission");
        for (Role role : members::allRoles()) {
            for (Permission permission : members::allPermissions())
                QTest::addRow("%s %s", qPrintable(members::roleName(role)),
                              qPrintable(members::permissionName(permission)))
                    << static_cast<int>(role) << static_cast<int>(permission);
        }
    }
    void everyRoleAgainstEveryPermission()
    {
        QFETCH(int, role);
        QFETCH(int, permission);
        const auto asRole = static_cast<Role>(role);
        const auto asPermission = static_cast<Permission>(permission);
        const QString member = QStringLiteral("walk-") + members::roleName(asRole);
        const Result<void> outcome = attempt(asPermission, member);
        if (members::isAllowed(asRole, asPermission)) {
            QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error().message));
        } else {
            QVERIFY(!outcome);
            QCOMPARE(test::errorCode(outcome), ErrorCode::PermissionDenied);
        }
    }

    void onlyMembersActThroughServices_data()
    {
        QTest::addColumn<QString>("actor");
        QTest::newRow("empty") << QString();
        QTest::newRow("system") << QStringLiteral("system");
        QTest::newRow("policy") << QStringLiteral("policy");
        QTest::newRow("runtime") << QStringLiteral("runtime:ci");
        QTest::newRow("bare member prefix") << QStringLiteral("member:");
        QTest::newRow("unknown member") << QStringLiteral("member:nobody");
        QTest::newRow("member id without prefix") << OWNER;
        QTest::newRow("prefix in capitals") << QStringLiteral("Member:owner");
        QTest::newRow("leading space") << QStringLiteral(" member:owner");
    }
    void onlyMembersActThroughServices()
    {
        // Deny by default: an actor that is not an active member allowed to act is refused,
        // whatever else it says it is, and nothing is stored or audited.
        QFETCH(QString, actor);
        const auto counted = m_app->audit().count();
        VERIFY_RESULT(counted);
        const qint64 before = *counted;
        const QString name = unique(QStringLiteral("denied-rt"));
        QCOMPARE(test::errorCode(m_app->services().runtimes().registerRuntime(name, {QStringLiteral("x.*")}, actor)),
                 ErrorCode::PermissionDenied);
        QVERIFY(m_app->services().runtimes().registerRuntime(name, {QStringLiteral("x.*")},
                                                             QStringLiteral("member:owner")));
        const auto countedAfter = m_app->audit().count();
        VERIFY_RESULT(countedAfter);
        const qint64 registered = *countedAfter;
        QCOMPARE(test::errorCode(m_app->services().runtimes().revoke(name, actor)), ErrorCode::PermissionDenied);
        policy::PolicyRule rule;
        rule.capabilityGlob = unique(QStringLiteral("denied.")) + QStringLiteral(".*");
        QCOMPARE(test::errorCode(m_app->services().policies().add(rule, actor)), ErrorCode::PermissionDenied);
        auto rules = m_app->services().policies().rules();
        QVERIFY(rules);
        QCOMPARE(test::errorCode(m_app->services().policies().remove(0, actor)), ErrorCode::PermissionDenied);
        QCOMPARE(test::errorCode(m_app->services().policies().move(0, 0, actor)), ErrorCode::PermissionDenied);
        const auto rulesAfter = m_app->services().policies().rules();
        VERIFY_RESULT(rulesAfter);
        QCOMPARE(rulesAfter->size(), rules->size());
        QCOMPARE(m_app->audit().count().value_or(-1), registered);
        QVERIFY(registered > before);
    }

    void historyNeedsAMemberWhoMaySeeTheQueue()
    {
        const QString id = newRequest();
        QVERIFY(m_app->services().requests().deny(OWNER, id, QStringLiteral("not now")));
        auto seen = m_app->services().requests().history(QStringLiteral("walk-approver"), id);
        QVERIFY2(seen, qPrintable(seen ? QString() : seen.error().message));
        QCOMPARE(seen->size(), 1);
        QCOMPARE(seen->first().id, id);
        QVERIFY(test::addMember(m_app->services(), QStringLiteral("gone"), QStringLiteral("Gone"),
                                QStringLiteral("admin")));
        QVERIFY(m_app->services().requests().history(QStringLiteral("gone"), id));
        QVERIFY(m_app->services().members().remove(OWNER, QStringLiteral("gone")));
        for (const QString& who : {QStringLiteral("walk-viewer"), QStringLiteral("nobody"), QString(),
                                   QStringLiteral("gone"), QStringLiteral("member:owner")}) {
            auto refused = m_app->services().requests().history(who, id);
            QVERIFY2(!refused, qPrintable(who));
            QCOMPARE(test::errorCode(refused), ErrorCode::PermissionDenied);
        }
    }

    void aRoleThisBuildDoesNotKnowGrantsNothing()
    {
        // A row whose role no build wrote (a damaged or tampered vault) must not read as a viewer.
        QVERIFY(test::addMember(m_app->services(), QStringLiteral("odd"), QStringLiteral("Odd"),
                                QStringLiteral("approver")));
        QVERIFY(m_app->services().members().authorize(QStringLiteral("odd"), Permission::ViewQueue));
        QSqlQuery tamper(m_app->services().database());
        if (m_app->backend().isTeam()) {
            QVERIFY(tamper.exec(QStringLiteral("ALTER TABLE members DROP CONSTRAINT members_role_check")));
            QVERIFY(tamper.exec(QStringLiteral("UPDATE members SET role = 'superuser' WHERE id = 'odd'")));
        } else {
            QVERIFY(tamper.exec(QStringLiteral("PRAGMA ignore_check_constraints = ON")));
            QVERIFY(tamper.exec(QStringLiteral("UPDATE members SET role = 'superuser' WHERE id = 'odd'")));
            QVERIFY(tamper.exec(QStringLiteral("PRAGMA ignore_check_constraints = OFF")));
        }
        // Not even what every role may do (a viewer's view_audit).
        QCOMPARE(test::errorCode(m_app->services().members().authorize(QStringLiteral("odd"), Permission::ViewAudit)),
                 ErrorCode::Integrity);
        QVERIFY(!m_app->services().requests().history(QStringLiteral("odd")));
        // Everyone else still acts.
        QVERIFY(m_app->services().members().authorize(OWNER, Permission::ViewQueue));
    }

    void theLastOwnerStaysAndAdminsCannotTouchOwners()
    {
        auto& members = m_app->services().members();
        QVERIFY(
            test::addMember(m_app->services(), QStringLiteral("adm"), QStringLiteral("Adm"), QStringLiteral("admin")));
        // Only one owner so far besides the walk's: remove the walk owner first.
        QVERIFY(members.remove(OWNER, QStringLiteral("walk-owner")));
        auto demoted = members.changeRole(OWNER, OWNER, Role::Admin);
        QVERIFY(!demoted);
        QCOMPARE(test::errorCode(demoted), ErrorCode::Conflict);
        QVERIFY(demoted.error().message.contains(QStringLiteral("last owner")));
        auto removed = members.remove(OWNER, OWNER);
        QVERIFY(!removed);
        QCOMPARE(test::errorCode(removed), ErrorCode::Conflict);

        // An admin may not remove, demote or make an owner, nor invite one.
        QCOMPARE(test::errorCode(members.remove(QStringLiteral("adm"), OWNER)), ErrorCode::PermissionDenied);
        QCOMPARE(test::errorCode(members.changeRole(QStringLiteral("adm"), OWNER, Role::Viewer)),
                 ErrorCode::PermissionDenied);
        QCOMPARE(test::errorCode(members.changeRole(QStringLiteral("adm"), QStringLiteral("adm"), Role::Owner)),
                 ErrorCode::PermissionDenied);
        QCOMPARE(test::errorCode(m_app->services().invitations().create(QStringLiteral("adm"), Role::Owner)),
                 ErrorCode::PermissionDenied);

        // With a second owner, the first may step down; then the second is the last.
        QVERIFY(test::addMember(m_app->services(), QStringLiteral("own2"), QStringLiteral("Own2"),
                                QStringLiteral("owner")));
        auto stepped = members.changeRole(OWNER, OWNER, Role::Admin);
        QVERIFY2(stepped, qPrintable(stepped ? QString() : stepped.error().message));
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("member.role_changed")});
        QCOMPARE(test::errorCode(members.remove(QStringLiteral("own2"), QStringLiteral("own2"))), ErrorCode::Conflict);
        QVERIFY(members.changeRole(QStringLiteral("own2"), OWNER, Role::Owner));
        // A removed member can do nothing.
        QVERIFY(members.remove(OWNER, QStringLiteral("adm")));
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("member.removed")});
        QCOMPARE(test::errorCode(m_app->services().invitations().create(QStringLiteral("adm"), Role::Viewer)),
                 ErrorCode::PermissionDenied);
    }

    void anInvitationIsRedeemedOnceIntoItsRole()
    {
        auto& invitations = m_app->services().invitations();
        auto created = invitations.create(OWNER, Role::Approver, members::InvitationService::DEFAULT_EXPIRY_SECONDS,
                                          QStringLiteral("for Grace"));
        QVERIFY(created);
        QVERIFY(members::InvitationLink::isTokenForm(created->token));
        QVERIFY(QByteArray::fromBase64(created->token.mid(4).toLatin1(), QByteArray::Base64UrlEncoding).size() >= 32);
        const qint64 hours = (created->invitation.expiresAt - created->invitation.createdAt) / 3'600'000;
        QCOMPARE(hours, 72);
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("invitation.created")});
        // Stored only as a hash: the token is nowhere in the invitations table.
        QSqlQuery rows(m_app->services().database());
        QVERIFY(rows.exec(QStringLiteral("SELECT * FROM invitations")));
        while (rows.next()) {
            for (int column = 0; column < rows.record().count(); ++column)
                QVERIFY(!rows.value(column).toString().contains(created->token));
        }

        const QByteArray key = crypto::SigningKey::generate().publicKey();
        auto joined = invitations.redeem(created->token, QStringLiteral("Grace"), key);
        QVERIFY2(joined, qPrintable(joined ? QString() : joined.error().message));
        QCOMPARE(joined->role, Role::Approver);
        QCOMPARE(joined->publicKey, key);
        QCOMPARE(lastActions(m_app->audit(), 2),
                 (QStringList{QStringLiteral("member.added"), QStringLiteral("invitation.redeemed")}));
        auto again =
            invitations.redeem(created->token, QStringLiteral("Mallory"), crypto::SigningKey::generate().publicKey());
        QCOMPARE(test::errorCode(again), ErrorCode::Revoked);
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("invitation.redeem_refused")});

        // Listed with its state; a revoked one and an expired one are refused with 410's codes.
        auto revokedOne = invitations.create(OWNER, Role::Viewer);
        QVERIFY(invitations.revoke(OWNER, revokedOne->invitation.id));
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("invitation.revoked")});
        QCOMPARE(
            invitations.redeem(revokedOne->token, QStringLiteral("Eve"), crypto::SigningKey::generate().publicKey())
                .error()
                .code,
            ErrorCode::Revoked);
        auto expiring = invitations.create(OWNER, Role::Viewer, 1);
        QVERIFY(expiring);
        QTest::qWait(1100);
        QCOMPARE(invitations.redeem(expiring->token, QStringLiteral("Eve"), crypto::SigningKey::generate().publicKey())
                     .error()
                     .code,
                 ErrorCode::Expired);
        auto listed = invitations.list(OWNER);
        QVERIFY(listed);
        QHash<QString, QString> states;
        for (const members::Invitation& invitation : *listed)
            states.insert(invitation.id, members::Invitation::stateName(invitation.state));
        QCOMPARE(states.value(created->invitation.id), QStringLiteral("redeemed"));
        QCOMPARE(states.value(revokedOne->invitation.id), QStringLiteral("revoked"));
        QCOMPARE(states.value(expiring->invitation.id), QStringLiteral("expired"));

        // Unknown tokens, bad expiry, bad names and keys.
        QCOMPARE(
            test::errorCode(invitations.redeem(QStringLiteral("csi_") + QString(43, u'A'), QStringLiteral("X"), key)),
            ErrorCode::NotFound);
        QCOMPARE(test::errorCode(invitations.create(OWNER, Role::Viewer, 15 * 24 * 3600)), ErrorCode::InvalidArgument);
        auto fresh = invitations.create(OWNER, Role::Viewer);
        for (const QString& name :
             {QString(), QStringLiteral("a\u202Eb"), QStringLiteral("line\nbreak"), QString(101, u'x')})
            QCOMPARE(
                test::errorCode(invitations.redeem(fresh->token, name, crypto::SigningKey::generate().publicKey())),
                ErrorCode::InvalidArgument);
        QCOMPARE(test::errorCode(invitations.redeem(fresh->token, QStringLiteral("Short key"), QByteArray(31, 'k'))),
                 ErrorCode::InvalidArgument);
        QVERIFY(
            invitations.redeem(fresh->token, QStringLiteral("Finally"), crypto::SigningKey::generate().publicKey()));
    }

    void twoConcurrentRedeemsOfOneTokenLetExactlyOneIn()
    {
        auto created = m_app->services().invitations().create(OWNER, Role::Approver);
        QVERIFY(created);
        std::atomic<int> succeeded{0};
        std::atomic<int> refused{0};
        std::atomic<bool> go{false};
        auto redeemer = [&](int n) {
            approvals::RequestEvents events;
            auto services = m_app->backend().openServices(events, QStringLiteral("redeemer-%1").arg(n));
            if (!services)
                return;
            while (!go)
                std::this_thread::yield();
            auto joined = (*services)->invitations().redeem(created->token, QStringLiteral("Racer %1").arg(n),
                                                            crypto::SigningKey::generate().publicKey());
            (joined ? succeeded : refused)++;
        };
        std::thread first(redeemer, 1);
        std::thread second(redeemer, 2);
        QTest::qWait(100);
        go = true;
        first.join();
        second.join();
        QCOMPARE(succeeded.load(), 1);
        QCOMPARE(refused.load(), 1);
    }

    void decisionsAreSignedAndCheckedDownToTheReceipt()
    {
        auto& requests = m_app->services().requests();
        const crypto::SigningKey grace = crypto::SigningKey::generate();
        auto invitation = m_app->services().invitations().create(OWNER, Role::Approver);
        VERIFY_RESULT(invitation);
        auto member = m_app->services().invitations().redeem(invitation->token, QStringLiteral("Grace Hopper"),
                                                             grace.publicKey());
        VERIFY_RESULT(member);
        // A request that cannot be read gets an empty digest, which every decision refuses.
        auto payloadDigest = [&](const QString& id) {
            const auto request = requests.request(id);
            return request ? request->payloadSha256 : QString();
        };
        auto statementFor = [&](const QString& id, bool approve) {
            return approvals::DecisionStatement{id,
                                                member->id,
                                                payloadDigest(id),
                                                approve,
                                                QStringLiteral("checked the diff"),
                                                QDateTime::currentMSecsSinceEpoch(),
                                                audit::Checkpoint::originFor(m_app->instancePublicKey())};
        };

        // A signature by another key, a statement about another payload, a stale time: refused.
        const QString id = newRequest();
        approvals::DecisionStatement statement = statementFor(id, true);
        auto forged = requests.decideSigned(statement, statement.sign(crypto::SigningKey::generate()));
        QCOMPARE(test::errorCode(forged), ErrorCode::PermissionDenied);
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("request.decision_refused")});
        // The same statement signed for another instance (or for none) is no decision here.
        for (const QString& instance : {QStringLiteral("countersign/0123456789abcdef"), QString()}) {
            approvals::DecisionStatement elsewhere = statement;
            elsewhere.instance = instance;
            QCOMPARE(test::errorCode(requests.decideSigned(elsewhere, elsewhere.sign(grace))),
                     ErrorCode::PermissionDenied);
        }
        approvals::DecisionStatement otherPayload = statement;
        otherPayload.payloadSha256 = QString(64, u'0');
        QCOMPARE(test::errorCode(requests.decideSigned(otherPayload, otherPayload.sign(grace))),
                 ErrorCode::DigestMismatch);
        approvals::DecisionStatement stale = statement;
        stale.decidedAtMs -= 3'600'000;
        QCOMPARE(test::errorCode(requests.decideSigned(stale, stale.sign(grace))), ErrorCode::InvalidArgument);
        approvals::DecisionStatement tampered = statement;
        tampered.reason = QStringLiteral("something else");
        QCOMPARE(test::errorCode(requests.decideSigned(tampered, statement.sign(grace))), ErrorCode::PermissionDenied);
        auto stillPending = requests.request(id);
        VERIFY_RESULT(stillPending);
        QCOMPARE(stillPending->state, approvals::RequestState::Pending);

        // The real one is accepted, stored and audited with its signature.
        auto decided = requests.decideSigned(statement, statement.sign(grace));
        QVERIFY2(decided, qPrintable(decided ? QString() : decided.error().message));
        QCOMPARE(decided->state, approvals::RequestState::Approved);
        auto lastSeq = m_app->audit().lastSeq();
        VERIFY_RESULT(lastSeq);
        auto lastEntries = m_app->audit().entries(*lastSeq, 1);
        VERIFY_RESULT(lastEntries);
        QCOMPARE(lastEntries->size(), 1);
        const audit::AuditEntry last = lastEntries->first();
        QVERIFY(last.action == u"request.decision" || last.action == u"request.approved");

        auto consumed = requests.consumeRequest(m_app->runtime(), id, decided->payloadSha256);
        QVERIFY2(consumed, qPrintable(consumed ? QString() : consumed.error().message));
        const QJsonObject receipt = consumed->receipt;
        const QJsonObject decision = receipt.value(QStringLiteral("decisions")).toArray().first().toObject();
        QCOMPARE(decision.value(QStringLiteral("member")).toString(), member->id);
        QCOMPARE(QByteArray::fromBase64(decision.value(QStringLiteral("public_key")).toString().toLatin1()),
                 grace.publicKey());
        QVERIFY(audit::Receipt::verify(receipt, m_app->instancePublicKey()));

        // Had the server's database been altered before the receipt was made, the member's
        // signature would no longer hold, even though the server signs the receipt.
        const QString second = newRequest();
        approvals::DecisionStatement secondStatement = statementFor(second, true);
        QVERIFY(requests.decideSigned(secondStatement, secondStatement.sign(grace)));
        QSqlQuery alter(m_app->services().database());
        if (m_app->backend().isTeam()) {
            // A team database holds the reason sealed for its row: the first decision's reason,
            // copied over the second's, does not open there, and nothing is served from it.
            QVERIFY(alter.exec(QStringLiteral("UPDATE decisions SET reason = (SELECT reason FROM decisions WHERE "
                                              "request_id = '%1') WHERE request_id = '%2'")
                                   .arg(id, second)));
            auto refused = requests.consumeRequest(m_app->runtime(), second, payloadDigest(second));
            QCOMPARE(test::errorCode(refused), ErrorCode::Integrity);
            QVERIFY2(refused.error().message.contains(QStringLiteral("decisions.reason")),
                     qPrintable(refused.error().message));
        } else {
            QVERIFY(alter.exec(
                QStringLiteral("UPDATE decisions SET reason = 'rubber-stamped' WHERE request_id = '%1'").arg(second)));
            auto altered = requests.consumeRequest(m_app->runtime(), second, payloadDigest(second));
            QVERIFY(altered);
            auto verdict = audit::Receipt::verify(altered->receipt, m_app->instancePublicKey());
            QVERIFY(!verdict);
            QVERIFY2(verdict.error().message.contains(QStringLiteral("the decision by")),
                     qPrintable(verdict.error().message));
        }

        // A viewer's signed decision, and a removed member's, are refused.
        const crypto::SigningKey viewerKey = crypto::SigningKey::generate();
        auto viewerInvite = m_app->services().invitations().create(OWNER, Role::Viewer);
        VERIFY_RESULT(viewerInvite);
        auto viewer =
            m_app->services().invitations().redeem(viewerInvite->token, QStringLiteral("Vic"), viewerKey.publicKey());
        VERIFY_RESULT(viewer);
        approvals::DecisionStatement byViewer = statementFor(newRequest(), true);
        byViewer.memberId = viewer->id;
        QCOMPARE(test::errorCode(requests.decideSigned(byViewer, byViewer.sign(viewerKey))),
                 ErrorCode::PermissionDenied);
        QVERIFY(m_app->services().members().remove(OWNER, member->id));
        approvals::DecisionStatement afterRemoval = statementFor(newRequest(), false);
        QCOMPARE(test::errorCode(requests.decideSigned(afterRemoval, afterRemoval.sign(grace))),
                 ErrorCode::PermissionDenied);
    }

    void approvalsCountOnlyWhileTheirMemberMayDecide()
    {
        auto& requests = m_app->services().requests();
        policy::PolicyRule two;
        two.capabilityGlob = QStringLiteral("deploy.web");
        two.approvals = 2;
        QVERIFY(m_app->services().policies().add(two, QStringLiteral("member:owner"), 0));
        for (const char* id : {"q1", "q2", "q3", "q4", "q5", "q6"})
            QVERIFY(test::addMember(m_app->services(), QString::fromLatin1(id),
                                    QStringLiteral("Quorum %1").arg(QString::fromLatin1(id)),
                                    QStringLiteral("approver")));
        auto approve = [&](const char* member, const QString& id) {
            return requests.approve(QString::fromLatin1(member), id, QStringLiteral("looks right"));
        };
        auto voidedEntries = [&](const QString& id) {
            // Through the log, which opens the details a team database keeps sealed.
            QStringList found;
            const auto entries = m_app->audit().entries(1, 100'000);
            for (const audit::AuditEntry& entry : entries.value_or(QList<audit::AuditEntry>())) {
                if (entry.action == u"request.decision_voided" && entry.subject == QStringLiteral("request:") + id)
                    found.append(entry.actor + u' ' + QString::fromUtf8(entry.details));
            }
            return found;
        };

        // Removal takes a member's open approval back, audited; the quorum waits for another.
        const QString first = newRequest();
        QCOMPARE(approve("q1", first)->approvalCount(), 1);
        QVERIFY(m_app->services().members().remove(OWNER, QStringLiteral("q1")));
        QCOMPARE(test::stored(requests, first).approvalCount(), 0);
        const QStringList firstVoided = voidedEntries(first);
        QCOMPARE(firstVoided.size(), 1);
        QVERIFY2(firstVoided.first().startsWith(QStringLiteral("member:owner ")), qPrintable(firstVoided.first()));
        QVERIFY(firstVoided.first().contains(QStringLiteral("member:q1")));
        QVERIFY(firstVoided.first().contains(QStringLiteral("member.removed")));
        QCOMPARE(approve("q2", first)->state, approvals::RequestState::Pending);
        QCOMPARE(approve("q3", first)->state, approvals::RequestState::Approved);

        // So does a demotion below decide; a change between deciding roles keeps it.
        const QString second = newRequest();
        QVERIFY(approve("q2", second));
        QVERIFY(approve("q4", newRequest()));
        QVERIFY(m_app->services().members().changeRole(OWNER, QStringLiteral("q2"), Role::Viewer));
        QVERIFY(m_app->services().members().changeRole(OWNER, QStringLiteral("q4"), Role::Admin));
        QCOMPARE(voidedEntries(second).size(), 1);
        QVERIFY(voidedEntries(second).first().contains(QStringLiteral("member.role_changed")));
        QCOMPARE(approve("q3", second)->state, approvals::RequestState::Pending);

        // Counted when the quorum is evaluated: an approval whose member lost the permission by
        // any path (here the database itself) is no approval.
        const QString third = newRequest();
        QVERIFY(approve("q5", third));
        QSqlQuery demote(m_app->services().database());
        QVERIFY(demote.exec(QStringLiteral("UPDATE members SET role = 'viewer' WHERE id = 'q5'")));
        QCOMPARE(approve("q6", third)->state, approvals::RequestState::Pending);
        QCOMPARE(approve("q4", third)->state, approvals::RequestState::Approved);

        // Decided requests keep their decisions.
        QVERIFY(m_app->services().members().remove(OWNER, QStringLiteral("q3")));
        QCOMPARE(test::stored(requests, first).approvalCount(), 2);
        QVERIFY(voidedEntries(first).size() == 1);
        QVERIFY(m_app->services().policies().remove(0, QStringLiteral("member:owner")));
    }

    void sessionsNeedTheMembersKeyAndEndWithARoleChange()
    {
        auto& sessions = m_app->services().sessions();
        const crypto::SigningKey key = crypto::SigningKey::generate();
        auto invitation = m_app->services().invitations().create(OWNER, Role::Approver);
        auto member = m_app->services().invitations().redeem(invitation->token, QStringLiteral("Sam"), key.publicKey());
        QVERIFY(member);
        // Another key's signature, or a nonce never issued: refused alike.
        auto nonce = sessions.challenge(member->id);
        QVERIFY(nonce);
        const QByteArray statement = members::SessionService::statement(sessions.instance(), member->id, *nonce);
        QCOMPARE(test::errorCode(sessions.open(member->id, *nonce, crypto::SigningKey::generate().sign(statement))),
                 ErrorCode::Unauthenticated);
        QCOMPARE(test::errorCode(sessions.open(member->id, *nonce, key.sign(statement))),
                 ErrorCode::Unauthenticated); // the refused attempt used the nonce up
        QCOMPARE(test::errorCode(sessions.challenge(QStringLiteral("nobody"))), ErrorCode::Unauthenticated);
        // The right key over a statement naming another instance: no session here.
        QVERIFY(sessions.instance().startsWith(QStringLiteral("countersign/")));
        nonce = sessions.challenge(member->id);
        QCOMPARE(sessions
                     .open(member->id, *nonce,
                           key.sign(members::SessionService::statement(QStringLiteral("countersign/0123456789abcdef"),
                                                                       member->id, *nonce)))
                     .error()
                     .code,
                 ErrorCode::Unauthenticated);
        nonce = sessions.challenge(member->id);
        auto session = sessions.open(
            member->id, *nonce, key.sign(members::SessionService::statement(sessions.instance(), member->id, *nonce)));
        QVERIFY2(session, qPrintable(session ? QString() : session.error().message));
        QVERIFY(session->token.startsWith(members::SessionService::TOKEN_PREFIX));
        QCOMPARE(sessions.authenticate(session->token.toLatin1())->id, member->id);
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("member.session_opened")});
        // A role change ends it at once.
        QVERIFY(m_app->services().members().changeRole(OWNER, member->id, Role::Viewer));
        QCOMPARE(test::errorCode(sessions.authenticate(session->token.toLatin1())), ErrorCode::Unauthenticated);
    }

    void aMembersQueueHoldsWhatTheyMayStillDecide()
    {
        auto alice = test::addMember(m_app->services(), QStringLiteral("q-alice"), QStringLiteral("Alice"),
                                     QStringLiteral("approver"));
        QVERIFY(test::addMember(m_app->services(), QStringLiteral("q-bob"), QStringLiteral("Bob"),
                                QStringLiteral("approver")));
        policy::PolicyRule two;
        two.capabilityGlob = QStringLiteral("deploy.quorum");
        two.approvals = 2;
        QVERIFY(m_app->services().policies().add(two, QStringLiteral("member:owner"), 0));
        auto token =
            m_app->services().runtimes().registerRuntime(QStringLiteral("alices-agent"), {QStringLiteral("deploy.*")},
                                                         QStringLiteral("member:owner"), QStringLiteral("q-alice"));
        QVERIFY(token);
        auto agent = m_app->services().requests().authenticate(token->toLatin1());
        auto raised = m_app->services().requests().createRequest(
            *agent,
            QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.quorum")},
                        {QStringLiteral("summary"), QStringLiteral("raised by Alice's agent")}},
            {});
        QVERIFY(raised);
        auto other = m_app->services().requests().createRequest(
            m_app->runtime(),
            QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.quorum")},
                        {QStringLiteral("summary"), QStringLiteral("needs two")}},
            {});
        QVERIFY(other);
        auto ids = [&](const QString& memberId) {
            QStringList found;
            auto member = m_app->services().members().member(memberId);
            auto queue = m_app->services().team().memberQueue(*member);
            for (const approvals::TeamApi::Shown& shown : queue.value_or(QList<approvals::TeamApi::Shown>()))
                found.append(shown.request.id);
            return found;
        };
        const QString raisedId = raised->request.id;
        const QString otherId = other->request.id;
        QVERIFY(!ids(QStringLiteral("q-alice")).contains(raisedId));
        QVERIFY(ids(QStringLiteral("q-bob")).contains(raisedId));
        QVERIFY(ids(QStringLiteral("q-alice")).contains(otherId));
        QVERIFY(m_app->services().requests().approve(QStringLiteral("q-alice"), otherId, QStringLiteral("one of two")));
        QVERIFY(!ids(QStringLiteral("q-alice")).contains(otherId)); // already decided by her
        QVERIFY(ids(QStringLiteral("q-bob")).contains(otherId));    // still waits for a second
        Q_UNUSED(alice)
    }

    void aMemberKeyFileRefusesAWeakPassphrase_data()
    {
        QTest::addColumn<QString>("passphrase");
        QTest::newRow("empty") << QString();
        QTest::newRow("short") << QStringLiteral("grace1906");
        QTest::newRow("a common word thrice") << QStringLiteral("password password password");
        QTest::newRow("her own name") << QStringLiteral("Grace Hopper Grace Hopper 1906");
    }

    void aMemberKeyFileRefusesAWeakPassphrase()
    {
        QFETCH(QString, passphrase);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("member.json"));
        const crypto::SigningKey key = crypto::SigningKey::generate();
        members::MemberKeyFile file;
        file.displayName = QStringLiteral("Grace Hopper");
        file.publicKey = key.publicKey();
        auto saved = file.save(path, key, test::secure(passphrase), crypto::KdfParams::fast());
        QVERIFY(!saved);
        QCOMPARE(test::errorCode(saved), ErrorCode::WeakPassphrase);
        QVERIFY(!QFile::exists(path));
    }

    void aMemberKeyFileOpensOnlyWithItsPassphrase()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("nested/member.json"));
        const crypto::SigningKey key = crypto::SigningKey::generate();
        members::MemberKeyFile file;
        file.host = QStringLiteral("ada.example");
        file.port = 7448;
        file.certificateSha256 = QByteArray(32, '\x11');
        file.displayName = QStringLiteral("Grace");
        file.publicKey = key.publicKey();
        QVERIFY(file.save(path, key, test::secure(GRACE_PASSPHRASE), crypto::KdfParams::fast()));
        QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup),
                 QFile::Permissions());
        {
            QFile written(path);
            QVERIFY(written.open(QIODevice::ReadOnly));
            const QByteArray contents = written.readAll();
            const QByteArray seed = key.seed().view().toByteArray();
            QVERIFY(!contents.contains(seed.toBase64()) && !contents.contains(seed.toHex())); // sealed, not stored
        }
        auto opened = members::MemberKeyFile::unseal(path, test::secure(GRACE_PASSPHRASE));
        QVERIFY(opened);
        QCOMPARE(opened->publicKey(), key.publicKey());
        QCOMPARE(test::errorCode(members::MemberKeyFile::unseal(path, test::secure(QStringLiteral("wrong")))),
                 ErrorCode::WrongPassphrase);
        // Metadata updates keep the sealed key.
        file.memberId = QStringLiteral("m-1");
        file.role = QStringLiteral("approver");
        QVERIFY(file.update(path));
        QCOMPARE(members::MemberKeyFile::read(path)->memberId, QStringLiteral("m-1"));
        QVERIFY(members::MemberKeyFile::unseal(path, test::secure(GRACE_PASSPHRASE)));
        // Tampering: another public key in the metadata, a damaged seal, not a key file, none.
        QFile raw(path);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        QJsonObject object = QJsonDocument::fromJson(raw.readAll()).object();
        raw.close();
        auto write = [&](const QJsonObject& changed) {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(QJsonDocument(changed).toJson());
        };
        QJsonObject swapped = object;
        swapped.insert(QStringLiteral("public_key"),
                       QString::fromLatin1(crypto::SigningKey::generate().publicKey().toBase64()));
        write(swapped);
        QCOMPARE(test::errorCode(members::MemberKeyFile::unseal(path, test::secure(GRACE_PASSPHRASE))),
                 ErrorCode::Integrity);
        QJsonObject damaged = object;
        QByteArray sealed = QByteArray::fromBase64(object.value(QStringLiteral("sealed_key")).toString().toLatin1());
        sealed[5] = static_cast<char>(sealed[5] ^ 0x40);
        damaged.insert(QStringLiteral("sealed_key"), QString::fromLatin1(sealed.toBase64()));
        write(damaged);
        QCOMPARE(test::errorCode(members::MemberKeyFile::unseal(path, test::secure(GRACE_PASSPHRASE))),
                 ErrorCode::WrongPassphrase);
        QJsonObject truncated = object;
        truncated.insert(QStringLiteral("nonce"), QStringLiteral("AAAA"));
        write(truncated);
        QCOMPARE(test::errorCode(members::MemberKeyFile::unseal(path, test::secure(GRACE_PASSPHRASE))),
                 ErrorCode::Integrity);
        write(QJsonObject{{QStringLiteral("format"), QStringLiteral("something else")}});
        QCOMPARE(test::errorCode(members::MemberKeyFile::read(path)), ErrorCode::InvalidArgument);
        QCOMPARE(test::errorCode(members::MemberKeyFile::read(dir.filePath(QStringLiteral("none.json")))),
                 ErrorCode::NotFound);
    }

    void theTeamListenerSettingsAreCheckedAndAudited()
    {
        auto store = [&](const QString& actor, const std::optional<members::TeamListenerSettings>& settings) {
            return members::TeamListenerSettings::store(m_app->services().database(), m_app->services().audit(), actor,
                                                        settings);
        };
        using Settings = members::TeamListenerSettings;
        QCOMPARE(test::errorCode(store(OWNER, Settings{QStringLiteral("not-an-ip"), 7448, QStringLiteral("host")})),
                 ErrorCode::InvalidArgument);
        QCOMPARE(test::errorCode(store(OWNER, Settings{QStringLiteral("0.0.0.0"), 0, QStringLiteral("host")})),
                 ErrorCode::InvalidArgument);
        QCOMPARE(test::errorCode(store(OWNER, Settings{QStringLiteral("0.0.0.0"), 7448, QStringLiteral("bad host!")})),
                 ErrorCode::InvalidArgument);
        QVERIFY(test::addMember(m_app->services(), QStringLiteral("t-admin"), QStringLiteral("Tess"),
                                QStringLiteral("admin")));
        QCOMPARE(store(QStringLiteral("t-admin"), Settings{QStringLiteral("::"), 7448, QStringLiteral("ada.example")})
                     .error()
                     .code,
                 ErrorCode::PermissionDenied); // only an owner opens the instance to the network
        QVERIFY(store(OWNER, Settings{QStringLiteral("::"), 7449, QStringLiteral("ada.example")}));
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("team.listener_enabled")});
        auto loaded = members::TeamListenerSettings::load(m_app->services().database());
        QVERIFY(loaded && *loaded);
        QCOMPARE((*loaded)->port, quint16{7449});
        QCOMPARE((*loaded)->publicHost, QStringLiteral("ada.example"));
        QVERIFY(store(OWNER, std::nullopt));
        QCOMPARE(lastActions(m_app->audit(), 1), QStringList{QStringLiteral("team.listener_disabled")});
        QVERIFY(!*members::TeamListenerSettings::load(m_app->services().database()));
    }

    void invitationLinksRoundTripAndRefuseAnythingElse()
    {
        members::InvitationLink link;
        link.host = QStringLiteral("192.168.1.20");
        link.port = 7448;
        link.certificateSha256 = QByteArray(32, '\xab');
        link.token = QStringLiteral("csi_") + QString(43, u'Z');
        const QString text = link.toString();
        auto parsed = members::InvitationLink::parse(text);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
        QCOMPARE(parsed->host, link.host);
        QCOMPARE(parsed->port, link.port);
        QCOMPARE(parsed->certificateSha256, link.certificateSha256);
        QCOMPARE(parsed->token, link.token);
        const QString good = text;
        for (const QString& bad :
             QStringList{QString(good).replace(QStringLiteral("countersign://"), QStringLiteral("https://")),
                         QString(good).replace(QStringLiteral(":7448"), QString()),
                         QString(good).replace(QStringLiteral("/join"), QStringLiteral("/other")),
                         QString(good).replace(QStringLiteral("abab"), QStringLiteral("ABAB")),
                         QString(good).replace(QStringLiteral("#csi_"), QStringLiteral("#xsi_")), good.chopped(1),
                         QString(good + QStringLiteral("&x=1")),
                         QString(good).replace(QStringLiteral("?"), QStringLiteral("?a=b&")),
                         QString(good).replace(QStringLiteral("//"), QStringLiteral("//user@")), QString(2000, u'x')}) {
            QVERIFY2(!members::InvitationLink::parse(bad), qPrintable(bad));
        }
    }
};

QTEST_GUILESS_MAIN(TestMembers)
#include "tst_members.moc"
