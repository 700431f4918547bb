#include "runtimestore.h"

#include "runtimeregistry.h"
#include "storage/execute.h"
#include "storage/statementcache.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

namespace countersign::approvals {

namespace {

QStringList globsFromJson(const QString& text)
{
    QStringList globs;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue& value : array)
        globs.append(value.toString());
    return globs;
}

} // namespace

RuntimeStore::RuntimeStore(QSqlDatabase db)
    : m_db(std::move(db))
    , m_statements(std::make_unique<storage::StatementCache>(m_db))
{
}

RuntimeStore::~RuntimeStore() = default;

Result<bool> RuntimeStore::nameTaken(const QString& name) const
{
    QSqlQuery exists(m_db);
    exists.prepare(QStringLiteral("SELECT 1 FROM runtimes WHERE name = ?"));
    exists.addBindValue(name);
    if (!exists.exec())
        return std::unexpected(storage::queryError(exists));
    return exists.next();
}

Result<void> RuntimeStore::insert(const QString& name, const QStringList& globs, const QByteArray& tokenHash,
                                  const QString& actsFor, qint64 createdAt)
{
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO runtimes (name, allowed, token_hash, member_id, created_at) "
                                  "VALUES (?, ?, ?, ?, ?)"));
    insert.addBindValue(name);
    insert.addBindValue(
        QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(globs)).toJson(QJsonDocument::Compact)));
    insert.addBindValue(tokenHash);
    insert.addBindValue(actsFor.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(actsFor));
    insert.addBindValue(createdAt);
    if (!insert.exec())
        return std::unexpected(storage::queryError(insert));
    return {};
}

Result<bool> RuntimeStore::revoke(const QString& name, qint64 at)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE runtimes SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL"));
    query.addBindValue(at);
    query.addBindValue(name);
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    return query.numRowsAffected() == 1;
}

Result<QList<RuntimeInfo>> RuntimeStore::list() const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT r.id, r.name, r.allowed, r.created_at, r.revoked_at, r.last_seen_at, "
                                   "(SELECT count(*) FROM requests q WHERE q.runtime_id = r.id) "
                                   "FROM runtimes r ORDER BY r.name")))
        return std::unexpected(storage::queryError(query));
    QList<RuntimeInfo> result;
    while (query.next()) {
        result.append(RuntimeInfo{query.value(0).toLongLong(), query.value(1).toString(),
                                  globsFromJson(query.value(2).toString()), query.value(3).toLongLong(),
                                  query.value(4).toLongLong(), query.value(5).toLongLong(),
                                  query.value(6).toLongLong()});
    }
    return result;
}

Result<std::optional<RuntimeStore::TokenMatch>> RuntimeStore::findActiveByTokenHash(const QByteArray& tokenHash) const
{
    QSqlQuery& query =
        m_statements->prepared(QStringLiteral("SELECT id, name, allowed, token_hash, last_seen_at "
                                              "FROM runtimes WHERE token_hash = ? AND revoked_at IS NULL"));
    query.bindValue(0, tokenHash);
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    if (!query.next()) {
        query.finish();
        return std::optional<TokenMatch>();
    }
    TokenMatch match{RuntimeIdentity{query.value(0).toLongLong(), query.value(1).toString(),
                                     globsFromJson(query.value(2).toString())},
                     query.value(3).toByteArray(), query.value(4).toLongLong()};
    query.finish();
    return std::optional<TokenMatch>(std::move(match));
}

void RuntimeStore::touch(qint64 runtimeId, qint64 at)
{
    QSqlQuery seen(m_db);
    seen.prepare(QStringLiteral("UPDATE runtimes SET last_seen_at = ? WHERE id = ?"));
    seen.addBindValue(at);
    seen.addBindValue(runtimeId);
    (void)seen.exec();
}

} // namespace countersign::approvals
