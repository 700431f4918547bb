#pragma once

#include "approvals/runtimeidentity.h"
#include "endpointsettings.h"
#include "error.h"
#include "failuretable.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "members/member.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

#include <array>
#include <functional>
#include <memory>
#include <optional>

class QIODevice;
class QHostAddress;
class QLocalServer;
class QTcpServer;
class QTimer;

namespace countersign::approvals {
class RuntimeApi;
}

namespace countersign::http {

class HttpConnection;
class TlsServer;
enum class Listener;

/// The local endpoint (docs/runtime-guide.md, "Limits the endpoint enforces"): HTTP/1.1 on 127.0.0.1 and ::1 and on a
/// Unix socket, with the transport hardening in front of RuntimeApi. No business rule lives here.
class HttpServer final : public QObject {
    Q_OBJECT
public:
    HttpServer(approvals::RuntimeApi& api, EndpointSettings settings, QObject* parent = nullptr);
    ~HttpServer() override;

    /// Listens on both loopback addresses (and the Unix socket when configured).
    [[nodiscard]] Result<void> listen();
    [[nodiscard]] quint16 port() const;
    /// The team listener's port (0 when there is none).
    [[nodiscard]] quint16 teamPort() const;
    [[nodiscard]] const EndpointSettings& settings() const { return m_settings; }

    /// Answers \a request, or returns nothing when the answer comes later (a long-poll); the
    /// connection then receives it through HttpConnection::complete().
    [[nodiscard]] std::optional<HttpResponse> handle(const HttpRequest& request, HttpConnection& connection);

private:
    struct Waiter {
        QPointer<HttpConnection> connection;
        approvals::RuntimeIdentity runtime;
        QString id;
        qint64 deadline = 0;
    };
    /// What each listener keeps apart from the others: its connections (oldest first), its
    /// failed authentications, and how many of those the audit has heard of in this window.
    struct ListenerState {
        QList<HttpConnection*> connections;
        FailureTable failures{FailureTable::Limits{}};
        int auditedThisWindow = 0; // entries written one by one
        int unaudited = 0;         // failures only counted, for the window's summary entry
        int unauditedLockouts = 0;
        QHash<QString, int> unauditedClients;
    };
    struct CachedBody {
        QByteArray json;
        qint64 validUntil = 0;
    };
    struct Bucket {
        double tokens = 0;
        qint64 refilledAt = 0;
    };
    struct MemberWaiter {
        QPointer<HttpConnection> connection;
        members::Member member;
        qint64 deadline = 0;
    };
    /// Who made an authenticated call: a runtime or a member with a session.
    struct Caller {
        std::optional<approvals::RuntimeIdentity> runtime;
        std::optional<members::Member> member;
        [[nodiscard]] QString bucket() const;
    };

    /// A new connection. A listener that is full makes room by evicting its oldest connection
    /// that has not authenticated; with none to evict, the newcomer is refused (503).
    void admit(QIODevice* socket, const QString& client, Listener listener);
    [[nodiscard]] ListenerState& stateOf(Listener listener);
    [[nodiscard]] const ListenerState& stateOf(Listener listener) const;
    void acceptTcp(QTcpServer* server, Listener listener);
    void acceptLocal();
    [[nodiscard]] std::optional<Error> checkHost(const HttpRequest& request, Listener listener) const;
    /// The caller behind the request's bearer token. A valid token is always served (and marks
    /// the connection proven); only failures meet the lockout.
    [[nodiscard]] Result<Caller> authenticate(const HttpRequest& request, HttpConnection& connection, bool runtimes,
                                              bool members, int& retryAfterSeconds);
    /// Counts a failed authentication on the connection's listener, keyed by its client, and
    /// locks the client out after too many. The audit hears of each client's first failure in a
    /// window and of lockouts, up to a budget per window; the rest go into one summary entry.
    /// \a credential (what was presented) is recorded only as a short hash.
    void recordFailure(const HttpConnection& connection, const QString& reason, const HttpRequest& request,
                       QByteArrayView credential);
    /// True while the connection's client is locked out on its listener (counted as a failure
    /// for the audit's summary); \a retryAfterSeconds says for how long.
    [[nodiscard]] bool refuseIfLockedOut(const HttpConnection& connection, int& retryAfterSeconds);
    /// Writes each listener's summary of failures not audited one by one, and starts a new window.
    void auditFailureWindow();
    [[nodiscard]] bool takeRateToken(const QString& bucket, int& retryAfterSeconds);
    /// The invitee and member routes (teamroutes.cpp).
    [[nodiscard]] std::optional<HttpResponse> dispatchTeam(const HttpRequest& request, HttpConnection& connection,
                                                           const Caller& caller, int route, const QString& id);
    [[nodiscard]] HttpResponse invitee(const HttpRequest& request, HttpConnection& connection, int route);
    void answerMemberWaiters(bool all);
    [[nodiscard]] Result<QJsonObject> jsonBody(const HttpRequest& request) const;
    /// The two numbers of an audit proof route: seq and size (\a inclusion), or from and to.
    [[nodiscard]] static Result<std::pair<qint64, qint64>> auditRange(const HttpRequest& request, bool inclusion);
    /// Hands \a write to the group commit; the connection is answered after the commit.
    [[nodiscard]] std::optional<HttpResponse> answerAfterCommit(HttpConnection& connection,
                                                                std::function<HttpResponse()> write);
    [[nodiscard]] std::optional<HttpResponse> dispatch(const HttpRequest& request, HttpConnection& connection,
                                                       const approvals::RuntimeIdentity& runtime, int route,
                                                       const QString& id);
    void onRequestChanged(const QString& id);
    /// Why the vault can no longer be served (latched once seen), or nothing while it can.
    [[nodiscard]] std::optional<Error> unavailable();
    void expireWaiters();

    approvals::RuntimeApi& m_api;
    EndpointSettings m_settings;
    QList<QTcpServer*> m_tcpServers;
    TlsServer* m_teamServer = nullptr;
    QLocalServer* m_localServer = nullptr;
    QTimer* m_waitTimer = nullptr;
    QTimer* m_failureWindowTimer = nullptr;
    qint64 m_lastStateCheck = 0;
    QElapsedTimer m_clock;
    std::array<ListenerState, 3> m_listeners; // by Listener
    QHash<QString, Bucket> m_buckets;
    QList<Waiter> m_waiters;
    QList<MemberWaiter> m_memberWaiters;
    std::optional<Error> m_unavailable;
    QHash<QString, CachedBody> m_statusCache; // "runtime id/request id" -> serialized GET answer
};

} // namespace countersign::http
