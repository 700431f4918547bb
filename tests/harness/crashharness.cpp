// Crash durability (issue: security assurance): starts `countersign --headless` on a scratch
// vault, drives a mixed load of creates, polls and consumes from several client threads while
// this process approves through its own connection to the vault, kills the server with SIGKILL
// at a random moment, restarts it, and checks after every kill:
//   - every request whose creation got a 2xx exists;
//   - every approval this process committed is still approved (or consumed, or expired);
//   - every consume that got a 200 is consumed, and no request was consumed twice (neither
//     two 200s nor two `request.consumed` audit entries): each approval is consumed by two
//     connections at once, one with an Idempotency-Key, so the pair races in the group commit;
//   - every receipt a 200 carried verifies offline, and its checkpoint is the surviving log's
//     (the same root at its size): a receipt never vouches for an entry the kill took back;
//   - the audit chain verifies, against the checkpoint file too, with no gap.
//
//   countersign-crash-harness [--iterations N] [--bin DIR]      (exit 0: no violation)
#include "application/instance.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "audit/audittree.h"
#include "audit/checkpointsigner.h"
#include "crypto/crypto.h"
#include "evidence/receipt.h"
#include "http/endpointsettings.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <array>
#include <atomic>
#include <cstdio>
#include <signal.h>
#include <thread>
#include <vector>

using namespace countersign;

namespace {

struct Ledger {
    QMutex mutex;
    QSet<QString> created;
    QSet<QString> consumed;
    QHash<QString, int> consumeOks;
    QHash<QString, QJsonObject> receipts;
    qint64 requests = 0;
};

/// Consumes \a id on two connections at once (the second with an Idempotency-Key); the status
/// and answer of each, status 0 when the server is gone.
std::array<std::pair<int, QJsonObject>, 2> raceConsume(quint16 port, const QByteArray& token, const QString& id,
                                                       const QString& digest)
{
    std::array<std::pair<int, QJsonObject>, 2> answers{};
    std::array<QTcpSocket, 2> sockets;
    const QByteArray body = "{\"payload_sha256\":\"" + digest.toLatin1() + "\"}";
    for (int i = 0; i < 2; ++i) {
        sockets[i].connectToHost(QHostAddress::LocalHost, port);
        if (!sockets[i].waitForConnected(1000))
            return answers;
        sockets[i].write("POST /v1/requests/" + id.toLatin1() + "/consume HTTP/1.1\r\nHost: 127.0.0.1:" +
                         QByteArray::number(port) + "\r\nAuthorization: Bearer " + token + "\r\n" +
                         (i == 1 ? "Idempotency-Key: k-" + id.toLatin1() + "\r\n" : QByteArray()) +
                         "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                         QByteArray::number(body.size()) + "\r\n\r\n" + body);
        sockets[i].flush();
    }
    for (int i = 0; i < 2; ++i) {
        QByteArray response;
        while (sockets[i].waitForReadyRead(10000))
            response += sockets[i].readAll();
        response += sockets[i].readAll();
        if (response.startsWith("HTTP/1.1 "))
            answers[i] = {response.mid(9, 3).toInt(),
                          QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object()};
    }
    return answers;
}

/// One HTTP exchange on a fresh connection; status 0 when the server is gone.
int exchange(quint16 port, const QByteArray& token, const QByteArray& method, const QByteArray& path,
             const QByteArray& body, QJsonObject& answer)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(1000))
        return 0;
    const QByteArray response =
        test::httpExchange(socket, method, path, "127.0.0.1:" + QByteArray::number(port), token, body);
    if (!response.startsWith("HTTP/1.1 "))
        return 0;
    answer = QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
    return response.mid(9, 3).toInt();
}

