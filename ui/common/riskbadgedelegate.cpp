#include "common/riskbadgedelegate.h"

#include "common/riskbadge.h"

#include <QApplication>
#include <QPainter>
#include <QStyle>

namespace countersign::ui {

namespace {

constexpr int CELL_MARGIN = 3;

} // namespace

RiskBadgeDelegate::RiskBadgeDelegate(int riskRole, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_riskRole(riskRole)
{
}

void RiskBadgeDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QVariant risk = index.data(m_riskRole);
    if (!risk.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The cell's own background (selection, focus) as the style draws it, then the badge on it.
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    cell.text.clear();
    cell.icon = QIcon();
    cell.features &= ~QStyleOptionViewItem::HasDecoration;
    const QStyle* style = cell.widget ? cell.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, cell.widget);
    const QRect room = option.rect.adjusted(CELL_MARGIN, 1, -CELL_MARGIN, -1);
    RiskBadge::paint(*painter, room, static_cast<policy::Risk>(risk.toInt()), option.palette, option.font);
}

QSize RiskBadgeDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QVariant risk = index.data(m_riskRole);
    if (!risk.isValid())
        return QStyledItemDelegate::sizeHint(option, index);
    return RiskBadge::badgeSize(static_cast<policy::Risk>(risk.toInt()), option.font) + QSize(2 * CELL_MARGIN, 2);
}

} // namespace countersign::ui
