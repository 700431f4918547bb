// Soak (issue: security assurance): `countersign --headless` under N keep-alive connections that
// create, long-poll and consume for a bounded time while this process approves through its own
// connection to the vault. Reports every status seen (only 2xx and intended 429s are allowed),
// and the server's resident memory and open descriptors sampled over the run: after warm-up they
// must stay flat.
//
//   countersign-soak [--seconds S] [--connections N] [--bin DIR]     (exit 0: all held)
#include "application/instance.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "crypto/crypto.h"
#include "http/endpointsettings.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMap>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace countersign;

namespace {

struct Sample {
    qint64 atMs = 0;
    double rssMiB = 0;
    int fds = 0;
};

Sample sample(qint64 pid, qint64 atMs)
{
    Sample taken{atMs, 0, 0};
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                taken.rssMiB = line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
        }
    }
    taken.fds = static_cast<int>(
        QDir(QStringLiteral("/proc/%1/fd").arg(pid)).entryList(QDir::NoDotAndDotDot | QDir::System).size());
    return taken;
}

/// One keep-alive connection going round: create, long-poll until decided, consume, again.
class Worker final : public QObject {
public:
    Worker(quint16 port, QByteArray token, QMap<int, qint64>& statuses, QObject* parent)
        : QObject(parent)
        , m_port(port)
        , m_token(std::move(token))
        , m_statuses(statuses)
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { onData(); });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            ++m_statuses[-1];
            QTimer::singleShot(100, this, [this] { reconnect(); }); // not from inside the socket's signal
        });
        reconnect();
    }

    ~Worker() override
    {
        // The socket is a member: silence it before it dies under a half-destroyed worker.
        QObject::disconnect(&m_socket, nullptr, this, nullptr);
        m_socket.abort();
    }

