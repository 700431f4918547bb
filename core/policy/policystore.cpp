#include "policystore.h"

#include "audit/auditlog.h"
#include "capabilityglob.h"
#include "members/authorizer.h"
#include "storage/execute.h"
#include "storage/transaction.h"

#include <QSqlError>
#include <QSqlQuery>

namespace countersign::policy {

namespace {

std::optional<PolicyRule::Outcome> parseOutcome(const QString& name)
{
    for (const auto outcome : {PolicyRule::Outcome::Require, PolicyRule::Outcome::Allow, PolicyRule::Outcome::Deny}) {
        if (PolicyRule::outcomeName(outcome) == name)
            return outcome;
    }
    return std::nullopt;
}

} // namespace

PolicyStore::PolicyStore(QSqlDatabase db, audit::AuditLog& audit, const members::Authorizer& authorizer)
    : m_db(std::move(db))
    , m_audit(audit)
    , m_authorizer(authorizer)
{
}

Result<void> PolicyStore::validate(const PolicyRule& rule)
{
    COUNTERSIGN_TRY(CapabilityGlob::validateGlob(rule.capabilityGlob));
    if (rule.outcome == PolicyRule::Outcome::Require &&
        (rule.approvals < 1 || rule.approvals > PolicyRule::MAX_APPROVALS))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a rule requires 1 to %1 approvals").arg(PolicyRule::MAX_APPROVALS));
    if (rule.timeoutSeconds < 1 || rule.timeoutSeconds > PolicyRule::MAX_SECONDS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a timeout is 1 to %1 seconds").arg(PolicyRule::MAX_SECONDS));
    if (rule.validitySeconds < 1 || rule.validitySeconds > PolicyRule::MAX_SECONDS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("an approval's validity is 1 to %1 seconds").arg(PolicyRule::MAX_SECONDS));
    return {};
}

Result<QList<PolicyRule>> PolicyStore::rules() const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT id, capability_glob, min_risk, outcome, approvals, timeout_seconds, "
                                   "validity_seconds, risk_floor FROM policy_rules ORDER BY position")))
        return std::unexpected(storage::queryError(query));
    QList<PolicyRule> result;
    while (query.next()) {
        PolicyRule rule;
        rule.id = query.value(0).toLongLong();
        rule.capabilityGlob = query.value(1).toString();
        if (!query.isNull(2))
            rule.minimumRisk = parseRisk(query.value(2).toString());
        rule.outcome = parseOutcome(query.value(3).toString()).value_or(PolicyRule::Outcome::Deny);
        rule.approvals = query.value(4).toInt();
        rule.timeoutSeconds = query.value(5).toInt();
        rule.validitySeconds = query.value(6).toInt();
        if (!query.isNull(7))
            rule.riskFloor = parseRisk(query.value(7).toString());
        result.append(rule);
    }
    return result;
}

Result<void> PolicyStore::rewriteOrder(const QList<PolicyRule>& ordered)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE policy_rules SET position = ? WHERE id = ?"));
    for (qsizetype i = 0; i < ordered.size(); ++i) {
        query.bindValue(0, i + 1);
        query.bindValue(1, ordered.at(i).id);
        if (!query.exec())
            return std::unexpected(storage::queryError(query));
    }
    return {};
}

Result<qint64> PolicyStore::add(const PolicyRule& rule, const QString& actor, int index)
{
    COUNTERSIGN_TRY(m_authorizer.authorize(actor, members::Permission::EditPolicy));
    COUNTERSIGN_TRY(validate(rule));
    qint64 id = 0;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        auto current = rules();
        COUNTERSIGN_TRY(current);
        QSqlQuery insert(m_db);
        insert.prepare(QStringLiteral("INSERT INTO policy_rules (position, capability_glob, min_risk, outcome, "
                                      "approvals, timeout_seconds, validity_seconds, risk_floor) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        insert.addBindValue(current->size() + 1);
        insert.addBindValue(rule.capabilityGlob);
        insert.addBindValue(rule.minimumRisk ? QVariant(riskName(*rule.minimumRisk))
                                             : QVariant(QMetaType::fromType<QString>()));
        insert.addBindValue(PolicyRule::outcomeName(rule.outcome));
        insert.addBindValue(rule.outcome == PolicyRule::Outcome::Require ? rule.approvals : 1);
        insert.addBindValue(rule.timeoutSeconds);
        insert.addBindValue(rule.validitySeconds);
        insert.addBindValue(rule.riskFloor ? QVariant(riskName(*rule.riskFloor))
                                           : QVariant(QMetaType::fromType<QString>()));
        if (!insert.exec())
            return std::unexpected(storage::queryError(insert));
        id = insert.lastInsertId().toLongLong();
        PolicyRule stored = rule;
        stored.id = id;
        const int at = index < 0 || index > current->size() ? static_cast<int>(current->size()) : index;
        current->insert(at, stored);
        COUNTERSIGN_TRY(rewriteOrder(*current));
        QJsonObject details = stored.toJson();
        details.insert(QStringLiteral("index"), at);
        auto audited = m_audit.append({actor, QStringLiteral("policy.rule_added"), stored.describe(), details});
        COUNTERSIGN_TRY(audited);
        return {};
    });
    COUNTERSIGN_TRY(done);
    return id;
}

