#include "headless.h"

#include "application/instance.h"
#include "application/teamkeysource.h"
#include "application/teamnode.h"
#include "audit/checkpointsigner.h"
#include "crypto/tlsidentity.h"
#include "http/endpointthread.h"
#include "storage/pgconnectionconfig.h"
#include "team/teamdatabase.h"
#include "team/teamkey.h"
#include "vault/passphrasereader.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QDir>
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

/// Quits the event loop on SIGINT or SIGTERM (once exec() runs).
std::unique_ptr<QSocketNotifier> quitOnSignals()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return nullptr;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    auto notifier = std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(notifier.get(), &QSocketNotifier::activated, QCoreApplication::instance(),
                     &QCoreApplication::quit);
    return notifier;
}

Result<std::optional<http::EndpointSettings::Team>> listenerFor(const TeamNodeOptions& options)
{
    if (options.listen.isEmpty())
        return std::optional<http::EndpointSettings::Team>();
    const qsizetype colon = options.listen.lastIndexOf(u':');
    bool ok = false;
    const uint port = colon > 0 ? options.listen.mid(colon + 1).toUInt(&ok) : 0;
    if (!ok || port > 65535)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("--listen takes ADDRESS:PORT, e.g. 0.0.0.0:7448 or [::]:7448"));
    http::EndpointSettings::Team listener;
    listener.address = options.listen.left(colon);
    if (listener.address.startsWith(u'[') && listener.address.endsWith(u']'))
        listener.address = listener.address.mid(1, listener.address.size() - 2);
    listener.port = static_cast<quint16>(port);
    listener.publicHost = options.publicHost.isEmpty() ? listener.address : options.publicHost;
    return std::optional<http::EndpointSettings::Team>(std::move(listener));
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

    const auto signals = quitOnSignals();
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
    const int code = QCoreApplication::exec();
    fileCheck.stop();
    instance->reset(); // the endpoint, the services, then the vault and its lock
    std::fprintf(stderr, "countersign: stopped\n");
    return code;
}

int runTeamNode(const TeamNodeOptions& options, const http::EndpointSettings& settings)
{
    auto config = storage::PgConnectionConfig::fromUrl(options.databaseUrl);
    if (!config) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(config.error().message));
        return 2;
    }
    auto listener = listenerFor(options);
    if (!listener) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(listener.error().message));
        return 2;
    }
    auto key = application::TeamKeySource::read(options.keyCredential);
    if (!key) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(key.error().message));
        return 2;
    }
    if (!QDir().mkpath(options.nodeDir)) {
        std::fprintf(stderr, "countersign: cannot create the node directory %s\n", qPrintable(options.nodeDir));
        return 1;
    }
    auto team =
        team::TeamDatabase::open(*config, *key, QDir(options.nodeDir).filePath(audit::CheckpointSigner::FILE_NAME));
    if (!team) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(team.error().message));
        return team.error().code == ErrorCode::WrongPassphrase ? 3 : 1;
    }
    auto node = application::TeamNode::open(std::move(*team), settings, std::move(*listener));
    if (!node) {
        std::fprintf(stderr, "countersign: %s\n", qPrintable(node.error().message));
        return 1;
    }
    if (auto started = (*node)->start(); !started) {
        std::fprintf(stderr, "countersign: refusing to serve: %s\n", qPrintable(started.error().message));
        return 1;
    }
    const http::EndpointThread& endpoint = (*node)->endpoint();
    std::printf("countersign: team node on %s/%s, serving http://127.0.0.1:%u\n", qPrintable(config->host),
                qPrintable(config->database), endpoint.port());
    if (const auto& tls = endpoint.settings().team) {
        auto fingerprint = crypto::TlsIdentity::fingerprint(tls->certificatePem);
        std::printf("countersign: serving runtimes and members on https://%s:%u (%s), certificate SHA-256 %s\n",
                    qPrintable(tls->publicHost), endpoint.teamPort(), qPrintable(tls->address),
                    fingerprint ? fingerprint->toHex().constData() : "?");
    }
    std::fflush(stdout);
    const auto signals = quitOnSignals();
    const int code = QCoreApplication::exec();
    node->reset();
    std::fprintf(stderr, "countersign: stopped\n");
    return code;
}

} // namespace countersign::app
