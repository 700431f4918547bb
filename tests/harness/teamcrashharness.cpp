// Team crash durability (docs/team-server.md, "When a node dies"): three `countersign --headless
// --database URL` nodes on one PostgreSQL database that this harness starts (TLS, verify-full).
// Runtimes create and consume and a member decides, each on a node picked at random; at a random
// moment one node gets SIGKILL. Runtimes then retry on another node: a create with its
// Idempotency-Key, a consume with its own key, a decision with the same signed body. The killed
// node is started again, and after every kill the harness checks, on the team's database:
//   - every create that got a 2xx exists, under its key, and no key answered two ids;
//   - every decision that got a 200 stands (approved stays approved or consumed; denied stays denied);
//   - every consume that got a 200 is consumed; at most one consumer of a request heard 200 (the
//     keyed one may hear it again on a retry); a consume that committed was told to its keyed
//     consumer once it retried; there is one `request.consumed` entry per request;
//   - every receipt a 200 carried verifies with the team's instance key, and its checkpoint has
//     the root of the surviving log at its size;
//   - the team's audit chain verifies, against the checkpoints every node's witness file holds.
//
//   countersign-team-crash-harness [--iterations N] [--bin DIR]      (exit 0: no violation)
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "audit/audittree.h"
#include "audit/checkpointsigner.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "evidence/receipt.h"
#include "pgcluster.h"
#include "team/teamdatabase.h"
#include "team/teamkey.h"
#include "teamnodeprocess.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <array>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using namespace countersign;

namespace {

constexpr int NODES = 3;
using Ports = std::array<quint16, NODES>;

const QString TEAM_PASSPHRASE = QStringLiteral("a team passphrase for the crash harness");

/// What the runtimes and the member were told, to be checked against the database.
struct Ledger {
    QMutex mutex;
    QHash<QString, QString> created; // idempotency key -> request id
    QSet<QString> consumed;          // ids a consumer heard 200 for
    QHash<QString, QJsonObject> receipts;
    QList<QString> open; // created, not yet seen consumed or settled: any runtime looks at them
    QStringList violations;
    QStringList unheard; // consumes both consumers heard refused: the request must not be consumed
    qint64 retries = 0;  // operations sent again to another node after a node died or answered 503

    void violation(const QString& what)
    {
        QMutexLocker lock(&mutex);
        violations.append(what);
    }
};

/// One exchange with the node on \a port; status 0 when there is no answer (the node is gone).
int exchange(quint16 port, const QByteArray& token, const QByteArray& method, const QByteArray& path,
             const QByteArray& body, const QByteArray& extraHeaders, QJsonObject& answer)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(2000))
        return 0;
    socket.write(test::rawHttpRequest(method, path, port, token, body, extraHeaders));
    QByteArray response;
    while (socket.waitForReadyRead(20000))
        response += socket.readAll();
    response += socket.readAll();
    answer = QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
    return test::httpStatus(response);
}

/// Whether \a status is the node's answer rather than its absence or a passing outage: the
/// operation is not sent again.
bool definitive(int status)
{
    return status != 0 && status != 503;
}

/// Sends one operation until a node gives a definitive answer, starting on node \a first and
/// moving on to the next node after each failure, as a runtime's retry loop does. At most
/// \a attempts sends; the last status (0: none answered).
int untilAnswered(const Ports& ports, int first, int attempts, Ledger& ledger, const std::function<int(quint16)>& send)
{
    int status = 0;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        status = send(ports[static_cast<std::size_t>((first + attempt) % NODES)]);
        if (definitive(status))
            return status;
        QMutexLocker lock(&ledger.mutex);
        ++ledger.retries;
        if (status == 503)
            QThread::msleep(20);
    }
    return status;
}

