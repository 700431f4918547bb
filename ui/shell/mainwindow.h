#pragma once

#include "error.h"

#include <QMainWindow>

#include <chrono>
#include <optional>

class QFrame;
class QLabel;
class QPushButton;
class QScrollArea;
class QStackedWidget;
class QSystemTrayIcon;
class QTabWidget;

namespace countersign::audit {
struct AuditChanges;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class LockScreen;
class MessageLabel;
class SessionController;
class AuditTab;
class HistoryTab;
class MembersTab;
class PoliciesTab;
class RuntimesTab;
class QueueTab;

/// The main window: a view over a SessionController, which owns the vault, the services and the
/// endpoint for the whole session. Locking (Ctrl+L, or after idle time) hides every request
/// behind the passphrase while the endpoint keeps accepting requests; they wait in the queue. A
/// tray icon shows the pending count and notifies of each new request; closing the window keeps
/// serving from the tray.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    /// Shows \a session (which outlives the window): the queue, history, runtimes, policies,
    /// members and audit over its services, and the endpoint's state.
    explicit MainWindow(SessionController& session, QWidget* parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] vault::Vault* vault() const;
    void lock();
    /// Unlocks with \a passphrase; returns false (and says why on the lock screen) when wrong.
    bool unlock(const QString& passphrase);
    [[nodiscard]] bool isLocked() const;
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
    void retryEndpoint();
    void restartEndpointForTeam();
    /// The status bar and the banner say where runtimes reach the endpoint, or why they cannot.
    void showEndpointState();
    void showLocked(bool locked);
    void saveGeometryNow();
    /// Shrinks and moves the window, frame included, into its screen's available geometry.
    void fitToScreen();
    /// Makes the tab shown the only one whose minimum size counts.
    void sizeTabsToCurrent();
    /// Shows the tabs over the session's services.
    void openTabs();
    /// Removes them before the services they hold references into go.
    void closeTabs();
    /// Brings every tab up to what the vault now holds, re-reading only what \a changes touch.
    void follow(const audit::AuditChanges& changes);

    SessionController& m_session;
    QStackedWidget* m_stack = nullptr;
    LockScreen* m_lockScreen = nullptr;
    QueueTab* m_queueTab = nullptr;
    HistoryTab* m_historyTab = nullptr;
    AuditTab* m_auditTab = nullptr;
    RuntimesTab* m_runtimesTab = nullptr;
    PoliciesTab* m_policiesTab = nullptr;
    MembersTab* m_membersTab = nullptr;
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
    bool m_toldAboutTray = false;
    bool m_quitting = false; // closing the window is quitting, not going to the tray
};

} // namespace countersign::ui
