#pragma once

#include <QIcon>

namespace countersign::ui {

/// The application icon, painted (a shield with two check marks, resources/icons/countersign.svg)
/// at every common size so it stays crisp on high-DPI screens without an image plugin, with an
/// outline that stands out from the current palette's window colour.
[[nodiscard]] QIcon appIcon();
/// The application icon with \a count in a red badge (the tray's pending count); plain at 0.
[[nodiscard]] QIcon appIconWithCount(int count);
/// The red of the badge behind the count, under white digits.
[[nodiscard]] QColor appIconBadgeColour();
/// The mark before an error message: an exclamation mark on a disc of \a palette's error text
/// colour, so it stands out from the window as much as the error text does (at least 4.5:1).
[[nodiscard]] QIcon errorIcon(const QPalette& palette);

} // namespace countersign::ui
