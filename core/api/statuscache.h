#pragma once

#include "approvals/request.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include <optional>

namespace countersign::api {

/// Status polls are the hot path: an answer serialized a moment ago is served again for a short
/// while, unless a change in this process invalidated it first. Keyed by the runtime and the
/// request (a runtime sees only its own), with the request's state kept typed beside the body so
/// that a long-poll can tell a pending request without reading the JSON.
class StatusCache final {
public:
    struct Entry final {
        QByteArray json;
        approvals::RequestState state = approvals::RequestState::Pending;
    };

    StatusCache();

    /// The answer cached for \a runtimeId's request \a requestId while still fresh.
    [[nodiscard]] std::optional<Entry> find(qint64 runtimeId, const QString& requestId) const;
    void insert(qint64 runtimeId, const QString& requestId, Entry entry);
    /// Forgets every answer about \a requestId, whichever runtime asked.
    void invalidate(const QString& requestId);

private:
    struct Key final {
        qint64 runtimeId = 0;
        QString requestId;
        friend bool operator==(const Key&, const Key&) = default;
        friend size_t qHash(const Key& key, size_t seed) { return qHashMulti(seed, key.runtimeId, key.requestId); }
    };
    struct Stored final {
        Entry entry;
        qint64 validUntil = 0;
    };

    QElapsedTimer m_clock;
    QHash<Key, Stored> m_entries;
};

} // namespace countersign::api
