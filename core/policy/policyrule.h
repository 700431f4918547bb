#pragma once

#include "risk.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace countersign::policy {

/// One rule: `capability glob [minimum risk] -> require N | allow | deny`, with the time a
/// pending request waits before it expires and how long an approval stays consumable. A rule
/// may also carry a risk floor: every request for a capability its glob matches is treated as
/// at least that risky, whatever the runtime declared (PolicyStore::effectiveRisk).
struct PolicyRule final {
    enum class Outcome { Require, Allow, Deny };

    static constexpr int DEFAULT_TIMEOUT_SECONDS = 15 * 60;
    static constexpr int DEFAULT_VALIDITY_SECONDS = 10 * 60;
    static constexpr int MAX_APPROVALS = 10;
    static constexpr int MAX_SECONDS = 7 * 24 * 3600;

    qint64 id = 0; // 0 for a rule not yet stored, and for the built-in default
    QString capabilityGlob;
    std::optional<Risk> minimumRisk;
    Outcome outcome = Outcome::Require;
    int approvals = 1;
    int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    int validitySeconds = DEFAULT_VALIDITY_SECONDS;
    std::optional<Risk> riskFloor = std::nullopt;

    /// True when this rule applies to a request for \a capability at \a risk.
    [[nodiscard]] bool matches(const QString& capability, Risk risk) const;
    /// "deploy.* [high+] [floor critical] -> require 2 (timeout 900 s)", for people and the audit chain.
    [[nodiscard]] QString describe() const;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static QString outcomeName(Outcome outcome);
    /// The rule that applies when none matches: require one approval (docs/concepts.md, "Policies").
    [[nodiscard]] static PolicyRule fallback();
};

} // namespace countersign::policy
