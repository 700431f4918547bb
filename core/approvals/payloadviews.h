#pragma once

#include "payloadview.h"
#include "request.h"

#include <QString>

#include <memory>
#include <utility>

namespace countersign::crypto {
class HmacSha256;
class SecureBuffer;
} // namespace countersign::crypto

namespace countersign::approvals {

/// The views of request payloads an approver is shown and signs (PayloadView), salted with one
/// key: every service of one vault must hold the same, or their views differ.
class PayloadViews final {
public:
    /// Until the vault's key is set, a random one: views stay salted, if not stable.
    PayloadViews();
    ~PayloadViews();
    PayloadViews(const PayloadViews&) = delete;
    PayloadViews& operator=(const PayloadViews&) = delete;

    void setKey(const crypto::SecureBuffer& key);
    [[nodiscard]] PayloadView of(const Request& request) const;
    /// The digest the audit log records for \a request: "payload_sha256", or "view_sha256" when
    /// a value is masked, since an entry a member may read must not let them test guesses of it.
    [[nodiscard]] std::pair<QString, QString> loggedDigest(const Request& request) const;

private:
    std::unique_ptr<crypto::HmacSha256> m_salts;
};

} // namespace countersign::approvals
