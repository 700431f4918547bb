#pragma once

#include "error.h"
#include "http/endpointsettings.h"

#include <optional>

namespace countersign::vault {
class Vault;
}

namespace countersign::api {

/// The team listener as \a vault has it configured (with the vault's TLS identity), or nullopt
/// while it is off (docs/team.md).
[[nodiscard]] Result<std::optional<http::EndpointSettings::Team>> teamListenerOf(const vault::Vault& vault);

} // namespace countersign::api
