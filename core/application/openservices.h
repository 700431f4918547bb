#pragma once

#include "error.h"

#include <QString>

#include <memory>

namespace countersign::approvals {
class RequestEvents;
class Services;
} // namespace countersign::approvals
namespace countersign::team {
class TeamDatabase;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::application {

/// The services of the calling thread over a new connection named \a connectionName to
/// \a vault (unlocked), announcing request events on \a events. The window, the endpoint
/// thread, the CLI and the tests open theirs here (docs/architecture.md, "The running instance").
[[nodiscard]] Result<std::unique_ptr<approvals::Services>>
openServices(const vault::Vault& vault, approvals::RequestEvents& events, const QString& connectionName);
/// The same over a new connection to the team database \a team: a team node's services, which
/// seal what requests say under the team's data key (docs/team-server.md).
[[nodiscard]] Result<std::unique_ptr<approvals::Services>>
openServices(const team::TeamDatabase& team, approvals::RequestEvents& events, const QString& connectionName);

} // namespace countersign::application
