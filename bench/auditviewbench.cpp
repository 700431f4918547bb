// The Audit tab at a million entries: time to open and show the log, time to jump to the end,
// and resident memory after scrolling there (targets: under 1 s, under 200 MB).
//
//   countersign-bench-auditview [ENTRIES]
#include "audit/auditlog.h"
#include "audit/auditlogmodel.h"
#include "audit/audittab.h"
#include "benchsupport.h"
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

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    bench::initialize();
    const qint64 count = argc > 1 ? std::max<qint64>(1000, QByteArray(argv[1]).toLongLong()) : 1'000'000;
    QTemporaryDir dir;
    auto vault = bench::scratchVault(dir);
    bench::fillAuditLog(*vault, count);
    const double before = bench::residentMiB();
    QElapsedTimer timer;
    timer.start();
    ui::AuditTab tab(*vault);
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
                bench::residentMiB(), before);
    return 0;
}
