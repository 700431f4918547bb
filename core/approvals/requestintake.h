#pragma once

#include "error.h"
#include "request.h"
#include "runtimeidentity.h"

#include <QJsonObject>
#include <QString>

namespace countersign::policy {
class PolicyStore;
}

namespace countersign::approvals {

class PayloadViews;
class RequestAnnouncer;
class RequestLifecycle;
class RequestStore;

/// Taking in a runtime's request: validate() checks everything before storage is touched;
/// create() stores it idempotently under the policy's rule, which may decide it at once.
class RequestIntake final {
public:
    static constexpr qsizetype MAX_PAYLOAD_BYTES = qsizetype{64} * 1024;
    static constexpr qsizetype MAX_SUMMARY_CHARS = 200;
    static constexpr qsizetype MAX_DETAILS_CHARS = 4000;
    static constexpr qsizetype MAX_CONTEXT_KEYS = 16;
    static constexpr qsizetype MAX_CONTEXT_KEY_CHARS = 64;
    static constexpr qsizetype MAX_CONTEXT_VALUE_CHARS = 500;
    static constexpr qsizetype MAX_IDEMPOTENCY_KEY_CHARS = 200;

    /// A stored request, and whether this call created it (false: an idempotent retry).
    struct Created final {
        Request request;
        bool created = false;
    };

    RequestIntake(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                  policy::PolicyStore& policies, const PayloadViews& views);

    /// Everything a creation checks before touching storage: fields, types, sizes, control
    /// characters, the runtime's capability globs; the request as it would be stored (no id,
    /// times or policy yet). Pure, so it can be fuzzed and tested alone.
    [[nodiscard]] static Result<Request> validate(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                  const QString& idempotencyKey);
    /// Validates and stores a request; a retry with the same non-empty \a idempotencyKey and body
    /// returns the original (Conflict with another body).
    [[nodiscard]] Result<Created> create(const RuntimeIdentity& runtime, const QJsonObject& body,
                                         const QString& idempotencyKey);

private:
    RequestStore& m_store;
    RequestLifecycle& m_lifecycle;
    RequestAnnouncer& m_announcer;
    policy::PolicyStore& m_policies;
    const PayloadViews& m_views;
};

} // namespace countersign::approvals
