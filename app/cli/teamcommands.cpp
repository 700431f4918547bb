#include "teamcommands.h"

#include "application/teamadmin.h"
#include "application/teamkeysource.h"
#include "crypto/tlsidentity.h"
#include "exitcode.h"
#include "members/memberservice.h"
#include "members/teamlistenersettings.h"
#include "output.h"
#include "pendingmemberkey.h"
#include "storage/pgconnectionconfig.h"
#include "team/teamdatabase.h"
#include "team/teamkey.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

namespace countersign::cli {

namespace {

Error usage(const QString& text)
{
    return Error{ErrorCode::InvalidArgument, QStringLiteral("usage: %1").arg(text)};
}

} // namespace

TeamCommands::TeamCommands(AdminTarget target, bool json)
    : m_target(std::move(target))
    , m_json(json)
{
}

int TeamCommands::run(const QStringList& args, const QCommandLineParser& parser)
{
    const QString command = args.value(0);
    if (command == u"init" && args.size() == 1) {
        if (!m_target.isTeam())
            return printError(m_json, usage(QStringLiteral("team init --owner NAME --host H [--port P] sets up a "
                                                           "team's database: give --database URL")));
        return init(parser);
    }
    if ((command == u"enable" || command == u"disable" || command == u"status") && args.size() == 1) {
        if (m_target.isTeam())
            return printError(m_json, Error{ErrorCode::InvalidArgument,
                                            QStringLiteral("team %1 is the desktop's team listener, not a team "
                                                           "database's: a team node listens where its --listen says")
                                                .arg(command)});
        return listener(command, parser);
    }
    return printError(m_json, usage(QStringLiteral("team enable --address A [--port P] [--host H] | team disable | "
                                                   "team status | --database URL team init --owner NAME --host H "
                                                   "[--port P]")));
}

int TeamCommands::init(const QCommandLineParser& parser)
{
    const QString owner = parser.value(QStringLiteral("owner")).trimmed();
    if (auto valid = members::MemberService::validateName(owner); !valid || !parser.isSet(QStringLiteral("host")))
        return printError(m_json, usage(QStringLiteral("team init --owner NAME --host H [--port P]: the owner's name "
                                                       "and where they reach a node (its --public-host and --listen "
                                                       "port)")));
    const auto port = portOption(parser, members::TeamListenerSettings().port);
    if (!port)
        return printError(m_json, port.error());
    auto config = storage::PgConnectionConfig::fromUrl(m_target.databaseUrl);
    if (!config)
        return printError(m_json, config.error());

    // The owner's key is made and sealed first, as `member join` makes a member's: it never
    // leaves this machine, and the team learns only its public half.
    members::MemberKeyFile draft;
    draft.host = parser.value(QStringLiteral("host"));
    draft.port = *port;
    draft.displayName = owner;
    auto pending = PendingMemberKey::create(PendingMemberKey::pathFor(parser), draft);
    if (!pending)
        return printError(m_json, pending.error());
    auto key = application::TeamKeySource::read(m_target.keyCredential, true);
    if (!key) {
        pending->discard();
        return printError(m_json, key.error());
    }
    const QString checkpoints = m_target.teamCheckpointFile();
    if (!QDir().mkpath(QFileInfo(checkpoints).absolutePath())) {
        pending->discard();
        return printError(m_json,
                          Error{ErrorCode::Io, QStringLiteral("cannot create the folder of %1").arg(checkpoints)});
    }
    const team::TeamDatabase::Owner first{team::TeamDatabase::Owner().id, owner, pending->file().publicKey};
    auto team = team::TeamDatabase::initialize(*config, *key, first, checkpoints);
    if (!team) {
        pending->discard(); // AlreadyExists included: the team is someone else's, untouched
        return printError(m_json, team.error());
    }
    auto fingerprint = crypto::TlsIdentity::fingerprint((*team)->tlsIdentity().certificatePem);
    if (!fingerprint)
        return printError(m_json, fingerprint.error());
    members::MemberKeyFile& file = pending->file();
    file.certificateSha256 = *fingerprint;
    file.memberId = first.id;
    file.role = members::roleName(members::Role::Owner);
    if (auto committed = pending->commit(); !committed)
        return printError(m_json, committed.error());
    const QString pin = QString::fromLatin1(fingerprint->toHex());
    printResult(
        m_json,
        QStringLiteral("set up the team in %1 on %2 with %3 as its owner (member %4; key kept in %5)\n"
                       "certificate SHA-256 %6 (runtimes pin it with COUNTERSIGN_PIN)")
            .arg(config->database, config->host, owner, first.id, pending->path(), pin),
        {{QStringLiteral("database"), config->database},
         {QStringLiteral("owner"),
          QJsonObject{{QStringLiteral("id"), first.id}, {QStringLiteral("display_name"), owner}}},
         {QStringLiteral("member_file"), pending->path()},
         {QStringLiteral("certificate_sha256"), pin},
         {QStringLiteral("instance_public_key"), QString::fromLatin1((*team)->instancePublicKey().toBase64())}});
    return EXIT_OK;
}

int TeamCommands::listener(const QString& command, const QCommandLineParser& parser)
{
    quint16 port = members::TeamListenerSettings().port;
    if (command == u"enable") {
        if (!parser.isSet(QStringLiteral("address")))
            return printError(m_json, usage(QStringLiteral("team enable --address A [--port P] [--host H]")));
        const auto given = portOption(parser, port);
        if (!given)
            return printError(m_json, given.error());
        port = *given;
    }
    auto session = AdminSession::open(m_target);
    if (!session)
        return printError(m_json, session.error());
    application::TeamAdmin admin((*session)->services(), (*session)->tlsIdentity(), (*session)->ownerId());
    if (command == u"enable") {
        if (auto enabled = admin.enableListener(parser.value(QStringLiteral("address")), port,
                                                parser.value(QStringLiteral("host")));
            !enabled)
            return printError(m_json, enabled.error());
    } else if (command == u"disable") {
        if (auto disabled = admin.disableListener(); !disabled)
            return printError(m_json, disabled.error());
    }
    auto current = admin.listener();
    if (!current)
        return printError(m_json, current.error());
    const QByteArray fingerprint = admin.certificateSha256();
    if (!*current) {
        printResult(m_json, QStringLiteral("the team listener is off"), {{QStringLiteral("enabled"), false}});
        return EXIT_OK;
    }
    const members::TeamListenerSettings& on = **current;
    printResult(m_json,
                QStringLiteral("the team listener is on: %1 port %2, members dial %3:%2 (takes effect when the app "
                               "starts)\ncertificate SHA-256 %4")
                    .arg(on.address)
                    .arg(on.port)
                    .arg(on.publicHost, QString::fromLatin1(fingerprint.toHex())),
                {{QStringLiteral("enabled"), true},
                 {QStringLiteral("address"), on.address},
                 {QStringLiteral("port"), on.port},
                 {QStringLiteral("host"), on.publicHost},
                 {QStringLiteral("certificate_sha256"), QString::fromLatin1(fingerprint.toHex())}});
    return EXIT_OK;
}

} // namespace countersign::cli
