// What the evidence promises under attack, with real processes and real files: an approval spent
// once stays spent when the vault is rolled back, every client remembers what it was shown, a
// consume whose answer was lost can be retried, and the approved command runs without the
// runtime's credential.
#include "application/openservices.h"
#include "approvals/decisionstatement.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "evidence/auditentry.h"
#include "evidence/checkpoint.h"
#include "evidence/receipt.h"
#include "json/canonicaljson.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");

struct Run {
    int code = -1;
    QByteArray out;
    QByteArray err;
};

/// One instance on disk, its runtime token, and a headless server on its own port.
class Instance final {
public:
    explicit Instance(const QString& root)
        : m_root(root)
        , m_vaultDir(QDir(root).filePath(QStringLiteral("vault")))
        , m_passFile(QDir(root).filePath(QStringLiteral("pass")))
        , m_tokenFile(QDir(root).filePath(QStringLiteral("token")))
        , m_stateDir(QDir(root).filePath(QStringLiteral("client-state")))
    {
    }
    ~Instance() { stop(); }

    bool create()
    {
        test::writeTextFile(m_passFile, test::PASSPHRASE);
        auto vault = test::createVault(m_vaultDir);
        if (!vault)
            return false;
        approvals::RequestEvents events;
        auto services = application::openServices(*vault, events, QStringLiteral("setup"));
        if (!services)
            return false;
        auto token = (*services)->runtimes().registerRuntime(QStringLiteral("agent"),
                                                             {QStringLiteral("deploy.*"), QStringLiteral("shell.exec")},
                                                             QStringLiteral("member:owner"));
        if (!token)
            return false;
        m_token = token->toLatin1();
        test::writeTextFile(m_tokenFile, *token);
        return true;
    }

    bool start()
    {
        m_port = test::freeLoopbackPort();
        QByteArray output;
        if (!test::startHeadless(m_server, APP, m_vaultDir, m_passFile, m_port, {}, output)) {
            m_startOutput = output + m_server.readAllStandardError();
            return false;
        }
        return true;
    }

    void stop() { test::stopProcess(m_server, 20000); }

    /// The decision a member takes at the desktop, through the core API on the same vault.
    bool approve(const QString& id)
    {
        auto vault = test::openVault(m_vaultDir);
        if (!vault)
            return false;
        approvals::RequestEvents events;
        auto services = application::openServices(*vault, events, QStringLiteral("approver"));
        if (!services)
            return false;
        auto approved = (*services)->requests().approve(vault::Vault::OWNER_MEMBER_ID, id, QStringLiteral("ok"));
        if (!approved)
            qWarning("approve: %s", qPrintable(approved.error().message));
        return approved.has_value();
    }

