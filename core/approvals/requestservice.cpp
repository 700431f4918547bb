#include "requestservice.h"

#include "audit/auditlog.h"
#include "audit/audittree.h"
#include "audit/checkpointsigner.h"
#include "audit/merkle.h"
#include "audit/receipt.h"
#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "crypto/securebuffer.h"
#include "crypto/signingkey.h"
#include "json/canonicaljson.h"
#include "json/fields.h"
#include "members/memberservice.h"
#include "members/permissions.h"
#include "policy/capabilityglob.h"
#include "policy/policystore.h"
#include "requestevents.h"
#include "requeststore.h"
#include "runtimeregistry.h"
#include "secretmasking.h"
#include "storage/transaction.h"
#include "text/plaintext.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>

#include <cstdlib>

Q_LOGGING_CATEGORY(lcRequests, "countersign.requests")

namespace countersign::approvals {

namespace {

constexpr qsizetype REQUEST_ID_BYTES = 16; // 128 random bits: ids are unguessable as well as unique
constexpr int MAX_TIMER_MS = 60'000;       // re-check at least this often (other processes may write)

const QSet<QString> WRITABLE_FIELDS{QStringLiteral("capability"), QStringLiteral("summary"), QStringLiteral("details"),
                                    QStringLiteral("payload"),    QStringLiteral("risk"),    QStringLiteral("context")};
const QSet<QString> READ_ONLY_FIELDS{QStringLiteral("id"),
                                     QStringLiteral("state"),
                                     QStringLiteral("runtime"),
                                     QStringLiteral("created_at"),
                                     QStringLiteral("expires_at"),
                                     QStringLiteral("decided_at"),
                                     QStringLiteral("consumed_at"),
                                     QStringLiteral("payload_sha256"),
                                     QStringLiteral("decisions"),
                                     QStringLiteral("approvals"),
                                     QStringLiteral("required_approvals"),
                                     QStringLiteral("policy_rule"),
                                     QStringLiteral("requested_risk")};

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool hasControlCharacters(const QString& text, bool allowNewlines)
{
    // Bidirectional overrides are refused like control characters: a summary that reads "deploy
    // staging" must not hold "production".
    return !text::isPlainText(text, allowNewlines);
}

} // namespace

RequestService::RequestService(QSqlDatabase db, audit::AuditLog& audit, RuntimeRegistry& runtimes,
                               policy::PolicyStore& policies, RequestEvents& events, QObject* parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_audit(audit)
    , m_runtimes(runtimes)
    , m_policies(policies)
    , m_events(events)
    , m_store(std::make_unique<RequestStore>(m_db))
{
    // Until the vault's key is set, a random one: views stay salted, if not stable.
    QByteArray random = crypto::randomBytes(crypto::SHA256_SIZE);
    m_viewSalts = std::make_unique<crypto::HmacSha256>(crypto::SecureBuffer::takeFrom(random));
    m_expiryTimer.setSingleShot(true);
    m_expiryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_expiryTimer, &QTimer::timeout, this, [this] {
        if (auto expired = expireDue(); !expired) {
            qCWarning(lcRequests) << "expiry failed:" << expired.error().message;
            if (expired.error().code == ErrorCode::Unavailable)
                return; // the database file is gone; retrying at once would only spin
        }
        scheduleExpiry();
    });
}

RequestService::~RequestService() = default;

void RequestService::setExpiryTimerEnabled(bool enabled)
{
    m_expiryEnabled = enabled;
    if (enabled) {
        (void)expireDue();
        scheduleExpiry();
    } else {
        m_expiryTimer.stop();
    }
}

void RequestService::scheduleExpiry()
{
    if (!m_expiryEnabled)
        return;
    const auto deadline = m_store->nextDeadline();
    const qint64 next = deadline && *deadline ? **deadline : 0;
    const qint64 delay = next > 0 ? std::clamp<qint64>(next - now(), 0, MAX_TIMER_MS) : MAX_TIMER_MS;
    m_expiryTimer.start(static_cast<int>(delay));
}

void RequestService::announce(const Request& request, bool created)
{
    if (created)
        Q_EMIT m_events.requestCreated(request.id);
    Q_EMIT m_events.requestChanged(request.id, stateName(request.state));
    if (created || request.state == RequestState::Approved)
        scheduleExpiry();
    checkpoint(false);
}

void RequestService::checkpoint(bool force)
{
    if (!m_checkpoints)
        return;
    // Only committed entries are ever signed: inside a caller's transaction, wait.
    if (storage::inTransaction(m_db))
        return;
    if (force) {
        if (auto signedNow = m_checkpoints->sign(); !signedNow)
            qCWarning(lcRequests) << "checkpoint refused:" << signedNow.error().message;
    } else if (auto due = m_checkpoints->signIfDue(); !due) {
        qCWarning(lcRequests) << "checkpoint refused:" << due.error().message;
    }
}

namespace {

QJsonArray base64List(const QList<QByteArray>& hashes)
{
    QJsonArray list;
    for (const QByteArray& hash : hashes)
        list.append(QString::fromLatin1(hash.toBase64()));
    return list;
}

} // namespace

Result<QJsonObject> RequestService::auditCheckpoint()
{
    if (!m_checkpoints)
        return fail(ErrorCode::Unavailable, QStringLiteral("checkpoints are not available"));
    auto latest = m_checkpoints->latest();
    if (!latest)
        return std::unexpected(latest.error());
    std::optional<audit::Checkpoint> newest = std::move(*latest);
    if (!newest) {
        auto signedNow = m_checkpoints->sign();
        if (!signedNow)
            return std::unexpected(signedNow.error());
        newest = std::move(*signedNow);
    }
    return QJsonObject{{QStringLiteral("checkpoint"), QString::fromUtf8(newest->note)},
                       {QStringLiteral("size"), static_cast<qint64>(newest->size)},
                       {QStringLiteral("root"), QString::fromLatin1(newest->root.toBase64())},
                       {QStringLiteral("public_key"), QString::fromLatin1(m_checkpoints->publicKey().toBase64())}};
}

Result<std::pair<audit::AuditTree*, quint64>> RequestService::storedTree()
{
    audit::AuditTree* tree = m_audit.tree();
    if (!tree)
        return fail(ErrorCode::Unavailable, QStringLiteral("this vault has no audit tree"));
    auto size = tree->size();
    if (!size)
        return std::unexpected(size.error());
    return std::pair(tree, *size);
}

Result<QJsonObject> RequestService::auditInclusionProof(qint64 seq, qint64 size)
{
    return inclusionProof(seq, size, false);
}

Result<QJsonObject> RequestService::auditEntryProof(const QString& memberId, qint64 seq, qint64 size)
{
    if (auto allowed = authorizeMember(memberId, members::Permission::ViewAudit); !allowed)
        return std::unexpected(allowed.error());
    return inclusionProof(seq, size, true);
}

Result<QJsonObject> RequestService::inclusionProof(qint64 seq, qint64 size, bool withEntry)
{
    auto stored = storedTree();
    if (!stored)
        return std::unexpected(stored.error());
    const auto [tree, storedSize] = *stored;
    if (size <= 0 || seq < 1 || seq > size || static_cast<quint64>(size) > storedSize)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("seq is 1 to size, and size at most %1").arg(storedSize));
    auto proof = tree->proofs().inclusionProof(static_cast<quint64>(seq - 1), static_cast<quint64>(size));
    if (!proof)
        return std::unexpected(proof.error());
    auto entry = m_audit.entries(seq, 1);
    if (!entry || entry->isEmpty())
        return fail(ErrorCode::Storage, QStringLiteral("entry %1 cannot be read").arg(seq));
    const QByteArray encoding = entry->first().canonicalEncoding();
    QJsonObject answer{{QStringLiteral("seq"), seq},
                       {QStringLiteral("leaf_index"), seq - 1},
                       {QStringLiteral("tree_size"), size},
                       {QStringLiteral("leaf_hash"), QString::fromLatin1(audit::merkle::leafHash(encoding).toBase64())},
                       {QStringLiteral("proof"), base64List(*proof)}};
    if (withEntry)
        answer.insert(QStringLiteral("entry"), QString::fromLatin1(encoding.toBase64()));
    return answer;
}

