#include "router.h"

#include <QList>

#include <array>

namespace countersign::api {

namespace {

struct Entry {
    const char* method;
    const char* pattern; // "{id}" matches one segment of [A-Za-z0-9_-]{1,64}
    Route route;
};

constexpr std::array<Entry, 16> TABLE{{
    {"GET", "/v1/health", Route::Health},
    {"POST", "/v1/requests", Route::CreateRequest},
    {"GET", "/v1/requests", Route::ListRequests},
    {"GET", "/v1/requests/{id}", Route::GetRequest},
    {"POST", "/v1/requests/{id}/consume", Route::ConsumeRequest},
    {"POST", "/v1/requests/{id}/cancel", Route::CancelRequest},
    {"GET", "/v1/audit/checkpoint", Route::AuditCheckpoint},
    {"GET", "/v1/audit/proof", Route::AuditProof},
    {"GET", "/v1/audit/consistency", Route::AuditConsistency},
    {"POST", "/v1/invitations/redeem", Route::RedeemInvitation},
    {"POST", "/v1/sessions/challenge", Route::SessionChallenge},
    {"POST", "/v1/sessions", Route::OpenSession},
    {"GET", "/v1/member", Route::MemberProfile},
    {"GET", "/v1/member/queue", Route::MemberQueue},
    {"GET", "/v1/member/requests/{id}", Route::MemberRequest},
    {"POST", "/v1/member/requests/{id}/decision", Route::MemberDecide},
}};

bool isIdSegment(QByteArrayView segment)
{
    if (segment.isEmpty() || segment.size() > 64)
        return false;
    for (const char c : segment) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

bool matchPattern(QByteArrayView pattern, QByteArrayView path, QString& id)
{
    const QList<QByteArray> want = pattern.toByteArray().split('/');
    const QList<QByteArray> have = path.toByteArray().split('/');
    if (want.size() != have.size())
        return false;
    for (qsizetype i = 0; i < want.size(); ++i) {
        if (want.at(i) == "{id}") {
            if (!isIdSegment(have.at(i)))
                return false;
            id = QString::fromLatin1(have.at(i));
        } else if (want.at(i) != have.at(i)) {
            return false;
        }
    }
    return true;
}

} // namespace

RouteAudience audienceOf(Route route)
{
    switch (route) {
    case Route::Health:
        return RouteAudience::Anyone;
    case Route::RedeemInvitation:
    case Route::SessionChallenge:
    case Route::OpenSession:
        return RouteAudience::Invitee;
    case Route::MemberProfile:
    case Route::MemberQueue:
    case Route::MemberRequest:
    case Route::MemberDecide:
        return RouteAudience::Member;
    case Route::AuditCheckpoint:
    case Route::AuditProof:
    case Route::AuditConsistency:
        return RouteAudience::RuntimeOrMember;
    case Route::CreateRequest:
    case Route::ListRequests:
    case Route::GetRequest:
    case Route::ConsumeRequest:
    case Route::CancelRequest:
        break;
    }
    return RouteAudience::Runtime;
}

QList<QByteArray> Router::routes()
{
    QList<QByteArray> all;
    for (const Entry& entry : TABLE)
        all.append(QByteArray(entry.method) + ' ' + entry.pattern);
    return all;
}

RouteMatch Router::match(QByteArrayView method, QByteArrayView path)
{
    RouteMatch result;
    for (const Entry& entry : TABLE) {
        QString id;
        if (!matchPattern(entry.pattern, path, id))
            continue;
        if (method == entry.method) {
            result.route = entry.route;
            result.id = id;
            return result;
        }
        result.allow += (result.allow.isEmpty() ? "" : ", ") + QByteArray(entry.method);
    }
    return result;
}

} // namespace countersign::api
