#include "requestannouncer.h"

#include "audit/checkpointsigner.h"
#include "requestevents.h"
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
    if (created)
        Q_EMIT m_events.requestCreated(request.id);
    Q_EMIT m_events.requestChanged(request.id, stateName(request.state));
    if ((created || request.state == RequestState::Approved) && m_deadlinesChanged)
        m_deadlinesChanged();
    checkpoint(false);
}

void RequestAnnouncer::checkpoint(bool force)
{
    if (!m_signer)
        return;
    // Only committed entries are ever signed: inside a caller's transaction, wait.
    if (storage::inTransaction(m_db))
        return;
    if (force) {
        if (auto signedNow = m_signer->sign(); !signedNow)
            qCWarning(lcRequests) << "checkpoint refused:" << signedNow.error().message;
    } else if (auto due = m_signer->signIfDue(); !due) {
        qCWarning(lcRequests) << "checkpoint refused:" << due.error().message;
    }
}

} // namespace countersign::approvals
