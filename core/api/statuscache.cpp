#include "statuscache.h"

namespace countersign::api {

namespace {

// Changes made by other processes show within this time, as they do for long-polls within a second.
constexpr qint64 FRESH_MS = 250;
constexpr qsizetype MAX_ENTRIES = 4096;

} // namespace

StatusCache::StatusCache()
{
    m_clock.start();
}

std::optional<StatusCache::Entry> StatusCache::find(qint64 runtimeId, const QString& requestId) const
{
    const auto found = m_entries.constFind(Key{runtimeId, requestId});
    if (found == m_entries.cend() || found->validUntil <= m_clock.elapsed())
        return std::nullopt;
    return found->entry;
}

void StatusCache::insert(qint64 runtimeId, const QString& requestId, Entry entry)
{
    if (m_entries.size() > MAX_ENTRIES)
        m_entries.clear();
    m_entries.insert(Key{runtimeId, requestId}, Stored{std::move(entry), m_clock.elapsed() + FRESH_MS});
}

void StatusCache::invalidate(const QString& requestId)
{
    m_entries.removeIf([&](const auto& entry) { return entry.key().requestId == requestId; });
}

} // namespace countersign::api
