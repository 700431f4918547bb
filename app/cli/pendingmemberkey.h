#pragma once

#include "crypto/signingkey.h"
#include "error.h"
#include "members/memberkeyfile.h"

#include <QString>

class QCommandLineParser;

namespace countersign::cli {

/// A member's new key, made and sealed before anyone is told of it (`member join`, `team init`):
/// the private key never leaves the file. Until the instance has taken the public key the file
/// waits beside the member file, so a refusal leaves nothing that blocks the next attempt.
class PendingMemberKey final {
public:
    /// Makes a key for \a file (where it dials, its name) to be kept at \a path, sealed under a
    /// new passphrase from the terminal or COUNTERSIGN_MEMBER_PASSPHRASE_FILE. AlreadyExists when
    /// \a path holds a key.
    [[nodiscard]] static Result<PendingMemberKey> create(const QString& path, members::MemberKeyFile file);
    /// The member file named by --member-file or COUNTERSIGN_MEMBER_FILE, else the default one.
    [[nodiscard]] static QString pathFor(const QCommandLineParser& parser);

    [[nodiscard]] const crypto::SigningKey& key() const { return m_key; }
    [[nodiscard]] members::MemberKeyFile& file() { return m_file; }
    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] QString pendingPath() const { return m_path + QStringLiteral(".joining"); }
    /// Records what the instance said of the member (file()) and puts the file in its place.
    [[nodiscard]] Result<void> commit() const;
    /// Forgets the key: the instance refused it.
    void discard() const;

    inline static const char* const PASSPHRASE_FILE = "COUNTERSIGN_MEMBER_PASSPHRASE_FILE";

private:
    PendingMemberKey(QString path, members::MemberKeyFile file, crypto::SigningKey key);

    QString m_path;
    members::MemberKeyFile m_file;
    crypto::SigningKey m_key;
};

} // namespace countersign::cli
