// Audit verification throughput: `audit verify` of an export and the chain walk inside the
// vault, at 1,000,000 entries by default (targets: at least 1,000,000 entries/s from an export,
// 250,000 entries/s from the vault), next to this machine's raw SHA-256 speed measured in the
// same run (and `openssl speed sha256` when the openssl tool is installed).
//
//   countersign-bench-audit [ENTRIES]
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "benchsupport.h"
#include "crypto/crypto.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace countersign;

namespace {

double seconds(const QElapsedTimer& timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e9;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    bench::initialize();
    const qint64 count = argc > 1 ? std::max<qint64>(1000, QByteArray(argv[1]).toLongLong()) : 1'000'000;
    QTemporaryDir dir;
    // COUNTERSIGN_BENCH_KEEP=1 keeps the vault and the export for profiling.
    if (qEnvironmentVariableIsSet("COUNTERSIGN_BENCH_KEEP")) {
        dir.setAutoRemove(false);
        std::printf("keeping %s\n", qPrintable(dir.path()));
    }
    auto vault = bench::scratchVault(dir);

    // Raw SHA-256 on entry-sized messages (about 200 bytes), the unit of work of a verification.
    QByteArray message(200, 'x');
    QElapsedTimer timer;
    timer.start();
    constexpr int HASHES = 2'000'000;
    QByteArray digest;
    for (int i = 0; i < HASHES; ++i) {
        message[0] = static_cast<char>(i);
        digest = crypto::sha256(message);
    }
    const double hashesPerSecond = HASHES / seconds(timer);
    std::printf("raw SHA-256 of 200-byte messages: %.0f hashes/s (%.0f MB/s)\n", hashesPerSecond,
                hashesPerSecond * 200 / 1e6);
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("speed"), QStringLiteral("-seconds"), QStringLiteral("1"), QStringLiteral("-bytes"),
                   QStringLiteral("256"), QStringLiteral("sha256")});
    if (openssl.waitForFinished(30000) && openssl.exitCode() == 0) {
        const QList<QByteArray> lines = openssl.readAllStandardOutput().trimmed().split('\n');
        std::printf("openssl speed sha256 (256-byte blocks): %s\n", lines.last().simplified().constData());
    }

    timer.restart();
    bench::fillAuditLog(*vault, count);
    std::printf("appended %lld entries (with the Merkle tree) in %.1f s: %.0f entries/s\n",
                static_cast<long long>(count), seconds(timer), static_cast<double>(count) / seconds(timer));
    auto signer = vault->openCheckpointSigner(vault->database(), vault->audit());
    if (auto signedNow = signer->sign(); !signedNow)
        qFatal("%s", qPrintable(signedNow.error().message));
    auto checkpoints = audit::CheckpointSigner::readFile(vault->checkpointFilePath(), vault->instancePublicKey());

    timer.restart();
    const audit::VerifyResult inVault = vault->audit().verify({}, *checkpoints);
    const double vaultSeconds = seconds(timer);
    if (!inVault.ok())
        qFatal("%s", qPrintable(inVault.message));
    std::printf("verify inside the vault: %.0f entries/s (target >= 250,000; %.2f of raw SHA-256 hashes/s)\n",
                static_cast<double>(inVault.checked) / vaultSeconds,
                static_cast<double>(inVault.checked) / vaultSeconds / hashesPerSecond);

    const QString exportPath = dir.filePath(QStringLiteral("audit.jsonl"));
    QFile out(exportPath);
    if (!out.open(QIODevice::WriteOnly))
        return 1;
    timer.restart();
    if (auto written = audit::AuditExport::write(vault->audit(), *checkpoints, vault->instancePublicKey(), out);
        !written)
        qFatal("%s", qPrintable(written.error().message));
    out.close();
    std::printf("export: %.0f entries/s, %.0f MB\n", static_cast<double>(count) / seconds(timer),
                static_cast<double>(QFileInfo(exportPath).size()) / 1e6);

    QFile in(exportPath);
    if (!in.open(QIODevice::ReadOnly))
        return 1;
    timer.restart();
    auto report = audit::AuditExport::verify(in, vault->instancePublicKey());
    const double exportSeconds = seconds(timer);
    if (!report)
        qFatal("%s", qPrintable(report.error().message));
    std::printf("verify an export offline: %.0f entries/s (target >= 1,000,000; %.2f of raw SHA-256 hashes/s)\n",
                static_cast<double>(report->entries) / exportSeconds,
                static_cast<double>(report->entries) / exportSeconds / hashesPerSecond);
    return 0;
}
