#pragma once

#include "error.h"

#include <QString>

namespace countersign::team {
class TeamKey;
}

namespace countersign::application {

/// Where a team node and `countersign-cli --database` get the key that opens the team's data key
/// (docs/team-server.md, "The data key and its wrapping"): a systemd credential holding the raw
/// wrapping key, or else the team passphrase from the file named by
/// COUNTERSIGN_TEAM_PASSPHRASE_FILE or from the terminal.
class TeamKeySource final {
public:
    inline static const char* const PASSPHRASE_FILE = "COUNTERSIGN_TEAM_PASSPHRASE_FILE";

    /// The key from systemd credential \a credentialName when it is not empty, else the team
    /// passphrase; a new team's passphrase (\a newTeam) is asked twice on the terminal.
    [[nodiscard]] static Result<team::TeamKey> read(const QString& credentialName, bool newTeam = false);
};

} // namespace countersign::application
