#include "httpconnection.h"

#include "irequesthandler.h"

#include <QAbstractSocket>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QSslSocket>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace countersign::http {

namespace {

constexpr qint64 READ_CHUNK = qint64{16} * 1024;
// Back-pressure: past this much unsent output, no more requests are answered or read; the
// client's own TCP window then stops it from sending.
constexpr qint64 OUTPUT_SOFT_LIMIT = qint64{64} * 1024;
// One answer may cross the soft limit; a connection holding this much unsent is dropped.
constexpr qint64 OUTPUT_HARD_LIMIT = qint64{4} * 1024 * 1024;
// After this many reads in a row, other connections get their turn first.
constexpr int READS_PER_TURN = 4;

} // namespace

HttpConnection::HttpConnection(QIODevice* socket, QString client, Listener listener, IRequestHandler& handler,
                               Timeouts timeouts, QObject* parent)
    : QObject(parent)
    , m_socket(socket)
    , m_client(std::move(client))
    , m_listener(listener)
    , m_handler(handler)
    , m_timeouts(timeouts)
{
    m_clock.start();
    m_socket->setParent(this);
    if (auto* tcp = qobject_cast<QAbstractSocket*>(m_socket)) {
        // Qt buffers no more than a request's worth ahead of the parser; while the parser
        // waits, the kernel's receive window fills and the client must stop sending.
        tcp->setReadBufferSize(qint64{80} * 1024);
        connect(tcp, &QAbstractSocket::disconnected, this, &HttpConnection::closeNow);
    } else if (auto* local = qobject_cast<QLocalSocket*>(m_socket)) {
        local->setReadBufferSize(qint64{80} * 1024);
        connect(local, &QLocalSocket::disconnected, this, &HttpConnection::closeNow);
    }
    if (auto* tls = qobject_cast<QSslSocket*>(m_socket))
        connect(tls, &QSslSocket::encryptedBytesWritten, this, &HttpConnection::pump);
    m_deadlineTimer.setSingleShot(true);
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(m_timeouts.idleMs);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
        if (m_handshaking) {
            abortNow();
            return;
        }
        fail(TransportError::RequestTimeout, m_parser.inMessage() && m_parser.headersComplete()
                                                 ? QStringLiteral("the request took too long")
                                                 : QStringLiteral("the request headers took too long"));
    });
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        if (pendingOutput() > 0)
            abortNow(); // answers left unread for the whole idle time: the peer is gone or hostile
        else
            closeNow();
    });
    connect(m_socket, &QIODevice::readyRead, this, &HttpConnection::pump);
    connect(m_socket, &QIODevice::bytesWritten, this, &HttpConnection::pump);
    // The first request's headers must arrive in time too.
    m_deadlineTimer.start(std::min(m_timeouts.headerMs, m_timeouts.requestMs));
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::startEncryption(int timeoutMs)
{
    auto* tls = qobject_cast<QSslSocket*>(m_socket);
    if (!tls)
        return;
    m_handshaking = true;
    connect(tls, &QSslSocket::encrypted, this, [this] {
        m_handshaking = false;
        m_messageStartedAt = m_clock.elapsed();
        m_deadlineTimer.start(std::min(m_timeouts.headerMs, m_timeouts.requestMs));
        pump();
    });
    connect(tls, &QAbstractSocket::errorOccurred, this, [this] {
        if (m_handshaking)
            abortNow();
    });
    m_deadlineTimer.start(timeoutMs);
    tls->startServerEncryption();
}

void HttpConnection::evict()
{
    if (m_closing)
        return;
    qCDebug(lcHttp) << "evicting a connection that has not authenticated, to make room";
    if (m_handshaking) {
        abortNow();
        return;
    }
    fail(TransportError::Unavailable, QStringLiteral("too many connections"));
}

void HttpConnection::abortNow()
{
    if (m_closing)
        return;
    if (auto* tcp = qobject_cast<QAbstractSocket*>(m_socket))
        tcp->abort();
    else if (auto* local = qobject_cast<QLocalSocket*>(m_socket))
        local->abort();
    closeNow();
}

