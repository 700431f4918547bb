#pragma once

#include "audit/auditwatcher.h"
#include "crypto/keyderivation.h"
#include "error.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

namespace countersign::application {
class Instance;
}
namespace countersign::approvals {
class RequestEvents;
class Services;
} // namespace countersign::approvals
namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

/// The desktop session without its widgets: it owns the running Instance (vault, services,
/// endpoint), watches the vault for changes, locks and unlocks, locks by itself after idle time,
/// and runs the re-key sequence.
/// The main window is a view that follows its signals (docs/architecture.md, "The desktop
/// session"); tests drive it without one.
class SessionController final : public QObject {
    Q_OBJECT
public:
    /// The member the desktop acts as, and its actor in the audit chain.
    inline static const QString OWNER_MEMBER = QStringLiteral("owner");
    inline static const QString OWNER_ACTOR = QStringLiteral("member:owner");

    explicit SessionController(std::unique_ptr<application::Instance> instance, QObject* parent = nullptr);
    ~SessionController() override;

    /// What runs, to look at; changes go through the controller, which tells the views.
    [[nodiscard]] const application::Instance& instance() const { return *m_instance; }
    [[nodiscard]] vault::Vault& vault() const;
    [[nodiscard]] approvals::RequestEvents& events() const;
    /// The services views read and decide through; null between servicesClosing() and
    /// servicesOpened().
    [[nodiscard]] approvals::Services* services() const;

    /// Starts serving runtimes (a no-op while serving); endpointChanged() follows either way.
    [[nodiscard]] Result<void> startEndpoint();
    /// Serves the team listener as the vault now has it configured (after it was turned on,
    /// off or moved): the endpoint restarts, endpointChanged() follows. When the settings cannot
    /// be read, the endpoint goes on as it was.
    [[nodiscard]] Result<void> reloadTeam();
    /// Where runtimes reach the endpoint over TCP; empty while it does not serve.
    [[nodiscard]] QString runtimeAddress() const;
    /// Where members reach the team listener; empty while there is none.
    [[nodiscard]] QString teamAddress() const;
    /// Why runtimes cannot reach the endpoint; nullopt while it serves or before it was started.
    [[nodiscard]] std::optional<Error> endpointProblem() const;
    /// The port the endpoint listens on, or was asked to.
    [[nodiscard]] quint16 endpointPort() const;

    [[nodiscard]] bool isLocked() const { return m_locked; }
    /// Locks (audited with the number of requests waiting). The endpoint keeps serving: requests
    /// wait in the queue.
    void lock();
    /// Unlocks when \a passphrase is the vault's (audited); WrongPassphrase when it is not.
    [[nodiscard]] Result<void> unlock(const QString& passphrase);
    /// Locks after this long without noteActivity(); zero never locks.
    void setIdleTimeout(std::chrono::milliseconds timeout);
    /// The person is here (a key, a click): the idle time starts again.
    void noteActivity();

    /// Checks \a current, then re-keys the vault to \a next (refused while locked). Only for that moment every other
    /// connection to the vault closes: servicesClosing() before, servicesOpened() (or, should the
    /// vault fail to open again, servicesLost()) after, changed or not; runtimes meanwhile see a
    /// refused connection and retry.
    [[nodiscard]] Result<void> changePassphrase(const QString& current, const QString& next,
                                                const crypto::KdfParams& kdf = crypto::KdfParams::defaults());

Q_SIGNALS:
    void lockedChanged(bool locked);
    /// services() is about to go: drop every reference into it now.
    void servicesClosing();
    /// services() is back after servicesClosing().
    void servicesOpened();
    /// services() could not be opened again after servicesClosing(): it stays null.
    void servicesLost(const countersign::Error& why);
    /// The endpoint started, stopped or failed to start: runtimeAddress(), endpointProblem().
    void endpointChanged();
    void passphraseChanged();
    /// Entries were appended to the audit chain, by this process or another (the CLI, a second
    /// instance): what \a changes touch is to be read again.
    void vaultChanged(const countersign::audit::AuditChanges& changes);

private:
    void checkIdle();
    void watchVault();

    std::unique_ptr<application::Instance> m_instance;
    audit::AuditWatcher* m_watcher = nullptr; // reads through services(): gone while they are
    bool m_locked = false;
    std::chrono::milliseconds m_idleTimeout{0};
    QElapsedTimer m_lastActivity;
    QTimer m_idleCheck;
};

} // namespace countersign::ui
