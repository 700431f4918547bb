#pragma once

#include "error.h"

namespace countersign::cli {

/// Exit codes of countersign-cli (docs/runtime-guide.md, "Exit codes"). 10, 11 and 12 come only
/// from a request's state (or a wait that ran out); every failure is mapped by the one table
/// in exitcode.cpp.
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

/// The exit code for a failure of the command itself (its arguments, the vault, a file).
[[nodiscard]] ExitCode exitCodeFor(ErrorCode code);
/// The exit code for a server's answer of HTTP \a status (0: no exchange), whichever server:
/// the runtime endpoint and the team listener answer with one meaning per status.
[[nodiscard]] ExitCode exitCodeForStatus(int status);

} // namespace countersign::cli
