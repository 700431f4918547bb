#pragma once

#include "endpointsettings.h"
#include "error.h"
#include "httpconnection.h"
#include "irequesthandler.h"

#include <QList>
#include <QObject>

#include <array>
#include <optional>

class QIODevice;
class QHostAddress;
class QLocalServer;
class QTcpServer;

namespace countersign::http {

class TlsServer;

/// The listeners (docs/runtime-guide.md, "Limits the endpoint enforces"): HTTP/1.1 on 127.0.0.1
/// and ::1, on a Unix socket, and over TLS for the team. It admits connections within each
/// listener's limits, refuses a request whose Host or Origin it does not serve, and hands every
/// other request to its IRequestHandler. It knows nothing of what the requests mean.
class HttpServer final : public QObject, public IRequestHandler {
    Q_OBJECT
public:
    /// \a handler answers the requests that pass the guards and must outlive the server.
    HttpServer(IRequestHandler& handler, EndpointSettings settings, QObject* parent = nullptr);
    ~HttpServer() override;

    /// Listens on both loopback addresses (and the Unix socket and team listener when configured).
    [[nodiscard]] Result<void> listen();
    [[nodiscard]] quint16 port() const;
    /// The team listener's port (0 when there is none).
    [[nodiscard]] quint16 teamPort() const;
    [[nodiscard]] const EndpointSettings& settings() const { return m_settings; }

    /// The guards (Host, Origin), then the handler.
    [[nodiscard]] std::optional<HttpResponse> handle(const HttpRequest& request, HttpConnection& connection) override;

private:
    /// A new connection. A listener that is full makes room by evicting its oldest connection
    /// that has not authenticated; with none to evict, the newcomer is refused (503).
    void admit(QIODevice* socket, const QString& client, Listener listener);
    [[nodiscard]] QList<HttpConnection*>& connectionsOf(Listener listener);
    void acceptTcp(QTcpServer* server, Listener listener);
    void acceptLocal();
    [[nodiscard]] std::optional<HttpResponse> checkHost(const HttpRequest& request, Listener listener) const;
    [[nodiscard]] HttpConnection::Timeouts timeouts() const;

    IRequestHandler& m_handler;
    EndpointSettings m_settings;
    QList<QTcpServer*> m_tcpServers;
    TlsServer* m_teamServer = nullptr;
    QLocalServer* m_localServer = nullptr;
    std::array<QList<HttpConnection*>, 3> m_connections; // each listener's, oldest first, by Listener
};

} // namespace countersign::http
