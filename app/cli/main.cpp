// countersign-cli: vault and team administration without the window, and the client that runtimes and
// scripts use (docs/runtime-guide.md). See `countersign-cli --help`.
#include "admincommands.h"
#include "auditcommands.h"
#include "crypto/crypto.h"
#include "exitcode.h"
#include "httpclient.h"
#include "membercommands.h"
#include "output.h"
#include "requestcommands.h"
#include "teamcommands.h"
#include "vault/vault.h"
#include "vaultcommands.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>

#include <cstdio>

using namespace countersign;

namespace {

const QStringList COMMANDS{QStringLiteral("vault"),   QStringLiteral("runtime"), QStringLiteral("policy"),
                           QStringLiteral("request"), QStringLiteral("status"),  QStringLiteral("wait"),
                           QStringLiteral("consume"), QStringLiteral("cancel"),  QStringLiteral("exec"),
                           QStringLiteral("audit"),   QStringLiteral("receipt"), QStringLiteral("team"),
                           QStringLiteral("member")};

const char* const HELP = R"(Countersign command-line client.

Administration (on the vault; passphrase from the terminal or COUNTERSIGN_PASSPHRASE_FILE):
  vault init --owner NAME                    create a vault
  vault passwd                               change the passphrase (new one: terminal or
                                             COUNTERSIGN_NEW_PASSPHRASE_FILE)
  vault check                                unlock and verify the audit chain
  runtime add NAME --allow GLOB...           register a runtime; prints its token once
  runtime list | runtime revoke NAME
  policy list
  policy add GLOB (--require N | --allow | --deny) [--min-risk R] [--risk-floor R] [--timeout SECONDS]
  policy remove INDEX
  audit export FILE                          the chain, its checkpoints and public key as JSON Lines
  audit key                                  print the instance's public key (base64)

  team enable --address A [--port P] [--host H]
                                             serve remote members over TLS (address to bind;
                                             host members dial, default the address)
  team disable | team status
  member invite --role R [--expires HOURS] [--note TEXT]
                                             an invitation link, shown once
  member list | member invitations | member revoke-invitation ID
  member set-role ID ROLE | member remove ID

On a team's PostgreSQL database (docs/team-server.md), with --database URL, --database-file FILE
or COUNTERSIGN_DATABASE_URL (no password in it: password_file=...); the team key from
COUNTERSIGN_TEAM_PASSPHRASE_FILE, the terminal or --team-key-credential NAME:
  team init --owner NAME --host H [--port P] set up the team; makes the owner's member key file
                                             (as member join) and prints the certificate's SHA-256
  runtime, policy, audit export|key, member invite --host H [--port P] | list | ...
                                             as on the vault, acting as the team's owner

For members (key in --member-file or COUNTERSIGN_MEMBER_FILE, default
$XDG_CONFIG_HOME/countersign/member.json; its passphrase from the terminal or
COUNTERSIGN_MEMBER_PASSPHRASE_FILE):
  member join LINK|- [--name NAME]           make a key pair, pin the certificate, join
  member queue | member show ID | member watch [--timeout SECONDS]
  member approve ID --reason R | member deny ID --reason R
                                             sign and send a decision

Offline (no vault needed):
  audit verify EXPORT [--checkpoint FILE]... [--key KEY]
                                             check an export: hashes, links, signed checkpoints
  receipt verify FILE --key KEY              check a consume receipt and its inclusion proof

For runtimes (COUNTERSIGN_URL, default http://127.0.0.1:7447; token from COUNTERSIGN_TOKEN
or COUNTERSIGN_TOKEN_FILE, never argv; an https URL needs the certificate's SHA-256 in
COUNTERSIGN_PIN or a "pin: HEX" line after the token in the token file):
  request --capability C --summary S [--payload FILE|-] [--risk R] [--details D] [--wait [SECONDS]]
  status ID | wait ID [--timeout SECONDS] | consume ID --payload FILE|- | cancel ID
  exec --capability C [--summary S] [--risk R] [--timeout SECONDS] -- COMMAND ARGS...

Exit codes: 0 approved or success, 1 check failed, 2 usage, 3 connection or authentication
failure, 4 refused by the server (any other error status, 410 Gone included), 10 denied,
11 expired or timed out, 12 cancelled.
exec exits with the command's own code once it ran.)";

/// The team database named by --database, by the file --database-file names, or by
/// COUNTERSIGN_DATABASE_URL; empty: the vault.
Result<QString> databaseUrl(const QCommandLineParser& parser)
{
    const bool given = parser.isSet(QStringLiteral("database"));
    if (given && parser.isSet(QStringLiteral("database-file")))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("give --database or --database-file, not both"));
    if (given)
        return parser.value(QStringLiteral("database"));
    if (parser.isSet(QStringLiteral("database-file"))) {
        const QString path = parser.value(QStringLiteral("database-file"));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("cannot read --database-file %1: %2").arg(path, file.errorString()));
        const QString url = QString::fromUtf8(file.readLine(8192)).trimmed();
        if (url.isEmpty())
            return fail(ErrorCode::InvalidArgument, QStringLiteral("--database-file %1 holds no URL").arg(path));
        return url;
    }
    return qEnvironmentVariable("COUNTERSIGN_DATABASE_URL");
}

