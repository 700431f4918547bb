#include "runtimeregistry.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "evidence/actor.h"
#include "members/authorizer.h"
#include "policy/capabilityglob.h"
#include "runtimestore.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

namespace countersign::approvals {

namespace {

// last_seen_at is written at most this often per runtime, so polling does not turn every
// read into an fsynced write.
constexpr qint64 LAST_SEEN_RESOLUTION_MS = 10'000;
constexpr qint64 AUTH_CACHE_MS = 2'000;

} // namespace

RuntimeRegistry::RuntimeRegistry(QSqlDatabase db, audit::AuditLog& audit, const members::Authorizer& authorizer)
    : m_audit(audit)
    , m_authorizer(authorizer)
    , m_store(std::make_unique<RuntimeStore>(std::move(db)))
{
}

RuntimeRegistry::~RuntimeRegistry() = default;

Result<void> RuntimeRegistry::validateName(const QString& name)
{
    static const QRegularExpression PATTERN(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!PATTERN.match(name).hasMatch())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a runtime name has 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '-'"));
    return {};
}

Result<QString> RuntimeRegistry::registerRuntime(const QString& name, const QStringList& globs, const QString& actor,
                                                 const QString& actsFor)
{
    COUNTERSIGN_TRY(m_authorizer.authorize(actor, members::Permission::RegisterRuntime));
    COUNTERSIGN_TRY(validateName(name));
    if (globs.isEmpty())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("a runtime needs at least one allowed capability glob"));
    for (const QString& glob : globs) {
        COUNTERSIGN_TRY(policy::CapabilityGlob::validateGlob(glob));
    }
    QByteArray random = crypto::randomBytes(TOKEN_BYTES);
    const QString token = TOKEN_PREFIX + QString::fromLatin1(random.toBase64(QByteArray::Base64UrlEncoding |
                                                                             QByteArray::OmitTrailingEquals));
    crypto::wipe(random);
    const QByteArray tokenHash = crypto::sha256(token.toLatin1());

    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        auto taken = m_store->nameTaken(name);
        COUNTERSIGN_TRY(taken);
        if (*taken)
            return fail(ErrorCode::AlreadyExists, QStringLiteral("a runtime named '%1' exists already").arg(name));
        COUNTERSIGN_TRY(m_store->insert(name, globs, tokenHash, actsFor, QDateTime::currentMSecsSinceEpoch()));
        auto audited =
            m_audit.append({actor, QStringLiteral("runtime.registered"), audit::Actor::runtime(name).toString(),
                            QJsonObject{{QStringLiteral("allowed"), QJsonArray::fromStringList(globs)}}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
    COUNTERSIGN_TRY(done);
    return token;
}

Result<void> RuntimeRegistry::revoke(const QString& name, const QString& actor)
{
    COUNTERSIGN_TRY(m_authorizer.authorize(actor, members::Permission::RevokeRuntime));
    return storage::transact(m_store->database(), [&]() -> Result<void> {
        auto revoked = m_store->revoke(name, QDateTime::currentMSecsSinceEpoch());
        COUNTERSIGN_TRY(revoked);
        if (!*revoked)
            return fail(ErrorCode::NotFound, QStringLiteral("no active runtime named '%1'").arg(name));
        m_recent.clear();
        auto audited =
            m_audit.append({actor, QStringLiteral("runtime.revoked"), audit::Actor::runtime(name).toString(), {}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
}

Result<QList<RuntimeInfo>> RuntimeRegistry::list() const
{
    return m_store->list();
}

Result<RuntimeIdentity> RuntimeRegistry::authenticate(QByteArrayView token)
{
    // The lookup is by SHA-256 of the token: timing reveals nothing about the token itself,
    // and the stored hash is compared in constant time once found.
    const QByteArray presentedHash = crypto::sha256(token);
    const qint64 checkedAt = QDateTime::currentMSecsSinceEpoch();
    // Recently confirmed tokens skip the database for a moment; a revocation made elsewhere
    // takes effect within AUTH_CACHE_MS.
    if (auto cached = m_recent.constFind(presentedHash);
        cached != m_recent.cend() && checkedAt - cached->checkedAt < AUTH_CACHE_MS)
        return cached->identity;
    auto found = m_store->findActiveByTokenHash(presentedHash);
    COUNTERSIGN_TRY(found);
    if (!*found || !crypto::constantTimeEqual((*found)->tokenHash, presentedHash))
        return fail(ErrorCode::Unauthenticated, QStringLiteral("unknown or revoked token"));
    const RuntimeIdentity identity = (*found)->identity;
    if (m_recent.size() > 1024)
        m_recent.clear();
    m_recent.insert(presentedHash, CachedIdentity{identity, checkedAt});
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - (*found)->lastSeenAt >= LAST_SEEN_RESOLUTION_MS)
        m_store->touch(identity.id, now);
    return identity;
}

} // namespace countersign::approvals
