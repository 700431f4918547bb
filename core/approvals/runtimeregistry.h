#pragma once

#include "error.h"
#include "runtimeidentity.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>

namespace countersign::audit {
class AuditLog;
}
namespace countersign::members {
class Authorizer;
}

namespace countersign::approvals {

/// A registered runtime as the owner sees it; never includes the token.
struct RuntimeInfo final {
    qint64 id = 0;
    QString name;
    QStringList allowedCapabilities;
    qint64 createdAt = 0;
    qint64 revokedAt = 0; // 0 while active
    qint64 lastSeenAt = 0;
    qint64 requestCount = 0;
};

/// Runtimes and their API tokens. A token holds 256 random bits, is shown once at
/// registration, and is stored only as its SHA-256.
class RuntimeStore;

class RuntimeRegistry final {
public:
    static constexpr qsizetype TOKEN_BYTES = 32;
    inline static const QString TOKEN_PREFIX = QStringLiteral("cs_rt_");

    /// \a authorizer checks registrations and revocations and must outlive the registry.
    RuntimeRegistry(QSqlDatabase db, audit::AuditLog& audit, const members::Authorizer& authorizer);
    ~RuntimeRegistry();

    /// Registers \a name allowed to ask for capabilities matching \a globs. Returns the token.
    /// \a actsFor names the member the runtime works for (their agent, their CI); that member
    /// may not decide its requests.
    [[nodiscard]] Result<QString> registerRuntime(const QString& name, const QStringList& globs, const QString& actor,
                                                  const QString& actsFor = {});
    [[nodiscard]] Result<void> revoke(const QString& name, const QString& actor);
    [[nodiscard]] Result<QList<RuntimeInfo>> list() const;
    /// Looks the token up by its hash; a revoked runtime's token no longer authenticates.
    [[nodiscard]] Result<RuntimeIdentity> authenticate(QByteArrayView token);

    [[nodiscard]] static Result<void> validateName(const QString& name);

private:
    audit::AuditLog& m_audit;
    const members::Authorizer& m_authorizer;
    std::unique_ptr<RuntimeStore> m_store;
    struct CachedIdentity {
        RuntimeIdentity identity;
        qint64 checkedAt = 0;
    };
    QHash<QByteArray, CachedIdentity> m_recent; // by token hash
};

} // namespace countersign::approvals
