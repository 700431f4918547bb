#include "vaultlock.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace countersign::vault {

namespace {

// Byte 0 of the lock file is the vault lock proper. Each holder also locks one byte at
// PID_MARK_BASE + its pid, so that a refused process can name who holds the vault: F_OFD_GETLK
// reports no pid for open file description locks, but it does report the conflicting range.
constexpr off_t PID_MARK_BASE = 16;

bool setLock(int fd, short type, off_t start, off_t length)
{
    struct flock lock {};
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = start;
    lock.l_len = length;
    while (::fcntl(fd, F_OFD_SETLK, &lock) != 0) {
        if (errno != EINTR)
            return false;
    }
    return true;
}

} // namespace

VaultLock::VaultLock(int fd, Mode mode)
    : m_fd(fd)
    , m_mode(mode)
{
}

VaultLock::VaultLock(VaultLock&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_mode(other.m_mode)
{
}

VaultLock& VaultLock::operator=(VaultLock&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_mode = other.m_mode;
    }
    return *this;
}

VaultLock::~VaultLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases every lock of this open file description
}

Result<VaultLock> VaultLock::acquire(const QString& dataDir, Mode mode, int waitMs)
{
    const QByteArray path = QFile::encodeName(QDir(dataDir).filePath(FILE_NAME));
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot open the vault lock %1: %2")
                                       .arg(QFile::decodeName(path), QString::fromLocal8Bit(std::strerror(errno))));
    VaultLock lock(fd, mode);
    const QDeadlineTimer deadline(mode == Mode::Shared ? waitMs : 0);
    for (;;) {
        if (setLock(fd, mode == Mode::Shared ? F_RDLCK : F_WRLCK, 0, 1))
            break;
        if (errno != EAGAIN && errno != EACCES)
            return fail(ErrorCode::Io,
                        QStringLiteral("cannot lock the vault: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        if (deadline.hasExpired())
            return std::unexpected(lock.refusal(mode));
        QThread::msleep(50);
    }
    // The pid mark is best effort: without it a refusal just cannot name this process. Shared,
    // so that two vaults opened in one process both carry it.
    (void)setLock(fd, F_RDLCK, PID_MARK_BASE + ::getpid(), 1);
    return lock;
}

Result<void> VaultLock::makeExclusive()
{
    if (m_mode == Mode::Exclusive)
        return {};
    if (!setLock(m_fd, F_WRLCK, 0, 1))
        return std::unexpected(refusal(Mode::Exclusive));
    m_mode = Mode::Exclusive;
    return {};
}

void VaultLock::makeShared()
{
    if (m_mode == Mode::Shared)
        return;
    if (setLock(m_fd, F_RDLCK, 0, 1))
        m_mode = Mode::Shared;
}

qint64 VaultLock::otherHolder() const
{
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = PID_MARK_BASE;
    probe.l_len = 0; // to the end of any file
    if (::fcntl(m_fd, F_OFD_GETLK, &probe) != 0 || probe.l_type == F_UNLCK)
        return 0;
    return static_cast<qint64>(probe.l_start - PID_MARK_BASE);
}

Error VaultLock::refusal(Mode wanted) const
{
    const qint64 pid = otherHolder();
    const QString who = pid > 0 ? QStringLiteral("another Countersign process (pid %1)").arg(pid)
                                : QStringLiteral("another Countersign process");
    if (wanted == Mode::Shared)
        return Error{ErrorCode::Conflict,
                     QStringLiteral("the vault is being changed by %1 (a passphrase change); try again when it is "
                                    "done")
                         .arg(who)};
    return Error{ErrorCode::Conflict,
                 QStringLiteral("the vault is open in %1; close it or change the passphrase from its window").arg(who)};
}

} // namespace countersign::vault
