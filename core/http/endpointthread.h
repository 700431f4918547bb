#pragma once

#include "endpointsettings.h"
#include "error.h"

#include <QThread>

#include <functional>
#include <memory>

namespace countersign::http {

class IRequestHandler;

/// Runs the listeners and the handler behind them in a thread of their own, so that a busy or
/// blocked GUI event loop never delays a response (docs/architecture.md, "Threads"). The factory
/// is called inside that thread, because what the handler holds (database connections, timers)
/// belongs to the thread that makes it.
class EndpointThread final : public QObject {
    Q_OBJECT
public:
    /// Makes the handler, given the settings the server listens with.
    using HandlerFactory = std::function<Result<std::shared_ptr<IRequestHandler>>(const EndpointSettings&)>;

    EndpointThread(EndpointSettings settings, HandlerFactory factory, QObject* parent = nullptr);
    ~EndpointThread() override;

    /// Starts the thread, makes the handler and listens; returns once it is serving or failed.
    [[nodiscard]] Result<void> start();
    void stop();
    [[nodiscard]] bool isRunning() const { return m_thread.isRunning(); }
    /// The team listener to serve from the next start() on (nullopt: none).
    void setTeam(std::optional<EndpointSettings::Team> team) { m_settings.team = std::move(team); }
    [[nodiscard]] const EndpointSettings& settings() const { return m_settings; }
    [[nodiscard]] quint16 port() const { return m_port; }
    /// The team listener's port, when it serves one.
    [[nodiscard]] quint16 teamPort() const { return m_teamPort; }
    /// The handler while serving (null otherwise); it lives in the endpoint's thread.
    [[nodiscard]] std::shared_ptr<IRequestHandler> handler() const { return m_handler; }

private:
    EndpointSettings m_settings;
    HandlerFactory m_factory;
    QThread m_thread;
    QObject* m_context = nullptr; // lives in m_thread; owns the server
    std::shared_ptr<IRequestHandler> m_handler;
    quint16 m_port = 0;
    quint16 m_teamPort = 0;
};

} // namespace countersign::http