private:
    void reconnect()
    {
        m_buffer.clear();
        m_socket.abort();
        m_socket.connectToHost(QHostAddress::LocalHost, m_port);
        connect(
            &m_socket, &QTcpSocket::connected, this, [this] { create(); }, Qt::SingleShotConnection);
    }

    void send(const QByteArray& method, const QByteArray& path, const QByteArray& body = {})
    {
        m_socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
                       "\r\nAuthorization: Bearer " + m_token +
                       "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
                       "\r\n\r\n" + body);
    }

    void create()
    {
        m_step = Step::Create;
        send("POST", "/v1/requests",
             QJsonDocument(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                       {QStringLiteral("summary"), QStringLiteral("soak")},
                                       {QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), ++m_count}}}})
                 .toJson(QJsonDocument::Compact));
    }

    void onData()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            qsizetype length = 0;
            for (const QByteArray& line : m_buffer.left(end).split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (m_buffer.size() < end + 4 + length)
                return;
            const int status = m_buffer.mid(9, 3).toInt();
            const QJsonObject body = QJsonDocument::fromJson(m_buffer.mid(end + 4, length)).object();
            m_buffer.remove(0, end + 4 + length);
            ++m_statuses[status];
            handle(status, body);
        }
    }

    void handle(int status, const QJsonObject& body)
    {
        if (status == 429) {
            // Intended: back off as Retry-After says (at least a second), then go on.
            QTimer::singleShot(1000, this, [this] { m_step == Step::Create ? create() : poll(); });
            return;
        }
        if (m_step == Step::Create) {
            if (status != 201) {
                QTimer::singleShot(200, this, [this] { create(); });
                return;
            }
            m_id = body.value(QStringLiteral("id")).toString().toLatin1();
            poll();
            return;
        }
        const QString state = body.value(QStringLiteral("state")).toString();
        if (m_step == Step::Poll && state == u"approved") {
            m_step = Step::Consume;
            send("POST", "/v1/requests/" + m_id + "/consume",
                 "{\"payload_sha256\":\"" + body.value(QStringLiteral("payload_sha256")).toString().toLatin1() + "\"}");
            return;
        }
        if (m_step == Step::Poll && state == u"pending") {
            poll();
            return;
        }
        create(); // consumed, or decided otherwise: the next one
    }

    void poll()
    {
        m_step = Step::Poll;
        send("GET", "/v1/requests/" + m_id + "?wait=5");
    }

    enum class Step { Create, Poll, Consume };
    quint16 m_port;
    QByteArray m_token;
    QMap<int, qint64>& m_statuses;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_id;
    Step m_step = Step::Create;
    int m_count = 0;
};

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("countersign.*=false"));
    if (!crypto::initialize())
        return 2;
    const QStringList args = app.arguments();
    auto option = [&](const QString& name, const QString& fallback) {
        return test::optionValue(args, name, fallback);
    };
    const int seconds = option(QStringLiteral("--seconds"), QStringLiteral("600")).toInt();
    const int connections = option(QStringLiteral("--connections"), QStringLiteral("200")).toInt();
    const QString bin = option(QStringLiteral("--bin"), QStringLiteral(COUNTERSIGN_BIN_DIR));

    QTemporaryDir dir;
    const QString vaultDir = dir.filePath(QStringLiteral("vault"));
    // The approver's side, built as the window builds it; the server is another process.
    auto instance = test::openInstance(test::createVault(vaultDir), {});
    if (!instance)
        return 2;
    approvals::Services* services = instance->services();
    // Twenty runtimes share the connections, as a fleet of agents would.
    QList<QByteArray> tokens;
    for (int i = 0; i < 20; ++i)
        tokens.append(services->runtimes()
                          .registerRuntime(QStringLiteral("agent-%1").arg(i), {QStringLiteral("deploy.*")},
                                           QStringLiteral("member:owner"))
                          ->toLatin1());
    const QString passFile = dir.filePath(QStringLiteral("pass"));
    test::writeTextFile(passFile, test::PASSPHRASE);
    const quint16 port = test::freeLoopbackPort();
    QProcess server;
    QByteArray output;
    if (!test::startHeadless(server, bin + QStringLiteral("/countersign"), vaultDir, passFile, port, {}, output)) {
        std::fprintf(stderr, "the server did not start: %s\n", server.readAllStandardError().constData());
        return 1;
    }

    QMap<int, qint64> statuses;
    QList<Worker*> workers;
    for (int i = 0; i < connections; ++i)
        workers.append(new Worker(port, tokens.at(i % tokens.size()), statuses, nullptr));
    QList<Sample> samples;
    QElapsedTimer clock;
    clock.start();
    qint64 approvals = 0;
    QTimer decide;
    QObject::connect(&decide, &QTimer::timeout, &app, [&] {
        auto pending = services->requests().requestsInState(approvals::RequestState::Pending, 200);
        for (const approvals::Request& request : pending.value_or(QList<approvals::Request>()))
            approvals +=
                services->requests().approve(QStringLiteral("owner"), request.id, QStringLiteral("soak")) ? 1 : 0;
    });
    decide.start(50);
    QTimer sampler;
    const int every = std::max(1, seconds / 20) * 1000;
    QObject::connect(&sampler, &QTimer::timeout, &app, [&] {
        samples.append(sample(server.processId(), clock.elapsed()));
        const Sample& last = samples.constLast();
        std::printf("%5.0f s  rss %.1f MiB  fds %d  approvals %lld\n", static_cast<double>(last.atMs) / 1000.0,
                    last.rssMiB, last.fds, static_cast<long long>(approvals));
        std::fflush(stdout);
    });
    sampler.start(every);
    QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    QCoreApplication::exec();

    decide.stop();
    sampler.stop();
    qDeleteAll(workers); // the load stops before the server does
    server.terminate();
    server.waitForFinished(10000);
    bool held = true;
    std::printf("statuses:");
    for (auto it = statuses.cbegin(); it != statuses.cend(); ++it) {
        std::printf(" %s=%lld", it.key() < 0 ? "disconnects" : qPrintable(QString::number(it.key())),
                    static_cast<long long>(it.value()));
        const bool allowed = it.key() == 200 || it.key() == 201 || it.key() == 429;
        if (!allowed)
            held = false;
    }
    std::printf("\n");
    // Warm-up is the first quarter of the run; after it, memory and descriptors stay flat.
    QList<Sample> settled;
    for (const Sample& taken : std::as_const(samples)) {
        if (taken.atMs >= clock.elapsed() / 4)
            settled.append(taken);
    }
    if (settled.size() >= 2) {
        const Sample& first = settled.constFirst();
        const Sample& last = settled.constLast();
        std::printf("after warm-up: rss %.1f -> %.1f MiB, fds %d -> %d\n", first.rssMiB, last.rssMiB, first.fds,
                    last.fds);
#if defined(__SANITIZE_ADDRESS__)
        // AddressSanitizer keeps freed memory in quarantine (up to 256 MiB): resident memory grows
        // by design there, so only descriptors are judged.
        const bool memoryJudged = false;
#else
        const bool memoryJudged = true;
#endif
        if ((memoryJudged && last.rssMiB > first.rssMiB * 1.25 + 8.0) || last.fds > first.fds + 8)
            held = false;
    }
    std::printf("%s\n", held ? "soak held" : "soak FAILED");
    return held ? 0 : 1;
}
