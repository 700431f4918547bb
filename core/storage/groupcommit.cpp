#include "groupcommit.h"

#include "transaction.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcGroupCommit, "countersign.storage")

namespace countersign::storage {

GroupCommit::GroupCommit(QSqlDatabase db, QObject* parent)
    : QObject(parent)
    , m_db(std::move(db))
{
}

void GroupCommit::submit(Work work, Done done)
{
    m_pending.push_back(Unit{std::move(work), std::move(done)});
    if (m_flushQueued)
        return;
    m_flushQueued = true;
    // Queued behind the socket events already pending: those requests join this batch.
    QMetaObject::invokeMethod(this, &GroupCommit::flush, Qt::QueuedConnection);
}

void GroupCommit::flush()
{
    m_flushQueued = false;
    std::vector<Unit> batch;
    batch.swap(m_pending);
    if (batch.empty())
        return;
    auto hold = detail::beginWrite(m_db);
    if (!hold || *hold != detail::Hold::Transaction) {
        // No shared transaction to be had (the vault was replaced, or a caller holds one): each
        // unit runs on its own and reports its own error, as without batching.
        if (hold)
            (void)detail::endWrite(m_db, *hold, true);
        for (Unit& unit : batch) {
            unit.work();
            unit.done({});
        }
        return;
    }
    if (!runOptimistically(batch)) {
        // A unit failed after it had written: with no savepoint to undo it alone, the batch is
        // rolled back and run once more, each unit in a real savepoint.
        qCDebug(lcGroupCommit) << "a unit of" << batch.size() << "failed after writing; the batch runs again";
        (void)detail::endWrite(m_db, *hold, false);
        hold = detail::beginWrite(m_db);
        if (!hold) {
            for (Unit& unit : batch)
                unit.done(std::unexpected(hold.error()));
            return;
        }
        for (Unit& unit : batch)
            unit.work();
    }
    auto committed = detail::endWrite(m_db, *hold, true);
    if (committed)
        m_commits.fetch_add(1);
    else
        qCWarning(lcGroupCommit) << "a group commit of" << batch.size()
                                 << "writes failed:" << committed.error().message;
    for (Unit& unit : batch)
        unit.done(committed);
}

bool GroupCommit::runOptimistically(std::vector<Unit>& batch)
{
    if (!detail::deferSavepoints(m_db, true)) {
        for (Unit& unit : batch)
            unit.work();
        return true;
    }
    bool clean = true;
    for (Unit& unit : batch) {
        unit.work();
        if (detail::deferredUnitFailed(m_db)) {
            clean = false;
            break;
        }
    }
    (void)detail::deferSavepoints(m_db, false);
    return clean;
}

} // namespace countersign::storage
