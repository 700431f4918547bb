#pragma once

#include <QHash>
#include <QString>

namespace countersign::http {

/// Failed authentications on one listener, per client, counted in fixed windows; a client that
/// reaches the threshold within a window is locked out for a while. Bounded: expired entries are
/// pruned, and a full table forgets its stalest unlocked client before it grows.
class FailureTable final {
public:
    struct Limits {
        int threshold = 10;
        qint64 windowMs = 60'000;
        qint64 lockoutMs = 5 * 60'000;
        qsizetype maxClients = 4096;
    };
    struct Recorded {
        int inWindow = 0;       // this client's failures in its current window, this one included
        bool lockedNow = false; // this failure started a lockout
    };

    explicit FailureTable(Limits limits);

    Recorded record(const QString& client, qint64 now);
    [[nodiscard]] bool isLockedOut(const QString& client, qint64 now, int& retryAfterSeconds) const;
    /// Forgets clients whose window and lockout are both over.
    void prune(qint64 now);
    [[nodiscard]] qsizetype size() const { return m_clients.size(); }

private:
    struct Client {
        qint64 windowStart = 0;
        int count = 0;
        qint64 lockedUntil = 0;
    };

    Limits m_limits;
    QHash<QString, Client> m_clients;
};

} // namespace countersign::http
