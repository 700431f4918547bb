#include "approvals/secretmasking.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using countersign::approvals::SecretMasking;

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
        for (const char* key :
             {"keyboard", "monkey", "username", "host", "port", "command", "version", "tokenizer_name"})
            QTest::newRow(key) << QString::fromLatin1(key) << QByteArray(key).contains("token");
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
};

QTEST_GUILESS_MAIN(TestSecretMasking)
#include "tst_secretmasking.moc"
