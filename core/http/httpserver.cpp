#include "httpserver.h"

#include "crypto/crypto.h"

#include "approvals/requestevents.h"
#include "approvals/runtimeapi.h"
#include "approvals/teamapi.h"
#include "httpconnection.h"
#include "json/fields.h"
#include "json/jsonstructure.h"
#include "router.h"
#include "tlsserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QSet>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcHttp, "countersign.http")

namespace countersign::http {

namespace {

const QString LOCAL_CLIENT = QStringLiteral("unix");
constexpr qint64 STATUS_CACHE_MS = 250;
// Audit entries one listener writes one by one per failure window (first failures of a client,
// lockouts); past that, failures are only counted into the window's summary entry, so that a
// client rotating addresses cannot make the vault grow with every attempt.
constexpr int AUDITED_FAILURES_PER_WINDOW = 16;
constexpr qsizetype SUMMARY_CLIENTS = 16;
constexpr qsizetype MAX_RATE_BUCKETS = 4096;

QString listenerName(Listener listener)
{
    switch (listener) {
    case Listener::Loopback:
        return QStringLiteral("loopback");
    case Listener::LocalSocket:
        return QStringLiteral("unix");
    case Listener::Team:
        return QStringLiteral("team");
    }
    return {};
}

/// The key a client's limits are counted under: its IPv4 address, or the /64 an IPv6 peer
/// holds (one host commonly has a whole /64 to pick addresses from).
QString clientKey(const QHostAddress& address)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    if (isIpv4)
        return QHostAddress(ipv4).toString();
    if (address.protocol() != QAbstractSocket::IPv6Protocol || address.isLoopback())
        return address.toString();
    Q_IPV6ADDR bytes = address.toIPv6Address();
    std::fill(std::begin(bytes.c) + 8, std::end(bytes.c), quint8{0});
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

/// Counts \a client towards a window's summary, in a table that stops taking new clients when
/// full (the summary then says how many it saw, not all of them).
void countUnaudited(QHash<QString, int>& clients, const QString& client)
{
    if (clients.size() < FailureTable::Limits{}.maxClients || clients.contains(client))
        ++clients[client];
}
constexpr int VAULT_CHECK_MS = 2000;

HttpResponse withRetryAfter(HttpResponse response, int seconds)
{
    response.extraHeaders.append({QByteArrayLiteral("Retry-After"), QByteArray::number(std::max(1, seconds))});
    return response;
}

} // namespace

HttpServer::HttpServer(approvals::RuntimeApi& api, EndpointSettings settings, QObject* parent)
    : QObject(parent)
    , m_api(api)
    , m_settings(std::move(settings))
    , m_waitTimer(new QTimer(this))
{
    m_clock.start();
    const FailureTable::Limits limits{m_settings.authFailuresBeforeLockout, m_settings.authFailureWindowMs,
                                      m_settings.lockoutMs, FailureTable::Limits{}.maxClients};
    for (ListenerState& state : m_listeners)
        state.failures = FailureTable(limits);
    m_failureWindowTimer = new QTimer(this);
    m_failureWindowTimer->setInterval(m_settings.authFailureWindowMs);
    connect(m_failureWindowTimer, &QTimer::timeout, this, &HttpServer::auditFailureWindow);
    m_waitTimer->setInterval(200);
    connect(m_waitTimer, &QTimer::timeout, this, &HttpServer::expireWaiters);
    // Checked on every request, and on a timer so that an idle server says why it stopped.
    auto* vaultCheck = new QTimer(this);
    vaultCheck->setInterval(VAULT_CHECK_MS);
    connect(vaultCheck, &QTimer::timeout, this, [this] { (void)unavailable(); });
    vaultCheck->start();
    connect(&m_api.events(), &approvals::RequestEvents::requestChanged, this,
            [this](const QString& id, const QString&) { onRequestChanged(id); });
    connect(&m_api.events(), &approvals::RequestEvents::requestCreated, this, [this] { answerMemberWaiters(true); });
}

HttpServer::~HttpServer()
{
    auditFailureWindow(); // what the last window counted is not lost at shutdown
    if (m_localServer)
        QLocalServer::removeServer(m_localServer->fullServerName());
}

Result<void> HttpServer::listen()
{
    quint16 port = m_settings.port;
    for (const QHostAddress& address :
         {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)}) {
        auto* server = new QTcpServer(this);
        server->setMaxPendingConnections(64);
        if (!server->listen(address, port)) {
            const QString message = server->errorString();
            delete server;
            if (address == QHostAddress(QHostAddress::LocalHostIPv6)) {
                qCWarning(lcHttp) << "no IPv6 loopback:" << message;
                continue; // a machine without ::1 still serves 127.0.0.1
            }
            return fail(
                ErrorCode::Io,
                QStringLiteral("cannot listen on %1 port %2: %3").arg(address.toString()).arg(port).arg(message));
        }
        port = server->serverPort(); // with port 0, the second address takes the first's port
        connect(server, &QTcpServer::newConnection, this, [this, server] { acceptTcp(server, Listener::Loopback); });
        m_tcpServers.append(server);
    }
    m_settings.port = port;
    if (!m_settings.localSocketPath.isEmpty()) {
        const QFileInfo info(m_settings.localSocketPath);
        QDir().mkpath(info.absolutePath());
        QFile::setPermissions(info.absolutePath(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QLocalServer::removeServer(m_settings.localSocketPath);
        m_localServer = new QLocalServer(this);
        m_localServer->setSocketOptions(QLocalServer::UserAccessOption); // srwx------ (0700)
        if (!m_localServer->listen(m_settings.localSocketPath))
            return fail(ErrorCode::Io, QStringLiteral("cannot listen on %1: %2")
                                           .arg(m_settings.localSocketPath, m_localServer->errorString()));
        connect(m_localServer, &QLocalServer::newConnection, this, &HttpServer::acceptLocal);
    }
    if (m_settings.team) {
        const EndpointSettings::Team& team = *m_settings.team;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(team.certificatePem, QSsl::Pem));
        // QSslKey takes a QByteArray: the PEM is copied out of guarded memory only for this call
        // and wiped after; the decoded key then lives in OpenSSL's heap for the listener's life.
        QByteArray pem = team.privateKeyPem ? team.privateKeyPem->view().toByteArray() : QByteArray();
        tls.setPrivateKey(QSslKey(pem, QSsl::Ec, QSsl::Pem));
        crypto::wipe(pem);
        tls.setProtocol(QSsl::TlsV1_2OrLater);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone); // members prove themselves by their keys
        if (tls.localCertificate().isNull() || tls.privateKey().isNull())
            return fail(ErrorCode::Crypto, QStringLiteral("the team listener's certificate or key cannot be read"));
        // Plain TCP accepted here, TLS started per connection: handshakes are counted, capped
        // per address and timed out with the other limits in admit().
        m_teamServer = new TlsServer(tls, this);
        if (!m_teamServer->listen(QHostAddress(team.address), team.port))
            return fail(ErrorCode::Io, QStringLiteral("cannot listen for the team on %1 port %2: %3")
                                           .arg(team.address)
                                           .arg(team.port)
                                           .arg(m_teamServer->errorString()));
        m_settings.team->port = m_teamServer->serverPort();
        connect(m_teamServer, &QTcpServer::newConnection, this, [this] { acceptTcp(m_teamServer, Listener::Team); });
        qCInfo(lcHttp) << "serving the team over TLS on" << team.address << "port" << m_settings.team->port;
    }
    qCInfo(lcHttp) << "listening on port" << port;
    return {};
}

