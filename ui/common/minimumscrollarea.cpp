#include "common/minimumscrollarea.h"

#include <QEvent>
#include <QLayout>
#include <QScrollBar>

#include <algorithm>

namespace countersign::ui {

MinimumScrollArea::MinimumScrollArea(QWidget* content, QWidget* parent)
    : QScrollArea(parent)
{
    setWidgetResizable(false); // fit() sizes it
    setWidget(content);
    content->installEventFilter(this);
}

bool MinimumScrollArea::viewportEvent(QEvent* event)
{
    const bool handled = QScrollArea::viewportEvent(event);
    // The area resized, or a scroll bar came or went.
    if (event->type() == QEvent::Resize)
        fit();
    return handled;
}

bool MinimumScrollArea::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == widget() && event->type() == QEvent::LayoutRequest)
        fit();
    return QScrollArea::eventFilter(watched, event);
}

void MinimumScrollArea::fit()
{
    QWidget* content = widget();
    if (!content)
        return;
    const QSize least = content->minimumSizeHint().expandedTo(content->minimumSize());
    const int width = std::max(viewport()->width(), least.width());
    int height = least.height();
    // Wrapped text needs more height as the width shrinks.
    if (const QLayout* layout = content->layout(); layout && layout->hasHeightForWidth())
        height = std::max(height, layout->totalMinimumHeightForWidth(width));
    content->resize(width, std::max(height, viewport()->height()));
}

} // namespace countersign::ui