Result<QJsonObject> RequestService::auditConsistencyProof(qint64 from, qint64 to)
{
    auto stored = storedTree();
    if (!stored)
        return std::unexpected(stored.error());
    const auto [tree, storedSize] = *stored;
    if (from < 1 || from > to || static_cast<quint64>(to) > storedSize)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("from is 1 to to, and to at most %1").arg(storedSize));
    auto proof = tree->proofs().consistencyProof(static_cast<quint64>(from), static_cast<quint64>(to));
    if (!proof)
        return std::unexpected(proof.error());
    return QJsonObject{
        {QStringLiteral("from"), from}, {QStringLiteral("to"), to}, {QStringLiteral("proof"), base64List(*proof)}};
}

Result<std::optional<audit::AuditEntry>> RequestService::keyEntry(const Decision& decision) const
{
    // The entry that put this key in the members table: the owner's key is made with the vault,
    // every other member's is added when they join.
    for (const QString& action : audit::Receipt::KEY_ACTIONS) {
        auto found = m_audit.firstOf(action, QStringLiteral("member:") + decision.memberId);
        if (!found)
            return std::unexpected(found.error());
        if (*found && audit::Receipt::keyOf(**found) == decision.memberKey)
            return found;
    }
    return std::optional<audit::AuditEntry>();
}

QString RequestService::instanceName() const
{
    return m_checkpoints ? audit::Checkpoint::originFor(m_checkpoints->publicKey()) : QString();
}

Result<QJsonObject> RequestService::receipt(const Request& consumed, qint64 auditSeq)
{
    QJsonArray decisions;
    for (const Decision& decision : consumed.decisions)
        decisions.append(decision.toJson());
    const QJsonObject wire = consumed.toJson();
    QJsonObject receipt{{QStringLiteral("version"), audit::Receipt::VERSION},
                        {QStringLiteral("request_id"), consumed.id},
                        {QStringLiteral("runtime"), consumed.runtimeName},
                        {QStringLiteral("capability"), consumed.capability},
                        {QStringLiteral("payload_sha256"), consumed.payloadSha256},
                        {QStringLiteral("decisions"), decisions},
                        {QStringLiteral("policy_rule"), consumed.policyRule},
                        {QStringLiteral("consumed_at"), wire.value(QStringLiteral("consumed_at"))},
                        {QStringLiteral("audit_seq"), auditSeq}};
    // A masked payload's log entries name its view's digest (loggedDigest); the instance's
    // signature over this receipt binds the two.
    if (const auto [digestName, digest] = loggedDigest(consumed); digestName != u"payload_sha256")
        receipt.insert(digestName, digest);
    if (!m_checkpoints)
        return receipt;
    // The consume entry, a checkpoint that includes it, and the proof that it does.
    auto entry = m_audit.entries(auditSeq, 1);
    if (!entry || entry->isEmpty())
        return fail(ErrorCode::Storage, QStringLiteral("the consume entry %1 cannot be read").arg(auditSeq));
    auto signedNow = m_checkpoints->sign();
    if (!signedNow)
        return std::unexpected(signedNow.error());
    audit::AuditTree* tree = m_audit.tree();
    if (!tree)
        return fail(ErrorCode::UnsupportedSchema, QStringLiteral("this vault's schema has no audit tree"));
    auto proof = tree->proofs().inclusionProof(static_cast<quint64>(auditSeq - 1), signedNow->size);
    if (!proof)
        return std::unexpected(proof.error());
    const QJsonArray path = base64List(*proof);
    // Each approver's key, proven by the log: the entry that registered it and its inclusion in
    // the same checkpoint. A receipt cannot name a key the instance's log never held.
    for (qsizetype i = 0; i < consumed.decisions.size(); ++i) {
        auto registered = keyEntry(consumed.decisions.at(i));
        if (!registered)
            return std::unexpected(registered.error());
        if (!*registered) {
            // Not made up here: the receipt says nothing of this key, and does not verify.
            qCWarning(lcRequests) << "the log holds no entry registering the key of"
                                  << consumed.decisions.at(i).memberId;
            continue;
        }
        auto keyProof = tree->proofs().inclusionProof(static_cast<quint64>((*registered)->seq - 1), signedNow->size);
        if (!keyProof)
            return std::unexpected(keyProof.error());
        QJsonObject decision = decisions.at(i).toObject();
        decision.insert(QStringLiteral("key_entry"),
                        QString::fromLatin1((*registered)->canonicalEncoding().toBase64()));
        decision.insert(QStringLiteral("key_inclusion_proof"), base64List(*keyProof));
        decisions.replace(i, decision);
    }
    receipt.insert(QStringLiteral("decisions"), decisions);
    receipt.insert(QStringLiteral("audit_entry"), QString::fromLatin1(entry->first().canonicalEncoding().toBase64()));
    receipt.insert(QStringLiteral("checkpoint"), QString::fromUtf8(signedNow->note));
    receipt.insert(QStringLiteral("inclusion_proof"), path);
    receipt.insert(QStringLiteral("public_key"), QString::fromLatin1(m_checkpoints->publicKey().toBase64()));
    receipt.insert(QStringLiteral("signature"), QString::fromLatin1(m_checkpoints->signReceipt(receipt).toBase64()));
    return receipt;
}

