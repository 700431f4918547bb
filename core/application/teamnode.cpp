#include "teamnode.h"

#include "api/apihandler.h"
#include "approvals/requestevents.h"
#include "approvals/services.h"
#include "audit/checkpointsigner.h"
#include "http/endpointthread.h"
#include "openservices.h"
#include "storage/pgnotifications.h"
#include "team/teamdatabase.h"

#include <QAtomicInteger>

namespace countersign::application {

namespace {

QString nextEndpointConnection()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("team-endpoint-") + QString::number(++counter);
}

} // namespace

Result<std::unique_ptr<TeamNode>> TeamNode::open(std::unique_ptr<team::TeamDatabase> team,
                                                 http::EndpointSettings settings,
                                                 std::optional<http::EndpointSettings::Team> listener)
{
    if (!team)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("no team database to run a node on"));
    std::unique_ptr<TeamNode> node(new TeamNode());
    node->m_events = std::make_unique<approvals::RequestEvents>();
    node->m_team = std::move(team);
    if (listener) {
        // Every node presents the team's certificate; runtimes on other machines come in here.
        listener->certificatePem = node->m_team->tlsIdentity().certificatePem;
        listener->privateKeyPem =
            std::make_shared<const crypto::SecureBuffer>(node->m_team->tlsIdentity().privateKeyPem.clone());
        listener->servesRuntimes = true;
    }
    settings.team = std::move(listener);
    node->m_wakeUps =
        std::make_unique<storage::PgNotifications>(node->m_team->config(), storage::PgNotifications::REQUESTS_CHANNEL);
    // A hint names a request another node (or this one) changed: whoever waits on it looks again.
    QObject::connect(node->m_wakeUps.get(), &storage::PgNotifications::hinted, node->m_events.get(),
                     [events = node->m_events.get()](const QString& id) { Q_EMIT events->requestChanged(id, {}); });
    node->m_endpoint = std::make_unique<http::EndpointThread>(
        std::move(settings), api::ApiHandler::factory([&team = *node->m_team, &events = *node->m_events,
                                                       connection = nextEndpointConnection()] {
            return application::openServices(team, events, connection);
        }));
    return node;
}

TeamNode::~TeamNode()
{
    m_endpoint.reset();
    m_wakeUps.reset();
    m_team.reset();
    m_events.reset();
}

Result<void> TeamNode::start()
{
    // Restored to a state older than this node witnessed, the database would let spent approvals
    // be consumed again: refuse to serve it.
    auto checked = m_team->openCheckpointSigner(m_team->database(), m_team->audit())->checkBeforeServing();
    COUNTERSIGN_TRY(checked);
    // Not listening is no reason to stop: long-polls look again every second, and the listener
    // keeps reconnecting in the background.
    (void)m_wakeUps->start();
    return m_endpoint->start();
}

void TeamNode::stop()
{
    m_endpoint->stop();
}

} // namespace countersign::application
