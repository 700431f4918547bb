#include "auditstore.h"

#include "storage/execute.h"
#include "storage/sqldialect.h"

#include <QSqlError>
#include <QStringList>
#include <QVariantList>

namespace countersign::audit {

namespace {

const QString ENTRY_COLUMNS =
    QStringLiteral("seq, ts, actor, action, subject, details, prev_hash, entry_hash, mac FROM audit_log ");

const QString AUDIT_LOG = QStringLiteral("audit_log");
const QString DETAILS = QStringLiteral("details");

Result<qint64> single(const QSqlDatabase& db, const QString& sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        return std::unexpected(storage::queryError(query));
    return query.value(0).toLongLong();
}

} // namespace

bool AuditStore::Filter::isEmpty() const
{
    return actor.isEmpty() && action.isEmpty() && subject.isEmpty() && !from.isValid() && !to.isValid();
}

AuditStore::AuditStore(QSqlDatabase db, std::shared_ptr<const crypto::ColumnCipher> cipher)
    : m_db(std::move(db))
    , m_sealing(m_db, std::move(cipher))
    , m_insert(m_db)
    , m_session(m_db, [this] {
        m_insert = QSqlQuery(m_db);
        m_insertPrepared = false;
    })
{
}

Result<QList<AuditEntry>> AuditStore::readEntries(QSqlQuery& query) const
{
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    QList<AuditEntry> entries;
    while (query.next()) {
        const qint64 seq = query.value(0).toLongLong();
        auto details = m_sealing.open(AUDIT_LOG, DETAILS, QString::number(seq), query.value(5));
        COUNTERSIGN_TRY(details);
        entries.append(AuditEntry{seq, query.value(1).toLongLong(), query.value(2).toString(),
                                  query.value(3).toString(), query.value(4).toString(), details->toUtf8(),
                                  query.value(6).toByteArray(), query.value(7).toByteArray(),
                                  query.value(8).toByteArray()});
    }
    return entries;
}

Result<void> AuditStore::lockHead()
{
    if (storage::SqlDialect::of(m_db).kind() != storage::SqlDialect::Kind::PostgreSql)
        return {};
    QSqlQuery head(m_db);
    if (!head.exec(QStringLiteral("SELECT seq FROM audit_head FOR UPDATE")) || !head.next())
        return std::unexpected(storage::storageError(m_db, head.lastError()));
    return {};
}

Result<std::optional<AuditStore::Tail>> AuditStore::tail() const
{
    QSqlQuery last(m_db);
    last.setForwardOnly(true);
    if (!last.exec(QStringLiteral("SELECT seq, ts, entry_hash FROM audit_log ORDER BY id DESC LIMIT 1")))
        return std::unexpected(storage::queryError(last));
    if (!last.next())
        return std::optional<Tail>();
    return Tail{last.value(0).toLongLong(), last.value(1).toLongLong(), last.value(2).toByteArray()};
}

Result<void> AuditStore::insert(const AuditEntry& entry)
{
    // Prepared once per session; one that could not be prepared (no session, an aborted
    // transaction) is prepared next time.
    if (!m_insertPrepared) {
        m_insertPrepared =
            m_insert.prepare(QStringLiteral("INSERT INTO audit_log (seq, ts, actor, action, subject, details, "
                                            "prev_hash, entry_hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        if (!m_insertPrepared)
            return std::unexpected(storage::queryError(m_insert));
    }
    m_insert.bindValue(0, entry.seq);
    m_insert.bindValue(1, entry.timestampMs);
    m_insert.bindValue(2, entry.actor);
    m_insert.bindValue(3, entry.action);
    m_insert.bindValue(4, entry.subject);
    auto details = m_sealing.seal(AUDIT_LOG, DETAILS, QString::number(entry.seq), QString::fromUtf8(entry.details));
    COUNTERSIGN_TRY(details);
    m_insert.bindValue(5, *details);
    m_insert.bindValue(6, entry.prevHash);
    m_insert.bindValue(7, entry.entryHash);
    m_insert.bindValue(8, entry.mac);
    if (!m_insert.exec())
        return std::unexpected(storage::queryError(m_insert));
    return {};
}

Result<qint64> AuditStore::count() const
{
    return single(m_db, QStringLiteral("SELECT count(*) FROM audit_log"));
}

Result<qint64> AuditStore::lastSeq() const
{
    return single(m_db, QStringLiteral("SELECT coalesce(max(seq), 0) FROM audit_log"));
}

Result<QList<AuditEntry>> AuditStore::entries(qint64 fromSeq, int limit) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT ") + ENTRY_COLUMNS + QStringLiteral("WHERE seq >= ? ORDER BY seq LIMIT ?"));
    query.addBindValue(fromSeq);
    query.addBindValue(limit);
    return readEntries(query);
}

Result<QList<AuditEntry>> AuditStore::range(qint64 after, qint64 upTo) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT ") + ENTRY_COLUMNS +
                  QStringLiteral("WHERE seq > ? AND seq <= ? ORDER BY seq"));
    query.addBindValue(after);
    query.addBindValue(upTo);
    return readEntries(query);
}

