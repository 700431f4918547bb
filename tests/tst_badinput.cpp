// The bad-input sweep (issue: security assurance): every route of the real endpoint, over raw
// loopback HTTP, gets the wrong method, missing and wrong credentials, and for its fields:
// missing, wrong type, too long, empty, unicode edge cases (NUL, RTL override, invalid UTF-8),
// huge numbers, deep nesting and duplicate keys. Each answers with a clear 4xx and a JSON error,
// and nothing is stored or half-stored. Edge cases that are legitimate (4-byte characters) are
// stored exactly.
#include "api/apihandler.h"
#include "application/instance.h"
#include "approvals/decisionstatement.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "crypto/signingkey.h"
#include "evidence/checkpoint.h"
#include "http/endpointthread.h"
#include "members/invitationservice.h"
#include "members/sessionservice.h"
#include "testsupport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

enum class Auth { None, Runtime, Member, Wrong };

const QByteArray CREATE_BODY =
    "{\"capability\":\"deploy.web\",\"summary\":\"Deploy\",\"details\":\"d\",\"risk\":\"low\","
    "\"context\":{\"run\":\"1\"},\"payload\":{\"v\":1}}";

/// CREATE_BODY with \a field set to the raw JSON \a value (empty: the field removed).
QByteArray createWith(const QByteArray& field, const QByteArray& value)
{
    QJsonObject base = QJsonDocument::fromJson(CREATE_BODY).object();
    base.remove(QString::fromLatin1(field));
    QByteArray body = QJsonDocument(base).toJson(QJsonDocument::Compact);
    if (!value.isNull())
        body.insert(1, '"' + field + "\":" + value + ',');
    return body;
}

QByteArray manyFields(int count)
{
    QJsonObject fields;
    for (int i = 0; i < count; ++i)
        fields.insert(QStringLiteral("k%1").arg(i), i);
    return QJsonDocument(fields).toJson(QJsonDocument::Compact);
}

QByteArray nested(int depth)
{
    return "{\"capability\":\"deploy.web\",\"summary\":\"deep\",\"payload\":" + QByteArray(depth, '[') + "1" +
           QByteArray(depth, ']') + "}";
}

} // namespace

class TestBadInput final : public QObject {
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    std::unique_ptr<application::Instance> m_instance;
    vault::Vault* m_vault = nullptr;
    approvals::Services* m_services = nullptr;
    QByteArray m_token;
    QByteArray m_session;
    std::shared_ptr<const crypto::SigningKey> m_aliceKey;
    QString m_requestId;
    quint16 m_port = 0;

    struct Answer {
        int status = 0;
        QJsonObject json;
        QByteArray raw;
    };