    /// The id of the runtime's newest pending request, waiting up to a minute for one.
    QString waitForPending()
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000) {
            {
                auto vault = test::openVault(m_vaultDir);
                approvals::RequestEvents events;
                auto services = vault ? application::openServices(*vault, events, QStringLiteral("poll"))
                                      : Result<std::unique_ptr<approvals::Services>>(
                                            std::unexpected(Error{ErrorCode::Storage, QString()}));
                if (services) {
                    auto pending = (*services)->requests().requestsInState(approvals::RequestState::Pending);
                    if (pending && !pending->isEmpty())
                        return pending->first().id;
                }
            }
            QTest::qWait(200);
        }
        return {};
    }

    QProcessEnvironment clientEnvironment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_URL"), QStringLiteral("http://127.0.0.1:%1").arg(m_port));
        env.insert(QStringLiteral("COUNTERSIGN_TOKEN_FILE"), m_tokenFile);
        env.remove(QStringLiteral("COUNTERSIGN_TOKEN"));
        env.insert(QStringLiteral("XDG_STATE_HOME"), m_stateDir);
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*=false"));
        return env;
    }

    Run cli(const QStringList& args, const QProcessEnvironment& env, const QByteArray& input = {}) const
    {
        QProcess process;
        process.setProcessEnvironment(env);
        process.start(CLI, args);
        if (!process.waitForStarted(30000))
            return {};
        if (!input.isEmpty())
            process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(180000)) {
            process.kill();
            process.waitForFinished(5000);
            return {};
        }
        return Run{process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
    }

    Run cli(const QStringList& args, const QByteArray& input = {}) const
    {
        return cli(args, clientEnvironment(), input);
    }

    /// An administrative command on the data directory, unlocked from the passphrase file.
    Run admin(const QStringList& args) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), m_passFile);
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*=false"));
        return cli(QStringList{QStringLiteral("--data-dir"), m_vaultDir} + args, env);
    }

    /// `vault check` on the data directory.
    Run check() const { return admin({QStringLiteral("vault"), QStringLiteral("check")}); }

    /// Asks for \a payload by the CLI; returns the request's id.
    /// Asks for \a payload, approves it at the desktop and consumes it with `consume --json`;
    /// the consume's run (code -1 when asking or approving failed).
    Run askApproveAndConsume(const QByteArray& payload)
    {
        const QString id = ask(payload);
        if (id.isEmpty() || !approve(id))
            return {};
        return cli(
            {QStringLiteral("consume"), QStringLiteral("--payload"), QStringLiteral("-"), QStringLiteral("--json"), id},
            payload);
    }

    QString ask(const QByteArray& payload) const
    {
        const Run asked = cli({QStringLiteral("request"), QStringLiteral("--capability"), QStringLiteral("deploy.web"),
                               QStringLiteral("--summary"), QStringLiteral("Deploy"), QStringLiteral("--payload"),
                               QStringLiteral("-"), QStringLiteral("--json")},
                              payload);
        return QJsonDocument::fromJson(asked.out).object().value(QStringLiteral("id")).toString();
    }

    /// One raw HTTP/1.1 exchange with the server, as the runtime.
    QByteArray http(const QByteArray& method, const QByteArray& path, const QByteArray& body,
                    const QByteArray& extraHeaders = {}) const
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(10000))
            return {};
        socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
                     "\r\nAuthorization: Bearer " + m_token + "\r\n" + extraHeaders +
                     "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                     QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QByteArray response;
        while (socket.waitForReadyRead(30000))
            response += socket.readAll();
        return response + socket.readAll();
    }

    /// Copies every file of the vault directory except the checkpoint file to \a to.
    bool backUp(const QString& to) const
    {
        QDir().mkpath(to);
        for (const QString& name : QDir(m_vaultDir).entryList(QDir::Files)) {
            if (name == audit::CheckpointSigner::FILE_NAME)
                continue;
            QFile::remove(QDir(to).filePath(name));
            if (!QFile::copy(QDir(m_vaultDir).filePath(name), QDir(to).filePath(name)))
                return false;
        }
        return true;
    }

    /// Copies every file of the vault directory, the checkpoint file included, to \a to.
    bool backUpAll(const QString& to) const
    {
        QDir().mkpath(to);
        for (const QString& name : QDir(m_vaultDir).entryList(QDir::Files)) {
            QFile::remove(QDir(to).filePath(name));
            if (!QFile::copy(QDir(m_vaultDir).filePath(name), QDir(to).filePath(name)))
                return false;
        }
        return true;
    }

    /// Puts the files of \a from back over the vault's (the checkpoint file stays as it is).
    bool restore(const QString& from) const
    {
        for (const QString& name : QDir(m_vaultDir).entryList(QDir::Files)) {
            if (name != audit::CheckpointSigner::FILE_NAME)
                QFile::remove(QDir(m_vaultDir).filePath(name));
        }
        for (const QString& name : QDir(from).entryList(QDir::Files)) {
            if (name != audit::CheckpointSigner::FILE_NAME &&
                !QFile::copy(QDir(from).filePath(name), QDir(m_vaultDir).filePath(name)))
                return false;
        }
        return true;
    }

    QString m_root;
    QString m_vaultDir;
    QString m_passFile;
    QString m_tokenFile;
    QString m_stateDir;
    QByteArray m_token;
    QProcess m_server;
    quint16 m_port = 0;
    QByteArray m_startOutput;
};

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

QByteArray bodyOf(const QByteArray& response)
{
    return response.mid(response.indexOf("\r\n\r\n") + 4);
}

} // namespace

