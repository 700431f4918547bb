#include "pendingmemberkey.h"

#include "storage/durablefile.h"
#include "vault/passphrasereader.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>

namespace countersign::cli {

PendingMemberKey::PendingMemberKey(QString path, members::MemberKeyFile file, crypto::SigningKey key)
    : m_path(std::move(path))
    , m_file(std::move(file))
    , m_key(std::move(key))
{
}

Result<PendingMemberKey> PendingMemberKey::create(const QString& path, members::MemberKeyFile file)
{
    if (QFile::exists(path))
        return fail(ErrorCode::AlreadyExists,
                    QStringLiteral("%1 already holds a member key; choose another with --member-file").arg(path));
    auto passphrase =
        vault::PassphraseReader::readNew(PASSPHRASE_FILE, QStringLiteral("New passphrase for your member key: "));
    COUNTERSIGN_TRY(passphrase);
    crypto::SigningKey key = crypto::SigningKey::generate();
    file.publicKey = key.publicKey();
    PendingMemberKey pending(path, std::move(file), std::move(key));
    COUNTERSIGN_TRY(pending.m_file.save(pending.pendingPath(), pending.m_key, *passphrase));
    return pending;
}

QString PendingMemberKey::pathFor(const QCommandLineParser& parser)
{
    if (parser.isSet(QStringLiteral("member-file")))
        return parser.value(QStringLiteral("member-file"));
    const QString fromEnvironment = qEnvironmentVariable("COUNTERSIGN_MEMBER_FILE");
    return fromEnvironment.isEmpty() ? members::MemberKeyFile::defaultPath() : fromEnvironment;
}

Result<void> PendingMemberKey::commit() const
{
    const QString pending = pendingPath();
    COUNTERSIGN_TRY(m_file.update(pending));
    if (!QFile::rename(pending, m_path))
        return fail(ErrorCode::Io,
                    QStringLiteral("joined, but cannot move %1 to %2: rename it yourself").arg(pending, m_path));
    return storage::syncDirectory(QFileInfo(m_path).absolutePath());
}

void PendingMemberKey::discard() const
{
    QFile::remove(pendingPath());
}

} // namespace countersign::cli
