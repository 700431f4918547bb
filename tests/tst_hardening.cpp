// What a local attacker of the same user sees from outside: the files a real vault leaves in
// its data directory, the memory of the running programs, the certificate the team listener shows.
#include "application/openservices.h"
#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QSslCertificate>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");

/// Run as root, a process may read any other's memory through CAP_SYS_PTRACE: drop it from the
/// bounding set (for root, exec then grants no such capability) so that only the target's own
/// dumpable flag decides, as it does between two processes of an ordinary user.
void withoutPtraceCapability()
{
    (void)::prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0); // fails harmlessly when not root
}

/// True when a process of the same user (without CAP_SYS_PTRACE) can open \a pid's memory.
bool memoryReadableBySameUser(qint64 pid)
{
    QProcess opener;
    opener.setChildProcessModifier(withoutPtraceCapability);
    opener.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("exec 3< /proc/%1/mem").arg(pid)});
    return opener.waitForFinished(20000) && opener.exitStatus() == QProcess::NormalExit && opener.exitCode() == 0;
}

} // namespace

class TestHardening final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_passFile;

    QByteArray prepareVault(const QString& dataDir, const QString& owner = QStringLiteral("Ada"))
    {
        auto vault = test::createVault(dataDir, owner);
        if (!vault)
            return {};
        approvals::RequestEvents events;
        auto services = application::openServices(*vault, events, QStringLiteral("prepare"));
        if (!services)
            return {};
        auto token = (*services)->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")},
                                                             QStringLiteral("member:owner"));
        return token ? token->toLatin1() : QByteArray();
    }