quint16 HttpServer::teamPort() const
{
    return m_settings.team ? m_settings.team->port : 0;
}

quint16 HttpServer::port() const
{
    return m_settings.port;
}

HttpServer::ListenerState& HttpServer::stateOf(Listener listener)
{
    return m_listeners.at(static_cast<std::size_t>(listener));
}

const HttpServer::ListenerState& HttpServer::stateOf(Listener listener) const
{
    return m_listeners.at(static_cast<std::size_t>(listener));
}

void HttpServer::admit(QIODevice* socket, const QString& client, Listener listener)
{
    ListenerState& state = stateOf(listener);
    const bool team = listener == Listener::Team;
    // Connections that have not authenticated are the ones an attacker can open at no cost:
    // when room is needed, the oldest of them goes (slow headers, silent TLS handshakes), never
    // one that proved a credential or waits on a long-poll.
    auto oldestUnproven = [&](const QString* from) -> HttpConnection* {
        for (HttpConnection* open : std::as_const(state.connections)) {
            if (!open->isProven() && !open->isWaiting() && (!from || open->client() == *from))
                return open;
        }
        return nullptr;
    };
    if (team && m_settings.team->unprovenPerAddress > 0) {
        const auto fromClient =
            std::count_if(state.connections.cbegin(), state.connections.cend(),
                          [&](const HttpConnection* open) { return open->client() == client && !open->isProven(); });
        if (fromClient >= m_settings.team->unprovenPerAddress) {
            if (HttpConnection* victim = oldestUnproven(&client))
                victim->evict();
        }
    }
    const int cap = team ? m_settings.team->maxConnections : m_settings.maxConnections;
    if (state.connections.size() >= cap) {
        if (HttpConnection* victim = oldestUnproven(nullptr))
            victim->evict();
    }
    if (state.connections.size() >= cap) {
        if (team) {
            // Not even a TLS handshake to answer in: just close.
            if (auto* tcp = qobject_cast<QAbstractSocket*>(socket))
                tcp->abort();
            socket->deleteLater();
            return;
        }
        auto* refused = new HttpConnection(socket, client, listener, *this);
        refused->evict();
        return;
    }
    auto* connection = new HttpConnection(socket, client, listener, *this);
    state.connections.append(connection);
    connect(connection, &HttpConnection::closed, this,
            [this, connection, listener] { stateOf(listener).connections.removeOne(connection); });
    if (team)
        connection->startEncryption(m_settings.team->handshakeTimeoutMs);
}

