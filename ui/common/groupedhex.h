#pragma once

#include <QByteArrayView>
#include <QString>

namespace countersign::ui {

/// \a bytes as lowercase hex in groups of \a digits separated by spaces ("3f9a 07c1 ..."), so a
/// person can compare a fingerprint group by group and a line can wrap between groups.
[[nodiscard]] QString groupedHex(QByteArrayView bytes, int digits = 4);

} // namespace countersign::ui
