#pragma once

#include "http/endpointsettings.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class MainWindow;
class SessionController;

/// The desktop app's flow: first run creates the vault, later runs unlock it, then the session
/// (the running instance) and its main window, which serve runtimes until the app quits (locking
/// only hides the window). Cancelling a dialog quits.
class DesktopSession final : public QObject {
    Q_OBJECT
public:
    DesktopSession(QString dataDir, http::EndpointSettings endpointSettings, QObject* parent = nullptr);
    ~DesktopSession() override;

    void start();
    [[nodiscard]] MainWindow* window() const;
    [[nodiscard]] SessionController* controller() const { return m_controller.get(); }

Q_SIGNALS:
    void finished();

private:
    void showFirstRun();
    void showUnlock();
    void showWindow(std::unique_ptr<vault::Vault> vault);

    QString m_dataDir;
    http::EndpointSettings m_endpointSettings;
    std::unique_ptr<SessionController> m_controller; // outlives the window, a view over it
    QPointer<MainWindow> m_window;
};

} // namespace countersign::ui
