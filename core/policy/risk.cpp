#include "risk.h"

namespace countersign::policy {

QString riskName(Risk risk)
{
    switch (risk) {
    case Risk::Low:
        return QStringLiteral("low");
    case Risk::Medium:
        return QStringLiteral("medium");
    case Risk::High:
        return QStringLiteral("high");
    case Risk::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

std::optional<Risk> parseRisk(const QString& name)
{
    for (const Risk risk : {Risk::Low, Risk::Medium, Risk::High, Risk::Critical}) {
        if (riskName(risk) == name)
            return risk;
    }
    return std::nullopt;
}

} // namespace countersign::policy
