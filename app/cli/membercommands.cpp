#include "membercommands.h"

#include "application/teamadmin.h"
#include "approvals/decisionstatement.h"
#include "approvals/payloadview.h"
#include "approvals/services.h"
#include "crypto/signingkey.h"
#include "exitcode.h"
#include "httpclient.h"
#include "members/invitationlink.h"
#include "members/invitationservice.h"
#include "members/memberkeyfile.h"
#include "members/memberservice.h"
#include "members/sessionservice.h"
#include "members/teamlistenersettings.h"
#include "output.h"
#include "pendingmemberkey.h"
#include "vault/passphrasereader.h"
#include "vault/vault.h"
#include "witness.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTextStream>

#include <cstdio>

namespace countersign::cli {

namespace {

Error usage(const QString& text)
{
    return Error{ErrorCode::InvalidArgument, QStringLiteral("usage: %1").arg(text)};
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

QString describe(const QJsonObject& request)
{
    return QStringLiteral("%1  %2  %3  %4  from %5%6")
        .arg(request.value(QStringLiteral("id")).toString(), request.value(QStringLiteral("risk")).toString(),
             request.value(QStringLiteral("capability")).toString(),
             request.value(QStringLiteral("summary")).toString(), request.value(QStringLiteral("runtime")).toString(),
             request.value(QStringLiteral("approvals")).toInt() > 0
                 ? QStringLiteral("  (%1 of %2 approvals)")
                       .arg(request.value(QStringLiteral("approvals")).toInt())
                       .arg(request.value(QStringLiteral("required_approvals")).toInt())
                 : QString());
}

/// A member's signed-in connection: key file read and unsealed, session opened.
struct MemberSession {
    members::MemberKeyFile file;
    std::optional<crypto::SigningKey> key;
    std::unique_ptr<HttpClient> client;
    QString instance; // the instance's origin, as its checkpoints name it
};

Result<std::unique_ptr<MemberSession>> signIn(const QString& path, int& exitCode)
{
    exitCode = EXIT_FAILED;
    auto file = members::MemberKeyFile::read(path);
    if (!file) {
        exitCode = EXIT_USAGE;
        return fail(file.error().code, file.error().message + QStringLiteral(" (join first: member join LINK)"));
    }
    if (file->memberId.isEmpty()) {
        exitCode = EXIT_USAGE;
        return fail(ErrorCode::InvalidArgument, QStringLiteral("%1 never finished joining").arg(path));
    }
    auto passphrase =
        vault::PassphraseReader::read(PendingMemberKey::PASSPHRASE_FILE, QStringLiteral("Member key passphrase: "));
    if (!passphrase)
        return std::unexpected(passphrase.error());
    auto key = members::MemberKeyFile::unseal(path, *passphrase);
    if (!key) {
        exitCode = key.error().code == ErrorCode::WrongPassphrase ? EXIT_AUTH : EXIT_FAILED;
        return std::unexpected(key.error());
    }
    auto session = std::make_unique<MemberSession>();
    session->file = *file;
    session->key.emplace(std::move(*key));
    session->client =
        std::make_unique<HttpClient>(HttpClient::teamListener(file->host, file->port, file->certificateSha256));
    const HttpClient::Response challenge =
        session->client->post(QStringLiteral("/v1/sessions/challenge"), {{QStringLiteral("member"), file->memberId}});
    if (challenge.status != 200) {
        exitCode = exitCodeForStatus(challenge.status);
        return fail(ErrorCode::Unauthenticated, challenge.errorMessage());
    }
    const QByteArray nonce =
        QByteArray::fromBase64(challenge.body.value(QStringLiteral("nonce")).toString().toLatin1());
    // The statement names the instance as it names itself; its checkpoints must say the same (below).
    const QString instance = challenge.body.value(QStringLiteral("instance")).toString();
    const QByteArray signature =
        session->key->sign(members::SessionService::statement(instance, file->memberId, nonce));
    const HttpClient::Response opened = session->client->post(
        QStringLiteral("/v1/sessions"), {{QStringLiteral("member"), file->memberId},
                                         {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                         {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}});
    if (opened.status != 201) {
        exitCode = exitCodeForStatus(opened.status);
        return fail(ErrorCode::Unauthenticated, opened.errorMessage());
    }
    session->client->setToken(opened.body.value(QStringLiteral("token")).toString().toLatin1());
    // A member is a witness too: the instance still holds the log this client saw before.
    const HttpClient& client = *session->client;
    auto witnessed = Witness(Witness::defaultStateFile()).check([&client](const QString& route) {
        const HttpClient::Response response = client.get(route);
        return std::pair{response.status, response.body};
    });
    if (!witnessed) {
        exitCode = witnessed.error().code == ErrorCode::Io ? EXIT_FAILED : EXIT_AUTH;
        return std::unexpected(witnessed.error());
    }
    if (*witnessed != instance) {
        exitCode = EXIT_AUTH;
        return fail(ErrorCode::Integrity, QStringLiteral("the instance called itself %1 but its checkpoints are signed "
                                                         "as %2")
                                              .arg(instance.left(64), *witnessed));
    }
    session->instance = *witnessed;
    return session;
}

} // namespace

MemberCommands::MemberCommands(AdminTarget target, bool json)
    : m_target(std::move(target))
    , m_json(json)
{
}

int MemberCommands::member(const QStringList& args, const QCommandLineParser& parser)
{
    const QString command = args.value(0);
    static const QStringList ADMIN{QStringLiteral("invite"),      QStringLiteral("list"),
                                   QStringLiteral("invitations"), QStringLiteral("revoke-invitation"),
                                   QStringLiteral("set-role"),    QStringLiteral("remove")};
    static const QStringList REMOTE{QStringLiteral("queue"), QStringLiteral("show"), QStringLiteral("approve"),
                                    QStringLiteral("deny"), QStringLiteral("watch")};
    if (command == u"join")
        return join(args, parser);
    if (ADMIN.contains(command))
        return administer(command, args, parser);
    if (REMOTE.contains(command))
        return remote(command, args, parser);
    return printError(m_json, usage(QStringLiteral("member (join LINK | queue | show ID | approve ID --reason R | deny "
                                                   "ID --reason R | watch | invite --role R | list | invitations | "
                                                   "revoke-invitation ID | set-role ID ROLE | remove ID)")));
}

int MemberCommands::administer(const QString& command, const QStringList& args, const QCommandLineParser& parser)
{
    const qsizetype wanted = command == u"set-role"                                    ? 3
                             : command == u"revoke-invitation" || command == u"remove" ? 2
                                                                                       : 1;
    if (args.size() != wanted)
        return printError(m_json, usage(QStringLiteral("member %1%2")
                                            .arg(command, wanted == 3   ? QStringLiteral(" ID ROLE")
                                                          : wanted == 2 ? QStringLiteral(" ID")
                                                                        : QString())));
    std::optional<members::Role> role;
    if (command == u"invite" || command == u"set-role") {
        const QString name = command == u"invite" ? parser.value(QStringLiteral("role")) : args.at(2);
        role = members::parseRole(name);
        if (!role)
            return printError(m_json, usage(QStringLiteral("a role is owner, admin, approver or viewer")));
    }
    qint64 expirySeconds = members::InvitationService::DEFAULT_EXPIRY_SECONDS;
    if (parser.isSet(QStringLiteral("expires"))) {
        bool ok = false;
        const double hours = parser.value(QStringLiteral("expires")).toDouble(&ok);
        if (!ok || hours <= 0)
            return printError(m_json, usage(QStringLiteral("--expires takes a number of hours")));
        expirySeconds = static_cast<qint64>(hours * 3600);
    }
    const auto dialPort = portOption(parser, members::TeamListenerSettings().port);
    if (!dialPort)
        return printError(m_json, dialPort.error());
    if (m_target.isTeam() && command == u"invite" && !parser.isSet(QStringLiteral("host")))
        return printError(m_json, usage(QStringLiteral("member invite --role R --host H [--port P]: on a team, the "
                                                       "node's --public-host and --listen port the invitee dials")));
    auto session = AdminSession::open(m_target);
    if (!session)
        return printError(m_json, session.error());
    approvals::Services& services = (*session)->services();
    const QString owner = (*session)->ownerId();

    if (command == u"invite") {
        application::TeamAdmin admin(services, (*session)->tlsIdentity(), owner);
        const QString note = parser.value(QStringLiteral("note"));
        // A team's nodes are told where they listen on their command line: the link names the
        // node given here (docs/team-server.md, "Administering a team").
        auto invited = (*session)->isTeam()
                           ? admin.inviteTo(parser.value(QStringLiteral("host")), *dialPort, *role, expirySeconds, note)
                           : admin.invite(*role, expirySeconds, note);
        if (!invited)
            return printError(m_json, invited.error());
        const members::Invitation& created = invited->invitation;
        const QString link = invited->link.toString();
        printResult(m_json,
                    QStringLiteral("invitation %1 for a %2, valid until %3:\n\n    %4\n\nThe link is shown once; "
                                   "send it to the invitee over a channel you trust.")
                        .arg(created.id, members::roleName(*role), isoTime(created.expiresAt), link),
                    {{QStringLiteral("id"), created.id},
                     {QStringLiteral("role"), members::roleName(*role)},
                     {QStringLiteral("expires_at"), isoTime(created.expiresAt)},
                     {QStringLiteral("link"), link}});
        return EXIT_OK;
    }
    if (command == u"list") {
        auto all = services.members().list(owner);
        if (!all)
            return printError(m_json, all.error());
        QStringList lines;
        QJsonArray array;
        for (const members::Member& member : std::as_const(*all)) {
            lines.append(QStringLiteral("%1  %2  %3  %4")
                             .arg(member.id, member.displayName, members::roleName(member.role),
                                  member.active ? QStringLiteral("active") : QStringLiteral("removed")));
            array.append(QJsonObject{{QStringLiteral("id"), member.id},
                                     {QStringLiteral("display_name"), member.displayName},
                                     {QStringLiteral("role"), members::roleName(member.role)},
                                     {QStringLiteral("active"), member.active}});
        }
        printResult(m_json, lines.join(u'\n'), {{QStringLiteral("members"), array}});
        return EXIT_OK;
    }
    if (command == u"invitations") {
        auto all = services.invitations().list(owner);
        if (!all)
            return printError(m_json, all.error());
        QStringList lines;
        QJsonArray array;
        for (const members::Invitation& invitation : std::as_const(*all)) {
            const QString state = members::Invitation::stateName(invitation.state);
            lines.append(QStringLiteral("%1  %2  %3  until %4  %5")
                             .arg(invitation.id, members::roleName(invitation.role), state,
                                  isoTime(invitation.expiresAt), invitation.note));
            array.append(QJsonObject{{QStringLiteral("id"), invitation.id},
                                     {QStringLiteral("role"), members::roleName(invitation.role)},
                                     {QStringLiteral("state"), state},
                                     {QStringLiteral("expires_at"), isoTime(invitation.expiresAt)},
                                     {QStringLiteral("note"), invitation.note}});
        }
        printResult(m_json, lines.isEmpty() ? QStringLiteral("no invitations") : lines.join(u'\n'),
                    {{QStringLiteral("invitations"), array}});
        return EXIT_OK;
    }
    if (command == u"revoke-invitation") {
        auto revoked = services.invitations().revoke(owner, args.at(1));
        if (!revoked)
            return printError(m_json, revoked.error());
        printResult(m_json, QStringLiteral("revoked invitation %1").arg(args.at(1)),
                    {{QStringLiteral("revoked"), args.at(1)}});
        return EXIT_OK;
    }
    auto changed = command == u"set-role" ? services.members().changeRole(owner, args.at(1), *role)
                                          : services.members().remove(owner, args.at(1));
    if (!changed)
        return printError(m_json, changed.error());
    printResult(m_json,
                command == u"remove"
                    ? QStringLiteral("removed %1; their sessions have ended").arg(changed->displayName)
                    : QStringLiteral("%1 is now %2").arg(changed->displayName, members::roleName(changed->role)),
                {{QStringLiteral("id"), changed->id},
                 {QStringLiteral("role"), members::roleName(changed->role)},
                 {QStringLiteral("active"), changed->active}});
    return EXIT_OK;
}

int MemberCommands::join(const QStringList& args, const QCommandLineParser& parser)
{
    if (args.size() != 2)
        return printError(m_json, usage(QStringLiteral("member join LINK|- [--name NAME] [--member-file FILE]")));
    QString linkText = args.at(1);
    if (linkText == u"-")
        linkText = QTextStream(stdin).readLine(4096);
    auto link = members::InvitationLink::parse(linkText);
    if (!link)
        return printError(m_json, link.error());
    const QString name =
        parser.isSet(QStringLiteral("name")) ? parser.value(QStringLiteral("name")) : qEnvironmentVariable("USER");
    if (auto valid = members::MemberService::validateName(name); !valid)
        return printError(m_json,
                          Error{ErrorCode::InvalidArgument, valid.error().message + QStringLiteral(" (--name)")});
    // The key is made and kept before anything is sent: it never leaves this file.
    members::MemberKeyFile draft;
    draft.host = link->host;
    draft.port = link->port;
    draft.certificateSha256 = link->certificateSha256;
    draft.displayName = name.trimmed();
    auto pending = PendingMemberKey::create(PendingMemberKey::pathFor(parser), draft);
    if (!pending)
        return printError(m_json, pending.error());
    members::MemberKeyFile& file = pending->file();
    const QString path = pending->path();
    const HttpClient client = HttpClient::teamListener(link->host, link->port, link->certificateSha256);
    const HttpClient::Response response =
        client.post(QStringLiteral("/v1/invitations/redeem"),
                    {{QStringLiteral("token"), link->token},
                     {QStringLiteral("display_name"), file.displayName},
                     {QStringLiteral("public_key"), QString::fromLatin1(file.publicKey.toBase64())}});
    if (response.status != 201) {
        // Refused (a certificate other than the pinned one, or any answer but "joined"): the key
        // belongs to nobody. Only when no answer came might the instance have taken it.
        if (response.status != 0 || response.pinMismatch)
            pending->discard();
        else
            std::fprintf(stderr, "countersign-cli: the key is kept in %s in case the instance took it\n",
                         qPrintable(pending->pendingPath()));
        return printResponseError(m_json, response);
    }
    const QJsonObject member = response.body.value(QStringLiteral("member")).toObject();
    file.memberId = member.value(QStringLiteral("id")).toString();
    file.role = member.value(QStringLiteral("role")).toString();
    if (auto committed = pending->commit(); !committed)
        return printError(m_json, committed.error());
    printResult(m_json,
                QStringLiteral("joined %1:%2 as %3 (%4); member id %5; key kept in %6")
                    .arg(file.host)
                    .arg(file.port)
                    .arg(file.displayName, file.role, file.memberId, path),
                {{QStringLiteral("member"), member}, {QStringLiteral("member_file"), path}});
    return EXIT_OK;
}

int MemberCommands::remote(const QString& command, const QStringList& args, const QCommandLineParser& parser)
{
    const bool needsId = command == u"show" || command == u"approve" || command == u"deny";
    if (args.size() != (needsId ? 2 : 1))
        return printError(
            m_json, usage(QStringLiteral("member %1%2").arg(command, needsId ? QStringLiteral(" ID") : QString())));
    if ((command == u"approve" || command == u"deny") && !parser.isSet(QStringLiteral("reason")))
        return printError(m_json, usage(QStringLiteral("member %1 ID --reason TEXT").arg(command)));
    int exitCode = EXIT_FAILED;
    auto session = signIn(PendingMemberKey::pathFor(parser), exitCode);
    if (!session) {
        std::fprintf(stderr, "countersign-cli: %s\n", qPrintable(session.error().message));
        return exitCode;
    }
    HttpClient& client = *(*session)->client;

    if (command == u"queue") {
        const HttpClient::Response queue = client.get(QStringLiteral("/v1/member/queue"));
        if (queue.status != 200)
            return printResponseError(m_json, queue);
        QStringList lines;
        for (const QJsonValue& request : queue.body.value(QStringLiteral("requests")).toArray())
            lines.append(describe(request.toObject()));
        printResult(m_json, lines.isEmpty() ? QStringLiteral("nothing waiting") : lines.join(u'\n'), queue.body);
        return EXIT_OK;
    }
    if (command == u"watch") {
        // New requests as they arrive, through the long-poll; until --timeout or interrupted.
        const int limit =
            parser.isSet(QStringLiteral("timeout")) ? parser.value(QStringLiteral("timeout")).toInt() : -1;
        QElapsedTimer clock;
        clock.start();
        QSet<QString> seen;
        qint64 since = 0;
        bool first = true;
        while (limit < 0 || clock.elapsed() < qint64{limit} * 1000) {
            const int wait =
                limit < 0 ? 60
                          : static_cast<int>(std::max<qint64>(1, std::min<qint64>(60, limit - clock.elapsed() / 1000)));
            const HttpClient::Response queue =
                client.get(QStringLiteral("/v1/member/queue?wait=%1&since=%2").arg(first ? 0 : wait).arg(since),
                           (wait + 10) * 1000);
            first = false;
            if (queue.status != 200)
                return printResponseError(m_json, queue);
            for (const QJsonValue& value : queue.body.value(QStringLiteral("requests")).toArray()) {
                const QJsonObject request = value.toObject();
                since = std::max(since, request.value(QStringLiteral("created_at_ms")).toInteger());
                if (seen.contains(request.value(QStringLiteral("id")).toString()))
                    continue;
                seen.insert(request.value(QStringLiteral("id")).toString());
                printResult(m_json, describe(request), request);
                std::fflush(stdout);
            }
        }
        return EXIT_OK;
    }
    const QString path = QStringLiteral("/v1/member/requests/") + args.at(1);
    const HttpClient::Response shown = client.get(path);
    if (shown.status != 200)
        return printResponseError(m_json, shown);
    if (command == u"show") {
        printResult(m_json, QString::fromUtf8(QJsonDocument(shown.body).toJson(QJsonDocument::Indented)).trimmed(),
                    shown.body);
        return EXIT_OK;
    }
    // The member signs what they saw: this request, the digest of the view shown to them --
    // computed here from that view, never taken from the instance's word -- this verdict and
    // reason. A view that does not match its claimed digest is not signed.
    auto digest = approvals::PayloadView::digestToSign(shown.body);
    if (!digest)
        return printError(m_json, digest.error());
    approvals::DecisionStatement statement{args.at(1),
                                           (*session)->file.memberId,
                                           {},
                                           command == u"approve",
                                           parser.value(QStringLiteral("reason")),
                                           QDateTime::currentMSecsSinceEpoch(),
                                           (*session)->instance};
    statement.viewSha256 = *digest;
    const QByteArray signature = statement.sign(*(*session)->key);
    const HttpClient::Response decided = client.post(
        path + QStringLiteral("/decision"), {{QStringLiteral("verdict"), command},
                                             {QStringLiteral("reason"), statement.reason},
                                             {QStringLiteral("view_sha256"), statement.viewSha256},
                                             {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                                             {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}});
    if (decided.status != 200)
        return printResponseError(m_json, decided);
    printResult(m_json,
                QStringLiteral("%1 %2: the request is now %3")
                    .arg(command == u"approve" ? QStringLiteral("approved") : QStringLiteral("denied"), args.at(1),
                         decided.body.value(QStringLiteral("state")).toString()),
                decided.body);
    return EXIT_OK;
}

} // namespace countersign::cli
