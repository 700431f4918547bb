#pragma once

namespace countersign::cli {

/// Exit codes of countersign-cli (docs/runtime-guide.md, "Exit codes").
enum ExitCode : int {
    EXIT_OK = 0,
    EXIT_FAILED = 1, // the command ran and found a problem (e.g. a broken audit chain)
    EXIT_USAGE = 2,
    EXIT_AUTH = 3, // connection or authentication failure (wrong passphrase included)
    EXIT_REFUSED = 4,
    EXIT_DENIED = 10,
    EXIT_EXPIRED = 11,
    EXIT_CANCELLED = 12,
};

} // namespace countersign::cli
