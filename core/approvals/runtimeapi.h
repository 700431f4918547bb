#pragma once

#include "audit/auditproofs.h"
#include "error.h"
#include "request.h"
#include "requestintake.h"
#include "runtimeidentity.h"
#include "runtimerequests.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>

namespace countersign::approvals {

class RequestEvents;
class TeamApi;

/// What the local endpoint may do on behalf of runtimes (docs/runtime-guide.md, "Routes"). The HTTP layer knows
/// the services only through this interface; every rule (validation, ownership, the state
/// machine) lives behind it. It returns domain values; the api layer writes the wire.
class RuntimeApi {
public:
    virtual ~RuntimeApi() = default;

    /// Checks a bearer token (constant-time) and notes the runtime as seen.
    [[nodiscard]] virtual Result<RuntimeIdentity> authenticate(QByteArrayView token) = 0;

    /// Validates (RequestIntake::validate: \a body's fields, read-only or unknown ones are
    /// InvalidArgument) and stores a request; an idempotent retry returns the original request,
    /// not created.
    [[nodiscard]] virtual Result<RequestIntake::Created>
    createRequest(const RuntimeIdentity& runtime, const QJsonObject& body, const QString& idempotencyKey) = 0;
    /// Another runtime's request is NotFound, never PermissionDenied.
    [[nodiscard]] virtual Result<Request> getRequest(const RuntimeIdentity& runtime, const QString& id) = 0;
    /// \a state filters by state name; empty lists all of the runtime's requests.
    [[nodiscard]] virtual Result<QList<Request>> listRequests(const RuntimeIdentity& runtime, const QString& state) = 0;
    [[nodiscard]] virtual Result<Request> cancelRequest(const RuntimeIdentity& runtime, const QString& id) = 0;
    /// Exactly one consume of an approved request with the matching digest succeeds; returns the
    /// request as consumed with its receipt. A retry carrying the same non-empty \a idempotencyKey
    /// as the consume that succeeded (whose answer may have been lost) gets that consume's receipt
    /// again; any other is AlreadyConsumed.
    [[nodiscard]] virtual Result<RuntimeRequests::Consumed> consumeRequest(const RuntimeIdentity& runtime,
                                                                           const QString& id,
                                                                           const QString& payloadSha256,
                                                                           const QString& idempotencyKey = {}) = 0;
    /// consumeRequest() in two steps, for a group commit (submitWrite): the state change and its
    /// audit entry, inside the shared transaction...
    [[nodiscard]] virtual Result<RuntimeRequests::Settled> settleConsume(const RuntimeIdentity& runtime,
                                                                         const QString& id,
                                                                         const QString& payloadSha256,
                                                                         const QString& idempotencyKey) = 0;
    /// ...then, once it committed, the receipt (whose checkpoint must include the consume entry).
    [[nodiscard]] virtual Result<RuntimeRequests::Consumed> consumeReceipt(const RuntimeRequests::Settled& settled) = 0;

    /// The newest signed checkpoint.
    [[nodiscard]] virtual Result<audit::AuditProofs::SignedCheckpoint> auditCheckpoint() = 0;
    /// The inclusion proof of entry \a seq in the tree of \a size entries, with the entry's leaf
    /// hash but never the entry: a runtime may check the chain, not read other parties' entries.
    [[nodiscard]] virtual Result<audit::AuditProofs::Inclusion> auditInclusionProof(qint64 seq, qint64 size) = 0;
    /// The consistency proof from the tree of \a from entries to the one of \a to.
    [[nodiscard]] virtual Result<audit::AuditProofs::Consistency> auditConsistencyProof(qint64 from, qint64 to) = 0;
    /// Appends a security event (authentication failure, lockout) to the audit chain.
    virtual void recordSecurityEvent(const QString& action, const QJsonObject& details) = 0;

    /// Fails (Unavailable, saying why) once the vault behind this API can no longer be written
    /// safely, e.g. its database file was replaced behind this process.
    [[nodiscard]] virtual Result<void> available() = 0;
    /// The member side of the same services, when this instance serves a team; null otherwise.
    [[nodiscard]] virtual TeamApi* team() { return nullptr; }
    /// Creation and state-change notifications, for long-polls.
    [[nodiscard]] virtual RequestEvents& events() = 0;
    /// Runs \a write (a create, consume, cancel or decision with its answer) in one transaction with the
    /// other writes submitted meanwhile, and calls \a done once that transaction is durable or
    /// failed; after a failed commit nothing \a write did remains, so its answer must not be sent.
    virtual void submitWrite(std::function<void()> write, std::function<void(const Result<void>&)> done)
    {
        write();
        done({});
    }
    /// How many transactions submitWrite() has committed; any thread may ask.
    [[nodiscard]] virtual quint64 writeCommits() const { return 0; }
};

} // namespace countersign::approvals
