#pragma once

#include "error.h"
#include "http/endpointsettings.h"

#include <memory>

namespace countersign::approvals {
class RequestEvents;
}
namespace countersign::http {
class EndpointThread;
}
namespace countersign::storage {
class PgNotifications;
}
namespace countersign::team {
class TeamDatabase;
}

namespace countersign::application {

/// One node of a team (docs/team-server.md, "Architecture"): the team database, the endpoint
/// serving runtimes and members from a thread of its own over its own connection, and the
/// listener for the other nodes' wake-ups. Any number of nodes serve one team database at once;
/// what one node decides answers the long-polls waiting on every other.
class TeamNode final {
public:
    /// Builds on \a team. \a settings say where runtimes reach the node on loopback; \a listener,
    /// when set, where runtimes on other machines and members reach it over TLS, presenting the
    /// team's certificate. Nothing listens until start().
    [[nodiscard]] static Result<std::unique_ptr<TeamNode>> open(std::unique_ptr<team::TeamDatabase> team,
                                                                http::EndpointSettings settings,
                                                                std::optional<http::EndpointSettings::Team> listener);
    ~TeamNode();
    TeamNode(const TeamNode&) = delete;
    TeamNode& operator=(const TeamNode&) = delete;

    /// Checks the database against this node's checkpoint file, listens for wake-ups and serves.
    [[nodiscard]] Result<void> start();
    void stop();

    [[nodiscard]] team::TeamDatabase& team() const { return *m_team; }
    [[nodiscard]] approvals::RequestEvents& events() const { return *m_events; }
    [[nodiscard]] const http::EndpointThread& endpoint() const { return *m_endpoint; }

private:
    TeamNode() = default;

    // Declared in the order they are built; the destructor takes them down in reverse.
    std::unique_ptr<approvals::RequestEvents> m_events;
    std::unique_ptr<team::TeamDatabase> m_team;
    std::unique_ptr<storage::PgNotifications> m_wakeUps;
    std::unique_ptr<http::EndpointThread> m_endpoint;
};

} // namespace countersign::application
