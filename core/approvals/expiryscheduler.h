#pragma once

#include "error.h"
#include "evidence/actor.h"
#include "request.h"

#include <QObject>
#include <QTimer>

namespace countersign::members {
class Authorizer;
}
namespace countersign::policy {
class PolicyStore;
}

namespace countersign::approvals {

class RequestAnnouncer;
class RequestLifecycle;
class RequestStore;

/// Deadlines: expires pending requests past theirs and approvals past their validity, on a timer
/// when enabled, and lets a member push a pending request's deadline back within the policy.
class ExpiryScheduler final : public QObject {
    Q_OBJECT
public:
    static constexpr int MAX_LIFETIME_FACTOR = 4;
    /// How much longer a request may be made to wait: the longest its policy lets it live in all
    /// (extend()'s bound), and how far its deadline may still move. No room once the deadline
    /// sits at that bound, or when the request no longer waits.
    struct ExtensionRoom final {
        qint64 lifetimeMs = 0; // from creation to the latest deadline the policy allows
        qint64 roomMs = 0;     // how far the deadline may still move now
    };

    ExpiryScheduler(RequestStore& store, RequestLifecycle& lifecycle, RequestAnnouncer& announcer,
                    policy::PolicyStore& policies, const members::Authorizer& authorizer, QObject* parent = nullptr);

    /// Expires everything due now. Returns how many changed.
    [[nodiscard]] Result<int> expireDue();
    void setEnabled(bool enabled);
    /// Arms the timer for the nearest deadline (re-checking at least every minute).
    void schedule();
    /// Pushes a pending request's deadline back by \a seconds (audited, "request.extend"), for
    /// \a actor if allowed to extend. A request lives at most MAX_LIFETIME_FACTOR times its
    /// rule's timeout, and never past PolicyRule::MAX_SECONDS.
    [[nodiscard]] Result<Request> extend(const audit::Actor& actor, const QString& id, int seconds);
    /// The ExtensionRoom of \a request as it stands (pass a fresh copy).
    [[nodiscard]] Result<ExtensionRoom> extensionRoom(const Request& request) const;

private:
    RequestStore& m_store;
    RequestLifecycle& m_lifecycle;
    RequestAnnouncer& m_announcer;
    policy::PolicyStore& m_policies;
    const members::Authorizer& m_authorizer;
    QTimer m_timer;
    bool m_enabled = false;
};

} // namespace countersign::approvals
