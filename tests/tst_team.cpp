// A team over real processes on loopback: `countersign --headless` with its TLS team listener,
// and `countersign-cli` joining with an invitation link, listing the queue and deciding, while
// a runtime asks and consumes over plain loopback HTTP. Also what must be refused: another
// certificate than the link's, used/revoked/expired tokens, a viewer's decision, a removed
// member's session; and the audit entries each leaves.
#include "application/openservices.h"
#include "approvals/decisionstatement.h"
#include "approvals/payloadview.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "evidence/checkpoint.h"
#include "evidence/merkle.h"
#include "evidence/receipt.h"
#include "json/canonicaljson.h"
#include "members/invitationlink.h"
#include "members/invitationservice.h"
#include "members/memberkeyfile.h"
#include "members/memberservice.h"
#include "members/sessionservice.h"
#include "members/teamlistenersettings.h"
#include "policy/policystore.h"
#include "testsupport.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString APP = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign");
const QString CLI = QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-cli");
const QString MEMBER_PASSPHRASE = QStringLiteral("member key passphrase 1987 tangerine");

} // namespace

class TestTeam final : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_vaultDir;
    QString m_passFile;
    QString m_memberPassFile;
    QByteArray m_runtimeToken;
    QProcess m_server;
    quint16 m_port = 0;
    quint16 m_teamPort = 0;
    approvals::RequestEvents m_events;
    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<approvals::Services> m_services;
    QString m_graceFile;
    QString m_graceId;
    QString m_firstLink;

    struct Run {
        int code = -1;
        QByteArray out;
        QByteArray err;
        [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    };

    Run cli(const QStringList& arguments, const QString& memberFile = {}, const QByteArray& input = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), m_passFile);
        env.insert(QStringLiteral("COUNTERSIGN_MEMBER_PASSPHRASE_FILE"), m_memberPassFile);
        if (!memberFile.isEmpty())
            env.insert(QStringLiteral("COUNTERSIGN_MEMBER_FILE"), memberFile);
        process.setProcessEnvironment(env);
        process.start(CLI, QStringList{QStringLiteral("--data-dir"), m_vaultDir} + arguments);
        if (!input.isEmpty()) {
            process.write(input);
            process.closeWriteChannel();
        }
        Run run;
        if (!process.waitForFinished(60000)) {
            process.kill();
            return run;
        }
        run.code = process.exitCode();
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }

    QString invite(const QString& role, const QStringList& extra = {})
    {
        const Run run = cli(QStringList{QStringLiteral("member"), QStringLiteral("invite"), QStringLiteral("--role"),
                                        role, QStringLiteral("--json")} +
                            extra);
        return run.json().value(QStringLiteral("link")).toString();
    }

    Run join(const QString& link, const QString& name, const QString& memberFile)
    {
        return cli({QStringLiteral("member"), QStringLiteral("join"), link, QStringLiteral("--name"), name,
                    QStringLiteral("--json")},
                   memberFile);
    }

    QByteArray loopback(const QByteArray& method, const QByteArray& path, const QByteArray& body = {})
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(5000))
            return {};
        return test::httpExchange(socket, method, path, "127.0.0.1:" + QByteArray::number(m_port), m_runtimeToken,
                                  body);
    }

    /// One request over TLS to the team listener, raw, with any Host and token.
    QByteArray team(const QByteArray& method, const QByteArray& path, const QByteArray& token,
                    const QByteArray& host = {}, const QByteArray& body = {})
    {
        QSslSocket socket;
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_teamPort);
        if (!socket.waitForEncrypted(10000))
            return "no TLS: " + socket.errorString().toUtf8();
        return test::httpExchange(socket, method, path,
                                  host.isEmpty() ? "127.0.0.1:" + QByteArray::number(m_teamPort) : host, token, body);
    }

    struct OpenedSession {
        QByteArray response;
        QByteArray token;
        QByteArray requestBody; // what was sent to open it (to try it twice)
    };
    /// Opens a session on the team listener with the key in \a memberFile, as a client does.
    OpenedSession openSession(const QString& memberFile, const QString& memberId)
    {
        OpenedSession opened;
        auto key = members::MemberKeyFile::unseal(memberFile, test::secure(MEMBER_PASSPHRASE));
        if (!key)
            return opened;
        const QByteArray challenge =
            team("POST", "/v1/sessions/challenge", {}, {}, "{\"member\":\"" + memberId.toLatin1() + "\"}");
        const QByteArray nonce =
            QByteArray::fromBase64(bodyOf(challenge).value(QStringLiteral("nonce")).toString().toLatin1());
        const QByteArray signature = key->sign(members::SessionService::statement(
            bodyOf(challenge).value(QStringLiteral("instance")).toString(), memberId, nonce));
        opened.requestBody =
            QJsonDocument(QJsonObject{{QStringLiteral("member"), memberId},
                                      {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                      {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}})
                .toJson(QJsonDocument::Compact);
        opened.response = team("POST", "/v1/sessions", {}, {}, opened.requestBody);
        opened.token = bodyOf(opened.response).value(QStringLiteral("token")).toString().toLatin1();
        return opened;
    }

    static QJsonObject bodyOf(const QByteArray& response)
    {
        return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
    }

    QString createRequest(const QString& summary)
    {
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                      {QStringLiteral("summary"), summary},
                                      {QStringLiteral("payload"), QJsonObject{{QStringLiteral("commit"), summary}}}})
                .toJson(QJsonDocument::Compact);
        return bodyOf(loopback("POST", "/v1/requests", body)).value(QStringLiteral("id")).toString();
    }

    QStringList auditActions()
    {
        QStringList actions;
        const auto entries = m_vault->audit().entries(1, 1'000'000);
        for (const audit::AuditEntry& entry : entries.value_or(QList<audit::AuditEntry>()))
            actions.append(entry.action);
        return actions;
    }

    /// Grace is invited as an approver (m_firstLink) and joins with her own key (m_graceFile),
    /// once per test function.
    void joinGrace()
    {
        if (!m_graceId.isEmpty())
            return;
        m_firstLink = invite(QStringLiteral("approver"));
        QVERIFY2(m_firstLink.startsWith(QStringLiteral("countersign://127.0.0.1:")), qPrintable(m_firstLink));
        m_graceFile = m_dir->filePath(QStringLiteral("grace/member.json"));
        const Run joined = join(m_firstLink, QStringLiteral("Grace"), m_graceFile);
        QVERIFY2(joined.code == 0, joined.err.constData());
        m_graceId = joined.json().value(QStringLiteral("member")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!m_graceId.isEmpty());
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vaultDir = m_dir->filePath(QStringLiteral("vault"));
        m_vault = test::createVault(m_vaultDir);
        QVERIFY(m_vault);
        m_passFile = m_dir->filePath(QStringLiteral("pass"));
        test::writeTextFile(m_passFile, test::PASSPHRASE);
        m_memberPassFile = m_dir->filePath(QStringLiteral("member-pass"));
        test::writeTextFile(m_memberPassFile, MEMBER_PASSPHRASE);
        auto services = application::openServices(*m_vault, m_events, QStringLiteral("test"));
        QVERIFY(services);
        m_services = std::move(*services);
        auto token = m_services->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")},
                                                            QStringLiteral("member:owner"));
        QVERIFY(token);
        m_runtimeToken = token->toLatin1();
        m_teamPort = test::freeLoopbackPort();
        QVERIFY(m_teamPort > 0);
        QVERIFY(members::TeamListenerSettings::store(
            m_services->database(), m_services->audit(), QStringLiteral("owner"),
            members::TeamListenerSettings{QStringLiteral("127.0.0.1"), m_teamPort, QStringLiteral("127.0.0.1")}));

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), m_passFile);
        m_server.setProcessEnvironment(env);
        m_server.start(APP, {QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_vaultDir,
                             QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--socket"),
                             QStringLiteral("none"), QStringLiteral("--rate-limit"), QStringLiteral("100000")});
        QVERIFY(m_server.waitForStarted(10000));
        static const QRegularExpression SERVING(QStringLiteral("serving http://127.0.0.1:(\\d+)"));
        static const QRegularExpression TEAM(QStringLiteral("serving the team on https://127.0.0.1:(\\d+)"));
        QElapsedTimer timer;
        timer.start();
        QByteArray output;
        while (timer.elapsed() < 30000 && !TEAM.match(QString::fromUtf8(output)).hasMatch()) {
            m_server.waitForReadyRead(500);
            output += m_server.readAllStandardOutput();
            QVERIFY2(m_server.state() == QProcess::Running, m_server.readAllStandardError().constData());
        }
        const auto serving = SERVING.match(QString::fromUtf8(output));
        QVERIFY2(serving.hasMatch(), output.constData());
        m_port = static_cast<quint16>(serving.captured(1).toUInt());
        QCOMPARE(TEAM.match(QString::fromUtf8(output)).captured(1).toUInt(), uint(m_teamPort));
    }

    void cleanup()
    {
        test::stopProcess(m_server);
        m_services.reset();
        m_vault.reset();
        m_graceFile.clear();
        m_graceId.clear();
        m_firstLink.clear();
        m_dir.reset();
    }

    void aMemberJoinsSeesTheQueueAndApprovesWithTheirOwnKey()
    {
        joinGrace();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(QFile::permissions(m_graceFile) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        auto keyFile = members::MemberKeyFile::read(m_graceFile);
        QVERIFY(keyFile);
        QCOMPARE(keyFile->memberId, m_graceId);

        const QString id = createRequest(QStringLiteral("ship 1.2"));
        QVERIFY(!id.isEmpty());
        const Run queue =
            cli({QStringLiteral("member"), QStringLiteral("queue"), QStringLiteral("--json")}, m_graceFile);
        QVERIFY2(queue.code == 0, queue.err.constData());
        const QJsonArray pending = queue.json().value(QStringLiteral("requests")).toArray();
        QCOMPARE(pending.size(), 1);
        QCOMPARE(pending.first().toObject().value(QStringLiteral("id")).toString(), id);

        const Run approved = cli({QStringLiteral("member"), QStringLiteral("approve"), id, QStringLiteral("--reason"),
                                  QStringLiteral("diff reviewed")},
                                 m_graceFile);
        QVERIFY2(approved.code == 0, approved.err.constData());
        QVERIFY(approved.out.contains("approved"));

        // The runtime consumes; its receipt carries Grace's valid signature.
        const QString digest =
            bodyOf(loopback("GET", "/v1/requests/" + id.toLatin1())).value(QStringLiteral("payload_sha256")).toString();
        const QJsonObject consumed = bodyOf(loopback("POST", "/v1/requests/" + id.toLatin1() + "/consume",
                                                     "{\"payload_sha256\":\"" + digest.toLatin1() + "\"}"));
        const QJsonObject receipt = consumed.value(QStringLiteral("receipt")).toObject();
        const QJsonObject decision = receipt.value(QStringLiteral("decisions")).toArray().first().toObject();
        QCOMPARE(decision.value(QStringLiteral("member")).toString(), m_graceId);
        QCOMPARE(QByteArray::fromBase64(decision.value(QStringLiteral("public_key")).toString().toLatin1()),
                 keyFile->publicKey);
        auto verified = audit::Receipt::verify(receipt, m_vault->instancePublicKey());
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().message));
    }

    void watchPrintsNewRequestsAsTheyArrive()
    {
        joinGrace();
        if (QTest::currentTestFailed())
            return;
        QProcess watch;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COUNTERSIGN_MEMBER_PASSPHRASE_FILE"), m_memberPassFile);
        env.insert(QStringLiteral("COUNTERSIGN_MEMBER_FILE"), m_graceFile);
        watch.setProcessEnvironment(env);
        watch.start(CLI, {QStringLiteral("member"), QStringLiteral("watch"), QStringLiteral("--timeout"),
                          QStringLiteral("30"), QStringLiteral("--json")});
        QVERIFY(watch.waitForStarted(10000));
        QTest::qWait(2500); // signed in and waiting on the long-poll
        const QString id = createRequest(QStringLiteral("hotfix 1.2.1"));
        QByteArray printed;
        QTRY_VERIFY_WITH_TIMEOUT((printed += watch.readAllStandardOutput()).contains(id.toLatin1()), 20000);
        watch.kill();
        watch.waitForFinished(5000);
        // show gives the whole request, masked as in the desktop queue.
        const Run shown =
            cli({QStringLiteral("member"), QStringLiteral("show"), id, QStringLiteral("--json")}, m_graceFile);
        QVERIFY2(shown.code == 0, shown.err.constData());
        QCOMPARE(shown.json().value(QStringLiteral("summary")).toString(), QStringLiteral("hotfix 1.2.1"));
        // Decide it so later checks see an empty queue for this member.
        QCOMPARE(cli({QStringLiteral("member"), QStringLiteral("deny"), id, QStringLiteral("--reason"),
                      QStringLiteral("not today")},
                     m_graceFile)
                     .code,
                 0);
        QCOMPARE(bodyOf(loopback("GET", "/v1/requests/" + id.toLatin1())).value(QStringLiteral("state")).toString(),
                 QStringLiteral("denied"));
    }

    void aListenerWithAnotherCertificateIsNotTalkedTo()
    {
        const QString link = invite(QStringLiteral("approver"));
        auto parsed = members::InvitationLink::parse(link);
        QVERIFY(parsed);
        members::InvitationLink forged = *parsed;
        forged.certificateSha256[0] = static_cast<char>(forged.certificateSha256[0] ^ 0x01);
        const QString memberFile = m_dir->filePath(QStringLiteral("mallory/member.json"));
        const Run refused = join(forged.toString(), QStringLiteral("Mallory"), memberFile);
        QCOMPARE(refused.code, 3);
        QVERIFY2(refused.err.contains("pinned"), refused.err.constData());
        // Nothing was sent: the invitation is still pending and usable with the real link.
        auto invitations = m_services->invitations().list(QStringLiteral("owner"));
        QVERIFY(invitations);
        bool stillPending = false;
        for (const members::Invitation& invitation : *invitations)
            stillPending |= invitation.state == members::Invitation::State::Pending;
        QVERIFY(stillPending);
        // And no key file is left behind to block the next join with the same file.
        QVERIFY(!QFile::exists(memberFile));
        QVERIFY(!QFile::exists(memberFile + QStringLiteral(".joining")));
        const Run real = join(link, QStringLiteral("Real"), memberFile);
        QVERIFY2(real.code == 0, real.err.constData());
        QVERIFY(QFile::exists(memberFile));
    }

    void aWeakMemberKeyPassphraseIsRefusedBeforeJoining()
    {
        const QString link = invite(QStringLiteral("approver"));
        QVERIFY(!link.isEmpty());
        const QString memberFile = m_dir->filePath(QStringLiteral("weak/member.json"));
        const QString strongPassFile = m_memberPassFile;
        m_memberPassFile = m_dir->filePath(QStringLiteral("weak-pass"));
        test::writeTextFile(m_memberPassFile, QStringLiteral("password password password"));
        const Run refused = join(link, QStringLiteral("Linus"), memberFile);
        m_memberPassFile = strongPassFile;
        QVERIFY2(refused.code != 0, refused.out.constData());
        QVERIFY2(refused.err.contains("member key passphrase refused"), refused.err.constData());
        QVERIFY(!QFile::exists(memberFile));
        QVERIFY(!QFile::exists(memberFile + QStringLiteral(".joining")));
        // Nothing was sent: the same link still joins with a passphrase that holds.
        const Run joined = join(link, QStringLiteral("Linus"), memberFile);
        QVERIFY2(joined.code == 0, joined.err.constData());
    }

    void usedRevokedAndExpiredTokensAreRefused()
    {
        joinGrace();
        if (QTest::currentTestFailed())
            return;
        const QString reusedFile = m_dir->filePath(QStringLiteral("reuse/member.json"));
        const Run reused = join(m_firstLink, QStringLiteral("Again"), reusedFile);
        QCOMPARE(reused.code, 4);
        QVERIFY(reused.err.contains("already used"));
        QVERIFY(!QFile::exists(reusedFile)); // a refused join leaves no orphan key

        const QString link = invite(QStringLiteral("approver"));
        const Run listed = cli({QStringLiteral("member"), QStringLiteral("invitations"), QStringLiteral("--json")});
        QString pendingId;
        for (const QJsonValue& value : listed.json().value(QStringLiteral("invitations")).toArray()) {
            if (value.toObject().value(QStringLiteral("state")).toString() == u"pending")
                pendingId = value.toObject().value(QStringLiteral("id")).toString();
        }
        QVERIFY(!pendingId.isEmpty());
        QCOMPARE(cli({QStringLiteral("member"), QStringLiteral("revoke-invitation"), pendingId}).code, 0);
        const Run revoked = join(link, QStringLiteral("Late"), m_dir->filePath(QStringLiteral("late/member.json")));
        QCOMPARE(revoked.code, 4);
        QVERIFY(revoked.err.contains("revoked"));

        const QString expiring =
            invite(QStringLiteral("approver"), {QStringLiteral("--expires"), QStringLiteral("0.0003")});
        QVERIFY(!expiring.isEmpty());
        QTest::qWait(1500);
        const Run expired = join(expiring, QStringLiteral("Slow"), m_dir->filePath(QStringLiteral("slow/member.json")));
        QCOMPARE(expired.code, 4);
        QVERIFY(expired.err.contains("expired"));
    }

    void idsCarryTheirTypeAndAnyIdIsTakenAfterDoubleDash()
    {
        // New ids name their type, so none starts with '-'.
        const QString link = invite(QStringLiteral("approver"));
        QVERIFY(!link.isEmpty());
        const QString memberFile = m_dir->filePath(QStringLiteral("ida/member.json"));
        const Run joined = join(link, QStringLiteral("Ida"), memberFile);
        QVERIFY2(joined.code == 0, joined.err.constData());
        const QString memberId =
            joined.json().value(QStringLiteral("member")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY2(memberId.startsWith(u"mem_"), qPrintable(memberId));
        const Run listed = cli({QStringLiteral("member"), QStringLiteral("invitations"), QStringLiteral("--json")});
        const QJsonArray invitations = listed.json().value(QStringLiteral("invitations")).toArray();
        QVERIFY(!invitations.isEmpty());
        for (const QJsonValue& value : invitations) {
            const QString id = value.toObject().value(QStringLiteral("id")).toString();
            QVERIFY2(id.startsWith(u"inv_"), qPrintable(id));
        }
        const QString requestId = createRequest(QStringLiteral("prefixed"));
        QVERIFY2(requestId.startsWith(u"req_"), qPrintable(requestId));

        // An id from before the prefixes may start with '-': after `--` it is an id, not an option.
        const QString legacyId = QStringLiteral("-Legacy_Invitation0");
        QSqlQuery insert(m_services->database());
        insert.prepare(QStringLiteral("INSERT INTO invitations (id, token_hash, role, created_by, created_at, "
                                      "expires_at) VALUES (?, ?, 'approver', 'owner', ?, ?)"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        insert.addBindValue(legacyId);
        insert.addBindValue(crypto::randomBytes(32));
        insert.addBindValue(now);
        insert.addBindValue(now + 3'600'000);
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        const Run asOption = cli({QStringLiteral("member"), QStringLiteral("revoke-invitation"), legacyId});
        QCOMPARE(asOption.code, 2);
        const Run revoked =
            cli({QStringLiteral("member"), QStringLiteral("revoke-invitation"), QStringLiteral("--"), legacyId});
        QVERIFY2(revoked.code == 0, revoked.err.constData());
        QSqlQuery state(m_services->database());
        QVERIFY(state.exec(QStringLiteral("SELECT state FROM invitations WHERE id = '-Legacy_Invitation0'")));
        QVERIFY(state.next());
        QCOMPARE(state.value(0).toString(), QStringLiteral("revoked"));

        // The member and runtime commands reach the server with such an id (which knows no such request).
        const Run shown = cli(
            {QStringLiteral("member"), QStringLiteral("show"), QStringLiteral("--"), QStringLiteral("-NoSuchRequest")},
            memberFile);
        QCOMPARE(shown.code, 4);
        QVERIFY2(shown.err.contains("not_found"), shown.err.constData());
        for (const QString& command : {QStringLiteral("status"), QStringLiteral("cancel")}) {
            QProcess runtime;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("COUNTERSIGN_URL"), QStringLiteral("http://127.0.0.1:%1").arg(m_port));
            env.insert(QStringLiteral("COUNTERSIGN_TOKEN"), QString::fromLatin1(m_runtimeToken));
            runtime.setProcessEnvironment(env);
            runtime.start(CLI, {command, QStringLiteral("--"), QStringLiteral("-NoSuchRequest")});
            QVERIFY(runtime.waitForFinished(60000));
            const QByteArray err = runtime.readAllStandardError();
            QCOMPARE(runtime.exitCode(), 4);
            QVERIFY2(err.contains("404"), err.constData());
        }
    }

    void aMaskedPinIsSignedAsSeenAndNothingServedToMembersLetsItBeGuessed()
    {
        // A payload with a 4-digit PIN under a secret-looking key.
        const auto payloadWith = [](const QString& pin) {
            return QJsonObject{{QStringLiteral("card"), QStringLiteral("visa-4411")},
                               {QStringLiteral("amount"), 125},
                               {QStringLiteral("pin_secret"), pin}};
        };
        const QJsonObject payload = payloadWith(QStringLiteral("4821"));
        const QByteArray created =
            loopback("POST", "/v1/requests",
                     QJsonDocument(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.pay")},
                                               {QStringLiteral("summary"), QStringLiteral("pay with the card")},
                                               {QStringLiteral("payload"), payload}})
                         .toJson(QJsonDocument::Compact));
        QVERIFY2(created.startsWith("HTTP/1.1 201"), created.constData());
        const QString id = bodyOf(created).value(QStringLiteral("id")).toString();
        const QString payloadDigest = bodyOf(created).value(QStringLiteral("payload_sha256")).toString();
        QCOMPARE(payloadDigest, QString::fromLatin1(crypto::sha256(json::canonicalJson(payload)).toHex()));

        const QString memberFile = m_dir->filePath(QStringLiteral("pia/member.json"));
        const Run joined = join(invite(QStringLiteral("approver")), QStringLiteral("Pia"), memberFile);
        QVERIFY2(joined.code == 0, joined.err.constData());
        const QString memberId =
            joined.json().value(QStringLiteral("member")).toObject().value(QStringLiteral("id")).toString();

        // Everything a member is served: the queue, the request, and (view_audit) every log entry.
        QByteArrayList served;
        const Run queue =
            cli({QStringLiteral("member"), QStringLiteral("queue"), QStringLiteral("--json")}, memberFile);
        QCOMPARE(queue.code, 0);
        served.append(queue.out);
        const Run shown =
            cli({QStringLiteral("member"), QStringLiteral("show"), QStringLiteral("--json"), QStringLiteral("--"), id},
                memberFile);
        QVERIFY2(shown.code == 0, shown.err.constData());
        served.append(shown.out);
        const QJsonObject view = shown.json();
        QVERIFY(!view.contains(QStringLiteral("payload_sha256")));
        QCOMPARE(view.value(QStringLiteral("masked_fields")).toInt(), 1);
        QVERIFY(view.value(QStringLiteral("payload"))
                    .toObject()
                    .value(QStringLiteral("pin_secret"))
                    .toString()
                    .startsWith(approvals::PayloadView::COMMITMENT_PREFIX));

        // The member's client signs the digest of that view, which it computes itself.
        const Run approved = cli({QStringLiteral("member"), QStringLiteral("approve"), QStringLiteral("--reason"),
                                  QStringLiteral("amount checked"), QStringLiteral("--"), id},
                                 memberFile);
        QVERIFY2(approved.code == 0, approved.err.constData());
        const QJsonObject consumed = bodyOf(loopback("POST", "/v1/requests/" + id.toLatin1() + "/consume",
                                                     "{\"payload_sha256\":\"" + payloadDigest.toLatin1() + "\"}"));
        const QJsonObject receipt = consumed.value(QStringLiteral("receipt")).toObject();
        QCOMPARE(receipt.value(QStringLiteral("view_sha256")).toString(),
                 view.value(QStringLiteral("view_sha256")).toString());
        auto verified = audit::Receipt::verify(receipt, m_vault->instancePublicKey());
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().message));

        const OpenedSession session = openSession(memberFile, memberId);
        QVERIFY2(session.response.startsWith("HTTP/1.1 201"), session.response.constData());
        const qint64 size =
            bodyOf(team("GET", "/v1/audit/checkpoint", session.token)).value(QStringLiteral("size")).toInteger();
        QVERIFY(size > 0);
        for (qint64 seq = 1; seq <= size; ++seq) {
            const QJsonObject proof = bodyOf(
                team("GET", "/v1/audit/proof?seq=" + QByteArray::number(seq) + "&size=" + QByteArray::number(size),
                     session.token));
            const QByteArray entry = QByteArray::fromBase64(proof.value(QStringLiteral("entry")).toString().toLatin1());
            QVERIFY2(!entry.isEmpty(), qPrintable(QStringLiteral("entry %1 not served").arg(seq)));
            served.append(entry);
        }
        const QByteArray everything = served.join('\n');
        QVERIFY(everything.contains(id.toLatin1()));

        // A guesser holding all of it and trying every PIN finds nothing to test guesses against.
        int matches = 0;
        for (int guess = 0; guess < 10000; ++guess) {
            const QString pin = QStringLiteral("%1").arg(guess, 4, 10, QLatin1Char('0'));
            const QJsonObject candidate = payloadWith(pin);
            for (const QByteArray& digest : {crypto::sha256(json::canonicalJson(candidate)).toHex(),
                                             crypto::sha256(json::canonicalJson(QJsonValue(pin))).toHex()})
                matches += everything.contains(digest) ? 1 : 0;
        }
        QCOMPARE(matches, 0);
    }

    void aViewersDecisionIsRefused()
    {
        const QString viewerFile = m_dir->filePath(QStringLiteral("vic/member.json"));
        QCOMPARE(join(invite(QStringLiteral("viewer")), QStringLiteral("Vic"), viewerFile).code, 0);
        const QString id = createRequest(QStringLiteral("ship 1.3"));
        const Run refused = cli({QStringLiteral("member"), QStringLiteral("approve"), id, QStringLiteral("--reason"),
                                 QStringLiteral("looks fine")},
                                viewerFile);
        QCOMPARE(refused.code, 4); // a viewer cannot even see the request
        // A decision the viewer signs and sends anyway is refused too.
        const auto viewerKeyFile = members::MemberKeyFile::read(viewerFile);
        VERIFY_RESULT(viewerKeyFile);
        const QString viewerId = viewerKeyFile->memberId;
        const OpenedSession session = openSession(viewerFile, viewerId);
        QVERIFY2(session.response.startsWith("HTTP/1.1 201"), session.response.constData());
        auto key = members::MemberKeyFile::unseal(viewerFile, test::secure(MEMBER_PASSPHRASE));
        QVERIFY(key);
        const QString digest =
            bodyOf(loopback("GET", "/v1/requests/" + id.toLatin1())).value(QStringLiteral("payload_sha256")).toString();
        const approvals::DecisionStatement statement{id,
                                                     viewerId,
                                                     digest,
                                                     true,
                                                     QStringLiteral("looks fine"),
                                                     QDateTime::currentMSecsSinceEpoch(),
                                                     audit::Checkpoint::originFor(m_vault->instancePublicKey())};
        const QByteArray decided =
            team("POST", "/v1/member/requests/" + id.toLatin1() + "/decision", session.token, {},
                 QJsonDocument(
                     QJsonObject{{QStringLiteral("verdict"), QStringLiteral("approve")},
                                 {QStringLiteral("reason"), statement.reason},
                                 {QStringLiteral("payload_sha256"), digest},
                                 {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                                 {QStringLiteral("signature"), QString::fromLatin1(statement.sign(*key).toBase64())}})
                     .toJson(QJsonDocument::Compact));
        QVERIFY2(decided.startsWith("HTTP/1.1 403"), decided.constData());
        QCOMPARE(bodyOf(loopback("GET", "/v1/requests/" + id.toLatin1())).value(QStringLiteral("state")).toString(),
                 QStringLiteral("pending"));
    }

    void theTeamListenerIsForPeopleAndNamesItself()
    {
        // An unknown invitation token: 404, counted as a failed authentication.
        const QByteArray unknown =
            team("POST", "/v1/invitations/redeem", {}, {},
                 QJsonDocument(
                     QJsonObject{{QStringLiteral("token"), QString(QStringLiteral("csi_") + QString(43, u'Q'))},
                                 {QStringLiteral("display_name"), QStringLiteral("Eve")},
                                 {QStringLiteral("public_key"), QString::fromLatin1(QByteArray(32, 'k').toBase64())}})
                     .toJson(QJsonDocument::Compact));
        QVERIFY2(unknown.startsWith("HTTP/1.1 404"), unknown.constData());
        QVERIFY(auditActions().contains(QStringLiteral("auth.failed")));
        // Runtime routes are not served there; a Host other than the link's is misdirected.
        QVERIFY(team("GET", "/v1/requests", m_runtimeToken).startsWith("HTTP/1.1 404"));
        QVERIFY(team("GET", "/v1/health", {}, "evil.example:443").startsWith("HTTP/1.1 421"));
        QVERIFY(team("GET", "/v1/member/queue", "css_not-a-session").startsWith("HTTP/1.1 401"));
    }

    void everyRoleOnEveryMemberRoute()
    {
        // The member routes reflect the permission table: view_queue (queue, one request),
        // decide (a signed decision), view_audit (the checkpoint).
        for (members::Role role : members::allRoles()) {
            const QString id = QStringLiteral("route-") + members::roleName(role);
            auto key = test::addMember(*m_services, id, id, members::roleName(role));
            QVERIFY(key);
            auto nonce =
                bodyOf(team("POST", "/v1/sessions/challenge", {}, {}, "{\"member\":\"" + id.toLatin1() + "\"}"))
                    .value(QStringLiteral("nonce"))
                    .toString();
            const QByteArray signature =
                key->sign(members::SessionService::statement(audit::Checkpoint::originFor(m_vault->instancePublicKey()),
                                                             id, QByteArray::fromBase64(nonce.toLatin1())));
            const QByteArray session =
                bodyOf(team("POST", "/v1/sessions", {}, {},
                            QJsonDocument(
                                QJsonObject{{QStringLiteral("member"), id},
                                            {QStringLiteral("nonce"), nonce},
                                            {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}})
                                .toJson(QJsonDocument::Compact)))
                    .value(QStringLiteral("token"))
                    .toString()
                    .toLatin1();
            QVERIFY2(!session.isEmpty(), qPrintable(id));
            auto status = [](const QByteArray& response) {
                return response.mid(9, 3).toInt();
            };
            auto expect = [&](members::Permission permission, int answered) {
                const bool allowed = members::isAllowed(role, permission);
                QVERIFY2(
                    allowed ? answered == 200 : answered == 403,
                    qPrintable(QStringLiteral("%1 %2: %3").arg(id, members::permissionName(permission)).arg(answered)));
            };
            const QString request = createRequest(id);
            expect(members::Permission::ViewQueue, status(team("GET", "/v1/member/queue", session)));
            expect(members::Permission::ViewQueue,
                   status(team("GET", "/v1/member/requests/" + request.toLatin1(), session)));
            expect(members::Permission::ViewAudit, status(team("GET", "/v1/audit/proof?seq=1&size=1", session)));
            // Checkpoints and consistency proofs (hashes only) are every member's: each client witnesses the log.
            QCOMPARE(status(team("GET", "/v1/audit/checkpoint", session)), 200);
            const QString digest = bodyOf(loopback("GET", "/v1/requests/" + request.toLatin1()))
                                       .value(QStringLiteral("payload_sha256"))
                                       .toString();
            const approvals::DecisionStatement statement{request,
                                                         id,
                                                         digest,
                                                         false,
                                                         QStringLiteral("walk"),
                                                         QDateTime::currentMSecsSinceEpoch(),
                                                         audit::Checkpoint::originFor(m_vault->instancePublicKey())};
            expect(members::Permission::Decide,
                   status(team("POST", "/v1/member/requests/" + request.toLatin1() + "/decision", session, {},
                               QJsonDocument(QJsonObject{{QStringLiteral("verdict"), QStringLiteral("deny")},
                                                         {QStringLiteral("reason"), statement.reason},
                                                         {QStringLiteral("payload_sha256"), digest},
                                                         {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                                                         {QStringLiteral("signature"),
                                                          QString::fromLatin1(statement.sign(*key).toBase64())}})
                                   .toJson(QJsonDocument::Compact))));
        }
    }

    void aRemovedMembersApprovalStopsCountingAcrossProcesses()
    {
        // Two approvals needed; the server process counts them, another process removes a member.
        policy::PolicyRule two;
        two.capabilityGlob = QStringLiteral("deploy.web");
        two.approvals = 2;
        QVERIFY(m_services->policies().add(two, QStringLiteral("member:owner"), 0));
        const QString instance = audit::Checkpoint::originFor(m_vault->instancePublicKey());
        QHash<QString, std::shared_ptr<const crypto::SigningKey>> keys;
        QHash<QString, QByteArray> sessions;
        for (const QString& id : {QStringLiteral("quorum-a"), QStringLiteral("quorum-b"), QStringLiteral("quorum-c")}) {
            keys.insert(id, test::addMember(*m_services, id, QStringLiteral("Quorum ") + id.back().toUpper(),
                                            QStringLiteral("approver")));
            QVERIFY(keys.value(id));
            const QByteArray nonce = QByteArray::fromBase64(
                bodyOf(team("POST", "/v1/sessions/challenge", {}, {}, "{\"member\":\"" + id.toLatin1() + "\"}"))
                    .value(QStringLiteral("nonce"))
                    .toString()
                    .toLatin1());
            const QByteArray opened = team(
                "POST", "/v1/sessions", {}, {},
                QJsonDocument(
                    QJsonObject{{QStringLiteral("member"), id},
                                {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                {QStringLiteral("signature"),
                                 QString::fromLatin1(keys.value(id)
                                                         ->sign(members::SessionService::statement(instance, id, nonce))
                                                         .toBase64())}})
                    .toJson(QJsonDocument::Compact));
            sessions.insert(id, bodyOf(opened).value(QStringLiteral("token")).toString().toLatin1());
            QVERIFY2(!sessions.value(id).isEmpty(), opened.constData());
        }
        const QString request = createRequest(QStringLiteral("needs two"));
        const QString digest = bodyOf(loopback("GET", "/v1/requests/" + request.toLatin1()))
                                   .value(QStringLiteral("payload_sha256"))
                                   .toString();
        auto approve = [&](const QString& id) {
            const approvals::DecisionStatement statement{
                request, id, digest, true, QStringLiteral("checked"), QDateTime::currentMSecsSinceEpoch(), instance};
            return bodyOf(
                       team(
                           "POST", "/v1/member/requests/" + request.toLatin1() + "/decision", sessions.value(id), {},
                           QJsonDocument(QJsonObject{{QStringLiteral("verdict"), QStringLiteral("approve")},
                                                     {QStringLiteral("reason"), statement.reason},
                                                     {QStringLiteral("payload_sha256"), digest},
                                                     {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                                                     {QStringLiteral("signature"),
                                                      QString::fromLatin1(statement.sign(*keys.value(id)).toBase64())}})
                               .toJson(QJsonDocument::Compact)))
                .value(QStringLiteral("state"))
                .toString();
        };
        QCOMPARE(approve(QStringLiteral("quorum-a")), QStringLiteral("pending"));
        const Run removed = cli({QStringLiteral("member"), QStringLiteral("remove"), QStringLiteral("quorum-a")});
        QVERIFY2(removed.code == 0, removed.err.constData());
        QCOMPARE(approve(QStringLiteral("quorum-b")), QStringLiteral("pending"));
        QCOMPARE(approve(QStringLiteral("quorum-c")), QStringLiteral("approved"));
        QVERIFY(auditActions().contains(QStringLiteral("request.decision_voided")));
        QVERIFY(m_services->policies().remove(0, QStringLiteral("member:owner")));
    }

    void aRemovedMembersSessionEndsAtOnce()
    {
        joinGrace();
        if (QTest::currentTestFailed())
            return;
        // Grace's own key opens a session, as her client does.
        const OpenedSession opened = openSession(m_graceFile, m_graceId);
        QVERIFY2(opened.response.startsWith("HTTP/1.1 201"), opened.response.constData());
        const QByteArray session = opened.token;
        QVERIFY(team("GET", "/v1/member/queue", session).startsWith("HTTP/1.1 200"));
        // The same nonce cannot open a second session.
        QVERIFY(team("POST", "/v1/sessions", {}, {}, opened.requestBody).startsWith("HTTP/1.1 401"));

        QCOMPARE(cli({QStringLiteral("member"), QStringLiteral("remove"), m_graceId}).code, 0);
        QVERIFY(team("GET", "/v1/member/queue", session).startsWith("HTTP/1.1 401"));
        QCOMPARE(cli({QStringLiteral("member"), QStringLiteral("queue")}, m_graceFile).code, 3);
    }

    void runtimesCheckTheChainButReadNoEntries()
    {
        // A chain with something in it a runtime must not read: Grace joins and decides.
        aMemberJoinsSeesTheQueueAndApprovesWithTheirOwnKey();
        if (QTest::currentTestFailed())
            return;
        // A member allowed to view the audit chain, with a session opened first.
        auto key = test::addMember(*m_services, QStringLiteral("auditor"), QStringLiteral("Auditor"),
                                   QStringLiteral("viewer"));
        QVERIFY(key);
        const QByteArray nonce =
            QByteArray::fromBase64(bodyOf(team("POST", "/v1/sessions/challenge", {}, {}, "{\"member\":\"auditor\"}"))
                                       .value(QStringLiteral("nonce"))
                                       .toString()
                                       .toLatin1());
        const QByteArray opened = team(
            "POST", "/v1/sessions", {}, {},
            QJsonDocument(QJsonObject{{QStringLiteral("member"), QStringLiteral("auditor")},
                                      {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                      {QStringLiteral("signature"),
                                       QString::fromLatin1(
                                           key->sign(members::SessionService::statement(
                                                         audit::Checkpoint::originFor(m_vault->instancePublicKey()),
                                                         QStringLiteral("auditor"), nonce))
                                               .toBase64())}})
                .toJson(QJsonDocument::Compact));
        const QByteArray session = bodyOf(opened).value(QStringLiteral("token")).toString().toLatin1();
        QVERIFY2(!session.isEmpty(), opened.constData());

        // On loopback a runtime gets the checkpoint and proofs with leaf hashes: enough to check
        // the chain, nothing of what other parties did.
        const QByteArray checkpointAnswer = loopback("GET", "/v1/audit/checkpoint");
        QVERIFY2(checkpointAnswer.startsWith("HTTP/1.1 200"), checkpointAnswer.constData());
        auto checkpoint =
            audit::Checkpoint::parse(bodyOf(checkpointAnswer).value(QStringLiteral("checkpoint")).toString().toUtf8(),
                                     m_vault->instancePublicKey());
        QVERIFY(checkpoint);
        const auto size = static_cast<qint64>(checkpoint->size);
        QVERIFY(size > 10);
        const auto entries = m_vault->audit().entries(1, size);
        QVERIFY(entries && entries->size() == size);
        for (const qint64 seq : {qint64{1}, size / 2, size}) {
            const QByteArray answer =
                loopback("GET", "/v1/audit/proof?seq=" + QByteArray::number(seq) + "&size=" + QByteArray::number(size));
            QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
            const QJsonObject proof = bodyOf(answer);
            QVERIFY2(!proof.contains(QStringLiteral("entry")), answer.constData());
            QVERIFY(!answer.contains("Grace"));
            const QByteArray leaf =
                QByteArray::fromBase64(proof.value(QStringLiteral("leaf_hash")).toString().toLatin1());
            QCOMPARE(leaf, audit::merkle::leafHash(entries->at(seq - 1).canonicalEncoding()));
            QList<QByteArray> path;
            for (const QJsonValue& hash : proof.value(QStringLiteral("proof")).toArray())
                path.append(QByteArray::fromBase64(hash.toString().toLatin1()));
            QVERIFY(audit::merkle::verifyInclusion(static_cast<quint64>(seq - 1), checkpoint->size, leaf, path,
                                                   checkpoint->root));
        }

        // On the team listener a runtime token is no credential, whatever the route.
        const QList<QByteArray> paths{QByteArrayLiteral("/v1/audit/checkpoint"),
                                      QByteArray("/v1/audit/proof?seq=1&size=" + QByteArray::number(size)),
                                      QByteArray("/v1/audit/consistency?from=1&to=" + QByteArray::number(size)),
                                      QByteArrayLiteral("/v1/requests"), QByteArrayLiteral("/v1/member/queue")};
        for (const QByteArray& path : paths) {
            const QByteArray answer = team("GET", path, m_runtimeToken);
            const int status = answer.mid(9, 3).toInt();
            QVERIFY2(status == 401 || status == 404 || status == 429, answer.constData());
            QVERIFY2(!answer.contains("\"checkpoint\"") && !answer.contains("\"proof\""), answer.constData());
        }

        // A member allowed view_audit reads the entry itself, over either listener.
        for (const bool overTeam : {true, false}) {
            const QByteArray path = "/v1/audit/proof?seq=2&size=" + QByteArray::number(size);
            QByteArray answer;
            if (overTeam) {
                answer = team("GET", path, session);
            } else {
                QTcpSocket socket;
                socket.connectToHost(QHostAddress::LocalHost, m_port);
                QVERIFY(socket.waitForConnected(5000));
                answer =
                    test::httpExchange(socket, "GET", path, "127.0.0.1:" + QByteArray::number(m_port), session, {});
            }
            QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
            QCOMPARE(QByteArray::fromBase64(bodyOf(answer).value(QStringLiteral("entry")).toString().toLatin1()),
                     entries->at(1).canonicalEncoding());
        }
    }

    void guessingInvitationTokensLocksTheClientOut()
    {
        // Unknown tokens count as failed authentications: a guesser is locked out (429). (A
        // valid invitation or session from that address is still served: tst_transport.)
        const QByteArray guess =
            QJsonDocument(
                QJsonObject{{QStringLiteral("token"), QString(QStringLiteral("csi_") + QString(43, u'G'))},
                            {QStringLiteral("display_name"), QStringLiteral("Guesser")},
                            {QStringLiteral("public_key"), QString::fromLatin1(QByteArray(32, 'g').toBase64())}})
                .toJson(QJsonDocument::Compact);
        QByteArray answer;
        for (int attempt = 0; attempt < 15 && !answer.startsWith("HTTP/1.1 429"); ++attempt)
            answer = team("POST", "/v1/invitations/redeem", {}, {}, guess);
        QVERIFY2(answer.startsWith("HTTP/1.1 429"), answer.constData());
        QVERIFY(answer.contains("Retry-After: "));
        QVERIFY(auditActions().contains(QStringLiteral("auth.lockout")));
    }

    void everythingLeftItsAuditEntry()
    {
        // The team flows, one after the other on this vault, then the entries they left.
        for (void (TestTeam::*flow)() :
             {&TestTeam::aMemberJoinsSeesTheQueueAndApprovesWithTheirOwnKey, &TestTeam::aViewersDecisionIsRefused,
              &TestTeam::usedRevokedAndExpiredTokensAreRefused, &TestTeam::guessingInvitationTokensLocksTheClientOut}) {
            (this->*flow)();
            if (QTest::currentTestFailed())
                return;
        }
        // Grace (who joined first) is removed.
        QCOMPARE(cli({QStringLiteral("member"), QStringLiteral("remove"), m_graceId}).code, 0);
        const QStringList actions = auditActions();
        for (const char* action :
             {"team.listener_enabled", "invitation.created", "invitation.redeemed", "member.added",
              "member.session_opened", "request.decision", "request.decision_refused", "invitation.revoked",
              "invitation.redeem_refused", "member.removed", "auth.failed", "request.consumed"})
            QVERIFY2(actions.contains(QString::fromLatin1(action)), action);
        // The decision entry holds the member's signature.
        const auto entries = m_vault->audit().entries(1, 1'000'000);
        bool signedDecision = false;
        VERIFY_RESULT(entries);
        for (const audit::AuditEntry& entry : *entries) {
            if (entry.action == u"request.decision" && entry.actor == QStringLiteral("member:") + m_graceId)
                signedDecision = QJsonDocument::fromJson(entry.details)
                                     .object()
                                     .value(QStringLiteral("signature"))
                                     .toString()
                                     .size() > 80;
        }
        QVERIFY(signedDecision);
    }
};

QTEST_GUILESS_MAIN(TestTeam)
#include "tst_team.moc"
