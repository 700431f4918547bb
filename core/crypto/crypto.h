#pragma once

#include "error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>

namespace countersign::crypto {

inline constexpr qsizetype SHA256_SIZE = 32;

/// Initialises libsodium; safe to call more than once. Returns false if the library cannot run.
[[nodiscard]] bool initialize();

/// Makes this process non-dumpable (prctl PR_SET_DUMPABLE 0): no core file, and no process of
/// the same user may read its memory through ptrace or /proc/PID/mem, where session tokens, the
/// TLS key and decrypted vault pages live. Call first thing in main(). False if refused.
bool keepMemoryFromOtherProcesses();

/// Cryptographically secure random bytes (libsodium).
[[nodiscard]] QByteArray randomBytes(qsizetype count);

/// A new identifier: \a prefix, which names what it identifies ("req_", "inv_", "mem_"), then
/// \a count random bytes in base64url without padding (RFC 4648 section 5). Because the prefix
/// is a letter, no id starts with '-' and a command line never mistakes one for an option.
[[nodiscard]] QString randomId(QLatin1StringView prefix, qsizetype count);

/// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA extensions where present.
[[nodiscard]] QByteArray sha256(QByteArrayView data);

/// Length-independent comparison of two byte strings (libsodium's sodium_memcmp).
[[nodiscard]] bool constantTimeEqual(QByteArrayView a, QByteArrayView b);

/// Overwrites the array's bytes with zeros and empties it.
void wipe(QByteArray& bytes);

} // namespace countersign::crypto
