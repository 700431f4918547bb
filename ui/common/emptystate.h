#pragma once

#include <QLabel>
#include <QPointer>

class QAbstractItemModel;
class QAbstractItemView;

namespace countersign::ui {

/// Words shown over an item view while it has nothing to show: what the view is for and how
/// its first row comes about. It watches \a model (the view's own by default; a filtered view
/// passes its source, so a filter that hides every row is not mistaken for an empty list) and
/// hides itself as soon as a row arrives.
class EmptyState final : public QLabel {
    Q_OBJECT
public:
    EmptyState(QAbstractItemView* view, const QString& objectName, QAbstractItemModel* model = nullptr);

    /// The words to show; while shown, they are the view's accessible description too, since
    /// assistive technology reads a view's rows, not what is drawn over it.
    void setMessage(const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void follow();
    void place();

    QAbstractItemView* m_view;
    QPointer<QAbstractItemModel> m_model;
};

} // namespace countersign::ui
