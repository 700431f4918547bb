#include "secretfile.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace countersign::crypto {

Result<SecureBuffer> SecretFile::read(const QString& path, qsizetype maxBytes)
{
    const QByteArray native = QFile::encodeName(path);
    // O_NOFOLLOW | O_NONBLOCK: a symlink swapped in or a FIFO cannot make the server read
    // elsewhere or hang; fstat then judges the file actually opened, not the name.
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot read the secret file %1: %2")
                                       .arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    struct stat status {};
    const bool statted = ::fstat(fd, &status) == 0;
    auto closeAndFail = [fd](ErrorCode code, const QString& message) {
        ::close(fd);
        return fail(code, message);
    };
    if (!statted || !S_ISREG(status.st_mode))
        return closeAndFail(ErrorCode::InvalidArgument, QStringLiteral("%1 is not a regular file").arg(path));
    if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return closeAndFail(
            ErrorCode::PermissionDenied,
            QStringLiteral("%1 can be read or changed by other users; it holds a secret: chmod 600 %1").arg(path));
    if (status.st_size <= 0)
        return closeAndFail(ErrorCode::InvalidArgument, QStringLiteral("the secret file %1 is empty").arg(path));
    if (status.st_size > maxBytes)
        return closeAndFail(ErrorCode::InvalidArgument,
                            QStringLiteral("the secret file %1 is larger than %2 bytes").arg(path).arg(maxBytes));
    SecureBuffer buffer(static_cast<std::size_t>(status.st_size));
    std::size_t filled = 0;
    while (filled < buffer.size()) {
        const ssize_t got = ::read(fd, buffer.data() + filled, buffer.size() - filled);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        filled += static_cast<std::size_t>(got);
    }
    ::close(fd);
    if (filled != buffer.size())
        return fail(ErrorCode::Io, QStringLiteral("the secret file %1 changed while it was read").arg(path));
    return buffer;
}

Result<SecureBuffer> SecretFile::readLine(const QString& path, qsizetype maxBytes)
{
    auto whole = read(path, maxBytes);
    COUNTERSIGN_TRY(whole);
    QByteArrayView text = whole->view();
    if (text.endsWith('\n'))
        text.chop(1);
    if (text.endsWith('\r'))
        text.chop(1);
    if (text.isEmpty())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the secret file %1 is empty").arg(path));
    return SecureBuffer::copyOf(text);
}

Result<QString> SecretFile::credentialPath(const QString& name)
{
    if (name.isEmpty() || name.contains(u'/') || name == QStringLiteral(".") || name == QStringLiteral(".."))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("'%1' is not a credential name").arg(name));
    const QString directory = qEnvironmentVariable("CREDENTIALS_DIRECTORY");
    if (directory.isEmpty())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("credential '%1' asked for, but CREDENTIALS_DIRECTORY is not set: start the service "
                                   "with systemd's LoadCredential=%1:<file> (or name a file instead)")
                        .arg(name));
    return QDir(directory).filePath(name);
}

} // namespace countersign::crypto
