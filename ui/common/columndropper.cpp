#include "common/columndropper.h"

#include <QEvent>
#include <QHeaderView>
#include <QTableView>

namespace countersign::ui {

ColumnDropper::ColumnDropper(QTableView* view, QList<int> dropOrder, int stretchColumn, int stretchMinimum)
    : QObject(view)
    , m_view(view)
    , m_viewport(view->viewport())
    , m_dropOrder(std::move(dropOrder))
    , m_stretchColumn(stretchColumn)
    , m_stretchMinimum(stretchMinimum)
{
    m_viewport->installEventFilter(this);
    // A column the person widens may push another out; one made narrower may let it back.
    connect(m_view->horizontalHeader(), &QHeaderView::sectionResized, this, [this](int column) {
        if (column != m_stretchColumn)
            fit();
    });
}

bool ColumnDropper::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Resize && watched == m_viewport.data())
        fit();
    return QObject::eventFilter(watched, event);
}

void ColumnDropper::fit()
{
    if (m_fitting)
        return;
    m_fitting = true;
    const QHeaderView* header = m_view->horizontalHeader();
    const int columns = header->count();
    for (int column = 0; column < columns; ++column) {
        if (!m_view->isColumnHidden(column) && column != m_stretchColumn)
            m_widths.insert(column, header->sectionSize(column));
    }
    // What all columns need, then the least needed leave until the rest fit.
    int needed = m_stretchMinimum;
    for (int column = 0; column < columns; ++column) {
        if (column != m_stretchColumn)
            needed += m_widths.value(column, header->defaultSectionSize());
    }
    const int room = m_view->viewport()->width();
    QList<int> hidden;
    for (const int column : std::as_const(m_dropOrder)) {
        if (needed <= room)
            break;
        hidden.append(column);
        needed -= m_widths.value(column, header->defaultSectionSize());
    }
    for (int column = 0; column < columns; ++column) {
        const bool hide = hidden.contains(column);
        if (m_view->isColumnHidden(column) == hide)
            continue;
        m_view->setColumnHidden(column, hide);
        if (!hide)
            m_view->setColumnWidth(column, m_widths.value(column, header->defaultSectionSize()));
    }
    m_fitting = false;
}

} // namespace countersign::ui
