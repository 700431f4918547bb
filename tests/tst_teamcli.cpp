// `countersign-cli --database URL` from the outside: the real binary, run as a process, administers
// a team's PostgreSQL database that the test starts (TLS, verify-full), and runtimes registered
// that way reach a real `countersign --headless --database URL` node over TLS, pinning the team's
// certificate with COUNTERSIGN_PIN or the token file's `pin:` line (docs/team-server.md,
// "Administering a team"; docs/runtime-guide.md, "Team nodes over TLS").
#include "crypto/crypto.h"
#include "pgcluster.h"
#include "teamnodeprocess.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");
const QString MEMBER_PASSPHRASE = QStringLiteral("member key passphrase 1987 tangerine");
const QString KEY_CREDENTIAL = QStringLiteral("team-key");

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

} // namespace

class TestTeamCli final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::PgCluster> m_cluster;
    int m_databases = 0;
    // Per test function:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_url;
    test::TeamNodeProcess m_node;
    quint16 m_tlsPort = 0;

    QString path(const QString& name) const { return m_dir->filePath(name); }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("COUNTERSIGN_DATABASE_URL"));
        env.remove(QStringLiteral("COUNTERSIGN_TOKEN"));
        env.remove(QStringLiteral("COUNTERSIGN_PIN"));
        env.insert(QStringLiteral("CREDENTIALS_DIRECTORY"), path(QStringLiteral("credentials")));
        env.insert(QStringLiteral("COUNTERSIGN_MEMBER_PASSPHRASE_FILE"), path(QStringLiteral("member-pass")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_STATE_HOME"), path(QStringLiteral("state")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), path(QStringLiteral("data")));
        return env;
    }

    Run cli(const QStringList& arguments, const QHash<QString, QString>& extra = {}) const
    {
        QProcess process;
        QProcessEnvironment env = environment();
        for (auto it = extra.cbegin(); it != extra.cend(); ++it)
            env.insert(it.key(), it.value());
        process.setProcessEnvironment(env);
        process.start(CLI, arguments);
        Run run;
        if (!process.waitForFinished(120000)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        if (QTest::currentTestFailed() || run.exitCode != 0)
            qInfo("countersign-cli %s: %d %s", qPrintable(arguments.join(u' ')), run.exitCode, run.err.constData());
        return run;
    }

    /// An administration command on the team database, opening its key from the credential.
    Run admin(const QStringList& arguments, const QHash<QString, QString>& extra = {}) const
    {
        return cli(QStringList{QStringLiteral("--database"), m_url, QStringLiteral("--team-key-credential"),
                               KEY_CREDENTIAL, QStringLiteral("--json")} +
                       arguments,
                   extra);
    }

    Run initTeam(const QString& memberFile = QStringLiteral("owner.json"))
    {
        return admin({QStringLiteral("team"), QStringLiteral("init"), QStringLiteral("--owner"),
                      QStringLiteral("Olive"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                      QStringLiteral("--port"), QString::number(m_tlsPort), QStringLiteral("--member-file"),
                      path(memberFile)});
    }

    QString addRuntime()
    {
        const Run added = admin({QStringLiteral("runtime"), QStringLiteral("add"), QStringLiteral("ci"),
                                 QStringLiteral("--allow"), QStringLiteral("deploy.*")});
        return added.exitCode == 0 ? added.json().value(QStringLiteral("token")).toString() : QString();
    }

    /// A team node serving TLS on m_tlsPort; what it printed (its certificate's fingerprint).
    QByteArray startNode()
    {
        test::TeamNodeProcess::Options options;
        options.environment = environment();
        options.keyArguments = {QStringLiteral("--team-key-credential"), KEY_CREDENTIAL};
        options.tlsPort = m_tlsPort;
        return m_node.start(APP, m_url, path(QStringLiteral("node")), std::move(options)) ? m_node.startOutput()
                                                                                          : QByteArray();
    }

    /// A request from the runtime over TLS; extra names the token and the pin.
    Run request(const QHash<QString, QString>& extra)
    {
        QHash<QString, QString> env = extra;
        env.insert(QStringLiteral("COUNTERSIGN_URL"), QStringLiteral("https://127.0.0.1:%1").arg(m_tlsPort));
        return cli({QStringLiteral("request"), QStringLiteral("--capability"), QStringLiteral("deploy.web"),
                    QStringLiteral("--summary"), QStringLiteral("ship 2.0"), QStringLiteral("--json")},
                   env);
    }

    QJsonArray runtimes()
    {
        return admin({QStringLiteral("runtime"), QStringLiteral("list")})
            .json()
            .value(QStringLiteral("runtimes"))
            .toArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(crypto::initialize());
        m_cluster = std::make_unique<test::PgCluster>();
        QVERIFY(m_cluster->start());
    }
    void cleanupTestCase() { m_cluster.reset(); }

    // Each test function gets a database, a team key credential and a port for its node.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const QString database = QStringLiteral("teamcli_%1").arg(++m_databases);
        QVERIFY(m_cluster->createDatabase(database));
        m_url = test::teamDatabaseUrl(m_cluster->connectionConfig(QStringLiteral("localhost"), database));
        QVERIFY(QDir().mkpath(path(QStringLiteral("credentials"))));
        QFile key(path(QStringLiteral("credentials/") + KEY_CREDENTIAL));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write(crypto::randomBytes(32));
        key.close();
        QVERIFY(key.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        test::writeTextFile(path(QStringLiteral("member-pass")), MEMBER_PASSPHRASE);
        m_tlsPort = test::freeLoopbackPort();
    }

    void cleanup()
    {
        m_node.stop();
        if (QTest::currentTestFailed())
            qWarning("the node said: %s", m_node.errorOutput().constData());
        m_dir.reset();
    }

    void teamInitSetsUpTheTeamOnceWithTheOwnersKey()
    {
        const Run first = initTeam();
        QCOMPARE(first.exitCode, 0);
        const QString pin = first.json().value(QStringLiteral("certificate_sha256")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(pin).hasMatch(), first.out.constData());
        QCOMPARE(first.json().value(QStringLiteral("owner")).toObject().value(QStringLiteral("display_name")),
                 QStringLiteral("Olive"));
        // The owner's key file, as `member join` writes one: the team's certificate pinned.
        QFile memberFile(path(QStringLiteral("owner.json")));
        QVERIFY(memberFile.open(QIODevice::ReadOnly));
        const QJsonObject kept = QJsonDocument::fromJson(memberFile.readAll()).object();
        QCOMPARE(kept.value(QStringLiteral("server")).toObject().value(QStringLiteral("certificate_sha256")), pin);
        QCOMPARE(kept.value(QStringLiteral("member")).toObject().value(QStringLiteral("role")),
                 QStringLiteral("owner"));

        const Run second = initTeam(QStringLiteral("second.json"));
        QCOMPARE(second.exitCode, 4);
        QVERIFY2(second.err.contains("already set up"), second.err.constData());
        QVERIFY(!QFile::exists(path(QStringLiteral("second.json"))));
        QVERIFY(!QFile::exists(path(QStringLiteral("second.json.joining"))));
        // Nothing changed: the one owner, the same certificate.
        const QJsonArray members =
            admin({QStringLiteral("member"), QStringLiteral("list")}).json().value(QStringLiteral("members")).toArray();
        QCOMPARE(members.size(), 1);
        QCOMPARE(members.at(0).toObject().value(QStringLiteral("display_name")), QStringLiteral("Olive"));
        QVERIFY(startNode().contains(pin.toLatin1()));
    }

    void aRuntimeAddedOnTheDatabaseAsksANodeOverTlsWithThePin()
    {
        const QString pin = initTeam().json().value(QStringLiteral("certificate_sha256")).toString();
        QVERIFY(!pin.isEmpty());
        const QString token = addRuntime();
        QVERIFY(!token.isEmpty());
        QVERIFY(!startNode().isEmpty());

        const Run pinned =
            request({{QStringLiteral("COUNTERSIGN_TOKEN"), token}, {QStringLiteral("COUNTERSIGN_PIN"), pin}});
        QCOMPARE(pinned.exitCode, 0);
        const QString id = pinned.json().value(QStringLiteral("id")).toString();
        QVERIFY2(!id.isEmpty(), pinned.out.constData());

        // The token file carries both: the token, then the pin (colons allowed, as openssl prints it).
        QStringList bytes;
        for (qsizetype i = 0; i < pin.size(); i += 2)
            bytes.append(pin.mid(i, 2).toUpper());
        test::writeTextFile(path(QStringLiteral("token")),
                            token + QStringLiteral("\npin: ") + bytes.join(u':') + QStringLiteral("\n"));
        const Run fromFile = request({{QStringLiteral("COUNTERSIGN_TOKEN_FILE"), path(QStringLiteral("token"))}});
        QCOMPARE(fromFile.exitCode, 0);
        QVERIFY(!fromFile.json().value(QStringLiteral("id")).toString().isEmpty());
        QCOMPARE(runtimes().at(0).toObject().value(QStringLiteral("requests")).toInt(), 2);

        // The owner made by `team init` signs a decision on the node with the key file it wrote.
        const Run approved = cli({QStringLiteral("member"), QStringLiteral("approve"), id, QStringLiteral("--reason"),
                                  QStringLiteral("release checked"), QStringLiteral("--member-file"),
                                  path(QStringLiteral("owner.json"))});
        QCOMPARE(approved.exitCode, 0);
        QVERIFY2(approved.out.contains("approved"), approved.out.constData());
    }

    void aWrongPinOrNoPinSendsNothing()
    {
        QCOMPARE(initTeam().exitCode, 0);
        const QString token = addRuntime();
        QVERIFY(!token.isEmpty());
        QVERIFY(!startNode().isEmpty());
        const QString other =
            QString::fromLatin1(QCryptographicHash::hash("another certificate", QCryptographicHash::Sha256).toHex());
        const Run wrong =
            request({{QStringLiteral("COUNTERSIGN_TOKEN"), token}, {QStringLiteral("COUNTERSIGN_PIN"), other}});
        QCOMPARE(wrong.exitCode, 3);
        QVERIFY2(wrong.err.contains("other than the one pinned by COUNTERSIGN_PIN"), wrong.err.constData());

        const Run none = request({{QStringLiteral("COUNTERSIGN_TOKEN"), token}});
        QCOMPARE(none.exitCode, 2);
        QVERIFY2(none.err.contains("no certificate is pinned"), none.err.constData());

        const Run garbled = request(
            {{QStringLiteral("COUNTERSIGN_TOKEN"), token}, {QStringLiteral("COUNTERSIGN_PIN"), QStringLiteral("abc")}});
        QCOMPARE(garbled.exitCode, 2);
        QVERIFY2(garbled.err.contains("not a SHA-256"), garbled.err.constData());
        // None of them reached the node with the token.
        QCOMPARE(runtimes().at(0).toObject().value(QStringLiteral("requests")).toInt(), 0);
    }

    void policiesAndMembersAreAdministeredOnTheDatabaseAsTheOwner()
    {
        QCOMPARE(initTeam().exitCode, 0);
        QCOMPARE(admin({QStringLiteral("policy"), QStringLiteral("add"), QStringLiteral("deploy.*"),
                        QStringLiteral("--require"), QStringLiteral("2")})
                     .exitCode,
                 0);
        const QJsonArray rules =
            admin({QStringLiteral("policy"), QStringLiteral("list")}).json().value(QStringLiteral("rules")).toArray();
        QCOMPARE(rules.size(), 1);
        QVERIFY2(QJsonDocument(rules.at(0).toObject()).toJson().contains("deploy.*"),
                 QJsonDocument(rules).toJson().constData());

        // On a team the link names the node the invitee dials, given here.
        const Run refused = admin(
            {QStringLiteral("member"), QStringLiteral("invite"), QStringLiteral("--role"), QStringLiteral("approver")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("--public-host"), refused.err.constData());
        const Run invited =
            admin({QStringLiteral("member"), QStringLiteral("invite"), QStringLiteral("--role"),
                   QStringLiteral("approver"), QStringLiteral("--host"), QStringLiteral("approvals.example.org"),
                   QStringLiteral("--note"), QStringLiteral("for Bea")});
        QCOMPARE(invited.exitCode, 0);
        QVERIFY2(invited.json().value(QStringLiteral("link")).toString().contains(u"approvals.example.org"),
                 invited.out.constData());
        const QJsonArray invitations = admin({QStringLiteral("member"), QStringLiteral("invitations")})
                                           .json()
                                           .value(QStringLiteral("invitations"))
                                           .toArray();
        QCOMPARE(invitations.size(), 1);
        QCOMPARE(invitations.at(0).toObject().value(QStringLiteral("note")), QStringLiteral("for Bea"));
        const QJsonArray members =
            admin({QStringLiteral("member"), QStringLiteral("list")}).json().value(QStringLiteral("members")).toArray();
        QCOMPARE(members.size(), 1);
        QCOMPARE(members.at(0).toObject().value(QStringLiteral("role")), QStringLiteral("owner"));

        // The audit log names the team's owner as the one who acted.
        QCOMPARE(
            admin({QStringLiteral("audit"), QStringLiteral("export"), path(QStringLiteral("export.jsonl"))}).exitCode,
            0);
        QFile exported(path(QStringLiteral("export.jsonl")));
        QVERIFY(exported.open(QIODevice::ReadOnly));
        bool policyByOwner = false;
        for (const QByteArray& line : exported.readAll().split('\n')) {
            const QJsonObject entry = QJsonDocument::fromJson(line).object();
            policyByOwner |= entry.value(QStringLiteral("action")).toString().startsWith(u"policy.") &&
                             entry.value(QStringLiteral("actor")) == QStringLiteral("member:owner");
        }
        QVERIFY(policyByOwner);
    }

    void anAuditExportOfTheTeamVerifiesAgainstItsKey()
    {
        QCOMPARE(initTeam().exitCode, 0);
        QVERIFY(!addRuntime().isEmpty());
        const Run exported =
            admin({QStringLiteral("audit"), QStringLiteral("export"), path(QStringLiteral("export.jsonl"))});
        QCOMPARE(exported.exitCode, 0);
        QVERIFY(exported.json().value(QStringLiteral("entries")).toInt() >= 3);
        const Run key = admin({QStringLiteral("audit"), QStringLiteral("key")});
        QCOMPARE(key.exitCode, 0);
        const QString publicKey = key.json().value(QStringLiteral("public_key")).toString();
        QVERIFY(!publicKey.isEmpty());
        const Run verified = cli({QStringLiteral("audit"), QStringLiteral("verify"),
                                  path(QStringLiteral("export.jsonl")), QStringLiteral("--key"), publicKey});
        QCOMPARE(verified.exitCode, 0);
        QVERIFY2(verified.out.contains("audit export OK"), verified.out.constData());
    }

    void theUrlComesFromAFileOrTheEnvironment()
    {
        test::writeTextFile(path(QStringLiteral("database-url")), m_url + QStringLiteral("\n"));
        const Run init =
            cli({QStringLiteral("--database-file"), path(QStringLiteral("database-url")),
                 QStringLiteral("--team-key-credential"), KEY_CREDENTIAL, QStringLiteral("team"),
                 QStringLiteral("init"), QStringLiteral("--owner"), QStringLiteral("Olive"), QStringLiteral("--host"),
                 QStringLiteral("127.0.0.1"), QStringLiteral("--member-file"), path(QStringLiteral("owner.json"))});
        QCOMPARE(init.exitCode, 0);
        const Run fromEnvironment = cli({QStringLiteral("--team-key-credential"), KEY_CREDENTIAL,
                                         QStringLiteral("--json"), QStringLiteral("runtime"), QStringLiteral("add"),
                                         QStringLiteral("ci"), QStringLiteral("--allow"), QStringLiteral("deploy.*")},
                                        {{QStringLiteral("COUNTERSIGN_DATABASE_URL"), m_url}});
        QCOMPARE(fromEnvironment.exitCode, 0);
        QCOMPARE(runtimes().size(), 1); // on the team's database, not in a vault
        const Run both = cli({QStringLiteral("--database"), m_url, QStringLiteral("--database-file"),
                              path(QStringLiteral("database-url")), QStringLiteral("runtime"), QStringLiteral("list")});
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.contains("not both"), both.err.constData());
    }

    void thePasswordNeverComesThroughTheUrl()
    {
        const QString password = QStringLiteral("s3cret-in-argv");
        const QString inUserInfo = QString(m_url).replace(QStringLiteral("postgresql://countersign@"),
                                                          QStringLiteral("postgresql://countersign:%1@").arg(password));
        const QString inQuery = m_url + QStringLiteral("&password=") + password;
        for (const QString& url : {inUserInfo, inQuery}) {
            const Run refused = cli({QStringLiteral("--database"), url, QStringLiteral("--team-key-credential"),
                                     KEY_CREDENTIAL, QStringLiteral("runtime"), QStringLiteral("list")});
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(refused.err.contains("password_file"), refused.err.constData());
            QVERIFY(!refused.err.contains(password.toUtf8()));
        }
    }

    void desktopCommandsAreRefusedOnATeamDatabase()
    {
        QCOMPARE(initTeam().exitCode, 0);
        const QList<QStringList> desktopOnly{
            {QStringLiteral("vault"), QStringLiteral("init"), QStringLiteral("--owner"), QStringLiteral("Olive")},
            {QStringLiteral("vault"), QStringLiteral("passwd")},
            {QStringLiteral("team"), QStringLiteral("status")},
            {QStringLiteral("team"), QStringLiteral("enable"), QStringLiteral("--address"), QStringLiteral("0.0.0.0")},
            {QStringLiteral("team"), QStringLiteral("disable")}};
        for (const QStringList& command : desktopOnly) {
            const Run refused = admin(command);
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(refused.err.contains(command.at(0) == u"vault" ? "not on a team database" : "--listen"),
                     refused.err.constData());
        }
        const Run withoutDatabase = cli({QStringLiteral("--data-dir"), path(QStringLiteral("vault")),
                                         QStringLiteral("team"), QStringLiteral("init"), QStringLiteral("--owner"),
                                         QStringLiteral("Olive"), QStringLiteral("--host"), QStringLiteral("h")});
        QCOMPARE(withoutDatabase.exitCode, 2);
        QVERIFY2(withoutDatabase.err.contains("give --database URL"), withoutDatabase.err.constData());
    }

    void theTeamPassphraseComesFromItsFile()
    {
        test::writeTextFile(path(QStringLiteral("team-pass")), QStringLiteral("the team's own passphrase, long"));
        const QHash<QString, QString> env{
            {QStringLiteral("COUNTERSIGN_TEAM_PASSPHRASE_FILE"), path(QStringLiteral("team-pass"))}};
        const QStringList database{QStringLiteral("--database"), m_url, QStringLiteral("--json")};
        const Run init =
            cli(database + QStringList{QStringLiteral("team"), QStringLiteral("init"), QStringLiteral("--owner"),
                                       QStringLiteral("Olive"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                                       QStringLiteral("--member-file"), path(QStringLiteral("owner.json"))},
                env);
        QCOMPARE(init.exitCode, 0);
        const Run listed = cli(database + QStringList{QStringLiteral("member"), QStringLiteral("list")}, env);
        QCOMPARE(listed.exitCode, 0);
        QCOMPARE(listed.json().value(QStringLiteral("members")).toArray().size(), 1);
        // A team wrapped by its passphrase is not opened with a raw key, and says so.
        const Run credential = admin({QStringLiteral("member"), QStringLiteral("list")});
        QCOMPARE(credential.exitCode, 2);
        QVERIFY2(credential.err.contains("wrapped with the team passphrase"), credential.err.constData());
    }

    void anotherTeamKeyOpensNothing()
    {
        QCOMPARE(initTeam().exitCode, 0);
        QFile other(path(QStringLiteral("credentials/other")));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write(crypto::randomBytes(32));
        other.close();
        QVERIFY(other.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        const Run refused = cli({QStringLiteral("--database"), m_url, QStringLiteral("--team-key-credential"),
                                 QStringLiteral("other"), QStringLiteral("runtime"), QStringLiteral("list")});
        QCOMPARE(refused.exitCode, 3);
        // What the command says is the refusal, without the server's notices of its migrations.
        QVERIFY2(!refused.err.contains("NOTICE"), refused.err.constData());
        QVERIFY2(refused.err.contains("does not open the team's data key"), refused.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestTeamCli)
#include "tst_teamcli.moc"