void HttpServer::acceptTcp(QTcpServer* server, Listener listener)
{
    while (QTcpSocket* socket = server->nextPendingConnection())
        admit(socket, clientKey(socket->peerAddress()), listener);
}

void HttpServer::acceptLocal()
{
    while (QLocalSocket* socket = m_localServer->nextPendingConnection())
        admit(socket, LOCAL_CLIENT, Listener::LocalSocket);
}

std::optional<Error> HttpServer::checkHost(const HttpRequest& request, Listener listener) const
{
    // DNS rebinding defence (docs/runtime-guide.md, "Limits the endpoint enforces"): a page on a
    // hostile name that resolves to 127.0.0.1 still sends its own name in Host (RFC 9110 7.2),
    // so only loopback names with our port pass, checked before anything else looks at the request.
    bool found = false;
    const QByteArray host = request.header("host", &found).toLower();
    if (!found || request.headerCount("host") != 1)
        return Error{ErrorCode::MisdirectedRequest,
                     QStringLiteral("exactly one Host header naming this machine is required")};
    if (listener == Listener::Team) {
        // Members dial the name in their invitation link.
        const QString expected = QStringLiteral("%1:%2").arg(m_settings.team->publicHost).arg(m_settings.team->port);
        if (QString::fromUtf8(host) == expected.toLower())
            return std::nullopt;
        return Error{ErrorCode::MisdirectedRequest, QStringLiteral("this listener answers only to %1").arg(expected)};
    }
    const QByteArray port = QByteArray::number(m_settings.port);
    for (const QByteArray& name :
         {QByteArrayLiteral("127.0.0.1"), QByteArrayLiteral("[::1]"), QByteArrayLiteral("localhost")}) {
        if (host == name + ':' + port)
            return std::nullopt;
    }
    // A Unix socket has no port: plain `localhost` names it (RFC 9112 3.2 requires a Host,
    // and the socket's file permissions, not the name, are what keep others out).
    if (listener == Listener::LocalSocket && host == "localhost")
        return std::nullopt;
    return Error{
        ErrorCode::MisdirectedRequest,
        QStringLiteral("this endpoint answers only to 127.0.0.1, [::1] or localhost on port %1").arg(m_settings.port)};
}

QString HttpServer::Caller::bucket() const
{
    return runtime ? QStringLiteral("runtime:") + QString::number(runtime->id)
                   : QStringLiteral("member:") + (member ? member->id : QString());
}

