#include "shell/appearance.h"

#include "common/riskbadge.h"
#include "shell/appicon.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

#include <algorithm>
#include <cmath>

namespace countersign::ui {

namespace {

QPalette darkPalette()
{
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x7f, 0x82, 0x87);
    // Every text pair below reaches 4.5:1 (WCAG 2.2 1.4.3); tests/tst_accessibility measures them.
    const QColor placeholder(0x9a, 0x9d, 0xa2);
    const QColor highlight(0x35, 0x70, 0xb3);
    QPalette palette;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, base);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, placeholder);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Light, window.lighter(150));
    palette.setColor(QPalette::Midlight, window.lighter(125));
    palette.setColor(QPalette::Mid, window.darker(125));
    palette.setColor(QPalette::Dark, window.darker(150));
    palette.setColor(QPalette::Shadow, Qt::black);
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x7c, 0xb7, 0xff));
    palette.setColor(QPalette::LinkVisited, QColor(0xc3, 0x9b, 0xff));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    return palette;
}

/// Fusion's light \a palette with the colours that fall short of 4.5:1 for text replaced: white
/// on its selection blue (3.7:1), its half-transparent placeholder (4.0:1), and the default
/// magenta of visited links (3.1:1).
QPalette lightPalette(QPalette palette)
{
    const QColor highlight(0x26, 0x70, 0x9e);
    for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Inactive}) {
        palette.setColor(group, QPalette::Highlight, highlight);
        palette.setColor(group, QPalette::HighlightedText, Qt::white);
    }
    palette.setColor(QPalette::PlaceholderText, QColor(0x6b, 0x6b, 0x6b));
    palette.setColor(QPalette::Link, QColor(0x0b, 0x57, 0xd0));
    palette.setColor(QPalette::LinkVisited, QColor(0x6a, 0x1b, 0x9a));
    return palette;
}

} // namespace

double contrastRatio(const QColor& a, const QColor& b)
{
    // WCAG 2.1, "relative luminance": linearised sRGB channels, weighted.
    auto luminance = [](const QColor& colour) {
        auto linear = [](double channel) {
            return channel <= 0.04045 ? channel / 12.92 : std::pow((channel + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF());
    };
    const double first = luminance(a);
    const double second = luminance(b);
    return (std::max(first, second) + 0.05) / (std::min(first, second) + 0.05);
}

QColor errorTextColor(const QPalette& palette)
{
    constexpr double WANTED = 4.5; // WCAG 2.1 SC 1.4.3, normal text
    const QColor window = palette.color(QPalette::Window);
    const bool darkWindow = window.lightnessF() < 0.5;
    QColor red = darkWindow ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x00, 0x20);
    // An unusual window colour: move the red away from it until it reads.
    for (int step = 0; step < 20 && contrastRatio(red, window) < WANTED; ++step)
        red = darkWindow ? red.lighter(110) : red.darker(115);
    return red;
}

QString colorSchemeName(ColorScheme scheme)
{
    switch (scheme) {
    case ColorScheme::Light:
        return QStringLiteral("light");
    case ColorScheme::Dark:
        return QStringLiteral("dark");
    case ColorScheme::System:
        break;
    }
    return QStringLiteral("system");
}

ColorScheme parseColorScheme(const QString& name)
{
    if (name == u"light")
        return ColorScheme::Light;
    if (name == u"dark")
        return ColorScheme::Dark;
    return ColorScheme::System;
}

void applyColorScheme(ColorScheme scheme)
{
    switch (scheme) {
    case ColorScheme::System:
        // The style's own palette, which a platform theme fills from the desktop.
        QApplication::setPalette(QApplication::style()->standardPalette());
        break;
    case ColorScheme::Light:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(lightPalette(QApplication::style()->standardPalette()));
        break;
    case ColorScheme::Dark:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
        break;
    }
}

QList<ColourUse> colourUses(const QPalette& palette)
{
    QList<ColourUse> uses{
        {QStringLiteral("pending count on the tray icon's badge"), Qt::white, appIconBadgeColour(), 4.5},
        {QStringLiteral("error text (MessageLabel)"), errorTextColor(palette), palette.color(QPalette::Window), 4.5},
    };
    for (const policy::Risk risk :
         {policy::Risk::Low, policy::Risk::Medium, policy::Risk::High, policy::Risk::Critical}) {
        const RiskBadge::Colours badge = RiskBadge::colours(risk, palette);
        uses.append({QStringLiteral("word on the %1 risk badge (and the critical banner)").arg(policy::riskName(risk)),
                     badge.text, badge.fill, 4.5});
    }
    return uses;
}

} // namespace countersign::ui
