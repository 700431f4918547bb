#pragma once

#include "error.h"
#include "securebuffer.h"

#include <QString>

namespace countersign::crypto {

/// Secrets that a server reads at start: a password or a key in a file of its own, or in a
/// systemd credential (systemd.exec(5) "Credentials": $CREDENTIALS_DIRECTORY/<name>). Never
/// from the command line, where every user of the machine can read it in /proc/PID/cmdline.
class SecretFile final {
public:
    /// The whole of \a path, at most \a maxBytes, in secure memory. Refused when the file can
    /// be read or written by other users (group or other permission bits), is not a regular file,
    /// is empty or larger than \a maxBytes.
    [[nodiscard]] static Result<SecureBuffer> read(const QString& path, qsizetype maxBytes = 4096);
    /// Like read(), less one trailing line break (\n or \r\n): files written by editors and echo.
    [[nodiscard]] static Result<SecureBuffer> readLine(const QString& path, qsizetype maxBytes = 4096);
    /// The path of systemd credential \a name: $CREDENTIALS_DIRECTORY/name. Fails when the
    /// variable is unset (not started by systemd with LoadCredential= or SetCredential=) or
    /// when \a name is not a plain file name.
    [[nodiscard]] static Result<QString> credentialPath(const QString& name);
};

} // namespace countersign::crypto
