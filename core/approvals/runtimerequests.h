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

    RuntimeRequests(RequestStore& store, RequestLifecycle& lifecycle, RequestQueries& queries,
                    RequestAnnouncer& announcer, audit::AuditLog& log, audit::ReceiptIssuer& receipts,
                    const PayloadViews& views);

    [[nodiscard]] Result<Request> cancel(const RuntimeIdentity& runtime, const QString& id);
    /// Exactly one consume of an approved request with the matching digest succeeds. A retry
    /// carrying the same non-empty \a idempotencyKey as the consume that succeeded gets that
    /// consume's receipt again; any other is AlreadyConsumed.
    [[nodiscard]] Result<Consumed> consume(const RuntimeIdentity& runtime, const QString& id,
                                           const QString& payloadSha256, const QString& idempotencyKey);

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