Result<qint64> RequestService::audit(const QString& actor, const QString& action, const Request& request,
                                     QJsonObject details)
{
    details.insert(QStringLiteral("state"), stateName(request.state));
    details.insert(QStringLiteral("capability"), request.capability);
    details.insert(QStringLiteral("runtime"), request.runtimeName);
    return m_audit.append({actor, action, QStringLiteral("request:") + request.id, details});
}

Result<RuntimeIdentity> RequestService::authenticate(QByteArrayView token)
{
    return m_runtimes.authenticate(token);
}

void RequestService::recordSecurityEvent(const QString& action, const QJsonObject& details)
{
    if (auto appended = m_audit.append({audit::AuditLog::SYSTEM_ACTOR, action, QStringLiteral("endpoint"), details});
        !appended)
        qCWarning(lcRequests) << "cannot audit" << action << appended.error().message;
    checkpoint(false);
}

Result<void> RequestService::available()
{
    return storage::checkDatabaseFile(m_db);
}

QJsonObject RequestService::health()
{
    return QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                       {QStringLiteral("version"), QStringLiteral(COUNTERSIGN_VERSION)},
                       {QStringLiteral("vault"), QStringLiteral("unlocked")}};
}

Result<Request> RequestService::validateCreation(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                 const QString& idempotencyKey)
{
    const json::Fields fields(body);
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (READ_ONLY_FIELDS.contains(it.key()))
            return fail(ErrorCode::InvalidArgument, QStringLiteral("field '%1' is read-only").arg(it.key()));
        if (!WRITABLE_FIELDS.contains(it.key()))
            return fail(ErrorCode::InvalidArgument, QStringLiteral("unknown field '%1'").arg(it.key().left(64)));
    }
    Request request;
    const QJsonValue capability = fields.value(QStringLiteral("capability"));
    if (!capability.isString())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'capability' is required and must be a string"));
    request.capability = capability.toString();
    if (auto valid = policy::CapabilityGlob::validateCapability(request.capability); !valid)
        return std::unexpected(valid.error());
    const bool allowed =
        std::any_of(runtime.allowedCapabilities.cbegin(), runtime.allowedCapabilities.cend(),
                    [&](const QString& glob) { return policy::CapabilityGlob::matches(glob, request.capability); });
    if (!allowed)
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("runtime '%1' may not ask for '%2'").arg(runtime.name, request.capability));

    const QJsonValue summary = fields.value(QStringLiteral("summary"));
    if (!summary.isString())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'summary' is required and must be a string"));
    request.summary = summary.toString();
    if (request.summary.trimmed().isEmpty() || request.summary.size() > MAX_SUMMARY_CHARS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("'summary' has 1 to %1 characters").arg(MAX_SUMMARY_CHARS));
    if (hasControlCharacters(request.summary, false))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'summary' is one line without control characters"));

    const QJsonValue details = fields.value(QStringLiteral("details"));
    if (!details.isUndefined() && !details.isString())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'details' must be a string"));
    request.details = details.toString();
    if (request.details.size() > MAX_DETAILS_CHARS || hasControlCharacters(request.details, true))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("'details' is text of at most %1 characters").arg(MAX_DETAILS_CHARS));

    const QJsonValue risk = fields.value(QStringLiteral("risk"));
    if (risk.isUndefined()) {
        request.risk = policy::Risk::Medium;
    } else {
        const auto parsed = risk.isString() ? policy::parseRisk(risk.toString()) : std::nullopt;
        if (!parsed)
            return fail(ErrorCode::InvalidArgument, QStringLiteral("'risk' is one of low, medium, high, critical"));
        request.risk = *parsed;
    }
    request.requestedRisk = request.risk;

    const QJsonValue context = fields.value(QStringLiteral("context"));
    if (!context.isUndefined()) {
        if (!context.isObject())
            return fail(ErrorCode::InvalidArgument, QStringLiteral("'context' must be an object"));
        request.context = context.toObject();
        if (request.context.size() > MAX_CONTEXT_KEYS)
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("'context' holds at most %1 fields").arg(MAX_CONTEXT_KEYS));
        for (auto it = request.context.constBegin(); it != request.context.constEnd(); ++it) {
            if (it.key().isEmpty() || it.key().size() > MAX_CONTEXT_KEY_CHARS)
                return fail(ErrorCode::InvalidArgument,
                            QStringLiteral("context field names have 1 to %1 characters").arg(MAX_CONTEXT_KEY_CHARS));
            const QJsonValue value = it.value();
            if (value.isObject() || value.isArray())
                return fail(ErrorCode::InvalidArgument,
                            QStringLiteral("context field '%1' must be a string, number or boolean").arg(it.key()));
            if (value.isString() &&
                (value.toString().size() > MAX_CONTEXT_VALUE_CHARS || hasControlCharacters(value.toString(), false)))
                return fail(ErrorCode::InvalidArgument,
                            QStringLiteral("context field '%1' is one line of at most %2 characters")
                                .arg(it.key())
                                .arg(MAX_CONTEXT_VALUE_CHARS));
        }
    }

    if (auto plain = PayloadView::validate(fields.value(QStringLiteral("payload"))); !plain)
        return std::unexpected(plain.error());
    request.payload = json::canonicalJson(fields.value(QStringLiteral("payload")));
    if (request.payload.size() > MAX_PAYLOAD_BYTES)
        return fail(ErrorCode::PayloadTooLarge, QStringLiteral("'payload' is larger than 64 KiB"));
    request.payloadSha256 = QString::fromLatin1(crypto::sha256(request.payload).toHex());

    if (idempotencyKey.size() > MAX_IDEMPOTENCY_KEY_CHARS || hasControlCharacters(idempotencyKey, false))
        return fail(
            ErrorCode::InvalidArgument,
            QStringLiteral("the Idempotency-Key has at most %1 printable characters").arg(MAX_IDEMPOTENCY_KEY_CHARS));
    request.idempotencyKey = idempotencyKey;
    return request;
}

