// Team mode on PostgreSQL against the desktop's SQLCipher vault, measured in one run on one machine
// (docs/team-server.md). The program starts a throwaway PostgreSQL 15 cluster
// (tests/support/pgcluster.h: TLS, verify-full, fsync on), makes a team database in it, and runs
// `countersign --headless --database URL` nodes as child processes, as a team runs them.
//
// 1. Cross-node decision latency: a request is decided on node A (in this process, through the
//    core decision API, as a member's decision arrives there) while a runtime long-polls it on
//    node B (another process), which hears of it through LISTEN/NOTIFY. Printed beside the same
//    figure with the long-poll on node A itself, measured alternately in the same run. Target:
//    cross-node p99 < 50 ms.
// 2. Durable creates/s (POST /v1/requests, each answered after its commit) with one node and with
//    three nodes on the one database, beside a headless node on a SQLCipher vault, all with the
//    same number of client connections (spread evenly over the nodes).
// 3. Status polls/s (GET /v1/requests/{id}) on one node over PostgreSQL and over SQLCipher.
//
// Everything (PostgreSQL, the nodes, this client) shares the machine's cores, so the figures are
// lower bounds for a team whose database has a host of its own; the ratios are what to read.
//
//   build/bin/countersign-bench-team [SAMPLES] [SECONDS] [CONNECTIONS]     (also run by `make bench`)
//
// SAMPLES decisions per latency figure (default 300), SECONDS per throughput run (default 10),
// CONNECTIONS client connections per throughput run (default 12). Needs PostgreSQL 15's initdb and
// pg_ctl (scripts/install-deps.sh) and the build's countersign binary.
#include "application/instance.h"
#include "application/openservices.h"
#include "application/teamnode.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "benchsupport.h"
#include "crypto/signingkey.h"
#include "http/endpointthread.h"
#include "pgcluster.h"
#include "team/teamdatabase.h"
#include "team/teamkey.h"
#include "teamnodeprocess.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <csignal>
#include <sys/prctl.h>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString TEAM_PASSPHRASE = QStringLiteral("correct horse battery staple of the team");
// bench::scratchVault's passphrase.
const QString VAULT_PASSPHRASE = QStringLiteral("correct horse battery staple 42");

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QByteArray request(const QByteArray& method, const QByteArray& target, quint16 port, const QByteArray& token,
                   const QByteArray& body = {})
{
    return method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nAuthorization: Bearer " + token + "\r\n" +
           (body.isEmpty()
                ? QByteArray()
                : "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n") +
           "\r\n" + body;
}

/// Reads one whole response (keep-alive: by its Content-Length) into \a response; its status, or
/// -1 if the connection ended first.
int readResponse(QTcpSocket& socket, QByteArray& response)
{
    response.clear();
    qsizetype headerEnd = -1;
    qsizetype total = -1;
    while (total < 0 || response.size() < total) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(30000))
            return -1;
        response += socket.readAll();
        if (headerEnd < 0 && (headerEnd = response.indexOf("\r\n\r\n")) >= 0) {
            const qsizetype length = response.indexOf("Content-Length: ");
            total = headerEnd + 4 + (length < 0 ? 0 : response.mid(length + 16).split('\r').first().toLongLong());
        }
    }
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : -1;
}

QJsonObject bodyOf(const QByteArray& response)
{
    return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
}

/// One request on a fresh connection; the response's body.
QJsonObject ask(quint16 port, const QByteArray& token, const QByteArray& method, const QByteArray& target,
                const QByteArray& body = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(10000))
        qFatal("no connection to port %u", port);
    socket.write(request(method, target, port, token, body));
    QByteArray response;
    if (readResponse(socket, response) < 0)
        qFatal("no answer from port %u", port);
    return bodyOf(response);
}

QString createRequest(quint16 port, const QByteArray& token, const QString& summary)
{
    const QByteArray body = R"({"capability":"bench.decide","summary":")" + summary.toUtf8() + R"("})";
    const QString id = ask(port, token, "POST", "/v1/requests", body).value(QStringLiteral("id")).toString();
    if (id.isEmpty())
        qFatal("no request created on port %u", port);
    return id;
}

