#include "text/duration.h"

#include <QStringList>
#include <array>

namespace countersign::text {

namespace {

struct Unit {
    qint64 seconds;
    const char* symbol;
};

constexpr std::array<Unit, 4> UNITS{{{86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}}};

} // namespace

QString compactDuration(qint64 seconds)
{
    if (seconds <= 0)
        return QStringLiteral("0 s");
    QStringList parts;
    qint64 left = seconds;
    for (const Unit& unit : UNITS) {
        if (left < unit.seconds)
            continue;
        parts.append(QStringLiteral("%1 %2").arg(left / unit.seconds).arg(QLatin1String(unit.symbol)));
        left %= unit.seconds;
    }
    return parts.join(u' ');
}

} // namespace countersign::text
