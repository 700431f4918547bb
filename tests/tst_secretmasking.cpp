#include "approvals/payloadview.h"
#include "approvals/secretmasking.h"
#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "crypto/securebuffer.h"
#include "json/canonicaljson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using countersign::approvals::PayloadView;
using countersign::approvals::SecretMasking;
namespace crypto = countersign::crypto;
namespace json = countersign::json;

namespace {

QJsonObject withPin(const QString& pin)
{
    return QJsonObject{{QStringLiteral("card"), QStringLiteral("visa-4411")},
                       {QStringLiteral("amount"), 125.5},
                       {QStringLiteral("pin_secret"), pin}};
}

QString sha256Hex(const QByteArray& bytes)
{
    return QString::fromLatin1(crypto::sha256(bytes).toHex());
}

/// A request as the instance shows it to a member.
QJsonObject shown(const PayloadView& view)
{
    return QJsonObject{{QStringLiteral("id"), QStringLiteral("req_x")},
                       {QStringLiteral("payload"), view.view},
                       {QStringLiteral("masked_fields"), view.masked},
                       {QStringLiteral("view_sha256"), view.sha256}};
}

} // namespace

class TestSecretMasking final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recognisesSecretKeys_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("secret");
        for (const char* key : {"password", "DB_PASSWORD", "passphrase", "clientSecret", "token", "X-Auth-Token",
                                "apiKey", "api_key", "key", "ssh_key", "privateKeyPem", "Authorization", "cookie",
                                "Set-Cookie", "session_id", "aws_credentials", "signature"})
            QTest::newRow(key) << QString::fromLatin1(key) << true;
        for (const char* key : {"keyboard", "keyboard_layout", "monkey", "turkey", "username", "host", "port",
                                "command", "version", "region"})
            QTest::newRow(key) << QString::fromLatin1(key) << false;
        // Masking errs towards hiding: a name holding a secret word is masked even when the
        // value is harmless, and "key" as a word part is masked even after a harmless word.
        QTest::newRow("tokenizer_name") << QStringLiteral("tokenizer_name") << true;
        QTest::newRow("monkey_key") << QStringLiteral("monkey_key") << true;
    }
    void recognisesSecretKeys()
    {
        QFETCH(QString, key);
        QFETCH(bool, secret);
        QCOMPARE(SecretMasking::looksSecret(key), secret);
    }

    void masksAtAnyDepth()
    {
        const QJsonDocument payload = QJsonDocument::fromJson(R"({
            "user": "deploy",
            "Password": "hunter2",
            "targets": [{"host": "db1", "credentials": {"user": "x", "pass": "y"}},
                        {"host": "db2", "env": {"API_KEY": "abc", "REGION": "eu"}}],
            "nested": {"deeper": {"authorization": "Bearer xyz", "ok": 1}}
        })");
        const QJsonObject masked = SecretMasking::mask(payload.object()).toObject();
        const QByteArray text = QJsonDocument(masked).toJson(QJsonDocument::Compact);
        for (const char* secret : {"hunter2", "abc", "Bearer xyz", "\"y\""})
            QVERIFY2(!text.contains(secret), secret);
        QCOMPARE(masked.value(QStringLiteral("user")).toString(), QStringLiteral("deploy"));
        QCOMPARE(masked.value(QStringLiteral("Password")).toString(), SecretMasking::MASK);
        const QJsonObject env =
            masked.value(QStringLiteral("targets")).toArray().at(1).toObject().value(QStringLiteral("env")).toObject();
        QCOMPARE(env.value(QStringLiteral("REGION")).toString(), QStringLiteral("eu"));
        QCOMPARE(env.value(QStringLiteral("API_KEY")).toString(), SecretMasking::MASK);
        QCOMPARE(
            masked.value(QStringLiteral("targets")).toArray().at(0).toObject().value(QStringLiteral("credentials")),
            QJsonValue(SecretMasking::MASK)); // a whole secret-named subtree is hidden
        QCOMPARE(SecretMasking::countSecrets(payload.object()), 4);
        QCOMPARE(SecretMasking::countSecrets(masked), 4); // the names stay; only the values are hidden
        QCOMPARE(SecretMasking::mask(QJsonValue(42)), QJsonValue(42));
    }

    void eachMaskedFieldHasAPointerAndCanBeShownAlone()
    {
        const QJsonObject payload{
            {QStringLiteral("a/b~c"), QJsonObject{{QStringLiteral("password"), QStringLiteral("p1")}}},
            {QStringLiteral("list"),
             QJsonArray{QJsonObject{{QStringLiteral("token"), QStringLiteral("t1")}}, QStringLiteral("plain")}},
            {QStringLiteral("api_key"), QJsonObject{{QStringLiteral("secret"), QStringLiteral("inner")}}},
            {QStringLiteral("version"), QStringLiteral("1.4.2")}};
        // RFC 6901: "/" in a key is "~1", "~" is "~0"; a masked object's own secrets are not listed.
        const QStringList fields = SecretMasking::secretFields(payload);
        QCOMPARE(fields, (QStringList{QStringLiteral("/a~1b~0c/password"), QStringLiteral("/api_key"),
                                      QStringLiteral("/list/0/token")}));
        QCOMPARE(fields.size(), SecretMasking::countSecrets(payload));
        const QJsonObject one = SecretMasking::mask(payload, {QStringLiteral("/list/0/token")}).toObject();
        QCOMPARE(one.value(QStringLiteral("list")).toArray().at(0).toObject().value(QStringLiteral("token")),
                 QJsonValue(QStringLiteral("t1")));
        QCOMPARE(one.value(QStringLiteral("a/b~c")).toObject().value(QStringLiteral("password")),
                 QJsonValue(SecretMasking::MASK));
        QCOMPARE(one.value(QStringLiteral("api_key")), QJsonValue(SecretMasking::MASK));
        QCOMPARE(SecretMasking::mask(payload, {}), SecretMasking::mask(payload));
    }

    void viewsCommitToMaskedValuesWithSalt()
    {
        QByteArray keyBytes = crypto::randomBytes(32);
        const crypto::HmacSha256 key(crypto::SecureBuffer::takeFrom(keyBytes));
        const PayloadView view = PayloadView::of(withPin(QStringLiteral("4821")), key, QStringLiteral("req_a"));
        QCOMPARE(view.masked, 1);
        const QJsonObject shownPayload = view.view.toObject();
        QCOMPARE(shownPayload.value(QStringLiteral("card")).toString(), QStringLiteral("visa-4411"));
        const QString commitment = shownPayload.value(QStringLiteral("pin_secret")).toString();
        QVERIFY(commitment.startsWith(PayloadView::COMMITMENT_PREFIX));
        QCOMPARE(commitment.size(), PayloadView::COMMITMENT_PREFIX.size() + 64);
        QCOMPARE(view.sha256, sha256Hex(json::canonicalJson(view.view)));
        // Stable for one request, different for another, and different for another value.
        QCOMPARE(PayloadView::of(withPin(QStringLiteral("4821")), key, QStringLiteral("req_a")).sha256, view.sha256);
        QVERIFY(PayloadView::of(withPin(QStringLiteral("4821")), key, QStringLiteral("req_b")).sha256 != view.sha256);
        QVERIFY(PayloadView::of(withPin(QStringLiteral("4822")), key, QStringLiteral("req_a")).sha256 != view.sha256);
        // Without the instance's key no guess of the PIN reproduces the commitment or the digests.
        const QString viewText = QString::fromUtf8(json::canonicalJson(view.view)) + view.sha256;
        for (int guess = 0; guess < 10000; ++guess) {
            const QString pin = QStringLiteral("%1").arg(guess, 4, 10, QLatin1Char('0'));
            const QString payloadDigest = sha256Hex(json::canonicalJson(withPin(pin)));
            const QString valueDigest = sha256Hex(json::canonicalJson(QJsonValue(pin)));
            QVERIFY(!viewText.contains(payloadDigest));
            QVERIFY(!viewText.contains(valueDigest));
        }
    }

    void aMembersClientSignsOnlyTheViewItWasShown_data()
    {
        QTest::addColumn<QString>("tamper");
        QTest::newRow("as shown") << QString();
        QTest::newRow("another digest claimed") << QStringLiteral("digest");
        QTest::newRow("a masked field shown in clear") << QStringLiteral("clear");
        QTest::newRow("fewer masked fields than claimed") << QStringLiteral("count");
        QTest::newRow("a commitment where nothing is masked") << QStringLiteral("forged");
        QTest::newRow("the payload changed after the digest") << QStringLiteral("payload");
    }
    void aMembersClientSignsOnlyTheViewItWasShown()
    {
        QFETCH(QString, tamper);
        QByteArray keyBytes = crypto::randomBytes(32);
        const crypto::HmacSha256 key(crypto::SecureBuffer::takeFrom(keyBytes));
        const PayloadView view = PayloadView::of(withPin(QStringLiteral("0007")), key, QStringLiteral("req_c"));
        QJsonObject request = shown(view);
        QJsonObject payload = view.view.toObject();
        if (tamper == u"digest") {
            request.insert(QStringLiteral("view_sha256"), sha256Hex("another payload"));
        } else if (tamper == u"clear") {
            payload.insert(QStringLiteral("pin_secret"), QStringLiteral("0007"));
            request.insert(QStringLiteral("payload"), payload);
            request.insert(QStringLiteral("view_sha256"), sha256Hex(json::canonicalJson(payload)));
        } else if (tamper == u"count") {
            request.insert(QStringLiteral("masked_fields"), 0);
        } else if (tamper == u"forged") {
            payload.insert(QStringLiteral("card"), payload.value(QStringLiteral("pin_secret")));
            request.insert(QStringLiteral("payload"), payload);
            request.insert(QStringLiteral("view_sha256"), sha256Hex(json::canonicalJson(payload)));
        } else if (tamper == u"payload") {
            payload.insert(QStringLiteral("amount"), 99999);
            request.insert(QStringLiteral("payload"), payload);
        }
        const auto digest = PayloadView::digestToSign(request);
        if (tamper.isEmpty()) {
            QVERIFY(digest);
            QCOMPARE(*digest, view.sha256);
        } else {
            QVERIFY(!digest);
            QCOMPARE(digest.error().code, countersign::ErrorCode::Integrity);
        }
    }

    void aPayloadMayNotMimicACommitment()
    {
        QVERIFY(PayloadView::validate(withPin(QStringLiteral("1234"))));
        const QJsonObject mimic{
            {QStringLiteral("note"), QJsonArray{QString(PayloadView::COMMITMENT_PREFIX + QString(64, u'a'))}}};
        const auto refused = PayloadView::validate(mimic);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, countersign::ErrorCode::InvalidArgument);
    }
};

QTEST_GUILESS_MAIN(TestSecretMasking)
#include "tst_secretmasking.moc"
