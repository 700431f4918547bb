#include "sessionwatch.h"

#include <QHash>

#include <utility>

namespace countersign::storage {

namespace {

struct Watch {
    QString connectionName;
    std::function<void()> drop;
};
thread_local QHash<int, Watch> t_watches;
thread_local int t_nextId = 0;

} // namespace

SessionWatch::SessionWatch(const QSqlDatabase& db, std::function<void()> drop)
    : m_id(++t_nextId)
{
    t_watches.insert(m_id, Watch{db.connectionName(), std::move(drop)});
}

SessionWatch::~SessionWatch()
{
    t_watches.remove(m_id);
}

void SessionWatch::sessionClosed(const QString& connectionName)
{
    QList<std::function<void()>> drops;
    for (auto it = t_watches.cbegin(); it != t_watches.cend(); ++it) {
        if (it->connectionName == connectionName)
            drops.append(it->drop);
    }
    for (const auto& drop : std::as_const(drops))
        drop();
}

} // namespace countersign::storage