Result<std::optional<qint64>> AuditStore::firstSeqOf(const QString& action, const QString& subject) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT seq FROM audit_log WHERE action = ? AND subject = ? ORDER BY seq LIMIT 1"));
    query.addBindValue(action);
    query.addBindValue(subject);
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    return query.next() ? std::optional<qint64>(query.value(0).toLongLong()) : std::nullopt;
}

Result<QList<qint64>> AuditStore::matching(const Filter& filter) const
{
    const storage::SqlDialect dialect = storage::SqlDialect::of(m_db);
    QStringList where;
    QVariantList values;
    const auto contains = [&](const QString& column, const QString& text) {
        if (text.isEmpty())
            return;
        where.append(dialect.contains(column));
        values.append(storage::SqlDialect::likePattern(text));
    };
    contains(QStringLiteral("actor"), filter.actor);
    if (!filter.actor.isEmpty() && !filter.actorAlternatives.isEmpty()) {
        const QStringList marks(filter.actorAlternatives.size(), QStringLiteral("?"));
        where.last() = QStringLiteral("(%1 OR actor IN (%2))").arg(where.last(), marks.join(u','));
        for (const QString& actor : filter.actorAlternatives)
            values.append(actor);
    }
    contains(QStringLiteral("action"), filter.action);
    contains(QStringLiteral("subject"), filter.subject);
    if (filter.from.isValid()) {
        where.append(QStringLiteral("ts >= ?"));
        values.append(filter.from.toMSecsSinceEpoch());
    }
    if (filter.to.isValid()) {
        where.append(QStringLiteral("ts <= ?"));
        values.append(filter.to.toMSecsSinceEpoch());
    }
    if (where.isEmpty())
        where.append(QStringLiteral("1 = 1"));
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT seq FROM audit_log WHERE ") + where.join(QStringLiteral(" AND ")) +
                  QStringLiteral(" ORDER BY seq"));
    for (const QVariant& value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    QList<qint64> seqs;
    while (query.next())
        seqs.append(query.value(0).toLongLong());
    return seqs;
}

bool AuditStore::heldLater(qint64 seq, qint64 rowId) const
{
    QSqlQuery later(m_db);
    later.prepare(QStringLiteral("SELECT 1 FROM audit_log WHERE seq = ? AND id > ?"));
    later.addBindValue(seq);
    later.addBindValue(rowId);
    return later.exec() && later.next();
}

bool AuditStore::Walk::next(StoredRow& row)
{
    if (!m_error.isEmpty() || !m_query.next())
        return false;
    row.id = m_query.value(0).toLongLong();
    row.seq = m_query.value(1).toLongLong();
    row.timestampMs = m_query.value(2).toLongLong();
    for (int i = 0; i < 3; ++i)
        row.text[i] = m_query.value(3 + i).toByteArray();
    if (m_sealing.seals()) {
        auto details = m_sealing.open(AUDIT_LOG, DETAILS, QString::number(row.seq), m_query.value(6));
        if (!details) {
            m_error = details.error().message;
            return false;
        }
        row.text[3] = details->toUtf8();
    } else {
        row.text[3] = m_query.value(6).toByteArray();
    }
    row.prevHash = m_query.value(7).toByteArray();
    row.entryHash = m_query.value(8).toByteArray();
    row.mac = m_query.value(9).toByteArray();
    return true;
}

QString AuditStore::Walk::error() const
{
    if (!m_error.isEmpty())
        return m_error;
    return m_query.lastError().isValid() ? m_query.lastError().text() : QString();
}

Result<AuditStore::Walk> AuditStore::walk() const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // The text columns as blobs: the bytes that were hashed, without a round trip through QString.
    const storage::SqlDialect dialect = storage::SqlDialect::of(m_db);
    const QString details = m_sealing.seals() ? DETAILS : dialect.textBytes(DETAILS);
    if (!query.exec(QStringLiteral("SELECT id, seq, ts, %1, %2, %3, %4, prev_hash, entry_hash, mac FROM audit_log "
                                   "ORDER BY id")
                        .arg(dialect.textBytes(QStringLiteral("actor")), dialect.textBytes(QStringLiteral("action")),
                             dialect.textBytes(QStringLiteral("subject")), details)))
        return std::unexpected(storage::queryError(query));
    return Walk(std::move(query), m_sealing);
}

} // namespace countersign::audit
