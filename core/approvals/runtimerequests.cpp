#include "runtimerequests.h"

#include "audit/auditlog.h"
#include "audit/receiptissuer.h"
#include "crypto/crypto.h"
#include "crypto/sha256.h"
#include "evidence/actor.h"
#include "evidence/receipt.h"
#include "payloadviews.h"
#include "requestannouncer.h"
#include "requestlifecycle.h"
#include "requestqueries.h"
#include "requeststore.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRequests)

namespace countersign::approvals {

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

std::unexpected<Error> alreadyConsumed(const Request& request)
{
    return fail(ErrorCode::AlreadyConsumed, QStringLiteral("request %1 was already consumed").arg(request.id));
}

} // namespace

RuntimeRequests::RuntimeRequests(RequestStore& store, RequestLifecycle& lifecycle, RequestQueries& queries,
                                 RequestAnnouncer& announcer, audit::AuditLog& log, audit::ReceiptIssuer& receipts,
                                 const PayloadViews& views)
    : m_store(store)
    , m_lifecycle(lifecycle)
    , m_queries(queries)
    , m_announcer(announcer)
    , m_log(log)
    , m_receipts(receipts)
    , m_views(views)
{
}

Result<Request> RuntimeRequests::cancel(const RuntimeIdentity& runtime, const QString& id)
{
    auto cancelled = storage::transact(m_store.database(), [&]() -> Result<Request> {
        auto found = m_queries.own(runtime, id);
        COUNTERSIGN_TRY(found);
        Request request = std::move(*found);
        auto expired = m_lifecycle.expireIfDue(request, now());
        COUNTERSIGN_TRY(expired);
        if (request.state != RequestState::Pending)
            return fail(ErrorCode::Conflict, QStringLiteral("request %1 is %2; only a pending request can be cancelled")
                                                 .arg(request.id, stateName(request.state)));
        auto audited = m_lifecycle.apply(request, RequestEvent::Cancel, now(), audit::Actor::runtime(runtime.name));
        COUNTERSIGN_TRY(audited);
        return request;
    });
    COUNTERSIGN_TRY(cancelled);
    m_announcer.announce(*cancelled);
    return cancelled;
}

Result<RuntimeRequests::Consumed> RuntimeRequests::consume(const RuntimeIdentity& runtime, const QString& id,
                                                           const QString& payloadSha256, const QString& idempotencyKey)
{
    auto settled = settle(runtime, id, payloadSha256, idempotencyKey);
    COUNTERSIGN_TRY(settled);
    return receipt(*settled);
}

