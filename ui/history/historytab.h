#pragma once

#include <QWidget>

class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;

namespace countersign::approvals {
class RequestEvents;
class RequestService;
} // namespace countersign::approvals

namespace countersign::ui {

class HistoryModel;

/// What was decided, by whom, when and why: searchable, newest first, with the full record of
/// the selected request (payload still masked).
class HistoryTab final : public QWidget {
    Q_OBJECT
public:
    HistoryTab(approvals::RequestService& requests, approvals::RequestEvents& events, const QString& memberId,
               QWidget* parent = nullptr);

    [[nodiscard]] HistoryModel* model() const { return m_model; }
    /// Selects request \a id and shows its record; if the search hides it, searches for its id.
    /// Returns false when the history does not hold it (still pending, or unknown).
    bool select(const QString& id);

private:
    void showCurrent();

    HistoryModel* m_model;
    QSortFilterProxyModel* m_sorted = nullptr;
    QLineEdit* m_search;
    QTableView* m_view;
    QPlainTextEdit* m_detail;
};

} // namespace countersign::ui
