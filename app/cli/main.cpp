// countersign-cli: administration of the vault without the window, and (later) the client
// that runtimes and scripts use. See SPEC section 7 and `countersign-cli --help`.
#include "crypto/crypto.h"
#include "exitcode.h"
#include "output.h"
#include "vault/vault.h"
#include "vaultcommands.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>

using namespace countersign;

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    // A command-line tool speaks through its output and exit code; diagnostics on request only.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("countersign.*.debug=false\ncountersign.*.info=false"));
    QCoreApplication::setApplicationName(QStringLiteral("countersign"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Countersign command-line client.\n\n"
        "Commands:\n"
        "  vault init --owner NAME   create a vault\n"
        "  vault passwd              change the vault passphrase\n"
        "  vault check               unlock the vault and verify its audit chain\n\n"
        "Passphrases come from the terminal, or from the files named by\n"
        "COUNTERSIGN_PASSPHRASE_FILE (and COUNTERSIGN_NEW_PASSPHRASE_FILE for a new one).\n"
        "Exit codes: 0 success, 1 check failed, 2 usage, 3 authentication, 4 refused."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Vault directory."),
                                     QStringLiteral("DIR"), vault::Vault::defaultDataDir());
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print results as JSON."));
    const QCommandLineOption owner(QStringLiteral("owner"), QStringLiteral("Owner's display name (vault init)."),
                                   QStringLiteral("NAME"));
    parser.addOptions({dataDir, json, owner});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("vault"));
    if (!parser.parse(QCoreApplication::arguments())) {
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
    const QStringList args = parser.positionalArguments();
    const bool asJson = parser.isSet(json);
    if (args.value(0) == u"vault")
        return cli::VaultCommands(parser.value(dataDir), asJson).run(args.mid(1), parser.value(owner));
    return cli::printError(asJson, Error{ErrorCode::InvalidArgument,
                                         args.isEmpty() ? QStringLiteral("no command given; see --help")
                                                        : QStringLiteral("unknown command '%1'; see --help")
                                                              .arg(args.value(0))});
}
