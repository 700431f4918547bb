#include "requestintake.h"

#include "crypto/crypto.h"
#include "crypto/sha256.h"
#include "json/canonicaljson.h"
#include "json/fields.h"
#include "payloadview.h"
#include "payloadviews.h"
#include "policy/capabilityglob.h"
#include "policy/policystore.h"
#include "requestannouncer.h"
#include "requestlifecycle.h"
#include "requeststore.h"
#include "storage/transaction.h"
#include "text/plaintext.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcRequests)

namespace countersign::approvals {

namespace {

constexpr qsizetype REQUEST_ID_BYTES = 16; // 128 random bits: ids are unguessable as well as unique

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

RequestIntake::RequestIntake(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                             policy::PolicyStore& policies, const PayloadViews& views)
    : m_store(store)
    , m_lifecycle(lifecycle)
    , m_announcer(announcer)
    , m_policies(policies)
    , m_views(views)
{
}

Result<Request> RequestIntake::validate(const RuntimeIdentity& runtime, const QJsonObject& body,
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
    COUNTERSIGN_TRY(policy::CapabilityGlob::validateCapability(request.capability));
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

    COUNTERSIGN_TRY(PayloadView::validate(fields.value(QStringLiteral("payload"))));
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

Result<RequestIntake::Created> RequestIntake::create(const RuntimeIdentity& runtime, const QJsonObject& body,
                                                     const QString& idempotencyKey)
{
    auto validated = validate(runtime, body, idempotencyKey);
    COUNTERSIGN_TRY(validated);
    const QString bodySha256 = QString::fromLatin1(crypto::sha256(json::canonicalJson(body)).toHex());
    auto outcome = storage::transact(m_store.database(), [&]() -> Result<Created> {
        if (!idempotencyKey.isEmpty()) {
            auto existing = m_store.findByIdempotencyKey(runtime.id, idempotencyKey);
            COUNTERSIGN_TRY(existing);
            if (*existing) {
                auto original = m_store.bodySha256((*existing)->id);
                COUNTERSIGN_TRY(original);
                if (*original != bodySha256)
                    return fail(ErrorCode::Conflict,
                                QStringLiteral("this Idempotency-Key was used with a different request body"));
                return Created{std::move(**existing), false};
            }
        }
        Request request = *validated;
        // The policy's floor for this capability, not the runtime's word, decides how risky it is.
        auto effective = m_policies.effectiveRisk(request.capability, request.requestedRisk);
        COUNTERSIGN_TRY(effective);
        request.risk = *effective;
        auto rule = m_policies.evaluate(request.capability, request.risk);
        COUNTERSIGN_TRY(rule);
        request.id = crypto::randomId(Request::ID_PREFIX, REQUEST_ID_BYTES);
        request.runtimeId = runtime.id;
        request.runtimeName = runtime.name;
        request.policyRule = rule->describe();
        request.requiredApprovals = rule->outcome == policy::PolicyRule::Outcome::Require ? rule->approvals : 0;
        request.validitySeconds = rule->validitySeconds;
        request.createdAt = now();
        request.expiresAt = request.createdAt + qint64{rule->timeoutSeconds} * 1000;
        request.state = RequestState::Pending;
        auto inserted = m_store.insert(request, bodySha256);
        COUNTERSIGN_TRY(inserted);
        QJsonObject logged{{QStringLiteral("summary"), request.summary},
                           {QStringLiteral("risk"), policy::riskName(request.risk)},
                           {QStringLiteral("requested_risk"), policy::riskName(request.requestedRisk)},
                           {QStringLiteral("policy_rule"), request.policyRule}};
        const auto [digestName, digest] = m_views.loggedDigest(request);
        logged.insert(digestName, digest);
        auto audited =
            m_lifecycle.record(audit::Actor::runtime(runtime.name), QStringLiteral("request.created"), request, logged);
        COUNTERSIGN_TRY(audited);
        // allow and deny rules decide at once, on the policy's authority.
        if (rule->outcome != policy::PolicyRule::Outcome::Require) {
            const bool allow = rule->outcome == policy::PolicyRule::Outcome::Allow;
            auto decided = m_lifecycle.apply(request, allow ? RequestEvent::Approve : RequestEvent::Deny,
                                             request.createdAt, audit::Actor::policy(),
                                             QJsonObject{{QStringLiteral("by_policy"), request.policyRule}});
            COUNTERSIGN_TRY(decided);
        }
        return Created{std::move(request), true};
    });
    COUNTERSIGN_TRY(outcome);
    if (outcome->created) {
        qCInfo(lcRequests) << "request" << outcome->request.id << outcome->request.capability << "from" << runtime.name;
        m_announcer.announce(outcome->request, true);
    }
    return outcome;
}

} // namespace countersign::approvals
