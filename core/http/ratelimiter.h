#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

namespace countersign::http {

/// Token buckets by key (a credential, a client): each holds up to \a burst tokens and refills
/// at \a perSecond. Bounded: a full table first forgets the buckets that have refilled.
class RateLimiter final {
public:
    RateLimiter(double perSecond, double burst);

    /// Takes a token from \a key's bucket; false when empty, with \a retryAfterSeconds saying
    /// when the next one comes.
    [[nodiscard]] bool take(const QString& key, int& retryAfterSeconds);

private:
    struct Bucket final {
        double tokens = 0;
        qint64 refilledAt = 0;
    };

    double m_perSecond;
    double m_burst;
    QElapsedTimer m_clock;
    QHash<QString, Bucket> m_buckets;
};

} // namespace countersign::http
