#pragma once

#include "approvals/requestevents.h"
#include "http/endpointsettings.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class MainWindow;

/// The desktop app's flow: first run creates the vault, later runs unlock it, then the main
/// window, which serves runtimes until the app quits (locking only hides it). Cancelling a
/// dialog quits.
class DesktopSession final : public QObject {
    Q_OBJECT
public:
    DesktopSession(QString dataDir, http::EndpointSettings endpointSettings, QObject* parent = nullptr);
    ~DesktopSession() override;

    void start();
    [[nodiscard]] MainWindow* window() const;

Q_SIGNALS:
    void finished();

private:
    void showFirstRun();
    void showUnlock();
    void showWindow(std::unique_ptr<vault::Vault> vault);

    QString m_dataDir;
    http::EndpointSettings m_endpointSettings;
    approvals::RequestEvents m_events;
    QPointer<MainWindow> m_window;
};

} // namespace countersign::ui
