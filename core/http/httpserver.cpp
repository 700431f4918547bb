#include "httpserver.h"

#include "crypto/crypto.h"

#include "httpconnection.h"
#include "tlsserver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>

Q_LOGGING_CATEGORY(lcHttp, "countersign.http")

namespace countersign::http {

namespace {

const QString LOCAL_CLIENT = QStringLiteral("unix");

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

} // namespace

HttpServer::HttpServer(IRequestHandler& handler, EndpointSettings settings, QObject* parent)
    : QObject(parent)
    , m_handler(handler)
    , m_settings(std::move(settings))
{
}

HttpServer::~HttpServer()
{
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

QList<HttpConnection*>& HttpServer::connectionsOf(Listener listener)
{
    return m_connections.at(static_cast<std::size_t>(listener));
}

void HttpServer::admit(QIODevice* socket, const QString& client, Listener listener)
{
    QList<HttpConnection*>& connections = connectionsOf(listener);
    const bool team = listener == Listener::Team;
    // Connections that have not authenticated are the ones an attacker can open at no cost:
    // when room is needed, the oldest of them goes (slow headers, silent TLS handshakes), never
    // one that proved a credential or waits on a long-poll.
    auto oldestUnproven = [&](const QString* from) -> HttpConnection* {
        for (HttpConnection* open : std::as_const(connections)) {
            if (!open->isProven() && !open->isWaiting() && (!from || open->client() == *from))
                return open;
        }
        return nullptr;
    };
    if (team && m_settings.team->unprovenPerAddress > 0) {
        const auto fromClient =
            std::count_if(connections.cbegin(), connections.cend(),
                          [&](const HttpConnection* open) { return open->client() == client && !open->isProven(); });
        if (fromClient >= m_settings.team->unprovenPerAddress) {
            if (HttpConnection* victim = oldestUnproven(&client))
                victim->evict();
        }
    }
    const int cap = team ? m_settings.team->maxConnections : m_settings.maxConnections;
    if (connections.size() >= cap) {
        if (HttpConnection* victim = oldestUnproven(nullptr))
            victim->evict();
    }
    if (connections.size() >= cap) {
        if (team) {
            // Not even a TLS handshake to answer in: just close.
            if (auto* tcp = qobject_cast<QAbstractSocket*>(socket))
                tcp->abort();
            socket->deleteLater();
            return;
        }
        auto* refused = new HttpConnection(socket, client, listener, *this, timeouts(), this);
        refused->evict();
        return;
    }
    auto* connection = new HttpConnection(socket, client, listener, *this, timeouts(), this);
    connections.append(connection);
    connect(connection, &HttpConnection::closed, this,
            [this, connection, listener] { connectionsOf(listener).removeOne(connection); });
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

std::optional<HttpResponse> HttpServer::checkHost(const HttpRequest& request, Listener listener) const
{
    // DNS rebinding defence (docs/runtime-guide.md, "Limits the endpoint enforces"): a page on a
    // hostile name that resolves to 127.0.0.1 still sends its own name in Host (RFC 9110 7.2),
    // so only loopback names with our port pass, checked before anything else looks at the request.
    bool found = false;
    const QByteArray host = request.header("host", &found).toLower();
    if (!found || request.headerCount("host") != 1)
        return HttpResponse::refusal(TransportError::MisdirectedRequest,
                                     QStringLiteral("exactly one Host header naming this machine is required"));
    if (listener == Listener::Team) {
        // Members dial the name in their invitation link.
        const QString expected = QStringLiteral("%1:%2").arg(m_settings.team->publicHost).arg(m_settings.team->port);
        if (QString::fromUtf8(host) == expected.toLower())
            return std::nullopt;
        return HttpResponse::refusal(TransportError::MisdirectedRequest,
                                     QStringLiteral("this listener answers only to %1").arg(expected));
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
    return HttpResponse::refusal(
        TransportError::MisdirectedRequest,
        QStringLiteral("this endpoint answers only to 127.0.0.1, [::1] or localhost on port %1").arg(m_settings.port));
}

HttpConnection::Timeouts HttpServer::timeouts() const
{
    return HttpConnection::Timeouts{m_settings.headerTimeoutMs, m_settings.requestTimeoutMs, m_settings.idleTimeoutMs};
}

std::optional<HttpResponse> HttpServer::handle(const HttpRequest& request, HttpConnection& connection)
{
    // The guards every request meets before its handler sees it.
    if (auto misdirected = checkHost(request, connection.listener()))
        return misdirected;
    bool hasOrigin = false;
    const QByteArray origin = request.header("origin", &hasOrigin);
    if (hasOrigin && !m_settings.allowedOrigins.contains(QString::fromLatin1(origin)))
        return HttpResponse::refusal(TransportError::OriginForbidden,
                                     QStringLiteral("requests from web pages are refused"));
    return m_handler.handle(request, connection);
}

} // namespace countersign::http
