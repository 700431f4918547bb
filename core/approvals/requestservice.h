#pragma once

#include "decisionstatement.h"
#include "expiryscheduler.h"
#include "payloadview.h"
#include "request.h"
#include "requestdecisions.h"
#include "requestintake.h"
#include "runtimeapi.h"

#include <QObject>
#include <QSqlDatabase>

#include <memory>
#include <optional>

namespace countersign::audit {
class AuditLog;
class AuditProofs;
class CheckpointSigner;
class ReceiptIssuer;
} // namespace countersign::audit
namespace countersign::storage {
class GroupCommit;
}
namespace countersign::crypto {
class ColumnCipher;
class SecureBuffer;
class SigningKey;
} // namespace countersign::crypto
namespace countersign::members {
class Authorizer;
}
namespace countersign::policy {
class PolicyStore;
}

namespace countersign::approvals {

class PayloadViews;
class RequestAnnouncer;
class RequestLifecycle;
class RequestQueries;
class RequestStore;
class RuntimeRegistry;
class RuntimeRequests;

/// The requests of one vault behind one object, for the endpoint (as
/// RuntimeApi), the window and the tools. It only delegates: RequestIntake
/// takes requests in, RequestLifecycle holds the state table, RequestDecisions
/// the quorum and signatures, ExpiryScheduler the deadlines, RequestQueries the
/// reads, RuntimeRequests cancel and consume, RequestStore every SQL statement,
/// and audit::AuditProofs and audit::ReceiptIssuer what outsiders verify. Every
/// member call is checked by the injected members::Authorizer.
///
/// One instance per thread and connection; all instances of an app share one
/// RequestEvents.
class RequestService final : public QObject, public RuntimeApi {
    Q_OBJECT
public:
    static constexpr qsizetype MAX_PAYLOAD_BYTES = RequestIntake::MAX_PAYLOAD_BYTES;
    static constexpr qsizetype MAX_SUMMARY_CHARS = RequestIntake::MAX_SUMMARY_CHARS;
    static constexpr qsizetype MAX_DETAILS_CHARS = RequestIntake::MAX_DETAILS_CHARS;
    static constexpr qsizetype MAX_CONTEXT_KEYS = RequestIntake::MAX_CONTEXT_KEYS;
    static constexpr qsizetype MAX_CONTEXT_KEY_CHARS = RequestIntake::MAX_CONTEXT_KEY_CHARS;
    static constexpr qsizetype MAX_CONTEXT_VALUE_CHARS = RequestIntake::MAX_CONTEXT_VALUE_CHARS;
    static constexpr qsizetype MAX_IDEMPOTENCY_KEY_CHARS = RequestIntake::MAX_IDEMPOTENCY_KEY_CHARS;
    static constexpr qsizetype MAX_REASON_CHARS = RequestDecisions::MAX_REASON_CHARS;
    static constexpr qint64 MAX_CLOCK_SKEW_MS = RequestDecisions::MAX_CLOCK_SKEW_MS;
    static constexpr int MAX_LIFETIME_FACTOR = ExpiryScheduler::MAX_LIFETIME_FACTOR;
    using BulkDenial = RequestDecisions::BulkDenial;

    /// \a authorizer answers for every member call and must outlive the service. A team database
    /// also needs the team's \a cipher, which seals what requests say (RequestStore).
    RequestService(QSqlDatabase db, audit::AuditLog& audit, RuntimeRegistry& runtimes, policy::PolicyStore& policies,
                   RequestEvents& events, const members::Authorizer& authorizer,
                   std::shared_ptr<const crypto::ColumnCipher> cipher = {}, QObject* parent = nullptr);
    ~RequestService() override;

    // RuntimeApi
    [[nodiscard]] Result<RuntimeIdentity> authenticate(QByteArrayView token) override;
    [[nodiscard]] Result<RequestIntake::Created> createRequest(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                               const QString& idempotencyKey) override;
    [[nodiscard]] Result<Request> getRequest(const RuntimeIdentity& runtime, const QString& id) override;
    [[nodiscard]] Result<QList<Request>> listRequests(const RuntimeIdentity& runtime, const QString& state) override;
    [[nodiscard]] Result<Request> cancelRequest(const RuntimeIdentity& runtime, const QString& id) override;
    [[nodiscard]] Result<RuntimeRequests::Consumed> consumeRequest(const RuntimeIdentity& runtime, const QString& id,
                                                                   const QString& payloadSha256,
                                                                   const QString& idempotencyKey = {}) override;
    [[nodiscard]] Result<RuntimeRequests::Settled> settleConsume(const RuntimeIdentity& runtime, const QString& id,
                                                                 const QString& payloadSha256,
                                                                 const QString& idempotencyKey) override;
    [[nodiscard]] Result<RuntimeRequests::Consumed> consumeReceipt(const RuntimeRequests::Settled& settled) override;
    [[nodiscard]] Result<void> available() override;
    [[nodiscard]] Result<audit::AuditProofs::SignedCheckpoint> auditCheckpoint() override;
    [[nodiscard]] Result<audit::AuditProofs::Inclusion> auditInclusionProof(qint64 seq, qint64 size) override;
    [[nodiscard]] Result<audit::AuditProofs::Consistency> auditConsistencyProof(qint64 from, qint64 to) override;
    [[nodiscard]] RequestEvents& events() override;
    void submitWrite(std::function<void()> write, std::function<void(const Result<void>&)> done) override;
    [[nodiscard]] quint64 writeCommits() const override;
    /// auditInclusionProof() plus the entry itself (its canonical encoding), for
    /// member \a memberId if allowed to view the audit chain.
    [[nodiscard]] Result<audit::AuditProofs::Inclusion> auditEntryProof(const QString& memberId, qint64 seq,
                                                                        qint64 size);
    [[nodiscard]] TeamApi* team() override { return m_team; }
    void setTeamApi(TeamApi* team) { m_team = team; }
    void recordSecurityEvent(const QString& action, const QJsonObject& details) override;

