#pragma once

#include "approvals/request.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <array>

namespace countersign::approvals {
class RequestEvents;
class RequestService;
} // namespace countersign::approvals

namespace countersign::ui {

/// The pending requests, kept live: rows arrive, change and leave as requests are created,
/// decided (here or elsewhere), expire or are cancelled, with row-level signals so a view keeps
/// its selection. Age and time left tick every second.
class RequestQueueModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Age, Runtime, Capability, Risk, Summary, Approvals, TimeLeft, ColumnCount };
    /// RiskRole: the request's policy::Risk as an int, in every column.
    enum Role { IdRole = Qt::UserRole + 1, SortRole, RiskRole };

    RequestQueueModel(approvals::RequestService& requests, approvals::RequestEvents& events, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Reloads every pending request, keeping rows that are still pending in place.
    void reload();
    /// Re-reads requests \a ids (changed by another process, say): rows change, leave or arrive.
    void refresh(const QSet<QString>& ids);
    [[nodiscard]] int rowOf(const QString& id) const;
    [[nodiscard]] const approvals::Request* requestAt(int row) const;

Q_SIGNALS:
    /// Request \a id is about to leave the queue (decided, expired or cancelled), before its
    /// row is removed, so a view can tell the person looking at it what happened.
    void requestLeaving(const QString& id);

private:
    void dropRow(int row);
    void refreshOne(const QString& id);
    void tick();
    /// The risk marks for the application's palette, painted once per palette.
    [[nodiscard]] const QIcon& riskIcon(policy::Risk risk) const;

    approvals::RequestService& m_requests;
    QList<approvals::Request> m_rows;
    QTimer m_ticker;
    // The time Age and Time left count from. It moves only in tick(), which says so with
    // dataChanged: a row never shows another text than its views were last told.
    qint64 m_now = 0;
    mutable std::array<QIcon, 4> m_riskIcons;
    mutable QRgb m_riskIconsWindow = 0; // the window colour they were painted for
};

/// Sorts the queue (a risk sort breaks ties by age, so descending puts the most urgent first) and
/// narrows it by a filter line: plain words match the summary, runtime, capability, risk or id;
/// "runtime:NAME", "capability:PREFIX" (or "cap:"), "risk:high" and "risk:high+" (high or above)
/// narrow by one field. Reads the requests, not display strings.
class QueueFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit QueueFilterProxy(QObject* parent = nullptr);

    void setFilterText(const QString& text);
    /// What in the filter text was not understood ("unknown risk 'hihg'"); empty when all was.
    [[nodiscard]] QStringList problems() const { return m_problems; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QStringList m_words;
    QStringList m_problems;
    QString m_runtime;
    QString m_capability;
    std::optional<policy::Risk> m_risk;
    bool m_riskOrHigher = false;
};

} // namespace countersign::ui
