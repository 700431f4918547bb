#include "endpointthread.h"

#include "httpserver.h"
#include "irequesthandler.h"

namespace countersign::http {

EndpointThread::EndpointThread(EndpointSettings settings, HandlerFactory factory, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_factory(std::move(factory))
{
    m_thread.setObjectName(QStringLiteral("countersign-endpoint"));
}

EndpointThread::~EndpointThread()
{
    stop();
}

Result<void> EndpointThread::start()
{
    if (m_thread.isRunning())
        return {};
    m_thread.start();
    m_context = new QObject();
    m_context->moveToThread(&m_thread);
    Result<void> outcome;
    QMetaObject::invokeMethod(
        m_context,
        [this, &outcome] {
            auto handler = m_factory(m_settings);
            if (!handler) {
                outcome = std::unexpected(handler.error());
                return;
            }
            m_handler = std::move(*handler);
            auto* server = new HttpServer(*m_handler, m_settings, m_context);
            outcome = server->listen();
            m_port = server->port();
            m_teamPort = server->teamPort();
        },
        Qt::BlockingQueuedConnection);
    if (!outcome) {
        stop();
        return outcome;
    }
    // A restart (after a re-key) listens where runtimes already know to find it.
    if (m_settings.port == 0)
        m_settings.port = m_port;
    if (m_settings.team && m_settings.team->port == 0)
        m_settings.team->port = m_teamPort;
    return outcome;
}

void EndpointThread::stop()
{
    if (!m_thread.isRunning())
        return;
    // Tear down inside the thread: the server and its connections, then the handler.
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            delete m_context;
            m_context = nullptr;
            m_handler.reset();
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace countersign::http
