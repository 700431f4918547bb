#include "common/riskbadge.h"

#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace countersign::ui {

namespace {

constexpr int ICON_SIZES[] = {16, 22, 24, 32, 48, 64};

QFont badgeFont(const QFont& font)
{
    QFont bold = font;
    bold.setBold(true);
    return bold;
}

/// The outline of \a risk's mark inside the square \a box.
QPainterPath shapeOf(policy::Risk risk, const QRectF& box)
{
    QPainterPath path;
    const QPointF centre = box.center();
    switch (risk) {
    case policy::Risk::Low:
        path.addEllipse(box);
        break;
    case policy::Risk::Medium:
        path.moveTo(centre.x(), box.top());
        path.lineTo(box.right(), centre.y());
        path.lineTo(centre.x(), box.bottom());
        path.lineTo(box.left(), centre.y());
        path.closeSubpath();
        break;
    case policy::Risk::High:
        path.moveTo(centre.x(), box.top());
        path.lineTo(box.right(), box.bottom() - box.height() * 0.06);
        path.lineTo(box.left(), box.bottom() - box.height() * 0.06);
        path.closeSubpath();
        break;
    case policy::Risk::Critical: {
        // A regular octagon with flat top and bottom, as a stop sign.
        const qreal radius = box.width() / 2.0 / std::cos(std::numbers::pi / 8.0);
        for (int corner = 0; corner < 8; ++corner) {
            const qreal angle = std::numbers::pi / 8.0 + corner * std::numbers::pi / 4.0;
            // Every corner lies on the box: the apothem is half its width.
            const QPointF point(centre.x() + radius * std::cos(angle), centre.y() + radius * std::sin(angle));
            if (corner == 0)
                path.moveTo(point);
            else
                path.lineTo(point);
        }
        path.closeSubpath();
        break;
    }
    }
    return path;
}

/// Draws \a risk's mark in \a box: the shape in \a shape (outlined in \a outline, if valid) and
/// inside it a dot (low, medium) or an exclamation mark (high, critical) in \a glyph.
void paintMark(QPainter& painter, const QRectF& box, policy::Risk risk, const QColor& shape, const QColor& glyph,
               const QColor& outline)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(outline.isValid() ? QPen(outline, std::max(2.0, box.width() / 10.0)) : QPen(Qt::NoPen));
    painter.setBrush(shape);
    painter.drawPath(shapeOf(risk, box));
    painter.setPen(Qt::NoPen);
    painter.setBrush(glyph);
    const qreal unit = box.height();
    const qreal stroke = std::max(1.5, box.width() * 0.14);
    if (risk >= policy::Risk::High) {
        // The triangle's room is low in it; the octagon's in the middle.
        const bool triangle = risk == policy::Risk::High;
        const qreal top = box.top() + unit * (triangle ? 0.34 : 0.2);
        const qreal bottom = box.top() + unit * (triangle ? 0.68 : 0.6);
        const qreal dot = box.top() + unit * (triangle ? 0.8 : 0.76);
        const qreal x = box.center().x();
        painter.drawRoundedRect(QRectF(x - stroke / 2, top, stroke, bottom - top), stroke / 2, stroke / 2);
        painter.drawEllipse(QPointF(x, dot), stroke * 0.62, stroke * 0.62);
    } else {
        painter.drawEllipse(box.center(), stroke * 0.8, stroke * 0.8);
    }
    painter.restore();
}

} // namespace

RiskBadge::RiskBadge(QWidget* parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    setRisk(policy::Risk::Low);
}

void RiskBadge::setRisk(policy::Risk risk)
{
    m_risk = risk;
    setText(word(risk)); // what is read out; the painting shows the same word
    setToolTip(accessibleText(risk));
    updateGeometry();
    update();
}

QSize RiskBadge::sizeHint() const
{
    return badgeSize(m_risk, font()).grownBy(contentsMargins());
}

QSize RiskBadge::minimumSizeHint() const
{
    return sizeHint();
}

void RiskBadge::paintEvent(QPaintEvent* event)
{
    Q_UNUSED(event)
    QPainter painter(this);
    paint(painter, contentsRect(), m_risk, palette(), font());
}

RiskBadge::Colours RiskBadge::colours(policy::Risk risk, const QPalette& palette)
{
    // Strong fills with white or black words on a light window; light fills with dark words on a
    // dark one, so a badge never glows against a dark window. Each word/fill pair has at least
    // 4.5:1 contrast (WCAG 2.2 SC 1.4.3); tst_riskbadge measures them.
    const bool dark = palette.color(QPalette::Window).lightnessF() < 0.5;
    switch (risk) {
    case policy::Risk::Low:
        return dark ? Colours{QColor(0x81, 0xc9, 0x95), QColor(0x0d, 0x2b, 0x14)}
                    : Colours{QColor(0x2e, 0x7d, 0x32), QColor(Qt::white)};
    case policy::Risk::Medium:
        return dark ? Colours{QColor(0xfd, 0xd6, 0x63), QColor(0x3a, 0x2c, 0x00)}
                    : Colours{QColor(0xf9, 0xd3, 0x49), QColor(0x2b, 0x21, 0x00)};
    case policy::Risk::High:
        return dark ? Colours{QColor(0xfc, 0xad, 0x70), QColor(0x3d, 0x1d, 0x00)}
                    : Colours{QColor(0xef, 0x6c, 0x00), QColor(Qt::black)};
    case policy::Risk::Critical:
        return dark ? Colours{QColor(0xf2, 0x8b, 0x82), QColor(0x41, 0x00, 0x00)}
                    : Colours{QColor(0xb7, 0x1c, 0x1c), QColor(Qt::white)};
    }
    return {};
}