Result<Request> RequestService::create(const RuntimeIdentity& runtime, const QJsonObject& body,
                                       const QString& idempotencyKey, bool& created)
{
    created = false;
    auto validated = validateCreation(runtime, body, idempotencyKey);
    if (!validated)
        return validated;
    Request request = std::move(*validated);
    const QString bodySha256 = QString::fromLatin1(crypto::sha256(json::canonicalJson(body)).toHex());

    Result<Request> outcome = fail(ErrorCode::Storage, QStringLiteral("not created"));
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        if (!idempotencyKey.isEmpty()) {
            auto existing = m_store->findByIdempotencyKey(runtime.id, idempotencyKey);
            if (!existing)
                return std::unexpected(existing.error());
            if (*existing) {
                auto original = m_store->bodySha256((*existing)->id);
                COUNTERSIGN_TRY(original);
                if (*original != bodySha256)
                    return fail(ErrorCode::Conflict,
                                QStringLiteral("this Idempotency-Key was used with a different request body"));
                outcome = **existing;
                return {};
            }
        }
        // The policy's floor for this capability, not the runtime's word, decides how risky it is.
        auto effective = m_policies.effectiveRisk(request.capability, request.requestedRisk);
        if (!effective)
            return std::unexpected(effective.error());
        request.risk = *effective;
        auto rule = m_policies.evaluate(request.capability, request.risk);
        if (!rule)
            return std::unexpected(rule.error());
        request.id = crypto::randomId(Request::ID_PREFIX, REQUEST_ID_BYTES);
        request.runtimeId = runtime.id;
        request.runtimeName = runtime.name;
        request.policyRule = rule->describe();
        request.requiredApprovals = rule->outcome == policy::PolicyRule::Outcome::Require ? rule->approvals : 0;
        request.validitySeconds = rule->validitySeconds;
        request.createdAt = now();
        request.expiresAt = request.createdAt + qint64{rule->timeoutSeconds} * 1000;
        request.state = RequestState::Pending;

        auto inserted = m_store->insert(request, bodySha256);
        COUNTERSIGN_TRY(inserted);
        const QString actor = QStringLiteral("runtime:") + runtime.name;
        QJsonObject logged{{QStringLiteral("summary"), request.summary},
                           {QStringLiteral("risk"), policy::riskName(request.risk)},
                           {QStringLiteral("requested_risk"), policy::riskName(request.requestedRisk)},
                           {QStringLiteral("policy_rule"), request.policyRule}};
        const auto [digestName, digest] = loggedDigest(request);
        logged.insert(digestName, digest);
        auto audited = audit(actor, QStringLiteral("request.created"), request, logged);
        if (!audited)
            return std::unexpected(audited.error());
        // allow and deny rules decide at once, on the policy's authority.
        if (rule->outcome != policy::PolicyRule::Outcome::Require) {
            const bool allow = rule->outcome == policy::PolicyRule::Outcome::Allow;
            auto decided =
                transition(request, allow ? RequestState::Approved : RequestState::Denied, request.createdAt,
                           QStringLiteral("policy"), QJsonObject{{QStringLiteral("by_policy"), request.policyRule}});
            if (!decided)
                return std::unexpected(decided.error());
        }
        created = true;
        outcome = request;
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    if (created) {
        qCInfo(lcRequests) << "request" << outcome->id << outcome->capability << "from" << runtime.name;
        announce(*outcome, true);
    }
    return outcome;
}

Result<void> RequestService::setState(Request& request, RequestState state, qint64 at)
{
    Request changed = request;
    switch (state) {
    case RequestState::Approved:
        changed.approvalExpiresAt = at + qint64{request.validitySeconds} * 1000;
        changed.decidedAt = at;
        break;
    case RequestState::Consumed:
        changed.consumedAt = at;
        break;
    case RequestState::Expired:
        break;
    default: // denied, cancelled: final decisions on a pending request
        changed.decidedAt = at;
        break;
    }
    auto updated = m_store->updateState(changed, request.state, state);
    COUNTERSIGN_TRY(updated);
    changed.state = state;
    request = std::move(changed);
    return {};
}

Result<qint64> RequestService::transition(Request& request, RequestState state, qint64 at, const QString& actor,
                                          QJsonObject details)
{
    if (auto set = setState(request, state, at); !set)
        return std::unexpected(set.error());
    // Every transition is audited as "request.<new state>", in the same transaction.
    return audit(actor, QStringLiteral("request.") + stateName(state), request, std::move(details));
}

