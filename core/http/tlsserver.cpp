#include "tlsserver.h"

#include <QSslSocket>

#include <unistd.h>

namespace countersign::http {

TlsServer::TlsServer(QSslConfiguration configuration, QObject* parent)
    : QTcpServer(parent)
    , m_configuration(std::move(configuration))
{
}

void TlsServer::incomingConnection(qintptr descriptor)
{
    auto* socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        ::close(static_cast<int>(descriptor)); // not adopted: still ours to close
        return;
    }
    socket->setSslConfiguration(m_configuration);
    addPendingConnection(socket);
}

} // namespace countersign::http
