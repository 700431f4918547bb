#include "pgnotifications.h"

#include "execute.h"
#include "pgconnection.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace countersign::storage {

namespace {

Q_LOGGING_CATEGORY(lcWakeups, "countersign.postgres.wakeups")

constexpr int DEFAULT_POLL_MS = 1000;
constexpr int FIRST_RETRY_MS = 100;

bool isIdentifier(const QString& id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-]{1,128}$"));
    return pattern.match(id).hasMatch();
}

} // namespace

PgNotifications::PgNotifications(PgConnectionConfig config, QString channel, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_channel(std::move(channel))
    , m_connectionName(QStringLiteral("countersign-wakeups-%1").arg(reinterpret_cast<quintptr>(this), 0, 16))
{
    m_poll.setInterval(DEFAULT_POLL_MS);
    connect(&m_poll, &QTimer::timeout, this, &PgNotifications::tick);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &PgNotifications::reconnect);
}

PgNotifications::~PgNotifications()
{
    dropConnection();
}

void PgNotifications::setPollInterval(int milliseconds)
{
    m_poll.setInterval(milliseconds);
}

Result<void> PgNotifications::start()
{
    m_poll.start();
    auto listening = listen();
    if (!listening)
        m_retry.start(m_backoffMs = FIRST_RETRY_MS);
    return listening;
}

Result<void> PgNotifications::listen()
{
    dropConnection();
    auto opened = PgConnection::open(m_config, m_connectionName);
    COUNTERSIGN_TRY(opened);
    m_db = *opened;
    QSqlDriver* driver = m_db.driver();
    connect(driver, &QSqlDriver::notification, this, &PgNotifications::received);
    if (!driver->subscribeToNotification(m_channel)) {
        const QString why = driver->lastError().text();
        dropConnection();
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("cannot listen on %1 for wake-ups from other nodes: %2").arg(m_channel, why));
    }
    m_listening = true;
    m_backoffMs = 0;
    qCDebug(lcWakeups) << "listening on" << m_channel;
    if (m_everListened)
        Q_EMIT resynchronise();
    m_everListened = true;
    return {};
}

void PgNotifications::dropConnection()
{
    m_listening = false;
    if (m_db.isValid() && m_db.driver())
        disconnect(m_db.driver(), nullptr, this, nullptr);
    m_db = QSqlDatabase();
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

void PgNotifications::received(const QString& name, QSqlDriver::NotificationSource, const QVariant& payload)
{
    if (name != m_channel)
        return;
    const QString id = payload.toString();
    if (!isIdentifier(id)) {
        qCWarning(lcWakeups) << "ignored a wake-up on" << m_channel << "that carries no identifier";
        return;
    }
    Q_EMIT hinted(id);
}

void PgNotifications::tick()
{
    if (!m_listening)
        return;
    // The session may be gone without a word (a restarted server, a network cut): the listener's
    // socket is read only when something arrives, so each tick asks.
    QString why;
    if (!m_db.isOpen()) {
        why = QStringLiteral("the server closed the session");
    } else {
        QSqlQuery probe(m_db);
        if (!probe.exec(QStringLiteral("SELECT 1")) || storage::connectionLost(m_db))
            why = probe.lastError().text().trimmed();
        if (why.isEmpty() && storage::connectionLost(m_db))
            why = QStringLiteral("the session is gone");
    }
    if (!why.isEmpty()) {
        qCWarning(lcWakeups) << "lost the wake-up session:" << why;
        dropConnection();
        Q_EMIT connectionLost(why);
        m_retry.start(m_backoffMs = FIRST_RETRY_MS);
        return;
    }
    Q_EMIT polled();
}

void PgNotifications::reconnect()
{
    if (auto listening = listen(); !listening) {
        m_backoffMs = std::min(std::max(m_backoffMs * 2, FIRST_RETRY_MS), m_maxBackoffMs);
        qCDebug(lcWakeups) << "wake-ups: still no session, next try in" << m_backoffMs
                           << "ms:" << listening.error().message;
        m_retry.start(m_backoffMs);
    }
}

Result<void> PgNotifications::notify(QSqlDatabase& db, const QString& channel, const QString& id)
{
    if (!isIdentifier(id))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("a wake-up carries an identifier, nothing else"));
    auto sent = execute(db, QStringLiteral("SELECT pg_notify(?, ?)"), {channel, id});
    COUNTERSIGN_TRY(sent);
    return {};
}

} // namespace countersign::storage