bool HttpServer::refuseIfLockedOut(const HttpConnection& connection, int& retryAfterSeconds)
{
    ListenerState& state = stateOf(connection.listener());
    if (!state.failures.isLockedOut(connection.client(), m_clock.elapsed(), retryAfterSeconds))
        return false;
    ++state.unaudited;
    countUnaudited(state.unauditedClients, connection.client());
    if (!m_failureWindowTimer->isActive())
        m_failureWindowTimer->start();
    return true;
}

void HttpServer::recordFailure(const HttpConnection& connection, const QString& reason, const HttpRequest& request,
                               QByteArrayView credential)
{
    ListenerState& state = stateOf(connection.listener());
    const QString& client = connection.client();
    const FailureTable::Recorded recorded = state.failures.record(client, m_clock.elapsed());
    if (!m_failureWindowTimer->isActive())
        m_failureWindowTimer->start();
    if (recorded.inWindow == 1 && state.auditedThisWindow < AUDITED_FAILURES_PER_WINDOW) {
        ++state.auditedThisWindow;
        QJsonObject details{{QStringLiteral("client"), client},
                            {QStringLiteral("listener"), listenerName(connection.listener())},
                            {QStringLiteral("reason"), reason},
                            {QStringLiteral("path"), QString::fromLatin1(request.path.left(100))},
                            {QStringLiteral("count"), 1}};
        if (!credential.isEmpty()) {
            // Which credential failed, without writing it down: a short hash tells one
            // repeated wrong token from many different guesses.
            details.insert(
                QStringLiteral("credential_sha256"),
                QString::fromLatin1(QCryptographicHash::hash(credential, QCryptographicHash::Sha256).left(8).toHex()));
        }
        m_api.recordSecurityEvent(QStringLiteral("auth.failed"), details);
    } else {
        ++state.unaudited;
        countUnaudited(state.unauditedClients, client);
    }
    if (!recorded.lockedNow)
        return;
    qCWarning(lcHttp) << "locked out" << client << "on the" << listenerName(connection.listener())
                      << "listener after repeated authentication failures";
    if (state.auditedThisWindow < AUDITED_FAILURES_PER_WINDOW) {
        ++state.auditedThisWindow;
        m_api.recordSecurityEvent(QStringLiteral("auth.lockout"),
                                  QJsonObject{{QStringLiteral("client"), client},
                                              {QStringLiteral("listener"), listenerName(connection.listener())},
                                              {QStringLiteral("failures"), recorded.inWindow},
                                              {QStringLiteral("seconds"), m_settings.lockoutMs / 1000}});
    } else {
        ++state.unauditedLockouts;
    }
}

void HttpServer::auditFailureWindow()
{
    const qint64 now = m_clock.elapsed();
    bool tracking = false;
    for (Listener listener : {Listener::Loopback, Listener::LocalSocket, Listener::Team}) {
        ListenerState& state = stateOf(listener);
        if (state.unaudited > 0 || state.unauditedLockouts > 0) {
            // One entry per listener and window for everything not audited one by one, with the
            // clients that failed most.
            QList<std::pair<int, QString>> ranked;
            for (auto it = state.unauditedClients.cbegin(); it != state.unauditedClients.cend(); ++it)
                ranked.append({it.value(), it.key()});
            std::sort(ranked.begin(), ranked.end(), std::greater<>());
            QJsonArray top;
            for (const auto& [count, client] : ranked.first(std::min(ranked.size(), SUMMARY_CLIENTS)))
                top.append(QJsonObject{{QStringLiteral("client"), client}, {QStringLiteral("count"), count}});
            m_api.recordSecurityEvent(QStringLiteral("auth.failed"),
                                      QJsonObject{{QStringLiteral("listener"), listenerName(listener)},
                                                  {QStringLiteral("summary"), true},
                                                  {QStringLiteral("count"), state.unaudited},
                                                  {QStringLiteral("clients"), state.unauditedClients.size()},
                                                  {QStringLiteral("lockouts"), state.unauditedLockouts},
                                                  {QStringLiteral("window_ms"), m_settings.authFailureWindowMs},
                                                  {QStringLiteral("top"), top}});
        }
        state.auditedThisWindow = 0;
        state.unaudited = 0;
        state.unauditedLockouts = 0;
        state.unauditedClients.clear();
        state.failures.prune(now);
        tracking |= state.failures.size() > 0;
    }
    if (!tracking)
        m_failureWindowTimer->stop();
}

