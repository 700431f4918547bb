#pragma once

#include "error.h"

#include <QString>

namespace countersign::vault {

/// The advisory lock every process holds on a vault directory while it has the vault open:
/// shared for ordinary use, exclusive while it replaces the database (a passphrase change) or
/// removes database files the header does not name. A process that re-keys the vault under
/// another one's feet would leave that one writing to an unlinked file, so the exclusive lock
/// is refused while anyone else holds the vault, and nobody opens it while a re-key runs.
///
/// Open file description locks (fcntl F_OFD_SETLK): unlike flock(), turning a shared lock into
/// an exclusive one is atomic and a refused conversion keeps the shared lock; unlike classic
/// POSIX record locks, closing some other descriptor of the file does not drop them, and two
/// vaults opened in one process exclude each other as two processes would.
class VaultLock final {
public:
    enum class Mode { Shared, Exclusive };
    inline static const QString FILE_NAME = QStringLiteral("vault.lock");

    /// Takes the lock on \a dataDir (which must exist). A shared lock waits up to \a waitMs for
    /// an exclusive holder to finish; an exclusive one is refused at once while anyone holds it.
    /// Refusals are Conflict errors naming the holder's process id.
    [[nodiscard]] static Result<VaultLock> acquire(const QString& dataDir, Mode mode, int waitMs = 0);

    VaultLock(VaultLock&& other) noexcept;
    VaultLock& operator=(VaultLock&& other) noexcept;
    VaultLock(const VaultLock&) = delete;
    VaultLock& operator=(const VaultLock&) = delete;
    ~VaultLock();

    [[nodiscard]] Mode mode() const { return m_mode; }
    /// Shared -> exclusive, refused (Conflict, the shared lock kept) while another holder exists.
    [[nodiscard]] Result<void> makeExclusive();
    /// Exclusive -> shared (never fails on Linux: a downgrade conflicts with nobody).
    void makeShared();

private:
    VaultLock(int fd, Mode mode);
    /// The process id of some other holder, or 0 when none is found.
    [[nodiscard]] qint64 otherHolder() const;
    [[nodiscard]] Error refusal(Mode wanted) const;

    int m_fd = -1;
    Mode m_mode = Mode::Shared;
};

} // namespace countersign::vault
