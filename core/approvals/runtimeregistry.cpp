#include "runtimeregistry.h"

#include "audit/actor.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "members/authorizer.h"
#include "policy/capabilityglob.h"
#include "storage/statementcache.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

namespace countersign::approvals {

namespace {

// last_seen_at is written at most this often per runtime, so polling does not turn every
// read into an fsynced write.
constexpr qint64 LAST_SEEN_RESOLUTION_MS = 10'000;
constexpr qint64 AUTH_CACHE_MS = 2'000;

QStringList globsFromJson(const QString& text)
{
    QStringList globs;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue& value : array)
        globs.append(value.toString());
    return globs;
}

} // namespace

RuntimeRegistry::RuntimeRegistry(QSqlDatabase db, audit::AuditLog& audit, const members::Authorizer& authorizer)
    : m_db(std::move(db))
    , m_audit(audit)
    , m_authorizer(authorizer)
    , m_statements(std::make_unique<storage::StatementCache>(m_db))
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

    auto done = storage::transact(m_db, [&]() -> Result<void> {
        QSqlQuery exists(m_db);
        exists.prepare(QStringLiteral("SELECT 1 FROM runtimes WHERE name = ?"));
        exists.addBindValue(name);
        if (!exists.exec())
            return fail(ErrorCode::Storage, exists.lastError().text());
        if (exists.next())
            return fail(ErrorCode::AlreadyExists, QStringLiteral("a runtime named '%1' exists already").arg(name));
        QSqlQuery insert(m_db);
        insert.prepare(QStringLiteral("INSERT INTO runtimes (name, allowed, token_hash, member_id, created_at) "
                                      "VALUES (?, ?, ?, ?, ?)"));
        insert.addBindValue(name);
        insert.addBindValue(
            QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(globs)).toJson(QJsonDocument::Compact)));
        insert.addBindValue(tokenHash);
        insert.addBindValue(actsFor.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(actsFor));
        insert.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!insert.exec())
            return fail(ErrorCode::Storage, insert.lastError().text());
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
    return storage::transact(m_db, [&]() -> Result<void> {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("UPDATE runtimes SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL"));
        query.addBindValue(QDateTime::currentMSecsSinceEpoch());
        query.addBindValue(name);
        if (!query.exec())
            return fail(ErrorCode::Storage, query.lastError().text());
        if (query.numRowsAffected() != 1)
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
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT r.id, r.name, r.allowed, r.created_at, r.revoked_at, r.last_seen_at, "
                                   "(SELECT count(*) FROM requests q WHERE q.runtime_id = r.id) "
                                   "FROM runtimes r ORDER BY r.name")))
        return fail(ErrorCode::Storage, query.lastError().text());
    QList<RuntimeInfo> result;
    while (query.next()) {
        result.append(RuntimeInfo{query.value(0).toLongLong(), query.value(1).toString(),
                                  globsFromJson(query.value(2).toString()), query.value(3).toLongLong(),
                                  query.value(4).toLongLong(), query.value(5).toLongLong(),
                                  query.value(6).toLongLong()});
    }
    return result;
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
    QSqlQuery& query =
        m_statements->prepared(QStringLiteral("SELECT id, name, allowed, token_hash, last_seen_at "
                                              "FROM runtimes WHERE token_hash = ? AND revoked_at IS NULL"));
    query.bindValue(0, presentedHash);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next() || !crypto::constantTimeEqual(query.value(3).toByteArray(), presentedHash)) {
        query.finish();
        return fail(ErrorCode::Unauthenticated, QStringLiteral("unknown or revoked token"));
    }
    RuntimeIdentity identity{query.value(0).toLongLong(), query.value(1).toString(),
                             globsFromJson(query.value(2).toString())};
    if (m_recent.size() > 1024)
        m_recent.clear();
    m_recent.insert(presentedHash, CachedIdentity{identity, checkedAt});
    const qint64 lastSeen = query.value(4).toLongLong();
    query.finish();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - lastSeen >= LAST_SEEN_RESOLUTION_MS) {
        QSqlQuery seen(m_db);
        seen.prepare(QStringLiteral("UPDATE runtimes SET last_seen_at = ? WHERE id = ?"));
        seen.addBindValue(now);
        seen.addBindValue(identity.id);
        seen.exec(); // best effort: a missed last-seen update is not worth failing a request
    }
    return identity;
}

} // namespace countersign::approvals
