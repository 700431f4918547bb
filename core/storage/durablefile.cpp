#include "durablefile.h"

#include <QFile>
#include <QFileInfo>

#include <fcntl.h>
#include <unistd.h>

namespace countersign::storage {

namespace {

Result<void> syncPath(const QString& path, int flags)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), flags | O_CLOEXEC);
    if (fd < 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot open %1 to flush it").arg(path));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot flush %1 to disk").arg(path));
    return {};
}

} // namespace

Result<void> syncFile(const QString& path)
{
    return syncPath(path, O_RDONLY);
}

Result<void> syncDirectory(const QString& path)
{
    return syncPath(path, O_RDONLY | O_DIRECTORY);
}

Result<void> writeFileAtomically(const QString& path, const QByteArray& contents)
{
    const QString temporary = path + QStringLiteral(".tmp");
    {
        QFile file(temporary);
        // Private from the moment it exists, not only once written.
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, QFile::ReadOwner | QFile::WriteOwner))
            return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(temporary, file.errorString()));
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        if (file.write(contents) != contents.size() || !file.flush())
            return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(temporary, file.errorString()));
        if (::fsync(file.handle()) != 0)
            return fail(ErrorCode::Io, QStringLiteral("cannot flush %1 to disk").arg(temporary));
    }
    const QByteArray from = QFile::encodeName(temporary);
    const QByteArray to = QFile::encodeName(path);
    if (::rename(from.constData(), to.constData()) != 0)
        return fail(ErrorCode::Io, QStringLiteral("cannot replace %1").arg(path));
    return syncDirectory(QFileInfo(path).absolutePath());
}

} // namespace countersign::storage
