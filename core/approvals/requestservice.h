#pragma once

#include "audit/auditentry.h"
#include "decisionstatement.h"
#include "members/permissions.h"
#include "payloadview.h"
#include "request.h"
#include "runtimeapi.h"

#include <QHash>
#include <QObject>
#include <QSqlDatabase>
#include <QTimer>

#include <memory>
#include <optional>

namespace countersign::audit {
class AuditLog;
class AuditTree;
class CheckpointSigner;
} // namespace countersign::audit
namespace countersign::crypto {
class HmacSha256;
class SecureBuffer;
class SigningKey;
} // namespace countersign::crypto
namespace countersign::policy {
class PolicyStore;
}

namespace countersign::approvals {

class RequestStore;
class RuntimeRegistry;

/// Requests and their state machine (SPEC section 2): creation with validation and
/// idempotency, quorum decisions, expiry on time, cancel, and exactly-once consume.
/// Every transition happens inside one write transaction together with its audit entry.
///
/// One instance per thread and connection; all instances of an app share one RequestEvents.
class RequestService final : public QObject, public RuntimeApi {
    Q_OBJECT
public:
    static constexpr qsizetype MAX_PAYLOAD_BYTES = qsizetype{64} * 1024;
    static constexpr qsizetype MAX_SUMMARY_CHARS = 200;
    static constexpr qsizetype MAX_DETAILS_CHARS = 4000;
    static constexpr qsizetype MAX_CONTEXT_KEYS = 16;
    static constexpr qsizetype MAX_CONTEXT_KEY_CHARS = 64;
    static constexpr qsizetype MAX_CONTEXT_VALUE_CHARS = 500;
    static constexpr qsizetype MAX_IDEMPOTENCY_KEY_CHARS = 200;
    static constexpr qsizetype MAX_REASON_CHARS = 1000;

    RequestService(QSqlDatabase db, audit::AuditLog& audit, RuntimeRegistry& runtimes, policy::PolicyStore& policies,
                   RequestEvents& events, QObject* parent = nullptr);
    ~RequestService() override;

    // RuntimeApi
    [[nodiscard]] Result<RuntimeIdentity> authenticate(QByteArrayView token) override;
    [[nodiscard]] Result<QJsonObject> createRequest(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                    const QString& idempotencyKey, bool& created) override;
    [[nodiscard]] Result<QJsonObject> getRequest(const RuntimeIdentity& runtime, const QString& id) override;
    [[nodiscard]] Result<QJsonArray> listRequests(const RuntimeIdentity& runtime, const QString& state) override;
    [[nodiscard]] Result<QJsonObject> cancelRequest(const RuntimeIdentity& runtime, const QString& id) override;
    [[nodiscard]] Result<QJsonObject> consumeRequest(const RuntimeIdentity& runtime, const QString& id,
                                                     const QString& payloadSha256,
                                                     const QString& idempotencyKey = {}) override;
    [[nodiscard]] Result<void> available() override;
    [[nodiscard]] QJsonObject health() override;
    [[nodiscard]] Result<QJsonObject> auditCheckpoint() override;
    [[nodiscard]] Result<QJsonObject> auditInclusionProof(qint64 seq, qint64 size) override;
    [[nodiscard]] Result<QJsonObject> auditConsistencyProof(qint64 from, qint64 to) override;
    [[nodiscard]] RequestEvents& events() override { return m_events; }
    /// auditInclusionProof() plus the entry itself ("entry", its canonical encoding), for member
    /// \a memberId if allowed to view the audit chain.
    [[nodiscard]] Result<QJsonObject> auditEntryProof(const QString& memberId, qint64 seq, qint64 size);
    [[nodiscard]] TeamApi* team() override { return m_team; }
    void setTeamApi(TeamApi* team) { m_team = team; }
    void recordSecurityEvent(const QString& action, const QJsonObject& details) override;

    /// Everything a creation checks before touching storage: fields, types, sizes, control
    /// characters, the runtime's capability globs; the request as it would be stored (no id,
    /// times or policy yet). Pure, so it can be fuzzed and tested alone.
    [[nodiscard]] static Result<Request> validateCreation(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                          const QString& idempotencyKey);