private Q_SLOTS:
    // Each test function gets a directory of its own (passphrase files, its vaults), so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_passFile = m_dir->filePath(QStringLiteral("pass"));
        test::writeTextFile(m_passFile, test::PASSPHRASE);
    }

    void cleanup() { m_dir.reset(); }

    void everyFileOfAUsedVaultIsPrivate()
    {
        // Created by the real command, then used by the real server: a request asked and consumed.
        const QString dataDir = m_dir->filePath(QStringLiteral("files"));
        QProcess init;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), m_passFile);
        init.setProcessEnvironment(env);
        init.start(CLI, {QStringLiteral("--data-dir"), dataDir, QStringLiteral("vault"), QStringLiteral("init"),
                         QStringLiteral("--owner"), QStringLiteral("Ada")});
        QVERIFY(init.waitForFinished(120000));
        QVERIFY2(init.exitCode() == 0, init.readAllStandardError().constData());
        QByteArray token;
        {
            auto vault = test::openVault(dataDir);
            QVERIFY(vault);
            approvals::RequestEvents events;
            auto services = application::openServices(*vault, events, QStringLiteral("prepare"));
            QVERIFY(services);
            auto registered = (*services)->runtimes().registerRuntime(
                QStringLiteral("ci"), {QStringLiteral("deploy.*")}, QStringLiteral("member:owner"));
            QVERIFY(registered);
            token = registered->toLatin1();
        }
        const quint16 port = test::freeLoopbackPort();
        QProcess server;
        QByteArray output;
        QVERIFY2(test::startHeadless(server, APP, dataDir, m_passFile, port, {}, output), output.constData());
        for (int i = 0; i < 3; ++i) {
            QTcpSocket socket;
            socket.connectToHost(QStringLiteral("127.0.0.1"), port);
            QVERIFY(socket.waitForConnected(10000));
            const QByteArray answer = test::httpExchange(
                socket, "POST", "/v1/requests", "127.0.0.1:" + QByteArray::number(port), token,
                "{\"capability\":\"deploy.web\",\"summary\":\"s" + QByteArray::number(i) + "\",\"risk\":\"low\"}");
            QVERIFY2(answer.startsWith("HTTP/1.1 201"), answer.constData());
        }
        QStringList seen;
        QDirIterator files(dataDir, QDir::Files | QDir::Hidden);
        while (files.hasNext()) {
            const QString path = files.next();
            struct stat info {};
            QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
            QVERIFY2((info.st_mode & 077) == 0,
                     qPrintable(QStringLiteral("%1 has mode %2").arg(path).arg(info.st_mode & 0777, 0, 8)));
            seen.append(QFileInfo(path).fileName());
        }
        server.terminate();
        QVERIFY(server.waitForFinished(20000));
        for (const QString& expected : {QStringLiteral("vault.json"), QStringLiteral("vault-1.db"),
                                        QStringLiteral("vault-1.db-wal"), QStringLiteral("vault-1.db-shm")})
            QVERIFY2(seen.contains(expected), qPrintable(seen.join(u' ')));
        // The checkpoint file, once the vault signs one.
        auto vault = test::openVault(dataDir);
        QVERIFY(vault);
        if (QFile::exists(vault->checkpointFilePath())) {
            struct stat info {};
            QCOMPARE(::stat(QFile::encodeName(vault->checkpointFilePath()).constData(), &info), 0);
            QCOMPARE(info.st_mode & 077, 0u);
        }
    }

    void neitherProgramLetsAnotherProcessReadItsMemory()
    {
        // The check itself can fail: an ordinary dumpable process's memory opens.
        QProcess control;
        control.setChildProcessModifier(withoutPtraceCapability);
        control.start(QStringLiteral("/bin/sleep"), {QStringLiteral("60")});
        QVERIFY(control.waitForStarted());
        QVERIFY(memoryReadableBySameUser(control.processId()));
        control.kill();
        control.waitForFinished();

        const QString dataDir = m_dir->filePath(QStringLiteral("memory"));
        const QByteArray token = prepareVault(dataDir);
        QVERIFY(!token.isEmpty());
        const quint16 port = test::freeLoopbackPort();
        QProcess server;
        server.setChildProcessModifier(withoutPtraceCapability);
        QByteArray output;
        QVERIFY2(test::startHeadless(server, APP, dataDir, m_passFile, port, {}, output), output.constData());
        QVERIFY(!memoryReadableBySameUser(server.processId()));

        // The runtime side: a CLI waiting for a decision holds its token the whole time.
        QProcess waiting;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_TOKEN"), QString::fromLatin1(token));
        env.insert(QStringLiteral("COUNTERSIGN_URL"), QStringLiteral("http://127.0.0.1:%1").arg(port));
        waiting.setProcessEnvironment(env);
        waiting.setChildProcessModifier(withoutPtraceCapability);
        waiting.start(CLI, {QStringLiteral("request"), QStringLiteral("--capability"), QStringLiteral("deploy.web"),
                            QStringLiteral("--summary"), QStringLiteral("wait for me"), QStringLiteral("--wait")});
        QVERIFY(waiting.waitForStarted());
        QTest::qWait(500);
        QCOMPARE(waiting.state(), QProcess::Running);
        QVERIFY(!memoryReadableBySameUser(waiting.processId()));
        waiting.kill();
        waiting.waitForFinished();
        server.terminate();
        QVERIFY(server.waitForFinished(20000));
    }

    void theTlsCertificateDoesNotNameTheOwner()
    {
        const QString dataDir = m_dir->filePath(QStringLiteral("certificate"));
        auto vault = test::createVault(dataDir, QStringLiteral("Ada Lovelace"));
        QVERIFY(vault && vault->tlsIdentity());
        const QList<QSslCertificate> certificates = QSslCertificate::fromData(vault->tlsIdentity()->certificatePem);
        QCOMPARE(certificates.size(), 1);
        const QString text = certificates.first().toText();
        QVERIFY2(!text.contains(QStringLiteral("Ada")) && !text.contains(QStringLiteral("Lovelace")), qPrintable(text));
        const QString name = certificates.first().subjectInfo(QSslCertificate::CommonName).value(0);
        QVERIFY2(name.startsWith(QStringLiteral("Countersign instance ")), qPrintable(name));
        const QString fingerprint = name.mid(21);
        QCOMPARE(fingerprint.size(), 16);
        QVERIFY(QByteArray::fromHex(fingerprint.toLatin1()).toHex() == fingerprint.toLatin1());
    }
};

QTEST_GUILESS_MAIN(TestHardening)
#include "tst_hardening.moc"
