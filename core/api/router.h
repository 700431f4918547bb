#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace countersign::api {

/// Every route of the endpoint, by audience (audienceOf): one typed value each, never a number.
enum class Route {
    Health,
    CreateRequest,
    ListRequests,
    GetRequest,
    ConsumeRequest,
    CancelRequest,
    AuditCheckpoint,
    AuditProof,
    AuditConsistency,
    // Invitees and team members
    RedeemInvitation,
    SessionChallenge,
    OpenSession,
    MemberProfile,
    MemberQueue,
    MemberRequest,
    MemberDecide,
};

/// Who may call a route: anyone, an invitee or member opening a session (no bearer yet), a
/// runtime, a member with a session, or either of the last two.
enum class RouteAudience { Anyone, Invitee, Runtime, Member, RuntimeOrMember };
[[nodiscard]] RouteAudience audienceOf(Route route);

/// The result of matching a method and path against the route table.
struct RouteMatch final {
    std::optional<Route> route;
    QString id;       // the {id} segment, when the route has one
    QByteArray allow; // no route: the methods the path does accept (405), or none (404)
};

/// The route/method table (docs/runtime-guide.md and docs/team.md, "Routes"). Anything not in it is refused: an unknown
/// path is 404, a known path with another method 405.
class Router final {
public:
    [[nodiscard]] static RouteMatch match(QByteArrayView method, QByteArrayView path);
    /// Every route as "METHOD /pattern" ("{id}" for the id segment), in table order; the docs
    /// are checked against it.
    [[nodiscard]] static QList<QByteArray> routes();
};

} // namespace countersign::api
