#pragma once

#include <QStyledItemDelegate>

namespace countersign::ui {

/// Paints a view's risk cells as risk badges (RiskBadge). The cell's risk comes from the model's
/// RiskRole; the text and icon roles stay there for screen readers and other views.
class RiskBadgeDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    /// \a riskRole: the role holding the risk as an int (policy::Risk).
    explicit RiskBadgeDelegate(int riskRole, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int m_riskRole;
};

} // namespace countersign::ui
