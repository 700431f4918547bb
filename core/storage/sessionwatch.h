#pragma once

#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace countersign::storage {

/// What keeps prepared statements on a connection hears when its lost PostgreSQL session is
/// replaced (reconnectIfLost): \a drop runs after the old session is closed and before the new one
/// opens, and must let go of every statement prepared on the old one. Dropped then, a statement's
/// DEALLOCATE goes nowhere; dropped later it would run in the new session, fail there and abort
/// whatever transaction it ran in. Lives with the calling thread, like the connection.
class SessionWatch final {
public:
    SessionWatch(const QSqlDatabase& db, std::function<void()> drop);
    ~SessionWatch();
    SessionWatch(const SessionWatch&) = delete;
    SessionWatch& operator=(const SessionWatch&) = delete;

    /// Runs every drop watching connection \a connectionName (of the calling thread).
    static void sessionClosed(const QString& connectionName);

private:
    int m_id;
};

} // namespace countersign::storage
