#include "servicebackend.h"

#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "pgcluster.h"
#include "team/teamdatabase.h"
#include "team/teamkey.h"
#include "testsupport.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QTest>

namespace countersign::test {

namespace {

const QString VAULT = QStringLiteral("vault");
const QString POSTGRES = QStringLiteral("postgres");

std::unique_ptr<PgCluster>& sharedCluster()
{
    static std::unique_ptr<PgCluster> cluster;
    return cluster;
}

} // namespace

void ServiceBackend::addRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("vault") << VAULT;
    QTest::newRow("postgres") << POSTGRES;
}

PgCluster* ServiceBackend::cluster()
{
    return sharedCluster().get();
}

std::unique_ptr<ServiceBackend> ServiceBackend::forCurrentRow()
{
    QFETCH_GLOBAL(QString, backend);
    return create(backend);
}

std::unique_ptr<ServiceBackend> ServiceBackend::create(const QString& backend)
{
    std::unique_ptr<ServiceBackend> made(new ServiceBackend());
    if (!made->m_dir.isValid())
        return nullptr;
    if (backend == VAULT) {
        made->m_vault = createVault(made->m_dir.filePath(QStringLiteral("vault")));
        return made->m_vault ? std::move(made) : nullptr;
    }
    std::unique_ptr<PgCluster>& cluster = sharedCluster();
    if (!cluster) {
        cluster = std::make_unique<PgCluster>();
        if (!cluster->start()) {
            cluster.reset();
            return nullptr;
        }
        // Stopped with the test process, after every backend is gone.
        qAddPostRoutine([] { sharedCluster().reset(); });
    }
    static int databases = 0;
    made->m_databaseName = QStringLiteral("services_%1").arg(++databases);
    if (!cluster->createDatabase(made->m_databaseName))
        return nullptr;
    made->m_ownerKey = std::make_shared<const crypto::SigningKey>(crypto::SigningKey::generate());
    const team::TeamDatabase::Owner owner{QStringLiteral("owner"), QStringLiteral("Owner"),
                                          made->m_ownerKey->publicKey()};
    QByteArray wrapping = crypto::randomBytes(32);
    auto team =
        team::TeamDatabase::initialize(cluster->connectionConfig(QStringLiteral("localhost"), made->m_databaseName),
                                       team::TeamKey::wrappingKey(crypto::SecureBuffer::takeFrom(wrapping)), owner,
                                       made->m_dir.filePath(QStringLiteral("checkpoints")));
    if (!team) {
        qWarning("team database: %s", qPrintable(team.error().message));
        return nullptr;
    }
    made->m_team = std::move(*team);
    return made;
}

ServiceBackend::~ServiceBackend() = default;

Result<std::unique_ptr<approvals::Services>> ServiceBackend::openServices(approvals::RequestEvents& events,
                                                                          const QString& connectionName) const
{
    if (m_vault)
        return application::openServices(*m_vault, events, connectionName);
    auto services = application::openServices(*m_team, events, connectionName);
    COUNTERSIGN_TRY(services);
    (*services)->requests().setLocalSigningKey(QStringLiteral("owner"), m_ownerKey);
    return services;
}

QSqlDatabase ServiceBackend::database() const
{
    return m_vault ? m_vault->database() : m_team->database();
}

audit::AuditLog& ServiceBackend::audit() const
{
    return m_vault ? m_vault->audit() : m_team->audit();
}

QByteArray ServiceBackend::instancePublicKey() const
{
    return m_vault ? m_vault->instancePublicKey() : m_team->instancePublicKey();
}

ServicesFixture::ServicesFixture() = default;

ServicesFixture::~ServicesFixture()
{
    m_services.reset();
    m_events.reset();
    m_backend.reset();
}

bool ServicesFixture::open(const QString& runtimeName, const QStringList& globs)
{
    m_backend = ServiceBackend::forCurrentRow();
    if (!m_backend)
        return false;
    m_events = std::make_unique<approvals::RequestEvents>();
    auto services = m_backend->openServices(*m_events, QStringLiteral("fixture-services"));
    if (!services) {
        qWarning("ServicesFixture: %s", qPrintable(services.error().message));
        return false;
    }
    m_services = std::move(*services);
    auto token = m_services->runtimes().registerRuntime(runtimeName, globs, QStringLiteral("member:owner"));
    if (!token) {
        qWarning("ServicesFixture: %s", qPrintable(token.error().message));
        return false;
    }
    m_runtimeToken = *token;
    auto runtime = m_services->requests().authenticate(m_runtimeToken.toLatin1());
    if (!runtime) {
        qWarning("ServicesFixture: %s", qPrintable(runtime.error().message));
        return false;
    }
    m_runtime = *runtime;
    return true;
}

const crypto::SigningKey& ServiceBackend::instanceKey() const
{
    return m_vault ? m_vault->instanceKey() : m_team->instanceKey();
}

QString ServiceBackend::checkpointFilePath() const
{
    return m_vault ? m_vault->checkpointFilePath() : m_team->checkpointFilePath();
}

} // namespace countersign::test
