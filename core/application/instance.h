#pragma once

#include "crypto/keyderivation.h"
#include "error.h"
#include "http/endpointsettings.h"

#include <QString>

#include <memory>
#include <optional>

namespace countersign::approvals {
class RequestEvents;
class Services;
} // namespace countersign::approvals
namespace countersign::crypto {
class SecureBuffer;
}
namespace countersign::http {
class EndpointThread;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::application {

/// The running app on one unlocked vault, built the same way for the desktop, headless mode and
/// the tests (docs/architecture.md, "The running instance"): the vault, the services of the
/// thread that built it (over a connection of their own), and the endpoint serving runtimes, and
/// the team when its listener is on, from a thread of its own.
///
/// The Instance owns all of it and takes it down in order: the endpoint first (its services read
/// through the vault), then this thread's services, then the vault, which releases its lock on
/// the data directory last.
class Instance final {
public:
    /// Builds on \a vault. \a settings say where the endpoint listens; the team listener comes
    /// from the vault. The endpoint is not started yet (startEndpoint()).
    [[nodiscard]] static Result<std::unique_ptr<Instance>> open(std::unique_ptr<vault::Vault> vault,
                                                                http::EndpointSettings settings);
    /// Unlocks the vault in \a dataDir with \a passphrase and builds on it.
    [[nodiscard]] static Result<std::unique_ptr<Instance>>
    unlock(const QString& dataDir, const crypto::SecureBuffer& passphrase, http::EndpointSettings settings);
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    [[nodiscard]] vault::Vault& vault() const { return *m_vault; }
    [[nodiscard]] approvals::RequestEvents& events() const { return *m_events; }
    /// The services of the thread that built the instance; null while a re-key has them closed
    /// (or when they could not be opened again after it).
    [[nodiscard]] approvals::Services* services() const { return m_services.get(); }
    [[nodiscard]] const http::EndpointThread& endpoint() const { return *m_endpoint; }

    /// Opens this thread's services (again); a no-op while they are open.
    [[nodiscard]] Result<void> openServices();
    /// Closes this thread's services and their connection to the vault; drop every reference
    /// into them first.
    void closeServices();

    /// Fails when runtimes must not be served from this vault: restored from an older copy, or
    /// its checkpoint file went missing, it would let spent approvals be consumed again.
    [[nodiscard]] Result<void> checkBeforeServing() const;
    /// Checks the vault (checkBeforeServing()) and starts listening; succeeds at once when the
    /// endpoint already serves.
    [[nodiscard]] Result<void> startEndpoint();
    void stopEndpoint();
    [[nodiscard]] bool isServing() const;
    /// Why the last start of the endpoint failed; nullopt while it serves and before any start.
    [[nodiscard]] const std::optional<Error>& endpointProblem() const { return m_endpointProblem; }
    /// Where runtimes reach the endpoint over TCP ("http://127.0.0.1:PORT"); empty while it
    /// does not serve.
    [[nodiscard]] QString runtimeAddress() const;
    /// Where members reach the team listener ("https://HOST:PORT"); empty while there is none.
    [[nodiscard]] QString teamAddress() const;
    /// Reads the team listener's settings from the vault again and restarts the endpoint with
    /// them. When they cannot be read, the endpoint goes on as it was.
    [[nodiscard]] Result<void> reloadTeam();
    /// Re-keys the vault to \a newPassphrase. Re-keying replaces the database file, so every other
    /// connection is closed for the moment it takes: the endpoint stops and this thread's
    /// services close (drop every reference into them first), then both come back, changed or
    /// not. The endpoint comes back only if it was serving; endpointProblem() says when it could not.
    [[nodiscard]] Result<void> changePassphrase(const crypto::SecureBuffer& newPassphrase,
                                                const crypto::KdfParams& kdf = crypto::KdfParams::defaults());

private:
    Instance(std::unique_ptr<approvals::RequestEvents> events, std::unique_ptr<vault::Vault> vault);

    // Declared in the order they are built; the destructor takes them down in reverse.
    std::unique_ptr<approvals::RequestEvents> m_events;
    std::unique_ptr<vault::Vault> m_vault;
    QString m_servicesConnection;
    std::unique_ptr<approvals::Services> m_services;
    std::unique_ptr<http::EndpointThread> m_endpoint;
    std::optional<Error> m_endpointProblem;
};

} // namespace countersign::application
