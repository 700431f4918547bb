// The runtime guide's Python client, taken from docs/runtime-guide.md as a reader would copy it,
// against a real `countersign --headless`: its canonical JSON (RFC 8785) gives the digest the
// server computes for payloads that trip naive implementations (1.0, keys outside the BMP, large
// integers, exponents, escapes), and the whole sample runs from request to consume. Bodies whose
// numbers or strings JSON cannot carry exactly are refused with a clear 400.
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "policy/policystore.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString GUIDE = QStringLiteral(COUNTERSIGN_TEST_DATA_DIR "/../../docs/runtime-guide.md");

/// Payloads as raw JSON text, one a line, that a naive canonical form gets wrong: 1.0, keys
/// outside the BMP, integers near 2^53, exponents, escapes, nesting.
const QString TRICKY_PAYLOADS = QStringLiteral(COUNTERSIGN_TEST_DATA_DIR "/tricky-payloads.jsonl");

QList<QByteArray> trickyPayloads()
{
    QFile file(TRICKY_PAYLOADS);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> payloads = file.readAll().split('\n');
    payloads.removeAll(QByteArray());
    return payloads;
}

} // namespace

class TestRuntimeGuide final : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_tokenFile;
    QProcess m_server;
    quint16 m_port = 0;
    QString m_python; // the guide's Python client

    struct Answer {
        int status = 0;
        QJsonObject json;
        QByteArray raw;
    };

    Answer post(const QByteArray& path, const QByteArray& body)
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(5000))
            return {};
        QFile file(m_tokenFile);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        Answer answer;
        answer.raw = test::httpExchange(socket, "POST", path, "127.0.0.1:" + QByteArray::number(m_port),
                                        file.readAll().trimmed(), body);
        answer.status = answer.raw.mid(9, 3).toInt();
        answer.json = QJsonDocument::fromJson(answer.raw.mid(answer.raw.indexOf("\r\n\r\n") + 4)).object();
        return answer;
    }

    QByteArray createBody(const QByteArray& payload)
    {
        return R"({"capability":"deploy.web","summary":"guide","payload":)" + payload + "}";
    }

    QProcessEnvironment pythonEnvironment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_URL"), QStringLiteral("http://127.0.0.1:%1").arg(m_port));
        env.insert(QStringLiteral("COUNTERSIGN_TOKEN_FILE"), m_tokenFile);
        return env;
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QFile guide(GUIDE);
        QVERIFY(guide.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(guide.readAll());
        static const QRegularExpression PYTHON(QStringLiteral("## 4\\. A Python client.*?```python\\n(.*?)```"),
                                               QRegularExpression::DotMatchesEverythingOption);
        const auto found = PYTHON.match(text);
        QVERIFY2(found.hasMatch(), "the guide has no Python client");
        m_python = found.captured(1);

        const QString dataDir = m_dir->filePath(QStringLiteral("vault"));
        {
            auto vault = test::createVault(dataDir);
            QVERIFY(vault);
            approvals::RequestEvents events;
            auto services = application::openServices(*vault, events, QStringLiteral("test"));
            QVERIFY(services);
            auto token = (*services)->runtimes().registerRuntime(QStringLiteral("guide"), {QStringLiteral("deploy.*")},
                                                                 QStringLiteral("member:owner"));
            QVERIFY(token);
            m_tokenFile = m_dir->filePath(QStringLiteral("token"));
            test::writeTextFile(m_tokenFile, *token);
            // The sample waits for a decision; here a policy decides at once.
            policy::PolicyRule allow;
            allow.capabilityGlob = QStringLiteral("deploy.*");
            allow.outcome = policy::PolicyRule::Outcome::Allow;
            QVERIFY((*services)->policies().add(allow, QStringLiteral("member:owner")));
        }
        const QString passFile = m_dir->filePath(QStringLiteral("pass"));
        test::writeTextFile(passFile, test::PASSPHRASE);
        m_port = test::freeLoopbackPort();
        QByteArray output;
        QVERIFY2(test::startHeadless(m_server, APP, dataDir, passFile, m_port, {}, output), output.constData());
    }

    void cleanup()
    {
        test::stopProcess(m_server);
        m_dir.reset();
    }

    void theGuidesCanonicalJsonGivesTheServersDigest()
    {
        const QList<QByteArray> payloads = trickyPayloads();
        QVERIFY(payloads.size() >= 7);
        QStringList serverDigests;
        for (const QByteArray& payload : payloads) {
            const Answer created = post("/v1/requests", createBody(payload));
            QVERIFY2(created.status == 201, created.raw.constData());
            serverDigests.append(created.json.value(QStringLiteral("payload_sha256")).toString());
        }

        // The client's definitions (everything before it starts asking), then each payload's digest.
        const qsizetype asks = m_python.indexOf(QStringLiteral("\npayload = "));
        QVERIFY(asks > 0);
        const QString harness = m_python.left(asks) + QStringLiteral(R"(
import sys
for line in sys.stdin.buffer.read().decode("utf-8").split("\n"):
    if line:
        print(hashlib.sha256(canonical(json.loads(line))).hexdigest())
)");
        QProcess python;
        python.setProcessEnvironment(pythonEnvironment());
        python.start(QStringLiteral("python3"), {QStringLiteral("-c"), harness});
        QVERIFY2(python.waitForStarted(30000), "python3 is missing");
        python.write(payloads.join('\n') + '\n');
        python.closeWriteChannel();
        QVERIFY(python.waitForFinished(60000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QStringList clientDigests =
            QString::fromLatin1(python.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(clientDigests, serverDigests);
    }

    void theGuidesClientRunsFromRequestToConsume()
    {
        QProcess python;
        python.setProcessEnvironment(pythonEnvironment());
        python.start(QStringLiteral("python3"), {QStringLiteral("-c"), m_python});
        QVERIFY2(python.waitForStarted(30000), "python3 is missing");
        QVERIFY(python.waitForFinished(120000));
        const QByteArray err = python.readAllStandardError();
        QVERIFY2(python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0, err.constData());
        QVERIFY2(python.readAllStandardOutput().startsWith("approved by"), err.constData());
    }

    void numbersAndStringsJsonCannotCarryExactlyAreRefused_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("says");
        QTest::newRow("2^53 + 1") << QByteArray(R"({"id":9007199254740993})") << QStringLiteral("2^53");
        QTest::newRow("an int64 id") << QByteArray(R"({"id":1234567890123456789})") << QStringLiteral("2^53");
        QTest::newRow("excess precision")
            << QByteArray(R"({"x":0.30000000000000001})") << QStringLiteral("more precision");
        QTest::newRow("overflow") << QByteArray(R"({"x":1e400})") << QStringLiteral("range");
        QTest::newRow("negative zero") << QByteArray(R"({"x":-0})") << QStringLiteral("negative zero");
        QTest::newRow("lone surrogate") << QByteArray(R"({"s":"\ud800"})") << QStringLiteral("surrogate");
        QTest::newRow("lone surrogate key") << QByteArray(R"({"\udc00":1})") << QStringLiteral("surrogate");
    }
    void numbersAndStringsJsonCannotCarryExactlyAreRefused()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, says);
        const Answer refused = post("/v1/requests", createBody(payload));
        QVERIFY2(refused.status == 400, refused.raw.constData());
        const QString message =
            refused.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        QVERIFY2(message.contains(says), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestRuntimeGuide)
#include "tst_runtimeguide.moc"
