#include "shell/sessioncontroller.h"

#include "application/instance.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "crypto/securebuffer.h"
#include "http/endpointthread.h"
#include "vault/vault.h"

#include <QJsonObject>

namespace countersign::ui {

namespace {

constexpr std::chrono::milliseconds IDLE_CHECK_INTERVAL{1000};
// How often the session looks at the audit chain's head for changes made by other processes
// (the CLI, another instance): one index lookup each time.
constexpr std::chrono::milliseconds VAULT_LOOK_INTERVAL{1000};

crypto::SecureBuffer secureCopy(const QString& text)
{
    QByteArray bytes = text.toUtf8();
    return crypto::SecureBuffer::takeFrom(bytes);
}

} // namespace

SessionController::SessionController(std::unique_ptr<application::Instance> instance, QObject* parent)
    : QObject(parent)
    , m_instance(std::move(instance))
{
    m_lastActivity.start();
    m_idleCheck.setInterval(IDLE_CHECK_INTERVAL);
    connect(&m_idleCheck, &QTimer::timeout, this, &SessionController::checkIdle);
    // This process's request events say "look now"; the chain's head, looked at every second,
    // catches what other processes changed.
    connect(&events(), &approvals::RequestEvents::requestCreated, this, [this] {
        if (m_watcher)
            m_watcher->poke();
    });
    connect(&events(), &approvals::RequestEvents::requestChanged, this, [this] {
        if (m_watcher)
            m_watcher->poke();
    });
    watchVault();
}

SessionController::~SessionController()
{
    delete m_watcher; // before the services it reads through
}

void SessionController::watchVault()
{
    delete m_watcher;
    m_watcher = nullptr;
    if (auto* services = m_instance->services()) {
        m_watcher = new audit::AuditWatcher(services->audit(), VAULT_LOOK_INTERVAL, this);
        connect(m_watcher, &audit::AuditWatcher::changed, this, &SessionController::vaultChanged);
    }
}

vault::Vault& SessionController::vault() const
{
    return m_instance->vault();
}

approvals::RequestEvents& SessionController::events() const
{
    return m_instance->events();
}

approvals::Services* SessionController::services() const
{
    return m_instance->services();
}

Result<void> SessionController::startEndpoint()
{
    auto started = m_instance->startEndpoint();
    Q_EMIT endpointChanged();
    return started;
}

Result<void> SessionController::reloadTeam()
{
    auto reloaded = m_instance->reloadTeam();
    Q_EMIT endpointChanged();
    return reloaded;
}

QString SessionController::runtimeAddress() const
{
    return m_instance->runtimeAddress();
}

QString SessionController::teamAddress() const
{
    return m_instance->teamAddress();
}

std::optional<Error> SessionController::endpointProblem() const
{
    return m_instance->endpointProblem();
}

quint16 SessionController::endpointPort() const
{
    return m_instance->endpoint().settings().port;
}

void SessionController::lock()
{
    if (m_locked)
        return;
    m_locked = true;
    qsizetype pending = 0;
    if (auto* services = m_instance->services()) {
        if (auto queue = services->requests().queue(OWNER_MEMBER))
            pending = queue->size();
    }
    (void)vault().audit().append({OWNER_ACTOR, QStringLiteral("desktop.lock"), QStringLiteral("desktop"),
                                  QJsonObject{{QStringLiteral("pending"), pending}}});
    Q_EMIT lockedChanged(true);
}

Result<void> SessionController::unlock(const QString& passphrase)
{
    if (!m_locked)
        return {};
    COUNTERSIGN_TRY(vault::Vault::verifyPassphrase(vault().dataDir(), secureCopy(passphrase)));
    m_locked = false;
    m_lastActivity.restart();
    (void)vault().audit().append({OWNER_ACTOR, QStringLiteral("desktop.unlock"), QStringLiteral("desktop"), {}});
    Q_EMIT lockedChanged(false);
    return {};
}

void SessionController::setIdleTimeout(std::chrono::milliseconds timeout)
{
    m_idleTimeout = timeout;
    m_lastActivity.restart();
    if (timeout.count() > 0)
        m_idleCheck.start();
    else
        m_idleCheck.stop();
}

void SessionController::noteActivity()
{
    m_lastActivity.restart();
}

void SessionController::checkIdle()
{
    if (!m_locked && m_idleTimeout.count() > 0 && m_lastActivity.elapsed() >= m_idleTimeout.count())
        lock();
}

Result<void> SessionController::changePassphrase(const QString& current, const QString& next,
                                                 const crypto::KdfParams& kdf)
{
    if (m_locked)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("unlock the session before changing its passphrase"));
    // The current passphrase is checked by deriving its key again, as an unlock would.
    COUNTERSIGN_TRY(vault::Vault::verifyPassphrase(vault().dataDir(), secureCopy(current)));
    Q_EMIT servicesClosing();
    delete m_watcher;
    m_watcher = nullptr;
    auto changed = m_instance->changePassphrase(secureCopy(next), kdf);
    watchVault();
    if (m_instance->services())
        Q_EMIT servicesOpened();
    else if (!changed) // without services, the Instance answers why they could not be opened again
        Q_EMIT servicesLost(changed.error());
    Q_EMIT endpointChanged();
    if (changed)
        Q_EMIT passphraseChanged();
    return changed;
}

} // namespace countersign::ui
