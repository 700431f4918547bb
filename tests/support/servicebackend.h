#pragma once

#include "approvals/runtimeidentity.h"
#include "error.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace countersign::approvals {
class RequestEvents;
class Services;
} // namespace countersign::approvals
namespace countersign::audit {
class AuditLog;
}
namespace countersign::crypto {
class SigningKey;
}
namespace countersign::team {
class TeamDatabase;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::test {

class PgCluster;

/// Where a service test keeps its data: a vault (SQLCipher), or a team database on a PostgreSQL
/// cluster the test process starts once. A suite runs on both by calling addRows() from its
/// initTestCase_data(), so every test function runs once per backend ("vault", "postgres") with
/// the same assertions, each on a database of its own.
class ServiceBackend final {
public:
    /// The global data rows: one column "backend", rows "vault" and "postgres".
    static void addRows();
    /// The backend of the current global data row (in init()); nullptr and a warning on failure.
    [[nodiscard]] static std::unique_ptr<ServiceBackend> forCurrentRow();
    /// The backend named \a backend ("vault" or "postgres"), for a suite whose own data rows name it.
    [[nodiscard]] static std::unique_ptr<ServiceBackend> create(const QString& backend);
    ~ServiceBackend();
    ServiceBackend(const ServiceBackend&) = delete;
    ServiceBackend& operator=(const ServiceBackend&) = delete;

    [[nodiscard]] bool isTeam() const { return m_team != nullptr; }
    /// The services of the calling thread over a new connection \a connectionName. On a team
    /// database the owner's decisions are signed with ownerKey(), as the vault signs its owner's.
    [[nodiscard]] Result<std::unique_ptr<approvals::Services>> openServices(approvals::RequestEvents& events,
                                                                            const QString& connectionName) const;
    /// The backend's own connection and its audit log.
    [[nodiscard]] QSqlDatabase database() const;
    [[nodiscard]] audit::AuditLog& audit() const;
    [[nodiscard]] QByteArray instancePublicKey() const;
    [[nodiscard]] const crypto::SigningKey& instanceKey() const;
    /// Where this instance (or team node) writes the checkpoints it signs.
    [[nodiscard]] QString checkpointFilePath() const;
    /// The vault, or null on a team database.
    [[nodiscard]] vault::Vault* vault() const { return m_vault.get(); }
    [[nodiscard]] team::TeamDatabase* team() const { return m_team.get(); }
    /// The cluster of a team backend (null for a vault).
    [[nodiscard]] static PgCluster* cluster();
    /// The PostgreSQL database of a team backend.
    [[nodiscard]] QString databaseName() const { return m_databaseName; }

private:
    ServiceBackend() = default;

    QTemporaryDir m_dir;
    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<team::TeamDatabase> m_team;
    std::shared_ptr<const crypto::SigningKey> m_ownerKey;
    QString m_databaseName;
};

/// What a service test runs on: the backend of the current global data row, the services of the
/// test's thread over a connection of their own, and one runtime registered on it.
class ServicesFixture final {
public:
    ServicesFixture();
    ~ServicesFixture();
    ServicesFixture(const ServicesFixture&) = delete;
    ServicesFixture& operator=(const ServicesFixture&) = delete;

    /// Builds it, registering runtime \a runtimeName allowed \a globs; false (with a warning
    /// naming what failed) when something could not be built.
    [[nodiscard]] bool open(const QString& runtimeName = QStringLiteral("ci"),
                            const QStringList& globs = {QStringLiteral("deploy.*")});

    [[nodiscard]] ServiceBackend& backend() const { return *m_backend; }
    [[nodiscard]] approvals::RequestEvents& events() const { return *m_events; }
    [[nodiscard]] approvals::Services& services() const { return *m_services; }
    /// The backend's own audit log (its own connection, not the services').
    [[nodiscard]] audit::AuditLog& audit() const { return m_backend->audit(); }
    [[nodiscard]] QByteArray instancePublicKey() const { return m_backend->instancePublicKey(); }
    [[nodiscard]] const approvals::RuntimeIdentity& runtime() const { return m_runtime; }
    [[nodiscard]] const QString& runtimeToken() const { return m_runtimeToken; }

private:
    std::unique_ptr<ServiceBackend> m_backend;
    std::unique_ptr<approvals::RequestEvents> m_events;
    std::unique_ptr<approvals::Services> m_services;
    approvals::RuntimeIdentity m_runtime;
    QString m_runtimeToken;
};

} // namespace countersign::test
