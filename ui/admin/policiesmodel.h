#pragma once

#include "common/keyedtablemodel.h"
#include "policy/policyrule.h"

namespace countersign::ui {

/// The ordered policy rules, one row each in the order they are tried, keyed by rule id.
class PoliciesModel final : public KeyedTableModel {
    Q_OBJECT
public:
    enum Column { Position, Capability, MinimumRisk, Outcome, Timeout, Validity, RiskFloor, ColumnCount };
    enum Role {
        RuleIdRole = Qt::UserRole + 1, // qint64
        OutcomeRole,                   // policy::PolicyRule::Outcome as int
    };

    explicit PoliciesModel(QObject* parent = nullptr);

    void setRules(QList<policy::PolicyRule> rules);
    [[nodiscard]] const policy::PolicyRule& rule(int row) const { return m_rows.at(row).rule; }

    /// Only a rule that makes requests wait for approvers has a timeout; an allowed request's
    /// approval has a validity too, while a denied request has neither.
    [[nodiscard]] static bool waits(policy::PolicyRule::Outcome outcome);
    [[nodiscard]] static bool hasValidity(policy::PolicyRule::Outcome outcome);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

private:
    /// A rule with the position it was shown at: a row's number changes only with the
    /// dataChanged that tells it, not silently as rows above it come and go.
    struct Row {
        policy::PolicyRule rule;
        int position = 0;
    };
    QList<Row> m_rows;
};

} // namespace countersign::ui
