#include "teamlistenersettings.h"

#include "memberauthorizer.h"

#include "audit/auditlog.h"
#include "storage/metastore.h"
#include "storage/transaction.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QRegularExpression>

namespace countersign::members {

namespace {

const QString KEY_ADDRESS = QStringLiteral("team_address");
const QString KEY_PORT = QStringLiteral("team_port");
const QString KEY_HOST = QStringLiteral("team_public_host");

} // namespace

Result<void> TeamListenerSettings::validate(const TeamListenerSettings& settings)
{
    if (QHostAddress(settings.address).isNull())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("'%1' is not an IP address to listen on").arg(settings.address.left(64)));
    if (settings.port == 0)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the team listener needs a port"));
    static const QRegularExpression hostName(QStringLiteral(R"(^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$)"));
    if (!hostName.match(settings.publicHost).hasMatch() && QHostAddress(settings.publicHost).isNull())
        return fail(
            ErrorCode::InvalidArgument,
            QStringLiteral("'%1' is not a host name or address members can dial").arg(settings.publicHost.left(64)));
    return {};
}

Result<std::optional<TeamListenerSettings>> TeamListenerSettings::load(const QSqlDatabase& db)
{
    auto stored = storage::MetaStore(db).values({KEY_ADDRESS, KEY_PORT, KEY_HOST});
    COUNTERSIGN_TRY(stored);
    if (stored->size() < 3)
        return std::optional<TeamListenerSettings>();
    TeamListenerSettings settings;
    settings.address = stored->value(KEY_ADDRESS);
    settings.port = static_cast<quint16>(stored->value(KEY_PORT).toUShort());
    settings.publicHost = stored->value(KEY_HOST);
    return std::optional<TeamListenerSettings>(settings);
}

Result<void> TeamListenerSettings::store(QSqlDatabase db, audit::AuditLog& audit, const QString& actorId,
                                         const std::optional<TeamListenerSettings>& settings)
{
    COUNTERSIGN_TRY(MemberAuthorizer(db).authorize(audit::Actor::member(actorId), Permission::ManageTeamListener));
    if (settings) {
        COUNTERSIGN_TRY(validate(*settings));
    }
    return storage::transact(db, [&]() -> Result<void> {
        storage::MetaStore meta(db);
        COUNTERSIGN_TRY(meta.remove({KEY_ADDRESS, KEY_PORT, KEY_HOST}));
        QJsonObject details;
        if (settings) {
            COUNTERSIGN_TRY(meta.set({{KEY_ADDRESS, settings->address},
                                      {KEY_PORT, QString::number(settings->port)},
                                      {KEY_HOST, settings->publicHost}}));
            details = QJsonObject{{QStringLiteral("address"), settings->address},
                                  {QStringLiteral("port"), settings->port},
                                  {QStringLiteral("public_host"), settings->publicHost}};
        }
        auto audited =
            audit.append({audit::Actor::member(actorId).toString(),
                          settings ? QStringLiteral("team.listener_enabled") : QStringLiteral("team.listener_disabled"),
                          QStringLiteral("team"), details});
        COUNTERSIGN_TRY(audited);
        return {};
    });
}

} // namespace countersign::members
