#pragma once

#include "error.h"
#include "runtimeidentity.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace countersign::storage {
class StatementCache;
}

namespace countersign::approvals {

struct RuntimeInfo;

/// Every SQL statement on the runtimes table and the mapping of its rows. Tokens appear here
/// only as their SHA-256; the registry holds the rules.
class RuntimeStore final {
public:
    /// An active runtime found by its token's hash.
    struct TokenMatch final {
        RuntimeIdentity identity;
        QByteArray tokenHash;
        qint64 lastSeenAt = 0;
    };

    explicit RuntimeStore(QSqlDatabase db);
    ~RuntimeStore();
    RuntimeStore(const RuntimeStore&) = delete;
    RuntimeStore& operator=(const RuntimeStore&) = delete;

    [[nodiscard]] QSqlDatabase& database() { return m_db; }
    [[nodiscard]] Result<bool> nameTaken(const QString& name) const;
    /// \a actsFor empty: the runtime works for no member.
    [[nodiscard]] Result<void> insert(const QString& name, const QStringList& globs, const QByteArray& tokenHash,
                                      const QString& actsFor, qint64 createdAt);
    /// Marks runtime \a name revoked at \a at; false when no active runtime has that name.
    [[nodiscard]] Result<bool> revoke(const QString& name, qint64 at);
    /// Every runtime by name, with how many requests each made.
    [[nodiscard]] Result<QList<RuntimeInfo>> list() const;
    [[nodiscard]] Result<std::optional<TokenMatch>> findActiveByTokenHash(const QByteArray& tokenHash) const;
    /// Best effort: a missed last-seen update is not worth failing a request.
    void touch(qint64 runtimeId, qint64 at);

private:
    QSqlDatabase m_db;
    std::unique_ptr<storage::StatementCache> m_statements;
};

} // namespace countersign::approvals
