#pragma once

#include "audit/auditstore.h"
#include "error.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QSqlDatabase>

namespace countersign::ui {

class AuditNames;

/// The audit chain as a table, for a million entries and more: rows are fetched a page at a
/// time as the view asks for them and a few pages are kept, so opening and scrolling cost the
/// same at any size. A filter (actor, action, subject text, time range) narrows the rows to a
/// list of sequence numbers. Actors and subjects read as names (AuditNames); the references
/// the chain holds are in the tooltip and ReferenceRole.
class AuditLogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Seq, Time, Actor, Action, Subject, ColumnCount };
    enum Role {
        ReferenceRole = Qt::UserRole, // the actor or subject as the chain holds it: "member:owner"
        RequestIdRole,                // the id of the request an entry's subject names, if it exists
    };
    struct Filter {
        QString actor;
        QStringList actorAlternatives; // actors that match too: members whose name holds the text
        QString action;
        QString subject;
        QDateTime from; // invalid: no bound
        QDateTime to;
        [[nodiscard]] bool isEmpty() const;
    };

    /// Without \a names, actors and subjects show as the chain holds them.
    explicit AuditLogModel(QSqlDatabase db, AuditNames* names = nullptr, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Re-reads the size (and the filter's matches); new entries appear.
    void reload();
    /// Shows the entries up to \a headSeq that arrived since: appended rows when unfiltered
    /// (the selection stays), the filter run again otherwise. Names are looked up afresh.
    void follow(qint64 headSeq);
    void setFilter(const Filter& filter);
    [[nodiscard]] std::optional<audit::AuditEntry> entryAt(int row) const;
    /// The row showing entry \a seq, or -1 if it is filtered out.
    [[nodiscard]] int rowOfSeq(qint64 seq) const;
    /// How the last reload went: the entries counted, or why there are none.
    [[nodiscard]] const Result<void>& lastLoad() const { return m_loaded; }
    [[nodiscard]] bool isFiltered() const { return m_filtered; }

private:
    [[nodiscard]] qint64 seqAt(int row) const;
    [[nodiscard]] const audit::AuditEntry* entryBySeq(qint64 seq) const;

    audit::AuditStore m_store;
    AuditNames* m_names;
    Filter m_filter;
    qint64 m_count = 0;
    QList<qint64> m_matches; // when filtered
    bool m_filtered = false;
    Result<void> m_loaded;
    mutable QHash<qint64, QList<audit::AuditEntry>> m_pages; // by page number
    mutable QList<qint64> m_pageOrder;                       // least recently fetched first
};

} // namespace countersign::ui