Result<void> RequestService::expireIfDue(Request& request, qint64 at)
{
    const bool pendingDue = request.state == RequestState::Pending && request.expiresAt <= at;
    const bool approvalDue = request.state == RequestState::Approved && request.approvalExpiresAt <= at;
    if (!pendingDue && !approvalDue)
        return {};
    auto audited = transition(
        request, RequestState::Expired, at, audit::AuditLog::SYSTEM_ACTOR,
        QJsonObject{{QStringLiteral("was"), pendingDue ? QStringLiteral("pending") : QStringLiteral("approved")}});
    if (!audited)
        return std::unexpected(audited.error());
    return {};
}

Result<int> RequestService::expireDue()
{
    QList<Request> expired;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        const qint64 at = now();
        auto candidates = m_store->due(at);
        if (!candidates)
            return std::unexpected(candidates.error());
        for (Request& request : *candidates) {
            if (auto changed = expireIfDue(request, at); !changed)
                return changed;
            expired.append(request);
        }
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    for (const Request& request : std::as_const(expired))
        announce(request);
    return static_cast<int>(expired.size());
}

Result<QJsonObject> RequestService::createRequest(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                  const QString& idempotencyKey, bool& created)
{
    auto request = create(runtime, body, idempotencyKey, created);
    if (!request)
        return std::unexpected(request.error());
    return request->toJson();
}

Result<Request> RequestService::findOwn(const RuntimeIdentity& runtime, const QString& id)
{
    auto found = m_store->find(id);
    if (!found)
        return std::unexpected(found.error());
    // Another runtime's request does not exist as far as this runtime can tell.
    const std::optional<Request> row = std::move(*found);
    if (!row || row->runtimeId != runtime.id)
        return fail(ErrorCode::NotFound, QStringLiteral("no request %1").arg(id.left(64)));
    return *row;
}

Result<Request> RequestService::ownRequest(const RuntimeIdentity& runtime, const QString& id)
{
    // A plain read first: polls are the hot path and rarely find an expiry due.
    auto found = findOwn(runtime, id);
    if (!found)
        return std::unexpected(found.error());
    const Request& current = *found;
    const qint64 at = now();
    const bool due = (current.state == RequestState::Pending && current.expiresAt <= at) ||
                     (current.state == RequestState::Approved && current.approvalExpiresAt <= at);
    if (!due)
        return current;
    Result<Request> result = current;
    bool changed = false;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        auto fresh = m_store->find(id);
        if (!fresh)
            return std::unexpected(fresh.error());
        Request request = **fresh;
        const RequestState before = request.state;
        if (auto expired = expireIfDue(request, now()); !expired)
            return expired;
        changed = request.state != before;
        result = request;
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    if (changed)
        announce(*result);
    return result;
}

Result<QJsonObject> RequestService::getRequest(const RuntimeIdentity& runtime, const QString& id)
{
    auto request = ownRequest(runtime, id);
    if (!request)
        return std::unexpected(request.error());
    return request->toJson();
}

Result<QJsonArray> RequestService::listRequests(const RuntimeIdentity& runtime, const QString& state)
{
    if (!state.isEmpty() && !parseState(state))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("state is one of pending, approved, denied, expired, cancelled, consumed"));
    (void)expireDue();
    auto requests = m_store->ofRuntime(runtime.id, state);
    if (!requests)
        return std::unexpected(requests.error());
    QJsonArray result;
    for (const Request& request : std::as_const(*requests)) {
        result.append(request.toJson());
    }
    return result;
}

Result<QJsonObject> RequestService::cancelRequest(const RuntimeIdentity& runtime, const QString& id)
{
    Result<Request> result = fail(ErrorCode::NotFound, QStringLiteral("no such request"));
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        auto found = findOwn(runtime, id);
        if (!found)
            return std::unexpected(found.error());
        Request request = *found;
        if (auto expired = expireIfDue(request, now()); !expired)
            return expired;
        if (request.state != RequestState::Pending)
            return fail(ErrorCode::Conflict, QStringLiteral("request %1 is %2; only a pending request can be cancelled")
                                                 .arg(request.id, stateName(request.state)));
        auto audited = transition(request, RequestState::Cancelled, now(), QStringLiteral("runtime:") + runtime.name);
        if (!audited)
            return std::unexpected(audited.error());
        result = request;
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    announce(*result);
    return result->toJson();
}

