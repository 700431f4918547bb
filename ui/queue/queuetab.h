#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace countersign {
struct Error;
}
namespace countersign::approvals {
class RequestEvents;
class RequestService;
struct Request;
} // namespace countersign::approvals

namespace countersign::ui {

class EmptyState;
class MessageLabel;
class QueueFilterProxy;
enum class RequestAction;
class RequestDetailView;
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
    /// Forgets what was typed, armed or revealed (the reason, a pending confirmation, masked
    /// fields shown), as
    /// when the window is locked or closed: it never carries over to a request seen later.
    void clearDecisionInput();
    /// Where runtimes reach this instance ("http://127.0.0.1:7447"), said while the queue is
    /// empty; empty when the endpoint is not running.
    void setRuntimeAddress(const QString& address);
    /// The seconds "Extend" adds to a pending request's deadline.
    static constexpr int EXTEND_SECONDS = 15 * 60;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

Q_SIGNALS:
    /// The person asked for the list of keyboard shortcuts ("?").
    void shortcutsRequested();

private:
    /// True when \a memberId has an approval standing on \a request.
    [[nodiscard]] static bool approvedBy(const approvals::Request& request, const QString& memberId);
    void showCurrent();
    /// "K of N shown" beside the filter, and what in it was not understood.
    void showFilterStatus();
    /// "2 critical requests waiting" above the list, hidden when none waits.
    void showCriticalCount();
    void onLeaving(const QString& id);
    /// Reveals (audited, through core) or masks again one payload field of the request shown.
    void toggleField(const QString& field, bool reveal);
    void clearSecrets();
    void extend();
    void moveSelection(int delta);
    void denySelected();
    void denyAll(const QStringList& ids, const QString& reason);
    void confirmArmed();
    void disarm();
    /// Enter in the reason field: the decision that asked for the reason goes on with it.
    void submitReason();
    void decide(bool approve);
    /// Why core refused \a action on request \a id, in the person's terms (refusalText).
    [[nodiscard]] QString refusal(RequestAction action, const Error& error, const QString& id,
                                  const QString& reason = {}) const;
    [[nodiscard]] QString currentId() const;
    /// The request the keyboard may act on: the current row, only if it is selected and it is
    /// what the detail pane shows; empty otherwise.
    [[nodiscard]] QString actionableId() const;
    /// The request to show once \a leaving are gone: the current one if it stays, else the
    /// next row that stays, else the previous one.
    [[nodiscard]] QString neighbourAfter(const QStringList& leaving) const;
    /// Selects \a id (or nothing, if it left) and gives the queue the keyboard.
    void followWith(const QString& id);

    approvals::RequestService& m_requests;
    QString m_memberId;
    RequestQueueModel* m_model;
    QueueFilterProxy* m_proxy;
    QLineEdit* m_filter;
    QLabel* m_filterStatus;
    QTableView* m_view;
    RequestDetailView* m_detail;
    QLineEdit* m_reason;
    QPushButton* m_approve;
    QPushButton* m_deny;
    QPushButton* m_bulkDeny;
    QPushButton* m_extend;
    MessageLabel* m_message; // about the request shown, and cleared when another is
    QWidget* m_criticalBanner;
    QLabel* m_criticalMark;
    QLabel* m_criticalCount;
    EmptyState* m_empty;
    QString m_armedId;            // a high-risk approval waiting for its confirming keystroke
    QString m_askedId;            // the request whose decision waits for a reason...
    bool m_askedApprove = false;  // ...and which decision that is
    QString m_shownId;            // the request in the detail pane
    QString m_revealedId;         // the request whose secrets are shown (until another is selected)...
    QStringList m_revealedFields; // ...and which of them (JSON Pointers)and which of them (JSON Pointers)
    QString m_goneId;             // a shown request that was decided elsewhere, expired or was cancelled
    bool m_deciding = false;
};

} // namespace countersign::ui
