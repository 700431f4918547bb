#include "requestlifecycle.h"

#include "audit/auditlog.h"
#include "requeststore.h"

#include <array>

namespace countersign::approvals {

namespace {

struct Transition final {
    RequestState from;
    RequestEvent event;
    RequestState to;
};

// pending -> approved | denied | cancelled | expired; approved -> consumed | expired. Denied,
// cancelled, expired and consumed are final: no row leaves them.
constexpr std::array<Transition, 6> TABLE{{
    {RequestState::Pending, RequestEvent::Approve, RequestState::Approved},
    {RequestState::Pending, RequestEvent::Deny, RequestState::Denied},
    {RequestState::Pending, RequestEvent::Cancel, RequestState::Cancelled},
    {RequestState::Pending, RequestEvent::Expire, RequestState::Expired},
    {RequestState::Approved, RequestEvent::Consume, RequestState::Consumed},
    {RequestState::Approved, RequestEvent::Expire, RequestState::Expired},
}};

QString eventName(RequestEvent event)
{
    switch (event) {
    case RequestEvent::Approve:
        return QStringLiteral("approve");
    case RequestEvent::Deny:
        return QStringLiteral("deny");
    case RequestEvent::Cancel:
        return QStringLiteral("cancel");
    case RequestEvent::Expire:
        return QStringLiteral("expire");
    case RequestEvent::Consume:
        return QStringLiteral("consume");
    }
    return {};
}

} // namespace

RequestLifecycle::RequestLifecycle(RequestStore& store, audit::AuditLog& log)
    : m_store(store)
    , m_log(log)
{
}

std::optional<RequestState> RequestLifecycle::next(RequestState state, RequestEvent event)
{
    for (const Transition& transition : TABLE) {
        if (transition.from == state && transition.event == event)
            return transition.to;
    }
    return std::nullopt;
}

Result<qint64> RequestLifecycle::apply(Request& request, RequestEvent event, qint64 at, const audit::Actor& actor,
                                       QJsonObject details)
{
    const auto to = next(request.state, event);
    if (!to)
        return fail(ErrorCode::Conflict, QStringLiteral("request %1 is %2: it cannot %3")
                                             .arg(request.id, stateName(request.state), eventName(event)));
    Request changed = request;
    switch (*to) {
    case RequestState::Approved:
        changed.decidedAt = at;
        changed.approvalExpiresAt = at + qint64{request.validitySeconds} * 1000;
        break;
    case RequestState::Denied:
    case RequestState::Cancelled:
        changed.decidedAt = at;
        break;
    case RequestState::Consumed:
        changed.consumedAt = at;
        break;
    case RequestState::Pending:
    case RequestState::Expired:
        break;
    }
    auto written = m_store.updateState(changed, request.state, *to);
    COUNTERSIGN_TRY(written);
    changed.state = *to;
    request = std::move(changed);
    // Every transition is audited as "request.<new state>", in the same transaction.
    return record(actor, QStringLiteral("request.") + stateName(*to), request, std::move(details));
}

Result<bool> RequestLifecycle::expireIfDue(Request& request, qint64 at)
{
    const bool pendingDue = request.state == RequestState::Pending && request.expiresAt <= at;
    const bool approvalDue = request.state == RequestState::Approved && request.approvalExpiresAt <= at;
    if (!pendingDue && !approvalDue)
        return false;
    auto expired = apply(request, RequestEvent::Expire, at, audit::Actor::system(),
                         QJsonObject{{QStringLiteral("was"), stateName(request.state)}});
    COUNTERSIGN_TRY(expired);
    return true;
}

Result<qint64> RequestLifecycle::record(const audit::Actor& actor, const QString& action, const Request& request,
                                        QJsonObject details)
{
    details.insert(QStringLiteral("state"), stateName(request.state));
    details.insert(QStringLiteral("capability"), request.capability);
    details.insert(QStringLiteral("runtime"), request.runtimeName);
    return m_log.append({actor.toString(), action, QStringLiteral("request:") + request.id, details});
}

} // namespace countersign::approvals
