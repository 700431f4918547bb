#include "common/emptystate.h"

#include <QAbstractItemView>
#include <QEvent>

namespace countersign::ui {

EmptyState::EmptyState(QAbstractItemView* view, const QString& objectName, QAbstractItemModel* model)
    : QLabel(view->viewport())
    , m_view(view)
    , m_model(model ? model : view->model())
{
    setObjectName(objectName);
    setAlignment(Qt::AlignCenter);
    setWordWrap(true);
    setTextFormat(Qt::PlainText);
    setMargin(fontMetrics().height());
    setTextInteractionFlags(Qt::TextSelectableByMouse); // an address in it can be copied
    setForegroundRole(QPalette::Text);                  // over the view's base, at full contrast
    QFont larger = font();
    larger.setPointSizeF(larger.pointSizeF() * 1.1);
    setFont(larger);
    view->viewport()->installEventFilter(this);
    if (m_model) {
        for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
            connect(m_model, signal, this, &EmptyState::follow);
        connect(m_model, &QAbstractItemModel::modelReset, this, &EmptyState::follow);
        connect(m_model, &QAbstractItemModel::layoutChanged, this, &EmptyState::follow);
    }
    follow();
}

void EmptyState::setMessage(const QString& message)
{
    setText(message);
    follow();
}

bool EmptyState::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        place();
    return QLabel::eventFilter(watched, event);
}

void EmptyState::place()
{
    // Over the whole view, in lines short enough to read (about 64 characters).
    const QRect area = m_view->viewport()->rect();
    const int side = std::max(0, (area.width() - fontMetrics().averageCharWidth() * 64) / 2);
    setContentsMargins(side, 0, side, 0);
    setGeometry(area);
}

void EmptyState::follow()
{
    place();
    const bool empty = m_model && m_model->rowCount() == 0;
    setVisible(empty);
    m_view->setAccessibleDescription(empty ? text() : QString());
}

} // namespace countersign::ui
