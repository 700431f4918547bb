#pragma once

#include "decisionstatement.h"
#include "error.h"
#include "evidence/actor.h"
#include "request.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>

namespace countersign::audit {
class AuditLog;
}
namespace countersign::crypto {
class SigningKey;
}
namespace countersign::members {
class Authorizer;
}

namespace countersign::approvals {

class PayloadViews;
class RequestAnnouncer;
class RequestLifecycle;
class RequestStore;

/// Members' decisions on pending requests: each one signed by the member's key over the
/// request and what they were shown of its payload, counted once, with a reason when the risk
/// is high or critical. One deny denies; the quorum's last approval approves.
class RequestDecisions final {
public:
    static constexpr qsizetype MAX_REASON_CHARS = 1000;
    static constexpr qint64 MAX_CLOCK_SKEW_MS = qint64{5} * 60 * 1000;

    /// What denying several requests at once did: which were denied (and how many of those
    /// were critical or high risk), and which were not, with why.
    struct BulkDenial final {
        QStringList denied;
        int criticalDenied = 0;
        int highDenied = 0;
        QList<std::pair<QString, Error>> refused; // request id, why
    };

    RequestDecisions(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                     audit::AuditLog& log, const PayloadViews& views, const members::Authorizer& authorizer);
    ~RequestDecisions();

    /// The origin decision statements name: this instance's (audit::Checkpoint::originFor).
    void setInstanceName(const QString& name) { m_instanceName = name; }
    void setLocalSigningKey(const QString& memberId, std::shared_ptr<const crypto::SigningKey> key);

    /// A decision of a member whose key this instance holds, signed here with it, then checked
    /// like any other. Others: PermissionDenied.
    [[nodiscard]] Result<Request> decideLocally(const QString& memberId, const QString& id, bool approve,
                                                const QString& reason);
    /// Denies each of \a ids as decideLocally() would; one refusal does not stop the others.
    [[nodiscard]] BulkDenial denyAll(const QString& memberId, const QStringList& ids, const QString& reason);
    /// A decision signed on the member's own machine; a refusal is audited ("request.decision_refused").
    [[nodiscard]] Result<Request> decideSigned(const DecisionStatement& statement, const QByteArray& signature);
    /// How many members could approve \a request at all: the active members whose role may
    /// decide, less the member the runtime acts for.
    [[nodiscard]] Result<int> possibleApprovers(const Request& request) const;

private:
    [[nodiscard]] Result<Request> decide(const DecisionStatement& statement, const QByteArray& signature);
    /// The approvals of \a requestId that count: by members still active and allowed to decide.
    [[nodiscard]] Result<int> countedApprovals(const QString& requestId) const;

    RequestStore& m_store;
    RequestLifecycle& m_lifecycle;
    RequestAnnouncer& m_announcer;
    audit::AuditLog& m_log;
    const PayloadViews& m_views;
    const members::Authorizer& m_authorizer;
    QString m_instanceName;
    QHash<QString, std::shared_ptr<const crypto::SigningKey>> m_localKeys;
};

} // namespace countersign::approvals
