#include "common/messagelabel.h"

#include "shell/appearance.h"
#include "shell/appicon.h"

#include <QEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QStyle>

namespace countersign::ui {

namespace {

int iconSize(const QWidget* widget)
{
    return widget->style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, widget);
}

} // namespace

MessageLabel::MessageLabel(QWidget* parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText); // messages quote what runtimes and members wrote
    setWordWrap(true);
    setProperty("tone", QStringLiteral("info"));
}

void MessageLabel::setTone(Tone tone)
{
    if (tone == m_tone)
        return;
    m_tone = tone;
    applyTone();
}

void MessageLabel::showInfo(const QString& text)
{
    setTone(Tone::Info);
    setText(text);
}

void MessageLabel::showError(const QString& text)
{
    setTone(Tone::Error);
    setText(text);
}

void MessageLabel::applyTone()
{
    m_applying = true;
    const bool error = m_tone == Tone::Error;
    setProperty("tone", error ? QStringLiteral("error") : QStringLiteral("info"));
    setAccessibleDescription(error ? tr("Error") : QString());
    if (error) {
        QPalette colours = palette();
        colours.setColor(QPalette::WindowText, errorTextColor(colours));
        setPalette(colours);
    } else {
        setPalette(QPalette()); // nothing of its own: the window's colours
    }
    // Room for the icon before the text.
    setContentsMargins(error ? iconSize(this) + iconSize(this) / 2 : 0, 0, 0, 0);
    m_applying = false;
    update();
}

void MessageLabel::changeEvent(QEvent* event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_applying)
        applyTone(); // another colour scheme: the error colour is chosen for the new window colour
}

void MessageLabel::paintEvent(QPaintEvent* event)
{
    QLabel::paintEvent(event);
    if (m_tone != Tone::Error)
        return;
    const int size = iconSize(this);
    const int top = fontMetrics().height() > size ? (fontMetrics().height() - size) / 2 : 0;
    const QRect mark(0, top, size, size);
    // QLabel::setText repaints its contents rectangle only, and the mark sits in the margin
    // beside it: without this it would show late, or stay after the text is cleared.
    if (!event->region().contains(mark))
        update(mark);
    if (text().isEmpty())
        return;
    QPainter painter(this);
    errorIcon(palette()).paint(&painter, mark); // drawn for this palette: the style's yellow sign fades on both
}

} // namespace countersign::ui
