#pragma once

#include "permissions.h"

#include "evidence/actor.h"

#include <QByteArray>
#include <QLatin1StringView>
#include <QString>

namespace countersign::members {

/// A person who may act on the instance (docs/concepts.md, "Who acts"), with an Ed25519 key whose private
/// part never leaves their machine.
struct Member final {
    /// Ids made before the prefix existed are plain base64url (and the first owner is "owner").
    static constexpr QLatin1StringView ID_PREFIX{"mem_"};

    QString id;
    QString displayName;
    Role role = Role::Viewer;
    QByteArray publicKey;
    bool active = true;
    qint64 createdAt = 0; // ms since the epoch
    qint64 removedAt = 0;

    [[nodiscard]] QString actor() const { return audit::Actor::member(id).toString(); }
};

} // namespace countersign::members