Result<QJsonObject> RequestService::consumeRequest(const RuntimeIdentity& runtime, const QString& id,
                                                   const QString& payloadSha256, const QString& idempotencyKey)
{
    if (idempotencyKey.size() > MAX_IDEMPOTENCY_KEY_CHARS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the Idempotency-Key is at most %1 characters").arg(MAX_IDEMPOTENCY_KEY_CHARS));
    // Only a digest of the key is kept in the consume entry: enough to recognise a retry.
    const QString keyDigest =
        idempotencyKey.isEmpty() ? QString() : QString::fromLatin1(crypto::sha256(idempotencyKey.toUtf8()).toHex());
    Result<Request> result = fail(ErrorCode::NotFound, QStringLiteral("no such request"));
    qint64 auditSeq = 0;
    bool expiredNow = false;
    bool replay = false;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        auto found = findOwn(runtime, id);
        if (!found)
            return std::unexpected(found.error());
        Request request = *found;
        // The chain, not the request row, says whether the approval was spent: rows put back from
        // an older copy of the vault file must not make it consumable again.
        auto spent = m_audit.firstOf(QStringLiteral("request.consumed"), QStringLiteral("request:") + request.id);
        if (!spent)
            return std::unexpected(spent.error());
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
                crypto::constantTimeEqual(payloadSha256.toLower().toLatin1(), request.payloadSha256.toLatin1())) {
                replay = true;
                auditSeq = (*spent)->seq;
                result = request;
                return {};
            }
            return fail(ErrorCode::AlreadyConsumed, QStringLiteral("request %1 was already consumed").arg(request.id));
        }
        const qint64 at = now();
        switch (request.state) {
        case RequestState::Consumed:
            return fail(ErrorCode::AlreadyConsumed, QStringLiteral("request %1 was already consumed").arg(request.id));
        case RequestState::Expired:
            return fail(ErrorCode::Expired, QStringLiteral("request %1 has expired").arg(request.id));
        case RequestState::Approved:
            if (request.approvalExpiresAt <= at) {
                if (auto expired = expireIfDue(request, at); !expired)
                    return expired;
                expiredNow = true;
                result = request;
                return {}; // commit the expiry, then report it
            }
            break;
        default:
            return fail(ErrorCode::NotApproved,
                        QStringLiteral("request %1 is %2, not approved").arg(request.id, stateName(request.state)));
        }
        if (!crypto::constantTimeEqual(payloadSha256.toLower().toLatin1(), request.payloadSha256.toLatin1()))
            return fail(ErrorCode::DigestMismatch,
                        QStringLiteral("the payload digest does not match the approved payload"));
        const auto [digestName, digest] = loggedDigest(request);
        QJsonObject details{{digestName, digest}};
        if (!keyDigest.isEmpty())
            details.insert(QStringLiteral("idempotency_key_sha256"), keyDigest);
        auto audited =
            transition(request, RequestState::Consumed, at, QStringLiteral("runtime:") + runtime.name, details);
        if (!audited && audited.error().code == ErrorCode::Conflict)
            return fail(ErrorCode::AlreadyConsumed, QStringLiteral("request %1 was already consumed").arg(request.id));
        if (!audited)
            return std::unexpected(audited.error());
        auditSeq = *audited;
        result = request;
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    if (!replay)
        announce(*result);
    if (expiredNow)
        return fail(ErrorCode::Expired, QStringLiteral("the approval of request %1 has expired").arg(id.left(64)));
    auto signedReceipt = receipt(*result, auditSeq);
    if (!signedReceipt) {
        // The consume is committed: the runtime may retry with the same Idempotency-Key for it.
        qCWarning(lcRequests) << "request" << result->id << "consumed as entry" << auditSeq
                              << "but its receipt failed:" << signedReceipt.error().message;
        return fail(signedReceipt.error().code,
                    QStringLiteral("request %1 was consumed (audit entry %2) but its receipt could not be made: %3; "
                                   "retry with the same Idempotency-Key to get it")
                        .arg(result->id)
                        .arg(auditSeq)
                        .arg(signedReceipt.error().message));
    }
    return QJsonObject{{QStringLiteral("receipt"), *signedReceipt},
                       {QStringLiteral("state"), stateName(result->state)}};
}

Result<Request> RequestService::request(const QString& id) const
{
    auto found = m_store->find(id);
    if (!found)
        return std::unexpected(found.error());
    const std::optional<Request> row = std::move(*found);
    if (!row)
        return fail(ErrorCode::NotFound, QStringLiteral("no request %1").arg(id.left(64)));
    return *row;
}

Result<QList<Request>> RequestService::requestsInState(RequestState state, int limit) const
{
    return m_store->inState(state, limit);
}

Result<void> RequestService::authorizeMember(const QString& memberId, members::Permission permission) const
{
    return members::MemberService::authorizeActor(m_db, QStringLiteral("member:") + memberId, permission);
}

Result<QList<Request>> RequestService::queue(const QString& memberId, int limit) const
{
    if (auto allowed = authorizeMember(memberId, members::Permission::ViewQueue); !allowed)
        return std::unexpected(allowed.error());
    return requestsInState(RequestState::Pending, limit);
}

Result<QList<Request>> RequestService::history(const QString& memberId, const QString& search, int limit) const
{
    if (auto allowed = authorizeMember(memberId, members::Permission::ViewQueue); !allowed)
        return std::unexpected(allowed.error());
    return m_store->history(search, limit);
}

Result<QByteArray> RequestService::reveal(const QString& memberId, const QString& id)
{
    QByteArray payload;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        if (auto allowed = authorizeMember(memberId, members::Permission::RevealPayload); !allowed)
            return std::unexpected(allowed.error());
        auto found = request(id);
        if (!found)
            return std::unexpected(found.error());
        const int hidden =
            SecretMasking::countSecrets(QJsonDocument::fromJson('[' + found->payload + ']').array().at(0));
        auto audited = audit(QStringLiteral("member:") + memberId, QStringLiteral("request.reveal"), *found,
                             QJsonObject{{QStringLiteral("masked_fields"), hidden}});
        if (!audited)
            return std::unexpected(audited.error());
        payload = found->payload;
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    return payload;
}

Result<QJsonValue> RequestService::revealField(const QString& memberId, const QString& id, const QString& field)
{
    QJsonValue value;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        if (auto allowed = authorizeMember(memberId, members::Permission::RevealPayload); !allowed)
            return std::unexpected(allowed.error());
        auto found = request(id);
        if (!found)
            return std::unexpected(found.error());
        const QJsonValue payload = QJsonDocument::fromJson('[' + found->payload + ']').array().at(0);
        const QStringList fields = SecretMasking::secretFields(payload);
        if (!fields.contains(field))
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("request %1 masks no field %2").arg(found->id, field.left(200)));
        // RFC 6901 section 4: evaluate the pointer token by token ("~1" is "/", then "~0" is "~").
        value = payload;
        for (const QString& token : field.mid(1).split(u'/')) {
            QString key = token;
            key.replace(QStringLiteral("~1"), QStringLiteral("/"));
            key.replace(QStringLiteral("~0"), QStringLiteral("~"));
            value = value.isArray() ? value.toArray().at(key.toInt()) : value.toObject().value(key);
        }
        auto audited = audit(QStringLiteral("member:") + memberId, QStringLiteral("request.reveal"), *found,
                             QJsonObject{{QStringLiteral("field"), field},
                                         {QStringLiteral("masked_fields"), static_cast<int>(fields.size())}});
        if (!audited)
            return std::unexpected(audited.error());
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    return value;
}

