#include "teamlistenersettings.h"

#include "memberauthorizer.h"

#include "audit/auditlog.h"
#include "storage/transaction.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

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
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT key, value FROM meta WHERE key IN (?, ?, ?)"));
    query.addBindValue(KEY_ADDRESS);
    query.addBindValue(KEY_PORT);
    query.addBindValue(KEY_HOST);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    TeamListenerSettings settings;
    int found = 0;
    while (query.next()) {
        const QString key = query.value(0).toString();
        const QString value = query.value(1).toString();
        ++found;
        if (key == KEY_ADDRESS)
            settings.address = value;
        else if (key == KEY_PORT)
            settings.port = static_cast<quint16>(value.toUShort());
        else
            settings.publicHost = value;
    }
    if (found < 3)
        return std::optional<TeamListenerSettings>();
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
        QSqlQuery remove(db);
        remove.prepare(QStringLiteral("DELETE FROM meta WHERE key IN (?, ?, ?)"));
        remove.addBindValue(KEY_ADDRESS);
        remove.addBindValue(KEY_PORT);
        remove.addBindValue(KEY_HOST);
        if (!remove.exec())
            return fail(ErrorCode::Storage, remove.lastError().text());
        QJsonObject details;
        if (settings) {
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?), (?, ?), (?, ?)"));
            insert.addBindValue(KEY_ADDRESS);
            insert.addBindValue(settings->address);
            insert.addBindValue(KEY_PORT);
            insert.addBindValue(QString::number(settings->port));
            insert.addBindValue(KEY_HOST);
            insert.addBindValue(settings->publicHost);
            if (!insert.exec())
                return fail(ErrorCode::Storage, insert.lastError().text());
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