    /// Everything a creation checks before touching storage: fields, types,
    /// sizes, control characters, the runtime's capability globs; the request as
    /// it would be stored (no id, times or policy yet). Pure, so it can be fuzzed
    /// and tested alone.
    [[nodiscard]] static Result<Request> validateCreation(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                          const QString& idempotencyKey);

    // The decision API (the window, and later remote members).
    [[nodiscard]] Result<Request> request(const QString& id) const;
    [[nodiscard]] Result<QList<Request>> requestsInState(RequestState state, int limit = 10000) const;
    /// The pending requests, for member \a memberId if allowed to see the queue.
    [[nodiscard]] Result<QList<Request>> queue(const QString& memberId, int limit = 10000) const;
    /// How many members could approve \a request at all: the active members whose
    /// role may decide, less the member the runtime acts for. A quorum above this
    /// can never be met.
    [[nodiscard]] Result<int> possibleApprovers(const Request& request) const;
    /// Decisions of a member whose key this instance holds (the owner, at the
    /// desktop): signed here with that key, then checked like any other. Others:
    /// PermissionDenied.
    [[nodiscard]] Result<Request> approve(const QString& memberId, const QString& id, const QString& reason);
    [[nodiscard]] Result<Request> deny(const QString& memberId, const QString& id, const QString& reason);
    /// Denies each of \a ids as deny() would, one decision and audit entry each;
    /// one refused request (decided meanwhile, expired, a reason missing) does
    /// not stop the others.
    [[nodiscard]] BulkDenial denyAll(const QString& memberId, const QStringList& ids, const QString& reason);
    /// A decision signed on the member's own machine. Refused (and audited as
    /// refused) unless the member may decide, the statement names the request's
    /// payload digest, its time is within MAX_CLOCK_SKEW_MS of this clock, and
    /// the signature verifies with the member's key.
    [[nodiscard]] Result<Request> decideSigned(const DecisionStatement& statement, const QByteArray& signature);
    void setLocalSigningKey(const QString& memberId, std::shared_ptr<const crypto::SigningKey> key);
    /// The key salting the commitments of masked values in payload views
    /// (Vault::viewSaltKey); every service of one vault must hold the same, or
    /// their views differ.
    void setViewSaltKey(const crypto::SecureBuffer& key);
    /// What an approver is shown of \a request's payload and signs (PayloadView).
    [[nodiscard]] PayloadView payloadView(const Request& request) const;
    /// The digest the audit log records for \a request: "payload_sha256", or
    /// "view_sha256" when a value is masked, since an entry a member may read
    /// must not let them test guesses of it.
    [[nodiscard]] std::pair<QString, QString> loggedDigest(const Request& request) const;
    /// Decided, expired, cancelled and consumed requests, newest first, whose id,
    /// runtime, capability, summary or a decision's reason contains \a search
    /// (case-insensitive), for member \a memberId if allowed to see the queue
    /// (the history holds the same payloads).
    [[nodiscard]] Result<QList<Request>> history(const QString& memberId, const QString& search = {},
                                                 int limit = 1000) const;
    /// The payload of request \a id with nothing masked, for a member allowed to
    /// decide it. Every reveal is audited ("request.reveal").
    [[nodiscard]] Result<QByteArray> reveal(const QString& memberId, const QString& id);
    /// The value of one masked field of request \a id's payload (RequestQueries::revealField).
    [[nodiscard]] Result<QJsonValue> revealField(const QString& memberId, const QString& id, const QString& field);
    /// Pushes a pending request's deadline back by \a seconds (audited,
    /// "request.extend"). The policy bounds it: a request lives at most
    /// MAX_LIFETIME_FACTOR times its rule's timeout, and never past
    /// PolicyRule::MAX_SECONDS.
    [[nodiscard]] Result<Request> extend(const QString& memberId, const QString& id, int seconds);
    using ExtensionRoom = ExpiryScheduler::ExtensionRoom;
    /// The ExtensionRoom of \a request as it stands (pass a fresh copy: request()).
    [[nodiscard]] Result<ExtensionRoom> extensionRoom(const Request& request) const;

    /// Expires every pending request past its deadline and every approval past
    /// its validity. Returns how many changed. Runs by itself on a timer when
    /// enabled.
    [[nodiscard]] Result<int> expireDue();
    void setExpiryTimerEnabled(bool enabled);
    /// Signs a checkpoint after every decision and consume, and every 1,000
    /// entries otherwise; receipts carry one. Without a signer, receipts are
    /// unsigned.
    void setCheckpointSigner(audit::CheckpointSigner* signer);

private:
    audit::AuditLog& m_audit;
    RuntimeRegistry& m_runtimes;
    const members::Authorizer& m_authorizer;
    TeamApi* m_team = nullptr;
    std::unique_ptr<RequestStore> m_store;
    std::unique_ptr<PayloadViews> m_views;
    std::unique_ptr<RequestAnnouncer> m_announcer;
    std::unique_ptr<RequestLifecycle> m_lifecycle;
    std::unique_ptr<RequestQueries> m_queries;
    std::unique_ptr<RequestIntake> m_intake;
    std::unique_ptr<RequestDecisions> m_decisions;
    std::unique_ptr<ExpiryScheduler> m_expiry;
    std::unique_ptr<audit::AuditProofs> m_proofs;
    std::unique_ptr<audit::ReceiptIssuer> m_receipts;
    std::unique_ptr<RuntimeRequests> m_runtimeRequests;
    std::unique_ptr<storage::GroupCommit> m_writes;
};

} // namespace countersign::approvals
