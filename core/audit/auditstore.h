#pragma once

#include "error.h"
#include "evidence/auditentry.h"
#include "storage/cellsealing.h"
#include "storage/sessionwatch.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace countersign::audit {

/// The SQL on the audit_log table: appends and the reads the log, the verifiers and the audit
/// view need. It checks nothing; AuditLog holds the chain's rules.
class AuditStore final {
public:
    /// What the audit view narrows the log to: text contained in actor, action or subject
    /// (case-insensitive), and a time range; an empty field or invalid time does not narrow.
    /// With actor text, the actors in \a actorAlternatives match too (members whose display
    /// name holds the text, as the view shows them).
    struct Filter final {
        QString actor;
        QStringList actorAlternatives;
        QString action;
        QString subject;
        QDateTime from;
        QDateTime to;
        [[nodiscard]] bool isEmpty() const;
    };
    /// The newest entry's position in the chain.
    struct Tail final {
        qint64 seq = 0;
        qint64 timestampMs = 0;
        QByteArray entryHash;
    };

    /// On \a db; a team database (PostgreSQL) also needs the team's \a cipher: each entry's
    /// details are sealed there, bound to the entry's number.
    explicit AuditStore(QSqlDatabase db, std::shared_ptr<const crypto::ColumnCipher> cipher = {});

    /// Inside an append's transaction, before tail(): waits for and takes the chain's head, so
    /// that appends of several writers (the nodes of a team) form one chain. A vault's write
    /// transaction (BEGIN IMMEDIATE) already holds the whole database, so there it does nothing.
    [[nodiscard]] Result<void> lockHead();
    /// The newest stored entry, by storage order; nullopt for an empty log.
    [[nodiscard]] Result<std::optional<Tail>> tail() const;
    [[nodiscard]] Result<void> insert(const AuditEntry& entry);
    [[nodiscard]] Result<qint64> count() const;
    /// The largest sequence number (0 for an empty log): one index lookup.
    [[nodiscard]] Result<qint64> lastSeq() const;
    /// Up to \a limit entries with seq >= \a fromSeq, in order.
    [[nodiscard]] Result<QList<AuditEntry>> entries(qint64 fromSeq, int limit) const;
    /// The entries with \a after < seq <= \a upTo, in order.
    [[nodiscard]] Result<QList<AuditEntry>> range(qint64 after, qint64 upTo) const;
    /// The sequence number of the first entry recording \a action on \a subject.
    [[nodiscard]] Result<std::optional<qint64>> firstSeqOf(const QString& action, const QString& subject) const;
    /// The sequence numbers of the entries \a filter lets through, in order.
    [[nodiscard]] Result<QList<qint64>> matching(const Filter& filter) const;
    /// Whether a row stored after row \a rowId holds \a seq (rows swapped rather than removed).
    [[nodiscard]] bool heldLater(qint64 seq, qint64 rowId) const;
    /// One stored row as a walk of the chain reads it: the text columns as the bytes that were hashed.
    struct StoredRow {
        qint64 id = 0; // storage order
        qint64 seq = 0;
        qint64 timestampMs = 0;
        std::array<QByteArray, 4> text; // actor, action, subject, details
        QByteArray prevHash;
        QByteArray entryHash;
        QByteArray mac;
    };
    /// Every row in storage order, read forward once.
    class Walk final {
    public:
        /// Reads the next row into \a row; false at the end or on an error().
        [[nodiscard]] bool next(StoredRow& row);
        /// Why the walk stopped early; empty at a clean end.
        [[nodiscard]] QString error() const;

    private:
        friend class AuditStore;
        Walk(QSqlQuery query, storage::CellSealing sealing)
            : m_query(std::move(query))
            , m_sealing(std::move(sealing))
        {
        }
        QSqlQuery m_query;
        storage::CellSealing m_sealing;
        QString m_error;
    };
    [[nodiscard]] Result<Walk> walk() const;

private:
    [[nodiscard]] Result<QList<AuditEntry>> readEntries(QSqlQuery& query) const;

    QSqlDatabase m_db;
    storage::CellSealing m_sealing;
    QSqlQuery m_insert;
    bool m_insertPrepared = false;
    storage::SessionWatch m_session; // a replaced session knows no statement of the old one
};

} // namespace countersign::audit