/// `--wait` takes an optional number of seconds, which QCommandLineParser cannot express:
/// a bare `--wait` becomes `--wait=` (wait as long as it takes).
QStringList normaliseWait(QStringList args)
{
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args.at(i) == u"--")
            break;
        if (args.at(i) == u"--wait") {
            bool number = false;
            if (i + 1 < args.size())
                args.at(i + 1).toInt(&number);
            if (!number)
                args[i] = QStringLiteral("--wait=");
        }
    }
    return args;
}

} // namespace

int main(int argc, char* argv[])
{
    // Before anything secret is in memory: tokens, passphrases, keys.
    (void)crypto::keepMemoryFromOtherProcesses();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("countersign"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));
    // A command-line tool speaks through its output and exit code; diagnostics on request only.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("countersign.*.debug=false\ncountersign.*.info=false"));

    const QStringList arguments = normaliseWait(QCoreApplication::arguments());
    QString command;
    for (const QString& argument : arguments.mid(1)) {
        if (argument == u"--")
            break;
        if (COMMANDS.contains(argument)) {
            command = argument;
            break;
        }
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(HELP));
    parser.addHelpOption();
    parser.addVersionOption();
    auto value = [&](const char* name, const char* help, const char* valueName) {
        parser.addOption(
            QCommandLineOption(QString::fromLatin1(name), QString::fromLatin1(help), QString::fromLatin1(valueName)));
    };
    auto flag = [&](const char* name, const char* help) {
        parser.addOption(QCommandLineOption(QString::fromLatin1(name), QString::fromLatin1(help)));
    };
    value("data-dir", "Vault directory (default: $XDG_DATA_HOME/countersign).", "DIR");
    flag("json", "Print results as JSON.");
    value("owner", "Owner's display name (vault init, team init).", "NAME");
    value("acts-for", "Member the runtime acts for; they may not decide its requests (runtime add).", "MEMBER");
    if (command == u"policy") {
        // `policy add` takes --allow as an outcome; `runtime add` takes --allow GLOB.
        parser.addOption(QCommandLineOption(QStringLiteral("allow"), QStringLiteral("Auto-approve (policy add).")));
    } else {
        value("allow", "Allowed capability glob, repeatable (runtime add).", "GLOB");
    }
    value("require", "Approvals required (policy add).", "N");
    flag("deny", "Deny outright (policy add).");
    value("min-risk", "Lowest risk the rule applies to (policy add).", "RISK");
    value("risk-floor", "Treat every request for a matching capability as at least this risky (policy add).", "RISK");
    value("timeout", "Seconds (policy add: pending timeout; wait, exec: how long to wait).", "SECONDS");
    value("capability", "Capability, e.g. deploy.production.", "C");
    value("summary", "One-line summary.", "S");
    value("details", "Longer description.", "D");
    value("payload", "JSON payload file, or - for standard input.", "FILE");
    value("risk", "low, medium, high or critical.", "R");
    value("wait", "Wait for the decision (optionally at most SECONDS).", "SECONDS");
    value("idempotency-key", "Makes retries of the same request safe.", "KEY");
    value("key", "Instance public key, base64 or a file holding it (audit verify, receipt verify).", "KEY");
    value("checkpoint", "Checkpoint file or receipt to check an export against, repeatable.", "FILE");
    value("address", "Address the team listener binds (team enable).", "A");
    value("port", "Port of the team listener (team enable, team init, member invite; default 7448).", "P");
    value("host", "Host name members dial (team enable, team init, member invite).", "H");
    value("role", "owner, admin, approver or viewer (member invite).", "ROLE");
    value("expires", "Hours until the invitation expires (member invite; default 72, at most 336).", "HOURS");
    value("note", "A note kept with the invitation (member invite).", "TEXT");
    value("name", "Your display name (member join; default $USER).", "NAME");
    value("member-file", "Your member key file (member commands).", "FILE");
    value("reason", "Why (member approve, member deny).", "TEXT");
    value("database", "The team's PostgreSQL database, postgresql://... without a password (administration).", "URL");
    value("database-file", "A file holding the team database's URL (administration).", "FILE");
    value("team-key-credential", "The systemd credential holding the team's raw key (with --database).", "NAME");
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("See above."));

    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "countersign-cli: %s\n", qPrintable(parser.errorText()));
        return cli::EXIT_USAGE;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(cli::EXIT_OK);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!crypto::initialize()) {
        std::fprintf(stderr, "countersign-cli: libsodium cannot be initialised\n");
        return cli::EXIT_FAILED;
    }

    const bool json = parser.isSet(QStringLiteral("json"));
    QStringList args = parser.positionalArguments();
    const QString dataDir = parser.isSet(QStringLiteral("data-dir")) ? parser.value(QStringLiteral("data-dir"))
                                                                     : vault::Vault::defaultDataDir();
    if (command.isEmpty() || args.value(0) != command)
        return cli::printError(
            json, Error{ErrorCode::InvalidArgument,
                        args.isEmpty() ? QStringLiteral("no command given; see --help")
                                       : QStringLiteral("unknown command '%1'; see --help").arg(args.value(0))});
    args.removeFirst();
    auto url = databaseUrl(parser);
    if (!url)
        return cli::printError(json, url.error());
    const cli::AdminTarget target{dataDir, *url, parser.value(QStringLiteral("team-key-credential"))};
    if (command == u"vault" && target.isTeam())
        return cli::printError(json, Error{ErrorCode::InvalidArgument,
                                           QStringLiteral("vault commands act on this machine's vault, not on a team "
                                                          "database: drop --database (or COUNTERSIGN_DATABASE_URL)")});
    if (command == u"vault")
        return cli::VaultCommands(dataDir, json).run(args, parser.value(QStringLiteral("owner")));
    if (command == u"runtime")
        return cli::AdminCommands(target, json).runtime(args, parser);
    if (command == u"policy")
        return cli::AdminCommands(target, json).policy(args, parser);
    if (command == u"audit")
        return cli::AuditCommands(target, json).audit(args, parser);
    if (command == u"receipt")
        return cli::AuditCommands(target, json).receipt(args, parser);
    if (command == u"team")
        return cli::TeamCommands(target, json).run(args, parser);
    if (command == u"member")
        return cli::MemberCommands(target, json).member(args, parser);

    auto client = cli::HttpClient::runtimeFromEnvironment();
    if (!client)
        return cli::printError(json, client.error());
    return cli::RequestCommands(std::move(*client), json).run(command, args, parser);
}
