#pragma once

#include "error.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace countersign::audit {
class AuditLog;
}

namespace countersign::members {

/// Where the team listener listens, kept in the vault (off until an owner turns it on).
struct TeamListenerSettings final {
    QString address; // the address to bind: 0.0.0.0, ::, or one of this machine's
    quint16 port = 7448;
    QString publicHost; // the name or address members dial (in invitation links)

    /// The stored settings; nullopt while the listener is off.
    [[nodiscard]] static Result<std::optional<TeamListenerSettings>> load(const QSqlDatabase& db);
    /// Turns the listener on with \a settings, or off with nullopt, for member \a actorId (who
    /// needs ManageTeamListener). Audited.
    [[nodiscard]] static Result<void> store(QSqlDatabase db, audit::AuditLog& audit, const QString& actorId,
                                            const std::optional<TeamListenerSettings>& settings);
    [[nodiscard]] static Result<void> validate(const TeamListenerSettings& settings);
};

} // namespace countersign::members
