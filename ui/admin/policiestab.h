#pragma once

#include "error.h"
#include "policy/policyrule.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace countersign::policy {
class PolicyStore;
}

namespace countersign::ui {

class EmptyState;
class PoliciesModel;

/// The ordered policy rules: the first that matches a request decides it. Add, edit, remove
/// and reorder, each validated by the store and audited there.
class PoliciesTab final : public QWidget {
    Q_OBJECT
public:
    PoliciesTab(policy::PolicyStore& policies, QString actor, QWidget* parent = nullptr);

    void reload();
    /// Adds (id 0) or updates \a rule.
    [[nodiscard]] Result<void> save(const policy::PolicyRule& rule);

private:
    void editRule(int row);
    void removeSelected();
    void moveSelected(int delta);
    void updateButtons();
    /// Says \a success, or why \a outcome failed.
    void report(const Result<void>& outcome, const QString& success);

    policy::PolicyStore& m_policies;
    QString m_actor;
    PoliciesModel* m_model;
    QTableView* m_table;
    QPushButton* m_add;
    QPushButton* m_edit;
    QPushButton* m_remove;
    QPushButton* m_up;
    QPushButton* m_down;
    QLabel* m_message;
    EmptyState* m_empty;
};

} // namespace countersign::ui
