// Decision latency: the time from a decision being committed (the moment it is announced) to the
// long-polling runtime receiving the answer (target p99 under 5 ms). The decision call itself
// takes longer: its durable commit before, and a signed, fsynced checkpoint after, which
// runtimes do not wait for; its duration is printed too. The endpoint runs in
// its own thread as in the app; the decision is made on the main thread through the core decision API, as the window
// does.
//
//   countersign-bench-decision [ROUNDS]
#include "application/instance.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "benchsupport.h"
#include "crypto/crypto.h"
#include "http/endpointthread.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

using namespace countersign;

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QByteArray exchange(QTcpSocket& socket, const QByteArray& raw)
{
    socket.write(raw);
    QByteArray response;
    while (!response.contains("\r\n\r\n") ||
           response.size() < response.indexOf("\r\n\r\n") + 4 +
                                 response.mid(response.indexOf("Content-Length: ") + 16).split('\r').first().toInt()) {
        if (!socket.waitForReadyRead(30000))
            break;
        response += socket.readAll();
    }
    return response;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    bench::initialize();
    const int rounds = argc > 1 ? std::max(10, QByteArray(argv[1]).toInt()) : 300;
    QTemporaryDir dir;
    http::EndpointSettings settings;
    settings.port = 0;
    settings.ratePerSecond = 1e6;
    settings.rateBurst = 1e6;
    auto instance = bench::scratchInstance(dir, settings);
    std::atomic<qint64> committedAt{0};
    // Emitted on this thread right after the decision's transaction commits.
    QObject::connect(
        &instance->events(), &approvals::RequestEvents::requestChanged, &instance->events(),
        [&committedAt](const QString&, const QString& state) {
            if (state == u"approved")
                committedAt = nowNs();
        },
        Qt::DirectConnection);
    approvals::Services* services = instance->services();
    const QByteArray token =
        services->runtimes()
            .registerRuntime(QStringLiteral("bench"), {QStringLiteral("bench.*")}, QStringLiteral("member:owner"))
            ->toLatin1();
    if (!instance->startEndpoint())
        qFatal("endpoint did not start");
    const http::EndpointThread& endpoint = instance->endpoint();
    const QByteArray host = "127.0.0.1:" + QByteArray::number(endpoint.port());

    QList<double> latenciesMs;
    QList<double> callsMs;
    for (int round = 0; round < rounds; ++round) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, endpoint.port());
        socket.waitForConnected(5000);
        const QByteArray body = R"({"capability":"bench.decide","summary":"latency"})";
        const QByteArray created = exchange(
            socket, "POST /v1/requests HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
                        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
                        "\r\n\r\n" + body);
        const QString id = QJsonDocument::fromJson(created.mid(created.indexOf("\r\n\r\n") + 4))
                               .object()
                               .value(QStringLiteral("id"))
                               .toString();
        qint64 calledAt = 0;
        std::atomic<qint64> receivedAt{0};
        std::atomic<bool> sent{false};
        std::thread poller([&] {
            QTcpSocket poll;
            poll.connectToHost(QHostAddress::LocalHost, endpoint.port());
            poll.waitForConnected(5000);
            poll.write("GET /v1/requests/" + id.toLatin1() + "?wait=30 HTTP/1.1\r\nHost: " + host +
                       "\r\nAuthorization: Bearer " + token + "\r\n\r\n");
            poll.waitForBytesWritten(5000);
            sent = true;
            if (poll.waitForReadyRead(30000))
                receivedAt = nowNs();
        });
        while (!sent)
            QThread::usleep(100);
        QThread::msleep(20); // let the long-poll park
        calledAt = nowNs();
        if (!services->requests().approve(QStringLiteral("owner"), id, {}))
            qFatal("approve failed");
        callsMs.append(static_cast<double>(nowNs() - calledAt) / 1e6);
        poller.join();
        latenciesMs.append(static_cast<double>(receivedAt - committedAt) / 1e6);
    }
    std::sort(latenciesMs.begin(), latenciesMs.end());
    auto percentile = [&](double p) {
        return latenciesMs.at(
            std::min<qsizetype>(latenciesMs.size() - 1, static_cast<qsizetype>(p * latenciesMs.size())));
    };
    std::printf("Decision latency over %d decisions (decision committed -> long-poll answer received)\n", rounds);
    std::printf("  p50 %.3f ms   p90 %.3f ms   p99 %.3f ms   max %.3f ms   (target p99 < 5 ms)\n", percentile(0.5),
                percentile(0.9), percentile(0.99), latenciesMs.constLast());
    std::sort(callsMs.begin(), callsMs.end());
    std::printf("  the decision call itself, checkpoint signing included: p50 %.3f ms, max %.3f ms\n",
                callsMs.at(callsMs.size() / 2), callsMs.constLast());
    instance->stopEndpoint();
    return 0;
}
