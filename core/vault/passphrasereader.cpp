#include "passphrasereader.h"

#include "crypto/crypto.h"

#include <QFile>

#include <cstdio>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace countersign::vault {

namespace {

constexpr qint64 MAX_PASSPHRASE_BYTES = 4096;

Result<crypto::SecureBuffer> readFromFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io,
                    QStringLiteral("cannot read the passphrase file %1: %2").arg(path, file.errorString()));
    QByteArray line = file.readLine(MAX_PASSPHRASE_BYTES);
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    return crypto::SecureBuffer::takeFrom(line);
}

Result<crypto::SecureBuffer> readFromTerminal(const QString& prompt)
{
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("no terminal to ask for the passphrase; set COUNTERSIGN_PASSPHRASE_FILE"));
    const QByteArray promptBytes = prompt.toUtf8();
    (void)!::write(fd, promptBytes.constData(), static_cast<size_t>(promptBytes.size()));
    termios saved{};
    const bool isTty = ::tcgetattr(fd, &saved) == 0;
    if (isTty) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    crypto::SecureBuffer buffer(MAX_PASSPHRASE_BYTES);
    std::size_t length = 0;
    char c = 0;
    while (length < buffer.size() && ::read(fd, &c, 1) == 1 && c != '\n')
        buffer.data()[length++] = static_cast<unsigned char>(c);
    if (isTty)
        ::tcsetattr(fd, TCSAFLUSH, &saved);
    ::close(fd);
    return crypto::SecureBuffer::copyOf(buffer.view().first(static_cast<qsizetype>(length)));
}

} // namespace

Result<crypto::SecureBuffer> PassphraseReader::read(const char* fileVariable, const QString& prompt)
{
    const QString path = qEnvironmentVariable(fileVariable);
    if (!path.isEmpty())
        return readFromFile(path);
    return readFromTerminal(prompt);
}

Result<crypto::SecureBuffer> PassphraseReader::readNew(const char* fileVariable, const QString& prompt)
{
    const QString path = qEnvironmentVariable(fileVariable);
    if (!path.isEmpty())
        return readFromFile(path);
    auto first = readFromTerminal(prompt);
    if (!first)
        return first;
    auto second = readFromTerminal(QStringLiteral("Repeat it: "));
    if (!second)
        return second;
    if (!crypto::constantTimeEqual(first->view(), second->view()))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the two passphrases differ"));
    return first;
}

} // namespace countersign::vault
