#pragma once

#include "httprequestparser.h"
#include "httpresponse.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QIODevice;

namespace countersign::http {

class IRequestHandler;

/// Which listener a connection came through; each has its own connection slots and
/// authentication-failure table.
enum class Listener { Loopback, LocalSocket, Team };

/// One client connection: feeds bytes to the parser, hands complete requests to its
/// IRequestHandler in order, writes responses, and enforces the deadlines (TLS handshake, the
/// whole request, idle).
/// While a long-poll is outstanding, later pipelined requests wait their turn. Reading stops
/// while answers pile up unread or parsed requests queue up, so a client that sends without
/// reading is held back by TCP instead of by this process's memory.
class HttpConnection final : public QObject {
    Q_OBJECT
public:
    /// How long a client may take (docs/runtime-guide.md, "Limits the endpoint enforces").
    struct Timeouts final {
        int headerMs = 10'000;  // a request's headers, from its first byte
        int requestMs = 30'000; // the whole request, body included
        int idleMs = 60'000;    // no request under way, or answers left unread
    };

    /// \a handler answers the requests and must outlive the connection; \a parent owns it.
    HttpConnection(QIODevice* socket, QString client, Listener listener, IRequestHandler& handler, Timeouts timeouts,
                   QObject* parent);
    ~HttpConnection() override;

    [[nodiscard]] const QString& client() const { return m_client; }
    [[nodiscard]] Listener listener() const { return m_listener; }
    /// Came in through the team listener (TLS), not loopback.
    [[nodiscard]] bool isTeam() const { return m_listener == Listener::Team; }
    /// True once a request on it carried a valid credential.
    [[nodiscard]] bool isProven() const { return m_proven; }
    void setProven() { m_proven = true; }
    /// True while the handler owes it a deferred answer (a long-poll).
    [[nodiscard]] bool isWaiting() const { return m_waiting; }
    /// Answers the request that was deferred (a long-poll), then carries on with the next.
    void complete(const HttpResponse& response);
    /// Starts a TLS server handshake that must finish within \a timeoutMs.
    void startEncryption(int timeoutMs);
    /// Makes room for another client: answers 503 (unless still in its TLS handshake) and closes.
    void evict();
    void closeNow();

Q_SIGNALS:
    void closed();

private:
    void pump();
    void processNext();
    [[nodiscard]] bool handleStatus(HttpRequestParser::Status status);
    void send(const HttpResponse& response, bool keepAlive);
    void fail(TransportError error, const QString& message);
    /// Drops the connection without flushing (a handshake that stalls, answers left unread).
    void abortNow();
    void armTimers();
    /// Bytes written but not yet taken by the peer (in TLS: before and after encryption).
    [[nodiscard]] qint64 pendingOutput() const;
    [[nodiscard]] bool outputBlocked() const;

    QIODevice* m_socket;
    QString m_client;
    Listener m_listener;
    IRequestHandler& m_handler;
    Timeouts m_timeouts;
    HttpRequestParser m_parser;
    QTimer m_deadlineTimer; // the TLS handshake, then each request's headers and whole message
    QTimer m_idleTimer;     // no request under way, or answers left unread
    QElapsedTimer m_clock;
    qint64 m_messageStartedAt = 0;
    bool m_waiting = false;  // a deferred response is outstanding
    bool m_keepAlive = true; // of the request being answered
    bool m_closing = false;
    bool m_proven = false;
    bool m_handshaking = false;
    bool m_pumpQueued = false;
};

} // namespace countersign::http