/// A headless node on a vault, stopped (SIGTERM) when this goes away: the desktop's store, run as
/// the team nodes are (test::TeamNodeProcess).
class VaultNode final {
public:
    VaultNode(const QString& dataDir, const QString& passphraseFile)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), passphraseFile);
        m_process.setProcessEnvironment(environment);
        // What it logs is read (and dropped) as the team nodes' is, by this thread's event loop.
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        // A benchmark that dies leaves no node behind (prctl(2)).
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process.start(APP, {QStringLiteral("--headless"), QStringLiteral("--data-dir"), dataDir,
                              QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--socket"),
                              QStringLiteral("none"), QStringLiteral("--rate-limit"), QStringLiteral("100000")});
        static const QRegularExpression SERVING(QStringLiteral("serving http://127.0.0.1:(\\d+)"));
        QByteArray output;
        QElapsedTimer timer;
        timer.start();
        while (m_port == 0 && timer.elapsed() < 60000) {
            if (m_process.state() == QProcess::NotRunning)
                qFatal("the vault node did not start: %s", output.constData());
            m_process.waitForReadyRead(200);
            output += m_process.readAllStandardOutput();
            m_port = static_cast<quint16>(SERVING.match(QString::fromUtf8(output)).captured(1).toUInt());
        }
        if (m_port == 0)
            qFatal("the vault node did not say where it serves: %s", output.constData());
    }
    ~VaultNode() { test::stopProcess(m_process); }
    VaultNode(const VaultNode&) = delete;
    VaultNode& operator=(const VaultNode&) = delete;

    [[nodiscard]] quint16 port() const { return m_port; }

private:
    QProcess m_process;
    quint16 m_port = 0;
};

