#pragma once

#include "http/endpointsettings.h"

#include <QString>

namespace countersign::app {

/// `countersign --headless`: unlock with the passphrase from COUNTERSIGN_PASSPHRASE_FILE or the
/// terminal, serve the endpoint until SIGINT or SIGTERM. Returns the exit code.
[[nodiscard]] int runHeadless(const QString& dataDir, const http::EndpointSettings& settings);

} // namespace countersign::app