/// Consumes \a id on two nodes at once, the second consumer with an Idempotency-Key, and retries
/// the keyed one on the other nodes when its answer was lost. Records what they heard.
void raceConsume(const Ports& ports, const QByteArray& token, const QString& id, const QString& digest, Ledger& ledger)
{
    const QByteArray body = "{\"payload_sha256\":\"" + digest.toLatin1() + "\"}";
    const QByteArray path = "/v1/requests/" + id.toLatin1() + "/consume";
    const QByteArray keyHeader = "Idempotency-Key: consume-" + id.toLatin1() + "\r\n";
    const int first = static_cast<int>(QRandomGenerator::global()->bounded(NODES));
    std::array<QTcpSocket, 2> sockets;
    std::array<quint16, 2> used{};
    for (int i = 0; i < 2; ++i) {
        used[static_cast<std::size_t>(i)] = ports[static_cast<std::size_t>((first + i) % NODES)];
        sockets[static_cast<std::size_t>(i)].connectToHost(QHostAddress::LocalHost, used[static_cast<std::size_t>(i)]);
    }
    std::array<int, 2> status{};
    std::array<QJsonObject, 2> answer;
    for (int i = 0; i < 2; ++i) {
        QTcpSocket& socket = sockets[static_cast<std::size_t>(i)];
        if (socket.waitForConnected(2000))
            socket.write(test::rawHttpRequest("POST", path, used[static_cast<std::size_t>(i)], token, body,
                                              i == 1 ? keyHeader : QByteArray()));
    }
    for (int i = 0; i < 2; ++i) {
        QTcpSocket& socket = sockets[static_cast<std::size_t>(i)];
        QByteArray response;
        while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(20000))
            response += socket.readAll();
        response += socket.readAll();
        status[static_cast<std::size_t>(i)] = test::httpStatus(response);
        answer[static_cast<std::size_t>(i)] =
            QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
    }
    if (!definitive(status[1])) {
        status[1] = untilAnswered(ports, first + 2, 30, ledger, [&](quint16 port) {
            return exchange(port, token, "POST", path, body, keyHeader, answer[1]);
        });
    }
    for (const int answered : status) {
        if (definitive(answered) && answered != 200 && answered != 409)
            ledger.violation(QStringLiteral("a consume of %1 was refused with %2").arg(id).arg(answered));
    }
    const bool unkeyedWon = status[0] == 200;
    const bool keyedWon = status[1] == 200;
    if (unkeyedWon && keyedWon)
        ledger.violation(QStringLiteral("two consumers of %1 heard 200").arg(id));
    if (!unkeyedWon && !keyedWon && definitive(status[0]) && definitive(status[1])) {
        // Neither won; the state says whether a consume committed that nobody was told of.
        QMutexLocker lock(&ledger.mutex);
        ledger.unheard.append(id);
    }
    if (unkeyedWon || keyedWon) {
        QMutexLocker lock(&ledger.mutex);
        ledger.consumed.insert(id);
        ledger.receipts.insert(id, answer[keyedWon ? 1 : 0].value(QStringLiteral("receipt")).toObject());
    }
}