class TestEvidence final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    /// A request row put back to "approved" (as restoring its page from a backup does) while the
    /// chain holds its consume: the second consume is refused.
    void aRolledBackRequestRowCannotBeConsumedAgain()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QByteArray payload = R"({"version":"1.4.2"})";
        const Run asked =
            instance.cli({QStringLiteral("request"), QStringLiteral("--capability"), QStringLiteral("deploy.web"),
                          QStringLiteral("--summary"), QStringLiteral("Deploy 1.4.2"), QStringLiteral("--payload"),
                          QStringLiteral("-"), QStringLiteral("--json")},
                         payload);
        QCOMPARE(asked.code, 0);
        const QString id = QJsonDocument::fromJson(asked.out).object().value(QStringLiteral("id")).toString();
        QVERIFY2(!id.isEmpty(), asked.out.constData());
        QVERIFY(instance.approve(id));
        const QStringList consume{QStringLiteral("consume"), QStringLiteral("--payload"), QStringLiteral("-"), id};
        const Run first = instance.cli(consume, payload);
        QVERIFY2(first.code == 0, first.err.constData());
        instance.stop();
        {
            // The request's row as it was before the consume, the chain untouched.
            auto vault = test::openVault(instance.m_vaultDir);
            QVERIFY(vault);
            QSqlQuery rollback(vault->database());
            QVERIFY(rollback.exec(
                QStringLiteral("UPDATE requests SET state = 'approved', consumed_at = NULL WHERE id = '%1'").arg(id)));
            QCOMPARE(rollback.numRowsAffected(), 1);
        }
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const Run second = instance.cli(consume, payload);
        QCOMPARE(second.code, 4);
        QVERIFY2(second.err.contains("already consumed") && second.err.contains("older copy"), second.err.constData());
    }

    /// The vault file put back from before the consume: with the checkpoint file deleted, and with it
    /// kept. `vault check` says so, and the server refuses to serve the old vault.
    void anOlderVaultIsRefusedWithOrWithoutTheCheckpointFile()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QByteArray payload = R"({"version":"2.0.0"})";
        const Run asked =
            instance.cli({QStringLiteral("request"), QStringLiteral("--capability"), QStringLiteral("deploy.web"),
                          QStringLiteral("--summary"), QStringLiteral("Deploy 2.0.0"), QStringLiteral("--payload"),
                          QStringLiteral("-"), QStringLiteral("--json")},
                         payload);
        QCOMPARE(asked.code, 0);
        const QString id = QJsonDocument::fromJson(asked.out).object().value(QStringLiteral("id")).toString();
        QVERIFY(instance.approve(id));
        instance.stop();
        const QString backup = dir.filePath(QStringLiteral("backup"));
        QVERIFY(instance.backUp(backup));
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QStringList consume{QStringLiteral("consume"), QStringLiteral("--payload"), QStringLiteral("-"), id};
        QCOMPARE(instance.cli(consume, payload).code, 0);
        instance.stop();
        QCOMPARE(instance.check().code, 0);

        // The older vault, the checkpoint file kept: cut from the end.
        QVERIFY(instance.restore(backup));
        Run check = instance.check();
        QCOMPARE(check.code, 1);
        QVERIFY2(check.out.contains("older copy was restored"), check.out.constData());
        // (Opening it for the check appended to the old chain: cut, or now rewritten, both refused.)
        QVERIFY(!instance.start());
        QVERIFY2(instance.m_startOutput.contains("refusing to serve") &&
                     (instance.m_startOutput.contains("older copy was restored") ||
                      instance.m_startOutput.contains("rewritten")),
                 instance.m_startOutput.constData());

        // And with the checkpoint file deleted too: not "no checkpoints", a failure.
        QVERIFY(QFile::remove(QDir(instance.m_vaultDir).filePath(audit::CheckpointSigner::FILE_NAME)));
        check = instance.check();
        QCOMPARE(check.code, 1);
        QVERIFY2(check.out.contains("deleted or replaced with an older copy"), check.out.constData());
        QVERIFY(!instance.start());
        QVERIFY2(instance.m_startOutput.contains("deleted or replaced"), instance.m_startOutput.constData());
    }

    /// The consume commits, then its receipt cannot be made (the checkpoint file is unusable):
    /// the answer is an error, and a retry with the same Idempotency-Key gets the receipt.
    void aConsumeWhoseAnswerFailedIsReplayedToItsRetry()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QByteArray created = instance.http(
            "POST", "/v1/requests", R"({"capability":"deploy.web","summary":"Deploy 3","payload":{"version":"3"}})");
        QVERIFY2(created.startsWith("HTTP/1.1 201"), created.constData());
        const QJsonObject request = QJsonDocument::fromJson(bodyOf(created)).object();
        const QString id = request.value(QStringLiteral("id")).toString();
        QVERIFY(instance.approve(id));
        const QByteArray consume =
            "{\"payload_sha256\":\"" + request.value(QStringLiteral("payload_sha256")).toString().toLatin1() + "\"}";
        const QByteArray path = "/v1/requests/" + id.toLatin1() + "/consume";
        const QString file = QDir(instance.m_vaultDir).filePath(audit::CheckpointSigner::FILE_NAME);
        QVERIFY(QFile::rename(file, file + QStringLiteral(".away")));
        QVERIFY(QDir().mkdir(file));
        const QByteArray failed = instance.http("POST", path, consume, "Idempotency-Key: retry-1\r\n");
        QVERIFY2(failed.startsWith("HTTP/1.1 5"), failed.constData());
        QVERIFY(QDir().rmdir(file));
        QVERIFY(QFile::rename(file + QStringLiteral(".away"), file));
        // Committed: another key, or none, is refused; the same key gets the receipt.
        QVERIFY(instance.http("POST", path, consume).startsWith("HTTP/1.1 409"));
        QVERIFY(instance.http("POST", path, consume, "Idempotency-Key: other\r\n").startsWith("HTTP/1.1 409"));
        const QByteArray replayed = instance.http("POST", path, consume, "Idempotency-Key: retry-1\r\n");
        QVERIFY2(replayed.startsWith("HTTP/1.1 200"), replayed.constData());
        const QJsonObject receipt =
            QJsonDocument::fromJson(bodyOf(replayed)).object().value(QStringLiteral("receipt")).toObject();
        QCOMPARE(receipt.value(QStringLiteral("request_id")).toString(), id);
        // The same consume: one consume entry in the chain, the receipt's.
        const QString receiptFile = dir.filePath(QStringLiteral("receipt.json"));
        test::writeTextFile(receiptFile, QString::fromUtf8(bodyOf(replayed)));
        const Run key = instance.check(); // the chain holds
        QCOMPARE(key.code, 0);
        const QByteArray again = instance.http("POST", path, consume, "Idempotency-Key: retry-1\r\n");
        QCOMPARE(QJsonDocument::fromJson(bodyOf(again))
                     .object()
                     .value(QStringLiteral("receipt"))
                     .toObject()
                     .value(QStringLiteral("audit_seq"))
                     .toInteger(),
                 receipt.value(QStringLiteral("audit_seq")).toInteger());
    }

    /// A receipt re-signed with the instance key over decisions by a key the log never registered,
    /// or over another capability, runtime or digest than its consume entry records: refused by
    /// `receipt verify`.
    void receiptsProveTheKeysAndFieldsTheyCarry()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QByteArray payload = R"({"version":"5"})";
        const Run consumed = instance.askApproveAndConsume(payload);
        QCOMPARE(consumed.code, 0);
        instance.stop();
        auto vault = test::openVault(instance.m_vaultDir);
        QVERIFY(vault);
        const QString key = QString::fromLatin1(vault->instancePublicKey().toBase64());
        const QJsonObject receipt =
            QJsonDocument::fromJson(consumed.out).object().value(QStringLiteral("receipt")).toObject();
        const QString id = receipt.value(QStringLiteral("request_id")).toString();
        QVERIFY(!id.isEmpty());
        const QString file = dir.filePath(QStringLiteral("receipt.json"));
        auto verify = [&](const QJsonObject& candidate) {
            if (!writeFile(file, QJsonDocument(candidate).toJson()))
                return Run{};
            return instance.cli(
                {QStringLiteral("receipt"), QStringLiteral("verify"), file, QStringLiteral("--key"), key});
        };
        auto resigned = [&](QJsonObject candidate) {
            candidate.insert(
                QStringLiteral("signature"),
                QString::fromLatin1(vault->instanceKey().sign(audit::Receipt::signedBytes(candidate)).toBase64()));
            return candidate;
        };
        QCOMPARE(verify(receipt).code, 0);

        // The approver's decision replaced by one signed with a key made for the occasion.
        QJsonArray decisions = receipt.value(QStringLiteral("decisions")).toArray();
        QCOMPARE(decisions.size(), 1);
        QJsonObject decision = decisions.at(0).toObject();
        const crypto::SigningKey forger = crypto::SigningKey::generate();
        const approvals::DecisionStatement statement{id,
                                                     decision.value(QStringLiteral("member")).toString(),
                                                     receipt.value(QStringLiteral("payload_sha256")).toString(),
                                                     true,
                                                     decision.value(QStringLiteral("reason")).toString(),
                                                     decision.value(QStringLiteral("decided_at_ms")).toInteger(),
                                                     audit::Checkpoint::originFor(vault->instancePublicKey())};
        decision.insert(QStringLiteral("public_key"), QString::fromLatin1(forger.publicKey().toBase64()));
        decision.insert(QStringLiteral("signature"), QString::fromLatin1(statement.sign(forger).toBase64()));
        decisions.replace(0, decision);
        QJsonObject forged = receipt;
        forged.insert(QStringLiteral("decisions"), decisions);
        Run refused = verify(resigned(forged));
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.out.contains("never registered"), refused.out.constData());
        // Without the key's entry at all.
        decision.remove(QStringLiteral("key_entry"));
        decisions.replace(0, decision);
        forged.insert(QStringLiteral("decisions"), decisions);
        QCOMPARE(verify(resigned(forged)).code, 1);

        // Another capability, runtime or digest than the consume entry records.
        for (const char* field : {"capability", "runtime", "payload_sha256"}) {
            QJsonObject altered = receipt;
            altered.insert(QLatin1String(field), QStringLiteral("deploy.everything"));
            refused = verify(resigned(altered));
            QCOMPARE(refused.code, 1);
            QVERIFY2(refused.out.contains("not the one its consume entry records") ||
                         refused.out.contains("does not verify with their key"),
                     refused.out.constData());
        }
        // The same receipt naming a key twice: refused, whichever one a parser would keep.
        const QByteArray text = QJsonDocument(receipt).toJson(QJsonDocument::Compact);
        QVERIFY(writeFile(file, "{\"runtime\":\"someone-else\"," + text.mid(1)));
        refused =
            instance.cli({QStringLiteral("receipt"), QStringLiteral("verify"), file, QStringLiteral("--key"), key});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.out.contains("twice") || refused.out.contains("duplicate"), refused.out.constData());
    }

    /// `audit verify`: no key is no verdict; a log without a checkpoint over its end is refused;
    /// the consume answer as `consume --json` prints it is a checkpoint source.
    void auditVerifyNeedsTheKeyAndACheckpointOverTheEnd()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QByteArray payload = R"({"version":"6"})";
        const Run consumed = instance.askApproveAndConsume(payload);
        QCOMPARE(consumed.code, 0);
        instance.stop();
        const QString answer = dir.filePath(QStringLiteral("consumed.json"));
        QVERIFY(writeFile(answer, consumed.out));
        const QString exported = dir.filePath(QStringLiteral("audit.jsonl"));
        QCOMPARE(instance.admin({QStringLiteral("audit"), QStringLiteral("export"), exported}).code, 0);
        const Run keyRun = instance.admin({QStringLiteral("audit"), QStringLiteral("key")});
        const QString key = QString::fromUtf8(keyRun.out.trimmed());
        const QStringList verify{QStringLiteral("audit"), QStringLiteral("verify")};

        Run ok = instance.cli(
            verify + QStringList{exported, QStringLiteral("--key"), key, QStringLiteral("--checkpoint"), answer});
        QVERIFY2(ok.code == 0, QByteArray(ok.out + ok.err).constData());
        QVERIFY2(ok.out.contains("audit export OK"), ok.out.constData());
        // No key: the file vouches for itself, which is no verdict.
        Run unkeyed = instance.cli(verify + QStringList{exported});
        QCOMPARE(unkeyed.code, 1);
        QVERIFY2(unkeyed.out.contains("NOT verified"), unkeyed.out.constData());

        QFile file(exported);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = file.readAll().split('\n');
        file.close();
        while (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        QList<QByteArray> entries;
        QList<QByteArray> checkpoints;
        for (const QByteArray& line : std::as_const(lines))
            (line.startsWith("{\"checkpoint\"") ? checkpoints : entries).append(line);
        // Its checkpoints dropped: a log nobody signed.
        const QString unsignedLog = dir.filePath(QStringLiteral("unsigned.jsonl"));
        QVERIFY(writeFile(unsignedLog, entries.join('\n') + '\n'));
        Run refused = instance.cli(verify + QStringList{unsignedLog, QStringLiteral("--key"), key});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.out.contains("no signed checkpoint covers"), refused.out.constData());

        // Entries appended after the last checkpoint, hashed and linked as the instance would.
        const QJsonObject last = QJsonDocument::fromJson(entries.last()).object();
        audit::AuditEntry extra;
        extra.seq = last.value(QStringLiteral("seq")).toInteger() + 1;
        extra.timestampMs = last.value(QStringLiteral("ts")).toInteger() + 1;
        extra.actor = QStringLiteral("member:owner");
        extra.action = QStringLiteral("request.approved");
        extra.subject = QStringLiteral("request:fabricated");
        extra.details = "{}";
        extra.prevHash = QByteArray::fromHex(last.value(QStringLiteral("entry_hash")).toString().toLatin1());
        extra.entryHash = extra.computeHash();
        extra.mac = QByteArray(32, '\0');
        QList<QByteArray> extended = entries;
        extended.append(audit::AuditExport::entryLine(extra).trimmed());
        QJsonObject header = QJsonDocument::fromJson(extended.first()).object();
        header.insert(QStringLiteral("entries"), extra.seq);
        extended[0] = QJsonDocument(header).toJson(QJsonDocument::Compact);
        const QString extendedLog = dir.filePath(QStringLiteral("extended.jsonl"));
        QVERIFY(writeFile(extendedLog, (extended + checkpoints).join('\n') + '\n'));
        refused = instance.cli(verify + QStringList{extendedLog, QStringLiteral("--key"), key});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.out.contains("after the last signed checkpoint"), refused.out.constData());
    }

    /// The vault and its checkpoint file both put back from a backup: consistent with each other,
    /// so the server serves, but the runtime's client saw a newer checkpoint and refuses.
    void theClientWitnessRefusesAnInstanceRolledBack()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QByteArray payload = R"({"version":"7"})";
        const QString id = instance.ask(payload);
        QVERIFY(!id.isEmpty());
        instance.stop();
        const QString backup = dir.filePath(QStringLiteral("backup"));
        QVERIFY(instance.backUpAll(backup));
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        QVERIFY(instance.approve(id)); // signs a checkpoint over the decision
        const QStringList status{QStringLiteral("status"), id};
        Run seen = instance.cli(status);
        QVERIFY2(seen.code == 0, seen.err.constData());
        QVERIFY2(seen.out.contains("approved"), seen.out.constData());
        const QString stateFile = QDir(instance.m_stateDir).filePath(QStringLiteral("countersign/witness.json"));
        QVERIFY(QFile::exists(stateFile));
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                QFileDevice::WriteOther | QFileDevice::ExeOther;
        QCOMPARE(QFile::permissions(stateFile) & others, QFileDevice::Permissions());
        QVERIFY(QFile::permissions(stateFile) & QFileDevice::WriteOwner);
        instance.stop();

        QVERIFY(instance.restore(backup));
        QVERIFY(QFile::remove(QDir(instance.m_vaultDir).filePath(audit::CheckpointSigner::FILE_NAME)));
        QVERIFY(QFile::copy(QDir(backup).filePath(audit::CheckpointSigner::FILE_NAME),
                            QDir(instance.m_vaultDir).filePath(audit::CheckpointSigner::FILE_NAME)));
        QVERIFY2(instance.start(), instance.m_startOutput.constData()); // the server cannot tell
        const Run refused = instance.cli(status);
        QCOMPARE(refused.code, 3);
        QVERIFY2(refused.err.contains("was rolled back or rewritten"), refused.err.constData());
        QVERIFY(!refused.out.contains("pending"));
        // Another client, which never saw the newer checkpoint, cannot tell either: witnessing is
        // per client, and each remembers what it was shown.
        QProcessEnvironment fresh = instance.clientEnvironment();
        fresh.insert(QStringLiteral("XDG_STATE_HOME"), dir.filePath(QStringLiteral("other-client")));
        QCOMPARE(instance.cli(status, fresh).code, 0);
    }

    /// The whole log rewritten and re-signed with the vault key (every hash, MAC and checkpoint
    /// in the vault consistent, the checkpoint file replaced): the runtime's client refuses.
    void theClientWitnessCatchesARewriteWithTheVaultKey()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        const QString id = instance.ask(R"({"version":"8"})");
        QVERIFY(!id.isEmpty());
        QVERIFY(instance.approve(id));
        QCOMPARE(instance.cli({QStringLiteral("status"), id}).code, 0);
        instance.stop();
        {
            auto vault = test::openVault(instance.m_vaultDir);
            QVERIFY(vault);
            auto entries = vault->audit().entries(1, 100000);
            QVERIFY(entries);
            QSqlQuery sql(vault->database());
            for (const char* statement : {"DROP TRIGGER audit_log_no_delete", "DROP TRIGGER audit_tree_no_delete",
                                          "DELETE FROM audit_log", "DELETE FROM audit_tree", "DELETE FROM checkpoints"})
                QVERIFY2(sql.exec(QLatin1String(statement)), statement);
            QList<audit::AuditRecord> rewritten;
            for (const audit::AuditEntry& entry : std::as_const(*entries))
                rewritten.append({entry.actor, entry.action,
                                  entry.seq == 2 ? QStringLiteral("member:someone-else") : entry.subject,
                                  QJsonDocument::fromJson(entry.details).object()});
            QVERIFY(vault->audit().appendAll(rewritten));
            QVERIFY(vault->audit().verify().ok());
        }
        QVERIFY(QFile::remove(QDir(instance.m_vaultDir).filePath(audit::CheckpointSigner::FILE_NAME)));
        QVERIFY2(instance.start(), instance.m_startOutput.constData()); // nothing in the vault tells
        const Run refused = instance.cli({QStringLiteral("status"), id});
        QCOMPARE(refused.code, 3);
        QVERIFY2(refused.err.contains("rolled back or rewritten") && refused.err.contains("does not extend"),
                 refused.err.constData());
    }

    /// `exec` runs the approved command without the runtime's token in its environment.
    void execKeepsTheTokenFromTheCommand()
    {
        QTemporaryDir dir;
        Instance instance(dir.path());
        QVERIFY(instance.create());
        QVERIFY2(instance.start(), instance.m_startOutput.constData());
        QProcessEnvironment env = instance.clientEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_TOKEN"), QString::fromLatin1(instance.m_token));
        env.insert(QStringLiteral("MARKER_FOR_THE_CHILD"), QStringLiteral("passed"));
        QProcess exec;
        exec.setProcessEnvironment(env);
        exec.start(CLI, {QStringLiteral("exec"), QStringLiteral("--capability"), QStringLiteral("shell.exec"),
                         QStringLiteral("--"), QStringLiteral("env")});
        QVERIFY(exec.waitForStarted(30000));
        const QString id = instance.waitForPending();
        QVERIFY(!id.isEmpty());
        QVERIFY(instance.approve(id));
        QVERIFY(exec.waitForFinished(120000));
        const QByteArray out = exec.readAllStandardOutput();
        QCOMPARE(exec.exitCode(), 0);
        QVERIFY2(out.contains("MARKER_FOR_THE_CHILD=passed"), out.constData()); // the child's env was printed
        QVERIFY2(!out.contains("COUNTERSIGN_TOKEN"), out.constData());
        QVERIFY2(!out.contains(instance.m_token), out.constData());
    }
};

QTEST_GUILESS_MAIN(TestEvidence)
#include "tst_evidence.moc"
