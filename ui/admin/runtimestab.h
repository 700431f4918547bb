#pragma once

#include "error.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace countersign::approvals {
class RequestEvents;
class RuntimeRegistry;
} // namespace countersign::approvals

namespace countersign::ui {

class EmptyState;
class RuntimesModel;

/// The registered runtimes: register one (its token shown once), revoke one, and see when each
/// was last seen and how many requests it has made.
class RuntimesTab final : public QWidget {
    Q_OBJECT
public:
    RuntimesTab(approvals::RuntimeRegistry& runtimes, approvals::RequestEvents& events, QString actor,
                QWidget* parent = nullptr);

    void reload();
    /// Registers a runtime and shows its token.
    [[nodiscard]] Result<void> registerRuntime(const QString& name, const QStringList& globs);

Q_SIGNALS:
    void changed();

private:
    void showRegisterDialog();
    void revokeSelected();
    void updateButtons();
    /// The selected row, -1 when nothing is selected.
    [[nodiscard]] int selectedRow() const;

    approvals::RuntimeRegistry& m_runtimes;
    QString m_actor;
    RuntimesModel* m_model;
    QTableView* m_table;
    QPushButton* m_register;
    QPushButton* m_revoke;
    QLabel* m_message;
    EmptyState* m_empty;
};

} // namespace countersign::ui
