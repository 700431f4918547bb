#include "teamadmin.h"

#include "approvals/services.h"
#include "crypto/tlsidentity.h"
#include "members/invitationservice.h"

#include <QHostAddress>
#include <QHostInfo>

namespace countersign::application {

TeamAdmin::TeamAdmin(approvals::Services& services, const crypto::TlsIdentity* tlsIdentity, QString actorId)
    : m_services(services)
    , m_certificateSha256(tlsIdentity
                              ? crypto::TlsIdentity::fingerprint(tlsIdentity->certificatePem).value_or(QByteArray())
                              : QByteArray())
    , m_actorId(std::move(actorId))
{
}

Result<std::optional<members::TeamListenerSettings>> TeamAdmin::listener() const
{
    return members::TeamListenerSettings::load(m_services.database());
}

Result<void> TeamAdmin::enableListener(const QString& address, quint16 port, const QString& publicHost)
{
    members::TeamListenerSettings wanted;
    wanted.address = address;
    wanted.port = port;
    // A wildcard address is no name to dial: members reach this machine by its host name.
    const QHostAddress bound(address);
    wanted.publicHost = !publicHost.isEmpty()                                              ? publicHost
                        : bound == QHostAddress::AnyIPv4 || bound == QHostAddress::AnyIPv6 ? QHostInfo::localHostName()
                                                                                           : address;
    return members::TeamListenerSettings::store(m_services.database(), m_services.audit(), m_actorId, wanted);
}

Result<void> TeamAdmin::disableListener()
{
    return members::TeamListenerSettings::store(m_services.database(), m_services.audit(), m_actorId, std::nullopt);
}

Result<TeamAdmin::Invited> TeamAdmin::invite(members::Role role, qint64 expirySeconds, const QString& note)
{
    auto on = listener();
    COUNTERSIGN_TRY(on);
    if (!*on)
        return fail(ErrorCode::Conflict,
                    QStringLiteral("turn the team listener on first: the invitation link names its address"));
    return inviteTo((*on)->publicHost, (*on)->port, role, expirySeconds, note);
}

Result<TeamAdmin::Invited> TeamAdmin::inviteTo(const QString& host, quint16 port, members::Role role,
                                               qint64 expirySeconds, const QString& note)
{
    if (m_certificateSha256.isEmpty())
        return fail(ErrorCode::Conflict,
                    QStringLiteral("turn the team listener on first: the invitation link names its address"));
    if (host.isEmpty() || port == 0)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("an invitation link needs the host and port members dial"));
    auto created = m_services.invitations().create(m_actorId, role, expirySeconds, note);
    COUNTERSIGN_TRY(created);
    members::InvitationLink link;
    link.host = host;
    link.port = port;
    link.certificateSha256 = m_certificateSha256;
    link.token = created->token;
    return Invited{created->invitation, link};
}

} // namespace countersign::application
