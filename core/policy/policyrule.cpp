#include "policyrule.h"

#include "capabilityglob.h"
#include "text/duration.h"

namespace countersign::policy {

bool PolicyRule::matches(const QString& capability, Risk risk) const
{
    if (minimumRisk && risk < *minimumRisk)
        return false;
    return CapabilityGlob::matches(capabilityGlob, capability);
}

QString PolicyRule::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Require:
        return QStringLiteral("require");
    case Outcome::Allow:
        return QStringLiteral("allow");
    case Outcome::Deny:
        return QStringLiteral("deny");
    }
    return {};
}

QString PolicyRule::describe() const
{
    QString text = capabilityGlob;
    if (minimumRisk)
        text += QStringLiteral(" [%1+]").arg(riskName(*minimumRisk));
    if (riskFloor)
        text += QStringLiteral(" [floor %1]").arg(riskName(*riskFloor));
    switch (outcome) {
    case Outcome::Require:
        // Only a rule that waits for approvers has a timeout that means anything.
        return text + QStringLiteral(" -> require %1 (waits up to %2)")
                          .arg(approvals)
                          .arg(countersign::text::compactDuration(timeoutSeconds));
    case Outcome::Allow:
        text += QStringLiteral(" -> allow");
        break;
    case Outcome::Deny:
        text += QStringLiteral(" -> deny");
        break;
    }
    return text;
}

QJsonObject PolicyRule::toJson() const
{
    QJsonObject json{{QStringLiteral("capability"), capabilityGlob},
                     {QStringLiteral("outcome"), outcomeName(outcome)},
                     {QStringLiteral("timeout_seconds"), timeoutSeconds},
                     {QStringLiteral("validity_seconds"), validitySeconds}};
    if (outcome == Outcome::Require)
        json.insert(QStringLiteral("approvals"), approvals);
    if (minimumRisk)
        json.insert(QStringLiteral("min_risk"), riskName(*minimumRisk));
    if (riskFloor)
        json.insert(QStringLiteral("risk_floor"), riskName(*riskFloor));
    if (id != 0)
        json.insert(QStringLiteral("id"), id);
    return json;
}

PolicyRule PolicyRule::fallback()
{
    PolicyRule rule;
    rule.capabilityGlob = QStringLiteral("*");
    return rule;
}

} // namespace countersign::policy
