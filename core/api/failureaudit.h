#pragma once

#include "http/endpointsettings.h"
#include "http/failuretable.h"
#include "http/httpconnection.h"

#include <QByteArrayView>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <array>
#include <functional>

namespace countersign::http {
struct HttpRequest;
}

namespace countersign::api {

/// Failed authentications, per listener and client (docs/runtime-guide.md, "Limits the endpoint
/// enforces"): counted towards a lockout, and told to the audit chain within a budget. The audit
/// hears of each client's first failure in a window and of lockouts, up to a budget per window;
/// the rest go into one summary entry per listener and window, so that a client rotating
/// addresses cannot make the vault grow with every attempt.
class FailureAudit final : public QObject {
    Q_OBJECT
public:
    /// Appends a security event ("auth.failed", "auth.lockout") to the audit chain.
    using Record = std::function<void(const QString& action, const QJsonObject& details)>;

    FailureAudit(const http::EndpointSettings& settings, Record record, QObject* parent = nullptr);
    /// What the last window counted is not lost at shutdown.
    ~FailureAudit() override;

    /// True while the connection's client is locked out on its listener (counted as a failure
    /// for the audit's summary); \a retryAfterSeconds says for how long.
    [[nodiscard]] bool refuseIfLockedOut(const http::HttpConnection& connection, int& retryAfterSeconds);
    /// Counts a failed authentication on the connection's listener, keyed by its client, and
    /// locks the client out after too many. \a credential (what was presented) is recorded only
    /// as a short hash.
    void recordFailure(const http::HttpConnection& connection, const QString& reason, const http::HttpRequest& request,
                       QByteArrayView credential);

private:
    struct ListenerState final {
        http::FailureTable failures{http::FailureTable::Limits{}};
        int auditedThisWindow = 0; // entries written one by one
        int unaudited = 0;         // failures only counted, for the window's summary entry
        int unauditedLockouts = 0;
        QHash<QString, int> unauditedClients;
    };

    [[nodiscard]] ListenerState& stateOf(http::Listener listener);
    /// Writes each listener's summary of failures not audited one by one, and starts a new window.
    void auditWindow();

    Record m_record;
    int m_windowMs;
    int m_lockoutMs;
    QElapsedTimer m_clock;
    QTimer m_windowTimer;
    std::array<ListenerState, 3> m_listeners; // by http::Listener
};

} // namespace countersign::api
