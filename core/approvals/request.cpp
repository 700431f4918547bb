#include "request.h"

#include <QDateTime>

namespace countersign::approvals {

QJsonValue isoTime(qint64 ms)
{
    if (ms <= 0)
        return QJsonValue::Null;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString stateName(RequestState state)
{
    switch (state) {
    case RequestState::Pending:
        return QStringLiteral("pending");
    case RequestState::Approved:
        return QStringLiteral("approved");
    case RequestState::Denied:
        return QStringLiteral("denied");
    case RequestState::Expired:
        return QStringLiteral("expired");
    case RequestState::Cancelled:
        return QStringLiteral("cancelled");
    case RequestState::Consumed:
        return QStringLiteral("consumed");
    }
    return {};
}

std::optional<RequestState> parseState(const QString& name)
{
    for (const auto state : {RequestState::Pending, RequestState::Approved, RequestState::Denied, RequestState::Expired,
                             RequestState::Cancelled, RequestState::Consumed}) {
        if (stateName(state) == name)
            return state;
    }
    return std::nullopt;
}

QJsonObject Decision::toJson() const
{
    return QJsonObject{{QStringLiteral("member"), memberId},
                       {QStringLiteral("member_name"), memberName},
                       {QStringLiteral("verdict"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                       {QStringLiteral("reason"), reason},
                       {QStringLiteral("decided_at"), isoTime(decidedAt)},
                       {QStringLiteral("decided_at_ms"), decidedAt},
                       {QStringLiteral("public_key"), QString::fromLatin1(memberKey.toBase64())},
                       {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}};
}

int Request::approvalCount() const
{
    int count = 0;
    for (const Decision& decision : decisions)
        count += decision.approve ? 1 : 0;
    return count;
}

} // namespace countersign::approvals
