// The Audit tab at a million entries: time to open and show the log, time to jump to the end,
// and resident memory after scrolling there (targets: under 1 s, under 200 MB).
//
//   countersign-bench-auditview [ENTRIES]
#include "approvals/requestevents.h"
#include "audit/auditlog.h"
#include "auditlogmodel.h"
#include "audittab.h"
#include "crypto/crypto.h"
#include "vault/vault.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QTableView>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace countersign;

namespace {

double residentMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("countersign.*=false"));
    if (!crypto::initialize())
        return 1;
    const qint64 count = argc > 1 ? std::max<qint64>(1000, QByteArray(argv[1]).toLongLong()) : 1'000'000;
    QTemporaryDir dir;
    vault::Vault::CreateOptions options;
    options.kdf = crypto::KdfParams::fast();
    QByteArray pass("correct horse battery staple 42");
    auto vault = vault::Vault::create(dir.filePath(QStringLiteral("v")), QStringLiteral("Bench"),
                                      crypto::SecureBuffer::takeFrom(pass), options);
    if (!vault)
        qFatal("%s", qPrintable(vault.error().message));
    QList<audit::AuditRecord> batch;
    for (qint64 done = *(*vault)->audit().count(); done < count;) {
        batch.clear();
        for (qint64 i = 0; i < 10'000 && done + i < count; ++i)
            batch.append({QStringLiteral("runtime:bench"), QStringLiteral("request.created"),
                          QStringLiteral("request:%1").arg(done + i), QJsonObject{{QStringLiteral("n"), done + i}}});
        if (auto appended = (*vault)->audit().appendAll(batch); !appended)
            qFatal("%s", qPrintable(appended.error().message));
        done += batch.size();
    }
    const double before = residentMiB();
    approvals::RequestEvents events;
    QElapsedTimer timer;
    timer.start();
    ui::AuditTab tab(**vault, events);
    tab.resize(1200, 800);
    tab.show();
    QApplication::processEvents();
    const double open = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    auto* view = tab.findChild<QTableView*>(QStringLiteral("auditView"));
    timer.restart();
    view->scrollToBottom();
    QApplication::processEvents();
    const double end = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    for (int step = 0; step < 200; ++step) {
        view->scrollTo(tab.model()->index(static_cast<int>(count * step / 200), 0));
        QApplication::processEvents();
    }
    std::printf("audit view of %lld entries: open and show %.1f ms (target < 1000), jump to the end %.1f ms\n",
                static_cast<long long>(count), open, end);
    std::printf("resident memory after scrolling through: %.1f MiB (%.1f MiB before the view; target < 200 MB)\n",
                residentMiB(), before);
    return 0;
}
