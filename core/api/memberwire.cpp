#include "memberwire.h"

#include "json/fields.h"
#include "members/permissions.h"

#include <QDateTime>
#include <QJsonArray>

namespace countersign::api {

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

} // namespace

Result<MemberWire::Redemption> MemberWire::redemption(const QJsonObject& body)
{
    const json::Fields fields(body);
    COUNTERSIGN_TRY(expectFields(
        body, fields, {QStringLiteral("token"), QStringLiteral("display_name"), QStringLiteral("public_key")}));
    auto key = base64(fields, QStringLiteral("public_key"), 32);
    COUNTERSIGN_TRY(key);
    return Redemption{fields.value(QStringLiteral("token")).toString(),
                      fields.value(QStringLiteral("display_name")).toString(), std::move(*key)};
}

Result<QString> MemberWire::challengeFor(const QJsonObject& body)
{
    const json::Fields fields(body);
    COUNTERSIGN_TRY(expectFields(body, fields, {QStringLiteral("member")}, {}, 64));
    return fields.value(QStringLiteral("member")).toString();
}

Result<MemberWire::SessionOpening> MemberWire::sessionOpening(const QJsonObject& body)
{
    const json::Fields fields(body);
    COUNTERSIGN_TRY(
        expectFields(body, fields, {QStringLiteral("member"), QStringLiteral("nonce"), QStringLiteral("signature")}));
    auto nonce = base64(fields, QStringLiteral("nonce"), 32);
    auto signature = base64(fields, QStringLiteral("signature"), 64);
    if (!nonce || !signature)
        return fail(ErrorCode::Unauthenticated, QStringLiteral("the session could not be opened"));
    return SessionOpening{fields.value(QStringLiteral("member")).toString(), std::move(*nonce), std::move(*signature)};
}

Result<MemberWire::SignedDecision> MemberWire::decision(const QString& memberId, const QString& requestId,
                                                        const QJsonObject& body)
{
    const json::Fields fields(body);
    // The statement names the digest of the view the member was shown, or (nothing masked) the
    // payload's: one of the two.
    const bool aboutView = !fields.value(QStringLiteral("view_sha256")).isUndefined();
    const QString digestField = aboutView ? QStringLiteral("view_sha256") : QStringLiteral("payload_sha256");
    COUNTERSIGN_TRY(expectFields(
        body, fields, {QStringLiteral("verdict"), QStringLiteral("reason"), digestField, QStringLiteral("signature")},
        {QStringLiteral("decided_at_ms")}));
    const QString verdict = fields.value(QStringLiteral("verdict")).toString();
    if (verdict != u"approve" && verdict != u"deny")
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'verdict' is \"approve\" or \"deny\""));
    auto signature = base64(fields, QStringLiteral("signature"), 64);
    COUNTERSIGN_TRY(signature);
    approvals::DecisionStatement statement{requestId,
                                           memberId,
                                           aboutView ? QString() : fields.value(digestField).toString(),
                                           verdict == u"approve",
                                           fields.value(QStringLiteral("reason")).toString(),
                                           fields.value(QStringLiteral("decided_at_ms")).toInteger(),
                                           QString()};
    if (aboutView)
        statement.viewSha256 = fields.value(digestField).toString();
    return SignedDecision{std::move(statement), std::move(*signature)};
}

QJsonObject MemberWire::member(const members::Member& member)
{
    return QJsonObject{{QStringLiteral("id"), member.id},
                       {QStringLiteral("display_name"), member.displayName},
                       {QStringLiteral("role"), members::roleName(member.role)},
                       {QStringLiteral("public_key"), QString::fromLatin1(member.publicKey.toBase64())}};
}

QJsonObject MemberWire::profile(const members::Member& member)
{
    QJsonArray permissions;
    for (members::Permission permission : members::allPermissions()) {
        if (members::isAllowed(member.role, permission))
            permissions.append(members::permissionName(permission));
    }
    QJsonObject json = MemberWire::member(member);
    json.insert(QStringLiteral("permissions"), permissions);
    return json;
}

QJsonObject MemberWire::challenge(const approvals::TeamApi::Challenge& challenge)
{
    return QJsonObject{{QStringLiteral("nonce"), QString::fromLatin1(challenge.nonce.toBase64())},
                       {QStringLiteral("instance"), challenge.instance},
                       {QStringLiteral("expires_in"), challenge.expiresIn}};
}

QJsonObject MemberWire::session(const members::SessionService::Session& session)
{
    return QJsonObject{{QStringLiteral("token"), session.token},
                       {QStringLiteral("expires_at"),
                        QDateTime::fromMSecsSinceEpoch(session.expiresAt, Qt::UTC).toString(Qt::ISODateWithMs)},
                       {QStringLiteral("member"), member(session.member)}};
}

} // namespace countersign::api