struct Percentiles {
    double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

Percentiles percentiles(QList<double> values)
{
    if (values.isEmpty())
        return {};
    std::sort(values.begin(), values.end());
    auto at = [&values](double p) {
        return values.at(std::min<qsizetype>(values.size() - 1, static_cast<qsizetype>(p * values.size())));
    };
    return {at(0.5), at(0.95), at(0.99), values.constLast()};
}

struct Throughput {
    double perSecond = 0;
    qint64 failed = 0;
    Percentiles latencyMs;
};

/// \a connections keep-alive connections, spread evenly over \a ports, each sending the request
/// \a make builds for its port and waiting for the answer, for \a seconds. Counts 2xx answers.
Throughput load(const QList<quint16>& ports, int connections, int seconds,
                const std::function<QByteArray(quint16)>& make)
{
    std::atomic<qint64> ok{0};
    std::atomic<qint64> failed{0};
    std::atomic<int> finished{0};
    std::vector<QList<double>> latencies(static_cast<std::size_t>(connections));
    const qint64 start = nowNs() + 200'000'000;
    const qint64 end = start + static_cast<qint64>(seconds) * 1'000'000'000;
    std::vector<std::thread> threads;
    for (int i = 0; i < connections; ++i) {
        threads.emplace_back([&, i] {
            const quint16 port = ports.at(i % ports.size());
            const QByteArray raw = make(port);
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            if (!socket.waitForConnected(10000))
                qFatal("no connection to port %u", port);
            while (nowNs() < start)
                QThread::usleep(1000);
            QByteArray response;
            for (qint64 sent = nowNs(); sent < end; sent = nowNs()) {
                socket.write(raw);
                const int status = readResponse(socket, response);
                if (status >= 200 && status < 300) {
                    ++ok;
                    latencies[static_cast<std::size_t>(i)].append(static_cast<double>(nowNs() - sent) / 1e6);
                } else {
                    ++failed;
                }
                if (socket.state() != QAbstractSocket::ConnectedState) {
                    socket.abort();
                    socket.connectToHost(QHostAddress::LocalHost, port);
                    socket.waitForConnected(10000);
                }
            }
            ++finished;
        });
    }
    // Meanwhile this thread reads what the nodes log, so that no node waits on a full pipe.
    while (finished < connections) {
        QCoreApplication::processEvents();
        QThread::msleep(10);
    }
    for (std::thread& thread : threads)
        thread.join();
    QList<double> all;
    for (const QList<double>& each : latencies)
        all += each;
    return {static_cast<double>(ok) / seconds, failed, percentiles(all)};
}

void printThroughput(const char* what, const Throughput& result)
{
    std::printf("  %-34s %9.1f /s   p50 %6.2f ms   p99 %7.2f ms%s\n", what, result.perSecond, result.latencyMs.p50,
                result.latencyMs.p99,
                result.failed ? qPrintable(QStringLiteral("   (%1 failed)").arg(result.failed)) : "");
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    bench::initialize();
    const int samples = argc > 1 ? std::max(10, QByteArray(argv[1]).toInt()) : 300;
    const int seconds = argc > 2 ? std::max(1, QByteArray(argv[2]).toInt()) : 10;
    const int connections = argc > 3 ? std::max(1, QByteArray(argv[3]).toInt()) : 12;

    QTemporaryDir dir;
    test::PgCluster::Options options;
    options.fsync = true; // what a team's database does
    test::PgCluster cluster(options);
    if (!cluster.start())
        qFatal("PostgreSQL did not start (is postgresql-15 installed? scripts/install-deps.sh)");
    const storage::PgConnectionConfig config = cluster.connectionConfig();
    const QString url = test::teamDatabaseUrl(config);
    test::writeTextFile(dir.filePath(QStringLiteral("team-pass")), TEAM_PASSPHRASE);
    const team::TeamKey key = team::TeamKey::passphrase(test::secure(TEAM_PASSPHRASE), crypto::KdfParams::fast());
    // A team node signs no decision itself; the owner's are signed here as at their own machine.
    const auto ownerKey = std::make_shared<const crypto::SigningKey>(crypto::SigningKey::generate());
    auto team = team::TeamDatabase::initialize(
        config, key, team::TeamDatabase::Owner{QStringLiteral("owner"), QStringLiteral("Bench"), ownerKey->publicKey()},
        dir.filePath(QStringLiteral("setup-checkpoints")));
    if (!team)
        qFatal("%s", qPrintable(team.error().message));
    approvals::RequestEvents setupEvents;
    QByteArray teamToken;
    {
        auto services = application::openServices(**team, setupEvents, QStringLiteral("bench-setup"));
        if (!services)
            qFatal("%s", qPrintable(services.error().message));
        teamToken =
            (*services)
                ->runtimes()
                .registerRuntime(QStringLiteral("bench"), {QStringLiteral("bench.*")}, QStringLiteral("member:owner"))
                .value_or(QString())
                .toLatin1();
    }
    const QString teamPassphraseFile = dir.filePath(QStringLiteral("team-pass"));
    int nodes = 0;
    auto teamNode = [&] {
        auto node = std::make_unique<test::TeamNodeProcess>();
        if (!node->start(APP, url, dir.filePath(QStringLiteral("node%1").arg(++nodes)), teamPassphraseFile))
            qFatal("a team node did not start");
        return node;
    };

    std::printf("Team mode on PostgreSQL 15 (fsync on) vs SQLCipher, everything on this machine (%d cores)\n\n",
                QThread::idealThreadCount());

    // 1. Decision latency. Node A runs in this process so that the moment of the commit is known.
    {
        auto teamA = team::TeamDatabase::open(config, key, dir.filePath(QStringLiteral("node-a-checkpoints")));
        if (!teamA)
            qFatal("%s", qPrintable(teamA.error().message));
        http::EndpointSettings settings;
        settings.port = 0;
        settings.ratePerSecond = 1e8;
        settings.rateBurst = 1e8;
        auto nodeA = application::TeamNode::open(std::move(*teamA), settings, std::nullopt);
        if (!nodeA || !(*nodeA)->start())
            qFatal("node A did not start");
        auto services = application::openServices((*nodeA)->team(), (*nodeA)->events(), QStringLiteral("bench-a"));
        if (!services)
            qFatal("%s", qPrintable(services.error().message));
        (*services)->requests().setLocalSigningKey(QStringLiteral("owner"), ownerKey);
        std::atomic<qint64> committedAt{0};
        // Emitted on this thread right after the decision's transaction commits.
        QObject::connect(
            &(*nodeA)->events(), &approvals::RequestEvents::requestChanged, &(*nodeA)->events(),
            [&committedAt](const QString&, const QString& state) {
                if (state == u"approved")
                    committedAt = nowNs();
            },
            Qt::DirectConnection);
        const quint16 portA = (*nodeA)->endpoint().port();
        const auto nodeB = teamNode();
        QList<double> sameNodeMs;
        QList<double> crossNodeMs;
        int early = 0;
        for (int round = 0; round < 2 * samples; ++round) {
            const bool cross = round % 2 == 1;
            const quint16 pollPort = cross ? nodeB->port() : portA;
            const QString id = createRequest(portA, teamToken, QStringLiteral("latency %1").arg(round));
            // The creation's own wake-up reaches node B a moment later and answers a long-poll
            // parked before it (with "pending"): let it pass first.
            QThread::msleep(20);
            std::atomic<qint64> receivedAt{0};
            std::atomic<bool> sent{false};
            QString answered;
            std::thread poller([&] {
                QTcpSocket poll;
                poll.connectToHost(QHostAddress::LocalHost, pollPort);
                poll.waitForConnected(5000);
                poll.write(request("GET", "/v1/requests/" + id.toLatin1() + "?wait=30", pollPort, teamToken));
                poll.waitForBytesWritten(5000);
                sent = true;
                if (!poll.waitForReadyRead(30000))
                    return;
                receivedAt = nowNs();
                QByteArray response;
                if (readResponse(poll, response) == 200)
                    answered = bodyOf(response).value(QStringLiteral("state")).toString();
            });
            while (!sent)
                QThread::usleep(100);
            QThread::msleep(50); // let the long-poll park on its node
            if (auto approved = (*services)->requests().approve(QStringLiteral("owner"), id, {}); !approved)
                qFatal("approve failed: %s", qPrintable(approved.error().message));
            poller.join();
            // Node A's own listener hears every hint too; this thread runs its event loop.
            QCoreApplication::processEvents();
            if (receivedAt == 0)
                qFatal("a long-poll was not answered");
            if (answered != u"approved") {
                ++early; // a spurious wake-up, answered before the decision
                continue;
            }
            (cross ? crossNodeMs : sameNodeMs).append(static_cast<double>(receivedAt - committedAt) / 1e6);
        }
        const Percentiles same = percentiles(sameNodeMs);
        const Percentiles cross = percentiles(crossNodeMs);
        std::printf("1. Decision committed -> long-poll answer received, %d decisions each, alternating\n", samples);
        std::printf(
            "  same node (A decides, A long-polls)    p50 %7.3f ms   p95 %7.3f ms   p99 %7.3f ms   max %7.3f ms\n",
            same.p50, same.p95, same.p99, same.max);
        std::printf(
            "  across nodes (A decides, B long-polls) p50 %7.3f ms   p95 %7.3f ms   p99 %7.3f ms   max %7.3f ms\n",
            cross.p50, cross.p95, cross.p99, cross.max);
        std::printf("  cross-node p99 < 50 ms: %s; cross/same p50 ratio %.1f%s\n\n",
                    cross.p99 < 50 ? "holds" : "MISSED", same.p50 > 0 ? cross.p50 / same.p50 : 0.0,
                    early ? qPrintable(QStringLiteral(" (%1 answered before the decision, left out)").arg(early)) : "");
        services->reset();
        (*nodeA)->stop();
    }

    // The desktop's store: a headless node on a SQLCipher vault, its runtime registered beforehand.
    QByteArray vaultToken;
    {
        auto instance = bench::scratchInstance(dir);
        vaultToken =
            instance->services()
                ->runtimes()
                .registerRuntime(QStringLiteral("bench"), {QStringLiteral("bench.*")}, QStringLiteral("member:owner"))
                .value_or(QString())
                .toLatin1();
    }
    test::writeTextFile(dir.filePath(QStringLiteral("vault-pass")), VAULT_PASSPHRASE);

    const QByteArray createBody = R"({"capability":"bench.create","summary":"benchmark create","payload":{"n":1}})";
    auto creates = [&](const QByteArray& token) {
        return [&createBody, token](quint16 port) {
            return request("POST", "/v1/requests", port, token, createBody);
        };
    };
    auto polls = [](const QByteArray& token, const QString& id) {
        return [token, id](quint16 port) {
            return request("GET", "/v1/requests/" + id.toLatin1(), port, token);
        };
    };

    std::printf("2. Durable creates (each answered after its commit), %d connections, %d s each\n", connections,
                seconds);
    Throughput onSqlCipher;
    Throughput polledSqlCipher;
    QString vaultId;
    {
        const VaultNode vaultNode(dir.filePath(QStringLiteral("v")), dir.filePath(QStringLiteral("vault-pass")));
        onSqlCipher = load({vaultNode.port()}, connections, seconds, creates(vaultToken));
        printThroughput("SQLCipher vault, 1 node", onSqlCipher);
        vaultId = createRequest(vaultNode.port(), vaultToken, QStringLiteral("polled"));
        polledSqlCipher = load({vaultNode.port()}, connections, seconds, polls(vaultToken, vaultId));
    }
    Throughput polledPostgres;
    {
        const auto node = teamNode();
        const Throughput one = load({node->port()}, connections, seconds, creates(teamToken));
        printThroughput("PostgreSQL, 1 node", one);
        const QString id = createRequest(node->port(), teamToken, QStringLiteral("polled"));
        polledPostgres = load({node->port()}, connections, seconds, polls(teamToken, id));
        const auto second = teamNode();
        const auto third = teamNode();
        const Throughput three =
            load({node->port(), second->port(), third->port()}, connections, seconds, creates(teamToken));
        printThroughput("PostgreSQL, 3 nodes", three);
        std::printf("  ratios: PostgreSQL 1 node / SQLCipher %.2f, 3 nodes / 1 node %.2f\n\n",
                    one.perSecond / onSqlCipher.perSecond, three.perSecond / one.perSecond);
    }
    std::printf("3. Status polls (GET /v1/requests/{id}), one node, %d connections, %d s each\n", connections, seconds);
    printThroughput("SQLCipher vault", polledSqlCipher);
    printThroughput("PostgreSQL", polledPostgres);
    std::printf("  ratio PostgreSQL / SQLCipher %.2f\n", polledPostgres.perSecond / polledSqlCipher.perSecond);
    return 0;
}