Result<Request> RequestService::extend(const QString& memberId, const QString& id, int seconds)
{
    if (seconds <= 0 || seconds > policy::PolicyRule::MAX_SECONDS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("an extension is between 1 and %1 seconds").arg(policy::PolicyRule::MAX_SECONDS));
    Result<Request> result = fail(ErrorCode::NotFound, QStringLiteral("no such request"));
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        if (auto allowed = authorizeMember(memberId, members::Permission::ExtendRequest); !allowed)
            return std::unexpected(allowed.error());
        auto found = request(id);
        if (!found)
            return std::unexpected(found.error());
        Request request = *found;
        const qint64 at = now();
        if (auto expired = expireIfDue(request, at); !expired)
            return expired;
        if (request.state != RequestState::Pending) {
            result = request;
            return {};
        }
        auto room = extensionRoom(request);
        if (!room)
            return std::unexpected(room.error());
        const qint64 limit = request.createdAt + room->lifetimeMs;
        const qint64 wanted = request.expiresAt + qint64{seconds} * 1000;
        if (room->roomMs <= 0)
            return fail(ErrorCode::Conflict,
                        QStringLiteral("request %1 cannot wait longer: the policy allows %2 s in all")
                            .arg(request.id)
                            .arg(room->lifetimeMs / 1000));
        const qint64 previous = request.expiresAt;
        request.expiresAt = std::min(wanted, limit);
        auto updated = m_store->updateExpiresAt(request.id, request.expiresAt);
        COUNTERSIGN_TRY(updated);
        auto audited =
            audit(QStringLiteral("member:") + memberId, QStringLiteral("request.extend"), request,
                  QJsonObject{{QStringLiteral("seconds"), (request.expiresAt - previous) / 1000},
                              {QStringLiteral("expires_at"), request.toJson().value(QStringLiteral("expires_at"))}});
        if (!audited)
            return std::unexpected(audited.error());
        result = request;
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    announce(*result);
    if (result->state != RequestState::Pending)
        return fail(result->state == RequestState::Expired ? ErrorCode::Expired : ErrorCode::Conflict,
                    QStringLiteral("request %1 is %2; only a pending request can be extended")
                        .arg(result->id, stateName(result->state)));
    return result;
}

Result<RequestService::ExtensionRoom> RequestService::extensionRoom(const Request& request) const
{
    auto rule = m_policies.evaluate(request.capability, request.risk);
    if (!rule)
        return std::unexpected(rule.error());
    ExtensionRoom room;
    room.lifetimeMs =
        std::min<qint64>(qint64{rule->timeoutSeconds} * MAX_LIFETIME_FACTOR, policy::PolicyRule::MAX_SECONDS) * 1000;
    if (request.state == RequestState::Pending)
        room.roomMs = std::max<qint64>(0, request.createdAt + room.lifetimeMs - request.expiresAt);
    return room;
}

void RequestService::setViewSaltKey(const crypto::SecureBuffer& key)
{
    m_viewSalts = std::make_unique<crypto::HmacSha256>(key);
}

std::pair<QString, QString> RequestService::loggedDigest(const Request& request) const
{
    const PayloadView view = payloadView(request);
    if (view.masked > 0)
        return {QStringLiteral("view_sha256"), view.sha256};
    return {QStringLiteral("payload_sha256"), request.payloadSha256};
}

PayloadView RequestService::payloadView(const Request& request) const
{
    return PayloadView::of(QJsonDocument::fromJson('[' + request.payload + ']').array().at(0), *m_viewSalts,
                           request.id);
}

void RequestService::setLocalSigningKey(const QString& memberId, std::shared_ptr<const crypto::SigningKey> key)
{
    m_localKeys.insert(memberId, std::move(key));
}

Result<Request> RequestService::approve(const QString& memberId, const QString& id, const QString& reason)
{
    return decideLocally(memberId, id, true, reason);
}

Result<Request> RequestService::deny(const QString& memberId, const QString& id, const QString& reason)
{
    return decideLocally(memberId, id, false, reason);
}

RequestService::BulkDenial RequestService::denyAll(const QString& memberId, const QStringList& ids,
                                                   const QString& reason)
{
    BulkDenial outcome;
    for (const QString& id : ids) {
        auto denied = deny(memberId, id, reason);
        if (!denied) {
            outcome.refused.append({id, denied.error()});
            continue;
        }
        outcome.denied.append(id);
        outcome.criticalDenied += denied->risk == policy::Risk::Critical ? 1 : 0;
        outcome.highDenied += denied->risk == policy::Risk::High ? 1 : 0;
    }
    return outcome;
}

Result<Request> RequestService::decideLocally(const QString& memberId, const QString& id, bool approve,
                                              const QString& reason)
{
    const auto key = m_localKeys.value(memberId);
    if (!key)
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("'%1' signs decisions on their own machine; this instance holds no key for them")
                        .arg(memberId));
    auto found = request(id);
    if (!found)
        return std::unexpected(found.error());
    // Signed over what the window shows: the view, masked values as commitments.
    DecisionStatement statement{found->id, memberId, {}, approve, reason, now(), instanceName()};
    statement.viewSha256 = payloadView(*found).sha256;
    return decide(statement, statement.sign(*key));
}

Result<Request> RequestService::decideSigned(const DecisionStatement& statement, const QByteArray& signature)
{
    auto decided = decide(statement, signature);
    if (!decided &&
        (decided.error().code == ErrorCode::PermissionDenied || decided.error().code == ErrorCode::DigestMismatch ||
         decided.error().code == ErrorCode::InvalidArgument)) {
        // A refused decision from a remote member is worth keeping, whatever its cause.
        (void)m_audit.append({QStringLiteral("member:") + statement.memberId,
                              QStringLiteral("request.decision_refused"),
                              QStringLiteral("request:") + statement.requestId.left(64),
                              QJsonObject{{QStringLiteral("reason"), decided.error().message},
                                          {QStringLiteral("code"), errorCodeName(decided.error().code)}}});
    }
    return decided;
}

Result<int> RequestService::possibleApprovers(const Request& request) const
{
    auto active = m_store->activeMembers();
    COUNTERSIGN_TRY(active);
    int count = 0;
    for (const RequestStore::ActiveMember& member : std::as_const(*active)) {
        const auto role = members::parseRole(member.role);
        if (role && members::isAllowed(*role, members::Permission::Decide) && member.id != request.raisedBy)
            ++count;
    }
    return count;
}

