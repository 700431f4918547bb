#pragma once

#include "error.h"
#include "request.h"
#include "runtimeidentity.h"

#include <QJsonObject>
#include <QString>

namespace countersign::audit {
class AuditLog;
class ReceiptIssuer;
} // namespace countersign::audit

namespace countersign::approvals {

class PayloadViews;
class RequestAnnouncer;
class RequestLifecycle;
class RequestQueries;
class RequestStore;

/// What a runtime does to its own requests after creating them: cancel one still pending, and
/// consume an approval exactly once for the receipt that proves it.
class RuntimeRequests final {
public:
    static constexpr qsizetype MAX_IDEMPOTENCY_KEY_CHARS = 200;

    /// A consume's outcome: the request as consumed and the receipt proving it.
    struct Consumed final {
        Request request;
        QJsonObject receipt;
    };
    /// What a consume's transaction settled, before its receipt is made: the approval spent now,
    /// the replay of the consume that spent it, or an expiry noticed (committed, then reported).
    struct Settled final {
        enum class Kind { Spent, Replay, Expired };
        Request request;
        Kind kind = Kind::Spent;
        qint64 auditSeq = 0; // the consume entry (Spent, Replay)
    };

    RuntimeRequests(RequestStore& store, RequestLifecycle& lifecycle, RequestQueries& queries,
                    RequestAnnouncer& announcer, audit::AuditLog& log, audit::ReceiptIssuer& receipts,
                    const PayloadViews& views);

    [[nodiscard]] Result<Request> cancel(const RuntimeIdentity& runtime, const QString& id);
    /// Exactly one consume of an approved request with the matching digest succeeds. A retry
    /// carrying the same non-empty \a idempotencyKey as the consume that succeeded gets that
    /// consume's receipt again; any other is AlreadyConsumed.
    [[nodiscard]] Result<Consumed> consume(const RuntimeIdentity& runtime, const QString& id,
                                           const QString& payloadSha256, const QString& idempotencyKey);
    /// consume() up to its commit: the conditional state change and its audit entry in one
    /// transaction, or in a savepoint of the caller's (a group commit's).
    [[nodiscard]] Result<Settled> settle(const RuntimeIdentity& runtime, const QString& id,
                                         const QString& payloadSha256, const QString& idempotencyKey);
    /// consume() after its commit: the receipt of what settle() settled, or why there is none.
    /// Call it only once that transaction committed: the receipt's checkpoint must include the
    /// consume entry, and a checkpoint signs committed entries only.
    [[nodiscard]] Result<Consumed> receipt(const Settled& settled);

private:
    /// The receipt's claims about \a consumed (audit::ReceiptIssuer completes and signs them).
    [[nodiscard]] QJsonObject claims(const Request& consumed, qint64 auditSeq) const;

    RequestStore& m_store;
    RequestLifecycle& m_lifecycle;
    RequestQueries& m_queries;
    RequestAnnouncer& m_announcer;
    audit::AuditLog& m_log;
    audit::ReceiptIssuer& m_receipts;
    const PayloadViews& m_views;
};

} // namespace countersign::approvals
