#include "crypto.h"

#include "sha256.h"

#include <sodium.h>
#include <sys/prctl.h>

namespace countersign::crypto {

bool keepMemoryFromOtherProcesses()
{
    return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
}

bool initialize()
{
    return sodium_init() >= 0;
}

QByteArray randomBytes(qsizetype count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    randombytes_buf(bytes.data(), static_cast<std::size_t>(count));
    return bytes;
}

QString randomId(QLatin1StringView prefix, qsizetype count)
{
    return prefix + QString::fromLatin1(
                        randomBytes(count).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray sha256(QByteArrayView data)
{
    return toByteArray(Sha256::of(data));
}

bool constantTimeEqual(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return sodium_memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size())) == 0;
}

void wipe(QByteArray& bytes)
{
    if (!bytes.isEmpty())
        sodium_memzero(bytes.data(), static_cast<std::size_t>(bytes.size()));
    bytes.clear();
}

} // namespace countersign::crypto
