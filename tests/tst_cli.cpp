#include "application/teamadmin.h"
#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "members/teamlistenersettings.h"
#include "policy/policyrule.h"
#include "policy/policystore.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace countersign;

namespace {

const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");
const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");

struct Run {
    // The CLI's exit code; when a signal killed it, minus that signal (-6 abort, -9 kill, -11
    // segfault), and TIMED_OUT when it never finished: a failure then says what happened.
    static constexpr int TIMED_OUT = -1000;
    int exitCode = TIMED_OUT;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestCli final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_passFile;
    QString m_newPassFile;

    Run cli(const QStringList& args, const QString& passFile, const QString& newPassFile = {},
            const QHash<QString, QString>& extraEnvironment = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"));
        env.remove(QStringLiteral("COUNTERSIGN_NEW_PASSPHRASE_FILE"));
        env.remove(QStringLiteral("COUNTERSIGN_TOKEN"));
        env.remove(QStringLiteral("COUNTERSIGN_TOKEN_FILE"));
        if (!passFile.isEmpty())
            env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), passFile);
        if (!newPassFile.isEmpty())
            env.insert(QStringLiteral("COUNTERSIGN_NEW_PASSPHRASE_FILE"), newPassFile);
        for (auto it = extraEnvironment.cbegin(); it != extraEnvironment.cend(); ++it)
            env.insert(it.key(), it.value());
        process.setProcessEnvironment(env);
        // Detach from any controlling terminal so that "no passphrase source" is deterministic.
        process.setChildProcessModifier([] { ::setsid(); });
        process.start(CLI, args);
        Run run;
        if (!process.waitForFinished(120000))
            return run;
        // On a crash, QProcess's exit code is the number of the signal that ended the process.
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -process.exitCode();
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }

