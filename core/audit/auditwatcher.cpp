#include "auditwatcher.h"

#include "auditlog.h"

namespace countersign::audit {

AuditWatcher::AuditWatcher(const AuditLog& log, std::chrono::milliseconds interval, QObject* parent)
    : QObject(parent)
    , m_log(log)
{
    m_head = m_log.lastSeq().value_or(0);
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &AuditWatcher::look);
    m_timer.start();
    m_soon.setSingleShot(true);
    m_soon.setInterval(50);
    connect(&m_soon, &QTimer::timeout, this, &AuditWatcher::look);
}

void AuditWatcher::poke()
{
    if (!m_soon.isActive())
        m_soon.start();
}

void AuditWatcher::look()
{
    const auto head = m_log.lastSeq();
    if (!head || *head <= m_head)
        return;
    AuditChanges changes{m_head + 1, *head, {}, {}, false};
    m_head = *head;
    const qint64 count = changes.toSeq - changes.fromSeq + 1;
    const auto entries = m_log.entries(changes.fromSeq, MAX_ENTRIES_PER_LOOK);
    changes.partial = !entries || count > MAX_ENTRIES_PER_LOOK;
    if (entries) {
        static const QString REQUEST_PREFIX = QStringLiteral("request:");
        for (const AuditEntry& entry : *entries) {
            changes.kinds.insert(entry.action.section(u'.', 0, 0));
            if (entry.subject.startsWith(REQUEST_PREFIX))
                changes.requestIds.insert(entry.subject.mid(REQUEST_PREFIX.size()));
        }
    }
    Q_EMIT changed(changes);
}

} // namespace countersign::audit