    Answer send(const QByteArray& method, const QByteArray& path, Auth auth, const QByteArray& body = {},
                const QByteArray& contentType = "application/json")
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(5000))
            return {};
        const QByteArray token = auth == Auth::Runtime  ? m_token
                                 : auth == Auth::Member ? m_session
                                 : auth == Auth::Wrong  ? QByteArray("cs_rt_wrong-token-of-some-length-xxxxxxxxxxxx")
                                                        : QByteArray();
        Answer answer;
        answer.raw = test::httpExchange(socket, method, path, "127.0.0.1:" + QByteArray::number(m_port), token, body,
                                        contentType);
        answer.status = answer.raw.mid(9, 3).toInt();
        answer.json = QJsonDocument::fromJson(answer.raw.mid(answer.raw.indexOf("\r\n\r\n") + 4)).object();
        return answer;
    }

    QList<int> storedCounts()
    {
        QList<int> counts;
        for (const char* table : {"requests", "decisions", "invitations", "members", "member_sessions"}) {
            QSqlQuery query(m_services->database());
            query.exec(QStringLiteral("SELECT count(*) FROM %1").arg(QLatin1String(table)));
            counts.append(query.next() ? query.value(0).toInt() : -1);
        }
        return counts;
    }

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        http::EndpointSettings settings;
        settings.port = 0;
        settings.localSocketPath.clear();
        settings.ratePerSecond = 100000;
        settings.rateBurst = 100000;
        settings.authFailuresBeforeLockout = 100000;
        m_instance = test::openInstance(test::createVault(m_dir->filePath(QStringLiteral("vault"))), settings);
        QVERIFY(m_instance);
        m_vault = &m_instance->vault();
        m_services = m_instance->services();
        m_token =
            m_services->runtimes()
                .registerRuntime(QStringLiteral("ci"), {QStringLiteral("deploy.*")}, QStringLiteral("member:owner"))
                ->toLatin1();
        auto key =
            test::addMember(*m_services, QStringLiteral("alice"), QStringLiteral("Alice"), QStringLiteral("approver"));
        QVERIFY(key);
        m_aliceKey = key;
        VERIFY_RESULT(m_instance->startEndpoint());
        m_port = m_instance->endpoint().port();
        // A member session, opened as a client would.
        const Answer challenge = send("POST", "/v1/sessions/challenge", Auth::None, "{\"member\":\"alice\"}");
        const QByteArray nonce =
            QByteArray::fromBase64(challenge.json.value(QStringLiteral("nonce")).toString().toLatin1());
        const Answer opened = send(
            "POST", "/v1/sessions", Auth::None,
            QJsonDocument(QJsonObject{{QStringLiteral("member"), QStringLiteral("alice")},
                                      {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                      {QStringLiteral("signature"),
                                       QString::fromLatin1(
                                           key->sign(members::SessionService::statement(
                                                         challenge.json.value(QStringLiteral("instance")).toString(),
                                                         QStringLiteral("alice"), nonce))
                                               .toBase64())}})
                .toJson(QJsonDocument::Compact));
        QCOMPARE(opened.status, 201);
        m_session = opened.json.value(QStringLiteral("token")).toString().toLatin1();
        const Answer created = send("POST", "/v1/requests", Auth::Runtime, CREATE_BODY);
        QCOMPARE(created.status, 201);
        m_requestId = created.json.value(QStringLiteral("id")).toString();
    }

    void cleanup()
    {
        m_services = nullptr;
        m_vault = nullptr;
        m_instance.reset();
        m_dir.reset();
    }

    void everyRouteRefusesBadInputWithoutStoringAnything_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("auth");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status"); // 0: any 4xx
        const int runtime = int(Auth::Runtime);
        const int member = int(Auth::Member);
        const int none = int(Auth::None);
        const int wrong = int(Auth::Wrong);
        const QByteArray id = "REQUEST";
        struct Route {
            const char* method;
            QByteArray path;
            int auth;
        };
        const QList<Route> routes{{"POST", "/v1/requests", runtime},
                                  {"GET", "/v1/requests", runtime},
                                  {"GET", "/v1/requests/" + id, runtime},
                                  {"POST", "/v1/requests/" + id + "/consume", runtime},
                                  {"POST", "/v1/requests/" + id + "/cancel", runtime},
                                  {"GET", "/v1/audit/checkpoint", runtime},
                                  {"GET", "/v1/audit/proof?seq=1&size=1", runtime},
                                  {"GET", "/v1/audit/consistency?from=1&to=1", runtime},
                                  {"GET", "/v1/member", member},
                                  {"GET", "/v1/member/queue", member},
                                  {"GET", "/v1/member/requests/" + id, member},
                                  {"POST", "/v1/member/requests/" + id + "/decision", member}};
        for (const Route& route : routes) {
            const QByteArray other = QByteArray(route.method) == "GET" ? "DELETE" : "PUT";
            QTest::addRow("%s %s: wrong method", route.method, route.path.constData())
                << other << route.path << route.auth << QByteArray() << 405;
            QTest::addRow("%s %s: no credentials", route.method, route.path.constData())
                << QByteArray(route.method) << route.path << none << QByteArray("{}") << 401;
            QTest::addRow("%s %s: wrong credentials", route.method, route.path.constData())
                << QByteArray(route.method) << route.path << wrong << QByteArray("{}") << 401;
        }
        // Invitee routes have no credentials, only their fields.
        for (const char* path : {"/v1/invitations/redeem", "/v1/sessions/challenge", "/v1/sessions"}) {
            QTest::addRow("%s: wrong method", path)
                << QByteArray("GET") << QByteArray(path) << none << QByteArray() << 405;
            QTest::addRow("%s: empty object", path)
                << QByteArray("POST") << QByteArray(path) << none << QByteArray("{}") << 400;
            QTest::addRow("%s: not JSON", path)
                << QByteArray("POST") << QByteArray(path) << none << QByteArray("token=x") << 400;
        }

        // Creation: every field, every way.
        auto create = [&](const char* name, const QByteArray& body, int status) {
            QTest::addRow("create: %s", name)
                << QByteArray("POST") << QByteArray("/v1/requests") << runtime << body << status;
        };
        create("capability missing", createWith("capability", QByteArray()), 400);
        create("summary missing", createWith("summary", QByteArray()), 400);
        for (const char* field : {"capability", "summary", "details", "risk", "context"}) {
            create(qPrintable(QStringLiteral("%1 a number").arg(QLatin1String(field))), createWith(field, "5"), 400);
            create(qPrintable(QStringLiteral("%1 null").arg(QLatin1String(field))), createWith(field, "null"), 400);
            create(qPrintable(QStringLiteral("%1 an array").arg(QLatin1String(field))), createWith(field, "[1]"), 400);
            create(qPrintable(QStringLiteral("%1 huge number").arg(QLatin1String(field))), createWith(field, "1e400"),
                   400);
        }
        for (const char* field : {"capability", "summary", "risk"})
            create(qPrintable(QStringLiteral("%1 empty").arg(QLatin1String(field))), createWith(field, "\"\""), 400);
        create("capability too long", createWith("capability", '"' + QByteArray(300, 'a') + '"'), 400);
        create("summary too long", createWith("summary", '"' + QByteArray(201, 's') + '"'), 400);
        create("details too long", createWith("details", '"' + QByteArray(4001, 'd') + '"'), 400);
        create("context value too long", createWith("context", "{\"k\":\"" + QByteArray(501, 'v') + "\"}"), 400);
        create("context too many fields", createWith("context", manyFields(17)), 400);
        create("payload over 64 KiB", createWith("payload", '"' + QByteArray(70 * 1024, 'p') + '"'), 413);
        create("summary with NUL", createWith("summary", "\"a\\u0000b\""), 400);
        create("summary with a newline", createWith("summary", "\"a\\nb\""), 400);
        create("summary with an ANSI escape", createWith("summary", "\"\\u001b[31mred\""), 400);
        create("summary with RTL override", createWith("summary", "\"deploy \\u202Egnigats\""), 400);
        create("context with RTL isolate", createWith("context", "{\"k\":\"a\\u2067b\"}"), 400);
        create("summary with a line separator", createWith("summary", "\"deploy staging\\u2028production\""), 400);
        create("summary with a paragraph separator", createWith("summary", "\"a\\u2029b\""), 400);
        create("summary with a zero-width space", createWith("summary", "\"pro\\u200Bduction\""), 400);
        create("summary with a zero-width joiner", createWith("summary", "\"a\\u200Db\""), 400);
        create("summary with a byte order mark", createWith("summary", "\"\\uFEFFdeploy\""), 400);
        create("details with a line separator", createWith("details", "\"one\\u2028two\""), 400);
        create("context with a word joiner", createWith("context", "{\"k\":\"a\\u2060b\"}"), 400);
        create("invalid UTF-8", createWith("summary", "\"bad \xff\xfe bytes\""), 400);
        create("overlong UTF-8", createWith("summary", "\"\xc0\xaf\""), 400);
        create("lone surrogate escape", createWith("summary", "\"\\ud800\""), 400);
        create("payload huge number", createWith("payload", "{\"n\":1e999}"), 400);
        create("payload integer past 2^53", createWith("payload", "{\"n\":9007199254740993}"), 400);
        create("payload number with more digits than a double", createWith("payload", "[0.30000000000000001]"), 400);
        create("payload negative zero", createWith("payload", "{\"n\":-0}"), 400);
        create("payload lone surrogate", createWith("payload", "{\"s\":\"\\udc00\"}"), 400);
        create("context integer past 2^53", createWith("context", "{\"n\":18014398509481985}"), 400);
        create("deep nesting", nested(200), 400);
        create("duplicate key", "{\"capability\":\"deploy.web\",\"summary\":\"a\",\"summary\":\"b\"}", 400);
        create("duplicate key, escaped", "{\"capability\":\"deploy.web\",\"summary\":\"a\",\"summ\\u0061ry\":\"b\"}",
               400);
        create("duplicate key, nested",
               "{\"capability\":\"deploy.web\",\"summary\":\"a\",\"payload\":{\"x\":1,\"x\":2}}", 400);
        create("unknown field", createWith("colour", "\"blue\""), 400);
        create("read-only field", createWith("state", "\"approved\""), 400);
        create("capability outside the runtime's globs", createWith("capability", "\"payments.send\""), 403);
        create("not an object", "[1,2,3]", 400);
        create("empty body", QByteArray(), 400);
        QTest::addRow("create: form-encoded") << QByteArray("POST") << QByteArray("/v1/requests") << runtime
                                              << QByteArray("capability=deploy.web") << 415;

        // The other runtime routes' parameters and bodies.
        auto row = [&](const char* name, const QByteArray& method, const QByteArray& path, int auth,
                       const QByteArray& body, int status) {
            QTest::addRow("%s", name) << method << path << auth << body << status;
        };
        row("status: wait not a number", "GET", "/v1/requests/" + id + "?wait=soon", runtime, {}, 400);
        row("status: wait negative", "GET", "/v1/requests/" + id + "?wait=-5", runtime, {}, 400);
        row("status: wait huge", "GET", "/v1/requests/" + id + "?wait=99999999999999999999", runtime, {}, 400);
        row("status: id with bad characters", "GET", "/v1/requests/a%00b", runtime, {}, 404);
        row("status: id too long", "GET", "/v1/requests/" + QByteArray(65, 'a'), runtime, {}, 404);
        row("list: unknown state", "GET", "/v1/requests?state=shipped", runtime, {}, 400);
        row("consume: no digest", "POST", "/v1/requests/" + id + "/consume", runtime, "{}", 400);
        row("consume: digest a number", "POST", "/v1/requests/" + id + "/consume", runtime, "{\"payload_sha256\":5}",
            400);
        row("consume: extra field", "POST", "/v1/requests/" + id + "/consume", runtime,
            "{\"payload_sha256\":\"00\",\"x\":1}", 400);
        row("consume: digest empty", "POST", "/v1/requests/" + id + "/consume", runtime, "{\"payload_sha256\":\"\"}",
            0);
        row("consume: digest far too long", "POST", "/v1/requests/" + id + "/consume", runtime,
            "{\"payload_sha256\":\"" + QByteArray(5000, 'f') + "\"}", 0);
        row("cancel: a field", "POST", "/v1/requests/" + id + "/cancel", runtime, "{\"reason\":\"x\"}", 400);
        row("proof: seq not a number", "GET", "/v1/audit/proof?seq=one&size=1", runtime, {}, 400);
        row("proof: size huge", "GET", "/v1/audit/proof?seq=1&size=99999999999999999999", runtime, {}, 400);
        row("proof: seq beyond size", "GET", "/v1/audit/proof?seq=5&size=2", runtime, {}, 0);
        row("consistency: negative", "GET", "/v1/audit/consistency?from=-1&to=2", runtime, {}, 0);

        // Invitees.
        const QByteArray key = QByteArray(32, 'k').toBase64();
        row("redeem: token a number", "POST", "/v1/invitations/redeem", none,
            "{\"token\":5,\"display_name\":\"E\",\"public_key\":\"" + key + "\"}", 400);
        row("redeem: unknown token", "POST", "/v1/invitations/redeem", none,
            "{\"token\":\"csi_" + QByteArray(43, 'A') + "\",\"display_name\":\"E\",\"public_key\":\"" + key + "\"}",
            404);
        row("redeem: token too long", "POST", "/v1/invitations/redeem", none,
            "{\"token\":\"" + QByteArray(5000, 'A') + "\",\"display_name\":\"E\",\"public_key\":\"" + key + "\"}", 400);
        row("redeem: key not base64", "POST", "/v1/invitations/redeem", none,
            "{\"token\":\"csi_x\",\"display_name\":\"E\",\"public_key\":\"%%%\"}", 400);
        row("redeem: extra field", "POST", "/v1/invitations/redeem", none,
            "{\"token\":\"csi_x\",\"display_name\":\"E\",\"public_key\":\"" + key + "\",\"role\":\"owner\"}", 400);
        row("challenge: member a number", "POST", "/v1/sessions/challenge", none, "{\"member\":5}", 400);
        row("challenge: member too long", "POST", "/v1/sessions/challenge", none,
            "{\"member\":\"" + QByteArray(100, 'm') + "\"}", 400);
        row("challenge: unknown member", "POST", "/v1/sessions/challenge", none, "{\"member\":\"mallory\"}", 401);
        row("session: nonce not base64", "POST", "/v1/sessions", none,
            "{\"member\":\"alice\",\"nonce\":\"***\",\"signature\":\"***\"}", 401);

        // Member routes' parameters and bodies.
        row("member queue: wait not a number", "GET", "/v1/member/queue?wait=later", member, {}, 400);
        row("member queue: since not a number", "GET", "/v1/member/queue?wait=1&since=yesterday", member, {}, 400);
        const QByteArray decision = "/v1/member/requests/" + id + "/decision";
        row("decision: empty", "POST", decision, member, "{}", 400);
        row("decision: verdict maybe", "POST", decision, member,
            "{\"verdict\":\"maybe\",\"reason\":\"\",\"payload_sha256\":\"00\",\"decided_at_ms\":1,\"signature\":\"AA=="
            "\"}",
            400);
        row("decision: time a string", "POST", decision, member,
            "{\"verdict\":\"approve\",\"reason\":\"\",\"payload_sha256\":\"00\",\"decided_at_ms\":\"now\","
            "\"signature\":\"AA==\"}",
            400);
        row("decision: time fractional", "POST", decision, member,
            "{\"verdict\":\"approve\",\"reason\":\"\",\"payload_sha256\":\"00\",\"decided_at_ms\":1.5,\"signature\":"
            "\"AA==\"}",
            400);
        row("decision: signature not base64", "POST", decision, member,
            "{\"verdict\":\"approve\",\"reason\":\"\",\"payload_sha256\":\"00\",\"decided_at_ms\":1,\"signature\":\"%%"
            "\"}",
            400);
        row("decision: duplicate verdict", "POST", decision, member,
            "{\"verdict\":\"deny\",\"verdict\":\"approve\",\"reason\":\"\",\"payload_sha256\":\"00\",\"decided_at_ms\":"
            "1,\"signature\":\"AA==\"}",
            400);
    }

    void everyRouteRefusesBadInputWithoutStoringAnything()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(int, auth);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        path.replace("REQUEST", m_requestId.toLatin1());
        const QList<int> before = storedCounts();
        const Answer answer =
            send(method, path, static_cast<Auth>(auth), body,
                 body.startsWith("capability=") ? "application/x-www-form-urlencoded" : "application/json");
        QVERIFY2(answer.status >= 400 && answer.status < 500, answer.raw.left(300).constData());
        if (status != 0)
            QVERIFY2(answer.status == status, answer.raw.left(300).constData());
        const QJsonObject error = answer.json.value(QStringLiteral("error")).toObject();
        QVERIFY2(!error.value(QStringLiteral("code")).toString().isEmpty() &&
                     !error.value(QStringLiteral("message")).toString().isEmpty(),
                 answer.raw.left(300).constData());
        QCOMPARE(storedCounts(), before);
    }

    void eachCallerReachesOnlyItsOwnRoutes_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("auth");
        const int runtime = int(Auth::Runtime);
        const int member = int(Auth::Member);
        // A runtime's valid token on every member route, a member's valid session on every
        // runtime-only route: both are refused, and no route answers with something it is not.
        QTest::newRow("runtime: profile") << QByteArray("GET") << QByteArray("/v1/member") << runtime;
        QTest::newRow("runtime: member queue") << QByteArray("GET") << QByteArray("/v1/member/queue") << runtime;
        QTest::newRow("runtime: member request")
            << QByteArray("GET") << QByteArray("/v1/member/requests/REQUEST") << runtime;
        QTest::newRow("runtime: decision")
            << QByteArray("POST") << QByteArray("/v1/member/requests/REQUEST/decision") << runtime;
        QTest::newRow("member: create") << QByteArray("POST") << QByteArray("/v1/requests") << member;
        QTest::newRow("member: list") << QByteArray("GET") << QByteArray("/v1/requests") << member;
        QTest::newRow("member: status") << QByteArray("GET") << QByteArray("/v1/requests/REQUEST") << member;
        QTest::newRow("member: consume") << QByteArray("POST") << QByteArray("/v1/requests/REQUEST/consume") << member;
        QTest::newRow("member: cancel") << QByteArray("POST") << QByteArray("/v1/requests/REQUEST/cancel") << member;
    }
    void eachCallerReachesOnlyItsOwnRoutes()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(int, auth);
        path.replace("REQUEST", m_requestId.toLatin1());
        const QList<int> before = storedCounts();
        const Answer answer = send(method, path, static_cast<Auth>(auth), method == "POST" ? "{}" : QByteArray());
        QVERIFY2(answer.status == 401 || answer.status == 403, answer.raw.left(300).constData());
        QVERIFY2(!answer.json.contains(QStringLiteral("status")), answer.raw.left(300).constData());
        QVERIFY(answer.json.value(QStringLiteral("error")).isObject());
        QCOMPARE(storedCounts(), before);
        auto request = m_services->requests().request(m_requestId);
        QVERIFY(request);
        QCOMPARE(request->state, approvals::RequestState::Pending);
    }

    void anInviteeCannotTakeAMembersNameOrALookAlike()
    {
        auto invitation = m_services->invitations().create(QStringLiteral("owner"), members::Role::Approver);
        QVERIFY(invitation);
        auto redeem = [&](const QString& name) {
            return send(
                "POST", "/v1/invitations/redeem", Auth::None,
                QJsonDocument(QJsonObject{{QStringLiteral("token"), invitation->token},
                                          {QStringLiteral("display_name"), name},
                                          {QStringLiteral("public_key"),
                                           QString::fromLatin1(crypto::SigningKey::generate().publicKey().toBase64())}})
                    .toJson(QJsonDocument::Compact));
        };
        const QList<int> before = storedCounts();
        // The owner is "Ada", a member "Alice".
        for (const QString& name : {QStringLiteral("Ada"), QStringLiteral("ADA"), QStringLiteral(" alice "),
                                    QStringLiteral("\u0410d\u0430"),      // Cyrillic А and а
                                    QStringLiteral("\uFF21\uFF44\uFF41"), // full-width
                                    QStringLiteral("A\u0301da"),          // an accent on A
                                    QStringLiteral("\u0391lice"),         // Greek Alpha
                                    QStringLiteral("A1ice"), QStringLiteral("AIice")}) {
            const Answer answer = redeem(name);
            QVERIFY2(answer.status == 409, qPrintable(name + u' ' + QString::fromUtf8(answer.raw.left(300))));
            QCOMPARE(storedCounts(), before);
        }
        for (const QString& name : {QStringLiteral("A\u200Bda"), QStringLiteral("Ad\u2028a"),
                                    QStringLiteral("\u3164Ada"), QStringLiteral("Ada\u00AD")}) {
            const Answer answer = redeem(name);
            QVERIFY2(answer.status == 400, qPrintable(name + u' ' + QString::fromUtf8(answer.raw.left(300))));
            QCOMPARE(storedCounts(), before);
        }
        // The token still works for a name of one's own.
        const Answer joined = redeem(QStringLiteral("Adalbert"));
        QVERIFY2(joined.status == 201, joined.raw.constData());
    }

    void aHighRiskDecisionNeedsAPlainReasonWhoeverDecides()
    {
        const Answer created = send("POST", "/v1/requests", Auth::Runtime,
                                    R"({"capability":"deploy.web","summary":"Drop the table","risk":"critical"})");
        QCOMPARE(created.status, 201);
        const QString id = created.json.value(QStringLiteral("id")).toString();
        const QString digest = created.json.value(QStringLiteral("payload_sha256")).toString();
        auto decide = [&](const QString& reason) {
            const approvals::DecisionStatement statement{id,
                                                         QStringLiteral("alice"),
                                                         digest,
                                                         true,
                                                         reason,
                                                         QDateTime::currentMSecsSinceEpoch(),
                                                         audit::Checkpoint::originFor(m_vault->instancePublicKey())};
            return send("POST", "/v1/member/requests/" + id.toLatin1() + "/decision", Auth::Member,
                        QJsonDocument(QJsonObject{{QStringLiteral("verdict"), QStringLiteral("approve")},
                                                  {QStringLiteral("reason"), reason},
                                                  {QStringLiteral("payload_sha256"), digest},
                                                  {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                                                  {QStringLiteral("signature"),
                                                   QString::fromLatin1(statement.sign(*m_aliceKey).toBase64())}})
                            .toJson(QJsonDocument::Compact));
        };
        // Signed correctly, but no reason (or only blanks, or one that is not one plain line).
        for (const QString& reason :
             {QString(), QStringLiteral("   "), QStringLiteral("fine\u2028(approved by the owner)"),
              QStringLiteral("ok\u200B"), QStringLiteral("line\nbreak"), QString(1001, u'r')}) {
            const Answer answer = decide(reason);
            QVERIFY2(answer.status == 400,
                     qPrintable(reason.left(40) + u' ' + QString::fromUtf8(answer.raw.left(300))));
            QCOMPARE(test::stored(m_services->requests(), id).state, approvals::RequestState::Pending);
            QVERIFY(test::stored(m_services->requests(), id).decisions.isEmpty());
        }
        const Answer approved = decide(QStringLiteral("the table is empty, checked twice"));
        QVERIFY2(approved.status == 200, approved.raw.constData());
        QCOMPARE(test::stored(m_services->requests(), id).state, approvals::RequestState::Approved);
    }

    void legitimateEdgeCasesAreStoredExactly()
    {
        const QString summary = QString::fromUtf8("Deploy \xf0\x9f\x9a\x80 to caf\xc3\xa9 <b>now</b> & \"then\"");
        const QByteArray body =
            QJsonDocument(
                QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                            {QStringLiteral("summary"), summary},
                            {QStringLiteral("details"), QStringLiteral("two\nlines")},
                            {QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), 1e308},
                                                                    {QStringLiteral("s"), QStringLiteral("\x1b[0m")}}}})
                .toJson(QJsonDocument::Compact);
        const Answer created = send("POST", "/v1/requests", Auth::Runtime, body);
        QCOMPARE(created.status, 201);
        auto stored = m_services->requests().request(created.json.value(QStringLiteral("id")).toString());
        QVERIFY(stored);
        QCOMPARE(stored->summary, summary);
        QCOMPARE(stored->details, QStringLiteral("two\nlines"));
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
