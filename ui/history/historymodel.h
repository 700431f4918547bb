#pragma once

#include "approvals/request.h"
#include "error.h"

#include <QAbstractTableModel>
#include <QTimer>

namespace countersign::approvals {
class RequestEvents;
class RequestService;
} // namespace countersign::approvals

namespace countersign::ui {

/// Requests that are no longer pending (decided, expired, cancelled, consumed), newest first,
/// narrowed by a search text.
/// An approval that ran out unused reads "approved, not used in time", never a bare "expired"
/// beside the name of who approved it. It follows new outcomes live, at most twice a second.
class HistoryModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { When, Risk, Runtime, Capability, Summary, State, DecidedBy, Reason, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1,
        SortRole, // what a column sorts by: times as numbers, risk by severity
    };

    /// The history as member \a memberId may see it.
    HistoryModel(approvals::RequestService& requests, approvals::RequestEvents& events, QString memberId,
                 QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// What the Outcome column says of \a request.
    [[nodiscard]] static QString outcome(const approvals::Request& request);

    void setSearch(const QString& text);
    [[nodiscard]] QString search() const { return m_search; }
    void reload();
    [[nodiscard]] const approvals::Request* requestAt(int row) const;
    /// How the last reload went: the rows shown, or why there are none.
    [[nodiscard]] const Result<void>& lastLoad() const { return m_loaded; }

private:
    approvals::RequestService& m_requests;
    QString m_memberId;
    QList<approvals::Request> m_rows;
    QString m_search;
    Result<void> m_loaded;
    QTimer m_reloadSoon;
};

} // namespace countersign::ui
