#pragma once

#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <chrono>

namespace countersign::audit {

class AuditLog;

/// What was appended to the audit chain since the last look: every change to a vault, by this
/// process or another (the CLI, a second window), appends an entry, so the chain's head tells
/// a window what to re-read.
struct AuditChanges final {
    qint64 fromSeq = 0; // the first new entry
    qint64 toSeq = 0;   // the newest entry
    /// The first part of each new entry's action ("request", "policy", "runtime", "member"...).
    QSet<QString> kinds;
    /// The requests the new entries name (subject "request:<id>").
    QSet<QString> requestIds;
    /// More entries than one look reads arrived: treat every kind as changed.
    bool partial = false;
};

/// Watches the head of an audit chain: one index lookup per look (AuditLog::lastSeq), every
/// interval and when poked; only when the head moved are the new entries read, and then only
/// their action and subject matter. Not a reload of anything: the listeners decide what to
/// re-read from what changed.
class AuditWatcher final : public QObject {
    Q_OBJECT
public:
    /// The most entries one look reads before it reports a partial change.
    static constexpr int MAX_ENTRIES_PER_LOOK = 2000;

    AuditWatcher(const AuditLog& log, std::chrono::milliseconds interval, QObject* parent = nullptr);

    /// Looks soon (coalescing calls that come close together), e.g. after a change event.
    void poke();
    /// Looks now.
    void look();
    [[nodiscard]] qint64 headSeq() const { return m_head; }

Q_SIGNALS:
    void changed(const countersign::audit::AuditChanges& changes);

private:
    const AuditLog& m_log;
    QTimer m_timer;
    QTimer m_soon;
    qint64 m_head = 0;
};

} // namespace countersign::audit