private Q_SLOTS:
    // Each test function gets a directory of its own (passphrase files, its vaults), so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_passFile = m_dir->filePath(QStringLiteral("pass"));
        m_newPassFile = m_dir->filePath(QStringLiteral("newpass"));
        test::writeTextFile(m_passFile, test::PASSPHRASE);
        test::writeTextFile(m_newPassFile, test::OTHER_PASSPHRASE);
    }

    void cleanup() { m_dir.reset(); }

    void usageErrors()
    {
        QCOMPARE(cli({}, {}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("frobnicate")}, {}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("explode")}, {}).exitCode, 2);
        const Run noOwner = cli({QStringLiteral("--data-dir"), m_dir->filePath(QStringLiteral("x")),
                                 QStringLiteral("vault"), QStringLiteral("init")},
                                m_passFile);
        QCOMPARE(noOwner.exitCode, 2);
        QVERIFY(noOwner.err.contains("--owner"));
    }

    void initCheckPasswdLifecycle()
    {
        const QString dataDir = m_dir->filePath(QStringLiteral("vault"));
        const QStringList base{QStringLiteral("--data-dir"), dataDir};

        const Run noSource = cli(base + QStringList{QStringLiteral("vault"), QStringLiteral("init"),
                                                    QStringLiteral("--owner"), QStringLiteral("Ada")},
                                 {});
        QCOMPARE(noSource.exitCode, 2);
        QVERIFY2(noSource.err.contains("COUNTERSIGN_PASSPHRASE_FILE"), noSource.err.constData());

        const QString weakFile = m_dir->filePath(QStringLiteral("weak"));
        test::writeTextFile(weakFile, QStringLiteral("letmein"));
        const Run weak = cli(base + QStringList{QStringLiteral("vault"), QStringLiteral("init"),
                                                QStringLiteral("--owner"), QStringLiteral("Ada")},
                             weakFile);
        QCOMPARE(weak.exitCode, 2);
        QVERIFY(weak.err.contains("passphrase refused"));
        QVERIFY(!vault::Vault::exists(dataDir));

        const Run init =
            cli(base + QStringList{QStringLiteral("--json"), QStringLiteral("vault"), QStringLiteral("init"),
                                   QStringLiteral("--owner"), QStringLiteral("Ada")},
                m_passFile);
        QCOMPARE(init.exitCode, 0);
        const QJsonObject created = QJsonDocument::fromJson(init.out).object();
        QCOMPARE(created.value(QStringLiteral("owner")).toString(), QStringLiteral("Ada"));
        QCOMPARE(
            QByteArray::fromBase64(created.value(QStringLiteral("instance_public_key")).toString().toLatin1()).size(),
            32);
        QVERIFY(vault::Vault::exists(dataDir));

        const Run again = cli(base + QStringList{QStringLiteral("vault"), QStringLiteral("init"),
                                                 QStringLiteral("--owner"), QStringLiteral("Eve")},
                              m_passFile);
        QCOMPARE(again.exitCode, 4);

        const Run check = cli(base + QStringList{QStringLiteral("vault"), QStringLiteral("check")}, m_passFile);
        QCOMPARE(check.exitCode, 0);
        QVERIFY2(check.out.startsWith("vault OK:"), check.out.constData());

        const Run wrong = cli(base + QStringList{QStringLiteral("vault"), QStringLiteral("check")}, m_newPassFile);
        QCOMPARE(wrong.exitCode, 3);
        QVERIFY(wrong.err.contains("wrong passphrase"));

        const Run passwd =
            cli(base + QStringList{QStringLiteral("vault"), QStringLiteral("passwd")}, m_passFile, m_newPassFile);
        QCOMPARE(passwd.exitCode, 0);
        QCOMPARE(cli(base + QStringList{QStringLiteral("vault"), QStringLiteral("check")}, m_passFile).exitCode, 3);
        const Run checkNew =
            cli(base + QStringList{QStringLiteral("--json"), QStringLiteral("vault"), QStringLiteral("check")},
                m_newPassFile);
        QCOMPARE(checkNew.exitCode, 0);
        const QJsonObject report = QJsonDocument::fromJson(checkNew.out).object();
        QVERIFY(report.value(QStringLiteral("ok")).toBool());
        // created, key, unlock x4 (one failed before, one failed after), passwd ... at least these:
        QVERIFY(report.value(QStringLiteral("entries")).toInt() >= 6);

        // Every command above is in the chain.
        auto vault = test::openVault(dataDir, test::OTHER_PASSPHRASE);
        QVERIFY(vault);
        QSqlQuery query(vault->database());
        QVERIFY(query.exec(QStringLiteral("SELECT action FROM audit_log ORDER BY seq")));
        QStringList actions;
        while (query.next())
            actions.append(query.value(0).toString());
        QVERIFY(actions.contains(QStringLiteral("vault.created")));
        QVERIFY(actions.contains(QStringLiteral("vault.passphrase_changed")));
        QCOMPARE(actions.count(QStringLiteral("vault.unlock_failed")), 2);
    }

    void runtimeAndPolicyAdministration()
    {
        const QString dataDir = m_dir->filePath(QStringLiteral("admin"));
        QVERIFY(test::createVault(dataDir));
        const QStringList base{QStringLiteral("--data-dir"), dataDir, QStringLiteral("--json")};

        const Run added = cli(base + QStringList{QStringLiteral("runtime"), QStringLiteral("add"), QStringLiteral("ci"),
                                                 QStringLiteral("--allow"), QStringLiteral("deploy.*"),
                                                 QStringLiteral("--allow"), QStringLiteral("shell.exec")},
                              m_passFile);
        QCOMPARE(added.exitCode, 0);
        const QJsonObject runtime = QJsonDocument::fromJson(added.out).object();
        const QString token = runtime.value(QStringLiteral("token")).toString();
        QVERIFY(token.startsWith(QStringLiteral("cs_rt_")));
        QCOMPARE(runtime.value(QStringLiteral("allowed")).toArray().size(), 2);

        const Run duplicate =
            cli(base + QStringList{QStringLiteral("runtime"), QStringLiteral("add"), QStringLiteral("ci"),
                                   QStringLiteral("--allow"), QStringLiteral("*")},
                m_passFile);
        QCOMPARE(duplicate.exitCode, 4);
        const Run badGlob =
            cli(base + QStringList{QStringLiteral("runtime"), QStringLiteral("add"), QStringLiteral("x"),
                                   QStringLiteral("--allow"), QStringLiteral("Deploy[")},
                m_passFile);
        QCOMPARE(badGlob.exitCode, 2);
        const Run noGlob =
            cli(base + QStringList{QStringLiteral("runtime"), QStringLiteral("add"), QStringLiteral("y")}, m_passFile);
        QCOMPARE(noGlob.exitCode, 2);

        const Run listed = cli(base + QStringList{QStringLiteral("runtime"), QStringLiteral("list")}, m_passFile);
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(!listed.out.contains(token.toLatin1())); // shown once, never again
        const QJsonArray runtimes =
            QJsonDocument::fromJson(listed.out).object().value(QStringLiteral("runtimes")).toArray();
        QCOMPARE(runtimes.size(), 1);
        QCOMPARE(runtimes.at(0).toObject().value(QStringLiteral("revoked")).toBool(), false);

        QCOMPARE(cli(base + QStringList{QStringLiteral("runtime"), QStringLiteral("revoke"), QStringLiteral("ci")},
                     m_passFile)
                     .exitCode,
                 0);
        QCOMPARE(cli(base + QStringList{QStringLiteral("runtime"), QStringLiteral("revoke"), QStringLiteral("ci")},
                     m_passFile)
                     .exitCode,
                 1);

        QCOMPARE(cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("add"), QStringLiteral("deploy.*"),
                                        QStringLiteral("--require"), QStringLiteral("2"), QStringLiteral("--min-risk"),
                                        QStringLiteral("high"), QStringLiteral("--timeout"), QStringLiteral("120")},
                     m_passFile)
                     .exitCode,
                 0);
        QCOMPARE(cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("add"), QStringLiteral("docs.*"),
                                        QStringLiteral("--allow")},
                     m_passFile)
                     .exitCode,
                 0);
        QCOMPARE(cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("add"), QStringLiteral("x.*"),
                                        QStringLiteral("--allow"), QStringLiteral("--deny")},
                     m_passFile)
                     .exitCode,
                 2);
        QCOMPARE(cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("add"), QStringLiteral("x.*"),
                                        QStringLiteral("--require"), QStringLiteral("11")},
                     m_passFile)
                     .exitCode,
                 2);
        const Run policies = cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("list")}, m_passFile);
        QCOMPARE(policies.exitCode, 0);
        const QJsonArray rules =
            QJsonDocument::fromJson(policies.out).object().value(QStringLiteral("rules")).toArray();
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules.at(0).toObject().value(QStringLiteral("approvals")).toInt(), 2);
        QCOMPARE(rules.at(0).toObject().value(QStringLiteral("min_risk")).toString(), QStringLiteral("high"));
        QCOMPARE(rules.at(0).toObject().value(QStringLiteral("timeout_seconds")).toInt(), 120);
        QCOMPARE(rules.at(1).toObject().value(QStringLiteral("outcome")).toString(), QStringLiteral("allow"));
        QCOMPARE(
            cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("remove"), QStringLiteral("1")}, m_passFile)
                .exitCode,
            0);
        QCOMPARE(
            cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("remove"), QStringLiteral("5")}, m_passFile)
                .exitCode,
            1);
        const Run after = cli(base + QStringList{QStringLiteral("policy"), QStringLiteral("list")}, m_passFile);
        QCOMPARE(QJsonDocument::fromJson(after.out).object().value(QStringLiteral("rules")).toArray().size(), 1);

        auto vault = test::openVault(dataDir);
        QVERIFY(vault);
        QSqlQuery query(vault->database());
        QVERIFY(query.exec(QStringLiteral("SELECT action FROM audit_log WHERE action LIKE 'runtime.%' OR action LIKE "
                                          "'policy.%' ORDER BY seq")));
        QStringList actions;
        while (query.next())
            actions.append(query.value(0).toString());
        QCOMPARE(actions, (QStringList{QStringLiteral("runtime.registered"), QStringLiteral("runtime.revoked"),
                                       QStringLiteral("policy.rule_added"), QStringLiteral("policy.rule_added"),
                                       QStringLiteral("policy.rule_removed")}));
    }

    void runtimeCommandsNeedAToken()
    {
        const Run noToken = cli({QStringLiteral("status"), QStringLiteral("abc")}, {});
        QCOMPARE(noToken.exitCode, 3);
        QVERIFY(noToken.err.contains("COUNTERSIGN_TOKEN"));
    }

    // One meaning per status, whichever server answered (docs/runtime-guide.md, "Exit codes"):
    // the consume of an expired request (the runtime endpoint) and the redeem of an expired
    // invitation (the team listener) are both 410 Gone, and both exit 4, refused.
    void goneExitsAlikeFromEitherServer()
    {
        if (!QFile::exists(APP))
            QSKIP("the app is not built (COUNTERSIGN_CORE_ONLY)");
        const QString dataDir = m_dir->filePath(QStringLiteral("vault"));
        auto vault = test::createVault(dataDir);
        QVERIFY(vault);
        approvals::RequestEvents events;
        auto services = test::openServices(*vault, events, QStringLiteral("gone"));
        QVERIFY(services);
        const auto token = services->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")},
                                                                QStringLiteral("member:owner"));
        VERIFY_RESULT(token);
        policy::PolicyRule rule;
        rule.capabilityGlob = QStringLiteral("deploy.*");
        rule.timeoutSeconds = 1;
        VERIFY_RESULT(services->policies().add(rule, QStringLiteral("member:owner")));
        const quint16 teamPort = test::freeLoopbackPort();
        QVERIFY(teamPort > 0);
        VERIFY_RESULT(members::TeamListenerSettings::store(
            services->database(), services->audit(), QStringLiteral("owner"),
            members::TeamListenerSettings{QStringLiteral("127.0.0.1"), teamPort, QStringLiteral("127.0.0.1")}));
        const auto invited = application::TeamAdmin(*services, vault->tlsIdentity(), QStringLiteral("owner"))
                                 .invite(members::Role::Approver, 1);
        VERIFY_RESULT(invited);

        QProcess server;
        QByteArray output;
        QVERIFY2(test::startHeadless(server, APP, dataDir, m_passFile, 0, {}, output), output.constData());
        QElapsedTimer waited;
        waited.start();
        while (!output.contains("serving the team on") && waited.elapsed() < 30000 &&
               server.state() == QProcess::Running) {
            server.waitForReadyRead(200);
            output += server.readAllStandardOutput();
        }
        static const QRegularExpression SERVING(QStringLiteral("serving http://127.0.0.1:(\\d+)"));
        const auto serving = SERVING.match(QString::fromUtf8(output));
        QVERIFY2(serving.hasMatch() && output.contains("serving the team on"), output.constData());

        const QString payload = m_dir->filePath(QStringLiteral("payload.json"));
        test::writeTextFile(payload, QStringLiteral("{\"commit\":\"abc\"}"));
        const QString memberPassFile = m_dir->filePath(QStringLiteral("member-pass"));
        test::writeTextFile(memberPassFile, QStringLiteral("member key passphrase 1987 tangerine"));
        const QHash<QString, QString> environment{
            {QStringLiteral("COUNTERSIGN_URL"), QStringLiteral("http://127.0.0.1:%1").arg(serving.captured(1))},
            {QStringLiteral("COUNTERSIGN_TOKEN"), *token},
            {QStringLiteral("COUNTERSIGN_WITNESS_FILE"), m_dir->filePath(QStringLiteral("witness.json"))},
            {QStringLiteral("COUNTERSIGN_MEMBER_PASSPHRASE_FILE"), memberPassFile},
            {QStringLiteral("COUNTERSIGN_MEMBER_FILE"), m_dir->filePath(QStringLiteral("member/member.json"))}};
        const Run requested = cli({QStringLiteral("--json"), QStringLiteral("request"), QStringLiteral("--capability"),
                                   QStringLiteral("deploy.web"), QStringLiteral("--summary"), QStringLiteral("Deploy"),
                                   QStringLiteral("--payload"), payload},
                                  {}, {}, environment);
        QVERIFY2(requested.exitCode == 0, requested.err.constData());
        const QString id = QJsonDocument::fromJson(requested.out).object().value(QStringLiteral("id")).toString();
        // Pending past its one-second timeout: expired, a state (11), not a status.
        const Run waitedOut =
            cli({QStringLiteral("wait"), id, QStringLiteral("--timeout"), QStringLiteral("30")}, {}, {}, environment);
        QCOMPARE(waitedOut.exitCode, 11);

        const Run consumed =
            cli({QStringLiteral("consume"), id, QStringLiteral("--payload"), payload}, {}, {}, environment);
        QVERIFY2(consumed.err.contains("HTTP 410"), consumed.err.constData());
        const Run joined = cli({QStringLiteral("member"), QStringLiteral("join"), invited->link.toString(),
                                QStringLiteral("--name"), QStringLiteral("Late")},
                               {}, {}, environment);
        QVERIFY2(joined.err.contains("HTTP 410"), joined.err.constData());
        QVERIFY2(consumed.exitCode == 4, consumed.err.constData());
        QVERIFY2(joined.exitCode == consumed.exitCode,
                 QByteArray(QByteArray::number(joined.exitCode) + " from member join: " + joined.err).constData());
        test::stopProcess(server);
    }

    void checkReportsBrokenChain()
    {
        const QString dataDir = m_dir->filePath(QStringLiteral("tampered"));
        {
            auto vault = test::createVault(dataDir);
            QVERIFY(vault);
            for (int i = 0; i < 5; ++i)
                QVERIFY(vault->audit().append(
                    {QStringLiteral("system"), QStringLiteral("test.x"), QString::number(i), {}}));
            QSqlQuery query(vault->database());
            QVERIFY(query.exec(QStringLiteral("DROP TRIGGER audit_log_no_update")));
            QVERIFY(query.exec(QStringLiteral("UPDATE audit_log SET subject = 'forged' WHERE seq = 4")));
        }
        const Run check = cli({QStringLiteral("--data-dir"), dataDir, QStringLiteral("--json"), QStringLiteral("vault"),
                               QStringLiteral("check")},
                              m_passFile);
        QCOMPARE(check.exitCode, 1);
        const QJsonObject report = QJsonDocument::fromJson(check.out).object();
        QCOMPARE(report.value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(report.value(QStringLiteral("broken_seq")).toInt(), 4);
        QCOMPARE(report.value(QStringLiteral("problem")).toString(), QStringLiteral("hash"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
