#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace countersign::approvals {
class RequestEvents;
class RequestService;
} // namespace countersign::approvals

namespace countersign::ui {

class RequestQueueModel;

/// The queue: pending requests, a detail pane with secrets masked, and Approve / Deny with a
/// reason. Deciding calls the core decision API; high and critical risk need a typed reason.
class QueueTab final : public QWidget {
    Q_OBJECT
public:
    QueueTab(approvals::RequestService& requests, approvals::RequestEvents& events, QString memberId,
             QWidget* parent = nullptr);

    [[nodiscard]] RequestQueueModel* model() const { return m_model; }
    /// Selects the row of request \a id, if it is in the queue.
    void select(const QString& id);

private:
    void showCurrent();
    void moveSelection(int delta);
    void denySelected();
    void confirmArmed();
    void disarm();
    void decide(bool approve);
    [[nodiscard]] QString currentId() const;

    approvals::RequestService& m_requests;
    QString m_memberId;
    RequestQueueModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_filter;
    QTableView* m_view;
    QTextBrowser* m_detail;
    QLineEdit* m_reason;
    QPushButton* m_approve;
    QPushButton* m_deny;
    QPushButton* m_bulkDeny;
    QLabel* m_message;
    QString m_armedId; // a high-risk approval waiting for its confirming keystroke
};

} // namespace countersign::ui
