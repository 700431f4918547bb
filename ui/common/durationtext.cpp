#include "common/durationtext.h"

#include <QCoreApplication>

#include <algorithm>

namespace countersign::ui {

namespace {

QString counted(const char* text, qint64 count)
{
    return QCoreApplication::translate("Duration", text, nullptr, static_cast<int>(count));
}

QString seconds(qint64 n)
{
    return counted("%n second(s)", n);
}

QString minutes(qint64 n)
{
    return counted("%n minute(s)", n);
}

QString hours(qint64 n)
{
    return counted("%n hour(s)", n);
}

QString days(qint64 n)
{
    return counted("%n day(s)", n);
}

/// \a first, then \a second unless its count is zero.
QString pair(const QString& first, qint64 secondCount, QString (*second)(qint64))
{
    if (secondCount == 0)
        return first;
    return QCoreApplication::translate("Duration", "%1 %2").arg(first, second(secondCount));
}

} // namespace

QString durationText(qint64 totalSeconds)
{
    constexpr qint64 MINUTE = 60;
    constexpr qint64 HOUR = 60 * MINUTE;
    constexpr qint64 DAY = 24 * HOUR;
    const qint64 s = std::max<qint64>(0, totalSeconds);
    if (s < MINUTE)
        return seconds(s);
    if (s < 10 * MINUTE)
        return pair(minutes(s / MINUTE), s % MINUTE, seconds);
    if (s < 2 * HOUR)
        return s % HOUR == 0 ? hours(s / HOUR) : minutes(s / MINUTE);
    if (s < 2 * DAY)
        return pair(hours(s / HOUR), (s % HOUR) / MINUTE, minutes);
    return pair(days(s / DAY), (s % DAY) / HOUR, hours);
}

} // namespace countersign::ui
