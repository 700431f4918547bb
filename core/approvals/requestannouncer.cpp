#include "requestannouncer.h"

#include "audit/checkpointsigner.h"
#include "requestevents.h"
#include "storage/pgnotifications.h"
#include "storage/sqldialect.h"
#include "storage/transaction.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRequests)

namespace countersign::approvals {

RequestAnnouncer::RequestAnnouncer(QSqlDatabase db, RequestEvents& events)
    : m_db(std::move(db))
    , m_events(events)
{
}

void RequestAnnouncer::announce(const Request& request, bool created)
{
    // The other nodes of a team hear of it too: the id alone, delivered by PostgreSQL only once
    // this transaction commits (docs/team-server.md, "Wake-ups").
    if (storage::SqlDialect::of(m_db).kind() == storage::SqlDialect::Kind::PostgreSql) {
        if (auto hinted =
                storage::PgNotifications::notify(m_db, storage::PgNotifications::REQUESTS_CHANNEL, request.id);
            !hinted)
            qCWarning(lcRequests) << "no wake-up for the other nodes:" << hinted.error().message;
    }
    // Inside a group commit the change is not on disk yet: it is announced after the commit, and
    // never if the commit fails.
    storage::afterCommit(m_db, [this, id = request.id, state = request.state, created] {
        if (created)
            Q_EMIT m_events.requestCreated(id);
        Q_EMIT m_events.requestChanged(id, stateName(state));
        if ((created || state == RequestState::Approved) && m_deadlinesChanged)
            m_deadlinesChanged();
        checkpoint(false);
    });
}

void RequestAnnouncer::checkpoint(bool force)
{
    if (!m_signer)
        return;
    // Only committed entries are ever signed: inside a transaction, a forced checkpoint waits
    // for the commit, and one signed then serves every decision of a group commit.
    if (storage::inTransaction(m_db)) {
        if (!force || !m_checkpointQueued.expired())
            return;
        auto queued = std::make_shared<bool>(true);
        m_checkpointQueued = queued;
        storage::afterCommit(m_db, [this, queued] {
            m_checkpointQueued.reset();
            checkpoint(true);
        });
        return;
    }
    if (force) {
        if (auto signedNow = m_signer->sign(); !signedNow)
            qCWarning(lcRequests) << "checkpoint refused:" << signedNow.error().message;
    } else if (auto due = m_signer->signIfDue(); !due) {
        qCWarning(lcRequests) << "checkpoint refused:" << due.error().message;
    }
}

} // namespace countersign::approvals
