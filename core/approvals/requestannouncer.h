#pragma once

#include "request.h"

#include <QSqlDatabase>

#include <functional>
#include <memory>

namespace countersign::audit {
class CheckpointSigner;
}

namespace countersign::approvals {

class RequestEvents;

/// What follows a committed change of a request: the event for long-polls and views, a new
/// deadline for the expiry scheduler, and a signed checkpoint when one is due.
class RequestAnnouncer final {
public:
    RequestAnnouncer(QSqlDatabase db, RequestEvents& events);

    [[nodiscard]] RequestEvents& events() { return m_events; }
    /// Signs a checkpoint after every decision and consume, and every 1,000 entries otherwise.
    void setCheckpointSigner(audit::CheckpointSigner* signer) { m_signer = signer; }
    [[nodiscard]] audit::CheckpointSigner* checkpointSigner() const { return m_signer; }
    /// Called when a request gets a new deadline (created, approved, extended).
    void setDeadlinesChanged(std::function<void()> changed) { m_deadlinesChanged = std::move(changed); }

    void announce(const Request& request, bool created = false);
    /// A checkpoint now (\a force) or when one is due; never inside a transaction. Forced inside
    /// one (a decision in a group commit), it follows the commit, once however many asked.
    void checkpoint(bool force);

private:
    QSqlDatabase m_db;
    RequestEvents& m_events;
    audit::CheckpointSigner* m_signer = nullptr;
    std::function<void()> m_deadlinesChanged;
    /// Alive while a forced checkpoint waits for the open transaction's commit (expired when it
    /// ran, or was dropped with a rollback).
    std::weak_ptr<void> m_checkpointQueued;
};

} // namespace countersign::approvals
