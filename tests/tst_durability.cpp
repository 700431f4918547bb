#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace countersign;

namespace {

const QString HELPER = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-vault-helper");

QProcessEnvironment helperEnvironment(const QString& passFile, const QString& newPassFile = {})
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), passFile);
    if (!newPassFile.isEmpty())
        env.insert(QStringLiteral("COUNTERSIGN_NEW_PASSPHRASE_FILE"), newPassFile);
    return env;
}

/// SIGKILL for a child that may already have exited. QProcess reports pid 0 then, and
/// kill(0, ...) would hit this whole process group.
void killHard(QProcess& process)
{
    const qint64 pid = process.processId();
    if (pid > 0 && process.state() == QProcess::Running)
        ::kill(static_cast<pid_t>(pid), SIGKILL);
}

} // namespace

class TestDurability final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void acknowledgedWritesSurviveKill9()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("vault"));
        QVERIFY(test::createVault(vaultDir));
        const QString passFile = dir.filePath(QStringLiteral("pass"));
        test::writeTextFile(passFile, test::PASSPHRASE);

        for (int round = 0; round < 3; ++round) {
            QProcess writer;
            writer.setProcessEnvironment(helperEnvironment(passFile));
            writer.start(HELPER, {QStringLiteral("append"), vaultDir});
            QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));
            qint64 lastAcked = 0;
            int acks = 0;
            const int wanted = 50 + QRandomGenerator::global()->bounded(150);
            QElapsedTimer timer;
            timer.start();
            QByteArray pending;
            while (acks < wanted && timer.elapsed() < 60000) {
                if (!writer.waitForReadyRead(5000) && writer.state() != QProcess::Running)
                    break;
                pending += writer.readAllStandardOutput();
                qsizetype newline;
                while ((newline = pending.indexOf('\n')) >= 0) {
                    const QByteArray line = pending.left(newline);
                    pending.remove(0, newline + 1);
                    if (line.startsWith("ack ")) {
                        lastAcked = line.mid(4).toLongLong();
                        ++acks;
                    }
                }
            }
            QVERIFY2(acks >= wanted, qPrintable(QString::fromUtf8(writer.readAllStandardError())));
            killHard(writer); // mid-stream, no chance to clean up
            QVERIFY(writer.waitForFinished(10000));
            QCOMPARE(writer.exitStatus(), QProcess::CrashExit);

            auto vault = test::openVault(vaultDir);
            QVERIFY(vault);
            QSqlQuery query(vault->database());
            query.prepare(QStringLiteral("SELECT count(*) FROM audit_log WHERE seq = ? AND action = 'test.write'"));
            query.addBindValue(lastAcked);
            QVERIFY(query.exec() && query.next());
            QVERIFY2(query.value(0).toInt() == 1, "the last acknowledged write is missing after kill -9");
            const audit::VerifyResult verified = vault->audit().verify();
            QVERIFY2(verified.ok(), qPrintable(verified.message));
            QVERIFY(verified.checked >= lastAcked);
        }
    }

    void interruptedRekeyLeavesOnePassphraseWorking()
    {
        QTemporaryDir dir;
        const QString oldFile = dir.filePath(QStringLiteral("old"));
        const QString newFile = dir.filePath(QStringLiteral("new"));
        test::writeTextFile(oldFile, test::PASSPHRASE);
        test::writeTextFile(newFile, test::OTHER_PASSPHRASE);

        // Measure how long an uninterrupted change takes, then kill runs at points spread over it.
        qint64 fullRunMs = 0;
        {
            const QString vaultDir = dir.filePath(QStringLiteral("timing"));
            QVERIFY(test::createVault(vaultDir));
            QProcess rekey;
            rekey.setProcessEnvironment(helperEnvironment(oldFile, newFile));
            QElapsedTimer timer;
            timer.start();
            rekey.start(HELPER, {QStringLiteral("rekey"), vaultDir});
            QVERIFY(rekey.waitForFinished(60000));
            fullRunMs = timer.elapsed();
            QCOMPARE(rekey.exitCode(), 0);
            QVERIFY(test::openVault(vaultDir, test::OTHER_PASSPHRASE));
        }

        int oldWorked = 0;
        int newWorked = 0;
        // Kill points spread from the start to past the end of a normal run, so both the
        // "before the switch" and the "after the switch" sides are exercised.
        constexpr int ROUNDS = 20;
        for (int round = 0; round < ROUNDS; ++round) {
            const QString vaultDir = dir.filePath(QStringLiteral("r%1").arg(round));
            {
                auto vault = test::createVault(vaultDir);
                QVERIFY(vault);
                QVERIFY(vault->audit().append({QStringLiteral("system"), QStringLiteral("test.keep"), {}, {}}));
            }
            QProcess rekey;
            rekey.setProcessEnvironment(helperEnvironment(oldFile, newFile));
            rekey.start(HELPER, {QStringLiteral("rekey"), vaultDir});
            QVERIFY(rekey.waitForStarted());
            const qint64 span = fullRunMs * 13 / 10;
            const int delay = static_cast<int>(span * round / ROUNDS) +
                              QRandomGenerator::global()->bounded(static_cast<int>(qMax<qint64>(1, span / ROUNDS)));
            QTest::qWait(delay);
            killHard(rekey);
            rekey.waitForFinished(10000);

            auto withOld = vault::Vault::open(vaultDir, test::secure(test::PASSPHRASE));
            std::unique_ptr<vault::Vault> vault;
            if (withOld) {
                ++oldWorked;
                vault = std::move(*withOld);
            } else {
                QCOMPARE(test::errorCode(withOld), ErrorCode::WrongPassphrase);
                vault = test::openVault(vaultDir, test::OTHER_PASSPHRASE);
                QVERIFY2(vault, "neither the old nor the new passphrase opens the vault");
                ++newWorked;
            }
            const audit::VerifyResult verified = vault->audit().verify();
            QVERIFY2(verified.ok(), qPrintable(verified.message));
            QSqlQuery kept(vault->database());
            QVERIFY(kept.exec(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'test.keep'")) &&
                    kept.next());
            QCOMPARE(kept.value(0).toInt(), 1);
            // Exactly one database file remains after the next unlock tidied up.
            QCOMPARE(QDir(vaultDir).entryList({QStringLiteral("vault-*.db")}, QDir::Files).size(), 1);
        }
        qInfo("old passphrase survived %d kills, new one %d", oldWorked, newWorked);
        QCOMPARE(oldWorked + newWorked, ROUNDS);
    }

    void aVaultCreatedHereIsSharedWithAnotherProcess()
    {
        // The first-run wizard creates the vault in the window's process, which keeps it open
        // while the CLI writes to it. Creating must leave SQLite's locks in place (closing any
        // descriptor of the database file drops a process's POSIX locks), or the other
        // process's commits corrupt what this one's connections read.
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("vault"));
        auto vault = test::createVault(vaultDir);
        QVERIFY(vault);
        const QString passFile = dir.filePath(QStringLiteral("pass"));
        test::writeTextFile(passFile, test::PASSPHRASE);
        approvals::RequestEvents events;
        auto services = application::openServices(*vault, events, QStringLiteral("here"));
        QVERIFY(services);
        const auto runtime = test::registerRuntime(**services, QStringLiteral("ci"), {QStringLiteral("deploy.*")});
        const QString there =
            test::createRequest((*services)->requests(), runtime, QStringLiteral("there"), QStringLiteral("low"));
        const QString here =
            test::createRequest((*services)->requests(), runtime, QStringLiteral("here"), QStringLiteral("low"));
        QVERIFY(!there.isEmpty() && !here.isEmpty());

        QProcess other;
        other.setProcessEnvironment(helperEnvironment(passFile));
        other.start(HELPER, {QStringLiteral("approve"), vaultDir, there});
        QVERIFY(other.waitForFinished(60000));
        QVERIFY2(other.exitCode() == 0, other.readAllStandardError().constData());

        // This process sees the other's decision and goes on writing on the same chain, through
        // the connections it had and through new ones.
        QCOMPARE(test::stored((*services)->requests(), there).state, approvals::RequestState::Approved);
        auto later = application::openServices(*vault, events, QStringLiteral("later"));
        QVERIFY(later);
        const auto second = test::registerRuntime(**later, QStringLiteral("cd"), {QStringLiteral("deploy.*")});
        QVERIFY(second.id != 0);
        QVERIFY(!test::createRequest((*services)->requests(), second, QStringLiteral("after"), QStringLiteral("low"))
                     .isEmpty());
        QVERIFY((*services)->requests().approve(QStringLiteral("owner"), here, QStringLiteral("fine")));
        QCOMPARE(test::stored((*services)->requests(), here).state, approvals::RequestState::Approved);
        QCOMPARE(*vault->audit().lastSeq(), *(*services)->audit().lastSeq());
        QVERIFY((*services)->audit().verify().ok());
    }
};

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"
