#pragma once

#include "audit/auditproofs.h"

#include <QJsonObject>

namespace countersign::api {

/// The audit routes' bodies (docs/runtime-guide.md, "Routes"): what a runtime or
/// a member's client needs to witness the log, hashes in base64.
class AuditWire final {
public:
    /// {"checkpoint": note, "size", "root", "public_key"}
    [[nodiscard]] static QJsonObject checkpoint(const audit::AuditProofs::SignedCheckpoint& signedCheckpoint);
    /// {"seq", "leaf_index", "tree_size", "leaf_hash", "proof"} and "entry" when it was asked for.
    [[nodiscard]] static QJsonObject inclusion(const audit::AuditProofs::Inclusion& proof);
    /// {"from", "to", "proof"}
    [[nodiscard]] static QJsonObject consistency(const audit::AuditProofs::Consistency& proof);
};

} // namespace countersign::api
