#pragma once

#include <QScrollArea>

namespace countersign::ui {

/// A scroll area whose widget fills it and scrolls only once the area is smaller than the widget's
/// minimum size. (QScrollArea resizing its widget scrolls one holding wrapped text as soon as the
/// area is shorter than the widget's preferred height, so a stretching part, a text box, would
/// never get the room left over.)
class MinimumScrollArea final : public QScrollArea {
    Q_OBJECT
public:
    explicit MinimumScrollArea(QWidget* content, QWidget* parent = nullptr);

protected:
    bool viewportEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void fit();
};

} // namespace countersign::ui
