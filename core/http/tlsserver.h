#pragma once

#include <QSslConfiguration>
#include <QTcpServer>

namespace countersign::http {

/// A TCP listener whose connections come out as QSslSocket, handshake not yet started. The
/// server starts, counts and times out handshakes itself: Qt 6.4's QSslServer keeps a fixed
/// number of pending handshakes and stops accepting once peers that never finish one fill them.
class TlsServer final : public QTcpServer {
    Q_OBJECT
public:
    TlsServer(QSslConfiguration configuration, QObject* parent);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QSslConfiguration m_configuration;
};

} // namespace countersign::http