    // The decision API (the window, and later remote members).
    [[nodiscard]] Result<Request> request(const QString& id) const;
    [[nodiscard]] Result<QList<Request>> requestsInState(RequestState state, int limit = 10000) const;
    /// The pending requests, for member \a memberId if allowed to see the queue.
    [[nodiscard]] Result<QList<Request>> queue(const QString& memberId, int limit = 10000) const;
    /// How many members could approve \a request at all: the active members whose role may
    /// decide, less the member the runtime acts for. A quorum above this can never be met.
    [[nodiscard]] Result<int> possibleApprovers(const Request& request) const;
    /// Decisions of a member whose key this instance holds (the owner, at the desktop): signed
    /// here with that key, then checked like any other. Others: PermissionDenied.
    [[nodiscard]] Result<Request> approve(const QString& memberId, const QString& id, const QString& reason);
    [[nodiscard]] Result<Request> deny(const QString& memberId, const QString& id, const QString& reason);
    /// What denying several requests at once did: which were denied (and how many of those
    /// were critical or high risk), and which were not, with why.
    struct BulkDenial final {
        QStringList denied;
        int criticalDenied = 0;
        int highDenied = 0;
        QList<std::pair<QString, Error>> refused; // request id, why
    };
    /// Denies each of \a ids as deny() would, one decision and audit entry each; one refused
    /// request (decided meanwhile, expired, a reason missing) does not stop the others.
    [[nodiscard]] BulkDenial denyAll(const QString& memberId, const QStringList& ids, const QString& reason);
    /// A decision signed on the member's own machine. Refused (and audited as refused) unless the
    /// member may decide, the statement names the request's payload digest, its time is within
    /// MAX_CLOCK_SKEW_MS of this clock, and the signature verifies with the member's key.
    [[nodiscard]] Result<Request> decideSigned(const DecisionStatement& statement, const QByteArray& signature);
    void setLocalSigningKey(const QString& memberId, std::shared_ptr<const crypto::SigningKey> key);
    /// The key salting the commitments of masked values in payload views (Vault::viewSaltKey);
    /// every service of one vault must hold the same, or their views differ.
    void setViewSaltKey(const crypto::SecureBuffer& key);
    /// What an approver is shown of \a request's payload and signs (PayloadView).
    [[nodiscard]] PayloadView payloadView(const Request& request) const;
    /// The digest the audit log records for \a request: "payload_sha256", or "view_sha256" when
    /// a value is masked, since an entry a member may read must not let them test guesses of it.
    [[nodiscard]] std::pair<QString, QString> loggedDigest(const Request& request) const;
    static constexpr qint64 MAX_CLOCK_SKEW_MS = qint64{5} * 60 * 1000;
    /// Decided, expired, cancelled and consumed requests, newest first, whose id, runtime,
    /// capability, summary or a decision's reason contains \a search (case-insensitive), for
    /// member \a memberId if allowed to see the queue (the history holds the same payloads).
    [[nodiscard]] Result<QList<Request>> history(const QString& memberId, const QString& search = {},
                                                 int limit = 1000) const;
    /// The payload of request \a id with nothing masked, for a member allowed to decide it.
    /// Every reveal is audited ("request.reveal").
    [[nodiscard]] Result<QByteArray> reveal(const QString& memberId, const QString& id);
    /// The value of one masked field of request \a id's payload, \a field a JSON Pointer that
    /// SecretMasking::secretFields() names (any other is InvalidArgument: what is not masked is
    /// shown anyway), for a member allowed to decide it. Audited ("request.reveal", "field").
    [[nodiscard]] Result<QJsonValue> revealField(const QString& memberId, const QString& id, const QString& field);
    /// Pushes a pending request's deadline back by \a seconds (audited, "request.extend").
    /// The policy bounds it: a request lives at most MAX_LIFETIME_FACTOR times its rule's
    /// timeout, and never past PolicyRule::MAX_SECONDS.
    [[nodiscard]] Result<Request> extend(const QString& memberId, const QString& id, int seconds);
    static constexpr int MAX_LIFETIME_FACTOR = 4;
    /// How much longer a request may be made to wait: the longest its policy lets it live in all
    /// (extend()'s bound), and how far its deadline may still move. No room once the deadline
    /// sits at that bound, or when the request no longer waits.
    struct ExtensionRoom final {
        qint64 lifetimeMs = 0; // from creation to the latest deadline the policy allows
        qint64 roomMs = 0;     // how far the deadline may still move now
    };
    /// The ExtensionRoom of \a request as it stands (pass a fresh copy: request()).
    [[nodiscard]] Result<ExtensionRoom> extensionRoom(const Request& request) const;

