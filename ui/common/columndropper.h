#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

class QTableView;
class QWidget;

namespace countersign::ui {

/// Keeps a table from scrolling sideways: when its columns do not fit its width it hides them, the
/// least needed first, and shows them again, the most needed first, when there is room. The
/// stretching column takes what is left and keeps at least its minimum width; columns not in the
/// drop order always stay.
class ColumnDropper final : public QObject {
    Q_OBJECT
public:
    /// \a dropOrder: the columns that may be hidden, the first hidden first.
    ColumnDropper(QTableView* view, QList<int> dropOrder, int stretchColumn, int stretchMinimum);

    /// Hides and shows columns for the view's width now.
    void fit();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QTableView* m_view;
    // The view's viewport, kept from the start: while the view is being destroyed its viewport
    // still sends events, and the view can no longer be asked for it then.
    QPointer<QWidget> m_viewport;
    QList<int> m_dropOrder;
    int m_stretchColumn;
    int m_stretchMinimum;
    QHash<int, int> m_widths; // the width each column had when last shown
    bool m_fitting = false;
};

} // namespace countersign::ui
