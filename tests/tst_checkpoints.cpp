#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/services.h"
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/audittree.h"
#include "audit/checkpointsigner.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "evidence/checkpoint.h"
#include "evidence/receipt.h"
#include "json/canonicaljson.h"
#include "servicebackend.h"
#include "testsupport.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");

QList<audit::AuditRecord> records(int count, const QString& prefix = QStringLiteral("test.event"))
{
    QList<audit::AuditRecord> out;
    for (int i = 0; i < count; ++i)
        out.append({QStringLiteral("system"), prefix, QStringLiteral("item:%1").arg(i),
                    QJsonObject{{QStringLiteral("n"), i}}});
    return out;
}

bool exec(const QSqlDatabase& db, const QString& sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        qWarning("%s", qPrintable(sql));
        return false;
    }
    return true;
}

audit::VerifyResult verifyWithFile(vault::Vault& vault)
{
    auto checkpoints = audit::CheckpointSigner::readFile(vault.checkpointFilePath(), vault.instancePublicKey());
    if (!checkpoints)
        return audit::VerifyResult{audit::VerifyResult::Problem::Storage, 0, -1, checkpoints.error().message};
    return vault.audit().verify({}, *checkpoints);
}

} // namespace

class TestCheckpoints final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theStoredTreeFollowsTheLog()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.filePath(QStringLiteral("v")));
        QVERIFY(vault);
        QVERIFY(vault->audit().appendAll(records(57)));
        QVERIFY(vault->audit().append({QStringLiteral("system"), QStringLiteral("one.more"), {}, {}}));
        auto entries = vault->audit().entries(1, 1000);
        QVERIFY(entries);
        audit::merkle::CompactRange range;
        audit::merkle::MemoryTree memory;
        for (const audit::AuditEntry& entry : std::as_const(*entries)) {
            range.append(audit::merkle::leafHash(entry.canonicalEncoding()));
            memory.append(audit::merkle::leafHash(entry.canonicalEncoding()));
        }
        audit::AuditTree* tree = vault->audit().tree();
        QVERIFY(tree);
        QCOMPARE(*tree->size(), static_cast<quint64>(entries->size()));
        const auto proofs = tree->proofs();
        QCOMPARE(*proofs.root(range.size()), range.root());
        QCOMPARE(memory.root(), range.root());
        for (quint64 size : {1ULL, 2ULL, 13ULL, 32ULL, range.size()})
            QCOMPARE(*proofs.root(size), *audit::merkle::ProofBuilder(memory.source()).root(size));
        const auto proof = proofs.inclusionProof(20, range.size());
        QVERIFY(audit::merkle::verifyInclusion(
            20, range.size(), audit::merkle::leafHash(entries->at(20).canonicalEncoding()), *proof, range.root()));
        // An upgraded vault's existing entries join the tree: empty it, append, and it catches up.
        QVERIFY(exec(vault->database(), QStringLiteral("DROP TRIGGER audit_tree_no_delete")));
        QVERIFY(exec(vault->database(), QStringLiteral("DELETE FROM audit_tree")));
        QVERIFY(vault->audit().append({QStringLiteral("system"), QStringLiteral("after.upgrade"), {}, {}}));
        QCOMPARE(*tree->size(), static_cast<quint64>(entries->size() + 1));
    }

    void theNoteFormatIsStrict()
    {
        const crypto::SigningKey key = crypto::SigningKey::generate();
        const QByteArray root = crypto::sha256("root");
        const audit::Checkpoint checkpoint = audit::Checkpoint::sign(1234, root, key);
        const QString origin = audit::Checkpoint::originFor(key.publicKey());
        QVERIFY(origin.startsWith(QStringLiteral("countersign/")));
        const QList<QByteArray> lines = checkpoint.note.split('\n');
        QCOMPARE(lines.size(), 6); // origin, size, root, blank, signature, "" after the last newline
        QCOMPARE(lines.at(0), origin.toUtf8());
        QCOMPARE(lines.at(1), QByteArrayLiteral("1234"));
        QCOMPARE(lines.at(2), root.toBase64());
        QCOMPARE(lines.at(3), QByteArray());
        QVERIFY(lines.at(4).startsWith(QByteArray("\xE2\x80\x94 " + origin.toUtf8() + ' ')));
        const QByteArray signature = QByteArray::fromBase64(lines.at(4).split(' ').last());
        QCOMPARE(signature.size(), 4 + 64);
        QCOMPARE(signature.left(4), audit::Checkpoint::keyId(origin, key.publicKey()));

        auto parsed = audit::Checkpoint::parse(checkpoint.note, key.publicKey());
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
        QCOMPARE(parsed->size, 1234ULL);
        QCOMPARE(parsed->root, root);

        auto rejected = [&](QByteArray note, const QByteArray& publicKey) {
            return !audit::Checkpoint::parse(note, publicKey);
        };
        QByteArray forged = checkpoint.note;
        forged.replace("1234", "1235"); // the signature no longer covers it
        QVERIFY(rejected(forged, key.publicKey()));
        QVERIFY(rejected(QByteArray(checkpoint.note).replace("\n1234\n", "\n01234\n"), key.publicKey()));
        QVERIFY(rejected(QByteArray(checkpoint.note).replace("\n1234\n", "\n+1234\n"), key.publicKey()));
        QVERIFY(rejected(QByteArray(checkpoint.note).replace("\n1234\n", "\n 1234\n"), key.publicKey()));
        QVERIFY(rejected(QByteArray(checkpoint.note).replace(QByteArray(root.toBase64() + '\n'), QByteArray()),
                         key.publicKey()));
        QVERIFY(rejected(QByteArray(checkpoint.note).replace("\n\n", "\n"), key.publicKey()));
        QVERIFY(rejected(checkpoint.note.chopped(1), key.publicKey()));
        QVERIFY(rejected(QByteArray(checkpoint.note).replace('\n', "\r\n"), key.publicKey()));
        QVERIFY(rejected(checkpoint.note, crypto::SigningKey::generate().publicKey()));
        QByteArray badSignature = checkpoint.note;
        const qsizetype last = badSignature.size() - 6;
        badSignature[last] = badSignature.at(last) == 'A' ? 'B' : 'A';
        QVERIFY(rejected(badSignature, key.publicKey()));
        // Two notes in a file, separated by one empty line.
        const audit::Checkpoint second = audit::Checkpoint::sign(2000, crypto::sha256("two"), key);
        auto file = audit::Checkpoint::parseFile(checkpoint.note + '\n' + second.note, key.publicKey());
        QVERIFY(file);
        QCOMPARE(file->size(), 2);
        QCOMPARE(file->at(1).size, 2000ULL);
        QVERIFY(!audit::Checkpoint::parseFile(checkpoint.note + '\n' + second.note.left(40), key.publicKey()));
    }

    // On a vault and on a team database alike: the team's instance key signs as the vault's does.
    void checkpointsAreSignedOnDecisionsAndEveryThousandEntries_data() { test::ServiceBackend::addRows(); }
    void checkpointsAreSignedOnDecisionsAndEveryThousandEntries()
    {
        QFETCH(QString, backend);
        QTemporaryDir dir;
        auto vault = test::ServiceBackend::create(backend);
        QVERIFY(vault);
        approvals::RequestEvents events;
        auto services = vault->openServices(events, QStringLiteral("s"));
        QVERIFY(services);
        audit::CheckpointSigner& signer = (*services)->checkpoints();
        const auto none = signer.latest();
        VERIFY_RESULT(none);
        QVERIFY(!*none);
        const auto counted = vault->audit().count();
        VERIFY_RESULT(counted);
        const qint64 start = *counted;
        QVERIFY(vault->audit().appendAll(records(998 - static_cast<int>(start))));
        const auto notYet = signer.signIfDue();
        VERIFY_RESULT(notYet);
        QVERIFY(!*notYet);
        QVERIFY(vault->audit().appendAll(records(2)));
        auto due = signer.signIfDue();
        QVERIFY(due && *due);
        QCOMPARE((*due)->size, 1000ULL);

        const approvals::RuntimeIdentity runtime =
            test::registerRuntime(**services, QStringLiteral("ci"), {QStringLiteral("deploy.*")});
        const QString id = test::createRequest((*services)->requests(), runtime, QStringLiteral("ship"),
                                               QStringLiteral("low"), QJsonObject{{QStringLiteral("v"), 1}});
        QVERIFY((*services)->requests().approve(QStringLiteral("owner"), id, QStringLiteral("ok")));
        const auto newest = signer.latest();
        VERIFY_RESULT(newest);
        QVERIFY(newest->has_value());
        const audit::Checkpoint afterDecision = **newest;
        const auto countedNow = vault->audit().count();
        VERIFY_RESULT(countedNow);
        QCOMPARE(afterDecision.size, static_cast<quint64>(*countedNow));
        auto file = audit::CheckpointSigner::readFile(vault->checkpointFilePath(), vault->instancePublicKey());
        QVERIFY(file);
        QCOMPARE(file->size(), 2);
        QCOMPARE(file->last().note, afterDecision.note);

        // The receipt: the consume entry, included in a signed checkpoint, signed as a whole.
        const QByteArray payload = json::canonicalJson(QJsonObject{{QStringLiteral("v"), 1}});
        auto consumed =
            (*services)->requests().consumeRequest(runtime, id, QString::fromLatin1(crypto::sha256(payload).toHex()));
        QVERIFY2(consumed, qPrintable(consumed ? QString() : consumed.error().message));
        const QJsonObject receipt = consumed->receipt;
        auto verified = audit::Receipt::verify(receipt, vault->instancePublicKey());
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().message));
        QCOMPARE(verified->size, static_cast<quint64>(vault->audit().count().value_or(-1)));

        QJsonObject forged = receipt;
        forged.insert(QStringLiteral("capability"), QStringLiteral("deploy.everything"));
        QVERIFY(!audit::Receipt::verify(forged, vault->instancePublicKey()));
        // Offline, by the CLI, with nothing but the file and the key.
        auto cliVerify = [&](const QJsonObject& object) {
            const QString path = dir.filePath(QStringLiteral("receipt.json"));
            QFile out(path);
            if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return -1;
            out.write(QJsonDocument(QJsonObject{{QStringLiteral("receipt"), object}}).toJson());
            out.close();
            QProcess process;
            process.start(CLI, {QStringLiteral("receipt"), QStringLiteral("verify"), path, QStringLiteral("--key"),
                                QString::fromLatin1(vault->instancePublicKey().toBase64())});
            return process.waitForFinished(30000) ? process.exitCode() : -1;
        };
        QCOMPARE(cliVerify(receipt), 0);
        QCOMPARE(cliVerify(forged), 1);
        QVERIFY(!audit::Receipt::verify(receipt, crypto::SigningKey::generate().publicKey()));
        // Even re-signed with the instance key, a proof for another entry does not pass.
        QJsonObject wrongEntry = receipt;
        wrongEntry.insert(QStringLiteral("audit_seq"), receipt.value(QStringLiteral("audit_seq")).toInteger() - 1);
        wrongEntry.insert(
            QStringLiteral("signature"),
            QString::fromLatin1(vault->instanceKey().sign(audit::Receipt::signedBytes(wrongEntry)).toBase64()));
        QVERIFY(!audit::Receipt::verify(wrongEntry, vault->instancePublicKey()));
        QJsonObject badProof = receipt;
        QJsonArray path = receipt.value(QStringLiteral("inclusion_proof")).toArray();
        QVERIFY(!path.isEmpty());
        path[0] = QString::fromLatin1(crypto::sha256("x").toBase64());
        badProof.insert(QStringLiteral("inclusion_proof"), path);
        badProof.insert(
            QStringLiteral("signature"),
            QString::fromLatin1(vault->instanceKey().sign(audit::Receipt::signedBytes(badProof)).toBase64()));
        auto refused = audit::Receipt::verify(badProof, vault->instancePublicKey());
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains(QStringLiteral("inclusion proof")));
    }

    void aDamagedCheckpointFileStopsSigning()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.filePath(QStringLiteral("v")));
        QVERIFY(vault);
        QVERIFY(vault->audit().appendAll(records(5)));
        auto signer = vault->openCheckpointSigner(vault->database(), vault->audit());
        QVERIFY(signer->sign());
        // The last note cut in half (a crash mid-append, or an edit): nothing new is signed on top.
        QFile file(vault->checkpointFilePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray contents = file.readAll();
        file.close();
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(contents.left(contents.size() - 30));
        file.close();
        QVERIFY(vault->audit().appendAll(records(3)));
        auto refused = signer->sign();
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("checkpoint")), qPrintable(refused.error().message));
        // And a file with a forged note: refused by its signature.
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("countersign/0000000000000000\n9\nAAAA\n\n\u2014 countersign/0000000000000000 AAAA\n");
        file.close();
        QVERIFY(!signer->sign());
        QVERIFY(!audit::CheckpointSigner::readFile(vault->checkpointFilePath(), vault->instancePublicKey()));
    }

    void offlineVerificationNamesEachKindOfDamage()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.filePath(QStringLiteral("v")));
        QVERIFY(vault);
        QVERIFY(vault->audit().appendAll(records(40)));
        auto signer = vault->openCheckpointSigner(vault->database(), vault->audit());
        auto signedNow = signer->sign();
        QVERIFY(signedNow);
        QByteArray exported;
        {
            QBuffer out(&exported);
            QVERIFY(out.open(QIODevice::WriteOnly));
            int calls = 0;
            auto cancelled = audit::AuditExport::write(vault->audit(), {*signedNow}, vault->instancePublicKey(), out,
                                                       [&](qint64) { return ++calls < 1; });
            QCOMPARE(test::errorCode(cancelled), ErrorCode::Conflict);
            exported.clear();
            out.seek(0);
            QVERIFY(audit::AuditExport::write(vault->audit(), {*signedNow}, vault->instancePublicKey(), out));
        }
        QList<QByteArray> lines = exported.split('\n');
        auto verify = [&](const QList<QByteArray>& changed, const std::function<bool(qint64)>& progress = {}) {
            QByteArray joined = changed.join('\n');
            QBuffer in(&joined);
            in.open(QIODevice::ReadOnly);
            return audit::AuditExport::verify(in, {}, {}, progress);
        };
        qint64 reported = 0;
        auto fine = verify(lines, [&](qint64 done) {
            reported = done;
            return true;
        });
        QVERIFY2(fine, qPrintable(fine ? QString() : fine.error().message));
        QCOMPARE(reported, fine->entries);
        QCOMPARE(verify(lines, [](qint64) { return false; }).error().message, QStringLiteral("verification cancelled"));

        // An entry re-hashed after its link or its time was changed: the chain says where.
        auto rewritten = [&](int seq, const std::function<void(audit::AuditEntry&)>& change) {
            auto entry = vault->audit().entries(seq, 1).value().first(); // throws, failing the test, if unread
            change(entry);
            entry.entryHash = entry.computeHash();
            QList<QByteArray> changed = lines;
            changed[seq] = audit::AuditExport::entryLine(entry).chopped(1);
            return verify(changed);
        };
        auto unlinked = rewritten(12, [](audit::AuditEntry& entry) { entry.prevHash = QByteArray(32, '\x09'); });
        QVERIFY2(unlinked.error().message.contains(QStringLiteral("entry 12: does not link")),
                 qPrintable(unlinked.error().message));
        auto backdated = rewritten(12, [](audit::AuditEntry& entry) { entry.timestampMs = 1000; });
        QVERIFY2(backdated.error().message.contains(QStringLiteral("entry 12: dated before")),
                 qPrintable(backdated.error().message));
        QList<QByteArray> garbled = lines;
        garbled[20] = "{\"seq\":20}";
        QVERIFY(verify(garbled).error().message.startsWith(QStringLiteral("entry 20: ")));
        // The header's count, and its key.
        QList<QByteArray> recount = lines;
        recount[0].replace("\"entries\":", "\"entries\":1");
        QVERIFY(verify(recount).error().message.contains(QStringLiteral("it was cut")));
        QList<QByteArray> keyless = lines;
        QJsonObject header = QJsonDocument::fromJson(lines.first()).object();
        header.remove(QStringLiteral("public_key"));
        keyless[0] = QJsonDocument(header).toJson(QJsonDocument::Compact);
        QCOMPARE(test::errorCode(verify(keyless)), ErrorCode::InvalidArgument);
    }

    void truncationIsCaughtOnlyByTheCheckpoints()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("v"));
        auto vault = test::createVault(vaultDir);
        QVERIFY(vault);
        QVERIFY(vault->audit().appendAll(records(40)));
        auto signer = vault->openCheckpointSigner(vault->database(), vault->audit());
        const auto signedAt = signer->sign();
        QVERIFY(signedAt);
        // Cut the last 5 entries (and their tree leaves) as someone holding the unlocked vault could.
        const QSqlDatabase db = vault->database();
        QVERIFY(exec(db, QStringLiteral("DROP TRIGGER audit_log_no_delete")));
        QVERIFY(exec(db, QStringLiteral("DROP TRIGGER audit_tree_no_delete")));
        QVERIFY(exec(db, QStringLiteral("DELETE FROM audit_log WHERE seq > %1").arg(signedAt->size - 5)));
        QVERIFY(exec(db, QStringLiteral("DELETE FROM audit_tree")));
        QVERIFY(vault->audit().verify().ok()); // the chain alone cannot tell
        const audit::VerifyResult result = verifyWithFile(*vault);
        QCOMPARE(result.problem, audit::VerifyResult::Problem::Truncated);
        QVERIFY2(result.message.contains(QStringLiteral("has %1 entries but a checkpoint for %2 was signed")
                                             .arg(signedAt->size - 5)
                                             .arg(signedAt->size)),
                 qPrintable(result.message));
        // And nothing is signed over it.
        QVERIFY(vault->audit().syncTree());
        auto refused = signer->sign();
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("truncated")), qPrintable(refused.error().message));

        // The same seen from outside, by the CLI.
        signer.reset();
        vault.reset();
        QProcess check;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString passFile = dir.filePath(QStringLiteral("pass"));
        test::writeTextFile(passFile, test::PASSPHRASE);
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), passFile);
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false;countersign.*=false"));
        check.setProcessEnvironment(env);
        check.start(CLI, {QStringLiteral("--data-dir"), vaultDir, QStringLiteral("vault"), QStringLiteral("check")});
        QVERIFY(check.waitForFinished(60000));
        QCOMPARE(check.exitCode(), 1);
        QVERIFY2(check.readAllStandardOutput().contains("but a checkpoint for"), "the CLI names the truncation");
    }

    void anOlderCopyRestoredIsCaught()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("v"));
        const QString copyDir = dir.filePath(QStringLiteral("copy"));
        {
            auto vault = test::createVault(vaultDir);
            QVERIFY(vault);
            QVERIFY(vault->audit().appendAll(records(10)));
        }
        QDir().mkpath(copyDir);
        for (const QString& name : QDir(vaultDir).entryList(QDir::Files))
            QVERIFY(QFile::copy(QDir(vaultDir).filePath(name), QDir(copyDir).filePath(name)));
        qint64 signedSize = 0;
        {
            auto vault = test::openVault(vaultDir);
            QVERIFY(vault);
            QVERIFY(vault->audit().appendAll(records(25)));
            auto checkpoint = vault->openCheckpointSigner(vault->database(), vault->audit())->sign();
            QVERIFY(checkpoint);
            signedSize = static_cast<qint64>(checkpoint->size);
        }
        // Put the old database back; the checkpoint file beside it stays.
        for (const QString& name : QDir(copyDir).entryList(QDir::Files)) {
            QFile::remove(QDir(vaultDir).filePath(name));
            QVERIFY(QFile::copy(QDir(copyDir).filePath(name), QDir(vaultDir).filePath(name)));
        }
        auto vault = test::openVault(vaultDir);
        QVERIFY(vault);
        QVERIFY(vault->audit().verify().ok());
        const audit::VerifyResult result = verifyWithFile(*vault);
        QCOMPARE(result.problem, audit::VerifyResult::Problem::Truncated);
        QVERIFY2(result.message.contains(QStringLiteral("checkpoint for %1").arg(signedSize)),
                 qPrintable(result.message));
        QVERIFY(!vault->openCheckpointSigner(vault->database(), vault->audit())->sign());
    }

    void exportsVerifyOfflineAndTamperingIsNamed()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("v"));
        QByteArray key;
        {
            auto vault = test::createVault(vaultDir);
            QVERIFY(vault);
            QVERIFY(vault->audit().appendAll(records(1500))); // crosses a 1,000-entry checkpoint below
            auto signer = vault->openCheckpointSigner(vault->database(), vault->audit());
            QVERIFY(signer->signIfDue());
            key = vault->instancePublicKey();
        }
        const QString passFile = dir.filePath(QStringLiteral("pass"));
        test::writeTextFile(passFile, test::PASSPHRASE);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), passFile);
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("countersign.*=false"));
        auto cli = [&](const QStringList& args, QByteArray* out = nullptr) {
            QProcess process;
            process.setProcessEnvironment(env);
            process.start(CLI, QStringList{QStringLiteral("--data-dir"), vaultDir} + args);
            if (!process.waitForFinished(120000))
                return -1;
            if (out)
                *out = process.readAllStandardOutput() + process.readAllStandardError();
            return process.exitCode();
        };
        const QString exported = dir.filePath(QStringLiteral("audit.jsonl"));
        QCOMPARE(cli({QStringLiteral("audit"), QStringLiteral("export"), exported}), 0);
        const QString keyText = QString::fromLatin1(key.toBase64());
        QByteArray output;
        QCOMPARE(cli({QStringLiteral("audit"), QStringLiteral("verify"), exported, QStringLiteral("--key"), keyText},
                     &output),
                 0);
        QVERIFY2(output.contains("2 signed checkpoints match"), output.constData());

        QFile file(exported);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        file.close();
        auto verifyLines = [&](QList<QByteArray> changed, const QString& name) {
            const QString path = dir.filePath(name);
            QFile out(path);
            if (!out.open(QIODevice::WriteOnly))
                return QByteArray("cannot write");
            out.write(changed.join('\n'));
            out.close();
            QByteArray result;
            const int code = cli({QStringLiteral("audit"), QStringLiteral("verify"), path, QStringLiteral("--key"),
                                  keyText, QStringLiteral("--checkpoint"), vaultDir + QStringLiteral("/checkpoints")},
                                 &result);
            return code == 1 ? result : QByteArray("exit code ") + QByteArray::number(code) + ' ' + result;
        };
        // lines[0] is the header; entry N is lines[N].
        QList<QByteArray> edited = lines;
        edited[700].replace("item:", "ITEM:");
        QVERIFY2(verifyLines(edited, QStringLiteral("edited")).contains("entry 700: altered"),
                 verifyLines(edited, QStringLiteral("edited")).constData());
        QList<QByteArray> deleted = lines;
        deleted.removeAt(300);
        QVERIFY(verifyLines(deleted, QStringLiteral("deleted")).contains("entry 300: missing"));
        QList<QByteArray> reordered = lines;
        reordered.swapItemsAt(400, 401);
        QVERIFY(verifyLines(reordered, QStringLiteral("reordered")).contains("entry 400"));
        // Truncated by the last 600 entries, with the header's count fixed up to hide it: the
        // checkpoints (kept in the file beside the vault) still tell.
        const qint64 total =
            QJsonDocument::fromJson(lines.first()).object().value(QStringLiteral("entries")).toInteger();
        QList<QByteArray> truncated = lines.mid(0, static_cast<qsizetype>(total) + 1 - 600);
        const QByteArray declared = "\"entries\":" + QByteArray::number(total);
        const QByteArray hidden = "\"entries\":" + QByteArray::number(total - 600);
        truncated[0].replace(declared, hidden);
        QList<QByteArray> entriesOnly;
        for (const QByteArray& line : std::as_const(truncated)) {
            if (!line.startsWith("{\"checkpoint\""))
                entriesOnly.append(line);
        }
        const QByteArray cut = verifyLines(entriesOnly, QStringLiteral("truncated"));
        QVERIFY2(cut.contains("but a checkpoint for") || cut.contains("it was cut"), cut.constData());
        // A forged checkpoint line.
        QList<QByteArray> forged = lines;
        for (QByteArray& line : forged) {
            if (line.startsWith("{\"checkpoint\""))
                line.replace("\\n1000\\n", "\\n01000\\n");
        }
        QVERIFY(verifyLines(forged, QStringLiteral("forged")).contains("checkpoint"));
        // Not an export at all: a usage error, not a verdict; no such file: said so.
        QCOMPARE(cli({QStringLiteral("audit"), QStringLiteral("verify"), passFile}), 2);
        QByteArray missing;
        QVERIFY(cli({QStringLiteral("audit"), QStringLiteral("verify"), dir.filePath(QStringLiteral("missing"))},
                    &missing) != 0);
        QVERIFY2(missing.contains("cannot read"), missing.constData());
        // Another key: refused.
        QByteArray other;
        QCOMPARE(cli({QStringLiteral("audit"), QStringLiteral("verify"), exported, QStringLiteral("--key"),
                      QString::fromLatin1(crypto::SigningKey::generate().publicKey().toBase64())},
                     &other),
                 1);
    }

    void aRewriteWithTheVaultKeyIsCaught()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.filePath(QStringLiteral("v")));
        QVERIFY(vault);
        QVERIFY(vault->audit().appendAll(records(30)));
        auto signer = vault->openCheckpointSigner(vault->database(), vault->audit());
        QVERIFY(signer->sign());
        // Rebuild the whole chain through the vault's own log (valid hashes and MACs) with one
        // entry changed: every hash, link and MAC holds.
        auto entries = vault->audit().entries(1, 1000);
        QVERIFY(entries);
        const QSqlDatabase db = vault->database();
        for (const char* trigger : {"audit_log_no_delete", "audit_tree_no_delete"})
            QVERIFY(exec(db, QStringLiteral("DROP TRIGGER %1").arg(QLatin1String(trigger))));
        QVERIFY(exec(db, QStringLiteral("DELETE FROM audit_log")));
        QVERIFY(exec(db, QStringLiteral("DELETE FROM audit_tree")));
        QList<audit::AuditRecord> rewritten;
        for (const audit::AuditEntry& entry : std::as_const(*entries))
            rewritten.append({entry.actor, entry.action,
                              entry.seq == 5 ? QStringLiteral("item:innocent") : entry.subject,
                              QJsonDocument::fromJson(entry.details).object()});
        QVERIFY(vault->audit().appendAll(rewritten));
        QVERIFY(vault->audit().verify().ok());
        const audit::VerifyResult result = verifyWithFile(*vault);
        QCOMPARE(result.problem, audit::VerifyResult::Problem::Checkpoint);
        QVERIFY2(result.message.contains(QStringLiteral("rewritten")), qPrintable(result.message));
        auto refused = signer->sign();
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains(QStringLiteral("rewritten")));
    }
};

QTEST_GUILESS_MAIN(TestCheckpoints)
#include "tst_checkpoints.moc"