void HttpConnection::closeNow()
{
    if (m_closing)
        return;
    m_closing = true;
    m_deadlineTimer.stop();
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

void HttpConnection::fail(TransportError error, const QString& message)
{
    HttpResponse response = HttpResponse::refusal(error, message);
    response.close = true;
    send(response, false);
}

qint64 HttpConnection::pendingOutput() const
{
    qint64 pending = m_socket->bytesToWrite();
    if (const auto* tls = qobject_cast<const QSslSocket*>(m_socket))
        pending += tls->encryptedBytesToWrite();
    return pending;
}

bool HttpConnection::outputBlocked() const
{
    return pendingOutput() > OUTPUT_SOFT_LIMIT;
}

bool HttpConnection::handleStatus(HttpRequestParser::Status status)
{
    switch (status) {
    case HttpRequestParser::Status::Ok:
        return true;
    case HttpRequestParser::Status::HeadersTooLarge:
        fail(TransportError::HeadersTooLarge, QStringLiteral("request headers are larger than 16 KiB"));
        return false;
    case HttpRequestParser::Status::PayloadTooLarge:
        fail(TransportError::PayloadTooLarge, QStringLiteral("request bodies are limited to 64 KiB"));
        return false;
    case HttpRequestParser::Status::BadRequest:
        fail(TransportError::BadRequest, QStringLiteral("malformed HTTP request"));
        return false;
    }
    return false;
}

void HttpConnection::pump()
{
    m_pumpQueued = false;
    if (m_closing || m_handshaking)
        return;
    for (int reads = 0;;) {
        processNext();
        if (m_closing)
            return;
        // Back-pressure: answers left unread, or requests parsed ahead, stop the reading.
        if (outputBlocked() || m_parser.queueFull())
            break;
        const quint64 begun = m_parser.messagesBegun();
        HttpRequestParser::Status status = HttpRequestParser::Status::Ok;
        if (m_parser.hasBacklog()) {
            status = m_parser.resume();
        } else {
            if (m_socket->bytesAvailable() <= 0)
                break;
            if (reads++ == READS_PER_TURN) {
                if (!m_pumpQueued) {
                    m_pumpQueued = true;
                    QMetaObject::invokeMethod(this, &HttpConnection::pump, Qt::QueuedConnection);
                }
                break;
            }
            m_idleTimer.stop();
            status = m_parser.feed(m_socket->read(READ_CHUNK));
        }
        if (m_parser.messagesBegun() != begun)
            m_messageStartedAt = m_clock.elapsed(); // the deadline runs from a request's first byte
        if (!handleStatus(status))
            return;
    }
    armTimers();
}

void HttpConnection::processNext()
{
    while (!m_waiting && !m_closing && m_parser.hasRequest() && !outputBlocked()) {
        const HttpRequest request = m_parser.takeRequest();
        m_keepAlive = request.keepAlive;
        std::optional<HttpResponse> response = m_handler.handle(request, *this);
        if (!response) {
            m_waiting = true; // the handler calls complete() later
            return;
        }
        send(*response, request.keepAlive);
    }
}

void HttpConnection::armTimers()
{
    if (m_closing || m_handshaking)
        return;
    if (m_parser.inMessage()) {
        // RFC 9112 leaves the wait to the server: the headers within Timeouts::headerMs and the
        // whole request, body included, within Timeouts::requestMs of its first byte.
        const qint64 limit =
            m_parser.headersComplete() ? m_timeouts.requestMs : std::min(m_timeouts.headerMs, m_timeouts.requestMs);
        const qint64 left = std::max<qint64>(0, m_messageStartedAt + limit - m_clock.elapsed());
        m_deadlineTimer.start(static_cast<int>(left));
    } else if (m_parser.messagesBegun() > 0) {
        m_deadlineTimer.stop(); // between requests the idle timeout applies
    }
    if (outputBlocked()) {
        if (!m_idleTimer.isActive())
            m_idleTimer.start();
    } else if (!m_waiting && !m_parser.inMessage() && !m_parser.hasRequest() && !m_parser.hasBacklog()) {
        m_idleTimer.start();
    } else {
        m_idleTimer.stop();
    }
}

void HttpConnection::complete(const HttpResponse& response)
{
    if (m_closing || !m_waiting)
        return;
    m_waiting = false;
    send(response, m_keepAlive);
    pump();
}

void HttpConnection::send(const HttpResponse& response, bool keepAlive)
{
    if (m_closing)
        return;
    m_socket->write(response.serialize(keepAlive));
    if (!keepAlive || response.close) {
        closeNow();
        return;
    }
    if (pendingOutput() > OUTPUT_HARD_LIMIT) {
        qCWarning(lcHttp) << "dropping a connection that leaves its answers unread";
        abortNow();
    }
}

} // namespace countersign::http
