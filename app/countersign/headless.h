#pragma once

#include "http/endpointsettings.h"

#include <QString>

namespace countersign::app {

/// `countersign --headless`: unlock with the passphrase from COUNTERSIGN_PASSPHRASE_FILE or the
/// terminal, serve the endpoint until SIGINT or SIGTERM. Returns the exit code.
[[nodiscard]] int runHeadless(const QString& dataDir, const http::EndpointSettings& settings);

/// Where a team node keeps its database and how it serves (docs/team-server.md, "Setup").
struct TeamNodeOptions {
    /// postgresql://... (no password: it names its password file or credential).
    QString databaseUrl;
    /// A systemd credential holding the raw key that wraps the team's data key; empty: the team
    /// passphrase, from COUNTERSIGN_TEAM_PASSPHRASE_FILE or the terminal.
    QString keyCredential;
    /// Where this node keeps the checkpoints it witnessed.
    QString nodeDir;
    /// ADDRESS:PORT of the TLS listener for runtimes on other machines and members; empty: none.
    QString listen;
    /// The name clients dial (their Host header); default: the listen address.
    QString publicHost;
};

/// `countersign --headless --database URL`: a team node on the team's PostgreSQL database,
/// serving until SIGINT or SIGTERM. Returns the exit code.
[[nodiscard]] int runTeamNode(const TeamNodeOptions& options, const http::EndpointSettings& settings);

} // namespace countersign::app
