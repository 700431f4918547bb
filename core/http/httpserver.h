#pragma once

#include "approvals/runtimeidentity.h"
#include "endpointsettings.h"
#include "error.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "members/member.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

class QIODevice;
class QLocalServer;
class QSslServer;
class QTcpServer;
class QTimer;

namespace countersign::approvals {
class RuntimeApi;
}

namespace countersign::http {

class HttpConnection;

/// The local endpoint (SPEC section 4): HTTP/1.1 on 127.0.0.1 and ::1 and on a Unix socket,
/// with the transport hardening in front of RuntimeApi. No business rule lives here.
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
    struct ClientFailures {
        QList<qint64> recent; // monotonic ms of failures within the window
        qint64 lockedUntil = 0;
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

    /// A new connection, refused at once (503) past the connection cap.
    void admit(QIODevice* socket, const QString& client, bool team);
    void acceptTcp(QTcpServer* server, bool team);
    void acceptLocal();
    [[nodiscard]] std::optional<Error> checkHost(const HttpRequest& request, bool team) const;
    [[nodiscard]] Result<Caller> authenticate(const HttpRequest& request, const QString& client, bool runtimes,
                                              bool members, int& retryAfterSeconds);
    /// Counts an authentication failure of \a client (audited) and locks it out after too many.
    void recordFailure(const QString& client, const QString& reason, const HttpRequest& request);
    /// True while \a client is locked out; \a retryAfterSeconds says for how long.
    [[nodiscard]] bool isLockedOut(const QString& client, int& retryAfterSeconds) const;
    [[nodiscard]] bool takeRateToken(const QString& bucket, int& retryAfterSeconds);
    /// The invitee and member routes (teamroutes.cpp).
    [[nodiscard]] std::optional<HttpResponse> dispatchTeam(const HttpRequest& request, HttpConnection& connection,
                                                           const Caller& caller, int route, const QString& id);
    [[nodiscard]] HttpResponse invitee(const HttpRequest& request, HttpConnection& connection, int route);
    void answerMemberWaiters(bool all);
    [[nodiscard]] Result<QJsonObject> jsonBody(const HttpRequest& request) const;
    /// The two numbers of an audit proof route: seq and size (\a inclusion), or from and to.
    [[nodiscard]] static Result<std::pair<qint64, qint64>> auditRange(const HttpRequest& request, bool inclusion);
    [[nodiscard]] std::optional<HttpResponse> dispatch(const HttpRequest& request, HttpConnection& connection,
                                                       const approvals::RuntimeIdentity& runtime, int route,
                                                       const QString& id);
    void onRequestChanged(const QString& id);
    void expireWaiters();

    approvals::RuntimeApi& m_api;
    EndpointSettings m_settings;
    QList<QTcpServer*> m_tcpServers;
    QSslServer* m_teamServer = nullptr;
    QLocalServer* m_localServer = nullptr;
    QTimer* m_waitTimer = nullptr;
    int m_connections = 0;
    qint64 m_lastStateCheck = 0;
    QElapsedTimer m_clock;
    QHash<QString, ClientFailures> m_failures;
    QHash<QString, Bucket> m_buckets;
    QList<Waiter> m_waiters;
    QList<MemberWaiter> m_memberWaiters;
    QHash<QString, CachedBody> m_statusCache; // "runtime id/request id" -> serialized GET answer
};

} // namespace countersign::http
