#include "teamservice.h"

#include "request.h"
#include "requestservice.h"
#include "secretmasking.h"

#include "json/fields.h"
#include "members/invitationservice.h"
#include "members/memberservice.h"
#include "members/sessionservice.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace countersign::approvals {

namespace {

/// The body must hold exactly \a names, each a string no longer than \a maxChars (numbers are
/// named in \a integers instead); anything missing, extra or of another type is InvalidArgument.
Result<void> expectFields(const QJsonObject& body, const json::Fields& fields, const QStringList& names,
                          const QStringList& integers = {}, qsizetype maxChars = 4096)
{
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (!names.contains(it.key()) && !integers.contains(it.key()))
            return fail(ErrorCode::InvalidArgument, QStringLiteral("unknown field '%1'").arg(it.key().left(64)));
    }
    for (const QString& name : names) {
        const QJsonValue value = fields.value(name);
        if (!value.isString())
            return fail(ErrorCode::InvalidArgument, QStringLiteral("'%1' is required and must be a string").arg(name));
        if (value.toString().size() > maxChars)
            return fail(ErrorCode::InvalidArgument, QStringLiteral("'%1' is too long").arg(name));
    }
    for (const QString& name : integers) {
        const QJsonValue value = fields.value(name);
        if (!value.isDouble() || value.toDouble() != static_cast<double>(value.toInteger()))
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("'%1' is required and must be an integer").arg(name));
    }
    return {};
}

Result<QByteArray> base64(const json::Fields& fields, const QString& name, qsizetype size)
{
    auto decoded = QByteArray::fromBase64Encoding(fields.value(name).toString().toLatin1(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != size)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'%1' must be %2 bytes in base64").arg(name).arg(size));
    return decoded.decoded;
}

/// A request as a member sees it: the payload's view (masked values as salted commitments) and
/// its digest, which their decision signs. Never the payload digest of a payload with masked
/// values: it would let them test guesses of those values.
QJsonObject memberView(const Request& request, const PayloadView& view)
{
    QJsonObject json = request.toJson();
    json.insert(QStringLiteral("payload"), view.view);
    json.insert(QStringLiteral("masked_fields"), view.masked);
    json.insert(QStringLiteral("view_sha256"), view.sha256);
    if (view.masked > 0)
        json.remove(QStringLiteral("payload_sha256"));
    json.remove(QStringLiteral("idempotency_key"));
    json.insert(QStringLiteral("created_at_ms"), request.createdAt);
    return json;
}

} // namespace

TeamService::TeamService(RequestService& requests, members::MemberService& members,
                         members::InvitationService& invitations, members::SessionService& sessions)
    : m_requests(requests)
    , m_members(members)
    , m_invitations(invitations)
    , m_sessions(sessions)
{
}

QJsonObject TeamService::memberJson(const members::Member& member)
{
    return QJsonObject{{QStringLiteral("id"), member.id},
                       {QStringLiteral("display_name"), member.displayName},
                       {QStringLiteral("role"), members::roleName(member.role)},
                       {QStringLiteral("public_key"), QString::fromLatin1(member.publicKey.toBase64())}};
}

Result<QJsonObject> TeamService::redeemInvitation(const QJsonObject& body)
{
    const json::Fields fields(body);
    if (auto valid = expectFields(
            body, fields, {QStringLiteral("token"), QStringLiteral("display_name"), QStringLiteral("public_key")});
        !valid)
        return std::unexpected(valid.error());
    auto key = base64(fields, QStringLiteral("public_key"), 32);
    COUNTERSIGN_TRY(key);
    auto member = m_invitations.redeem(fields.value(QStringLiteral("token")).toString(),
                                       fields.value(QStringLiteral("display_name")).toString(), *key);
    COUNTERSIGN_TRY(member);
    return QJsonObject{{QStringLiteral("member"), memberJson(*member)}};
}

Result<QJsonObject> TeamService::sessionChallenge(const QJsonObject& body)
{
    const json::Fields fields(body);
    COUNTERSIGN_TRY(expectFields(body, fields, {QStringLiteral("member")}, {}, 64));
    auto nonce = m_sessions.challenge(fields.value(QStringLiteral("member")).toString());
    COUNTERSIGN_TRY(nonce);
    return QJsonObject{{QStringLiteral("nonce"), QString::fromLatin1(nonce->toBase64())},
                       {QStringLiteral("instance"), m_sessions.instance()},
                       {QStringLiteral("expires_in"), members::SessionService::CHALLENGE_SECONDS}};
}

