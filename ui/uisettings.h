#pragma once

#include <QByteArray>

namespace countersign::ui {

/// The only place that touches QSettings: window geometry and other UI preferences.
/// Nothing secret is ever stored here.
class UiSettings final {
public:
    [[nodiscard]] static QByteArray mainWindowGeometry();
    static void setMainWindowGeometry(const QByteArray& geometry);
    [[nodiscard]] static QByteArray mainWindowState();
    static void setMainWindowState(const QByteArray& state);
};

} // namespace countersign::ui
