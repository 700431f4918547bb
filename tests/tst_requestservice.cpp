#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "json/canonicaljson.h"
#include "policy/policystore.h"
#include "servicebackend.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <latch>
#include <optional>
#include <thread>
#include <vector>

using namespace countersign;
using approvals::RequestState;

namespace {

QJsonObject body(const QString& capability = QStringLiteral("deploy.production"), const QJsonValue& payload = 1)
{
    return QJsonObject{{QStringLiteral("capability"), capability},
                       {QStringLiteral("summary"), QStringLiteral("Deploy v1.2.3")},
                       {QStringLiteral("payload"), payload},
                       {QStringLiteral("risk"), QStringLiteral("high")},
                       {QStringLiteral("context"), QJsonObject{{QStringLiteral("run_id"), QStringLiteral("r-17")},
                                                               {QStringLiteral("agent"), QStringLiteral("ci")}}}};
}

QString digestOf(const QJsonValue& payload)
{
    return QString::fromLatin1(crypto::sha256(json::canonicalJson(payload)).toHex());
}

} // namespace

class TestRequestService final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::ServiceBackend> m_backend;
    approvals::RequestEvents m_events;
    std::unique_ptr<approvals::Services> m_services;
    approvals::RuntimeIdentity m_runtime;
    approvals::RuntimeIdentity m_other;
    QString m_token;
    int m_round = 0;

    approvals::RequestService& requests() { return m_services->requests(); }

    QString create(const QJsonObject& request, const QString& key = {})
    {
        auto result = requests().createRequest(m_runtime, request, key);
        if (!result) {
            qWarning("create: %s", qPrintable(result.error().message));
            return {};
        }
        return result->request.id;
    }

    RequestState stateOf(const QString& id)
    {
        auto request = requests().request(id);
        return request ? request->state : RequestState::Cancelled;
    }

    int auditCount(const QString& action, const QString& id)
    {
        QSqlQuery query(m_services->database());
        query.prepare(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = ? AND subject = ?"));
        query.addBindValue(action);
        query.addBindValue(QString(QStringLiteral("request:") + id));
        query.exec();
        query.next();
        return query.value(0).toInt();
    }

    void addPolicy(const QString& glob, policy::PolicyRule::Outcome outcome, int approvals = 1, int timeout = 900,
                   int validity = 600)
    {
        policy::PolicyRule rule;
        rule.capabilityGlob = glob;
        rule.outcome = outcome;
        rule.approvals = approvals;
        rule.timeoutSeconds = timeout;
        rule.validitySeconds = validity;
        QVERIFY(m_services->policies().add(rule, QStringLiteral("member:owner")));
    }

private Q_SLOTS:
    // Every test function runs on a vault and on a team database, the same assertions on each.
    void initTestCase_data() { test::ServiceBackend::addRows(); }

    // Each test function gets a database of its own, so each passes when run alone.
    void init()
    {
        m_backend = test::ServiceBackend::forCurrentRow();
        QVERIFY(m_backend);
        auto services = m_backend->openServices(m_events, QStringLiteral("services"));
        QVERIFY(services);
        m_services = std::move(*services);
        QVERIFY(
            test::addMember(*m_services, QStringLiteral("alice"), QStringLiteral("Alice"), QStringLiteral("approver")));
        QVERIFY(test::addMember(*m_services, QStringLiteral("bob"), QStringLiteral("Bob"), QStringLiteral("approver")));
        QVERIFY(
            test::addMember(*m_services, QStringLiteral("victor"), QStringLiteral("Victor"), QStringLiteral("viewer")));
        QVERIFY(test::addMember(*m_services, QStringLiteral("dave"), QStringLiteral("Dave"), QStringLiteral("admin")));
        auto token = m_services->runtimes().registerRuntime(QStringLiteral("ci"),
                                                            {QStringLiteral("deploy.*"), QStringLiteral("db.migrate")},
                                                            QStringLiteral("member:owner"), QStringLiteral("dave"));
        QVERIFY(token);
        m_token = *token;
        QVERIFY(m_token.startsWith(QStringLiteral("cs_rt_")));
        QVERIFY(QByteArray::fromBase64(m_token.mid(6).toLatin1(), QByteArray::Base64UrlEncoding).size() >= 32);
        auto identity = requests().authenticate(m_token.toLatin1());
        QVERIFY(identity);
        m_runtime = *identity;
        auto other = m_services->runtimes().registerRuntime(QStringLiteral("other"), {QStringLiteral("*")},
                                                            QStringLiteral("member:owner"));
        QVERIFY(other);
        auto otherIdentity = requests().authenticate(other->toLatin1());
        VERIFY_RESULT(otherIdentity);
        m_other = *otherIdentity;
    }

    void cleanup()
    {
        if (m_services)
            QVERIFY(m_services->audit().verify().ok());
        m_services.reset();
        m_backend.reset();
    }

    void tokensAreStoredOnlyAsHashes()
    {
        QSqlQuery query(m_services->database());
        QVERIFY(query.exec(QStringLiteral("SELECT token_hash FROM runtimes WHERE name = 'ci'")) && query.next());
        QCOMPARE(query.value(0).toByteArray(), crypto::sha256(m_token.toLatin1()));
        QVERIFY(!requests().authenticate("cs_rt_not-a-token"));
        QCOMPARE(test::errorCode(requests().authenticate("")), ErrorCode::Unauthenticated);
        auto duplicate = m_services->runtimes().registerRuntime(QStringLiteral("ci"), {QStringLiteral("*")},
                                                                QStringLiteral("member:owner"));
        QCOMPARE(test::errorCode(duplicate), ErrorCode::AlreadyExists);
        QCOMPARE(
            m_services->runtimes()
                .registerRuntime(QStringLiteral("bad name!"), {QStringLiteral("*")}, QStringLiteral("member:owner"))
                .error()
                .code,
            ErrorCode::InvalidArgument);
        QCOMPARE(m_services->runtimes()
                     .registerRuntime(QStringLiteral("x"), {QStringLiteral("Bad[glob")}, QStringLiteral("member:owner"))
                     .error()
                     .code,
                 ErrorCode::InvalidArgument);
    }

    void revokedRuntimeNoLongerAuthenticates()
    {
        auto token = m_services->runtimes().registerRuntime(QStringLiteral("temp"), {QStringLiteral("*")},
                                                            QStringLiteral("member:owner"));
        QVERIFY(token);
        QVERIFY(requests().authenticate(token->toLatin1()));
        QVERIFY(m_services->runtimes().revoke(QStringLiteral("temp"), QStringLiteral("member:owner")));
        QCOMPARE(test::errorCode(requests().authenticate(token->toLatin1())), ErrorCode::Unauthenticated);
        QCOMPARE(test::errorCode(m_services->runtimes().revoke(QStringLiteral("temp"), QStringLiteral("member:owner"))),
                 ErrorCode::NotFound);
    }

    void validatesCreation_data()
    {
        QTest::addColumn<QJsonObject>("request");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("fragment");
        const QJsonObject good = body();
        auto with = [&](const QString& key, const QJsonValue& value) {
            QJsonObject copy = good;
            copy.insert(key, value);
            return copy;
        };
        auto without = [&](const QString& key) {
            QJsonObject copy = good;
            copy.remove(key);
            return copy;
        };
        const int invalid = int(ErrorCode::InvalidArgument);
        QTest::newRow("unknown field") << with(QStringLiteral("colour"), 1) << invalid
                                       << QStringLiteral("unknown field");
        QTest::newRow("read-only state") << with(QStringLiteral("state"), QStringLiteral("approved")) << invalid
                                         << QStringLiteral("read-only");
        QTest::newRow("read-only id") << with(QStringLiteral("id"), QStringLiteral("x")) << invalid
                                      << QStringLiteral("read-only");
        QTest::newRow("no capability") << without(QStringLiteral("capability")) << invalid
                                       << QStringLiteral("capability");
        QTest::newRow("capability syntax") << with(QStringLiteral("capability"), QStringLiteral("Deploy..x")) << invalid
                                           << QStringLiteral("capability");
        QTest::newRow("capability empty segment")
            << with(QStringLiteral("capability"), QStringLiteral("deploy..web")) << invalid << QStringLiteral("empty");
        QTest::newRow("capability upper case")
            << with(QStringLiteral("capability"), QStringLiteral("deploy.Web")) << invalid << QStringLiteral("lower");
        QTest::newRow("capability odd character")
            << with(QStringLiteral("capability"), QStringLiteral("deploy.w$b")) << invalid << QStringLiteral("only");
        QTest::newRow("capability trailing dot")
            << with(QStringLiteral("capability"), QStringLiteral("deploy.")) << invalid << QStringLiteral("dot");
        QTest::newRow("capability too long")
            << with(QStringLiteral("capability"), QString(300, u'a')) << invalid << QStringLiteral("characters");
        QTest::newRow("capability not allowed") << with(QStringLiteral("capability"), QStringLiteral("payments.send"))
                                                << int(ErrorCode::PermissionDenied) << QStringLiteral("may not ask");
        QTest::newRow("no summary") << without(QStringLiteral("summary")) << invalid << QStringLiteral("summary");
        QTest::newRow("empty summary") << with(QStringLiteral("summary"), QStringLiteral("  ")) << invalid
                                       << QStringLiteral("summary");
        QTest::newRow("long summary") << with(QStringLiteral("summary"), QString(201, u'x')) << invalid
                                      << QStringLiteral("summary");
        QTest::newRow("multi-line summary")
            << with(QStringLiteral("summary"), QStringLiteral("a\nb")) << invalid << QStringLiteral("one line");
        QTest::newRow("summary number") << with(QStringLiteral("summary"), 5) << invalid << QStringLiteral("string");
        QTest::newRow("bad risk") << with(QStringLiteral("risk"), QStringLiteral("extreme")) << invalid
                                  << QStringLiteral("risk");
        QTest::newRow("payload too large") << with(QStringLiteral("payload"), QString(70000, u'p'))
                                           << int(ErrorCode::PayloadTooLarge) << QStringLiteral("64 KiB");
        QTest::newRow("context not object")
            << with(QStringLiteral("context"), QStringLiteral("x")) << invalid << QStringLiteral("object");
        QTest::newRow("context nested") << with(QStringLiteral("context"),
                                                QJsonObject{{QStringLiteral("a"), QJsonObject{}}})
                                        << invalid << QStringLiteral("context field");
        QJsonObject many;
        for (int i = 0; i < 17; ++i)
            many.insert(QStringLiteral("k%1").arg(i), i);
        QTest::newRow("context too many")
            << with(QStringLiteral("context"), many) << invalid << QStringLiteral("at most");
        QTest::newRow("context long value")
            << with(QStringLiteral("context"), QJsonObject{{QStringLiteral("reason"), QString(501, u'r')}}) << invalid
            << QStringLiteral("reason");
    }
    void validatesCreation()
    {
        QFETCH(QJsonObject, request);
        QFETCH(int, code);
        QFETCH(QString, fragment);
        QSqlQuery count(m_services->database());
        QVERIFY(count.exec(QStringLiteral("SELECT count(*) FROM requests")) && count.next());
        const int before = count.value(0).toInt();
        auto result = requests().createRequest(m_runtime, request, {});
        QVERIFY(!result);
        QCOMPARE(int(result.error().code), code);
        QVERIFY2(result.error().message.contains(fragment), qPrintable(result.error().message));
        QVERIFY(count.exec(QStringLiteral("SELECT count(*) FROM requests")) && count.next());
        QCOMPARE(count.value(0).toInt(), before); // nothing stored, not even half
    }

    void createsWithDigestAndAudit()
    {
        const QJsonObject payload{{QStringLiteral("b"), 2}, {QStringLiteral("a"), QStringLiteral("x")}};
        QSignalSpy created(&m_events, &approvals::RequestEvents::requestCreated);
        auto result = requests().createRequest(m_runtime, body(QStringLiteral("deploy.production"), payload), {});
        QVERIFY(result);
        QVERIFY(result->created);
        const QString id = result->request.id;
        QVERIFY2(id.startsWith(u"req_"), qPrintable(id));
        QCOMPARE(QByteArray::fromBase64(id.mid(4).toLatin1(), QByteArray::Base64UrlEncoding).size(), 16);
        QCOMPARE(result->request.state, RequestState::Pending);
        QCOMPARE(result->request.payloadSha256, digestOf(payload));
        QCOMPARE(result->request.requiredApprovals, 1);
        QCOMPARE(created.count(), 1);
        QCOMPARE(created.at(0).at(0).toString(), id);
        QCOMPARE(auditCount(QStringLiteral("request.created"), id), 1);
    }

    void idempotencyKey()
    {
        const QString key = QStringLiteral("retry-%1").arg(++m_round);
        auto first = requests().createRequest(m_runtime, body(), key);
        QVERIFY(first && first->created);
        auto again = requests().createRequest(m_runtime, body(), key);
        QVERIFY(again);
        QVERIFY(!again->created);
        QCOMPARE(again->request.id, first->request.id);
        auto different = requests().createRequest(m_runtime, body(QStringLiteral("deploy.staging")), key);
        QVERIFY(!different);
        QCOMPARE(test::errorCode(different), ErrorCode::Conflict);
        // Keys are per runtime: another runtime may use the same key.
        auto otherRuntime = requests().createRequest(m_other, body(), key);
        QVERIFY(otherRuntime && otherRuntime->created);
        QVERIFY(otherRuntime->request.id != first->request.id);
    }

    void otherRuntimesRequestIsNotFound()
    {
        const QString id = create(body());
        QVERIFY(!id.isEmpty());
        QCOMPARE(test::errorCode(requests().getRequest(m_other, id)), ErrorCode::NotFound);
        QCOMPARE(test::errorCode(requests().cancelRequest(m_other, id)), ErrorCode::NotFound);
        QCOMPARE(test::errorCode(requests().consumeRequest(m_other, id, QString())), ErrorCode::NotFound);
        QCOMPARE(test::errorCode(requests().getRequest(m_runtime, QStringLiteral("nope"))), ErrorCode::NotFound);
        auto listed = requests().listRequests(m_other, QStringLiteral("pending"));
        QVERIFY(listed);
        for (const approvals::Request& request : std::as_const(*listed))
            QVERIFY(request.id != id);
        QCOMPARE(test::errorCode(requests().listRequests(m_runtime, QStringLiteral("bogus"))),
                 ErrorCode::InvalidArgument);
    }

    void approveThenConsumeExactlyOnce()
    {
        const QJsonValue payload = QJsonObject{{QStringLiteral("cmd"), QStringLiteral("rm -rf /tmp/x")}};
        const QString id = create(body(QStringLiteral("deploy.production"), payload));
        QCOMPARE(test::errorCode(requests().consumeRequest(m_runtime, id, digestOf(payload))), ErrorCode::NotApproved);
        QSignalSpy changed(&m_events, &approvals::RequestEvents::requestChanged);
        auto approved = requests().approve(QStringLiteral("alice"), id, QStringLiteral("looks right"));
        QVERIFY(approved);
        QCOMPARE(approved->state, RequestState::Approved);
        QVERIFY(approved->approvalExpiresAt > approved->decidedAt);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(1).toString(), QStringLiteral("approved"));

        QCOMPARE(test::errorCode(requests().consumeRequest(m_runtime, id, digestOf(QStringLiteral("other")))),
                 ErrorCode::DigestMismatch);
        QCOMPARE(stateOf(id), RequestState::Approved);
        auto receipt = requests().consumeRequest(m_runtime, id, digestOf(payload));
        QVERIFY2(receipt, receipt ? "" : qPrintable(receipt.error().message));
        const QJsonObject r = receipt->receipt;
        QCOMPARE(r.value(QStringLiteral("request_id")).toString(), id);
        QCOMPARE(r.value(QStringLiteral("payload_sha256")).toString(), digestOf(payload));
        QCOMPARE(r.value(QStringLiteral("decisions")).toArray().size(), 1);
        QCOMPARE(
            r.value(QStringLiteral("decisions")).toArray().at(0).toObject().value(QStringLiteral("member")).toString(),
            QStringLiteral("alice"));
        QVERIFY(r.value(QStringLiteral("audit_seq")).toInteger() > 0);
        QCOMPARE(test::errorCode(requests().consumeRequest(m_runtime, id, digestOf(payload))),
                 ErrorCode::AlreadyConsumed);
        QCOMPARE(stateOf(id), RequestState::Consumed);
        QCOMPARE(auditCount(QStringLiteral("request.consumed"), id), 1);
        QCOMPARE(auditCount(QStringLiteral("request.approved"), id), 1);
        // Final: nothing leaves consumed.
        QCOMPARE(test::errorCode(requests().deny(QStringLiteral("bob"), id, {})), ErrorCode::Conflict);
        QCOMPARE(test::errorCode(requests().cancelRequest(m_runtime, id)), ErrorCode::Conflict);
    }

    void consumeRacesBetweenConnections()
    {
        const QString id = create(body());
        QVERIFY(requests().approve(QStringLiteral("alice"), id, QStringLiteral("ok")));
        const QString digest = digestOf(1);
        // Threads with a connection each consume the one approval at the same moment: only the
        // write transaction, not the order of the calls, can let exactly one of them through.
        constexpr int RACERS = 8;
        struct Outcome {
            bool opened = false;
            bool won = false;
            Error error;
        };
        std::vector<Outcome> outcomes(RACERS);
        std::latch start(RACERS);
        std::vector<std::thread> racers;
        for (int i = 0; i < RACERS; ++i) {
            racers.emplace_back([&, i] {
                approvals::RequestEvents events;
                auto services = m_backend->openServices(events, QStringLiteral("racer-%1").arg(i));
                outcomes[i].opened = services.has_value();
                start.arrive_and_wait(); // every connection open before anyone consumes
                if (!services)
                    return;
                auto consumed = (*services)->requests().consumeRequest(m_runtime, id, digest);
                outcomes[i].won = consumed.has_value();
                if (!consumed)
                    outcomes[i].error = consumed.error();
            });
        }
        for (std::thread& racer : racers)
            racer.join();
        int wins = 0;
        for (const Outcome& outcome : outcomes) {
            QVERIFY(outcome.opened);
            if (outcome.won) {
                ++wins;
                continue;
            }
            QVERIFY2(outcome.error.code == ErrorCode::AlreadyConsumed,
                     qPrintable(errorCodeName(outcome.error.code) + u": " + outcome.error.message));
        }
        QCOMPARE(wins, 1);
        QCOMPARE(stateOf(id), RequestState::Consumed);
        QCOMPARE(auditCount(QStringLiteral("request.consumed"), id), 1);
        QVERIFY(m_services->audit().verify().ok());
    }

    void quorumAndDeny()
    {
        addPolicy(QStringLiteral("db.migrate"), policy::PolicyRule::Outcome::Require, 2);
        const QString id = create(body(QStringLiteral("db.migrate")));
        auto one = requests().approve(QStringLiteral("alice"), id, QStringLiteral("ok"));
        QVERIFY(one);
        QCOMPARE(one->state, RequestState::Pending);
        QCOMPARE(one->approvalCount(), 1);
        QCOMPARE(one->requiredApprovals, 2);
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("alice"), id, {})), ErrorCode::Conflict);
        auto two = requests().approve(QStringLiteral("bob"), id, QStringLiteral("ok too"));
        QVERIFY(two);
        QCOMPARE(two->state, RequestState::Approved);
        QCOMPARE(auditCount(QStringLiteral("request.decision"), id), 2);

        const QString denied = create(body(QStringLiteral("db.migrate")));
        QVERIFY(requests().approve(QStringLiteral("alice"), denied, QStringLiteral("ok")));
        auto no = requests().deny(QStringLiteral("bob"), denied, QStringLiteral("not today"));
        QVERIFY(no);
        QCOMPARE(no->state, RequestState::Denied);
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("dave"), denied, {})), ErrorCode::Conflict);
        QCOMPARE(test::errorCode(requests().consumeRequest(m_runtime, denied, digestOf(1))), ErrorCode::NotApproved);
    }

    void whoMayDecide()
    {
        const QString id = create(body());
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("victor"), id, {})), ErrorCode::PermissionDenied);
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("mallory"), id, {})), ErrorCode::PermissionDenied);
        // The ci runtime acts for dave: dave may not decide its requests.
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("dave"), id, {})), ErrorCode::PermissionDenied);
        QCOMPARE(stateOf(id), RequestState::Pending);
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("alice"), id, QString(1001, u'r'))),
                 ErrorCode::InvalidArgument);
    }

    void policyAllowAndDenyDecideAtOnce()
    {
        addPolicy(QStringLiteral("deploy.preview"), policy::PolicyRule::Outcome::Allow);
        addPolicy(QStringLiteral("deploy.forbidden"), policy::PolicyRule::Outcome::Deny);
        const QString allowed = create(body(QStringLiteral("deploy.preview")));
        QCOMPARE(stateOf(allowed), RequestState::Approved);
        QCOMPARE(auditCount(QStringLiteral("request.approved"), allowed), 1);
        QVERIFY(requests().consumeRequest(m_runtime, allowed, digestOf(1)));
        const QString denied = create(body(QStringLiteral("deploy.forbidden")));
        QCOMPARE(stateOf(denied), RequestState::Denied);
    }

    // A rule's description (kept with each request and in the audit chain, shown in the detail
    // header) gives a waiting time in units a person reads, and none for rules that do not wait.
    void aRuleDescribesItsWaitInUnitsAPersonReads()
    {
        policy::PolicyRule rule;
        rule.capabilityGlob = QStringLiteral("db.*");
        rule.outcome = policy::PolicyRule::Outcome::Require;
        rule.approvals = 2;
        rule.minimumRisk = policy::Risk::High;
        rule.timeoutSeconds = 900;
        QCOMPARE(rule.describe(), QStringLiteral("db.* [high+] -> require 2 (waits up to 15 min)"));
        rule.timeoutSeconds = 9000;
        QCOMPARE(rule.describe(), QStringLiteral("db.* [high+] -> require 2 (waits up to 2 h 30 min)"));
        rule.timeoutSeconds = 90;
        QCOMPARE(rule.describe(), QStringLiteral("db.* [high+] -> require 2 (waits up to 1 min 30 s)"));
        rule.timeoutSeconds = 86400;
        QCOMPARE(rule.describe(), QStringLiteral("db.* [high+] -> require 2 (waits up to 1 d)"));
        rule.outcome = policy::PolicyRule::Outcome::Allow;
        QCOMPARE(rule.describe(), QStringLiteral("db.* [high+] -> allow"));
        rule.outcome = policy::PolicyRule::Outcome::Deny;
        QCOMPARE(rule.describe(), QStringLiteral("db.* [high+] -> deny"));
    }

    void firstMatchingRuleWins()
    {
        addPolicy(QStringLiteral("deploy.preview"), policy::PolicyRule::Outcome::Allow);
        auto rules = m_services->policies().rules();
        QVERIFY(rules);
        const int before = static_cast<int>(rules->size());
        policy::PolicyRule broad;
        broad.capabilityGlob = QStringLiteral("deploy.*");
        broad.outcome = policy::PolicyRule::Outcome::Deny;
        broad.minimumRisk = policy::Risk::Critical;
        QVERIFY(m_services->policies().add(broad, QStringLiteral("member:owner"), 0));
        auto critical = m_services->policies().evaluate(QStringLiteral("deploy.preview"), policy::Risk::Critical);
        VERIFY_RESULT(critical);
        QCOMPARE(critical->outcome, policy::PolicyRule::Outcome::Deny);
        auto high = m_services->policies().evaluate(QStringLiteral("deploy.preview"), policy::Risk::High);
        VERIFY_RESULT(high);
        QCOMPARE(high->outcome, policy::PolicyRule::Outcome::Allow);
        auto none = m_services->policies().evaluate(QStringLiteral("shell.exec"), policy::Risk::Low);
        VERIFY_RESULT(none);
        QCOMPARE(none->outcome, policy::PolicyRule::Outcome::Require);
        QCOMPARE(none->approvals, 1);
        QVERIFY(m_services->policies().move(0, before, QStringLiteral("member:owner")));
        const auto moved = m_services->policies().rules();
        VERIFY_RESULT(moved);
        QCOMPARE(moved->size(), before + 1);
        QCOMPARE(moved->constLast().capabilityGlob, QStringLiteral("deploy.*"));
        QVERIFY(m_services->policies().remove(before, QStringLiteral("member:owner")));
        const auto removed = m_services->policies().rules();
        VERIFY_RESULT(removed);
        QCOMPARE(removed->size(), before);
        QCOMPARE(test::errorCode(m_services->policies().remove(99, QStringLiteral("member:owner"))),
                 ErrorCode::NotFound);
        policy::PolicyRule bad;
        bad.capabilityGlob = QStringLiteral("deploy.[x]");
        QCOMPARE(test::errorCode(m_services->policies().add(bad, QStringLiteral("member:owner"))),
                 ErrorCode::InvalidArgument);
        // Two rules added, one moved, one removed; the refused rule left no entry.
        QSqlQuery audited(m_services->database());
        QVERIFY(audited.exec(QStringLiteral("SELECT action FROM audit_log WHERE action LIKE 'policy.%' ORDER BY seq")));
        QStringList actions;
        while (audited.next())
            actions.append(audited.value(0).toString());
        QCOMPARE(actions, (QStringList{QStringLiteral("policy.rule_added"), QStringLiteral("policy.rule_added"),
                                       QStringLiteral("policy.rule_moved"), QStringLiteral("policy.rule_removed")}));
    }

    void cancelOnlyWhilePending()
    {
        const QString id = create(body());
        auto cancelled = requests().cancelRequest(m_runtime, id);
        QVERIFY(cancelled);
        QCOMPARE(cancelled->state, RequestState::Cancelled);
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("alice"), id, {})), ErrorCode::Conflict);
        QCOMPARE(test::errorCode(requests().cancelRequest(m_runtime, id)), ErrorCode::Conflict);
        QCOMPARE(auditCount(QStringLiteral("request.cancelled"), id), 1);
    }

    void pendingExpiresOnTimeWithoutPolling()
    {
        addPolicy(QStringLiteral("deploy.quick"), policy::PolicyRule::Outcome::Require, 1, 1);
        requests().setExpiryTimerEnabled(true);
        QSignalSpy changed(&m_events, &approvals::RequestEvents::requestChanged);
        const QString id = create(body(QStringLiteral("deploy.quick")));
        QCOMPARE(stateOf(id), RequestState::Pending);
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty() && changed.constLast().at(1).toString() == u"expired", 10000);
        QCOMPARE(changed.constLast().at(0).toString(), id);
        QCOMPARE(stateOf(id), RequestState::Expired);
        QCOMPARE(auditCount(QStringLiteral("request.expired"), id), 1);
        QCOMPARE(test::errorCode(requests().approve(QStringLiteral("alice"), id, {})), ErrorCode::Expired);
        requests().setExpiryTimerEnabled(false);
    }

    void aPollThatFindsAnExpiryAnotherConnectionIsCommittingAnswersTheRequest()
    {
        addPolicy(QStringLiteral("deploy.quick"), policy::PolicyRule::Outcome::Require, 1, 1);
        const QString id = create(body(QStringLiteral("deploy.quick")));
        QTest::qWait(1100); // due, and no timer runs here
        // Another connection (on a team: another node) is expiring the request and has not
        // committed yet when a poll notices the expiry is due.
        approvals::RequestEvents otherEvents;
        auto other = m_backend->openServices(otherEvents, QStringLiteral("other-node"));
        VERIFY_RESULT(other);
        QSqlDatabase otherDb = (*other)->database();
        QVERIFY(otherDb.transaction());
        QSqlQuery expiring(otherDb);
        QVERIFY(expiring.prepare(
            QStringLiteral("UPDATE requests SET state = 'expired' WHERE id = ? AND state = 'pending'")));
        expiring.addBindValue(id);
        QVERIFY2(expiring.exec(), qPrintable(expiring.lastError().text()));
        std::optional<Result<approvals::Request>> polled;
        std::thread poller([&] {
            approvals::RequestEvents events;
            auto services = m_backend->openServices(events, QStringLiteral("poller"));
            if (services)
                polled = (*services)->requests().getRequest(m_runtime, id);
        });
        QTest::qWait(500); // the poll waits for the other connection's transaction
        QVERIFY(otherDb.commit());
        poller.join();
        QVERIFY(polled.has_value());
        // Not a conflict: the poll reads the change the other connection committed.
        QVERIFY2(polled->has_value(), qPrintable(polled->has_value() ? QString() : polled->error().message));
        QCOMPARE((*polled)->state, RequestState::Expired);
    }

    void aPollNoticesADueExpiryBeforeAnyTimer()
    {
        addPolicy(QStringLiteral("deploy.polled"), policy::PolicyRule::Outcome::Require, 1, 1);
        QSignalSpy changed(&m_events, &approvals::RequestEvents::requestChanged);
        const QString id = create(body(QStringLiteral("deploy.polled")));
        QTest::qWait(1200); // the expiry timer is off: only the poll can notice
        auto polled = requests().getRequest(m_runtime, id);
        QVERIFY(polled);
        QCOMPARE(polled->state, RequestState::Expired);
        QCOMPARE(auditCount(QStringLiteral("request.expired"), id), 1);
        QVERIFY(!changed.isEmpty() && changed.constLast().at(1).toString() == u"expired");
    }

    void highAndCriticalDecisionsNeedAReasonAtTheDesktopToo()
    {
        const QString id = create(body()); // high
        for (const QString& reason : {QString(), QStringLiteral("  \t ")}) {
            QCOMPARE(test::errorCode(requests().approve(QStringLiteral("alice"), id, reason)),
                     ErrorCode::InvalidArgument);
            QCOMPARE(test::errorCode(requests().deny(QStringLiteral("alice"), id, reason)), ErrorCode::InvalidArgument);
        }
        QCOMPARE(test::errorCode(requests().deny(QStringLiteral("alice"), id, QStringLiteral("no\u2029yes"))),
                 ErrorCode::InvalidArgument);
        QCOMPARE(stateOf(id), RequestState::Pending);
        QVERIFY(requests().deny(QStringLiteral("alice"), id, QStringLiteral("not during the freeze")));
        // Low and medium requests may be decided without one.
        QJsonObject low = body();
        low.insert(QStringLiteral("risk"), QStringLiteral("low"));
        QVERIFY(requests().approve(QStringLiteral("alice"), create(low), {}));
    }

    void approvalExpiresAfterItsWindow()
    {
        addPolicy(QStringLiteral("deploy.window"), policy::PolicyRule::Outcome::Require, 1, 900, 1);
        const QString id = create(body(QStringLiteral("deploy.window")));
        QVERIFY(requests().approve(QStringLiteral("alice"), id, QStringLiteral("ok")));
        QTest::qWait(1200);
        QCOMPARE(test::errorCode(requests().consumeRequest(m_runtime, id, digestOf(1))), ErrorCode::Expired);
        QCOMPARE(stateOf(id), RequestState::Expired);
        QCOMPARE(test::errorCode(requests().consumeRequest(m_runtime, id, digestOf(1))), ErrorCode::Expired);
    }
    void denyAllSaysWhatItDid()
    {
        auto ask = [&](const QString& risk) {
            auto answer = requests().createRequest(
                m_other,
                QJsonObject{{QStringLiteral("capability"), QStringLiteral("ops.bulk")},
                            {QStringLiteral("summary"), QStringLiteral("bulk %1 %2").arg(risk).arg(++m_round)},
                            {QStringLiteral("risk"), risk},
                            {QStringLiteral("payload"), QJsonObject{}}},
                {});
            return answer ? answer->request.id : QString();
        };
        const QString critical = ask(QStringLiteral("critical"));
        const QString high = ask(QStringLiteral("high"));
        const QString low = ask(QStringLiteral("low"));
        const QString decided = ask(QStringLiteral("low"));
        for (const QString& id : {critical, high, low, decided})
            QCOMPARE(stateOf(id), RequestState::Pending);
        QVERIFY(requests().approve(QStringLiteral("alice"), decided, QStringLiteral("fine")));
        const auto outcome =
            requests().denyAll(QStringLiteral("alice"), {critical, high, low, decided}, QStringLiteral("freeze"));
        QCOMPARE(outcome.denied, (QStringList{critical, high, low}));
        QCOMPARE(outcome.criticalDenied, 1);
        QCOMPARE(outcome.highDenied, 1);
        QCOMPARE(outcome.refused.size(), 1);
        QCOMPARE(outcome.refused.first().first, decided);
        QVERIFY(!outcome.refused.first().second.message.isEmpty());
        for (const QString& id : {critical, high, low}) {
            QCOMPARE(stateOf(id), RequestState::Denied);
            QCOMPARE(auditCount(QStringLiteral("request.denied"), id), 1);
        }
        QCOMPARE(stateOf(decided), RequestState::Approved);
    }
};

QTEST_GUILESS_MAIN(TestRequestService)
#include "tst_requestservice.moc"