/// A runtime: creates requests with idempotency keys on random nodes and consumes the ones that
/// were approved, retrying on another node whenever a node does not answer.
void runtime(int number, int iteration, const Ports& ports, const QByteArray& token, Ledger& ledger,
             const std::atomic<bool>& stop)
{
    for (int n = 0; !stop; ++n) {
        const QByteArray key = QStringLiteral("create-%1-%2-%3").arg(iteration).arg(number).arg(n).toLatin1();
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                      {QStringLiteral("summary"), QStringLiteral("load")},
                                      {QStringLiteral("payload"),
                                       QJsonObject{{QStringLiteral("ticket"), QString::fromLatin1(key)}}}})
                .toJson(QJsonDocument::Compact);
        QJsonObject answer;
        const int status = untilAnswered(
            ports, static_cast<int>(QRandomGenerator::global()->bounded(NODES)), 30, ledger, [&](quint16 port) {
                return exchange(port, token, "POST", "/v1/requests", body, "Idempotency-Key: " + key + "\r\n", answer);
            });
        if (status == 201 || status == 200) {
            const QString id = answer.value(QStringLiteral("id")).toString();
            QMutexLocker lock(&ledger.mutex);
            const QString earlier = ledger.created.value(QString::fromLatin1(key));
            if (!earlier.isEmpty() && earlier != id)
                ledger.violations.append(
                    QStringLiteral("key %1 answered %2 and %3").arg(QString::fromLatin1(key), earlier, id));
            ledger.created.insert(QString::fromLatin1(key), id);
            ledger.open.append(id);
        } else if (definitive(status)) {
            ledger.violation(QStringLiteral("a create was refused with %1").arg(status));
        }
        // A look at the oldest open requests, whoever created them: consume what was approved.
        for (int look = 0; look < 3 && !stop; ++look) {
            QString id;
            {
                QMutexLocker lock(&ledger.mutex);
                if (ledger.open.isEmpty())
                    break;
                id = ledger.open.takeFirst();
            }
            QJsonObject seen;
            const QByteArray path = "/v1/requests/" + id.toLatin1();
            const int looked =
                untilAnswered(ports, static_cast<int>(QRandomGenerator::global()->bounded(NODES)), 30, ledger,
                              [&](quint16 port) { return exchange(port, token, "GET", path, {}, {}, seen); });
            const QString state = seen.value(QStringLiteral("state")).toString();
            if (looked == 200 && state == u"approved") {
                raceConsume(ports, token, id, seen.value(QStringLiteral("payload_sha256")).toString(), ledger);
            } else if (looked != 200 || state == u"pending") {
                QMutexLocker lock(&ledger.mutex);
                ledger.open.append(id);
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
    const int iterations = test::optionValue(args, QStringLiteral("--iterations"), QStringLiteral("120")).toInt();
    const QString bin = test::optionValue(args, QStringLiteral("--bin"), QStringLiteral(COUNTERSIGN_BIN_DIR));
    const QString appPath = bin + QStringLiteral("/countersign");

    test::PgCluster cluster;
    if (!cluster.start())
        return 2;
    QTemporaryDir dir;
    const storage::PgConnectionConfig config = cluster.connectionConfig();
    const QString passFile = dir.filePath(QStringLiteral("team-pass"));
    test::writeTextFile(passFile, TEAM_PASSPHRASE);
    const auto owner = crypto::SigningKey::generate();
    auto initialized = team::TeamDatabase::initialize(
        config, team::TeamKey::passphrase(test::secure(TEAM_PASSPHRASE), crypto::KdfParams::fast()),
        team::TeamDatabase::Owner{QStringLiteral("owner"), QStringLiteral("Olive"), owner.publicKey()},
        dir.filePath(QStringLiteral("harness-checkpoints")));
    if (!initialized) {
        std::fprintf(stderr, "cannot set up the team: %s\n", qPrintable(initialized.error().message));
        return 2;
    }
    std::unique_ptr<team::TeamDatabase> team = std::move(*initialized);
    approvals::RequestEvents events;
    auto opened = application::openServices(*team, events, QStringLiteral("harness"));
    if (!opened)
        return 2;
    approvals::Services& services = **opened;
    auto registered = services.runtimes().registerRuntime(QStringLiteral("load"), {QStringLiteral("deploy.*")},
                                                          QStringLiteral("member:owner"));
    if (!registered)
        return 2;
    const QByteArray token = registered->toLatin1();
    const test::TeamMemberClient alice{
        QStringLiteral("alice"),
        test::addMember(services, QStringLiteral("alice"), QStringLiteral("Alice"), QStringLiteral("approver"))};
    const QByteArray pin = *crypto::TlsIdentity::fingerprint(team->tlsIdentity().certificatePem);
    const QString url = test::teamDatabaseUrl(config);
    auto nodeDir = [&](int index) {
        return dir.filePath(QStringLiteral("node%1").arg(index));
    };

    std::array<test::TeamNodeProcess, NODES> nodes;
    for (int i = 0; i < NODES; ++i) {
        if (!nodes[static_cast<std::size_t>(i)].start(appPath, url, nodeDir(i), passFile))
            return 2;
    }

    Ledger ledger;
    QHash<QString, bool> decided; // request id -> approved (true) or denied, as a node acknowledged
    int violations = 0;
    QElapsedTimer total;
    total.start();
    for (int iteration = 1; iteration <= iterations && violations == 0; ++iteration) {
        Ports ports{};
        for (int i = 0; i < NODES; ++i)
            ports[static_cast<std::size_t>(i)] = nodes[static_cast<std::size_t>(i)].port();
        std::array<quint16, NODES> tlsPorts{};
        for (int i = 0; i < NODES; ++i)
            tlsPorts[static_cast<std::size_t>(i)] = nodes[static_cast<std::size_t>(i)].tlsPort();
        QByteArray session;
        for (int i = 0; i < NODES && session.isEmpty(); ++i)
            session = alice.openSession(tlsPorts[static_cast<std::size_t>(i)], pin);
        if (session.isEmpty()) {
            std::fprintf(stderr, "iteration %d: no node opened a session\n", iteration);
            return 2;
        }

        std::atomic<bool> stop{false};
        std::vector<std::thread> runtimes;
        for (int r = 0; r < 4; ++r)
            runtimes.emplace_back(runtime, r, iteration, std::cref(ports), std::cref(token), std::ref(ledger),
                                  std::cref(stop));
        // The member decides on random nodes while the load runs; one node dies at a random
        // moment and the load goes on for a while on the others.
        const int victim = static_cast<int>(QRandomGenerator::global()->bounded(NODES));
        const qint64 killAt = 100 + QRandomGenerator::global()->bounded(900);
        const qint64 endAt = killAt + 300;
        QElapsedTimer alive;
        alive.start();
        bool killed = false;
        auto killWhenDue = [&] {
            if (!killed && alive.elapsed() >= killAt) {
                nodes[static_cast<std::size_t>(victim)].kill();
                killed = true;
            }
        };
        while (alive.elapsed() < endAt) {
            auto pending = services.requests().requestsInState(approvals::RequestState::Pending, 20);
            for (const approvals::Request& request : pending.value_or(QList<approvals::Request>())) {
                killWhenDue();
                if (alive.elapsed() >= endAt)
                    break;
                const bool approve = QRandomGenerator::global()->bounded(10) != 0;
                const QByteArray body =
                    alice.decisionBody(request.id, request.payloadSha256, approve, team->instancePublicKey());
                const QByteArray path = "/v1/member/requests/" + request.id.toLatin1() + "/decision";
                const int status = untilAnswered(tlsPorts, static_cast<int>(QRandomGenerator::global()->bounded(NODES)),
                                                 30, ledger, [&](quint16 port) {
                                                     return test::httpStatus(
                                                         test::exchangeOverTls(port, pin, "POST", path, session, body));
                                                 });
                if (status == 200)
                    decided.insert(request.id, approve);
                else if (definitive(status) && status != 409) // 409: a retry finds its first send committed
                    ledger.violation(
                        QStringLiteral("a decision on %1 was refused with %2").arg(request.id).arg(status));
            }
            killWhenDue();
            QThread::msleep(5);
        }
        stop = true;
        for (std::thread& thread : runtimes)
            thread.join();
        if (!nodes[static_cast<std::size_t>(victim)].start(appPath, url, nodeDir(victim), passFile)) {
            ledger.violation(
                QStringLiteral("iteration %1: node %2 did not start again after its kill").arg(iteration).arg(victim));
        }

        // The invariants, read from the team's database.
        QMutexLocker lock(&ledger.mutex);
        QStringList found;
        auto violation = [&](const QString& what) {
            found.append(QStringLiteral("iteration %1: %2").arg(iteration).arg(what));
        };
        for (const QString& raised : std::as_const(ledger.violations))
            violation(raised);
        ledger.violations.clear();
        for (const QString& id : std::as_const(ledger.unheard)) {
            auto request = services.requests().request(id);
            if (request && request->state == approvals::RequestState::Consumed)
                violation(QStringLiteral("%1 was consumed, and neither consumer was told so").arg(id));
        }
        ledger.unheard.clear();
        for (auto created = ledger.created.cbegin(); created != ledger.created.cend(); ++created) {
            auto request = services.requests().request(created.value());
            if (!request)
                violation(QStringLiteral("acknowledged request %1 is gone").arg(created.value()));
            else if (request->idempotencyKey != created.key())
                violation(
                    QStringLiteral("request %1 is not stored under its key %2").arg(created.value(), created.key()));
        }
        for (auto decision = decided.cbegin(); decision != decided.cend(); ++decision) {
            auto request = services.requests().request(decision.key());
            const bool stands =
                request && (decision.value() ? request->state == approvals::RequestState::Approved ||
                                                   request->state == approvals::RequestState::Consumed ||
                                                   request->state == approvals::RequestState::Expired
                                             : request->state == approvals::RequestState::Denied);
            if (!stands)
                violation(
                    QStringLiteral("the acknowledged %1 of %2 was lost")
                        .arg(decision.value() ? QStringLiteral("approval") : QStringLiteral("denial"), decision.key()));
        }
        for (const QString& id : std::as_const(ledger.consumed)) {
            auto request = services.requests().request(id);
            if (!request || request->state != approvals::RequestState::Consumed)
                violation(QStringLiteral("the acknowledged consume of %1 was lost").arg(id));
        }
        for (auto receipt = ledger.receipts.cbegin(); receipt != ledger.receipts.cend(); ++receipt) {
            auto checkpoint = audit::Receipt::verify(*receipt, team->instancePublicKey());
            if (!checkpoint) {
                violation(QStringLiteral("the receipt of %1 does not verify: %2")
                              .arg(receipt.key(), checkpoint.error().message));
                continue;
            }
            audit::AuditTree* tree = team->audit().tree();
            auto root = tree ? tree->proofs().root(checkpoint->size) : Result<QByteArray>();
            if (!tree || !root || *root != checkpoint->root)
                violation(QStringLiteral("the receipt of %1 carries a checkpoint of %2 entries that the surviving "
                                         "log does not match")
                              .arg(receipt.key())
                              .arg(checkpoint->size));
        }
        QSqlQuery doubled(services.database());
        if (doubled.exec(QStringLiteral("SELECT subject FROM audit_log WHERE action = 'request.consumed' "
                                        "GROUP BY subject HAVING count(*) > 1")) &&
            doubled.next())
            violation(QStringLiteral("%1 has two consume entries").arg(doubled.value(0).toString()));
        QList<audit::Checkpoint> witnessed;
        for (int i = 0; i < NODES; ++i) {
            auto checkpoints = audit::CheckpointSigner::readFile(
                QDir(nodeDir(i)).filePath(audit::CheckpointSigner::FILE_NAME), team->instancePublicKey());
            if (!checkpoints)
                violation(QStringLiteral("node %1's witness file cannot be read: %2")
                              .arg(i)
                              .arg(checkpoints.error().message));
            else
                witnessed += *checkpoints;
        }
        const audit::VerifyResult verified = team->audit().verify({}, witnessed);
        if (!verified.ok())
            violation(QStringLiteral("the audit chain does not verify: %1").arg(verified.message));
        for (const QString& what : std::as_const(found))
            std::fprintf(stderr, "VIOLATION: %s\n", qPrintable(what));
        violations += static_cast<int>(found.size());
        if (iteration % 10 == 0 || iteration == iterations || violations > 0)
            std::printf("after %d kills: %lld creates, %lld decisions and %lld consumes acknowledged, %lld retries "
                        "on another node, %lld audit entries and %lld witnessed checkpoints verified, %d violations "
                        "(%.0f s)\n",
                        iteration, static_cast<long long>(ledger.created.size()),
                        static_cast<long long>(decided.size()), static_cast<long long>(ledger.consumed.size()),
                        static_cast<long long>(ledger.retries), static_cast<long long>(verified.checked),
                        static_cast<long long>(witnessed.size()), violations,
                        static_cast<double>(total.elapsed()) / 1000.0);
        std::fflush(stdout);
    }
    for (test::TeamNodeProcess& node : nodes)
        node.stop();
    opened->reset();
    team.reset();
    return violations == 0 ? 0 : 1;
}
