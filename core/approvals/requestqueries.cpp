#include "requestqueries.h"

#include "members/authorizer.h"
#include "requestannouncer.h"
#include "requestlifecycle.h"
#include "requeststore.h"
#include "secretmasking.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace countersign::approvals {

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

RequestQueries::RequestQueries(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                               const members::Authorizer& authorizer)
    : m_store(store)
    , m_lifecycle(lifecycle)
    , m_announcer(announcer)
    , m_authorizer(authorizer)
{
}

Result<void> RequestQueries::mayRead(const audit::Actor& actor) const
{
    if (actor.kind() == audit::Actor::Kind::System)
        return {};
    // Members through the permission table; runtimes read only their own requests (own()), and
    // the policy reads nothing: the authorizer refuses both.
    return m_authorizer.authorize(actor, members::Permission::ViewQueue);
}

Result<Request> RequestQueries::request(const audit::Actor& actor, const QString& id) const
{
    auto allowed = mayRead(actor);
    COUNTERSIGN_TRY(allowed);
    return m_store.get(id);
}

Result<QList<Request>> RequestQueries::inState(const audit::Actor& actor, RequestState state, int limit) const
{
    auto allowed = mayRead(actor);
    COUNTERSIGN_TRY(allowed);
    return m_store.inState(state, limit);
}

Result<QList<Request>> RequestQueries::queue(const audit::Actor& actor, int limit) const
{
    return inState(actor, RequestState::Pending, limit);
}

Result<QList<Request>> RequestQueries::history(const audit::Actor& actor, const QString& search, int limit) const
{
    auto allowed = mayRead(actor);
    COUNTERSIGN_TRY(allowed);
    return m_store.history(search, limit);
}

Result<QByteArray> RequestQueries::reveal(const audit::Actor& actor, const QString& id)
{
    return storage::transact(m_store.database(), [&]() -> Result<QByteArray> {
        auto allowed = m_authorizer.authorize(actor, members::Permission::RevealPayload);
        COUNTERSIGN_TRY(allowed);
        auto found = m_store.get(id);
        COUNTERSIGN_TRY(found);
        const int hidden =
            SecretMasking::countSecrets(QJsonDocument::fromJson('[' + found->payload + ']').array().at(0));
        auto audited = m_lifecycle.record(actor, QStringLiteral("request.reveal"), *found,
                                          QJsonObject{{QStringLiteral("masked_fields"), hidden}});
        COUNTERSIGN_TRY(audited);
        return found->payload;
    });
}

Result<QJsonValue> RequestQueries::revealField(const audit::Actor& actor, const QString& id, const QString& field)
{
    return storage::transact(m_store.database(), [&]() -> Result<QJsonValue> {
        auto allowed = m_authorizer.authorize(actor, members::Permission::RevealPayload);
        COUNTERSIGN_TRY(allowed);
        auto found = m_store.get(id);
        COUNTERSIGN_TRY(found);
        const QJsonValue payload = QJsonDocument::fromJson('[' + found->payload + ']').array().at(0);
        const QStringList fields = SecretMasking::secretFields(payload);
        if (!fields.contains(field))
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("request %1 masks no field %2").arg(found->id, field.left(200)));
        // RFC 6901 section 4: evaluate the pointer token by token ("~1" is "/", then "~0" is "~").
        QJsonValue value = payload;
        for (const QString& token : field.mid(1).split(u'/')) {
            QString key = token;
            key.replace(QStringLiteral("~1"), QStringLiteral("/"));
            key.replace(QStringLiteral("~0"), QStringLiteral("~"));
            value = value.isArray() ? value.toArray().at(key.toInt()) : value.toObject().value(key);
        }
        auto audited =
            m_lifecycle.record(actor, QStringLiteral("request.reveal"), *found,
                               QJsonObject{{QStringLiteral("field"), field},
                                           {QStringLiteral("masked_fields"), static_cast<int>(fields.size())}});
        COUNTERSIGN_TRY(audited);
        return value;
    });
}

Result<Request> RequestQueries::own(const RuntimeIdentity& runtime, const QString& id) const
{
    auto found = m_store.find(id);
    COUNTERSIGN_TRY(found);
    // Another runtime's request does not exist as far as this runtime can tell.
    if (!*found || (*found)->runtimeId != runtime.id)
        return fail(ErrorCode::NotFound, QStringLiteral("no request %1").arg(id.left(64)));
    return std::move(**found);
}

Result<Request> RequestQueries::ownCurrent(const RuntimeIdentity& runtime, const QString& id)
{
    // A plain read first: polls are the hot path and rarely find an expiry due.
    auto current = own(runtime, id);
    COUNTERSIGN_TRY(current);
    const qint64 at = now();
    const bool due = (current->state == RequestState::Pending && current->expiresAt <= at) ||
                     (current->state == RequestState::Approved && current->approvalExpiresAt <= at);
    if (!due)
        return current;
    auto fresh = storage::transact(m_store.database(), [&]() -> Result<std::pair<Request, bool>> {
        auto reread = m_store.get(id);
        COUNTERSIGN_TRY(reread);
        auto expired = m_lifecycle.expireIfDue(*reread, now());
        COUNTERSIGN_TRY(expired);
        return std::pair(std::move(*reread), *expired);
    });
    COUNTERSIGN_TRY(fresh);
    if (fresh->second)
        m_announcer.announce(fresh->first);
    return std::move(fresh->first);
}

Result<void> RequestQueries::checkStateFilter(const QString& state)
{
    if (!state.isEmpty() && !parseState(state))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("state is one of pending, approved, denied, expired, cancelled, consumed"));
    return {};
}

Result<QList<Request>> RequestQueries::ownList(const RuntimeIdentity& runtime, const QString& state) const
{
    COUNTERSIGN_TRY(checkStateFilter(state));
    return m_store.ofRuntime(runtime.id, state);
}

} // namespace countersign::approvals
