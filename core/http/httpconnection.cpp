#include "httpconnection.h"

#include "httpserver.h"

#include <QAbstractSocket>
#include <QLocalSocket>
#include <QLoggingCategory>

namespace countersign::http {

HttpConnection::HttpConnection(QIODevice* socket, QString client, HttpServer& server)
    : QObject(&server)
    , m_socket(socket)
    , m_client(std::move(client))
    , m_server(server)
{
    m_socket->setParent(this);
    if (auto* tcp = qobject_cast<QAbstractSocket*>(m_socket)) {
        // Qt buffers no more than a request's worth ahead of the parser.
        tcp->setReadBufferSize(qint64{80} * 1024);
        connect(tcp, &QAbstractSocket::disconnected, this, &HttpConnection::closeNow);
    } else if (auto* local = qobject_cast<QLocalSocket*>(m_socket)) {
        local->setReadBufferSize(qint64{80} * 1024);
        connect(local, &QLocalSocket::disconnected, this, &HttpConnection::closeNow);
    }
    m_headerTimer.setSingleShot(true);
    m_headerTimer.setInterval(server.settings().headerTimeoutMs);
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(server.settings().idleTimeoutMs);
    connect(&m_headerTimer, &QTimer::timeout, this,
            [this] { fail(ErrorCode::RequestTimeout, QStringLiteral("the request headers took too long")); });
    connect(&m_idleTimer, &QTimer::timeout, this, &HttpConnection::closeNow);
    connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::onReadyRead);
    m_headerTimer.start(); // the first request's headers must arrive in time too
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::closeNow()
{
    if (m_closing)
        return;
    m_closing = true;
    m_headerTimer.stop();
    m_idleTimer.stop();
    // The socket outlives this object until what was written has left: closing flushes first.
    QIODevice* socket = m_socket;
    socket->setParent(nullptr);
    disconnect(socket, nullptr, this, nullptr);
    if (auto* tcp = qobject_cast<QAbstractSocket*>(socket)) {
        connect(tcp, &QAbstractSocket::disconnected, tcp, &QObject::deleteLater);
        tcp->disconnectFromHost();
        if (tcp->state() == QAbstractSocket::UnconnectedState)
            tcp->deleteLater();
    } else if (auto* local = qobject_cast<QLocalSocket*>(socket)) {
        connect(local, &QLocalSocket::disconnected, local, &QObject::deleteLater);
        local->disconnectFromServer();
        if (local->state() == QLocalSocket::UnconnectedState)
            local->deleteLater();
    }
    QTimer::singleShot(10'000, socket, &QObject::deleteLater); // a peer that never reads
    Q_EMIT closed();
    deleteLater();
}

void HttpConnection::fail(ErrorCode code, const QString& message)
{
    HttpResponse response = HttpResponse::error(Error{code, message});
    response.close = true;
    send(response, false);
}

void HttpConnection::onReadyRead()
{
    if (m_closing)
        return;
    const QByteArray data = m_socket->read(qint64{64} * 1024);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
    m_idleTimer.stop();
    switch (m_parser.feed(data)) {
    case HttpRequestParser::Status::Ok:
        break;
    case HttpRequestParser::Status::HeadersTooLarge:
        fail(ErrorCode::HeadersTooLarge, QStringLiteral("request headers are larger than 16 KiB"));
        return;
    case HttpRequestParser::Status::PayloadTooLarge:
        fail(ErrorCode::PayloadTooLarge, QStringLiteral("request bodies are limited to 64 KiB"));
        return;
    case HttpRequestParser::Status::BadRequest:
        fail(ErrorCode::InvalidArgument, QStringLiteral("malformed HTTP request"));
        return;
    }
    processNext();
}

void HttpConnection::processNext()
{
    while (!m_waiting && !m_closing && m_parser.hasRequest()) {
        const HttpRequest request = m_parser.takeRequest();
        m_keepAlive = request.keepAlive;
        std::optional<HttpResponse> response = m_server.handle(request, *this);
        if (!response) {
            m_waiting = true; // the server calls complete() later
            armTimers();
            return;
        }
        send(*response, request.keepAlive);
    }
    armTimers();
}

void HttpConnection::armTimers()
{
    if (m_closing)
        return;
    if (m_parser.inMessage() && !m_parser.headersComplete()) {
        if (!m_headerTimer.isActive())
            m_headerTimer.start();
    } else {
        m_headerTimer.stop();
    }
    if (!m_waiting && !m_parser.inMessage() && !m_parser.hasRequest())
        m_idleTimer.start();
}

void HttpConnection::complete(const HttpResponse& response)
{
    if (m_closing || !m_waiting)
        return;
    m_waiting = false;
    send(response, m_keepAlive);
    processNext();
}

void HttpConnection::send(const HttpResponse& response, bool keepAlive)
{
    if (m_closing)
        return;
    m_socket->write(response.serialize(keepAlive));
    if (!keepAlive || response.close)
        closeNow();
}

} // namespace countersign::http
