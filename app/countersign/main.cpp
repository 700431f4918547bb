// countersign: the desktop approver. `countersign [--data-dir DIR]`; see --help.
#include "common/englishplurals.h"
#include "crypto/crypto.h"
#include "headless.h"
#include "http/endpointsettings.h"
#include "shell/appearance.h"
#include "shell/desktopsession.h"
#include "shell/uisettings.h"
#include "vault/vault.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLoggingCategory>

#include <algorithm>
#include <memory>

#include <cstdio>

using namespace countersign;

int main(int argc, char* argv[])
{
    // Before anything secret is in memory: tokens, passphrases, keys.
    (void)crypto::keepMemoryFromOtherProcesses();
    // --headless serves without a window (servers, tests): no display needed.
    const bool headless =
        std::any_of(argv + 1, argv + argc, [](const char* arg) { return qstrcmp(arg, "--headless") == 0; });
    std::unique_ptr<QCoreApplication> application;
    if (headless)
        application = std::make_unique<QCoreApplication>(argc, argv);
    else
        application = std::make_unique<QApplication>(argc, argv);
    QCoreApplication& app = *application;
    QCoreApplication::setApplicationName(QStringLiteral("Countersign"));
    QCoreApplication::setOrganizationName(QStringLiteral("Countersign"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));
    if (!headless)
        QGuiApplication::setDesktopFileName(QStringLiteral("countersign"));
    ui::EnglishPlurals plurals;
    QCoreApplication::installTranslator(&plurals);
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("countersign.*.debug=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Countersign: approve or deny what automated runtimes ask to do."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Vault directory."),
                                     QStringLiteral("DIR"), vault::Vault::defaultDataDir());
    parser.addOption(dataDir);
    const QCommandLineOption headlessOption(QStringLiteral("headless"),
                                            QStringLiteral("Serve the endpoint without a window; the passphrase comes "
                                                           "from the terminal or COUNTERSIGN_PASSPHRASE_FILE."));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("Endpoint port on 127.0.0.1 and ::1 (default "
                                                 "7447, 0 for any free port)."),
                                  QStringLiteral("N"), QStringLiteral("7447"));
    const QCommandLineOption socket(QStringLiteral("socket"),
                                    QStringLiteral("Unix socket path (default under "
                                                   "$XDG_RUNTIME_DIR/countersign; 'none' "
                                                   "for no socket)."),
                                    QStringLiteral("PATH"));
    const QCommandLineOption rateLimit(QStringLiteral("rate-limit"),
                                       QStringLiteral("Requests per second per token (default 20)."),
                                       QStringLiteral("N"));
    const QCommandLineOption database(QStringLiteral("database"),
                                      QStringLiteral("With --headless: run as a node of the team whose PostgreSQL "
                                                     "database this URL names (postgresql://USER@HOST:PORT/DB?"
                                                     "sslrootcert=...&password_file=...); see "
                                                     "docs/team-server.md."),
                                      QStringLiteral("URL"));
    const QCommandLineOption keyCredential(QStringLiteral("team-key-credential"),
                                           QStringLiteral("A team node opens the team's data key with the raw key in "
                                                          "this systemd credential, instead of the team passphrase "
                                                          "(COUNTERSIGN_TEAM_PASSPHRASE_FILE or the terminal)."),
                                           QStringLiteral("NAME"));
    const QCommandLineOption nodeDir(QStringLiteral("node-dir"),
                                     QStringLiteral("Where a team node keeps the checkpoints it witnessed (default: "
                                                    "the data directory)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Where a team node serves runtimes on other machines and members "
                                                   "over TLS, ADDRESS:PORT."),
                                    QStringLiteral("ADDRESS:PORT"));
    const QCommandLineOption publicHost(QStringLiteral("public-host"),
                                        QStringLiteral("The name clients dial to reach --listen (default: its "
                                                       "address)."),
                                        QStringLiteral("NAME"));
    parser.addOptions({headlessOption, port, socket, rateLimit, database, keyCredential, nodeDir, listen, publicHost});
    parser.process(app);

    http::EndpointSettings settings;
    bool ok = false;
    settings.port = static_cast<quint16>(parser.value(port).toUShort(&ok));
    if (!ok) {
        std::fprintf(stderr, "countersign: --port takes a number from 0 to 65535\n");
        return 2;
    }
    settings.localSocketPath =
        parser.isSet(socket) ? parser.value(socket) : http::EndpointSettings::defaultLocalSocketPath();
    if (settings.localSocketPath == u"none")
        settings.localSocketPath.clear();
    if (parser.isSet(rateLimit)) {
        settings.ratePerSecond = parser.value(rateLimit).toDouble(&ok);
        if (!ok || settings.ratePerSecond <= 0) {
            std::fprintf(stderr, "countersign: --rate-limit takes a positive number\n");
            return 2;
        }
        settings.rateBurst = std::max(settings.rateBurst, settings.ratePerSecond * 2);
    }

    if (!crypto::initialize()) {
        std::fprintf(stderr, "countersign: libsodium cannot be initialised\n");
        return 1;
    }
    if (parser.isSet(database)) {
        if (!headless) {
            std::fprintf(stderr, "countersign: a team node runs with --headless\n");
            return 2;
        }
        app::TeamNodeOptions node;
        node.databaseUrl = parser.value(database);
        node.keyCredential = parser.value(keyCredential);
        node.nodeDir = parser.isSet(nodeDir) ? parser.value(nodeDir) : parser.value(dataDir);
        node.listen = parser.value(listen);
        node.publicHost = parser.value(publicHost);
        return app::runTeamNode(node, settings);
    }
    if (headless)
        return app::runHeadless(parser.value(dataDir), settings);
    ui::applyColorScheme(ui::parseColorScheme(ui::UiSettings::colorScheme()));
    ui::DesktopSession session(parser.value(dataDir), settings);
    QObject::connect(&session, &ui::DesktopSession::finished, &app, &QApplication::quit, Qt::QueuedConnection);
    session.start();
    return QCoreApplication::exec();
}
