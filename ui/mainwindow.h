#pragma once

#include <QMainWindow>

#include <memory>

class QLabel;
class QPushButton;
class QTabWidget;

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

/// The main window of an unlocked vault. It owns the vault: locking destroys it (wiping the
/// key) and asks the application to show the unlock dialog again.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(std::unique_ptr<vault::Vault> vault, QWidget* parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] vault::Vault* vault() const { return m_vault.get(); }
    /// Takes the endpoint and starts it; it is stopped before the vault is locked or re-keyed.
    void setEndpoint(std::unique_ptr<http::EndpointThread> endpoint);
    /// Takes this window's services (its own vault connection) and shows the queue.
    void setServices(std::unique_ptr<approvals::Services> services, approvals::RequestEvents& events);
    void lock();
    void refresh();

Q_SIGNALS:
    /// The vault was locked and released; show the unlock dialog.
    void locked();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* createVaultTab();
    void createMenus();
    void verifyChain();
    void changePassphrase();
    void showAbout();

    void startEndpoint();

    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<http::EndpointThread> m_endpoint;
    std::unique_ptr<approvals::Services> m_services;
    QWidget* m_queueTab = nullptr;
    QLabel* m_endpointStatus = nullptr;
    QTabWidget* m_tabs = nullptr;
    QLabel* m_owner = nullptr;
    QLabel* m_location = nullptr;
    QLabel* m_cipher = nullptr;
    QLabel* m_schema = nullptr;
    QLabel* m_entries = nullptr;
    QLabel* m_publicKey = nullptr;
    QLabel* m_verifyResult = nullptr;
    QPushButton* m_verifyButton = nullptr;
};

} // namespace countersign::ui
