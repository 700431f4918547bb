#pragma once

#include "error.h"
#include "policyrule.h"

#include <QList>
#include <QSqlDatabase>

namespace countersign::audit {
class AuditLog;
}
namespace countersign::members {
class Authorizer;
}

namespace countersign::policy {

/// The ordered policy rules, stored in the vault. Every change is audited. The first rule that
/// matches a request decides its outcome; with none, one approval is required.
class PolicyStore final {
public:
    /// \a authorizer checks every change (EditPolicy) and must outlive the store.
    PolicyStore(QSqlDatabase db, audit::AuditLog& audit, const members::Authorizer& authorizer);

    [[nodiscard]] Result<QList<PolicyRule>> rules() const;
    /// Inserts \a rule at \a index (0-based; -1 or past the end appends). Returns its id.
    [[nodiscard]] Result<qint64> add(const PolicyRule& rule, const QString& actor, int index = -1);
    [[nodiscard]] Result<void> update(const PolicyRule& rule, const QString& actor);
    /// Removes the rule at \a index (0-based).
    [[nodiscard]] Result<void> remove(int index, const QString& actor);
    [[nodiscard]] Result<void> move(int from, int to, const QString& actor);
    /// The rule that applies to a request; the fallback when no stored rule matches.
    [[nodiscard]] Result<PolicyRule> evaluate(const QString& capability, Risk risk) const;
    /// The risk a request for \a capability is treated as: the highest of \a declared and the
    /// floors of every rule whose glob matches the capability, in any position. A runtime may
    /// raise its request's risk, never lower it below a floor.
    [[nodiscard]] Result<Risk> effectiveRisk(const QString& capability, Risk declared) const;

    [[nodiscard]] static Result<void> validate(const PolicyRule& rule);

private:
    [[nodiscard]] Result<void> rewriteOrder(const QList<PolicyRule>& ordered);

    QSqlDatabase m_db;
    audit::AuditLog& m_audit;
    const members::Authorizer& m_authorizer;
};

} // namespace countersign::policy
