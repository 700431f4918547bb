#include "expiryscheduler.h"

#include "members/authorizer.h"
#include "policy/policystore.h"
#include "requestannouncer.h"
#include "requestlifecycle.h"
#include "requeststore.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRequests)

namespace countersign::approvals {

namespace {

constexpr int MAX_TIMER_MS = 60'000; // re-check at least this often (other processes may write)

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

ExpiryScheduler::ExpiryScheduler(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                                 policy::PolicyStore& policies, const members::Authorizer& authorizer, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_lifecycle(lifecycle)
    , m_announcer(announcer)
    , m_policies(policies)
    , m_authorizer(authorizer)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (auto expired = expireDue(); !expired) {
            qCWarning(lcRequests) << "expiry failed:" << expired.error().message;
            if (expired.error().code == ErrorCode::Unavailable)
                return; // the database file is gone; retrying at once would only spin
        }
        schedule();
    });
}

void ExpiryScheduler::setEnabled(bool enabled)
{
    m_enabled = enabled;
    if (enabled) {
        (void)expireDue();
        schedule();
    } else {
        m_timer.stop();
    }
}

void ExpiryScheduler::schedule()
{
    if (!m_enabled)
        return;
    const auto deadline = m_store.nextDeadline();
    const qint64 next = deadline && *deadline ? **deadline : 0;
    const qint64 delay = next > 0 ? std::clamp<qint64>(next - now(), 0, MAX_TIMER_MS) : MAX_TIMER_MS;
    m_timer.start(static_cast<int>(delay));
}

Result<int> ExpiryScheduler::expireDue()
{
    auto expired = storage::transact(m_store.database(), [&]() -> Result<QList<Request>> {
        const qint64 at = now();
        auto candidates = m_store.due(at);
        COUNTERSIGN_TRY(candidates);
        for (Request& request : *candidates) {
            auto changed = m_lifecycle.expireIfDue(request, at);
            COUNTERSIGN_TRY(changed);
        }
        return std::move(*candidates);
    });
    COUNTERSIGN_TRY(expired);
    for (const Request& request : std::as_const(*expired))
        m_announcer.announce(request);
    return static_cast<int>(expired->size());
}

Result<Request> ExpiryScheduler::extend(const audit::Actor& actor, const QString& id, int seconds)
{
    if (seconds <= 0 || seconds > policy::PolicyRule::MAX_SECONDS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("an extension is between 1 and %1 seconds").arg(policy::PolicyRule::MAX_SECONDS));
    auto extended = storage::transact(m_store.database(), [&]() -> Result<Request> {
        auto allowed = m_authorizer.authorize(actor, members::Permission::ExtendRequest);
        COUNTERSIGN_TRY(allowed);
        auto found = m_store.get(id);
        COUNTERSIGN_TRY(found);
        Request request = std::move(*found);
        const qint64 at = now();
        auto expired = m_lifecycle.expireIfDue(request, at);
        COUNTERSIGN_TRY(expired);
        if (request.state != RequestState::Pending)
            return request; // commit a just-noticed expiry; refused below
        auto room = extensionRoom(request);
        COUNTERSIGN_TRY(room);
        const qint64 limit = request.createdAt + room->lifetimeMs;
        const qint64 wanted = request.expiresAt + qint64{seconds} * 1000;
        if (room->roomMs <= 0)
            return fail(ErrorCode::Conflict,
                        QStringLiteral("request %1 cannot wait longer: the policy allows %2 s in all")
                            .arg(request.id)
                            .arg(room->lifetimeMs / 1000));
        const qint64 previous = request.expiresAt;
        request.expiresAt = std::min(wanted, limit);
        auto updated = m_store.updateExpiresAt(request.id, request.expiresAt);
        COUNTERSIGN_TRY(updated);
        auto audited =
            m_lifecycle.record(actor, QStringLiteral("request.extend"), request,
                               QJsonObject{{QStringLiteral("seconds"), (request.expiresAt - previous) / 1000},
                                           {QStringLiteral("expires_at"), isoTime(request.expiresAt)}});
        COUNTERSIGN_TRY(audited);
        return request;
    });
    COUNTERSIGN_TRY(extended);
    m_announcer.announce(*extended);
    if (extended->state != RequestState::Pending)
        return fail(extended->state == RequestState::Expired ? ErrorCode::Expired : ErrorCode::Conflict,
                    QStringLiteral("request %1 is %2; only a pending request can be extended")
                        .arg(extended->id, stateName(extended->state)));
    return extended;
}

Result<ExpiryScheduler::ExtensionRoom> ExpiryScheduler::extensionRoom(const Request& request) const
{
    auto rule = m_policies.evaluate(request.capability, request.risk);
    COUNTERSIGN_TRY(rule);
    ExtensionRoom room;
    room.lifetimeMs =
        std::min<qint64>(qint64{rule->timeoutSeconds} * MAX_LIFETIME_FACTOR, policy::PolicyRule::MAX_SECONDS) * 1000;
    if (request.state == RequestState::Pending)
        room.roomMs = std::max<qint64>(0, request.createdAt + room.lifetimeMs - request.expiresAt);
    return room;
}

} // namespace countersign::approvals
