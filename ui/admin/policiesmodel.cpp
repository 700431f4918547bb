#include "admin/policiesmodel.h"

#include "common/durationtext.h"
#include "policy/risk.h"

namespace countersign::ui {

namespace {

QString outcomeText(const policy::PolicyRule& rule)
{
    switch (rule.outcome) {
    case policy::PolicyRule::Outcome::Allow:
        return PoliciesModel::tr("allow without asking");
    case policy::PolicyRule::Outcome::Deny:
        return PoliciesModel::tr("deny");
    case policy::PolicyRule::Outcome::Require:
        break;
    }
    return PoliciesModel::tr("require %n approval(s)", nullptr, rule.approvals);
}

} // namespace

PoliciesModel::PoliciesModel(QObject* parent)
    : KeyedTableModel(parent)
{
}

bool PoliciesModel::waits(policy::PolicyRule::Outcome outcome)
{
    return outcome == policy::PolicyRule::Outcome::Require;
}

bool PoliciesModel::hasValidity(policy::PolicyRule::Outcome outcome)
{
    return outcome != policy::PolicyRule::Outcome::Deny;
}

void PoliciesModel::setRules(QList<policy::PolicyRule> rules)
{
    QList<Row> rows;
    rows.reserve(rules.size());
    for (int i = 0; i < rules.size(); ++i)
        rows.append({rules.at(i), i + 1});
    replaceRows(m_rows, std::move(rows), [](const Row& row) { return QString::number(row.rule.id); });
}

int PoliciesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int PoliciesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PoliciesModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const policy::PolicyRule& rule = m_rows.at(index.row()).rule;
    switch (role) {
    case RuleIdRole:
        return rule.id;
    case OutcomeRole:
        return static_cast<int>(rule.outcome);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Position:
        return QString::number(m_rows.at(index.row()).position);
    case Capability:
        return rule.capabilityGlob;
    case MinimumRisk:
        return rule.minimumRisk ? policy::riskName(*rule.minimumRisk) + u'+' : tr("any");
    case RiskFloor:
        return rule.riskFloor ? policy::riskName(*rule.riskFloor) : tr("none");
    case Outcome:
        return outcomeText(rule);
    case Timeout:
        return waits(rule.outcome) ? durationText(rule.timeoutSeconds) : tr("—");
    case Validity:
        return hasValidity(rule.outcome) ? durationText(rule.validitySeconds) : tr("—");
    case ColumnCount:
        break;
    }
    return {};
}

QVariant PoliciesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Position:
        return tr("#");
    case Capability:
        return tr("Capability");
    case MinimumRisk:
        return tr("Minimum risk");
    case Outcome:
        return tr("Outcome");
    case Timeout:
        return tr("Timeout");
    case Validity:
        return tr("Approval valid for");
    case RiskFloor:
        return tr("Risk floor");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace countersign::ui