void client(quint16 port, const QByteArray& token, Ledger& ledger, const std::atomic<bool>& stop)
{
    int n = 0;
    QList<QString> mine;
    while (!stop) {
        QJsonObject answer;
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                      {QStringLiteral("summary"), QStringLiteral("load")},
                                      {QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), n}}}})
                .toJson(QJsonDocument::Compact);
        const int created = exchange(port, token, "POST", "/v1/requests", body, answer);
        if (created == 0)
            return;
        if (created == 201) {
            const QString id = answer.value(QStringLiteral("id")).toString();
            QMutexLocker lock(&ledger.mutex);
            ledger.created.insert(id);
            ++ledger.requests;
            mine.append(id);
        }
        // Consume what has been approved meanwhile.
        for (qsizetype i = 0; i < mine.size() && !stop;) {
            QJsonObject status;
            const QString& id = mine.at(i);
            if (exchange(port, token, "GET", "/v1/requests/" + id.toLatin1(), {}, status) != 200)
                return;
            const QString state = status.value(QStringLiteral("state")).toString();
            if (state == u"approved") {
                const auto answers =
                    raceConsume(port, token, id, status.value(QStringLiteral("payload_sha256")).toString());
                for (const auto& [code, answered] : answers) {
                    if (code != 200)
                        continue;
                    QMutexLocker lock(&ledger.mutex);
                    ledger.consumed.insert(id);
                    ++ledger.consumeOks[id];
                    ledger.receipts.insert(id, answered.value(QStringLiteral("receipt")).toObject());
                }
                if (answers[0].first == 0 || answers[1].first == 0)
                    return;
                mine.removeAt(i);
            } else if (state != u"pending") {
                mine.removeAt(i);
            } else {
                ++i;
            }
        }
    }
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("countersign.*=false"));
    if (!crypto::initialize())
        return 2;
    const QStringList args = app.arguments();
    const int iterations = test::optionValue(args, QStringLiteral("--iterations"), QStringLiteral("200")).toInt();
    const QString bin = test::optionValue(args, QStringLiteral("--bin"), QStringLiteral(COUNTERSIGN_BIN_DIR));
    QTemporaryDir dir;
    const QString vaultDir = dir.filePath(QStringLiteral("vault"));
    // The approver's side, built as the window builds it; the server is another process.
    auto instance = test::openInstance(test::createVault(vaultDir), {});
    if (!instance)
        return 2;
    approvals::Services* services = instance->services();
    auto registered = services->runtimes().registerRuntime(QStringLiteral("load"), {QStringLiteral("deploy.*")},
                                                           QStringLiteral("member:owner"));
    const QByteArray token = registered->toLatin1();
    const QString passFile = dir.filePath(QStringLiteral("pass"));
    test::writeTextFile(passFile, test::PASSPHRASE);
    const quint16 port = test::freeLoopbackPort();

    Ledger ledger;
    QSet<QString> approved;
    int violations = 0;
    auto violation = [&](const QString& what) {
        ++violations;
        std::fprintf(stderr, "VIOLATION: %s\n", qPrintable(what));
    };
    QElapsedTimer total;
    total.start();
    for (int iteration = 1; iteration <= iterations; ++iteration) {
        QProcess server;
        QByteArray output;
        if (!test::startHeadless(server, bin + QStringLiteral("/countersign"), vaultDir, passFile, port,
                                 {QStringLiteral("--rate-limit"), QStringLiteral("100000")}, output)) {
            violation(QStringLiteral("iteration %1: the server did not start (%2, exit %3): %4 %5")
                          .arg(iteration)
                          .arg(server.state() == QProcess::NotRunning ? QStringLiteral("exited")
                                                                      : QStringLiteral("still starting"))
                          .arg(server.exitCode())
                          .arg(QString::fromUtf8(output), QString::fromUtf8(server.readAllStandardError())));
            dir.setAutoRemove(false);
            std::fprintf(stderr, "vault kept in %s\n", qPrintable(dir.path()));
            break;
        }
        std::atomic<bool> stop{false};
        std::vector<std::thread> clients;
        for (int c = 0; c < 4; ++c)
            clients.emplace_back(client, port, token, std::ref(ledger), std::cref(stop));
        // Approve while the load runs, and kill at a random moment.
        const int lifetime = 100 + static_cast<int>(QRandomGenerator::global()->bounded(900));
        QElapsedTimer alive;
        alive.start();
        while (alive.elapsed() < lifetime) {
            auto pending = services->requests().requestsInState(approvals::RequestState::Pending, 50);
            for (const approvals::Request& request : pending.value_or(QList<approvals::Request>())) {
                if (alive.elapsed() >= lifetime)
                    break;
                if (services->requests().approve(QStringLiteral("owner"), request.id, QStringLiteral("load")))
                    approved.insert(request.id);
            }
            QThread::msleep(5);
        }
        ::kill(static_cast<pid_t>(server.processId()), SIGKILL);
        server.waitForFinished(10000);
        stop = true;
        for (std::thread& thread : clients)
            thread.join();

        // The invariants, read from the vault the server left behind.
        QMutexLocker lock(&ledger.mutex);
        for (const QString& id : std::as_const(ledger.created)) {
            if (!services->requests().request(id))
                violation(QStringLiteral("iteration %1: acknowledged request %2 is gone").arg(iteration).arg(id));
        }
        for (const QString& id : std::as_const(approved)) {
            auto request = services->requests().request(id);
            if (!request || request->state == approvals::RequestState::Pending ||
                request->state == approvals::RequestState::Denied)
                violation(QStringLiteral("iteration %1: committed approval of %2 was lost").arg(iteration).arg(id));
        }
        for (const QString& id : std::as_const(ledger.consumed)) {
            auto request = services->requests().request(id);
            if (!request || request->state != approvals::RequestState::Consumed)
                violation(QStringLiteral("iteration %1: acknowledged consume of %2 was lost").arg(iteration).arg(id));
            if (ledger.consumeOks.value(id) > 1)
                violation(QStringLiteral("iteration %1: %2 was consumed twice").arg(iteration).arg(id));
        }
        for (auto receipt = ledger.receipts.cbegin(); receipt != ledger.receipts.cend(); ++receipt) {
            auto checkpoint = audit::Receipt::verify(*receipt, instance->vault().instancePublicKey());
            if (!checkpoint) {
                violation(QStringLiteral("iteration %1: the receipt of %2 does not verify: %3")
                              .arg(iteration)
                              .arg(receipt.key(), checkpoint.error().message));
                continue;
            }
            audit::AuditTree* tree = instance->vault().audit().tree();
            auto root = tree ? tree->proofs().root(checkpoint->size) : Result<QByteArray>();
            if (!tree || !root || *root != checkpoint->root)
                violation(QStringLiteral("iteration %1: the receipt of %2 carries a checkpoint of %3 entries that the "
                                         "surviving log does not match")
                              .arg(iteration)
                              .arg(receipt.key())
                              .arg(checkpoint->size));
        }
        QSqlQuery doubled(services->database());
        if (doubled.exec(QStringLiteral("SELECT subject FROM audit_log WHERE action = 'request.consumed' "
                                        "GROUP BY subject HAVING count(*) > 1")) &&
            doubled.next())
            violation(QStringLiteral("iteration %1: %2 has two consume entries")
                          .arg(iteration)
                          .arg(doubled.value(0).toString()));
        auto checkpoints = audit::CheckpointSigner::readFile(instance->vault().checkpointFilePath(),
                                                             instance->vault().instancePublicKey());
        const audit::VerifyResult verified =
            instance->vault().audit().verify({}, checkpoints.value_or(QList<audit::Checkpoint>()));
        if (!verified.ok())
            violation(QStringLiteral("iteration %1: the audit chain does not verify: %2")
                          .arg(iteration)
                          .arg(verified.message));
        if (iteration % 10 == 0 || iteration == iterations)
            std::printf("after %d kills: %lld requests acknowledged, %lld approved, %lld consumes acknowledged, "
                        "%lld audit entries verified, %d violations (%.0f s)\n",
                        iteration, static_cast<long long>(ledger.requests), static_cast<long long>(approved.size()),
                        static_cast<long long>(ledger.consumed.size()), static_cast<long long>(verified.checked),
                        violations, static_cast<double>(total.elapsed()) / 1000.0);
        std::fflush(stdout);
        if (violations > 0)
            break;
    }
    instance.reset();
    return violations == 0 ? 0 : 1;
}
