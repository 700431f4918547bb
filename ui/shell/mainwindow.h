#pragma once

#include "error.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

class QFrame;
class QLabel;
class QPushButton;
class QScrollArea;
class QStackedWidget;
class QSystemTrayIcon;
class QTabWidget;

namespace countersign::audit {
class AuditWatcher;
struct AuditChanges;
} // namespace countersign::audit
namespace countersign::approvals {
class RequestEvents;
class Services;
} // namespace countersign::approvals
namespace countersign::http {
class EndpointThread;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class LockScreen;
class MessageLabel;
class AuditTab;
class HistoryTab;
class MembersTab;
class PoliciesTab;
class RuntimesTab;
class QueueTab;

/// The main window of an unlocked vault. It owns the vault for the whole session. Locking
/// (Ctrl+L, or after idle time) hides every request behind the passphrase while the endpoint
/// keeps accepting requests; they wait in the queue. A tray icon shows the pending count and
/// notifies of each new request; closing the window keeps serving from the tray.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(std::unique_ptr<vault::Vault> vault, QWidget* parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] vault::Vault* vault() const { return m_vault.get(); }
    /// Takes the endpoint and starts it; it is stopped only while the vault is re-keyed.
    void setEndpoint(std::unique_ptr<http::EndpointThread> endpoint);
    /// Takes this window's services (its own vault connection) and shows the queue, history,
    /// runtimes and policies.
    void setServices(std::unique_ptr<approvals::Services> services, approvals::RequestEvents& events);
    void lock();
    /// Unlocks with \a passphrase; returns false (and says why on the lock screen) when wrong.
    bool unlock(const QString& passphrase);
    [[nodiscard]] bool isLocked() const { return m_locked; }
    /// Locks after this long without keyboard or mouse input; zero never locks.
    void setIdleTimeout(std::chrono::milliseconds timeout);
    void refresh();
    [[nodiscard]] int pendingCount() const;
    [[nodiscard]] QSystemTrayIcon* trayIcon() const { return m_tray; }
    /// Shows the window and selects request \a id (what clicking its notification does).
    void openRequest(const QString& id);
    /// Selects request \a id where it is: in the queue while it waits, in History after.
    void showRequest(const QString& id);
    /// Quits the application, window and tray alike (Vault > Quit, Ctrl+Q, the tray's Quit);
    /// with requests waiting, asks first, since runtimes lose the endpoint until the next start.
    void quit();

Q_SIGNALS:
    void lockedChanged(bool locked);
    /// A desktop notification was raised for request \a id.
    void notified(const QString& id, const QString& title, const QString& text);

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* createVaultTab();
    /// The banner above the tabs saying runtimes cannot reach the endpoint, why, and what to do.
    QWidget* createEndpointBanner();
    /// Shows the banner for \a problem, or hides it when the endpoint listens (nullopt).
    void showEndpointProblem(const std::optional<Error>& problem);
    void createMenus();
    void createTray();
    void nameViewActions();
    void verifyChain();
    void changePassphrase();
    void showAbout();
    void showShortcuts();
    void showAndRaise();
    void onRequestCreated(const QString& id);
    void updatePendingCount();
    void checkIdle();
    void startEndpoint();
    void restartEndpointForTeam();
    void saveGeometryNow();
    /// Shrinks and moves the window, frame included, into its screen's available geometry.
    void fitToScreen();
    /// Makes the tab shown the only one whose minimum size counts.
    void sizeTabsToCurrent();
    void closeServices();
    /// Brings every tab up to what the vault now holds, re-reading only what \a changes touch.
    void follow(const audit::AuditChanges& changes);
    void reopenServices();

    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<http::EndpointThread> m_endpoint;
    std::unique_ptr<approvals::Services> m_services;
    approvals::RequestEvents* m_events = nullptr;
    QStackedWidget* m_stack = nullptr;
    LockScreen* m_lockScreen = nullptr;
    QueueTab* m_queueTab = nullptr;
    HistoryTab* m_historyTab = nullptr;
    AuditTab* m_auditTab = nullptr;
    RuntimesTab* m_runtimesTab = nullptr;
    PoliciesTab* m_policiesTab = nullptr;
    MembersTab* m_membersTab = nullptr;
    audit::AuditWatcher* m_watcher = nullptr;
    bool m_verifyFromVaultTab = false;
    QList<QWidget*> m_serviceTabs;
    QLabel* m_endpointStatus = nullptr;
    QWidget* m_desk = nullptr; // the banner and the tabs
    QFrame* m_endpointBanner = nullptr;
    MessageLabel* m_endpointBannerText = nullptr;
    QTabWidget* m_tabs = nullptr;
    QScrollArea* m_tabsScroll = nullptr;
    QLabel* m_owner = nullptr;
    QLabel* m_location = nullptr;
    QLabel* m_cipher = nullptr;
    QLabel* m_schema = nullptr;
    QLabel* m_entries = nullptr;
    QLabel* m_publicKey = nullptr;
    QLabel* m_verifyResult = nullptr;
    QPushButton* m_verifyButton = nullptr;
    QList<QAction*> m_unlockedOnly;
    QList<QAction*> m_viewActions; // Ctrl+1 ... Ctrl+7, named after the tabs
    QSystemTrayIcon* m_tray = nullptr;
    QString m_lastNotified;
    QString m_runtimeAddress; // where the endpoint listens for runtimes; empty when it does not
    bool m_locked = false;
    bool m_toldAboutTray = false;
    bool m_quitting = false; // closing the window is quitting, not going to the tray
    std::chrono::milliseconds m_idleTimeout{0};
    QElapsedTimer m_lastInput;
    QTimer m_idleCheck;
};

} // namespace countersign::ui
