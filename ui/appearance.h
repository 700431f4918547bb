#pragma once

#include <QString>

namespace countersign::ui {

/// The colour scheme: follow the desktop's palette (the default), or force light or dark
/// where the desktop offers no dark theme to Qt applications.
enum class ColorScheme { System, Light, Dark };

[[nodiscard]] QString colorSchemeName(ColorScheme scheme);
[[nodiscard]] ColorScheme parseColorScheme(const QString& name);
/// Applies \a scheme to the running application (live; windows repaint).
void applyColorScheme(ColorScheme scheme);

} // namespace countersign::ui