    /// Expires every pending request past its deadline and every approval past its validity.
    /// Returns how many changed. Runs by itself on a timer when enabled.
    [[nodiscard]] Result<int> expireDue();
    void setExpiryTimerEnabled(bool enabled);
    /// Signs a checkpoint after every decision and consume, and every 1,000 entries otherwise;
    /// receipts carry one. Without a signer, receipts are unsigned.
    void setCheckpointSigner(audit::CheckpointSigner* signer) { m_checkpoints = signer; }

private:
    [[nodiscard]] Result<Request> create(const RuntimeIdentity& runtime, const QJsonObject& body,
                                         const QString& idempotencyKey, bool& created);
    [[nodiscard]] Result<Request> decide(const DecisionStatement& statement, const QByteArray& signature);
    /// How many approvals of request \a requestId count towards its quorum: those of members
    /// still active and still allowed to decide.
    [[nodiscard]] Result<int> countedApprovals(const QString& requestId) const;
    [[nodiscard]] Result<Request> decideLocally(const QString& memberId, const QString& id, bool approve,
                                                const QString& reason);
    /// Active member \a memberId, if the permission table allows them \a permission
    /// (MemberService::authorizeActor); PermissionDenied otherwise.
    [[nodiscard]] Result<void> authorizeMember(const QString& memberId, members::Permission permission) const;
    /// The runtime's own request by id; another runtime's is NotFound.
    [[nodiscard]] Result<Request> findOwn(const RuntimeIdentity& runtime, const QString& id);
    [[nodiscard]] Result<Request> ownRequest(const RuntimeIdentity& runtime, const QString& id);
    [[nodiscard]] Result<void> expireIfDue(Request& request, qint64 now);
    [[nodiscard]] Result<void> setState(Request& request, RequestState state, qint64 now);
    /// setState() plus its audit entry; returns the entry's sequence number.
    [[nodiscard]] Result<qint64> transition(Request& request, RequestState state, qint64 at, const QString& actor,
                                            QJsonObject details = {});
    [[nodiscard]] Result<qint64> audit(const QString& actor, const QString& action, const Request& request,
                                       QJsonObject details = {});
    void scheduleExpiry();
    void announce(const Request& request, bool created = false);
    /// After a committed change: a checkpoint now (\a force) or when one is due.
    void checkpoint(bool force);
    /// This instance's origin, which decision statements name.
    [[nodiscard]] QString instanceName() const;
    [[nodiscard]] Result<QJsonObject> receipt(const Request& consumed, qint64 auditSeq);
    /// The audit entry that registered the key \a decision was signed with, if the log holds one.
    [[nodiscard]] Result<std::optional<audit::AuditEntry>> keyEntry(const Decision& decision) const;
    /// The vault's audit tree and how many leaves it holds (Unavailable on older schemas).
    [[nodiscard]] Result<std::pair<audit::AuditTree*, quint64>> storedTree();
    [[nodiscard]] Result<QJsonObject> inclusionProof(qint64 seq, qint64 size, bool withEntry);

    QSqlDatabase m_db;
    audit::AuditLog& m_audit;
    RuntimeRegistry& m_runtimes;
    policy::PolicyStore& m_policies;
    RequestEvents& m_events;
    std::unique_ptr<RequestStore> m_store;
    QTimer m_expiryTimer;
    bool m_expiryEnabled = false;
    audit::CheckpointSigner* m_checkpoints = nullptr;
    TeamApi* m_team = nullptr;
    QHash<QString, std::shared_ptr<const crypto::SigningKey>> m_localKeys;
    std::unique_ptr<crypto::HmacSha256> m_viewSalts;
};

} // namespace countersign::approvals
