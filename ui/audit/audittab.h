#pragma once

#include "audit/auditnames.h"
#include "error.h"

#include <QPointer>
#include <QSet>
#include <QThread>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QCheckBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class AuditLogModel;

/// The audit chain, browsable at any size: filters, the full entry with its hashes and MAC,
/// Verify (chain and checkpoint file, off the GUI thread, cancellable, jumps to the first
/// broken entry) and Export to JSON Lines with a progress bar. Actors and subjects read as
/// names (\a names; without it, as the chain holds them), and a request an entry names opens
/// from it.
class AuditTab final : public QWidget {
    Q_OBJECT
public:
    explicit AuditTab(const vault::Vault& vault, std::unique_ptr<AuditNames> names = {}, QWidget* parent = nullptr);
    ~AuditTab() override;

    [[nodiscard]] AuditLogModel* model() const { return m_model; }
    void verify();
    /// Shows entries appended up to \a headSeq, keeping the entry selected.
    void follow(qint64 headSeq);
    void exportTo(const QString& path);
    [[nodiscard]] bool isBusy() const { return m_job != nullptr; }

Q_SIGNALS:
    void jobFinished(bool ok, const QString& message);
    /// The person asked to see request \a id (clicking the subject that names it, or Enter or a
    /// double click on its entry).
    void requestActivated(const QString& id);

protected:
    void showEvent(QShowEvent* event) override;

private:
    /// A job says what it did, or why it did not (a broken chain, a cancel, a file not written).
    using Job = std::function<Result<QString>(const std::atomic<bool>& cancel,
                                              const std::function<void(qint64)>& progress, qint64& brokenSeq)>;
    void run(const QString& what, Job job);
    void applyFilter();
    void showCurrent();
    void chooseExportFile();
    /// Sizes each column to what its visible rows hold, up to a third of the view; the last
    /// column takes the rest. Columns the person resized keep their width. With \a growOnly
    /// (while scrolling), columns only widen, so they do not jump back and forth.
    void fitColumns(bool growOnly = false);
    void activate(const QModelIndex& index);

    const vault::Vault& m_vault;
    std::unique_ptr<AuditNames> m_names;
    AuditLogModel* m_model;
    QLineEdit* m_actor;
    QLineEdit* m_action;
    QLineEdit* m_subject;
    QCheckBox* m_limitTime;
    QDateTimeEdit* m_from;
    QDateTimeEdit* m_to;
    QTableView* m_view;
    QPlainTextEdit* m_detail;
    QPushButton* m_verify;
    QPushButton* m_export;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_status;
    QSet<int> m_resizedByHand;
    bool m_fitting = false;
    QThread* m_job = nullptr;
    std::atomic<bool> m_cancelRequested{false};
};

} // namespace countersign::ui
