#pragma once

#include "error.h"
#include "members/invitation.h"
#include "members/invitationlink.h"
#include "members/permissions.h"
#include "members/teamlistenersettings.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace countersign::approvals {
class Services;
}
namespace countersign::crypto {
struct TlsIdentity;
}

namespace countersign::application {

/// Team administration as every front end does it (the Members tab, `countersign-cli team` and
/// `member invite`; docs/concepts.md, "Invitations"): the team listener turned on or off, and
/// invitations with the link an invitee joins by, which names the listener and pins its
/// certificate. Acts for one member, whose permissions the services check.
class TeamAdmin final {
public:
    /// Over \a services (one thread's), acting for member \a actorId; \a tlsIdentity is the
    /// listener's certificate and key (null on vaults older than schema 5: no links then).
    TeamAdmin(approvals::Services& services, const crypto::TlsIdentity* tlsIdentity, QString actorId);

    /// Where the listener listens and the name members dial; nullopt while it is off.
    [[nodiscard]] Result<std::optional<members::TeamListenerSettings>> listener() const;
    /// The SHA-256 of the listener's certificate, which links pin; empty without one.
    [[nodiscard]] QByteArray certificateSha256() const { return m_certificateSha256; }
    /// Turns the listener on at \a address : \a port (it takes effect when the endpoint next
    /// starts). Members dial \a publicHost; when empty, this machine's name for a wildcard
    /// address, else the address itself. Audited.
    [[nodiscard]] Result<void> enableListener(const QString& address, quint16 port, const QString& publicHost = {});
    /// Turns the listener off. Audited.
    [[nodiscard]] Result<void> disableListener();

    struct Invited {
        members::Invitation invitation;
        members::InvitationLink link; // shown once: it holds the token
    };
    /// Invites someone to join as \a role. Conflict while the listener is off: the link names it.
    [[nodiscard]] Result<Invited> invite(members::Role role, qint64 expirySeconds, const QString& note = {});
    /// The same, with a link naming \a host : \a port: a team's nodes are told where they listen
    /// on their command line, not in the database (docs/team-server.md, "Administering a team").
    [[nodiscard]] Result<Invited> inviteTo(const QString& host, quint16 port, members::Role role, qint64 expirySeconds,
                                           const QString& note = {});

private:
    approvals::Services& m_services;
    QByteArray m_certificateSha256;
    QString m_actorId;
};

} // namespace countersign::application