Result<HttpServer::Caller> HttpServer::authenticate(const HttpRequest& request, HttpConnection& connection,
                                                    bool runtimes, bool members, int& retryAfterSeconds)
{
    const QByteArray authorization = request.header("authorization");
    QByteArray token;
    if (authorization.size() > 7 && authorization.left(7).toLower() == "bearer " &&
        request.headerCount("authorization") == 1) {
        token = authorization.mid(7).trimmed();
        // A valid token is never blocked by a lockout: clients behind one address (loopback,
        // a NAT) cannot lock each other out.
        if (runtimes) {
            if (auto identity = m_api.authenticate(token)) {
                connection.setProven();
                return Caller{*identity, std::nullopt};
            }
        }
        if (members && m_api.team()) {
            if (auto member = m_api.team()->authenticateMember(token)) {
                connection.setProven();
                return Caller{std::nullopt, *member};
            }
        }
    }
    if (refuseIfLockedOut(connection, retryAfterSeconds))
        return fail(ErrorCode::LockedOut, QStringLiteral("too many failed authentications; try again later"));
    recordFailure(connection,
                  authorization.isEmpty() ? QStringLiteral("missing token") : QStringLiteral("invalid token"), request,
                  token.isEmpty() ? QByteArrayView(authorization) : QByteArrayView(token));
    return fail(ErrorCode::Unauthenticated, QStringLiteral("a valid token is required (Authorization: Bearer)"));
}

bool HttpServer::takeRateToken(const QString& bucketKey, int& retryAfterSeconds)
{
    const qint64 now = m_clock.elapsed();
    auto it = m_buckets.find(bucketKey);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= MAX_RATE_BUCKETS) {
            // A bucket that has refilled holds nothing a new one would not: forget those.
            m_buckets.removeIf([&](const auto& entry) {
                return entry.value().tokens +
                           static_cast<double>(now - entry.value().refilledAt) * m_settings.ratePerSecond / 1000.0 >=
                       m_settings.rateBurst;
            });
        }
        it = m_buckets.insert(bucketKey, Bucket{m_settings.rateBurst, now});
    }
    Bucket& bucket = *it;
    bucket.tokens = std::min(m_settings.rateBurst, bucket.tokens + static_cast<double>(now - bucket.refilledAt) *
                                                                       m_settings.ratePerSecond / 1000.0);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return true;
    }
    retryAfterSeconds = static_cast<int>(std::ceil((1.0 - bucket.tokens) / m_settings.ratePerSecond));
    return false;
}

Result<QJsonObject> HttpServer::jsonBody(const HttpRequest& request) const
{
    const QByteArray type = request.header("content-type").toLower();
    const qsizetype semicolon = type.indexOf(';');
    const QByteArray mediaType = (semicolon < 0 ? type : type.left(semicolon)).trimmed();
    if (mediaType != "application/json")
        return fail(ErrorCode::UnsupportedMediaType, QStringLiteral("send JSON with Content-Type: application/json"));
    if (auto structure = json::checkStructure(request.body); !structure)
        return std::unexpected(structure.error());
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("malformed JSON: %1").arg(error.errorString()));
    if (!document.isObject())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the body must be a JSON object"));
    return document.object();
}

std::optional<Error> HttpServer::unavailable()
{
    if (!m_unavailable) {
        if (auto available = m_api.available(); !available) {
            m_unavailable = available.error();
            qCCritical(lcHttp).noquote() << "stopped serving:" << available.error().message;
        }
    }
    return m_unavailable;
}

