#include "instance.h"

#include "api/apihandler.h"
#include "api/teamlistener.h"
#include "approvals/requestevents.h"
#include "approvals/services.h"
#include "audit/checkpointsigner.h"
#include "http/endpointthread.h"
#include "openservices.h"
#include "vault/vault.h"

#include <QAtomicInteger>

namespace countersign::application {

namespace {

/// Qt Sql names connections per process: each Instance names its own, so that a second one in
/// the process (the tests', a second endpoint on one vault) takes nothing from the first.
QString nextConnectionSuffix()
{
    static QAtomicInteger<quint64> counter;
    return QString::number(++counter);
}

} // namespace

Instance::Instance(std::unique_ptr<approvals::RequestEvents> events, std::unique_ptr<vault::Vault> vault)
    : m_events(std::move(events))
    , m_vault(std::move(vault))
    , m_servicesConnection(QStringLiteral("instance-") + nextConnectionSuffix())
{
}

Instance::~Instance()
{
    // The endpoint's services read through the vault's files; this thread's read through its own
    // connection to the vault; the vault holds the data directory's lock until it goes.
    m_endpoint.reset();
    m_services.reset();
    m_vault.reset();
}

Result<std::unique_ptr<Instance>> Instance::open(std::unique_ptr<vault::Vault> vault, http::EndpointSettings settings)
{
    if (!vault)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("no vault to run an instance on"));
    auto team = api::teamListenerOf(*vault);
    COUNTERSIGN_TRY(team);
    settings.team = std::move(*team);
    std::unique_ptr<Instance> instance(new Instance(std::make_unique<approvals::RequestEvents>(), std::move(vault)));
    COUNTERSIGN_TRY(instance->openServices());
    instance->m_endpoint = std::make_unique<http::EndpointThread>(
        std::move(settings),
        api::ApiHandler::factory([&vault = *instance->m_vault, &events = *instance->m_events,
                                  connection = QString(QStringLiteral("endpoint-") + nextConnectionSuffix())] {
            return application::openServices(vault, events, connection);
        }));
    return instance;
}

Result<std::unique_ptr<Instance>> Instance::unlock(const QString& dataDir, const crypto::SecureBuffer& passphrase,
                                                   http::EndpointSettings settings)
{
    auto vault = vault::Vault::open(dataDir, passphrase);
    COUNTERSIGN_TRY(vault);
    return open(std::move(*vault), std::move(settings));
}

Result<void> Instance::openServices()
{
    if (m_services)
        return {};
    auto services = application::openServices(*m_vault, *m_events, m_servicesConnection);
    COUNTERSIGN_TRY(services);
    m_services = std::move(*services);
    return {};
}

void Instance::closeServices()
{
    m_services.reset();
}

Result<void> Instance::checkBeforeServing() const
{
    return m_vault->openCheckpointSigner(m_vault->database(), m_vault->audit())->checkBeforeServing();
}

Result<void> Instance::startEndpoint()
{
    if (isServing())
        return {};
    Result<void> started = checkBeforeServing();
    if (started)
        started = m_endpoint->start();
    m_endpointProblem = started ? std::nullopt : std::optional<Error>(started.error());
    return started;
}

void Instance::stopEndpoint()
{
    m_endpoint->stop();
}

bool Instance::isServing() const
{
    return m_endpoint->isRunning();
}

QString Instance::runtimeAddress() const
{
    return isServing() ? QStringLiteral("http://127.0.0.1:%1").arg(m_endpoint->port()) : QString();
}

QString Instance::teamAddress() const
{
    const auto& team = m_endpoint->settings().team;
    return isServing() && team ? QStringLiteral("https://%1:%2").arg(team->publicHost).arg(m_endpoint->teamPort())
                               : QString();
}

Result<void> Instance::reloadTeam()
{
    auto team = api::teamListenerOf(*m_vault);
    COUNTERSIGN_TRY(team);
    m_endpoint->stop();
    m_endpoint->setTeam(std::move(*team));
    return startEndpoint();
}

Result<void> Instance::changePassphrase(const crypto::SecureBuffer& newPassphrase, const crypto::KdfParams& kdf)
{
    const bool serving = isServing();
    m_endpoint->stop();
    closeServices();
    Result<void> changed = m_vault->changePassphrase(newPassphrase, kdf);
    // Back on whichever file the vault now uses; a failure to reopen outweighs the re-key's own.
    if (auto reopened = openServices(); !reopened)
        return reopened;
    if (serving)
        (void)startEndpoint(); // endpointProblem() says why not
    return changed;
}

} // namespace countersign::application
