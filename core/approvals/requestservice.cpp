#include "requestservice.h"

#include "storage/groupcommit.h"

#include "audit/auditlog.h"
#include "audit/auditproofs.h"
#include "audit/checkpointsigner.h"
#include "audit/receiptissuer.h"
#include "evidence/actor.h"
#include "evidence/checkpoint.h"
#include "members/authorizer.h"
#include "payloadviews.h"
#include "requestannouncer.h"
#include "requestlifecycle.h"
#include "requestqueries.h"
#include "requeststore.h"
#include "runtimeregistry.h"
#include "runtimerequests.h"
#include "storage/execute.h"
#include "storage/transaction.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRequests, "countersign.requests")

namespace countersign::approvals {

RequestService::RequestService(QSqlDatabase db, audit::AuditLog& audit, RuntimeRegistry& runtimes,
                               policy::PolicyStore& policies, RequestEvents& events,
                               const members::Authorizer& authorizer,
                               std::shared_ptr<const crypto::ColumnCipher> cipher, QObject* parent)
    : QObject(parent)
    , m_audit(audit)
    , m_runtimes(runtimes)
    , m_authorizer(authorizer)
    , m_store(std::make_unique<RequestStore>(db, std::move(cipher)))
    , m_views(std::make_unique<PayloadViews>())
    , m_announcer(std::make_unique<RequestAnnouncer>(db, events))
    , m_lifecycle(std::make_unique<RequestLifecycle>(*m_store, audit))
    , m_queries(std::make_unique<RequestQueries>(*m_store, *m_lifecycle, *m_announcer, authorizer))
    , m_intake(std::make_unique<RequestIntake>(*m_store, *m_lifecycle, *m_announcer, policies, *m_views))
    , m_decisions(std::make_unique<RequestDecisions>(*m_store, *m_lifecycle, *m_announcer, audit, *m_views, authorizer))
    , m_expiry(std::make_unique<ExpiryScheduler>(*m_store, *m_lifecycle, *m_announcer, policies, authorizer))
    , m_proofs(std::make_unique<audit::AuditProofs>(audit, nullptr))
    , m_receipts(std::make_unique<audit::ReceiptIssuer>(audit, nullptr))
    , m_runtimeRequests(std::make_unique<RuntimeRequests>(*m_store, *m_lifecycle, *m_queries, *m_announcer, audit,
                                                          *m_receipts, *m_views))
    , m_writes(std::make_unique<storage::GroupCommit>(db))
{
    m_announcer->setDeadlinesChanged([this] { m_expiry->schedule(); });
}

RequestService::~RequestService() = default;

void RequestService::setCheckpointSigner(audit::CheckpointSigner* signer)
{
    m_announcer->setCheckpointSigner(signer);
    m_proofs->setSigner(signer);
    m_receipts->setSigner(signer);
    m_decisions->setInstanceName(signer ? audit::Checkpoint::originFor(signer->publicKey()) : QString());
}

RequestEvents& RequestService::events()
{
    return m_announcer->events();
}

void RequestService::submitWrite(std::function<void()> write, std::function<void(const Result<void>&)> done)
{
    m_writes->submit(std::move(write), std::move(done));
}

quint64 RequestService::writeCommits() const
{
    return m_writes->commits();
}

Result<RuntimeIdentity> RequestService::authenticate(QByteArrayView token)
{
    return m_runtimes.authenticate(token);
}

Result<RequestIntake::Created> RequestService::createRequest(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                             const QString& idempotencyKey)
{
    return m_intake->create(runtime, body, idempotencyKey);
}

Result<Request> RequestService::getRequest(const RuntimeIdentity& runtime, const QString& id)
{
    return m_queries->ownCurrent(runtime, id);
}

Result<QList<Request>> RequestService::listRequests(const RuntimeIdentity& runtime, const QString& state)
{
    COUNTERSIGN_TRY(RequestQueries::checkStateFilter(state));
    (void)m_expiry->expireDue(); // the list shows what is due as expired
    return m_queries->ownList(runtime, state);
}

Result<Request> RequestService::cancelRequest(const RuntimeIdentity& runtime, const QString& id)
{
    return m_runtimeRequests->cancel(runtime, id);
}

Result<RuntimeRequests::Consumed> RequestService::consumeRequest(const RuntimeIdentity& runtime, const QString& id,
                                                                 const QString& payloadSha256,
                                                                 const QString& idempotencyKey)
{
    return m_runtimeRequests->consume(runtime, id, payloadSha256, idempotencyKey);
}

Result<RuntimeRequests::Settled> RequestService::settleConsume(const RuntimeIdentity& runtime, const QString& id,
                                                               const QString& payloadSha256,
                                                               const QString& idempotencyKey)
{
    return m_runtimeRequests->settle(runtime, id, payloadSha256, idempotencyKey);
}

Result<RuntimeRequests::Consumed> RequestService::consumeReceipt(const RuntimeRequests::Settled& settled)
{
    return m_runtimeRequests->receipt(settled);
}

Result<void> RequestService::available()
{
    COUNTERSIGN_TRY(storage::checkDatabaseFile(m_store->database()));
    // A team node whose database went away serves again once it is back: each request asks for a
    // new session (with backoff) and is answered 503 meanwhile, never refused for good.
    QSqlDatabase db = m_store->database();
    (void)storage::reconnectIfLost(db);
    return {};
}

Result<audit::AuditProofs::SignedCheckpoint> RequestService::auditCheckpoint()
{
    return m_proofs->checkpoint();
}

Result<audit::AuditProofs::Inclusion> RequestService::auditInclusionProof(qint64 seq, qint64 size)
{
    return m_proofs->inclusion(seq, size, false);
}

Result<audit::AuditProofs::Consistency> RequestService::auditConsistencyProof(qint64 from, qint64 to)
{
    return m_proofs->consistency(from, to);
}

Result<audit::AuditProofs::Inclusion> RequestService::auditEntryProof(const QString& memberId, qint64 seq, qint64 size)
{
    COUNTERSIGN_TRY(m_authorizer.authorize(audit::Actor::member(memberId), members::Permission::ViewAudit));
    return m_proofs->inclusion(seq, size, true);
}

void RequestService::recordSecurityEvent(const QString& action, const QJsonObject& details)
{
    if (auto appended =
            m_audit.append({audit::Actor::system().toString(), action, QStringLiteral("endpoint"), details});
        !appended)
        qCWarning(lcRequests) << "cannot audit" << action << appended.error().message;
    m_announcer->checkpoint(false);
}

Result<Request> RequestService::validateCreation(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                 const QString& idempotencyKey)
{
    return RequestIntake::validate(runtime, body, idempotencyKey);
}

Result<Request> RequestService::request(const QString& id) const
{
    return m_queries->request(audit::Actor::system(), id);
}

Result<QList<Request>> RequestService::requestsInState(RequestState state, int limit) const
{
    return m_queries->inState(audit::Actor::system(), state, limit);
}

Result<QList<Request>> RequestService::queue(const QString& memberId, int limit) const
{
    return m_queries->queue(audit::Actor::member(memberId), limit);
}

Result<QList<Request>> RequestService::history(const QString& memberId, const QString& search, int limit) const
{
    return m_queries->history(audit::Actor::member(memberId), search, limit);
}

Result<QByteArray> RequestService::reveal(const QString& memberId, const QString& id)
{
    return m_queries->reveal(audit::Actor::member(memberId), id);
}

Result<QJsonValue> RequestService::revealField(const QString& memberId, const QString& id, const QString& field)
{
    return m_queries->revealField(audit::Actor::member(memberId), id, field);
}

Result<int> RequestService::possibleApprovers(const Request& request) const
{
    return m_decisions->possibleApprovers(request);
}

Result<Request> RequestService::approve(const QString& memberId, const QString& id, const QString& reason)
{
    return m_decisions->decideLocally(memberId, id, true, reason);
}

Result<Request> RequestService::deny(const QString& memberId, const QString& id, const QString& reason)
{
    return m_decisions->decideLocally(memberId, id, false, reason);
}

RequestService::BulkDenial RequestService::denyAll(const QString& memberId, const QStringList& ids,
                                                   const QString& reason)
{
    return m_decisions->denyAll(memberId, ids, reason);
}

Result<Request> RequestService::decideSigned(const DecisionStatement& statement, const QByteArray& signature)
{
    return m_decisions->decideSigned(statement, signature);
}

void RequestService::setLocalSigningKey(const QString& memberId, std::shared_ptr<const crypto::SigningKey> key)
{
    m_decisions->setLocalSigningKey(memberId, std::move(key));
}

void RequestService::setViewSaltKey(const crypto::SecureBuffer& key)
{
    m_views->setKey(key);
}

PayloadView RequestService::payloadView(const Request& request) const
{
    return m_views->of(request);
}

std::pair<QString, QString> RequestService::loggedDigest(const Request& request) const
{
    return m_views->loggedDigest(request);
}

Result<Request> RequestService::extend(const QString& memberId, const QString& id, int seconds)
{
    return m_expiry->extend(audit::Actor::member(memberId), id, seconds);
}

Result<RequestService::ExtensionRoom> RequestService::extensionRoom(const Request& request) const
{
    return m_expiry->extensionRoom(request);
}

Result<int> RequestService::expireDue()
{
    return m_expiry->expireDue();
}

void RequestService::setExpiryTimerEnabled(bool enabled)
{
    m_expiry->setEnabled(enabled);
}

} // namespace countersign::approvals
