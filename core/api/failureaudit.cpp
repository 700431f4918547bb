#include "failureaudit.h"

#include "http/httprequest.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QLoggingCategory>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcApi)

namespace countersign::api {

namespace {

// Audit entries one listener writes one by one per failure window (first failures of a client,
// lockouts); past that, failures are only counted into the window's summary entry.
constexpr int AUDITED_FAILURES_PER_WINDOW = 16;
constexpr qsizetype SUMMARY_CLIENTS = 16;

QString listenerName(http::Listener listener)
{
    switch (listener) {
    case http::Listener::Loopback:
        return QStringLiteral("loopback");
    case http::Listener::LocalSocket:
        return QStringLiteral("unix");
    case http::Listener::Team:
        return QStringLiteral("team");
    }
    return {};
}

/// Counts \a client towards a window's summary, in a table that stops taking new clients when
/// full (the summary then says how many it saw, not all of them).
void countUnaudited(QHash<QString, int>& clients, const QString& client)
{
    if (clients.size() < http::FailureTable::Limits{}.maxClients || clients.contains(client))
        ++clients[client];
}

} // namespace

FailureAudit::FailureAudit(const http::EndpointSettings& settings, Record record, QObject* parent)
    : QObject(parent)
    , m_record(std::move(record))
    , m_windowMs(settings.authFailureWindowMs)
    , m_lockoutMs(settings.lockoutMs)
{
    m_clock.start();
    const http::FailureTable::Limits limits{settings.authFailuresBeforeLockout, settings.authFailureWindowMs,
                                            settings.lockoutMs, http::FailureTable::Limits{}.maxClients};
    for (ListenerState& state : m_listeners)
        state.failures = http::FailureTable(limits);
    m_windowTimer.setInterval(m_windowMs);
    connect(&m_windowTimer, &QTimer::timeout, this, &FailureAudit::auditWindow);
}

FailureAudit::~FailureAudit()
{
    auditWindow();
}

FailureAudit::ListenerState& FailureAudit::stateOf(http::Listener listener)
{
    return m_listeners.at(static_cast<std::size_t>(listener));
}

bool FailureAudit::refuseIfLockedOut(const http::HttpConnection& connection, int& retryAfterSeconds)
{
    ListenerState& state = stateOf(connection.listener());
    if (!state.failures.isLockedOut(connection.client(), m_clock.elapsed(), retryAfterSeconds))
        return false;
    ++state.unaudited;
    countUnaudited(state.unauditedClients, connection.client());
    if (!m_windowTimer.isActive())
        m_windowTimer.start();
    return true;
}

void FailureAudit::recordFailure(const http::HttpConnection& connection, const QString& reason,
                                 const http::HttpRequest& request, QByteArrayView credential)
{
    ListenerState& state = stateOf(connection.listener());
    const QString& client = connection.client();
    const http::FailureTable::Recorded recorded = state.failures.record(client, m_clock.elapsed());
    if (!m_windowTimer.isActive())
        m_windowTimer.start();
    if (recorded.inWindow == 1 && state.auditedThisWindow < AUDITED_FAILURES_PER_WINDOW) {
        ++state.auditedThisWindow;
        QJsonObject details{{QStringLiteral("client"), client},
                            {QStringLiteral("listener"), listenerName(connection.listener())},
                            {QStringLiteral("reason"), reason},
                            {QStringLiteral("path"), QString::fromLatin1(request.path.left(100))},
                            {QStringLiteral("count"), 1}};
        if (!credential.isEmpty()) {
            // Which credential failed, without writing it down: a short hash tells one
            // repeated wrong token from many different guesses.
            details.insert(
                QStringLiteral("credential_sha256"),
                QString::fromLatin1(QCryptographicHash::hash(credential, QCryptographicHash::Sha256).left(8).toHex()));
        }
        m_record(QStringLiteral("auth.failed"), details);
    } else {
        ++state.unaudited;
        countUnaudited(state.unauditedClients, client);
    }
    if (!recorded.lockedNow)
        return;
    qCWarning(lcApi) << "locked out" << client << "on the" << listenerName(connection.listener())
                     << "listener after repeated authentication failures";
    if (state.auditedThisWindow < AUDITED_FAILURES_PER_WINDOW) {
        ++state.auditedThisWindow;
        m_record(QStringLiteral("auth.lockout"),
                 QJsonObject{{QStringLiteral("client"), client},
                             {QStringLiteral("listener"), listenerName(connection.listener())},
                             {QStringLiteral("failures"), recorded.inWindow},
                             {QStringLiteral("seconds"), m_lockoutMs / 1000}});
    } else {
        ++state.unauditedLockouts;
    }
}

void FailureAudit::auditWindow()
{
    const qint64 now = m_clock.elapsed();
    bool tracking = false;
    for (http::Listener listener : {http::Listener::Loopback, http::Listener::LocalSocket, http::Listener::Team}) {
        ListenerState& state = stateOf(listener);
        if (state.unaudited > 0 || state.unauditedLockouts > 0) {
            // One entry per listener and window for everything not audited one by one, with the
            // clients that failed most.
            QList<std::pair<int, QString>> ranked;
            for (auto it = state.unauditedClients.cbegin(); it != state.unauditedClients.cend(); ++it)
                ranked.append({it.value(), it.key()});
            std::sort(ranked.begin(), ranked.end(), std::greater<>());
            QJsonArray top;
            for (const auto& [count, client] : ranked.first(std::min(ranked.size(), SUMMARY_CLIENTS)))
                top.append(QJsonObject{{QStringLiteral("client"), client}, {QStringLiteral("count"), count}});
            m_record(QStringLiteral("auth.failed"),
                     QJsonObject{{QStringLiteral("listener"), listenerName(listener)},
                                 {QStringLiteral("summary"), true},
                                 {QStringLiteral("count"), state.unaudited},
                                 {QStringLiteral("clients"), state.unauditedClients.size()},
                                 {QStringLiteral("lockouts"), state.unauditedLockouts},
                                 {QStringLiteral("window_ms"), m_windowMs},
                                 {QStringLiteral("top"), top}});
        }
        state.auditedThisWindow = 0;
        state.unaudited = 0;
        state.unauditedLockouts = 0;
        state.unauditedClients.clear();
        state.failures.prune(now);
        tracking |= state.failures.size() > 0;
    }
    if (!tracking)
        m_windowTimer.stop();
}

} // namespace countersign::api