Result<void> PolicyStore::update(const PolicyRule& rule, const QString& actor)
{
    COUNTERSIGN_TRY(m_authorizer.authorize(actor, members::Permission::EditPolicy));
    COUNTERSIGN_TRY(validate(rule));
    return storage::transact(m_db, [&]() -> Result<void> {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("UPDATE policy_rules SET capability_glob = ?, min_risk = ?, outcome = ?, "
                                     "approvals = ?, timeout_seconds = ?, validity_seconds = ?, risk_floor = ? "
                                     "WHERE id = ?"));
        query.addBindValue(rule.capabilityGlob);
        query.addBindValue(rule.minimumRisk ? QVariant(riskName(*rule.minimumRisk))
                                            : QVariant(QMetaType::fromType<QString>()));
        query.addBindValue(PolicyRule::outcomeName(rule.outcome));
        query.addBindValue(rule.outcome == PolicyRule::Outcome::Require ? rule.approvals : 1);
        query.addBindValue(rule.timeoutSeconds);
        query.addBindValue(rule.validitySeconds);
        query.addBindValue(rule.riskFloor ? QVariant(riskName(*rule.riskFloor))
                                          : QVariant(QMetaType::fromType<QString>()));
        query.addBindValue(rule.id);
        if (!query.exec())
            return std::unexpected(storage::queryError(query));
        if (query.numRowsAffected() != 1)
            return fail(ErrorCode::NotFound, QStringLiteral("no policy rule %1").arg(rule.id));
        auto audited = m_audit.append({actor, QStringLiteral("policy.rule_changed"), rule.describe(), rule.toJson()});
        COUNTERSIGN_TRY(audited);
        return {};
    });
}

Result<void> PolicyStore::remove(int index, const QString& actor)
{
    COUNTERSIGN_TRY(m_authorizer.authorize(actor, members::Permission::EditPolicy));
    return storage::transact(m_db, [&]() -> Result<void> {
        auto current = rules();
        COUNTERSIGN_TRY(current);
        if (index < 0 || index >= current->size())
            return fail(ErrorCode::NotFound,
                        QStringLiteral("no policy rule at index %1 (there are %2)").arg(index).arg(current->size()));
        const PolicyRule removed = current->takeAt(index);
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("DELETE FROM policy_rules WHERE id = ?"));
        query.addBindValue(removed.id);
        if (!query.exec())
            return std::unexpected(storage::queryError(query));
        COUNTERSIGN_TRY(rewriteOrder(*current));
        QJsonObject details = removed.toJson();
        details.insert(QStringLiteral("index"), index);
        auto audited = m_audit.append({actor, QStringLiteral("policy.rule_removed"), removed.describe(), details});
        COUNTERSIGN_TRY(audited);
        return {};
    });
}

Result<void> PolicyStore::move(int from, int to, const QString& actor)
{
    COUNTERSIGN_TRY(m_authorizer.authorize(actor, members::Permission::EditPolicy));
    return storage::transact(m_db, [&]() -> Result<void> {
        auto current = rules();
        COUNTERSIGN_TRY(current);
        if (from < 0 || from >= current->size() || to < 0 || to >= current->size())
            return fail(ErrorCode::NotFound, QStringLiteral("no policy rule at that index"));
        current->move(from, to);
        COUNTERSIGN_TRY(rewriteOrder(*current));
        auto audited = m_audit.append({actor, QStringLiteral("policy.rule_moved"), current->at(to).describe(),
                                       QJsonObject{{QStringLiteral("from"), from}, {QStringLiteral("to"), to}}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
}

Result<PolicyRule> PolicyStore::evaluate(const QString& capability, Risk risk) const
{
    auto current = rules();
    COUNTERSIGN_TRY(current);
    for (const PolicyRule& rule : std::as_const(*current)) {
        if (rule.matches(capability, risk))
            return rule;
    }
    return PolicyRule::fallback();
}

Result<Risk> PolicyStore::effectiveRisk(const QString& capability, Risk declared) const
{
    auto current = rules();
    COUNTERSIGN_TRY(current);
    Risk effective = declared;
    for (const PolicyRule& rule : std::as_const(*current)) {
        if (rule.riskFloor && CapabilityGlob::matches(rule.capabilityGlob, capability))
            effective = std::max(effective, *rule.riskFloor);
    }
    return effective;
}

} // namespace countersign::policy
