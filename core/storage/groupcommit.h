#pragma once

#include "error.h"

#include <QObject>
#include <QSqlDatabase>

#include <atomic>
#include <functional>
#include <vector>

namespace countersign::storage {

/// Commits writes that arrive together in one transaction, so that one fsync makes them all
/// durable. Each submitted unit runs inside the shared transaction (its own transact() calls
/// become savepoints, so a failing unit undoes only its own writes); every unit hears of the
/// outcome only once the commit returned, and a failed commit fails all of them. The batch is
/// flushed when the event loop has taken in what was ready: while one commit waits for the
/// disk, the next batch gathers in the sockets.
///
/// Savepoints are deferred at first (SqlCipherDriver::deferSavepoints): when a unit fails after
/// writing, the batch is rolled back and every unit runs again with real ones. A unit's work
/// may therefore run twice; it must leave nothing behind but its writes, its afterCommit()
/// actions and what it hands to its done.
class GroupCommit final : public QObject {
    Q_OBJECT
public:
    using Work = std::function<void()>;
    using Done = std::function<void(const Result<void>& committed)>;

    explicit GroupCommit(QSqlDatabase db, QObject* parent = nullptr);

    /// Queues \a work for the next commit; \a done follows that commit (or its failure).
    void submit(Work work, Done done);
    /// Transactions committed so far (any thread may read it).
    [[nodiscard]] quint64 commits() const { return m_commits.load(); }

private:
    struct Unit {
        Work work;
        Done done;
    };
    void flush();
    /// Runs \a batch with deferred savepoints; false when a unit failed after writing.
    [[nodiscard]] bool runOptimistically(std::vector<Unit>& batch);

    QSqlDatabase m_db;
    std::vector<Unit> m_pending;
    bool m_flushQueued = false;
    std::atomic<quint64> m_commits{0};
};

} // namespace countersign::storage
