// Test helper run as a separate process so that tests can kill it with SIGKILL:
//   countersign-vault-helper append DIR      appends audit entries forever, printing "ack <seq>"
//                                            after each one has committed
//   countersign-vault-helper rekey DIR       changes the passphrase to the one in
//                                            COUNTERSIGN_NEW_PASSPHRASE_FILE (fast KDF)
//   countersign-vault-helper approve DIR ID  approves a request as the owner (decision API)
//   countersign-vault-helper consume DIR ID SHA256
//                                            consumes a request as the runtime whose token is in
//                                            COUNTERSIGN_TOKEN_FILE: prints "ready" once its own
//                                            connection is open, waits for a line on stdin (the
//                                            race's start), then prints "consumed" or the error
//                                            code's name
// The passphrase comes from COUNTERSIGN_PASSPHRASE_FILE.
#include "application/instance.h"
#include "approvals/requestservice.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/securebuffer.h"
#include "http/endpointsettings.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonObject>

#include <cstdio>
#include <iostream>
#include <string>

using namespace countersign;

namespace {

crypto::SecureBuffer passphraseFrom(const char* variable)
{
    QFile file(qEnvironmentVariable(variable));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray line = file.readLine().trimmed();
    return crypto::SecureBuffer::takeFrom(line);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 3 || !crypto::initialize())
        return 2;
    const QString command = args.at(1);
    const QString dir = args.at(2);
    auto vault = vault::Vault::open(dir, passphraseFrom("COUNTERSIGN_PASSPHRASE_FILE"));
    if (!vault) {
        std::fprintf(stderr, "open: %s\n", qPrintable(vault.error().message));
        return 3;
    }
    if (command == u"append") {
        for (qint64 i = 0;; ++i) {
            auto seq =
                (*vault)->audit().append({QStringLiteral("runtime:durability"), QStringLiteral("test.write"),
                                          QStringLiteral("item-%1").arg(i), QJsonObject{{QStringLiteral("i"), i}}});
            if (!seq) {
                std::fprintf(stderr, "append: %s\n", qPrintable(seq.error().message));
                return 1;
            }
            std::printf("ack %lld\n", static_cast<long long>(*seq));
            std::fflush(stdout);
        }
    }
    if (command == u"rekey") {
        std::printf("started\n");
        std::fflush(stdout);
        auto changed =
            (*vault)->changePassphrase(passphraseFrom("COUNTERSIGN_NEW_PASSPHRASE_FILE"), crypto::KdfParams::fast());
        if (!changed) {
            std::fprintf(stderr, "rekey: %s\n", qPrintable(changed.error().message));
            return 1;
        }
        std::printf("done\n");
        std::fflush(stdout);
        return 0;
    }
    // The decisions run on the app as every front end builds it (its endpoint left stopped).
    auto instance = application::Instance::open(std::move(*vault), http::EndpointSettings{});
    if (!instance) {
        std::fprintf(stderr, "instance: %s\n", qPrintable(instance.error().message));
        return 1;
    }
    approvals::Services& services = *(*instance)->services();
    if (command == u"approve" && args.size() == 4) {
        auto approved = services.requests().approve(QStringLiteral("owner"), args.at(3), QStringLiteral("helper"));
        if (!approved) {
            std::fprintf(stderr, "approve: %s\n", qPrintable(approved.error().message));
            return 1;
        }
        return 0;
    }
    if (command == u"consume" && args.size() == 5) {
        QFile tokenFile(qEnvironmentVariable("COUNTERSIGN_TOKEN_FILE"));
        if (!tokenFile.open(QIODevice::ReadOnly))
            return 1;
        auto runtime = services.requests().authenticate(tokenFile.readLine().trimmed());
        if (!runtime) {
            std::fprintf(stderr, "authenticate: %s\n", qPrintable(runtime.error().message));
            return 1;
        }
        std::printf("ready\n");
        std::fflush(stdout);
        std::string start;
        std::getline(std::cin, start);
        auto consumed = services.requests().consumeRequest(*runtime, args.at(3), args.at(4));
        std::printf("%s\n", consumed ? "consumed" : qPrintable(errorCodeName(consumed.error().code)));
        std::fflush(stdout);
        return 0;
    }
    return 2;
}
