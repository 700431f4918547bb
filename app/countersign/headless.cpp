#include "headless.h"

#include "application/instance.h"
#include "crypto/tlsidentity.h"
#include "http/endpointthread.h"
#include "vault/passphrasereader.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace countersign::app {

namespace {

int g_signalPipe[2] = {-1, -1};
constexpr int FILE_CHECK_MS = 2000;

void onSignal(int)
{
    const char byte = 1;
    (void)!::write(g_signalPipe[1], &byte, 1); // async-signal-safe: the event loop does the rest
}

} // namespace

int runHeadless(const QString& dataDir, const http::EndpointSettings& settings)
{
    auto passphrase = vault::PassphraseReader::read("COUNTERSIGN_PASSPHRASE_FILE", QStringLiteral("Passphrase: "));
    if (!passphrase) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(passphrase.error().message));
        return 2;
    }
    auto instance = application::Instance::unlock(dataDir, *passphrase, settings);
    passphrase->clear();
    if (!instance) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(instance.error().message));
        return instance.error().code == ErrorCode::WrongPassphrase ? 3 : 1;
    }
    // A vault restored from an older copy, or whose checkpoint file went missing, would let spent
    // approvals be consumed again: refuse to serve it.
    if (auto witnessed = (*instance)->checkBeforeServing(); !witnessed) {
        std::fprintf(stderr, "countersign: refusing to serve: %s\n", qPrintable(witnessed.error().message));
        return 1;
    }
    if (auto started = (*instance)->startEndpoint(); !started) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(started.error().message));
        return 1;
    }
    const http::EndpointThread& endpoint = (*instance)->endpoint();
    const http::EndpointSettings& serving = endpoint.settings();
    std::printf(
        "countersign: serving http://127.0.0.1:%u%s\n", endpoint.port(),
        settings.localSocketPath.isEmpty() ? "" : qPrintable(QStringLiteral(" and %1").arg(settings.localSocketPath)));
    if (serving.team) {
        auto fingerprint = crypto::TlsIdentity::fingerprint(serving.team->certificatePem);
        std::printf("countersign: serving the team on https://%s:%u (%s), certificate SHA-256 %s\n",
                    qPrintable(serving.team->publicHost), endpoint.teamPort(), qPrintable(serving.team->address),
                    fingerprint ? fingerprint->toHex().constData() : "?");
    }
    std::fflush(stdout);

    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) == 0) {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    // The endpoint answers 503 once the database file is replaced or removed behind this
    // process; say so here too, once, for whoever watches the server's output.
    QTimer fileCheck;
    fileCheck.setInterval(FILE_CHECK_MS);
    const vault::Vault& vault = (*instance)->vault();
    QObject::connect(&fileCheck, &QTimer::timeout, [&fileCheck, &vault] {
        if (auto same = vault.checkDatabaseFile(); !same) {
            std::fprintf(stderr, "countersign: stopped serving: %s\n", qPrintable(same.error().message));
            std::fflush(stderr);
            fileCheck.stop();
        }
    });
    fileCheck.start();
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, QCoreApplication::instance(), &QCoreApplication::quit);
    const int code = QCoreApplication::exec();
    fileCheck.stop();
    instance->reset(); // the endpoint, the services, then the vault and its lock
    std::fprintf(stderr, "countersign: stopped\n");
    return code;
}

} // namespace countersign::app
