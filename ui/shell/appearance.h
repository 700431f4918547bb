#pragma once

#include <QColor>
#include <QList>
#include <QString>

class QPalette;

namespace countersign::ui {

/// The colour scheme: follow the desktop's palette (the default), or force light or dark
/// where the desktop offers no dark theme to Qt applications.
enum class ColorScheme { System, Light, Dark };

[[nodiscard]] QString colorSchemeName(ColorScheme scheme);
[[nodiscard]] ColorScheme parseColorScheme(const QString& name);
/// Applies \a scheme to the running application (live; windows repaint).
void applyColorScheme(ColorScheme scheme);

/// A colour this application chooses itself (not a palette role's own pair), with what it is
/// drawn on and the contrast it needs: 4.5:1 for text, 3:1 for a graphic (WCAG 2.2 1.4.3, 1.4.11).
struct ColourUse final {
    QString what;
    QColor foreground;
    QColor background;
    double minimumContrast = 4.5;
};

/// Every colour of the application's own under \a palette. Colours for text or marks are
/// added here, where they are defined, so that the contrast test measures each of them.
[[nodiscard]] QList<ColourUse> colourUses(const QPalette& palette);

/// WCAG 2.1 contrast ratio of two colours, from 1 (none) to 21 (black on white).
[[nodiscard]] double contrastRatio(const QColor& a, const QColor& b);
/// The colour of error text on \a palette's window: a red with at least 4.5:1 contrast to it.
[[nodiscard]] QColor errorTextColor(const QPalette& palette);

} // namespace countersign::ui
