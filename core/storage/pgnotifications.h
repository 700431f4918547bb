#pragma once

#include "error.h"
#include "pgconnectionconfig.h"

#include <QObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QString>
#include <QTimer>

namespace countersign::storage {

/// Wake-ups between the nodes of a team, over PostgreSQL's LISTEN/NOTIFY. A node that changed
/// something (a request decided, consumed, expired) sends its id with notify() inside the
/// transaction that changed it: PostgreSQL delivers it only if that transaction commits, after
/// it. Every node listens on a connection of its own and hears hinted(id); what changed is then
/// read from the database, so a notification carries nothing but an id and is only a hint.
///
/// Notifications can be missed (while the session is down, or between a restart and the next
/// LISTEN), so the listener also ticks every pollInterval: polled() asks its owner to look again
/// at whatever it is waiting for. When the session is lost it reconnects with backoff (up to
/// maxBackoff), listens again and says resynchronise(): look at everything, something may have
/// happened unheard. Never send one notification per audit entry: NOTIFY takes a lock at commit
/// that all committing transactions of the database share.
class PgNotifications final : public QObject {
    Q_OBJECT
public:
    /// The channel every node listens on for request changes.
    static inline const QString REQUESTS_CHANNEL = QStringLiteral("countersign_requests");

    PgNotifications(PgConnectionConfig config, QString channel, QObject* parent = nullptr);
    ~PgNotifications() override;

    /// Opens the listening connection (named after this object) and listens; a failure is
    /// returned and retried in the background as after a lost session.
    [[nodiscard]] Result<void> start();
    [[nodiscard]] bool isListening() const { return m_listening; }

    void setPollInterval(int milliseconds);
    void setMaxBackoff(int milliseconds) { m_maxBackoffMs = milliseconds; }

    /// Queues a notification of \a id on \a channel in \a db's open transaction (or sends it now
    /// outside one). \a id must be an identifier: letters, digits, '_' and '-', at most 128.
    [[nodiscard]] static Result<void> notify(QSqlDatabase& db, const QString& channel, const QString& id);

Q_SIGNALS:
    void hinted(const QString& id);
    void polled();
    /// Listening again after a lost session: anything may have changed meanwhile.
    void resynchronise();
    void connectionLost(const QString& why);

private:
    void received(const QString& name, QSqlDriver::NotificationSource source, const QVariant& payload);
    void tick();
    void reconnect();
    [[nodiscard]] Result<void> listen();
    void dropConnection();

    PgConnectionConfig m_config;
    QString m_channel;
    QString m_connectionName;
    QSqlDatabase m_db;
    QTimer m_poll;
    QTimer m_retry;
    bool m_listening = false;
    bool m_everListened = false;
    int m_backoffMs = 0;
    int m_maxBackoffMs = 5000;
};

} // namespace countersign::storage
