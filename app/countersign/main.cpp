// countersign: the desktop approver. `countersign [--data-dir DIR]`; see --help.
#include "crypto/crypto.h"
#include "desktopsession.h"
#include "vault/vault.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLoggingCategory>

#include <cstdio>

using namespace countersign;

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Countersign"));
    QApplication::setOrganizationName(QStringLiteral("Countersign"));
    QApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("countersign"));
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("countersign.*.debug=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Countersign: approve or deny what automated runtimes ask to do."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Vault directory."), QStringLiteral("DIR"),
                                     vault::Vault::defaultDataDir());
    parser.addOption(dataDir);
    parser.process(app);

    if (!crypto::initialize()) {
        std::fprintf(stderr, "countersign: libsodium cannot be initialised\n");
        return 1;
    }
    ui::DesktopSession session(parser.value(dataDir));
    QObject::connect(&session, &ui::DesktopSession::finished, &app, &QApplication::quit, Qt::QueuedConnection);
    session.start();
    return QApplication::exec();
}