QIcon RiskBadge::icon(policy::Risk risk, const QPalette& palette)
{
    const Colours colour = colours(risk, palette);
    QIcon icon;
    for (const int size : ICON_SIZES) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        const qreal inset = std::max(1.0, size / 16.0);
        // On a light window a dark outline keeps a pale fill's shape visible; on a dark one the
        // light fills stand out by themselves and a darkened outline would only blur the edge
        // (WCAG 2.2 1.4.11: 3:1 against the window, tests/tst_accessibility).
        const bool darkWindow = palette.color(QPalette::Window).lightnessF() < 0.5;
        paintMark(painter, QRectF(0, 0, size, size).adjusted(inset, inset, -inset, -inset), risk, colour.fill,
                  colour.text, darkWindow ? QColor() : colour.fill.darker(220));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QPixmap RiskBadge::badgeMark(policy::Risk risk, const QPalette& palette, int size, qreal devicePixelRatio)
{
    const Colours colour = colours(risk, palette);
    const int pixels = static_cast<int>(std::ceil(size * devicePixelRatio));
    QPixmap pixmap(pixels, pixels);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    paintMark(painter, QRectF(0, 0, pixels, pixels), risk, colour.text, colour.fill, {});
    painter.end();
    pixmap.setDevicePixelRatio(devicePixelRatio);
    return pixmap;
}

QString RiskBadge::word(policy::Risk risk)
{
    return policy::riskName(risk);
}

QString RiskBadge::accessibleText(policy::Risk risk)
{
    switch (risk) {
    case policy::Risk::Low:
        return tr("low risk");
    case policy::Risk::Medium:
        return tr("medium risk");
    case policy::Risk::High:
        return tr("high risk");
    case policy::Risk::Critical:
        return tr("critical risk");
    }
    return {};
}

QSize RiskBadge::badgeSize(policy::Risk risk, const QFont& font)
{
    const QFontMetrics metrics(badgeFont(font));
    const int pad = metrics.height() * 2 / 5;
    const int gap = metrics.height() / 4;
    return {pad + metrics.ascent() + gap + metrics.horizontalAdvance(word(risk)) + pad, metrics.height() + 4};
}

void RiskBadge::paint(QPainter& painter, const QRect& rect, policy::Risk risk, const QPalette& palette,
                      const QFont& font)
{
    const QSize size = badgeSize(risk, font);
    const QRectF pill(rect.left(), rect.top() + (rect.height() - size.height()) / 2.0,
                      std::min(size.width(), rect.width()), size.height());
    const Colours colour = colours(risk, palette);
    const QFont bold = badgeFont(font);
    const QFontMetrics metrics(bold);
    const int pad = metrics.height() * 2 / 5;
    const int gap = metrics.height() / 4;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(colour.fill.darker(130), 1));
    painter.setBrush(colour.fill);
    const QRectF outline = pill.adjusted(0.5, 0.5, -0.5, -0.5);
    painter.drawRoundedRect(outline, outline.height() / 2, outline.height() / 2);
    const qreal mark = metrics.ascent();
    const QRectF box(pill.left() + pad, pill.center().y() - mark / 2, mark, mark);
    // On the badge the mark is drawn in the word's colour: it reads at the word's contrast.
    paintMark(painter, box, risk, colour.text, colour.fill, {});
    painter.setFont(bold);
    painter.setPen(colour.text);
    const QRectF words(box.right() + gap, pill.top(), std::max(0.0, pill.right() - pad - box.right() - gap),
                       pill.height());
    painter.drawText(words, Qt::AlignLeft | Qt::AlignVCenter,
                     metrics.elidedText(word(risk), Qt::ElideRight, static_cast<int>(words.width()) + 1));
    painter.restore();
}

QIcon RiskBadge::marked(const QIcon& base, policy::Risk risk, const QPalette& palette)
{
    const Colours colour = colours(risk, palette);
    QIcon icon;
    for (const int size : ICON_SIZES) {
        QPixmap pixmap = base.pixmap(QSize(size, size), 1.0);
        if (pixmap.isNull())
            continue;
        pixmap.setDevicePixelRatio(1.0);
        QPainter painter(&pixmap);
        const qreal mark = size * 0.55;
        paintMark(painter, QRectF(0.5, 0.5, mark, mark), risk, colour.fill, colour.text, colour.fill.darker(160));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace countersign::ui
