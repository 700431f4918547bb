// The approver's queue at 10,000 pending requests: how long the queue tab takes to populate
// and show them, how long one filter keystroke takes, and the resident memory after both
// (targets: under 500 ms, under 50 ms, under 150 MB). The reference measured in the same run
// is the raw database fetch of the same requests, which the queue cannot beat.
//
//   countersign-bench-queue [REQUESTS]
#include "application/instance.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "benchsupport.h"
#include "crypto/crypto.h"
#include "queue/queuetab.h"
#include "queue/requestqueuemodel.h"
#include "storage/transaction.h"
#include "vault/vault.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QTableView>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace countersign;

namespace {

double ms(const QElapsedTimer& timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    bench::initialize();
    const int count = argc > 1 ? std::max(100, QByteArray(argv[1]).toInt()) : 10000;
    QTemporaryDir dir;
    auto instance = bench::scratchInstance(dir);
    approvals::Services* services = instance->services();
    approvals::RequestEvents& events = instance->events();
    approvals::RequestService& requests = services->requests();
    const QStringList runtimes{QStringLiteral("ci-deployer"), QStringLiteral("agent-claude"),
                               QStringLiteral("nightly-backup"), QStringLiteral("release-bot")};
    QList<approvals::RuntimeIdentity> identities;
    for (const QString& name : runtimes) {
        auto token = services->runtimes().registerRuntime(name, {QStringLiteral("**")}, QStringLiteral("member:owner"));
        identities.append(*requests.authenticate(token->toLatin1()));
    }
    const QStringList capabilities{QStringLiteral("deploy.web"), QStringLiteral("db.migrate"),
                                   QStringLiteral("payments.refund"), QStringLiteral("shell.exec")};
    const QStringList risks{QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high"),
                            QStringLiteral("critical")};
    QElapsedTimer timer;
    timer.start();
    QSqlDatabase db = services->database();
    auto filled = storage::transact(db, [&]() -> Result<void> {
        for (int i = 0; i < count; ++i) {
            const QJsonObject body{
                {QStringLiteral("capability"), capabilities.at(i % 4)},
                {QStringLiteral("summary"), QStringLiteral("Request %1 for build %2").arg(i).arg(i * 7919 % 100000)},
                {QStringLiteral("risk"), risks.at((i / 4) % 4)},
                {QStringLiteral("payload"),
                 QJsonObject{{QStringLiteral("n"), i}, {QStringLiteral("token"), QStringLiteral("secret-%1").arg(i)}}}};
            auto made = requests.createRequest(identities.at(i % identities.size()), body, {});
            if (!made)
                return std::unexpected(made.error());
        }
        return {};
    });
    if (!filled)
        qFatal("%s", qPrintable(filled.error().message));
    std::printf("created %d pending requests in %.0f ms\n", count, ms(timer));
    const double baseline = bench::residentMiB();

    timer.restart();
    auto raw = requests.requestsInState(approvals::RequestState::Pending, count);
    const double fetch = ms(timer);
    if (!raw || raw->size() != count)
        qFatal("fetched %lld of %d", raw ? static_cast<long long>(raw->size()) : -1LL, count);
    raw->clear();
    timer.restart();
    double modelOnly = 0;
    {
        ui::RequestQueueModel model(requests, events);
        modelOnly = ms(timer);
        timer.restart();
        ui::QueueFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(ui::RequestQueueModel::Age);
        std::printf("model alone: %.1f ms; proxy sort: %.1f ms\n", modelOnly, ms(timer));
    }

    timer.restart();
    ui::QueueTab tab(requests, events, QStringLiteral("owner"));
    const double built = ms(timer);
    tab.resize(1200, 800);
    tab.show();
    QApplication::processEvents();
    const double populate = ms(timer);
    auto* view = tab.findChild<QTableView*>(QStringLiteral("queueView"));
    auto* filter = tab.findChild<QLineEdit*>(QStringLiteral("queueFilter"));
    if (view->model()->rowCount() != count)
        qFatal("the queue shows %d of %d", view->model()->rowCount(), count);

    // Keystrokes as a person types them: each one refilters all rows and repaints.
    const QString typed = QStringLiteral("build 4");
    QList<double> keystrokes;
    for (int i = 1; i <= typed.size(); ++i) {
        timer.restart();
        filter->setText(typed.left(i));
        QApplication::processEvents();
        keystrokes.append(ms(timer));
    }
    const int shown = view->model()->rowCount();
    timer.restart();
    filter->setText(QStringLiteral("risk:high+ cap:deploy"));
    QApplication::processEvents();
    const double fieldFilter = ms(timer);
    timer.restart();
    filter->clear();
    QApplication::processEvents();
    const double clear = ms(timer);
    // Scroll to the end and back, as someone paging through the queue would.
    view->scrollToBottom();
    QApplication::processEvents();
    view->scrollToTop();
    QApplication::processEvents();
    const double resident = bench::residentMiB();

    const double worstKey = *std::max_element(keystrokes.cbegin(), keystrokes.cend());
    std::printf("raw fetch of %d requests (reference): %.1f ms\n", count, fetch);
    std::printf("queue populate and show: %.1f ms (target < 500 ms; %.2fx the raw fetch; %.1f ms of it before "
                "the first paint)\n",
                populate, populate / fetch, built);
    std::printf("filter keystrokes (\"%s\", %d rows left): worst %.1f ms, first %.1f ms (target < 50 ms)\n",
                qPrintable(typed), shown, worstKey, keystrokes.first());
    std::printf("  per keystroke:");
    for (double k : std::as_const(keystrokes))
        std::printf(" %.1f", k);
    std::printf(" ms\n");
    std::printf("field filter \"risk:high+ cap:deploy\": %.1f ms; clearing the filter: %.1f ms\n", fieldFilter, clear);
    std::printf("resident memory: %.1f MiB after populate and scrolling (%.1f MiB before the queue; target "
                "< 150 MB)\n",
                resident, baseline);
    return 0;
}
