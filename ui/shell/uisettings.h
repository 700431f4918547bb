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
    /// Minutes without keyboard or mouse input before the window locks; 0 never locks.
    [[nodiscard]] static int idleLockMinutes();
    static void setIdleLockMinutes(int minutes);
    /// Closing the window keeps the app serving requests from the tray (default on).
    [[nodiscard]] static bool closeToTray();
    static void setCloseToTray(bool enabled);
    /// A sound for each new request (default off).
    [[nodiscard]] static bool soundOnRequest();
    static void setSoundOnRequest(bool enabled);
    /// "system" (default), "light" or "dark".
    [[nodiscard]] static QString colorScheme();
    static void setColorScheme(const QString& name);
};

} // namespace countersign::ui
