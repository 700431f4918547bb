#include "application/teamadmin.h"
#include "approvals/requestevents.h"
#include "approvals/services.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "members/invitationservice.h"
#include "members/memberservice.h"
#include "testsupport.h"

#include <QHostInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

/// TeamAdmin on a real vault: the listener turned on and off, and invitations whose links name
/// the listener and pin its certificate, refused while the listener is off or for a member who
/// may not invite.
class TestTeamAdmin final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<vault::Vault> m_vault;
    approvals::RequestEvents m_events;
    std::unique_ptr<approvals::Services> m_services;

    [[nodiscard]] application::TeamAdmin owner() const
    {
        return application::TeamAdmin(*m_services, m_vault->tlsIdentity(), QStringLiteral("owner"));
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vault = test::createVault(m_dir->filePath(QStringLiteral("v")));
        QVERIFY(m_vault);
        m_services = test::openServices(*m_vault, m_events, QStringLiteral("team-admin"));
        QVERIFY(m_services);
    }

    void cleanup()
    {
        m_services.reset();
        m_vault.reset();
        m_dir.reset();
    }

    void theListenerTurnsOnAndOff()
    {
        application::TeamAdmin admin = owner();
        auto off = admin.listener();
        VERIFY_RESULT(off);
        QVERIFY(!*off);
        VERIFY_RESULT(admin.enableListener(QStringLiteral("127.0.0.1"), 7500, QStringLiteral("team.example")));
        auto on = admin.listener();
        VERIFY_RESULT(on);
        QVERIFY(*on);
        QCOMPARE((*on)->address, QStringLiteral("127.0.0.1"));
        QCOMPARE((*on)->port, 7500);
        QCOMPARE((*on)->publicHost, QStringLiteral("team.example"));
        // Members cannot dial a wildcard address: they get this machine's name; any other is dialled as is.
        VERIFY_RESULT(admin.enableListener(QStringLiteral("0.0.0.0"), 7500));
        QCOMPARE((*admin.listener())->publicHost, QHostInfo::localHostName());
        VERIFY_RESULT(admin.enableListener(QStringLiteral("192.0.2.7"), 7500));
        QCOMPARE((*admin.listener())->publicHost, QStringLiteral("192.0.2.7"));
        VERIFY_RESULT(admin.disableListener());
        auto offAgain = admin.listener();
        VERIFY_RESULT(offAgain);
        QVERIFY(!*offAgain);
    }

    void anInvitationLinkNamesTheListenerAndPinsItsCertificate()
    {
        application::TeamAdmin admin = owner();
        QCOMPARE(test::errorCode(admin.invite(members::Role::Approver, 3600)), ErrorCode::Conflict);
        VERIFY_RESULT(admin.enableListener(QStringLiteral("127.0.0.1"), 7501, QStringLiteral("team.example")));
        const auto invited = admin.invite(members::Role::Viewer, 3600, QStringLiteral("for Linus"));
        VERIFY_RESULT(invited);
        const auto fingerprint = crypto::TlsIdentity::fingerprint(m_vault->tlsIdentity()->certificatePem);
        VERIFY_RESULT(fingerprint);
        QCOMPARE(admin.certificateSha256(), *fingerprint);
        const auto parsed = members::InvitationLink::parse(invited->link.toString());
        VERIFY_RESULT(parsed);
        QCOMPARE(parsed->host, QStringLiteral("team.example"));
        QCOMPARE(parsed->port, 7501);
        QCOMPARE(parsed->certificateSha256, *fingerprint);
        QCOMPARE(invited->invitation.role, members::Role::Viewer);
        QCOMPARE(invited->invitation.note, QStringLiteral("for Linus"));
        // The link's token is the invitation's: it redeems into a member of that role.
        const auto joined = m_services->invitations().redeem(parsed->token, QStringLiteral("Linus"),
                                                             crypto::SigningKey::generate().publicKey());
        VERIFY_RESULT(joined);
        QCOMPARE(joined->role, members::Role::Viewer);
    }

    void aMemberWhoMayNotInviteIsRefused()
    {
        VERIFY_RESULT(owner().enableListener(QStringLiteral("127.0.0.1"), 7502, QStringLiteral("team.example")));
        auto viewer = owner().invite(members::Role::Viewer, 3600);
        VERIFY_RESULT(viewer);
        const auto joined = m_services->invitations().redeem(viewer->link.token, QStringLiteral("Vera"),
                                                             crypto::SigningKey::generate().publicKey());
        VERIFY_RESULT(joined);
        application::TeamAdmin asViewer(*m_services, m_vault->tlsIdentity(), joined->id);
        QCOMPARE(test::errorCode(asViewer.invite(members::Role::Approver, 3600)), ErrorCode::PermissionDenied);
        QCOMPARE(test::errorCode(asViewer.disableListener()), ErrorCode::PermissionDenied);
    }
};

QTEST_GUILESS_MAIN(TestTeamAdmin)
#include "tst_teamadmin.moc"
