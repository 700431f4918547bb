#include "failuretable.h"

#include <limits>

namespace countersign::http {

FailureTable::FailureTable(Limits limits)
    : m_limits(limits)
{
}

FailureTable::Recorded FailureTable::record(const QString& client, qint64 now)
{
    auto it = m_clients.find(client);
    if (it == m_clients.end()) {
        if (m_clients.size() >= m_limits.maxClients)
            prune(now);
        if (m_clients.size() >= m_limits.maxClients) {
            // Still full of live entries: the stalest unlocked one makes room. Only a client
            // locked out right now is worth more than a newcomer.
            auto stalest = m_clients.end();
            qint64 oldest = std::numeric_limits<qint64>::max();
            for (auto candidate = m_clients.begin(); candidate != m_clients.end(); ++candidate) {
                if (candidate->lockedUntil <= now && candidate->windowStart < oldest) {
                    oldest = candidate->windowStart;
                    stalest = candidate;
                }
            }
            if (stalest == m_clients.end())
                return Recorded{}; // every entry is a lockout in force: count nothing new
            m_clients.erase(stalest);
        }
        it = m_clients.insert(client, Client{now, 0, 0});
    }
    Client& entry = *it;
    if (now - entry.windowStart >= m_limits.windowMs) {
        entry.windowStart = now;
        entry.count = 0;
    }
    ++entry.count;
    Recorded recorded{entry.count, false};
    if (entry.count >= m_limits.threshold && entry.lockedUntil <= now) {
        entry.lockedUntil = now + m_limits.lockoutMs;
        recorded.lockedNow = true;
    }
    return recorded;
}

bool FailureTable::isLockedOut(const QString& client, qint64 now, int& retryAfterSeconds) const
{
    const auto it = m_clients.constFind(client);
    if (it == m_clients.cend() || it->lockedUntil <= now)
        return false;
    retryAfterSeconds = static_cast<int>((it->lockedUntil - now + 999) / 1000);
    return true;
}

void FailureTable::prune(qint64 now)
{
    m_clients.removeIf([&](const auto& entry) {
        return entry.value().lockedUntil <= now && now - entry.value().windowStart >= m_limits.windowMs;
    });
}

} // namespace countersign::http
