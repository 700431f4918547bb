#pragma once

#include "approvals/payloadview.h"
#include "approvals/request.h"

#include <QJsonObject>

namespace countersign::api {

/// A request on the wire (docs/runtime-guide.md and docs/team.md, "Routes"): as its runtime reads
/// it, and as a member is shown it. Times are ISO 8601 UTC.
class RequestWire final {
public:
    /// GET /v1/requests/{id}
    [[nodiscard]] static QJsonObject request(const approvals::Request& request);
    /// A request as a member sees it: the payload's view (masked values as salted commitments)
    /// and its digest, which their decision signs. Never the payload digest of a payload with
    /// masked values: it would let them test guesses of those values.
    [[nodiscard]] static QJsonObject shown(const approvals::Request& request, const approvals::PayloadView& view);
};

} // namespace countersign::api
