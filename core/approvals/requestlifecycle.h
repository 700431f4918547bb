#pragma once

#include "error.h"
#include "evidence/actor.h"
#include "request.h"

#include <QJsonObject>

#include <optional>

namespace countersign::audit {
class AuditLog;
}

namespace countersign::approvals {

class RequestStore;

/// What can happen to a request.
enum class RequestEvent { Approve, Deny, Cancel, Expire, Consume };

/// The request state machine as a table of (state, event) -> next state. Every change of state
/// goes through apply(), which refuses anything the table does not hold and writes the new
/// state together with its audit entry ("request.<state>") in the caller's transaction.
class RequestLifecycle final {
public:
    RequestLifecycle(RequestStore& store, audit::AuditLog& log);

    /// The state \a event leads to from \a state; nullopt when the table has no such entry.
    [[nodiscard]] static std::optional<RequestState> next(RequestState state, RequestEvent event);

    /// Moves \a request by \a event at \a at (ms since the epoch), for \a actor: Conflict when
    /// the table does not allow it or another writer changed the request first. Returns the
    /// sequence number of its audit entry.
    [[nodiscard]] Result<qint64> apply(Request& request, RequestEvent event, qint64 at, const audit::Actor& actor,
                                       QJsonObject details = {});
    /// Expires \a request if it is pending past its deadline or approved past its validity at
    /// \a at; true when it did.
    [[nodiscard]] Result<bool> expireIfDue(Request& request, qint64 at);
    /// An audit entry about \a request that does not change its state (created, a decision, a
    /// reveal...): \a details plus the request's state, capability and runtime.
    [[nodiscard]] Result<qint64> record(const audit::Actor& actor, const QString& action, const Request& request,
                                        QJsonObject details = {});

private:
    RequestStore& m_store;
    audit::AuditLog& m_log;
};

} // namespace countersign::approvals
