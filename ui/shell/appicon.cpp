#include "shell/appicon.h"

#include "shell/appearance.h"

#include <QGuiApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

#include <algorithm>

namespace countersign::ui {

namespace {

/// The shield's outline, chosen for the window it sits on: dark on a light window, light on a
/// dark one, so the shape stands out at 3:1 or more either way (WCAG 2.2 1.4.11, non-text
/// contrast); the blue fill alone would fade into a dark window.
QColor outlineColour()
{
    const QColor window = QGuiApplication::palette().color(QPalette::Window);
    return window.lightnessF() < 0.5 ? QColor(0x9f, 0xd3, 0xff) : QColor(0x1b, 0x3a, 0x5c);
}

QPixmap paintIcon(int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(size / 256.0, size / 256.0);

    QPainterPath shield;
    shield.moveTo(128, 16);
    shield.lineTo(224, 52);
    shield.lineTo(224, 120);
    shield.cubicTo(224, 180, 184, 222, 128, 240);
    shield.cubicTo(72, 222, 32, 180, 32, 120);
    shield.lineTo(32, 52);
    shield.closeSubpath();
    // At least two pixels wide at every size, so that small icons keep a solid edge.
    painter.setPen(QPen(outlineColour(), std::max(12.0, 2 * 256.0 / size), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.setBrush(QColor(0x2d, 0x5b, 0x8a));
    painter.drawPath(shield);

    auto check = [&painter](QPointF a, QPointF b, QPointF c, const QColor& color) {
        painter.setPen(QPen(color, 18, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        painter.setBrush(Qt::NoBrush);
        painter.drawPolyline(QPolygonF{a, b, c});
    };
    check({70, 128}, {104, 162}, {160, 96}, QColor(0x9f, 0xd3, 0xff));
    check({104, 140}, {132, 168}, {190, 104}, Qt::white);
    return pixmap;
}

} // namespace

QIcon appIcon()
{
    QIcon icon;
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(paintIcon(size));
    return icon;
}

QColor appIconBadgeColour()
{
    return {0xc6, 0x28, 0x28};
}

QIcon appIconWithCount(int count)
{
    if (count <= 0)
        return appIcon();
    const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
    QIcon icon;
    for (const int size : {16, 22, 24, 32, 48, 64}) {
        QPixmap pixmap = paintIcon(size);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal badge = size * 0.62;
        const QRectF circle(size - badge, size - badge, badge, badge);
        painter.setPen(Qt::NoPen);
        painter.setBrush(appIconBadgeColour());
        painter.drawEllipse(circle);
        QFont font = painter.font();
        font.setBold(true);
        font.setPixelSize(std::max(6, static_cast<int>(badge * (text.size() > 1 ? 0.5 : 0.7))));
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(circle, Qt::AlignCenter, text);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QIcon errorIcon(const QPalette& palette)
{
    const QColor disc = errorTextColor(palette);
    const QColor mark = palette.color(QPalette::Window);
    QIcon icon;
    for (const int size : {16, 22, 24, 32, 48, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.scale(size / 16.0, size / 16.0);
        painter.setPen(Qt::NoPen);
        painter.setBrush(disc);
        painter.drawEllipse(QRectF(0.5, 0.5, 15, 15));
        painter.setBrush(mark);
        painter.drawRoundedRect(QRectF(6.75, 3.25, 2.5, 6.5), 1.1, 1.1);
        painter.drawEllipse(QRectF(6.75, 10.75, 2.5, 2.5));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace countersign::ui
