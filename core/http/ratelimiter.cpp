#include "ratelimiter.h"

#include <algorithm>
#include <cmath>

namespace countersign::http {

namespace {

constexpr qsizetype MAX_BUCKETS = 4096;

} // namespace

RateLimiter::RateLimiter(double perSecond, double burst)
    : m_perSecond(perSecond)
    , m_burst(burst)
{
    m_clock.start();
}

bool RateLimiter::take(const QString& key, int& retryAfterSeconds)
{
    const qint64 now = m_clock.elapsed();
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= MAX_BUCKETS) {
            // A bucket that has refilled holds nothing a new one would not: forget those.
            m_buckets.removeIf([&](const auto& entry) {
                return entry.value().tokens +
                           static_cast<double>(now - entry.value().refilledAt) * m_perSecond / 1000.0 >=
                       m_burst;
            });
        }
        it = m_buckets.insert(key, Bucket{m_burst, now});
    }
    Bucket& bucket = *it;
    bucket.tokens =
        std::min(m_burst, bucket.tokens + static_cast<double>(now - bucket.refilledAt) * m_perSecond / 1000.0);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return true;
    }
    retryAfterSeconds = static_cast<int>(std::ceil((1.0 - bucket.tokens) / m_perSecond));
    return false;
}

} // namespace countersign::http
