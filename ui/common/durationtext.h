#pragma once

#include <QString>

namespace countersign::ui {

/// A duration for people, in words and at most two units: "45 seconds", "4 minutes 5 seconds",
/// "1 hour", "90 minutes", "3 hours 10 minutes", "2 days 4 hours". Seconds show only under ten
/// minutes (where a countdown needs them); under two hours the count is in minutes, the unit
/// policies and deadlines are thought in. Negative durations read as zero. Every duration the
/// window shows goes through here, so one request never reads "3600 s" in one place and
/// "1 h 00 min" in another.
[[nodiscard]] QString durationText(qint64 seconds);

} // namespace countersign::ui
