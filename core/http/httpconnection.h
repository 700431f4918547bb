#pragma once

#include "httprequestparser.h"
#include "httpresponse.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

class QIODevice;

namespace countersign::http {

class HttpServer;

/// One client connection: feeds bytes to the parser, hands complete requests to the server in
/// order, writes responses, and enforces the header and idle timeouts. While a long-poll is
/// outstanding, later pipelined requests wait their turn.
class HttpConnection final : public QObject {
    Q_OBJECT
public:
    HttpConnection(QIODevice* socket, QString client, HttpServer& server);
    ~HttpConnection() override;

    [[nodiscard]] const QString& client() const { return m_client; }
    /// Came in through the team listener (TLS), not loopback.
    [[nodiscard]] bool isTeam() const { return m_team; }
    void setTeam(bool team) { m_team = team; }
    /// Answers the request that was deferred (a long-poll), then carries on with the next.
    void complete(const HttpResponse& response);
    void closeNow();

Q_SIGNALS:
    void closed();

private:
    void onReadyRead();
    void processNext();
    void send(const HttpResponse& response, bool keepAlive);
    void fail(ErrorCode code, const QString& message);
    void armTimers();

    QIODevice* m_socket;
    QString m_client;
    HttpServer& m_server;
    HttpRequestParser m_parser;
    QTimer m_headerTimer;
    QTimer m_idleTimer;
    bool m_waiting = false;  // a deferred response is outstanding
    bool m_keepAlive = true; // of the request being answered
    bool m_closing = false;
    bool m_team = false;
};

} // namespace countersign::http
