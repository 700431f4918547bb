#pragma once

#include "error.h"
#include "evidence/actor.h"
#include "request.h"
#include "runtimeidentity.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace countersign::members {
class Authorizer;
}

namespace countersign::approvals {

class RequestAnnouncer;
class RequestLifecycle;
class RequestStore;

/// Reading requests, each call authorized the same way by who asks: a member through the
/// authorizer (the queue and the history hold the same payloads: ViewQueue), a runtime only
/// its own requests (another's is NotFound, never PermissionDenied), and the instance itself
/// (Actor::system()) anything, for its own window and tools.
class RequestQueries final {
public:
    RequestQueries(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                   const members::Authorizer& authorizer);

    [[nodiscard]] Result<Request> request(const audit::Actor& actor, const QString& id) const;
    [[nodiscard]] Result<QList<Request>> inState(const audit::Actor& actor, RequestState state, int limit) const;
    /// The pending requests.
    [[nodiscard]] Result<QList<Request>> queue(const audit::Actor& actor, int limit) const;
    /// Requests no longer pending, newest first, whose id, runtime, capability, summary or a
    /// decision's reason contains \a search (case-insensitive).
    [[nodiscard]] Result<QList<Request>> history(const audit::Actor& actor, const QString& search, int limit) const;
    /// The payload of request \a id with nothing masked, for a member allowed to reveal it.
    /// Every reveal is audited ("request.reveal").
    [[nodiscard]] Result<QByteArray> reveal(const audit::Actor& actor, const QString& id);
    /// The value of one masked field of request \a id's payload, \a field a JSON Pointer that
    /// SecretMasking::secretFields() names (any other is InvalidArgument: what is not masked is
    /// shown anyway), for a member allowed to reveal it. Audited ("request.reveal", "field").
    [[nodiscard]] Result<QJsonValue> revealField(const audit::Actor& actor, const QString& id, const QString& field);

    /// The runtime's own request by id, as stored.
    [[nodiscard]] Result<Request> own(const RuntimeIdentity& runtime, const QString& id) const;
    /// own(), expired first when its deadline has passed (polls see expiry on time).
    [[nodiscard]] Result<Request> ownCurrent(const RuntimeIdentity& runtime, const QString& id);
    /// InvalidArgument unless \a state is empty or a state's wire name.
    [[nodiscard]] static Result<void> checkStateFilter(const QString& state);
    /// The runtime's requests in \a state (wire name; empty for all), newest first.
    [[nodiscard]] Result<QList<Request>> ownList(const RuntimeIdentity& runtime, const QString& state) const;

private:
    /// Nothing for the instance itself; the authorizer's answer for a member; PermissionDenied otherwise.
    [[nodiscard]] Result<void> mayRead(const audit::Actor& actor) const;

    RequestStore& m_store;
    RequestLifecycle& m_lifecycle;
    RequestAnnouncer& m_announcer;
    const members::Authorizer& m_authorizer;
};

} // namespace countersign::approvals