Result<int> RequestService::countedApprovals(const QString& requestId) const
{
    // The quorum counts members as they are now: an approval by someone since removed, or no
    // longer allowed to decide, is no approval (whether or not it was voided when that changed).
    auto approvers = m_store->approvers(requestId);
    COUNTERSIGN_TRY(approvers);
    int count = 0;
    for (const RequestStore::Approver& approver : std::as_const(*approvers)) {
        const auto role = members::parseRole(approver.role);
        if (approver.active && role && members::isAllowed(*role, members::Permission::Decide))
            ++count;
    }
    return count;
}

Result<Request> RequestService::decide(const DecisionStatement& statement, const QByteArray& signature)
{
    const QString& memberId = statement.memberId;
    const QString& id = statement.requestId;
    const bool approve = statement.approve;
    const QString& reason = statement.reason;
    if (std::abs(statement.decidedAtMs - now()) > MAX_CLOCK_SKEW_MS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the decision's time is more than %1 minutes from this instance's clock")
                        .arg(MAX_CLOCK_SKEW_MS / 60000));
    // A reason is read by other approvers and kept in the audit chain: one line of plain text.
    if (reason.size() > MAX_REASON_CHARS || !text::isPlainText(reason, false))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a reason is one line of at most %1 characters, without control or invisible "
                                   "characters")
                        .arg(MAX_REASON_CHARS));
    Result<Request> result = fail(ErrorCode::NotFound, QStringLiteral("no such request"));
    std::optional<Error> refusal;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        if (auto allowed = authorizeMember(memberId, members::Permission::Decide); !allowed)
            return std::unexpected(allowed.error());
        auto key = m_store->memberKey(memberId);
        COUNTERSIGN_TRY(key);
        const QByteArray publicKey = *key;

        auto found = m_store->find(id);
        if (!found)
            return std::unexpected(found.error());
        if (!*found)
            return fail(ErrorCode::NotFound, QStringLiteral("no request %1").arg(id.left(64)));
        Request request = **found;
        const qint64 at = now();
        if (auto expired = expireIfDue(request, at); !expired)
            return expired;
        if (request.state != RequestState::Pending) {
            // Commit a just-noticed expiry, then refuse: decisions are final.
            result = request;
            refusal = request.state == RequestState::Expired
                          ? Error{ErrorCode::Expired, QStringLiteral("request %1 has expired").arg(request.id)}
                          : Error{ErrorCode::Conflict,
                                  QStringLiteral("request %1 is already %2").arg(request.id, stateName(request.state))};
            return {};
        }
        if (!request.raisedBy.isEmpty() && request.raisedBy == memberId)
            return fail(ErrorCode::PermissionDenied, QStringLiteral("nobody decides a request they raised"));
        // A revoked runtime can no longer authenticate to consume an approval, and whoever
        // revoked it stopped trusting it: what it left waiting may be denied, never approved.
        if (approve && request.runtimeRevoked)
            return fail(ErrorCode::PermissionDenied,
                        QStringLiteral("runtime %1 was revoked: its requests can be denied, not approved")
                            .arg(request.runtimeName));
        // The signature binds the member to this exact payload: a statement about another
        // digest, or one that does not verify with the member's key, is refused.
        // A statement about the view the member was shown (with masked values as commitments),
        // or about the payload itself where nothing is masked: either way, exactly this one.
        const PayloadView view = payloadView(request);
        const bool aboutThis = statement.viewSha256.isEmpty()
                                   ? view.masked == 0 && statement.payloadSha256 == request.payloadSha256
                                   : statement.viewSha256 == view.sha256;
        if (!aboutThis)
            return fail(ErrorCode::DigestMismatch,
                        QStringLiteral("the decision names another payload than request %1 holds").arg(request.id));
        // Signed for this instance: the statement names it, and this instance reads its own name in.
        DecisionStatement here = statement;
        here.instance = instanceName();
        if (publicKey.isEmpty() || !here.verify(publicKey, signature))
            return fail(ErrorCode::PermissionDenied,
                        QStringLiteral("the decision's signature does not verify with %1's key").arg(memberId));
        // Decisions are final and each member counts once.
        for (const Decision& earlier : std::as_const(request.decisions)) {
            if (earlier.memberId == memberId)
                return fail(ErrorCode::Conflict, QStringLiteral("you have already decided on this request"));
        }
        // Whoever decides a high or critical request says why, at the desktop or remotely.
        if (request.risk >= policy::Risk::High && reason.trimmed().isEmpty())
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("a %1-risk request needs a reason").arg(policy::riskName(request.risk)));
        auto inserted = m_store->insertDecision(
            request.id, Decision{memberId, {}, approve, reason, statement.decidedAtMs, {}, signature});
        COUNTERSIGN_TRY(inserted);
        if (auto decisions = m_store->loadDecisions(request); !decisions)
            return decisions;
        auto counted = countedApprovals(request.id);
        if (!counted)
            return std::unexpected(counted.error());
        const QString actor = QStringLiteral("member:") + memberId;
        auto audited =
            audit(actor, QStringLiteral("request.decision"), request,
                  QJsonObject{{QStringLiteral("verdict"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                              {QStringLiteral("reason"), reason},
                              {QStringLiteral("approvals"), *counted},
                              {QStringLiteral("required"), request.requiredApprovals},
                              {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                              {statement.viewSha256.isEmpty() ? QStringLiteral("payload_sha256")
                                                              : QStringLiteral("view_sha256"),
                               statement.viewSha256.isEmpty() ? statement.payloadSha256 : statement.viewSha256},
                              {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}});
        if (!audited)
            return std::unexpected(audited.error());
        // One deny denies; the quorum's last approval approves.
        if (!approve || *counted >= request.requiredApprovals) {
            const RequestState next = approve ? RequestState::Approved : RequestState::Denied;
            auto final = transition(request, next, at, actor);
            if (!final)
                return std::unexpected(final.error());
        }
        result = request;
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    if (refusal) {
        if (result->state == RequestState::Expired)
            announce(*result);
        return std::unexpected(*refusal);
    }
    announce(*result);
    checkpoint(true); // after every decision
    return result;
}

} // namespace countersign::approvals