Result<QJsonObject> TeamService::openSession(const QJsonObject& body)
{
    const json::Fields fields(body);
    if (auto valid = expectFields(body, fields,
                                  {QStringLiteral("member"), QStringLiteral("nonce"), QStringLiteral("signature")});
        !valid)
        return std::unexpected(valid.error());
    auto nonce = base64(fields, QStringLiteral("nonce"), 32);
    auto signature = base64(fields, QStringLiteral("signature"), 64);
    if (!nonce || !signature)
        return fail(ErrorCode::Unauthenticated, QStringLiteral("the session could not be opened"));
    auto session = m_sessions.open(fields.value(QStringLiteral("member")).toString(), *nonce, *signature);
    COUNTERSIGN_TRY(session);
    return QJsonObject{{QStringLiteral("token"), session->token},
                       {QStringLiteral("expires_at"),
                        QDateTime::fromMSecsSinceEpoch(session->expiresAt, Qt::UTC).toString(Qt::ISODateWithMs)},
                       {QStringLiteral("member"), memberJson(session->member)}};
}

Result<members::Member> TeamService::authenticateMember(QByteArrayView token)
{
    return m_sessions.authenticate(token);
}

Result<void> TeamService::authorizeMember(const members::Member& member, members::Permission permission)
{
    auto allowed = m_members.authorize(member.id, permission);
    COUNTERSIGN_TRY(allowed);
    return {};
}

Result<QJsonObject> TeamService::memberProfile(const members::Member& member)
{
    QJsonArray permissions;
    for (members::Permission permission : members::allPermissions()) {
        if (members::isAllowed(member.role, permission))
            permissions.append(members::permissionName(permission));
    }
    QJsonObject json = memberJson(member);
    json.insert(QStringLiteral("permissions"), permissions);
    return json;
}

Result<QJsonObject> TeamService::memberQueue(const members::Member& member)
{
    auto pending = m_requests.queue(member.id);
    COUNTERSIGN_TRY(pending);
    // The queue they may decide: not what they raised (through a runtime acting for them), not
    // what they already decided.
    QJsonArray requests;
    for (const Request& request : std::as_const(*pending)) {
        if (!request.raisedBy.isEmpty() && request.raisedBy == member.id)
            continue;
        const bool decided = std::any_of(request.decisions.cbegin(), request.decisions.cend(),
                                         [&](const Decision& decision) { return decision.memberId == member.id; });
        if (!decided)
            requests.append(memberView(request, m_requests.payloadView(request)));
    }
    return QJsonObject{{QStringLiteral("requests"), requests}};
}

Result<QJsonObject> TeamService::memberRequest(const members::Member& member, const QString& id)
{
    COUNTERSIGN_TRY(m_members.authorize(member.id, members::Permission::ViewQueue));
    auto request = m_requests.request(id);
    COUNTERSIGN_TRY(request);
    return memberView(*request, m_requests.payloadView(*request));
}

Result<QJsonObject> TeamService::memberDecide(const members::Member& member, const QString& id, const QJsonObject& body)
{
    const json::Fields fields(body);
    // The statement names the digest of the view the member was shown, or (nothing masked) the
    // payload's: one of the two.
    const bool aboutView = !fields.value(QStringLiteral("view_sha256")).isUndefined();
    const QString digestField = aboutView ? QStringLiteral("view_sha256") : QStringLiteral("payload_sha256");
    if (auto valid = expectFields(
            body, fields,
            {QStringLiteral("verdict"), QStringLiteral("reason"), digestField, QStringLiteral("signature")},
            {QStringLiteral("decided_at_ms")});
        !valid)
        return std::unexpected(valid.error());
    const QString verdict = fields.value(QStringLiteral("verdict")).toString();
    if (verdict != u"approve" && verdict != u"deny")
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'verdict' is \"approve\" or \"deny\""));
    auto signature = base64(fields, QStringLiteral("signature"), 64);
    COUNTERSIGN_TRY(signature);
    // The member's statement as they signed it; the service refuses it unless it names the
    // payload this request holds and the signature verifies. The instance it names is read in by
    // the service: this one's.
    DecisionStatement statement{id,
                                member.id,
                                aboutView ? QString() : fields.value(digestField).toString(),
                                verdict == u"approve",
                                fields.value(QStringLiteral("reason")).toString(),
                                fields.value(QStringLiteral("decided_at_ms")).toInteger(),
                                QString()};
    if (aboutView)
        statement.viewSha256 = fields.value(digestField).toString();
    auto decided = m_requests.decideSigned(statement, *signature);
    COUNTERSIGN_TRY(decided);
    return memberView(*decided, m_requests.payloadView(*decided));
}

Result<QJsonObject> TeamService::memberAuditCheckpoint(const members::Member& member)
{
    // Hashes only, no entry: every member's client witnesses the log (checks that it was neither
    // rolled back nor rewritten), whatever the member may read of it.
    if (auto current = m_members.member(member.id); !current || !current->active)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' is not an active member").arg(member.id));
    return m_requests.auditCheckpoint();
}

Result<QJsonObject> TeamService::memberAuditProof(const members::Member& member, qint64 seq, qint64 size)
{
    return m_requests.auditEntryProof(member.id, seq, size);
}

Result<QJsonObject> TeamService::memberAuditConsistency(const members::Member& member, qint64 from, qint64 to)
{
    if (auto current = m_members.member(member.id); !current || !current->active)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' is not an active member").arg(member.id));
    return m_requests.auditConsistencyProof(from, to);
}

} // namespace countersign::approvals
