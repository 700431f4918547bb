#include "requestdecisions.h"

#include "audit/auditlog.h"
#include "crypto/signingkey.h"
#include "members/authorizer.h"
#include "members/permissions.h"
#include "payloadviews.h"
#include "requestannouncer.h"
#include "requestlifecycle.h"
#include "requeststore.h"
#include "storage/transaction.h"
#include "text/plaintext.h"

#include <QDateTime>

#include <cstdlib>
#include <optional>

namespace countersign::approvals {

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool mayDecide(const QString& roleName)
{
    const auto role = members::parseRole(roleName);
    return role && members::isAllowed(*role, members::Permission::Decide);
}

} // namespace

RequestDecisions::RequestDecisions(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                                   audit::AuditLog& log, const PayloadViews& views,
                                   const members::Authorizer& authorizer)
    : m_store(store)
    , m_lifecycle(lifecycle)
    , m_announcer(announcer)
    , m_log(log)
    , m_views(views)
    , m_authorizer(authorizer)
{
}

RequestDecisions::~RequestDecisions() = default;

void RequestDecisions::setLocalSigningKey(const QString& memberId, std::shared_ptr<const crypto::SigningKey> key)
{
    m_localKeys.insert(memberId, std::move(key));
}

RequestDecisions::BulkDenial RequestDecisions::denyAll(const QString& memberId, const QStringList& ids,
                                                       const QString& reason)
{
    BulkDenial outcome;
    for (const QString& id : ids) {
        auto denied = decideLocally(memberId, id, false, reason);
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

Result<Request> RequestDecisions::decideLocally(const QString& memberId, const QString& id, bool approve,
                                                const QString& reason)
{
    const auto key = m_localKeys.value(memberId);
    if (!key)
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("'%1' signs decisions on their own machine; this instance holds no key for them")
                        .arg(memberId));
    auto found = m_store.get(id);
    COUNTERSIGN_TRY(found);
    // Signed over what the window shows: the view, masked values as commitments.
    DecisionStatement statement{found->id, memberId, {}, approve, reason, now(), m_instanceName};
    statement.viewSha256 = m_views.of(*found).sha256;
    return decide(statement, statement.sign(*key));
}

Result<Request> RequestDecisions::decideSigned(const DecisionStatement& statement, const QByteArray& signature)
{
    auto decided = decide(statement, signature);
    if (!decided &&
        (decided.error().code == ErrorCode::PermissionDenied || decided.error().code == ErrorCode::DigestMismatch ||
         decided.error().code == ErrorCode::InvalidArgument)) {
        // A refused decision from a remote member is worth keeping, whatever its cause.
        (void)m_log.append({audit::Actor::member(statement.memberId).toString(),
                            QStringLiteral("request.decision_refused"),
                            QStringLiteral("request:") + statement.requestId.left(64),
                            QJsonObject{{QStringLiteral("reason"), decided.error().message},
                                        {QStringLiteral("code"), errorCodeName(decided.error().code)}}});
    }
    return decided;
}

Result<int> RequestDecisions::possibleApprovers(const Request& request) const
{
    auto active = m_store.activeMembers();
    COUNTERSIGN_TRY(active);
    return static_cast<int>(std::count_if(active->cbegin(), active->cend(), [&](const RequestStore::ActiveMember& m) {
        return mayDecide(m.role) && m.id != request.raisedBy;
    }));
}

Result<int> RequestDecisions::countedApprovals(const QString& requestId) const
{
    // The quorum counts members as they are now: an approval by someone since removed, or no
    // longer allowed to decide, is no approval (whether or not it was voided when that changed).
    auto approvers = m_store.approvers(requestId);
    COUNTERSIGN_TRY(approvers);
    return static_cast<int>(std::count_if(approvers->cbegin(), approvers->cend(), [](const RequestStore::Approver& a) {
        return a.active && mayDecide(a.role);
    }));
}

Result<Request> RequestDecisions::decide(const DecisionStatement& statement, const QByteArray& signature)
{
    const QString& memberId = statement.memberId;
    const QString& id = statement.requestId;
    const bool approve = statement.approve;
    const QString& reason = statement.reason;
    const audit::Actor actor = audit::Actor::member(memberId);
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
    // A request found no longer pending is committed (with an expiry just noticed) and refused.
    struct Outcome final {
        Request request;
        std::optional<Error> refusal;
    };
    auto outcome = storage::transact(m_store.database(), [&]() -> Result<Outcome> {
        auto allowed = m_authorizer.authorize(actor, members::Permission::Decide);
        COUNTERSIGN_TRY(allowed);
        auto publicKey = m_store.memberKey(memberId);
        COUNTERSIGN_TRY(publicKey);
        auto found = m_store.get(id);
        COUNTERSIGN_TRY(found);
        Request request = std::move(*found);
        const qint64 at = now();
        auto expired = m_lifecycle.expireIfDue(request, at);
        COUNTERSIGN_TRY(expired);
        if (request.state != RequestState::Pending) {
            // Decisions are final.
            Error refusal =
                request.state == RequestState::Expired
                    ? Error{ErrorCode::Expired, QStringLiteral("request %1 has expired").arg(request.id)}
                    : Error{ErrorCode::Conflict,
                            QStringLiteral("request %1 is already %2").arg(request.id, stateName(request.state))};
            return Outcome{std::move(request), std::move(refusal)};
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
        const PayloadView view = m_views.of(request);
        const bool aboutThis = statement.viewSha256.isEmpty()
                                   ? view.masked == 0 && statement.payloadSha256 == request.payloadSha256
                                   : statement.viewSha256 == view.sha256;
        if (!aboutThis)
            return fail(ErrorCode::DigestMismatch,
                        QStringLiteral("the decision names another payload than request %1 holds").arg(request.id));
        // Signed for this instance: the statement names it, and this instance reads its own name in.
        DecisionStatement here = statement;
        here.instance = m_instanceName;
        if (publicKey->isEmpty() || !here.verify(*publicKey, signature))
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
        auto inserted = m_store.insertDecision(
            request.id, Decision{memberId, {}, approve, reason, statement.decidedAtMs, {}, signature});
        COUNTERSIGN_TRY(inserted);
        auto reloaded = m_store.loadDecisions(request);
        COUNTERSIGN_TRY(reloaded);
        auto counted = countedApprovals(request.id);
        COUNTERSIGN_TRY(counted);
        const bool byView = !statement.viewSha256.isEmpty();
        auto audited = m_lifecycle.record(
            actor, QStringLiteral("request.decision"), request,
            QJsonObject{{QStringLiteral("verdict"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                        {QStringLiteral("reason"), reason},
                        {QStringLiteral("approvals"), *counted},
                        {QStringLiteral("required"), request.requiredApprovals},
                        {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                        {byView ? QStringLiteral("view_sha256") : QStringLiteral("payload_sha256"),
                         byView ? statement.viewSha256 : statement.payloadSha256},
                        {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}});
        COUNTERSIGN_TRY(audited);
        // One deny denies; the quorum's last approval approves.
        if (!approve || *counted >= request.requiredApprovals) {
            auto decided = m_lifecycle.apply(request, approve ? RequestEvent::Approve : RequestEvent::Deny, at, actor);
            COUNTERSIGN_TRY(decided);
        }
        return Outcome{std::move(request), std::nullopt};
    });
    COUNTERSIGN_TRY(outcome);
    if (outcome->refusal) {
        if (outcome->request.state == RequestState::Expired)
            m_announcer.announce(outcome->request);
        return std::unexpected(*outcome->refusal);
    }
    m_announcer.announce(outcome->request);
    m_announcer.checkpoint(true); // after every decision
    return std::move(outcome->request);
}

} // namespace countersign::approvals
