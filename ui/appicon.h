#pragma once

#include <QIcon>

namespace countersign::ui {

/// The application icon, painted (a shield with two check marks, resources/icons/countersign.svg)
/// at every common size so it stays crisp on high-DPI screens without an image plugin.
[[nodiscard]] QIcon appIcon();

} // namespace countersign::ui
