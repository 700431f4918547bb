#include "metastore.h"

#include "execute.h"

namespace countersign::storage {

namespace {

QString placeholders(qsizetype count)
{
    QStringList marks;
    for (qsizetype i = 0; i < count; ++i)
        marks.append(QStringLiteral("?"));
    return marks.join(u", ");
}

QVariantList asValues(const QStringList& keys)
{
    QVariantList values;
    for (const QString& key : keys)
        values.append(key);
    return values;
}

} // namespace

MetaStore::MetaStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

Result<QHash<QString, QString>> MetaStore::values(const QStringList& keys) const
{
    QHash<QString, QString> found;
    if (keys.isEmpty())
        return found;
    auto rows =
        execute(m_db, QStringLiteral("SELECT key, value FROM meta WHERE key IN (%1)").arg(placeholders(keys.size())),
                asValues(keys));
    COUNTERSIGN_TRY(rows);
    while (rows->next())
        found.insert(rows->value(0).toString(), rows->value(1).toString());
    return found;
}

Result<void> MetaStore::set(const QHash<QString, QString>& values)
{
    COUNTERSIGN_TRY(remove(values.keys()));
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        auto done =
            execute(m_db, QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"), {it.key(), it.value()});
        COUNTERSIGN_TRY(done);
    }
    return {};
}

Result<void> MetaStore::remove(const QStringList& keys)
{
    if (keys.isEmpty())
        return {};
    auto done = execute(m_db, QStringLiteral("DELETE FROM meta WHERE key IN (%1)").arg(placeholders(keys.size())),
                        asValues(keys));
    COUNTERSIGN_TRY(done);
    return {};
}

} // namespace countersign::storage
