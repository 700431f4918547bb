#pragma once

#include <QRect>

namespace countersign::ui {

/// \a wanted (a window's frame) made to lie inside \a available (a screen's available geometry):
/// shrunk to at most its size, then moved in, as little as needed; a frame that fits stays put.
/// The top left wins when the two cannot both be inside, so a title bar is never off-screen.
[[nodiscard]] QRect fitInside(const QRect& wanted, const QRect& available);

} // namespace countersign::ui