std::optional<HttpResponse> HttpServer::handle(const HttpRequest& request, HttpConnection& connection)
{
    // Once the vault cannot be written safely every answer says so, health included, rather
    // than accept work that would be lost.
    if (auto down = unavailable())
        return HttpResponse::error(*down);
    if (auto hostError = checkHost(request, connection.listener()))
        return HttpResponse::error(*hostError);
    bool hasOrigin = false;
    const QByteArray origin = request.header("origin", &hasOrigin);
    if (hasOrigin && !m_settings.allowedOrigins.contains(QString::fromLatin1(origin)))
        return HttpResponse::error(
            Error{ErrorCode::OriginForbidden, QStringLiteral("requests from web pages are refused")});
    const RouteMatch match = Router::match(request.method, request.path);
    if (!match.route) {
        HttpResponse response = HttpResponse::error(Error{match.error, match.error == ErrorCode::MethodNotAllowed
                                                                           ? QStringLiteral("method not allowed here")
                                                                           : QStringLiteral("no such route")});
        if (!match.allow.isEmpty())
            response.extraHeaders.append({QByteArrayLiteral("Allow"), match.allow});
        return response;
    }
    if (*match.route == Route::Health)
        return HttpResponse::json(200, m_api.health());
    const RouteAudience audience = audienceOf(*match.route);
    // Runtimes are served on loopback only; the team listener is for people.
    if (connection.isTeam() && audience == RouteAudience::Runtime)
        return HttpResponse::error(Error{ErrorCode::NotFound, QStringLiteral("no such route")});
    if ((audience == RouteAudience::Invitee || audience == RouteAudience::Member) && !m_api.team())
        return HttpResponse::error(Error{ErrorCode::Unavailable, QStringLiteral("this instance serves no team")});
    if (audience == RouteAudience::Invitee)
        return invitee(request, connection, static_cast<int>(*match.route));

    int retryAfter = 1;
    // Runtime tokens count only on loopback and the Unix socket: on the team listener a runtime
    // token is no credential at all, for every route.
    const bool runtimesHere = !connection.isTeam() && audience != RouteAudience::Member;
    auto caller = authenticate(request, connection, runtimesHere, audience != RouteAudience::Runtime, retryAfter);
    if (!caller) {
        HttpResponse response = HttpResponse::error(caller.error());
        if (caller.error().code == ErrorCode::LockedOut)
            return withRetryAfter(response, retryAfter);
        response.extraHeaders.append({QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer")});
        return response;
    }
    if (!takeRateToken(caller->bucket(), retryAfter))
        return withRetryAfter(HttpResponse::error(Error{ErrorCode::RateLimited, QStringLiteral("slow down")}),
                              retryAfter);
    const Caller& who = *caller;
    // Each kind of caller reaches only the routes of its audience, whatever authenticated it.
    const bool runtimeRoute = audience == RouteAudience::Runtime || audience == RouteAudience::RuntimeOrMember;
    const bool memberRoute = audience == RouteAudience::Member || audience == RouteAudience::RuntimeOrMember;
    if (who.member && memberRoute)
        return dispatchTeam(request, connection, who, static_cast<int>(*match.route), match.id);
    if (who.runtime && runtimeRoute)
        return dispatch(request, connection, *who.runtime, static_cast<int>(*match.route), match.id);
    return HttpResponse::error(Error{ErrorCode::PermissionDenied, QStringLiteral("this route is not for this caller")});
}

Result<std::pair<qint64, qint64>> HttpServer::auditRange(const HttpRequest& request, bool inclusion)
{
    const QByteArray first = inclusion ? QByteArrayLiteral("seq") : QByteArrayLiteral("from");
    const QByteArray second = inclusion ? QByteArrayLiteral("size") : QByteArrayLiteral("to");
    bool okFirst = false;
    bool okSecond = false;
    const qint64 a = request.queryValue(first).toLongLong(&okFirst);
    const qint64 b = request.queryValue(second).toLongLong(&okSecond);
    if (!okFirst || !okSecond)
        return fail(
            ErrorCode::InvalidArgument,
            QStringLiteral("%1 and %2 are whole numbers").arg(QString::fromLatin1(first), QString::fromLatin1(second)));
    return std::pair(a, b);
}

std::optional<HttpResponse> HttpServer::answerAfterCommit(HttpConnection& connection,
                                                          std::function<HttpResponse()> write)
{
    // The answer is computed with the write but sent only once the transaction holding it is on
    // disk: an acknowledged write survives a crash; a failed commit answers with its error.
    struct Pending final {
        HttpResponse response;
        bool deferred = false;
        bool done = false;
    };
    auto pending = std::make_shared<Pending>();
    QPointer<HttpConnection> waiting(&connection);
    m_api.submitWrite([pending, write = std::move(write)] { pending->response = write(); },
                      [pending, waiting](const Result<void>& committed) {
                          if (!committed)
                              pending->response = HttpResponse::error(committed.error());
                          pending->done = true;
                          if (pending->deferred && waiting)
                              waiting->complete(pending->response);
                      });
    if (pending->done)
        return pending->response;
    pending->deferred = true;
    return std::nullopt;
}

std::optional<HttpResponse> HttpServer::dispatch(const HttpRequest& request, HttpConnection& connection,
                                                 const approvals::RuntimeIdentity& runtime, int routeValue,
                                                 const QString& id)
{
    switch (static_cast<Route>(routeValue)) {
    case Route::CreateRequest: {
        auto body = jsonBody(request);
        if (!body)
            return HttpResponse::error(body.error());
        return answerAfterCommit(connection, [this, runtime, body = std::move(*body),
                                              key = QString::fromUtf8(request.header("idempotency-key"))] {
            bool created = false;
            auto result = m_api.createRequest(runtime, body, key, created);
            return result ? HttpResponse::json(created ? 201 : 200, *result) : HttpResponse::error(result.error());
        });
    }
    case Route::ListRequests: {
        auto result = m_api.listRequests(runtime, QString::fromUtf8(request.queryValue("state")));
        if (!result)
            return HttpResponse::error(result.error());
        return HttpResponse::json(200, QJsonObject{{QStringLiteral("requests"), *result}});
    }
    case Route::GetRequest: {
        bool hasWait = false;
        const QByteArray waitText = request.queryValue("wait", &hasWait);
        bool ok = true;
        const int wait = hasWait ? waitText.toInt(&ok) : 0;
        if (!ok || wait < 0)
            return HttpResponse::error(
                Error{ErrorCode::InvalidArgument, QStringLiteral("wait is a number of seconds")});
        // Status polls are the hot path: an answer serialized a moment ago is served again for
        // STATUS_CACHE_MS, unless a change in this process invalidated it first. Changes made by
        // other processes show within that time, as they do for long-polls within a second.
        const QString cacheKey = QString::number(runtime.id) + u'/' + id;
        const qint64 now = m_clock.elapsed();
        if (auto cached = m_statusCache.constFind(cacheKey);
            cached != m_statusCache.cend() && cached->validUntil > now) {
            if (wait == 0 || !cached->json.contains("\"state\":\"pending\"")) {
                HttpResponse response;
                response.rawBody = cached->json;
                return response;
            }
        }
        auto result = m_api.getRequest(runtime, id);
        if (!result)
            return HttpResponse::error(result.error());
        if (m_statusCache.size() > 4096)
            m_statusCache.clear();
        const QByteArray json = QJsonDocument(*result).toJson(QJsonDocument::Compact);
        m_statusCache.insert(cacheKey, CachedBody{json, now + STATUS_CACHE_MS});
        if (wait == 0 || result->value(QStringLiteral("state")).toString() != u"pending") {
            HttpResponse response;
            response.rawBody = json;
            return response;
        }
        const int seconds = std::min(wait, m_settings.maxWaitSeconds);
        m_waiters.append(Waiter{&connection, runtime, id, m_clock.elapsed() + qint64{seconds} * 1000});
        if (!m_waitTimer->isActive())
            m_waitTimer->start();
        return std::nullopt;
    }
    case Route::ConsumeRequest: {
        auto body = jsonBody(request);
        if (!body)
            return HttpResponse::error(body.error());
        const QJsonValue digest = json::Fields(*body).value(QStringLiteral("payload_sha256"));
        if (body->size() != 1 || !digest.isString())
            return HttpResponse::error(Error{ErrorCode::InvalidArgument,
                                             QStringLiteral("the body is exactly {\"payload_sha256\": \"<hex>\"}")});
        // Not grouped: the receipt carries a checkpoint signed over the consume entry, which
        // can be signed only once that entry is committed.
        auto result =
            m_api.consumeRequest(runtime, id, digest.toString(), QString::fromUtf8(request.header("idempotency-key")));
        if (!result)
            return HttpResponse::error(result.error());
        return HttpResponse::json(200, *result);
    }
    case Route::CancelRequest: {
        if (!request.body.isEmpty()) {
            auto body = jsonBody(request);
            if (!body)
                return HttpResponse::error(body.error());
            if (!body->isEmpty())
                return HttpResponse::error(Error{ErrorCode::InvalidArgument, QStringLiteral("cancel takes no fields")});
        }
        return answerAfterCommit(connection, [this, runtime, id] {
            auto result = m_api.cancelRequest(runtime, id);
            return result ? HttpResponse::json(200, *result) : HttpResponse::error(result.error());
        });
    }
    case Route::AuditCheckpoint: {
        auto result = m_api.auditCheckpoint();
        return result ? HttpResponse::json(200, *result) : HttpResponse::error(result.error());
    }
    case Route::AuditProof:
    case Route::AuditConsistency: {
        const bool inclusion = static_cast<Route>(routeValue) == Route::AuditProof;
        auto range = auditRange(request, inclusion);
        if (!range)
            return HttpResponse::error(range.error());
        auto result = inclusion ? m_api.auditInclusionProof(range->first, range->second)
                                : m_api.auditConsistencyProof(range->first, range->second);
        return result ? HttpResponse::json(200, *result) : HttpResponse::error(result.error());
    }
    case Route::Health:
    case Route::RedeemInvitation:
    case Route::SessionChallenge:
    case Route::OpenSession:
    case Route::MemberProfile:
    case Route::MemberQueue:
    case Route::MemberRequest:
    case Route::MemberDecide:
        break;
    }
    // Deny by default: a route this switch does not serve is refused to a runtime, never
    // answered with something else.
    return HttpResponse::error(Error{ErrorCode::PermissionDenied, QStringLiteral("runtimes may not use this route")});
}

void HttpServer::onRequestChanged(const QString& id)
{
    m_statusCache.removeIf([&](const auto& entry) { return entry.key().endsWith(u'/' + id); });
    // Answer every long-poll on this request the moment its state changes.
    QList<Waiter> ready;
    m_waiters.removeIf([&](const Waiter& waiter) {
        if (waiter.id != id && waiter.connection)
            return false;
        if (waiter.connection)
            ready.append(waiter);
        return true;
    });
    for (const Waiter& waiter : std::as_const(ready)) {
        auto result = m_api.getRequest(waiter.runtime, waiter.id);
        if (waiter.connection)
            waiter.connection->complete(result ? HttpResponse::json(200, *result)
                                               : HttpResponse::error(result.error()));
    }
}

void HttpServer::expireWaiters()
{
    const qint64 now = m_clock.elapsed();
    QList<Waiter> due;
    m_waiters.removeIf([&](const Waiter& waiter) {
        if (!waiter.connection)
            return true;
        if (waiter.deadline > now)
            return false;
        due.append(waiter);
        return true;
    });
    for (const Waiter& waiter : std::as_const(due)) {
        auto result = m_api.getRequest(waiter.runtime, waiter.id);
        if (waiter.connection)
            waiter.connection->complete(result ? HttpResponse::json(200, *result)
                                               : HttpResponse::error(result.error()));
    }
    if (!m_memberWaiters.isEmpty())
        answerMemberWaiters(false);
    // Decisions made by another process (countersign-cli, a second app) raise no signal here:
    // look at the waited-on requests once a second as well.
    if (now - m_lastStateCheck >= 1000) {
        m_lastStateCheck = now;
        QSet<QString> changed;
        for (const Waiter& waiter : std::as_const(m_waiters)) {
            if (changed.contains(waiter.id))
                continue;
            auto result = m_api.getRequest(waiter.runtime, waiter.id);
            if (!result || result->value(QStringLiteral("state")).toString() != u"pending")
                changed.insert(waiter.id);
        }
        for (const QString& id : std::as_const(changed))
            onRequestChanged(id);
    }
    if (m_waiters.isEmpty() && m_memberWaiters.isEmpty())
        m_waitTimer->stop();
}

} // namespace countersign::http
