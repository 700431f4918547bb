#pragma once

#include "endpointsettings.h"
#include "error.h"

#include <QThread>

#include <functional>
#include <memory>

namespace countersign::approvals {
class RuntimeApi;
}

namespace countersign::http {

class HttpServer;

/// Runs the endpoint and the services behind it in a thread of their own, so that a busy or
/// blocked GUI event loop never delays a response (docs/architecture.md, "Threads"). The factory is called
/// inside that thread, because database connections belong to the thread that opens them.
class EndpointThread final : public QObject {
    Q_OBJECT
public:
    using ApiFactory = std::function<Result<std::shared_ptr<approvals::RuntimeApi>>()>;

    EndpointThread(EndpointSettings settings, ApiFactory factory, QObject* parent = nullptr);
    ~EndpointThread() override;

    /// Starts the thread, builds the services and listens; returns once it is serving or failed.
    [[nodiscard]] Result<void> start();
    void stop();
    /// The team listener to serve from the next start() on (nullopt: none).
    void setTeam(std::optional<EndpointSettings::Team> team) { m_settings.team = std::move(team); }
    [[nodiscard]] const EndpointSettings& settings() const { return m_settings; }
    [[nodiscard]] quint16 port() const { return m_port; }
    /// The team listener's port, when it serves one.
    [[nodiscard]] quint16 teamPort() const { return m_teamPort; }
    /// Transactions the endpoint's writes were committed in (group commits), for tests and figures.
    [[nodiscard]] quint64 writeCommits() const;

private:
    EndpointSettings m_settings;
    ApiFactory m_factory;
    QThread m_thread;
    QObject* m_context = nullptr; // lives in m_thread; owns the server
    std::shared_ptr<approvals::RuntimeApi> m_api;
    quint16 m_port = 0;
    quint16 m_teamPort = 0;
};

} // namespace countersign::http