Result<RuntimeRequests::Settled> RuntimeRequests::settle(const RuntimeIdentity& runtime, const QString& id,
                                                         const QString& payloadSha256, const QString& idempotencyKey)
{
    using Kind = Settled::Kind;
    if (idempotencyKey.size() > MAX_IDEMPOTENCY_KEY_CHARS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the Idempotency-Key is at most %1 characters").arg(MAX_IDEMPOTENCY_KEY_CHARS));
    // Only a digest of the key is kept in the consume entry: enough to recognise a retry.
    const QString keyDigest =
        idempotencyKey.isEmpty() ? QString() : QString::fromLatin1(crypto::sha256(idempotencyKey.toUtf8()).toHex());
    const auto sameDigest = [&](const Request& request) {
        return crypto::constantTimeEqual(payloadSha256.toLower().toLatin1(), request.payloadSha256.toLatin1());
    };
    auto outcome = storage::transact(m_store.database(), [&]() -> Result<Settled> {
        auto found = m_queries.own(runtime, id);
        COUNTERSIGN_TRY(found);
        Request request = std::move(*found);
        // The chain, not the request row, says whether the approval was spent: rows put back from
        // an older copy of the vault file must not make it consumable again.
        auto spent = m_log.firstOf(QStringLiteral("request.consumed"), QStringLiteral("request:") + request.id);
        COUNTERSIGN_TRY(spent);
        if (*spent) {
            const QJsonObject details = QJsonDocument::fromJson((*spent)->details).object();
            if (request.state != RequestState::Consumed) {
                qCCritical(lcRequests) << "request" << request.id << "is" << stateName(request.state)
                                       << "but audit entry" << (*spent)->seq
                                       << "consumed it: the vault was rolled back";
                return fail(ErrorCode::AlreadyConsumed,
                            QStringLiteral("request %1 was already consumed (audit entry %2), although its stored "
                                           "state says %3: the vault was restored from an older copy")
                                .arg(request.id)
                                .arg((*spent)->seq)
                                .arg(stateName(request.state)));
            }
            // A retry of the consume that succeeded, whose answer was lost: the same receipt again.
            const QString recordedKey = details.value(QStringLiteral("idempotency_key_sha256")).toString();
            if (!keyDigest.isEmpty() && crypto::constantTimeEqual(keyDigest.toLatin1(), recordedKey.toLatin1()) &&
                sameDigest(request))
                return Settled{std::move(request), Kind::Replay, (*spent)->seq};
            return alreadyConsumed(request);
        }
        const qint64 at = now();
        switch (request.state) {
        case RequestState::Consumed:
            return alreadyConsumed(request);
        case RequestState::Expired:
            return fail(ErrorCode::Expired, QStringLiteral("request %1 has expired").arg(request.id));
        case RequestState::Approved:
            if (request.approvalExpiresAt <= at) {
                auto expired = m_lifecycle.expireIfDue(request, at);
                COUNTERSIGN_TRY(expired);
                return Settled{std::move(request), Kind::Expired, 0}; // commit the expiry, then report it
            }
            break;
        default:
            return fail(ErrorCode::NotApproved,
                        QStringLiteral("request %1 is %2, not approved").arg(request.id, stateName(request.state)));
        }
        if (!sameDigest(request))
            return fail(ErrorCode::DigestMismatch,
                        QStringLiteral("the payload digest does not match the approved payload"));
        const auto [digestName, digest] = m_views.loggedDigest(request);
        QJsonObject details{{digestName, digest}};
        if (!keyDigest.isEmpty())
            details.insert(QStringLiteral("idempotency_key_sha256"), keyDigest);
        auto audited =
            m_lifecycle.apply(request, RequestEvent::Consume, at, audit::Actor::runtime(runtime.name), details);
        if (!audited && audited.error().code == ErrorCode::Conflict)
            return alreadyConsumed(request);
        COUNTERSIGN_TRY(audited);
        return Settled{std::move(request), Kind::Spent, *audited};
    });
    COUNTERSIGN_TRY(outcome);
    if (outcome->kind != Kind::Replay)
        m_announcer.announce(outcome->request);
    return outcome;
}

Result<RuntimeRequests::Consumed> RuntimeRequests::receipt(const Settled& settled)
{
    if (settled.kind == Settled::Kind::Expired)
        return fail(ErrorCode::Expired,
                    QStringLiteral("the approval of request %1 has expired").arg(settled.request.id.left(64)));
    const Request& consumed = settled.request;
    QList<audit::ReceiptIssuer::Approver> approvers;
    for (const Decision& decision : consumed.decisions)
        approvers.append({decision.memberId, decision.memberKey});
    auto issued = m_receipts.issue(claims(consumed, settled.auditSeq), settled.auditSeq, approvers);
    if (!issued) {
        // The consume is committed: the runtime may retry with the same Idempotency-Key for it.
        qCWarning(lcRequests) << "request" << consumed.id << "consumed as entry" << settled.auditSeq
                              << "but its receipt failed:" << issued.error().message;
        return fail(issued.error().code,
                    QStringLiteral("request %1 was consumed (audit entry %2) but its receipt could not be made: %3; "
                                   "retry with the same Idempotency-Key to get it")
                        .arg(consumed.id)
                        .arg(settled.auditSeq)
                        .arg(issued.error().message));
    }
    return Consumed{consumed, std::move(*issued)};
}

QJsonObject RuntimeRequests::claims(const Request& consumed, qint64 auditSeq) const
{
    QJsonArray decisions;
    for (const Decision& decision : consumed.decisions)
        decisions.append(decision.toJson());
    QJsonObject receipt{{QStringLiteral("version"), audit::Receipt::VERSION},
                        {QStringLiteral("request_id"), consumed.id},
                        {QStringLiteral("runtime"), consumed.runtimeName},
                        {QStringLiteral("capability"), consumed.capability},
                        {QStringLiteral("payload_sha256"), consumed.payloadSha256},
                        {QStringLiteral("decisions"), decisions},
                        {QStringLiteral("policy_rule"), consumed.policyRule},
                        {QStringLiteral("consumed_at"), isoTime(consumed.consumedAt)},
                        {QStringLiteral("audit_seq"), auditSeq}};
    // A masked payload's log entries name its view's digest (loggedDigest); the instance's
    // signature over this receipt binds the two.
    if (const auto [digestName, digest] = m_views.loggedDigest(consumed); digestName != u"payload_sha256")
        receipt.insert(digestName, digest);
    return receipt;
}

} // namespace countersign::approvals
