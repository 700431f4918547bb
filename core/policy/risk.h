#pragma once

#include <QString>

#include <optional>

namespace countersign::policy {

/// How much harm a request can do, as the runtime declares it. Ordered.
enum class Risk { Low, Medium, High, Critical };

[[nodiscard]] QString riskName(Risk risk);
[[nodiscard]] std::optional<Risk> parseRisk(const QString& name);

} // namespace countersign::policy
